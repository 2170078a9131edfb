/*
 * The timer wheel of a worker's connection table (worker/ipvs/conn.h): arming,
 * re-arming and bounded expiry.
 *
 * In: a struct dpvs_conn_table, connection indices, CLOCK_MONOTONIC times.
 * Out: the indices of connections whose time has come. Touches only that
 * table's wheel, wheel_tick and the tnext/tprev links; called only by the
 * owning worker.
 *
 * The wheel has DPVS_CONN_WHEEL_SLOTS slots of DPVS_CONN_TICK_NS; tick t is
 * slot t & (slots - 1). wheel_tick is the last tick fully processed; tick t is
 * processed only once it is over (now >= (t + 1) * TICK), so a connection is
 * never reported before its expires_ns and at most about one tick after it.
 *
 * expires_ns is the truth; the wheel only says when to look. A connection is
 * filed no later than its expiry tick, but no further than slots - 1 ticks
 * ahead (far ones spread over the last TIMER_SPREAD slots); when its slot
 * comes up it is reported if expires_ns has passed, and filed again
 * otherwise. So re-arming for a later time only stores
 * expires_ns (the common per-packet case costs no list work), long timeouts
 * just come round a few times, and a worker that was away catches up without
 * losing anyone: after a gap of more than a whole turn, the wheel skips ahead
 * so that one turn over the slots visits every connection.
 */
#include <stdint.h>

#include <rte_common.h>

#include "shm/shm.h"
#include "worker/ipvs/conn_table.h"
#include "worker/ipvs/conn_priv.h"

/* Slots examined (and connections re-filed) per call, beyond max reported:
 * bounds one call's work whatever the wheel holds. */
#define TIMER_WORK_PER_REPORT 8u
#define TIMER_MIN_WORK        256u
_Static_assert((DPVS_CONN_WHEEL_SLOTS & (DPVS_CONN_WHEEL_SLOTS - 1)) == 0,
	       "wheel slots: a power of two");

void
wk_conn_timer_reset(struct dpvs_conn_table *ct, uint64_t now_ns)
{
	uint32_t *wheel = dpvs_conn_wheel(ct);
	uint64_t t = conn_ns_tick(now_ns);
	uint32_t i;

	for (i = 0; i < DPVS_CONN_WHEEL_SLOTS; i++)
		wheel[i] = DPVS_CONN_NIL;
	ct->wheel_slots = DPVS_CONN_WHEEL_SLOTS;
	ct->wheel_tick = t > 0 ? t - 1 : 0;
}

void
wk_conn_set_timer(struct dpvs_conn_table *ct, uint32_t idx, uint64_t expires_ns)
{
	struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];

	/* Filed no later than the old expiry, so no later than a later one:
	 * nothing to move. */
	if (c->tprev != DPVS_CONN_NIL && expires_ns >= c->expires_ns) {
		c->expires_ns = expires_ns;
		return;
	}
	wk_conn_timer_disarm(ct, idx);
	c->expires_ns = expires_ns;
	wk_conn_timer_arm(ct, idx);
}

uint32_t
wk_conn_expire(struct dpvs_conn_table *ct, uint64_t now_ns, uint32_t *out, uint32_t max)
{
	struct dpvs_conn *conns = dpvs_conn_array(ct);
	uint32_t *wheel = dpvs_conn_wheel(ct);
	uint64_t now_tick = conn_ns_tick(now_ns), t;
	uint32_t n = 0, work = RTE_MAX(max * TIMER_WORK_PER_REPORT, TIMER_MIN_WORK);

	if (now_tick == 0 || ct->wheel_tick >= now_tick - 1)
		return 0;   /* nothing has finished since the last call */
	/* Away for more than a turn: every connection sits in some slot, and a
	 * turn ending at the last finished tick visits each slot once. */
	if (now_tick - 1 - ct->wheel_tick > DPVS_CONN_WHEEL_SLOTS)
		ct->wheel_tick = now_tick - 1 - DPVS_CONN_WHEEL_SLOTS;
	while (ct->wheel_tick < now_tick - 1 && n < max && work > 0) {
		uint32_t s, idx;

		t = ct->wheel_tick + 1;
		s = (uint32_t)(t & (DPVS_CONN_WHEEL_SLOTS - 1));
		work--;
		/* Take from the head until the slot is empty; what is filed again
		 * goes at most slots - 1 ticks ahead, never back into slot s. */
		while ((idx = wheel[s]) != DPVS_CONN_NIL && n < max && work > 0) {
			struct dpvs_conn *c = &conns[idx];

			wk_conn_timer_disarm(ct, idx);
			if (c->expires_ns <= now_ns) {
				out[n++] = idx;
				continue;
			}
			work--;
			conn_timer_link(ct, conns, idx, conn_timer_target(t, c->expires_ns, idx));
		}
		if (wheel[s] != DPVS_CONN_NIL)
			break;   /* out of budget: finish this tick next time */
		ct->wheel_tick = t;
	}
	return n;
}
