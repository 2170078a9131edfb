/*
 * The scheduler dispatch [ip_vs_schedule's svc->scheduler->schedule]: picks a
 * dest slot for a new connection of a service, through a const table of pick
 * functions indexed by the service's sched_id (an id in shm, never a
 * pointer: every process has its own table). Also the availability rule
 * shared by every scheduler, and the helpers of the hashing ones.
 *
 * In: the worker context (active config set ctx->cfg, this worker's region
 * ctx->wr), a service slot, the packet. Out: a dest slot or DPVS_DEST_NONE.
 * Writes only this worker's region: ctx->wr->sched[svc] (scheduler state)
 * and the overload mark of dest rows in ctx->wr->dest_stats.
 *
 * Thresholds (-x, -y) count the dest's connections on every worker: this
 * worker's row plus the peers' rows of the dest, read read-only from their
 * regions (relaxed loads; a row counts only if its id is the dest's). Each
 * worker updates its own row when it makes or closes a connection, so what
 * a worker reads is exact but for the connections the peers are making at
 * that very moment: with N workers, up to N - 1 connections over -x can be
 * made by workers that decide at the same instant (each sees the others'
 * count before their new connection lands). No atomic per packet or per
 * connection: N loads per dest looked at, only for dests with -x. lc and
 * wlc still weigh this worker's own connections (a per-worker balance).
 */
#include <stdint.h>
#include <string.h>

#include "worker/ipvs/sched.h"
#include "shm/sched_hash.h"

static const wk_sched_pick_fn sched_pick[DPVS_SCHED_MAX] = {
	[DPVS_SCHED_RR] = wk_sched_rr_pick,
	[DPVS_SCHED_WRR] = wk_sched_wrr_pick,
	[DPVS_SCHED_LC] = wk_sched_lc_pick,
	[DPVS_SCHED_WLC] = wk_sched_wlc_pick,
	[DPVS_SCHED_MH] = wk_sched_mh_pick,
	[DPVS_SCHED_CONHASH] = wk_sched_conhash_pick,
};

void
wk_sched_dest_conns(const struct wk_ctx *ctx, uint32_t d, uint64_t *active,
		    uint64_t *inactive)
{
	const struct dpvs_lb_stats *row = &dpvs_wr_dest_stats(ctx->wr)[d];

	if (row->id != 0 && row->id == dpvs_lb_dests(&ctx->cfg->lb)[d].id) {
		*active = row->active;
		*inactive = row->inactive;
	} else {
		*active = 0;
		*inactive = 0;
	}
}

uint64_t
wk_sched_overhead(const struct wk_ctx *ctx, uint32_t d)
{
	uint64_t act, inact, oh;

	wk_sched_dest_conns(ctx, d, &act, &inact);
	if (act > (UINT32_MAX >> 8) || inact > UINT32_MAX)
		return UINT32_MAX;
	oh = (act << 8) + inact;
	return oh > UINT32_MAX ? UINT32_MAX : oh;
}

uint64_t
wk_sched_dest_conns_node(const struct wk_ctx *ctx, uint32_t d, uint32_t id)
{
	uint64_t n = 0;
	unsigned int w;

	for (w = 0; w < ctx->nworkers && w < DPVS_MAX_WORKERS; w++) {
		const struct dpvs_worker_region *wr =
			w == ctx->id ? ctx->wr : ctx->shm != NULL ? ctx->shm->wr[w] : NULL;
		const struct dpvs_lb_stats *row;

		if (wr == NULL || d >= wr->caps.dests)
			continue;
		row = &dpvs_wr_dest_stats(wr)[d];
		if (__atomic_load_n(&row->id, __ATOMIC_RELAXED) != id || id == 0)
			continue;
		n += __atomic_load_n(&row->active, __ATOMIC_RELAXED) +
		     __atomic_load_n(&row->inactive, __ATOMIC_RELAXED);
	}
	return n;
}

/*
 * LVS's overload rule: a dest whose connections (active + inactive, on
 * every worker) reach u_threshold is overloaded; it stays so until they
 * drop below l_threshold, or below 3/4 of u_threshold when no l_threshold
 * is set [ip_vs_bind_dest / __ip_vs_unbind_dest]. Each worker keeps its
 * own mark in its dest_stats row as the dest's id, so a slot that now
 * holds another dest is never seen as overloaded. ctx is const, the region
 * it points to is not: the mark is this worker's own state.
 */
int
wk_dest_threshold_ok(const struct wk_ctx *ctx, uint32_t d, const struct dpvs_dest *dest)
{
	struct dpvs_lb_stats *row = &dpvs_wr_dest_stats(ctx->wr)[d];
	uint64_t n;

	if (dest->u_threshold == 0) {
		if (row->overload_id == dest->id)
			row->overload_id = 0;
		return 1;
	}
	n = wk_sched_dest_conns_node(ctx, d, dest->id);
	if (row->overload_id == dest->id) {
		int back = dest->l_threshold != 0 ?
				   n < dest->l_threshold :
				   n * 4 < (uint64_t)dest->u_threshold * 3;

		if (!back)
			return 0;
		row->overload_id = 0;
	}
	if (n >= dest->u_threshold) {
		/* only a row that belongs to this dest can count up to here */
		row->overload_id = dest->id;
		return 0;
	}
	return 1;
}

int
wk_dest_available(const struct wk_ctx *ctx, uint32_t d)
{
	return wk_sched_dest_ok(ctx, d);
}

uint32_t
wk_sched_table_pick(struct wk_ctx *ctx, const struct dpvs_service *svc,
		    const struct wk_pkt *pk)
{
	const struct dpvs_lb_tables *lb = &ctx->cfg->lb;
	const uint32_t *dl = dpvs_lb_svc_dests(lb, (uint32_t)(svc - dpvs_lb_svcs(lb)));
	const uint16_t *tbl;
	uint32_t h, b, walked, d, last = DPVS_DEST_NONE;
	unsigned int tries = 0;

	if (svc->sched_tbl >= lb->caps.sched_tables)
		return DPVS_DEST_NONE;
	tbl = dpvs_lb_sched_table(lb, svc->sched_tbl);

	/* the client's source of either family (shm/sched_hash.h) */
	h = dpvs_sched_hash(&pk->src, pk->sport, (svc->flags & DPVS_SVC_F_HASHED) != 0);
	b = h % DPVS_SCHED_TABLE_SIZE;
	/* Fall back along the table: skip the rest of an unavailable dest's
	 * run of buckets (conhash maps runs of buckets to one dest) without
	 * counting it as another try. */
	for (walked = 0; walked < DPVS_SCHED_TABLE_SIZE; walked++) {
		/* an entry is a position in the service's dest list */
		if (tbl[b] >= svc->ndests)
			return DPVS_DEST_NONE; /* the service has no dest at all */
		d = dl[tbl[b]];
		if (d != last) {
			if (wk_sched_dest_ok(ctx, d))
				return d;
			if (++tries >= WK_SCHED_HASH_TRIES)
				break;
			last = d;
		}
		if (++b == DPVS_SCHED_TABLE_SIZE)
			b = 0;
	}
	return DPVS_DEST_NONE;
}

uint32_t
wk_sched_pick(struct wk_ctx *ctx, uint16_t svc, const struct wk_pkt *pk)
{
	const struct dpvs_service *s;
	struct dpvs_sched_state *st;

	if (svc >= ctx->cfg->lb.caps.services)
		return DPVS_DEST_NONE;
	s = dpvs_lb_svc(&ctx->cfg->lb, svc);
	if (s->sched_id >= DPVS_SCHED_MAX || sched_pick[s->sched_id] == NULL)
		return DPVS_DEST_NONE;
	st = wk_sched_state(ctx, s, svc);
	if (st == NULL)
		return DPVS_DEST_NONE;
	if (s->sched_id == DPVS_SCHED_RR)   /* the default: no call through the table */
		return wk_sched_rr_next(ctx, s, svc, st);
	return sched_pick[s->sched_id](ctx, s, st, pk);
}
