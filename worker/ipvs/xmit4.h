/*
 * The IPv4 rewrite and send of the address-rewriting modes and of direct
 * routing, inline (xmit.c says what they do): the one copy that wk_xmit's
 * per-packet cases (xmit.c) and the established-connection sequence of the
 * ipv4 stage (fast4.h) run. Takes the headers where the caller found them
 * (the IPv4 header at offset 14, the TCP/UDP header after it); writes the
 * packet only; reads the connection's addresses as the caller gives them,
 * the config set and the output memos.
 */
#ifndef DPVS_WORKER_XMIT4_H
#define DPVS_WORKER_XMIT4_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_debug.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "worker/ipvs/lbpath.h"
#include "worker/ipvs/tcp_hdr.h"
#include "worker/ipvs/xmit.h"
#include "worker/l3/l3.h"
#include "worker/worker.h"

#define WK_IPV4_TCP_HDRS 40 /* IPv4 + TCP headers without options */

/* The end-around-carry sum of the 64-bit d's 16-bit halves, folded by
 * rotation: the high half of s + (s rotated by half its width) is the
 * end-around-carry sum of its halves, so two rotate-adds fold 64 bits to
 * 16 (the same value as folding half by half): 0 only for d == 0, else d
 * mod 0xffff in 1..0xffff. */
static __rte_always_inline uint16_t
wk_csum_fold64(uint64_t d)
{
	uint64_t s = d;
	uint32_t r;

	s += (s >> 32) | (s << 32);
	r = (uint32_t)(s >> 32);
	r += (r >> 16) | (r << 16);
	return (uint16_t)(r >> 16);
}

/* RFC 1624 eqn. 3 for every changed word at once: d is the sum of the
 * complements of the old words and of the new words (32-bit words count as
 * their two halves: the sum mod 0xffff is the same), added to ~hc in 64
 * bits and folded. */
static __rte_always_inline uint16_t
wk_csum_apply(uint16_t hc, uint64_t d)
{
	return (uint16_t)~wk_csum_fold64((uint64_t)(uint16_t)~hc + d);
}

/* wk_csum_apply(hc, d) for a d already folded (f = wk_csum_fold64(d)), with
 * the same value: ~hc + f is 0 exactly when ~hc + d is (f is 0 only for d
 * == 0), else both fold to the one number in 1..0xffff they are congruent
 * to mod 0xffff. ~hc + f is at most 0x1fffe: one end-around carry, and
 * its low 16 bits are the fold. */
static __rte_always_inline uint16_t
wk_csum_apply16(uint16_t hc, uint16_t f)
{
	uint32_t s = (uint32_t)(uint16_t)~hc + f;

	s += s >> 16;
	return (uint16_t)~s;
}

/* The change of the IPv4 header's TTL/protocol word, as stored, when the TTL
 * (at least 2) goes down by one: ~old + new, a constant (old - 1 in the
 * TTL's byte). */
#define WK_CSUM_TTL_DEC ((uint64_t)(uint16_t)~rte_cpu_to_be_16(0x0100))

/* wk_fnat_rewrite (lbpath.h), with ip_d more for the IP header checksum
 * alone (the TTL's word). A 32-bit word's complement ~x is 0xffffffff - x
 * exactly: d, the addresses' change, is taken as one subtraction from
 * twice that. The ports are written once, after their checksum. */
static __rte_always_inline void
wk_fnat_rewrite_d(struct rte_ipv4_hdr *ip, void *l4, uint8_t proto, uint32_t l4_avail,
		  uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport, uint64_t ip_d)
{
	uint8_t *ports = l4, *ck = NULL;
	uint16_t c, ov;
	const uint16_t nv[2] = { sport, dport };
	uint64_t d = 2 * 0xffffffffull - ip->src_addr - ip->dst_addr + saddr + daddr;
	uint32_t op, np;

	memcpy(&np, nv, sizeof(np)); /* both ports as one word, as stored */
	ip->hdr_checksum = wk_csum_apply(ip->hdr_checksum, d + ip_d);
	ip->src_addr = saddr;
	ip->dst_addr = daddr;
	/* the L4 header is usually 16-bit aligned, but not once the headers
	 * were moved back by an odd length to make room for a PROXY v1
	 * header (proxy_proto.c): the checksum through memcpy (one load and
	 * one store on x86 all the same) */
	if (proto == IPPROTO_UDP && l4_avail >= 8) {
		ck = ports + offsetof(struct rte_udp_hdr, dgram_cksum);
		memcpy(&ov, ck, sizeof(ov));
		if (ov == 0) /* no checksum: stays so */
			ck = NULL;
	} else if (proto == IPPROTO_TCP && l4_avail >= 18) {
		ck = ports + offsetof(struct rte_tcp_hdr, cksum);
		memcpy(&ov, ck, sizeof(ov));
	}
	if (ck != NULL) {
		memcpy(&op, ports, sizeof(op));
		c = wk_csum_apply(ov, d + 0xffffffffull - op + np);
		if (proto == IPPROTO_UDP && c == 0)
			c = 0xffff; /* 0 would mean "no checksum" */
		memcpy(ck, &c, sizeof(c));
	}
	memcpy(ports, &np, sizeof(np));
}

_Static_assert(offsetof(struct wk_nat4_pre, da) == offsetof(struct wk_nat4_pre, sa) + 4 &&
		       offsetof(struct wk_nat4_pre, dp) == offsetof(struct wk_nat4_pre, sp) + 2 &&
		       offsetof(struct rte_ipv4_hdr, dst_addr) ==
			       offsetof(struct rte_ipv4_hdr, src_addr) + 4,
	       "wk_nat4_pre: addresses and ports laid out as a frame's");

/* The rewrite that wk_fnat_rewrite_d with WK_CSUM_TTL_DEC gives the IPv4
 * packet ip (its L4 header's first 4 bytes, the ports, at l4) of a
 * tuple, into pr: the new tuple t and the two checksums' changes folded
 * (wk_csum_fold64). Any packet with the same addresses and ports takes it
 * (wk_fnat_rewrite_pre). */
static __rte_always_inline void
wk_nat4_pre_fill(struct wk_nat4_pre *pr, const struct rte_ipv4_hdr *ip, const void *l4,
		 struct wk_nat4 t)
{
	const uint16_t nv[2] = { t.sp, t.dp };
	uint64_t d = 2 * 0xffffffffull - ip->src_addr - ip->dst_addr + t.sa + t.da;
	uint32_t op, np;

	memcpy(&op, l4, sizeof(op));
	memcpy(&np, nv, sizeof(np));
	pr->sa = t.sa;
	pr->da = t.da;
	pr->sp = t.sp;
	pr->dp = t.dp;
	pr->ip_d = wk_csum_fold64(d + WK_CSUM_TTL_DEC);
	pr->l4_d = wk_csum_fold64(d + 0xffffffffull - op + np);
}

/* wk_fnat_rewrite_d(ip, l4, proto, l4_avail, ..., WK_CSUM_TTL_DEC) by
 * pr, which wk_nat4_pre_fill worked out for ip's addresses and l4's
 * ports: the same bytes (wk_csum_apply16). The whole UDP or TCP header
 * is there (l4_avail at least 8, or 18): the caller's to make sure. */
static __rte_always_inline void
wk_fnat_rewrite_pre(struct rte_ipv4_hdr *ip, void *l4, uint8_t proto,
		    const struct wk_nat4_pre *pr)
{
	uint8_t *ck = (uint8_t *)l4 + (proto == IPPROTO_UDP ?
					       offsetof(struct rte_udp_hdr, dgram_cksum) :
					       offsetof(struct rte_tcp_hdr, cksum));
	uint16_t c;

	ip->hdr_checksum = wk_csum_apply16(ip->hdr_checksum, pr->ip_d);
	memcpy(&ip->src_addr, &pr->sa, 8);
	memcpy(&c, ck, sizeof(c));
	if (proto != IPPROTO_UDP || c != 0) { /* UDP without a checksum: stays so */
		c = wk_csum_apply16(c, pr->l4_d);
		if (proto == IPPROTO_UDP && c == 0)
			c = 0xffff; /* 0 would mean "no checksum" */
		memcpy(ck, &c, sizeof(c));
	}
	memcpy(l4, &pr->sp, 4);
}

/* wk_tcp_mss_clamp (lbpath.h) of a SYN whose first option is its MSS, as
 * every common stack sends it, already at or under mss: nothing to do,
 * without the call and the options' walk. Any other SYN: the walk. */
static __rte_always_inline void
wk_tcp_mss_clamp_inl(struct rte_tcp_hdr *th, uint32_t hlen, uint16_t mss)
{
	const uint8_t *o = (const uint8_t *)(th + 1);
	uint16_t v;

	if (likely(hlen >= sizeof(*th) + 4 && o[0] == 2 && o[1] == 4)) {
		memcpy(&v, o + 2, sizeof(v));
		if (rte_be_to_cpu_16(v) <= mss)
			return;
	}
	(void)wk_tcp_mss_clamp(th, hlen, mss);
}

/* Trim what follows the IP packet that ends at byte tot of the frame
 * (Ethernet padding). */
static __rte_always_inline void
wk_xmit_trim_to(struct rte_mbuf *m, uint32_t tot)
{
	if (rte_pktmbuf_pkt_len(m) > tot)
		rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - tot);
}

/* xmit.c: wk_xmit4_dr and wk_xmit4_rewrite when the output memo
 * (ctx->out_memo, l3.h) does not hold their destination or the packet is
 * over its MTU: route, next hop and MTU checks, neighbour, as each says;
 * then the memo filled when the way out was a static neighbour. stamp:
 * the set's wk_set_stamp. */
struct wk_verdict wk_xmit4_dr_slow(struct wk_ctx *ctx, struct rte_mbuf *m, uint32_t tot,
				   uint32_t daddr, uint64_t stamp);
struct wk_verdict wk_xmit4_rewrite_slow(struct wk_ctx *ctx, struct rte_mbuf *m,
					struct rte_ipv4_hdr *ip, uint32_t l4_off, uint8_t proto,
					uint8_t tcp_flags, uint32_t l4_len, uint32_t saddr,
					uint16_t sport, uint32_t daddr, uint16_t dport,
					uint64_t stamp);

/* Direct routing of the IPv4 packet in m (xmit_dr.c says what it does) to
 * the real server daddr; tot: where the IP packet ends in the frame;
 * stamp: the set's wk_set_stamp. The output memo's destination, on a
 * connected route, the packet within its MTU: trimmed and framed at once;
 * anything else by wk_xmit4_dr_slow. */
static __rte_always_inline struct wk_verdict
wk_xmit4_dr(struct wk_ctx *ctx, struct rte_mbuf *m, uint32_t tot, uint32_t daddr,
	    const uint64_t stamp)
{
	/* tot is where the IP packet ends: its total length plus 14 */
	if (likely(wk_out_memo_hit(ctx, stamp, daddr)) && likely(ctx->out_memo.direct) &&
	    likely(tot <= ctx->out_memo.end_max)) {
		wk_xmit_trim_to(m, tot);
		wk_out_memo_eth(ctx, rte_pktmbuf_mtod(m, void *));
		return wk_out_memo_tx(ctx);
	}
	return wk_xmit4_dr_slow(ctx, m, tot, daddr, stamp);
}

/* The rewrite of wk_xmit4_rewrite once its route (out of port) and MTU
 * are checked: TTL, addresses, ports and checksums, the trim, and a TCP
 * SYN's MSS clamped to port's MTU. */
static __rte_always_inline void
wk_xmit4_nat_body(struct wk_ctx *ctx, struct rte_mbuf *m, struct rte_ipv4_hdr *ip, void *l4,
		  uint32_t l4_off, uint8_t proto, uint8_t tcp_flags, uint32_t l4_len,
		  uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport, uint16_t port)
{
	uint16_t mtu;

	/* TTL and protocol share a 16-bit word of the header: its change goes
	 * into the IP checksum with the addresses' */
	ip->time_to_live--;
	wk_fnat_rewrite_d(ip, l4, proto, l4_len, saddr, sport, daddr, dport, WK_CSUM_TTL_DEC);
	wk_xmit_trim_to(m, l4_off + l4_len);
	if (proto == IPPROTO_TCP && (tcp_flags & RTE_TCP_SYN_FLAG) != 0) {
		/* port is an interface (a VLAN's past the ports): its port's
		 * MTU, as wk_xmit_mss (xmit.c) takes it */
		mtu = port < DPVS_MAX_IFACES ? ctx->root->ports[ctx->if_port[port]].mtu : 0;
		if (mtu > WK_IPV4_TCP_HDRS)
			wk_tcp_mss_clamp_inl(l4,
					     wk_tcp_hdr_len((const struct rte_tcp_hdr *)l4),
					     (uint16_t)(mtu - WK_IPV4_TCP_HDRS));
	}
}

/* wk_xmit_rewrite4 (xmit.h) of the IPv4 packet in m whose header is ip
 * (offset 14) and whose TCP/UDP header is at l4_off (l4_len bytes to the
 * end of the IP packet; tcp_flags, TCP only); stamp: the set's
 * wk_set_stamp. The output memo's destination, the packet within its MTU:
 * rewritten and framed at once (the route, the MTU test and the neighbour
 * all known); anything else by wk_xmit4_rewrite_slow. */
static __rte_always_inline struct wk_verdict
wk_xmit4_rewrite(struct wk_ctx *ctx, struct rte_mbuf *m, struct rte_ipv4_hdr *ip,
		 uint32_t l4_off, uint8_t proto, uint8_t tcp_flags, uint32_t l4_len,
		 uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport,
		 const uint64_t stamp)
{
	if (unlikely(ip->time_to_live <= 1))
		return wk_drop(DPVS_DROP_TTL_EXPIRED);
	/* l4_off + l4_len: where the IP packet ends (its total length plus
	 * 14), as the trim takes it */
	if (likely(wk_out_memo_hit(ctx, stamp, daddr)) &&
	    likely(l4_off + l4_len <= ctx->out_memo.end_max)) {
		/* the frame's headers from ip, which is at offset 14 */
		wk_xmit4_nat_body(ctx, m, ip, (uint8_t *)ip + (l4_off - RTE_ETHER_HDR_LEN), l4_off,
				  proto, tcp_flags, l4_len, saddr, sport, daddr, dport,
				  ctx->out_memo.port);
		wk_out_memo_eth(ctx, (uint8_t *)ip - RTE_ETHER_HDR_LEN);
		return wk_out_memo_tx(ctx);
	}
	return wk_xmit4_rewrite_slow(ctx, m, ip, l4_off, proto, tcp_flags, l4_len, saddr, sport,
				     daddr, dport, stamp);
}

/* wk_xmit4_rewrite of the IPv4 packet ip at offset 14, its TCP/UDP
 * header right after it (l4_len bytes to the end of the IP packet, all of
 * the header's; tcp_flags: TCP's, without SYN, so no MSS clamp), to the
 * rewrite pr that wk_nat4_pre_fill worked out for the packet's addresses
 * and ports: the same checks, bytes and verdict. */
static __rte_always_inline struct wk_verdict
wk_xmit4_rewrite_pre(struct wk_ctx *ctx, struct rte_mbuf *m, struct rte_ipv4_hdr *ip,
		     uint32_t l4_len, uint8_t proto, uint8_t tcp_flags,
		     const struct wk_nat4_pre *pr, const uint64_t stamp)
{
	const uint32_t l4_off = RTE_ETHER_HDR_LEN + sizeof(*ip);

	RTE_ASSERT(proto == IPPROTO_UDP || (tcp_flags & RTE_TCP_SYN_FLAG) == 0);
	if (unlikely(ip->time_to_live <= 1))
		return wk_drop(DPVS_DROP_TTL_EXPIRED);
	if (likely(wk_out_memo_hit(ctx, stamp, pr->da)) &&
	    likely(l4_off + l4_len <= ctx->out_memo.end_max)) {
		ip->time_to_live--;
		wk_fnat_rewrite_pre(ip, ip + 1, proto, pr);
		wk_xmit_trim_to(m, l4_off + l4_len);
		wk_out_memo_eth(ctx, (uint8_t *)ip - RTE_ETHER_HDR_LEN);
		return wk_out_memo_tx(ctx);
	}
	return wk_xmit4_rewrite_slow(ctx, m, ip, l4_off, proto, tcp_flags, l4_len, pr->sa,
				     pr->sp, pr->da, pr->dp, stamp);
}

/* Does wk_xmit send the IPv4 packets of connection c by wk_xmit4_nat_conn
 * (full-NAT or NAT, no IPv6 endpoint)? */
static __rte_always_inline int
wk_xmit4_nat_ok(const struct dpvs_conn *c)
{
	return likely(!dpvs_conn_is_v6(c)) &&
	       (c->fwd_mode == DPVS_FWD_FNAT || c->fwd_mode == DPVS_FWD_NAT);
}

/* wk_xmit's case of such a connection c: its IPv4 packet pk of protocol
 * proto (pk->proto; a constant where the caller knows it) in direction dir
 * rewritten to wk_nat4_tuple's and sent. The one copy, inline in wk_xmit
 * and in the new connection's way (ipvs_new.c conn_xmit_new). */
static __rte_always_inline struct wk_verdict
wk_xmit4_nat_conn(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
		  const struct dpvs_conn *c, int dir, const uint8_t proto)
{
	const struct wk_nat4 t = wk_nat4_tuple(c, dir);

	return wk_xmit4_rewrite(ctx, m,
				rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, pk->l3_off),
				pk->l4_off, proto, pk->tcp_flags, pk->l4_len, t.sa, t.sp, t.da,
				t.dp, wk_set_stamp(ctx->cfg));
}

#endif
