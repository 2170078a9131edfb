/*
 * local_in for IPv4 [ipv4_local_in]: an ICMP echo request to one of our
 * addresses is turned into the echo reply in place (MACs and addresses
 * swapped, TTL reset, both checksums recomputed) and sent back out of the
 * port it came in on; an ICMP message shorter than its 8-byte header or
 * with a bad checksum is dropped (icmp_bad_header); everything else
 * addressed to us (other protocols, other ICMP types, fragments, sources
 * that are not unicast) goes to the kernel.
 * Writes the packet only.
 */
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "worker/l3/cksum.h"
#include "worker/l3/l3.h"
#include "worker/worker.h"

#define WK_REPLY_TTL 64

static struct wk_verdict
echo_reply(struct rte_mbuf *m, struct rte_ipv4_hdr *ip, uint32_t l3, uint16_t p)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint32_t hlen = rte_ipv4_hdr_len(ip), tot = rte_be_to_cpu_16(ip->total_length);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)((uint8_t *)ip + hlen);
	struct rte_ether_addr mac;
	uint32_t a;
	int32_t cs;

	if (rte_pktmbuf_data_len(m) < l3 + hlen + sizeof(*icmp))
		return wk_kernel(p); /* header split over segments: let the kernel answer */
	if (tot - hlen < sizeof(*icmp) || wk_cksum_mbuf(m, l3 + hlen, tot - hlen) != 0)
		return wk_drop(DPVS_DROP_ICMP_HDR);
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0)
		return wk_kernel(p);

	/* drop any Ethernet padding beyond the IP packet */
	if (rte_pktmbuf_pkt_len(m) > l3 + tot)
		rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - (l3 + tot));
	rte_ether_addr_copy(&eth->dst_addr, &mac);
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&mac, &eth->src_addr);
	a = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	ip->time_to_live = WK_REPLY_TTL;
	wk_ipv4_cksum_set(ip);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	cs = wk_cksum_mbuf(m, l3 + hlen, tot - hlen);
	icmp->icmp_cksum = (uint16_t)cs;
	return wk_tx(p);
}

struct wk_verdict
wk_local_in(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	const uint32_t l3 = sizeof(struct rte_ether_hdr);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l3);

	RTE_SET_USED(ctx);
	if (ip->next_proto_id != IPPROTO_ICMP)
		return wk_kernel(p);
	/* a fragment is the kernel's to reassemble */
	if ((ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0)
		return wk_kernel(p);
	/* truncated: not even an ICMP header (the IP stage checked the lengths) */
	if (rte_be_to_cpu_16(ip->total_length) < rte_ipv4_hdr_len(ip) + sizeof(struct rte_icmp_hdr))
		return wk_drop(DPVS_DROP_ICMP_HDR);
	/* no reply to a source that is not a unicast host: the kernel decides */
	if (ip->src_addr == 0 || ip->src_addr == RTE_BE32(0xffffffff) ||
	    wk_ip4_is_mcast(rte_be_to_cpu_32(ip->src_addr)))
		return wk_kernel(p);
	return echo_reply(m, ip, l3, p);
}
