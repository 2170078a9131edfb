/*
 * Weighted least connection [ip_vs_wlc]: the available dest with the
 * smallest overhead / weight, LVS's overhead being active * 256 + inactive;
 * compared without division (loh * w > oh * lw, as LVS does); the first in
 * list order wins a tie.
 *
 * Per worker, like lc (sched_lc.c): the counts are this worker's own
 * connections (ctx->wr->dest_stats); with flows spread evenly over the
 * workers the node follows the weights too. No state of its own.
 */
#include <stdint.h>

#include "worker/ipvs/sched.h"

uint32_t
wk_sched_wlc_pick(struct wk_ctx *ctx, const struct dpvs_service *svc,
		  struct dpvs_sched_state *st, const struct wk_pkt *pk)
{
	const struct dpvs_dest *dests = dpvs_lb_dests(&ctx->cfg->lb);
	const uint32_t *dl = dpvs_lb_svc_dests(&ctx->cfg->lb, (uint32_t)(svc - dpvs_lb_svcs(&ctx->cfg->lb)));
	uint32_t least = DPVS_DEST_NONE;
	uint64_t loh = 0, lw = 0;
	uint32_t i;

	(void)st;
	(void)pk;
	for (i = 0; i < svc->ndests; i++) {
		uint32_t d = dl[i];
		uint64_t oh, w;

		if (!wk_sched_dest_ok(ctx, d))
			continue;
		/* overhead < 2^32 and weight < 2^31: the products fit */
		oh = wk_sched_overhead(ctx, d);
		w = (uint64_t)dests[d].weight;
		if (least == DPVS_DEST_NONE || loh * w > oh * lw) {
			least = d;
			loh = oh;
			lw = w;
		}
	}
	return least;
}
