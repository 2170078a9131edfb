/*
 * The lookup tables of the hashing schedulers, built by dpvs-ctl (see
 * sched_build.h): the service's table of the pool (dpvs_lb_sched_table),
 * bucket -> position in the service's dest list, for a service whose
 * scheduler is mh or conhash. The workers only read the table
 * (worker/ipvs/sched_mh.c, worker/ipvs/sched_conhash.c) at bucket
 * dpvs_sched_hash(flow) % DPVS_SCHED_TABLE_SIZE (shm/sched_hash.h).
 *
 *   mh       Maglev (Eisenbud et al., NSDI 2016): dest i's permutation of the
 *            buckets is offset_i + j * skip_i (mod the prime table size), with
 *            offset and skip from two differently seeded hashes of the dest's
 *            address and port. Dests take turns claiming the next free bucket
 *            of their permutation; the turns follow the weights (smooth
 *            weighted round robin: after any number of turns each dest has
 *            had its weighted share within one), so each dest ends with
 *            about weight / total of the buckets.
 *   conhash  160 * weight / max weight (rounded up) virtual nodes per dest,
 *            hashed from address, port and replica number onto a 32-bit ring
 *            and sorted; bucket b belongs to the first node at or after
 *            b * 2^32 / DPVS_SCHED_TABLE_SIZE (wrapping round).
 *
 * Only dests with weight > 0 are placed. Both tables depend only on the
 * dests' addresses, ports and weights (and their order in the service's list
 * for mh turns), so every node with the same config builds the same table.
 * Plain memory, no DPDK; writes only the service's table of the pool.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sched_build.h"

#define MH_SEED_OFFSET   0x2545f491u
#define MH_SEED_SKIP     0x9e3779b9u
#define RING_SEED        0x68e31da4u
#define RING_NODES       160u       /* virtual nodes of the heaviest dest */

/* A live dest of the service with weight > 0, and its list position. */
struct sb_dest {
	uint16_t pos;
	const struct dpvs_dest *d;
};

struct ring_node {
	uint32_t hash;
	uint16_t pos;
	uint16_t pad;
};

/* A hash of a dest's address (family and all 16 bytes) and port, seeded,
 * with an extra word (the replica number of a conhash virtual node). */
static uint32_t
dest_hash(const struct dpvs_dest *d, uint32_t seed, uint32_t extra)
{
	uint32_t h = dpvs_sched_mix(seed, d->addr.family), w;
	unsigned int i;

	for (i = 0; i < sizeof(d->addr.bytes); i += 4) {
		memcpy(&w, &d->addr.bytes[i], sizeof(w));
		h = dpvs_sched_mix(h, w);
	}
	h = dpvs_sched_mix(h, d->port);
	h = dpvs_sched_mix(h, extra);
	return dpvs_hash_mix32(h);
}

/* The service's dests that can take flows, in list order; returns the count. */
static unsigned int
collect_dests(const struct dpvs_lb_tables *lb, uint16_t svc, struct sb_dest *out)
{
	const struct dpvs_service *s = dpvs_lb_svc(lb, svc);
	const uint32_t *dl = dpvs_lb_svc_dests(lb, svc);
	const struct dpvs_dest *dests = dpvs_lb_dests(lb);
	unsigned int i, n = 0, nd = s->ndests;

	if (nd > lb->caps.svc_dests)
		nd = lb->caps.svc_dests;
	for (i = 0; i < nd; i++) {
		uint32_t slot = dl[i];

		if (slot >= lb->caps.dests || dests[slot].id == 0 || dests[slot].weight <= 0)
			continue;
		out[n].pos = (uint16_t)i;
		out[n].d = &dests[slot];
		n++;
	}
	return n;
}

/* Maglev population with weighted turns; tbl is all DPVS_SLOT_NONE. */
static void
build_mh(uint16_t *tbl, const struct sb_dest *ds, unsigned int n)
{
	uint32_t *pos = malloc(n * sizeof(*pos)), *skip = malloc(n * sizeof(*skip));
	int64_t *cur = malloc(n * sizeof(*cur)), total = 0;
	unsigned int i, filled;

	if (pos == NULL || skip == NULL || cur == NULL)
		goto out;

	for (i = 0; i < n; i++) {
		pos[i] = dest_hash(ds[i].d, MH_SEED_OFFSET, 0) % DPVS_SCHED_TABLE_SIZE;
		skip[i] = dest_hash(ds[i].d, MH_SEED_SKIP, 0) % (DPVS_SCHED_TABLE_SIZE - 1) + 1;
		cur[i] = 0;
		total += ds[i].d->weight;
	}
	for (filled = 0; filled < DPVS_SCHED_TABLE_SIZE; filled++) {
		unsigned int best = 0;

		/* whose turn: smooth weighted round robin */
		for (i = 0; i < n; i++) {
			cur[i] += ds[i].d->weight;
			if (cur[i] > cur[best])
				best = i;
		}
		cur[best] -= total;
		/* the next free bucket of best's permutation (one exists: the
		 * table is not full and the permutation visits every bucket) */
		while (tbl[pos[best]] != DPVS_SLOT_NONE) {
			pos[best] += skip[best];
			if (pos[best] >= DPVS_SCHED_TABLE_SIZE)
				pos[best] -= DPVS_SCHED_TABLE_SIZE;
		}
		tbl[pos[best]] = ds[best].pos;
	}
out:
	free(pos);
	free(skip);
	free(cur);
}

static int
ring_cmp(const void *a, const void *b)
{
	const struct ring_node *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return (int)x->pos - (int)y->pos;
}

/* Consistent-hash ring sampled at every bucket. */
static void
build_conhash(uint16_t *tbl, const struct sb_dest *ds, unsigned int n)
{
	size_t max_nodes = (size_t)RING_NODES * n;
	struct ring_node *nodes = malloc(max_nodes * sizeof(*nodes));
	unsigned int i, r, nn = 0, k = 0;
	uint64_t maxw = 0;
	uint32_t b;

	if (nodes == NULL)
		return;

	for (i = 0; i < n; i++)
		if ((uint64_t)ds[i].d->weight > maxw)
			maxw = (uint64_t)ds[i].d->weight;
	for (i = 0; i < n; i++) {
		uint64_t vn = (RING_NODES * (uint64_t)ds[i].d->weight + maxw - 1) / maxw;

		for (r = 0; r < vn && nn < max_nodes; r++) {
			nodes[nn].hash = dest_hash(ds[i].d, RING_SEED, r);
			nodes[nn].pos = ds[i].pos;
			nodes[nn].pad = 0;
			nn++;
		}
	}
	qsort(nodes, nn, sizeof(nodes[0]), ring_cmp);
	for (b = 0; b < DPVS_SCHED_TABLE_SIZE; b++) {
		uint32_t point = (uint32_t)(((uint64_t)b << 32) / DPVS_SCHED_TABLE_SIZE);

		while (k < nn && nodes[k].hash < point)
			k++;
		tbl[b] = nodes[k < nn ? k : 0].pos;
	}
	free(nodes);
}

void
ctl_sched_build(struct dpvs_lb_tables *lb, uint16_t svc)
{
	const struct dpvs_service *s;
	struct sb_dest *ds;
	uint16_t *tbl;
	unsigned int b, n;

	if (svc >= lb->caps.services)
		return;
	s = dpvs_lb_svc(lb, svc);
	if (s->sched_tbl >= lb->caps.sched_tables)
		return;
	tbl = dpvs_lb_sched_table(lb, s->sched_tbl);
	for (b = 0; b < DPVS_SCHED_TABLE_SIZE; b++)
		tbl[b] = DPVS_SLOT_NONE;
	if (s->id == 0 || s->ndests == 0)
		return;
	ds = malloc((size_t)s->ndests * sizeof(*ds));
	if (ds == NULL)
		return;
	n = collect_dests(lb, svc, ds);
	if (n == 0) {
		free(ds);
		return;
	}
	if (s->sched_id == DPVS_SCHED_MH)
		build_mh(tbl, ds, n);
	else if (s->sched_id == DPVS_SCHED_CONHASH)
		build_conhash(tbl, ds, n);
	free(ds);
}
