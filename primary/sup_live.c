/*
 * The liveness check of the worker processes (see supervise.h): a serving
 * worker whose heartbeat stopped for [supervise] hang_timeout_ms (taken
 * offline for the RCU at once, so that the next publication does not wait
 * for it), a taker that has not taken its slot over and a standby that has
 * not attached within SUP_START_TIMEOUT_NS are killed; their deaths are then
 * booked as any other (sup_death.c, hang recorded). Main thread of the
 * primary only; reads the workers' heartbeat and released fields.
 */
#include <inttypes.h>
#include <signal.h>

#include <rte_rcu_qsbr.h>

#include "shm/shm.h"
#include "log.h"
#include "supervise.h"

static void
kill_hung(struct sup_wproc *wp, const char *what, const char *how, uint64_t since)
{
	wp->hung = 1;
	PLOG(WARNING, "%s (pid %d) %s for %" PRIu64 " ms: killing it", what, (int)wp->pid, how,
	     since / 1000000u);
	kill(wp->pid, SIGKILL);
}

void
sup_check_liveness(struct supervisor *s, uint64_t now)
{
	uint64_t hang = (uint64_t)s->hang_ms * 1000000ull, hb, base;
	unsigned int i;

	for (i = 0; i < s->nworkers; i++) {
		struct sup_child *c = sup_worker_child(s, i);
		struct dpvs_worker_slot *slot = sup_worker_slot(s, i);

		if (c->taker >= 0 && !s->wproc[c->taker].hung &&
		    now - s->wproc[c->taker].take_ns > SUP_START_TIMEOUT_NS)
			kill_hung(&s->wproc[c->taker], c->name, "has not taken its slot over",
				  now - s->wproc[c->taker].take_ns);
		if (c->proc < 0 || s->wproc[c->proc].hung || s->wproc[c->proc].gone || slot == NULL)
			continue;
		/* released (planned handover under way): the taker is watched */
		if (__atomic_load_n(&slot->self.released, __ATOMIC_ACQUIRE) == c->poll_inc)
			continue;
		hb = __atomic_load_n(&slot->self.heartbeat_ns, __ATOMIC_RELAXED);
		base = RTE_MAX(hb, c->started_ns);
		if (now > base && now - base > hang) {
			/* offline at once: the next publication must not wait for it */
			if (s->rcu != NULL)
				rte_rcu_qsbr_thread_offline(s->rcu, i);
			kill_hung(&s->wproc[c->proc], c->name, "has not beaten", now - base);
		}
	}
	for (i = 0; i < SUP_MAX_WPROC; i++) {
		struct sup_wproc *wp = &s->wproc[i];

		if (wp->pid > 0 && wp->role == SUP_WP_STANDBY && !wp->ready && !wp->hung &&
		    now - wp->started_ns > SUP_START_TIMEOUT_NS)
			kill_hung(wp, "standby", "has not attached", now - wp->started_ns);
	}
}
