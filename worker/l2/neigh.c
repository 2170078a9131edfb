/*
 * The worker's neighbour table (see neigh.h): open addressing with linear
 * probing over DPVS_NEIGH_SLOTS entries of the worker's shm region. There is
 * no deletion yet, so a free slot ends every probe. Touches only the region
 * passed in.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>

#include "worker/l2/neigh.h"

_Static_assert((DPVS_NEIGH_SLOTS & (DPVS_NEIGH_SLOTS - 1)) == 0,
	       "DPVS_NEIGH_SLOTS must be a power of two");

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
	return h ^ (h >> 15);
}

static int
neigh_match(const struct dpvs_neigh *e, uint16_t port, const struct dpvs_ip *ip)
{
	return e->port == port && e->ip.family == ip->family &&
	       memcmp(e->ip.bytes, ip->bytes, sizeof(ip->bytes)) == 0;
}

static uint8_t
neigh_state(const struct dpvs_neigh *e)
{
	return __atomic_load_n(&e->state, __ATOMIC_ACQUIRE);
}

void
wk_ip_from_v4(struct dpvs_ip *ip, uint32_t addr_be)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = DPVS_AF_INET;
	memcpy(ip->bytes, &addr_be, sizeof(addr_be));
}

int
wk_neigh_learn(struct dpvs_worker_region *wr, uint16_t port, const struct dpvs_ip *ip,
	       const uint8_t mac[DPVS_ETHER_LEN], uint64_t now_ns)
{
	uint32_t i, idx = neigh_hash(port, ip) & (DPVS_NEIGH_SLOTS - 1);
	struct dpvs_neigh *e;

	for (i = 0; i < DPVS_NEIGH_SLOTS; i++, idx = (idx + 1) & (DPVS_NEIGH_SLOTS - 1)) {
		e = &wr->neigh[idx];
		if (neigh_state(e) == DPVS_NEIGH_FREE) {
			e->ip = *ip;
			e->port = port;
			memcpy(e->mac, mac, DPVS_ETHER_LEN);
			e->updated_ns = now_ns;
			__atomic_store_n(&e->state, (uint8_t)DPVS_NEIGH_REACHABLE,
					 __ATOMIC_RELEASE);
			wr->neigh_count++;
			return WK_NEIGH_NEW;
		}
		if (neigh_match(e, port, ip)) {
			if (e->state != DPVS_NEIGH_STATIC)
				memcpy(e->mac, mac, DPVS_ETHER_LEN);
			e->updated_ns = now_ns;
			return WK_NEIGH_UPDATED;
		}
	}
	return -ENOSPC;
}

const struct dpvs_neigh *
wk_neigh_lookup(const struct dpvs_worker_region *wr, uint16_t port, const struct dpvs_ip *ip)
{
	uint32_t i, idx = neigh_hash(port, ip) & (DPVS_NEIGH_SLOTS - 1);
	const struct dpvs_neigh *e;

	for (i = 0; i < DPVS_NEIGH_SLOTS; i++, idx = (idx + 1) & (DPVS_NEIGH_SLOTS - 1)) {
		e = &wr->neigh[idx];
		if (neigh_state(e) == DPVS_NEIGH_FREE)
			return NULL;
		if (neigh_match(e, port, ip))
			return e;
	}
	return NULL;
}

uint32_t
wk_neigh_recount(struct dpvs_worker_region *wr)
{
	uint32_t i, n = 0;

	for (i = 0; i < DPVS_NEIGH_SLOTS; i++)
		if (wr->neigh[i].state != DPVS_NEIGH_FREE)
			n++;
	wr->neigh_count = n;
	return n;
}
