/*
 * dpvs-worker: the process that runs one worker of a node.
 *
 *   dpvs-worker --file-prefix P --id N [--lcore L]   become worker N at once
 *   dpvs-worker --file-prefix P --standby --lcore L  attach, then wait to be
 *                                                    told which worker to become
 *   dpvs-worker --file-prefix P --check [--lcore L]  attach (which compares the
 *                                                    shared layout), then exit
 *
 * Attaches to the node's shared memory as a DPDK secondary on lcore L
 * (default DPVS_LCORE_WORKER(N)). The lcore id selects the process's
 * per-lcore cache of the mbuf pool, shared by every process: no two live
 * processes may have the same one. The supervisor's lcore_alloc sees to that
 * for the processes it starts (--standby, --check); a worker started by hand
 * (--id) must never run beside a supervised one (docs/processes.md).
 * dpvs-primary starts every worker process in standby mode with the pipes of
 * shm/standby.h: a fresh worker is told TAKE at once; a standby that has
 * attached long before is told TAKE when a worker dies (crash, hang) or is
 * restarted on purpose (planned). Taking a worker: build the context, wait
 * for the predecessor (released, or dead and repaired by the primary), take
 * worker N's pool magazine (dpvs_pool_set_role), speak for the worker in its
 * part of the slot (self), recover the region (everything after a death;
 * nothing after a planned handover), register on the RCU, report RUNNING,
 * poll. Asked to hand over (sup.stop_req), it stops at a burst boundary, goes
 * offline on the RCU, gives up its pool role, marks the slot released and
 * exits 0. On SIGTERM/SIGINT it goes offline on the RCU and reports STOPPED.
 * Exit status: 0 clean stop or handover, 2 usage, 3 cannot attach (no
 * primary, missing object), 5 RCU registration failed, 6 protocol error on
 * the standby pipes, DPVS_EXIT_CONFIG (78) for what a restart cannot fix: the
 * shared layout differs from this build (or the pool's ops), or the id or the
 * ports do not fit.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>

#include "shm/eal.h"
#include "shm/pool_ops.h"
#include "shm/shm.h"
#include "shm/standby.h"
#include "worker/worker.h"

#define EXIT_USAGE  2
#define EXIT_ATTACH 3
#define EXIT_RCU    5
#define EXIT_PROTO  6
/* A predecessor that neither releases nor is reaped in this time: give up
 * (the primary's hang check kills a stuck one long before). */
#define PRED_WAIT_NS (60ull * 1000000000ull)

struct wk_args {
	const char *prefix;
	int id;         /* --id, -1 if none */
	int lcore;      /* --lcore, -1 if none */
	int standby;
	int check;
};

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s --file-prefix PREFIX (--id N | --standby | --check) "
		"[--lcore L]\n", prog);
}

static int
parse_num(const char *prog, const char *opt, const char *s, long max, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0 || v > max) {
		fprintf(stderr, "%s: %s %s is not a number in 0..%ld\n", prog, opt, s, max);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int
parse_args(int argc, char **argv, struct wk_args *a)
{
	static const struct option opts[] = {
		{ "file-prefix", required_argument, NULL, 'p' },
		{ "id", required_argument, NULL, 'i' },
		{ "lcore", required_argument, NULL, 'l' },
		{ "standby", no_argument, NULL, 's' },
		{ "check", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->id = -1;
	a->lcore = -1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'p')
			a->prefix = optarg;
		else if (c == 'i' && parse_num(argv[0], "--id", optarg, DPVS_MAX_WORKERS - 1,
					       &a->id) != 0)
			return -1;
		else if (c == 'l' && parse_num(argv[0], "--lcore", optarg, DPVS_LCORE_WORKER_MAX,
					       &a->lcore) != 0)
			return -1;
		else if (c == 's')
			a->standby = 1;
		else if (c == 'c')
			a->check = 1;
		else if (c != 'i' && c != 'l')
			return -1;
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument %s\n", argv[0], argv[optind]);
		return -1;
	}
	if (a->prefix == NULL || (a->id >= 0) + a->standby + a->check != 1) {
		fprintf(stderr, "%s: --file-prefix and one of --id, --standby, --check are "
			"required\n", argv[0]);
		return -1;
	}
	if (a->standby && a->lcore < 0) {
		fprintf(stderr, "%s: --standby needs --lcore\n", argv[0]);
		return -1;
	}
	if (a->lcore < 0)
		a->lcore = a->id >= 0 ? DPVS_LCORE_WORKER(a->id) : DPVS_LCORE_WORKER_MAX;
	return 0;
}

/* Tell the primary (standby mode only; ev_fd < 0 otherwise). */
static void
send_event(int ev_fd, uint32_t type, const struct dpvs_take_msg *t, uint64_t t_ns,
	   uint64_t pred_beat, uint32_t recovered)
{
	struct dpvs_wk_event ev = {
		.type = type, .id = t != NULL ? t->id : 0, .inc = t != NULL ? t->inc : 0,
		.recovered = recovered, .t_ns = t_ns, .pred_beat_ns = pred_beat,
	};

	if (ev_fd >= 0 && write(ev_fd, &ev, sizeof(ev)) != (ssize_t)sizeof(ev))
		WK_LOG(WARNING, "cannot tell the primary (event %u): %s", type, strerror(errno));
}

/* Wait until the predecessor is known dead (0: the primary stored dead_inc
 * after repairing what it left) or released the slot at a burst boundary
 * (1); -1 on a stop signal or after PRED_WAIT_NS. dead_inc is looked at
 * first: a process that took the slot after a release and died before it
 * polled leaves a region only a full recovery may trust, and the primary
 * stores dead_inc before it hands the slot on again. Spins: the wait is one
 * loop iteration of the predecessor, and the port's rx ring fills
 * meanwhile. */
static int
wait_predecessor(const struct wk_ctx *ctx, uint32_t old_inc)
{
	uint64_t deadline = dpvs_now_ns() + PRED_WAIT_NS;
	unsigned int spins = 0;

	for (;;) {
		if (__atomic_load_n(&ctx->sup->dead_inc, __ATOMIC_ACQUIRE) == old_inc)
			return 0;
		if (__atomic_load_n(&ctx->self->released, __ATOMIC_ACQUIRE) == old_inc)
			return 1;
		if (stop_requested || ((++spins & 1023) == 0 && dpvs_now_ns() > deadline))
			return -1;
		if ((spins & 63) == 0)
			sched_yield(); /* two cores shared with the predecessor */
		else
			rte_pause();
	}
}

/* Hand the slot to a successor: we stopped at a burst boundary, so no ring
 * or pool operation is half done and the successor takes worker id's pool
 * magazine and ring sides as they are, without a repair. After the release
 * this process must not touch them: it gives up its pool role first (what
 * it might still free goes to the depot directly). */
static void
release_slot(struct wk_ctx *ctx)
{
	ctx->self->heartbeat_ns = dpvs_now_ns();
	rte_rcu_qsbr_thread_offline(ctx->shm->rcu, ctx->id);
	dpvs_pool_set_role(ctx->pool, DPVS_ROLE_NONE);
	pthread_mutex_unlock(&ctx->root->workers[ctx->id].alive.m);
	__atomic_store_n(&ctx->self->released, ctx->inc, __ATOMIC_RELEASE);
	WK_LOG(NOTICE, "worker %u (incarnation %u) handed over", ctx->id, ctx->inc);
}

/* when TAKE was read (standby), for the takeover's timing line */
static uint64_t take_read_ns;
/* the attach's phases (main entered, EAL up, shared memory checked), for
 * the standby's timing line */
static uint64_t main_ns, eal_ns, attach_ns;

/* The takeover's timing line, from the predecessor's last beat to online. */
static void
log_takeover(unsigned int id, uint64_t pred_beat, uint64_t t_ctx, uint64_t t_wait,
	     uint64_t t_rec, uint64_t t0)
{
	WK_LOG(INFO, "worker %u takeover (us): predecessor's last beat -> TAKE read %lld, "
	       "context %lld, predecessor gone %lld, recovery %lld, online %lld", id,
	       take_read_ns != 0 ? (long long)(take_read_ns - pred_beat) / 1000 : -1LL,
	       take_read_ns != 0 ? (long long)(t_ctx - take_read_ns) / 1000 : -1LL,
	       (long long)(t_wait - t_ctx) / 1000, (long long)(t_rec - t_wait) / 1000,
	       (long long)(t0 - t_rec) / 1000);
}

/* The way out on SIGTERM/SIGINT (no handover): off the RCU, mutex let go, STOPPED. */
static void
stop_slot(struct wk_ctx *ctx)
{
	rte_rcu_qsbr_thread_offline(ctx->shm->rcu, ctx->id);
	rte_rcu_qsbr_thread_unregister(ctx->shm->rcu, ctx->id);
	pthread_mutex_unlock(&ctx->root->workers[ctx->id].alive.m);
	wk_self_state(ctx, DPVS_WORKER_STOPPED);
	WK_LOG(NOTICE, "worker %u stopped", ctx->id);
}

static int
worker_main(const char *prog, struct dpvs_shm *shm, const struct dpvs_take_msg *t, int ev_fd)
{
	uint64_t t_ctx, t_wait, t_rec;
	struct wk_ctx ctx; /* cache-aligned by its type, on this thread's stack */
	uint64_t pred_beat = 0, t0;
	unsigned int id = t->id, freed;
	pthread_mutex_t *alive;
	char err[256];
	int pred = 0, rc;

	if (id >= shm->root->conf.nworkers) {
		fprintf(stderr, "%s: worker %u but the node has %u worker(s)\n", prog, id,
			shm->root->conf.nworkers);
		return DPVS_EXIT_CONFIG;
	}
	if (wk_ctx_init(&ctx, shm, id, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: worker %u: %s\n", prog, id, err);
		return DPVS_EXIT_CONFIG;
	}
	ctx.inc = t->inc;
	alive = &shm->root->workers[id].alive.m;
	t_ctx = dpvs_now_ns();
	send_event(ev_fd, DPVS_EV_TAKING, t, 0, 0, 0);
	if (t->old_inc != 0) {
		pred = wait_predecessor(&ctx, t->old_inc);
		if (pred < 0) {
			fprintf(stderr, "%s: worker %u: predecessor %u neither released nor died\n",
				prog, id, t->old_inc);
			return EXIT_PROTO;
		}
		pred_beat = __atomic_load_n(&ctx.self->heartbeat_ns, __ATOMIC_RELAXED);
	}
	t_wait = dpvs_now_ns();
	/* The predecessor released worker id's pool magazine and ring sides at a
	 * burst boundary, or is dead and the primary repaired them before it
	 * stored dead_inc: they are ours now. */
	dpvs_pool_set_role(shm->pool, DPVS_ROLE_WORKER(id));
	wk_self_begin(&ctx);
	/* held while we may poll: the kernel marks it owner-dead when we exit,
	 * which is how the primary learns of a death first */
	rc = pthread_mutex_lock(alive);
	if (rc == EOWNERDEAD)
		rc = pthread_mutex_consistent(alive);
	if (rc != 0) {
		fprintf(stderr, "%s: worker %u: cannot take the slot's mutex: %s\n", prog, id,
			strerror(rc));
		return EXIT_PROTO;
	}
	freed = pred == 1 ? wk_ctx_recover_planned(&ctx) : wk_ctx_recover(&ctx);
	t_rec = dpvs_now_ns();
	if (rte_rcu_qsbr_thread_register(shm->rcu, id) != 0) {
		fprintf(stderr, "%s: worker %u: cannot register on the RCU\n", prog, id);
		return EXIT_RCU;
	}
	rte_rcu_qsbr_thread_online(shm->rcu, id);
	wk_self_state(&ctx, DPVS_WORKER_RUNNING);
	t0 = __atomic_load_n(&ctx.self->heartbeat_ns, __ATOMIC_RELAXED);
	send_event(ev_fd, DPVS_EV_RUNNING, t, t0, pred_beat, freed);
	WK_LOG(NOTICE, "worker %u running (pid %d, lcore %u, incarnation %u, %u port(s), "
	       "%s, %u mbuf(s) recovered)", id, (int)getpid(), rte_lcore_id(), t->inc,
	       ctx.nports, pred == 1 ? "planned handover" : "full recovery", freed);
	if (pred_beat != 0)
		log_takeover(id, pred_beat, t_ctx, t_wait, t_rec, t0);

	if (wk_run(&ctx, &stop_requested)) {
		release_slot(&ctx);
		return 0;
	}
	stop_slot(&ctx);
	return 0;
}

/*
 * Read the command of the primary, or return -1 once a stop is asked.
 * SIGTERM and SIGINT are let in only inside ppoll(): one that came earlier
 * (typically while the EAL attached, when they are blocked, and delivered
 * by the unblock in main) is seen by the test before it, and one that comes
 * later ends ppoll(). A plain blocking read() missed the first kind and
 * waited for ever: the primary's stop had to SIGKILL the standby.
 */
static ssize_t
standby_read(struct dpvs_take_msg *t)
{
	struct pollfd p = { .fd = DPVS_STANDBY_CMD_FD, .events = POLLIN };
	sigset_t stop, old;
	ssize_t n = -1;

	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, &old);
	while (!stop_requested) {
		if (ppoll(&p, 1, NULL, &old) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		n = read(DPVS_STANDBY_CMD_FD, t, sizeof(*t));
		if (n >= 0 || errno != EINTR)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return stop_requested ? -1 : n;
}

/* Standby: say READY, block until told which worker to become. */
static int
standby_main(const char *prog, struct dpvs_shm *shm)
{
	struct dpvs_take_msg t;
	ssize_t n;

	WK_LOG(INFO, "standby (pid %d) attached in %llu ms: EAL %llu ms, shared memory %llu ms",
	       (int)getpid(), (unsigned long long)(attach_ns - main_ns) / 1000000ull,
	       (unsigned long long)(eal_ns - main_ns) / 1000000ull,
	       (unsigned long long)(attach_ns - eal_ns) / 1000000ull);
	send_event(DPVS_STANDBY_EV_FD, DPVS_EV_READY, NULL, 0, 0, 0);
	n = standby_read(&t);
	if (n == 0 || (n < 0 && stop_requested))
		return 0; /* retired by the primary, or the node stops */
	take_read_ns = dpvs_now_ns();
	if (n != (ssize_t)sizeof(t) || t.magic != DPVS_TAKE_MAGIC) {
		fprintf(stderr, "%s: standby: bad command from the primary (%zd bytes)\n", prog, n);
		return EXIT_PROTO;
	}
	return worker_main(prog, shm, &t, DPVS_STANDBY_EV_FD);
}

int
main(int argc, char **argv)
{
	struct dpvs_take_msg direct = { .magic = DPVS_TAKE_MAGIC };
	struct sigaction sa;
	struct dpvs_shm shm;
	struct wk_args a;
	char err[512];
	int rc;

	if (parse_args(argc, argv, &a) != 0) {
		usage(argv[0]);
		return EXIT_USAGE;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: a blocked read returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	main_ns = dpvs_now_ns();
	if (dpvs_secondary_eal_init(argv[0], a.prefix, (unsigned int)a.lcore) != 0)
		return EXIT_ATTACH;
	eal_ns = dpvs_now_ns();
	rc = dpvs_shm_attach(&shm, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", argv[0], err);
		rte_eal_cleanup();
		return rc == -EPROTO ? DPVS_EXIT_CONFIG : EXIT_ATTACH;
	}
	attach_ns = dpvs_now_ns();
	/* attached: a stop asked meanwhile reaches on_signal now (shm/eal.h) */
	dpvs_stop_signals_unblock();
	if (a.check) {
		printf("%s: the shared layout of node '%s' matches this build\n", argv[0], a.prefix);
		rc = 0;
	} else if (a.standby) {
		rc = standby_main(argv[0], &shm);
	} else {
		fprintf(stderr, "%s: worker %d started by hand on lcore %d: it must never run "
			"beside the node's supervised workers (docs/processes.md)\n", argv[0],
			a.id, a.lcore);
		direct.id = (uint32_t)a.id;
		direct.inc = shm.root->workers[a.id].sup.incarnation;
		rc = worker_main(argv[0], &shm, &direct, -1);
	}
	/* our lcore's pool cache, back to the pool under the role we still
	 * hold (none after a handover): the primary would drop it at the reap.
	 * Not after --check: it did no pool work, and a check run by hand
	 * (default lcore DPVS_LCORE_WORKER_MAX) may share its id with a live
	 * supervised process whose cache this is. */
	if (!a.check)
		dpvs_pool_flush(shm.pool);
	rte_eal_cleanup();
	return rc;
}
