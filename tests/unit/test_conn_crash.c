/*
 * Crash safety of a worker's connection table (worker/ipvs/conn.c, conn_timer.c):
 * a child process works on a table in shared memory (inserts, frees, timer
 * changes, expiry) and is killed with SIGKILL at an arbitrary point; the
 * parent then rebuilds the table from the array alone, as a successor worker
 * does, and checks it: every connection the child had finished inserting is
 * found both ways, every one it had finished freeing is gone, at most the one
 * operation in flight is undecided, and the free list, the count and the
 * timers agree with the array. Some TCP connections get a side slot (the
 * sequence translation), attached before or after they go live: after the
 * rebuild every live connection's DPVS_CONN_F_SX says whether it names a
 * slot (sx_ref, the truth), each such slot is its own, and every other slot
 * is free. Plain memory, no EAL; no fixed sleeps (the
 * parent polls the child's progress counter with a deadline).
 */
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <rte_byteorder.h>

#include "shm/shm.h"
#include "worker/ipvs/conn_table.h"
#include "test_conn_util.h"

#define CAP     2048u
#define NKEYS   65536u
#define SEC     1000000000ull
#define T0      (500ull * SEC)

enum { K_NONE, K_INSERTING, K_LIVE, K_FREEING, K_FREED };

/* What the child tells the parent, in shared memory. */
struct journal {
	volatile uint64_t progress;    /* operations completed */
	volatile uint64_t now;         /* the child's virtual clock */
	volatile uint32_t nkeys;       /* keys used so far */
	volatile uint8_t state[NKEYS]; /* K_* per key */
	volatile uint32_t idx[NKEYS];  /* slot of each key once inserted */
};

/* The tuple of key k (k < NKEYS: unique both ways). */
static void
key_fill(struct dpvs_conn *c, uint32_t k)
{
	c->proto = (k & 1) ? IPPROTO_TCP : IPPROTO_UDP;
	c->state = (k & 1) ? DPVS_TCPS_ESTABLISHED : 0;
	tconn_set4(c, tconn_v4(0x0b000000u + k), tconn_v4(0x0a000064u),
		   tconn_v4(0x0a01000au + (k >> 14)), tconn_v4(0x0a010002u));
	c->cport = rte_cpu_to_be_16((uint16_t)(1024 + (k & 0x3fff)));
	c->vport = rte_cpu_to_be_16(80);
	c->lport = rte_cpu_to_be_16((uint16_t)(1024 + (k & 0x3fff)));
	c->dport = rte_cpu_to_be_16(80);
}

static uint32_t
key_lookup(struct dpvs_conn_table *ct, uint32_t k, int dir)
{
	struct dpvs_conn c;
	int d;

	memset(&c, 0, sizeof(c));
	key_fill(&c, k);
	if (dir == DPVS_DIR_IN)
		return wk_conn_lookup(ct, c.proto, TIP(&c, C), c.cport, TIP(&c, V), c.vport, &d);
	return wk_conn_lookup(ct, c.proto, TIP(&c, D), c.dport, TIP(&c, L), c.lport, &d);
}

static void
child_free(struct dpvs_conn_table *ct, struct journal *j, uint32_t k)
{
	j->state[k] = K_FREEING;
	wk_conn_free(ct, j->idx[k]);
	j->state[k] = K_FREED;
}

/* The child's workload, until it is killed. live[] is its own list of keys. */
static void
child_run(struct dpvs_conn_table *ct, struct journal *j, unsigned int seed)
{
	static uint32_t live[CAP], slot_key[CAP];
	uint32_t nlive = 0, out[32], n, i, k, idx, pos, sxi;
	uint64_t now = T0;

	srand(seed);
	for (;;) {
		unsigned int r = (unsigned int)rand();

		now += (uint64_t)(r % 5) * 1000000ull;
		j->now = now;
		if (r % 7 < 4 && j->nkeys < NKEYS &&
		    (idx = wk_conn_alloc(ct)) != DPVS_CONN_NIL) {
			struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];

			k = j->nkeys;
			j->state[k] = K_INSERTING;
			j->idx[k] = idx;
			j->nkeys = k + 1;
			key_fill(c, k);
			c->expires_ns = now + (uint64_t)(r % 3000) * 1000000ull;
			/* TCP: a side slot for some, attached before the
			 * connection goes live (as ipvs_new.c) or after */
			sxi = (k & 1) && (r & 0x300) != 0 ? wk_conn_sx_take(ct) : DPVS_CONN_NIL;
			if (sxi != DPVS_CONN_NIL && (r & 0x100) != 0)
				wk_conn_sx_attach(ct, idx, sxi);
			wk_conn_insert(ct, idx, now);
			if (sxi != DPVS_CONN_NIL && (r & 0x100) == 0)
				wk_conn_sx_attach(ct, idx, sxi);
			j->state[k] = K_LIVE;
			slot_key[idx] = k;
			live[nlive++] = k;
		} else if (r % 7 < 6 && nlive > 0) {
			pos = (r >> 8) % nlive;
			k = live[pos];
			live[pos] = live[--nlive];
			child_free(ct, j, k);
		} else if (nlive > 0) {
			k = live[(r >> 8) % nlive];
			wk_conn_set_timer(ct, j->idx[k], now + (uint64_t)(r % 4000) * 1000000ull);
		}
		n = wk_conn_expire(ct, now, out, 32);
		for (i = 0; i < n; i++) {
			k = slot_key[out[i]];
			for (pos = 0; pos < nlive && live[pos] != k; pos++)
				;
			if (pos < nlive)
				live[pos] = live[--nlive];
			child_free(ct, j, k);
		}
		j->progress = j->progress + 1;
	}
}

/* Count the free list, checking that it holds only free slots, once each. */
static uint32_t
free_list_len(struct dpvs_conn_table *ct)
{
	static uint8_t seen[CAP];
	uint32_t n = 0, i;

	memset(seen, 0, sizeof(seen));
	for (i = ct->free_head; i != DPVS_CONN_NIL; i = dpvs_conn_array(ct)[i].tnext) {
		ck_assert_uint_lt(i, CAP);
		ck_assert_uint_eq(seen[i], 0);
		ck_assert_uint_eq(dpvs_conn_array(ct)[i].flags & DPVS_CONN_F_USED, 0);
		seen[i] = 1;
		n++;
	}
	return n;
}

/* After the rebuild: the side flag of every live connection says whether
 * it names a slot, the slot is its own, the count and free list agree. */
static void
check_side_slots(struct dpvs_conn_table *ct)
{
	const struct dpvs_conn *conns = dpvs_conn_array(ct);
	uint32_t i, n = 0, nfree = 0;

	for (i = 0; i < ct->capacity; i++) {
		const struct dpvs_conn *c = &conns[i];

		if ((c->flags & DPVS_CONN_F_USED) == 0)
			continue;
		ck_assert_int_eq(wk_conn_has_sx(c), c->sx_ref != 0);
		if (c->sx_ref == 0)
			continue;
		ck_assert_uint_le(c->sx_ref, ct->sx_capacity);
		ck_assert_uint_eq(dpvs_conn_sx(ct)[c->sx_ref - 1u].owner, i);
		ck_assert_ptr_eq(wk_conn_sx(ct, c), &dpvs_conn_sx(ct)[c->sx_ref - 1u]);
		n++;
	}
	ck_assert_uint_eq(ct->sx_count, n);
	for (i = ct->sx_free; i != DPVS_CONN_NIL && nfree <= ct->sx_capacity;
	     i = dpvs_conn_sx(ct)[i].next)
		nfree++;
	ck_assert_uint_eq(nfree, ct->sx_capacity - n);
}

static void
check_after_crash(struct dpvs_conn_table *ct, struct journal *j)
{
	uint32_t k, live = 0, undecided = 0, used = 0, i, n, out[CAP];
	uint64_t now = j->now;

	n = wk_conn_rebuild(ct, now);
	for (i = 0; i < CAP; i++)
		used += (dpvs_conn_array(ct)[i].flags & DPVS_CONN_F_USED) != 0;
	ck_assert_uint_eq(n, used);
	ck_assert_uint_eq(ct->count, used);
	ck_assert_uint_eq(free_list_len(ct), CAP - used);
	check_side_slots(ct);
	for (k = 0; k < j->nkeys; k++) {
		uint32_t in = key_lookup(ct, k, DPVS_DIR_IN), o = key_lookup(ct, k, DPVS_DIR_OUT);

		switch (j->state[k]) {
		case K_LIVE:
			ck_assert_uint_eq(in, j->idx[k]);
			ck_assert_uint_eq(o, j->idx[k]);
			live++;
			break;
		case K_FREED:
			ck_assert_uint_eq(in, DPVS_CONN_NIL);
			ck_assert_uint_eq(o, DPVS_CONN_NIL);
			break;
		default:   /* in flight when killed: all or nothing */
			ck_assert_uint_eq(in, o);
			ck_assert(in == DPVS_CONN_NIL || in == j->idx[k]);
			live += in != DPVS_CONN_NIL;
			undecided++;
			break;
		}
	}
	ck_assert_uint_le(undecided, 1);
	ck_assert_uint_eq(live, used);
	/* every live connection's timer is armed: all come out by the end */
	n = 0;
	for (i = 1; i <= 10; i++) {
		uint32_t m, x;

		do {
			m = wk_conn_expire(ct, now + i * SEC, out, CAP);
			for (x = 0; x < m; x++)
				wk_conn_free(ct, out[x]);
			n += m;
		} while (m > 0);
	}
	ck_assert_uint_eq(n, used);
	ck_assert_uint_eq(ct->count, 0);
	ck_assert_uint_eq(free_list_len(ct), CAP);
}

static int
wait_progress(struct journal *j, uint64_t want)
{
	struct timespec start, cur, nap = { 0, 100000 };

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (j->progress < want) {
		clock_gettime(CLOCK_MONOTONIC, &cur);
		if (cur.tv_sec - start.tv_sec > 20)
			return -1;
		nanosleep(&nap, NULL);
	}
	return 0;
}

START_TEST(test_kill_anywhere_then_rebuild)
{
	uint64_t sz = DPVS_CONN_MZ_SIZE(CAP);
	unsigned int round = (unsigned int)_i;
	struct dpvs_conn_table *ct;
	struct journal *j;
	pid_t pid;
	int st;

	ct = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	j = mmap(NULL, sizeof(*j), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(ct, MAP_FAILED);
	ck_assert_ptr_ne(j, MAP_FAILED);
	dpvs_conn_table_format(ct, CAP);
	wk_conn_rebuild(ct, T0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		child_run(ct, j, 1000 + round);
		_exit(0);
	}
	/* let it fill the table and churn, then kill it wherever it is */
	ck_assert_int_eq(wait_progress(j, 3000 + (uint64_t)round * 1777), 0);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFSIGNALED(st));
	ck_assert_uint_gt(j->nkeys, 0);
	check_after_crash(ct, j);
	munmap(j, sizeof(*j));
	munmap(ct, sz);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("conn_crash");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_kill_anywhere_then_rebuild, 0, 12);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
