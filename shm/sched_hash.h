/*
 * The flow hash of the hashing schedulers (mh, conhash), shared by the two
 * sides that must agree on it: dpvs-ctl's table builder
 * (ctl/daemon/sched_build.c) and the worker's schedulers (worker/ipvs/sched_mh.c,
 * worker/ipvs/sched_conhash.c). A flow from src:sport lands in bucket
 * dpvs_sched_hash_v4(...) % DPVS_SCHED_TABLE_SIZE of the service's table.
 *
 * Header-only (static inline, no DPDK, no state) so that both binaries
 * compile the same code and neither links the other.
 */
#ifndef DPVS_SHM_SCHED_HASH_H
#define DPVS_SHM_SCHED_HASH_H

#include <stdint.h>

#include "shm/lb_hash.h"

/* One 32-bit word into a running hash (murmur3-style round). */
static inline uint32_t
dpvs_sched_mix(uint32_t h, uint32_t k)
{
	k *= 0xcc9e2d51u;
	k = (k << 15) | (k >> 17);
	k *= 0x1b873593u;
	h ^= k;
	h = (h << 13) | (h >> 19);
	return h * 5u + 0xe6546b64u;
}

/* The hash of a packet from src_be:sport_be (both network order, hashed as
 * the bytes on the wire read into a host integer, which is the same in both
 * processes). sport_be is ignored unless with_port (DPVS_SVC_F_HASHED). */
static inline uint32_t
dpvs_sched_hash_v4(uint32_t src_be, uint16_t sport_be, int with_port)
{
	uint32_t h = dpvs_sched_mix(0x5bd1e995u, src_be);

	if (with_port)
		h = dpvs_sched_mix(h, sport_be);
	return dpvs_hash_mix32(h ^ (with_port ? 6u : 4u));
}

#endif
