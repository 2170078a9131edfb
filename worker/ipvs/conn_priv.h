/*
 * Internal helpers of the connection table shared by worker/ipvs/conn.c (hash,
 * slots, rebuild) and worker/ipvs/conn_timer.c (the wheel), and the insert
 * that the new-connection path (ipvs_new.c) inlines. Not an API: other
 * files use worker/ipvs/conn.h. Called only by the owning worker.
 *
 * Wheel links: a connection on the wheel sits in a doubly linked list
 * through tnext/tprev. The first of a slot's list has tprev =
 * CONN_TPREV_HEAD | slot, so it can be unlinked without knowing where it was
 * filed; a connection on no list has tprev = DPVS_CONN_NIL. Free slots are
 * chained through tnext from free_head.
 */
#ifndef DPVS_WORKER_CONN_PRIV_H
#define DPVS_WORKER_CONN_PRIV_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_debug.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "shm/conn.h"
#include "shm/conn_addr.h"
#include "shm/shm.h"
#include "worker/ipvs/conn_table.h"

#define CONN_TPREV_HEAD 0x80000000u

/* Empty the wheel and start it at now_ns (every earlier tick is done). */
void wk_conn_timer_reset(struct dpvs_conn_table *ct, uint64_t now_ns);

/* The wheel's links, inline: a new connection arms its timer and an
 * evicted or closed one disarms it (conn.c), once each per SYN into a full
 * table; conn_timer.c files the rest. */
/* Far timers are spread over this many slots before the wheel's end. */
#define TIMER_SPREAD          256u
_Static_assert((TIMER_SPREAD & (TIMER_SPREAD - 1)) == 0 && TIMER_SPREAD < DPVS_CONN_WHEEL_SLOTS,
	       "TIMER_SPREAD: a power of two, well inside the wheel");

static __rte_always_inline uint64_t
conn_ns_tick(uint64_t ns)
{
	return ns / DPVS_CONN_TICK_NS;   /* constant divisor: a multiply */
}

/* Put idx at the head of the list of tick t (t within the wheel's reach). */
static __rte_always_inline void
conn_timer_link(struct dpvs_conn_table *ct, struct dpvs_conn *conns, uint32_t idx, uint64_t t)
{
	uint32_t *wheel = dpvs_conn_wheel(ct);
	uint32_t s = (uint32_t)(t & (DPVS_CONN_WHEEL_SLOTS - 1));
	struct dpvs_conn *c = &conns[idx];

	c->tnext = wheel[s];
	c->tprev = CONN_TPREV_HEAD | s;
	if (c->tnext != DPVS_CONN_NIL)
		conns[c->tnext].tprev = idx;
	wheel[s] = idx;
}

/* The tick to file connection idx expiring at exp_ns under, counted from
 * base, the last tick processed (or being processed). One beyond the wheel's
 * reach goes near its far end, spread by index over TIMER_SPREAD slots so that
 * many long timers set at once do not come round as one clump. */
static __rte_always_inline uint64_t
conn_timer_target(uint64_t base, uint64_t exp_ns, uint32_t idx)
{
	uint64_t t = conn_ns_tick(exp_ns);

	if (t <= base)
		return base + 1;
	if (t > base + DPVS_CONN_WHEEL_SLOTS - 1)
		return base + DPVS_CONN_WHEEL_SLOTS - 1 - (idx & (TIMER_SPREAD - 1));
	return t;
}

/* File connection idx (not on the wheel) by its expires_ns. */
static __rte_always_inline void
wk_conn_timer_arm(struct dpvs_conn_table *ct, uint32_t idx)
{
	struct dpvs_conn *conns = dpvs_conn_array(ct);

	conn_timer_link(ct, conns, idx, conn_timer_target(ct->wheel_tick, conns[idx].expires_ns, idx));
}

/* Take connection idx off the wheel if it is on it. */
static __rte_always_inline void
wk_conn_timer_disarm(struct dpvs_conn_table *ct, uint32_t idx)
{
	struct dpvs_conn *conns = dpvs_conn_array(ct);
	struct dpvs_conn *c = &conns[idx];

	if (c->tprev == DPVS_CONN_NIL)
		return;
	if ((c->tprev & CONN_TPREV_HEAD) != 0)
		dpvs_conn_wheel(ct)[c->tprev & ~CONN_TPREV_HEAD] = c->tnext;
	else
		conns[c->tprev].tnext = c->tnext;
	if (c->tnext != DPVS_CONN_NIL)
		conns[c->tnext].tprev = c->tprev;   /* carries the head mark on */
	c->tnext = c->tprev = DPVS_CONN_NIL;
}

/* The index and the half-open list (conn.c), inline here for the insert
 * (wk_conn_insert_links). */
/* The buckets of a table, read once per walk: the walks store into
 * buckets (uint32_t ovf), which the compiler must assume may change the
 * table's header, so a helper that read ct each step reloaded it. */
struct bkt_span {
	struct dpvs_conn_bkt *bk, *end;
	uint32_t nb;
};

static inline struct bkt_span
bkt_span_of(struct dpvs_conn_table *ct)
{
	struct bkt_span r = { .bk = dpvs_conn_buckets(ct), .nb = ct->nbuckets };

	r.end = r.bk + r.nb;
	return r;
}

/* The bucket after k, wrapping. */
static inline struct dpvs_conn_bkt *
bkt_next(const struct bkt_span *r, struct dpvs_conn_bkt *k)
{
	return ++k == r->end ? r->bk : k;
}

/* The half-open list: oprev is DPVS_CONN_NIL off the list, HALF_FIRST for
 * its first entry. */
#define HALF_FIRST 0xfffffffeu

static __rte_always_inline void
half_link(struct dpvs_conn_table *ct, uint32_t idx)
{
	struct dpvs_conn *conns = dpvs_conn_array(ct);
	struct dpvs_conn *c = &conns[idx];

	c->onext = DPVS_CONN_NIL;
	if (ct->half_tail == DPVS_CONN_NIL || ct->half_head == DPVS_CONN_NIL) {
		c->oprev = HALF_FIRST;
		ct->half_head = idx;
	} else {
		c->oprev = ct->half_tail;
		conns[ct->half_tail].onext = idx;
	}
	ct->half_tail = idx;
}

/* The empty slots of bucket k (entry DPVS_CONN_NIL): bit s for slot s. */
static __rte_always_inline uint32_t
bkt_free(const struct dpvs_conn_bkt *k)
{
#ifdef __SSE2__
	const __m128i nil = _mm_set1_epi32(-1);
	uint32_t a, b, c;

	/* slots 0-3, 4-7 and 6-9 */
	a = (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(
		_mm_loadu_si128((const __m128i *)(const void *)&k->ent[0]), nil)));
	b = (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(
		_mm_loadu_si128((const __m128i *)(const void *)&k->ent[4]), nil)));
	c = (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(
		_mm_loadu_si128((const __m128i *)(const void *)&k->ent[6]), nil)));
	return a | b << 4 | c << 6;
#else
	uint32_t r = 0, s;

	for (s = 0; s < DPVS_CONN_BKT_SLOTS; s++)
		r |= (uint32_t)(k->ent[s] == DPVS_CONN_NIL) << s;
	return r;
#endif
}

/* File entry (idx << 1 | dir) of connection idx, whose tuple in direction
 * dir hashes to h, in the index: the first free slot from its home bucket
 * on, counting the full buckets it passes. The index always has room (2.5
 * slots a connection, shm/conn.h). The slot's signature goes first, the
 * entry last (a peer checks the tuple anyway). */
static __rte_always_inline void
hash_link(struct dpvs_conn_table *ct, uint32_t idx, int dir, uint32_t h)
{
	uint32_t n, s, m;
	struct dpvs_conn_bkt *k = (struct dpvs_conn_bkt *)(uintptr_t)wk_conn_home(ct, h);
	const struct bkt_span r = bkt_span_of(ct);

	for (n = 0; n < r.nb; n++) {
		m = bkt_free(k);
		if (m != 0) {
			s = (uint32_t)__builtin_ctz(m);
			k->sig[s] = wk_conn_sig(h, n);
			__atomic_store_n(&k->ent[s], idx << 1 | (uint32_t)dir, __ATOMIC_RELEASE);
			return;
		}
		k->ovf++;
		k = bkt_next(&r, k);
	}
}

/* Make the filled slot idx live (wk_conn_insert_hashed, which calls this
 * after its checks; inline in the new-connection path, ipvs_new.c):
 * its hashes h_in and h_out (h_out unused without an
 * outbound key) kept and filed, its timer armed, on the half-open list if
 * it is half-open, counted, then USED. links_nil: the caller wrote the
 * entry's wheel and half-open links DPVS_CONN_NIL (not written again).
 * out and half: whether it has an outbound key (dpvs_conn_has_out) and is
 * half-open (wk_conn_half_open), as the caller that just wrote the entry
 * knows them; -1 to read them from the entry. */
static __rte_always_inline void
wk_conn_insert_links(struct dpvs_conn_table *ct, uint32_t idx, uint32_t h_in, uint32_t h_out,
		     const int links_nil, int out, int half)
{
	struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];

	if (out < 0)
		out = dpvs_conn_has_out(c);
	RTE_ASSERT(out == dpvs_conn_has_out(c));

	c->h_in = h_in;
	c->h_out = out ? h_out : 0;
	hash_link(ct, idx, DPVS_DIR_IN, h_in);
	if (out)
		hash_link(ct, idx, DPVS_DIR_OUT, h_out);
	if (!links_nil)
		c->tnext = c->tprev = DPVS_CONN_NIL;
	RTE_ASSERT(c->tnext == DPVS_CONN_NIL && c->tprev == DPVS_CONN_NIL);
	wk_conn_timer_arm(ct, idx);
	if (!links_nil)
		c->onext = c->oprev = DPVS_CONN_NIL;
	RTE_ASSERT(c->onext == DPVS_CONN_NIL && c->oprev == DPVS_CONN_NIL);
	if (half < 0)
		half = wk_conn_half_open(c);
	RTE_ASSERT(half == wk_conn_half_open(c));
	if (half)
		half_link(ct, idx);
	ct->count++;
	/* live only now, with everything in place */
	__atomic_store_n(&c->flags, c->flags | DPVS_CONN_F_USED, __ATOMIC_RELEASE);
}

#endif
