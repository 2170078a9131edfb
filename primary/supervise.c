/*
 * Supervision of the secondaries (see supervise.h): the child table, dpvs-ctl
 * and the bridge, the loop, signals. Runs in the primary's main thread only;
 * writes the primary's fields of the root memzone and the pid files, and
 * nothing else. Worker slots and standbys: sup_worker.c (their deaths:
 * sup_death.c); requests of dpvs-ctl: sup_cmd.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_rcu_qsbr.h>

#include "shm/shm.h"
#include "log.h"
#include "repair.h"
#include "stale.h"
#include "supervise.h"

static const char *const kind_bin[] = {
	[SUP_CTL] = "dpvs-ctl",
	[SUP_BRIDGE] = "dpvs-kni-bridge",
	[SUP_WORKER] = "dpvs-worker",
};

void
sup_init(struct supervisor *s, uint32_t nworkers)
{
	uint32_t w, i;

	memset(s, 0, sizeof(*s));
	s->sigfd = -1;
	s->watch_fd = -1;
	s->hang_ms = SUP_DEFAULT_HANG_MS;
	s->nstandby = 1;
	s->gen = 1;
	s->cmd.check = -1;
	s->child[0].kind = SUP_CTL;
	snprintf(s->child[0].name, sizeof(s->child[0].name), "ctl");
	s->child[1].kind = SUP_BRIDGE;
	snprintf(s->child[1].name, sizeof(s->child[1].name), "bridge");
	for (w = 0; w < nworkers && w < DPVS_MAX_WORKERS; w++) {
		struct sup_child *c = sup_worker_child(s, w);

		c->kind = SUP_WORKER;
		c->id = w;
		snprintf(c->name, sizeof(c->name), "worker%u", w);
	}
	s->nchild = 2 + w;
	s->nworkers = w;
	for (i = 0; i < s->nchild; i++) {
		s->child[i].proc = -1;
		s->child[i].taker = -1;
		s->child[i].pending = 1;
	}
	for (i = 0; i < SUP_MAX_WPROC; i++) {
		s->wproc[i].cmd_fd = -1;
		s->wproc[i].ev_fd = -1;
		s->wproc[i].slot = -1;
	}
}

uint32_t
sup_backoff_ms(uint32_t prev_ms, uint64_t lived_ns)
{
	if (lived_ns >= SUP_SHORT_LIFE_NS)
		return 0;
	if (prev_ms == 0)
		return SUP_BACKOFF_MIN_MS;
	if (prev_ms >= SUP_BACKOFF_MAX_MS / 2)
		return SUP_BACKOFF_MAX_MS;
	return prev_ms * 2;
}

void
sup_status_str(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d%s", WEXITSTATUS(status),
			 WEXITSTATUS(status) == DPVS_EXIT_CONFIG ? " (configuration error)" : "");
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)%s", WTERMSIG(status),
			 strsignal(WTERMSIG(status)), WCOREDUMP(status) ? ", core dumped" : "");
	else
		snprintf(buf, len, "wait status %#x", (unsigned int)status);
}

const char *
sup_likely_reason(int status)
{
	if (WIFEXITED(status)) {
		switch (WEXITSTATUS(status)) {
		case 3:
			return "it cannot attach to the node (EAL or a shared object; see its "
			       "message above)";
		case 5:
			return "it cannot register on the RCU";
		case DPVS_EXIT_CONFIG:
			return "its configuration or binary does not fit the node";
		default:
			return "it exits by itself (see its message above)";
		}
	}
	if (WIFSIGNALED(status)) {
		switch (WTERMSIG(status)) {
		case SIGSEGV:
		case SIGBUS:
		case SIGILL:
		case SIGABRT:
		case SIGFPE:
			return "it crashes at once: a bug, or a port its process cannot poll "
			       "(af_packet, af_xdp)";
		case SIGKILL:
			return "something kills it (the hang check, the OOM killer, an operator)";
		default:
			return "a signal ends it";
		}
	}
	return "unknown";
}

int
sup_death_is_fatal(int status)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == DPVS_EXIT_CONFIG;
}

void
sup_repair_after_death(struct supervisor *s, uint32_t kind, uint32_t id)
{
	const struct sup_child *c;

	/* The dead process is reaped, or its main thread (the only one that
	 * holds its pool role and uses its rings) is in the kernel's exit and
	 * will never run user code again (sup_worker_exiting); nobody has its
	 * role yet: a worker's successor waits for dead_inc, which is stored
	 * after this, ctl and the bridge are spawned after this. */
	if (kind == SUP_WORKER && id < s->nworkers)
		c = sup_worker_child(s, id);
	else if (kind == SUP_CTL || kind == SUP_BRIDGE)
		c = &s->child[kind == SUP_CTL ? 0 : 1];
	else
		return;
	s->repairs++;
	prim_repair_child(s->shm, kind, id, c->name);
}

void
sup_lcore_discard(struct supervisor *s, unsigned int lcore, const char *name)
{
	prim_repair_lcore(s->shm, lcore, name);
	if (lcore < sizeof(s->lcore_dirty))
		s->lcore_dirty[lcore] = 0;
	s->lcore_discards++;
	s->last_discard = lcore;
}

static void
top_set(struct supervisor *s, const struct sup_child *c)
{
	if (s->root == NULL)
		return;
	if (c->kind == SUP_CTL)
		s->root->ctl_pid = c->pid;
	else if (c->kind == SUP_BRIDGE)
		s->root->bridge_pid = c->pid;
}

/* ctl or bridge died */
static void
top_on_death(struct supervisor *s, struct sup_child *c, int status, uint64_t now)
{
	uint64_t lived = now - c->started_ns;
	char how[128];

	sup_status_str(status, how, sizeof(how));
	c->pid = 0;
	top_set(s, c);
	/* its rings and pool magazine, before anyone takes its role again, and
	 * its lcore id's pool cache, before the next one starts on that id */
	sup_repair_after_death(s, c->kind, 0);
	sup_lcore_discard(s, c->kind == SUP_CTL ? DPVS_LCORE_CTL : DPVS_LCORE_BRIDGE, c->name);
	if (s->stopping) {
		PLOG(INFO, "%s stopped: %s", c->name, how);
		return;
	}
	if (sup_death_is_fatal(status)) {
		PLOG(ERR, "%s %s: a restart cannot fix this, stopping the node", c->name, how);
		s->fatal = 1;
		return;
	}
	c->backoff_ms = sup_backoff_ms(c->backoff_ms, lived);
	c->due_ns = now + (uint64_t)c->backoff_ms * 1000000ull;
	c->pending = 1;
	if (c->hung)
		PLOG(WARNING, "%s stopped beating for %u ms: killed; restarting", c->name,
		     s->hang_ms);
	else if (c->backoff_ms == 0)
		PLOG(WARNING, "%s died after %" PRIu64 " ms: %s; restarting at once", c->name,
		     (uint64_t)(lived / 1000000u), how);
	else
		PLOG(WARNING, "%s died after %" PRIu64 " ms: %s; it keeps dying, next start "
		     "in %u ms", c->name, (uint64_t)(lived / 1000000u), how, c->backoff_ms);
	c->hung = 0;
}

void
sup_on_death(struct supervisor *s, struct sup_child *c, int status, uint64_t now)
{
	int w;

	if (c->kind != SUP_WORKER) {
		top_on_death(s, c, status, now);
		return;
	}
	w = sup_wproc_find(s, c->pid);
	if (w >= 0) {
		sup_wproc_died(s, w, status, now);
		return;
	}
	/* unit tests book deaths of slots without processes */
	sup_slot_died(s, c, status, now);
}

int
sup_timeout_ms(const struct supervisor *s, uint64_t now)
{
	uint64_t best = UINT64_MAX;
	unsigned int i;

	if (s->stopping)
		return -1;
	for (i = 0; i < s->nchild; i++)
		if (s->child[i].pid == 0 && s->child[i].pending && !s->child[i].failed &&
		    s->child[i].due_ns < best)
			best = s->child[i].due_ns;
	if (s->next_check_ns != 0 && s->next_check_ns < best)
		best = s->next_check_ns;
	if (s->standby_due_ns != 0 && s->standby_due_ns < best)
		best = s->standby_due_ns;
	if (s->cmd.active && s->cmd.deadline_ns < best)
		best = s->cmd.deadline_ns;
	if (s->stale.h != NULL && s->stale.next_ns < best)
		best = s->stale.next_ns;
	if (best == UINT64_MAX)
		return -1;
	if (best <= now)
		return 0;
	return (int)((best - now + 999999ull) / 1000000ull);
}

pid_t
sup_spawn(const char *bin, char *const argv[], const int *new_fds, int nfds, int out_fd,
	  int nice_val)
{
	struct sigaction dfl;
	sigset_t none;
	pid_t parent = getpid(), pid;
	int i, tmp[4];

	sigemptyset(&none);
	pid = fork();
	if (pid != 0)
		return pid;
	/* child: async-signal-safe calls only until exec */
	sigprocmask(SIG_SETMASK, &none, NULL);
	dfl.sa_handler = SIG_DFL; /* the primary ignores SIGPIPE; exec keeps that */
	sigemptyset(&dfl.sa_mask);
	dfl.sa_flags = 0;
	sigaction(SIGPIPE, &dfl, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(127);
	/* move the fds out of the way first, then into 3, 4, ... */
	for (i = 0; i < nfds && i < 4; i++) {
		tmp[i] = fcntl(new_fds[i], F_DUPFD_CLOEXEC, 10);
		if (tmp[i] < 0)
			_exit(127);
	}
	for (i = 0; i < nfds && i < 4; i++)
		if (dup2(tmp[i], 3 + i) < 0)
			_exit(127);
	if (out_fd >= 0 && (dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0))
		_exit(127);
	syscall(SYS_close_range, (unsigned int)(3 + nfds), ~0u, 0u);
	sup_prio_child(nice_val);
	execv(bin, argv);
	_exit(127);
}

/* fork + exec ctl or bridge */
static pid_t
spawn_top(struct supervisor *s, const struct sup_child *c)
{
	char path[PATH_MAX + 32];
	char *argv[8];
	int a = 0;

	snprintf(path, sizeof(path), "%s/%s", s->bindir, kind_bin[c->kind]);
	argv[a++] = path;
	argv[a++] = (char *)"--file-prefix";
	argv[a++] = s->prefix;
	/* the rules file seeds the first dpvs-ctl; a restarted one finds its
	 * running state in shared memory */
	if (c->kind == SUP_CTL && s->rules != NULL && !c->spawned) {
		argv[a++] = (char *)"--rules";
		argv[a++] = (char *)s->rules;
	}
	argv[a] = NULL;
	return sup_spawn(path, argv, NULL, 0, -1, SUP_NICE_KEEP);
}

static void
start_top(struct supervisor *s, struct sup_child *c, uint64_t now)
{
	pid_t pid;
	int rc;

	if (c->spawned)
		c->restarts++;
	c->started_ns = now;
	c->pending = 0;
	pid = spawn_top(s, c);
	if (pid < 0) {
		PLOG(ERR, "cannot fork %s: %s; retrying in %u ms", c->name, strerror(errno),
		     SUP_BACKOFF_MIN_MS);
		c->due_ns = now + SUP_BACKOFF_MIN_MS * 1000000ull;
		c->pending = 1;
		return;
	}
	c->pid = pid;
	c->spawned = 1;
	top_set(s, c);
	rc = stale_write_pid(s->run_dir, c->name, pid);
	if (rc != 0)
		PLOG(WARNING, "cannot write %s/%s.pid: %s", s->run_dir, c->name, strerror(-rc));
	if (c->restarts == 0)
		PLOG(INFO, "started %s (pid %d)", c->name, (int)pid);
	else
		PLOG(INFO, "restarted %s (pid %d, restart %u)", c->name, (int)pid, c->restarts);
}

int
sup_start_due(struct supervisor *s, uint64_t now)
{
	unsigned int i;

	if (s->stopping || s->fatal)
		return 0;
	for (i = 0; i < s->nchild; i++) {
		struct sup_child *c = &s->child[i];

		if (c->pid != 0 || !c->pending || c->failed || c->due_ns > now)
			continue;
		if (c->kind == SUP_WORKER)
			sup_worker_start(s, c, now);
		else
			start_top(s, c, now);
	}
	sup_standby_tick(s, now);
	return 0;
}

int
sup_signals_block(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void
reap(struct supervisor *s)
{
	unsigned int i;
	int status, w;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		uint64_t now = dpvs_now_ns();

		for (i = 0; i < 2 && i < s->nchild; i++)
			if (s->child[i].pid == pid)
				break;
		if (i < 2 && i < s->nchild) {
			sup_on_death(s, &s->child[i], status, now);
			continue;
		}
		w = sup_wproc_find(s, pid);
		if (w >= 0)
			sup_wproc_died(s, w, status, now);
	}
}

int
sup_handle_signals(struct supervisor *s)
{
	struct signalfd_siginfo si;
	int stop = 0;

	while (read(s->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			/* a dead worker's last events first (RUNNING before death) */
			sup_wproc_events(s, dpvs_now_ns());
			reap(s);
		} else if (si.ssi_signo == SIGHUP) {
			if (s->child[0].pid > 0) {
				PLOG(INFO, "SIGHUP: asking dpvs-ctl to reload");
				kill(s->child[0].pid, SIGHUP);
			}
		} else if (si.ssi_signo == SIGUSR1) {
			sup_cmd_poll(s, dpvs_now_ns());
		} else {
			PLOG(INFO, "%s: stopping the node", strsignal((int)si.ssi_signo));
			stop = 1;
		}
	}
	/* a SIGCHLD can merge with one already read: reap anyway */
	sup_wproc_events(s, dpvs_now_ns());
	reap(s);
	return stop;
}

/* ctl and bridge: kill one whose heartbeat stopped (before its first beat,
 * allow SUP_START_TIMEOUT_NS for EAL and attach) */
static void
check_top(struct supervisor *s, struct sup_child *c, uint64_t hb, uint64_t now)
{
	uint64_t hang = (uint64_t)s->hang_ms * 1000000ull, base, age;
	int beaten = hb >= c->started_ns;

	if (c->pid <= 0 || c->hung)
		return;
	base = beaten ? hb : c->started_ns;
	age = now > base ? now - base : 0; /* it may have beaten after our `now` */
	if (age <= (beaten ? hang : SUP_START_TIMEOUT_NS))
		return;
	PLOG(WARNING, "%s (pid %d) has not %s for %" PRIu64 " ms: killing it", c->name,
	     (int)c->pid, beaten ? "beaten" : "started", age / 1000000u);
	c->hung = 1;
	kill(c->pid, SIGKILL);
}

static void
liveness_tick(struct supervisor *s, uint64_t now)
{
	uint64_t period;

	if (s->hang_ms == 0 || s->root == NULL || s->stopping)
		return;
	period = (uint64_t)RTE_MAX(20u, RTE_MIN(100u, s->hang_ms / 5)) * 1000000ull;
	if (s->next_check_ns != 0 && now < s->next_check_ns)
		return;
	s->next_check_ns = now + period;
	check_top(s, &s->child[0], __atomic_load_n(&s->root->live.ctl_heartbeat_ns,
						    __ATOMIC_RELAXED), now);
	check_top(s, &s->child[1], __atomic_load_n(&s->root->live.bridge_heartbeat_ns,
						    __ATOMIC_RELAXED), now);
	sup_check_liveness(s, now);
}

/* Earliest of a and b, 0 being none (a start time is never 0: CLOCK_MONOTONIC). */
static uint64_t
oldest(uint64_t a, uint64_t b)
{
	return a == 0 || (b != 0 && b < a) ? b : a;
}

/* Who of the node may own a hold of DPDK's locks for as long as the
 * machine's load makes it (eal_stale.h): the attachers, by the start of the
 * oldest (a process of the worker binary spawned and neither READY nor
 * leaving, a check, dpvs-ctl or the bridge before its first beat), and
 * whether a detacher lives (a worker process leaving after its handover or
 * retirement, until reaped: SIGCHLD, so a dead one stops counting at once;
 * a check, whose end is rte_eal_cleanup too). */
static void
eal_owners(const struct supervisor *s, struct eal_stale *st)
{
	uint64_t hb;
	unsigned int i;

	st->attacher_ns = 0;
	st->detaching = 0;
	for (i = 0; i < SUP_MAX_WPROC; i++) {
		const struct sup_wproc *wp = &s->wproc[i];

		if (wp->pid <= 0 || wp->gone)
			continue;
		if (wp->role == SUP_WP_LEAVING || wp->role == SUP_WP_CHECK)
			st->detaching = 1;
		if (wp->role == SUP_WP_CHECK || (!wp->ready && wp->role != SUP_WP_LEAVING))
			st->attacher_ns = oldest(st->attacher_ns, wp->started_ns);
	}
	for (i = 0; i < 2 && i < s->nchild && s->root != NULL; i++) {
		if (s->child[i].pid <= 0)
			continue;
		hb = __atomic_load_n(i == SUP_CTL ? &s->root->live.ctl_heartbeat_ns :
				     &s->root->live.bridge_heartbeat_ns, __ATOMIC_RELAXED);
		if (hb < s->child[i].started_ns)
			st->attacher_ns = oldest(st->attacher_ns, s->child[i].started_ns);
	}
}

int
sup_loop(struct supervisor *s)
{
	struct pollfd pfd[2 + SUP_MAX_WPROC];
	unsigned int n;
	uint64_t now;
	int rc;

	if (s->root != NULL)
		s->root->live.hang_timeout_ms = s->hang_ms;
	for (;;) {
		now = dpvs_now_ns();
		sup_start_due(s, now);
		liveness_tick(s, now);
		sup_cmd_tick(s, now);
		eal_owners(s, &s->stale);
		eal_stale_tick(&s->stale, now);
		if (s->fatal)
			return 1;
		pfd[0].fd = s->sigfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = s->watch_fd; /* -1: ignored by poll */
		pfd[1].events = POLLIN;
		n = 2 + sup_wproc_pollfds(s, pfd + 2, SUP_MAX_WPROC);
		rc = poll(pfd, n, sup_timeout_ms(s, dpvs_now_ns()));
		if (rc < 0 && errno != EINTR) {
			PLOG(ERR, "poll: %s", strerror(errno));
			return 1;
		}
		if (rc > 0 && (pfd[1].revents & POLLIN))
			sup_watch_drain(s, dpvs_now_ns());
		if (rc > 0 && n > 2)
			sup_wproc_events(s, dpvs_now_ns());
		if (rc > 0 && (pfd[0].revents & POLLIN) && sup_handle_signals(s))
			return 0;
		if (s->fatal)
			return 1;
	}
}

static unsigned int
live_children(const struct supervisor *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < 2 && i < s->nchild; i++)
		n += s->child[i].pid > 0;
	for (i = 0; i < SUP_MAX_WPROC; i++)
		n += s->wproc[i].pid > 0;
	return n;
}

static void
signal_all(struct supervisor *s, int sig)
{
	unsigned int i;

	for (i = 0; i < 2 && i < s->nchild; i++)
		if (s->child[i].pid > 0)
			kill(s->child[i].pid, sig);
	for (i = 0; i < SUP_MAX_WPROC; i++)
		if (s->wproc[i].pid > 0)
			kill(s->wproc[i].pid, sig);
}

void
sup_stop_all(struct supervisor *s, unsigned int deadline_ms)
{
	struct pollfd pfd = { .fd = s->sigfd, .events = POLLIN };
	uint64_t end = dpvs_now_ns() + (uint64_t)deadline_ms * 1000000ull, now;
	int status;
	unsigned int i;

	s->stopping = 1;
	signal_all(s, SIGTERM);
	while (live_children(s) > 0 && (now = dpvs_now_ns()) < end) {
		if (poll(&pfd, 1, (int)((end - now) / 1000000ull) + 1) > 0)
			sup_handle_signals(s);
		else
			reap(s);
	}
	if (live_children(s) == 0)
		return;
	PLOG(WARNING, "%u process(es) ignored SIGTERM for %u ms: SIGKILL", live_children(s),
	     deadline_ms);
	signal_all(s, SIGKILL);
	for (i = 0; i < 2 && i < s->nchild; i++)
		if (s->child[i].pid > 0 && waitpid(s->child[i].pid, &status, 0) == s->child[i].pid)
			sup_on_death(s, &s->child[i], status, dpvs_now_ns());
	for (i = 0; i < SUP_MAX_WPROC; i++)
		if (s->wproc[i].pid > 0 && waitpid(s->wproc[i].pid, &status, 0) == s->wproc[i].pid)
			sup_wproc_died(s, (int)i, status, dpvs_now_ns());
}
