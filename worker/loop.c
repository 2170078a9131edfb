/*
 * The worker loop: each iteration applies a change of the packet captures
 * (capture.c), loads the active config set once, polls
 * every data port, drains the arp ring, the redirect rings from the peers
 * and the from-kernel rings, reaps expired connections and retries ARP for
 * held packets (bounded work each), flushes the tx buffers, reports a
 * quiescent state on the RCU and refreshes the heartbeat (with the time read
 * once at the start of the iteration, as the packets see it). When idle it
 * sleeps conf.idle_sleep_us (0 = pure polling). Before each iteration it
 * checks whether the primary asked this incarnation to hand over (planned
 * restart): that is the burst boundary at which it stops.
 * Touches this worker's region, stats row and its part of its slot (self);
 * reads stop_req in the primary's part.
 */
#include <time.h>

#include <rte_rcu_qsbr.h>

#include "shm/pool_ops.h"
#include "worker/ipvs/lbpath.h"
#include "worker/worker.h"

/* Empty iterations before the worker starts sleeping. */
#define WK_IDLE_SPIN 16
/* Flushes tried when stopping while a tx queue refuses packets. */
#define WK_STOP_FLUSH_TRIES 1000

unsigned int
wk_loop_once(struct wk_ctx *ctx)
{
	unsigned int work = 0;
	uint64_t now;
	uint16_t p;

	wk_capture_poll(ctx);
	ctx->cfg = dpvs_config_active(ctx->shm);
	wk_if_refresh(ctx); /* a VLAN interface added or removed */
	/* one clock read per iteration, for the packets and the heartbeat */
	now = dpvs_now_ns();
	ctx->now_ns = ctx->fixed_now_ns != 0 ? ctx->fixed_now_ns : now;
	for (p = 0; p < ctx->nports; p++)
		work += wk_rx_port(ctx, p);
	work += wk_arp_ring_drain(ctx);
	work += wk_redirect_drain(ctx);
	work += wk_kni_drain(ctx);
	work += wk_ipvs_expire(ctx);
	work += wk_neigh_hold_tick(ctx);
	work += wk_tx_flush_all(ctx);
	rte_rcu_qsbr_quiescent(ctx->shm->rcu, ctx->id);
	ctx->self->heartbeat_ns = now; /* the iteration's start: a few us old */
	ctx->st->loops++;
	if (work != 0)
		ctx->st->busy_loops++;
	return work;
}

static void
wk_idle(struct wk_ctx *ctx)
{
	struct timespec ts;

	if (ctx->idle_sleep_us == 0 || ++ctx->idle_polls < WK_IDLE_SPIN)
		return;
	ts.tv_sec = ctx->idle_sleep_us / 1000000;
	ts.tv_nsec = (long)(ctx->idle_sleep_us % 1000000) * 1000;
	nanosleep(&ts, NULL);
}

/* Asked to hand over? One load of the slot's primary-written line. */
static inline int
wk_handover_asked(const struct wk_ctx *ctx)
{
	return ctx->inc != 0 &&
	       __atomic_load_n(&ctx->sup->stop_req, __ATOMIC_ACQUIRE) == ctx->inc;
}

int
wk_run(struct wk_ctx *ctx, const volatile sig_atomic_t *stop)
{
	unsigned int tries;
	int handover = 0;

	while (*stop == 0) {
		/* the primary turned the pool's caches off: flush ours, once */
		dpvs_pool_cache_poll(ctx->pool);
		if (wk_handover_asked(ctx)) {
			handover = 1;
			break;
		}
		if (wk_loop_once(ctx) != 0)
			ctx->idle_polls = 0;
		else
			wk_idle(ctx);
	}
	/* leave as little as possible in the tx buffers (a successor of a
	 * planned handover sends what is left; see wk_ctx_recover_planned) */
	for (tries = 0; tries < WK_STOP_FLUSH_TRIES && wk_tx_pending(ctx) > 0; tries++)
		wk_tx_flush_all(ctx);
	return handover;
}
