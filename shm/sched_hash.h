/*
 * The flow hash of the hashing schedulers (mh, conhash), shared by the two
 * sides that must agree on it: dpvs-ctl's table builder
 * (ctl/daemon/sched_build.c) and the worker's schedulers (worker/ipvs/sched_mh.c,
 * worker/ipvs/sched_conhash.c). A flow from src:sport lands in bucket
 * dpvs_sched_hash(src, ...) % DPVS_SCHED_TABLE_SIZE of the service's table:
 * dpvs_sched_hash_v4() for an IPv4 source, dpvs_sched_hash_v6() (all 128
 * bits) for an IPv6 one. A service's dests may be of either family (an IPv6
 * VIP with IPv4 real servers); the hash is of the client's source, so the
 * table does not care.
 *
 * Header-only (static inline, no DPDK, no state) so that both binaries
 * compile the same code and neither links the other.
 */
#ifndef DPVS_SHM_SCHED_HASH_H
#define DPVS_SHM_SCHED_HASH_H

#include <stdint.h>
#include <string.h>

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

/* The same for an IPv6 source: its four 32-bit words as on the wire, in
 * order, so that sources differing anywhere (also only in the interface
 * identifier) spread over the table. */
static inline uint32_t
dpvs_sched_hash_v6(const uint8_t src[16], uint16_t sport_be, int with_port)
{
	uint32_t h = 0x5bd1e995u, w;
	unsigned int i;

	for (i = 0; i < 16; i += 4) {
		memcpy(&w, &src[i], sizeof(w));
		h = dpvs_sched_mix(h, w);
	}
	if (with_port)
		h = dpvs_sched_mix(h, sport_be);
	return dpvs_hash_mix32(h ^ (with_port ? 18u : 16u));
}

/* The flow hash of a source of either family. */
static inline uint32_t
dpvs_sched_hash(const struct dpvs_ip *src, uint16_t sport_be, int with_port)
{
	uint32_t a;

	if (src->family == DPVS_AF_INET6)
		return dpvs_sched_hash_v6(src->bytes, sport_be, with_port);
	memcpy(&a, src->bytes, sizeof(a));
	return dpvs_sched_hash_v4(a, sport_be, with_port);
}

#endif
