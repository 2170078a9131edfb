/*
 * Indexing the derived hash tables of struct dpvs_lb_tables (shm/lb.h), shared
 * by dpvs-ctl (which fills them before it publishes a set) and the workers
 * (which only look up). Both sides must agree, so the hash and the probe
 * order live here and nowhere else.
 *
 *   svc_hash[]     (proto, vip, vport) -> service slot + 1; 0 = empty
 *   sneigh_hash[]  (ip, port index)    -> static neighbour index + 1; 0 = empty
 *   addr_hash[]    ip                  -> struct dpvs_addr_ix; family NONE = empty
 *
 * Open addressing with linear probing; a table is never more than half full
 * (the slot counts are > 2x the object limits), so a miss ends at the first
 * empty slot. Pure functions on plain memory: no state, no pointers stored.
 */
#ifndef DPVS_SHM_LB_HASH_H
#define DPVS_SHM_LB_HASH_H

#include <stdint.h>
#include <string.h>

#include "lb.h"

/* A 32-bit integer mix (finaliser of MurmurHash3): cheap and well spread. */
static inline uint32_t
dpvs_hash_mix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* Hash of an address: one word for IPv4, four for IPv6, seeded with h. */
static inline uint32_t
dpvs_hash_ip(uint32_t h, const struct dpvs_ip *ip)
{
	uint32_t w;
	unsigned int i, n = ip->family == DPVS_AF_INET6 ? 4 : 1;

	for (i = 0; i < n; i++) {
		memcpy(&w, &ip->bytes[i * 4], sizeof(w));
		h = dpvs_hash_mix32(h ^ w);
	}
	return h;
}

/* Same family and bytes (IPv4 compares its 4 bytes only). */
static inline int
dpvs_ip_equal(const struct dpvs_ip *a, const struct dpvs_ip *b)
{
	if (a->family != b->family)
		return 0;
	if (a->family == DPVS_AF_INET)
		return memcmp(a->bytes, b->bytes, 4) == 0;
	return memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

/* Home slot in lb.svc_hash of a service key; vport in network order. */
static inline uint32_t
dpvs_svc_hash(uint8_t proto, const struct dpvs_ip *vip, uint16_t vport_be)
{
	uint32_t seed = (uint32_t)proto | (uint32_t)vip->family << 8 |
			(uint32_t)vport_be << 16;

	return dpvs_hash_ip(dpvs_hash_mix32(seed), vip) &
	       (DPVS_SVC_HASH_SLOTS - 1);
}

/* Service slot for (proto, vip, vport), or DPVS_SLOT_NONE. */
static inline uint16_t
dpvs_svc_lookup(const struct dpvs_lb_tables *lb, uint8_t proto,
		const struct dpvs_ip *vip, uint16_t vport_be)
{
	uint32_t h = dpvs_svc_hash(proto, vip, vport_be);
	unsigned int n;

	for (n = 0; n < DPVS_SVC_HASH_SLOTS; n++) {
		uint16_t v = lb->svc_hash[h];
		const struct dpvs_service *s;

		if (v == 0 || v > DPVS_MAX_SERVICES)
			return DPVS_SLOT_NONE;
		s = &lb->services[v - 1];
		if (s->id != 0 && s->proto == proto && s->vport == vport_be &&
		    dpvs_ip_equal(&s->vip, vip))
			return (uint16_t)(v - 1);
		h = (h + 1) & (DPVS_SVC_HASH_SLOTS - 1);
	}
	return DPVS_SLOT_NONE;
}

/* Home slot in lb.sneigh_hash of a static neighbour (ip, port index). */
static inline uint32_t
dpvs_sneigh_hash(const struct dpvs_ip *ip, uint16_t port)
{
	uint32_t seed = (uint32_t)ip->family | (uint32_t)port << 16;

	return dpvs_hash_ip(dpvs_hash_mix32(seed ^ 0x9e3779b9u), ip) &
	       (DPVS_SNEIGH_HASH_SLOTS - 1);
}

/* Index in lb.sneigh[] of the static neighbour ip on port, or
 * DPVS_SLOT_NONE. */
static inline uint16_t
dpvs_sneigh_lookup(const struct dpvs_lb_tables *lb, const struct dpvs_ip *ip,
		   uint16_t port)
{
	uint32_t h = dpvs_sneigh_hash(ip, port);
	unsigned int n;

	for (n = 0; n < DPVS_SNEIGH_HASH_SLOTS; n++) {
		uint16_t v = lb->sneigh_hash[h];
		const struct dpvs_static_neigh *e;

		if (v == 0 || v > DPVS_MAX_STATIC_NEIGH || v > lb->nsneigh)
			return DPVS_SLOT_NONE;
		e = &lb->sneigh[v - 1];
		if (e->port == port && dpvs_ip_equal(&e->ip, ip))
			return (uint16_t)(v - 1);
		h = (h + 1) & (DPVS_SNEIGH_HASH_SLOTS - 1);
	}
	return DPVS_SLOT_NONE;
}

/* Home slot in lb.addr_hash of an address. */
static inline uint32_t
dpvs_addr_hash(const struct dpvs_ip *ip)
{
	return dpvs_hash_ip(dpvs_hash_mix32((uint32_t)ip->family ^ 0x5bd1e995u), ip) &
	       (DPVS_ADDR_HASH_SLOTS - 1);
}

/* What ip is to the node (node address, VIP, local address), or NULL when
 * the set names it nowhere. */
static inline const struct dpvs_addr_ix *
dpvs_addr_lookup(const struct dpvs_lb_tables *lb, const struct dpvs_ip *ip)
{
	uint32_t h = dpvs_addr_hash(ip);
	unsigned int n;

	for (n = 0; n < DPVS_ADDR_HASH_SLOTS; n++) {
		const struct dpvs_addr_ix *e = &lb->addr_hash[h];

		if (e->ip.family == DPVS_AF_NONE)
			return NULL;
		if (dpvs_ip_equal(&e->ip, ip))
			return e;
		h = (h + 1) & (DPVS_ADDR_HASH_SLOTS - 1);
	}
	return NULL;
}

#endif
