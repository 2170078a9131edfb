/*
 * The end of a process of the worker binary, booked (see supervise.h): its
 * reap (sup_wproc_died: its lcore id's pool cache dropped first, then by
 * what it was: a standby, a serving worker, a taker, a process leaving
 * after its handover), and a serving process seen in the kernel's exit
 * before its reap (sup_worker_exiting: from the watch of its robust mutex,
 * sup_watch.c, or the EOF of its event pipe, sup_wproc_eof). For a death of
 * the role's holder (crash, hang): RCU offline, the repair of its magazine
 * and ring sides, dead_inc, then a restart, a backoff or FAILED
 * (slot_death); a planned handover goes on or is withdrawn. Spawning, TAKE
 * and the processes' events are sup_worker.c. Main thread of the primary
 * only; writes the primary's part of root->workers[] (sup) and the RCU's
 * online state of a dead worker; reads the worker's part (self: released,
 * heartbeat).
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <rte_rcu_qsbr.h>

#include "shm/shm.h"
#include "log.h"
#include "supervise.h"

/* Whether incarnation inc released c's slot at a burst boundary (planned
 * handover): it left its pool magazine and ring sides consistent, and they
 * may be its successor's already. */
static int
slot_released(struct supervisor *s, const struct sup_child *c, uint32_t inc)
{
	const struct dpvs_worker_slot *slot = sup_worker_slot(s, c->id);

	return slot != NULL && inc != 0 &&
	       __atomic_load_n(&slot->self.released, __ATOMIC_ACQUIRE) == inc;
}

/*
 * The process that held worker c's role died at now: the polling process,
 * or a taker that may have passed its wait. Nobody else holds the role
 * (callers make sure: a process that released the slot goes to
 * serving_gone instead). RCU offline, then the repair of its magazine and
 * ring sides, then dead_inc, which a waiting successor watches.
 */
static void
slot_death(struct supervisor *s, struct sup_child *c, int status, uint64_t lived, int hung,
	   uint64_t now)
{
	struct dpvs_worker_slot *slot = sup_worker_slot(s, c->id);
	char how[128];

	sup_status_str(status, how, sizeof(how));
	/* a dead worker must never hold up dpvs-ctl's config publication */
	if (s->rcu != NULL)
		rte_rcu_qsbr_thread_offline(s->rcu, c->id);
	sup_repair_after_death(s, SUP_WORKER, c->id);
	if (slot != NULL) {
		slot->sup.last_status = status;
		slot->sup.last_exit_ns = now;
		slot->sup.last_exit = hung ? DPVS_EXIT_HANG : DPVS_EXIT_CRASH;
		/* a standby waiting for this incarnation may go on now */
		__atomic_store_n(&slot->sup.dead_inc, c->poll_inc, __ATOMIC_RELEASE);
	}
	c->planned = 0;
	if (s->stopping) {
		PLOG(INFO, "%s stopped: %s", c->name, how);
		c->pid = 0;
		sup_slot_publish(s, c, DPVS_WORKER_STOPPED);
		return;
	}
	if (sup_death_is_fatal(status)) {
		PLOG(ERR, "%s %s: a restart cannot fix this, stopping the node", c->name, how);
		s->fatal = 1;
		c->pid = 0;
		sup_slot_publish(s, c, DPVS_WORKER_STOPPED);
		return;
	}
	c->young = lived < SUP_SHORT_LIFE_NS ? c->young + 1 : 0;
	if (c->taker >= 0) {
		/* a planned handover was under way: its taker goes on */
		PLOG(WARNING, "%s (incarnation %u) %s during a planned handover; its successor "
		     "recovers", c->name, c->poll_inc, hung ? "hung" : how);
		c->pid = s->wproc[c->taker].pid;
		sup_slot_publish(s, c, DPVS_WORKER_STARTING);
		return;
	}
	c->pid = 0;
	if (c->young >= SUP_FAIL_AFTER) {
		c->failed = 1;
		PLOG(ERR, "%s failed: it died %u times in a row, each within %llu ms of its "
		     "start; the last %s. Likely: %s. Not restarting it (dpvsctl worker "
		     "restart %u tries again)", c->name, c->young,
		     SUP_SHORT_LIFE_NS / 1000000ull, how, sup_likely_reason(status), c->id);
		sup_slot_publish(s, c, DPVS_WORKER_FAILED);
		return;
	}
	/* the first young death is replaced at once (a standby is cheap); a
	 * second one in a row backs off */
	c->backoff_ms = c->young <= 1 ? 0 : sup_backoff_ms(c->backoff_ms, lived);
	c->due_ns = now + (uint64_t)c->backoff_ms * 1000000ull;
	c->pending = 1;
	if (hung)
		PLOG(WARNING, "%s (incarnation %u) stopped beating for %u ms: killed; replacing "
		     "it", c->name, c->poll_inc, s->hang_ms);
	else if (c->backoff_ms == 0)
		PLOG(WARNING, "%s died after %" PRIu64 " ms: %s; replacing it at once (seen %"
		     PRIu64 " us after its last beat)", c->name, lived / 1000000u, how,
		     slot != NULL && now > slot->self.heartbeat_ns ? (now - slot->self.heartbeat_ns) / 1000u : 0);
	else
		PLOG(WARNING, "%s died after %" PRIu64 " ms: %s; it keeps dying, next start in "
		     "%u ms", c->name, lived / 1000000u, how, c->backoff_ms);
	sup_slot_publish(s, c, c->backoff_ms > 0 ? DPVS_WORKER_BACKOFF : DPVS_WORKER_STARTING);
}

/* A planned handover of c whose taker died before the old process released
 * the slot: the old process still holds the role and polls, so it keeps
 * serving; stop_req is withdrawn. If it saw stop_req already, it releases
 * and exits, and serving_gone hands the released slot on. */
static void
handover_cancel(struct supervisor *s, struct sup_child *c)
{
	struct dpvs_worker_slot *slot = sup_worker_slot(s, c->id);

	c->planned = 0;
	if (slot == NULL)
		return;
	__atomic_store_n(&slot->sup.stop_req, 0, __ATOMIC_RELEASE);
	slot->sup.pid = s->wproc[c->proc].pid;
	slot->sup.lcore_id = s->wproc[c->proc].lcore;
	__atomic_store_n(&slot->sup.incarnation, c->poll_inc, __ATOMIC_RELEASE);
}

/* The taker of c died before it polled. */
static void
taker_death(struct supervisor *s, struct sup_child *c, struct sup_wproc *wp, int status,
	    uint64_t now)
{
	uint64_t since = c->proc >= 0 ? wp->take_ns : c->started_ns;
	char how[128];

	c->taker = -1;
	sup_status_str(status, how, sizeof(how));
	PLOG(WARNING, "%s: the process taking it over (pid %d) %s before it polled", c->name,
	     (int)wp->pid, wp->hung ? "hung" : how);
	if (c->proc >= 0 && !slot_released(s, c, c->poll_inc)) {
		/* planned, and the old process has not let go: no repair, it
		 * holds the role */
		PLOG(WARNING, "%s: handover withdrawn; incarnation %u keeps serving", c->name,
		     c->poll_inc);
		handover_cancel(s, c);
		return;
	}
	if (c->proc >= 0) {
		/* planned, released: the taker may have taken the role; the old
		 * process exits by itself */
		s->wproc[c->proc].role = SUP_WP_LEAVING;
		s->wproc[c->proc].slot = -1;
		c->proc = -1;
	}
	slot_death(s, c, status, now - since, (int)wp->hung, now);
}

/*
 * The polling process of c (wproc w, or none in unit tests) is gone. If it
 * had released the slot (planned handover, then exit), that is no death: the
 * taker goes on, or, if the handover was withdrawn meanwhile, a new process
 * is handed the released slot (it takes it as a planned handover, without a
 * repair). Otherwise it died holding the role: slot_death.
 */
static void
serving_gone(struct supervisor *s, struct sup_child *c, int w, int status, int hung,
	     uint64_t now)
{
	c->proc = -1;
	if (!slot_released(s, c, c->poll_inc)) {
		slot_death(s, c, status, now - c->started_ns, hung, now);
		return;
	}
	if (w >= 0) {
		s->wproc[w].role = SUP_WP_LEAVING;
		s->wproc[w].slot = -1;
	}
	if (c->taker >= 0 || s->stopping)
		return;
	PLOG(WARNING, "%s (incarnation %u) released its slot with no successor: handing it on",
	     c->name, c->poll_inc);
	c->planned = 1;
	c->pid = 0;
	c->pending = 1;
	c->due_ns = now;
	sup_slot_publish(s, c, DPVS_WORKER_STARTING);
}

static void
note_leaving(struct supervisor *s, struct sup_wproc *wp, int status)
{
	char how[128];

	(void)s;
	sup_status_str(status, how, sizeof(how));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		PLOG(DEBUG, "worker process %d exited after its handover", (int)wp->pid);
	else
		PLOG(WARNING, "worker process %d %s after it handed over or was retired",
		     (int)wp->pid, how);
}

static void
standby_death(struct supervisor *s, struct sup_wproc *wp, int status, uint64_t now)
{
	uint64_t lived = now - wp->started_ns;
	char how[128];

	if (s->stopping)
		return;
	sup_status_str(status, how, sizeof(how));
	s->standby_backoff_ms = sup_backoff_ms(s->standby_backoff_ms, lived);
	s->standby_due_ns = now + (uint64_t)s->standby_backoff_ms * 1000000ull + 1;
	PLOG(WARNING, "standby worker process %d %s%s; next standby in %u ms", (int)wp->pid, how,
	     sup_death_is_fatal(status) ? " (it refuses this node: see its message)" : "",
	     s->standby_backoff_ms);
}

void
sup_slot_died(struct supervisor *s, struct sup_child *c, int status, uint64_t now)
{
	serving_gone(s, c, -1, status, (int)c->hung, now);
}

/* The process is in the kernel's exit: PF_EXITING (0x4) in /proc/PID/stat. */
static int
proc_exiting(pid_t pid)
{
	char path[64], buf[512], *p;
	unsigned long flags = 0;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (p == NULL || (p = strrchr(buf, ')')) == NULL)
		return 1;
	/* after "(comm)": state ppid pgrp session tty tpgid flags */
	for (i = 0; i < 7 && p != NULL; i++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p + 1, "%lu", &flags) != 1)
		return 1;
	return (flags & 0x4ul) != 0;
}

/*
 * The event pipe of a worker process reached EOF: the kernel closes a dying
 * process's files after it has unmapped its memory, and long before it
 * reaps it (closing a tap queue's fds waits for network RCU grace periods:
 * 20-300 ms measured under load). A process in its exit can no longer
 * touch a queue or shared memory, so its death is booked now, and its
 * successor starts without waiting for SIGCHLD. A young process is left to
 * the reap, whose wait status the crash-loop message needs; one that closed
 * the pipe while alive breaks the protocol and is killed.
 */
void
sup_wproc_eof(struct supervisor *s, int w, uint64_t now)
{
	struct sup_wproc *wp = &s->wproc[w];

	if (wp->role != SUP_WP_WORKER || wp->slot < 0 || wp->gone)
		return;
	if (!proc_exiting(wp->pid)) {
		PLOG(WARNING, "worker process %d closed its event pipe: killing it", (int)wp->pid);
		kill(wp->pid, SIGKILL);
		return;
	}
	sup_worker_exiting(s, (uint32_t)wp->slot, wp->pid, now);
}

void
sup_worker_exiting(struct supervisor *s, uint32_t id, pid_t pid, uint64_t now)
{
	struct sup_child *c = sup_worker_child(s, id);
	struct sup_wproc *wp;

	(void)pid; /* the kernel clears the owner's TID when it marks a robust
		    * mutex owner-dead: the slot says whom it was */
	if (c->proc < 0 || c->kind != SUP_WORKER)
		return;
	wp = &s->wproc[c->proc];
	/* while the node stops, nothing waits: the reap books it with its real
	 * wait status */
	if (wp->gone || s->stopping || now - c->started_ns < SUP_SHORT_LIFE_NS ||
	    !proc_exiting(wp->pid))
		return;
	wp->gone = 1;
	serving_gone(s, c, c->proc, SIGKILL, (int)wp->hung, now);
}

void
sup_wproc_died(struct supervisor *s, int w, int status, uint64_t now)
{
	struct sup_wproc *wp = &s->wproc[w];
	struct sup_child *c = wp->slot >= 0 ? sup_worker_child(s, (uint32_t)wp->slot) : NULL;
	char name[48];

	/* reaped: its lcore id's pool cache is emptied before the id is free */
	snprintf(name, sizeof(name), "worker process %d", (int)wp->pid);
	sup_lcore_discard(s, wp->lcore, name);
	sup_close_fd(&wp->cmd_fd);
	sup_close_fd(&wp->ev_fd);
	wp->status = status;
	wp->reaped = 1;
	if (wp->gone) {
		/* booked when it began to exit; now its wait status is known */
		char how[128];

		sup_status_str(status, how, sizeof(how));
		if (c != NULL && s->root != NULL && s->root->workers[c->id].sup.dead_inc == wp->inc)
			s->root->workers[c->id].sup.last_status = status;
		PLOG(INFO, "worker process %d (incarnation %u) reaped: %s", (int)wp->pid, wp->inc,
		     how);
		if (sup_death_is_fatal(status) && !s->stopping) {
			PLOG(ERR, "%s %s: a restart cannot fix this, stopping the node",
			     c != NULL ? c->name : "worker", how);
			s->fatal = 1;
		}
		wp->pid = 0;
		wp->role = SUP_WP_FREE;
		wp->slot = -1;
		return;
	}
	switch (wp->role) {
	case SUP_WP_STANDBY:
		standby_death(s, wp, status, now);
		break;
	case SUP_WP_WORKER:
		if (c != NULL && c->proc == w) {
			serving_gone(s, c, w, status, (int)wp->hung, now);
			if (wp->role == SUP_WP_LEAVING)
				note_leaving(s, wp, status);
		} else if (c != NULL && c->taker == w) {
			taker_death(s, c, wp, status, now);
		}
		break;
	case SUP_WP_LEAVING:
		note_leaving(s, wp, status);
		break;
	case SUP_WP_CHECK:
		wp->pid = 0;
		return; /* sup_cmd.c reads status and output, then frees it */
	default:
		break;
	}
	wp->pid = 0; /* frees its lcore id */
	wp->role = SUP_WP_FREE;
	wp->slot = -1;
}
