/*
 * local_in for IPv6 [ip6_input_finish, icmp6_rcv]: an ICMPv6 echo request to
 * one of our addresses is turned into the echo reply in place (MACs and
 * addresses swapped, hop limit reset, checksum recomputed) and sent back out
 * of the port it came in on; an ICMPv6 message shorter than its header or
 * with a bad checksum is dropped (icmp6_bad_header); neighbour discovery goes
 * to nd.c; everything else addressed to us (other protocols, other ICMPv6
 * types, fragments, echo requests behind extension headers) goes to the
 * kernel. And the checksum over IPv6's pseudo-header. Writes the packet only.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "worker/l3/cksum.h"
#include "worker/l3/l3.h"

#define L2 RTE_ETHER_HDR_LEN
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY   129
#define ICMP6_HDR          8   /* type, code, checksum, id, sequence */
#define REPLY_HOPS         64

/* IPv6 pseudo-header (RFC 8200 8.1), in network order. */
struct ip6_phdr {
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t len;
	uint8_t zero[3];
	uint8_t proto;
};

int32_t
wk_cksum6_mbuf(const struct rte_mbuf *m, const uint8_t src[16], const uint8_t dst[16],
	       uint8_t proto, uint32_t off, uint32_t len)
{
	struct ip6_phdr ph;
	int32_t c = wk_cksum_mbuf(m, off, len);
	uint32_t sum;

	if (c < 0)
		return -1;
	memset(&ph, 0, sizeof(ph));
	memcpy(ph.src, src, 16);
	memcpy(ph.dst, dst, 16);
	ph.len = rte_cpu_to_be_32(len);
	ph.proto = proto;
	/* the data's folded sum is the complement of its checksum */
	sum = __rte_raw_cksum(&ph, sizeof(ph), 0) + (uint16_t)~(uint16_t)c;
	return (uint16_t)~__rte_raw_cksum_reduce(sum);
}

/* Answer the echo request in m (ICMPv6 right after the IPv6 header). */
static struct wk_verdict
echo6_reply(struct rte_mbuf *m, struct rte_ipv6_hdr *ip, const struct wk_ip6_info *info,
	    uint16_t p)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint32_t len = info->len - info->l4_off;
	uint8_t *icmp = (uint8_t *)ip + info->l4_off, a[16];
	struct rte_ether_addr mac;
	uint16_t ck;

	if (info->l4_off != sizeof(*ip) || rte_pktmbuf_data_len(m) < L2 + info->l4_off + 4u)
		return wk_kernel(p); /* behind extension headers, or split: the kernel's */
	if (wk_cksum6_mbuf(m, ip->src_addr, ip->dst_addr, IPPROTO_ICMPV6, L2 + info->l4_off,
			   len) != 0)
		return wk_drop(DPVS_DROP_ICMP6_HDR);
	if (len < ICMP6_HDR || icmp[1] != 0)
		return wk_kernel(p);
	/* drop any Ethernet padding beyond the IPv6 packet */
	if (rte_pktmbuf_pkt_len(m) > L2 + info->len)
		wk_mbuf_trim_to(m, L2 + info->len);
	rte_ether_addr_copy(&eth->dst_addr, &mac);
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&mac, &eth->src_addr);
	memcpy(a, ip->src_addr, 16);
	memcpy(ip->src_addr, ip->dst_addr, 16);
	memcpy(ip->dst_addr, a, 16);
	ip->hop_limits = REPLY_HOPS;
	icmp[0] = ICMP6_ECHO_REPLY;
	icmp[2] = 0;
	icmp[3] = 0;
	ck = (uint16_t)wk_cksum6_mbuf(m, ip->src_addr, ip->dst_addr, IPPROTO_ICMPV6,
				      L2 + info->l4_off, len);
	memcpy(icmp + 2, &ck, sizeof(ck));
	return wk_tx(p);
}

struct wk_verdict
wk_local_in6(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct wk_ip6_info *info)
{
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, L2);
	const uint8_t *t;

	if (info->proto != IPPROTO_ICMPV6 || info->frag != WK_IP6_FRAG_NONE)
		return wk_kernel(p); /* other protocols; fragments: the kernel reassembles */
	if (info->len - info->l4_off < 4)
		return wk_drop(DPVS_DROP_ICMP6_HDR); /* not even a type, code, checksum */
	if (rte_pktmbuf_data_len(m) < L2 + info->l4_off + 1u)
		return wk_kernel(p);
	t = rte_pktmbuf_mtod_offset(m, const uint8_t *, L2 + info->l4_off);
	if (*t >= WK_ND_RS && *t <= WK_ND_REDIRECT)
		return wk_nd_input(ctx, m, p, info);
	if (*t == ICMP6_ECHO_REQUEST)
		return echo6_reply(m, ip, info, p);
	return wk_kernel(p);
}
