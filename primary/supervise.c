/*
 * Supervision of the secondaries (see supervise.h). Runs in the primary's main
 * thread only; writes the primary's fields of the root memzone and the pid
 * files, and nothing else.
 */
#include <errno.h>
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
	uint32_t w;

	memset(s, 0, sizeof(*s));
	s->sigfd = -1;
	s->child[0].kind = SUP_CTL;
	snprintf(s->child[0].name, sizeof(s->child[0].name), "ctl");
	s->child[1].kind = SUP_BRIDGE;
	snprintf(s->child[1].name, sizeof(s->child[1].name), "bridge");
	for (w = 0; w < nworkers && w < DPVS_MAX_WORKERS; w++) {
		struct sup_child *c = &s->child[2 + w];

		c->kind = SUP_WORKER;
		c->id = w;
		snprintf(c->name, sizeof(c->name), "worker%u", w);
	}
	s->nchild = 2 + w;
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

int
sup_death_is_fatal(int status)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == DPVS_EXIT_CONFIG;
}

static void
slot_set(struct supervisor *s, const struct sup_child *c, uint32_t state)
{
	struct dpvs_worker_slot *slot;

	if (s->root == NULL)
		return;
	if (c->kind == SUP_CTL) {
		s->root->ctl_pid = c->pid;
		return;
	}
	if (c->kind == SUP_BRIDGE) {
		s->root->bridge_pid = c->pid;
		return;
	}
	/* the primary's part only (shm/layout.h); the worker writes slot->self */
	slot = &s->root->workers[c->id];
	slot->sup.pid = c->pid;
	slot->sup.restarts = c->restarts;
	slot->sup.incarnation = c->restarts + 1;
	slot->sup.started_ns = c->started_ns;
	__atomic_store_n(&slot->sup.state, state, __ATOMIC_RELEASE);
}

void
sup_on_death(struct supervisor *s, struct sup_child *c, int status, uint64_t now)
{
	uint64_t lived = now - c->started_ns;
	char how[128];

	sup_status_str(status, how, sizeof(how));
	c->pid = 0;
	if (c->kind == SUP_WORKER && s->root != NULL) {
		s->root->workers[c->id].sup.last_status = status;
		s->root->workers[c->id].sup.last_exit_ns = now;
	}
	/* a dead worker must never hold up dpvs-ctl's config publication */
	if (c->kind == SUP_WORKER && s->rcu != NULL)
		rte_rcu_qsbr_thread_offline(s->rcu, c->id);
	/* its rings and pool magazine, before anyone takes its role again */
	prim_repair_child(s->shm, c->kind, c->id, c->name);
	if (s->stopping) {
		PLOG(INFO, "%s stopped: %s", c->name, how);
		slot_set(s, c, DPVS_WORKER_STOPPED);
		return;
	}
	if (sup_death_is_fatal(status)) {
		PLOG(ERR, "%s %s: a restart cannot fix this, stopping the node", c->name, how);
		s->fatal = 1;
		slot_set(s, c, DPVS_WORKER_STOPPED);
		return;
	}
	c->backoff_ms = sup_backoff_ms(c->backoff_ms, lived);
	c->due_ns = now + (uint64_t)c->backoff_ms * 1000000ull;
	if (c->backoff_ms == 0)
		PLOG(WARNING, "%s died after %" PRIu64 " ms: %s; restarting at once", c->name,
		     (uint64_t)(lived / 1000000u), how);
	else
		PLOG(WARNING, "%s died after %" PRIu64 " ms: %s; it keeps dying, next start "
		     "in %u ms", c->name, (uint64_t)(lived / 1000000u), how, c->backoff_ms);
	slot_set(s, c, c->backoff_ms > 0 ? DPVS_WORKER_BACKOFF : DPVS_WORKER_STARTING);
}

int
sup_timeout_ms(const struct supervisor *s, uint64_t now)
{
	uint64_t best = UINT64_MAX;
	unsigned int i;

	if (s->stopping)
		return -1;
	for (i = 0; i < s->nchild; i++)
		if (s->child[i].pid == 0 && s->child[i].due_ns < best)
			best = s->child[i].due_ns;
	if (best == UINT64_MAX)
		return -1;
	if (best <= now)
		return 0;
	return (int)((best - now + 999999ull) / 1000000ull);
}

/* fork + exec one child; it dies with us (PR_SET_PDEATHSIG). */
static pid_t
spawn(struct supervisor *s, const struct sup_child *c)
{
	char path[PATH_MAX + 32], idbuf[16];
	char *argv[8];
	sigset_t none;
	pid_t parent = getpid(), pid;
	int a = 0;

	snprintf(path, sizeof(path), "%s/%s", s->bindir, kind_bin[c->kind]);
	snprintf(idbuf, sizeof(idbuf), "%u", c->id);
	argv[a++] = path;
	argv[a++] = (char *)"--file-prefix";
	argv[a++] = s->prefix;
	if (c->kind == SUP_WORKER) {
		argv[a++] = (char *)"--id";
		argv[a++] = idbuf;
	}
	/* the rules file seeds the first dpvs-ctl; a restarted one finds its
	 * running state in shared memory */
	if (c->kind == SUP_CTL && s->rules != NULL && !c->spawned) {
		argv[a++] = (char *)"--rules";
		argv[a++] = (char *)s->rules;
	}
	argv[a] = NULL;
	sigemptyset(&none);
	pid = fork();
	if (pid != 0)
		return pid;
	/* child: async-signal-safe calls only until exec */
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(127);
	syscall(SYS_close_range, 3u, ~0u, 0u);
	execv(path, argv);
	_exit(127);
}

static void
start_child(struct supervisor *s, struct sup_child *c, uint64_t now)
{
	pid_t pid;
	int rc;

	if (c->spawned)
		c->restarts++;
	c->started_ns = now;
	slot_set(s, c, DPVS_WORKER_STARTING);
	pid = spawn(s, c);
	if (pid < 0) {
		PLOG(ERR, "cannot fork %s: %s; retrying in %u ms", c->name, strerror(errno),
		     SUP_BACKOFF_MIN_MS);
		c->due_ns = now + SUP_BACKOFF_MIN_MS * 1000000ull;
		return;
	}
	c->pid = pid;
	c->spawned = 1;
	slot_set(s, c, DPVS_WORKER_STARTING);
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
	for (i = 0; i < s->nchild; i++)
		if (s->child[i].pid == 0 && s->child[i].due_ns <= now)
			start_child(s, &s->child[i], now);
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
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void
reap(struct supervisor *s)
{
	unsigned int i;
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < s->nchild; i++)
			if (s->child[i].pid == pid)
				break;
		if (i < s->nchild)
			sup_on_death(s, &s->child[i], status, dpvs_now_ns());
	}
}

int
sup_handle_signals(struct supervisor *s)
{
	struct signalfd_siginfo si;
	int stop = 0;

	while (read(s->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			reap(s);
		} else if (si.ssi_signo == SIGHUP) {
			if (s->child[0].pid > 0) {
				PLOG(INFO, "SIGHUP: asking dpvs-ctl to reload");
				kill(s->child[0].pid, SIGHUP);
			}
		} else {
			PLOG(INFO, "%s: stopping the node", strsignal((int)si.ssi_signo));
			stop = 1;
		}
	}
	/* a SIGCHLD can merge with one already read: reap anyway */
	reap(s);
	return stop;
}

int
sup_loop(struct supervisor *s)
{
	struct pollfd pfd = { .fd = s->sigfd, .events = POLLIN };
	int rc;

	for (;;) {
		sup_start_due(s, dpvs_now_ns());
		if (s->fatal)
			return 1;
		rc = poll(&pfd, 1, sup_timeout_ms(s, dpvs_now_ns()));
		if (rc < 0 && errno != EINTR) {
			PLOG(ERR, "poll: %s", strerror(errno));
			return 1;
		}
		if (rc > 0 && sup_handle_signals(s))
			return 0;
		if (s->fatal)
			return 1;
	}
}

static unsigned int
live_children(const struct supervisor *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < s->nchild; i++)
		n += s->child[i].pid > 0;
	return n;
}

void
sup_stop_all(struct supervisor *s, unsigned int deadline_ms)
{
	struct pollfd pfd = { .fd = s->sigfd, .events = POLLIN };
	uint64_t end = dpvs_now_ns() + (uint64_t)deadline_ms * 1000000ull, now;
	unsigned int i;
	int status;

	s->stopping = 1;
	for (i = 0; i < s->nchild; i++)
		if (s->child[i].pid > 0)
			kill(s->child[i].pid, SIGTERM);
	while (live_children(s) > 0 && (now = dpvs_now_ns()) < end) {
		if (poll(&pfd, 1, (int)((end - now) / 1000000ull) + 1) > 0)
			sup_handle_signals(s);
		else
			reap(s);
	}
	for (i = 0; i < s->nchild; i++) {
		struct sup_child *c = &s->child[i];

		if (c->pid <= 0)
			continue;
		PLOG(WARNING, "%s (pid %d) ignored SIGTERM for %u ms: SIGKILL", c->name,
		     (int)c->pid, deadline_ms);
		kill(c->pid, SIGKILL);
		if (waitpid(c->pid, &status, 0) == c->pid)
			sup_on_death(s, c, status, dpvs_now_ns());
	}
}
