/*
 * The connection table of one worker (worker/ipvs/conn.h, layout in shm/conn.h):
 * the hash index in both directions, slot allocation, insertion, removal and
 * the rebuild of every derived part from the array.
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
#include <rte_hash_crc.h>
#include <rte_prefetch.h>

#include "shm/shm.h"
#include "worker/ipvs/conn_table.h"
#include "worker/ipvs/conn_priv.h"

/* A connection whose timer lies further out than this is insane: rebuild
 * drops it rather than keep an immortal entry (timeouts are at most days). */
#define CONN_MAX_LIFETIME_NS (30ull * 86400ull * 1000000000ull)

static inline uint32_t
conn_hash(uint8_t proto, const struct dpvs_ip *src, uint16_t sport,
	  const struct dpvs_ip *dst, uint16_t dport)
{
	uint32_t h = proto, a, b;
	uint64_t w[4];

	if (likely(src->family == DPVS_AF_INET)) {
		memcpy(&a, src->bytes, 4);
		memcpy(&b, dst->bytes, 4);
		h = rte_hash_crc_8byte((uint64_t)a << 32 | b, h);
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

static inline int
ip_eq(const struct dpvs_ip *a, const struct dpvs_ip *b)
{
	if (a->family != b->family)
		return 0;
	if (a->family == DPVS_AF_INET)
		return memcmp(a->bytes, b->bytes, 4) == 0;
	return memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

/* Does connection c match the packet tuple in direction dir? */
static inline int
conn_match(const struct dpvs_conn *c, int dir, uint8_t proto, const struct dpvs_ip *src,
	   uint16_t sport, const struct dpvs_ip *dst, uint16_t dport)
{
	if (c->proto != proto)
		return 0;
	if (dir == DPVS_DIR_IN)
		return c->cport == sport && c->vport == dport && ip_eq(&c->caddr, src) &&
		       ip_eq(&c->vaddr, dst);
	return c->dport == sport && c->lport == dport && ip_eq(&c->daddr, src) &&
	       ip_eq(&c->laddr, dst);
}

/* The hash of connection c's own tuple in direction dir. */
static uint32_t
conn_hash_dir(const struct dpvs_conn *c, int dir)
{
	if (dir == DPVS_DIR_IN)
		return conn_hash(c->proto, &c->caddr, c->cport, &c->vaddr, c->vport);
	return conn_hash(c->proto, &c->daddr, c->dport, &c->laddr, c->lport);
}

static inline int
conn_has_out(const struct dpvs_conn *c)
{
	return c->laddr.family != DPVS_AF_NONE;
}

uint32_t
wk_conn_lookup(struct dpvs_conn_table *ct, uint8_t proto, const struct dpvs_ip *src,
	       uint16_t sport, const struct dpvs_ip *dst, uint16_t dport, int *dir)
{
	const struct dpvs_conn *conns = dpvs_conn_array(ct);
	const uint32_t *buckets = dpvs_conn_buckets(ct);
	uint32_t h = conn_hash(proto, src, sport, dst, dport);
	uint32_t e = buckets[h & (ct->nbuckets - 1)];
	uint32_t guard = ct->capacity * 2u;

	while (e != DPVS_CONN_NIL && guard-- != 0) {
		const struct dpvs_conn *c = &conns[e >> 1];
		int d = (int)(e & 1u);

		if (conn_match(c, d, proto, src, sport, dst, dport)) {
			*dir = d;
			return e >> 1;
		}
		e = c->hnext[d];
	}
	return DPVS_CONN_NIL;
}

/*
 * A peer's table, read while its owner may be writing it: every link is
 * loaded once (relaxed atomics) and checked against the capacity, the walk
 * is bounded, and a candidate counts only if it is live (USED, acquire)
 * and its tuple matches. A chain cut by a concurrent unlink (the owner sets
 * the unlinked entry's link to NIL right after bypassing it) or a reused
 * slot can make this miss a connection that exists: a false miss, possible
 * only while the owner changes that very chain. A hit on a slot being freed
 * names the right owner for a packet that then finds nothing there.
 */
#define CONN_PEER_STEPS 64

int
wk_conn_peer_has(const struct dpvs_conn_table *ct, uint8_t proto, const struct dpvs_ip *src,
		 uint16_t sport, const struct dpvs_ip *dst, uint16_t dport)
{
	const struct dpvs_conn *conns =
		(const struct dpvs_conn *)((const char *)ct + ct->conns_off);
	const uint32_t *buckets = (const uint32_t *)(const void *)((const char *)ct +
								    ct->buckets_off);
	uint32_t h = conn_hash(proto, src, sport, dst, dport), cap = ct->capacity;
	uint32_t e = __atomic_load_n(&buckets[h & (ct->nbuckets - 1)], __ATOMIC_ACQUIRE);
	unsigned int n;

	for (n = 0; n < CONN_PEER_STEPS && e != DPVS_CONN_NIL && (e >> 1) < cap; n++) {
		const struct dpvs_conn *c = &conns[e >> 1];
		int d = (int)(e & 1u);

		if ((__atomic_load_n(&c->flags, __ATOMIC_ACQUIRE) & DPVS_CONN_F_USED) != 0 &&
		    conn_match(c, d, proto, src, sport, dst, dport))
			return 1;
		e = __atomic_load_n(&c->hnext[d], __ATOMIC_RELAXED);
	}
	return 0;
}

/* The half-open list: oprev is DPVS_CONN_NIL off the list, HALF_FIRST for
 * its first entry. */
#define HALF_FIRST 0xfffffffeu

static void
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

static void
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

uint32_t
wk_conn_evict_pick(struct dpvs_conn_table *ct)
{
	struct dpvs_conn *conns = dpvs_conn_array(ct);
	unsigned int n;
	uint32_t idx;

	for (n = 0; n < WK_CONN_EVICT_STEPS && (idx = ct->half_head) != DPVS_CONN_NIL; n++) {
		half_unlink(ct, idx);
		if ((conns[idx].flags & DPVS_CONN_F_USED) != 0 && wk_conn_half_open(&conns[idx]))
			return idx;
	}
	return DPVS_CONN_NIL;
}

uint32_t
wk_conn_alloc(struct dpvs_conn_table *ct)
{
	struct dpvs_conn *c;
	uint32_t idx = ct->free_head;

	if (idx == DPVS_CONN_NIL)
		return DPVS_CONN_NIL;
	c = &dpvs_conn_array(ct)[idx];
	ct->free_head = c->tnext;
	memset(c, 0, sizeof(*c));
	c->hnext[0] = c->hnext[1] = DPVS_CONN_NIL;
	c->tnext = c->tprev = DPVS_CONN_NIL;
	c->onext = c->oprev = DPVS_CONN_NIL;
	return idx;
}

static void
hash_link(struct dpvs_conn_table *ct, uint32_t idx, int dir)
{
	struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];
	uint32_t *head = &dpvs_conn_buckets(ct)[conn_hash_dir(c, dir) & (ct->nbuckets - 1)];

	c->hnext[dir] = *head;
	*head = idx << 1 | (uint32_t)dir;
}

static void
hash_unlink(struct dpvs_conn_table *ct, uint32_t idx, int dir)
{
	struct dpvs_conn *conns = dpvs_conn_array(ct);
	struct dpvs_conn *c = &conns[idx];
	uint32_t *link = &dpvs_conn_buckets(ct)[conn_hash_dir(c, dir) & (ct->nbuckets - 1)];
	uint32_t want = idx << 1 | (uint32_t)dir, guard = ct->capacity * 2u;

	while (*link != DPVS_CONN_NIL && guard-- != 0) {
		if (*link == want) {
			*link = c->hnext[dir];
			c->hnext[dir] = DPVS_CONN_NIL;
			return;
		}
		link = &conns[*link >> 1].hnext[*link & 1u];
	}
}

void
wk_conn_insert(struct dpvs_conn_table *ct, uint32_t idx, uint64_t now_ns)
{
	struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];

	RTE_SET_USED(now_ns);
	hash_link(ct, idx, DPVS_DIR_IN);
	if (conn_has_out(c))
		hash_link(ct, idx, DPVS_DIR_OUT);
	else
		c->hnext[DPVS_DIR_OUT] = DPVS_CONN_NIL;
	c->tnext = c->tprev = DPVS_CONN_NIL;
	wk_conn_timer_arm(ct, idx);
	c->onext = c->oprev = DPVS_CONN_NIL;
	if (wk_conn_half_open(c))
		half_link(ct, idx);
	ct->count++;
	/* live only now, with everything in place */
	__atomic_store_n(&c->flags, c->flags | DPVS_CONN_F_USED, __ATOMIC_RELEASE);
}

void
wk_conn_free(struct dpvs_conn_table *ct, uint32_t idx)
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
	half_unlink(ct, idx);
	c->tnext = ct->free_head;
	ct->free_head = idx;
	ct->count--;
}

static int
ip_sane(const struct dpvs_ip *ip)
{
	return ip->family == DPVS_AF_INET || ip->family == DPVS_AF_INET6;
}

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
	if (!ip_sane(&c->caddr) || c->vaddr.family != c->caddr.family ||
	    !ip_sane(&c->daddr))
		return 0;
	if (c->laddr.family != DPVS_AF_NONE && c->laddr.family != c->daddr.family)
		return 0;
	/* fnat, nat and snat always have an outbound key (shm/conn.h), dr and
	 * tunnel never; a service, a dest and a local port are never port 0 (a
	 * client's UDP source port may be: nat's lport is the client's). Both
	 * also catch a slot that was marked USED before it was completely
	 * filled. */
	if ((c->laddr.family == DPVS_AF_NONE) !=
	    (c->fwd_mode == DPVS_FWD_DR || c->fwd_mode == DPVS_FWD_TUNNEL))
		return 0;
	if (c->vport == 0 || c->dport == 0 ||
	    (c->laddr.family != DPVS_AF_NONE && c->lport == 0 && c->fwd_mode != DPVS_FWD_NAT))
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
	int dir;

	if (wk_conn_lookup(ct, c->proto, &c->caddr, c->cport, &c->vaddr, c->vport, &dir) !=
	    DPVS_CONN_NIL)
		return 1;
	return conn_has_out(c) && wk_conn_lookup(ct, c->proto, &c->daddr, c->dport, &c->laddr,
						 c->lport, &dir) != DPVS_CONN_NIL;
}

uint32_t
wk_conn_rebuild(struct dpvs_conn_table *ct, uint64_t now_ns)
{
	struct dpvs_conn *conns = dpvs_conn_array(ct);
	uint32_t *buckets = dpvs_conn_buckets(ct);
	uint32_t i, n = 0;

	for (i = 0; i < ct->nbuckets; i++)
		buckets[i] = DPVS_CONN_NIL;
	wk_conn_timer_reset(ct, now_ns);
	ct->count = 0;
	ct->free_head = DPVS_CONN_NIL;
	ct->half_head = ct->half_tail = DPVS_CONN_NIL;
	/* from the top down so that the free list hands out low slots first */
	for (i = ct->capacity; i-- > 0;) {
		struct dpvs_conn *c = &conns[i];

		c->hnext[0] = c->hnext[1] = DPVS_CONN_NIL;
		c->tprev = DPVS_CONN_NIL;
		c->onext = c->oprev = DPVS_CONN_NIL;
		if ((c->flags & DPVS_CONN_F_USED) != 0 &&
		    (!conn_sane(c, now_ns) || conn_duplicate(ct, c)))
			c->flags &= ~DPVS_CONN_F_USED;
		if ((c->flags & DPVS_CONN_F_USED) == 0) {
			c->tnext = ct->free_head;
			ct->free_head = i;
			continue;
		}
		c->tnext = DPVS_CONN_NIL;
		hash_link(ct, i, DPVS_DIR_IN);
		if (conn_has_out(c))
			hash_link(ct, i, DPVS_DIR_OUT);
		wk_conn_timer_arm(ct, i);
		/* the slot order stands for the age (the true order is lost) */
		if (wk_conn_half_open(c))
			half_link(ct, i);
		n++;
	}
	ct->count = n;
	return n;
}

/*
 * Prefetch for the burst stage (worker/l2/rx.c), kept apart from the table
 * code above on purpose: wk_conn_prefetch_bucket computes the hash that
 * wk_conn_lookup() will compute for an IPv4 tuple and prefetches the bucket
 * it reads first; wk_conn_prefetch_entry, given that hash later (when the
 * bucket has arrived), prefetches the first connection of its chain.
 * Nothing is written. When the index changes layout, these two are the
 * functions to follow it.
 */
uint32_t
wk_conn_prefetch_bucket(struct dpvs_conn_table *ct, uint8_t proto, uint32_t src_be,
			uint16_t sport, uint32_t dst_be, uint16_t dport)
{
	struct dpvs_ip s = { .family = DPVS_AF_INET }, d = { .family = DPVS_AF_INET };
	uint32_t h;

	memcpy(s.bytes, &src_be, sizeof(src_be));
	memcpy(d.bytes, &dst_be, sizeof(dst_be));
	h = conn_hash(proto, &s, sport, &d, dport);
	rte_prefetch0(&dpvs_conn_buckets(ct)[h & (ct->nbuckets - 1)]);
	return h;
}

void
wk_conn_prefetch_entry(struct dpvs_conn_table *ct, uint32_t h)
{
	uint32_t e = dpvs_conn_buckets(ct)[h & (ct->nbuckets - 1)];

	if (e != DPVS_CONN_NIL && (e >> 1) < ct->capacity)
		rte_prefetch0(&dpvs_conn_array(ct)[e >> 1]);
}
