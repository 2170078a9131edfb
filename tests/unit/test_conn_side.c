/*
 * A full side table's eviction (worker/ipvs/conn.c, wk_conn_side_pick; the
 * side tables of sequence translations and IPv6 addresses, shm/conn.h):
 *   - complete: half-open connections without a side slot (an IPv4 SYN
 *     flood) ahead of the holders on the half-open list do not hide them:
 *     the side table's clock hand finds a half-open holder wherever its slot
 *     is, within side capacity / WK_CONN_SIDE_SCAN calls, and never gives
 *     an established one or one without a slot;
 *   - the oldest first where it is cheap: among the half-open list's head,
 *     and among the slots one call of the hand looks at;
 *   - bounded under a flood: a side table full of established connections
 *     stops the looks after one empty lap of the hand, until a slot is
 *     taken or freed or a connection becomes half-open again, and such a
 *     holder is then found within a lap;
 *   - crash-safe: a child process replays the new-connection path's order
 *     of writes for an eviction (a copy of ipvs_new.c conn_new's order; the
 *     real code's own order, killed at its fault points, is
 *     test_side_crash.c's: the pick, the victim
 *     closed, the side slot taken, the entry filled, its endpoints and side
 *     slot named, attached, live) and is killed after each step in turn,
 *     and another is killed anywhere in a loop of such evictions; the
 *     parent rebuilds the table from the array, as a successor worker does,
 *     and checks it: no side slot named by two live connections nor owned
 *     by another, the counts and free lists right, the victim and the new
 *     connection each found by both tuples or gone, every other one found,
 *     and the next eviction works.
 * Plain memory (MAP_SHARED for the children), no EAL.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <inttypes.h>
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
#define T0  (1000ull * SEC)

enum side { SX, V6 };

/* Key k's connection: TCP full-NAT, IPv6 endpoints when v6 (client
 * fd00::<k>, local fd00:1::10), else IPv4 (10.2.x.y); client port
 * 1024 + k % 50000, local port 2000 + k % 60000. */
static void
key_addrs(uint32_t k, int v6, struct dpvs_ip a[4])
{
	uint32_t be;
	int w;

	memset(a, 0, 4 * sizeof(a[0]));
	if (!v6) {
		a[0] = tconn_v4(0x0a020000u + k);
		a[1] = tconn_v4(0x0a000064u);
		a[2] = tconn_v4(0x0a01000au);
		a[3] = tconn_v4(0x0a010002u);
		return;
	}
	for (w = 0; w < 4; w++) {
		a[w].family = DPVS_AF_INET6;
		a[w].bytes[0] = 0xfd;
		a[w].bytes[3] = (uint8_t)w;
	}
	be = rte_cpu_to_be_32(k);
	memcpy(&a[0].bytes[12], &be, 4);
}

/* Fill entry idx (taken, not live) for key k, half-open, created at s
 * seconds: everything but its endpoints. */
static void
key_fill(struct dpvs_conn_table *ct, uint32_t idx, uint32_t k, uint32_t s)
{
	struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];

	c->proto = IPPROTO_TCP;
	c->state = DPVS_TCPS_SYN_RECV;
	c->fwd_mode = DPVS_FWD_FNAT;
	c->cport = rte_cpu_to_be_16((uint16_t)(1024 + k % 50000));
	c->vport = rte_cpu_to_be_16(80);
	c->lport = rte_cpu_to_be_16((uint16_t)(2000 + k % 60000));
	c->dport = rte_cpu_to_be_16(8080);
	c->out_port = 1;
	c->created_s = s;
	c->expires_ns = T0 + 30 * SEC;
}

/* Key k's connection by both tuples: its index, or DPVS_CONN_NIL when
 * neither finds it (and -2 when they disagree). */
static uint32_t
key_find(struct dpvs_conn_table *ct, uint32_t k, int v6)
{
	struct dpvs_ip a[4];
	uint32_t i, o;
	int d;

	key_addrs(k, v6, a);
	i = wk_conn_lookup(ct, IPPROTO_TCP, &a[0], rte_cpu_to_be_16((uint16_t)(1024 + k % 50000)),
			   &a[1], rte_cpu_to_be_16(80), &d);
	o = wk_conn_lookup(ct, IPPROTO_TCP, &a[3], rte_cpu_to_be_16(8080), &a[2],
			   rte_cpu_to_be_16((uint16_t)(2000 + k % 60000)), &d);
	return i == o ? i : (uint32_t)-2;
}

/* A live half-open connection of key k, made in the order of ipvs_new.c
 * (its sequence-translation slot first when side is SX; an IPv6 one's
 * slot with its endpoints); DPVS_CONN_NIL when a slot it needs is not
 * free. nosx: no sequence translation (an IPv4 flood's SYN). */
static uint32_t
make(struct dpvs_conn_table *ct, uint32_t k, enum side side, int nosx, uint32_t s)
{
	struct dpvs_ip a[4];
	uint32_t idx, sxi = DPVS_CONN_NIL;
	const int v6 = side == V6 && !nosx;

	key_addrs(k, v6, a);
	if (side == SX && !nosx && (sxi = wk_conn_sx_take(ct)) == DPVS_CONN_NIL)
		return DPVS_CONN_NIL;
	if (!wk_conn_addrs_fit(ct, &a[0], &a[3]))
		return DPVS_CONN_NIL;
	/* no Check assertion here: child_loop calls it in a forked child that
	 * is killed at random, and a passing assertion writes its location to
	 * Check's pipe (a kill in that write corrupts the parent's next read);
	 * the callers assert on DPVS_CONN_NIL */
	idx = wk_conn_alloc(ct);
	if (idx == DPVS_CONN_NIL)
		return DPVS_CONN_NIL;
	key_fill(ct, idx, k, s);
	if (wk_conn_set_addrs(ct, idx, &a[0], &a[1], &a[2], &a[3]) != 0)
		return DPVS_CONN_NIL;
	if (sxi != DPVS_CONN_NIL)
		wk_conn_sx_attach(ct, idx, sxi);
	wk_conn_insert(ct, idx, T0);
	return idx;
}

/* A table of cap with nflood half-open connections without a side slot
 * (keys 0..nflood-1, IPv4) at the head of the half-open list, then every
 * slot of side table side held by a half-open connection (keys from
 * 100000, created at second 100 + their number): the table of the
 * fixtures' evictfx cases, bigger. */
static struct dpvs_conn_table *
flood_table(void *mem, uint32_t cap, enum side side, uint32_t nflood)
{
	struct dpvs_conn_table *ct = mem;
	uint32_t k;

	memset(ct, 0, DPVS_CONN_MZ_SIZE(cap));
	dpvs_conn_table_format(ct, cap);
	wk_conn_rebuild(ct, T0);
	for (k = 0; k < nflood; k++)
		ck_assert_uint_ne(make(ct, k, side, 1, 100), DPVS_CONN_NIL);
	for (k = 0; k < tconn_side_cap(ct, side); k++)
		ck_assert_uint_ne(make(ct, 100000 + k, side, 0, 100 + k), DPVS_CONN_NIL);
	ck_assert_uint_eq(make(ct, 100000 + k, side, 0, 100), DPVS_CONN_NIL);   /* full */
	return ct;
}

/* An IPv4 flood of 64 half-open connections ahead, the side table (1024
 * slots) full of half-open holders: the first pick gives the oldest of the
 * slots the hand looks at (slot 0's, the oldest of all), not NIL (the
 * half-open list's first 16 entries hold no slot). */
START_TEST(test_flood_ahead_found)
{
	enum side side = (enum side)_i;
	struct dpvs_conn_table *ct = aligned_alloc(64, DPVS_CONN_MZ_SIZE(4096));
	uint32_t v;

	flood_table(ct, 4096, side, 64);
	ck_assert_uint_eq(tconn_side_cap(ct, side), 1024);
	v = wk_conn_side_pick(ct, side == SX ? WK_CONN_SIDE_SX : WK_CONN_SIDE_V6);
	ck_assert_uint_ne(v, DPVS_CONN_NIL);
	ck_assert_uint_eq(v, key_find(ct, 100000, side == V6));
	ck_assert_uint_eq(tconn_side_ref(&dpvs_conn_array(ct)[v], side), 1);
	free(ct);
}
END_TEST

/* Of the slots one call looks at, the oldest owner: the holders' ages
 * reversed in the window (the last slot's is the oldest). */
START_TEST(test_hand_takes_the_oldest_it_sees)
{
	enum side side = (enum side)_i;
	struct dpvs_conn_table *ct = aligned_alloc(64, DPVS_CONN_MZ_SIZE(4096));
	uint32_t s, v;

	flood_table(ct, 4096, side, 64);
	for (s = 0; s < WK_CONN_SIDE_SCAN; s++)
		dpvs_conn_array(ct)[tconn_side_owner(ct, side, s)].created_s = 500 - s;
	v = wk_conn_side_pick(ct, side == SX ? WK_CONN_SIDE_SX : WK_CONN_SIDE_V6);
	ck_assert_uint_eq(v, tconn_side_owner(ct, side, WK_CONN_SIDE_SCAN - 1));
	/* the next call looks at the next slots */
	v = wk_conn_side_pick(ct, side == SX ? WK_CONN_SIDE_SX : WK_CONN_SIDE_V6);
	ck_assert_uint_eq(v, tconn_side_owner(ct, side, WK_CONN_SIDE_SCAN));
	free(ct);
}
END_TEST

/* One half-open holder among established ones, its slot anywhere: found
 * within capacity / WK_CONN_SIDE_SCAN calls, every call before NIL; with
 * none left half-open, NIL every call (an established one is never
 * given); the hand stays within the side table. */
START_TEST(test_one_holder_found_anywhere)
{
	static const uint32_t where[] = { 0, 31, 32, 517, 1023 };
	enum side side = (enum side)(_i & 1);
	const uint32_t at = where[_i >> 1];
	const enum wk_conn_side ws = side == SX ? WK_CONN_SIDE_SX : WK_CONN_SIDE_V6;
	struct dpvs_conn_table *ct = aligned_alloc(64, DPVS_CONN_MZ_SIZE(4096));
	uint32_t s, n, v = DPVS_CONN_NIL, holder;

	flood_table(ct, 4096, side, 64);
	for (s = 0; s < 1024; s++)
		if (s != at)
			dpvs_conn_array(ct)[tconn_side_owner(ct, side, s)].state = DPVS_TCPS_ESTABLISHED;
	holder = tconn_side_owner(ct, side, at);
	/* start the hand just past the holder: the longest way round */
	if (side == SX)
		ct->sx_hand = at + 1;
	else
		ct->v6_hand = at + 1;
	for (n = 0; n < 1024 / WK_CONN_SIDE_SCAN && v == DPVS_CONN_NIL; n++) {
		v = wk_conn_side_pick(ct, ws);
		ck_assert(v == DPVS_CONN_NIL || v == holder);
		ck_assert_uint_lt(side == SX ? ct->sx_hand : ct->v6_hand, 1024);
	}
	ck_assert_uint_eq(v, holder);
	dpvs_conn_array(ct)[holder].state = DPVS_TCPS_ESTABLISHED;
	for (n = 0; n < 2 * 1024 / WK_CONN_SIDE_SCAN; n++)
		ck_assert_uint_eq(wk_conn_side_pick(ct, ws), DPVS_CONN_NIL);
	/* a hand past the end (any value a crash can leave) reads as 0 */
	if (side == SX)
		ct->sx_hand = 0xfffffff0u;
	else
		ct->v6_hand = 0xfffffff0u;
	dpvs_conn_array(ct)[tconn_side_owner(ct, side, 3)].state = DPVS_TCPS_SYN_RECV;
	wk_conn_side_wake(ct);   /* as wk_ipvs_set_state does */
	ck_assert_uint_eq(wk_conn_side_pick(ct, ws), tconn_side_owner(ct, side, 3));
	free(ct);
}
END_TEST

/* A side table (1024 slots) full of established connections, a flood of
 * new ones refused: after one lap of the hand (1024 / WK_CONN_SIDE_SCAN
 * empty calls) the hand stops (it does not move, the count stays); a
 * connection that becomes half-open again (wk_ipvs_set_state wakes the
 * look) is found within a lap; a slot freed and taken also wakes it. */
START_TEST(test_full_lap_stops_the_hand)
{
	enum side side = (enum side)_i;
	const enum wk_conn_side ws = side == SX ? WK_CONN_SIDE_SX : WK_CONN_SIDE_V6;
	struct dpvs_conn_table *ct = aligned_alloc(64, DPVS_CONN_MZ_SIZE(4096));
	const uint32_t lap = 1024 / WK_CONN_SIDE_SCAN;
	uint32_t s, n, hand, v = DPVS_CONN_NIL, holder;
	uint32_t *miss, *hp;

	flood_table(ct, 4096, side, 0);
	miss = side == SX ? &ct->sx_miss : &ct->v6_miss;
	hp = side == SX ? &ct->sx_hand : &ct->v6_hand;
	ck_assert_uint_eq(*miss, 0);
	for (s = 0; s < 1024; s++)
		dpvs_conn_array(ct)[tconn_side_owner(ct, side, s)].state = DPVS_TCPS_ESTABLISHED;
	for (n = 0; n < lap; n++) {
		hand = *hp;
		ck_assert_uint_eq(wk_conn_side_pick(ct, ws), DPVS_CONN_NIL);
		ck_assert_uint_ne(*hp, hand);   /* looked */
	}
	ck_assert_uint_eq(*miss, lap);
	hand = *hp;
	for (n = 0; n < 10000; n++)
		ck_assert_uint_eq(wk_conn_side_pick(ct, ws), DPVS_CONN_NIL);
	ck_assert_uint_eq(*hp, hand);   /* no look after the lap */
	ck_assert_uint_eq(*miss, lap);
	/* one becomes half-open again, its slot just behind the hand */
	holder = tconn_side_owner(ct, side, (hand + 1023) % 1024);
	dpvs_conn_array(ct)[holder].state = DPVS_TCPS_SYN_RECV;
	wk_conn_side_wake(ct);
	for (n = 0; n < lap && v == DPVS_CONN_NIL; n++)
		v = wk_conn_side_pick(ct, ws);
	ck_assert_uint_eq(v, holder);
	ck_assert_uint_eq(*miss, 0);
	dpvs_conn_array(ct)[holder].state = DPVS_TCPS_ESTABLISHED;
	for (n = 0; n < 2 * lap; n++)
		ck_assert_uint_eq(wk_conn_side_pick(ct, ws), DPVS_CONN_NIL);
	ck_assert_uint_eq(*miss, lap);
	/* a slot freed (an established one closed) wakes it; so does the take */
	wk_conn_free(ct, tconn_side_owner(ct, side, 7));
	ck_assert_uint_eq(*miss, 0);
	for (n = 0; n < 2 * lap; n++)
		ck_assert_uint_eq(wk_conn_side_pick(ct, ws), DPVS_CONN_NIL);
	ck_assert_uint_eq(*miss, lap);
	ck_assert_uint_ne(make(ct, 300000, side, 0, 500), DPVS_CONN_NIL);
	ck_assert_uint_eq(*miss, 0);
	free(ct);
}
END_TEST

/* ---- crash: killed after each step of an eviction's hand-over ---- */

enum step {
	ST_PICKED,     /* the victim chosen */
	ST_CLOSED,     /* closed: its side slot and its entry on the free lists */
	ST_SX_TAKEN,   /* the new connection's sequence slot taken (SX) */
	ST_FILLED,     /* its entry taken and filled, not live */
	ST_NAMED,      /* its endpoints set (V6: its IPv6 slot written, named) */
	ST_ATTACHED,   /* its sequence slot attached (SX: owner, sx_ref) */
	ST_LIVE,       /* inserted: live */
	ST_MAX
};

#define CRASH_CAP   256u    /* side tables of 64 */
#define CRASH_FLOOD 40u
#define NEWKEY      200000u

static void
die(void)
{
	kill(getpid(), SIGKILL);
	for (;;)
		pause();
}

/* The child: the eviction for a new connection of key NEWKEY, the order of
 * ipvs_new.c (conn_new's side slot, conn_slot, conn_fill,
 * wk_conn_set_addrs, wk_conn_sx_attach, the insert), killed after step
 * kill_at. *victim: the key it chose. */
static void
child_evict(struct dpvs_conn_table *ct, enum side side, enum step kill_at,
	    volatile uint32_t *victim)
{
	struct dpvs_ip a[4];
	uint32_t v, idx, sxi = DPVS_CONN_NIL;

	v = wk_conn_side_pick(ct, side == SX ? WK_CONN_SIDE_SX : WK_CONN_SIDE_V6);
	if (v == DPVS_CONN_NIL)
		_exit(3);
	*victim = v;
	if (kill_at == ST_PICKED)
		die();
	wk_conn_free(ct, v);
	if (kill_at == ST_CLOSED)
		die();
	if (side == SX) {
		sxi = wk_conn_sx_take(ct);
		if (sxi == DPVS_CONN_NIL)
			_exit(4);
		if (kill_at == ST_SX_TAKEN)
			die();
	}
	key_addrs(NEWKEY, side == V6, a);
	if (!wk_conn_addrs_fit(ct, &a[0], &a[3]))
		_exit(5);
	idx = wk_conn_take(ct);
	if (idx != v)   /* the victim's entry, the next the free list gives */
		_exit(6);
	key_fill(ct, idx, NEWKEY, 900);
	dpvs_conn_array(ct)[idx].sx_ref = 0;
	dpvs_conn_array(ct)[idx].tnext = dpvs_conn_array(ct)[idx].tprev = DPVS_CONN_NIL;
	dpvs_conn_array(ct)[idx].onext = dpvs_conn_array(ct)[idx].oprev = DPVS_CONN_NIL;
	dpvs_conn_array(ct)[idx].flags = 0;
	if (kill_at == ST_FILLED)
		die();
	if (wk_conn_set_addrs(ct, idx, &a[0], &a[1], &a[2], &a[3]) != 0)
		_exit(7);
	if (kill_at == ST_NAMED)
		die();
	if (sxi != DPVS_CONN_NIL)
		wk_conn_sx_attach(ct, idx, sxi);
	if (kill_at == ST_ATTACHED)
		die();
	wk_conn_insert(ct, idx, T0);
	if (kill_at == ST_LIVE)
		die();
	_exit(0);
}

/* The (side, step) pairs of a hand-over: an IPv6 one has no sequence
 * slot, so no ST_SX_TAKEN nor ST_ATTACHED. */
static const struct { enum side side; enum step at; } handover[] = {
	{ SX, ST_PICKED }, { SX, ST_CLOSED }, { SX, ST_SX_TAKEN }, { SX, ST_FILLED },
	{ SX, ST_NAMED },  { SX, ST_ATTACHED }, { SX, ST_LIVE },
	{ V6, ST_PICKED }, { V6, ST_CLOSED }, { V6, ST_FILLED }, { V6, ST_NAMED },
	{ V6, ST_LIVE },
};

START_TEST(test_killed_in_the_hand_over)
{
	enum side side = handover[_i].side;
	enum step at = handover[_i].at;
	uint64_t sz = DPVS_CONN_MZ_SIZE(CRASH_CAP);
	struct dpvs_conn_table *ct;
	volatile uint32_t *victim;
	uint32_t k, vkey = DPVS_CONN_NIL, f, used, v, vidx;
	pid_t pid;
	int st;

	ct = mmap(NULL, sz + 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(ct, MAP_FAILED);
	victim = (volatile uint32_t *)(void *)((char *)ct + sz);
	*victim = DPVS_CONN_NIL;
	flood_table(ct, CRASH_CAP, side, CRASH_FLOOD);
	used = tconn_check_sides(ct);
	/* the victim: slot 0's owner, the oldest of the first slots the hand
	 * looks at (the half-open list's first 16 hold none) */
	vidx = tconn_side_owner(ct, side, 0);
	for (k = 0; k < 64; k++)
		if (key_find(ct, 100000 + k, side == V6) == vidx)
			vkey = 100000 + k;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		child_evict(ct, side, at, victim);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child: %d", st);
	ck_assert_uint_eq(*victim, vidx);
	/* the successor's rebuild */
	ck_assert_uint_eq(wk_conn_rebuild(ct, T0), ct->count);
	f = tconn_check_sides(ct);
	/* the victim until closed, the new one once live: never both, and
	 * each by both tuples or by neither */
	ck_assert_uint_ne(vkey, DPVS_CONN_NIL);
	ck_assert_uint_eq(key_find(ct, vkey, side == V6) != DPVS_CONN_NIL, at == ST_PICKED);
	ck_assert_uint_eq(key_find(ct, NEWKEY, side == V6) != DPVS_CONN_NIL, at == ST_LIVE);
	ck_assert_uint_eq(f, at == ST_PICKED || at == ST_LIVE ? used : used - 1);
	for (k = 0; k < CRASH_FLOOD; k++)
		ck_assert_uint_ne(key_find(ct, k, 0), DPVS_CONN_NIL);
	for (k = 0; k < 64; k++)
		if (100000 + k != vkey)
			ck_assert_uint_ne(key_find(ct, 100000 + k, side == V6), DPVS_CONN_NIL);
	/* and it goes on: a new connection (another eviction if full) */
	if (make(ct, NEWKEY + 1, side, 0, 950) == DPVS_CONN_NIL) {
		v = wk_conn_side_pick(ct, side == SX ? WK_CONN_SIDE_SX : WK_CONN_SIDE_V6);
		ck_assert_uint_ne(v, DPVS_CONN_NIL);
		wk_conn_free(ct, v);
		ck_assert_uint_ne(make(ct, NEWKEY + 1, side, 0, 950), DPVS_CONN_NIL);
	}
	tconn_check_sides(ct);
	munmap(ct, sz + 4096);
}
END_TEST

/* ---- crash: killed anywhere in a loop of evictions ---- */

#define KEY_SPAN 19000u   /* new keys child_loop makes at most */

struct journal {
	volatile uint64_t progress;   /* evictions done */
	volatile uint32_t victim;     /* key of the one in flight */
	volatile uint32_t newkey;     /* key being made */
	volatile uint32_t next;       /* keys made so far (from 100000) */
	volatile uint8_t gone[1u << 16];   /* by key - 100000: closed */
};

/* Evict and make, forever: each new connection of side takes a victim's
 * slot (half-open holders, an IPv4 flood ahead of them); a few made
 * established, so the hand has to look past them. */
static void
child_loop(struct dpvs_conn_table *ct, enum side side, struct journal *j)
{
	const int v6 = side == V6;
	uint32_t v, idx, vk, k, est = DPVS_CONN_NIL, be;
	struct dpvs_ip ca;

	for (;;) {
		k = j->next;
		/* key k's outbound tuple differs from others only in its
		 * port, 2000 + k % 60000 (key_find): key 120,000 + f would
		 * match flood connection f's. So past KEY_SPAN new keys it
		 * waits for its kill (a parent slowed by a busy machine may
		 * come late) */
		if (k - 100000 >= KEY_SPAN)
			for (;;)
				pause();
		if ((k & 7) == 7 && est != DPVS_CONN_NIL) {
			/* an established one closes (its time came): its
			 * slots serve the next, no eviction */
			v = key_find(ct, est, v6);
			vk = est;
			est = DPVS_CONN_NIL;
		} else {
			v = wk_conn_side_pick(ct, side == SX ? WK_CONN_SIDE_SX : WK_CONN_SIDE_V6);
			if (v == DPVS_CONN_NIL)
				_exit(3);
			/* the victim's key, from its client address */
			ca = dpvs_conn_ip(ct, &dpvs_conn_array(ct)[v], DPVS_CONN_A_C);
			memcpy(&be, ca.bytes + (v6 ? 12 : 0), 4);
			vk = rte_be_to_cpu_32(be) - (v6 ? 0 : 0x0a020000u);
		}
		if (v >= ct->capacity || vk < 100000 || vk - 100000 >= (1u << 16))
			_exit(5);
		j->victim = vk;
		j->newkey = k;
		wk_conn_free(ct, v);
		j->gone[vk - 100000] = 1;
		idx = make(ct, k, side, 0, 200 + (k & 0xff));
		if (idx == DPVS_CONN_NIL)
			_exit(4);
		if ((k & 7) == 3) {   /* established: never a victim */
			dpvs_conn_array(ct)[idx].state = DPVS_TCPS_ESTABLISHED;
			est = k;
		}
		j->next = k + 1;
		j->progress = j->progress + 1;
	}
}

START_TEST(test_killed_anywhere_in_evictions)
{
	enum side side = (enum side)(_i % 2);
	uint64_t sz = DPVS_CONN_MZ_SIZE(CRASH_CAP), want;
	struct timespec nap = { 0, 50000 };
	struct dpvs_conn_table *ct;
	struct journal *j;
	uint32_t k, live = 0, open_;
	pid_t pid, r = 0;
	int st;

	ct = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	j = mmap(NULL, sizeof(*j), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(ct, MAP_FAILED);
	ck_assert_ptr_ne(j, MAP_FAILED);
	flood_table(ct, CRASH_CAP, side, CRASH_FLOOD);
	j->next = 100000 + 64;
	j->victim = j->newkey = DPVS_CONN_NIL;
	want = 200 + (uint64_t)_i * 397;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		child_loop(ct, side, j);
	while (j->progress < want && (r = waitpid(pid, &st, WNOHANG)) == 0)
		nanosleep(&nap, NULL);
	/* it runs until killed: an exit is a step that failed (its status) */
	ck_assert_msg(r == 0, "child exited %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFSIGNALED(st), "child exited %d after %" PRIu64 " evictions",
		      WIFEXITED(st) ? WEXITSTATUS(st) : -1, j->progress);
	ck_assert_uint_eq(wk_conn_rebuild(ct, T0), ct->count);
	open_ = tconn_check_sides(ct);
	for (k = 0; k < CRASH_FLOOD; k++)
		ck_assert_uint_ne(key_find(ct, k, 0), DPVS_CONN_NIL);
	live = CRASH_FLOOD;
	for (k = 100000; k < j->next + 1 && k - 100000 < (1u << 16); k++) {
		uint32_t f = key_find(ct, k, side == V6);

		ck_assert_uint_ne(f, (uint32_t)-2);   /* found one way only */
		if (k == j->victim || k == j->newkey)
			continue;   /* in flight: either */
		if (k >= j->next)
			ck_assert_uint_eq(f, DPVS_CONN_NIL);
		else if (j->gone[k - 100000])
			ck_assert_uint_eq(f, DPVS_CONN_NIL);
		else
			ck_assert_uint_ne(f, DPVS_CONN_NIL);
		live += f != DPVS_CONN_NIL;
	}
	if (j->victim != DPVS_CONN_NIL)
		live += key_find(ct, j->victim, side == V6) != DPVS_CONN_NIL;
	if (j->newkey != DPVS_CONN_NIL && j->newkey != j->victim)
		live += key_find(ct, j->newkey, side == V6) != DPVS_CONN_NIL;
	ck_assert_uint_eq(live, open_);
	munmap(j, sizeof(*j));
	munmap(ct, sz);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("conn_side");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_flood_ahead_found, 0, 2);
	tcase_add_loop_test(tc, test_hand_takes_the_oldest_it_sees, 0, 2);
	tcase_add_loop_test(tc, test_one_holder_found_anywhere, 0, 10);
	tcase_add_loop_test(tc, test_full_lap_stops_the_hand, 0, 2);
	tcase_add_loop_test(tc, test_killed_in_the_hand_over, 0,
			    (int)(sizeof(handover) / sizeof(handover[0])));
	tcase_add_loop_test(tc, test_killed_anywhere_in_evictions, 0, 12);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
