/*
 * The rebuild of a connection table (wk_conn_rebuild, worker/ipvs/
 * conn_rebuild.c), which looks ahead of the entry it files (prefetches,
 * hashes kept for later): what it builds must be exactly what the entries
 * imply, whatever the look-ahead did.
 *
 * - test_rebuild_is_sequential_insertion: a table whose array holds IPv4
 *   and IPv6 full-NAT, DR, half-open and established connections, timers
 *   near, far and past, repeated tuples and insane entries, its derived
 *   parts garbage: after the rebuild the entries dropped are exactly the
 *   insane ones and the repeats of a higher slot's tuple, and the index
 *   (every bucket, byte for byte), the wheel, the timer and half-open
 *   links and the count are those that inserting the kept entries one by
 *   one from the top slot down (wk_conn_insert) gives in a second table.
 * - test_kill_during_rebuild: a child process rebuilds a table of 200,000
 *   connections in shared memory over and over and is killed at some
 *   point of it; the rebuild after gives the very bytes (the whole table,
 *   but shift_seq, which counts the rebuilds) an uninterrupted rebuild of
 *   the same array gives.
 * Plain memory, no EAL.
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

#define SEC 1000000000ull
#define NOW (1000ull * SEC)

/* The IPv6 address 2001:db8::k */
static struct dpvs_ip
v6(uint32_t k)
{
	struct dpvs_ip ip;
	uint32_t be = rte_cpu_to_be_32(k);

	memset(&ip, 0, sizeof(ip));
	ip.family = DPVS_AF_INET6;
	ip.bytes[0] = 0x20;
	ip.bytes[1] = 0x01;
	ip.bytes[2] = 0x0d;
	ip.bytes[3] = 0xb8;
	memcpy(&ip.bytes[12], &be, 4);
	return ip;
}

/* Slot k's kind in the first test, from its number. */
enum { S_FREE, S_FNAT4, S_DR4, S_FNAT6, S_DUP, S_INSANE };

static int
slot_kind(uint32_t k)
{
	uint32_t m = k % 23u;

	if (m == 0)
		return S_FREE;
	if (m == 5 || m == 17)
		return S_DUP;
	if (m == 11)
		return S_INSANE;
	if (m == 3)
		return S_DR4;
	if (m == 7 || m == 19)
		return S_FNAT6;
	return S_FNAT4;
}

/* Fill slot idx (taken with wk_conn_alloc) as connection number k. */
static void
fill_kind(struct dpvs_conn_table *ct, uint32_t idx, uint32_t k, int kind)
{
	struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];
	struct dpvs_ip none;

	memset(&none, 0, sizeof(none));
	c->proto = k % 3u == 0 ? IPPROTO_TCP : IPPROTO_UDP;
	c->state = c->proto == IPPROTO_TCP ? (k % 2u ? DPVS_TCPS_SYN_RECV : DPVS_TCPS_ESTABLISHED)
					  : 0;
	c->fwd_mode = kind == S_DR4 ? DPVS_FWD_DR : DPVS_FWD_FNAT;
	if (kind == S_FNAT6) {
		/* from an IPv6 client to an IPv4 server, from the IPv4 local
		 * address (every address in a side slot) */
		struct dpvs_ip ca = v6(k), va = v6(0xffff0001u), la = tconn_v4(0x0a01000au + k % 7u),
			       da = tconn_v4(0x0a010002u);

		ck_assert_int_eq(wk_conn_set_addrs6(ct, idx, &ca, &va, &la, &da), 0);
	} else {
		tconn_set4(c, tconn_v4(0x0b000000u + k), tconn_v4(0x0a000064u),
			   kind == S_DR4 ? none : tconn_v4(0x0a01000au + k % 7u),
			   tconn_v4(0x0a010002u));
	}
	c->cport = rte_cpu_to_be_16((uint16_t)(1024u + k % 50000u));
	c->vport = rte_cpu_to_be_16(80);
	c->lport = rte_cpu_to_be_16((uint16_t)(2000u + k));
	c->dport = rte_cpu_to_be_16(80);
	c->in_port = 0;
	c->out_port = 1;
	/* past, near, within the wheel, beyond it */
	c->expires_ns = k % 4u == 0   ? NOW - SEC
			: k % 4u == 1 ? NOW + (k % 1000u) * 10000000ull
			: k % 4u == 2 ? NOW + (k % 300u) * SEC
				      : NOW + 7200ull * SEC + k;
}

/* Slot k of t holds connection k of slot_kind(k) (the free list hands them
 * out in order); kind[k] is its kind. */
static void
fill_mixed(struct dpvs_conn_table *t, int *kind, uint32_t cap)
{
	struct dpvs_conn *ca = dpvs_conn_array(t);
	uint32_t k, idx;

	for (k = 0; k < cap; k++) {
		idx = wk_conn_alloc(t);
		ck_assert_uint_eq(idx, k);
		kind[k] = slot_kind(k);
		if (kind[k] == S_FREE)
			continue;
		fill_kind(t, k, k, kind[k] == S_DUP || kind[k] == S_INSANE ? S_FNAT4 : kind[k]);
		if (kind[k] == S_INSANE)
			ca[k].proto = 0;
		ca[k].flags |= DPVS_CONN_F_USED;
	}
}

/* A repeat: slot k of kind S_DUP takes the tuples of a slot above it (a
 * kept one), the inbound or only the outbound one. */
static void
make_repeats(struct dpvs_conn *ca, const int *kind, uint32_t cap)
{
	uint32_t k;

	for (k = 0; k < cap; k++) {
		uint32_t src = k + 1;

		if (kind[k] != S_DUP)
			continue;
		while (kind[src] != S_FNAT4)
			src++;
		if (k % 2u == 0) {
			ca[k].a4[DPVS_CONN_A_C] = ca[src].a4[DPVS_CONN_A_C];
			ca[k].cport = ca[src].cport;
			ca[k].proto = ca[src].proto;
		} else {
			ca[k].a4[DPVS_CONN_A_L] = ca[src].a4[DPVS_CONN_A_L];
			ca[k].lport = ca[src].lport;
			ca[k].proto = ca[src].proto;
		}
		ca[k].state = ca[k].proto == IPPROTO_TCP ? DPVS_TCPS_ESTABLISHED : 0;
	}
}

/* What a dead worker may leave in the derived parts of t. */
static void
scramble_derived(struct dpvs_conn_table *t, uint32_t cap)
{
	struct dpvs_conn *ca = dpvs_conn_array(t);
	uint32_t k;

	memset(dpvs_conn_buckets(t), 0x5a, (size_t)t->nbuckets * sizeof(struct dpvs_conn_bkt));
	for (k = 0; k < cap; k++) {
		ca[k].tnext = ca[k].tprev = 0x5a5a5a5au;
		ca[k].onext = ca[k].oprev = 7;
	}
	t->count = 12345;
}

/* a's index, timer wheel, half-open list and every live entry's links are
 * b's, byte for byte. */
static void
assert_same_derived(struct dpvs_conn_table *a, struct dpvs_conn_table *b, uint32_t cap)
{
	struct dpvs_conn *ca = dpvs_conn_array(a), *cb = dpvs_conn_array(b);
	uint32_t k;

	ck_assert_int_eq(memcmp(dpvs_conn_buckets(a), dpvs_conn_buckets(b),
				(size_t)a->nbuckets * sizeof(struct dpvs_conn_bkt)),
			 0);
	ck_assert_int_eq(memcmp(dpvs_conn_wheel(a), dpvs_conn_wheel(b),
				DPVS_CONN_WHEEL_SLOTS * sizeof(uint32_t)),
			 0);
	ck_assert_uint_eq(a->wheel_tick, b->wheel_tick);
	ck_assert_uint_eq(a->half_head, b->half_head);
	ck_assert_uint_eq(a->half_tail, b->half_tail);
	for (k = 0; k < cap; k++) {
		if ((ca[k].flags & DPVS_CONN_F_USED) == 0)
			continue;
		ck_assert_uint_eq(ca[k].tnext, cb[k].tnext);
		ck_assert_uint_eq(ca[k].tprev, cb[k].tprev);
		ck_assert_uint_eq(ca[k].onext, cb[k].onext);
		ck_assert_uint_eq(ca[k].oprev, cb[k].oprev);
	}
}

START_TEST(test_rebuild_is_sequential_insertion)
{
	const uint32_t cap = 4096;
	struct dpvs_conn_table *a = tconn_table_new(cap, NOW), *b = tconn_table_new(cap, NOW);
	struct dpvs_conn *ca = dpvs_conn_array(a), *cb = dpvs_conn_array(b);
	uint32_t k, n, kept = 0, want_kept = 0;
	static int kind[4096];

	fill_mixed(a, kind, cap);
	make_repeats(ca, kind, cap);
	scramble_derived(a, cap);
	n = wk_conn_rebuild(a, NOW);

	/* the second table: the kept entries inserted from the top down,
	 * the IPv6 side table copied (the entries name its slots) */
	memcpy(dpvs_conn_v6_slots(b), dpvs_conn_v6_slots(a),
	       (size_t)a->v6_capacity * sizeof(struct dpvs_conn6));
	for (k = cap; k-- > 0;) {
		int live = (ca[k].flags & DPVS_CONN_F_USED) != 0;

		want_kept += kind[k] != S_FREE && kind[k] != S_DUP && kind[k] != S_INSANE;
		ck_assert_int_eq(live, kind[k] != S_FREE && kind[k] != S_DUP && kind[k] != S_INSANE);
		if (!live)
			continue;
		kept++;
		cb[k] = ca[k];
		cb[k].flags &= (uint8_t)~DPVS_CONN_F_USED;
		cb[k].tnext = cb[k].tprev = DPVS_CONN_NIL;
		cb[k].onext = cb[k].oprev = DPVS_CONN_NIL;
		wk_conn_insert(b, k, NOW);
	}
	ck_assert_uint_eq(n, want_kept);
	ck_assert_uint_eq(a->count, kept);
	ck_assert_uint_eq(b->count, kept);
	assert_same_derived(a, b, cap);
	/* and the index overflowed somewhere (the walks past home were
	 * exercised) */
	for (k = 0, n = 0; k < a->nbuckets; k++)
		n += dpvs_conn_buckets(a)[k].ovf != 0;
	ck_assert_uint_gt(n, 0);
	free(a);
	free(b);
}
END_TEST

#define KCAP  200000u
#define KLIVE 190000u

struct kill_note {
	volatile uint32_t started;   /* rebuilds the child began */
};

START_TEST(test_kill_during_rebuild)
{
	uint64_t sz = DPVS_CONN_MZ_SIZE(KCAP);
	struct dpvs_conn_table *ct, *ref;
	struct kill_note *note;
	struct timespec nap = { 0, 100000 }, d = { 0, 0 };
	uint32_t k, sxi, waited = 0;
	pid_t pid;
	int st;

	ct = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	note = mmap(NULL, sizeof(*note), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		    0);
	ref = aligned_alloc(64, (sz + 63) & ~63ull); /* the type's alignment */
	ck_assert_ptr_ne(ct, MAP_FAILED);
	ck_assert_ptr_ne(note, MAP_FAILED);
	ck_assert_ptr_nonnull(ref);
	memset(ct, 0, sz);
	dpvs_conn_table_format(ct, KCAP);
	wk_conn_rebuild(ct, NOW);
	for (k = 0; k < KLIVE; k++) {
		uint32_t idx = tconn_fill(ct, k % 4u ? IPPROTO_UDP : IPPROTO_TCP, k, NOW,
					  NOW + (k % 600u) * SEC);

		ck_assert_uint_eq(idx, k);
		/* a local address per 60,000 (tconn_fill's lport repeats) */
		dpvs_conn_array(ct)[idx].a4[DPVS_CONN_A_L] =
			rte_cpu_to_be_32(0x0a01000au + k / 60000u);
		wk_conn_insert(ct, idx, NOW);
		if (k % 8u == 0 && (sxi = wk_conn_sx_take(ct)) != DPVS_CONN_NIL)
			wk_conn_sx_attach(ct, idx, sxi);
	}
	/* a few the rebuild drops: insane, a repeat */
	dpvs_conn_array(ct)[1000].proto = 0;
	dpvs_conn_array(ct)[2000].cport = dpvs_conn_array(ct)[3000].cport;
	dpvs_conn_array(ct)[2000].a4[DPVS_CONN_A_C] = dpvs_conn_array(ct)[3000].a4[DPVS_CONN_A_C];
	dpvs_conn_array(ct)[2000].proto = dpvs_conn_array(ct)[3000].proto;
	dpvs_conn_array(ct)[2000].state = dpvs_conn_array(ct)[3000].state;
	memcpy(ref, ct, sz);
	ck_assert_uint_eq(wk_conn_rebuild(ref, NOW), KLIVE - 2);

	note->started = 0;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		for (;;) {
			note->started++;
			wk_conn_rebuild(ct, NOW);
		}
	}
	while (note->started == 0 && waited++ < 100000)
		nanosleep(&nap, NULL);
	ck_assert_uint_gt(note->started, 0);
	/* somewhere in the first few rebuilds (a few ms each here) */
	d.tv_nsec = 1000000L + (long)_i * 2300000L;
	nanosleep(&d, NULL);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFSIGNALED(st));
	ck_assert_uint_eq(wk_conn_rebuild(ct, NOW), KLIVE - 2);
	/* shift_seq counts the rebuilds (two a rebuild): even after */
	ck_assert_uint_eq(ct->shift_seq & 1u, 0);
	ck_assert_uint_ge(ct->shift_seq, ref->shift_seq);
	ct->shift_seq = ref->shift_seq;
	ck_assert_int_eq(memcmp(ct, ref, sz), 0);
	free(ref);
	munmap(note, sizeof(*note));
	munmap(ct, sz);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("conn_rebuild");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_rebuild_is_sequential_insertion);
	tcase_add_loop_test(tc, test_kill_during_rebuild, 0, 8);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
