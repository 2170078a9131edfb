/*
 * Inside the worker's schedulers: what sched.c (the dispatch) and the
 * sched_<name>.c files (one per scheduler, as in kernel IPVS) share. The
 * public entry points are in lb.h (wk_sched_pick, wk_dest_available).
 *
 * A scheduler's pick function gets a service that wk_sched_pick() has
 * checked (live, at least one dest in its list) and this worker's state for
 * that service slot, already reset if the slot now holds another service.
 * It reads the active config set (ctx->cfg) and writes only
 * dpvs_wr_sched(ctx->wr)[svc] and, through wk_dest_available(), the overload marks
 * in ctx->wr->dest_stats. Called only by the owning worker.
 */
#ifndef DPVS_WORKER_SCHED_H
#define DPVS_WORKER_SCHED_H

#include <stdint.h>

#include "worker/ipvs/lb.h"

typedef uint32_t (*wk_sched_pick_fn)(struct wk_ctx *ctx, const struct dpvs_service *svc,
				      struct dpvs_sched_state *st, const struct wk_pkt *pk);

uint32_t wk_sched_rr_pick(struct wk_ctx *ctx, const struct dpvs_service *svc,
			  struct dpvs_sched_state *st, const struct wk_pkt *pk);
uint32_t wk_sched_wrr_pick(struct wk_ctx *ctx, const struct dpvs_service *svc,
			   struct dpvs_sched_state *st, const struct wk_pkt *pk);
uint32_t wk_sched_lc_pick(struct wk_ctx *ctx, const struct dpvs_service *svc,
			  struct dpvs_sched_state *st, const struct wk_pkt *pk);
uint32_t wk_sched_wlc_pick(struct wk_ctx *ctx, const struct dpvs_service *svc,
			   struct dpvs_sched_state *st, const struct wk_pkt *pk);
uint32_t wk_sched_mh_pick(struct wk_ctx *ctx, const struct dpvs_service *svc,
			  struct dpvs_sched_state *st, const struct wk_pkt *pk);
uint32_t wk_sched_conhash_pick(struct wk_ctx *ctx, const struct dpvs_service *svc,
			       struct dpvs_sched_state *st, const struct wk_pkt *pk);

/* This worker's connections to dest slot d: active and inactive from its
 * dest_stats row when the row belongs to the dest now in slot d, else 0. */
void wk_sched_dest_conns(const struct wk_ctx *ctx, uint32_t d, uint64_t *active,
			 uint64_t *inactive);

/* The connections (active + inactive) of dest slot d, whose id is id, on
 * every worker: this worker's row and the peers' (ctx->shm->wr[w]), read
 * read-only; a row counts only when it belongs to that dest. Used by the
 * -x / -y thresholds (sched.c says how exact it is). */
uint64_t wk_sched_dest_conns_node(const struct wk_ctx *ctx, uint32_t d, uint32_t id);

/* LVS's connection overhead of dest slot d on this worker:
 * active * 256 + inactive (ip_vs_dest_conn_overhead), saturated at 2^32-1
 * so that overhead * weight fits 64 bits. */
uint64_t wk_sched_overhead(const struct wk_ctx *ctx, uint32_t d);

/* wk_dest_available() for a dest with an upper threshold, or one this
 * worker marked overloaded (sched.c). */
int wk_dest_threshold_ok(const struct wk_ctx *ctx, uint32_t d, const struct dpvs_dest *dest);

/* wk_dest_available(), inline for the schedulers' loops: a dest without
 * an upper threshold nor this worker's overload mark (the common case)
 * costs a few loads, the rest goes to wk_dest_threshold_ok(). */
static inline int
wk_sched_dest_ok(const struct wk_ctx *ctx, uint32_t d)
{
	const struct dpvs_dest *dest;

	if (d >= ctx->cfg->lb.caps.dests)
		return 0;
	dest = &dpvs_lb_dests(&ctx->cfg->lb)[d];
	if (dest->id == 0 || dest->weight <= 0)
		return 0;
	if (likely(dest->u_threshold == 0) &&
	    likely(dpvs_wr_dest_stats(ctx->wr)[d].overload_id != dest->id))
		return 1;
	return wk_dest_threshold_ok(ctx, d, dest);
}

/* mh and conhash: the dest of the packet's bucket in the service's table,
 * or of the following buckets when that one's dest is unavailable (at most
 * WK_SCHED_HASH_TRIES distinct dests tried); DPVS_DEST_NONE otherwise. */
#define WK_SCHED_HASH_TRIES 8
uint32_t wk_sched_table_pick(struct wk_ctx *ctx, const struct dpvs_service *svc,
			     const struct wk_pkt *pk);

/* Round robin's pick (sched_rr.c) for service svc in slot slot: inline
 * so that wk_sched_pick takes rr, the default, without the table's call. */
static __rte_always_inline uint32_t
wk_sched_rr_next(struct wk_ctx *ctx, const struct dpvs_service *svc, uint32_t slot,
		 struct dpvs_sched_state *st)
{
	const uint32_t *dl = dpvs_lb_svc_dests(&ctx->cfg->lb, slot);
	/* the cursor is below n but after the list shrank: no division then */
	uint32_t n = svc->ndests, i = st->cursor < n ? st->cursor : st->cursor % n, k;

	for (k = 0; k < n; k++) {
		uint32_t d = dl[i];

		if (++i == n)
			i = 0;
		if (wk_sched_dest_ok(ctx, d)) {
			st->cursor = i;
			return d;
		}
	}
	return DPVS_DEST_NONE;
}

/* The scheduling state of service s in slot svc, started again when the
 * slot holds another service than at its last pick; NULL when s cannot
 * pick (no service, no dests). wk_sched_pick's and wk_sched_pick_inl's. */
static __rte_always_inline struct dpvs_sched_state *
wk_sched_state(struct wk_ctx *ctx, const struct dpvs_service *s, uint16_t svc)
{
	struct dpvs_sched_state *st;

	if (s->id == 0 || s->ndests == 0 || s->ndests > ctx->cfg->lb.caps.svc_dests)
		return NULL;
	st = &dpvs_wr_sched(ctx->wr)[svc];
	if (st->svc_id != s->id) {
		st->svc_id = s->id;
		st->cursor = 0;
		st->cw = 0;
	}
	return st;
}

/* wk_sched_pick for the new-connection path, inline: round robin, the
 * default, without a call, with wk_sched_pick's tests of the service in
 * the same order of outcome (a service of another scheduler goes there). */
static __rte_always_inline uint32_t
wk_sched_pick_inl(struct wk_ctx *ctx, uint16_t svc, const struct wk_pkt *pk)
{
	const struct dpvs_service *s;
	struct dpvs_sched_state *st;

	if (svc >= ctx->cfg->lb.caps.services)
		return DPVS_DEST_NONE;
	s = dpvs_lb_svc(&ctx->cfg->lb, svc);
	if (unlikely(s->sched_id != DPVS_SCHED_RR))
		return wk_sched_pick(ctx, svc, pk);
	st = wk_sched_state(ctx, s, svc);
	return st == NULL ? DPVS_DEST_NONE : wk_sched_rr_next(ctx, s, svc, st);
}

#endif
