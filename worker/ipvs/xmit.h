/*
 * The forwarding modes of the load balancer [ip_vs_xmit]: one file per mode
 * (xmit_fnat.c, xmit_nat.c, xmit_dr.c, xmit_tunnel.c, xmit_snat.c), each
 * with one function per direction and address family, and the table that
 * maps a connection's fwd_mode to them (xmit.c). The dispatch by mode,
 * direction and family is in one place, wk_xmit(): an IPv6 variant of a
 * mode is one more function in its file and one more cell of the table.
 *
 * A mode's inbound function takes a packet of the connection's first
 * direction (client -> VIP; snat: inside host -> outside server), its
 * outbound function a reply (real server -> client side). Modes whose
 * replies do not pass the node (dr, tunnel) have no outbound function and
 * are "one-way": their TCP state follows LVS's input-only table and their
 * window tracking is liberal (tcp_window.c), since the server's side is
 * never seen.
 *
 * Everything here runs on the connection's owning worker; writes the packet
 * only (and this worker's stats row for the counted refusals).
 */
#ifndef DPVS_WORKER_XMIT_H
#define DPVS_WORKER_XMIT_H

#include <stdint.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "shm/conn.h"
#include "worker/ipvs/lb.h"
#include "worker/worker.h"

/* A mode's function for one direction and family: the packet pk of
 * connection c, rewritten and sent on (or refused). */
typedef struct wk_verdict (*wk_xmit_fn)(struct wk_ctx *ctx, struct rte_mbuf *m,
					const struct wk_pkt *pk, const struct dpvs_conn *c);

/* Family index of the table: 0 IPv4, 1 IPv6. */
#define WK_XMIT_V4 0
#define WK_XMIT_V6 1

struct wk_xmit_mode {
	wk_xmit_fn in[2];        /* DPVS_DIR_IN, per family; NULL: not built */
	wk_xmit_fn out[2];       /* DPVS_DIR_OUT; NULL: not built or one-way */
	uint8_t oneway;          /* replies do not pass the node (dr, tunnel) */
};

/* The table, indexed by enum dpvs_fwd_mode (a process-local const table:
 * shm holds the mode id only). */
extern const struct wk_xmit_mode wk_xmit_modes[DPVS_FWD_MAX];

/* Send packet pk of connection c in direction dir by c's forwarding mode;
 * a mode, direction or family without a function is dropped
 * (fwd_unsupported). */
struct wk_verdict wk_xmit(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
			  const struct dpvs_conn *c, int dir);

/* Does forwarding mode `mode` see only its inbound direction? */
static inline int
wk_xmit_oneway(uint8_t mode)
{
	return mode < DPVS_FWD_MAX && wk_xmit_modes[mode].oneway;
}

/* xmit.c: what the address-rewriting modes (fnat, nat, snat) share for
 * IPv4: the TTL decremented (expired: drop), routed to daddr; longer than
 * the egress MTU with DF set: an ICMP fragmentation needed about the packet
 * as it came (before the rewrite) and DROP frag_needed; source and
 * destination address and port rewritten to saddr:sport -> daddr:dport
 * (network order) with both checksums updated incrementally, Ethernet
 * padding trimmed, a SYN's MSS clamped to the outgoing port's MTU; then the
 * output path (wk_ip_output_via: fragmented when longer than the MTU,
 * neighbour). */
struct wk_verdict wk_xmit_rewrite4(struct wk_ctx *ctx, struct rte_mbuf *m,
				   const struct wk_pkt *pk, uint32_t saddr, uint16_t sport,
				   uint32_t daddr, uint16_t dport);

/* xmit.c: trim what follows the IP packet of pk (Ethernet padding). */
void wk_xmit_trim(struct rte_mbuf *m, const struct wk_pkt *pk);

/* The modes' functions (one file each). */
struct wk_verdict wk_fnat_in4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
			      const struct dpvs_conn *c);
struct wk_verdict wk_fnat_out4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
			       const struct dpvs_conn *c);
struct wk_verdict wk_nat_in4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
			     const struct dpvs_conn *c);
struct wk_verdict wk_nat_out4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
			      const struct dpvs_conn *c);
struct wk_verdict wk_dr_in4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
			    const struct dpvs_conn *c);
struct wk_verdict wk_tunnel_in4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
				const struct dpvs_conn *c);
struct wk_verdict wk_snat_in4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
			      const struct dpvs_conn *c);
struct wk_verdict wk_snat_out4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
			       const struct dpvs_conn *c);

#endif
