/*
 * Rate limits of services and dests (see rate.h) [xmit_inbound /
 * xmit_outbound: "接收/发送速率限速 drop"]. In: the active config set's rate
 * entries (lb.rates, lb.svc_rate, lb.dest_rate; parameters only, written by
 * dpvs-ctl), the packet's direction and IP length. Out: a verdict reason.
 * Writes this worker's meter rows (dpvs_wr_meters): a row whose gen is not
 * its entry's is recomputed from the entry (profile and full buckets), so a
 * changed limit starts afresh and a slot reused by another entry never
 * inherits its tokens; so is a row computed by a predecessor whose EAL
 * measured another TSC rate (its times and periods are in that rate's
 * ticks: a restarted worker on a VM may measure a rate 10 MHz apart).
 *
 * Per packet, for an object without a limit: one load of its entry index.
 * With one: an id compare, then rte_meter_srtcm_color_blind_check per
 * meter that is set (a 64-bit division and a few adds), and one 128-bit
 * multiply for the time.
 */
#include <string.h>

#include "shm/cfgset.h"
#include "shm/layout.h"
#include "worker/ipvs/rate.h"

void
wk_rate_share(const struct dpvs_rate_param *p, int bytes, unsigned int nworkers,
	      struct rte_meter_srtcm_params *out)
{
	uint64_t n = nworkers > 0 ? nworkers : 1, floor = bytes ? DPVS_RATE_BYTES_FLOOR : 1;

	memset(out, 0, sizeof(*out));
	out->cir = p->rate / n > 0 ? p->rate / n : 1;
	out->cbs = p->burst / n > floor ? p->burst / n : floor;
	out->ebs = 0;
}

/* Recompute row for entry r (its gen written last). */
static void
meter_reset(const struct wk_ctx *ctx, struct dpvs_meter_row *row, const struct dpvs_rate *r)
{
	struct rte_meter_srtcm_params prm;
	uint64_t now = wk_rate_now(ctx);
	unsigned int k;

	__atomic_store_n(&row->gen, 0, __ATOMIC_RELAXED);
	for (k = 0; k < DPVS_RATE_N; k++) {
		memset(&row->prof[k], 0, sizeof(row->prof[k]));
		memset(&row->m[k], 0, sizeof(row->m[k]));
		if (r->m[k].rate == 0)
			continue;
		wk_rate_share(&r->m[k], k == DPVS_RATE_IN_BYTES || k == DPVS_RATE_OUT_BYTES,
			      ctx->nworkers, &prm);
		if (rte_meter_srtcm_profile_config(&row->prof[k], &prm) != 0 ||
		    rte_meter_srtcm_config(&row->m[k], &row->prof[k]) != 0) {
			/* cannot happen for cir, cbs > 0; pass rather than drop */
			memset(&row->prof[k], 0, sizeof(row->prof[k]));
			continue;
		}
		row->m[k].time = now;   /* the loop's clock, not the TSC read now */
	}
	row->clock = wk_rate_clock_id(ctx);
	__atomic_store_n(&row->gen, r->gen, __ATOMIC_RELEASE);
}

/* The meters of entry slot + 1 `ix` (0: none) for an object with id `id`:
 * 1 when the packet passes them. */
static int
meters_pass(struct wk_ctx *ctx, uint32_t ix, uint32_t id, int dir, uint32_t bytes)
{
	const struct dpvs_lb_tables *lb = &ctx->cfg->lb;
	const struct dpvs_rate *r;
	struct dpvs_meter_row *row;
	unsigned int k = dir == DPVS_DIR_OUT ? DPVS_RATE_OUT_PPS : DPVS_RATE_IN_PPS;
	uint64_t now;

	if (ix == 0 || ix > lb->caps.rate_limits)
		return 1;
	r = &dpvs_lb_rates(lb)[ix - 1];
	if (r->gen == 0 || r->owner_id != id || (r->m[k].rate == 0 && r->m[k + 1].rate == 0))
		return 1;
	row = &dpvs_wr_meters(ctx->wr)[ix - 1];
	if (row->gen != r->gen || row->clock != wk_rate_clock_id(ctx))
		meter_reset(ctx, row, r);
	now = wk_rate_now(ctx);
	if (r->m[k].rate != 0 && row->prof[k].cir_period != 0 &&
	    rte_meter_srtcm_color_blind_check(&row->m[k], &row->prof[k], now, 1) != RTE_COLOR_GREEN)
		return 0;
	k++;
	if (r->m[k].rate != 0 && row->prof[k].cir_period != 0 &&
	    rte_meter_srtcm_color_blind_check(&row->m[k], &row->prof[k], now, bytes) !=
		    RTE_COLOR_GREEN)
		return 0;
	return 1;
}

enum dpvs_drop_reason
wk_rate_meters(struct wk_ctx *ctx, uint32_t svc, uint32_t svc_id, uint32_t dest,
	       uint32_t dest_id, int dir, uint32_t bytes)
{
	const struct dpvs_lb_tables *lb = &ctx->cfg->lb;
	int out = dir == DPVS_DIR_OUT;

	if (lb->nrates == 0)
		return DPVS_DROP_MAX;
	if (svc < lb->caps.services &&
	    !meters_pass(ctx, dpvs_lb_svc_rate(lb)[svc], svc_id, dir, bytes))
		return out ? DPVS_DROP_RATE_SVC_OUT : DPVS_DROP_RATE_SVC_IN;
	if (dest < lb->caps.dests &&
	    !meters_pass(ctx, dpvs_lb_dest_rate(lb)[dest], dest_id, dir, bytes))
		return out ? DPVS_DROP_RATE_DEST_OUT : DPVS_DROP_RATE_DEST_IN;
	return DPVS_DROP_MAX;
}
