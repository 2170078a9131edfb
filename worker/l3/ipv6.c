/*
 * The ipv6 stage [ip6_rcv]: the same checks as ipv4 (destination MAC ours or
 * multicast, else otherhost; version and payload length against the frame,
 * ip6_bad_header; a multicast or loopback source, ip6_bad_src), then the
 * extension headers walked to the upper layer (ip6_bad_ext, ip6_rh0). Then:
 *   neighbour discovery, whatever its destination (nd.c: an advertisement
 *   to the kernel's address may answer its solicitation);
 *   another multicast group: the kernel;
 *   unicast: the PRE_ROUTING hooks (hook.c; the load balancer's is
 *   wk_ipvs_in6), then local_in (icmp6.c: echo answered, ND, the rest
 *   to the kernel) for one of our addresses; a link-local address not ours
 *   is the kernel's; anything else is forwarded (forward.c) when the port's
 *   forwarding switch is on, and goes to the kernel when it is off.
 * Reads the packet; the stages it calls write what they say.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "worker/ipvs/lb.h"
#include "worker/l2/neigh.h"
#include "worker/l3/hdr.h"
#include "worker/l3/hook.h"
#include "worker/l3/l3.h"
#include "worker/worker.h"

#define IP6_HDR_LEN 40
#define NH_HOPOPTS  0
#define NH_ROUTING  43
#define NH_FRAGMENT 44
#define NH_AH       51
#define NH_DSTOPTS  60

enum dpvs_drop_reason
wk_ipv6_check(const struct rte_ipv6_hdr *ip, uint32_t contig, uint32_t avail)
{
	uint32_t plen;

	if (contig < IP6_HDR_LEN || avail < IP6_HDR_LEN)
		return DPVS_DROP_IP6_HDR;
	if ((rte_be_to_cpu_32(ip->vtc_flow) >> 28) != 6)
		return DPVS_DROP_IP6_HDR;
	plen = rte_be_to_cpu_16(ip->payload_len);
	if (plen == 0 && ip->proto == NH_HOPOPTS)
		return DPVS_DROP_IP6_HDR; /* a jumbogram: not on Ethernet */
	if (IP6_HDR_LEN + plen > avail)
		return DPVS_DROP_IP6_HDR;
	return DPVS_DROP_MAX;
}

/* Length of the extension header at h of type nh (its first 2 bytes read). */
static uint32_t
ext_len(uint8_t nh, const uint8_t *h)
{
	if (nh == NH_FRAGMENT)
		return 8;
	if (nh == NH_AH)
		return ((uint32_t)h[1] + 2) * 4;
	return ((uint32_t)h[1] + 1) * 8;
}

static int
is_ext(uint8_t nh)
{
	return nh == NH_HOPOPTS || nh == NH_ROUTING || nh == NH_FRAGMENT || nh == NH_AH ||
	       nh == NH_DSTOPTS;
}

enum dpvs_drop_reason
wk_ipv6_walk(const uint8_t *ip6, uint32_t contig, struct wk_ip6_info *info)
{
	const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)ip6;
	uint32_t off = IP6_HDR_LEN, n, hl;
	uint8_t nh = ip->proto;
	const uint8_t *h;

	info->len = IP6_HDR_LEN + rte_be_to_cpu_16(ip->payload_len);
	info->frag = WK_IP6_FRAG_NONE;
	for (n = 0; is_ext(nh); n++) {
		if (n == WK_IP6_MAX_EXT || (nh == NH_HOPOPTS && off != IP6_HDR_LEN) ||
		    off + 8 > info->len)
			return DPVS_DROP_IP6_EXT;
		if (off + 8 > contig)
			break; /* not in the first segment: somebody else's to read */
		h = ip6 + off;
		hl = ext_len(nh, h);
		if (off + hl > info->len)
			return DPVS_DROP_IP6_EXT;
		if (nh == NH_ROUTING && h[2] == 0 && h[3] != 0)
			return DPVS_DROP_IP6_RH0;
		if (nh == NH_FRAGMENT) {
			uint16_t fo = (uint16_t)(h[2] << 8 | h[3]);

			if ((fo & 0xfff8) != 0) {
				info->frag = WK_IP6_FRAG_LATER;
				info->proto = h[0];
				info->l4_off = (uint16_t)(off + hl);
				return DPVS_DROP_MAX;
			}
			info->frag = WK_IP6_FRAG_FIRST;
		}
		nh = h[0];
		off += hl;
	}
	info->proto = is_ext(nh) ? WK_IP6_PROTO_UNKNOWN : nh;
	info->l4_off = (uint16_t)off;
	return DPVS_DROP_MAX;
}

/* A source no packet may carry: multicast, or the loopback address ::1. */
static int
ip6_src_bad(const uint8_t *a)
{
	static const uint8_t zero[15];

	return a[0] == 0xff || (memcmp(a, zero, 15) == 0 && a[15] == 1);
}

/* An ND message (router solicitation .. redirect) without a fragment? */
static int
ip6_is_nd(const struct rte_mbuf *m, const struct wk_ip6_info *info)
{
	const uint8_t *t;

	if (info->proto != IPPROTO_ICMPV6 || info->frag != WK_IP6_FRAG_NONE ||
	    info->l4_off + 1u > info->len ||
	    RTE_ETHER_HDR_LEN + info->l4_off + 1u > rte_pktmbuf_data_len(m))
		return 0;
	t = rte_pktmbuf_mtod_offset(m, const uint8_t *, RTE_ETHER_HDR_LEN + info->l4_off);
	return *t >= WK_ND_RS && *t <= WK_ND_REDIRECT;
}

struct wk_verdict
wk_ipv6_input(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	const uint32_t l2 = RTE_ETHER_HDR_LEN;
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv6_hdr *ip;
	struct wk_ip6_info info;
	enum dpvs_drop_reason why;
	struct wk_verdict v;
	struct dpvs_ip dst;
	int host;

	host = rte_is_same_ether_addr(&eth->dst_addr, &ctx->mac[p]);
	if (!host && !rte_is_multicast_ether_addr(&eth->dst_addr))
		return wk_drop(DPVS_DROP_OTHERHOST);
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, l2);
	why = wk_ipv6_check(ip, rte_pktmbuf_data_len(m) - l2, rte_pktmbuf_pkt_len(m) - l2);
	if (why != DPVS_DROP_MAX)
		return wk_drop(why);
	if (ip6_src_bad(ip->src_addr))
		return wk_drop(DPVS_DROP_IP6_SRC);
	why = wk_ipv6_walk((const uint8_t *)ip, rte_pktmbuf_data_len(m) - l2, &info);
	if (why != DPVS_DROP_MAX)
		return wk_drop(why);
	/* neighbour discovery: on this link, whoever it is addressed to (an
	 * advertisement may answer the kernel's solicitation) */
	if (ip6_is_nd(m, &info))
		return wk_nd_input(ctx, m, p, &info);
	if (ip->dst_addr[0] == 0xff)
		return wk_kernel(p); /* another multicast group: the kernel's */
	if (!host)
		return wk_kernel(p); /* unicast IPv6 in a multicast frame */
	if (wk_ip6_is_unspec(ip->src_addr))
		return wk_drop(DPVS_DROP_IP6_SRC); /* :: only in DAD, to a multicast */
	{
		const struct wk_hook_pkt hp = { .port = p, .family = DPVS_AF_INET6, .ip6 = &info };

		if (wk_prerouting(ctx, m, &hp, &v) != 0)
			return v; /* PRE_ROUTING: a hook dropped or took it */
	}
	wk_ip_from_v6(&dst, ip->dst_addr);
	if (wk_addr_is_ours(ctx->cfg, WK_PORT_NONE, &dst))
		return wk_local_in6(ctx, m, p, &info);
	if (wk_ip6_is_linklocal(ip->dst_addr) ||
	    (ctx->cfg->port_flags[p] & DPVS_PORT_CFG_FORWARD) == 0)
		return wk_kernel(p);
	return wk_ipv6_forward(ctx, m, p, &info);
}
