/*
 * Unit tests for the bucketized index of a worker's connection table
 * (worker/ipvs/conn.c, layout in shm/conn.h): many tuples with one home
 * bucket (the bucket fills, entries go on to the next ones and come back
 * out without leaving anything behind), a full table, random churn checked
 * against the index's own invariants (every ovf equals the entries that
 * passed its bucket), the rebuild from the array giving the same lookups,
 * the prefetch helpers and the hashed lookup, the size arithmetic of the
 * largest table (64-bit), and the side table of sequence translations (full,
 * given back, rebuilt from the array: only a live owner that names its slot
 * keeps it).
 * Plain memory (a buffer formatted with dpvs_conn_table_format), no EAL.
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

#define SEC 1000000000ull
#define T0  (1000ull * SEC)

/* The tuple of client k: 10.2.x.y:(1024 + k % 50000) -> 10.0.0.100:80. */
static void
client_of(uint32_t k, struct dpvs_ip *caddr, uint16_t *cport)
{
	*caddr = tconn_v4(0x0a020000u + k / 50000u);
	*cport = rte_cpu_to_be_16((uint16_t)(1024u + k % 50000u));
}

/* A UDP full-NAT connection of client k, local port lport. */
static uint32_t
add_conn(struct dpvs_conn_table *ct, uint32_t k, uint16_t lport)
{
	uint32_t idx = wk_conn_alloc(ct);
	struct dpvs_conn *c;
	struct dpvs_ip ca;

	if (idx == DPVS_CONN_NIL)
		return idx;
	c = &dpvs_conn_array(ct)[idx];
	c->proto = IPPROTO_UDP;
	c->fwd_mode = DPVS_FWD_FNAT;
	client_of(k, &ca, &c->cport);
	tconn_set4(c, ca, tconn_v4(0x0a000064u), tconn_v4(0x0a01000au), tconn_v4(0x0a010002u));
	c->vport = rte_cpu_to_be_16(80);
	c->lport = rte_cpu_to_be_16(lport);
	c->dport = rte_cpu_to_be_16(80);
	c->out_port = 1;
	c->created_s = (uint32_t)(T0 / SEC);
	c->expires_ns = T0 + 60 * SEC;
	wk_conn_insert(ct, idx, T0);
	return idx;
}

static uint32_t
home_of(const struct dpvs_conn_table *ct, uint32_t h)
{
	return (uint32_t)(((uint64_t)h * ct->nbuckets) >> 32);
}

static uint32_t
hash_in(const struct dpvs_conn *c)
{
	return wk_conn_hash(c->proto, TIP(c, C), c->cport, TIP(c, V), c->vport);
}

static uint32_t
hash_out(const struct dpvs_conn *c)
{
	return wk_conn_hash(c->proto, TIP(c, D), c->dport, TIP(c, L), c->lport);
}

/* Is connection idx found in both directions, by both lookups? */
static int
found(struct dpvs_conn_table *ct, uint32_t idx)
{
	const struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];
	int d1 = -1, d2 = -1;

	return wk_conn_lookup(ct, c->proto, TIP(c, C), c->cport, TIP(c, V), c->vport, &d1) ==
		       idx &&
	       d1 == DPVS_DIR_IN &&
	       wk_conn_lookup_hash(ct, hash_out(c), c->proto, TIP(c, D), c->dport, TIP(c, L),
				   c->lport, &d2) == idx &&
	       d2 == DPVS_DIR_OUT;
}

static int
missing(struct dpvs_conn_table *ct, const struct dpvs_conn *c)
{
	int d;

	return wk_conn_lookup(ct, c->proto, TIP(c, C), c->cport, TIP(c, V), c->vport, &d) ==
		       DPVS_CONN_NIL &&
	       wk_conn_lookup(ct, c->proto, TIP(c, D), c->dport, TIP(c, L), c->lport, &d) ==
		       DPVS_CONN_NIL;
}

/* The index's invariants: every entry names a live connection whose tuple
 * in that direction hashes to the slot's signature, and every bucket's ovf
 * is the number of entries whose probe passed it. Returns the entries. */
static uint32_t
check_index(struct dpvs_conn_table *ct)
{
	struct dpvs_conn_bkt *bk = dpvs_conn_buckets(ct);
	const struct dpvs_conn *conns = dpvs_conn_array(ct);
	uint32_t *ovf = calloc(ct->nbuckets, sizeof(*ovf)), b, s, n = 0, live = 0, i, d;

	ck_assert_ptr_nonnull(ovf);
	for (b = 0; b < ct->nbuckets; b++)
		for (s = 0; s < DPVS_CONN_BKT_SLOTS; s++) {
			uint32_t e = bk[b].ent[s], h, p;
			const struct dpvs_conn *c;

			if (e == DPVS_CONN_NIL)
				continue;
			ck_assert_uint_lt(e >> 1, ct->capacity);
			c = &conns[e >> 1];
			ck_assert(c->flags & DPVS_CONN_F_USED);
			h = (e & 1u) == DPVS_DIR_IN ? hash_in(c) : hash_out(c);
			for (p = home_of(ct, h), d = 0; p != b;
			     p = p + 1 == ct->nbuckets ? 0 : p + 1, d++)
				ovf[p]++;
			/* the hash's low bits and the slot's distance from home */
			ck_assert_uint_eq(bk[b].sig[s], wk_conn_sig(h, d));
			n++;
		}
	for (b = 0; b < ct->nbuckets; b++)
		ck_assert_uint_eq(bk[b].ovf, ovf[b]);
	for (i = 0; i < ct->capacity; i++)
		live += (conns[i].flags & DPVS_CONN_F_USED) != 0;
	ck_assert_uint_eq(live, ct->count);
	ck_assert_uint_eq(n, 2u * live);
	free(ovf);
	return n;
}

/* 3 x BKT_SLOTS connections whose inbound tuples share one home bucket:
 * it fills, the rest go on; each is found; removing them in an order that
 * starts with the home bucket's keeps the others found; at the end the
 * index is empty again (no ovf left over). */
START_TEST(test_one_home_bucket_overflows)
{
	enum { CAP = 256, N = 3 * DPVS_CONN_BKT_SLOTS };
	struct dpvs_conn_table *ct = tconn_table_new(CAP, T0);
	struct dpvs_conn saved[N];
	uint32_t idx[N], k, i, n = 0, target = 5;

	for (k = 0; n < N && k < 2000000; k++) {
		struct dpvs_ip ca, va = tconn_v4(0x0a000064u);
		uint16_t cp;

		client_of(k, &ca, &cp);
		if (home_of(ct, wk_conn_hash(IPPROTO_UDP, &ca, cp, &va, rte_cpu_to_be_16(80))) !=
		    target)
			continue;
		idx[n] = add_conn(ct, k, (uint16_t)(3000 + n));
		ck_assert_uint_ne(idx[n], DPVS_CONN_NIL);
		n++;
	}
	ck_assert_uint_eq(n, N);
	ck_assert_uint_gt(dpvs_conn_buckets(ct)[target].ovf, 0);
	check_index(ct);
	for (i = 0; i < N; i++)
		ck_assert(found(ct, idx[i]));
	for (i = 0; i < N; i++) {
		saved[i] = dpvs_conn_array(ct)[idx[i]];
		wk_conn_free(ct, idx[i]);
		ck_assert(missing(ct, &saved[i]));
		for (k = i + 1; k < N; k++)
			ck_assert(found(ct, idx[k]));
		check_index(ct);
	}
	for (i = 0; i < ct->nbuckets; i++)
		ck_assert_uint_eq(dpvs_conn_buckets(ct)[i].ovf, 0);
	ck_assert_uint_eq(check_index(ct), 0);
	free(ct);
}
END_TEST

/* Every slot of the table taken: all found in both directions, the next
 * alloc fails, one freed makes room for one more. */
START_TEST(test_full_table_index)
{
	enum { CAP = 1000 };
	struct dpvs_conn_table *ct = tconn_table_new(CAP, T0);
	uint32_t k, idx;

	for (k = 0; k < CAP; k++)
		ck_assert_uint_ne(add_conn(ct, k, (uint16_t)(3000 + k)), DPVS_CONN_NIL);
	ck_assert_uint_eq(add_conn(ct, CAP, 9999), DPVS_CONN_NIL);
	ck_assert_uint_eq(check_index(ct), 2u * CAP);
	for (k = 0; k < CAP; k++)
		ck_assert(found(ct, k));
	wk_conn_free(ct, 17);
	idx = add_conn(ct, CAP + 1, 9998);
	ck_assert_uint_eq(idx, 17);
	ck_assert(found(ct, idx));
	check_index(ct);
	free(ct);
}
END_TEST

/* The buckets a lookup of an absent tuple with hash h walks (up to the
 * first whose ovf is 0). */
static uint32_t
miss_walk(struct dpvs_conn_table *ct, uint32_t h)
{
	const struct dpvs_conn_bkt *bk = dpvs_conn_buckets(ct);
	uint32_t b = home_of(ct, h), n = 1;

	while (bk[b].ovf != 0 && n < ct->nbuckets) {
		b = b + 1 == ct->nbuckets ? 0 : b + 1;
		n++;
	}
	return n;
}

/* A table at capacity churning as under a flood of SYNs (the oldest
 * connection freed, a new one made, four times the capacity over): the
 * index keeps its invariants and its walks stay as short as in a table
 * filled once. Removal moves entries back toward their homes (conn.c,
 * hash_shift); without it the walk of a lookup that finds nothing grew
 * from under 2 buckets to about 10 at this load (80% of the slots). */
START_TEST(test_churn_at_capacity_keeps_walks_short)
{
	enum { CAP = 4096, PROBES = 4000 };
	struct dpvs_conn_table *ct = tconn_table_new(CAP, T0);
	uint32_t *slot = calloc(CAP, sizeof(*slot)), i, k, fresh = 0, churned = 0;

	ck_assert_ptr_nonnull(slot);
	for (k = 0; k < CAP; k++) {
		slot[k] = add_conn(ct, k, (uint16_t)(1024 + k));
		ck_assert_uint_ne(slot[k], DPVS_CONN_NIL);
	}
	for (i = 0; i < PROBES; i++)
		fresh += miss_walk(ct, (uint32_t)rand_r(&(unsigned int){ i + 1 }) * 2654435761u);
	for (; k < 5 * CAP; k++) {
		wk_conn_free(ct, slot[k % CAP]);
		slot[k % CAP] = add_conn(ct, k, (uint16_t)(1024 + k % 60000));
		ck_assert_uint_ne(slot[k % CAP], DPVS_CONN_NIL);
		if (k % 1024 == 0)
			check_index(ct);
	}
	ck_assert_uint_eq(check_index(ct), 2u * CAP);
	for (i = 0; i < CAP; i++)
		ck_assert(found(ct, slot[i]));
	for (i = 0; i < PROBES; i++)
		churned += miss_walk(ct, (uint32_t)rand_r(&(unsigned int){ i + 1 }) * 2654435761u);
	/* fresh about 1.7 buckets a walk; churned within 1.5 times that */
	ck_assert_uint_lt(churned, fresh + fresh / 2);
	free(slot);
	free(ct);
}
END_TEST

/* Random inserts and removals on a small index (most buckets overflow at
 * times); after every step the invariants hold; then a rebuild from the
 * array alone, over a scribbled index, gives the same lookups. */
START_TEST(test_churn_then_rebuild_same_lookups)
{
	enum { CAP = 512, OPS = 20000 };
	struct dpvs_conn_table *ct = tconn_table_new(CAP, T0);
	uint32_t key[CAP], i, op, live = 0;
	struct dpvs_conn_bkt *bk = dpvs_conn_buckets(ct);

	for (i = 0; i < CAP; i++)
		key[i] = DPVS_CONN_NIL;
	srand(11);
	for (op = 0; op < OPS; op++) {
		uint32_t k = (uint32_t)rand() % 4000u;

		if ((rand() & 1) != 0 && live < CAP) {
			int d;
			struct dpvs_ip ca, va = tconn_v4(0x0a000064u);
			uint16_t cp;

			client_of(k, &ca, &cp);
			if (wk_conn_lookup(ct, IPPROTO_UDP, &ca, cp, &va, rte_cpu_to_be_16(80), &d) !=
			    DPVS_CONN_NIL)
				continue;
			i = add_conn(ct, k, (uint16_t)(1 + k));
			ck_assert_uint_ne(i, DPVS_CONN_NIL);
			key[i] = k;
			live++;
		} else {
			i = (uint32_t)rand() % CAP;
			if (key[i] == DPVS_CONN_NIL)
				continue;
			wk_conn_free(ct, i);
			key[i] = DPVS_CONN_NIL;
			live--;
		}
		if (op % 500 == 0)
			check_index(ct);
	}
	ck_assert_uint_eq(check_index(ct), 2u * live);
	for (i = 0; i < CAP; i++)
		if (key[i] != DPVS_CONN_NIL)
			ck_assert(found(ct, i));
	memset(bk, 0x5a, (size_t)ct->nbuckets * sizeof(*bk));
	ck_assert_uint_eq(wk_conn_rebuild(ct, T0), live);
	ck_assert_uint_eq(check_index(ct), 2u * live);
	for (i = 0; i < CAP; i++) {
		if (key[i] != DPVS_CONN_NIL)
			ck_assert(found(ct, i));
		else
			ck_assert((dpvs_conn_array(ct)[i].flags & DPVS_CONN_F_USED) == 0);
	}
	free(ct);
}
END_TEST

/* The burst loop's calls: a prefetch of the home bucket, of the matching
 * entries, then the lookup with the same hash, for a hit and a miss. */
START_TEST(test_prefetch_then_lookup_hash)
{
	struct dpvs_conn_table *ct = tconn_table_new(64, T0);
	uint32_t idx = add_conn(ct, 1, 4000), h;
	const struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];
	struct dpvs_ip other = tconn_v4(0x0a0000ffu);
	const struct wk_conn_view x = wk_conn_view(ct);
	int d = -1;

	h = hash_in(c);
	dpvs_conn_prefetch(ct, h);
	wk_conn_prefetch_entry_in(&x, wk_conn_home_in(x.bk, x.nbuckets, h), h, 1);
	ck_assert_uint_eq(wk_conn_lookup_hash(ct, h, IPPROTO_UDP, TIP(c, C), c->cport, TIP(c, V),
					      c->vport, &d),
			  idx);
	ck_assert_int_eq(d, DPVS_DIR_IN);
	h = wk_conn_hash(IPPROTO_UDP, &other, c->cport, TIP(c, V), c->vport);
	dpvs_conn_prefetch(ct, h);
	wk_conn_prefetch_entry_in(&x, wk_conn_home_in(x.bk, x.nbuckets, h), h, 1);
	ck_assert_uint_eq(wk_conn_lookup_hash(ct, h, IPPROTO_UDP, &other, c->cport, TIP(c, V),
					      c->vport, &d),
			  DPVS_CONN_NIL);
	free(ct);
}
END_TEST

/* The IPv4 tuple's hash (the index's, in shm: a worker of another build
 * must file a tuple where this one does) is DPDK's CRC32C of the tuple,
 * whichever instructions compute it: pinned to rte_hash_crc over tuples
 * of every byte pattern, and to a known value. */
START_TEST(test_hash4_is_rte_hash_crc)
{
	uint32_t s = 0x12345678u, i, src, dst, ref;
	uint16_t sp, dp;
	uint8_t proto, hdr[12];

	for (i = 0; i < 10000; i++) {
		s = s * 1103515245u + 12345u;
		src = s;
		s = s * 1103515245u + 12345u;
		dst = s ^ (s << 7);
		sp = (uint16_t)(s >> 3);
		dp = (uint16_t)(s >> 17);
		proto = (i & 1) != 0 ? IPPROTO_TCP : IPPROTO_UDP;
		ref = rte_hash_crc_4byte((uint32_t)sp << 16 | dp,
					 rte_hash_crc_8byte((uint64_t)src << 32 | dst, proto));
		ck_assert_uint_eq(wk_conn_hash4(proto, src, sp, dst, dp), ref);
		/* from the frame's bytes (wk_conn_hash4_raw): the header's
		 * source and destination, then the ports, each as stored */
		memcpy(hdr, &src, 4);
		memcpy(hdr + 4, &dst, 4);
		memcpy(hdr + 8, &sp, 2);
		memcpy(hdr + 10, &dp, 2);
		ck_assert_uint_eq(wk_conn_hash4_raw(proto, hdr, hdr + 8), ref);
	}
	/* 10.0.0.2:5000 -> 10.0.0.100:53 UDP, as stored (network order) */
	ck_assert_uint_eq(wk_conn_hash4(IPPROTO_UDP, RTE_BE32(0x0a000002), RTE_BE16(5000),
					RTE_BE32(0x0a000064), RTE_BE16(53)),
			  0x28d604abu);
}
END_TEST

/* The largest table's size is computed in 64 bits (it is over 4 GiB), and
 * the index costs 22 bytes a connection or less (64-byte buckets of 10
 * slots, capacity / 3 + 1 of them). */
START_TEST(test_sizes_of_the_largest_table)
{
	uint64_t cap = DPVS_CONN_MAX_CAP, sz = DPVS_CONN_MZ_SIZE(DPVS_CONN_MAX_CAP);
	uint64_t idx_bytes = (uint64_t)DPVS_CONN_NBUCKETS(DPVS_CONN_MAX_CAP) *
			     sizeof(struct dpvs_conn_bkt);

	ck_assert_uint_ge(DPVS_CONN_MAX_CAP, 10000000u);
	ck_assert_uint_gt(sz, cap * sizeof(struct dpvs_conn));
	ck_assert_uint_ge(sz, cap * sizeof(struct dpvs_conn) + idx_bytes);
	ck_assert_uint_le(idx_bytes, cap * 22u + 64u);
	/* room for every connection's two entries, a fifth spare */
	ck_assert_uint_ge((uint64_t)DPVS_CONN_NBUCKETS(16) * DPVS_CONN_BKT_SLOTS, 2u * 16u * 5u / 4u);
	ck_assert_uint_ge((uint64_t)DPVS_CONN_NBUCKETS(DPVS_CONN_MAX_CAP) * DPVS_CONN_BKT_SLOTS,
			  2u * cap * 5u / 4u);
	/* conn index << 1 | dir and the wheel's head mark stay apart */
	ck_assert_uint_lt((uint64_t)DPVS_CONN_MAX_CAP << 1, 0x80000000ull);
}
END_TEST

/* Give TCP connection idx a side slot with a recognisable delta. */
static uint32_t
give_sx(struct dpvs_conn_table *ct, uint32_t idx, uint32_t tag)
{
	uint32_t sxi = wk_conn_sx_take(ct);

	if (sxi == DPVS_CONN_NIL)
		return sxi;
	dpvs_conn_sx(ct)[sxi].flags = DPVS_SEQX_ON;
	dpvs_conn_sx(ct)[sxi].seq_delta[DPVS_DIR_OUT] = tag;
	wk_conn_sx_attach(ct, idx, sxi);
	return sxi;
}

static uint32_t
free_sx_slots(struct dpvs_conn_table *ct)
{
	uint32_t n = 0, i = ct->sx_free;

	while (i != DPVS_CONN_NIL && n <= ct->sx_capacity) {
		i = dpvs_conn_sx(ct)[i].next;
		n++;
	}
	return n;
}

/* The side table: every slot taken, the next take fails; a connection's
 * free gives its slot back; a taken slot put back is free again; a
 * connection without one reads as zero. */
START_TEST(test_side_table_full_and_back)
{
	struct dpvs_conn_table *ct = tconn_table_new(64, T0);   /* 16 side slots */
	uint32_t idx[17], k, sxi;

	ck_assert_uint_eq(ct->sx_capacity, 16);
	ck_assert_uint_eq(free_sx_slots(ct), 16);
	for (k = 0; k < 17; k++) {
		idx[k] = add_conn(ct, k, (uint16_t)(3000 + k));
		dpvs_conn_array(ct)[idx[k]].proto = IPPROTO_TCP;
	}
	for (k = 0; k < 16; k++)
		ck_assert_uint_ne(give_sx(ct, idx[k], 100 + k), DPVS_CONN_NIL);
	ck_assert_uint_eq(wk_conn_sx_take(ct), DPVS_CONN_NIL);
	ck_assert_uint_eq(ct->sx_count, 16);
	ck_assert_ptr_null(wk_conn_sx(ct, &dpvs_conn_array(ct)[idx[16]]));
	ck_assert_uint_eq(wk_conn_sx_ro(ct, &dpvs_conn_array(ct)[idx[16]])->flags, 0);
	ck_assert_uint_eq(wk_conn_sx(ct, &dpvs_conn_array(ct)[idx[3]])->seq_delta[1], 103);
	wk_conn_free(ct, idx[3]);
	ck_assert_uint_eq(ct->sx_count, 15);
	sxi = wk_conn_sx_take(ct);
	ck_assert_uint_ne(sxi, DPVS_CONN_NIL);
	ck_assert_uint_eq(dpvs_conn_sx(ct)[sxi].seq_delta[1], 0);   /* zeroed */
	wk_conn_sx_put(ct, sxi);
	ck_assert_uint_eq(give_sx(ct, idx[16], 116), sxi);
	ck_assert_uint_eq(free_sx_slots(ct), 0);
	free(ct);
}
END_TEST

/* The rebuild keeps a slot only for the live connection that owns it and
 * names it: a slot taken but never attached (a crash before the connection
 * named it) or whose connection died is free again; a connection naming a
 * slot past the end, or a slot another one owns, is dropped. */
START_TEST(test_side_table_rebuild)
{
	struct dpvs_conn_table *ct = tconn_table_new(64, T0);
	struct dpvs_conn *conns = dpvs_conn_array(ct);
	uint32_t a, b, c, d, lost, sa, sb;

	a = add_conn(ct, 1, 3001);
	b = add_conn(ct, 2, 3002);
	c = add_conn(ct, 3, 3003);
	d = add_conn(ct, 4, 3004);
	conns[a].proto = conns[b].proto = conns[c].proto = conns[d].proto = IPPROTO_TCP;
	sa = give_sx(ct, a, 7);
	sb = give_sx(ct, b, 8);
	lost = wk_conn_sx_take(ct);          /* never attached */
	conns[c].sx_ref = sb + 1u;           /* b's slot: not c's */
	conns[d].sx_ref = ct->sx_capacity + 1u;   /* past the end */
	ck_assert_uint_eq(wk_conn_rebuild(ct, T0), 2);
	ck_assert((conns[c].flags & DPVS_CONN_F_USED) == 0);
	ck_assert((conns[d].flags & DPVS_CONN_F_USED) == 0);
	ck_assert_uint_eq(ct->sx_count, 2);
	ck_assert_uint_eq(free_sx_slots(ct), ct->sx_capacity - 2u);
	ck_assert_uint_eq(wk_conn_sx(ct, &conns[a])->seq_delta[1], 7);
	ck_assert_uint_eq(wk_conn_sx(ct, &conns[b])->seq_delta[1], 8);
	ck_assert_uint_ne(lost, sa);
	ck_assert(found(ct, a) && found(ct, b));
	check_index(ct);
	/* a dies: its slot comes back at the next rebuild even if nobody
	 * freed it (the array said it is no longer live) */
	conns[a].flags &= ~DPVS_CONN_F_USED;
	ck_assert_uint_eq(wk_conn_rebuild(ct, T0), 1);
	ck_assert_uint_eq(ct->sx_count, 1);
	ck_assert_uint_eq(free_sx_slots(ct), ct->sx_capacity - 1u);
	free(ct);
}
END_TEST

/* DPVS_CONN_F_SX, the first line's flag that the packet path reads, follows
 * sx_ref, the truth, across a crash: attach sets it after sx_ref (a worker
 * killed in between leaves a connection that names its slot without the
 * flag: the rebuild sets it); a flag without a slot behind it is cleared;
 * a freed connection keeps neither. Until the rebuild, a connection
 * without the flag reads as having no translation (the packet path does
 * not look past the first line). */
START_TEST(test_side_flag_follows_sx_ref)
{
	struct dpvs_conn_table *ct = tconn_table_new(64, T0);
	struct dpvs_conn *conns = dpvs_conn_array(ct);
	uint32_t a, b, c, d, sb;

	a = add_conn(ct, 1, 3001);
	b = add_conn(ct, 2, 3002);
	c = add_conn(ct, 3, 3003);
	d = add_conn(ct, 4, 3004);
	conns[a].proto = conns[b].proto = conns[c].proto = IPPROTO_TCP;
	ck_assert_uint_ne(give_sx(ct, a, 7), DPVS_CONN_NIL);
	ck_assert(wk_conn_has_sx(&conns[a]));
	/* b: killed inside wk_conn_sx_attach, after sx_ref, before the flag */
	sb = wk_conn_sx_take(ct);
	dpvs_conn_sx(ct)[sb].seq_delta[1] = 8;
	dpvs_conn_sx(ct)[sb].owner = b;
	conns[b].sx_ref = sb + 1u;
	ck_assert(!wk_conn_has_sx(&conns[b]));
	ck_assert_ptr_null(wk_conn_sx(ct, &conns[b]));
	/* c (TCP) and d (UDP): a flag with no slot named */
	conns[c].flags |= DPVS_CONN_F_SX;
	conns[d].flags |= DPVS_CONN_F_SX;
	ck_assert_uint_eq(wk_conn_rebuild(ct, T0), 4);
	ck_assert(wk_conn_has_sx(&conns[a]) && wk_conn_has_sx(&conns[b]));
	ck_assert(!wk_conn_has_sx(&conns[c]) && !wk_conn_has_sx(&conns[d]));
	ck_assert_uint_eq(wk_conn_sx(ct, &conns[a])->seq_delta[1], 7);
	ck_assert_uint_eq(wk_conn_sx(ct, &conns[b])->seq_delta[1], 8);
	ck_assert_ptr_null(wk_conn_sx(ct, &conns[c]));
	ck_assert_uint_eq(ct->sx_count, 2);
	ck_assert_uint_eq(free_sx_slots(ct), ct->sx_capacity - 2u);
	/* freed: neither the flag nor the slot, and the slot reused clean */
	wk_conn_free(ct, b);
	ck_assert(!wk_conn_has_sx(&conns[b]));
	ck_assert_uint_eq(conns[b].sx_ref, 0);
	ck_assert_uint_eq(ct->sx_count, 1);
	b = add_conn(ct, 5, 3005);
	ck_assert(!wk_conn_has_sx(&conns[b]));
	/* a crash after the free cleared the flag but before sx_ref: the
	 * connection is no longer live, the rebuild frees its slot */
	conns[a].flags &= (uint8_t)~(DPVS_CONN_F_USED | DPVS_CONN_F_SX);
	ck_assert_uint_eq(wk_conn_rebuild(ct, T0), 3);
	ck_assert_uint_eq(conns[a].sx_ref, 0);
	ck_assert_uint_eq(ct->sx_count, 0);
	ck_assert_uint_eq(free_sx_slots(ct), ct->sx_capacity);
	check_index(ct);
	free(ct);
}
END_TEST

static Suite *
conn_index_suite(void)
{
	Suite *s = suite_create("conn_index");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_one_home_bucket_overflows);
	tcase_add_test(tc, test_full_table_index);
	tcase_add_test(tc, test_churn_then_rebuild_same_lookups);
	tcase_add_test(tc, test_churn_at_capacity_keeps_walks_short);
	tcase_add_test(tc, test_prefetch_then_lookup_hash);
	tcase_add_test(tc, test_hash4_is_rte_hash_crc);
	tcase_add_test(tc, test_sizes_of_the_largest_table);
	tcase_add_test(tc, test_side_table_full_and_back);
	tcase_add_test(tc, test_side_table_rebuild);
	tcase_add_test(tc, test_side_flag_follows_sx_ref);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(conn_index_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
