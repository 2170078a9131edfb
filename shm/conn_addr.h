/*
 * The four endpoint addresses of a connection (shm/conn.h), read through
 * these inline accessors only: the entry keeps IPv4 addresses in place and
 * the rest in a side table, so nothing outside this header and
 * worker/ipvs/conn.c (which writes them, wk_conn_set_addrs) knows where an
 * address is. In: a connection table and one of its entries (or a copy of
 * one, for a reader in another process). Out: addresses by value, or the
 * IPv4 address as a uint32_t in network order. Reads only.
 *
 * Endpoints: DPVS_CONN_A_C the client (caddr), A_V the virtual address
 * (vaddr), A_L the outbound key's destination (laddr; family NONE for dr and
 * tunnel), A_D the real server (daddr). C and V share one family; L, when
 * set, has D's.
 */
#ifndef DPVS_SHM_CONN_ADDR_H
#define DPVS_SHM_CONN_ADDR_H

#include <stdint.h>
#include <string.h>

#include "conn.h"
#include "types.h"

#define DPVS_CONN_A_C 0
#define DPVS_CONN_A_V 1
#define DPVS_CONN_A_L 2
#define DPVS_CONN_A_D 3

static inline const struct dpvs_ip *
dpvs_conn_ipp_(const struct dpvs_conn *c, int w)
{
	switch (w) {
	case DPVS_CONN_A_C:
		return &c->caddr;
	case DPVS_CONN_A_V:
		return &c->vaddr;
	case DPVS_CONN_A_L:
		return &c->laddr;
	default:
		return &c->daddr;
	}
}

/* The family of endpoint w (DPVS_AF_*). */
static inline uint8_t
dpvs_conn_fam(const struct dpvs_conn *c, int w)
{
	return dpvs_conn_ipp_(c, w)->family;
}

/* Has the connection an outbound key (laddr set: fnat, nat, snat)? */
static inline int
dpvs_conn_has_out(const struct dpvs_conn *c)
{
	return c->laddr.family != DPVS_AF_NONE;
}

/* Endpoint w's IPv4 address, network order; only when its family is
 * DPVS_AF_INET. */
static inline uint32_t
dpvs_conn_a4(const struct dpvs_conn *c, int w)
{
	uint32_t a;

	memcpy(&a, dpvs_conn_ipp_(c, w)->bytes, 4);
	return a;
}

/* Endpoint w as a struct dpvs_ip when its family is DPVS_AF_INET (no side
 * table read). */
static inline struct dpvs_ip
dpvs_conn_ip4(const struct dpvs_conn *c, int w)
{
	struct dpvs_ip ip = { .family = DPVS_AF_INET };
	uint32_t a = dpvs_conn_a4(c, w);

	memcpy(ip.bytes, &a, 4);
	return ip;
}

/* Endpoint w's 16 address bytes; only when its family is DPVS_AF_INET6. */
static inline const uint8_t *
dpvs_conn_a6(const struct dpvs_conn_table *ct, const struct dpvs_conn *c, int w)
{
	(void)ct;
	return dpvs_conn_ipp_(c, w)->bytes;
}

/* Endpoint w as a struct dpvs_ip (family NONE and zero bytes for a
 * missing laddr). */
static inline struct dpvs_ip
dpvs_conn_ip(const struct dpvs_conn_table *ct, const struct dpvs_conn *c, int w)
{
	(void)ct;
	return *dpvs_conn_ipp_(c, w);
}

/* Is endpoint w the address ip (same family, same bytes)? */
static inline int
dpvs_conn_ip_eq(const struct dpvs_conn_table *ct, const struct dpvs_conn *c, int w,
		const struct dpvs_ip *ip)
{
	const struct dpvs_ip *a = dpvs_conn_ipp_(c, w);

	(void)ct;
	if (a->family != ip->family)
		return 0;
	if (a->family == DPVS_AF_INET)
		return memcmp(a->bytes, ip->bytes, 4) == 0;
	return memcmp(a->bytes, ip->bytes, 16) == 0;
}

#endif
