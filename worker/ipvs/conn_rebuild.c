/*
 * The rebuild of a worker's connection table (worker/ipvs/conn_table.h):
 * every derived part (the index, the timer wheel, the free list, the
 * half-open list, the count, the side tables' free lists and counts, the
 * DPVS_CONN_F_SX flag) made again from the array of entries alone, the
 * truth across a crash (conn.c says in which order a live worker writes).
 * A successor runs it at attach, before it forwards a packet, whatever its
 * predecessor left half done; entries that cannot be trusted are dropped.
 * Touches only that table; no allocation, no locks, no logging.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_prefetch.h>

#include "shm/shm.h"
#include "worker/ipvs/conn_lookup.h"
#include "worker/ipvs/conn_table.h"
#include "worker/ipvs/conn_priv.h"

/* A connection whose timer lies further out than this is insane: rebuild
 * drops it rather than keep an immortal entry (timeouts are at most days). */
#define CONN_MAX_LIFETIME_NS (30ull * 86400ull * 1000000000ull)

/* Is a USED slot consistent enough to be trusted? */
static int
conn_sane(const struct dpvs_conn *c, uint64_t now_ns)
{
	if (c->proto != IPPROTO_TCP && c->proto != IPPROTO_UDP)
		return 0;
	if (c->proto == IPPROTO_TCP ? c->state >= DPVS_TCPS_MAX : c->state != 0)
		return 0;
	if (c->fwd_mode >= DPVS_FWD_MAX)
		return 0;
	/* no capacity allows this slot (the ipvs path also checks it against
	 * the node's [tables] services before it indexes a counter row) */
	if (c->svc_slot >= DPVS_SVC_SLOT_LIMIT)
		return 0;
	/* families (flags): only full-NAT crosses them, from an IPv6 client to
	 * an IPv4 real server (ipvs_new.c) */
	if (((c->flags & DPVS_CONN_F_C6) != 0) != ((c->flags & DPVS_CONN_F_D6) != 0) &&
	    (c->fwd_mode != DPVS_FWD_FNAT || (c->flags & DPVS_CONN_F_C6) == 0))
		return 0;
	/* fnat, nat and snat always have an outbound key (shm/conn.h), dr and
	 * tunnel never; a service, a dest and a local port are never port 0 (a
	 * client's UDP source port may be: nat's lport is the client's). Both
	 * also catch a slot that was marked USED before it was completely
	 * filled. */
	if (!dpvs_conn_has_out(c) !=
	    (c->fwd_mode == DPVS_FWD_DR || c->fwd_mode == DPVS_FWD_TUNNEL))
		return 0;
	if (c->vport == 0 || c->dport == 0 ||
	    (dpvs_conn_has_out(c) && c->lport == 0 && c->fwd_mode != DPVS_FWD_NAT))
		return 0;
	if (c->expires_ns > now_ns + CONN_MAX_LIFETIME_NS)
		return 0;
	/* the ipvs path drops every packet that arrives elsewhere */
	if (c->in_port >= DPVS_MAX_IFACES || c->out_port >= DPVS_MAX_IFACES)
		return 0;
	return 1;
}

/* Would connection idx duplicate a tuple already in the rebuilt index? */
static int
conn_duplicate(struct dpvs_conn_table *ct, const struct dpvs_conn *c)
{
	struct dpvs_ip s = dpvs_conn_ip(ct, c, DPVS_CONN_A_C),
		d = dpvs_conn_ip(ct, c, DPVS_CONN_A_V);
	int dir;

	if (wk_conn_lookup(ct, c->proto, &s, c->cport, &d, c->vport, &dir) != DPVS_CONN_NIL)
		return 1;
	if (!dpvs_conn_has_out(c))
		return 0;
	s = dpvs_conn_ip(ct, c, DPVS_CONN_A_D);
	d = dpvs_conn_ip(ct, c, DPVS_CONN_A_L);
	return wk_conn_lookup(ct, c->proto, &s, c->dport, &d, c->lport, &dir) != DPVS_CONN_NIL;
}

/* The side table at a rebuild: a slot counts only if its owner is live and
 * names it (sx_ref), and only once. Before the walk every slot is marked
 * unclaimed; sx_claim checks connection idx's slot, sx_keep marks it taken;
 * then the unclaimed ones make the free list. */
#define SX_UNCLAIMED 0xfffffffeu

static void
sx_mark_unclaimed(struct dpvs_conn_table *ct)
{
	struct dpvs_seqx *sx = dpvs_conn_sx(ct);
	uint32_t i;

	for (i = 0; i < ct->sx_capacity; i++)
		sx[i].next = SX_UNCLAIMED;
	ct->sx_count = 0;
	ct->sx_free = DPVS_CONN_NIL;
	ct->sx_hand = 0;   /* derived: any slot would do */
	ct->sx_miss = 0;   /* derived: look again */
}

static int
sx_claim(struct dpvs_conn_table *ct, uint32_t idx)
{
	const struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];
	const struct dpvs_seqx *x;

	if (c->sx_ref == 0)
		return 1;
	if (c->sx_ref > ct->sx_capacity || c->proto != IPPROTO_TCP)
		return 0;
	x = &dpvs_conn_sx(ct)[c->sx_ref - 1u];
	return x->owner == idx && x->next == SX_UNCLAIMED;
}

/* ... and derives DPVS_CONN_F_SX from it (sx_ref is the truth). */
static void
sx_keep(struct dpvs_conn_table *ct, struct dpvs_conn *c)
{
	c->flags &= (uint8_t)~DPVS_CONN_F_SX;
	if (c->sx_ref == 0)
		return;
	c->flags |= DPVS_CONN_F_SX;
	dpvs_conn_sx(ct)[c->sx_ref - 1u].next = DPVS_CONN_NIL;
	ct->sx_count++;
}

static void
sx_rebuild_free(struct dpvs_conn_table *ct)
{
	struct dpvs_seqx *sx = dpvs_conn_sx(ct);
	uint32_t i;

	for (i = ct->sx_capacity; i-- > 0;) {
		if (sx[i].next != SX_UNCLAIMED)
			continue;
		sx[i].owner = DPVS_CONN_NIL;
		sx[i].next = ct->sx_free;
		ct->sx_free = i;
	}
}

/* The same for the IPv6 side table: a slot counts only if its owner is
 * live and names it (a4[0]), and only once. */
static void
v6_mark_unclaimed(struct dpvs_conn_table *ct)
{
	struct dpvs_conn6 *v6 = dpvs_conn_v6_slots(ct);
	uint32_t i;

	for (i = 0; i < ct->v6_capacity; i++)
		v6[i].next = SX_UNCLAIMED;
	ct->v6_count = 0;
	ct->v6_free = DPVS_CONN_NIL;
	ct->v6_hand = 0;
	ct->v6_miss = 0;
}

static int
v6_claim(struct dpvs_conn_table *ct, uint32_t idx)
{
	const struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];
	const struct dpvs_conn6 *x;
	uint32_t r = c->a4[0];

	if (!dpvs_conn_is_v6(c))
		return 1;
	if (r == 0 || r > ct->v6_capacity)
		return 0;
	x = &dpvs_conn_v6_slots(ct)[r - 1u];
	return x->owner == idx && x->next == SX_UNCLAIMED;
}

static void
v6_keep(struct dpvs_conn_table *ct, const struct dpvs_conn *c)
{
	if (!dpvs_conn_is_v6(c))
		return;
	dpvs_conn_v6_slots(ct)[c->a4[0] - 1u].next = DPVS_CONN_NIL;
	ct->v6_count++;
}

static void
v6_rebuild_free(struct dpvs_conn_table *ct)
{
	struct dpvs_conn6 *v6 = dpvs_conn_v6_slots(ct);
	uint32_t i;

	for (i = ct->v6_capacity; i-- > 0;) {
		if (v6[i].next != SX_UNCLAIMED)
			continue;
		v6[i].owner = DPVS_CONN_NIL;
		v6[i].next = ct->v6_free;
		ct->v6_free = i;
	}
}

/*
 * The walk over the array looks ahead of the entry it files: RB_ENTRY_AHEAD
 * entries ahead it prefetches the entry (both lines); RB_AHEAD ahead, a
 * live IPv4 entry's two hashes are computed (kept in a ring for when its
 * turn comes) and its home buckets prefetched, with the wheel slot its
 * timer will go to; RB_AHEAD / 2 ahead, the connection at the head of that
 * slot, whose tprev the filing writes, and the bucket after a home bucket
 * that is full or passed entries on. With millions of connections each of
 * these is a cache miss of its own (the index is 21 bytes a connection,
 * 213 MiB for 10,000,000, in random order), and waited for one after the
 * other they made the rebuild 290 to 420 ns a connection (10,000,000 on
 * the loaded development VM: tests/bench/rebuild.c); with the look-ahead
 * 80 to 130 (16 to 32 entries alike, 64 worse; the bucket after home
 * prefetched always, worse). The prefetches are hints only: what is filed is
 * decided as before, from the entry when its turn comes (a hash from the
 * ring is its own tuple's: the rebuild writes no tuple, and an entry that
 * turns out insane is dropped before its hashes are used).
 */
#define RB_AHEAD       16u
#define RB_ENTRY_AHEAD (RB_AHEAD * 2u)
_Static_assert((RB_AHEAD & (RB_AHEAD - 1)) == 0, "RB_AHEAD: a power of two");

struct rb_ring {
	uint32_t h_in[RB_AHEAD], h_out[RB_AHEAD];
	uint8_t ok[RB_AHEAD];   /* hashes computed (a live IPv4 entry) */
};

/* The wheel slot a timer at exp_ns goes to when filed at tick base (what
 * conn_priv.h's conn_timer_target gives; a prefetch hint only). */
static inline uint32_t
rb_wheel_slot(uint64_t base, uint64_t exp_ns, uint32_t idx)
{
	uint64_t t = exp_ns / DPVS_CONN_TICK_NS;

	if (t <= base)
		t = base + 1;
	else if (t > base + DPVS_CONN_WHEEL_SLOTS - 1)
		t = base + DPVS_CONN_WHEEL_SLOTS - 1 - (idx & 255u);
	return (uint32_t)(t & (DPVS_CONN_WHEEL_SLOTS - 1));
}

/* RB_AHEAD entries ahead: hash entry j if live and IPv4, prefetch its
 * home buckets and its wheel slot. */
static inline void
rb_look_far(struct dpvs_conn_table *ct, struct rb_ring *r, uint32_t j)
{
	const struct dpvs_conn *c = &dpvs_conn_array(ct)[j];
	uint32_t k = j & (RB_AHEAD - 1);

	r->ok[k] = (c->flags & DPVS_CONN_F_USED) != 0 && !dpvs_conn_is_v6(c);
	if (!r->ok[k])
		return;
	r->h_in[k] = wk_conn_hash4(c->proto, c->a4[DPVS_CONN_A_C], c->cport,
				   c->a4[DPVS_CONN_A_V], c->vport);
	dpvs_conn_prefetch(ct, r->h_in[k]);
	if (dpvs_conn_has_out(c)) {
		r->h_out[k] = wk_conn_hash4(c->proto, c->a4[DPVS_CONN_A_D], c->dport,
					    c->a4[DPVS_CONN_A_L], c->lport);
		dpvs_conn_prefetch(ct, r->h_out[k]);
	}
	rte_prefetch0(&dpvs_conn_wheel(ct)[rb_wheel_slot(ct->wheel_tick, c->expires_ns, j)]);
}

/* The home bucket of hash h (prefetched RB_AHEAD / 2 entries before) is
 * full, or entries passed it: prefetch the bucket after it, where the
 * duplicate check's walk or the filing goes on. */
static inline void
rb_look_on(struct dpvs_conn_table *ct, uint32_t h)
{
	const struct dpvs_conn_bkt *k = wk_conn_home(ct, h), *bk = dpvs_conn_buckets(ct);

	if (k->ovf != 0 || k->ent[DPVS_CONN_BKT_SLOTS - 1] != DPVS_CONN_NIL)
		rte_prefetch0(k + 1 == bk + ct->nbuckets ? bk : k + 1);
}

/* RB_AHEAD / 2 entries ahead: prefetch the connection now at the head of
 * entry j's wheel slot (the filing links j before it). */
static inline void
rb_look_near(struct dpvs_conn_table *ct, const struct rb_ring *r, uint32_t j)
{
	const struct dpvs_conn *conns = dpvs_conn_array(ct);
	uint32_t head;

	if (!r->ok[j & (RB_AHEAD - 1)])
		return;
	head = dpvs_conn_wheel(ct)[rb_wheel_slot(ct->wheel_tick, conns[j].expires_ns, j)];
	if (head < ct->capacity)
		rte_prefetch0(&conns[head].tprev);
	rb_look_on(ct, r->h_in[j & (RB_AHEAD - 1)]);
	if (dpvs_conn_has_out(&conns[j]))
		rb_look_on(ct, r->h_out[j & (RB_AHEAD - 1)]);
}

/* Does live IPv4 connection c, whose tuples hash to h_in and h_out, repeat
 * a tuple already in the rebuilt index? (conn_duplicate without hashing
 * again.) */
static int
rb_duplicate4(struct dpvs_conn_table *ct, const struct dpvs_conn *c, uint32_t h_in,
	      uint32_t h_out)
{
	struct dpvs_ip s = dpvs_conn_ip(ct, c, DPVS_CONN_A_C),
		d = dpvs_conn_ip(ct, c, DPVS_CONN_A_V);
	int dir;

	if (wk_conn_lookup_inl(ct, h_in, c->proto, &s, c->cport, &d, c->vport, &dir) !=
	    DPVS_CONN_NIL)
		return 1;
	if (!dpvs_conn_has_out(c))
		return 0;
	s = dpvs_conn_ip(ct, c, DPVS_CONN_A_D);
	d = dpvs_conn_ip(ct, c, DPVS_CONN_A_L);
	return wk_conn_lookup_inl(ct, h_out, c->proto, &s, c->dport, &d, c->lport, &dir) !=
	       DPVS_CONN_NIL;
}

/* Every bucket empty (no signature, no overflow, every entry NIL), each
 * line written once. */
static void
rb_clear_index(struct dpvs_conn_table *ct)
{
	struct dpvs_conn_bkt *bk = dpvs_conn_buckets(ct), empty;
	uint32_t i;

	memset(&empty, 0, sizeof(empty));
	memset(empty.ent, 0xff, sizeof(empty.ent));
	for (i = 0; i < ct->nbuckets; i++)
		bk[i] = empty;
}

/* Slot i (from the top down): dropped if it cannot be trusted, else filed
 * (its keys, its timer, the half-open list: the slot order stands for the
 * age, the true order is lost; counted). */
static void
rb_slot(struct dpvs_conn_table *ct, const struct rb_ring *r, uint32_t i, uint64_t now_ns)
{
	struct dpvs_conn *c = &dpvs_conn_array(ct)[i];
	uint32_t k = i & (RB_AHEAD - 1);

	c->tprev = DPVS_CONN_NIL;
	c->onext = c->oprev = DPVS_CONN_NIL;
	if ((c->flags & DPVS_CONN_F_USED) != 0 &&
	    (!conn_sane(c, now_ns) || !sx_claim(ct, i) || !v6_claim(ct, i) ||
	     (r->ok[k] ? rb_duplicate4(ct, c, r->h_in[k], r->h_out[k]) : conn_duplicate(ct, c))))
		c->flags &= ~DPVS_CONN_F_USED;
	if ((c->flags & DPVS_CONN_F_USED) == 0) {
		c->sx_ref = 0;
		c->flags &= (uint8_t)~DPVS_CONN_F_SX;
		c->tnext = ct->free_head;
		ct->free_head = i;
		return;
	}
	sx_keep(ct, c);
	v6_keep(ct, c);
	if (r->ok[k])
		wk_conn_insert_hashed(ct, i, r->h_in[k], r->h_out[k]);
	else
		wk_conn_insert(ct, i, now_ns);
}

uint32_t
wk_conn_rebuild(struct dpvs_conn_table *ct, uint64_t now_ns)
{
	/* odd while the index is rebuilt (peers' misses do not count), even
	 * after, whatever a killed owner left */
	uint32_t i, seq = ct->shift_seq | 1u, cap = ct->capacity;
	struct rb_ring r;

	__atomic_store_n(&ct->shift_seq, seq, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	rb_clear_index(ct);
	wk_conn_timer_reset(ct, now_ns);
	sx_mark_unclaimed(ct);
	v6_mark_unclaimed(ct);
	ct->count = 0;
	ct->free_head = DPVS_CONN_NIL;
	ct->half_head = ct->half_tail = DPVS_CONN_NIL;
	/* from the top down so that the free list hands out low slots first;
	 * the look-ahead runs RB_AHEAD slots below */
	memset(&r, 0, sizeof(r));
	for (i = cap; i-- > 0 && i + RB_AHEAD > cap;)
		rb_look_far(ct, &r, i);
	for (i = cap; i-- > 0 && i + RB_AHEAD / 2 > cap;)
		rb_look_near(ct, &r, i);
	for (i = cap; i-- > 0;) {
		rb_slot(ct, &r, i, now_ns);
		/* the entry the look-ahead will read, both lines (the
		 * rebuild writes the second) */
		if (i >= RB_ENTRY_AHEAD) {
			rte_prefetch0(&dpvs_conn_array(ct)[i - RB_ENTRY_AHEAD]);
			rte_prefetch0(&dpvs_conn_array(ct)[i - RB_ENTRY_AHEAD].sx_ref);
		}
		/* into the ring place slot i just left */
		if (i >= RB_AHEAD)
			rb_look_far(ct, &r, i - RB_AHEAD);
		if (i >= RB_AHEAD / 2)
			rb_look_near(ct, &r, i - RB_AHEAD / 2);
	}
	sx_rebuild_free(ct);
	v6_rebuild_free(ct);
	__atomic_store_n(&ct->shift_seq, seq + 1u, __ATOMIC_RELEASE);
	return ct->count;
}
