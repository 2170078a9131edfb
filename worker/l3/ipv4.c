/*
 * The ipv4 stage [ipv4_rcv]: drop frames whose destination MAC is neither
 * the port's nor broadcast/multicast (otherhost), drop bad headers and bad
 * header checksums, give unicast frames to the PRE_ROUTING hooks (hook.c:
 * the load balancer's dp_vs_in, the SYN proxy inside it), then deliver what
 * it leaves for one of our addresses (the active config set) to local_in; a unicast frame to a unicast address that
 * is not ours is forwarded (forward.c) when the port's forwarding switch is
 * on; everything else goes to the kernel. Reads the packet; the stages it
 * calls write what they say (lb.h, l3.h). Also the pipeline's entry,
 * wk_ipv4_fast: the common frame (untagged IPv4 TCP/UDP to our MAC, IHL 5,
 * not a fragment) checked and parsed in one pass, with the same verdict
 * and counters as the way through eth.c, this stage and the ipvs parse;
 * the packet of an established connection goes from its parse to its
 * rewritten frame in one inline sequence (worker/ipvs/fast4.h).
 */
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "worker/l3/cksum.h"
#include "worker/l3/hdr.h"
#include "worker/l3/hook.h"
#include "worker/l3/l3.h"
#include "worker/ipvs/fast4.h"
#include "worker/ipvs/lb.h"
#include "worker/l2/neigh.h"
#include "worker/worker.h"

/* wk_ipv4_check (hdr.h), inline for the per-packet stage below. */
static inline enum dpvs_drop_reason
ipv4_check(const struct rte_ipv4_hdr *ip, uint32_t contig, uint32_t avail)
{
	uint32_t hlen, tot;

	if (contig < sizeof(*ip) || avail < sizeof(*ip))
		return DPVS_DROP_IP_HDR;
	if ((ip->version_ihl >> 4) != 4)
		return DPVS_DROP_IP_HDR;
	hlen = (uint32_t)(ip->version_ihl & 0x0f) * 4;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (hlen < sizeof(*ip) || hlen > contig || tot < hlen || tot > avail)
		return DPVS_DROP_IP_HDR;
	if (!wk_ipv4_cksum_ok_fast(ip))
		return DPVS_DROP_IP_CSUM;
	return DPVS_DROP_MAX;
}

enum dpvs_drop_reason
wk_ipv4_check(const struct rte_ipv4_hdr *ip, uint32_t contig, uint32_t avail)
{
	return ipv4_check(ip, contig, avail);
}

/* The rest of the stage for a frame to our MAC that every PRE_ROUTING hook
 * accepted: local_in, forwarding, or the kernel. */
static struct wk_verdict
ipv4_host_fin(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct rte_ipv4_hdr *ip)
{
	if (wk_addr_v4_is_ours(ctx->cfg, WK_PORT_NONE, ip->dst_addr))
		return wk_local_in(ctx, m, p);
	if ((ctx->cfg->port_flags[p] & DPVS_PORT_CFG_FORWARD) != 0 &&
	    !RTE_IS_IPV4_MCAST(rte_be_to_cpu_32(ip->dst_addr)) &&
	    ip->dst_addr != RTE_BE32(0xffffffff))
		return wk_ipv4_forward(ctx, m, p);
	return wk_kernel(p);
}

struct wk_verdict
wk_ipv4_input(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	const uint32_t l2 = sizeof(struct rte_ether_hdr);
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip;
	enum dpvs_drop_reason why;
	struct wk_verdict v;
	int host;

	host = rte_is_same_ether_addr(&eth->dst_addr, &ctx->mac[p]);
	if (!host && !rte_is_multicast_ether_addr(&eth->dst_addr))
		return wk_drop(DPVS_DROP_OTHERHOST); /* broadcast is multicast too */
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, l2);
	why = ipv4_check(ip, rte_pktmbuf_data_len(m) - l2, rte_pktmbuf_pkt_len(m) - l2);
	if (why != DPVS_DROP_MAX)
		return wk_drop(why);
	if (!host)
		return wk_kernel(p);
	{
		const struct wk_hook_pkt hp = { .port = p, .family = DPVS_AF_INET };

		if (wk_prerouting(ctx, m, &hp, &v) != 0)
			return v; /* PRE_ROUTING: a hook dropped or took it */
	}
	return ipv4_host_fin(ctx, m, p, ip);
}

/* The PRE_ROUTING hooks for the packet wk_ipv4_fast parsed (ip, l4_len,
 * tcp_flags: the TCP/UDP packet it checked): while the load balancer is
 * the only hook (DPVS_HOOKS; test_ctl_acl holds the table to that list),
 * its IPv4 fast part inline (wk_ipvs_fast4: an established connection's
 * packet to its rewritten frame without a call; anything else on to
 * wk_ipvs_pkt's general part) and its drop counted in the hook's counter,
 * as wk_prerouting_pkt's walk of the table would; else that walk with a
 * wk_pkt. */
static __rte_always_inline int
ipv4_prerouting_fast(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, struct rte_ipv4_hdr *ip,
		     uint32_t l4_len, uint8_t tcp_flags, uint64_t hint, struct wk_verdict *v)
{
	const uint16_t *ports = (const uint16_t *)(ip + 1);
	struct wk_pkt pk;

	if (DPVS_HOOK_MAX == 1) {
		if (wk_ipvs_fast4(ctx, m, p, ip, l4_len, tcp_flags, hint, v) == 0)
			return 0;
		if (v->kind == DPVS_VERDICT_DROP)
			ctx->st->hook_drop[DPVS_HOOK_IPVS]++;
		return 1;
	}
	ctx->fast_memo.proto = 0;
	wk_fast4_pkt(&pk, ip, ports, tcp_flags, l4_len);
	return wk_prerouting_pkt(ctx, m, p, &pk, v);
}

/* A frame that wk_ipv4_fast_hint leaves to the general way, which may
 * change the connection index: the sequence's memo is forgotten first
 * (fast4.h). */
static inline struct wk_verdict
ipv4_general(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	ctx->fast_memo.proto = 0;
	return wk_eth_input(ctx, m, p);
}

/*
 * The pipeline's entry (wk_pipeline): the common frame in one pass. An
 * untagged IPv4 frame to the port's MAC, no longer than the port takes,
 * IHL 5, not a fragment, TCP or UDP with its whole header in the first
 * segment, every check of the eth and ipv4 stages and of the ipvs parse
 * passed (lengths, header checksum, a UDP length field equal to the
 * payload's): parsed here, once, and given to the PRE_ROUTING hooks
 * (ipv4_prerouting_fast: the load balancer looks its connection up from
 * the header as it is, worker/ipvs/fast4.h, skipping its own parse), then
 * local_in, forwarding or the kernel as wk_ipv4_input does. Anything else, before anything is
 * written, goes the general way (wk_eth_input), which counts what is
 * wrong with it. The same verdicts, counters and frame as that way. hint:
 * the tuple's hash when the burst's prefetch stage computed it (worker.h).
 */
struct wk_verdict
wk_ipv4_fast_hint(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, uint64_t hint)
{
	const uint32_t l2 = sizeof(struct rte_ether_hdr), l3 = sizeof(struct rte_ipv4_hdr);
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(uintptr_t)(eth + 1);
	const uint16_t *ports = (const uint16_t *)(ip + 1);
	uint32_t contig = rte_pktmbuf_data_len(m), tot, need, l4_len;
	uint8_t tcp_flags = 0;
	struct wk_verdict v;

	if (unlikely(contig < l2 + l3 + 8) ||
	    eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) || ip->version_ihl != 0x45 ||
	    (ip->next_proto_id != IPPROTO_UDP && ip->next_proto_id != IPPROTO_TCP) ||
	    (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0 ||
	    /* longer than the port takes (0: not checked; pkt_len > 0) */
	    m->pkt_len - 1 > ctx->rx_max_len[p] - 1u ||
	    !rte_is_same_ether_addr(&eth->dst_addr, &ctx->mac[p]))
		return ipv4_general(ctx, m, p);
	tot = rte_be_to_cpu_16(ip->total_length);
	contig -= l2 + l3;
	if (tot < l3 || tot > m->pkt_len - l2 || !wk_ipv4_cksum_ok_fast(ip))
		return ipv4_general(ctx, m, p);
	l4_len = tot - l3;
	if (ip->next_proto_id == IPPROTO_TCP) {
		const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)ports;

		if (l4_len < sizeof(*th) || contig < sizeof(*th))
			return ipv4_general(ctx, m, p);
		need = (uint32_t)(th->data_off >> 4) * 4;
		if (need < sizeof(*th) || l4_len < need || contig < need)
			return ipv4_general(ctx, m, p);
		tcp_flags = th->tcp_flags;
	} else if (l4_len < sizeof(struct rte_udp_hdr) || rte_be_to_cpu_16(ports[2]) != l4_len) {
		return ipv4_general(ctx, m, p);
	}
	m->vlan_tci = 0;
	if (ipv4_prerouting_fast(ctx, m, p, ip, l4_len, tcp_flags, hint, &v) != 0)
		return v;
	return ipv4_host_fin(ctx, m, p, ip);
}

struct wk_verdict
wk_ipv4_fast(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	struct wk_verdict v = wk_ipv4_fast_hint(ctx, m, p, 0);

	ctx->fast_memo.proto = 0; /* outside a burst: no memo (fast4.h) */
	return v;
}
