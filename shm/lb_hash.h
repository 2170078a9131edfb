/*
 * Indexing the derived hash tables of struct dpvs_lb_tables (shm/lb.h), shared
 * by dpvs-ctl (which fills them before it publishes a set) and the workers
 * (which only look up). Both sides must agree, so the hash and the probe
 * order live here and nowhere else.
 *
 *   svc_hash       (proto, vip, vport) -> service slot + 1; 0 = empty
 *   sneigh_hash    (ip, port index)    -> static neighbour index + 1; 0 = empty
 *   addr_hash      ip                  -> struct dpvs_addr_ix; family NONE = empty
 *
 * Open addressing with linear probing; a table is never more than half full
 * (its slot count, a power of two, is at least twice the capacity of its
 * keys), so a miss ends at the first empty slot. dpvs-ctl deletes with
 * backward shift (ctl/daemon/derive.c), never with tombstones. Pure functions
 * on plain memory: no state, no pointers stored.
 */
#ifndef DPVS_SHM_LB_HASH_H
#define DPVS_SHM_LB_HASH_H

#include <stdint.h>
#include <string.h>

#include "cfgset.h"
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
dpvs_svc_hash(const struct dpvs_lb_tables *lb, uint8_t proto, const struct dpvs_ip *vip,
	      uint16_t vport_be)
{
	uint32_t seed = (uint32_t)proto | (uint32_t)vip->family << 8 |
			(uint32_t)vport_be << 16;

	return dpvs_hash_ip(dpvs_hash_mix32(seed), vip) & (lb->svc_hash_slots - 1);
}

/* Service slot for (proto, vip, vport), or DPVS_SLOT_NONE. */
static inline uint16_t
dpvs_svc_lookup(const struct dpvs_lb_tables *lb, uint8_t proto,
		const struct dpvs_ip *vip, uint16_t vport_be)
{
	const uint16_t *tbl = dpvs_lb_svc_hash(lb);
	const struct dpvs_service *svcs = dpvs_lb_svcs(lb);
	uint32_t mask = lb->svc_hash_slots - 1, h = dpvs_svc_hash(lb, proto, vip, vport_be);
	unsigned int n;

	for (n = 0; n <= mask; n++) {
		uint16_t v = tbl[h];
		const struct dpvs_service *s;

		if (v == 0 || v > lb->caps.services)
			return DPVS_SLOT_NONE;
		s = &svcs[v - 1];
		if (s->id != 0 && s->proto == proto && s->vport == vport_be &&
		    dpvs_ip_equal(&s->vip, vip))
			return (uint16_t)(v - 1);
		h = (h + 1) & mask;
	}
	return DPVS_SLOT_NONE;
}

/* Home slot in lb.sneigh_hash of a static neighbour (ip, port index). */
static inline uint32_t
dpvs_sneigh_hash(const struct dpvs_lb_tables *lb, const struct dpvs_ip *ip, uint16_t port)
{
	uint32_t seed = (uint32_t)ip->family | (uint32_t)port << 16;

	return dpvs_hash_ip(dpvs_hash_mix32(seed ^ 0x9e3779b9u), ip) &
	       (lb->sneigh_hash_slots - 1);
}

/* Index in lb.sneigh[] of the static neighbour ip on port, or
 * DPVS_SLOT_NONE. */
static inline uint16_t
dpvs_sneigh_lookup(const struct dpvs_lb_tables *lb, const struct dpvs_ip *ip,
		   uint16_t port)
{
	const uint16_t *tbl = dpvs_lb_sneigh_hash(lb);
	uint32_t mask = lb->sneigh_hash_slots - 1, h = dpvs_sneigh_hash(lb, ip, port);
	unsigned int n;

	for (n = 0; n <= mask; n++) {
		uint16_t v = tbl[h];
		const struct dpvs_static_neigh *e;

		if (v == 0 || v > lb->caps.sneigh || v > lb->nsneigh)
			return DPVS_SLOT_NONE;
		e = &dpvs_lb_sneigh(lb)[v - 1];
		if (e->port == port && dpvs_ip_equal(&e->ip, ip))
			return (uint16_t)(v - 1);
		h = (h + 1) & mask;
	}
	return DPVS_SLOT_NONE;
}

/* Home slot in lb.addr_hash of an address. */
static inline uint32_t
dpvs_addr_hash(const struct dpvs_lb_tables *lb, const struct dpvs_ip *ip)
{
	return dpvs_hash_ip(dpvs_hash_mix32((uint32_t)ip->family ^ 0x5bd1e995u), ip) &
	       (lb->addr_hash_slots - 1);
}

/* What ip is to the node (node address, VIP, local address), or NULL when
 * the set names it nowhere. */
static inline const struct dpvs_addr_ix *
dpvs_addr_lookup(const struct dpvs_lb_tables *lb, const struct dpvs_ip *ip)
{
	const struct dpvs_addr_ix *tbl = dpvs_lb_addr_hash(lb);
	uint32_t mask = lb->addr_hash_slots - 1, h = dpvs_addr_hash(lb, ip);
	unsigned int n;

	for (n = 0; n <= mask; n++) {
		const struct dpvs_addr_ix *e = &tbl[h];

		if (e->ip.family == DPVS_AF_NONE)
			return NULL;
		if (dpvs_ip_equal(&e->ip, ip))
			return e;
		h = (h + 1) & mask;
	}
	return NULL;
}

#endif
