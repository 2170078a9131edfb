/*
 * Unit tests of the access lists and rate limits in the config set
 * (ctl/daemon/acl.c, rate.c) and of what the worker makes of them
 * (worker/ipvs/acl.c, shm/lb_hash.h dpvs_acl_match, worker/ipvs/rate.c
 * wk_rate_share, rate.h's clock in TSC cycles against rte_meter), and of
 * the PRE_ROUTING hook table's order
 * (worker/l3/hook.c against shm/stats.h DPVS_HOOKS). Plain memory, no EAL.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "shm/lb_hash.h"
#include "worker/ipvs/acl.h"
#include "worker/ipvs/rate.h"
#include "worker/l3/hook.h"
#include "test_ctl_util.h"

static struct dpvs_config_set *set, *copy;
static char err[512];
static int svc;

static void
setup(void)
{
	struct ctl_svc_args a = { .key = tctl_svc_key(IPPROTO_TCP, "10.0.0.100", 80),
				  .sched = DPVS_SCHED_RR };

	set = tctl_set();
	copy = tctl_set();
	err[0] = '\0';
	ck_assert_int_eq(ctl_svc_add(set, &a, err, sizeof(err)), 0);
	svc = ctl_svc_find(&set->lb, &a.key);
	ck_assert_int_ge(svc, 0);
}

static void
teardown(void)
{
	free(set);
	free(copy);
}

static int
acl(int add, unsigned int kind, const char *pfx, unsigned int len)
{
	struct ctl_acl_args a;

	memset(&a, 0, sizeof(a));
	a.svc = tctl_svc_key(IPPROTO_TCP, "10.0.0.100", 80);
	a.kind = (uint8_t)kind;
	a.prefix = tctl_ip(pfx);
	a.prefixlen = (uint8_t)len;
	return add ? ctl_acl_add(set, &a, err, sizeof(err)) :
		     ctl_acl_del(set, &a, err, sizeof(err));
}

static int
matches(unsigned int kind, const char *src)
{
	struct dpvs_ip ip = tctl_ip(src);

	return dpvs_acl_match(&set->lb, (uint32_t)svc, kind, &ip);
}

/* What wk_acl_check says for src (the worker's view of set). */
static enum dpvs_drop_reason
check(const char *src)
{
	struct wk_ctx ctx;
	struct dpvs_ip ip = tctl_ip(src);

	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = set;
	return wk_acl_check(&ctx, (uint32_t)svc, &ip);
}

/* The derived tables as built entry by entry are those a rebuild makes. */
static void
assert_derived(void)
{
	TCTL_COPY(copy, set);
	ctl_acl_derive(&copy->lb);
	ck_assert(TCTL_SAME(copy, set));
}

START_TEST(test_acl_v4_v6_match)
{
	ck_assert_int_eq(acl(1, DPVS_ACL_BLACK, "198.51.100.0", 24), 0);
	ck_assert_int_eq(acl(1, DPVS_ACL_BLACK, "203.0.113.9", 32), 0);
	ck_assert_int_eq(acl(1, DPVS_ACL_BLACK, "2001:db8::", 32), 0);
	ck_assert_int_eq(acl(1, DPVS_ACL_BLACK, "2001:db8:ffff::1", 128), 0);
	assert_derived();
	ck_assert(matches(DPVS_ACL_BLACK, "198.51.100.77"));
	ck_assert(!matches(DPVS_ACL_BLACK, "198.51.101.1"));
	ck_assert(matches(DPVS_ACL_BLACK, "203.0.113.9"));
	ck_assert(!matches(DPVS_ACL_BLACK, "203.0.113.8"));
	ck_assert(matches(DPVS_ACL_BLACK, "2001:db8:1234::5"));
	ck_assert(!matches(DPVS_ACL_BLACK, "2001:db9::5"));
	ck_assert(matches(DPVS_ACL_BLACK, "2001:db8:ffff::1"));
	/* an IPv4 address whose bytes begin like an IPv6 entry: no match */
	ck_assert(!matches(DPVS_ACL_BLACK, "32.1.13.184"));
	ck_assert(!matches(DPVS_ACL_WHITE, "198.51.100.77"));
	ck_assert_int_eq(check("198.51.100.1"), DPVS_DROP_ACL_BLACK);
	ck_assert_int_eq(check("192.0.2.1"), DPVS_DROP_MAX);
	/* a white list: only its sources, the black list still first */
	ck_assert_int_eq(acl(1, DPVS_ACL_WHITE, "192.0.2.0", 28), 0);
	ck_assert_int_eq(acl(1, DPVS_ACL_WHITE, "198.51.100.0", 24), 0);
	assert_derived();
	ck_assert_int_eq(check("192.0.2.1"), DPVS_DROP_MAX);
	ck_assert_int_eq(check("192.0.2.17"), DPVS_DROP_ACL_WHITE);
	ck_assert_int_eq(check("198.51.100.1"), DPVS_DROP_ACL_BLACK);
	ck_assert_uint_eq(set->lb.nacl, 6);
}
END_TEST

START_TEST(test_acl_refusals_and_del)
{
	ck_assert_int_eq(acl(1, DPVS_ACL_BLACK, "198.51.100.1", 24), -CTL_EINVAL); /* host bits */
	ck_assert_ptr_nonnull(strstr(err, "host bits"));
	ck_assert_int_eq(acl(1, DPVS_ACL_BLACK, "198.51.100.0", 33), -CTL_EINVAL);
	ck_assert_int_eq(acl(1, DPVS_ACL_BLACK, "198.51.100.0", 24), 0);
	ck_assert_int_eq(acl(1, DPVS_ACL_BLACK, "198.51.100.0", 24), -CTL_EEXIST);
	ck_assert_int_eq(acl(0, DPVS_ACL_WHITE, "198.51.100.0", 24), -CTL_ENOENT);
	ck_assert_int_eq(acl(1, DPVS_ACL_BLACK, "198.51.0.0", 16), 0);
	/* two entries of one length: the length stays while one is left */
	ck_assert_int_eq(acl(1, DPVS_ACL_BLACK, "198.52.100.0", 24), 0);
	ck_assert_int_eq(acl(0, DPVS_ACL_BLACK, "198.51.100.0", 24), 0);
	assert_derived();
	ck_assert(matches(DPVS_ACL_BLACK, "198.52.100.3"));
	ck_assert(matches(DPVS_ACL_BLACK, "198.51.100.3"));   /* by the /16 */
	ck_assert_int_eq(acl(0, DPVS_ACL_BLACK, "198.51.0.0", 16), 0);
	ck_assert_int_eq(acl(0, DPVS_ACL_BLACK, "198.52.100.0", 24), 0);
	assert_derived();
	ck_assert(!matches(DPVS_ACL_BLACK, "198.52.100.3"));
	ck_assert_uint_eq(set->lb.nacl, 0);
	ck_assert_uint_eq(dpvs_lb_acl_svc(&set->lb, (uint32_t)svc)->lens4[DPVS_ACL_BLACK], 0);
}
END_TEST

/* A service that goes takes its lists along; a new service in its slot
 * starts with none. */
START_TEST(test_acl_service_gone)
{
	struct ctl_svc_key k = tctl_svc_key(IPPROTO_TCP, "10.0.0.100", 80);
	struct ctl_svc_args a = { .key = k, .sched = DPVS_SCHED_RR };

	ck_assert_int_eq(acl(1, DPVS_ACL_WHITE, "192.0.2.0", 24), 0);
	ck_assert_int_eq(acl(1, DPVS_ACL_BLACK, "2001:db8::", 32), 0);
	ck_assert_int_eq(ctl_svc_del(set, &k, err, sizeof(err)), 0);
	ck_assert_uint_eq(set->lb.nacl, 0);
	assert_derived();
	ck_assert_int_eq(ctl_svc_add(set, &a, err, sizeof(err)), 0);
	svc = ctl_svc_find(&set->lb, &k);
	ck_assert_int_eq(check("198.51.100.1"), DPVS_DROP_MAX);
}
END_TEST

START_TEST(test_rate_merge_store)
{
	struct ctl_rate_args a;
	struct dpvs_rate_param p[DPVS_RATE_N];
	uint32_t ix = 0, gen;

	memset(&a, 0, sizeof(a));
	a.has[DPVS_RATE_IN_PPS] = true;
	a.m[DPVS_RATE_IN_PPS].rate = 1000;
	a.has[DPVS_RATE_OUT_BYTES] = true;
	a.m[DPVS_RATE_OUT_BYTES].rate = 50000;
	ck_assert_int_eq(ctl_rate_merge(&set->lb, ix, &a, p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p[DPVS_RATE_IN_PPS].burst, 100);        /* a tenth of a second */
	ck_assert_uint_eq(p[DPVS_RATE_OUT_BYTES].burst, 9600);    /* the floor */
	ctl_rate_store(&set->lb, &ix, DPVS_RATE_OWNER_SVC, 0, 1, p);
	ck_assert_uint_ne(ix, 0);
	gen = dpvs_lb_rates(&set->lb)[ix - 1].gen;
	ck_assert_uint_ne(gen, 0);
	/* the same limits again: same gen (the meters keep their tokens) */
	ctl_rate_store(&set->lb, &ix, DPVS_RATE_OWNER_SVC, 0, 1, p);
	ck_assert_uint_eq(dpvs_lb_rates(&set->lb)[ix - 1].gen, gen);
	/* one meter changed, the other kept: a new gen */
	memset(&a, 0, sizeof(a));
	a.has[DPVS_RATE_IN_PPS] = true;
	a.m[DPVS_RATE_IN_PPS].rate = 10;
	a.m[DPVS_RATE_IN_PPS].burst = 3;
	ck_assert_int_eq(ctl_rate_merge(&set->lb, ix, &a, p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p[DPVS_RATE_OUT_BYTES].rate, 50000);
	ctl_rate_store(&set->lb, &ix, DPVS_RATE_OWNER_SVC, 0, 1, p);
	ck_assert_uint_gt(dpvs_lb_rates(&set->lb)[ix - 1].gen, gen);
	ck_assert_uint_eq(set->lb.nrates, 1);
	/* too big */
	a.m[DPVS_RATE_IN_PPS].rate = CTL_RATE_MAX + 1;
	ck_assert_int_eq(ctl_rate_merge(&set->lb, ix, &a, p, err, sizeof(err)), -CTL_EINVAL);
	/* every limit 0: the entry goes */
	memset(&a, 0, sizeof(a));
	a.has[DPVS_RATE_IN_PPS] = a.has[DPVS_RATE_OUT_BYTES] = true;
	ck_assert_int_eq(ctl_rate_merge(&set->lb, ix, &a, p, err, sizeof(err)), 0);
	ctl_rate_store(&set->lb, &ix, DPVS_RATE_OWNER_SVC, 0, 1, p);
	ck_assert_uint_eq(ix, 0);
	ck_assert_uint_eq(set->lb.nrates, 0);
}
END_TEST

/* A worker's share: rate and burst divided by the workers, at least one
 * packet and DPVS_RATE_BYTES_FLOOR bytes of burst. */
START_TEST(test_rate_share)
{
	struct dpvs_rate_param p = { .rate = 1000, .burst = 100 };
	struct rte_meter_srtcm_params o;

	wk_rate_share(&p, 0, 4, &o);
	ck_assert_uint_eq(o.cir, 250);
	ck_assert_uint_eq(o.cbs, 25);
	ck_assert_uint_eq(o.ebs, 0);
	p.rate = 3;
	p.burst = 1;
	wk_rate_share(&p, 0, 4, &o);
	ck_assert_uint_eq(o.cir, 1);
	ck_assert_uint_eq(o.cbs, 1);
	p.rate = 40000;
	p.burst = 20000;
	wk_rate_share(&p, 1, 4, &o);
	ck_assert_uint_eq(o.cir, 10000);
	ck_assert_uint_eq(o.cbs, DPVS_RATE_BYTES_FLOOR);
}
END_TEST

/* TSC frequencies of real machines and of EAL's measurement on a VM
 * (rounded to 10 MHz), and odd ones. */
static const uint64_t rate_hz[] = {
	2600000000ull, 2590000000ull, 2400000000ull, 2596130000ull, 3000000007ull,
	1000000001ull, 4200000000ull, 999999937ull,
};

/* The loop's clock in TSC cycles: from any start, one second is at least
 * hz cycles, and T ns at least floor(T * hz / 10^9) (failed before
 * wk_rate_tsc_mult rounded up: at 2.6 GHz, 742 of the 5000 seconds below
 * were hz - 1 cycles, which made the packet fixture "rate: over the
 * service's inbound rate" fail now and then). */
START_TEST(test_rate_clock_second)
{
	uint64_t hz = rate_hz[_i], mult = wk_rate_tsc_mult(hz), t, dt;
	unsigned int j;

	for (j = 0; j < 5000; j++) {
		t = 1000000000000ull + j * 1000003ull + j % 7;
		dt = wk_rate_cycles(t + 1000000000ull, mult) - wk_rate_cycles(t, mult);
		ck_assert_msg(dt >= hz && dt <= hz + 1, "hz %lu from %lu: %lu cycles",
			      (unsigned long)hz, (unsigned long)t, (unsigned long)dt);
		dt = wk_rate_cycles(t + 333333334ull, mult) - wk_rate_cycles(t, mult);
		ck_assert_uint_ge(dt, (uint64_t)((unsigned __int128)333333334ull * hz /
						 1000000000u));
	}
	/* fast by less than a cycle in 2^32 ns (4.3 s): 20 cycles in a day */
	t = 86400ull * 1000000000ull;
	dt = wk_rate_cycles(t, mult);
	ck_assert_uint_ge(dt, (uint64_t)((unsigned __int128)t * hz / 1000000000u));
	ck_assert_uint_le(dt, (uint64_t)((unsigned __int128)t * hz / 1000000000u) +
				      (t >> 32) + 1);
}
END_TEST

/* A 1 pps meter with a burst of one (the profile rte_meter makes for it:
 * a token every hz cycles) on a clock that stands still: the first packet
 * passes, the next does not; one second later exactly, one passes again,
 * from every start. */
START_TEST(test_rate_meter_second)
{
	uint64_t hz = rate_hz[_i], mult = wk_rate_tsc_mult(hz), t;
	struct rte_meter_srtcm_profile prof = { .cbs = 1, .ebs = 0, .cir_period = hz,
						.cir_bytes_per_period = 1 };
	struct rte_meter_srtcm m;
	unsigned int j;

	for (j = 0; j < 2000; j++) {
		t = 5000000000000ull + j * 7919ull;
		memset(&m, 0, sizeof(m));
		m.tc = 1;
		m.time = wk_rate_cycles(t, mult);
		ck_assert_int_eq(rte_meter_srtcm_color_blind_check(&m, &prof,
				 wk_rate_cycles(t, mult), 1), RTE_COLOR_GREEN);
		ck_assert_int_ne(rte_meter_srtcm_color_blind_check(&m, &prof,
				 wk_rate_cycles(t, mult), 1), RTE_COLOR_GREEN);
		ck_assert_msg(rte_meter_srtcm_color_blind_check(&m, &prof,
			      wk_rate_cycles(t + 1000000000ull, mult), 1) == RTE_COLOR_GREEN,
			      "hz %lu: no token a second after %lu", (unsigned long)hz,
			      (unsigned long)t);
	}
}
END_TEST

/* A meter row computed by a worker whose TSC rate was another (a successor
 * on a VM measures its own) is recomputed, not read in the wrong ticks; one
 * computed at this rate is used as it is (its empty bucket drops). */
START_TEST(test_rate_row_other_clock)
{
	const uint64_t hz = 2600000000ull;
	struct dpvs_rate_param p[DPVS_RATE_N];
	struct dpvs_worker_region *wr;
	struct dpvs_meter_row *row;
	struct ctl_rate_args a;
	struct wk_ctx ctx;
	uint32_t ix = 0, id = dpvs_lb_svc(&set->lb, (uint32_t)svc)->id;
	size_t off = RTE_ALIGN_CEIL(sizeof(*wr), RTE_CACHE_LINE_SIZE);

	memset(&a, 0, sizeof(a));
	a.has[DPVS_RATE_IN_PPS] = true;
	a.m[DPVS_RATE_IN_PPS].rate = 1;
	ck_assert_int_eq(ctl_rate_merge(&set->lb, ix, &a, p, err, sizeof(err)), 0);
	ctl_rate_store(&set->lb, &ix, DPVS_RATE_OWNER_SVC, (uint32_t)svc, id, p);
	dpvs_lb_svc_rate(&set->lb)[svc] = ix;
	wr = aligned_alloc(RTE_CACHE_LINE_SIZE, off + sizeof(*row) * set->lb.caps.rate_limits);
	ck_assert_ptr_nonnull(wr);
	memset(wr, 0, off + sizeof(*row) * set->lb.caps.rate_limits);
	wr->meter_off = off;
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = set;
	ctx.wr = wr;
	ctx.nworkers = 1;
	ctx.tsc_mult = wk_rate_tsc_mult(hz);
	ctx.now_ns = 5000000000000ull;
	/* a row of this rate with an empty bucket: dropped */
	row = &dpvs_wr_meters(wr)[ix - 1];
	row->gen = dpvs_lb_rates(&set->lb)[ix - 1].gen;
	row->clock = wk_rate_clock_id(&ctx);
	row->prof[DPVS_RATE_IN_PPS] = (struct rte_meter_srtcm_profile){
		.cbs = 1, .cir_period = hz, .cir_bytes_per_period = 1 };
	row->m[DPVS_RATE_IN_PPS].time = wk_rate_now(&ctx);
	ck_assert_int_eq(wk_rate_check(&ctx, (uint32_t)svc, id, UINT32_MAX, 0, DPVS_DIR_IN, 60),
			 DPVS_DROP_RATE_SVC_IN);
	/* the same row seen by a worker that measured 10 MHz less: recomputed */
	ctx.tsc_mult = wk_rate_tsc_mult(hz - 10000000ull);
	ck_assert_uint_ne(row->clock, wk_rate_clock_id(&ctx));
	ck_assert_int_eq(wk_rate_check(&ctx, (uint32_t)svc, id, UINT32_MAX, 0, DPVS_DIR_IN, 60),
			 DPVS_DROP_MAX);
	ck_assert_uint_eq(row->clock, wk_rate_clock_id(&ctx));
	free(wr);
}
END_TEST

/* The hook table: in priority order, each hook of DPVS_HOOKS once, with
 * the priority DPVS_HOOKS gives it and a function (no empty slot; the SYN
 * proxy runs inside ipvs). */
START_TEST(test_hook_table)
{
#define X_PRIO(n, s, prio) prio,
	static const int prios[DPVS_HOOK_MAX] = { DPVS_HOOKS(X_PRIO) };
#undef X_PRIO
	unsigned int seen[DPVS_HOOK_MAX] = { 0 }, i;

	ck_assert_uint_eq(wk_prerouting_nhooks, DPVS_HOOK_MAX);
	for (i = 0; i < wk_prerouting_nhooks; i++) {
		const struct wk_hook *h = &wk_prerouting_hooks[i];

		ck_assert_uint_lt(h->id, DPVS_HOOK_MAX);
		ck_assert_int_eq(h->priority, prios[h->id]);
		seen[h->id]++;
		if (i > 0)
			ck_assert_int_lt(wk_prerouting_hooks[i - 1].priority, h->priority);
	}
	for (i = 0; i < DPVS_HOOK_MAX; i++)
		ck_assert_uint_eq(seen[i], 1);
	for (i = 0; i < wk_prerouting_nhooks; i++)
		ck_assert_ptr_nonnull(wk_prerouting_hooks[i].fn);
	ck_assert_ptr_eq(wk_prerouting_hooks[wk_prerouting_nhooks - 1].fn, wk_hook_ipvs);
}
END_TEST

static Suite *
ctl_acl_suite(void)
{
	Suite *s = suite_create("ctl_acl");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_acl_v4_v6_match);
	tcase_add_test(tc, test_acl_refusals_and_del);
	tcase_add_test(tc, test_acl_service_gone);
	tcase_add_test(tc, test_rate_merge_store);
	tcase_add_test(tc, test_rate_share);
	tcase_add_loop_test(tc, test_rate_clock_second, 0, (int)RTE_DIM(rate_hz));
	tcase_add_loop_test(tc, test_rate_meter_second, 0, (int)RTE_DIM(rate_hz));
	tcase_add_test(tc, test_rate_row_other_clock);
	tcase_add_test(tc, test_hook_table);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ctl_acl_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
