/*
 * Random kills inside DPDK's real inline per-lcore cache code (22.11's
 * rte_mempool_get/put through rte_pktmbuf_alloc/free and their bulk forms)
 * in front of the dpvs_mag ops, and the primary's repair: the supervisor's
 * own sup_lcore_discard() (its pool cache dropped, never given back) and
 * the role's magazine repair. Unlike test_pool_cache.c, no window is built
 * by hand: a forked child (a worker on this thread's lcore id, pool role
 * worker 0) runs a loop of allocs and frees of varied sizes, so that puts,
 * flushes, gets and refills all happen, and the parent SIGKILLs it at a
 * random moment; or the child dies at a named fault point (cache flush and
 * refill, the magazine's spill and refill, the depot's direct calls) at a
 * random hit count. The child keeps what it holds in a shared array in a
 * crash-consistent order (stored after the alloc, cleared before the
 * free): what it has in its hands when killed is lost, as with a worker.
 *
 * After each death the parent repairs as the primary would, frees the
 * child's array as the successor on the same lcore id, and then allocates
 * the whole pool: no mbuf may come out twice and each must be one of the
 * pool's; what is missing must be what the drop and the child's hands
 * explain (bounded, see check_round()). A fresh pool each round, so the
 * caches' safety valve (cache_off) never turns the cache off under the test.
 *
 * The controls (environment, for a manual run only): CACHEKILL_MODE=skip
 * leaves the dead child's cache as it is, CACHEKILL_MODE=giveback flushes
 * it to the ops (what the design forbids): the test must then fail with
 * mbufs handed out twice (in a run of 10 s: the random kills in ~1% of
 * their rounds, cache_flush_published in every round).
 *
 * EAL runs with --no-huge: its memory is a memfd mapped MAP_SHARED, so the
 * child works on the parent's very pool, caches included.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "shm/eal.h"
#include "shm/fault.h"
#include "shm/pool_ops.h"
#include "shm/shm.h"
#include "primary/supervise.h"
#include "crash_util.h"

#define POOL_N     2047
#define CACHE      64
#define HMAX       256            /* the child's array of held mbufs */
#define BULK_MAX   96             /* largest bulk call (1.5 x CACHE) */
#define ROUNDS_RND 1500           /* random-delay kills */
#define RND_MIN    50             /* ... at least */
#define FAULT_TRY  12             /* rounds per fault point */
#define FAULT_MAX  60             /* ... at most, until the point is hit once */
#define TIME_MS    20000          /* the whole test's bound, once each point is hit */

struct child_state {
	volatile uint64_t iters;      /* loop turns (the parent waits for some) */
	struct rte_mbuf *held[HMAX];  /* what the child holds, NULL: empty */
};

static struct rte_mempool *pool;
static struct child_state *cs;     /* shared memory */
static const int roles[] = { DPVS_ROLE_PRIMARY, DPVS_ROLE_WORKER(0) };
static const char *mode;           /* NULL, "skip" or "giveback" */

struct totals {
	unsigned int rounds, dup_rounds, dups, foreign, fault_hits, dropped_rounds;
	uint64_t dropped;
	int64_t missing;
};

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
hold(unsigned int i, struct rte_mbuf *m)
{
	__atomic_store_n(&cs->held[i], m, __ATOMIC_RELEASE);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static int
free_slot(uint64_t *s)
{
	unsigned int i, start = (unsigned int)(rnd(s) % HMAX);

	for (i = 0; i < HMAX; i++)
		if (cs->held[(start + i) % HMAX] == NULL)
			return (int)((start + i) % HMAX);
	return -1;
}

static int
used_slot(uint64_t *s)
{
	unsigned int i, start = (unsigned int)(rnd(s) % HMAX);

	for (i = 0; i < HMAX; i++)
		if (cs->held[(start + i) % HMAX] != NULL)
			return (int)((start + i) % HMAX);
	return -1;
}

/* k mbufs allocated in one call, each then stored in a free slot */
static void
alloc_bulk(uint64_t *s, unsigned int k)
{
	struct rte_mbuf *tmp[BULK_MAX];
	unsigned int i;
	int slot;

	if (rte_pktmbuf_alloc_bulk(pool, tmp, k) != 0)
		return;
	for (i = 0; i < k; i++) {
		slot = free_slot(s);
		if (slot < 0) { /* no room: straight back */
			rte_pktmbuf_free_bulk(tmp + i, k - i);
			return;
		}
		hold((unsigned int)slot, tmp[i]);
	}
}

/* up to k held mbufs cleared from the array, then freed in one call */
static void
free_bulk(uint64_t *s, unsigned int k)
{
	struct rte_mbuf *tmp[BULK_MAX];
	unsigned int n = 0;
	int slot;

	while (n < k && (slot = used_slot(s)) >= 0) {
		tmp[n++] = cs->held[slot];
		hold((unsigned int)slot, NULL);
	}
	rte_pktmbuf_free_bulk(tmp, n);
}

/* The child: worker 0's role on this lcore id; random allocs and frees
 * until killed (or max_iters turns, then exit 7). */
static int
child_loop(uint64_t seed, const char *fault, uint64_t max_iters)
{
	uint64_t s = seed | 1, it;
	struct rte_mbuf *m;
	unsigned int nheld = 0, i;
	int slot;

	if (dpvs_pool_set_role(pool, DPVS_ROLE_WORKER(0)) != 0)
		return 3;
	if (fault != NULL && dpvs_fault_arm(fault) != 0)
		return 4;
	for (it = 0; it < max_iters; it++) {
		uint64_t r = rnd(&s);
		unsigned int k = 1 + (unsigned int)((r >> 8) % BULK_MAX);

		if ((it & 63) == 0)
			for (nheld = 0, i = 0; i < HMAX; i++)
				nheld += cs->held[i] != NULL;
		switch ((r & 7) + (nheld < HMAX / 4 ? 0 : nheld > HMAX * 3 / 4 ? 4 : 2)) {
		case 0: case 1: case 2: case 3:
			if ((slot = free_slot(&s)) >= 0 && (m = rte_pktmbuf_alloc(pool)) != NULL)
				hold((unsigned int)slot, m);
			break;
		case 4: case 5:
			alloc_bulk(&s, k);
			break;
		case 6: case 7: case 8:
			if ((slot = used_slot(&s)) >= 0) {
				m = cs->held[slot];
				hold((unsigned int)slot, NULL);
				rte_pktmbuf_free(m);
			}
			break;
		default:
			free_bulk(&s, k);
			break;
		}
		__atomic_store_n(&cs->iters, it + 1, __ATOMIC_RELAXED);
	}
	return 7;
}

struct fault_arg {
	uint64_t seed;
	const char *spec;
};

static int
child_fault(void *arg)
{
	const struct fault_arg *a = arg;

	return child_loop(a->seed, a->spec, 200000);
}

/* Fork the child; kill it after delay_us (random kills) or wait for its
 * fault. Returns its wait status. */
static int
run_child(uint64_t seed, const char *fault, unsigned int delay_us)
{
	struct timespec ts = { 0, 20000 };
	uint64_t end = cu_now_ms() + 2000;
	struct fault_arg fa = { seed, fault };
	pid_t pid;

	cs->iters = 0;
	dpvs_pool_flush(pool); /* the parent's own cache (same lcore id) empty */
	if (fault != NULL)
		return cu_run_child(child_fault, &fa, 10000);
	pid = fork();
	if (pid == 0)
		_exit(child_loop(seed, NULL, UINT64_MAX));
	ck_assert_int_gt(pid, 0);
	/* past the start (some turns run), then a random moment */
	while (__atomic_load_n(&cs->iters, __ATOMIC_RELAXED) < 50 && cu_now_ms() < end)
		nanosleep(&ts, NULL);
	ts.tv_nsec = (long)delay_us * 1000;
	nanosleep(&ts, NULL);
	kill(pid, SIGKILL);
	return cu_wait(pid, 10000);
}

/* The primary after the reap, then the successor, then every mbuf counted. */
static void
check_round(struct totals *t, int st, const char *what)
{
	static struct dpvs_shm shm;
	static struct supervisor sup;
	struct dpvs_pool_repair_info info;
	uint64_t c0, e0, c1, e1;
	unsigned int i, in_use, dropped = 0;
	struct cu_count c;

	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
		      "%s: the child ended otherwise (%#x)", what, st);
	ck_assert_int_eq(dpvs_pool_repair(pool, DPVS_ROLE_WORKER(0), &info), 0);
	dpvs_pool_cache_lost(pool, &c0, &e0);
	if (mode == NULL) {
		/* the supervisor's call at a worker's reap (sup_wproc_died) */
		memset(&sup, 0, sizeof(sup));
		shm.pool = pool;
		sup.shm = &shm;
		sup.lcore_dirty[rte_lcore_id()] = 1;
		sup_lcore_discard(&sup, rte_lcore_id(), "cachekill child");
		ck_assert_uint_eq(sup.lcore_dirty[rte_lcore_id()], 0);
	} else if (strcmp(mode, "giveback") == 0) {
		dpvs_pool_flush(pool);
	}
	dpvs_pool_cache_lost(pool, &c1, &e1);
	dropped = (unsigned int)(e1 - e0);
	ck_assert_int_eq(dpvs_pool_cache_is_off(pool), 0);
	/* the successor on the same lcore id frees the predecessor's array */
	for (i = 0; i < HMAX; i++)
		if (cs->held[i] != NULL) {
			rte_pktmbuf_free(cs->held[i]);
			cs->held[i] = NULL;
		}
	dpvs_pool_flush(pool);
	in_use = rte_mempool_in_use_count(pool);
	c = cu_take_all(pool, dpvs_pool_set_role, roles, RTE_DIM(roles));
	t->rounds++;
	t->dups += c.dup;
	t->dup_rounds += c.dup > 0;
	t->foreign += c.foreign;
	t->dropped += dropped;
	t->dropped_rounds += dropped > 0;
	t->missing += (int64_t)POOL_N - (int64_t)c.got;
	if (mode != NULL)
		return;
	ck_assert_msg(c.dup == 0 && c.foreign == 0, "%s: %u mbuf(s) out twice, %u foreign",
		      what, c.dup, c.foreign);
	/* what is missing: the dropped cache's entries (over by at most a
	 * flush's len at cache_flush_published: those are in the ops) and
	 * what the child had in its hands (under by at most a bulk call, and
	 * a refill's size + n taken while the cache's len is 0) */
	ck_assert_uint_eq(c.got + in_use, POOL_N);
	ck_assert_msg(in_use + CACHE * 3 / 2 >= dropped && in_use <= dropped + CACHE + 2 * BULK_MAX,
		      "%s: %u in use, %u dropped", what, in_use, dropped);
}

static void pool_down(void);

static void
pool_up(void)
{
	if (pool != NULL) /* a failed round (CK_NOFORK) left it */
		pool_down();
	pool = dpvs_pool_create("pck", POOL_N, CACHE, SOCKET_ID_ANY);
	ck_assert_ptr_nonnull(pool);
	ck_assert_uint_eq(pool->cache_size, CACHE);
	ck_assert_int_eq(dpvs_pool_set_role(pool, DPVS_ROLE_PRIMARY), 0);
	memset(cs->held, 0, sizeof(cs->held));
}

static void
pool_down(void)
{
	dpvs_pool_set_role(pool, DPVS_ROLE_NONE);
	rte_mempool_free(pool);
	pool = NULL;
}

static void
report(const char *name, const struct totals *t)
{
	printf("cachekill %-22s %s: %u rounds, %u with a cache dropped (%" PRIu64 " entries), "
	       "%" PRId64 " missing, %u fault hits, %u twice in %u rounds, %u foreign\n", name,
	       mode != NULL ? mode : "discard", t->rounds, t->dropped_rounds, t->dropped,
	       t->missing, t->fault_hits, t->dups, t->dup_rounds, t->foreign);
}

static uint64_t t_start;

/* SIGKILL at a random moment of the loop. */
START_TEST(test_random_kill_hands_no_mbuf_out_twice)
{
	struct totals t;
	uint64_t s = 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
	unsigned int r;
	char what[64];

	memset(&t, 0, sizeof(t));
	/* half the test's time, but at least RND_MIN rounds on a loaded machine */
	for (r = 0; r < ROUNDS_RND && (r < RND_MIN || cu_now_ms() - t_start < TIME_MS / 2); r++) {
		pool_up();
		snprintf(what, sizeof(what), "random kill %u", r);
		check_round(&t, run_child(rnd(&s), NULL, (unsigned int)(rnd(&s) % 3000)), what);
		pool_down();
	}
	report("random", &t);
	ck_assert_uint_ge(t.rounds, RND_MIN);
	/* the kills did land inside the cache's life (something was dropped) */
	if (mode == NULL)
		ck_assert_uint_gt(t.dropped_rounds, t.rounds / 4);
	ck_assert_msg(t.dups == 0 && t.foreign == 0, "%u mbuf(s) out twice in %u of %u rounds, "
		      "%u foreign", t.dups, t.dup_rounds, t.rounds, t.foreign);
}
END_TEST

/* The points a cached pool's calls pass (mag_get_taken and the depot's
 * direct put and get are only on the way of a pool without a cache or of
 * a bulk call past the cache's maximum, not reached here). */
static const char *const points[] = {
	"cache_flush_published", "cache_refill_taken", "mag_put_copied", "spill_copied",
	"spill_taken", "spill_published", "refill_copied", "refill_taken", "refill_published",
};

/* Death at a named point of the real call path, at a random hit count. */
START_TEST(test_fault_points_hand_no_mbuf_out_twice)
{
	struct totals t;
	uint64_t s = 0x2545f4914f6cdd1dull ^ (uint64_t)getpid() ^ (uint64_t)_i << 32;
	unsigned int r, hits = 0;
	char spec[64], what[96];
	int st;

	memset(&t, 0, sizeof(t));
	/* FAULT_TRY rounds, fewer once the test's time is spent; but on a
	 * loaded machine the points tested last would then get no round at
	 * all and fail "never reached": each goes on until it was hit once
	 * (FAULT_MAX rounds at most, a point that is never reached fails) */
	for (r = 0; r < FAULT_MAX; r++) {
		if (hits > 0 && (r >= FAULT_TRY || cu_now_ms() - t_start >= TIME_MS))
			break;
		pool_up();
		snprintf(spec, sizeof(spec), "%s:%u", points[_i], 1 + (unsigned int)(rnd(&s) % 40));
		st = run_child(rnd(&s), spec, 0);
		snprintf(what, sizeof(what), "fault %s", spec);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 7) { /* never reached */
			pool_down();
			continue;
		}
		hits++;
		t.fault_hits++;
		check_round(&t, st, what);
		pool_down();
	}
	report(points[_i], &t);
	ck_assert_msg(t.dups == 0 && t.foreign == 0, "%s: %u mbuf(s) out twice in %u of %u "
		      "rounds, %u foreign", points[_i], t.dups, t.dup_rounds, t.rounds, t.foreign);
	ck_assert_msg(hits > 0, "%s: never reached in %u rounds", points[_i], r);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("pool_cache_kill");
	TCase *tc = tcase_create("kills");
	SRunner *sr;
	int failed;

	(void)argc;
	mode = getenv("CACHEKILL_MODE");
	if (mode != NULL && mode[0] == '\0')
		mode = NULL;
	if (cu_eal_init(argv[0], "tupk") != 0)
		return EXIT_FAILURE;
	if (!DPVS_POOL_CACHE_OK) {
		printf("no checked per-lcore cache in this DPDK: nothing to test\n");
		return EXIT_SUCCESS;
	}
	cs = rte_zmalloc(NULL, sizeof(*cs), 0);
	if (cs == NULL)
		return EXIT_FAILURE;
	t_start = cu_now_ms();
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_random_kill_hands_no_mbuf_out_twice);
	tcase_add_loop_test(tc, test_fault_points_hand_no_mbuf_out_twice, 0, (int)RTE_DIM(points));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rte_free(cs);
	dpvs_eal_cleanup_private();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
