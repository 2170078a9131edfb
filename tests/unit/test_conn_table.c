/*
 * Unit tests for a worker's connection table (worker/ipvs/conn.c, conn_timer.c):
 * insert and lookup in both directions, misses, the insert with the hashes
 * given, another worker's read-only look (bounded on a corrupt table), free,
 * a full table, and the rebuild of every derived part from the array alone
 * (which keeps what is not derived: the arrival ports, the TCP windows).
 * Plain memory (a buffer formatted with dpvs_conn_table_format), no EAL.
 * Times are virtual: every "now" is passed in, nothing is timed.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <rte_byteorder.h>

#include "shm/shm.h"
#include "worker/ipvs/conn_table.h"
#include "test_conn_util.h"

#define SEC  1000000000ull
#define TICK DPVS_CONN_TICK_NS
#define T0   (1000ull * SEC)   /* a plausible CLOCK_MONOTONIC start */
#define SPAN ((uint64_t)DPVS_CONN_WHEEL_SLOTS * TICK)

/* Is connection k's window tracking as tconn_add wrote it? */
static int
trk_intact(const struct dpvs_conn *c, uint32_t k)
{
	if (c->proto != IPPROTO_TCP)
		return c->trk[0].end == 0 && c->trk[1].end == 0;
	return c->in_port == 0 && c->out_port == 1 && c->trk[DPVS_DIR_IN].end == 1000u * k + 1u &&
	       c->trk[DPVS_DIR_IN].maxwin == 65535 && c->trk[DPVS_DIR_OUT].end == 0xfffff000u + k &&
	       c->trk[DPVS_DIR_OUT].maxack == 1000u * k + 1u && c->trk[DPVS_DIR_OUT].wscale == 7 &&
	       c->trk[DPVS_DIR_OUT].flags == (DPVS_TCPT_F_WSCALE | DPVS_TCPT_F_MAXACK);
}

static uint32_t
find_in(struct dpvs_conn_table *ct, uint32_t idx, int *dir)
{
	const struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];

	return wk_conn_lookup(ct, c->proto, TIP(c, C), c->cport, TIP(c, V), c->vport, dir);
}

static uint32_t
find_out(struct dpvs_conn_table *ct, uint32_t idx, int *dir)
{
	const struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];

	return wk_conn_lookup(ct, c->proto, TIP(c, D), c->dport, TIP(c, L), c->lport, dir);
}

START_TEST(test_lookup_both_directions_and_misses)
{
	struct dpvs_conn_table *ct = tconn_table_new(64, T0);
	uint32_t idx = tconn_add(ct, IPPROTO_TCP, 7, T0, T0 + 60 * SEC);
	struct dpvs_conn c = dpvs_conn_array(ct)[idx];
	struct dpvs_ip other = tconn_v4(0x0a0000ffu);
	int dir = -1;

	ck_assert_uint_ne(idx, DPVS_CONN_NIL);
	ck_assert_uint_eq(ct->count, 1);
	ck_assert_uint_eq(find_in(ct, idx, &dir), idx);
	ck_assert_int_eq(dir, DPVS_DIR_IN);
	ck_assert_uint_eq(find_out(ct, idx, &dir), idx);
	ck_assert_int_eq(dir, DPVS_DIR_OUT);
	/* each field of the key matters */
	ck_assert_uint_eq(wk_conn_lookup(ct, IPPROTO_UDP, TIP(&c, C), c.cport, TIP(&c, V), c.vport,
					 &dir), DPVS_CONN_NIL);
	ck_assert_uint_eq(wk_conn_lookup(ct, IPPROTO_TCP, &other, c.cport, TIP(&c, V), c.vport,
					 &dir), DPVS_CONN_NIL);
	ck_assert_uint_eq(wk_conn_lookup(ct, IPPROTO_TCP, TIP(&c, C), c.cport + 1, TIP(&c, V),
					 c.vport, &dir), DPVS_CONN_NIL);
	ck_assert_uint_eq(wk_conn_lookup(ct, IPPROTO_TCP, TIP(&c, C), c.cport, &other, c.vport,
					 &dir), DPVS_CONN_NIL);
	ck_assert_uint_eq(wk_conn_lookup(ct, IPPROTO_TCP, TIP(&c, C), c.cport, TIP(&c, V),
					 rte_cpu_to_be_16(81), &dir), DPVS_CONN_NIL);
	ck_assert_uint_eq(wk_conn_lookup(ct, IPPROTO_TCP, TIP(&c, D), c.dport, TIP(&c, L),
					 c.lport + 1, &dir), DPVS_CONN_NIL);
	/* the reverse of a tuple is not the tuple */
	ck_assert_uint_eq(wk_conn_lookup(ct, IPPROTO_TCP, TIP(&c, V), c.vport, TIP(&c, C), c.cport,
					 &dir), DPVS_CONN_NIL);
	ck_assert_uint_eq(wk_conn_lookup(ct, IPPROTO_TCP, TIP(&c, L), c.lport, TIP(&c, D), c.dport,
					 &dir), DPVS_CONN_NIL);
	/* same bytes, other family */
	other = *TIP(&c, C);
	other.family = DPVS_AF_INET6;
	ck_assert_uint_eq(wk_conn_lookup(ct, IPPROTO_TCP, &other, c.cport, TIP(&c, V), c.vport,
					 &dir), DPVS_CONN_NIL);
	free(ct);
}
END_TEST

/* Another worker's read-only look (wk_conn_peer_has): both directions, a
 * freed connection gone; a table its owner left corrupt (a cycle, an index
 * past the end, a zeroed index of a table never built) costs a bounded
 * walk and a miss, never a crash or a loop. */
START_TEST(test_peer_lookup)
{
	struct dpvs_conn_table *ct = tconn_table_new(64, T0), *raw;
	uint32_t idx = tconn_add(ct, IPPROTO_TCP, 7, T0, T0 + 60 * SEC), i;
	struct dpvs_conn c = dpvs_conn_array(ct)[idx];
	struct dpvs_ip other = tconn_v4(0x0a0000ffu);
	struct dpvs_conn_bkt *b = dpvs_conn_buckets(ct);
	unsigned int s;

	ck_assert(wk_conn_peer_has(ct, IPPROTO_TCP, TIP(&c, C), c.cport, TIP(&c, V), c.vport));
	ck_assert(wk_conn_peer_has(ct, IPPROTO_TCP, TIP(&c, D), c.dport, TIP(&c, L), c.lport));
	ck_assert(!wk_conn_peer_has(ct, IPPROTO_UDP, TIP(&c, D), c.dport, TIP(&c, L), c.lport));
	ck_assert(!wk_conn_peer_has(ct, IPPROTO_TCP, &other, c.dport, TIP(&c, L), c.lport));
	wk_conn_free(ct, idx);
	ck_assert(!wk_conn_peer_has(ct, IPPROTO_TCP, TIP(&c, D), c.dport, TIP(&c, L), c.lport));
	/* every slot of every bucket one entry, every ovf set (a probe with no
	 * end), then every entry past the end */
	idx = tconn_add(ct, IPPROTO_TCP, 8, T0, T0 + 60 * SEC);
	for (i = 0; i < ct->nbuckets; i++) {
		b[i].ovf = 1;
		for (s = 0; s < DPVS_CONN_BKT_SLOTS; s++) {
			b[i].ent[s] = idx << 1;
			b[i].sig[s] = (uint16_t)wk_conn_hash(IPPROTO_TCP, &other, c.cport,
							     TIP(&c, V),
							     c.vport);
		}
	}
	ck_assert(!wk_conn_peer_has(ct, IPPROTO_TCP, &other, c.cport, TIP(&c, V), c.vport));
	for (i = 0; i < ct->nbuckets; i++)
		for (s = 0; s < DPVS_CONN_BKT_SLOTS; s++)
			b[i].ent[s] = (ct->capacity + 5) << 1;
	ck_assert(!wk_conn_peer_has(ct, IPPROTO_TCP, &other, c.cport, TIP(&c, V), c.vport));
	free(ct);
	/* formatted, never rebuilt: every bucket says entry 0 */
	raw = aligned_alloc(64, DPVS_CONN_MZ_SIZE(64));
	ck_assert_ptr_nonnull(raw);
	memset(raw, 0, DPVS_CONN_MZ_SIZE(64));
	dpvs_conn_table_format(raw, 64);
	ck_assert(!wk_conn_peer_has(raw, IPPROTO_TCP, TIP(&c, C), c.cport, TIP(&c, V), c.vport));
	free(raw);
}
END_TEST

/* shift_seq: a removal that moves entries back toward their homes makes
 * it odd for the moves and even after (a peer that missed meanwhile looks
 * again); an owner killed in the middle leaves it odd: a peer's lookup
 * still answers (bounded retries), and the rebuild makes it even. */
START_TEST(test_peer_lookup_and_shift_seq)
{
	/* full: 512 keys in 860 slots, the 256 inbound ones in the first
	 * half's 430 (with about half of the outbound ones): buckets
	 * overflow */
	struct dpvs_conn_table *ct = tconn_table_new(256, T0);
	uint32_t idx[256], k, seq0 = ct->shift_seq;
	struct dpvs_ip other = tconn_v4(0x0a0000ffu);
	struct dpvs_conn c;

	ck_assert_uint_eq(seq0 & 1u, 0);
	for (k = 0; k < 256; k++)
		ck_assert_uint_ne(idx[k] = tconn_add(ct, IPPROTO_UDP,
						     tconn_crowded(ct, IPPROTO_UDP, k, 2), T0,
						     T0 + 60 * SEC),
				  DPVS_CONN_NIL);
	for (k = 0; k < 255; k++) {
		wk_conn_free(ct, idx[k]);
		ck_assert_uint_eq(ct->shift_seq & 1u, 0);
	}
	ck_assert_uint_gt(ct->shift_seq, seq0);   /* some removal moved entries */
	c = dpvs_conn_array(ct)[idx[255]];
	ct->shift_seq |= 1u;   /* killed in the middle of a move */
	ck_assert(wk_conn_peer_has(ct, IPPROTO_UDP, TIP(&c, C), c.cport, TIP(&c, V), c.vport));
	ck_assert(!wk_conn_peer_has(ct, IPPROTO_UDP, &other, c.cport, TIP(&c, V), c.vport));
	ck_assert_uint_eq(wk_conn_rebuild(ct, T0 + SEC), 1);
	ck_assert_uint_eq(ct->shift_seq & 1u, 0);
	ck_assert(wk_conn_peer_has(ct, IPPROTO_UDP, TIP(&c, D), c.dport, TIP(&c, L), c.lport));
	free(ct);
}
END_TEST

/* wk_conn_insert_hashed, given the hashes of the tuples (as a new
 * connection's maker has them from its lookups), files a connection where
 * wk_conn_insert does: the same index bytes, buckets overflowing included;
 * without an outbound tuple its h_out is not used. */
START_TEST(test_insert_hashed_same_as_insert)
{
	struct dpvs_conn_table *a = tconn_table_new(64, T0), *b = tconn_table_new(64, T0);
	size_t bytes = (size_t)a->nbuckets * sizeof(struct dpvs_conn_bkt);
	const struct dpvs_conn *c;
	uint32_t k, ia, ib, ovf = 0, i;
	int dir = -1;

	for (k = 0; k < 60; k++) {
		/* inbound homes in the first quarter: 60 keys, 50 slots */
		uint32_t key = tconn_crowded(a, IPPROTO_TCP, k, 4);

		ia = tconn_add(a, IPPROTO_TCP, key, T0, T0 + 60 * SEC);
		ib = tconn_fill(b, IPPROTO_TCP, key, T0, T0 + 60 * SEC);
		ck_assert_uint_eq(ia, ib);
		c = &dpvs_conn_array(b)[ib];
		wk_conn_insert_hashed(b, ib,
				      wk_conn_hash(c->proto, TIP(c, C), c->cport, TIP(c, V),
						   c->vport),
				      wk_conn_hash(c->proto, TIP(c, D), c->dport, TIP(c, L),
						   c->lport));
		ck_assert_uint_eq(find_in(b, ib, &dir), ib);
		ck_assert_int_eq(dir, DPVS_DIR_IN);
		ck_assert_uint_eq(find_out(b, ib, &dir), ib);
		ck_assert_int_eq(dir, DPVS_DIR_OUT);
	}
	ck_assert_uint_eq(b->count, a->count);
	for (i = 0; i < b->nbuckets; i++)
		ovf += dpvs_conn_buckets(b)[i].ovf;
	ck_assert_uint_gt(ovf, 0);   /* some entries left their home bucket */
	ck_assert_int_eq(memcmp(dpvs_conn_buckets(a), dpvs_conn_buckets(b), bytes), 0);
	/* dr-like, no local address: only the inbound tuple, h_out ignored */
	ia = tconn_fill(a, IPPROTO_UDP, 99, T0, T0 + SEC);
	ib = tconn_fill(b, IPPROTO_UDP, 99, T0, T0 + SEC);
	dpvs_conn_array(a)[ia].flags &= (uint8_t)~DPVS_CONN_F_OUT;
	dpvs_conn_array(b)[ib].flags &= (uint8_t)~DPVS_CONN_F_OUT;
	wk_conn_insert(a, ia, T0);
	c = &dpvs_conn_array(b)[ib];
	wk_conn_insert_hashed(b, ib,
			      wk_conn_hash(c->proto, TIP(c, C), c->cport, TIP(c, V), c->vport),
			      0xdeadbeefu);
	ck_assert_uint_eq(find_in(b, ib, &dir), ib);
	ck_assert_uint_eq(find_out(b, ib, &dir), DPVS_CONN_NIL);
	ck_assert_int_eq(memcmp(dpvs_conn_buckets(a), dpvs_conn_buckets(b), bytes), 0);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_ipv6_and_no_local_address)
{
	struct dpvs_conn_table *ct = tconn_table_new(16, T0);
	uint32_t idx = wk_conn_alloc(ct), got;
	struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];
	struct dpvs_ip ca = { .family = DPVS_AF_INET6 }, va = ca, da = ca, none = { 0 };
	int dir = -1;

	/* dr-like: no local address, so only the inbound tuple is hashed */
	c->proto = IPPROTO_UDP;
	c->fwd_mode = DPVS_FWD_DR;
	memset(ca.bytes, 0x20, 16);
	memset(va.bytes, 0x30, 16);
	memset(da.bytes, 0x40, 16);
	ck_assert_int_eq(wk_conn_set_addrs(ct, idx, &ca, &va, &none, &da), 0);
	ck_assert_uint_eq(ct->v6_count, 1);
	c->cport = 1;
	c->vport = 2;
	c->dport = 3;
	c->expires_ns = T0 + SEC;
	wk_conn_insert(ct, idx, T0);
	got = wk_conn_lookup(ct, IPPROTO_UDP, &ca, 1, &va, 2, &dir);
	ck_assert_uint_eq(got, idx);
	ck_assert_int_eq(dir, DPVS_DIR_IN);
	ck_assert_int_eq(memcmp(tconn_ip(ct, c, DPVS_CONN_A_D)->bytes, da.bytes, 16), 0);
	ck_assert_uint_eq(tconn_ip(ct, c, DPVS_CONN_A_L)->family, DPVS_AF_NONE);
	va.bytes[15] ^= 1;
	ck_assert_uint_eq(wk_conn_lookup(ct, IPPROTO_UDP, &ca, 1, &va, 2, &dir), DPVS_CONN_NIL);
	va.bytes[15] ^= 1;
	wk_conn_free(ct, idx);
	ck_assert_uint_eq(wk_conn_lookup(ct, IPPROTO_UDP, &ca, 1, &va, 2, &dir), DPVS_CONN_NIL);
	ck_assert_uint_eq(ct->count, 0);
	ck_assert_uint_eq(ct->v6_count, 0);   /* its IPv6 slot given back */
	free(ct);
}
END_TEST

START_TEST(test_free_then_miss_and_others_stay)
{
	enum { CAP = 1024 };
	struct dpvs_conn_table *ct = tconn_table_new(CAP, T0);
	uint32_t idx[CAP], k;
	int dir;

	for (k = 0; k < CAP; k++) {
		idx[k] = tconn_add(ct, k % 3 == 0 ? IPPROTO_UDP : IPPROTO_TCP, k, T0,
				  T0 + 60 * SEC);
		ck_assert_uint_ne(idx[k], DPVS_CONN_NIL);
	}
	ck_assert_uint_eq(ct->count, CAP);
	/* free every other one: chains stay intact for the rest */
	for (k = 0; k < CAP; k += 2)
		wk_conn_free(ct, idx[k]);
	ck_assert_uint_eq(ct->count, CAP / 2);
	for (k = 0; k < CAP; k++) {
		struct dpvs_conn *c = &dpvs_conn_array(ct)[idx[k]];
		uint32_t want = (k % 2 == 0) ? DPVS_CONN_NIL : idx[k];

		ck_assert_uint_eq(wk_conn_lookup(ct, c->proto, TIP(c, C), c->cport, TIP(c, V),
						 c->vport, &dir), want);
		ck_assert_uint_eq(wk_conn_lookup(ct, c->proto, TIP(c, D), c->dport, TIP(c, L),
						 c->lport, &dir), want);
	}
	/* freeing twice is harmless */
	wk_conn_free(ct, idx[0]);
	ck_assert_uint_eq(ct->count, CAP / 2);
	free(ct);
}
END_TEST

START_TEST(test_full_table_then_room)
{
	enum { CAP = 32 };
	struct dpvs_conn_table *ct = tconn_table_new(CAP, T0);
	uint32_t idx[CAP], k, again;
	int dir;

	for (k = 0; k < CAP; k++)
		idx[k] = tconn_add(ct, IPPROTO_TCP, k, T0, T0 + 60 * SEC);
	ck_assert_uint_eq(wk_conn_alloc(ct), DPVS_CONN_NIL);
	ck_assert_uint_eq(tconn_add(ct, IPPROTO_TCP, 999, T0, T0 + SEC), DPVS_CONN_NIL);
	ck_assert_uint_eq(ct->count, CAP);
	/* established ones still work */
	for (k = 0; k < CAP; k++)
		ck_assert_uint_eq(find_in(ct, idx[k], &dir), idx[k]);
	wk_conn_free(ct, idx[5]);
	again = tconn_add(ct, IPPROTO_TCP, 999, T0, T0 + SEC);
	ck_assert_uint_eq(again, idx[5]);
	ck_assert_uint_eq(find_out(ct, again, &dir), again);
	ck_assert_uint_eq(wk_conn_alloc(ct), DPVS_CONN_NIL);
	free(ct);
}
END_TEST

START_TEST(test_alloc_gives_a_zeroed_slot)
{
	struct dpvs_conn_table *ct = tconn_table_new(16, T0);
	uint32_t idx = tconn_add(ct, IPPROTO_TCP, 1, T0, T0 + SEC), again;
	struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];

	c->in_pkts = 77;
	wk_conn_free(ct, idx);
	again = wk_conn_alloc(ct);
	ck_assert_uint_eq(again, idx);
	ck_assert_uint_eq(c->flags, 0);
	ck_assert_uint_eq(c->in_pkts, 0);
	ck_assert_uint_eq(c->a4[DPVS_CONN_A_C], 0);
	ck_assert_uint_eq(c->expires_ns, 0);
	free(ct);
}
END_TEST

/* Scribble over every derived part of the table. */
static void
scribble(struct dpvs_conn_table *ct, uint8_t byte)
{
	struct dpvs_conn *conns = dpvs_conn_array(ct);
	uint32_t i;

	memset(dpvs_conn_buckets(ct), byte, (size_t)ct->nbuckets * sizeof(struct dpvs_conn_bkt));
	memset(dpvs_conn_wheel(ct), byte, (size_t)DPVS_CONN_WHEEL_SLOTS * 4u);
	ct->free_head = 3;
	ct->count = 12345;
	ct->wheel_tick = 99;
	for (i = 0; i < ct->capacity; i++) {
		conns[i].tnext = i ^ 5u;
		conns[i].tprev = byte;
	}
}

START_TEST(test_rebuild_from_the_array_alone)
{
	enum { CAP = 256, LIVE = 150 };
	struct dpvs_conn_table *ct = tconn_table_new(CAP, T0);
	uint64_t exp[CAP];
	uint32_t k, n, idx[CAP], out[CAP], got;
	uint8_t seen[CAP];
	int dir;

	srand(3);
	for (k = 0; k < CAP; k++) {
		exp[k] = T0 + (uint64_t)(1 + rand() % 100) * SEC;
		idx[k] = tconn_add(ct, k % 2 ? IPPROTO_TCP : IPPROTO_UDP, k, T0, exp[k]);
	}
	for (k = LIVE; k < CAP; k++)
		wk_conn_free(ct, idx[k]);
	ck_assert_uint_eq(ct->count, LIVE);

	scribble(ct, 0xa5);
	ck_assert_uint_eq(wk_conn_rebuild(ct, T0 + SEC / 2), LIVE);
	ck_assert_uint_eq(ct->count, LIVE);
	for (k = 0; k < CAP; k++) {
		uint32_t want = k < LIVE ? idx[k] : DPVS_CONN_NIL;

		ck_assert_uint_eq(find_in(ct, idx[k], &dir), want);
		if (k < LIVE)
			ck_assert_int_eq(dir, DPVS_DIR_IN);
		ck_assert_uint_eq(find_out(ct, idx[k], &dir), want);
		if (k < LIVE) {
			ck_assert_int_eq(dir, DPVS_DIR_OUT);
			/* a successor continues the TCP windows where they were */
			ck_assert(trk_intact(&dpvs_conn_array(ct)[idx[k]], k));
		}
	}
	/* timers: each live one comes out on time, the freed ones never */
	memset(seen, 0, sizeof(seen));
	n = 0;
	for (k = 1; k <= 101; k++) {
		uint32_t i, m = wk_conn_expire(ct, T0 + k * SEC + TICK, out, CAP);

		for (i = 0; i < m; i++) {
			ck_assert_uint_lt(out[i], LIVE);
			ck_assert_uint_le(exp[out[i]], T0 + k * SEC + TICK);
			ck_assert_uint_gt(exp[out[i]] + SEC, T0 + k * SEC + TICK);
			ck_assert_uint_eq(seen[out[i]], 0);
			seen[out[i]] = 1;
		}
		n += m;
	}
	ck_assert_uint_eq(n, LIVE);
	/* the free list holds exactly the free slots */
	for (k = 0; k < LIVE; k++)
		wk_conn_free(ct, idx[k]);
	for (k = 0; k < CAP; k++) {
		got = wk_conn_alloc(ct);
		ck_assert_uint_ne(got, DPVS_CONN_NIL);
	}
	ck_assert_uint_eq(wk_conn_alloc(ct), DPVS_CONN_NIL);
	free(ct);
}
END_TEST

START_TEST(test_rebuild_twice_is_stable)
{
	struct dpvs_conn_table *ct = tconn_table_new(64, T0);
	uint32_t k, idx[20];
	int dir;

	for (k = 0; k < 20; k++)
		idx[k] = tconn_add(ct, IPPROTO_TCP, k, T0, T0 + 10 * SEC);
	ck_assert_uint_eq(wk_conn_rebuild(ct, T0 + SEC), 20);
	ck_assert_uint_eq(wk_conn_rebuild(ct, T0 + 2 * SEC), 20);
	for (k = 0; k < 20; k++)
		ck_assert_uint_eq(find_out(ct, idx[k], &dir), idx[k]);
	/* the free list has room for exactly the rest */
	for (k = 20; k < 64; k++)
		ck_assert_uint_ne(wk_conn_alloc(ct), DPVS_CONN_NIL);
	ck_assert_uint_eq(wk_conn_alloc(ct), DPVS_CONN_NIL);
	free(ct);
}
END_TEST

START_TEST(test_rebuild_drops_half_written_and_insane)
{
	enum { CAP = 32 };
	struct dpvs_conn_table *ct = tconn_table_new(CAP, T0);
	uint32_t good = tconn_add(ct, IPPROTO_TCP, 1, T0, T0 + 10 * SEC);
	uint32_t half, bad_proto, bad_fam, bad_state, no_laddr, no_port, dup, bad_svc, bad_side;
	uint32_t k, n = 0;
	struct dpvs_conn *conns = dpvs_conn_array(ct);
	int dir;

	/* a worker died between alloc+fill and insert: USED never set */
	half = wk_conn_alloc(ct);
	conns[half] = conns[good];
	conns[half].flags = 0;
	conns[half].cport = rte_cpu_to_be_16(4444);
	/* USED, but nonsense in the fields */
	bad_proto = tconn_add(ct, IPPROTO_TCP, 2, T0, T0 + 10 * SEC);
	conns[bad_proto].proto = 99;
	bad_fam = tconn_add(ct, IPPROTO_TCP, 3, T0, T0 + 10 * SEC);
	conns[bad_fam].flags |= DPVS_CONN_F_D6;   /* an IPv4 client to an IPv6 server */
	bad_state = tconn_add(ct, IPPROTO_TCP, 4, T0, T0 + 10 * SEC);
	conns[bad_state].state = DPVS_TCPS_MAX;
	/* a service slot beyond the counter rows it indexes */
	bad_svc = tconn_add(ct, IPPROTO_TCP, 7, T0, T0 + 10 * SEC);
	conns[bad_svc].svc_slot = DPVS_SVC_SLOT_LIMIT;
	/* a side's interface that no index has: every packet would be dropped */
	bad_side = tconn_add(ct, IPPROTO_TCP, 8, T0, T0 + 10 * SEC);
	conns[bad_side].out_port = DPVS_MAX_IFACES;
	/* full-NAT without a local address, a port 0: filled only in part */
	no_laddr = tconn_add(ct, IPPROTO_TCP, 5, T0, T0 + 10 * SEC);
	conns[no_laddr].flags &= (uint8_t)~DPVS_CONN_F_OUT;
	no_port = tconn_add(ct, IPPROTO_UDP, 6, T0, T0 + 10 * SEC);
	conns[no_port].lport = 0;
	/* a second copy of the good connection's tuple */
	dup = wk_conn_alloc(ct);
	conns[dup] = conns[good];
	conns[dup].flags |= DPVS_CONN_F_USED;

	scribble(ct, 0x3c);
	ck_assert_uint_eq(wk_conn_rebuild(ct, T0 + SEC), 1);
	ck_assert_uint_eq(find_in(ct, good, &dir) == good ||
			  find_in(ct, good, &dir) == dup, 1);
	ck_assert_uint_eq(find_in(ct, half, &dir), DPVS_CONN_NIL);
	ck_assert_uint_eq(find_in(ct, bad_state, &dir), DPVS_CONN_NIL);
	ck_assert_uint_eq(conns[half].flags & DPVS_CONN_F_USED, 0);
	ck_assert_uint_eq(conns[bad_proto].flags & DPVS_CONN_F_USED, 0);
	ck_assert_uint_eq(conns[bad_fam].flags & DPVS_CONN_F_USED, 0);
	ck_assert_uint_eq(conns[no_laddr].flags & DPVS_CONN_F_USED, 0);
	ck_assert_uint_eq(conns[no_port].flags & DPVS_CONN_F_USED, 0);
	ck_assert_uint_eq(conns[bad_svc].flags & DPVS_CONN_F_USED, 0);
	ck_assert_uint_eq(conns[bad_side].flags & DPVS_CONN_F_USED, 0);
	for (k = 0; k < CAP; k++)
		n += (conns[k].flags & DPVS_CONN_F_USED) != 0;
	ck_assert_uint_eq(n, 1);
	/* every other slot is free again */
	for (k = 1; k < CAP; k++)
		ck_assert_uint_ne(wk_conn_alloc(ct), DPVS_CONN_NIL);
	ck_assert_uint_eq(wk_conn_alloc(ct), DPVS_CONN_NIL);
	free(ct);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("conn_table");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_lookup_both_directions_and_misses);
	tcase_add_test(tc, test_peer_lookup);
	tcase_add_test(tc, test_peer_lookup_and_shift_seq);
	tcase_add_test(tc, test_insert_hashed_same_as_insert);
	tcase_add_test(tc, test_ipv6_and_no_local_address);
	tcase_add_test(tc, test_free_then_miss_and_others_stay);
	tcase_add_test(tc, test_full_table_then_room);
	tcase_add_test(tc, test_alloc_gives_a_zeroed_slot);
	tcase_add_test(tc, test_rebuild_from_the_array_alone);
	tcase_add_test(tc, test_rebuild_twice_is_stable);
	tcase_add_test(tc, test_rebuild_drops_half_written_and_insane);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
