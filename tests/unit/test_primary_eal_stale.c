/*
 * Unit tests for the primary's repair of DPDK's shared locks
 * (primary/eal_stale.c) on a config head in this process's memory: what a
 * dead reader or waiting writer left is released after a whole window held,
 * a live hold never is, and a hold's window waits only for the processes
 * that may own that kind of hold (a dead detach's write bit beside spinning
 * standbys, a dead reader behind a leaving worker's waiting cleanup: 5 s).
 * No EAL.
 */
#include <string.h>

#include <check.h>

#include "primary/eal_stale.h"

#define MS 1000000ull
#define T0 (1000ull * 1000000000ull)

static struct dpvs_mcfg_head head;
static struct eal_stale st;

static void
setup(void)
{
	memset(&head, 0, sizeof(head));
	eal_stale_init_head(&st, &head);
}

/* Ticks from `from` to `to` (ns) every 100 ms; before each, set(t). */
static void
run(uint64_t from, uint64_t to, void (*set)(uint64_t t))
{
	uint64_t t;

	for (t = from; t <= to; t += 100 * MS) {
		if (set != NULL)
			set(t);
		eal_stale_tick(&st, t);
	}
}

START_TEST(idle_looks_once_a_second)
{
	ck_assert_uint_eq(eal_stale_tick(&st, T0), T0 + EAL_STALE_LOOK_NS);
	ck_assert_uint_eq(eal_stale_tick(&st, T0 + 10 * MS), T0 + EAL_STALE_LOOK_NS);
	run(T0, T0 + 20000 * MS, NULL);
	ck_assert_uint_eq(st.released, 0);
}
END_TEST

START_TEST(dead_reader_released_after_the_window)
{
	head.memory_hotplug_lock.cnt = RTE_RWLOCK_READ;
	head.mlock.cnt = 2 * RTE_RWLOCK_READ;
	ck_assert_uint_eq(eal_stale_tick(&st, T0), T0 + EAL_STALE_SAMPLE_NS);
	run(T0 + 100 * MS, T0 + 4900 * MS, NULL);
	ck_assert_int_eq(head.memory_hotplug_lock.cnt, RTE_RWLOCK_READ); /* not yet */
	run(T0 + 5000 * MS, T0 + 5000 * MS, NULL);
	ck_assert_int_eq(head.memory_hotplug_lock.cnt, 0);
	ck_assert_int_eq(head.mlock.cnt, 0);
	ck_assert_uint_eq(st.released, 3);
	ck_assert_int_eq(head.qlock.cnt, 0);
	ck_assert_int_eq(head.mplock.cnt, 0);
}
END_TEST

/* a live reader that leaves within the window: nothing released */
static void
brief(uint64_t t)
{
	head.qlock.cnt = t < T0 + 3000 * MS ? RTE_RWLOCK_READ : 0;
}

START_TEST(live_reader_never_released)
{
	run(T0, T0 + 20000 * MS, brief);
	ck_assert_uint_eq(st.released, 0);
	ck_assert_int_eq(head.qlock.cnt, 0);
}
END_TEST

/* one dead reader, and a live one that comes and goes: only the dead one */
static void
flicker(uint64_t t)
{
	int live = ((t / (100 * MS)) % 7) != 3;

	head.mplock.cnt = (int32_t)(st.released == 0 ? 1 + live : live) * RTE_RWLOCK_READ;
}

START_TEST(dead_reader_beside_a_live_one)
{
	run(T0, T0 + 5000 * MS, flicker);
	ck_assert_uint_eq(st.released, 1);
	/* the live reader's count is still there */
	ck_assert_int_ge(head.mplock.cnt, 0);
	run(T0 + 5100 * MS, T0 + 20000 * MS, flicker);
	ck_assert_uint_eq(st.released, 1);
}
END_TEST

START_TEST(waiting_bit_of_a_dead_writer_cleared)
{
	head.memory_hotplug_lock.cnt = RTE_RWLOCK_WAIT;
	run(T0, T0 + 5000 * MS, NULL);
	ck_assert_int_eq(head.memory_hotplug_lock.cnt, 0);
	ck_assert_uint_eq(st.released, 1);
}
END_TEST

/* a writer waiting for a dead reader: the reader goes, the bit stays for
 * the live writer (it takes the lock at once) */
START_TEST(waiting_bit_with_a_reader_kept)
{
	head.memory_hotplug_lock.cnt = RTE_RWLOCK_WAIT | RTE_RWLOCK_READ;
	run(T0, T0 + 5000 * MS, NULL);
	ck_assert_int_eq(head.memory_hotplug_lock.cnt, RTE_RWLOCK_WAIT);
	ck_assert_uint_eq(st.released, 1);
}
END_TEST

START_TEST(write_held_untouched)
{
	head.tlock.locked = 1;
	head.mlock.cnt = RTE_RWLOCK_WRITE;
	run(T0, T0 + 20000 * MS, NULL);
	ck_assert_int_eq(head.mlock.cnt, RTE_RWLOCK_WRITE);
	ck_assert_uint_eq(st.released, 0);
}
END_TEST

/* a secondary killed inside rte_eal_cleanup's memory detach */
START_TEST(hotplug_write_of_a_dead_detach_released)
{
	head.memory_hotplug_lock.cnt = RTE_RWLOCK_WRITE | RTE_RWLOCK_WAIT;
	run(T0, T0 + 4900 * MS, NULL);
	ck_assert_int_eq(head.memory_hotplug_lock.cnt, RTE_RWLOCK_WRITE | RTE_RWLOCK_WAIT);
	run(T0 + 5000 * MS, T0 + 5000 * MS, NULL);
	ck_assert_int_eq(head.memory_hotplug_lock.cnt, RTE_RWLOCK_WAIT);
	ck_assert_uint_eq(st.released, 1);
}
END_TEST

/* a live detach: held a moment, then free */
static void
detach(uint64_t t)
{
	head.memory_hotplug_lock.cnt = t < T0 + 4000 * MS ? RTE_RWLOCK_WRITE : 0;
}

START_TEST(hotplug_write_of_a_live_detach_kept)
{
	run(T0, T0 + 20000 * MS, detach);
	ck_assert_uint_eq(st.released, 0);
}
END_TEST

/* a live secondary whose EAL init holds the hotplug lock for 8 s (a loaded
 * machine) while the supervisor says a process attaches: kept */
static void
slow_attach(uint64_t t)
{
	st.attacher_ns = t < T0 + 8000 * MS ? T0 - 100 * MS : 0;
	head.memory_hotplug_lock.cnt = st.attacher_ns != 0 ? RTE_RWLOCK_READ : 0;
}

START_TEST(slow_live_attach_kept)
{
	run(T0, T0 + 60000 * MS, slow_attach);
	ck_assert_uint_eq(st.released, 0);
	ck_assert_int_eq(head.memory_hotplug_lock.cnt, 0);
}
END_TEST

/* the same with a slow live detach (its write bit) */
static void
slow_detach(uint64_t t)
{
	st.detaching = t < T0 + 8000 * MS;
	head.memory_hotplug_lock.cnt = st.detaching ? RTE_RWLOCK_WRITE : 0;
}

START_TEST(slow_live_detach_kept)
{
	run(T0, T0 + 60000 * MS, slow_detach);
	ck_assert_uint_eq(st.released, 0);
	ck_assert_int_eq(head.memory_hotplug_lock.cnt, 0);
}
END_TEST

/* a dead reader's count while processes attach for 8 s: released at the
 * first sample after that, not at 5 s */
static void
dead_while_busy(uint64_t t)
{
	st.attacher_ns = t < T0 + 8000 * MS ? T0 - 100 * MS : 0;
}

START_TEST(dead_reader_released_once_nothing_attaches)
{
	head.memory_hotplug_lock.cnt = RTE_RWLOCK_READ;
	run(T0, T0 + 7900 * MS, dead_while_busy);
	ck_assert_uint_eq(st.released, 0);
	run(T0 + 8000 * MS, T0 + 8000 * MS, dead_while_busy);
	ck_assert_uint_eq(st.released, 1);
	ck_assert_int_eq(head.memory_hotplug_lock.cnt, 0);
}
END_TEST

/* busy without an end (an attach spinning on that very count): released
 * after EAL_STALE_BUSY_WINDOW_NS all the same */
START_TEST(dead_reader_released_when_busy_for_ever)
{
	head.memory_hotplug_lock.cnt = RTE_RWLOCK_READ;
	st.attacher_ns = T0 - 100 * MS;
	run(T0, T0 + EAL_STALE_BUSY_WINDOW_NS - 100 * MS, NULL);
	ck_assert_uint_eq(st.released, 0);
	run(T0 + EAL_STALE_BUSY_WINDOW_NS, T0 + EAL_STALE_BUSY_WINDOW_NS, NULL);
	ck_assert_uint_eq(st.released, 1);
}
END_TEST

/* case A: a leaving worker SIGKILLed in its detach left the hotplug write
 * bit, and was reaped (no detacher); the standbys spawned to refill spin to
 * read behind it, never READY (an attacher all along): released at 5 s */
START_TEST(dead_detach_released_while_standbys_spin)
{
	head.memory_hotplug_lock.cnt = RTE_RWLOCK_WRITE;
	st.attacher_ns = T0 + 300 * MS;
	run(T0, T0 + 4900 * MS, NULL);
	ck_assert_uint_eq(st.released, 0);
	run(T0 + 5000 * MS, T0 + 5000 * MS, NULL);
	ck_assert_uint_eq(st.released, 1);
	ck_assert_int_eq(head.memory_hotplug_lock.cnt, 0);
}
END_TEST

/* ... while the detacher may still live, its write bit is kept */
START_TEST(write_bit_kept_while_a_detacher_lives)
{
	head.memory_hotplug_lock.cnt = RTE_RWLOCK_WRITE;
	st.detaching = 1;
	run(T0, T0 + EAL_STALE_BUSY_WINDOW_NS - 100 * MS, NULL);
	ck_assert_uint_eq(st.released, 0);
	run(T0 + EAL_STALE_BUSY_WINDOW_NS, T0 + EAL_STALE_BUSY_WINDOW_NS, NULL);
	ck_assert_uint_eq(st.released, 1);
}
END_TEST

/* case B: a dead reader's count (killed while attaching); a planned
 * handover's leaving worker waits in its cleanup to write behind it (a
 * detacher, and the waiting bit); the standby spawned to refill starts
 * after that and spins behind the waiting bit: the count goes at 5 s, the
 * waiting writer then takes the lock */
static void
handover_behind_dead_reader(uint64_t t)
{
	int32_t cnt = RTE_RWLOCK_READ;

	st.detaching = t >= T0 + 500 * MS;
	if (t >= T0 + 500 * MS)
		cnt |= RTE_RWLOCK_WAIT;
	st.attacher_ns = t >= T0 + 800 * MS ? T0 + 800 * MS : 0;
	if (st.released == 0)
		head.memory_hotplug_lock.cnt = cnt;
}

START_TEST(dead_reader_released_behind_a_waiting_detach)
{
	run(T0, T0 + 4900 * MS, handover_behind_dead_reader);
	ck_assert_uint_eq(st.released, 0);
	run(T0 + 5000 * MS, T0 + 5000 * MS, handover_behind_dead_reader);
	ck_assert_uint_eq(st.released, 1);
	ck_assert_int_eq(head.memory_hotplug_lock.cnt, RTE_RWLOCK_WAIT);
}
END_TEST

/* but an attacher that started before the writer came may hold a count:
 * kept until it is READY */
static void
attach_before_the_writer(uint64_t t)
{
	st.attacher_ns = t < T0 + 9000 * MS ? T0 - 100 * MS : 0;
	st.detaching = 1;
	head.memory_hotplug_lock.cnt = t < T0 + 9000 * MS ?
				       RTE_RWLOCK_READ | RTE_RWLOCK_WAIT : 0;
}

START_TEST(live_attach_before_a_waiting_detach_kept)
{
	run(T0, T0 + 60000 * MS, attach_before_the_writer);
	ck_assert_uint_eq(st.released, 0);
	ck_assert_int_eq(head.memory_hotplug_lock.cnt, 0);
}
END_TEST

START_TEST(no_head_no_repair)
{
	eal_stale_init_head(&st, NULL);
	ck_assert_uint_eq(eal_stale_tick(&st, T0), 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("primary_eal_stale");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, idle_looks_once_a_second);
	tcase_add_test(tc, dead_reader_released_after_the_window);
	tcase_add_test(tc, live_reader_never_released);
	tcase_add_test(tc, dead_reader_beside_a_live_one);
	tcase_add_test(tc, waiting_bit_of_a_dead_writer_cleared);
	tcase_add_test(tc, waiting_bit_with_a_reader_kept);
	tcase_add_test(tc, write_held_untouched);
	tcase_add_test(tc, hotplug_write_of_a_dead_detach_released);
	tcase_add_test(tc, hotplug_write_of_a_live_detach_kept);
	tcase_add_test(tc, slow_live_attach_kept);
	tcase_add_test(tc, slow_live_detach_kept);
	tcase_add_test(tc, dead_reader_released_once_nothing_attaches);
	tcase_add_test(tc, dead_reader_released_when_busy_for_ever);
	tcase_add_test(tc, dead_detach_released_while_standbys_spin);
	tcase_add_test(tc, write_bit_kept_while_a_detacher_lives);
	tcase_add_test(tc, dead_reader_released_behind_a_waiting_detach);
	tcase_add_test(tc, live_attach_before_a_waiting_detach_kept);
	tcase_add_test(tc, no_head_no_repair);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
