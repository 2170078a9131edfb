/*
 * The rx stage [lcore_job_recv_fwd]: poll this worker's queue (queue index =
 * worker id) of one data port into the worker's shm in-flight array, mirror
 * each packet to the kernel if the port's switch says so (forward2kni, in
 * the active config set), run the pipeline
 * on each packet and carry out its verdict (tx buffer, to-kernel ring,
 * redirect ring to the owning worker, hold queue for ARP, or drop). Counts
 * rx, verdicts and drops in the worker's stats row. A burst goes in two
 * stages: the first (rx_prefetch_conns) parses every frame's tuple and
 * prefetches its connection's index bucket, the second runs each packet
 * through the pipeline (lookup, rewrite, into the tx buffer; the loop sends
 * one burst per port per iteration). The second stage's loop (rx_run.h) has
 * the IPv4 entry (worker/l3/ipv4_fast.h) inline: here for a burst without
 * the first stage's work (a small table), in rx_pf.c for one with it; a
 * port that mirrors calls the entry. Ownership: an in-flight entry is cleared
 * before its mbuf is handed on (tx buffer, ring, free), so a successor frees
 * exactly what was still held.
 */
#include <stddef.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "worker/ipvs/conn_table.h"
#include "worker/ipvs/lbpath.h"
#include "worker/l2/txbuf.h"
#include "worker/l3/ipv4_fast.h"
#include "worker/worker.h"

/* The pipeline's entry: the IPv4 fast path (worker/l3/ipv4_fast.h, inline
 * in the burst loop), which hands every frame it does not take to
 * wk_eth_input. The fixture's second runner, dpvs-fixture-general
 * (tests/fixture/build.mk), compiles this file again with WK_RX_GENERAL_ONLY
 * so that every frame takes the general path, and the differential test
 * (tests/fixture/diff_fast.py) checks that both runners give the same
 * results. The product binaries never define it. rc: the port's constants
 * (wk_ipv4_rxc_init, once a burst). */
#ifdef WK_RX_GENERAL_ONLY
#define WK_RX_ENTRY(ctx, m, p, hint, rc) wk_eth_input(ctx, m, p)
#define WK_RX_ONE(ctx, m, p)		 wk_eth_input(ctx, m, p)
#define WK_RX_CALL(ctx, m, p, hint, rc) wk_eth_input(ctx, m, p)
#else
#define WK_RX_ENTRY(ctx, m, p, hint, rc) wk_ipv4_fast_in(ctx, m, p, hint, rc)
#define WK_RX_ONE(ctx, m, p)		 wk_ipv4_fast_hint(ctx, m, p, 0)
#define WK_RX_CALL(ctx, m, p, hint, rc) wk_ipv4_fast_rc(ctx, m, p, hint, rc)
#endif
#include "worker/l2/rx_run.h"

struct wk_verdict
wk_pipeline(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	struct wk_verdict v = WK_RX_ONE(ctx, m, p);

	ctx->fast_memo.proto = 0; /* the sequence's memo lives in a burst */
	return v;
}

void
wk_act(struct wk_ctx *ctx, struct rte_mbuf *m, struct wk_verdict v)
{
	struct dpvs_worker_stats *st = ctx->st;

	switch (v.kind) {
	case DPVS_VERDICT_TX:
		if (wk_if_ok(ctx, v.port)) {
			/* verdict tx or drop counted when it leaves the
			 * buffer (tx.c) */
			if (wk_tx_enqueue_verdict(ctx, m, v.port) != 0)
				st->verdict[DPVS_VERDICT_DROP]++;
			return;
		}
		v = wk_drop(DPVS_DROP_BAD_PORT);
		break;
	case DPVS_VERDICT_KERNEL:
		if (wk_if_ok(ctx, v.port)) {
			if (wk_kni_send(ctx, m, v.port) == 0)
				st->verdict[DPVS_VERDICT_KERNEL]++;
			else
				st->verdict[DPVS_VERDICT_DROP]++;
			return;
		}
		v = wk_drop(DPVS_DROP_BAD_PORT);
		break;
	case DPVS_VERDICT_REDIRECT:
		if (v.port < ctx->nworkers && v.port != ctx->id) {
			if (wk_redirect_send(ctx, m, v.port) == 0)
				st->verdict[DPVS_VERDICT_REDIRECT]++;
			else
				st->verdict[DPVS_VERDICT_DROP]++;
			return;
		}
		v = wk_drop(DPVS_DROP_BAD_PORT);
		break;
	case DPVS_VERDICT_HOLD:
		if (wk_if_ok(ctx, v.port)) {
			if (wk_neigh_hold(ctx, m, v.port) == 0)
				st->verdict[DPVS_VERDICT_HOLD]++;
			else
				st->verdict[DPVS_VERDICT_DROP]++;
			return;
		}
		v = wk_drop(DPVS_DROP_BAD_PORT);
		break;
	case DPVS_VERDICT_DROP:
		break;
	case WK_VERDICT_TAKEN:
		return;
	default:
		v = wk_drop(DPVS_DROP_BAD_PORT);
		break;
	}
	st->verdict[DPVS_VERDICT_DROP]++;
	st->drop[v.reason < DPVS_DROP_MAX ? v.reason : DPVS_DROP_BAD_PORT]++;
	rte_pktmbuf_free(m);
}

unsigned int
wk_rx_port(struct wk_ctx *ctx, uint16_t p)
{
	uint16_t n;

	n = rte_eth_rx_burst(ctx->port_id[p], ctx->id, ctx->wr->inflight, DPVS_BURST);
	if (n == 0)
		return 0;
	return wk_rx_burst(ctx, p, n);
}

/*
 * The burst's first stage [parse, prefetch]: every frame the ipvs core will
 * look up by its tuple (untagged IPv4 with a 20-byte header, TCP or UDP,
 * not a fragment, 8 bytes of its TCP/UDP header in the first segment) has the bucket of its
 * connection index prefetched, the whole burst before the first lookup, and
 * its hash kept in hv[] as the lookup's hint (WK_CONN_HASH_HINT | hash,
 * worker.h; 0 for any other frame): the lookup takes it instead of
 * hashing the tuple again, the frame unchanged in between. Bit i of the
 * result: frame i's connection is to be prefetched, which a frame of the
 * same flow as the one before it needs not (a burst of one flow prefetches
 * once). The second stage
 * prefetches a packet's first connection entry WK_RX_ENTRY_AHEAD packets
 * before it reaches it, from that hash (a TCP segment's, bit 0 of kv[i], its
 * second line too: the window tracking); the lookups then find bucket and
 * entry in cache instead of waiting for each in turn. Anything else (VLAN,
 * IPv6, options) is left to the per-packet path as it is. A hint says
 * what this stage found (worker.h): the entry does not test the frame's
 * type, IHL, protocol, fragment and first segment's length again. Reads the frames only.
 * Measured on the real node (figure 2, 1,000,000 flows, 2026-12-03):
 * the buckets issued along the burst instead (8 frames ahead, the entries
 * 4) forwarded 10.0 against 12.0 Mpps a second of the worker's CPU, perf
 * showing stage B waiting on buckets a few frames after they were asked
 * for. The entries' distance: with the flows replayed out of the order
 * their connections were made (the honest order, since the night of
 * 2026-12-03), 16 packets ahead costs 179 to 207 TSC cycles a packet
 * at 1,000,000 flows against 246 to 260 for 4 and 202 to 206 for 8; 24
 * about as 16 there (178 to 195) and 6% less at 10,000,000 flows (256 to
 * 262 against 270 to 280), 32 (every entry from the first stage) no
 * better than 24 (figure 5's model agrees: a chained entry asked for 4
 * packets ahead arrives late behind a full core). In the old order,
 * where the entries came in array order, 8 or 16 had done no better
 * than 4.
 */
static uint64_t
rx_prefetch_conns(const struct wk_conn_view *x, struct rte_mbuf *const *pkts, uint16_t n,
		  uint64_t *restrict hv, uintptr_t *restrict kv)
{
	const struct dpvs_conn_bkt *k;
	const uint16_t l3 = RTE_ETHER_HDR_LEN;
	const struct rte_ipv4_hdr *ip;
	const struct rte_ether_hdr *eth;
	const uint16_t *ports;
	uint64_t have = 0, last = 0;
	uint32_t h;
	uint16_t i;

	for (i = 0; i < n; i++) {
		/* a UDP header's 8 bytes, which the entry (ipv4_fast.h) then
		 * does not test again */
		eth = rte_pktmbuf_mtod(pkts[i], const struct rte_ether_hdr *);
		ip = (const struct rte_ipv4_hdr *)(eth + 1);
		if (rte_pktmbuf_data_len(pkts[i]) < l3 + sizeof(*ip) + 8 ||
		    eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) || ip->version_ihl != 0x45 ||
		    (ip->next_proto_id != IPPROTO_UDP && ip->next_proto_id != IPPROTO_TCP) ||
		    (ip->fragment_offset &
		     RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0) {
			hv[i] = 0;
			continue;
		}
		ports = (const uint16_t *)(ip + 1);
		h = wk_conn_hash4_raw(ip->next_proto_id, &ip->src_addr, ports);
		hv[i] = WK_CONN_HASH_HINT | h;
		/* the flow of the frame before: its bucket and entries are
		 * on their way already */
		if (hv[i] == last)
			continue;
		last = hv[i];
		k = wk_conn_home_in(x->bk, x->nbuckets, h);
		/* a SYN's home alone too: its walk rarely goes on to the
		 * next bucket (dpvs_conn_prefetch); a TCP segment's entries
		 * both their lines (bit 0: TCP's 6 has bit 2 of the
		 * protocol set, UDP's 17 not) */
		kv[i] = (uintptr_t)k | ((ip->next_proto_id >> 2) & 1u);
		rte_prefetch0(k);
		have |= 1ull << i;
	}
	return have;
}

/* The burst's first stage (rx_prefetch_conns) into *f, and the entries of
 * its first WK_RX_ENTRY_AHEAD packets. Out of line: once a burst, and the
 * burst loop's inline entry keeps the room to inline its own parts. */
static __rte_noinline void
rx_prefetch_stage(struct wk_ctx *ctx, uint16_t n, struct wk_rx_pf *f)
{
	uint64_t first;

	f->x = wk_conn_view(ctx->ct);
	f->have = rx_prefetch_conns(&f->x, ctx->wr->inflight, n, f->hv, f->kv);
	/* the frames among the first WK_RX_ENTRY_AHEAD whose entries are to
	 * be prefetched, bit by bit (n is at most DPVS_BURST) */
	first = n < WK_RX_ENTRY_AHEAD ? f->have : f->have & ((1ull << WK_RX_ENTRY_AHEAD) - 1);
	f->cand = wk_rx_pf_entries(f, first);
}

/* wk_rx_run for a burst with the mirror on (or, in the general runner,
 * the prefetch stage's work): the entry a call a packet. */
static __rte_noinline uint64_t
rx_run_call(struct wk_ctx *ctx, uint16_t p, uint16_t n, const struct wk_ipv4_rxc *rc,
	    struct wk_rx_pf *f, int pf, int mirror)
{
	return wk_rx_run(ctx, p, n, rc, f, pf, mirror, 1);
}

unsigned int
wk_rx_burst(struct wk_ctx *ctx, uint16_t p, uint16_t n)
{
	struct dpvs_worker_region *wr = ctx->wr;
	struct wk_ipv4_rxc rc;
	struct wk_rx_pf f;
	uint64_t bytes;
	int mirror, pf;

	wk_if_refresh(ctx);
	wr->inflight_n = n;
	/* the port's forward2kni switch: once per burst (the set is the
	 * loop's, fixed for the iteration) */
	mirror = (ctx->cfg->port_flags[p] & DPVS_PORT_CFG_FORWARD2KNI) != 0;
	ctx->st->rx_pkts += n;
	/* the sequence's memo (fast4.h) lives for a burst (its port, the
	 * loop's clock and set): the loop's timers and rings may change the
	 * index between bursts (forgotten at the end too, and by
	 * wk_pipeline, the frame outside a burst) */
	ctx->fast_memo.proto = 0;
	/* so does the service memo (ipvs.c): the set is fixed for the
	 * burst; outside one (rings, tests that change the set between
	 * packets) it is off */
	ctx->svc_memo.on = 1;
	ctx->svc_memo.proto = 0;
	wk_ipv4_rxc_init(&rc, ctx, p);
	wk_fast4_set_init(ctx);
	/* a small table stays in cache: the prefetch would only cost */
	pf = n > 1 && n <= DPVS_BURST && ctx->ct->count >= ctx->rx_prefetch_min;
	if (pf)
		rx_prefetch_stage(ctx, n, &f);
	if (likely(!pf && !mirror))
		bytes = wk_rx_run(ctx, p, n, &rc, &f, 0, 0, 0);
#ifndef WK_RX_GENERAL_ONLY
	else if (!mirror)
		bytes = wk_rx_run_pf(ctx, p, n, &rc, &f);
#endif
	else
		bytes = rx_run_call(ctx, p, n, &rc, &f, pf, mirror);
	wr->inflight_n = 0;
	ctx->svc_memo.on = 0;
	ctx->fast_memo.proto = 0;
	ctx->st->rx_bytes += bytes;
	return n;
}
