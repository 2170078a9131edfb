/*
 * Indexing the derived hash tables of struct dpvs_lb_tables (shm/lb.h), shared
 * by dpvs-ctl (which fills them before it publishes a set) and the workers
 * (which only look up). Both sides must agree, so the hash and the probe
 * order live here and nowhere else.
 *
 *   svc_hash       (proto, vip, vport) -> service slot + 1; 0 = empty
 *   sneigh_hash    (ip, port index)    -> static neighbour index + 1; 0 = empty
 *   addr_hash      ip                  -> struct dpvs_addr_ix; family NONE = empty
 *   route6_hash    (prefix length, IPv6 prefix) -> route slot + 1; 0 = empty
 *   acl_hash       (service slot, list, family, prefix length, prefix)
 *                                      -> acl entry slot + 1; 0 = empty
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

/* out = the first len bits of in (IPv6), the rest zero. */
static inline void
dpvs_ip6_mask(uint8_t out[16], const uint8_t in[16], unsigned int len)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		if (len >= 8 * (i + 1))
			out[i] = in[i];
		else if (len > 8 * i)
			out[i] = (uint8_t)(in[i] & (0xff00u >> (len - 8 * i)));
		else
			out[i] = 0;
	}
}

/* Home slot in lb.route6_hash of a masked IPv6 prefix of length len. */
static inline uint32_t
dpvs_route6_hash(const struct dpvs_lb_tables *lb, const uint8_t pfx[16], unsigned int len)
{
	uint32_t h = dpvs_hash_mix32(len ^ 0x27d4eb2du), w;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		memcpy(&w, &pfx[i * 4], sizeof(w));
		h = dpvs_hash_mix32(h ^ w);
	}
	return h & (lb->route6_hash_slots - 1);
}

/* The route slot of the IPv6 route pfx/len (pfx masked), or DPVS_ROUTE_NONE. */
static inline uint32_t
dpvs_route6_find(const struct dpvs_lb_tables *lb, const uint8_t pfx[16], unsigned int len)
{
	const uint32_t *tbl = dpvs_lb_route6_hash(lb);
	const struct dpvs_route *routes = dpvs_lb_routes(lb);
	uint32_t mask = lb->route6_hash_slots - 1, h = dpvs_route6_hash(lb, pfx, len), n, v;

	for (n = 0; n <= mask; n++) {
		const struct dpvs_route *r;

		v = tbl[h];
		if (v == 0 || v > lb->caps.routes)
			return DPVS_ROUTE_NONE;
		r = &routes[v - 1];
		if (r->prefix.family == DPVS_AF_INET6 && r->prefixlen == len &&
		    memcmp(r->prefix.bytes, pfx, 16) == 0)
			return v - 1;
		h = (h + 1) & mask;
	}
	return DPVS_ROUTE_NONE;
}

/* The longest-prefix route slot for IPv6 address dst, or DPVS_ROUTE_NONE:
 * one probe per prefix length in use, longest first. */
static inline uint32_t
dpvs_route6_lookup(const struct dpvs_lb_tables *lb, const uint8_t dst[16])
{
	const uint8_t *lens = dpvs_lb_route6_lens(lb);
	uint8_t pfx[16];
	uint32_t i, n = lb->nroute6_lens < DPVS_ROUTE6_LENS ? lb->nroute6_lens : DPVS_ROUTE6_LENS;
	uint32_t slot;

	for (i = 0; i < n; i++) {
		if (lens[i] > 128)
			continue;
		dpvs_ip6_mask(pfx, dst, lens[i]);
		slot = dpvs_route6_find(lb, pfx, lens[i]);
		if (slot != DPVS_ROUTE_NONE)
			return slot;
	}
	return DPVS_ROUTE_NONE;
}

/* out = the first len bits of ip (its family's bytes), the rest zero. */
static inline void
dpvs_ip_prefix(struct dpvs_ip *out, const struct dpvs_ip *ip, unsigned int len)
{
	memset(out, 0, sizeof(*out));
	out->family = ip->family;
	dpvs_ip6_mask(out->bytes, ip->bytes, ip->family == DPVS_AF_INET && len > 32 ? 32 : len);
	if (ip->family == DPVS_AF_INET)
		memset(out->bytes + 4, 0, 12);
}

/* Home slot in lb.acl_hash of the entry key (pfx masked to len). */
static inline uint32_t
dpvs_acl_hash(const struct dpvs_lb_tables *lb, uint32_t svc, unsigned int kind,
	      const struct dpvs_ip *pfx, unsigned int len)
{
	uint32_t seed = (svc & 0xffffu) | (kind & 1u) << 16 | (uint32_t)(pfx->family & 0xf) << 20 |
			(len & 0xffu) << 24;

	return dpvs_hash_ip(dpvs_hash_mix32(seed ^ 0x3c6ef372u), pfx) & (lb->acl_hash_slots - 1);
}

/* The slot of the entry (svc, kind, pfx/len) (pfx masked), or DPVS_ACL_NONE. */
static inline uint32_t
dpvs_acl_find(const struct dpvs_lb_tables *lb, uint32_t svc, unsigned int kind,
	      const struct dpvs_ip *pfx, unsigned int len)
{
	const uint32_t *tbl = dpvs_lb_acl_hash(lb);
	const struct dpvs_acl_entry *acl = dpvs_lb_acl(lb);
	uint32_t mask = lb->acl_hash_slots - 1, h = dpvs_acl_hash(lb, svc, kind, pfx, len), n, v;

	for (n = 0; n <= mask; n++) {
		const struct dpvs_acl_entry *e;

		v = tbl[h];
		if (v == 0 || v > lb->caps.acl_entries)
			return DPVS_ACL_NONE;
		e = &acl[v - 1];
		if (e->svc == svc && e->kind == kind && e->prefixlen == len &&
		    dpvs_ip_equal(&e->prefix, pfx))
			return v - 1;
		h = (h + 1) & mask;
	}
	return DPVS_ACL_NONE;
}

/* Does list kind of service slot svc hold a prefix of address src? One
 * masking and one probe of acl_hash per prefix length the list uses for
 * src's family: O(lengths in use), not O(entries). */
static inline int
dpvs_acl_match(const struct dpvs_lb_tables *lb, uint32_t svc, unsigned int kind,
	       const struct dpvs_ip *src)
{
	const struct dpvs_acl_svc *a = dpvs_lb_acl_svc(lb, svc);
	struct dpvs_ip pfx;
	unsigned int w, nw, base, l;
	uint64_t bits;

	if (src->family != DPVS_AF_INET && src->family != DPVS_AF_INET6)
		return 0;
	nw = src->family == DPVS_AF_INET ? 1 : 3;
	for (w = 0; w < nw; w++) {
		bits = src->family == DPVS_AF_INET ? a->lens4[kind & 1] : a->lens6[kind & 1][w];
		base = 64 * w;
		while (bits != 0) {
			l = base + (unsigned int)__builtin_ctzll(bits);
			bits &= bits - 1;
			dpvs_ip_prefix(&pfx, src, l);
			if (dpvs_acl_find(lb, svc, kind, &pfx, l) != DPVS_ACL_NONE)
				return 1;
		}
	}
	return 0;
}

#endif
