/*
 * The connection table of one worker (worker/ipvs/conn.h, layout in shm/conn.h):
 * the bucketized hash index in both directions, slot allocation, insertion and
 * removal (the rebuild of every derived part from the array: conn_rebuild.c).
 *
 * In: a struct dpvs_conn_table in any memory (the worker's memzone or a
 * test's buffer) and packet tuples. Out: connection indices. Touches only
 * that table; called only by its owning worker. No allocation, no locks, no
 * logging.
 *
 * Order of writes, so that the array stays the truth across a crash: a slot
 * becomes live (DPVS_CONN_F_USED) only after every field, hash link and timer
 * is written; it stops being live (USED cleared) before anything is undone.
 * Whatever a dying worker leaves half done, wk_conn_rebuild() derives the
 * index again from the USED slots alone.
 *
 * A connection is hashed in direction DPVS_DIR_OUT only when it has an
 * outbound key (laddr.family != DPVS_AF_NONE, shm/conn.h); without one (dr,
 * tunnel) only its inbound tuple is known. Half-open TCP connections
 * (SYN_RECV, SYN_SENT at insertion) are also on a list, oldest first, so
 * that a full table can give the oldest one's slot to a new connection in
 * O(1) (wk_conn_evict_pick; an entry that became established since is taken
 * off the list when it comes up). Other workers read the index
 * too, read-only (wk_conn_peer_has), to find the owner of a reply whose
 * tuple the owner could not choose (nat).
 */
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_debug.h>
#include <rte_hash_crc.h>
#include <rte_prefetch.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "shm/fault.h"
#include "shm/shm.h"
#include "worker/ipvs/conn_lookup.h"
#include "worker/ipvs/conn_table.h"
#include "worker/ipvs/conn_priv.h"

_Static_assert(DPVS_MAX_IFACES <= UINT8_MAX, "dpvs_conn: in_port and out_port are uint8_t");

/* The hash of IPv6 connection c's own tuple in direction dir. */
static __rte_noinline uint32_t
conn_hash_dir6(const struct dpvs_conn_table *ct, const struct dpvs_conn *c, int dir)
{
	struct dpvs_ip s, d;

	if (dir == DPVS_DIR_IN) {
		s = dpvs_conn_ip(ct, c, DPVS_CONN_A_C);
		d = dpvs_conn_ip(ct, c, DPVS_CONN_A_V);
		return wk_conn_hash(c->proto, &s, c->cport, &d, c->vport);
	}
	s = dpvs_conn_ip(ct, c, DPVS_CONN_A_D);
	d = dpvs_conn_ip(ct, c, DPVS_CONN_A_L);
	return wk_conn_hash(c->proto, &s, c->dport, &d, c->lport);
}

/* The hash of connection c's own tuple in direction dir (what the insert
 * keeps in h_in and h_out). Inline (IPv4): the call cost as much as the
 * hash itself. */
static __rte_always_inline uint32_t
conn_hash_dir(const struct dpvs_conn_table *ct, const struct dpvs_conn *c, int dir)
{
	if (unlikely(dpvs_conn_is_v6(c)))
		return conn_hash_dir6(ct, c, dir);
	return dir == DPVS_DIR_IN ? wk_conn_hash4(c->proto, c->a4[DPVS_CONN_A_C], c->cport,
						  c->a4[DPVS_CONN_A_V], c->vport) :
				    wk_conn_hash4(c->proto, c->a4[DPVS_CONN_A_D], c->dport,
						  c->a4[DPVS_CONN_A_L], c->lport);
}

static inline int
conn_has_out(const struct dpvs_conn *c)
{
	return dpvs_conn_has_out(c);
}

uint32_t
wk_conn_lookup_on(struct dpvs_conn_table *ct, const struct dpvs_conn_bkt *home, uint32_t hash,
		  uint8_t proto, const struct dpvs_ip *src, uint16_t sport,
		  const struct dpvs_ip *dst, uint16_t dport, int *dir)
{
	struct dpvs_conn_bkt *k = (struct dpvs_conn_bkt *)(uintptr_t)home;
	const struct bkt_span r = bkt_span_of(ct);
	uint32_t n, idx;

	for (n = 1; n < r.nb; n++) {
		k = bkt_next(&r, k);
		idx = wk_conn_bkt_find(ct, k, wk_conn_sig(hash, n), proto, src, sport, dst, dport, dir);
		if (idx != DPVS_CONN_NIL || k->ovf == 0)
			return idx;
	}
	return DPVS_CONN_NIL;
}

uint32_t
wk_conn_lookup_hash(struct dpvs_conn_table *ct, uint32_t hash, uint8_t proto,
		    const struct dpvs_ip *src, uint16_t sport, const struct dpvs_ip *dst,
		    uint16_t dport, int *dir)
{
	return wk_conn_lookup_inl(ct, hash, proto, src, sport, dst, dport, dir);
}

uint32_t
wk_conn_lookup(struct dpvs_conn_table *ct, uint8_t proto, const struct dpvs_ip *src,
	       uint16_t sport, const struct dpvs_ip *dst, uint16_t dport, int *dir)
{
	return wk_conn_lookup_inl(ct, wk_conn_hash(proto, src, sport, dst, dport), proto, src, sport,
			   dst, dport, dir);
}

/*
 * A peer's table, read while its owner may be writing it: every slot and
 * ovf is loaded once (relaxed atomics), every index checked against the
 * capacity, the walk bounded, and a candidate counts only if it is live
 * (USED, acquire) and its tuple matches. A move of an entry back toward its
 * home (hash_shift) during the walk can hide it: the table's shift_seq
 * tells, and the walk is tried again. A removal that lowers an ovf, or a
 * slot reused under our eyes, can still make this miss a connection that
 * exists: a false miss, possible only while the owner changes those very
 * buckets. A hit on a slot being freed names the right owner for a packet
 * that then finds nothing there.
 */
#define CONN_PEER_BUCKETS 16
/* Walks of a peer's lookup that missed while its owner moved entries. */
#define CONN_PEER_TRIES 4

static int
peer_walk(const struct dpvs_conn_table *ct, uint8_t proto, const struct dpvs_ip *src,
	  uint16_t sport, const struct dpvs_ip *dst, uint16_t dport)
{
	const struct dpvs_conn *conns =
		(const struct dpvs_conn *)((const char *)ct + ct->conns_off);
	const struct dpvs_conn_bkt *bk =
		(const struct dpvs_conn_bkt *)(const void *)((const char *)ct + ct->buckets_off);
	uint32_t h = wk_conn_hash(proto, src, sport, dst, dport), cap = ct->capacity;
	uint32_t nb = ct->nbuckets, b, n, s;

	if (nb == 0)
		return 0;
	b = (uint32_t)(((uint64_t)h * nb) >> 32);
	for (n = 0; n < CONN_PEER_BUCKETS && n < nb; n++) {
		const struct dpvs_conn_bkt *k = &bk[b];

		for (s = 0; s < DPVS_CONN_BKT_SLOTS; s++) {
			uint32_t e = __atomic_load_n(&k->ent[s], __ATOMIC_ACQUIRE);
			const struct dpvs_conn *c;

			if (e == DPVS_CONN_NIL || (e >> 1) >= cap ||
			    __atomic_load_n(&k->sig[s], __ATOMIC_RELAXED) != wk_conn_sig(h, n))
				continue;
			c = &conns[e >> 1];
			if ((__atomic_load_n(&c->flags, __ATOMIC_ACQUIRE) & DPVS_CONN_F_USED) != 0 &&
			    wk_conn_match(ct, c, (int)(e & 1u), proto, src, sport, dst, dport))
				return 1;
		}
		if (__atomic_load_n(&k->ovf, __ATOMIC_RELAXED) == 0)
			break;
		b = b + 1 == nb ? 0 : b + 1;
	}
	return 0;
}

/* A miss counts if no move of the owner's (hash_shift) overlapped the walk
 * (shift_seq even and unchanged); else the walk is tried again, at most
 * CONN_PEER_TRIES times (an owner killed in the middle of a move leaves
 * it odd until the rebuild: then a miss is a miss). */
int
wk_conn_peer_has(const struct dpvs_conn_table *ct, uint8_t proto, const struct dpvs_ip *src,
		 uint16_t sport, const struct dpvs_ip *dst, uint16_t dport)
{
	uint32_t seq, tries;

	for (tries = 0; tries < CONN_PEER_TRIES; tries++) {
		seq = __atomic_load_n(&ct->shift_seq, __ATOMIC_ACQUIRE);
		if (peer_walk(ct, proto, src, sport, dst, dport))
			return 1;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if ((seq & 1u) == 0 && __atomic_load_n(&ct->shift_seq, __ATOMIC_RELAXED) == seq)
			return 0;
	}
	return 0;
}

static __rte_always_inline void
half_unlink(struct dpvs_conn_table *ct, uint32_t idx)
{
	struct dpvs_conn *conns = dpvs_conn_array(ct);
	struct dpvs_conn *c = &conns[idx];

	if (c->oprev == DPVS_CONN_NIL)
		return;
	if (c->oprev == HALF_FIRST)
		ct->half_head = c->onext;
	else
		conns[c->oprev].onext = c->onext;
	if (c->onext == DPVS_CONN_NIL)
		ct->half_tail = c->oprev == HALF_FIRST ? DPVS_CONN_NIL : c->oprev;
	else
		conns[c->onext].oprev = c->oprev;
	c->onext = c->oprev = DPVS_CONN_NIL;
}

/* A table that evicts once evicts again with its next new connections,
 * the half-open list's new head and the entry after it: prefetch what
 * those evictions will touch, so that a flood of SYNs into a full table
 * does not wait on memory for each victim. The list is a chain, so each
 * eviction can learn one more victim: the head's entry was read by the
 * previous eviction (in cache), the one after it (the victim after next,
 * E) was prefetched by it. From E: the index buckets its removal will
 * search and the timer-list neighbours its removal will write, two
 * evictions ahead; and the entry after E. (From the head, the buckets were
 * one eviction ahead: on the real node with a 2M-entry table, 2/3 of
 * hash_unlink's samples (10-14% of the worker's) sat on the load of the
 * victim's home bucket, still on its way.) Reads only; every index is
 * checked. */
static __rte_always_inline void
evict_prefetch(struct dpvs_conn_table *ct)
{
	const struct dpvs_conn *conns = dpvs_conn_array(ct), *c;
	uint32_t w = ct->half_head, x;

	if (w >= ct->capacity)
		return;
	w = conns[w].onext;
	if (w >= ct->capacity)
		return;
	c = &conns[w];
	x = c->onext;
	if (x < ct->capacity) {
		rte_prefetch0(&conns[x]);
		rte_prefetch0(&conns[x].onext);   /* its second line: the links */
	}
	if ((c->flags & DPVS_CONN_F_USED) == 0)
		return;
	/* the removal searches the home; the bucket after it only when
	 * the home's ovf is set (rare: dpvs_conn_prefetch) */
	dpvs_conn_prefetch(ct, c->h_in);
	if (conn_has_out(c))
		dpvs_conn_prefetch(ct, c->h_out);
	if (c->tprev < ct->capacity)   /* not the wheel's head mark, nor NIL */
		rte_prefetch0(&conns[c->tprev].tnext);
	if (c->tnext < ct->capacity)
		rte_prefetch0(&conns[c->tnext].tprev);
}

/* wk_conn_evict_pick's body, inline in it and in wk_conn_evict_take. */
static __rte_always_inline uint32_t
evict_pick(struct dpvs_conn_table *ct)
{
	struct dpvs_conn *conns = dpvs_conn_array(ct);
	unsigned int n;
	uint32_t idx;

	for (n = 0; n < WK_CONN_EVICT_STEPS && (idx = ct->half_head) != DPVS_CONN_NIL; n++) {
		half_unlink(ct, idx);
		if ((conns[idx].flags & DPVS_CONN_F_USED) != 0 && wk_conn_half_open(&conns[idx])) {
			evict_prefetch(ct);
			return idx;
		}
	}
	return DPVS_CONN_NIL;
}

uint32_t
wk_conn_evict_pick(struct dpvs_conn_table *ct)
{
	return evict_pick(ct);
}

/* Is c a live half-open connection that names slot s of side table sx
 * (the sequence translations) or !sx (the IPv6 addresses)? */
static inline int
side_holder(const struct dpvs_conn *c, const int sx, uint32_t s)
{
	if ((c->flags & DPVS_CONN_F_USED) == 0 || !wk_conn_half_open(c))
		return 0;
	return sx ? c->sx_ref == s + 1u : dpvs_conn_is_v6(c) && c->a4[0] == s + 1u;
}

/* The oldest half-open holder among the first WK_CONN_SIDE_STEPS of the
 * half-open list (the list's order is the age), or DPVS_CONN_NIL. */
static uint32_t
side_pick_list(struct dpvs_conn_table *ct, const int sx)
{
	struct dpvs_conn *conns = dpvs_conn_array(ct), *c;
	uint32_t idx = ct->half_head, next;
	unsigned int n;

	for (n = 0; n < WK_CONN_SIDE_STEPS && idx < ct->capacity; n++, idx = next) {
		c = &conns[idx];
		next = c->onext;
		if ((c->flags & DPVS_CONN_F_USED) == 0 || !wk_conn_half_open(c)) {
			half_unlink(ct, idx);   /* never a victim again */
			continue;
		}
		/* a slot in range, as conn_free and conn_v6_put take it */
		if (sx ? c->sx_ref - 1u < ct->sx_capacity
		       : dpvs_conn_is_v6(c) && c->a4[0] - 1u < ct->v6_capacity)
			return idx;
	}
	return DPVS_CONN_NIL;
}

/* The clock hand: the next WK_CONN_SIDE_SCAN slots of the side table
 * (fewer in a smaller one) from the hand on, the hand moved past them;
 * of their owners that are half-open holders (side_holder), the oldest
 * (created_s; the first of equals), or DPVS_CONN_NIL. Every slot comes
 * round once in capacity / WK_CONN_SIDE_SCAN calls (rounded up), so a
 * half-open holder that stays one is found within that many. The owners
 * are read first and their entries prefetched, then checked: the entries
 * are random lines, and the look waits on them together, not in turn. */
static uint32_t
side_pick_hand(struct dpvs_conn_table *ct, const int sx)
{
	const struct dpvs_conn *conns = dpvs_conn_array(ct), *c;
	uint32_t own[WK_CONN_SIDE_SCAN], cap = sx ? ct->sx_capacity : ct->v6_capacity;
	uint32_t *hand = sx ? &ct->sx_hand : &ct->v6_hand;
	uint32_t n = RTE_MIN(cap, (uint32_t)WK_CONN_SIDE_SCAN), s, s0, j;
	uint32_t best = DPVS_CONN_NIL, best_s = 0;

	if (n == 0)
		return DPVS_CONN_NIL;
	s = s0 = *hand < cap ? *hand : 0;
	for (j = 0; j < n; j++, s = s + 1 == cap ? 0 : s + 1) {
		own[j] = sx ? dpvs_conn_sx(ct)[s].owner : dpvs_conn_v6_slots(ct)[s].owner;
		if (own[j] >= ct->capacity)
			continue;
		rte_prefetch0(&conns[own[j]]);
		/* the second line: sx_ref and created_s, read for every holder */
		rte_prefetch0(&conns[own[j]].sx_ref);
	}
	*hand = s;
	for (j = 0, s = s0; j < n; j++, s = s + 1 == cap ? 0 : s + 1) {
		if (own[j] >= ct->capacity)
			continue;
		c = &conns[own[j]];
		if (side_holder(c, sx, s) && (best == DPVS_CONN_NIL || c->created_s < best_s)) {
			best = own[j];
			best_s = c->created_s;
		}
	}
	return best;
}

/* A full lap of empty looks (ct->sx_miss, v6_miss) saw every slot's
 * owner not a half-open holder, and since then no slot was taken or freed
 * and no connection became half-open (each resets the count), so none is
 * one now: neither the list nor the hand looks, and a flood of new
 * connections at a side table full of established ones is refused at the
 * cost of this test. A holder that appears resets the count first, so it
 * is still found within a lap of calls after it appeared. */
uint32_t
wk_conn_side_pick(struct dpvs_conn_table *ct, enum wk_conn_side side)
{
	const int sx = side == WK_CONN_SIDE_SX;
	uint32_t *miss = sx ? &ct->sx_miss : &ct->v6_miss;
	uint32_t cap = sx ? ct->sx_capacity : ct->v6_capacity, idx;

	if (*miss >= (cap + WK_CONN_SIDE_SCAN - 1u) / WK_CONN_SIDE_SCAN)
		return DPVS_CONN_NIL;
	idx = side_pick_list(ct, sx);
	if (idx == DPVS_CONN_NIL)
		idx = side_pick_hand(ct, sx);
	/* consecutive empty looks only: one that found a holder starts over */
	*miss = idx == DPVS_CONN_NIL ? *miss + 1u : 0;
	return idx;
}

uint32_t
wk_conn_alloc(struct dpvs_conn_table *ct)
{
	struct dpvs_conn *c;
	uint32_t idx = wk_conn_take(ct);

	if (idx == DPVS_CONN_NIL)
		return DPVS_CONN_NIL;
	c = &dpvs_conn_array(ct)[idx];
	memset(c, 0, sizeof(*c));   /* sx_ref 0: no side slot */
	c->tnext = c->tprev = DPVS_CONN_NIL;
	c->onext = c->oprev = DPVS_CONN_NIL;
	return idx;
}

/* The slots of bucket k whose signature says their entry lies at least d
 * (>= 1) buckets past its home, and a known distance (< WK_CONN_SIG_DMAX):
 * bit s for slot s. An empty slot's signature is 0 (distance 0), so it is
 * never one of them; the caller checks the entry anyway. */
static __rte_always_inline uint32_t
bkt_movable(const struct dpvs_conn_bkt *k, uint32_t d)
{
#ifdef __SSE2__
	__m128i lo = _mm_srli_epi16(_mm_loadu_si128((const __m128i *)(const void *)&k->sig[0]), 12);
	__m128i hi = _mm_srli_epi16(_mm_loadu_si128((const __m128i *)(const void *)&k->sig[2]), 12);
	__m128i dm1 = _mm_set1_epi16((short)(d - 1)), dmax = _mm_set1_epi16(WK_CONN_SIG_DMAX);
	uint32_t m;

	lo = _mm_and_si128(_mm_cmpgt_epi16(lo, dm1), _mm_cmplt_epi16(lo, dmax));
	hi = _mm_and_si128(_mm_cmpgt_epi16(hi, dm1), _mm_cmplt_epi16(hi, dmax));
	m = (uint32_t)_mm_movemask_epi8(_mm_packs_epi16(lo, hi));
	return (m & 0xffu) | (m >> 6 & 0x300u);   /* as wk_conn_bkt_match */
#else
	uint32_t r = 0, s, dist;

	for (s = 0; s < DPVS_CONN_BKT_SLOTS; s++) {
		dist = (uint32_t)k->sig[s] >> 12;
		r |= (uint32_t)(dist >= d && dist < WK_CONN_SIG_DMAX) << s;
	}
	return r;
#endif
}

/* Slot hs of bucket hole was just emptied. While an entry passed hole
 * (its ovf > 0), one of the following buckets may hold an entry whose home
 * is at or before hole: its distance (signature) is at least how far its
 * bucket lies behind hole. Move the first such entry into the hole (the
 * copy first, then the old slot cleared; a peer walking these buckets just
 * then may miss it, as wk_conn_peer_has allows), take one off the ovf of
 * every bucket it no longer passes, and go on with the slot it left. So the
 * index stays as if no entry had ever been removed: without this, removals
 * leave entries far from homes whose slots have come free, every ovf on
 * their way stays set, and under churn at capacity (80% of the slots
 * taken) the walk of a lookup that finds nothing grows from under 2
 * buckets to about 10 (a SYN makes two such lookups). An entry
 * WK_CONN_SIG_DMAX or more from home (distance not known) stays where it
 * is; at most CONN_SHIFT_SCAN buckets are looked at per move (simulated
 * with random hashes: 4 keep the walks as short as 14 do, about 1.3
 * buckets looked at per removal). */
#define CONN_SHIFT_SCAN 4u
_Static_assert(CONN_SHIFT_SCAN < WK_CONN_SIG_DMAX, "CONN_SHIFT_SCAN: distances it can read");

static void
hash_shift(struct dpvs_conn_table *ct, struct dpvs_conn_bkt *hole, uint32_t hs)
{
	struct dpvs_conn_bkt *k, *x;
	uint32_t d, s, m, dist;
	const struct bkt_span r = bkt_span_of(ct);
	int moving = 0;

	while (hole->ovf > 0) {
		for (d = 1, k = bkt_next(&r, hole); d <= CONN_SHIFT_SCAN && d < r.nb;
		     d++, k = bkt_next(&r, k)) {
			for (m = bkt_movable(k, d); m != 0; m &= m - 1) {
				s = (uint32_t)__builtin_ctz(m);
				if (k->ent[s] != DPVS_CONN_NIL)
					goto found;
			}
			if (k->ovf == 0)
				goto done;   /* nothing further on passed k, nor hole */
		}
		goto done;
found:
		if (!moving) {   /* odd: peers that miss now look again */
			moving = 1;
			__atomic_store_n(&ct->shift_seq, ct->shift_seq + 1u, __ATOMIC_RELAXED);
			__atomic_thread_fence(__ATOMIC_RELEASE);
		}
		dist = (uint32_t)k->sig[s] >> 12;
		hole->sig[hs] = (uint16_t)((k->sig[s] & 0x0fffu) | (dist - d) << 12);
		__atomic_store_n(&hole->ent[hs], k->ent[s], __ATOMIC_RELEASE);
		__atomic_store_n(&k->ent[s], DPVS_CONN_NIL, __ATOMIC_RELEASE);
		k->sig[s] = 0;
		for (x = hole; x != k; x = bkt_next(&r, x))
			x->ovf--;
		hole = k;
		hs = s;
	}
done:
	if (moving)   /* even again, after every move's stores */
		__atomic_store_n(&ct->shift_seq, ct->shift_seq + 1u, __ATOMIC_RELEASE);
}

/* Take entry (idx << 1 | dir) out of the index: find it from its home
 * bucket (the hash it was filed under, kept in the entry), clear its slot,
 * take one off the ovf of each bucket it had passed, then move entries
 * back into the hole (hash_shift). Nothing when it is not there. */
static __rte_always_inline void
hash_unlink(struct dpvs_conn_table *ct, uint32_t idx, int dir)
{
	const struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];
	uint32_t h = dir == DPVS_DIR_IN ? c->h_in : c->h_out, want = idx << 1 | (uint32_t)dir;
	struct dpvs_conn_bkt *home = (struct dpvs_conn_bkt *)(uintptr_t)wk_conn_home(ct, h), *k, *x;
	uint32_t n, s, i, m;
	const struct bkt_span r = bkt_span_of(ct);

	for (n = 0, k = home; n < r.nb; n++, k = bkt_next(&r, k)) {
		for (m = wk_conn_bkt_match(k, wk_conn_sig(h, n)); m != 0; m &= m - 1) {
			s = (uint32_t)__builtin_ctz(m);
			if (k->ent[s] != want)
				continue;
			__atomic_store_n(&k->ent[s], DPVS_CONN_NIL, __ATOMIC_RELEASE);
			k->sig[s] = 0;   /* an empty slot is never movable */
			for (i = 0, x = home; i < n; i++, x = bkt_next(&r, x))
				x->ovf--;
			if (k->ovf > 0)   /* else nothing passed it: no move */
				hash_shift(ct, k, s);
			return;
		}
		if (k->ovf == 0)
			return;
	}
}

const struct dpvs_seqx wk_seqx_none;

uint32_t
wk_conn_sx_take(struct dpvs_conn_table *ct)
{
	struct dpvs_seqx *sx = dpvs_conn_sx(ct);
	uint32_t i = ct->sx_free;

	if (i == DPVS_CONN_NIL || i >= ct->sx_capacity)
		return DPVS_CONN_NIL;
	ct->sx_free = sx[i].next;
	ct->sx_miss = 0;   /* the side table changed: look again */
	memset(&sx[i], 0, sizeof(sx[i]));
	sx[i].owner = DPVS_CONN_NIL;
	sx[i].next = DPVS_CONN_NIL;
	return i;
}

void
wk_conn_sx_put(struct dpvs_conn_table *ct, uint32_t sxi)
{
	struct dpvs_seqx *sx = dpvs_conn_sx(ct);

	sx[sxi].owner = DPVS_CONN_NIL;
	sx[sxi].next = ct->sx_free;
	ct->sx_free = sxi;
	ct->sx_miss = 0;
}

void
wk_conn_sx_attach(struct dpvs_conn_table *ct, uint32_t idx, uint32_t sxi)
{
	struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];

	dpvs_conn_sx(ct)[sxi].owner = idx;
	/* the connection names it last: until then the slot is nobody's; the
	 * flag in its first line follows its truth, sx_ref (a crash between
	 * the two: the rebuild derives the flag from sx_ref) */
	__atomic_store_n(&c->sx_ref, sxi + 1u, __ATOMIC_RELEASE);
	__atomic_store_n(&c->flags, (uint8_t)(c->flags | DPVS_CONN_F_SX), __ATOMIC_RELEASE);
	ct->sx_count++;
	dpvs_fault(DPVS_FAULT_SX_ATTACHED);
}

/* The IPv6 side slot: taken, written and owned here, named by the entry
 * last (a4[0]); the entry is not live yet, so a crash in between leaves a
 * slot whose owner is not live, which the rebuild frees. */
static int
conn_set_v6(struct dpvs_conn_table *ct, uint32_t idx, const struct dpvs_ip *const ip[4])
{
	struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];
	uint32_t i = ct->v6_free;
	struct dpvs_conn6 *x;
	int w;

	if (i == DPVS_CONN_NIL || i >= ct->v6_capacity)
		return -1;
	x = &dpvs_conn_v6_slots(ct)[i];
	ct->v6_free = x->next;
	ct->v6_miss = 0;   /* the side table changed: look again */
	memset(x->addr, 0, sizeof(x->addr));
	for (w = 0; w < 4; w++)
		memcpy(x->addr[w], ip[w]->bytes, ip[w]->family == DPVS_AF_INET6 ? 16 : 4);
	x->owner = idx;
	x->next = DPVS_CONN_NIL;
	ct->v6_count++;
	c->a4[1] = c->a4[2] = c->a4[3] = 0;
	__atomic_store_n(&c->a4[0], i + 1u, __ATOMIC_RELEASE);
	dpvs_fault(DPVS_FAULT_V6_SLOT_NAMED);
	return 0;
}

int
wk_conn_set_addrs6(struct dpvs_conn_table *ct, uint32_t idx, const struct dpvs_ip *ca,
		   const struct dpvs_ip *va, const struct dpvs_ip *la, const struct dpvs_ip *da)
{
	const struct dpvs_ip *const ip[4] = { ca, va, la, da };
	struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];
	uint8_t f = 0;

	if (ca->family == DPVS_AF_INET6)
		f |= DPVS_CONN_F_C6;
	if (da->family == DPVS_AF_INET6)
		f |= DPVS_CONN_F_D6;
	if (la->family != DPVS_AF_NONE)
		f |= DPVS_CONN_F_OUT;
	if (conn_set_v6(ct, idx, ip) != 0)
		return -1;
	c->flags = (uint8_t)((c->flags & ~DPVS_CONN_F_ADDRS) | f);
	return 0;
}

/* Give connection c's IPv6 side slot back (c is no longer live). */
static void
conn_v6_put(struct dpvs_conn_table *ct, struct dpvs_conn *c)
{
	uint32_t r = c->a4[0];
	struct dpvs_conn6 *x;

	if (!dpvs_conn_is_v6(c) || r == 0 || r > ct->v6_capacity)
		return;
	x = &dpvs_conn_v6_slots(ct)[r - 1u];
	c->a4[0] = 0;
	x->owner = DPVS_CONN_NIL;
	x->next = ct->v6_free;
	ct->v6_free = r - 1u;
	ct->v6_count--;
	ct->v6_miss = 0;
}

void
wk_conn_insert(struct dpvs_conn_table *ct, uint32_t idx, uint64_t now_ns)
{
	const struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];

	RTE_SET_USED(now_ns);
	wk_conn_insert_hashed(ct, idx, conn_hash_dir(ct, c, DPVS_DIR_IN),
			      conn_has_out(c) ? conn_hash_dir(ct, c, DPVS_DIR_OUT) : 0);
}

void
wk_conn_insert_hashed(struct dpvs_conn_table *ct, uint32_t idx, uint32_t h_in, uint32_t h_out)
{
	/* the body: conn_priv.h (the new-connection path inlines it) */
	RTE_ASSERT(h_in == conn_hash_dir(ct, &dpvs_conn_array(ct)[idx], DPVS_DIR_IN));
	RTE_ASSERT(!conn_has_out(&dpvs_conn_array(ct)[idx]) ||
		   h_out == conn_hash_dir(ct, &dpvs_conn_array(ct)[idx], DPVS_DIR_OUT));
	wk_conn_insert_links(ct, idx, h_in, h_out, 0, -1, -1);
}

/* wk_conn_free's body; reuse: the caller takes the slot for a new
 * connection at once (wk_conn_free_reuse) and took it off the half-open
 * list (wk_conn_evict_pick), so neither that list nor the free list is
 * touched: the free list's push and the take's pop of the same slot. A
 * crash after USED is cleared leaves the slot on no list, which the
 * rebuild gives back to the free list as it does any slot not live. */
static __rte_always_inline void
conn_free(struct dpvs_conn_table *ct, uint32_t idx, const int reuse)
{
	struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];

	if ((c->flags & DPVS_CONN_F_USED) == 0)
		return;
	/* dead first: a crash from here on loses the slot, never a half entry */
	__atomic_store_n(&c->flags, c->flags & ~DPVS_CONN_F_USED, __ATOMIC_RELEASE);
	hash_unlink(ct, idx, DPVS_DIR_IN);
	if (conn_has_out(c))
		hash_unlink(ct, idx, DPVS_DIR_OUT);
	wk_conn_timer_disarm(ct, idx);
	if (!reuse)
		half_unlink(ct, idx);
	RTE_ASSERT(c->oprev == DPVS_CONN_NIL);
	if (c->sx_ref != 0 && c->sx_ref <= ct->sx_capacity) {
		uint32_t sxi = c->sx_ref - 1u;

		c->flags &= (uint8_t)~DPVS_CONN_F_SX;
		c->sx_ref = 0;
		dpvs_conn_sx(ct)[sxi].owner = DPVS_CONN_NIL;
		wk_conn_sx_put(ct, sxi);
		ct->sx_count--;
	}
	if (unlikely(dpvs_conn_is_v6(c)))
		conn_v6_put(ct, c);   /* not live: nothing reads its addresses now */
	if (!reuse) {
		c->tnext = ct->free_head;
		ct->free_head = idx;
	}
	ct->count--;
}

void
wk_conn_free(struct dpvs_conn_table *ct, uint32_t idx)
{
	conn_free(ct, idx, 0);
}

void
wk_conn_free_reuse(struct dpvs_conn_table *ct, uint32_t idx)
{
	conn_free(ct, idx, 1);
}

uint32_t
wk_conn_evict_take(struct dpvs_conn_table *ct)
{
	uint32_t idx = evict_pick(ct);

	if (idx != DPVS_CONN_NIL && likely(!wk_conn_has_sx(&dpvs_conn_array(ct)[idx])))
		conn_free(ct, idx, 1);
	return idx;
}
