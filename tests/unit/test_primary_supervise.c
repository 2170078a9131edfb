/*
 * Unit tests for the primary's supervisor (primary/supervise.c): back-off
 * arithmetic, wait-status wording, the bookkeeping of a death (slot state,
 * RCU offline, fatal exit, FAILED after young deaths in a row), when the
 * repair after a death runs and when it must not (a planned handover's
 * taker or old process gone), and real
 * spawns of stub secondaries (shell scripts in a temp bin dir) through the
 * signalfd path: workers are started in standby mode and told TAKE on their
 * command pipe (the stub records the message), a standby is kept and takes
 * the next dead worker over. No EAL; the root memzone and the RCU live in
 * plain memory.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <rte_rcu_qsbr.h>

#include "shm/shm.h"
#include "primary/stale.h"
#include "primary/supervise.h"

#define MS 1000000ull

START_TEST(test_backoff_sequence)
{
	static const uint32_t want[] = { 100, 200, 400, 800, 1600, 3200, 5000, 5000 };
	uint32_t prev = 0, i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		prev = sup_backoff_ms(prev, 10 * MS);
		ck_assert_uint_eq(prev, want[i]);
	}
	/* a long life resets it: the next death restarts at once */
	ck_assert_uint_eq(sup_backoff_ms(5000, SUP_SHORT_LIFE_NS), 0);
	ck_assert_uint_eq(sup_backoff_ms(0, 3600000 * MS), 0);
	ck_assert_uint_eq(sup_backoff_ms(0, SUP_SHORT_LIFE_NS - 1), SUP_BACKOFF_MIN_MS);
	ck_assert_uint_eq(sup_backoff_ms(2500, 0), SUP_BACKOFF_MAX_MS);
}
END_TEST

START_TEST(test_status_words)
{
	char buf[128];

	sup_status_str(3 << 8, buf, sizeof(buf));
	ck_assert_str_eq(buf, "exited with status 3");
	sup_status_str(SIGKILL, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "killed by signal 9"));
	sup_status_str(DPVS_EXIT_CONFIG << 8, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "configuration error"));
	ck_assert(sup_death_is_fatal(DPVS_EXIT_CONFIG << 8));
	ck_assert(!sup_death_is_fatal(1 << 8));
	ck_assert(!sup_death_is_fatal(SIGKILL));
	ck_assert(!sup_death_is_fatal(0));
}
END_TEST

static struct supervisor sup;
static struct dpvs_root *root;
static struct rte_rcu_qsbr *rcu;

static void
setup(void)
{
	size_t sz = rte_rcu_qsbr_get_memsize(DPVS_MAX_WORKERS);

	root = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*root));
	ck_assert_ptr_nonnull(root);
	memset(root, 0, sizeof(*root));
	rcu = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(sz, RTE_CACHE_LINE_SIZE));
	ck_assert_ptr_nonnull(rcu);
	ck_assert_int_eq(rte_rcu_qsbr_init(rcu, DPVS_MAX_WORKERS), 0);
	sup_init(&sup, 2);
	sup.root = root;
	sup.rcu = rcu;
	sup.hang_ms = 0;
}

static void
teardown(void)
{
	free(root);
	free(rcu);
}

START_TEST(test_init_table)
{
	ck_assert_uint_eq(sup.nchild, 4);
	ck_assert_str_eq(sup.child[0].name, "ctl");
	ck_assert_str_eq(sup.child[1].name, "bridge");
	ck_assert_str_eq(sup.child[3].name, "worker1");
	ck_assert_uint_eq(sup.child[3].id, 1);
	/* nothing started yet: everything is due now */
	ck_assert_int_eq(sup_timeout_ms(&sup, 5 * MS), 0);
}
END_TEST

START_TEST(test_death_bookkeeping)
{
	struct sup_child *w1 = &sup.child[3];
	uint64_t now = 100000 * MS;
	unsigned int i;

	for (i = 0; i < sup.nchild; i++) {
		sup.child[i].pid = 1000 + (pid_t)i;
		sup.child[i].started_ns = now - 5000 * MS;
		sup.child[i].pending = 0;
	}
	ck_assert_int_eq(sup_timeout_ms(&sup, now), -1);
	/* worker 1 online in the RCU, not yet quiescent: a grace period waits */
	ck_assert_int_eq(rte_rcu_qsbr_thread_register(rcu, 1), 0);
	rte_rcu_qsbr_thread_online(rcu, 1);
	ck_assert_int_eq(rte_rcu_qsbr_check(rcu, rte_rcu_qsbr_start(rcu), false), 0);

	/* a long-lived worker dies: restart at once, and it no longer blocks */
	sup_on_death(&sup, w1, SIGKILL, now);
	ck_assert_int_eq(w1->pid, 0);
	ck_assert_uint_eq(w1->backoff_ms, 0);
	ck_assert_uint_eq(root->workers[1].sup.state, DPVS_WORKER_STARTING);
	ck_assert_int_eq(root->workers[1].sup.last_status, SIGKILL);
	ck_assert_uint_eq(root->workers[1].sup.last_exit_ns, now);
	ck_assert_uint_eq(root->workers[1].sup.last_exit, DPVS_EXIT_CRASH);
	ck_assert_int_eq(rte_rcu_qsbr_check(rcu, rte_rcu_qsbr_start(rcu), false), 1);
	ck_assert_int_eq(sup_timeout_ms(&sup, now), 0);

	/* it dies 50 ms after its start: once is replaced at once; twice in a
	 * row backs off, state BACKOFF */
	w1->pid = 2000;
	w1->started_ns = now;
	sup_on_death(&sup, w1, 1 << 8, now + 50 * MS);
	ck_assert_uint_eq(w1->backoff_ms, 0);
	ck_assert_uint_eq(root->workers[1].sup.state, DPVS_WORKER_STARTING);
	w1->pid = 2001;
	w1->started_ns = now;
	sup_on_death(&sup, w1, 1 << 8, now + 50 * MS);
	ck_assert_uint_eq(w1->backoff_ms, 100);
	ck_assert_uint_eq(root->workers[1].sup.state, DPVS_WORKER_BACKOFF);
	ck_assert_int_eq(sup_timeout_ms(&sup, now + 50 * MS), 100);
	ck_assert_int_eq(sup_timeout_ms(&sup, now + 120 * MS), 30);
	ck_assert_int_eq(sup_timeout_ms(&sup, now + 151 * MS), 0);
	ck_assert_int_eq(sup.fatal, 0);

	/* it keeps dying young: after SUP_FAIL_AFTER in a row it is FAILED,
	 * not restarted, and says why */
	for (i = 2; i < SUP_FAIL_AFTER; i++) {
		w1->pid = 3000 + (pid_t)i;
		w1->started_ns = now;
		sup_on_death(&sup, w1, SIGSEGV, now + 10 * MS);
	}
	ck_assert_uint_eq(w1->failed, 1);
	ck_assert_uint_eq(root->workers[1].sup.state, DPVS_WORKER_FAILED);
	ck_assert_uint_eq(root->workers[1].sup.last_exit, DPVS_EXIT_CRASH);
	ck_assert_int_eq(sup_timeout_ms(&sup, now + 10 * MS), -1);
	ck_assert_ptr_nonnull(strstr(sup_likely_reason(SIGSEGV), "crashes at once"));

	/* dpvs-ctl refuses its rules: fatal, nothing to restart */
	sup_on_death(&sup, &sup.child[0], DPVS_EXIT_CONFIG << 8, now);
	ck_assert_int_eq(sup.fatal, 1);
	ck_assert_int_eq(root->ctl_pid, 0);

	/* while stopping, a death is final */
	sup.stopping = 1;
	sup_on_death(&sup, &sup.child[2], 0, now);
	ck_assert_uint_eq(root->workers[0].sup.state, DPVS_WORKER_STOPPED);
	ck_assert_int_eq(sup_timeout_ms(&sup, now), -1);
}
END_TEST

/* A fake process of the worker binary at wproc index i (no real child). */
static int
fake_wproc(int i, pid_t pid, uint32_t role, int slot, uint32_t inc)
{
	struct sup_wproc *wp = &sup.wproc[i];

	memset(wp, 0, sizeof(*wp));
	wp->pid = pid;
	wp->role = role;
	wp->slot = slot;
	wp->inc = inc;
	wp->lcore = 10 + (uint32_t)i;
	wp->cmd_fd = -1;
	wp->ev_fd = -1;
	return i;
}

/* Worker 0 served by incarnation 1 (wproc 0), handed to incarnation 2 (wproc
 * 1) in a planned handover: TAKE sent, the taker said TAKING, stop_req set. */
static struct sup_child *
planned_under_way(uint64_t now)
{
	struct sup_child *c = &sup.child[2];
	struct dpvs_worker_slot *slot = &root->workers[0];

	c->proc = fake_wproc(0, 5000, SUP_WP_WORKER, 0, 1);
	c->taker = fake_wproc(1, 5001, SUP_WP_WORKER, 0, 2);
	c->poll_inc = 1;
	c->last_inc = 2;
	c->pid = 5000;
	c->spawned = 1;
	c->pending = 0;
	c->planned = 1;
	c->started_ns = now - 10000 * MS;
	slot->self.incarnation = 1;
	slot->self.pid = 5000;
	slot->self.state = DPVS_WORKER_RUNNING;
	slot->sup.incarnation = 2;
	slot->sup.pid = 5001;
	slot->sup.stop_req = 1;
	slot->sup.dead_inc = 0;
	slot->self.released = 0;
	sup.repairs = 0;
	return c;
}

/*
 * The repair runs exactly when the dead process may have held the worker's
 * pool role and nobody else does (docs/multiprocess.md, standby):
 * a crash of the serving process; a taker that died after the old process
 * released. Never for a role a live process holds: a taker dead before the
 * release withdraws the handover (the old process keeps serving: no repair,
 * no dead_inc, stop_req cleared, the slot names it again); a process that
 * released and then exited is no death.
 */
START_TEST(test_repair_only_when_the_role_is_free)
{
	struct dpvs_worker_slot *slot = &root->workers[0];
	uint64_t now = 200000 * MS;
	struct sup_child *c;

	/* a crash of the serving process: repaired, then dead_inc */
	c = planned_under_way(now);
	c->taker = -1;
	c->planned = 0;
	sup.wproc[1].pid = 0;
	sup_wproc_died(&sup, 0, SIGKILL, now);
	ck_assert_uint_eq(sup.repairs, 1);
	ck_assert_uint_eq(slot->sup.dead_inc, 1);
	ck_assert_int_eq(c->proc, -1);
	ck_assert_uint_eq(c->pending, 1);

	/* the taker dies before the old process released: withdrawn */
	c = planned_under_way(now);
	sup_wproc_died(&sup, 1, SIGKILL, now);
	ck_assert_uint_eq(sup.repairs, 0);
	ck_assert_uint_eq(slot->sup.dead_inc, 0);
	ck_assert_int_eq(c->proc, 0);
	ck_assert_int_eq(c->taker, -1);
	ck_assert_uint_eq(c->planned, 0);
	ck_assert_uint_eq(slot->sup.stop_req, 0);
	ck_assert_uint_eq(slot->sup.incarnation, 1);
	ck_assert_int_eq(slot->sup.pid, 5000);
	ck_assert_uint_eq(dpvs_worker_state(slot), DPVS_WORKER_RUNNING);
	/* ... but it had seen stop_req: it releases and exits; the released
	 * slot goes to a new process, without a repair */
	slot->self.released = 1;
	sup_wproc_died(&sup, 0, 0, now);
	ck_assert_uint_eq(sup.repairs, 0);
	ck_assert_uint_eq(slot->sup.dead_inc, 0);
	ck_assert_int_eq(c->proc, -1);
	ck_assert_uint_eq(c->pending, 1);
	ck_assert_uint_eq(c->planned, 1);
	ck_assert_uint_eq(c->poll_inc, 1);

	/* the taker dies after the release: it may have held the role */
	c = planned_under_way(now);
	slot->self.released = 1;
	sup_wproc_died(&sup, 1, SIGKILL, now);
	ck_assert_uint_eq(sup.repairs, 1);
	ck_assert_uint_eq(slot->sup.dead_inc, 1);
	ck_assert_int_eq(c->proc, -1);
	ck_assert_uint_eq(sup.wproc[0].role, SUP_WP_LEAVING);
	ck_assert_uint_eq(c->pending, 1);

	/* the old process released and exits before the taker said RUNNING:
	 * no death, the taker goes on */
	c = planned_under_way(now);
	slot->self.released = 1;
	sup_wproc_died(&sup, 0, 0, now);
	ck_assert_uint_eq(sup.repairs, 0);
	ck_assert_uint_eq(slot->sup.dead_inc, 0);
	ck_assert_int_eq(c->proc, -1);
	ck_assert_int_eq(c->taker, 1);
	ck_assert_uint_eq(c->pending, 0);

	/* the old process dies during the handover without releasing:
	 * repaired, dead_inc lets the taker go on with a full recovery */
	c = planned_under_way(now);
	sup_wproc_died(&sup, 0, SIGKILL, now);
	ck_assert_uint_eq(sup.repairs, 1);
	ck_assert_uint_eq(slot->sup.dead_inc, 1);
	ck_assert_int_eq(c->taker, 1);
	ck_assert_int_eq(c->pid, 5001);

	/* dpvs-ctl and the bridge are repaired at every death too */
	sup.repairs = 0;
	sup.child[0].pid = 6000;
	sup.child[0].started_ns = now - 10000 * MS;
	sup_on_death(&sup, &sup.child[0], SIGKILL, now);
	sup.child[1].pid = 6001;
	sup.child[1].started_ns = now - 10000 * MS;
	sup_on_death(&sup, &sup.child[1], SIGKILL, now);
	ck_assert_uint_eq(sup.repairs, 2);
}
END_TEST

/* dpvs-ctl's and the bridge's deaths empty their fixed lcore ids' pool
 * caches (top_on_death), whether they restart or not. */
START_TEST(test_ctl_and_bridge_deaths_discard)
{
	uint64_t now = 300000 * MS;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		unsigned int l = i == 0 ? DPVS_LCORE_CTL : DPVS_LCORE_BRIDGE;
		uint32_t discards = sup.lcore_discards;

		sup.lcore_dirty[l] = 1;
		sup.child[i].pid = 6000 + (pid_t)i;
		sup.child[i].started_ns = now - 10000 * MS;
		sup_on_death(&sup, &sup.child[i], SIGKILL, now);
		ck_assert_uint_eq(sup.lcore_discards, discards + 1);
		ck_assert_uint_eq(sup.last_discard, l);
		ck_assert_uint_eq(sup.lcore_dirty[l], 0);
		ck_assert_uint_eq(sup.child[i].pending, 1);
	}
	/* a fatal exit and one while stopping: discarded all the same */
	sup.child[0].pid = 6002;
	sup_on_death(&sup, &sup.child[0], DPVS_EXIT_CONFIG << 8, now);
	ck_assert_uint_eq(sup.last_discard, DPVS_LCORE_CTL);
	sup.stopping = 1;
	sup.child[1].pid = 6003;
	sup.last_discard = 0;
	sup_on_death(&sup, &sup.child[1], 0, now);
	ck_assert_uint_eq(sup.last_discard, DPVS_LCORE_BRIDGE);
	ck_assert_uint_eq(sup.lcore_discards, 4);
}
END_TEST

/* ---- real children: stub binaries that record their arguments ---- */

static char bindir[64];

#define WORKER_STUB(tail)                                                       \
	"d=\"$(dirname \"$0\")\"; echo \"$@\" > \"$d/args.lcore$5\"; "             \
	"(od -An -w24 -tu4 -N24 <&3 | tr -s ' ' | sed 's/^ //' > \"$d/take.$5\") & " tail

static void
write_stub(const char *name, const char *body)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", bindir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	ck_assert_int_eq(chmod(path, 0755), 0);
}

static void
setup_bin(void)
{
	setup();
	snprintf(bindir, sizeof(bindir), "/tmp/test_primary_sup.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(bindir));
	/* each stub writes its arguments, then sleeps until it is killed; a
	 * worker process records the TAKE it is sent on fd 3 (six numbers:
	 * magic id mode inc old_inc pad) in take.<lcore> */
	write_stub("dpvs-worker", WORKER_STUB("exec sleep 1000"));
	write_stub("dpvs-kni-bridge", "echo \"$@\" > \"$(dirname \"$0\")/args.bridge\"; exec sleep 1000");
	write_stub("dpvs-ctl", "echo \"$@\" >> \"$(dirname \"$0\")/args.ctl\"; exec sleep 1000");
	snprintf(sup.bindir, sizeof(sup.bindir), "%s", bindir);
	snprintf(sup.worker_bin, sizeof(sup.worker_bin), "%s/dpvs-worker", bindir);
	snprintf(sup.run_dir, sizeof(sup.run_dir), "%s", bindir);
	snprintf(sup.prefix, sizeof(sup.prefix), "tsup");
	sup.rules = "/etc/dpvs/rules";
	sup.sigfd = sup_signals_block();
	ck_assert_int_ge(sup.sigfd, 0);
}

static void
teardown_bin(void)
{
	char cmd[128];
	unsigned int i;

	for (i = 0; i < sup.nchild; i++)
		if (sup.child[i].pid > 0)
			kill(sup.child[i].pid, SIGKILL);
	for (i = 0; i < SUP_MAX_WPROC; i++)
		if (sup.wproc[i].pid > 0)
			kill(sup.wproc[i].pid, SIGKILL);
	/* a worker stub's background od (WORKER_STUB) is not killed with it and
	 * may still write take.<lcore> while rm walks the directory ("Directory
	 * not empty" on a loaded host): try again until it is gone, 5 s at most */
	snprintf(cmd, sizeof(cmd), "rm -rf %s 2>/dev/null", bindir);
	for (i = 0; i < 100 && system(cmd) != 0; i++)
		usleep(50000);
	ck_assert_int_eq(access(bindir, F_OK), -1);
	teardown();
}

/* Poll until file `name` in bindir has a line that is exactly want (5 s max). */
static void
wait_file(const char *name, const char *want)
{
	struct timespec ts = { 0, 2 * 1000000 };
	char path[256], line[256];
	int i;

	snprintf(path, sizeof(path), "%s/%s", bindir, name);
	for (i = 0; i < 2500; i++) {
		FILE *f = fopen(path, "r");

		while (f != NULL && fgets(line, sizeof(line), f) != NULL)
			if (strncmp(line, want, strlen(want)) == 0 &&
			    strcmp(line + strlen(want), "\n") == 0) {
				fclose(f);
				return;
			}
		if (f != NULL)
			fclose(f);
		nanosleep(&ts, NULL);
	}
	ck_abort_msg("%s never contained '%s'", path, want);
}

/* Wait for a signal on sigfd and handle it; returns sup_handle_signals(). */
static int
handle_next(void)
{
	struct pollfd pfd = { .fd = sup.sigfd, .events = POLLIN };

	ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
	return sup_handle_signals(&sup);
}

/* The first start: every child spawned with its arguments, the workers
 * told TAKE, worker 0's state, the ids and pid file (path) recorded, its
 * standby found on lcore 3; returns that standby's index. */
static int
expect_first_start(const struct sup_child *w0, const struct sup_child *ctl, const char *path)
{
	char want[64];
	int sb;

	ck_assert_int_eq(sup_start_due(&sup, dpvs_now_ns()), 0);
	/* workers on lcores 1 and 2, each told TAKE (cold) for its id; the
	 * standby on lcore 3 is told nothing */
	wait_file("args.lcore1", "--file-prefix tsup --standby --lcore 1");
	wait_file("args.lcore2", "--file-prefix tsup --standby --lcore 2");
	wait_file("args.lcore3", "--file-prefix tsup --standby --lcore 3");
	snprintf(want, sizeof(want), "%u 0 %u 1 0 0", DPVS_TAKE_MAGIC, DPVS_TAKE_COLD);
	wait_file("take.1", want);
	snprintf(want, sizeof(want), "%u 1 %u 1 0 0", DPVS_TAKE_MAGIC, DPVS_TAKE_COLD);
	wait_file("take.2", want);
	wait_file("args.bridge", "--file-prefix tsup");
	wait_file("args.ctl", "--file-prefix tsup --rules /etc/dpvs/rules");
	ck_assert_int_gt(w0->pid, 0);
	ck_assert_int_eq(root->workers[0].sup.pid, w0->pid);
	ck_assert_uint_eq(root->workers[0].sup.state, DPVS_WORKER_STARTING);
	ck_assert_uint_eq(root->workers[0].sup.lcore_id, 1);
	ck_assert_uint_eq(root->workers[0].sup.incarnation, 1);
	ck_assert_int_eq(root->ctl_pid, ctl->pid);
	ck_assert_int_eq(root->bridge_pid, sup.child[1].pid);
	ck_assert_int_eq(stale_read_pid(path), w0->pid);
	ck_assert_int_eq(sup_timeout_ms(&sup, dpvs_now_ns()), -1);
	sb = sup_standby_find(&sup, 0);
	ck_assert_int_ge(sb, 0);
	ck_assert_uint_eq(sup.wproc[sb].lcore, 3);
	return sb;
}

START_TEST(test_spawn_restart_stop)
{
	struct sup_child *w0 = &sup.child[2], *ctl = &sup.child[0];
	char path[256], want[64];
	unsigned int sb_lcore;
	uint32_t discards;
	pid_t old;
	int sb;

	snprintf(path, sizeof(path), "%s/worker0.pid", bindir);
	sb = expect_first_start(w0, ctl, path);
	sb_lcore = sup.wproc[sb].lcore;

	/* kill -9 a worker that has run "long": the standby takes it over at
	 * once, on its own lcore id, as incarnation 2; the stub never said
	 * RUNNING, so no incarnation has polled yet: nothing to wait for */
	old = w0->pid;
	w0->started_ns -= 2 * SUP_SHORT_LIFE_NS;
	ck_assert_uint_eq(sup.lcore_dirty[1], 1);
	discards = sup.lcore_discards;
	kill(old, SIGKILL);
	ck_assert_int_eq(handle_next(), 0);
	/* its lcore id's pool cache was emptied at the reap, before the id can
	 * go to the new standby below */
	ck_assert_uint_eq(sup.lcore_discards, discards + 1);
	ck_assert_uint_eq(sup.last_discard, 1);
	ck_assert_uint_eq(sup.lcore_dirty[1], 0);
	ck_assert(WIFSIGNALED(root->workers[0].sup.last_status));
	ck_assert_uint_eq(root->workers[0].sup.dead_inc, 0);
	ck_assert_uint_eq(root->workers[0].sup.last_exit, DPVS_EXIT_CRASH);
	ck_assert_int_eq(sup_timeout_ms(&sup, dpvs_now_ns()), 0);
	sup_start_due(&sup, dpvs_now_ns());
	ck_assert_int_eq(w0->pid, sup.wproc[sb].pid);
	ck_assert_uint_eq(root->workers[0].sup.restarts, 1);
	ck_assert_uint_eq(root->workers[0].sup.lcore_id, sb_lcore);
	ck_assert_int_eq(stale_read_pid(path), w0->pid);
	snprintf(want, sizeof(want), "%u 0 %u 2 0 0", DPVS_TAKE_MAGIC, DPVS_TAKE_COLD);
	wait_file("take.3", want);
	/* and a new standby is started, on the lcore id the dead one freed */
	wait_file("args.lcore1", "--file-prefix tsup --standby --lcore 1");

	/* a restarted dpvs-ctl does not get the rules file again */
	old = ctl->pid;
	ctl->started_ns -= 2 * SUP_SHORT_LIFE_NS;
	kill(old, SIGKILL);
	ck_assert_int_eq(handle_next(), 0);
	ck_assert_uint_eq(sup.last_discard, DPVS_LCORE_CTL);
	sup_start_due(&sup, dpvs_now_ns());
	ck_assert_int_gt(ctl->pid, 0);
	wait_file("args.ctl", "--file-prefix tsup");
	ck_assert_uint_eq(ctl->restarts, 1);

	/* SIGTERM: the loop is asked to stop, every child is stopped */
	kill(getpid(), SIGTERM);
	ck_assert_int_eq(handle_next(), 1);
	sup_stop_all(&sup, 2000);
	ck_assert_int_eq(w0->pid, 0);
	ck_assert_int_eq(ctl->pid, 0);
	ck_assert_uint_eq(root->workers[0].sup.state, DPVS_WORKER_STOPPED);
	ck_assert_uint_eq(root->workers[1].sup.state, DPVS_WORKER_STOPPED);
}
END_TEST

/* 1 once pid is a zombie (dead, not yet reaped: waitpid not called). */
static int
is_zombie(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	return p != NULL && (p = strrchr(buf, ')')) != NULL && p[1] == ' ' && p[2] == 'Z';
}

/* The lcore id of the process sup_wproc_spawn() started (a standby) for a
 * preferred id, or -1 if it refused; the process is killed and reaped at
 * once (its id's discard is not this test's subject: booked by hand). */
static int
spawn_lcore(int prefer)
{
	int w = sup_wproc_spawn(&sup, SUP_WP_STANDBY, prefer, dpvs_now_ns()), st;
	unsigned int l;

	if (w < 0)
		return -1;
	l = sup.wproc[w].lcore;
	ck_assert_uint_eq(sup.lcore_dirty[l], 1);
	kill(sup.wproc[w].pid, SIGKILL);
	waitpid(sup.wproc[w].pid, &st, 0);
	close(sup.wproc[w].cmd_fd);
	close(sup.wproc[w].ev_fd);
	memset(&sup.wproc[w], 0, sizeof(sup.wproc[w]));
	return (int)l;
}

/* lcore_alloc() hands no id out whose last holder's pool cache has not been
 * emptied (lcore_dirty), preferred or not, and hands it out again right
 * after sup_lcore_discard(). */
START_TEST(test_dirty_lcore_is_refused_until_discarded)
{
	unsigned int l, discards = sup.lcore_discards;

	/* a free id is given as preferred; once dirty it is not */
	ck_assert_int_eq(spawn_lcore(5), 5);
	ck_assert_int_ne(spawn_lcore(5), 5);
	/* every worker id dirty: no process can be started at all */
	for (l = DPVS_LCORE_WORKER_MIN; l <= DPVS_LCORE_WORKER_MAX; l++)
		sup.lcore_dirty[l] = 1;
	ck_assert_int_eq(spawn_lcore(5), -1);
	ck_assert_int_eq(spawn_lcore(0), -1);
	/* the discard of one frees exactly that one, preferred or not */
	sup_lcore_discard(&sup, 9, "test");
	ck_assert_uint_eq(sup.lcore_discards, discards + 1);
	ck_assert_uint_eq(sup.last_discard, 9);
	ck_assert_uint_eq(sup.lcore_dirty[9], 0);
	ck_assert_int_eq(spawn_lcore(5), 9);
	ck_assert_int_eq(spawn_lcore(0), -1);
	sup_lcore_discard(&sup, 5, "test");
	ck_assert_int_eq(spawn_lcore(5), 5);
}
END_TEST

/*
 * A hung worker's pool cache is emptied at its reap, not when the hang is
 * detected (it is killed then, but may still run), nor when it is seen
 * exiting before the reap (sup_worker_exiting books the death early, while
 * its threads may not all have stopped): until the reap its id stays dirty
 * and is refused.
 */
START_TEST(test_discard_after_the_reap_not_at_the_hang)
{
	struct sup_child *w0 = &sup.child[2];
	uint32_t discards;
	pid_t pid;
	int i;

	sup.hang_ms = 100;
	ck_assert_int_eq(sup_start_due(&sup, dpvs_now_ns()), 0);
	wait_file("args.lcore1", "--file-prefix tsup --standby --lcore 1");
	wait_file("args.lcore3", "--file-prefix tsup --standby --lcore 3");
	pid = w0->pid;
	ck_assert_int_gt(pid, 0);
	ck_assert_uint_eq(sup.lcore_dirty[1], 1);
	discards = sup.lcore_discards;
	/* the stub never says RUNNING: the books as on_running() leaves them */
	ck_assert_int_ge(w0->taker, 0);
	w0->proc = w0->taker;
	w0->taker = -1;
	w0->poll_inc = sup.wproc[w0->proc].inc;
	/* no heartbeat for 2 x hang_ms: killed as hung, no discard yet */
	w0->started_ns -= 2 * SUP_SHORT_LIFE_NS;
	sup_check_liveness(&sup, dpvs_now_ns() + 2 * sup.hang_ms * MS);
	ck_assert_uint_eq(sup.wproc[sup_wproc_find(&sup, pid)].hung, 1);
	ck_assert_uint_eq(sup.lcore_discards, discards);
	ck_assert_uint_eq(sup.lcore_dirty[1], 1);
	/* dead, not reaped: booked as exiting, still no discard */
	for (i = 0; i < 2500 && !is_zombie(pid); i++)
		usleep(2000);
	ck_assert(is_zombie(pid));
	sup_worker_exiting(&sup, 0, pid, dpvs_now_ns());
	ck_assert_uint_eq(sup.wproc[sup_wproc_find(&sup, pid)].gone, 1);
	ck_assert_uint_eq(sup.lcore_discards, discards);
	ck_assert_uint_eq(sup.lcore_dirty[1], 1);
	ck_assert_int_ne(spawn_lcore(1), 1);
	/* the reap: the discard, and the id is free again */
	ck_assert_int_eq(handle_next(), 0);
	ck_assert_int_eq(sup_wproc_find(&sup, pid), -1);
	ck_assert_uint_eq(sup.lcore_discards, discards + 1);
	ck_assert_uint_eq(sup.last_discard, 1);
	ck_assert_uint_eq(sup.lcore_dirty[1], 0);
	ck_assert_int_eq(spawn_lcore(1), 1);
	sup_stop_all(&sup, 2000);
}
END_TEST

START_TEST(test_bad_rules_is_fatal)
{
	write_stub("dpvs-ctl", "echo 'line 3: bad' >&2; exit 78");
	sup_start_due(&sup, dpvs_now_ns());
	while (!sup.fatal)
		ck_assert_int_eq(handle_next(), 0);
	ck_assert_int_eq(sup.child[0].pid, 0);
	ck_assert_int_eq(sup_loop(&sup), 1);
	sup_stop_all(&sup, 2000);
	ck_assert_int_eq(sup.child[2].pid, 0);
}
END_TEST

START_TEST(test_stop_kills_what_ignores_sigterm)
{
	struct sup_child *w1 = &sup.child[3];
	uint64_t t0;

	/* the trap first: SIGTERM may come as soon as the arguments are written */
	write_stub("dpvs-worker", "trap '' TERM; " WORKER_STUB("exec sleep 1000"));
	sup_start_due(&sup, dpvs_now_ns());
	wait_file("args.lcore2", "--file-prefix tsup --standby --lcore 2");
	ck_assert_int_gt(w1->pid, 0);
	t0 = dpvs_now_ns();
	sup_stop_all(&sup, 300);
	ck_assert_int_eq(w1->pid, 0);
	ck_assert_int_eq(sup.child[0].pid, 0);
	ck_assert(WIFSIGNALED(root->workers[1].sup.last_status));
	ck_assert_int_eq(WTERMSIG(root->workers[1].sup.last_status), SIGKILL);
	ck_assert_uint_ge(dpvs_now_ns() - t0, 300 * MS);
	ck_assert_uint_lt(dpvs_now_ns() - t0, 5000 * MS);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("primary_supervise");
	TCase *tc = tcase_create("logic"), *tr = tcase_create("spawn");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_backoff_sequence);
	tcase_add_test(tc, test_status_words);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_init_table);
	tcase_add_test(tc, test_death_bookkeeping);
	tcase_add_test(tc, test_repair_only_when_the_role_is_free);
	tcase_add_test(tc, test_ctl_and_bridge_deaths_discard);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tr, setup_bin, teardown_bin);
	tcase_set_timeout(tr, 30);
	tcase_add_test(tr, test_spawn_restart_stop);
	tcase_add_test(tr, test_bad_rules_is_fatal);
	tcase_add_test(tr, test_stop_kills_what_ignores_sigterm);
	tcase_add_test(tr, test_dirty_lcore_is_refused_until_discarded);
	tcase_add_test(tr, test_discard_after_the_reap_not_at_the_hang);
	suite_add_tcase(s, tr);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
