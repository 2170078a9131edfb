/*
 * Worker slots and the processes of the worker binary (see supervise.h):
 * spawning standbys, handing a slot to a standby (TAKE), booking deaths
 * (crash, hang) and handovers (planned); the liveness check is
 * sup_live.c. Main thread of the primary only; writes the primary's part of
 * root->workers[] (sup) and the RCU's online state of a dead worker; reads
 * the worker's part (self: heartbeat, released).
 *
 * Which process may poll a worker's queues and hold its pool role is
 * decided here, and only one at a time: a successor is always told the
 * incarnation last allowed to poll (old_inc) and starts only once that one
 * has released the slot at a burst boundary (planned: no repair) or is known
 * dead (dead_inc, stored after sup_repair_after_death()). Known dead means
 * reaped, or in the kernel's exit (sup_worker_exiting): either way it never
 * runs user code again.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_rcu_qsbr.h>

#include "shm/shm.h"
#include "cpu.h"
#include "log.h"
#include "stale.h"
#include "supervise.h"

int
sup_wproc_find(const struct supervisor *s, pid_t pid)
{
	unsigned int i;

	for (i = 0; pid > 0 && i < SUP_MAX_WPROC; i++)
		if (s->wproc[i].pid == pid)
			return (int)i;
	return -1;
}

static int
lcore_free(const struct supervisor *s, unsigned int l)
{
	unsigned int i;

	for (i = 0; i < SUP_MAX_WPROC; i++)
		if (s->wproc[i].pid > 0 && s->wproc[i].lcore == l)
			return 0;
	/* its last holder is dead but its pool cache not yet emptied */
	return l >= sizeof(s->lcore_dirty) || !s->lcore_dirty[l];
}

/* The preferred id if free, else the lowest free one; 0 if none. */
static unsigned int
lcore_alloc(const struct supervisor *s, int prefer)
{
	unsigned int l;

	if (prefer >= DPVS_LCORE_WORKER_MIN && prefer <= DPVS_LCORE_WORKER_MAX &&
	    lcore_free(s, (unsigned int)prefer))
		return (unsigned int)prefer;
	for (l = DPVS_LCORE_WORKER_MIN + s->nworkers; l <= DPVS_LCORE_WORKER_MAX; l++)
		if (lcore_free(s, l))
			return l;
	for (l = DPVS_LCORE_WORKER_MIN; l <= DPVS_LCORE_WORKER_MAX; l++)
		if (lcore_free(s, l))
			return l;
	return 0;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int
sup_wproc_spawn(struct supervisor *s, uint32_t role, int prefer_lcore, uint64_t now)
{
	char lc[16];
	char *argv[8];
	int cmdp[2] = { -1, -1 }, evp[2] = { -1, -1 }, fds[2];
	struct sup_wproc *wp = NULL;
	unsigned int i, lcore;
	pid_t pid;

	for (i = 0; i < SUP_MAX_WPROC && wp == NULL; i++)
		if (s->wproc[i].pid == 0 && s->wproc[i].role == SUP_WP_FREE)
			wp = &s->wproc[i];
	lcore = lcore_alloc(s, prefer_lcore);
	if (wp == NULL || lcore == 0) {
		PLOG(ERR, "no room for another worker process (%s)",
		     wp == NULL ? "process table full" : "no free lcore id");
		return -1;
	}
	if (pipe2(cmdp, O_CLOEXEC) != 0 || pipe2(evp, O_CLOEXEC) != 0) {
		PLOG(ERR, "pipe: %s", strerror(errno));
		close_fd(&cmdp[0]);
		close_fd(&cmdp[1]);
		return -1;
	}
	snprintf(lc, sizeof(lc), "%u", lcore);
	argv[0] = role == SUP_WP_CHECK ? s->cmd.path : s->worker_bin;
	argv[1] = (char *)"--file-prefix";
	argv[2] = s->prefix;
	argv[3] = (char *)(role == SUP_WP_CHECK ? "--check" : "--standby");
	argv[4] = (char *)"--lcore";
	argv[5] = lc;
	argv[6] = NULL;
	fds[0] = cmdp[0];
	fds[1] = evp[1];
	/* its attach outranks the load of the machine (sup_prio.c) */
	if (role == SUP_WP_CHECK) /* its stdout and stderr come back on the event pipe */
		pid = sup_spawn(argv[0], argv, NULL, 0, evp[1], sup_prio_attach_nice());
	else
		pid = sup_spawn(argv[0], argv, fds, 2, -1, sup_prio_attach_nice());
	close(cmdp[0]);
	close(evp[1]);
	if (pid < 0) {
		PLOG(ERR, "cannot fork %s: %s", s->worker_bin, strerror(errno));
		close(cmdp[1]);
		close(evp[0]);
		return -1;
	}
	memset(wp, 0, sizeof(*wp));
	wp->pid = pid;
	wp->role = role;
	wp->lcore = lcore;
	s->lcore_dirty[lcore] = 1;
	wp->gen = s->gen;
	wp->cmd_fd = cmdp[1];
	wp->ev_fd = evp[0];
	wp->slot = -1;
	wp->started_ns = now;
	fcntl(wp->ev_fd, F_SETFL, O_NONBLOCK);
	fcntl(wp->cmd_fd, F_SETFL, O_NONBLOCK);
	PLOG(DEBUG, "spawned %s process %d on lcore %u",
	     role == SUP_WP_CHECK ? "check" : "standby", (int)pid, lcore);
	return (int)(wp - s->wproc);
}

int
sup_standby_find(const struct supervisor *s, int ready_only)
{
	int i, best = -1;

	for (i = 0; i < SUP_MAX_WPROC; i++) {
		const struct sup_wproc *wp = &s->wproc[i];

		if (wp->pid <= 0 || wp->role != SUP_WP_STANDBY || wp->gen != s->gen || wp->hung)
			continue;
		if (wp->ready)
			return i;
		if (!ready_only && best < 0)
			best = i;
	}
	return best;
}

void
sup_standby_retire_all(struct supervisor *s)
{
	unsigned int i;

	for (i = 0; i < SUP_MAX_WPROC; i++) {
		struct sup_wproc *wp = &s->wproc[i];

		if (wp->pid > 0 && wp->role == SUP_WP_STANDBY) {
			wp->role = SUP_WP_LEAVING;
			sup_prio_leave(s, wp->pid); /* its EAL cleanup: sup_prio.c */
			close_fd(&wp->cmd_fd); /* EOF: it exits 0 */
		}
	}
}

void
sup_standby_tick(struct supervisor *s, uint64_t now)
{
	unsigned int i, n = 0, ready = 0;

	for (i = 0; i < SUP_MAX_WPROC; i++)
		ready += s->wproc[i].pid > 0 && s->wproc[i].role == SUP_WP_STANDBY &&
			 s->wproc[i].gen == s->gen && s->wproc[i].ready && !s->wproc[i].hung;
	if (s->root != NULL)
		__atomic_store_n(&s->root->live.standby_ready, ready, __ATOMIC_RELAXED);

	if (s->stopping || s->fatal || s->nstandby == 0)
		return;
	for (i = 0; i < SUP_MAX_WPROC; i++)
		n += s->wproc[i].pid > 0 && s->wproc[i].role == SUP_WP_STANDBY &&
		     s->wproc[i].gen == s->gen;
	if (n >= s->nstandby) {
		s->standby_due_ns = 0;
		return;
	}
	if (s->standby_due_ns > now)
		return;
	/* not while a worker is being taken over: a fork of the primary and a
	 * new process's EAL start compete with the taker for the CPU */
	for (i = 0; i < s->nworkers; i++)
		if (sup_worker_child(s, i)->taker >= 0 && s->wproc[sup_worker_child(s, i)->taker].ready)
			return;
	s->standby_due_ns = 0;
	for (; n < s->nstandby; n++)
		if (sup_wproc_spawn(s, SUP_WP_STANDBY, -1, now) < 0) {
			s->standby_due_ns = now + SUP_BACKOFF_MAX_MS * 1000000ull;
			break;
		}
}

int
sup_take(struct supervisor *s, struct sup_child *c, int w, uint32_t mode, uint64_t now)
{
	struct dpvs_worker_slot *slot = sup_worker_slot(s, c->id);
	struct sup_wproc *wp = &s->wproc[w];
	struct dpvs_take_msg t = { .magic = DPVS_TAKE_MAGIC, .id = c->id, .mode = mode };

	/* never reused, also when a taker dies before it polled */
	t.inc = c->last_inc + 1;
	t.old_inc = c->poll_inc;
	if (write(wp->cmd_fd, &t, sizeof(t)) != (ssize_t)sizeof(t)) {
		PLOG(ERR, "%s: cannot hand the slot to process %d: %s", c->name, (int)wp->pid,
		     strerror(errno));
		return -1;
	}
	c->last_inc = t.inc;
	/* the primary's part names the process the slot is handed to; the
	 * worker is RUNNING once that process says so in its own part */
	if (slot != NULL) {
		slot->sup.pid = wp->pid;
		slot->sup.lcore_id = wp->lcore;
		__atomic_store_n(&slot->sup.incarnation, t.inc, __ATOMIC_RELEASE);
	}
	wp->role = SUP_WP_WORKER;
	wp->slot = (int)c->id;
	wp->inc = t.inc;
	wp->take_ns = now;
	c->taker = w;
	return 0;
}

/* The primary's part of c's slot from the child table. state is what the
 * primary knows: STARTING once the slot is handed to a process (RUNNING is
 * derived from the worker's own part, dpvs_worker_state()), BACKOFF,
 * STOPPED or FAILED. */
static void
slot_publish(struct supervisor *s, struct sup_child *c, uint32_t state)
{
	struct dpvs_worker_slot *slot = sup_worker_slot(s, c->id);

	if (slot == NULL)
		return;
	if (state == DPVS_WORKER_RUNNING)
		state = DPVS_WORKER_STARTING;
	slot->sup.pid = c->pid;
	slot->sup.restarts = c->restarts;
	slot->sup.started_ns = c->started_ns;
	if (c->proc >= 0)
		slot->sup.lcore_id = s->wproc[c->proc].lcore;
	else if (c->taker >= 0)
		slot->sup.lcore_id = s->wproc[c->taker].lcore;
	__atomic_store_n(&slot->sup.state, state, __ATOMIC_RELEASE);
}

void
sup_worker_start(struct supervisor *s, struct sup_child *c, uint64_t now)
{
	int w = sup_standby_find(s, 0);
	uint32_t mode = c->poll_inc == 0 ? DPVS_TAKE_COLD : DPVS_TAKE_CRASH;

	if (w < 0)
		w = sup_wproc_spawn(s, SUP_WP_STANDBY, c->spawned ? -1 : (int)DPVS_LCORE_WORKER(c->id),
				    now);
	if (w < 0 || sup_take(s, c, w, mode, now) != 0) {
		if (w >= 0)
			kill(s->wproc[w].pid, SIGKILL);
		c->due_ns = now + SUP_BACKOFF_MIN_MS * 1000000ull;
		return;
	}
	if (c->spawned)
		c->restarts++;
	c->spawned = 1;
	c->pending = 0;
	c->pid = s->wproc[w].pid;
	c->started_ns = now;
	slot_publish(s, c, DPVS_WORKER_STARTING);
	if (stale_write_pid(s->run_dir, c->name, c->pid) != 0)
		PLOG(WARNING, "cannot write %s/%s.pid", s->run_dir, c->name);
	PLOG(INFO, "%s %s (pid %d, lcore %u%s)", c->restarts == 0 ? "started" : "restarted",
	     c->name, (int)c->pid, s->wproc[w].lcore,
	     s->wproc[w].ready ? ", a standby that was ready" : "");
}

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
		slot_publish(s, c, DPVS_WORKER_STOPPED);
		return;
	}
	if (sup_death_is_fatal(status)) {
		PLOG(ERR, "%s %s: a restart cannot fix this, stopping the node", c->name, how);
		s->fatal = 1;
		c->pid = 0;
		slot_publish(s, c, DPVS_WORKER_STOPPED);
		return;
	}
	c->young = lived < SUP_SHORT_LIFE_NS ? c->young + 1 : 0;
	if (c->taker >= 0) {
		/* a planned handover was under way: its taker goes on */
		PLOG(WARNING, "%s (incarnation %u) %s during a planned handover; its successor "
		     "recovers", c->name, c->poll_inc, hung ? "hung" : how);
		c->pid = s->wproc[c->taker].pid;
		slot_publish(s, c, DPVS_WORKER_STARTING);
		return;
	}
	c->pid = 0;
	if (c->young >= SUP_FAIL_AFTER) {
		c->failed = 1;
		PLOG(ERR, "%s failed: it died %u times in a row, each within %llu ms of its "
		     "start; the last %s. Likely: %s. Not restarting it (dpvsctl worker "
		     "restart %u tries again)", c->name, c->young,
		     SUP_SHORT_LIFE_NS / 1000000ull, how, sup_likely_reason(status), c->id);
		slot_publish(s, c, DPVS_WORKER_FAILED);
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
	slot_publish(s, c, c->backoff_ms > 0 ? DPVS_WORKER_BACKOFF : DPVS_WORKER_STARTING);
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
	slot_publish(s, c, DPVS_WORKER_STARTING);
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
static void
on_eof(struct supervisor *s, int w, uint64_t now)
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
	close_fd(&wp->cmd_fd);
	close_fd(&wp->ev_fd);
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

/* A worker that polls now runs on its own CPU (RUNNING: its EAL set its
 * affinity long ago, and a planned predecessor has released the slot). */
static void
pin_worker(struct supervisor *s, const struct sup_child *c, pid_t pid)
{
	int rc;

	if (s->cpu == NULL || c->id >= s->cpu->nworker_cpus)
		return;
	rc = cpu_pin_worker(s->cpu, c->id, pid);
	if (rc != 0)
		PLOG(WARNING, "%s: cannot pin pid %d to CPU %u: %s", c->name, (int)pid,
		     s->cpu->worker_cpu[c->id], strerror(-rc));
	else
		PLOG(INFO, "%s (pid %d) pinned to CPU %u", c->name, (int)pid,
		     s->cpu->worker_cpu[c->id]);
}

/* RUNNING from the taker of c: it polls now. */
static void
on_running(struct supervisor *s, struct sup_child *c, int w, const struct dpvs_wk_event *ev,
	   uint64_t now)
{
	struct dpvs_worker_slot *slot = sup_worker_slot(s, c->id);
	struct sup_wproc *wp = &s->wproc[w];
	pid_t old = c->proc >= 0 ? s->wproc[c->proc].pid : 0;
	uint64_t gap = ev->pred_beat_ns != 0 && ev->t_ns > ev->pred_beat_ns ?
		       ev->t_ns - ev->pred_beat_ns : 0;

	if (c->proc >= 0 && c->proc != w) {
		s->wproc[c->proc].role = SUP_WP_LEAVING;
		s->wproc[c->proc].slot = -1;
		sup_prio_leave(s, s->wproc[c->proc].pid); /* its cleanup: sup_prio.c */
	}
	if (c->planned) {
		c->restarts++;
		if (slot != NULL) {
			slot->sup.last_exit = DPVS_EXIT_PLANNED;
			slot->sup.last_exit_ns = now;
			slot->sup.last_status = 0;
		}
	}
	c->proc = w;
	c->taker = -1;
	c->poll_inc = wp->inc;
	c->pid = wp->pid;
	c->started_ns = now;
	if (slot != NULL && ev->pred_beat_ns != 0)
		slot->sup.last_gap_ns = gap;
	slot_publish(s, c, DPVS_WORKER_STARTING); /* RUNNING is the worker's to say */
	pin_worker(s, c, wp->pid);
	stale_write_pid(s->run_dir, c->name, c->pid);
	if (ev->pred_beat_ns != 0)
		PLOG(INFO, "%s polls again: pid %d -> %d (%s), gap %" PRIu64 ".%03" PRIu64 " ms, "
		     "%u mbuf(s) recovered", c->name, (int)old, (int)wp->pid,
		     c->planned ? "planned" : "after a death", gap / 1000000u,
		     (gap / 1000u) % 1000u, ev->recovered);
	else
		PLOG(INFO, "%s running (pid %d)", c->name, (int)wp->pid);
	c->planned = 0;
}

static void
on_event(struct supervisor *s, int w, const struct dpvs_wk_event *ev, uint64_t now)
{
	struct sup_wproc *wp = &s->wproc[w];
	struct sup_child *c = wp->slot >= 0 ? sup_worker_child(s, (uint32_t)wp->slot) : NULL;
	struct dpvs_worker_slot *slot;

	if (ev->type == DPVS_EV_READY) {
		int nice_was, rc;

		errno = 0;
		nice_was = getpriority(PRIO_PROCESS, (id_t)wp->pid);
		rc = sup_prio_restore(wp->pid);
		PLOG(INFO, "standby process %d ready %.1f ms after its spawn (attached at nice %d)",
		     (int)wp->pid, (double)(now - wp->started_ns) / 1e6, nice_was);
		if (rc <= 0) /* fewer than all: sup_prio.c said so */
			PLOG(WARNING, "standby process %d: cannot put it back at our nice: %s",
			     (int)wp->pid, rc < 0 ? strerror(-rc) : "no thread of it was set");
		wp->ready = 1;
		s->standby_backoff_ms = 0;
		sup_standby_tick(s, now);
		return;
	}
	if (c == NULL || c->taker != w || ev->inc != wp->inc)
		return;
	if (ev->type == DPVS_EV_TAKING) {
		wp->taking = 1;
		slot = sup_worker_slot(s, c->id);
		/* planned: the taker spins now; ask the old one to stop */
		if (c->planned && slot != NULL)
			__atomic_store_n(&slot->sup.stop_req, c->poll_inc, __ATOMIC_RELEASE);
	} else if (ev->type == DPVS_EV_RUNNING) {
		on_running(s, c, w, ev, now);
	}
}

void
sup_wproc_events(struct supervisor *s, uint64_t now)
{
	unsigned int i;
	ssize_t n;

	for (i = 0; i < SUP_MAX_WPROC; i++) {
		struct sup_wproc *wp = &s->wproc[i];

		if (wp->ev_fd < 0)
			continue;
		if (wp->role == SUP_WP_CHECK) {
			/* keep the tail of its output: the verdict is its last line */
			char tmp[256];

			n = read(wp->ev_fd, tmp, sizeof(tmp));
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
				close_fd(&wp->ev_fd);
				continue;
			}
			if (n < 0)
				continue;
			if (wp->outlen + (size_t)n > sizeof(wp->out) - 1) {
				size_t drop = wp->outlen + (size_t)n - (sizeof(wp->out) - 1);

				drop = RTE_MIN(drop, wp->outlen);
				memmove(wp->out, wp->out + drop, wp->outlen - drop);
				wp->outlen -= drop;
			}
			memcpy(wp->out + wp->outlen, tmp, RTE_MIN((size_t)n, sizeof(wp->out) - 1));
			wp->outlen += RTE_MIN((size_t)n, sizeof(wp->out) - 1);
			wp->out[wp->outlen] = '\0';
			continue;
		}
		for (;;) {
			n = read(wp->ev_fd, wp->evbuf + wp->evlen, sizeof(wp->evbuf) - wp->evlen);
			if (n == 0) {
				close_fd(&wp->ev_fd);
				on_eof(s, (int)i, now);
				break;
			}
			if (n < 0)
				break;
			wp->evlen += (size_t)n;
			if (wp->evlen == sizeof(wp->evbuf)) {
				struct dpvs_wk_event ev;

				memcpy(&ev, wp->evbuf, sizeof(ev));
				wp->evlen = 0;
				on_event(s, (int)i, &ev, now);
			}
		}
	}
}

unsigned int
sup_wproc_pollfds(const struct supervisor *s, struct pollfd *pfd, unsigned int max)
{
	unsigned int i, n = 0;

	for (i = 0; i < SUP_MAX_WPROC && n < max; i++) {
		if (s->wproc[i].ev_fd < 0)
			continue;
		pfd[n].fd = s->wproc[i].ev_fd;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		n++;
	}
	return n;
}
