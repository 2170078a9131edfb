/*
 * The ipvs hook for IPv6 [dp_vs_in for AF_INET6] (see lb.h), called by the
 * ipv6 stage for a valid unicast IPv6 packet to our MAC, its extension
 * headers walked (info). TCP/UDP: parsed into the family-generic struct
 * wk_pkt (the L4 header after the extension headers; a UDP length other
 * than the payload's, udp_bad_len; a UDP checksum of 0, invalid in IPv6
 * (RFC 8200 8.1), udp6_zero_csum), then the same path as IPv4
 * (ipvs.c wk_ipvs_pkt: the connection lookup, the direction check, TCP
 * window tracking, a new connection for a service, a reply for another
 * worker's local port or NAT connection, a match service). As for IPv4, a
 * fragment or a packet whose L4 header cannot be read is dropped when it is
 * for a VIP or local address, or may be of a match service's flow, and goes
 * on otherwise. ICMPv6 errors about a connection: icmp6_err.c. Anything
 * else: 0, the packet goes on to local_in, forwarding or the kernel.
 * Writes what wk_ipvs_pkt writes.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "worker/ipvs/ipvs_priv.h"
#include "worker/ipvs/lb.h"
#include "worker/ipvs/lbpath.h"
#include "worker/ipvs/tcp_hdr.h"
#include "worker/l2/neigh.h"
#include "worker/l3/hdr.h"
#include "worker/l3/l3.h"

/* Fill pk from the IPv6 packet at ip, walked into info. DPVS_DROP_MAX when
 * it is usable, else why not. */
static enum dpvs_drop_reason
ipvs6_parse(const struct rte_mbuf *m, const struct rte_ipv6_hdr *ip,
	    const struct wk_ip6_info *info, struct wk_pkt *pk)
{
	uint32_t contig = rte_pktmbuf_data_len(m) - RTE_ETHER_HDR_LEN, need;
	const struct rte_tcp_hdr *th;
	const uint16_t *ports;

	pk->family = DPVS_AF_INET6;
	pk->proto = info->proto;
	pk->tcp_flags = 0;
	pk->l3_off = RTE_ETHER_HDR_LEN;
	pk->l4_off = (uint16_t)(RTE_ETHER_HDR_LEN + info->l4_off);
	pk->l4_len = info->len - info->l4_off;
	need = pk->proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr);
	if (info->l4_off > info->len || pk->l4_len < need || contig < info->l4_off + need)
		return DPVS_DROP_L4_HDR;
	ports = (const uint16_t *)((const uint8_t *)ip + info->l4_off);
	if (pk->proto == IPPROTO_TCP) {
		th = (const struct rte_tcp_hdr *)ports;
		need = wk_tcp_hdr_len(th);
		if (need < sizeof(*th) || pk->l4_len < need || contig < info->l4_off + need)
			return DPVS_DROP_L4_HDR;
		pk->tcp_flags = th->tcp_flags;
	} else if (rte_be_to_cpu_16(ports[2]) != pk->l4_len) {
		return DPVS_DROP_UDP_LEN;       /* struct rte_udp_hdr.dgram_len */
	} else if (ports[3] == 0) {
		return DPVS_DROP_UDP6_ZERO_CSUM; /* struct rte_udp_hdr.dgram_cksum */
	}
	wk_ip_from_v6(&pk->src, ip->src_addr);
	wk_ip_from_v6(&pk->dst, ip->dst_addr);
	pk->sport = ports[0];
	pk->dport = ports[1];
	return DPVS_DROP_MAX;
}

/* A fragment or an unreadable TCP/UDP packet on port p, not for a VIP or
 * local address: may it belong to a match service's flow (ipvs.c's twin)? */
static int
ipvs6_frag_may_match(struct wk_ctx *ctx, uint16_t p, const struct rte_ipv6_hdr *ip,
		     uint8_t proto, struct wk_pkt *pk)
{
	if (p >= DPVS_MATCH_PORTS || ctx->cfg->lb.match_n[p] == 0 ||
	    wk_addr_is_ours(ctx->cfg, WK_PORT_NONE, &pk->dst))
		return 0;
	pk->family = DPVS_AF_INET6;
	pk->proto = proto;
	wk_ip_from_v6(&pk->src, ip->src_addr);
	pk->sport = pk->dport = 0;
	return wk_svc_match(ctx, p, pk, 0) != DPVS_SLOT_NONE;
}

int
wk_ipvs_in6(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct wk_ip6_info *info,
	    struct wk_verdict *v)
{
	const struct rte_ipv6_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, RTE_ETHER_HDR_LEN);
	enum dpvs_drop_reason why = DPVS_DROP_MAX;
	struct wk_pkt pk;
	int frag;

	if (info->proto == IPPROTO_ICMPV6)
		return wk_icmp6_err_in(ctx, m, p, info, v);
	if (info->proto != IPPROTO_TCP && info->proto != IPPROTO_UDP)
		return 0;
	frag = info->frag != WK_IP6_FRAG_NONE;
	if (frag || (why = ipvs6_parse(m, ip, info, &pk)) != DPVS_DROP_MAX) {
		wk_ip_from_v6(&pk.dst, ip->dst_addr);
		if (!wk_ipvs_is_lb_addr(ctx->cfg, info->proto, &pk.dst, 1) &&
		    !ipvs6_frag_may_match(ctx, p, ip, info->proto, &pk))
			return 0;
		*v = wk_drop(frag ? DPVS_DROP_IP_FRAG : why);
		return 1;
	}
	return wk_ipvs_pkt(ctx, m, p, &pk, v);
}

int
wk_ipvs_in_frame(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, struct wk_verdict *v)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	struct wk_ip6_info info;

	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV6))
		return wk_ipvs_in(ctx, m, p, v);
	if (wk_ipv6_walk(rte_pktmbuf_mtod_offset(m, const uint8_t *, RTE_ETHER_HDR_LEN),
			 rte_pktmbuf_data_len(m) - RTE_ETHER_HDR_LEN, &info) != DPVS_DROP_MAX)
		return 0;
	return wk_ipvs_in6(ctx, m, p, &info, v);
}
