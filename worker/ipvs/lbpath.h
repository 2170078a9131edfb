/*
 * The load balancer's packet path after dp_vs_in decided (issue 3): the
 * forwarding modes (xmit.h), match services (svc_match.c), the route
 * lookup in the active set's rte_lpm (route.c), the next hop's MAC with ARP and the hold queue (neigh_out.c),
 * the redirect rings between workers (redirect.c), ICMP errors about a
 * connection (icmp_err.c), and the RFC 1624 checksum helpers they share.
 *
 * Everything here runs on the owning worker only, on its own region, stats
 * row and connection table; no allocation (but the ARP request's mbuf), no
 * lock, no logging per packet.
 */
#ifndef DPVS_WORKER_LBPATH_H
#define DPVS_WORKER_LBPATH_H

#include <stdint.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "shm/conn.h"
#include "worker/ipvs/lb.h"
#include "worker/l2/neigh.h"
#include "worker/l3/l3.h"
#include "worker/worker.h"

/* Fold a 32-bit one's complement sum to 16 bits. */
static inline uint16_t
wk_csum_fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for one 16-bit word. All values
 * as stored in the header (any byte order, the same for all). */
static inline uint16_t
wk_csum_update16(uint16_t hc, uint16_t old, uint16_t new_)
{
	return (uint16_t)~wk_csum_fold((uint32_t)(uint16_t)~hc + (uint16_t)~old + new_);
}

/* The same for a 32-bit field (an IPv4 address as stored). */
static inline uint16_t
wk_csum_update32(uint16_t hc, uint32_t old, uint32_t new_)
{
	uint32_t s = (uint16_t)~hc;

	s += (~old & 0xffff) + (~old >> 16);
	s += (new_ & 0xffff) + (new_ >> 16);
	return (uint16_t)~wk_csum_fold(s);
}

/* One's complement sum of n 16-bit words at p (any alignment), as stored. */
static inline uint32_t
wk_csum_words(const void *p, unsigned int n)
{
	const uint8_t *b = p;
	uint32_t s = 0;
	uint16_t w;

	while (n-- > 0) {
		memcpy(&w, b, sizeof(w));
		s += w;
		b += 2;
	}
	return s;
}

/*
 * RFC 1624 eqn. 3 for a TCP/UDP checksum hc whose pseudo-header addresses go
 * from os, od (olen bytes each: 4 for IPv4, 16 for IPv6) to ns, nd (nlen
 * bytes each) and whose ports go from ops[2] to nps[2] (as stored). The
 * length and protocol words of the IPv4 and IPv6 pseudo-headers sum alike
 * (RFC 8200 8.1: a 32-bit length whose high word is 0, three zero bytes and
 * the next header), so this serves a translation between families as well.
 */
static inline uint16_t
wk_csum_update_l4(uint16_t hc, const void *os, const void *od, unsigned int olen,
		  const void *ns, const void *nd, unsigned int nlen, const uint16_t ops[2],
		  const uint16_t nps[2])
{
	uint32_t old = wk_csum_words(os, olen / 2) + wk_csum_words(od, olen / 2) +
		       wk_csum_words(ops, 2);
	uint32_t s = (uint16_t)~hc;

	/* adding the complement of the folded old sum subtracts it */
	s += (uint16_t)~wk_csum_fold(old);
	s += wk_csum_fold(wk_csum_words(ns, nlen / 2) + wk_csum_words(nd, nlen / 2) +
			  wk_csum_words(nps, 2));
	return (uint16_t)~wk_csum_fold(s);
}

/* xmit.c: rewrite the ports of the TCP/UDP header at l4 (l4_avail bytes of
 * it present) to sport, dport and update its checksum for that and for its
 * pseudo-header's addresses going from os, od (olen bytes) to ns, nd (nlen
 * bytes), any families. A UDP checksum of 0 stays 0 (the caller of a
 * translation to IPv6 computes one); a result of 0 is stored as 0xffff. */
void wk_l4_rewrite(void *l4, uint8_t proto, uint32_t l4_avail, const void *os, const void *od,
		   unsigned int olen, const void *ns, const void *nd, unsigned int nlen,
		   uint16_t sport, uint16_t dport);

/* xmit.c: rewrite the addresses and ports of an IPv4 TCP/UDP header
 * pair in place, updating both checksums incrementally (a UDP checksum of 0
 * stays 0). l4 points at the TCP/UDP header, whose first l4_avail bytes are
 * present (the checksum is skipped when it is not among them). */
void wk_fnat_rewrite(struct rte_ipv4_hdr *ip, void *l4, uint8_t proto, uint32_t l4_avail,
		     uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport);

/* xmit.c: clamp the MSS option of a TCP SYN (header at th, hlen bytes)
 * to mss (host order), fixing the checksum; returns 1 if it changed. */
int wk_tcp_mss_clamp(struct rte_tcp_hdr *th, uint32_t hlen, uint16_t mss);

/* route.c: wk_route_v4's lookup in the set's lpm, which remembers the route
 * it finds in ctx->rt_memo. */
int wk_route_v4_lookup(struct wk_ctx *ctx, uint32_t dst_be, uint16_t *port, uint32_t *nh_be);

/* The route to dst (network order) in the active config set: 0 with the
 * port index and the next hop (dst itself on a connected route), or -1 when
 * there is none. Per packet: the last route found is remembered for its
 * config set (version and copy: a route, its interface and the lpm change
 * only with a new set), so that a flow's packets (and every flow to the
 * same destination) skip the lpm. wk_route_v4_st: the same with the
 * set's wk_set_stamp computed by the caller (stamp). */
static inline int
wk_route_v4_st(struct wk_ctx *ctx, uint64_t stamp, uint32_t dst_be, uint16_t *port,
	       uint32_t *nh_be)
{
	if (ctx->rt_memo.dst == dst_be && ctx->rt_memo.set == stamp) {
		*port = ctx->rt_memo.port;
		*nh_be = ctx->rt_memo.nh;
		return 0;
	}
	return wk_route_v4_lookup(ctx, dst_be, port, nh_be);
}

static inline int
wk_route_v4(struct wk_ctx *ctx, uint32_t dst_be, uint16_t *port, uint32_t *nh_be)
{
	return wk_route_v4_st(ctx, wk_set_stamp(ctx->cfg), dst_be, port, nh_be);
}

/* The route to dst of either family: 0 with the port index and the next
 * hop (dst itself on a connected route), or -1. */
static inline int
wk_route_ip(struct wk_ctx *ctx, const struct dpvs_ip *dst, uint16_t *port,
	    struct dpvs_ip *nh)
{
	uint32_t d, n;

	if (dst->family == DPVS_AF_INET6)
		return wk_route_v6(ctx, dst->bytes, port, nh);
	memcpy(&d, dst->bytes, sizeof(d));
	if (wk_route_v4(ctx, d, port, &n) != 0)
		return -1;
	wk_ip_from_v4(nh, n);
	return 0;
}

/* route.c: send the IPv4 packet in m (Ethernet header at 0, IP at 14) to
 * its destination: route, then wk_ip_output_via (MTU: fragment, or ICMP
 * fragmentation needed when DF is set; then neighbour; worker/l3/l3.h).
 * Returns the verdict of m. */
struct wk_verdict wk_ip_output(struct wk_ctx *ctx, struct rte_mbuf *m);

/* neigh_out.c: fill m's Ethernet header (MACs, and the ethertype of nh's
 * family) for next hop nh (IPv4 or IPv6) on port and return TX, or return
 * HOLD (ctx->hold_nh set) when the MAC is unknown (ARP / ND asked), or DROP.
 * No MTU check: that is wk_ip_output_via's (worker/l3/l3.h). */
struct wk_verdict wk_neigh_output(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t port,
				  const struct dpvs_ip *nh);
/* neigh_out.c: carry out a HOLD verdict: queue m for ctx->hold_nh on port,
 * sending the first ARP request; m is gone afterwards. 0 when held, -1 when
 * dropped (freed, reason counted). */
int wk_neigh_hold(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t port);
/* neigh_out.c: a neighbour was learned: send what was held for it. */
void wk_neigh_resolved(struct wk_ctx *ctx, uint16_t port, const struct dpvs_ip *ip,
		       const uint8_t mac[DPVS_ETHER_LEN]);
/* neigh_out.c: resend due ARP requests, give up on silent next hops
 * (bounded; called from the loop). Returns the number of packets dropped. */
unsigned int wk_neigh_hold_tick(struct wk_ctx *ctx);
/* neigh_out.c: free everything in the hold queue (a dead predecessor's, or
 * at the end of a run). Returns the number of mbufs freed. */
unsigned int wk_neigh_hold_recover(struct wk_ctx *ctx);

/* redirect.c: put m on dpvs_redir_<me>_<owner>; m is gone afterwards.
 * 0, or -1 when the ring was full (freed, counted). */
int wk_redirect_send(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t owner);
/* redirect.c: run the ipvs path on what the peers redirected to us. */
unsigned int wk_redirect_drain(struct wk_ctx *ctx);

/* icmp_err.c: an ICMP packet to us: if it is an error about one of our
 * connections, translate and relay it (returns 1, *v set); else 0. */
int wk_icmp_err_in(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, struct wk_verdict *v);

/* icmp6_err.c: an ICMPv6 packet to our MAC (walked into info): if it is an
 * error about one of our connections, translate and relay it (returns 1,
 * *v set); else 0. */
int wk_icmp6_err_in(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p,
		    const struct wk_ip6_info *info, struct wk_verdict *v);

/* icmp_xlat.c: an ICMP error (m: outer IPv4 or IPv6 at 14, the ICMP header
 * at icmp_off, the embedded IP header at emb_off, its L4 header at
 * emb_l4_off, bytes of m up to end) about connection c, which crosses
 * families, found in direction dir of the embedded packet's reply:
 * rebuilt in the other family and sent to the other side (xlat.h), or
 * dropped (xlat_icmp_dropped) when it has no counterpart. */
struct wk_verdict wk_icmp_xlat(struct wk_ctx *ctx, struct rte_mbuf *m, uint32_t icmp_off,
			       uint32_t emb_l4_off, uint32_t end, const struct dpvs_conn *c,
			       int dir);

/* svc_match.c: the slot of the first match service (SNAT) that takes the
 * forwarded packet pk received on port index p, or DPVS_SLOT_NONE. ports
 * 0: pk's ports are unknown (a fragment), any port range fits. */
uint16_t wk_svc_match(struct wk_ctx *ctx, uint16_t p, const struct wk_pkt *pk, int ports);

/* ipvs.c: is ip one of the local addresses of a service of protocol proto?
 * (One probe of the address index dpvs-ctl derives, shm/lb_hash.h.) */
int wk_ipvs_is_laddr(const struct dpvs_config_set *cfg, uint8_t proto, const struct dpvs_ip *ip);

/* ipvs.c: the worker whose connection table holds (proto, src:sport ->
 * dst:dport) in either direction, looked up read-only in every peer's
 * table (conn.c wk_conn_peer_has); -1 when none does, when the set has no
 * NAT dest (nothing else needs it), or for a packet that came from a
 * redirect ring. Cost: a hash and one bucket walk per peer. */
int wk_ipvs_peer_owner(struct wk_ctx *ctx, uint8_t proto, const struct dpvs_ip *src,
		       uint16_t sport, const struct dpvs_ip *dst, uint16_t dport);

/* ipvs.c: reap expired connections (bounded work); returns how many. */
unsigned int wk_ipvs_expire(struct wk_ctx *ctx);

#endif
