/*
 * The connection table of one worker (shm/conn.h holds the layout): lookup in
 * both directions, allocation, insertion, removal, the timer wheel, and the
 * rebuild of every derived part from the array when a worker attaches.
 *
 * Pure functions on a struct dpvs_conn_table in any memory (shm or a test's
 * buffer); called only by the owning worker. No allocation, no locks, no
 * logging per packet.
 *
 * Keys: a connection is found from a packet's own (proto, src, sport, dst,
 * dport) as seen on the wire. Direction DPVS_DIR_IN matches
 * (caddr, cport -> vaddr, vport); DPVS_DIR_OUT matches
 * (daddr, dport -> laddr, lport), the reply of a full-NAT connection.
 */
#ifndef DPVS_WORKER_CONN_H
#define DPVS_WORKER_CONN_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_hash_crc.h>
#include <rte_prefetch.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#ifdef __SSE4_2__
#include <nmmintrin.h>
#endif

#include "shm/conn.h"
#include "shm/conn_addr.h"
#include "shm/lb.h"
#include "shm/shm.h"

/* The hash of an IPv4 tuple (addresses in network order), what
 * wk_conn_hash gives for it. Built for SSE4.2 (the DPDK build's -march
 * has it), the CRC32C instructions as intrinsics: the same values as
 * rte_hash_crc_8byte/4byte, without their per-call test of the
 * algorithm DPDK picked at start-up (a load and a branch) and their
 * volatile asm, which the compiler may not schedule or drop. */
static __rte_always_inline uint32_t
wk_conn_hash4_w(uint8_t proto, uint64_t addrs, uint32_t ports)
{
#if defined(__SSE4_2__) && defined(__x86_64__)
	return _mm_crc32_u32((uint32_t)_mm_crc32_u64(proto, addrs), ports);
#else
	return rte_hash_crc_4byte(ports, rte_hash_crc_8byte(addrs, proto));
#endif
}

static __rte_always_inline uint32_t
wk_conn_hash4(uint8_t proto, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
	return wk_conn_hash4_w(proto, (uint64_t)src << 32 | dst, (uint32_t)sport << 16 | dport);
}

/* wk_conn_hash4 of an IPv4 packet's tuple read from the frame: addrs the
 * header's 8 bytes at offset 12 (source, destination), ports the TCP/UDP
 * header's first 4. Little-endian: one load each, turned by half its
 * width (the source's word above the destination's, as wk_conn_hash4 puts
 * them), in place of two loads, a shift and an or each. */
static __rte_always_inline uint32_t
wk_conn_hash4_raw(uint8_t proto, const void *addrs, const void *ports)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	uint64_t a;
	uint32_t q;

	memcpy(&a, addrs, 8);
	memcpy(&q, ports, 4);
	return wk_conn_hash4_w(proto, a << 32 | a >> 32, q << 16 | q >> 16);
#else
	uint32_t s, d;
	uint16_t sp, dp;

	memcpy(&s, addrs, 4);
	memcpy(&d, (const char *)addrs + 4, 4);
	memcpy(&sp, ports, 2);
	memcpy(&dp, (const char *)ports + 2, 2);
	return wk_conn_hash4(proto, s, sp, d, dp);
#endif
}

/* The hash of a packet tuple as the index files it (shm/conn.h): the home
 * bucket from its high bits, 12 bits of the slot's signature from its low
 * ones (wk_conn_sig: the other 4 are the distance from home). */
static __rte_always_inline uint32_t
wk_conn_hash(uint8_t proto, const struct dpvs_ip *src, uint16_t sport,
	     const struct dpvs_ip *dst, uint16_t dport)
{
	uint32_t h = proto, a, b;
	uint64_t w[4];

	if (likely(src->family == DPVS_AF_INET)) {
		memcpy(&a, src->bytes, 4);
		memcpy(&b, dst->bytes, 4);
		return wk_conn_hash4(proto, a, sport, b, dport);
	} else {
		/* bytes[] sits at offset 4: copy out rather than load unaligned */
		memcpy(&w[0], src->bytes, 16);
		memcpy(&w[2], dst->bytes, 16);
		h = rte_hash_crc_8byte(w[0], h);
		h = rte_hash_crc_8byte(w[1], h);
		h = rte_hash_crc_8byte(w[2], h);
		h = rte_hash_crc_8byte(w[3], h);
	}
	return rte_hash_crc_4byte((uint32_t)sport << 16 | dport, h);
}

/* The home bucket of a hash in the index bk of nbuckets buckets. */
static __rte_always_inline const struct dpvs_conn_bkt *
wk_conn_home_in(const struct dpvs_conn_bkt *bk, uint32_t nbuckets, uint32_t hash)
{
	return &bk[((uint64_t)hash * nbuckets) >> 32];
}

/* The home bucket of a hash. */
static __rte_always_inline const struct dpvs_conn_bkt *
wk_conn_home(const struct dpvs_conn_table *ct, uint32_t hash)
{
	const struct dpvs_conn_bkt *bk =
		(const struct dpvs_conn_bkt *)(const void *)((const char *)ct + ct->buckets_off);

	return wk_conn_home_in(bk, ct->nbuckets, hash);
}

/* The signature of an index slot (shm/conn.h): the low 12 bits of the
 * tuple's hash, and in the top 4 the distance of the slot's bucket from the
 * tuple's home bucket (WK_CONN_SIG_DMAX: that far or further). A lookup
 * compares it with the signature its hash has at the bucket it is in; the
 * removal reads the distance to move entries back toward their home
 * (conn.c, hash_shift) without reading their connections. */
#define WK_CONN_SIG_DMAX 15u

static __rte_always_inline uint16_t
wk_conn_sig(uint32_t hash, uint32_t dist)
{
	return (uint16_t)((hash & 0x0fffu) | (RTE_MIN(dist, WK_CONN_SIG_DMAX) << 12));
}

/* The slots of bucket k whose signature is sig: bit s for slot s (empty
 * slots included: the caller checks the entry). */
static __rte_always_inline uint32_t
wk_conn_bkt_match(const struct dpvs_conn_bkt *k, uint16_t sig)
{
#ifdef __SSE2__
	/* slots 0-7 (the bucket's first 16 bytes, aligned: the compare
	 * takes them from memory), then 8-9 (a 4-byte load, the lanes above
	 * zero): two compares of 8 lanes, packed to bytes (-1 / 0), one mask
	 * bit a lane, the zero lanes' bits cut off */
	__m128i v = _mm_set1_epi16((short)sig);
	__m128i lo = _mm_cmpeq_epi16(_mm_load_si128((const __m128i *)(const void *)&k->sig[0]), v);
	__m128i hi = _mm_cmpeq_epi16(_mm_loadu_si32(&k->sig[8]), v);
	uint32_t m = (uint32_t)_mm_movemask_epi8(_mm_packs_epi16(lo, hi));

	_Static_assert(DPVS_CONN_BKT_SLOTS == 10 && offsetof(struct dpvs_conn_bkt, sig) == 0,
		       "wk_conn_bkt_match: 10 slots at the bucket's start");
	return m & 0x3ffu;
#else
	uint32_t r = 0, s;

	for (s = 0; s < DPVS_CONN_BKT_SLOTS; s++)
		r |= (uint32_t)(k->sig[s] == sig) << s;
	return r;
#endif
}

/* Prefetch the index bucket that wk_conn_lookup_hash(ct, hash, ...) will
 * read first (a burst loop calls it a few packets ahead). Only the owning
 * worker's table. The home alone, also for a key a SYN looks up and
 * inserts and for a removal: the walk goes on to the next bucket only when
 * the home's ovf is set, the insertion when the home is full, 2% and 6%
 * of the buckets of a full 2,097,152-entry index churned by SYNs (60% of
 * its slots taken). Prefetching the next bucket too for those three (the
 * burst's SYNs, the lport key ahead, the eviction's victim) cost a tenth
 * of a SYN's cycles into such a table (dpvs-bench-pipe BP_HUGE=1 --case
 * syn-full --conns 2097152: 419 against 386 TSC cycles a SYN, medians of
 * 40 runs in turns, 36 of the 40 pairs faster; one of the three alone
 * showed no change in 8 pairs). */
static inline void
dpvs_conn_prefetch(const struct dpvs_conn_table *ct, uint32_t hash)
{
	rte_prefetch0(wk_conn_home(ct, hash));
}

/* A burst loop's view of the owning worker's index (wk_conn_view): read
 * once, so that each frame's home bucket and entries cost no reload of the
 * table's header (the loop's stores may alias it, for the compiler). */
struct wk_conn_view {
	const struct dpvs_conn_bkt *bk;   /* the buckets */
	const struct dpvs_conn_bkt *end;  /* past the last */
	const char *conns;                /* the connection array */
	uint32_t nbuckets;
};

static __rte_always_inline struct wk_conn_view
wk_conn_view(const struct dpvs_conn_table *ct)
{
	struct wk_conn_view x;

	x.bk = (const struct dpvs_conn_bkt *)(const void *)((const char *)ct + ct->buckets_off);
	x.nbuckets = ct->nbuckets;
	x.end = x.bk + x.nbuckets;
	x.conns = (const char *)ct + ct->conns_off;
	return x;
}

/* The burst's second stage, with the home bucket k of hash (wk_conn_home_in
 * of x), which the caller prefetched before: read it and prefetch the
 * entries whose signature matches, which the lookup will compare (their
 * first line; with two_lines their second too, where a TCP segment's
 * window tracking, trk[], lives), and the next bucket when the walk goes
 * on there. Returns the first of those entries (conn index << 1 | dir),
 * the one the lookup compares first (wk_conn_home_find4), or DPVS_CONN_NIL.
 * Only the owning worker's table. Reads the bucket, writes nothing. */
static __rte_always_inline void
wk_conn_prefetch_one(const struct wk_conn_view *x, uint32_t e, int two_lines)
{
	const char *c = x->conns + (uint64_t)(e >> 1) * sizeof(struct dpvs_conn);

	rte_prefetch0(c);
	if (two_lines)
		rte_prefetch0(c + RTE_CACHE_LINE_SIZE);
}

/* The slots of m past the first (first: what the first gave), out of line:
 * two signatures alike in a bucket are rare (12 bits of the hash). */
static __rte_noinline __rte_unused uint32_t
wk_conn_prefetch_more(const struct wk_conn_view *x, const struct dpvs_conn_bkt *k, uint32_t m,
		      uint32_t first, int two_lines)
{
	uint32_t e;

	for (; m != 0; m &= m - 1) {
		e = k->ent[__builtin_ctz(m)];
		if (e == DPVS_CONN_NIL)
			continue;
		if (first == DPVS_CONN_NIL)
			first = e;
		wk_conn_prefetch_one(x, e, two_lines);
	}
	return first;
}

static __rte_always_inline uint32_t
wk_conn_prefetch_entry_in(const struct wk_conn_view *x, const struct dpvs_conn_bkt *k,
			  uint32_t hash, int two_lines)
{
	uint32_t m = wk_conn_bkt_match(k, wk_conn_sig(hash, 0)), first = DPVS_CONN_NIL;

	/* the first slot alone inline: the usual bucket has one */
	if (m != 0) {
		first = k->ent[__builtin_ctz(m)];
		if (likely(first != DPVS_CONN_NIL))
			wk_conn_prefetch_one(x, first, two_lines);
		m &= m - 1;
		if (unlikely(m != 0))
			first = wk_conn_prefetch_more(x, k, m, first, two_lines);
	}
	if (k->ovf != 0)
		rte_prefetch0(k + 1 == x->end ? x->bk : k + 1);
	return first;
}

/* The port index where packets of connection c in direction dir arrive:
 * DPVS_DIR_IN on the client's side (in_port), DPVS_DIR_OUT on the dest's
 * (out_port). A packet that matches c's tuple anywhere else is not c's
 * (a forger on the other wire); an ICMP error about a packet sent to one
 * side comes from that side. Every forwarding mode fills both fields. */
static inline uint16_t
wk_conn_arrival_port(const struct dpvs_conn *c, int dir)
{
	return dir == DPVS_DIR_OUT ? c->out_port : c->in_port;
}

/* Rebuild the bucketized index, the timer wheel, the free list and the count
 * from the array (the truth): only DPVS_CONN_F_USED slots count. Entries
 * whose fields are inconsistent (bad proto, state, mode or family, a timer
 * absurdly far out) or that repeat a tuple already seen are dropped (USED
 * cleared). Returns the number of live connections. */
uint32_t wk_conn_rebuild(struct dpvs_conn_table *ct, uint64_t now_ns);

/* Find the connection of a packet; on a hit returns its index and sets *dir
 * (DPVS_DIR_IN / DPVS_DIR_OUT); else DPVS_CONN_NIL. */
uint32_t wk_conn_lookup(struct dpvs_conn_table *ct, uint8_t proto,
			const struct dpvs_ip *src, uint16_t sport,
			const struct dpvs_ip *dst, uint16_t dport, int *dir);

/* The same with the tuple's hash already computed (hash =
 * wk_conn_hash(proto, src, sport, dst, dport)), for a burst loop that
 * computed it to call dpvs_conn_prefetch() earlier. */
uint32_t wk_conn_lookup_hash(struct dpvs_conn_table *ct, uint32_t hash, uint8_t proto,
			     const struct dpvs_ip *src, uint16_t sport,
			     const struct dpvs_ip *dst, uint16_t dport, int *dir);

/* Does another worker's table ct hold a live connection with this tuple
 * (either direction)? Read-only and safe while its owner writes it:
 * bounded, every index checked; may miss a connection while its owner
 * changes the same buckets (conn.c). Called by any worker. */
int wk_conn_peer_has(const struct dpvs_conn_table *ct, uint8_t proto, const struct dpvs_ip *src,
		     uint16_t sport, const struct dpvs_ip *dst, uint16_t dport);

/* Take a free slot, zeroed; DPVS_CONN_NIL when the table is full. The slot
 * is not live until wk_conn_insert(): fill its fields but leave flags'
 * DPVS_CONN_F_USED to wk_conn_insert(), which sets it last, so a worker that
 * dies mid-fill leaves a free slot, not a half-written connection. */
uint32_t wk_conn_alloc(struct dpvs_conn_table *ct);

/* The same without the zeroing, for a maker that writes every field of the
 * entry itself (the new-connection path writes the whole entry once): the
 * slot as the free list left it, not live (USED clear). */
static inline uint32_t
wk_conn_take(struct dpvs_conn_table *ct)
{
	uint32_t idx = ct->free_head;

	if (idx != DPVS_CONN_NIL)
		ct->free_head = dpvs_conn_array(ct)[idx].tnext;
	return idx;
}

/* Set the four endpoints of slot idx (taken by wk_conn_alloc, not live
 * yet; shm/conn_addr.h reads them): la of family NONE for dr and tunnel.
 * 0, or -1 when the table cannot hold them (nothing is changed then). A
 * slot that never goes live keeps what this took until the next rebuild. */
int wk_conn_set_addrs6(struct dpvs_conn_table *ct, uint32_t idx, const struct dpvs_ip *ca,
		       const struct dpvs_ip *va, const struct dpvs_ip *la,
		       const struct dpvs_ip *da);

static inline int
wk_conn_set_addrs(struct dpvs_conn_table *ct, uint32_t idx, const struct dpvs_ip *ca,
		  const struct dpvs_ip *va, const struct dpvs_ip *la, const struct dpvs_ip *da)
{
	struct dpvs_conn *c;

	if (unlikely(ca->family == DPVS_AF_INET6 || da->family == DPVS_AF_INET6))
		return wk_conn_set_addrs6(ct, idx, ca, va, la, da);
	/* IPv4: the entry alone (wk_conn_set_addrs6 takes an IPv6 side slot) */
	c = &dpvs_conn_array(ct)[idx];
	memcpy(&c->a4[DPVS_CONN_A_C], ca->bytes, 4);
	memcpy(&c->a4[DPVS_CONN_A_V], va->bytes, 4);
	memcpy(&c->a4[DPVS_CONN_A_D], da->bytes, 4);
	c->a4[DPVS_CONN_A_L] = 0;
	if (la->family != DPVS_AF_NONE)
		memcpy(&c->a4[DPVS_CONN_A_L], la->bytes, 4);
	c->flags = (uint8_t)((c->flags & ~DPVS_CONN_F_ADDRS) |
			     (la->family != DPVS_AF_NONE ? DPVS_CONN_F_OUT : 0));
	return 0;
}

/* Is there room for the endpoints of a connection from ca to da: an IPv4
 * one always, one with an IPv6 endpoint while the IPv6 side table has a
 * free slot? */
static inline int
wk_conn_addrs_fit(const struct dpvs_conn_table *ct, const struct dpvs_ip *ca,
		  const struct dpvs_ip *da)
{
	return (ca->family != DPVS_AF_INET6 && da->family != DPVS_AF_INET6) ||
	       ct->v6_free < ct->v6_capacity;
}

/* Make the filled slot idx live: hash it in both directions (DPVS_DIR_OUT only
 * if laddr.family is set; dr/tunnel have no outbound tuple), arm its timer at
 * conns[idx].expires_ns, then set DPVS_CONN_F_USED. */
void wk_conn_insert(struct dpvs_conn_table *ct, uint32_t idx, uint64_t now_ns);
/* The same with the hashes of its tuples already computed (h_in =
 * wk_conn_hash of caddr:cport -> vaddr:vport, h_out of daddr:dport ->
 * laddr:lport, unused without an outbound tuple), for a maker that
 * computed them to look the tuples up first. */
void wk_conn_insert_hashed(struct dpvs_conn_table *ct, uint32_t idx, uint32_t h_in,
			   uint32_t h_out);
/* (The new-connection path, which writes every field of the entry once,
 * links DPVS_CONN_NIL included, inlines the insert: conn_priv.h,
 * wk_conn_insert_links.) */

/* Is c half-open: a TCP connection whose handshake is not complete (the
 * client's SYN seen, SYN_RECV; or SYN_SENT)? Only these may be evicted. */
static inline int
wk_conn_half_open(const struct dpvs_conn *c)
{
	return c->proto == IPPROTO_TCP &&
	       (c->state == DPVS_TCPS_SYN_RECV || c->state == DPVS_TCPS_SYN_SENT);
}

#define WK_CONN_EVICT_STEPS 64   /* list entries looked at per eviction */

/* The table is full: the oldest live half-open connection (taken off the
 * half-open list), for the caller to close so that its slot serves a new
 * one; DPVS_CONN_NIL when there is none among the first WK_CONN_EVICT_STEPS
 * entries of the list (the others established since; each entry leaves the
 * list once, so the cost is O(1) amortised). Established connections are
 * never picked. */
uint32_t wk_conn_evict_pick(struct dpvs_conn_table *ct);

/* Which side table a new connection found full (wk_conn_side_pick). */
enum wk_conn_side { WK_CONN_SIDE_SX, WK_CONN_SIDE_V6 };

#define WK_CONN_SIDE_STEPS 16   /* half-open entries looked at per side eviction */
#define WK_CONN_SIDE_SCAN  32   /* side slots looked at per side eviction */

/* A side table is full: a live half-open connection that holds a slot of
 * it (left on the half-open list: the caller closes it with wk_conn_free,
 * whose slots then serve a new connection); DPVS_CONN_NIL when none was
 * found. First the oldest such among the first WK_CONN_SIDE_STEPS entries
 * of the half-open list (entries that are no longer live or half-open are
 * taken off it on the way, as wk_conn_evict_pick does; the others stay);
 * without one there, the side table's clock hand (ct->sx_hand or v6_hand)
 * looks at its next WK_CONN_SIDE_SCAN slots and gives the oldest
 * half-open owner among them: a half-open holder anywhere is found within
 * side capacity / WK_CONN_SIDE_SCAN calls (rounded up), however many
 * half-open connections without a slot (an IPv4 SYN flood) sit ahead of it
 * on the list. At most WK_CONN_SIDE_STEPS + WK_CONN_SIDE_SCAN entries
 * read a call; none after a full lap of the hand found nothing, until a
 * slot of that side table is taken or freed or a connection becomes
 * half-open (ct->sx_miss, v6_miss; wk_conn_side_wake). */
uint32_t wk_conn_side_pick(struct dpvs_conn_table *ct, enum wk_conn_side side);

/* A connection became half-open (a state change into one; a new one
 * takes its side slot, which does the same): the side tables' empty-look
 * counts start over, so that wk_conn_side_pick looks again. */
static inline void
wk_conn_side_wake(struct dpvs_conn_table *ct)
{
	ct->sx_miss = 0;
	ct->v6_miss = 0;
}

/* Unhash, disarm and free a live connection (and give its side slot back). */
void wk_conn_free(struct dpvs_conn_table *ct, uint32_t idx);

/* The same for the victim that wk_conn_evict_pick gave (off the half-open
 * list already), whose slot the caller fills at once for a new connection:
 * the slot does not go through the free list (not live, on no list; the
 * next wk_conn_insert* makes it live again). Only for the slot
 * wk_conn_evict_pick just gave: one still on the half-open list would leave
 * its neighbours linked to a slot that another connection then takes. */
void wk_conn_free_reuse(struct dpvs_conn_table *ct, uint32_t idx);

/* Both in one call (a full table's SYN flood evicts for each SYN): the
 * victim of wk_conn_evict_pick, or DPVS_CONN_NIL; freed for reuse at once
 * (wk_conn_free_reuse) unless it holds a SYN proxy's sequence translation
 * (DPVS_CONN_F_SX), which its owner must be told of first: such a victim
 * comes back still live (USED), for the caller to close. The caller
 * counts the victim off its rows after: the free leaves the fields the
 * counts read (slots, ids, protocol, state). */
uint32_t wk_conn_evict_take(struct dpvs_conn_table *ct);

/* The side table of sequence translations (shm/conn.h). A slot is taken
 * (zeroed, no owner) before the connection that needs it is made, then
 * attached to it (owner first, then the connection's sx_ref: a crash in
 * between leaves a slot that the rebuild frees), or put back when the
 * connection was not made. wk_conn_free() gives an attached slot back.
 * wk_conn_sx_take: DPVS_CONN_NIL when the side table is full. */
uint32_t wk_conn_sx_take(struct dpvs_conn_table *ct);
void wk_conn_sx_put(struct dpvs_conn_table *ct, uint32_t sxi);
void wk_conn_sx_attach(struct dpvs_conn_table *ct, uint32_t idx, uint32_t sxi);

/* Has connection c a sequence translation? The flag in its first cache
 * line (DPVS_CONN_F_SX), so that a packet of one without reads no other. */
static __rte_always_inline int
wk_conn_has_sx(const struct dpvs_conn *c)
{
	return (c->flags & DPVS_CONN_F_SX) != 0;
}

/* Connection c's sequence translation, or NULL when it has none. */
static inline struct dpvs_seqx *
wk_conn_sx(struct dpvs_conn_table *ct, const struct dpvs_conn *c)
{
	if (likely(!wk_conn_has_sx(c) || c->sx_ref == 0))
		return NULL;
	return (struct dpvs_seqx *)(void *)((char *)ct + ct->sx_off) + (c->sx_ref - 1u);
}

/* The same for reading: a connection without one reads as all zero. */
extern const struct dpvs_seqx wk_seqx_none;

static inline const struct dpvs_seqx *
wk_conn_sx_ro(struct dpvs_conn_table *ct, const struct dpvs_conn *c)
{
	const struct dpvs_seqx *x = wk_conn_sx(ct, c);

	return x != NULL ? x : &wk_seqx_none;
}

/* Re-arm a live connection's timer for expires_ns. A later time costs only
 * the store (the per-packet case); an earlier one moves it on the wheel. */
void wk_conn_set_timer(struct dpvs_conn_table *ct, uint32_t idx, uint64_t expires_ns);

/* The same for the packet path, inline: a connection on the wheel whose new
 * time is no earlier stores it and is done (what wk_conn_set_timer does
 * first); anything else goes to wk_conn_set_timer. */
static __rte_always_inline void
wk_conn_touch_timer(struct dpvs_conn_table *ct, struct dpvs_conn *c, uint32_t idx,
		    uint64_t expires_ns)
{
	if (likely(c->tprev != DPVS_CONN_NIL && expires_ns >= c->expires_ns))
		c->expires_ns = expires_ns;
	else
		wk_conn_set_timer(ct, idx, expires_ns);
}

/* Advance the wheel to now_ns and collect at most max connections whose time
 * has come (expires_ns <= now_ns; at most about one tick late) into out[].
 * They stay live but off the wheel: the caller updates its counters and calls
 * wk_conn_free(), or keeps one with wk_conn_set_timer(). Bounded work per call
 * (a few times max); call it every loop iteration and a worker that was away
 * catches up over a few calls. Returns how many. */
uint32_t wk_conn_expire(struct dpvs_conn_table *ct, uint64_t now_ns, uint32_t *out,
			uint32_t max);

/* The direction argument of wk_tcp_next_state() for a one-way connection
 * (dr, tunnel): client -> server, the server's side never seen. */
#define WK_TCP_IN_ONLY 2

/* TCP: the next state of a connection in state `state` after a segment with
 * these flags (RTE_TCP_*_FLAG bits) in direction dir (DPVS_DIR_IN,
 * DPVS_DIR_OUT or WK_TCP_IN_ONLY), following LVS's state table. */
uint8_t wk_tcp_next_state(uint8_t state, int dir, uint8_t tcp_flags);

/* The state a TCP connection opens in: what wk_tcp_next_state() gives for
 * DPVS_TCPS_NONE and a SYN without ACK in either inbound table (LVS's
 * sSR; test_conn_tcp checks it against the table), for the new-connection
 * path, which then needs no call. */
#define WK_TCP_SYN_STATE DPVS_TCPS_SYN_RECV

/* Name of a TCP state ("ESTABLISHED"), from the X-macro in shm/lb.h. */
const char *wk_tcp_state_name(uint8_t state);

/* The idle timeout in ns for a connection in this state (UDP: the udp
 * timeout), from the active config set's timeouts. */
uint64_t wk_conn_timeout_ns(const struct dpvs_timeouts *t, uint8_t proto, uint8_t state);

/* The same for the packet path (t not NULL), inline: a timeout the set
 * gives for a UDP or a TCP connection in a known state is read here; the
 * fallbacks of a zero one are wk_conn_timeout_ns's. */
static __rte_always_inline uint64_t
wk_conn_idle_ns(const struct dpvs_timeouts *t, uint8_t proto, uint8_t state)
{
	uint32_t s = 0;

	if (proto == IPPROTO_UDP)
		s = t->udp;
	else if (proto == IPPROTO_TCP && state < DPVS_TCPS_MAX)
		s = t->tcp[state];
	if (unlikely(s == 0))
		return wk_conn_timeout_ns(t, proto, state);
	return (uint64_t)s * 1000000000ull;
}

#endif
