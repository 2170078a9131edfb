/*
 * The node's mbuf pool with DPDK's per-lcore cache in front of the dpvs_mag
 * ops (shm/pool.h, docs/crash-safety.md "The mbuf pool"): what a process
 * killed inside a cache operation leaves, and the primary's repair, which
 * empties the dead process's lcore cache (dpvs_pool_cache_discard) before
 * the lcore id is used again.
 *
 * A forked child plays a worker on this thread's lcore id: it runs the
 * statements of DPDK 22.11's inline cache code up to a window (the state is
 * built with the same ops calls and stores DPDK makes), then SIGKILLs
 * itself. The parent plays the primary (the discard) and the successor on
 * the same lcore id (it frees what the child's in-flight array, in shared
 * memory, still holds), then allocates the whole pool: every mbuf must come
 * out once, and exactly the lost ones must be missing. Without the discard
 * the put and flush windows hand mbufs out twice (the controls), which is
 * what proves that the checks can fail.
 *
 * EAL runs with --no-huge: its memory is a memfd mapped MAP_SHARED, so the
 * child works on the parent's very pool, caches included.
 */
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
#include "crash_util.h"

#define POOL_N   2047
#define CACHE    256
#define FLUSH    (CACHE * 3 / 2)  /* 22.11's flush threshold */
#define BURST    32
#define DEADLINE 20000

static struct rte_mempool *pool;
static void **held;               /* the child's in-flight array (shared memory) */
static const int roles[] = { DPVS_ROLE_PRIMARY, DPVS_ROLE_WORKER(0) };

static struct rte_mempool_cache *
cache(void)
{
	return rte_mempool_default_cache(pool, rte_lcore_id());
}

static void
pool_up(const char *name)
{
	struct cu_count c;

	pool = dpvs_pool_create(name, POOL_N, CACHE, SOCKET_ID_ANY);
	ck_assert_ptr_nonnull(pool);
	ck_assert_uint_eq(pool->cache_size, CACHE);
	held = rte_zmalloc(NULL, 2 * BURST * sizeof(void *), 0);
	ck_assert_ptr_nonnull(held);
	ck_assert_int_eq(dpvs_pool_set_role(pool, DPVS_ROLE_PRIMARY), 0);
	/* every object has been through the cache and the magazines once */
	c = cu_take_all(pool, dpvs_pool_set_role, roles, RTE_DIM(roles));
	ck_assert_uint_eq(c.got, POOL_N);
	ck_assert_uint_eq(c.dup, 0);
}

static void
pool_down(void)
{
	dpvs_pool_set_role(pool, DPVS_ROLE_NONE);
	rte_mempool_free(pool);
	rte_free(held);
}

/* In the child: worker 0's role and a cache holding exactly len objects,
 * taken from the ops as a refill takes them. */
static struct rte_mempool_cache *
child_cache(unsigned int len)
{
	struct rte_mempool_cache *c;

	dpvs_pool_set_role(pool, DPVS_ROLE_WORKER(0)); /* flushes the cache */
	c = cache();
	if (c == NULL || c->len != 0)
		_exit(2);
	if (len > 0 && rte_mempool_ops_dequeue_bulk(pool, c->objs, len) != 0)
		_exit(2);
	c->len = len;
	return c;
}

/* put window: 2 x BURST in flight, A = held[0..BURST) taken last (the cache
 * slots just above len hold B = held[BURST..), then A). The put of A clears
 * A's entries, raises len by BURST and dies before it copies A's pointers:
 * the cache now counts B's slots, and B is still in flight. */
static int
die_in_put(void *arg)
{
	struct rte_mempool_cache *c = child_cache(CACHE);

	(void)arg;
	if (rte_mempool_get_bulk(pool, held, 2 * BURST) != 0 || c->len != CACHE - 2 * BURST)
		return 3;
	memset(held, 0, BURST * sizeof(void *));
	c->len += BURST;
	raise(SIGKILL);
	return 4;
}

/* flush window: a full cache (the flush threshold) and a put of BURST in
 * flight: DPDK hands the whole cache to the ops and then sets len to BURST.
 * Our ops lower len to 0 as soon as the objects are theirs (fault: dies
 * right after the ops published them, before that store; else right after
 * the call, before DPDK's own store). */
static int
flush_window(int at_fault)
{
	struct rte_mempool_cache *c = child_cache(FLUSH);

	if (rte_mempool_ops_dequeue_bulk(pool, held, BURST) != 0)
		return 3;
	memset(held, 0, BURST * sizeof(void *)); /* being freed: in hand */
	if (at_fault && dpvs_fault_arm("cache_flush_published:1") != 0)
		return 5;
	rte_mempool_ops_enqueue_bulk(pool, c->objs, c->len);
	raise(SIGKILL);
	return 4;
}

static int
die_in_flush(void *arg)
{
	(void)arg;
	return flush_window(0);
}

static int
die_in_flush_ops(void *arg)
{
	(void)arg;
	return flush_window(1);
}

/* get window: len lowered by BURST, the pointers not yet copied out */
static int
die_in_get(void *arg)
{
	struct rte_mempool_cache *c = child_cache(FLUSH);

	(void)arg;
	c->len -= BURST;
	raise(SIGKILL);
	return 4;
}

/* refill window: an empty cache and a get of BURST: DPDK has the ops fill
 * objs[] with size + BURST objects while len is 0, then copies BURST out and
 * sets len = size. Our ops leave len at 0 (a driver's rearm makes the same
 * call: test_rearm_counts_once), so the objects are lost uncounted (fault:
 * dies right after the ops let them go; else right after the call). */
static int
refill_window(int at_fault)
{
	struct rte_mempool_cache *c = child_cache(0);

	if (at_fault && dpvs_fault_arm("cache_refill_taken:1") != 0)
		return 5;
	if (rte_mempool_ops_dequeue_bulk(pool, c->objs, CACHE + BURST) != 0)
		return 3;
	raise(SIGKILL);
	return 4;
}

static int
die_in_refill(void *arg)
{
	(void)arg;
	return refill_window(0);
}

static int
die_in_refill_ops(void *arg)
{
	(void)arg;
	return refill_window(1);
}

/* A clean exit: some traffic through the cache, then the flush every
 * process makes before it exits. */
static int
clean_exit(void *arg)
{
	void *objs[BURST];
	int i;

	(void)arg;
	child_cache(0);
	for (i = 0; i < 100; i++) {
		if (rte_mempool_get_bulk(pool, objs, BURST) != 0)
			return 3;
		rte_mempool_put_bulk(pool, objs, BURST);
	}
	if (cache()->len == 0)
		return 5;
	dpvs_pool_flush(pool);
	return cache()->len == 0 ? 0 : 6;
}

struct window {
	const char *name;
	int (*die)(void *);
	unsigned int dropped;      /* entries the discard drops */
	unsigned int lost;         /* objects gone with the child */
};

/* Kill the child in w's window; repair (or not); the successor frees the
 * in-flight array; then account for every object. */
static struct cu_count
run_window(const struct window *w, int repair, unsigned int *dropped)
{
	uint64_t caches0, entries0, caches1, entries1;
	struct cu_count c;
	unsigned int i;
	int st;

	dpvs_pool_cache_lost(pool, &caches0, &entries0);
	st = cu_run_child(w->die, NULL, DEADLINE);
	ck_assert_msg(w->die == clean_exit ? WIFEXITED(st) && WEXITSTATUS(st) == 0 :
		      WIFSIGNALED(st), "%s: the child did not end where it should (%#x)",
		      w->name, st);
	/* the primary: the role's repair at the death (a depot lock the child
	 * held), the lcore id's cache after the reap, before the id is used
	 * again */
	if (repair) {
		struct dpvs_pool_repair_info info;

		ck_assert_int_eq(dpvs_pool_repair(pool, DPVS_ROLE_WORKER(0), &info), 0);
	}
	*dropped = repair ? dpvs_pool_cache_discard(pool, rte_lcore_id()) : 0;
	dpvs_pool_cache_lost(pool, &caches1, &entries1);
	ck_assert_uint_eq(caches1 - caches0, *dropped > 0);
	ck_assert_uint_eq(entries1 - entries0, *dropped);
	/* the successor, same lcore id, frees the predecessor's in-flight array */
	for (i = 0; i < 2 * BURST; i++)
		if (held[i] != NULL) {
			rte_mempool_put(pool, held[i]);
			held[i] = NULL;
		}
	if (repair) /* in use: exactly what is lost (nothing else is held) */
		ck_assert_uint_eq(rte_mempool_in_use_count(pool), w->lost);
	c = cu_take_all(pool, dpvs_pool_set_role, roles, RTE_DIM(roles));
	printf("cache, %-7s %s: dropped %u, the successor allocates %u of %u, %u twice, "
	       "%u foreign\n", w->name, repair ? "repaired" : "as left ", *dropped, c.got,
	       POOL_N, c.dup, c.foreign);
	return c;
}

static const struct window windows[] = {
	/* the two controls first: without the drop, mbufs go out twice */
	/* len counts CACHE - BURST real entries + BURST stale ones; A is lost */
	{ "put", die_in_put, CACHE - BURST, CACHE - BURST },
	/* the FLUSH entries are in the ops too: an overcount; BURST in hand */
	{ "flushop", die_in_flush_ops, FLUSH, BURST },
	/* the ops lowered len: nothing to drop; the put's BURST are lost */
	{ "flush", die_in_flush, 0, BURST },
	/* what len still covers, and the BURST being taken */
	{ "get", die_in_get, FLUSH - BURST, FLUSH },
	/* out of the ops, len still 0: lost uncounted */
	{ "refill", die_in_refill, 0, CACHE + BURST },
	{ "refilop", die_in_refill_ops, 0, CACHE + BURST },
	{ "exit", clean_exit, 0, 0 },
};

START_TEST(test_discard_hands_every_mbuf_out_once)
{
	const struct window *w = &windows[_i];
	unsigned int dropped;
	struct cu_count c;
	char name[32];

	if (!DPVS_POOL_CACHE_OK) {
		printf("no cache with this DPDK version: nothing to test\n");
		return;
	}
	snprintf(name, sizeof(name), "pc_%s", w->name);
	pool_up(name);
	c = run_window(w, 1, &dropped);
	ck_assert_uint_eq(dropped, w->dropped);
	ck_assert_uint_eq(c.dup, 0);
	ck_assert_uint_eq(c.foreign, 0);
	ck_assert_uint_eq(c.got, POOL_N - w->lost);
	/* what the repair leaves works: the next process on the id frees
	 * and allocates through the cache as before */
	c = cu_take_all(pool, dpvs_pool_set_role, roles, RTE_DIM(roles));
	ck_assert_uint_eq(c.got, POOL_N - w->lost);
	ck_assert_uint_eq(c.dup, 0);
	pool_down();
}
END_TEST

/* The controls: the cache as the dead process left it hands mbufs out twice
 * in the put and flush windows. */
START_TEST(test_without_discard_mbufs_go_out_twice)
{
	const struct window *w = &windows[_i];
	unsigned int dropped;
	struct cu_count c;
	char name[32];

	if (!DPVS_POOL_CACHE_OK)
		return;
	snprintf(name, sizeof(name), "pn_%s", w->name);
	pool_up(name);
	c = run_window(w, 0, &dropped);
	ck_assert_msg(c.dup > 0, "%s: nothing was handed out twice without the repair",
		      w->name);
	pool_down();
}
END_TEST

/* The attach check: the cache must be the node's ([memory] mbuf_cache). */
START_TEST(test_check_refuses_a_cache_mismatch)
{
	struct rte_mempool *other;
	char err[256];

	if (!DPVS_POOL_CACHE_OK)
		return;
	pool_up("pc_check");
	ck_assert_int_eq(dpvs_pool_check(pool, CACHE, err, sizeof(err)), 0);
	ck_assert_int_eq(dpvs_pool_check(pool, 0, err, sizeof(err)), -EPROTO);
	ck_assert_int_eq(dpvs_pool_check(pool, 64, err, sizeof(err)), -EPROTO);
	/* a cache not made by dpvs_pool_create (its depot says 0) */
	other = rte_pktmbuf_pool_create_by_ops("pc_other", 1023, 64, 0, 256, SOCKET_ID_ANY,
					       DPVS_POOL_OPS);
	ck_assert_ptr_nonnull(other);
	ck_assert_int_eq(dpvs_pool_check(other, 64, err, sizeof(err)), -EPROTO);
	ck_assert_ptr_nonnull(strstr(err, "per-lcore cache of 64"));
	rte_mempool_free(other);
	/* a pool without a cache, checked for none: today's behaviour */
	other = dpvs_pool_create("pc_none", 1023, 0, SOCKET_ID_ANY);
	ck_assert_ptr_nonnull(other);
	ck_assert_int_eq(dpvs_pool_check(other, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(dpvs_pool_check(other, CACHE, err, sizeof(err)), -EPROTO);
	ck_assert_uint_eq(dpvs_pool_cache_discard(other, rte_lcore_id()), 0);
	rte_mempool_free(other);
	pool_down();
}
END_TEST

/* A role change flushes the cache under the old role: a worker that hands
 * its slot over leaves nothing of its role in a cache its lcore id keeps. */
START_TEST(test_role_change_flushes_the_cache)
{
	void *objs[BURST];
	void *audit[POOL_N + 16];

	if (!DPVS_POOL_CACHE_OK)
		return;
	pool_up("pc_role");
	ck_assert_int_eq(dpvs_pool_set_role(pool, DPVS_ROLE_WORKER(0)), 0);
	ck_assert_uint_eq(cache()->len, 0);
	ck_assert_int_eq(rte_mempool_get_bulk(pool, objs, BURST), 0);
	rte_mempool_put_bulk(pool, objs, BURST);
	ck_assert_uint_gt(cache()->len, 0);
	ck_assert_uint_eq(dpvs_pool_audit(pool, audit, RTE_DIM(audit)), POOL_N);
	ck_assert_int_eq(dpvs_pool_set_role(pool, DPVS_ROLE_NONE), 0);
	ck_assert_uint_eq(cache()->len, 0);
	ck_assert_uint_eq(dpvs_pool_audit(pool, audit, RTE_DIM(audit)), POOL_N);
	ck_assert_uint_eq(rte_mempool_in_use_count(pool), 0);
	pool_down();
}
END_TEST

/* A cache small enough for its refills to come from the role's magazine
 * (64 + BURST <= DPVS_MAG_SIZE): the same accounting through that path. */
static int
die_in_small_refill(void *arg)
{
	struct rte_mempool_cache *c;

	(void)arg;
	dpvs_pool_set_role(pool, DPVS_ROLE_WORKER(0));
	c = cache();
	if (c == NULL || c->len != 0 || dpvs_fault_arm("cache_refill_taken:1") != 0)
		return 2;
	rte_mempool_ops_dequeue_bulk(pool, c->objs, 64 + BURST);
	return 3;
}

START_TEST(test_small_cache_refills_from_the_magazine)
{
	struct dpvs_pool_repair_info info;
	void *objs[BURST];
	struct cu_count c;
	int i, st;

	if (!DPVS_POOL_CACHE_OK)
		return;
	pool = dpvs_pool_create("pc_small", POOL_N, 64, SOCKET_ID_ANY);
	ck_assert_ptr_nonnull(pool);
	held = rte_zmalloc(NULL, 2 * BURST * sizeof(void *), 0);
	ck_assert_int_eq(dpvs_pool_set_role(pool, DPVS_ROLE_WORKER(0)), 0);
	for (i = 0; i < 1000; i++) {
		ck_assert_int_eq(rte_mempool_get_bulk(pool, objs, BURST), 0);
		rte_mempool_put_bulk(pool, objs, BURST);
	}
	ck_assert_uint_eq(rte_mempool_in_use_count(pool), 0);
	dpvs_pool_flush(pool);
	st = cu_run_child(die_in_small_refill, NULL, DEADLINE);
	ck_assert(WIFSIGNALED(st));
	ck_assert_int_eq(dpvs_pool_repair(pool, DPVS_ROLE_WORKER(0), &info), 0);
	ck_assert_uint_eq(info.lock_held, 0); /* the magazine path takes no lock */
	ck_assert_uint_eq(dpvs_pool_cache_discard(pool, rte_lcore_id()), 0);
	ck_assert_uint_eq(rte_mempool_in_use_count(pool), 64 + BURST);
	c = cu_take_all(pool, dpvs_pool_set_role, roles, RTE_DIM(roles));
	ck_assert_uint_eq(c.dup, 0);
	ck_assert_uint_eq(c.got, POOL_N - 64 - BURST);
	pool_down();
}
END_TEST

/* DPDK 22.11's AVX-512 rx rearm (i40e, ice, iavf, idpf) fills the cache
 * itself: it dequeues req objects into &objs[len], adds req to len, then
 * takes its burst from the top. At len 0 that call looks like a refill to
 * the ops; if they raised len too, it would count the objects twice and
 * hand stale pointers out. Afterwards the whole pool comes out once. */
START_TEST(test_rearm_counts_once)
{
	struct rte_mempool_cache *c;
	void *objs[BURST];
	unsigned int req, round;
	struct cu_count cnt;

	if (!DPVS_POOL_CACHE_OK)
		return;
	pool_up("pc_rearm");
	ck_assert_int_eq(dpvs_pool_set_role(pool, DPVS_ROLE_WORKER(0)), 0);
	c = cache();
	for (round = 0; round < 3; round++) {
		ck_assert_uint_eq(c->len, 0);
		req = BURST + (CACHE - c->len);
		ck_assert_int_eq(rte_mempool_ops_dequeue_bulk(pool, &c->objs[c->len], req), 0);
		c->len += req;
		ck_assert_uint_eq(c->len, req);
		/* the rearm's burst, from the top */
		c->len -= BURST;
		memcpy(objs, &c->objs[c->len], sizeof(objs));
		ck_assert_uint_eq(rte_mempool_in_use_count(pool), BURST);
		rte_mempool_put_bulk(pool, objs, BURST);
		dpvs_pool_flush(pool);
	}
	cnt = cu_take_all(pool, dpvs_pool_set_role, roles, RTE_DIM(roles));
	ck_assert_uint_eq(cnt.got, POOL_N);
	ck_assert_uint_eq(cnt.dup, 0);
	ck_assert_uint_eq(cnt.foreign, 0);
	pool_down();
}
END_TEST

/* A corrupt len (past the array) counts no more than the array holds. */
START_TEST(test_discard_clamps_a_corrupt_len)
{
	struct rte_mempool_cache *c;

	if (!DPVS_POOL_CACHE_OK)
		return;

	pool_up("pc_clamp");
	ck_assert_int_eq(dpvs_pool_set_role(pool, DPVS_ROLE_NONE), 0);
	c = cache();
	c->len = 0xfffffff0u;
	ck_assert_uint_eq(dpvs_pool_cache_discard(pool, rte_lcore_id()), RTE_DIM(c->objs));
	ck_assert_uint_eq(c->len, 0);
	pool_down();
}
END_TEST

/* The safety valve: dead processes' caches dropping more than the pool's
 * size / DPVS_POOL_CACHE_OFF_DIV turn the caches off for good. A call that
 * had its cache pointer before (DPDK's inline code read mp->cache_size
 * already) finishes on it, flushes and refills included; the flag then has
 * the thread flush its cache; after that every get and put goes to the ops
 * (the cache stays empty) and the whole pool comes out once. */
START_TEST(test_drops_past_the_bound_turn_the_cache_off)
{
	unsigned int bound = POOL_N / DPVS_POOL_CACHE_OFF_DIV, total = 0, i;
	struct rte_mempool_cache *c;
	void *objs[FLUSH], *more[BURST];
	char err[256];
	struct cu_count cnt;

	if (!DPVS_POOL_CACHE_OK)
		return;
	pool_up("pc_off");
	ck_assert_int_eq(dpvs_pool_set_role(pool, DPVS_ROLE_WORKER(0)), 0);
	c = cache();
	/* dead processes' caches of BURST entries each (lost objects), until
	 * the bound is passed: the cache stays on up to it */
	while (total <= bound) {
		ck_assert_int_eq(dpvs_pool_cache_is_off(pool), 0);
		ck_assert_uint_eq(pool->cache_size, CACHE);
		ck_assert_int_eq(rte_mempool_ops_dequeue_bulk(pool, c->objs, BURST), 0);
		c->len = BURST;
		total += dpvs_pool_cache_discard(pool, rte_lcore_id());
	}
	ck_assert_int_eq(dpvs_pool_cache_is_off(pool), 1);
	ck_assert_uint_eq(pool->cache_size, 0);
	ck_assert_ptr_null(rte_mempool_default_cache(pool, rte_lcore_id()));
	ck_assert_int_eq(dpvs_pool_cache_turn_off(pool), 0); /* once */
	/* the attach check accepts a cache turned off, still the node's size */
	ck_assert_int_eq(dpvs_pool_check(pool, CACHE, err, sizeof(err)), 0);
	ck_assert_int_eq(dpvs_pool_check(pool, 64, err, sizeof(err)), -EPROTO);
	/* calls already inside the cache (explicit c): a refill and a flush */
	ck_assert_uint_eq(c->len, 0);
	ck_assert_int_eq(rte_mempool_generic_get(pool, objs, BURST, c), 0);
	ck_assert_uint_eq(c->len, CACHE);
	ck_assert_int_eq(rte_mempool_generic_get(pool, objs + BURST, FLUSH - BURST, c), 0);
	rte_mempool_generic_put(pool, objs, FLUSH, c);
	ck_assert_uint_gt(c->len, 0);
	/* the loop's poll: the thread's cache, back to the ops */
	dpvs_pool_cache_poll(pool);
	ck_assert_uint_eq(c->len, 0);
	/* from now on gets and puts bypass the cache */
	for (i = 0; i < 100; i++) {
		ck_assert_int_eq(rte_mempool_get_bulk(pool, more, BURST), 0);
		rte_mempool_put_bulk(pool, more, BURST);
		ck_assert_uint_eq(c->len, 0);
	}
	cnt = cu_take_all(pool, dpvs_pool_set_role, roles, RTE_DIM(roles));
	ck_assert_uint_eq(cnt.got, POOL_N - total);
	ck_assert_uint_eq(cnt.dup, 0);
	ck_assert_uint_eq(cnt.foreign, 0);
	ck_assert_uint_eq(c->len, 0);
	pool_down();
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("pool_cache");
	TCase *tc = tcase_create("windows");
	SRunner *sr;
	int failed;

	(void)argc;
	if (cu_eal_init(argv[0], "tupc") != 0)
		return EXIT_FAILURE;
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_discard_hands_every_mbuf_out_once, 0,
			    (int)RTE_DIM(windows));
	tcase_add_loop_test(tc, test_without_discard_mbufs_go_out_twice, 0, 2);
	tcase_add_test(tc, test_check_refuses_a_cache_mismatch);
	tcase_add_test(tc, test_role_change_flushes_the_cache);
	tcase_add_test(tc, test_small_cache_refills_from_the_magazine);
	tcase_add_test(tc, test_rearm_counts_once);
	tcase_add_test(tc, test_discard_clamps_a_corrupt_len);
	tcase_add_test(tc, test_drops_past_the_bound_turn_the_cache_off);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	dpvs_eal_cleanup_private();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
