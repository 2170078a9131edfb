/*
 * The forwarding modes' table and dispatch (xmit.h) [ip_vs_xmit], and what
 * the address-rewriting modes share: the incremental IPv4, IPv6 and TCP/UDP
 * rewrite (RFC 1624; a UDP checksum of 0 stays 0 over IPv4, and never
 * reaches here over IPv6), the MSS clamp of a SYN, and the send of a
 * rewritten packet (TTL or hop limit, route, MTU, padding, then the output
 * path: fragmentation, neighbour; worker/l3/l3.h). IPv6 is never
 * fragmented: over the egress MTU, a packet too big to its sender about the
 * packet as it came, before the rewrite.
 * Writes the packet only; reads the connection and the config set.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "worker/ipvs/lbpath.h"
#include "worker/ipvs/tcp_hdr.h"
#include "worker/ipvs/xmit.h"
#include "worker/ipvs/xmit4.h"
#include "worker/l2/neigh.h"

#define WK_TCPOPT_EOL 0
#define WK_TCPOPT_NOP 1
#define WK_TCPOPT_MSS 2

#define WK_IPV6_TCP_HDRS 60 /* IPv6 + TCP headers without options */

const struct wk_xmit_mode wk_xmit_modes[DPVS_FWD_MAX] = {
	[DPVS_FWD_FNAT] = { .in = { wk_fnat_in4, wk_fnat_in6 },
			    .out = { wk_fnat_out4, wk_fnat_out6 } },
	[DPVS_FWD_NAT] = { .in = { wk_nat_in4, wk_nat_in6 }, .out = { wk_nat_out4, wk_nat_out6 } },
	[DPVS_FWD_DR] = { .in = { wk_dr_in4, wk_dr_in6 }, .oneway = 1 },
	[DPVS_FWD_TUNNEL] = { .in = { wk_tunnel_in4, wk_tunnel_in6 }, .oneway = 1 },
	[DPVS_FWD_SNAT] = { .in = { wk_snat_in4, wk_snat_in6 },
			    .out = { wk_snat_out4, wk_snat_out6 } },
};

/* A mode's function for one family and direction, called directly: the
 * table above stays the description (oneway, and what tests look at), but
 * the per-packet dispatch is a switch, not a function pointer. */
#define XMIT_CALL(in_fn, out_fn)                                                   \
	return dir == DPVS_DIR_OUT ? out_fn(ctx, m, pk, c) : in_fn(ctx, m, pk, c)
#define XMIT_IN_ONLY(in_fn)                                                        \
	return dir == DPVS_DIR_OUT ? wk_drop(DPVS_DROP_FWD_MODE) : in_fn(ctx, m, pk, c)

static struct wk_verdict
xmit_v4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	const struct dpvs_conn *c, int dir)
{
	switch (c->fwd_mode) {
	case DPVS_FWD_FNAT:
		XMIT_CALL(wk_fnat_in4, wk_fnat_out4);
	case DPVS_FWD_NAT:
		XMIT_CALL(wk_nat_in4, wk_nat_out4);
	case DPVS_FWD_DR:
		XMIT_IN_ONLY(wk_dr_in4);
	case DPVS_FWD_TUNNEL:
		XMIT_IN_ONLY(wk_tunnel_in4);
	case DPVS_FWD_SNAT:
		XMIT_CALL(wk_snat_in4, wk_snat_out4);
	default:
		return wk_drop(DPVS_DROP_FWD_MODE);
	}
}

static struct wk_verdict
xmit_v6(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	const struct dpvs_conn *c, int dir)
{
	switch (c->fwd_mode) {
	case DPVS_FWD_FNAT:
		XMIT_CALL(wk_fnat_in6, wk_fnat_out6);
	case DPVS_FWD_NAT:
		XMIT_CALL(wk_nat_in6, wk_nat_out6);
	case DPVS_FWD_DR:
		XMIT_IN_ONLY(wk_dr_in6);
	case DPVS_FWD_TUNNEL:
		XMIT_IN_ONLY(wk_tunnel_in6);
	case DPVS_FWD_SNAT:
		XMIT_CALL(wk_snat_in6, wk_snat_out6);
	default:
		return wk_drop(DPVS_DROP_FWD_MODE);
	}
}

void
wk_fnat_rewrite(struct rte_ipv4_hdr *ip, void *l4, uint8_t proto, uint32_t l4_avail,
		uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport)
{
	wk_fnat_rewrite_d(ip, l4, proto, l4_avail, saddr, sport, daddr, dport, 0);
}

int
wk_tcp_mss_clamp(struct rte_tcp_hdr *th, uint32_t hlen, uint16_t mss)
{
	uint8_t *o = (uint8_t *)(th + 1), *end = (uint8_t *)th + hlen;
	uint16_t old, new_;

	while (o < end) {
		if (*o == WK_TCPOPT_EOL)
			return 0;
		if (*o == WK_TCPOPT_NOP) {
			o++;
			continue;
		}
		if (o + 2 > end || o[1] < 2 || o + o[1] > end)
			return 0;
		if (o[0] == WK_TCPOPT_MSS && o[1] == 4) {
			memcpy(&old, o + 2, sizeof(old));
			if (rte_be_to_cpu_16(old) <= mss)
				return 0;
			new_ = rte_cpu_to_be_16(mss);
			memcpy(o + 2, &new_, sizeof(new_));
			/* the option may sit at an odd offset: update as bytes
			 * aligned to the header's 16-bit words */
			if (((o + 2 - (uint8_t *)th) & 1) == 0) {
				th->cksum = wk_csum_update16(th->cksum, old, new_);
			} else {
				uint8_t ob[4] = { o[1], ((uint8_t *)&old)[0], ((uint8_t *)&old)[1],
						  o[4] };
				uint8_t nb[4] = { o[1], o[2], o[3], o[4] };
				uint32_t ow, nw;

				memcpy(&ow, ob, 4);
				memcpy(&nw, nb, 4);
				th->cksum = wk_csum_update32(th->cksum, ow, nw);
			}
			return 1;
		}
		o += o[1];
	}
	return 0;
}

void
wk_xmit_trim(struct rte_mbuf *m, const struct wk_pkt *pk)
{
	wk_xmit_trim_to(m, (uint32_t)pk->l4_off + pk->l4_len);
}

struct wk_verdict
wk_xmit4_dr_slow(struct wk_ctx *ctx, struct rte_mbuf *m, uint32_t tot, uint32_t daddr,
		 uint64_t stamp)
{
	struct wk_verdict v;
	uint32_t nh;
	uint16_t port;

	if (wk_route_v4_st(ctx, stamp, daddr, &port, &nh) != 0)
		return wk_drop(DPVS_DROP_NO_ROUTE);
	if (nh != daddr)
		return wk_drop(DPVS_DROP_DR_NOT_CONNECTED);
	wk_xmit_trim_to(m, tot);
	v = wk_ip_output_v4_st(ctx, stamp, m, port, daddr);
	if (v.kind == DPVS_VERDICT_TX)
		wk_out_memo_fill(ctx, stamp, daddr, port, nh);
	return v;
}

struct wk_verdict
wk_xmit4_rewrite_slow(struct wk_ctx *ctx, struct rte_mbuf *m, struct rte_ipv4_hdr *ip,
		      uint32_t l4_off, uint8_t proto, uint8_t tcp_flags, uint32_t l4_len,
		      uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport,
		      uint64_t stamp)
{
	struct wk_verdict v;
	uint16_t port;
	uint32_t nh;
	int fits;

	if (unlikely(wk_route_v4_st(ctx, stamp, daddr, &port, &nh) != 0))
		return wk_drop(DPVS_DROP_NO_ROUTE);
	/* too big with DF: the error quotes the packet as its sender made it,
	 * before the rewrite (LVS and DPVS check there too), so that the
	 * sender can match it to its socket; DF clear: fragmented after the
	 * rewrite by the output path (its length does not change here) */
	fits = port >= DPVS_MAX_IFACES || rte_be_to_cpu_16(ip->total_length) <= ctx->tx_mtu[port];
	if (unlikely(!fits) && (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG)) != 0) {
		wk_icmp_error(ctx, m, WK_ICMP_DEST_UNREACH, WK_ICMP_FRAG_NEEDED,
			      (uint16_t)ctx->tx_mtu[port]);
		return wk_drop(DPVS_DROP_FRAG_NEEDED);
	}
	wk_xmit4_nat_body(ctx, m, ip, rte_pktmbuf_mtod_offset(m, void *, l4_off), l4_off, proto,
			  tcp_flags, l4_len, saddr, sport, daddr, dport, port);
	/* wk_ip_output_v4: the remembered neighbour, or MTU (DF clear) and
	 * neighbour */
	if (likely(fits) && wk_sn_memo_hit(ctx, stamp, port, nh))
		v = wk_sn_memo_out(ctx, m, port);
	else
		v = wk_ip_output_v4_st(ctx, stamp, m, port, nh);
	if (v.kind == DPVS_VERDICT_TX)
		wk_out_memo_fill(ctx, stamp, daddr, port, nh);
	return v;
}

struct wk_verdict
wk_dr_in4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	  const struct dpvs_conn *c)
{
	return wk_xmit4_dr(ctx, m, (uint32_t)pk->l4_off + pk->l4_len,
			   dpvs_conn_a4(c, DPVS_CONN_A_D), wk_set_stamp(ctx->cfg));
}

/* wk_xmit4_rewrite (xmit4.h) of pk: inline into wk_xmit_rewrite4. */
static __rte_always_inline struct wk_verdict
xmit_rewrite4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk, uint32_t saddr,
	      uint16_t sport, uint32_t daddr, uint16_t dport)
{
	return wk_xmit4_rewrite(ctx, m,
				rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, pk->l3_off),
				pk->l4_off, pk->proto, pk->tcp_flags, pk->l4_len, saddr, sport,
				daddr, dport, wk_set_stamp(ctx->cfg));
}

struct wk_verdict
wk_xmit_rewrite4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
		 uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport)
{
	return xmit_rewrite4(ctx, m, pk, saddr, sport, daddr, dport);
}

struct wk_verdict
wk_xmit(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	const struct dpvs_conn *c, int dir)
{
	if (pk->family == DPVS_AF_INET6)
		return xmit_v6(ctx, m, pk, c, dir);
	/* full-NAT and NAT of a connection without an IPv6 endpoint, the
	 * usual case, without the mode's call (wk_nat4_tuple: what the
	 * modes' IPv4 functions give) */
	if (wk_xmit4_nat_ok(c))
		return wk_xmit4_nat_conn(ctx, m, pk, c, dir, pk->proto);
	if (likely(!dpvs_conn_is_v6(c)) && c->fwd_mode == DPVS_FWD_DR && dir == DPVS_DIR_IN)
		return wk_xmit4_dr(ctx, m, (uint32_t)pk->l4_off + pk->l4_len,
				   dpvs_conn_a4(c, DPVS_CONN_A_D), wk_set_stamp(ctx->cfg));
	return xmit_v4(ctx, m, pk, c, dir);
}

void
wk_l4_rewrite(void *l4, uint8_t proto, uint32_t l4_avail, const void *os, const void *od,
	      unsigned int olen, const void *ns, const void *nd, unsigned int nlen,
	      uint16_t sport, uint16_t dport)
{
	uint16_t *ports = l4, *ck = NULL, np[2] = { sport, dport }, c;

	/* the L4 header is 16-bit aligned in the frame: index it as words */
	if (proto == IPPROTO_TCP && l4_avail >= 18)
		ck = &ports[8];  /* struct rte_tcp_hdr.cksum */
	else if (proto == IPPROTO_UDP && l4_avail >= 8 && ports[3] != 0)
		ck = &ports[3];  /* struct rte_udp_hdr.dgram_cksum */
	if (ck != NULL) {
		c = wk_csum_update_l4(*ck, os, od, olen, ns, nd, nlen, ports, np);
		if (proto == IPPROTO_UDP && c == 0)
			c = 0xffff; /* 0 would mean "no checksum" */
		*ck = c;
	}
	ports[0] = sport;
	ports[1] = dport;
}

void
wk_rewrite6(struct rte_ipv6_hdr *ip, void *l4, uint8_t proto, uint32_t l4_avail,
	    const uint8_t saddr[16], uint16_t sport, const uint8_t daddr[16], uint16_t dport)
{
	wk_l4_rewrite(l4, proto, l4_avail, ip->src_addr, ip->dst_addr, 16, saddr, daddr, 16, sport,
		      dport);
	memmove(ip->src_addr, saddr, 16);
	memmove(ip->dst_addr, daddr, 16);
}

void
wk_xmit_mss(struct wk_ctx *ctx, void *l4, const struct wk_pkt *pk, uint16_t port,
	    unsigned int hdrs)
{
	struct rte_tcp_hdr *th = l4;
	uint16_t mtu;

	if (pk->proto != IPPROTO_TCP || (pk->tcp_flags & RTE_TCP_SYN_FLAG) == 0 ||
	    !wk_if_ok(ctx, port))
		return;
	mtu = ctx->root->ports[ctx->if_port[port]].mtu;
	if (mtu > hdrs)
		wk_tcp_mss_clamp(th, wk_tcp_hdr_len(th), (uint16_t)(mtu - hdrs));
}

struct wk_verdict
wk_xmit_rewrite6(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
		 const uint8_t saddr[16], uint16_t sport, const uint8_t daddr[16], uint16_t dport)
{
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, pk->l3_off);
	void *l4 = rte_pktmbuf_mtod_offset(m, void *, pk->l4_off);
	uint32_t len = (uint32_t)(pk->l4_off - pk->l3_off) + pk->l4_len;
	struct dpvs_ip nh;
	uint16_t port;

	if (ip->hop_limits <= 1)
		return wk_drop(DPVS_DROP_TTL_EXPIRED);
	if (wk_route_v6(ctx, daddr, &port, &nh) != 0)
		return wk_drop(DPVS_DROP_NO_ROUTE);
	/* IPv6 is not fragmented on the way: too big, the sender hears it
	 * about its packet as it made it (before the rewrite), as IPv4's DF */
	if (port < DPVS_MAX_IFACES && len > ctx->tx_mtu[port]) {
		wk_icmp6_error(ctx, m, WK_ICMP6_PACKET_TOO_BIG, 0, ctx->tx_mtu[port]);
		return wk_drop(DPVS_DROP_IP6_TOO_BIG);
	}
	ip->hop_limits--;
	wk_rewrite6(ip, l4, pk->proto, pk->l4_len, saddr, sport, daddr, dport);
	wk_xmit_trim(m, pk);
	wk_xmit_mss(ctx, l4, pk, port, WK_IPV6_TCP_HDRS);
	return wk_ip6_output_via(ctx, m, port, &nh);
}
