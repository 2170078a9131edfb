/*
 * The worker's neighbour table (see neigh.h): open addressing with linear
 * probing over DPVS_NEIGH_SLOTS entries of the worker's shm region, with
 * deletion by shifting back (so a FREE slot ends every probe sequence), and
 * the repair a successor runs at start. Touches only the region passed in.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>

#include "shm/lb_hash.h"
#include "worker/l2/neigh.h"

_Static_assert((DPVS_NEIGH_SLOTS & (DPVS_NEIGH_SLOTS - 1)) == 0,
	       "DPVS_NEIGH_SLOTS must be a power of two");

#define SLOT_MASK (DPVS_NEIGH_SLOTS - 1)
/* Rounds of the repair at most (each round fixes every entry it can). */
#define REBUILD_ROUNDS 64

static uint32_t
neigh_hash(uint16_t port, const struct dpvs_ip *ip)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	unsigned int i, n = ip->family == DPVS_AF_INET ? 4 : 16;

	h = (h ^ ip->family) * 16777619u;
	h = (h ^ (port & 0xff)) * 16777619u;
	h = (h ^ (port >> 8)) * 16777619u;
	for (i = 0; i < n; i++)
		h = (h ^ ip->bytes[i]) * 16777619u;
	return (h ^ (h >> 15)) & SLOT_MASK;
}

static int
neigh_match(const struct dpvs_neigh *e, uint16_t port, const struct dpvs_ip *ip)
{
	return e->port == port && dpvs_ip_equal(&e->ip, ip);
}

static uint8_t
neigh_state(const struct dpvs_neigh *e)
{
	return __atomic_load_n(&e->state, __ATOMIC_ACQUIRE);
}

static void
neigh_publish(struct dpvs_neigh *e, uint8_t state)
{
	__atomic_store_n(&e->state, state, __ATOMIC_RELEASE);
}

void
wk_ip_from_v6(struct dpvs_ip *ip, const uint8_t a[16])
{
	memset(ip, 0, sizeof(*ip));
	ip->family = DPVS_AF_INET6;
	memcpy(ip->bytes, a, 16);
}

/* The slot of (port, ip), or the FREE slot that ends its probe sequence
 * (NULL if the table has neither: full, or a garbled probe sequence). */
static uint32_t
neigh_probe(const struct dpvs_worker_region *wr, uint16_t port, const struct dpvs_ip *ip)
{
	uint32_t i, idx = neigh_hash(port, ip);
	const struct dpvs_neigh *e;

	for (i = 0; i < DPVS_NEIGH_SLOTS; i++, idx = (idx + 1) & SLOT_MASK) {
		e = &wr->neigh[idx];
		if (neigh_state(e) == DPVS_NEIGH_FREE || neigh_match(e, port, ip))
			return idx;
	}
	return DPVS_NEIGH_SLOTS;
}

const struct dpvs_neigh *
wk_neigh_find(const struct dpvs_worker_region *wr, uint16_t port, const struct dpvs_ip *ip)
{
	uint32_t idx = neigh_probe(wr, port, ip);

	if (idx >= DPVS_NEIGH_SLOTS || neigh_state(&wr->neigh[idx]) == DPVS_NEIGH_FREE)
		return NULL;
	return &wr->neigh[idx];
}

struct dpvs_neigh *
wk_neigh_lookup(struct dpvs_worker_region *wr, uint16_t port, const struct dpvs_ip *ip)
{
	return (struct dpvs_neigh *)(uintptr_t)wk_neigh_find(wr, port, ip);
}

struct dpvs_neigh *
wk_neigh_create(struct dpvs_worker_region *wr, uint16_t port, const struct dpvs_ip *ip,
		uint8_t flags, uint64_t timer_ns, uint64_t now_ns)
{
	uint32_t idx;
	struct dpvs_neigh *e;

	if (wr->neigh_count >= WK_NEIGH_MAX)
		return NULL;
	idx = neigh_probe(wr, port, ip);
	if (idx >= DPVS_NEIGH_SLOTS || neigh_state(&wr->neigh[idx]) != DPVS_NEIGH_FREE)
		return NULL;
	e = &wr->neigh[idx];
	memset(e, 0, sizeof(*e)); /* state stays FREE */
	e->ip.family = ip->family;
	memcpy(e->ip.bytes, ip->bytes, ip->family == DPVS_AF_INET ? 4 : sizeof(ip->bytes));
	e->port = port;
	e->flags = flags;
	e->confirmed_ns = now_ns;
	e->timer_ns = timer_ns;
	neigh_publish(e, DPVS_NEIGH_INCOMPLETE);
	wr->neigh_count++;
	return e;
}

/* Is h cyclically in (i, j]? */
static int
cyc_between(uint32_t i, uint32_t h, uint32_t j)
{
	return i <= j ? (i < h && h <= j) : (i < h || h <= j);
}

/* Copy live entry src into the FREE slot dst, publishing it last. */
static void
neigh_copy(struct dpvs_neigh *dst, const struct dpvs_neigh *src)
{
	struct dpvs_neigh tmp = *src;

	tmp.state = DPVS_NEIGH_FREE;
	*dst = tmp;
	neigh_publish(dst, src->state);
}

void
wk_neigh_delete(struct dpvs_worker_region *wr, struct dpvs_neigh *e)
{
	uint32_t i = (uint32_t)(e - wr->neigh), j, n;
	struct dpvs_neigh *f;

	if (i >= DPVS_NEIGH_SLOTS || neigh_state(e) == DPVS_NEIGH_FREE)
		return;
	neigh_publish(e, DPVS_NEIGH_FREE);
	if (wr->neigh_count > 0)
		wr->neigh_count--;
	/* Shift back every entry after the hole that its probe sequence
	 * reaches through the hole: copy (published), then free the old slot.
	 * A death in between leaves a duplicate or an unreachable entry,
	 * both repaired by wk_neigh_rebuild. */
	for (j = (i + 1) & SLOT_MASK, n = 0; n < DPVS_NEIGH_SLOTS; j = (j + 1) & SLOT_MASK, n++) {
		f = &wr->neigh[j];
		if (neigh_state(f) == DPVS_NEIGH_FREE)
			return;
		if (cyc_between(i, neigh_hash(f->port, &f->ip), j))
			continue;
		neigh_copy(&wr->neigh[i], f);
		neigh_publish(f, DPVS_NEIGH_FREE);
		i = j;
	}
}

/* A live entry with a state, family or port no worker writes: freed. */
static int
neigh_sane(const struct dpvs_neigh *e)
{
	static const uint8_t zero[12];

	if (e->state >= DPVS_NEIGH_STATE_MAX || e->port >= DPVS_MAX_IFACES)
		return 0;
	if (e->ip.family == DPVS_AF_INET)
		return memcmp(e->ip.bytes + 4, zero, sizeof(zero)) == 0;
	return e->ip.family == DPVS_AF_INET6;
}

/* One round of the repair: every live entry must be the first slot of its
 * key in its probe sequence. Returns the number of entries moved or freed. */
static uint32_t
rebuild_round(struct dpvs_worker_region *wr)
{
	uint32_t s, f, fixed = 0;
	struct dpvs_neigh *e;

	for (s = 0; s < DPVS_NEIGH_SLOTS; s++) {
		e = &wr->neigh[s];
		if (e->state == DPVS_NEIGH_FREE)
			continue;
		f = neigh_probe(wr, e->port, &e->ip);
		if (f == s || f >= DPVS_NEIGH_SLOTS)
			continue;
		if (wr->neigh[f].state == DPVS_NEIGH_FREE)
			neigh_copy(&wr->neigh[f], e); /* unreachable: move it up */
		neigh_publish(e, DPVS_NEIGH_FREE);   /* moved, or a duplicate */
		fixed++;
	}
	return fixed;
}

/* A live entry's timer, bounded to what the state machine ever sets: a
 * missing one would stop the entry's state machine for good. */
static void
rebuild_timer(struct dpvs_neigh *e, uint64_t now_ns)
{
	if (e->timer_ns == 0 || e->timer_ns > now_ns + WK_NEIGH_GC_STALE_NS)
		e->timer_ns = now_ns;
}

uint32_t
wk_neigh_rebuild(struct dpvs_worker_region *wr, uint64_t now_ns)
{
	uint32_t i, n = 0, round;

	for (i = 0; i < DPVS_NEIGH_SLOTS; i++)
		if (wr->neigh[i].state != DPVS_NEIGH_FREE && !neigh_sane(&wr->neigh[i]))
			neigh_publish(&wr->neigh[i], DPVS_NEIGH_FREE);
	for (round = 0; round < REBUILD_ROUNDS; round++)
		if (rebuild_round(wr) == 0)
			break;
	for (i = 0; i < DPVS_NEIGH_SLOTS; i++) {
		if (wr->neigh[i].state == DPVS_NEIGH_FREE)
			continue;
		rebuild_timer(&wr->neigh[i], now_ns);
		n++;
	}
	wr->neigh_count = n;
	return n;
}
