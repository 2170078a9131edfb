/*
 * The rx stage [lcore_job_recv_fwd]: poll this worker's queue (queue index =
 * worker id) of one data port into the worker's shm in-flight array, mirror
 * each packet to the kernel if the port's switch says so (forward2kni, in
 * the active config set), run the pipeline
 * on each packet and carry out its verdict (tx buffer, to-kernel ring,
 * redirect ring to the owning worker, hold queue for ARP, or drop). Counts
 * rx, verdicts and drops in the worker's stats row. Ownership: an in-flight entry is cleared
 * before its mbuf is handed on (tx buffer, ring, free), so a successor frees
 * exactly what was still held.
 */
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "worker/ipvs/lbpath.h"
#include "worker/worker.h"

struct wk_verdict
wk_pipeline(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	return wk_eth_input(ctx, m, p);
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

unsigned int
wk_rx_burst(struct wk_ctx *ctx, uint16_t p, uint16_t n)
{
	struct dpvs_worker_region *wr = ctx->wr;
	struct rte_mbuf *m;
	struct wk_verdict v;
	uint16_t i;

	wk_if_refresh(ctx);
	wr->inflight_n = n;
	for (i = 0; i < n; i++) {
		m = wr->inflight[i];
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(wr->inflight[i + 1], void *));
		ctx->st->rx_pkts++;
		ctx->st->rx_bytes += m->pkt_len;
		if (unlikely((ctx->cfg->port_flags[p] & DPVS_PORT_CFG_FORWARD2KNI) != 0))
			wk_kni_mirror(ctx, m, p);
		v = wk_pipeline(ctx, m, p);
		wr->inflight[i] = NULL;
		rte_compiler_barrier();
		wk_act(ctx, m, v);
	}
	wr->inflight_n = 0;
	return n;
}
