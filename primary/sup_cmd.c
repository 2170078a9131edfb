/*
 * Requests of dpvs-ctl to the primary (see supervise.h): a planned restart
 * of a worker (dpvsctl worker restart N) and the rolling upgrade of the
 * worker binary (dpvsctl worker upgrade PATH). dpvs-ctl fills root->cmd and
 * sends SIGUSR1; the request is carried out as a small state machine driven
 * by the supervisor's loop, and answered in root->cmd (done_seq last).
 * Main thread of the primary only.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shm/shm.h"
#include "log.h"
#include "supervise.h"

enum { CMD_START = 0, CMD_HANDOVER, CMD_CHECK, CMD_ROLL, CMD_ROLL_WAIT };

void
sup_cmd_reply(struct supervisor *s, int status, const char *fmt, ...)
{
	struct dpvs_sup_cmd *cmd = &s->root->cmd;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd->msg, sizeof(cmd->msg), fmt, ap);
	va_end(ap);
	cmd->status = status;
	if (status == 0)
		PLOG(INFO, "request %u: %s", s->cmd.seq, cmd->msg);
	else
		PLOG(WARNING, "request %u: %s", s->cmd.seq, cmd->msg);
	__atomic_store_n(&cmd->done_seq, s->cmd.seq, __ATOMIC_RELEASE);
	s->cmd.active = 0;
}

void
sup_cmd_poll(struct supervisor *s, uint64_t now)
{
	struct dpvs_sup_cmd *cmd;
	uint32_t req;

	if (s->root == NULL || s->cmd.active)
		return;
	cmd = &s->root->cmd;
	req = __atomic_load_n(&cmd->req_seq, __ATOMIC_ACQUIRE);
	if (req == __atomic_load_n(&cmd->done_seq, __ATOMIC_RELAXED))
		return;
	memset(&s->cmd, 0, sizeof(s->cmd));
	s->cmd.check = -1;
	s->cmd.active = 1;
	s->cmd.seq = req;
	s->cmd.op = cmd->op;
	s->cmd.worker = cmd->worker;
	snprintf(s->cmd.path, sizeof(s->cmd.path), "%.*s", (int)sizeof(cmd->path) - 1, cmd->path);
	s->cmd.t0_ns = now;
	s->cmd.deadline_ns = now + SUP_CMD_DEADLINE_NS;
	s->cmd.step = CMD_START;
	sup_cmd_tick(s, now);
}

int
sup_planned_start(struct supervisor *s, uint32_t id, uint64_t now, char *err, size_t len)
{
	struct sup_child *c = sup_worker_child(s, id);
	int w;

	if (c->failed || c->proc < 0 || c->taker >= 0 || c->pid <= 0) {
		snprintf(err, len, "worker %u is not running now%s", id,
			 c->taker >= 0 ? " (a replacement is under way)" : "");
		return -EBUSY;
	}
	w = sup_standby_find(s, 1);
	if (w < 0) {
		if (sup_standby_find(s, 0) < 0 && sup_wproc_spawn(s, SUP_WP_STANDBY, -1, now) < 0) {
			snprintf(err, len, "cannot start a process to hand worker %u to", id);
			return -EIO;
		}
		return -EAGAIN;
	}
	c->planned = 1;
	if (sup_take(s, c, w, DPVS_TAKE_PLANNED, now) != 0) {
		c->planned = 0;
		snprintf(err, len, "cannot hand worker %u to process %d", id, (int)s->wproc[w].pid);
		return -EIO;
	}
	s->cmd.worker = id;
	return 0;
}

/* The handover of s->cmd.worker started: 1 done, 0 not yet, -1 failed. */
static int
handover_done(struct supervisor *s, uint32_t inc)
{
	struct sup_child *c = sup_worker_child(s, s->cmd.worker);

	if (c->taker >= 0)
		return 0;
	return c->proc >= 0 && c->poll_inc == inc ? 1 : -1;
}

static void
restart_tick(struct supervisor *s, uint64_t now)
{
	struct sup_child *c;
	char err[256];
	int rc;

	if (s->cmd.worker >= s->nworkers) {
		sup_cmd_reply(s, -EINVAL, "no worker %u: the node has %u", s->cmd.worker,
			      s->nworkers);
		return;
	}
	c = sup_worker_child(s, s->cmd.worker);
	if (s->cmd.step == CMD_START) {
		if (c->failed) {
			c->failed = 0;
			c->young = 0;
			c->backoff_ms = 0;
			c->pending = 1;
			c->due_ns = now;
			sup_cmd_reply(s, 0, "worker %u had failed: starting it again", c->id);
			return;
		}
		rc = sup_planned_start(s, c->id, now, err, sizeof(err));
		if (rc == -EAGAIN)
			return;
		if (rc != 0) {
			sup_cmd_reply(s, rc, "%s", err);
			return;
		}
		s->cmd.done_workers = s->wproc[c->taker].inc;
		s->cmd.step = CMD_HANDOVER;
		return;
	}
	rc = handover_done(s, s->cmd.done_workers);
	if (rc > 0)
		sup_cmd_reply(s, 0, "worker %u handed over to pid %d (gap %.3f ms)", c->id,
			      (int)c->pid, (double)s->root->workers[c->id].sup.last_gap_ns / 1e6);
	else if (rc < 0)
		sup_cmd_reply(s, -EIO, "worker %u: the handover failed (see the primary's log); "
			      "it was replaced as after a crash", c->id);
}

/* upgrade, step CHECK: run PATH --check and wait for its verdict */
static void
upgrade_check(struct supervisor *s, uint64_t now)
{
	struct sup_wproc *wp;

	if (s->cmd.check < 0) {
		if (s->cmd.path[0] != '/' || access(s->cmd.path, X_OK) != 0) {
			sup_cmd_reply(s, -EINVAL, "%s: %s", s->cmd.path,
				      s->cmd.path[0] != '/' ? "not an absolute path" :
				      strerror(errno));
			return;
		}
		s->cmd.check = sup_wproc_spawn(s, SUP_WP_CHECK, -1, now);
		if (s->cmd.check < 0)
			sup_cmd_reply(s, -EIO, "cannot run %s --check", s->cmd.path);
		return;
	}
	wp = &s->wproc[s->cmd.check];
	sup_wproc_events(s, now);
	if (!wp->reaped)
		return;
	while (wp->ev_fd >= 0)
		sup_wproc_events(s, now);
	wp->role = SUP_WP_FREE;
	s->cmd.check = -1;
	if (!WIFEXITED(wp->status) || WEXITSTATUS(wp->status) != 0) {
		char how[128], *last;
		size_t n = strlen(wp->out);

		while (n > 0 && (wp->out[n - 1] == '\n' || wp->out[n - 1] == ' '))
			wp->out[--n] = '\0';
		last = strrchr(wp->out, '\n');
		last = last != NULL ? last + 1 : wp->out;
		sup_status_str(wp->status, how, sizeof(how));
		PLOG(WARNING, "upgrade: %s --check %s; its output:\n%s", s->cmd.path, how, wp->out);
		sup_cmd_reply(s, -EPROTO, "%s refused (its check %s), the workers keep running: %s",
			      s->cmd.path, how, last);
		return;
	}
	/* from now on every new worker process runs PATH */
	snprintf(s->worker_bin, sizeof(s->worker_bin), "%s", s->cmd.path);
	s->gen++;
	sup_standby_retire_all(s);
	sup_standby_tick(s, now);
	PLOG(INFO, "upgrade: %s matches the node's layout; rolling it in, one worker at a time",
	     s->cmd.path);
	s->cmd.worker = 0;
	s->cmd.step = CMD_ROLL;
}

static void
upgrade_tick(struct supervisor *s, uint64_t now)
{
	char err[256];
	int rc;

	if (s->cmd.step == CMD_START)
		s->cmd.step = CMD_CHECK;
	if (s->cmd.step == CMD_CHECK) {
		upgrade_check(s, now);
		return;
	}
	if (s->cmd.step == CMD_ROLL_WAIT) {
		rc = handover_done(s, s->cmd.done_workers);
		if (rc == 0)
			return;
		if (rc < 0) {
			sup_cmd_reply(s, -EIO, "upgrade: the handover of worker %u failed (it was "
				      "replaced as after a crash, from %s)", s->cmd.worker,
				      s->cmd.path);
			return;
		}
		s->cmd.worker++;
		s->cmd.step = CMD_ROLL;
	}
	while (s->cmd.worker < s->nworkers) {
		rc = sup_planned_start(s, s->cmd.worker, now, err, sizeof(err));
		if (rc == -EAGAIN)
			return;
		if (rc == 0) {
			s->cmd.done_workers = s->wproc[sup_worker_child(s, s->cmd.worker)->taker].inc;
			s->cmd.step = CMD_ROLL_WAIT;
			return;
		}
		/* not running (failed, restarting): its next process runs PATH anyway */
		PLOG(WARNING, "upgrade: %s; its next process runs %s", err, s->cmd.path);
		s->cmd.worker++;
	}
	sup_cmd_reply(s, 0, "rolled %s into %u worker(s) in %.0f ms", s->cmd.path, s->nworkers,
		      (double)(now - s->cmd.t0_ns) / 1e6);
}

void
sup_cmd_tick(struct supervisor *s, uint64_t now)
{
	if (!s->cmd.active || s->root == NULL)
		return;
	if (now > s->cmd.deadline_ns) {
		if (s->cmd.check >= 0 && s->wproc[s->cmd.check].pid > 0)
			kill(s->wproc[s->cmd.check].pid, SIGKILL);
		sup_cmd_reply(s, -ETIMEDOUT, "not done within %llu s",
			      SUP_CMD_DEADLINE_NS / 1000000000ull);
		return;
	}
	if (s->cmd.op == DPVS_SUP_OP_RESTART)
		restart_tick(s, now);
	else if (s->cmd.op == DPVS_SUP_OP_UPGRADE)
		upgrade_tick(s, now);
	else
		sup_cmd_reply(s, -EINVAL, "unknown request %u", s->cmd.op);
}
