/*
 * The forwarding modes of the load balancer [ip_vs_xmit]: one file per mode
 * (xmit_fnat.c, xmit_nat.c, xmit_dr.c, xmit_tunnel.c, xmit_snat.c), each
 * with one function per direction and address family, and the table that
 * maps a connection's fwd_mode to them (xmit.c). The dispatch by mode,
 * direction and the packet's family is in one place, wk_xmit(); a function
 * whose connection crosses families (full-NAT from an IPv6 VIP to IPv4 real
 * servers) hands the packet to the translation (xlat.c).
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

/* xmit.c: the IPv6 twin of wk_xmit_rewrite4: the hop limit decremented
 * (expired: drop), routed to daddr; longer than the egress MTU: an ICMPv6
 * packet too big about the packet as it came and DROP ip6_too_big (IPv6 is
 * never fragmented on the way); addresses and ports rewritten with the
 * TCP/UDP checksum updated incrementally (extension headers kept), padding
 * trimmed, a SYN's MSS clamped to the outgoing port's MTU - 60; then the
 * output path (wk_ip6_output_via). */
struct wk_verdict wk_xmit_rewrite6(struct wk_ctx *ctx, struct rte_mbuf *m,
				   const struct wk_pkt *pk, const uint8_t saddr[16],
				   uint16_t sport, const uint8_t daddr[16], uint16_t dport);

/* xmit.c: rewrite the addresses and ports of the IPv6 packet at ip (its
 * TCP/UDP header at l4, l4_avail bytes of it present), the L4 checksum
 * updated incrementally. Pure. */
void wk_rewrite6(struct rte_ipv6_hdr *ip, void *l4, uint8_t proto, uint32_t l4_avail,
		 const uint8_t saddr[16], uint16_t sport, const uint8_t daddr[16], uint16_t dport);

/* xmit.c: clamp the MSS of pk's SYN (TCP header at l4) to the MTU of port
 * less hdrs bytes of headers (40 IPv4, 60 IPv6); anything else untouched. */
void wk_xmit_mss(struct wk_ctx *ctx, void *l4, const struct wk_pkt *pk, uint16_t port,
		 unsigned int hdrs);

/* xlat.c: full-NAT across families (an IPv6 VIP with IPv4 real servers,
 * DPVS's nat64). wk_xlat_6to4 sends the IPv6 packet pk as IPv4 from
 * saddr:sport to daddr:dport (network order), wk_xlat_4to6 the IPv4
 * packet pk as IPv6 from saddr:sport to daddr:dport: the IP header rebuilt
 * (xlat.h), the TCP/UDP checksum adjusted across the pseudo-header change,
 * the size and the MTU minded, the MSS of a SYN clamped for the new family. */
struct wk_verdict wk_xlat_6to4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
			       uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport);
struct wk_verdict wk_xlat_4to6(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
			       const uint8_t saddr[16], uint16_t sport, const uint8_t daddr[16],
			       uint16_t dport);

/* Where an IPv4 packet of a full-NAT or NAT connection c with no IPv6
 * endpoint leaves for, in direction dir (addresses and ports in network
 * order): inbound, full-NAT laddr:lport and NAT client:cport -> dest:dport;
 * outbound (a reply), in both modes vip:vport -> client:cport. The one
 * definition for wk_xmit's inline case and the modes' functions. */
struct wk_nat4 {
	uint32_t sa, da;
	uint16_t sp, dp;
};

static inline struct wk_nat4
wk_nat4_tuple(const struct dpvs_conn *c, int dir)
{
	struct wk_nat4 t;

	if (dir == DPVS_DIR_OUT) {
		t.sa = dpvs_conn_a4(c, DPVS_CONN_A_V);
		t.sp = c->vport;
		t.da = dpvs_conn_a4(c, DPVS_CONN_A_C);
		t.dp = c->cport;
		return t;
	}
	if (c->fwd_mode == DPVS_FWD_FNAT) {
		t.sa = dpvs_conn_a4(c, DPVS_CONN_A_L);
		t.sp = c->lport;
	} else {
		t.sa = dpvs_conn_a4(c, DPVS_CONN_A_C);
		t.sp = c->cport;
	}
	t.da = dpvs_conn_a4(c, DPVS_CONN_A_D);
	t.dp = c->dport;
	return t;
}

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
struct wk_verdict wk_fnat_in6(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
			      const struct dpvs_conn *c);
struct wk_verdict wk_fnat_out6(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
			       const struct dpvs_conn *c);
struct wk_verdict wk_nat_in6(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
			     const struct dpvs_conn *c);
struct wk_verdict wk_nat_out6(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
			      const struct dpvs_conn *c);
struct wk_verdict wk_dr_in6(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
			    const struct dpvs_conn *c);
struct wk_verdict wk_tunnel_in6(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
				const struct dpvs_conn *c);
struct wk_verdict wk_snat_in6(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
			      const struct dpvs_conn *c);
struct wk_verdict wk_snat_out6(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
			       const struct dpvs_conn *c);

#endif
