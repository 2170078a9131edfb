/*
 * Randomized stress of a worker's connection index (worker/ipvs/conn.c:
 * insertion, removal with the backward shift, lookups, the rebuild) against
 * a reference set: millions of operations on IPv4 full-NAT (two keys), IPv4
 * dr (inbound key only) and IPv6 full-NAT connections, with random keys,
 * sequential keys churned oldest first, keys whose inbound home bucket is one
 * of the table's last two (clusters that wrap round to bucket 0 and whose
 * entries lie 15 and more buckets from home, the distance the signature
 * cannot say), and a 16-entry table. After every change the key changed is
 * (not) found; every few thousand operations every live connection is found
 * in both directions by both lookups and by a peer's read-only lookup (up to
 * its 16 buckets), absent keys are not, and the index's own invariants hold
 * (each ovf counts the entries that passed its bucket, each signature says
 * the hash and the distance, nothing left of a freed connection); now and
 * then the index is scribbled over and rebuilt from the array.
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
#include "worker/ipvs/lport.h"
#include "test_conn_util.h"

#define SEC 1000000000ull
#define T0  (1000ull * SEC)

/* Checks without Check's per-assertion mark (a write per passing check in
 * fork mode: most of the run's time with millions of them). */
#define S_TRUE(x) do { \
		if (!(x)) \
			ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #x); \
	} while (0)
#define S_EQ(a, b) do { \
		long long a_ = (long long)(a), b_ = (long long)(b); \
		if (a_ != b_) \
			ck_abort_msg("%s:%d: %s == %s (%lld, %lld)", __FILE__, __LINE__, #a, #b, \
				     a_, b_); \
	} while (0)

/* Key k's connection: k % 3 == 0 IPv4 full-NAT, 1 IPv4 dr, 2 IPv6
 * full-NAT; addresses and ports from k, so distinct keys have distinct
 * tuples in both directions. */
struct skey {
	struct dpvs_ip ca, va, la, da;
	uint16_t cport, vport, lport, dport;   /* network order */
	int has_out;
};

static struct dpvs_ip
v6_of(uint32_t top, uint32_t low)
{
	struct dpvs_ip ip;
	uint32_t be = rte_cpu_to_be_32(low);

	memset(&ip, 0, sizeof(ip));
	ip.family = DPVS_AF_INET6;
	ip.bytes[0] = 0xfd;
	ip.bytes[1] = (uint8_t)top;
	memcpy(&ip.bytes[12], &be, 4);
	return ip;
}

static void
skey_of(uint32_t k, struct skey *s)
{
	uint32_t hi = k / 50000u, lo = k % 50000u;

	memset(s, 0, sizeof(*s));
	s->cport = rte_cpu_to_be_16((uint16_t)(1024u + lo));
	s->lport = s->cport;
	s->vport = rte_cpu_to_be_16(80);
	s->dport = rte_cpu_to_be_16(8080);
	s->has_out = k % 3 != 1;
	if (k % 3 == 2) {
		s->ca = v6_of(0, hi);
		s->va = v6_of(1, 0x100);
		s->la = v6_of(2, hi);
		s->da = v6_of(3, 2);
		return;
	}
	s->ca = tconn_v4(0x0b000000u + hi);
	s->va = tconn_v4(0x0a000064u);
	s->la = tconn_v4(0x0c000000u + hi);
	s->da = tconn_v4(0x0a010002u);
	if (!s->has_out)
		s->la.family = DPVS_AF_NONE;
}

static uint32_t
skey_hash_in(const struct skey *s)
{
	return wk_conn_hash(IPPROTO_UDP, &s->ca, s->cport, &s->va, s->vport);
}

static uint32_t
home_of(const struct dpvs_conn_table *ct, uint32_t h)
{
	return (uint32_t)(((uint64_t)h * ct->nbuckets) >> 32);
}

/* Make key k's connection: its slot, or DPVS_CONN_NIL when the table (or
 * its IPv6 side table) is full. */
static uint32_t
s_add(struct dpvs_conn_table *ct, uint32_t k)
{
	struct skey s;
	struct dpvs_conn *c;
	uint32_t idx;

	skey_of(k, &s);
	if (!wk_conn_addrs_fit(ct, &s.ca, &s.da))
		return DPVS_CONN_NIL;
	idx = wk_conn_alloc(ct);
	if (idx == DPVS_CONN_NIL)
		return idx;
	c = &dpvs_conn_array(ct)[idx];
	c->proto = IPPROTO_UDP;
	c->fwd_mode = s.has_out ? DPVS_FWD_FNAT : DPVS_FWD_DR;
	S_EQ(wk_conn_set_addrs(ct, idx, &s.ca, &s.va, &s.la, &s.da), 0);
	c->cport = s.cport;
	c->vport = s.vport;
	c->lport = s.has_out ? s.lport : 0;
	c->dport = s.dport;
	c->out_port = 1;
	c->created_s = (uint32_t)(T0 / SEC);
	c->expires_ns = T0 + 60 * SEC;
	wk_conn_insert(ct, idx, T0);
	return idx;
}

/* The lookups of key k in both directions: idx expected (DPVS_CONN_NIL:
 * absent). Also the peer's read-only lookup, which walks at most 16
 * buckets: it must not find an absent key, and must find a present one
 * whose entry lies within its reach (dist_in / dist_out, -1: not known). */
static void
s_expect(struct dpvs_conn_table *ct, uint32_t k, uint32_t idx, int dist_in, int dist_out)
{
	struct skey s;
	int d = -1;

	skey_of(k, &s);
	S_EQ(wk_conn_lookup(ct, IPPROTO_UDP, &s.ca, s.cport, &s.va, s.vport, &d), idx);
	if (idx != DPVS_CONN_NIL)
		S_EQ(d, DPVS_DIR_IN);
	if (idx == DPVS_CONN_NIL || dist_in >= 0) {
		S_EQ(wk_conn_peer_has(ct, IPPROTO_UDP, &s.ca, s.cport, &s.va, s.vport),
				 idx != DPVS_CONN_NIL && dist_in < 16);
	}
	if (!s.has_out)
		return;   /* dr: no outbound key is filed */
	d = -1;
	S_EQ(wk_conn_lookup_hash(ct,
					      wk_conn_hash(IPPROTO_UDP, &s.da, s.dport, &s.la,
							   s.lport),
					      IPPROTO_UDP, &s.da, s.dport, &s.la, s.lport, &d),
			  idx);
	if (idx != DPVS_CONN_NIL)
		S_EQ(d, DPVS_DIR_OUT);
	/* review2: the local-port check's inline answer (lport.h, the home
	 * bucket's signatures and ovf) never says free for a key in use */
	{
		struct wk_ctx cx;
		uint32_t h;

		memset(&cx, 0, sizeof(cx));
		cx.ct = ct;
		S_EQ(wk_lport_key_free(&cx, IPPROTO_UDP, &s.da, s.dport, &s.la, s.lport, &h),
		     idx == DPVS_CONN_NIL);
	}
	if (idx == DPVS_CONN_NIL || dist_out >= 0) {
		S_EQ(wk_conn_peer_has(ct, IPPROTO_UDP, &s.da, s.dport, &s.la, s.lport),
				 idx != DPVS_CONN_NIL && dist_out < 16);
	}
}

/* The index's invariants; dist[idx * 2 + dir] gets each entry's distance
 * from its home. Returns the entries. */
static uint32_t
s_check_index(struct dpvs_conn_table *ct, uint32_t *ovf, int *dist)
{
	const struct dpvs_conn_bkt *bk = dpvs_conn_buckets(ct);
	const struct dpvs_conn *conns = dpvs_conn_array(ct);
	uint32_t b, s, n = 0, want = 0, i;

	memset(ovf, 0, ct->nbuckets * sizeof(*ovf));
	for (i = 0; i < 2 * ct->capacity; i++)
		dist[i] = -1;
	for (b = 0; b < ct->nbuckets; b++)
		for (s = 0; s < DPVS_CONN_BKT_SLOTS; s++) {
			uint32_t e = bk[b].ent[s], h, p, d;
			const struct dpvs_conn *c;
			struct dpvs_ip x, y;

			if (e == DPVS_CONN_NIL)
				continue;
			S_TRUE(e >> 1 < ct->capacity);
			c = &conns[e >> 1];
			S_TRUE(c->flags & DPVS_CONN_F_USED);
			if ((e & 1u) == DPVS_DIR_IN) {
				x = dpvs_conn_ip(ct, c, DPVS_CONN_A_C);
				y = dpvs_conn_ip(ct, c, DPVS_CONN_A_V);
				h = wk_conn_hash(c->proto, &x, c->cport, &y, c->vport);
			} else {
				S_TRUE(dpvs_conn_has_out(c));
				x = dpvs_conn_ip(ct, c, DPVS_CONN_A_D);
				y = dpvs_conn_ip(ct, c, DPVS_CONN_A_L);
				h = wk_conn_hash(c->proto, &x, c->dport, &y, c->lport);
			}
			for (p = home_of(ct, h), d = 0; p != b; p = p + 1 == ct->nbuckets ? 0 : p + 1) {
				ovf[p]++;
				d++;
			}
			S_EQ(bk[b].sig[s], wk_conn_sig(h, d));
			S_EQ(dist[e], -1);   /* each entry once */
			dist[e] = (int)d;
			n++;
		}
	for (b = 0; b < ct->nbuckets; b++)
		S_EQ(bk[b].ovf, ovf[b]);
	for (i = 0; i < ct->capacity; i++)
		if ((conns[i].flags & DPVS_CONN_F_USED) != 0)
			want += dpvs_conn_has_out(&conns[i]) ? 2u : 1u;
	S_EQ(n, want);
	return n;
}

/* One run: a key pool, a table, ops random operations. */
struct srun {
	uint32_t cap;
	uint32_t *pool, npool;
	uint32_t ops, check_every;
	int fifo;   /* new keys in pool order, the oldest removed first */
	unsigned int seed;
	/* what it saw */
	int max_dist;
	uint32_t shifts_sat;   /* checks that found an entry 15 or more from home */
};

static void
s_full_check(struct dpvs_conn_table *ct, struct srun *r, const uint32_t *at, uint32_t *ovf,
	     int *dist)
{
	uint32_t i, idx;
	int m = 0;

	s_check_index(ct, ovf, dist);
	for (i = 0; i < 2 * ct->capacity; i++)
		m = dist[i] > m ? dist[i] : m;
	if (m > r->max_dist)
		r->max_dist = m;
	r->shifts_sat += m >= (int)WK_CONN_SIG_DMAX;
	for (i = 0; i < r->npool; i++) {
		idx = at[i];
		if (idx == DPVS_CONN_NIL)
			s_expect(ct, r->pool[i], idx, -1, -1);
		else
			s_expect(ct, r->pool[i], idx, dist[idx * 2], dist[idx * 2 + 1]);
	}
}

static void
s_run(struct srun *r)
{
	struct dpvs_conn_table *ct = tconn_table_new(r->cap, T0);
	uint32_t *at = malloc(r->npool * sizeof(*at)),   /* pool slot -> conn or NIL */
		*live = malloc(r->cap * sizeof(*live)),   /* live pool slots, in age order */
		*ovf = malloc(DPVS_CONN_NBUCKETS(r->cap) * sizeof(*ovf));
	int *dist = malloc(2u * r->cap * sizeof(*dist));
	uint32_t nlive = 0, head = 0, next = 0, op, i, p, idx;
	unsigned int seed = r->seed;

	S_TRUE(at != NULL && live != NULL && ovf != NULL && dist != NULL);
	for (i = 0; i < r->npool; i++)
		at[i] = DPVS_CONN_NIL;
	for (op = 0; op < r->ops; op++) {
		uint32_t x = (uint32_t)rand_r(&seed);

		/* near full most of the time: insert while under capacity,
		 * with a removal now and then */
		if (nlive < r->cap && (x & 7u) != 0) {
			if (r->fifo) {
				p = next;
				next = next + 1 == r->npool ? 0 : next + 1;
			} else {
				p = (x >> 3) % r->npool;
			}
			if (at[p] != DPVS_CONN_NIL) {
				s_expect(ct, r->pool[p], at[p], -1, -1);
				continue;
			}
			s_expect(ct, r->pool[p], DPVS_CONN_NIL, -1, -1);
			idx = s_add(ct, r->pool[p]);
			if (idx == DPVS_CONN_NIL)
				continue;   /* the IPv6 side table is full */
			at[p] = idx;
			live[(head + nlive) % r->cap] = p;
			nlive++;
			s_expect(ct, r->pool[p], idx, -1, -1);
		} else if (nlive > 0) {
			/* the oldest (fifo), or a random live one swapped with the
			 * oldest */
			i = r->fifo && (x & 8u) != 0 ? 0 : (x >> 4) % nlive;
			p = live[(head + i) % r->cap];
			live[(head + i) % r->cap] = live[head];
			head = head + 1 == r->cap ? 0 : head + 1;
			nlive--;
			idx = at[p];
			wk_conn_free(ct, idx);
			at[p] = DPVS_CONN_NIL;
			s_expect(ct, r->pool[p], DPVS_CONN_NIL, -1, -1);
		}
		if (op % r->check_every == r->check_every - 1)
			s_full_check(ct, r, at, ovf, dist);
		if (op % (r->check_every * 16) == r->check_every * 16 - 1) {
			/* a successor's rebuild over a scribbled index */
			memset(dpvs_conn_buckets(ct), 0x5a,
			       (size_t)ct->nbuckets * sizeof(struct dpvs_conn_bkt));
			S_EQ(wk_conn_rebuild(ct, T0), nlive);
			s_full_check(ct, r, at, ovf, dist);
		}
	}
	s_full_check(ct, r, at, ovf, dist);
	/* everything out: an empty index, no ovf left */
	while (nlive > 0) {
		p = live[head];
		head = head + 1 == r->cap ? 0 : head + 1;
		nlive--;
		wk_conn_free(ct, at[p]);
		at[p] = DPVS_CONN_NIL;
	}
	S_EQ(s_check_index(ct, ovf, dist), 0);
	for (i = 0; i < ct->nbuckets; i++)
		S_EQ(dpvs_conn_buckets(ct)[i].ovf, 0);
	free(dist);
	free(ovf);
	free(live);
	free(at);
	free(ct);
}

/* A pool of n keys from k0 on: all of them, or (cluster) only those whose
 * inbound home bucket in a table of cap is one of its last two. */
static uint32_t *
s_pool(uint32_t cap, uint32_t n, uint32_t k0, int cluster)
{
	uint32_t *pool = malloc(n * sizeof(*pool)), i = 0, k,
		 nb = DPVS_CONN_NBUCKETS(cap);
	struct skey s;

	ck_assert_ptr_nonnull(pool);
	for (k = k0; i < n; k++) {
		if (cluster) {
			uint32_t h;

			skey_of(k, &s);
			h = skey_hash_in(&s);
			if ((uint32_t)(((uint64_t)h * nb) >> 32) < nb - 2)
				continue;
		}
		pool[i++] = k;
	}
	return pool;
}

/* Random keys, a table kept near full: 1.5M operations. */
START_TEST(test_stress_random_keys_near_full)
{
	struct srun r = { .cap = 4096, .npool = 6000, .ops = 1500000, .check_every = 50000,
			  .seed = 1 };

	r.pool = s_pool(r.cap, r.npool, 7, 0);
	s_run(&r);
	free(r.pool);
}
END_TEST

/* Sequential keys (consecutive client ports), the oldest removed first as
 * a full table's eviction does: 1.5M operations. */
START_TEST(test_stress_sequential_keys_fifo)
{
	struct srun r = { .cap = 4096, .npool = 200000, .ops = 1500000, .check_every = 50000,
			  .fifo = 1, .seed = 2 };

	r.pool = s_pool(r.cap, r.npool, 0, 0);
	s_run(&r);
	free(r.pool);
}
END_TEST

/* Keys whose inbound home is one of the last two buckets: a cluster that
 * wraps round to bucket 0 and holds entries 15 and more buckets from home
 * (their distance saturates in the signature: never moved by the shift,
 * still found). 1M operations. */
START_TEST(test_stress_cluster_wraps_and_saturates)
{
	struct srun r = { .cap = 1024, .npool = 700, .ops = 1000000, .check_every = 20000,
			  .seed = 3 };

	r.pool = s_pool(r.cap, r.npool, 0, 1);
	s_run(&r);
	ck_assert_int_ge(r.max_dist, 2 * (int)WK_CONN_SIG_DMAX);
	ck_assert_uint_gt(r.shifts_sat, 0);
	free(r.pool);
}
END_TEST

/* The smallest table (16 connections, 5 buckets): the cluster covers most
 * of the table and the shift's scan reaches round to the hole's own
 * neighbourhood. 1M operations. */
START_TEST(test_stress_smallest_table)
{
	struct srun r = { .cap = DPVS_CONN_MIN_CAP, .npool = 40, .ops = 1000000,
			  .check_every = 5000, .seed = 4 };

	r.pool = s_pool(r.cap, r.npool, 0, 1);
	s_run(&r);
	free(r.pool);
	r.pool = s_pool(r.cap, r.npool, 100, 0);
	r.seed = 5;
	s_run(&r);
	free(r.pool);
}
END_TEST

static Suite *
conn_stress_suite(void)
{
	Suite *s = suite_create("conn_stress");
	TCase *tc = tcase_create("stress");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_stress_random_keys_near_full);
	tcase_add_test(tc, test_stress_sequential_keys_fifo);
	tcase_add_test(tc, test_stress_cluster_wraps_and_saturates);
	tcase_add_test(tc, test_stress_smallest_table);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(conn_stress_suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
