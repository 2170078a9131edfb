/*
 * Unit tests for the timer wheel of a worker's connection table
 * (worker/ipvs/conn_timer.c): expiry on time, re-arming later and earlier,
 * the packet path's touch, timeouts beyond the wheel's reach, a busy
 * connection re-filed about once a timeout, bounded work per call,
 * catch-up after a long absence, a stream of deadlines. Plain memory (a
 * table formatted in process memory), no EAL; every "now" is passed in.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "shm/shm.h"
#include "worker/ipvs/conn_table.h"
#include "test_conn_util.h"

#define SEC  1000000000ull
#define TICK DPVS_CONN_TICK_NS
#define T0   (1000ull * SEC)   /* a plausible CLOCK_MONOTONIC start */
#define SPAN ((uint64_t)DPVS_CONN_WHEEL_SLOTS * TICK)

/* Collect everything due at now (several calls if need be); returns how
 * many, and checks that nothing reported is early. Reported ones are freed. */
static uint32_t
expire_all(struct dpvs_conn_table *ct, uint64_t now, uint32_t max, uint8_t *seen)
{
	uint32_t out[4096], n, i, total = 0, calls = 0;

	ck_assert_uint_le(max, 4096);
	do {
		n = wk_conn_expire(ct, now, out, max);
		ck_assert_uint_le(n, max);
		for (i = 0; i < n; i++) {
			struct dpvs_conn *c = &dpvs_conn_array(ct)[out[i]];

			ck_assert(c->flags & DPVS_CONN_F_USED);
			ck_assert_uint_le(c->expires_ns, now);
			if (seen != NULL) {
				ck_assert_uint_eq(seen[out[i]], 0);
				seen[out[i]] = 1;
			}
			wk_conn_free(ct, out[i]);
		}
		total += n;
		ck_assert_uint_lt(++calls, 100000);
	} while (n > 0 || ct->wheel_tick + 1 < now / TICK);
	return total;
}

START_TEST(test_expiry_on_time)
{
	struct dpvs_conn_table *ct = tconn_table_new(16, T0);
	uint64_t exp = T0 + SEC + 3 * TICK / 10;   /* mid-tick */
	uint32_t idx = tconn_add(ct, IPPROTO_UDP, 1, T0, exp), out[4];

	ck_assert_uint_eq(wk_conn_expire(ct, T0 + SEC / 2, out, 4), 0);
	ck_assert_uint_eq(wk_conn_expire(ct, exp - 1, out, 4), 0);
	ck_assert_uint_eq(wk_conn_expire(ct, exp, out, 4), 0);   /* its tick is not over */
	ck_assert_uint_eq(wk_conn_expire(ct, exp + TICK, out, 4), 1);
	ck_assert_uint_eq(out[0], idx);
	/* reported, still live until the caller frees it */
	ck_assert(dpvs_conn_array(ct)[idx].flags & DPVS_CONN_F_USED);
	wk_conn_free(ct, idx);
	ck_assert_uint_eq(wk_conn_expire(ct, exp + 10 * TICK, out, 4), 0);
	free(ct);
}
END_TEST

START_TEST(test_set_timer_later_and_earlier)
{
	struct dpvs_conn_table *ct = tconn_table_new(16, T0);
	uint32_t a = tconn_add(ct, IPPROTO_TCP, 1, T0, T0 + SEC);
	uint32_t b = tconn_add(ct, IPPROTO_TCP, 2, T0, T0 + 30 * SEC), out[4];

	wk_conn_set_timer(ct, a, T0 + 5 * SEC);    /* later */
	wk_conn_set_timer(ct, b, T0 + 2 * SEC);    /* earlier */
	ck_assert_uint_eq(wk_conn_expire(ct, T0 + SEC + 2 * TICK, out, 4), 0);
	ck_assert_uint_eq(wk_conn_expire(ct, T0 + 2 * SEC + TICK, out, 4), 1);
	ck_assert_uint_eq(out[0], b);
	wk_conn_free(ct, b);
	ck_assert_uint_eq(wk_conn_expire(ct, T0 + 5 * SEC - 1, out, 4), 0);
	ck_assert_uint_eq(wk_conn_expire(ct, T0 + 5 * SEC + TICK, out, 4), 1);
	ck_assert_uint_eq(out[0], a);
	/* a reported connection that is kept gets a new timer */
	wk_conn_set_timer(ct, a, T0 + 7 * SEC);
	ck_assert_uint_eq(wk_conn_expire(ct, T0 + 6 * SEC, out, 4), 0);
	ck_assert_uint_eq(wk_conn_expire(ct, T0 + 7 * SEC + TICK, out, 4), 1);
	ck_assert_uint_eq(out[0], a);
	free(ct);
}
END_TEST

/* The packet path's timer (wk_conn_touch_timer): a connection that gets a
 * packet every half second with a 3 s timeout is never reported while the
 * packets come, nor before 3 s after the last one, and is within a tick
 * after; a shorter timeout (an earlier expiry) moves it forward. */
START_TEST(test_touch_timer_expires_after_last_packet)
{
	struct dpvs_conn_table *ct = tconn_table_new(16, T0);
	uint32_t a = tconn_add(ct, IPPROTO_UDP, 1, T0, T0 + 3 * SEC);
	uint32_t b = tconn_add(ct, IPPROTO_UDP, 2, T0, T0 + 30 * SEC), out[4];
	struct dpvs_conn *ca = &dpvs_conn_array(ct)[a], *cb = &dpvs_conn_array(ct)[b];
	uint64_t now, last = T0;

	for (now = T0 + SEC / 2; now <= T0 + 10 * SEC; now += SEC / 2) {
		ck_assert_uint_eq(wk_conn_expire(ct, now, out, 4), 0);
		wk_conn_touch_timer(ct, ca, a, now + 3 * SEC);
		ck_assert_uint_eq(ca->expires_ns, now + 3 * SEC);
		last = now;
	}
	/* b: an earlier expiry than it had */
	wk_conn_touch_timer(ct, cb, b, last + SEC);
	ck_assert_uint_eq(cb->expires_ns, last + SEC);
	for (now = last; now < last + SEC; now += TICK / 2)
		ck_assert_uint_eq(wk_conn_expire(ct, now, out, 4), 0);
	ck_assert_uint_eq(wk_conn_expire(ct, last + SEC + TICK, out, 4), 1);
	ck_assert_uint_eq(out[0], b);
	wk_conn_free(ct, b);
	for (now = last + SEC + TICK; now < last + 3 * SEC; now += TICK / 2)
		ck_assert_uint_eq(wk_conn_expire(ct, now, out, 4), 0);
	ck_assert_uint_eq(wk_conn_expire(ct, last + 3 * SEC - 1, out, 4), 0);
	ck_assert_uint_eq(wk_conn_expire(ct, last + 3 * SEC + TICK, out, 4), 1);
	ck_assert_uint_eq(out[0], a);
	/* reported, so off the wheel: a touch files it again */
	wk_conn_touch_timer(ct, ca, a, last + 5 * SEC);
	ck_assert_uint_eq(wk_conn_expire(ct, last + 5 * SEC - 1, out, 4), 0);
	ck_assert_uint_eq(wk_conn_expire(ct, last + 5 * SEC + TICK, out, 4), 1);
	ck_assert_uint_eq(out[0], a);
	free(ct);
}
END_TEST

START_TEST(test_long_timeout_beyond_the_wheel)
{
	struct dpvs_conn_table *ct = tconn_table_new(16, T0);
	uint64_t exp = T0 + 3 * SPAN + 900 * SEC + 5 * TICK, now;   /* 3+ turns of the wheel */
	uint32_t idx = tconn_add(ct, IPPROTO_TCP, 1, T0, exp), out[4], n;

	ck_assert_uint_gt(exp - T0, 2 * SPAN);
	for (now = T0 + SEC; now < exp; now += SEC / 4)
		ck_assert_uint_eq(wk_conn_expire(ct, now, out, 4), 0);
	ck_assert_uint_eq(wk_conn_expire(ct, exp - 1, out, 4), 0);
	n = wk_conn_expire(ct, exp + TICK, out, 4);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(out[0], idx);
	free(ct);
}
END_TEST

/* A connection with a packet every second and the default UDP timeout
 * (300 s): its wheel slot changes about once a timeout, because the wheel
 * reaches beyond the default timeouts. A wheel shorter than the timeout
 * re-files it every turn (41 s with 4,096 slots: 24 times in 1,000 s). */
START_TEST(test_busy_connection_refiled_once_a_timeout)
{
	struct dpvs_conn_table *ct = tconn_table_new(16, T0);
	const uint64_t tmo = 300 * SEC;
	uint32_t idx = tconn_add(ct, IPPROTO_UDP, 1, T0, T0 + tmo), out[4];
	struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];
	uint32_t slot = c->tprev, moves = 0;
	uint64_t now;

	ck_assert_uint_ge(SPAN, 900 * SEC);   /* TCP established's default too */
	for (now = T0 + SEC; now <= T0 + 1000 * SEC; now += SEC) {
		ck_assert_uint_eq(wk_conn_expire(ct, now, out, 4), 0);
		wk_conn_touch_timer(ct, c, idx, now + tmo);
		ck_assert_uint_ne(c->tprev, DPVS_CONN_NIL);
		if (c->tprev != slot)
			moves++;
		slot = c->tprev;
	}
	ck_assert_uint_le(moves, 4);
	free(ct);
}
END_TEST

START_TEST(test_bounded_expiry_per_call)
{
	enum { CAP = 1000, MAX = 64 };
	struct dpvs_conn_table *ct = tconn_table_new(CAP, T0);
	uint32_t k, n, total = 0, calls = 0, out[MAX];
	uint8_t seen[CAP];

	memset(seen, 0, sizeof(seen));
	for (k = 0; k < CAP; k++)
		tconn_add(ct, IPPROTO_UDP, k, T0, T0 + 2 * SEC);
	/* all due in one tick: at most MAX per call, none lost, none twice */
	do {
		n = wk_conn_expire(ct, T0 + 3 * SEC, out, MAX);
		ck_assert_uint_le(n, MAX);
		for (k = 0; k < n; k++) {
			ck_assert_uint_eq(seen[out[k]], 0);
			seen[out[k]] = 1;
			wk_conn_free(ct, out[k]);
		}
		total += n;
		calls++;
	} while (n > 0);
	ck_assert_uint_eq(total, CAP);
	ck_assert_uint_ge(calls, CAP / MAX);
	ck_assert_uint_eq(ct->count, 0);
	free(ct);
}
END_TEST

START_TEST(test_catch_up_after_long_absence)
{
	enum { CAP = 2048 };
	struct dpvs_conn_table *ct = tconn_table_new(CAP, T0);
	uint64_t exp[CAP], now = T0 + 3600 * SEC, t;   /* away for an hour */
	uint32_t k, idx, total;
	uint8_t seen[CAP];

	memset(seen, 0, sizeof(seen));
	srand(7);
	for (k = 0; k < CAP; k++) {
		/* half due during the absence, half after it (some far after) */
		if (k % 2 == 0)
			exp[k] = T0 + (uint64_t)(rand() % 3600) * SEC + (uint64_t)(rand() % 100) * TICK;
		else
			exp[k] = now + (uint64_t)(1 + rand() % 7200) * SEC;
		idx = tconn_add(ct, IPPROTO_TCP, k, T0, exp[k]);
		ck_assert_uint_eq(idx, k);   /* a fresh table hands out 0, 1, 2... */
	}
	/* bounded calls, few at a time: catches up without losing any */
	total = expire_all(ct, now, 16, seen);
	ck_assert_uint_eq(total, CAP / 2);
	for (k = 0; k < CAP; k++)
		ck_assert_uint_eq(seen[k], exp[k] <= now);
	/* the wheel is current again: the rest come on time, second by second */
	total = 0;
	for (t = now + SEC; t <= now + 7201 * SEC; t += SEC) {
		uint32_t out[64], i, m;

		do {
			m = wk_conn_expire(ct, t, out, 64);
			for (i = 0; i < m; i++) {
				ck_assert_uint_le(exp[out[i]], t);
				ck_assert_uint_lt(t - exp[out[i]], SEC + 2 * TICK);
				wk_conn_free(ct, out[i]);
			}
			total += m;
		} while (m == 64 || ct->wheel_tick + 1 < t / TICK);   /* a worker calls often */
	}
	ck_assert_uint_eq(total, CAP / 2);
	ck_assert_uint_eq(ct->count, 0);
	free(ct);
}
END_TEST

START_TEST(test_expiry_stream_matches_deadlines)
{
	enum { CAP = 512 };
	struct dpvs_conn_table *ct = tconn_table_new(CAP, T0);
	uint64_t exp[CAP], now;
	uint32_t out[8], n, i, k, total = 0;

	srand(11);
	for (k = 0; k < CAP; k++) {
		exp[k] = T0 + (uint64_t)(rand() % 120000) * (SEC / 1000);   /* up to 120 s */
		ck_assert_uint_eq(tconn_add(ct, IPPROTO_UDP, k, T0, exp[k]), k);
	}
	/* walk time in 7 ms steps with a tiny budget: every connection comes
	 * out after its deadline and at most two ticks plus a step late */
	for (now = T0; total < CAP && now < T0 + 200 * SEC; now += 7000000ull) {
		do {
			n = wk_conn_expire(ct, now, out, 8);
			for (i = 0; i < n; i++) {
				ck_assert_uint_le(exp[out[i]], now);
				ck_assert_uint_le(now - exp[out[i]], 2 * TICK + 7000000ull);
				wk_conn_free(ct, out[i]);
			}
			total += n;
		} while (n == 8);
	}
	ck_assert_uint_eq(total, CAP);
	free(ct);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("conn_timer");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_expiry_on_time);
	tcase_add_test(tc, test_set_timer_later_and_earlier);
	tcase_add_test(tc, test_touch_timer_expires_after_last_packet);
	tcase_add_test(tc, test_long_timeout_beyond_the_wheel);
	tcase_add_test(tc, test_busy_connection_refiled_once_a_timeout);
	tcase_add_test(tc, test_bounded_expiry_per_call);
	tcase_add_test(tc, test_catch_up_after_long_absence);
	tcase_add_test(tc, test_expiry_stream_matches_deadlines);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
