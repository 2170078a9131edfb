/*
 * The pipeline's entry for the common frame, inline (issue 10): an untagged
 * IPv4 TCP/UDP frame to the port's MAC checked and parsed in one pass and
 * given to the load balancer's inline sequence (worker/ipvs/fast4.h), with
 * the same verdicts, counters and frame as the general way (wk_eth_input,
 * the ipv4 stage, the ipvs parse). One definition for the burst loop
 * (worker/l2/rx.c, where it is inline: no call, no frame of its own a
 * packet) and for the function wk_ipv4_fast_hint (worker/l3/ipv4.c). What
 * depends on the port alone (its MAC, the longest frame it takes) is read
 * once a burst into a struct wk_ipv4_rxc. Reads the frame; writes what
 * fast4.h and the stages it hands on to say.
 */
#ifndef DPVS_WORKER_IPV4_FAST_H
#define DPVS_WORKER_IPV4_FAST_H

#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "worker/ipvs/fast4.h"
#include "worker/ipvs/tcp_hdr.h"
#include "worker/l3/cksum.h"
#include "worker/l3/hook.h"
#include "worker/worker.h"

/* What the entry checks of port index p, read once a burst. */
struct wk_ipv4_rxc {
	uint64_t mac;      /* the port's MAC, as the first 8 bytes of a frame to
			    * it read (the 2 bytes after it zero) */
	uint64_t mac_mask; /* those 6 bytes all ones, the 2 after zero */
	uint32_t len_m1;   /* the longest frame taken, less 1 (0, nothing
			    * checked: UINT32_MAX) */
};

static inline void
wk_ipv4_rxc_init(struct wk_ipv4_rxc *rc, const struct wk_ctx *ctx, uint16_t p)
{
	rc->mac = 0;
	rc->mac_mask = 0;
	memcpy(&rc->mac, &ctx->mac[p], RTE_ETHER_ADDR_LEN);
	memset(&rc->mac_mask, 0xff, RTE_ETHER_ADDR_LEN);
	rc->len_m1 = ctx->rx_max_len[p] - 1u;
}

/* ipv4.c: wk_ipv4_fast_in below as a function (the burst loop's rare
 * cases, wk_ipv4_fast_hint). */
struct wk_verdict wk_ipv4_fast_rc(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p,
				  uint64_t hint, const struct wk_ipv4_rxc *rc);
/* ipv4.c: a frame the entry leaves to the general way (wk_eth_input),
 * which may change the connection index: the sequence's memo is forgotten
 * first (fast4.h). Out of line: the entry's rare case. */
struct wk_verdict wk_ipv4_general(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p);
/* ipv4.c: the rest of the ipv4 stage for an IPv4 frame (header ip) to our
 * MAC that every PRE_ROUTING hook accepted: local_in, forwarding, or the
 * kernel. */
struct wk_verdict wk_ipv4_host_fin(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p,
				   const struct rte_ipv4_hdr *ip);

/* The PRE_ROUTING hooks for the packet the entry parsed (ip, l4_len,
 * tcp_flags: the TCP/UDP packet it checked): while the load balancer is
 * the only hook (DPVS_HOOKS; test_ctl_acl holds the table to that list),
 * its IPv4 fast part inline (wk_ipvs_fast4: an established connection's
 * packet to its rewritten frame without a call; anything else on to
 * wk_ipvs_pkt's general part) and its drop counted in the hook's counter,
 * as wk_prerouting_pkt's walk of the table would; else that walk with a
 * wk_pkt. */
static __rte_always_inline int
wk_ipv4_prerouting_fast(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p,
			struct rte_ipv4_hdr *ip, uint32_t l4_len, uint8_t tcp_flags,
			uint64_t hint, struct wk_verdict *v)
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

/* An 8-byte load that may run past the frame's data (below): a plain
 * memcpy; tests/fixture/mbuf_poison.h defines it unchecked. */
#ifndef WK_LOAD_AHEAD8
#define WK_LOAD_AHEAD8(d, p) memcpy((d), (p), 8)
#endif

/*
 * The entry: an untagged IPv4 frame to the port's MAC, no longer than the
 * port takes, IHL 5, not a fragment, TCP or UDP with its whole header in
 * the first segment, every check of the eth and ipv4 stages and of the
 * ipvs parse passed (lengths, header checksum, a UDP length field equal to
 * the payload's): parsed here, once, and given to the PRE_ROUTING hooks
 * (the load balancer looks its connection up from the header as it is,
 * skipping its own parse), then local_in, forwarding or the kernel as
 * wk_ipv4_input does. Anything else, before anything is written, goes the
 * general way, which counts what is wrong with it. hint: the tuple's hash
 * when the burst's prefetch stage computed it (worker.h); rc: port p's
 * (wk_ipv4_rxc_init).
 */
static __rte_always_inline struct wk_verdict
wk_ipv4_fast_in(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, uint64_t hint,
		const struct wk_ipv4_rxc *rc)
{
	const uint32_t l2 = sizeof(struct rte_ether_hdr), l3 = sizeof(struct rte_ipv4_hdr);
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(uintptr_t)(eth + 1);
	const uint16_t *ports = (const uint16_t *)(ip + 1);
	uint32_t contig = rte_pktmbuf_data_len(m), tot, need, l4_len;
	uint8_t tcp_flags = 0;
	uint64_t dst;
	struct wk_verdict v;

	/* the destination and 2 bytes more, loaded before the length test
	 * (a frame of fewer than 8 bytes: bytes past data_len, but inside the
	 * mbuf's buffer, whose data room is far larger; the value is used
	 * only once contig passes; WK_LOAD_AHEAD8: the fixtures' AddressSanitizer
	 * build, tests/fixture/mbuf_poison.h, which checks every other read
	 * against the frame's end, makes this one unchecked) */
	WK_LOAD_AHEAD8(&dst, eth);
	/* a hint (a hash or a candidate): the burst's prefetch stage found
	 * the frame, unchanged since, untagged IPv4 with IHL 5, TCP or UDP,
	 * not a fragment, its first segment at least l2 + l3 + 8 bytes
	 * (worker.h): those tests are not made again */
	if (unlikely(hint == 0 && contig < l2 + l3 + 8) ||
	    (hint == 0 &&
	     (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) || ip->version_ihl != 0x45 ||
	      (ip->next_proto_id != IPPROTO_UDP && ip->next_proto_id != IPPROTO_TCP) ||
	      (ip->fragment_offset &
	       RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0)) ||
	    /* longer than the port takes (0: not checked; pkt_len > 0) */
	    m->pkt_len - 1 > rc->len_m1 || ((dst ^ rc->mac) & rc->mac_mask) != 0)
		return wk_ipv4_general(ctx, m, p);
	tot = rte_be_to_cpu_16(ip->total_length);
	contig -= l2 + l3;
	/* the header and 8 bytes more (a UDP header; TCP checks its own
	 * below), no more than the frame holds: one compare, as pkt_len is
	 * at least data_len, at least l2 + l3 + 8. The header checksum: its
	 * first byte 0x45, the sum is not 0 (wk_ipv4_cksum_ok_fast). */
	if (tot - (l3 + 8) > m->pkt_len - (l2 + l3 + 8) || wk_ipv4_hdr_sum5(ip) % 0xffffu != 0)
		return wk_ipv4_general(ctx, m, p);
	l4_len = tot - l3;
	if (ip->next_proto_id == IPPROTO_TCP) {
		const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)ports;
		/* the header (its data offset, read only once the fixed part
		 * is there), in the packet and in the first segment: the
		 * bound is the shorter of the two */
		const uint32_t room = RTE_MIN(l4_len, contig);

		if (room < sizeof(*th))
			return wk_ipv4_general(ctx, m, p);
		need = wk_tcp_hdr_len(th);
		if (need < sizeof(*th) || need > room)
			return wk_ipv4_general(ctx, m, p);
		tcp_flags = th->tcp_flags;
	} else if (rte_be_to_cpu_16(ports[2]) != l4_len) {
		return wk_ipv4_general(ctx, m, p);
	}
	m->vlan_tci = 0;
	if (wk_ipv4_prerouting_fast(ctx, m, p, ip, l4_len, tcp_flags, hint, &v) != 0)
		return v;
	return wk_ipv4_host_fin(ctx, m, p, ip);
}

#endif
