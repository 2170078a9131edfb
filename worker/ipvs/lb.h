/*
 * The load balancer in the worker (issue 3): the parsed view of a TCP/UDP
 * packet shared by the ipvs core, the schedulers and the xmit methods, the
 * scheduler entry point, and the ipvs hook called from the ipv4 stage.
 *
 * Files: ipvs.c (dp_vs_in: lookup, packets of connections, replies of
 * other workers, redirect, drop), ipvs_new.c (a new connection per
 * forwarding mode), svc_match.c (match services, SNAT), sched.c +
 * sched_<name>.c (one per scheduler), xmit.c (the modes' table and what
 * they share) + xmit_<mode>.c (fnat, nat, dr, tunnel, snat: one per mode),
 * route.c (rte_lpm of the active set), neigh_out.c (next-hop MAC, ARP
 * request, hold queue), redirect.c (rings between workers), icmp_err.c
 * (ICMP errors about a connection). conn.c / conn_timer.c / proto_tcp.c
 * hold the connection table (conn.h); tcp_window.c the TCP flag and window
 * checks.
 */
#ifndef DPVS_WORKER_LB_H
#define DPVS_WORKER_LB_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "shm/lb.h"
#include "worker/worker.h"

/* A TCP or UDP packet as the ipvs core sees it, IPv4 or IPv6 (an ICMP or
 * ICMPv6 error passed on to a one-way mode's real server too). */
struct wk_pkt {
	uint8_t family;          /* DPVS_AF_INET / DPVS_AF_INET6 */
	uint8_t proto;           /* IPPROTO_TCP / IPPROTO_UDP (/ IPPROTO_ICMP(V6)) */
	uint8_t tcp_flags;       /* TCP only */
	uint8_t pad;
	uint16_t l3_off;         /* offset of the IP header in the frame */
	uint16_t l4_off;         /* offset of the TCP/UDP header (IPv6: after
				  * the extension headers) */
	struct dpvs_ip src, dst;
	uint16_t sport, dport;   /* network order */
	uint32_t l4_len;         /* bytes from l4_off to the end of the IP packet */
};

/*
 * The ipvs hook [dp_vs_in], called by the ipv4 stage for every valid IPv4
 * packet addressed to our MAC before local_in. Returns 1 when the packet was
 * taken (*v says what to do with it: tx, redirect, drop), 0 when it is not
 * the load balancer's business (continue to local_in / the kernel).
 */
int wk_ipvs_in(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, struct wk_verdict *v);

/* What dp_vs_in does with a parsed TCP/UDP packet pk of either
 * family received on port index p (not a fragment, its header readable):
 * its connection, a new one for a service, a reply for another worker's
 * local port or NAT connection, a match service (SNAT). Contract of
 * wk_ipvs_in: 1 with *v set, or 0 when not the load balancer's. */
int wk_ipvs_pkt(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct wk_pkt *pk,
		struct wk_verdict *v);

/*
 * The ipvs hook for IPv6 (ipvs6.c), called by the ipv6 stage for every
 * valid unicast IPv6 packet to our MAC, after the extension headers were
 * walked (info: the upper-layer protocol and its offset, whether it is a
 * fragment), before local_in and forwarding. Same contract as wk_ipvs_in.
 */
struct wk_ip6_info;
int wk_ipvs_in6(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p,
		const struct wk_ip6_info *info, struct wk_verdict *v);

/* ipvs6.c: a frame of either family that passed its input checks already
 * (one a peer redirected to us): wk_ipvs_in or, the IPv6 extension headers
 * walked again, wk_ipvs_in6. */
int wk_ipvs_in_frame(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, struct wk_verdict *v);

/*
 * Pick a dest for a new connection of service slot svc: returns a dest slot,
 * or DPVS_DEST_NONE when no dest is available (weight 0, over its upper
 * threshold, or none at all). Reads the active config set (ctx->cfg); rr and
 * wrr keep their cursor in dpvs_wr_sched(ctx->wr)[svc], lc and wlc read this
 * worker's dest counter rows, mh and conhash the service's table of the pool.
 */
uint32_t wk_sched_pick(struct wk_ctx *ctx, uint16_t svc, const struct wk_pkt *pk);

/* Is dest slot d of service svc available for a new connection on this
 * worker (weight > 0, under its upper threshold)? */
int wk_dest_available(const struct wk_ctx *ctx, uint32_t d);

#endif
