/*
 * The eth stage [netif_rcv_mbuf]: dispatch by ethertype. ARP, IPv4 and IPv6
 * go to their stages; everything else (VLAN included, for now) goes to the
 * kernel. A frame longer than the port's MTU plus its Ethernet header (and
 * one VLAN tag) is dropped (rx_over_mtu): nothing could send it or its reply
 * on, until fragmentation exists. Reads the packet only.
 */
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "worker/worker.h"

struct wk_verdict
wk_eth_input(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	const struct rte_ether_hdr *eth;

	if (rte_pktmbuf_data_len(m) < sizeof(*eth))
		return wk_drop(DPVS_DROP_ETH_SHORT);
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (ctx->rx_max_len[p] != 0 && m->pkt_len > ctx->rx_max_len[p] &&
	    (m->pkt_len > ctx->rx_max_len[p] + RTE_VLAN_HLEN ||
	     (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_VLAN) &&
	      eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_QINQ))))
		return wk_drop(DPVS_DROP_RX_OVER_MTU);
	switch (eth->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		return wk_arp_input(ctx, m, p);
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		return wk_ipv4_input(ctx, m, p);
	case RTE_BE16(RTE_ETHER_TYPE_IPV6):
		return wk_ipv6_input(ctx, m, p);
	default:
		return wk_kernel(p);
	}
}
