/*
 * What a death costs with DPDK's own shared objects as the node used them
 * before the crash-safety work (layout version 3): a multi-producer ring
 * (dpvs_tokni_<p>, dpvs_arp_<w>, and the mempool's default ring_mp_mc
 * backend) and a mempool with a per-lcore cache that a restarted process
 * inherits with its lcore id. A forked child leaves exactly the state a kill
 * leaves at one instruction of DPDK 22.11's inline code (it runs the
 * statements before that instruction, then SIGKILLs itself); the checks of
 * test_crash_points.c then see the failure: these tests pass when the old
 * design fails, proving that the checks can fail.
 *
 *  - MP ring: rte_ring_mp_enqueue_bulk moves prod.head with a CAS, copies,
 *    then waits for prod.tail to reach its old head before it publishes.
 *    Killed after the CAS, every later producer waits for ever.
 *  - mempool cache flush: rte_mempool_do_generic_put, when the cache is
 *    full, enqueues the cache's objects to the ring and only then sets
 *    cache->len: killed in between, the objects are both in the ring and
 *    in the cache its successor inherits; they are handed out twice.
 *  - mempool cache put: it raises cache->len before it copies the pointers
 *    in: killed in between, stale pointers (of mbufs still in use) are
 *    counted as free objects; freed by the successor too, they are handed
 *    out twice.
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
#include <rte_ring.h>

#include "shm/eal.h"
#include "crash_util.h"

#define POOL_N   2047
#define CACHE    256
#define DEADLINE 20000

static struct rte_ring *ring;
static struct rte_mempool *pool;

/* The first statement of rte_ring_mp_enqueue_bulk (its head CAS), then death. */
static int
die_after_mp_reserve(void *arg)
{
	uint32_t old, new_, free_entries;

	(void)arg;
	if (__rte_ring_move_prod_head(ring, 0, 1, RTE_RING_QUEUE_FIXED, &old, &new_,
				      &free_entries) != 1)
		return 2;
	raise(SIGKILL);
	return 3;
}

static int
produce_one(void *arg)
{
	(void)arg;
	return rte_ring_mp_enqueue(ring, (void *)0x1) == 0 ? 0 : 2;
}

START_TEST(test_mp_ring_producer_death_blocks_every_producer)
{
	int st;

	ring = rte_ring_create("ct_mp", 1024, SOCKET_ID_ANY, 0);
	ck_assert_ptr_nonnull(ring);
	st = cu_run_child(produce_one, NULL, DEADLINE);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a live producer works");
	st = cu_run_child(die_after_mp_reserve, NULL, DEADLINE);
	ck_assert(WIFSIGNALED(st));
	st = cu_run_child(produce_one, NULL, 2000);
	printf("MP ring, producer killed after its head CAS: the next producer %s\n",
	       st == CU_HANG ? "hangs (killed after 2 s)" : "finished");
	ck_assert_msg(st == CU_HANG, "the next producer did not hang");
	rte_ring_free(ring);
}
END_TEST

/* Fill this lcore's cache up to its flush threshold, then run the first
 * statement of the flush branch of rte_mempool_do_generic_put (enqueue the
 * whole cache to the ring) and die before `cache->len = n`. */
static int
die_inside_cache_flush(void *arg)
{
	struct rte_mempool_cache *c = rte_mempool_default_cache(pool, rte_lcore_id());
	void *objs[CACHE * 2];

	(void)arg;
	if (c == NULL || rte_mempool_get_bulk(pool, objs, c->flushthresh) != 0)
		return 2;
	rte_mempool_put_bulk(pool, objs, c->flushthresh);
	if (c->len != c->flushthresh)
		return 4;
	rte_mempool_ops_enqueue_bulk(pool, c->objs, c->len);
	raise(SIGKILL);
	return 3;
}

/* A worker-like child holds 64 mbufs in shared memory (its in-flight array):
 * A = held[0..32), B = held[32..64), taken from the cache top first, so the
 * cache's slots just above its len hold B, then A. It starts to put A back:
 * clears A's entries, runs the first statement of the non-flush branch
 * (cache->len += 32) and dies before A's pointers are copied in: the cache
 * now counts B's slots, and B is still held. */
static void **held;

static int
die_inside_cache_put(void *arg)
{
	struct rte_mempool_cache *c = rte_mempool_default_cache(pool, rte_lcore_id());

	(void)arg;
	if (c == NULL || c->len < 64 || rte_mempool_get_bulk(pool, held, 64) != 0)
		return 2;
	memset(held, 0, 32 * sizeof(void *));
	c->len += 32;
	raise(SIGKILL);
	return 3;
}

static void
cache_case(int (*die)(void *), const char *what)
{
	struct cu_count c;
	unsigned int i;
	int st;

	held = rte_zmalloc(NULL, 64 * sizeof(void *), 0);
	ck_assert_ptr_nonnull(held);
	pool = rte_pktmbuf_pool_create(what, POOL_N, CACHE, 0, 256, SOCKET_ID_ANY);
	ck_assert_ptr_nonnull(pool);
	/* objects have passed through the cache before */
	c = cu_take_all(pool, NULL, NULL, 0);
	ck_assert_uint_eq(c.dup, 0);
	st = cu_run_child(die, NULL, DEADLINE);
	ck_assert_msg(WIFSIGNALED(st), "the child did not die where it should (%#x)", st);
	/* the successor has the same lcore id, hence the same cache; it frees
	 * what its predecessor's in-flight array holds, as a worker does */
	for (i = 0; i < 64; i++)
		if (held[i] != NULL)
			rte_mempool_put(pool, held[i]);
	c = cu_take_all(pool, NULL, NULL, 0);
	printf("mempool cache, %s: the successor allocates %u of %u, %u handed out twice, "
	       "%u not objects of the pool\n",
	       what, c.got, POOL_N, c.dup, c.foreign);
	ck_assert_msg(c.dup > 0 || c.foreign > 0, "nothing was handed out twice");
	rte_free(held);
}

START_TEST(test_cache_flush_death_hands_mbufs_out_twice)
{
	cache_case(die_inside_cache_flush, "ct_flush");
}
END_TEST

START_TEST(test_cache_put_death_counts_stale_pointers)
{
	cache_case(die_inside_cache_put, "ct_put");
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("crash_today");
	TCase *tc = tcase_create("dpdk_objects");
	SRunner *sr;
	int failed;

	(void)argc;
	if (cu_eal_init(argv[0], "tuct") != 0)
		return EXIT_FAILURE;
	tcase_add_test(tc, test_mp_ring_producer_death_blocks_every_producer);
	tcase_add_test(tc, test_cache_flush_death_hands_mbufs_out_twice);
	tcase_add_test(tc, test_cache_put_death_counts_stale_pointers);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	dpvs_eal_cleanup_private();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
