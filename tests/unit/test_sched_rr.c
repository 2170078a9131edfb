/*
 * Unit tests for the round-robin schedulers (worker/ipvs/sched_rr.c,
 * worker/ipvs/sched_wrr.c) through wk_sched_pick(): rr cycles over the available
 * dests, wrr follows the weights exactly over a cycle (LVS's interleaved
 * order), weight 0 takes a dest out, a dest over its threshold is skipped,
 * a recycled service slot starts a fresh cycle. Plain memory, no EAL.
 */
#include <stdint.h>
#include <stdio.h>

#include <check.h>

#include "test_sched_util.h"

/* Pick n times; count[i] += picks of the service's i-th dest. */
static void
pick_n(struct sched_fix *f, uint16_t svc, unsigned int n, unsigned int *count)
{
	struct wk_pkt pk = fix_pkt(0xc0a80001, 1234);
	unsigned int k;

	for (k = 0; k < n; k++) {
		uint16_t d = wk_sched_pick(&f->ctx, svc, &pk);

		ck_assert_uint_ne(d, DPVS_SLOT_NONE);
		count[fix_dest_index(f, svc, d)]++;
	}
}

START_TEST(test_rr_cycles)
{
	struct sched_fix *f = fix_new();
	uint16_t s = fix_add_svc(f, DPVS_SCHED_RR, 0), d[3];
	struct wk_pkt pk = fix_pkt(0xc0a80001, 1234);
	unsigned int k;

	d[0] = fix_add_dest(f, s, 2, 1);
	d[1] = fix_add_dest(f, s, 3, 5);    /* rr ignores the weight's size */
	d[2] = fix_add_dest(f, s, 4, 1);
	for (k = 0; k < 30; k++)
		ck_assert_uint_eq(wk_sched_pick(&f->ctx, s, &pk), d[k % 3]);
	fix_free(f);
}
END_TEST

START_TEST(test_rr_skips_unavailable)
{
	struct sched_fix *f = fix_new();
	uint16_t s = fix_add_svc(f, DPVS_SCHED_RR, 0), d[4];
	struct wk_pkt pk = fix_pkt(0xc0a80001, 1234);
	unsigned int k;

	d[0] = fix_add_dest(f, s, 2, 1);
	d[1] = fix_add_dest(f, s, 3, 0);    /* out of new scheduling */
	d[2] = fix_add_dest(f, s, 4, 1);
	d[3] = fix_add_dest(f, s, 5, 1);
	FIX_DESTS(f)[d[3]].u_threshold = 2;
	fix_set_conns(f, d[3], 1, 1);       /* at its threshold */
	for (k = 0; k < 10; k++)
		ck_assert_uint_eq(wk_sched_pick(&f->ctx, s, &pk), d[(k % 2) * 2]);
	/* weight back to 1: it rejoins the cycle after the cursor */
	FIX_DESTS(f)[d[1]].weight = 1;
	ck_assert_uint_eq(wk_sched_pick(&f->ctx, s, &pk), d[0]);
	ck_assert_uint_eq(wk_sched_pick(&f->ctx, s, &pk), d[1]);
	ck_assert_uint_eq(wk_sched_pick(&f->ctx, s, &pk), d[2]);
	ck_assert_uint_eq(wk_sched_pick(&f->ctx, s, &pk), d[0]);
	fix_free(f);
}
END_TEST

START_TEST(test_wrr_sequence_321)
{
	struct sched_fix *f = fix_new();
	uint16_t s = fix_add_svc(f, DPVS_SCHED_WRR, 0), d[3];
	struct wk_pkt pk = fix_pkt(0xc0a80001, 1234);
	/* LVS's interleaving for 3:2:1: cw 3 -> A; cw 2 -> A B; cw 1 -> A B C */
	const unsigned int expect[6] = { 0, 0, 1, 0, 1, 2 };
	unsigned int k;

	d[0] = fix_add_dest(f, s, 2, 3);
	d[1] = fix_add_dest(f, s, 3, 2);
	d[2] = fix_add_dest(f, s, 4, 1);
	for (k = 0; k < 60; k++)
		ck_assert_uint_eq(wk_sched_pick(&f->ctx, s, &pk), d[expect[k % 6]]);
	fix_free(f);
}
END_TEST

/* Table-driven: over whole cycles each dest gets exactly weight / gcd picks
 * per (sum of weights / gcd) picks, and every cycle is the same. */
START_TEST(test_wrr_follows_weights)
{
	static const struct {
		unsigned int n;
		int32_t w[5];
	} cases[] = {
		{ 3, { 3, 2, 1 } },
		{ 2, { 4, 2 } },          /* gcd 2: a cycle of 3 picks */
		{ 4, { 1, 1, 1, 1 } },
		{ 5, { 5, 0, 3, 7, 1 } }, /* a weight-0 dest inside the list */
		{ 3, { 100, 60, 40 } },
	};
	unsigned int t;

	for (t = 0; t < sizeof(cases) / sizeof(cases[0]); t++) {
		struct sched_fix *f = fix_new();
		uint16_t s = fix_add_svc(f, DPVS_SCHED_WRR, 0);
		unsigned int i, c, g = 0, sum = 0;

		for (i = 0; i < cases[t].n; i++) {
			unsigned int a = (unsigned int)cases[t].w[i], b = g;

			fix_add_dest(f, s, (uint16_t)(2 + i), cases[t].w[i]);
			while (b != 0) {
				unsigned int r = a % b;

				a = b;
				b = r;
			}
			g = a;
			sum += (unsigned int)cases[t].w[i];
		}
		for (c = 0; c < 4; c++) {
			unsigned int count[5] = { 0 };

			pick_n(f, s, sum / g, count);
			for (i = 0; i < cases[t].n; i++)
				ck_assert_msg(count[i] == (unsigned int)cases[t].w[i] / g,
					      "case %u cycle %u dest %u: %u picks, want %u", t, c,
					      i, count[i], (unsigned int)cases[t].w[i] / g);
		}
		fix_free(f);
	}
}
END_TEST

START_TEST(test_wrr_threshold_and_recovery)
{
	struct sched_fix *f = fix_new();
	uint16_t s = fix_add_svc(f, DPVS_SCHED_WRR, 0), d[2];
	unsigned int count[2] = { 0 };

	d[0] = fix_add_dest(f, s, 2, 100);
	d[1] = fix_add_dest(f, s, 3, 1);
	FIX_DESTS(f)[d[0]].u_threshold = 10;
	fix_set_conns(f, d[0], 10, 0);
	/* the heavy dest is full: every pick goes to the light one, at once */
	pick_n(f, s, 50, count);
	ck_assert_uint_eq(count[0], 0);
	ck_assert_uint_eq(count[1], 50);
	/* below 3/4 of u_threshold it is back, and takes its weighted share */
	fix_set_conns(f, d[0], 7, 0);
	count[0] = count[1] = 0;
	pick_n(f, s, 101, count);
	ck_assert_uint_ge(count[0], 99);
	fix_free(f);
}
END_TEST

START_TEST(test_recycled_slot_restarts)
{
	struct sched_fix *f = fix_new();
	uint16_t s = fix_add_svc(f, DPVS_SCHED_RR, 0), d[3];
	struct wk_pkt pk = fix_pkt(0xc0a80001, 1234);

	d[0] = fix_add_dest(f, s, 2, 1);
	d[1] = fix_add_dest(f, s, 3, 1);
	d[2] = fix_add_dest(f, s, 4, 1);
	ck_assert_uint_eq(wk_sched_pick(&f->ctx, s, &pk), d[0]);
	ck_assert_uint_eq(wk_sched_pick(&f->ctx, s, &pk), d[1]);
	/* the slot now holds another service (new id): its cycle starts over */
	FIX_SVCS(f)[s].id = f->cfg->lb.next_id++;
	ck_assert_uint_eq(wk_sched_pick(&f->ctx, s, &pk), d[0]);
	ck_assert_uint_eq(dpvs_wr_sched(f->wr)[s].svc_id, FIX_SVCS(f)[s].id);
	fix_free(f);
}
END_TEST

static Suite *
sched_rr_suite(void)
{
	Suite *s = suite_create("sched_rr");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_rr_cycles);
	tcase_add_test(tc, test_rr_skips_unavailable);
	tcase_add_test(tc, test_wrr_sequence_321);
	tcase_add_test(tc, test_wrr_follows_weights);
	tcase_add_test(tc, test_wrr_threshold_and_recovery);
	tcase_add_test(tc, test_recycled_slot_restarts);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sched_rr_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
