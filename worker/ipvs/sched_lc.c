/*
 * Least connection [ip_vs_lc]: the available dest with the smallest
 * overhead, LVS's active * 256 + inactive; the first in list order wins a
 * tie. Weights only decide availability (weight 0 takes a dest out).
 *
 * Per worker: the counts are this worker's own (ctx->wr->dest_stats), so
 * each worker balances its own connections. With new flows spread evenly
 * over the workers (RSS), the sum over workers is balanced as well, and no
 * worker ever reads another's counters on the hot path. No state of its own.
 */
#include <stdint.h>

#include "worker/ipvs/sched.h"

uint32_t
wk_sched_lc_pick(struct wk_ctx *ctx, const struct dpvs_service *svc,
		 struct dpvs_sched_state *st, const struct wk_pkt *pk)
{
	const uint32_t *dl = dpvs_lb_svc_dests(&ctx->cfg->lb, (uint32_t)(svc - dpvs_lb_svcs(&ctx->cfg->lb)));
	uint32_t least = DPVS_DEST_NONE;
	uint64_t loh = 0;
	uint32_t i;

	(void)st;
	(void)pk;
	for (i = 0; i < svc->ndests; i++) {
		uint32_t d = dl[i];
		uint64_t oh;

		if (!wk_sched_dest_ok(ctx, d))
			continue;
		oh = wk_sched_overhead(ctx, d);
		if (least == DPVS_DEST_NONE || oh < loh) {
			least = d;
			loh = oh;
		}
	}
	return least;
}
