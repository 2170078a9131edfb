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
 * one burst per port per iteration). Ownership: an in-flight entry is cleared
 * before its mbuf is handed on (tx buffer, ring, free), so a successor frees
 * exactly what was still held.
 */
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "worker/ipvs/conn_table.h"
#include "worker/ipvs/lbpath.h"
#include "worker/l2/txbuf.h"
#include "worker/worker.h"

/* How many packets ahead the second stage prefetches a connection entry. */
#define WK_RX_ENTRY_AHEAD 4

/* The pipeline's entry: the IPv4 fast path, which hands every frame it does
 * not take to wk_eth_input. The fixture's second runner, dpvs-fixture-general
 * (tests/fixture/build.mk), compiles this file again with WK_RX_GENERAL_ONLY
 * so that every frame takes the general path, and the differential test
 * (tests/fixture/diff_fast.py) checks that both runners give the same
 * results. The product binaries never define it. */
#ifdef WK_RX_GENERAL_ONLY
#define WK_RX_ENTRY(ctx, m, p, hint) wk_eth_input(ctx, m, p)
#else
#define WK_RX_ENTRY(ctx, m, p, hint) wk_ipv4_fast_hint(ctx, m, p, hint)
#endif

struct wk_verdict
wk_pipeline(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	return WK_RX_ENTRY(ctx, m, p, 0);
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
 * not a fragment, the ports in the first segment) has the bucket of its
 * connection index prefetched, the whole burst before the first lookup, and
 * its hash kept in hv[] as the lookup's hint (WK_CONN_HASH_HINT | hash,
 * worker.h; 0 for any other frame): the lookup takes it instead of
 * hashing the tuple again, the frame unchanged in between. Bit i of the
 * result: frame i's connection is to be prefetched, which a frame of the
 * same flow as the one before it needs not (a burst of one flow prefetches
 * once). The second stage
 * prefetches a packet's first connection entry WK_RX_ENTRY_AHEAD packets
 * before it reaches it, from that hash (a TCP segment's, bit i of *tcp, its
 * second line too: the window tracking); the lookups then find bucket and
 * entry in cache instead of waiting for each in turn. Anything else (VLAN,
 * IPv6, options) is left to the per-packet path as it is. Reads the frames
 * only. Measured on the real node (figure 2, 1,000,000 flows, 2026-12-03):
 * the buckets issued along the burst instead (8 frames ahead, the entries
 * 4) forwarded 10.0 against 12.0 Mpps a second of the worker's CPU, perf
 * showing stage B waiting on buckets a few frames after they were asked
 * for; entries 8 or 16 ahead, or all at once, did no better than 4. What
 * waits now is the bucket prefetch itself (perf: a tenth of the worker's
 * samples, when the core's line-fill buffers are all in use).
 */
static uint64_t
rx_prefetch_conns(const struct wk_conn_view *x, struct rte_mbuf *const *pkts, uint16_t n,
		  uint64_t *restrict hv, const struct dpvs_conn_bkt **restrict kv, uint64_t *tcp)
{
	const struct dpvs_conn_bkt *k;
	const uint16_t l3 = RTE_ETHER_HDR_LEN;
	const struct rte_ipv4_hdr *ip;
	const struct rte_ether_hdr *eth;
	const uint16_t *ports;
	uint64_t have = 0, t = 0, last = 0;
	uint32_t h;
	uint16_t i;

	for (i = 0; i < n; i++) {
		hv[i] = 0;
		if (rte_pktmbuf_data_len(pkts[i]) < l3 + sizeof(*ip) + 2 * sizeof(*ports))
			continue;
		eth = rte_pktmbuf_mtod(pkts[i], const struct rte_ether_hdr *);
		ip = (const struct rte_ipv4_hdr *)(eth + 1);
		if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) || ip->version_ihl != 0x45 ||
		    (ip->next_proto_id != IPPROTO_UDP && ip->next_proto_id != IPPROTO_TCP) ||
		    (ip->fragment_offset &
		     RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0)
			continue;
		ports = (const uint16_t *)(ip + 1);
		h = wk_conn_hash4(ip->next_proto_id, ip->src_addr, ports[0], ip->dst_addr, ports[1]);
		hv[i] = WK_CONN_HASH_HINT | h;
		/* the flow of the frame before: its bucket and entries are
		 * on their way already */
		if (hv[i] == last)
			continue;
		last = hv[i];
		k = wk_conn_home_in(x->bk, x->nbuckets, h);
		kv[i] = k;
		rte_prefetch0(k);
		have |= 1ull << i;
		/* a SYN's home alone too: its walk rarely goes on to the
		 * next bucket (dpvs_conn_prefetch) */
		if (ip->next_proto_id == IPPROTO_TCP)
			t |= 1ull << i;
	}
	*tcp = t;
	return have;
}

unsigned int
wk_rx_burst(struct wk_ctx *ctx, uint16_t p, uint16_t n)
{
	struct dpvs_worker_region *wr = ctx->wr;
	uint64_t hv[DPVS_BURST];
	const struct dpvs_conn_bkt *kv[DPVS_BURST]; /* home buckets (bit i of have) */
	struct wk_conn_view x;
	uint64_t bytes = 0, have = 0, tcp = 0;
	struct rte_mbuf *m;
	struct wk_verdict v;
	int mirror;
	uint16_t i;

	wk_if_refresh(ctx);
	wr->inflight_n = n;
	/* the port's forward2kni switch: once per burst (the set is the
	 * loop's, fixed for the iteration) */
	mirror = (ctx->cfg->port_flags[p] & DPVS_PORT_CFG_FORWARD2KNI) != 0;
	ctx->st->rx_pkts += n;
	/* the sequence's memo (fast4.h) lives for a burst: the loop's timers
	 * and rings may change the index between bursts */
	ctx->fast_memo.hint = 0;
	/* so does the service memo (ipvs.c): the set is fixed for the
	 * burst; outside one (rings, tests that change the set between
	 * packets) it is off */
	ctx->svc_memo.on = 1;
	ctx->svc_memo.proto = 0;
	/* a small table stays in cache: the prefetch would only cost */
	if (n > 1 && n <= DPVS_BURST && ctx->ct->count >= ctx->rx_prefetch_min) {
		x = wk_conn_view(ctx->ct);
		have = rx_prefetch_conns(&x, wr->inflight, n, hv, kv, &tcp);
		for (i = 0; i < WK_RX_ENTRY_AHEAD && i < n; i++)
			if ((have >> i) & 1)
				wk_conn_prefetch_entry_in(&x, kv[i], (uint32_t)hv[i],
							  (int)((tcp >> i) & 1));
	} else {
		memset(hv, 0, sizeof(hv)); /* no hints */
	}
	for (i = 0; i < n; i++) {
		m = wr->inflight[i];
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(wr->inflight[i + 1], void *));
		if (((have >> (i + WK_RX_ENTRY_AHEAD)) & 1) != 0)
			wk_conn_prefetch_entry_in(&x, kv[i + WK_RX_ENTRY_AHEAD],
						  (uint32_t)hv[i + WK_RX_ENTRY_AHEAD],
						  (int)((tcp >> (i + WK_RX_ENTRY_AHEAD)) & 1));
		bytes += m->pkt_len; /* as received: the stages may trim it */
		if (unlikely(mirror))
			wk_kni_mirror(ctx, m, p);
		v = WK_RX_ENTRY(ctx, m, p, hv[i]); /* wk_pipeline, with the hint */
		wr->inflight[i] = NULL;
		rte_compiler_barrier();
		/* the usual verdict, to a port's tx buffer, without a call
		 * when it has room */
		if (likely(v.kind == DPVS_VERDICT_TX && v.port < ctx->nports)) {
			if (likely(wk_txbuf_try_verdict(ctx, m, v.port)))
				continue;
			if (wk_tx_enqueue_verdict(ctx, m, v.port) != 0)
				ctx->st->verdict[DPVS_VERDICT_DROP]++;
			continue;
		}
		wk_act(ctx, m, v);
	}
	wr->inflight_n = 0;
	ctx->svc_memo.on = 0;
	ctx->st->rx_bytes += bytes;
	return n;
}
