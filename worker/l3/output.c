/*
 * The output path after routing [ipv4_output_fin, ip6_output]: the egress
 * port's MTU (ctx->tx_mtu[port], from root->ports[port].mtu) decides whether
 * an IPv4 packet is sent as it is (wk_ip_output_via, inline in l3.h),
 * fragmented (DF clear: frag.c) or refused with an ICMP fragmentation needed
 * carrying the MTU (DF set: frag_needed; wk_ip_output_big); IPv6 is never
 * fragmented in transit: over the MTU it is refused with an ICMPv6 packet
 * too big (ip6_too_big). Then the neighbour stage (neigh_out.c). Also the
 * verdict of a packet the worker made itself (wk_send_new). Contract:
 * worker/l3/l3.h. Writes the packet and, for what it makes, the tx buffers,
 * hold queue and stats row.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "worker/ipvs/lbpath.h"
#include "worker/l2/neigh.h"
#include "worker/l3/l3.h"

struct wk_verdict
wk_ip_output_big(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t port,
		 const struct dpvs_ip *nh)
{
	const struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	uint32_t mtu = ctx->tx_mtu[port];

	if ((ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG)) != 0) {
		wk_icmp_error(ctx, m, WK_ICMP_DEST_UNREACH, WK_ICMP_FRAG_NEEDED, (uint16_t)mtu);
		return wk_drop(DPVS_DROP_FRAG_NEEDED);
	}
	return wk_ip_fragment(ctx, m, port, nh, mtu);
}

struct wk_verdict
wk_ip6_output_via(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t port,
		  const struct dpvs_ip *nh)
{
	const struct rte_ipv6_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, RTE_ETHER_HDR_LEN);
	uint32_t mtu = wk_if_ok(ctx, port) ? ctx->tx_mtu[port] : UINT32_MAX;

	if (40u + rte_be_to_cpu_16(ip->payload_len) > mtu) {
		wk_icmp6_error(ctx, m, WK_ICMP6_PACKET_TOO_BIG, 0, mtu);
		return wk_drop(DPVS_DROP_IP6_TOO_BIG);
	}
	return wk_neigh_output(ctx, m, port, nh);
}

struct wk_verdict
wk_ip6_output(struct wk_ctx *ctx, struct rte_mbuf *m)
{
	const struct rte_ipv6_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, RTE_ETHER_HDR_LEN);
	struct dpvs_ip nh;
	uint16_t port;

	if (wk_route_v6(ctx, ip->dst_addr, &port, &nh) != 0)
		return wk_drop(DPVS_DROP_NO_ROUTE);
	return wk_ip6_output_via(ctx, m, port, &nh);
}

void
wk_send_new(struct wk_ctx *ctx, struct rte_mbuf *m, struct wk_verdict v)
{
	switch (v.kind) {
	case DPVS_VERDICT_TX:
		if (wk_if_ok(ctx, v.port)) {
			wk_tx_enqueue(ctx, m, v.port); /* counts and frees on failure */
			return;
		}
		break;
	case DPVS_VERDICT_HOLD:
		if (wk_if_ok(ctx, v.port)) {
			wk_neigh_hold(ctx, m, v.port); /* counts and frees on failure */
			return;
		}
		break;
	case DPVS_VERDICT_DROP:
		ctx->st->drop[v.reason < DPVS_DROP_MAX ? v.reason : DPVS_DROP_BAD_PORT]++;
		rte_pktmbuf_free(m);
		return;
	default:
		break;
	}
	ctx->st->drop[DPVS_DROP_BAD_PORT]++;
	rte_pktmbuf_free(m);
}

void
wk_out_memo_fill(struct wk_ctx *ctx, uint64_t stamp, uint32_t dst_be, uint16_t port,
		 uint32_t nh_be)
{
	const uint16_t type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	const struct wk_verdict v = wk_tx(port);
	uint32_t mtu;

	/* wk_if_refresh's version is the stamp less 1: mac[] and tx_mtu[]
	 * of the VLAN interfaces are this set's */
	if (!wk_sn_memo_hit(ctx, stamp, port, nh_be) || ctx->if_version + 1 != stamp ||
	    !wk_if_ok(ctx, port))
		return;
	memcpy(ctx->out_memo.eth, dpvs_lb_sneigh(&ctx->cfg->lb)[ctx->sn_memo.slot].mac,
	       RTE_ETHER_ADDR_LEN);
	memcpy(ctx->out_memo.eth + RTE_ETHER_ADDR_LEN, ctx->mac[port].addr_bytes,
	       RTE_ETHER_ADDR_LEN);
	memcpy(ctx->out_memo.eth + 2 * RTE_ETHER_ADDR_LEN, &type, sizeof(type));
	mtu = port < DPVS_MAX_IFACES ? ctx->tx_mtu[port] : UINT32_MAX;
	ctx->out_memo.end_max = mtu > UINT32_MAX - RTE_ETHER_HDR_LEN ? UINT32_MAX :
								   mtu + RTE_ETHER_HDR_LEN;
	memcpy(&ctx->out_memo.tx, &v, sizeof(v));
	ctx->out_memo.port = port;
	ctx->out_memo.direct = nh_be == dst_be;
	ctx->out_memo.dst = dst_be;
	ctx->out_memo.set = stamp;
}
