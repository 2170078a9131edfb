/*
 * The ipv4 stage [ipv4_rcv]: drop frames whose destination MAC is neither
 * the port's nor broadcast/multicast (otherhost), drop bad headers and bad
 * header checksums, give unicast frames to the PRE_ROUTING hooks (hook.c:
 * the load balancer's dp_vs_in, the SYN proxy inside it), then deliver what
 * it leaves for one of our addresses (the active config set) to local_in; a unicast frame to a unicast address that
 * is not ours is forwarded (forward.c) when the port's forwarding switch is
 * on; everything else goes to the kernel. Reads the packet; the stages it
 * calls write what they say (lb.h, l3.h). Also the pipeline's entry as a
 * function, wk_ipv4_fast: the common frame (untagged IPv4 TCP/UDP to our
 * MAC, IHL 5, not a fragment) checked and parsed in one pass, with the
 * same verdict and counters as the way through eth.c, this stage and the
 * ipvs parse (ipv4_fast.h, which the burst loop has inline); the packet of
 * an established connection goes from its parse to its rewritten frame in
 * one inline sequence (worker/ipvs/fast4.h).
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
#include "worker/l3/ipv4_fast.h"
#include "worker/l3/l3.h"
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

struct wk_verdict
wk_ipv4_host_fin(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct rte_ipv4_hdr *ip)
{
	if (wk_addr_v4_is_ours(ctx->cfg, WK_PORT_NONE, ip->dst_addr))
		return wk_local_in(ctx, m, p);
	if ((ctx->cfg->port_flags[p] & DPVS_PORT_CFG_FORWARD) != 0 &&
	    !wk_ip4_is_mcast(rte_be_to_cpu_32(ip->dst_addr)) &&
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
	return wk_ipv4_host_fin(ctx, m, p, ip);
}

/* A frame that wk_ipv4_fast_hint leaves to the general way, which may
 * change the connection index: the sequence's memo is forgotten first
 * (fast4.h). */
struct wk_verdict
wk_ipv4_general(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	ctx->fast_memo.proto = 0;
	return wk_eth_input(ctx, m, p);
}

struct wk_verdict
wk_ipv4_fast_rc(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, uint64_t hint,
		const struct wk_ipv4_rxc *rc)
{
	return wk_ipv4_fast_in(ctx, m, p, hint, rc);
}

/* The pipeline's entry as a function (wk_pipeline, wk_ipv4_fast): the
 * burst loop's entry (ipv4_fast.h) with port p's constants read for this
 * frame alone. */
struct wk_verdict
wk_ipv4_fast_hint(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, uint64_t hint)
{
	struct wk_ipv4_rxc rc;

	wk_ipv4_rxc_init(&rc, ctx, p);
	wk_fast4_set_init(ctx);
	return wk_ipv4_fast_rc(ctx, m, p, hint, &rc);
}

struct wk_verdict
wk_ipv4_fast(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	struct wk_verdict v = wk_ipv4_fast_hint(ctx, m, p, 0);

	ctx->fast_memo.proto = 0; /* outside a burst: no memo (fast4.h) */
	return v;
}
