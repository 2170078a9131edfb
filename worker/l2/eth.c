/*
 * The eth stage [netif_rcv_mbuf]: dispatch by ethertype. ARP, IPv4 and IPv6
 * go to their stages; everything else (VLAN included, for now) goes to the
 * kernel. Reads the packet only.
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
