/*
 * Unit tests for what every scheduler shares (worker/ipvs/sched.c):
 * wk_dest_available() (weight > 0; LVS's overload rule with u_threshold and
 * l_threshold, or 3/4 of u_threshold, counted over every worker's dest_stats
 * row of the dest, the mark kept in this worker's row), and DPVS_SLOT_NONE from
 * every scheduler when no dest is available. Plain memory, no EAL.
 */
#include <stdint.h>
#include <stdio.h>

#include <check.h>

#include "shm/shm.h"
#include "worker/ipvs/sched.h"
#include "test_sched_util.h"

START_TEST(test_weight0_unavailable)
{
	struct sched_fix *f = fix_new();
	uint16_t s = fix_add_svc(f, DPVS_SCHED_RR, 0);
	uint16_t d0 = fix_add_dest(f, s, 2, 0), d1 = fix_add_dest(f, s, 3, 1);

	ck_assert_int_eq(wk_dest_available(&f->ctx, d0), 0);
	ck_assert_int_ne(wk_dest_available(&f->ctx, d1), 0);
	FIX_DESTS(f)[d1].weight = -1;
	ck_assert_int_eq(wk_dest_available(&f->ctx, d1), 0);
	/* a free slot and an out-of-range slot are never available */
	ck_assert_int_eq(wk_dest_available(&f->ctx, 500), 0);
	ck_assert_int_eq(wk_dest_available(&f->ctx, f->cfg->lb.caps.dests), 0);
	ck_assert_int_eq(wk_dest_available(&f->ctx, DPVS_SLOT_NONE), 0);
	fix_free(f);
}
END_TEST

/* u_threshold 10, no l_threshold: out at 10 (active + inactive), back only
 * below 3/4 of it (n * 4 < 30, i.e. at 7). */
START_TEST(test_upper_threshold_default_lower)
{
	struct sched_fix *f = fix_new();
	uint16_t s = fix_add_svc(f, DPVS_SCHED_RR, 0), d = fix_add_dest(f, s, 2, 1);
	static const struct {
		uint64_t act, inact;
		int avail;
	} steps[] = {
		{ 0, 0, 1 }, { 5, 4, 1 }, { 5, 5, 0 }, { 9, 0, 0 }, { 8, 0, 0 },
		{ 4, 3, 1 }, { 9, 0, 1 }, { 0, 12, 0 }, { 7, 0, 1 },
	};
	unsigned int i;

	FIX_DESTS(f)[d].u_threshold = 10;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		fix_set_conns(f, d, steps[i].act, steps[i].inact);
		ck_assert_msg(!!wk_dest_available(&f->ctx, d) == steps[i].avail,
			      "step %u: %lu+%lu conns, want available=%d", i,
			      (unsigned long)steps[i].act, (unsigned long)steps[i].inact,
			      steps[i].avail);
	}
	fix_free(f);
}
END_TEST

/* u_threshold 10, l_threshold 4: out at 10, back below 4. */
START_TEST(test_lower_threshold_brings_back)
{
	struct sched_fix *f = fix_new();
	uint16_t s = fix_add_svc(f, DPVS_SCHED_RR, 0), d = fix_add_dest(f, s, 2, 1);
	static const uint64_t n[] = { 9, 10, 7, 5, 4, 3, 9, 10, 4, 2 };
	static const int avail[] = { 1, 0, 0, 0, 0, 1, 1, 0, 0, 1 };
	unsigned int i;

	FIX_DESTS(f)[d].u_threshold = 10;
	FIX_DESTS(f)[d].l_threshold = 4;
	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		fix_set_conns(f, d, n[i], 0);
		ck_assert_msg(!!wk_dest_available(&f->ctx, d) == avail[i],
			      "step %u: %lu conns, want available=%d", i, (unsigned long)n[i],
			      avail[i]);
	}
	/* no threshold any more: available, and the mark is gone */
	fix_set_conns(f, d, 10, 0);
	ck_assert_int_eq(wk_dest_available(&f->ctx, d), 0);
	FIX_DESTS(f)[d].u_threshold = 0;
	ck_assert_int_ne(wk_dest_available(&f->ctx, d), 0);
	ck_assert_uint_eq(dpvs_wr_dest_stats(f->wr)[d].overload_id, 0);
	fix_free(f);
}
END_TEST

/* The overload mark is this worker's: another worker's region (its own
 * counts) is not affected, and a recycled dest slot starts unmarked. */
START_TEST(test_threshold_is_per_worker)
{
	struct sched_fix *f = fix_new();
	uint16_t s = fix_add_svc(f, DPVS_SCHED_RR, 0), d = fix_add_dest(f, s, 2, 1);
	struct dpvs_worker_region *w1 = f->wr;
	struct dpvs_worker_region *w2 = zalloc_aligned(sizeof(*w2));

	FIX_DESTS(f)[d].u_threshold = 4;
	fix_set_conns(f, d, 4, 0);
	ck_assert_int_eq(wk_dest_available(&f->ctx, d), 0);
	f->ctx.wr = w2;      /* worker 2 has no connection to d */
	ck_assert_int_ne(wk_dest_available(&f->ctx, d), 0);
	f->ctx.wr = w1;
	fix_set_conns(f, d, 3, 0);   /* 3 * 4 = 12 is not < 12: still out */
	ck_assert_int_eq(wk_dest_available(&f->ctx, d), 0);
	/* the slot gets a new dest (new id): the old mark and counts are not its */
	FIX_DESTS(f)[d].id = f->cfg->lb.next_id++;
	ck_assert_int_ne(wk_dest_available(&f->ctx, d), 0);
	free(w2);
	fix_free(f);
}
END_TEST

/* The thresholds count the dest's connections on every worker (issue 9):
 * with u_threshold 4, one connection here and three on the peer make the
 * dest overloaded for this worker; a peer row of another dest (other id)
 * does not count. Failed before: each worker counted only its own. */
START_TEST(test_threshold_counts_every_worker)
{
	struct sched_fix *f = fix_new();
	uint16_t s = fix_add_svc(f, DPVS_SCHED_RR, 0), d = fix_add_dest(f, s, 2, 1);
	struct dpvs_caps caps = fix_caps();
	struct dpvs_worker_region *peer = zalloc_aligned(dpvs_wr_size(&caps));
	struct dpvs_shm shm;
	struct dpvs_lb_stats *prow;

	dpvs_wr_format(peer, &caps, 1);
	memset(&shm, 0, sizeof(shm));
	shm.wr[0] = f->wr;
	shm.wr[1] = peer;
	f->ctx.shm = &shm;
	f->ctx.nworkers = 2;
	f->ctx.id = 0;
	FIX_DESTS(f)[d].u_threshold = 4;
	fix_set_conns(f, d, 1, 0);
	prow = &dpvs_wr_dest_stats(peer)[d];
	prow->id = FIX_DESTS(f)[d].id + 1000;     /* another dest's row */
	prow->active = 3;
	ck_assert_int_ne(wk_dest_available(&f->ctx, d), 0);
	ck_assert_uint_eq(wk_sched_dest_conns_node(&f->ctx, d, FIX_DESTS(f)[d].id), 1);
	prow->id = FIX_DESTS(f)[d].id;            /* now the dest's own: 1 + 3 = 4 */
	ck_assert_uint_eq(wk_sched_dest_conns_node(&f->ctx, d, FIX_DESTS(f)[d].id), 4);
	ck_assert_int_eq(wk_dest_available(&f->ctx, d), 0);
	prow->active = 1;                         /* 2 * 4 = 8 < 12: back */
	ck_assert_int_ne(wk_dest_available(&f->ctx, d), 0);
	free(peer);
	fix_free(f);
}
END_TEST

static const char *const sched_names[DPVS_SCHED_MAX] = {
	"rr", "wrr", "lc", "wlc", "mh", "conhash",
};

static void
assert_none(struct sched_fix *f, uint16_t s, const char *what)
{
	unsigned int k;

	ctl_sched_build(&f->cfg->lb, s);
	for (k = 0; k < 64; k++) {
		struct wk_pkt pk = fix_pkt(0xc0a80000u + k * 7919u, (uint16_t)(1024 + k));

		ck_assert_msg(wk_sched_pick(&f->ctx, s, &pk) == DPVS_DEST_NONE,
			      "%s, %s: picked a dest", sched_names[FIX_SVCS(f)[s].sched_id],
			      what);
	}
}

START_TEST(test_none_available_every_scheduler)
{
	uint8_t id;

	for (id = 0; id < DPVS_SCHED_MAX; id++) {
		struct sched_fix *f = fix_new();
		uint16_t s = fix_add_svc(f, id, DPVS_SVC_F_HASHED), d[3];
		unsigned int i;

		assert_none(f, s, "no dest");
		for (i = 0; i < 3; i++)
			d[i] = fix_add_dest(f, s, (uint16_t)(2 + i), 0);
		assert_none(f, s, "every weight 0");
		/* weights back, table built, then every dest over its threshold */
		for (i = 0; i < 3; i++)
			FIX_DESTS(f)[d[i]].weight = (int32_t)(1 + i);
		ctl_sched_build(&f->cfg->lb, s);
		for (i = 0; i < 3; i++) {
			FIX_DESTS(f)[d[i]].u_threshold = 2;
			fix_set_conns(f, d[i], 1, 1);
		}
		assert_none(f, s, "every dest over its threshold");
		/* one dest back under: every scheduler finds it */
		fix_set_conns(f, d[1], 0, 1);
		for (i = 0; i < 64; i++) {
			struct wk_pkt pk = fix_pkt(0xc0a80000u + i * 7919u, (uint16_t)(1024 + i));

			ck_assert_msg(wk_sched_pick(&f->ctx, s, &pk) == d[1],
				      "%s: did not fall back to the one dest left", sched_names[id]);
		}
		fix_free(f);
	}
}
END_TEST

START_TEST(test_bad_service_slot)
{
	struct sched_fix *f = fix_new();
	uint16_t s = fix_add_svc(f, DPVS_SCHED_RR, 0);
	struct wk_pkt pk = fix_pkt(0xc0a80001, 1);

	fix_add_dest(f, s, 2, 1);
	ck_assert_uint_eq(wk_sched_pick(&f->ctx, (uint16_t)(s + 1), &pk), DPVS_DEST_NONE);
	ck_assert_uint_eq(wk_sched_pick(&f->ctx, (uint16_t)f->cfg->lb.caps.services, &pk), DPVS_DEST_NONE);
	FIX_SVCS(f)[s].sched_id = DPVS_SCHED_MAX;
	ck_assert_uint_eq(wk_sched_pick(&f->ctx, s, &pk), DPVS_DEST_NONE);
	fix_free(f);
}
END_TEST

static Suite *
sched_common_suite(void)
{
	Suite *s = suite_create("sched_common");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_weight0_unavailable);
	tcase_add_test(tc, test_upper_threshold_default_lower);
	tcase_add_test(tc, test_lower_threshold_brings_back);
	tcase_add_test(tc, test_threshold_is_per_worker);
	tcase_add_test(tc, test_threshold_counts_every_worker);
	tcase_add_test(tc, test_none_available_every_scheduler);
	tcase_add_test(tc, test_bad_service_slot);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sched_common_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
