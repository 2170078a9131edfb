/*
 * Worker slots and the processes of the worker binary (see supervise.h):
 * spawning standbys, handing a slot to a standby (TAKE), the processes'
 * events (READY, TAKING, RUNNING) and planned handovers; their deaths
 * (crash, hang) and exits are booked in sup_death.c, the liveness check is
 * sup_live.c. Main thread of the primary only; writes the primary's part of
 * root->workers[] (sup); reads the worker's part (self: heartbeat,
 * released).
 *
 * Which process may poll a worker's queues and hold its pool role is
 * decided here and in sup_death.c, and only one at a time: a successor is
 * always told the incarnation last allowed to poll (old_inc) and starts only
 * once that one has released the slot at a burst boundary (planned: no
 * repair) or is known dead (dead_inc, stored after sup_repair_after_death():
 * sup_death.c). Known dead means reaped, or in the kernel's exit
 * (sup_worker_exiting): either way it never runs user code again.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

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

void
sup_close_fd(int *fd)
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
		sup_close_fd(&cmdp[0]);
		sup_close_fd(&cmdp[1]);
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
			sup_close_fd(&wp->cmd_fd); /* EOF: it exits 0 */
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
void
sup_slot_publish(struct supervisor *s, struct sup_child *c, uint32_t state)
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
	sup_slot_publish(s, c, DPVS_WORKER_STARTING);
	if (stale_write_pid(s->run_dir, c->name, c->pid) != 0)
		PLOG(WARNING, "cannot write %s/%s.pid", s->run_dir, c->name);
	PLOG(INFO, "%s %s (pid %d, lcore %u%s)", c->restarts == 0 ? "started" : "restarted",
	     c->name, (int)c->pid, s->wproc[w].lcore,
	     s->wproc[w].ready ? ", a standby that was ready" : "");
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
	sup_slot_publish(s, c, DPVS_WORKER_STARTING); /* RUNNING is the worker's to say */
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
				sup_close_fd(&wp->ev_fd);
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
				sup_close_fd(&wp->ev_fd);
				sup_wproc_eof(s, (int)i, now);
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
