/*
 * Unit tests for dpvs-kni-bridge (kni_bridge/bridge.c): the choice of worker
 * for kernel frames, the idle sleep, and one real pass of both directions
 * with a net_ring port standing in for the exception tap (its single ring
 * loops tx back to rx). EAL runs in-memory without hugepages.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "shm/eal.h"
#include "shm/shm.h"
#include "kni_bridge/bridge.h"

#define LOOP_RING "ETH_RXTX0_net_ring0"  /* net_ring's ring for queue 0 */
#define DATA_PORT_ID 7

/* Worker w as the node would see it in state st (both parts of its slot). */
static void
set_state(struct dpvs_root *root, unsigned int w, uint32_t st)
{
	struct dpvs_worker_slot *s = &root->workers[w];

	s->sup.pid = s->self.pid = (int32_t)(100 + w);
	s->sup.incarnation = s->self.incarnation = 1;
	s->sup.state = st == DPVS_WORKER_RUNNING ? DPVS_WORKER_STARTING : st;
	s->self.state = st == DPVS_WORKER_RUNNING ? DPVS_WORKER_RUNNING : DPVS_WORKER_STOPPED;
}

START_TEST(test_pick_round_robin_over_running)
{
	static struct dpvs_root root;
	uint32_t rr = 0;

	set_state(&root, 0, DPVS_WORKER_RUNNING);
	set_state(&root, 1, DPVS_WORKER_STARTING);
	set_state(&root, 2, DPVS_WORKER_RUNNING);
	ck_assert_uint_eq(bridge_pick_worker(&root, 3, &rr), 0);
	ck_assert_uint_eq(bridge_pick_worker(&root, 3, &rr), 2);
	ck_assert_uint_eq(bridge_pick_worker(&root, 3, &rr), 0);
	ck_assert_uint_eq(bridge_pick_worker(&root, 3, &rr), 2);
	/* worker 0 dies: everything goes to 2 */
	set_state(&root, 0, DPVS_WORKER_BACKOFF);
	ck_assert_uint_eq(bridge_pick_worker(&root, 3, &rr), 2);
	ck_assert_uint_eq(bridge_pick_worker(&root, 3, &rr), 2);
	/* none running: worker 0's ring keeps the frames for its successor */
	set_state(&root, 2, DPVS_WORKER_STOPPED);
	ck_assert_uint_eq(bridge_pick_worker(&root, 3, &rr), 0);
	ck_assert_uint_eq(bridge_pick_worker(&root, 0, &rr), 0);
}
END_TEST

START_TEST(test_idle_sleep_grows_to_1ms)
{
	static const uint32_t want[] = { 10, 20, 40, 80, 160, 320, 640, 1000, 1000 };
	uint32_t us = 0, i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		us = bridge_next_sleep_us(us, 0);
		ck_assert_uint_eq(us, want[i]);
	}
	ck_assert_uint_eq(bridge_next_sleep_us(us, 1), 0);
}
END_TEST

/* ---- one real pass, EAL in memory ---- */

static struct dpvs_shm shm;
static struct rte_ring *loop;

static void
setup_node(void)
{
	struct dpvs_global_conf g = { .mbufs = 4096, .nworkers = 2, .nports = 1 };
	struct dpvs_port_info ports[1];
	struct rte_eth_conf ec;
	uint16_t pid;
	char err[256];

	memset(ports, 0, sizeof(ports));
	snprintf(ports[0].name, sizeof(ports[0].name), "dpdk0");
	ck_assert_msg(dpvs_shm_create(&shm, &g, ports, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(rte_eth_dev_get_port_by_name("net_ring0", &pid), 0);
	memset(&ec, 0, sizeof(ec));
	ck_assert_int_eq(rte_eth_dev_configure(pid, 1, 1, &ec), 0);
	ck_assert_int_eq(rte_eth_rx_queue_setup(pid, 0, 512, SOCKET_ID_ANY, NULL, shm.pool), 0);
	ck_assert_int_eq(rte_eth_tx_queue_setup(pid, 0, 512, SOCKET_ID_ANY, NULL), 0);
	ck_assert_int_eq(rte_eth_dev_start(pid), 0);
	shm.root->ports[0].kni_port_id = pid;
	shm.root->ports[0].port_id = DATA_PORT_ID;
	loop = rte_ring_lookup(LOOP_RING);
	ck_assert_ptr_nonnull(loop);
}

static void
inject(struct rte_ring *r, unsigned int n)
{
	struct rte_mbuf *m;
	unsigned int i;

	for (i = 0; i < n; i++) {
		m = rte_pktmbuf_alloc(shm.pool);
		ck_assert_ptr_nonnull(m);
		ck_assert_ptr_nonnull(rte_pktmbuf_append(m, 60));
		m->port = 99;
		ck_assert_int_eq(rte_ring_enqueue(r, m), 0);
	}
}

/* Take everything out of a ring and free it; returns how many, checks port. */
static unsigned int
drain(struct rte_ring *r, int want_port)
{
	void *m;
	unsigned int n = 0;

	while (rte_ring_dequeue(r, &m) == 0) {
		if (want_port >= 0)
			ck_assert_uint_eq(((struct rte_mbuf *)m)->port, (unsigned int)want_port);
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

START_TEST(test_pass_both_directions)
{
	struct dpvs_bridge_stats *st = &shm.root->bridge_stats[0];
	struct bridge_ctx b = { .shm = &shm };
	unsigned int in_use = rte_mempool_in_use_count(shm.pool);

	/* the kernel wrote 3 frames: they go to the running worker 1 */
	set_state(shm.root, 0, DPVS_WORKER_STARTING);
	set_state(shm.root, 1, DPVS_WORKER_RUNNING);
	inject(loop, 3);
	ck_assert_uint_eq(bridge_poll_once(&b), 3);
	ck_assert_uint_eq(st->from_kernel, 3);
	ck_assert_uint_eq(drain(shm.from_kni[0][0], -1), 0);
	ck_assert_uint_eq(drain(shm.from_kni[0][1], DATA_PORT_ID), 3);

	/* workers queued 3 frames for the kernel, each on its own ring:
	 * written into the tap */
	inject(shm.to_kni[0][0], 2);
	inject(shm.to_kni[0][1], 1);
	bridge_poll_once(&b);
	ck_assert_uint_eq(st->to_kernel, 3);
	ck_assert_uint_eq(st->to_kernel_drop, 0);
	ck_assert_uint_eq(rte_ring_count(shm.to_kni[0][0]), 0);
	ck_assert_uint_eq(rte_ring_count(shm.to_kni[0][1]), 0);
	/* (the stand-in tap loops them back: they came in as kernel frames) */
	drain(loop, -1);
	drain(shm.from_kni[0][1], -1);

	/* no worker running: worker 0's ring keeps them */
	set_state(shm.root, 1, DPVS_WORKER_BACKOFF);
	inject(loop, 4);
	bridge_poll_once(&b);
	ck_assert_uint_eq(drain(shm.from_kni[0][0], DATA_PORT_ID), 4);

	/* nothing to do: nothing moved */
	ck_assert_uint_eq(bridge_poll_once(&b), 0);
	ck_assert_uint_eq(rte_mempool_in_use_count(shm.pool), in_use);
}
END_TEST

START_TEST(test_full_worker_ring_drops_and_frees)
{
	struct dpvs_bridge_stats *st = &shm.root->bridge_stats[0];
	struct bridge_ctx b = { .shm = &shm };
	struct rte_ring *r = shm.from_kni[0][0];
	uint64_t dropped = st->from_kernel_drop;
	unsigned int in_use;

	set_state(shm.root, 0, DPVS_WORKER_RUNNING);
	set_state(shm.root, 1, DPVS_WORKER_STOPPED);
	inject(r, rte_ring_free_count(r));
	in_use = rte_mempool_in_use_count(shm.pool);
	inject(loop, 5);
	bridge_poll_once(&b);
	ck_assert_uint_eq(st->from_kernel_drop - dropped, 5);
	ck_assert_uint_eq(rte_mempool_in_use_count(shm.pool), in_use);
	drain(r, -1);
}
END_TEST

int
main(void)
{
	char prefix[64];
	char *eal[] = { (char *)"test_bridge_logic", (char *)"--no-huge", (char *)"-m",
			(char *)"512", (char *)"--no-shconf", (char *)"--no-pci", prefix,
			(char *)"-l", (char *)"0", (char *)"--no-telemetry",
			(char *)"--vdev=net_ring0", (char *)"--log-level=*:error", NULL };
	Suite *s = suite_create("bridge_logic");
	TCase *tc = tcase_create("logic"), *tp = tcase_create("pass");
	SRunner *sr;
	int failed;

	/* a prefix of our own: its runtime directory is removed at the end */
	snprintf(prefix, sizeof(prefix), "--file-prefix=tubr%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return EXIT_FAILURE;
	}
	tcase_add_test(tc, test_pick_round_robin_over_running);
	tcase_add_test(tc, test_idle_sleep_grows_to_1ms);
	suite_add_tcase(s, tc);
	tcase_add_unchecked_fixture(tp, setup_node, NULL);
	tcase_add_test(tp, test_pass_both_directions);
	tcase_add_test(tp, test_full_worker_ring_drops_and_frees);
	suite_add_tcase(s, tp);
	sr = srunner_create(s);
	/* one process: the EAL state is not meant to be forked */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	dpvs_eal_cleanup_private();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
