/*
 * The primary's table of packet captures (primary/capture.c, shm/capture.h):
 * what an enable or disable request of dpdk-dumpcap / dpdk-pdump does to it.
 * Plain memory, no EAL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "primary/capture.h"

#define RING ((struct rte_ring *)0x1000)
#define MP ((struct rte_mempool *)0x2000)
#define RX DPVS_CAPTURE_F_RX
#define TX DPVS_CAPTURE_F_TX
#define ALL DPVS_CAPTURE_ALL_Q

static unsigned int
used(const struct dpvs_capture_table *t)
{
	unsigned int i, n = 0;

	for (i = 0; i < DPVS_CAPTURE_MAX; i++)
		n += t->cap[i].used != 0;
	return n;
}

START_TEST(test_enable_then_disable)
{
	struct dpvs_capture_table t;

	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(capture_table_enable(&t, 3, ALL, RX | TX, 2176, 1, RING, MP), 0);
	ck_assert_uint_eq(used(&t), 1);
	ck_assert_uint_eq(t.cap[0].port_id, 3);
	ck_assert_uint_eq(t.cap[0].flags, RX | TX);
	ck_assert_uint_eq(t.cap[0].snaplen, 2176);
	ck_assert_uint_eq(t.cap[0].pcapng, 1);
	ck_assert_ptr_eq(t.cap[0].ring, RING);
	ck_assert_ptr_eq(t.cap[0].mp, MP);
	/* dumpcap disables both directions at once; pdump may do one */
	ck_assert_int_eq(capture_table_disable(&t, 3, ALL, RX), 0);
	ck_assert_uint_eq(used(&t), 1);
	ck_assert_uint_eq(t.cap[0].flags, TX);
	ck_assert_int_eq(capture_table_disable(&t, 3, ALL, TX), 0);
	ck_assert_uint_eq(used(&t), 0);
	ck_assert_int_eq(capture_table_disable(&t, 3, ALL, TX), -EINVAL);
}
END_TEST

START_TEST(test_overlap_refused)
{
	struct dpvs_capture_table t;

	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(capture_table_enable(&t, 0, 1, RX, 0, 0, RING, MP), 0);
	/* the same queue and direction, or every queue: taken */
	ck_assert_int_eq(capture_table_enable(&t, 0, 1, RX | TX, 0, 0, RING, MP), -EEXIST);
	ck_assert_int_eq(capture_table_enable(&t, 0, ALL, RX, 0, 0, RING, MP), -EEXIST);
	/* another direction, queue or port: free */
	ck_assert_int_eq(capture_table_enable(&t, 0, 1, TX, 0, 0, RING, MP), 0);
	ck_assert_int_eq(capture_table_enable(&t, 0, 2, RX, 0, 0, RING, MP), 0);
	ck_assert_int_eq(capture_table_enable(&t, 1, ALL, RX | TX, 0, 0, RING, MP), 0);
	ck_assert_uint_eq(used(&t), 4);
	/* a disable names the queue it enabled */
	ck_assert_int_eq(capture_table_disable(&t, 0, ALL, RX), -EINVAL);
	ck_assert_int_eq(capture_table_disable(&t, 0, 2, RX), 0);
	ck_assert_uint_eq(used(&t), 3);
}
END_TEST

START_TEST(test_table_full)
{
	struct dpvs_capture_table t;
	uint16_t p;

	memset(&t, 0, sizeof(t));
	for (p = 0; p < DPVS_CAPTURE_MAX; p++)
		ck_assert_int_eq(capture_table_enable(&t, p, ALL, RX, 0, 1, RING, MP), 0);
	ck_assert_int_eq(capture_table_enable(&t, 99, ALL, RX, 0, 1, RING, MP), -ENOSPC);
	ck_assert_int_eq(capture_table_disable(&t, 2, ALL, RX), 0);
	ck_assert_int_eq(capture_table_enable(&t, 99, ALL, RX, 0, 1, RING, MP), 0);
	ck_assert_uint_eq(t.cap[2].port_id, 99);
}
END_TEST

START_TEST(test_death_inside_a_copy_stops_every_capture)
{
	static struct dpvs_root root;
	uint64_t gen;

	ck_assert_int_eq(capture_table_enable(&root.capture, 0, ALL, RX | TX, 0, 1, RING, MP), 0);
	ck_assert_int_eq(capture_table_enable(&root.capture, 1, ALL, RX, 0, 1, RING, MP), 0);
	gen = root.capture.gen;
	/* a death outside a copy changes nothing */
	capture_worker_died(&root, 1);
	ck_assert_uint_eq(used(&root.capture), 2);
	ck_assert_uint_eq(root.capture.gen, gen);
	/* inside one: every capture goes, the workers are told */
	root.capture.ack[1].busy = 1;
	capture_worker_died(&root, 1);
	ck_assert_uint_eq(used(&root.capture), 0);
	ck_assert_uint_eq(root.capture.gen, gen + 1);
	ck_assert_uint_eq(root.capture.ack[1].busy, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("primary_capture");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_enable_then_disable);
	tcase_add_test(tc, test_overlap_refused);
	tcase_add_test(tc, test_table_full);
	tcase_add_test(tc, test_death_inside_a_copy_stops_every_capture);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
