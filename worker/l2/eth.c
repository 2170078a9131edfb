/*
 * The eth stage [netif_rcv_mbuf]: dispatch by ethertype. ARP, IPv4 and IPv6
 * go to their stages; everything else goes to the kernel. A frame longer
 * than the port's MTU plus its Ethernet header (and one VLAN tag) is dropped
 * (rx_over_mtu): nothing could send it or its reply on, until fragmentation
 * exists.
 *
 * VLAN [vlan_rcv]: a frame tagged (802.1Q) with the id of a VLAN interface
 * of its port (the active config set's vlans[], followed in ctx->if_vid)
 * loses its tag here, as a NIC's VLAN strip would leave it: the MAC
 * addresses move up 4 bytes, m->vlan_tci keeps the id, and every later
 * stage sees a plain Ethernet frame received on the VLAN interface (its
 * index as the port). A priority tag (id 0) is taken off and the frame is
 * the port's. A tag no VLAN interface has goes to the port's kernel
 * interface as it is (event vlan_unknown). Every other frame gets
 * m->vlan_tci 0, so that wk_rx_iface() can tell the interface again later
 * (ARP copies, redirected packets). The tag goes back on in tx.c and kni.c.
 * Writes the packet's first 16 bytes (strip) and m->vlan_tci only.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "worker/worker.h"

/* The VLAN interface of id vid on port p, or WK_PORT_NONE. */
static uint16_t
vlan_iface(const struct wk_ctx *ctx, uint16_t p, uint16_t vid)
{
	uint16_t i;

	for (i = DPVS_IFACE_VLAN0; i < DPVS_MAX_IFACES; i++)
		if (ctx->if_vid[i] == vid && ctx->if_port[i] == p)
			return i;
	return WK_PORT_NONE;
}

uint16_t
wk_rx_iface(const struct wk_ctx *ctx, const struct rte_mbuf *m)
{
	uint16_t p = m->port < RTE_MAX_ETHPORTS ? ctx->port_index[m->port] : WK_PORT_NONE;
	uint16_t vid = m->vlan_tci & 0x0fff;

	if (p == WK_PORT_NONE || vid == 0)
		return p;
	return vlan_iface(ctx, p, vid);
}

/* Take the 802.1Q tag off m (its data holds at least both headers). */
static void
vlan_strip(struct rte_mbuf *m)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);

	memmove(d + RTE_VLAN_HLEN, d, 2 * RTE_ETHER_ADDR_LEN);
	rte_pktmbuf_adj(m, RTE_VLAN_HLEN);
}

/* The interface a tagged frame belongs to (its tag taken off), or
 * WK_PORT_NONE for a tag no VLAN interface of port p has. */
static uint16_t
eth_vlan(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	const struct rte_vlan_hdr *vh;
	uint16_t vid, i;

	vh = rte_pktmbuf_mtod_offset(m, const struct rte_vlan_hdr *, RTE_ETHER_HDR_LEN);
	vid = rte_be_to_cpu_16(vh->vlan_tci) & 0x0fff;
	i = vid == 0 ? p : vlan_iface(ctx, p, vid);
	if (i == WK_PORT_NONE) {
		m->vlan_tci = 0;
		ctx->st->event[DPVS_EVENT_VLAN_UNKNOWN]++;
		return WK_PORT_NONE;
	}
	m->vlan_tci = vid;
	vlan_strip(m);
	return i;
}

struct wk_verdict
wk_eth_input(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	const struct rte_ether_hdr *eth;
	uint16_t port = p;

	if (rte_pktmbuf_data_len(m) < sizeof(*eth))
		return wk_drop(DPVS_DROP_ETH_SHORT);
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (ctx->rx_max_len[p] != 0 && m->pkt_len > ctx->rx_max_len[p] &&
	    (m->pkt_len > ctx->rx_max_len[p] + RTE_VLAN_HLEN ||
	     (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_VLAN) &&
	      eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_QINQ))))
		return wk_drop(DPVS_DROP_RX_OVER_MTU);
	m->vlan_tci = 0;
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN)
			return wk_drop(DPVS_DROP_ETH_SHORT);
		p = eth_vlan(ctx, m, p);
		if (p == WK_PORT_NONE)
			return wk_kernel(port);
		eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	}
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
