/*
 * Internal helpers of the connection table shared by worker/ipvs/conn.c (hash,
 * slots, rebuild) and worker/ipvs/conn_timer.c (the wheel). Not an API: other
 * files use worker/ipvs/conn.h. Called only by the owning worker.
 *
 * Wheel links: a connection on the wheel sits in a doubly linked list
 * through tnext/tprev. The first of a slot's list has tprev =
 * CONN_TPREV_HEAD | slot, so it can be unlinked without knowing where it was
 * filed; a connection on no list has tprev = DPVS_CONN_NIL. Free slots are
 * chained through tnext from free_head.
 */
#ifndef DPVS_WORKER_CONN_PRIV_H
#define DPVS_WORKER_CONN_PRIV_H

#include <stdint.h>

#include <rte_common.h>

#include "shm/conn.h"
#include "shm/shm.h"

#define CONN_TPREV_HEAD 0x80000000u

/* Empty the wheel and start it at now_ns (every earlier tick is done). */
void wk_conn_timer_reset(struct dpvs_conn_table *ct, uint64_t now_ns);

/* The wheel's links, inline: a new connection arms its timer and an
 * evicted or closed one disarms it (conn.c), once each per SYN into a full
 * table; conn_timer.c files the rest. */
/* Far timers are spread over this many slots before the wheel's end. */
#define TIMER_SPREAD          256u
_Static_assert((TIMER_SPREAD & (TIMER_SPREAD - 1)) == 0 && TIMER_SPREAD < DPVS_CONN_WHEEL_SLOTS,
	       "TIMER_SPREAD: a power of two, well inside the wheel");

static __rte_always_inline uint64_t
conn_ns_tick(uint64_t ns)
{
	return ns / DPVS_CONN_TICK_NS;   /* constant divisor: a multiply */
}

/* Put idx at the head of the list of tick t (t within the wheel's reach). */
static __rte_always_inline void
conn_timer_link(struct dpvs_conn_table *ct, struct dpvs_conn *conns, uint32_t idx, uint64_t t)
{
	uint32_t *wheel = dpvs_conn_wheel(ct);
	uint32_t s = (uint32_t)(t & (DPVS_CONN_WHEEL_SLOTS - 1));
	struct dpvs_conn *c = &conns[idx];

	c->tnext = wheel[s];
	c->tprev = CONN_TPREV_HEAD | s;
	if (c->tnext != DPVS_CONN_NIL)
		conns[c->tnext].tprev = idx;
	wheel[s] = idx;
}

/* The tick to file connection idx expiring at exp_ns under, counted from
 * base, the last tick processed (or being processed). One beyond the wheel's
 * reach goes near its far end, spread by index over TIMER_SPREAD slots so that
 * many long timers set at once do not come round as one clump. */
static __rte_always_inline uint64_t
conn_timer_target(uint64_t base, uint64_t exp_ns, uint32_t idx)
{
	uint64_t t = conn_ns_tick(exp_ns);

	if (t <= base)
		return base + 1;
	if (t > base + DPVS_CONN_WHEEL_SLOTS - 1)
		return base + DPVS_CONN_WHEEL_SLOTS - 1 - (idx & (TIMER_SPREAD - 1));
	return t;
}

/* File connection idx (not on the wheel) by its expires_ns. */
static __rte_always_inline void
wk_conn_timer_arm(struct dpvs_conn_table *ct, uint32_t idx)
{
	struct dpvs_conn *conns = dpvs_conn_array(ct);

	conn_timer_link(ct, conns, idx, conn_timer_target(ct->wheel_tick, conns[idx].expires_ns, idx));
}

/* Take connection idx off the wheel if it is on it. */
static __rte_always_inline void
wk_conn_timer_disarm(struct dpvs_conn_table *ct, uint32_t idx)
{
	struct dpvs_conn *conns = dpvs_conn_array(ct);
	struct dpvs_conn *c = &conns[idx];

	if (c->tprev == DPVS_CONN_NIL)
		return;
	if ((c->tprev & CONN_TPREV_HEAD) != 0)
		dpvs_conn_wheel(ct)[c->tprev & ~CONN_TPREV_HEAD] = c->tnext;
	else
		conns[c->tprev].tnext = c->tnext;
	if (c->tnext != DPVS_CONN_NIL)
		conns[c->tnext].tprev = c->tprev;   /* carries the head mark on */
	c->tnext = c->tprev = DPVS_CONN_NIL;
}

#endif
