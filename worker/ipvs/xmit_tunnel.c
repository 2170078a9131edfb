/*
 * IP tunnelling, LVS's ipip [dp_vs_xmit_tunnel]: a client's packet is
 * carried unchanged inside an outer IPv4 header (protocol 4, IPIP) to the
 * real server, which decapsulates it (an ipip device) and, holding the VIP,
 * answers the client directly: no reply passes the node.
 *
 * The outer header, as LVS makes it: source a node address on the port
 * toward the real server (the one whose network holds the next hop, else
 * the port's first), destination the real server, TOS, TTL and DF copied
 * from the inner header, an id from this worker's counter, its checksum.
 * The inner packet is not touched (no TTL decrement, as in LVS).
 *
 * MTU: when inner + 20 bytes exceed the outgoing port's MTU and the inner
 * packet has DF set, it is answered in place with an ICMP "fragmentation
 * needed" to the client (from the VIP, MTU = the port's MTU - 20), counted
 * as tunnel_too_big; the client's TCP lowers its segment size. With DF
 * clear the outer packet (DF clear too) goes to the output path
 * (wk_ip_output_via), which fragments it to the egress MTU: the real
 * server reassembles the outer packet before it decapsulates. An ICMP
 * error passed to the real server (icmp_err.c) gets no error of its own
 * (the output path's is suppressed: its outer source is ours).
 *
 * IPv6 (an IPv6 VIP, IPv6 real servers): IPv6-in-IPv6 (RFC 2473; next
 * header 41), as LVS's ip_vs_tunnel_xmit_v6: the outer source a node IPv6
 * address on the port toward the real server (wk_addr_v6_source: the one
 * whose network holds the next hop, else a global one), its traffic class,
 * flow label and hop limit copied from the inner header (the flow label
 * too, so that routers hashing the outer header keep a flow on one path;
 * RFC 6438), no extension headers. IPv6 is never fragmented here: an inner
 * packet whose outer one would pass the MTU is answered in place with an
 * ICMPv6 packet too big from the VIP to the client, MTU = the port's MTU -
 * 40 (at least 1280: a port toward IPv6 tunnel servers needs an MTU of
 * 1320 or more, else the 1280-byte packets of a client cannot pass),
 * counted as tunnel_too_big (verdict tx).
 * Writes the packet (and its headroom) only; reads the connection and the
 * config set.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "worker/ipvs/lbpath.h"
#include "worker/ipvs/xmit.h"
#include "worker/l2/neigh.h"
#include "worker/l3/cksum.h"

#define WK_IPIP_HLEN      20
#define WK_ICMP_UNREACH   3
#define WK_ICMP_FRAG      4   /* code: fragmentation needed and DF set */
#define WK_ICMP_HLEN      8
#define WK_ICMP_QUOTE_L4  8   /* bytes of the offending packet's payload quoted */
#define WK_ICMP_TTL       64
#define WK_IP6IP6_HLEN    40
#define WK_ICMP6_HLEN     8
#define WK_IP6_MIN_MTU    1280

/* A node address on port p for packets to next hop nh (network order): one
 * whose network holds nh, else the port's first IPv4 address, else 0. */
static uint32_t
tunnel_source(const struct wk_ctx *ctx, uint16_t p, uint32_t nh)
{
	const struct dpvs_config_set *cfg = ctx->cfg;
	uint32_t i, a, first = 0, mask, n = RTE_MIN(cfg->naddrs, cfg->lb.caps.addrs);
	const struct dpvs_addr_entry *e;

	for (i = 0; i < n; i++) {
		e = &dpvs_cfg_addrs(cfg)[i];
		if (e->addr.family != DPVS_AF_INET || e->port != p)
			continue;
		memcpy(&a, e->addr.bytes, sizeof(a));
		if (first == 0)
			first = a;
		mask = e->prefixlen == 0 ? 0 :
					   rte_cpu_to_be_32(~0u << (32 - RTE_MIN(e->prefixlen, 32)));
		if (e->prefixlen < 32 && ((a ^ nh) & mask) == 0)
			return a;
	}
	return first;
}

/* Turn m, whose IPv4 packet (at pk->l3_off) is too big for a path of mtu
 * bytes, into the ICMP error that says so, to its source, and send it. */
static struct wk_verdict
tunnel_frag_needed(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
		   uint16_t mtu)
{
	const struct rte_ipv4_hdr *in =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, pk->l3_off);
	uint32_t quote = (uint32_t)(pk->l4_off - pk->l3_off) + WK_ICMP_QUOTE_L4;
	uint32_t src = in->dst_addr, dst = in->src_addr;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	uint16_t mtu_be = rte_cpu_to_be_16(mtu);
	char *p;

	/* what stays: Ethernet header, the offending IP header, 8 bytes of
	 * its payload; in front of the IP header go ours and ICMP's */
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - (pk->l3_off + quote));
	p = rte_pktmbuf_prepend(m, sizeof(*ip) + WK_ICMP_HLEN);
	if (p == NULL)
		return wk_drop(DPVS_DROP_NO_HEADROOM);
	ip = (struct rte_ipv4_hdr *)(p + RTE_ETHER_HDR_LEN);
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	memset(ip, 0, sizeof(*ip) + WK_ICMP_HLEN);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + WK_ICMP_HLEN + quote));
	ip->packet_id = rte_cpu_to_be_16(ctx->ip_id++);
	ip->time_to_live = WK_ICMP_TTL;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = src;
	ip->dst_addr = dst;
	wk_ipv4_cksum_set(ip);
	icmp->icmp_type = WK_ICMP_UNREACH;
	icmp->icmp_code = WK_ICMP_FRAG;
	memcpy((uint8_t *)icmp + 6, &mtu_be, sizeof(mtu_be)); /* next-hop MTU */
	icmp->icmp_cksum = (uint16_t)wk_cksum_mbuf(m, RTE_ETHER_HDR_LEN + sizeof(*ip),
						   WK_ICMP_HLEN + quote);
	ctx->st->drop[DPVS_DROP_TUNNEL_TOO_BIG]++;
	return wk_ip_output(ctx, m);
}

struct wk_verdict
wk_tunnel_in4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	      const struct dpvs_conn *c)
{
	const struct rte_ipv4_hdr *in =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, pk->l3_off);
	uint32_t daddr, nh, saddr, len = (uint32_t)(pk->l4_off - pk->l3_off) + pk->l4_len;
	struct rte_ipv4_hdr *out;
	struct dpvs_ip nhip;
	uint32_t mtu;
	uint16_t port;
	char *p;

	daddr = dpvs_conn_a4(c, DPVS_CONN_A_D);
	if (wk_route_v4(ctx, daddr, &port, &nh) != 0)
		return wk_drop(DPVS_DROP_NO_ROUTE);
	saddr = tunnel_source(ctx, port, nh);
	if (saddr == 0)
		return wk_drop(DPVS_DROP_TUNNEL_NO_SOURCE);
	mtu = port < DPVS_MAX_IFACES ? ctx->tx_mtu[port] : UINT32_MAX;
	if (mtu != UINT32_MAX && len + WK_IPIP_HLEN > mtu && pk->proto != IPPROTO_ICMP &&
	    (in->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG)) != 0)
		return tunnel_frag_needed(ctx, m, pk, (uint16_t)(mtu - WK_IPIP_HLEN));
	wk_xmit_trim(m, pk);
	p = rte_pktmbuf_prepend(m, WK_IPIP_HLEN);
	if (p == NULL)
		return wk_drop(DPVS_DROP_NO_HEADROOM);
	/* the inner header stays where it was; ours goes before it, and the
	 * neighbour stage writes a new Ethernet header before ours */
	in = (const struct rte_ipv4_hdr *)(p + pk->l3_off + WK_IPIP_HLEN);
	out = (struct rte_ipv4_hdr *)(p + pk->l3_off);
	out->version_ihl = RTE_IPV4_VHL_DEF;
	out->type_of_service = in->type_of_service;
	out->total_length = rte_cpu_to_be_16((uint16_t)(len + WK_IPIP_HLEN));
	out->packet_id = rte_cpu_to_be_16(ctx->ip_id++);
	out->fragment_offset = in->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	out->time_to_live = in->time_to_live;
	out->next_proto_id = IPPROTO_IPIP;
	out->src_addr = saddr;
	out->dst_addr = daddr;
	wk_ipv4_cksum_set(out);
	wk_ip_from_v4(&nhip, nh);
	return wk_ip_output_via(ctx, m, port, &nhip); /* fragmented if DF clear and too big */
}

/* Turn m, whose IPv6 packet (at pk->l3_off) is too big for a path of mtu
 * bytes, into the ICMPv6 packet too big that says so, from its destination
 * (the VIP) to its source, quoting what fits 1280 bytes; send it. */
static struct wk_verdict
tunnel_too_big6(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk, uint32_t mtu)
{
	const struct rte_ipv6_hdr *in =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, pk->l3_off);
	uint32_t len = (uint32_t)(pk->l4_off - pk->l3_off) + pk->l4_len;
	uint32_t quote = RTE_MIN(len, (uint32_t)(WK_IP6_MIN_MTU - WK_IP6IP6_HLEN - WK_ICMP6_HLEN));
	uint32_t mtu_be = rte_cpu_to_be_32(mtu);
	uint8_t src[16], dst[16], *icmp;
	struct rte_ipv6_hdr *ip;
	uint16_t ck;
	char *p;

	memcpy(src, in->dst_addr, 16);
	memcpy(dst, in->src_addr, 16);
	if (rte_pktmbuf_pkt_len(m) > pk->l3_off + quote)
		wk_mbuf_trim_to(m, pk->l3_off + quote);
	p = rte_pktmbuf_prepend(m, WK_IP6IP6_HLEN + WK_ICMP6_HLEN);
	if (p == NULL)
		return wk_drop(DPVS_DROP_NO_HEADROOM);
	ip = (struct rte_ipv6_hdr *)(p + RTE_ETHER_HDR_LEN);
	icmp = (uint8_t *)(ip + 1);
	memset(ip, 0, WK_IP6IP6_HLEN + WK_ICMP6_HLEN);
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16((uint16_t)(WK_ICMP6_HLEN + quote));
	ip->proto = IPPROTO_ICMPV6;
	ip->hop_limits = WK_ICMP_TTL;
	memcpy(ip->src_addr, src, 16);
	memcpy(ip->dst_addr, dst, 16);
	icmp[0] = WK_ICMP6_PACKET_TOO_BIG;
	memcpy(icmp + 4, &mtu_be, sizeof(mtu_be));
	ck = (uint16_t)wk_cksum6_mbuf(m, src, dst, IPPROTO_ICMPV6,
				      RTE_ETHER_HDR_LEN + WK_IP6IP6_HLEN, WK_ICMP6_HLEN + quote);
	memcpy(icmp + 2, &ck, sizeof(ck));
	ctx->st->drop[DPVS_DROP_TUNNEL_TOO_BIG]++;
	return wk_ip6_output(ctx, m);
}

struct wk_verdict
wk_tunnel_in6(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	      const struct dpvs_conn *c)
{
	const struct rte_ipv6_hdr *in =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, pk->l3_off);
	uint32_t len = (uint32_t)(pk->l4_off - pk->l3_off) + pk->l4_len, mtu, vtc;
	struct rte_ipv6_hdr *out;
	struct dpvs_ip nh;
	uint8_t saddr[16], hlim;
	uint16_t port;
	char *p;

	if (wk_route_v6(ctx, dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_D), &port, &nh) != 0)
		return wk_drop(DPVS_DROP_NO_ROUTE);
	if (wk_addr_v6_source(ctx->cfg, port, nh.bytes, saddr) != 0)
		return wk_drop(DPVS_DROP_TUNNEL_NO_SOURCE);
	mtu = port < DPVS_MAX_IFACES ? ctx->tx_mtu[port] : UINT32_MAX;
	if (mtu != UINT32_MAX && len + WK_IP6IP6_HLEN > mtu && pk->proto != IPPROTO_ICMPV6)
		return tunnel_too_big6(ctx, m, pk,
				       RTE_MAX(mtu - WK_IP6IP6_HLEN, (uint32_t)WK_IP6_MIN_MTU));
	vtc = in->vtc_flow;          /* version, traffic class, flow label */
	hlim = in->hop_limits;
	wk_xmit_trim(m, pk);
	p = rte_pktmbuf_prepend(m, WK_IP6IP6_HLEN);
	if (p == NULL)
		return wk_drop(DPVS_DROP_NO_HEADROOM);
	/* the inner packet stays where it was; ours goes before it */
	out = (struct rte_ipv6_hdr *)(p + pk->l3_off);
	out->vtc_flow = vtc;
	out->payload_len = rte_cpu_to_be_16((uint16_t)len);
	out->proto = IPPROTO_IPV6;
	out->hop_limits = hlim;
	memcpy(out->src_addr, saddr, 16);
	memcpy(out->dst_addr, dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_D), 16);
	return wk_ip6_output_via(ctx, m, port, &nh);
}
