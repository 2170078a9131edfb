/*
 * Helpers shared by the connection table's unit tests (test_conn_table,
 * test_conn_timer, test_conn_index, test_conn_crash, ...): a table in
 * process memory, an IPv4 address, a full-NAT connection filled
 * (tconn_fill) or inserted (tconn_add). Header-only; each test includes it
 * once.
 */
#ifndef DPVS_TEST_CONN_UTIL_H
#define DPVS_TEST_CONN_UTIL_H

#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <rte_byteorder.h>

#include "shm/shm.h"
#include "worker/ipvs/conn_table.h"

/* An empty table of cap connections, formatted and rebuilt at now (ns);
 * free() it. */
static inline struct dpvs_conn_table *
tconn_table_new(uint32_t cap, uint64_t now)
{
	uint64_t sz = DPVS_CONN_MZ_SIZE(cap);
	struct dpvs_conn_table *ct = aligned_alloc(64, sz);

	ck_assert_ptr_nonnull(ct);
	memset(ct, 0, sz);
	dpvs_conn_table_format(ct, cap);
	ck_assert_uint_eq(wk_conn_rebuild(ct, now), 0);
	return ct;
}

/* The IPv4 address host_order (e.g. 0x0a000001 for 10.0.0.1). */
static inline struct dpvs_ip
tconn_v4(uint32_t host_order)
{
	struct dpvs_ip ip;
	uint32_t be = rte_cpu_to_be_32(host_order);

	memset(&ip, 0, sizeof(ip));
	ip.family = DPVS_AF_INET;
	memcpy(ip.bytes, &be, 4);
	return ip;
}

/* Set the IPv4 endpoints of entry c (in a table or a copy: no side table;
 * la of family NONE for a connection without an outbound key). */
static inline void
tconn_set4(struct dpvs_conn *c, struct dpvs_ip ca, struct dpvs_ip va, struct dpvs_ip la,
	   struct dpvs_ip da)
{
	c->flags = (uint8_t)((c->flags & ~DPVS_CONN_F_ADDRS) |
			     (la.family != DPVS_AF_NONE ? DPVS_CONN_F_OUT : 0));
	memcpy(&c->a4[DPVS_CONN_A_C], ca.bytes, 4);
	memcpy(&c->a4[DPVS_CONN_A_V], va.bytes, 4);
	memcpy(&c->a4[DPVS_CONN_A_L], la.bytes, 4);
	memcpy(&c->a4[DPVS_CONN_A_D], da.bytes, 4);
}

/* Endpoint w of c as a struct dpvs_ip, in one of 8 rotating buffers (ct
 * may be NULL for an IPv4 connection). */
static inline const struct dpvs_ip *
tconn_ip(const struct dpvs_conn_table *ct, const struct dpvs_conn *c, int w)
{
	static struct dpvs_ip ring[8];
	static unsigned int n;
	struct dpvs_ip *p = &ring[n++ & 7u];

	*p = dpvs_conn_ip(ct, c, w);
	return p;
}

/* tconn_ip of an IPv4 connection, endpoint C, V, L or D. */
#define TIP(c, w) tconn_ip(NULL, (c), DPVS_CONN_A_##w)

/* Connection number k: client 10.0.x.y:(1024 + k) -> 10.0.0.100:80, full-NAT to
 * 10.1.0.2:80 from 10.1.0.10:(2000 + k); filled, not inserted. */
static inline uint32_t
tconn_fill(struct dpvs_conn_table *ct, uint8_t proto, uint32_t k, uint64_t now, uint64_t exp)
{
	uint32_t idx = wk_conn_alloc(ct);
	struct dpvs_conn *c;

	if (idx == DPVS_CONN_NIL)
		return idx;
	c = &dpvs_conn_array(ct)[idx];
	c->proto = proto;
	c->state = proto == IPPROTO_TCP ? DPVS_TCPS_SYN_RECV : 0;
	c->fwd_mode = DPVS_FWD_FNAT;
	tconn_set4(c, tconn_v4(0x0a000000u + (k >> 8) * 256u + (k & 0xff) + 0x10000u),
		   tconn_v4(0x0a000064u), tconn_v4(0x0a01000au), tconn_v4(0x0a010002u));
	c->cport = rte_cpu_to_be_16((uint16_t)(1024 + (k % 50000)));
	c->vport = rte_cpu_to_be_16(80);
	c->lport = rte_cpu_to_be_16((uint16_t)(2000 + (k % 60000)));
	c->dport = rte_cpu_to_be_16(80);
	c->in_port = 0;
	c->out_port = 1;
	if (proto == IPPROTO_TCP) {
		/* window tracking of both sides: not derived, kept by a rebuild */
		c->trk[DPVS_DIR_IN].end = 1000u * k + 1u;
		c->trk[DPVS_DIR_IN].maxwin = 65535;
		c->trk[DPVS_DIR_OUT].end = 0xfffff000u + k;
		c->trk[DPVS_DIR_OUT].maxack = 1000u * k + 1u;
		c->trk[DPVS_DIR_OUT].wscale = 7;
		c->trk[DPVS_DIR_OUT].flags = DPVS_TCPT_F_WSCALE | DPVS_TCPT_F_MAXACK;
	}
	c->created_s = (uint32_t)(now / 1000000000ull);
	c->expires_ns = exp;
	return idx;
}

/* The n-th key number k (from 0) whose connection's inbound tuple has its
 * home bucket in the first 1/part of ct's index: keys that crowd a part of
 * the index, so that a test's few connections overflow buckets (and their
 * removals move entries) in an index sized for many more. */
static inline uint32_t
tconn_crowded(const struct dpvs_conn_table *ct, uint8_t proto, uint32_t n, uint32_t part)
{
	struct dpvs_conn c;
	uint32_t k, h;

	memset(&c, 0, sizeof(c));
	for (k = 0;; k++) {
		tconn_set4(&c, tconn_v4(0x0a000000u + (k >> 8) * 256u + (k & 0xff) + 0x10000u),
			   tconn_v4(0x0a000064u), tconn_v4(0x0a01000au), tconn_v4(0x0a010002u));
		h = wk_conn_hash(proto, TIP(&c, C), rte_cpu_to_be_16((uint16_t)(1024 + (k % 50000))),
				 TIP(&c, V), rte_cpu_to_be_16(80));
		if (((uint64_t)h * ct->nbuckets >> 32) < ct->nbuckets / part && n-- == 0)
			return k;
	}
}

/* The same, inserted. */
static inline uint32_t
tconn_add(struct dpvs_conn_table *ct, uint8_t proto, uint32_t k, uint64_t now, uint64_t exp)
{
	uint32_t idx = tconn_fill(ct, proto, k, now, exp);

	if (idx != DPVS_CONN_NIL)
		wk_conn_insert(ct, idx, now);
	return idx;
}

/* The side tables' helpers: side 0 the sequence translations, 1 the IPv6
 * addresses. */
/* The side slot connection c names (slot + 1), 0 for none. */
static inline uint32_t
tconn_side_ref(const struct dpvs_conn *c, int side)
{
	if (side == 0)
		return c->sx_ref;
	return dpvs_conn_is_v6(c) ? c->a4[0] : 0;
}

static inline uint32_t
tconn_side_owner(struct dpvs_conn_table *ct, int side, uint32_t s)
{
	return side == 0 ? dpvs_conn_sx(ct)[s].owner : dpvs_conn_v6_slots(ct)[s].owner;
}

static inline uint32_t
tconn_side_cap(const struct dpvs_conn_table *ct, int side)
{
	return side == 0 ? ct->sx_capacity : ct->v6_capacity;
}

/* The table against its array: the count and the free list, and for both
 * side tables each slot named by at most one live connection, owned by it,
 * the count and the free list's length (the free slots, once each).
 * Returns the live connections. */
static inline uint32_t
tconn_check_sides(struct dpvs_conn_table *ct)
{
	static uint8_t seen[65536];
	const struct dpvs_conn *conns = dpvs_conn_array(ct);
	uint32_t i, r, used = 0, nfree = 0, named[2] = { 0, 0 }, sd;

	for (i = 0; i < ct->capacity; i++)
		used += (conns[i].flags & DPVS_CONN_F_USED) != 0;
	ck_assert_uint_eq(ct->count, used);
	for (i = ct->free_head; i != DPVS_CONN_NIL && nfree <= ct->capacity;
	     i = conns[i].tnext) {
		ck_assert_uint_eq(conns[i].flags & DPVS_CONN_F_USED, 0);
		nfree++;
	}
	ck_assert_uint_eq(nfree, ct->capacity - used);
	for (sd = 0; sd <= 1; sd++) {
		/* seen is indexed by slot: the side table must fit it */
		ck_assert_uint_le(tconn_side_cap(ct, sd), sizeof(seen));
		memset(seen, 0, sizeof(seen));
		for (i = 0; i < ct->capacity; i++) {
			if ((conns[i].flags & DPVS_CONN_F_USED) == 0 ||
			    (r = tconn_side_ref(&conns[i], sd)) == 0)
				continue;
			ck_assert_uint_le(r, tconn_side_cap(ct, sd));
			ck_assert_uint_eq(seen[r - 1u], 0);   /* named twice */
			seen[r - 1u] = 1;
			ck_assert_uint_eq(tconn_side_owner(ct, sd, r - 1u), i);
			named[sd]++;
		}
		for (i = 0; i < ct->capacity; i++) {
			if ((conns[i].flags & DPVS_CONN_F_USED) != 0 && sd == 0)
				ck_assert_int_eq(wk_conn_has_sx(&conns[i]), conns[i].sx_ref != 0);
		}
		ck_assert_uint_eq(sd == 0 ? ct->sx_count : ct->v6_count, named[sd]);
		nfree = 0;
		for (i = sd == 0 ? ct->sx_free : ct->v6_free;
		     i != DPVS_CONN_NIL && nfree <= tconn_side_cap(ct, sd);
		     i = sd == 0 ? dpvs_conn_sx(ct)[i].next : dpvs_conn_v6_slots(ct)[i].next) {
			ck_assert_uint_lt(i, tconn_side_cap(ct, sd));
			ck_assert_uint_eq(seen[i], 0);   /* free and named */
			seen[i] = 2;
			nfree++;
		}
		ck_assert_uint_eq(nfree, tconn_side_cap(ct, sd) - named[sd]);
	}
	return used;
}

#endif
