/*
 * Round robin [ip_vs_rr]: the service's dests in list order, one new
 * connection each, skipping those that are not available (weight 0, over
 * their threshold on this worker).
 *
 * State: this worker's cursor for the service (dpvs_wr_sched(ctx->wr)[svc].cursor),
 * the index in the service's dest list of the next dest to try. Each worker runs its
 * own cycle, so the node as a whole spreads new connections evenly too.
 * A dest list that shrank is handled by taking the cursor modulo ndests.
 * The pick itself is wk_sched_rr_next (sched.h), which wk_sched_pick inlines.
 */
#include <stdint.h>

#include "worker/ipvs/sched.h"

uint32_t
wk_sched_rr_pick(struct wk_ctx *ctx, const struct dpvs_service *svc,
		 struct dpvs_sched_state *st, const struct wk_pkt *pk)
{
	(void)pk;
	return wk_sched_rr_next(ctx, svc,
				(uint32_t)(svc - dpvs_lb_svcs(&ctx->cfg->lb)), st);
}
