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

#include "shm/shm.h"
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

uint32_t
wk_conn_rebuild(struct dpvs_conn_table *ct, uint64_t now_ns)
{
	struct dpvs_conn *conns = dpvs_conn_array(ct);
	struct dpvs_conn_bkt *bk = dpvs_conn_buckets(ct);
	/* odd while the index is rebuilt (peers' misses do not count), even
	 * after, whatever a killed owner left */
	uint32_t i, seq = ct->shift_seq | 1u;

	__atomic_store_n(&ct->shift_seq, seq, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memset(bk, 0, (size_t)ct->nbuckets * sizeof(*bk));
	for (i = 0; i < ct->nbuckets; i++)
		memset(bk[i].ent, 0xff, sizeof(bk[i].ent));
	wk_conn_timer_reset(ct, now_ns);
	sx_mark_unclaimed(ct);
	v6_mark_unclaimed(ct);
	ct->count = 0;
	ct->free_head = DPVS_CONN_NIL;
	ct->half_head = ct->half_tail = DPVS_CONN_NIL;
	/* from the top down so that the free list hands out low slots first */
	for (i = ct->capacity; i-- > 0;) {
		struct dpvs_conn *c = &conns[i];

		c->tprev = DPVS_CONN_NIL;
		c->onext = c->oprev = DPVS_CONN_NIL;
		if ((c->flags & DPVS_CONN_F_USED) != 0 &&
		    (!conn_sane(c, now_ns) || !sx_claim(ct, i) || !v6_claim(ct, i) ||
		     conn_duplicate(ct, c)))
			c->flags &= ~DPVS_CONN_F_USED;
		if ((c->flags & DPVS_CONN_F_USED) == 0) {
			c->sx_ref = 0;
			c->flags &= (uint8_t)~DPVS_CONN_F_SX;
			c->tnext = ct->free_head;
			ct->free_head = i;
			continue;
		}
		sx_keep(ct, c);
		v6_keep(ct, c);
		/* its keys, its timer, the half-open list (the slot order
		 * stands for the age: the true order is lost); counted */
		wk_conn_insert(ct, i, now_ns);
	}
	sx_rebuild_free(ct);
	v6_rebuild_free(ct);
	__atomic_store_n(&ct->shift_seq, seq + 1u, __ATOMIC_RELEASE);
	return ct->count;
}
