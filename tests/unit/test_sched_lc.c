/*
 * Unit tests for the least-connection schedulers (worker/ipvs/sched_lc.c,
 * worker/ipvs/sched_wlc.c) through wk_sched_pick(): LVS's overhead
 * (active * 256 + inactive) from this worker's own dest_stats rows, the least
 * loaded dest wins, ties go to the first in the list, wlc divides by the
 * weight, weight 0 takes a dest out, and a simulated load (each pick opens a
 * connection) ends balanced (lc) or weighted (wlc). Plain memory, no EAL.
 */
#include <stdint.h>
#include <stdio.h>

#include <check.h>

#include "test_sched_util.h"

static uint16_t
pick(struct sched_fix *f, uint16_t svc)
{
	struct wk_pkt pk = fix_pkt(0xc0a80001, 1234);

	return wk_sched_pick(&f->ctx, svc, &pk);
}

/* n picks, each one opening an active connection on the dest picked. */
static void
simulate(struct sched_fix *f, uint16_t svc, unsigned int n, unsigned int *count)
{
	unsigned int k;

	for (k = 0; k < n; k++) {
		uint16_t d = pick(f, svc);

		ck_assert_uint_ne(d, DPVS_SLOT_NONE);
		fix_set_conns(f, d, dpvs_wr_dest_stats(f->wr)[d].active + 1, dpvs_wr_dest_stats(f->wr)[d].inactive);
		count[fix_dest_index(f, svc, d)]++;
	}
}

START_TEST(test_lc_least_overhead)
{
	struct sched_fix *f = fix_new();
	uint16_t s = fix_add_svc(f, DPVS_SCHED_LC, 0), d[3];

	d[0] = fix_add_dest(f, s, 2, 1);
	d[1] = fix_add_dest(f, s, 3, 1);
	d[2] = fix_add_dest(f, s, 4, 1);
	/* no counts yet: the first in the list */
	ck_assert_uint_eq(pick(f, s), d[0]);
	fix_set_conns(f, d[0], 5, 0);
	fix_set_conns(f, d[1], 2, 0);
	fix_set_conns(f, d[2], 7, 0);
	ck_assert_uint_eq(pick(f, s), d[1]);
	/* an active connection weighs 256 inactive ones */
	fix_set_conns(f, d[0], 1, 0);     /* 256 */
	fix_set_conns(f, d[1], 0, 200);   /* 200 */
	fix_set_conns(f, d[2], 1, 1);     /* 257 */
	ck_assert_uint_eq(pick(f, s), d[1]);
	fix_set_conns(f, d[1], 0, 300);   /* 300 */
	ck_assert_uint_eq(pick(f, s), d[0]);
	/* a tie: the first in the list */
	fix_set_conns(f, d[2], 1, 0);
	ck_assert_uint_eq(pick(f, s), d[0]);
	fix_free(f);
}
END_TEST

START_TEST(test_lc_counts_of_a_recycled_slot_ignored)
{
	struct sched_fix *f = fix_new();
	uint16_t s = fix_add_svc(f, DPVS_SCHED_LC, 0), d[2];

	d[0] = fix_add_dest(f, s, 2, 1);
	d[1] = fix_add_dest(f, s, 3, 1);
	fix_set_conns(f, d[0], 9, 0);
	fix_set_conns(f, d[1], 3, 0);
	ck_assert_uint_eq(pick(f, s), d[1]);
	/* d[0]'s slot now holds a new dest: the old row's counts are not its */
	FIX_DESTS(f)[d[0]].id = f->cfg->lb.next_id++;
	ck_assert_uint_eq(pick(f, s), d[0]);
	fix_free(f);
}
END_TEST

START_TEST(test_lc_balances_and_skips_weight0)
{
	struct sched_fix *f = fix_new();
	uint16_t s = fix_add_svc(f, DPVS_SCHED_LC, 0);
	unsigned int count[4] = { 0 };

	fix_add_dest(f, s, 2, 5);
	fix_add_dest(f, s, 3, 1);
	fix_add_dest(f, s, 4, 0);     /* out of new scheduling */
	fix_add_dest(f, s, 5, 2);
	simulate(f, s, 300, count);
	ck_assert_uint_eq(count[0], 100);
	ck_assert_uint_eq(count[1], 100);
	ck_assert_uint_eq(count[2], 0);
	ck_assert_uint_eq(count[3], 100);
	fix_free(f);
}
END_TEST

START_TEST(test_wlc_overhead_per_weight)
{
	struct sched_fix *f = fix_new();
	uint16_t s = fix_add_svc(f, DPVS_SCHED_WLC, 0), d[2];

	d[0] = fix_add_dest(f, s, 2, 1);
	d[1] = fix_add_dest(f, s, 3, 4);
	fix_set_conns(f, d[0], 1, 0);   /* 256 / 1 */
	fix_set_conns(f, d[1], 3, 0);   /* 768 / 4 = 192 */
	ck_assert_uint_eq(pick(f, s), d[1]);
	fix_set_conns(f, d[1], 5, 0);   /* 1280 / 4 = 320 */
	ck_assert_uint_eq(pick(f, s), d[0]);
	/* 1024 / 4 = 256: a tie goes to the first */
	fix_set_conns(f, d[1], 4, 0);
	ck_assert_uint_eq(pick(f, s), d[0]);
	fix_free(f);
}
END_TEST

START_TEST(test_wlc_follows_weights)
{
	struct sched_fix *f = fix_new();
	uint16_t s = fix_add_svc(f, DPVS_SCHED_WLC, 0);
	unsigned int count[4] = { 0 };

	fix_add_dest(f, s, 2, 3);
	fix_add_dest(f, s, 3, 2);
	fix_add_dest(f, s, 4, 0);     /* out of new scheduling */
	fix_add_dest(f, s, 5, 1);
	simulate(f, s, 600, count);
	printf("wlc 3:2:0:1 over 600 new connections: %u %u %u %u\n", count[0], count[1],
	       count[2], count[3]);
	ck_assert_uint_eq(count[0], 300);
	ck_assert_uint_eq(count[1], 200);
	ck_assert_uint_eq(count[2], 0);
	ck_assert_uint_eq(count[3], 100);
	fix_free(f);
}
END_TEST

START_TEST(test_wlc_threshold_caps)
{
	struct sched_fix *f = fix_new();
	uint16_t s = fix_add_svc(f, DPVS_SCHED_WLC, 0), d[2];
	unsigned int count[2] = { 0 };

	d[0] = fix_add_dest(f, s, 2, 10);
	d[1] = fix_add_dest(f, s, 3, 1);
	FIX_DESTS(f)[d[0]].u_threshold = 5;
	FIX_DESTS(f)[d[0]].l_threshold = 2;
	simulate(f, s, 20, count);
	ck_assert_uint_eq(count[0], 5);    /* capped at u_threshold */
	ck_assert_uint_eq(count[1], 15);
	/* connections of d[0] close: 3 left, still above l_threshold */
	fix_set_conns(f, d[0], 3, 0);
	ck_assert_uint_eq(pick(f, s), d[1]);
	/* 1 left: below l_threshold, d[0] is back (least overhead per weight) */
	fix_set_conns(f, d[0], 1, 0);
	ck_assert_uint_eq(pick(f, s), d[0]);
	fix_free(f);
}
END_TEST

static Suite *
sched_lc_suite(void)
{
	Suite *s = suite_create("sched_lc");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_lc_least_overhead);
	tcase_add_test(tc, test_lc_counts_of_a_recycled_slot_ignored);
	tcase_add_test(tc, test_lc_balances_and_skips_weight0);
	tcase_add_test(tc, test_wlc_overhead_per_weight);
	tcase_add_test(tc, test_wlc_follows_weights);
	tcase_add_test(tc, test_wlc_threshold_caps);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sched_lc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
