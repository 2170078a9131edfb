/*
 * Weighted round robin [ip_vs_wrr]: LVS's interleaved sequence. The current
 * weight cw starts at the largest weight mw and drops by the gcd g of the
 * weights each time the walk wraps round the dest list; a dest is picked
 * when its weight is >= cw. Weights 3:2:1 give A A B A B C: over one cycle
 * (sum of weights / g picks) each dest gets exactly weight / g.
 *
 * State: this worker's dpvs_wr_sched(ctx->wr)[svc]: cursor (index in the dest list
 * of the next dest to look at) and cw. mw and g are computed from the
 * current weights on every pick (at most [tables] dests_per_service dests, new
 * connections only), so a weight change needs no reset. Dests that are not
 * available (over their threshold on this worker) are skipped; rounds of cw
 * that no available dest can serve are skipped at once (cw is lowered to the
 * largest available weight), which bounds a pick to two walks of the list
 * without changing the sequence.
 */
#include <stdint.h>

#include "worker/ipvs/sched.h"

static int32_t
gcd32(int32_t a, int32_t b)
{
	while (b != 0) {
		int32_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

uint32_t
wk_sched_wrr_pick(struct wk_ctx *ctx, const struct dpvs_service *svc,
		  struct dpvs_sched_state *st, const struct wk_pkt *pk)
{
	const struct dpvs_dest *dests = dpvs_lb_dests(&ctx->cfg->lb);
	const uint32_t *dl = dpvs_lb_svc_dests(&ctx->cfg->lb, (uint32_t)(svc - dpvs_lb_svcs(&ctx->cfg->lb)));
	uint32_t n = svc->ndests, i, k;
	int32_t mw = 0, maw = 0, g = 0;

	(void)pk;
	for (i = 0; i < n; i++) {
		const struct dpvs_dest *d = &dests[dl[i]];

		if (d->id == 0 || d->weight <= 0)
			continue;
		mw = d->weight > mw ? d->weight : mw;
		g = gcd32(d->weight, g);
		if (d->weight > maw && wk_sched_dest_ok(ctx, dl[i]))
			maw = d->weight;
	}
	if (maw == 0)
		return DPVS_DEST_NONE;
	i = st->cursor % n;
	for (k = 0; k <= 2 * n; k++) {
		uint32_t ds = dl[i];

		if (i == 0) {
			st->cw -= g;
			if (st->cw <= 0 || st->cw > mw)
				st->cw = mw;
			if (st->cw > maw)
				st->cw = maw;
		}
		if (++i == n)
			i = 0;
		st->cursor = i;
		if (dests[ds].id != 0 && dests[ds].weight >= st->cw &&
		    wk_sched_dest_ok(ctx, ds))
			return ds;
	}
	return DPVS_DEST_NONE;
}
