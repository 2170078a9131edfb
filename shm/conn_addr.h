/*
 * The four endpoint addresses of a connection (shm/conn.h), read through
 * these inline accessors only: the entry keeps IPv4 addresses in place and
 * a connection with an IPv6 endpoint keeps all four in the IPv6 side table
 * (struct dpvs_conn6), so nothing outside this header and the worker's
 * wk_conn_set_addrs (worker/ipvs/conn_table.h, conn.c: the only writer)
 * knows where an address is. In: a connection table and one of its entries (or a copy of
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

/* Does the connection keep its addresses in the IPv6 side table? */
static inline int
dpvs_conn_is_v6(const struct dpvs_conn *c)
{
	return (c->flags & (DPVS_CONN_F_C6 | DPVS_CONN_F_D6)) != 0;
}

/* Has the connection an outbound key (laddr set: fnat, nat, snat)? */
static inline int
dpvs_conn_has_out(const struct dpvs_conn *c)
{
	return (c->flags & DPVS_CONN_F_OUT) != 0;
}

/* The family of endpoint w (DPVS_AF_*). */
static inline uint8_t
dpvs_conn_fam(const struct dpvs_conn *c, int w)
{
	if (w == DPVS_CONN_A_C || w == DPVS_CONN_A_V)
		return (c->flags & DPVS_CONN_F_C6) ? DPVS_AF_INET6 : DPVS_AF_INET;
	if (w == DPVS_CONN_A_L && !dpvs_conn_has_out(c))
		return DPVS_AF_NONE;
	return (c->flags & DPVS_CONN_F_D6) ? DPVS_AF_INET6 : DPVS_AF_INET;
}

/* The IPv6 side slot of c, or NULL (none, or a reference out of range: a
 * torn copy in another process). */
static inline const struct dpvs_conn6 *
dpvs_conn_v6(const struct dpvs_conn_table *ct, const struct dpvs_conn *c)
{
	uint32_t r = c->a4[0];

	if (r == 0 || r > ct->v6_capacity)
		return NULL;
	return (const struct dpvs_conn6 *)(const void *)((const char *)ct + ct->v6_off) + (r - 1u);
}

/* Endpoint w's IPv4 address, network order; only when its family is
 * DPVS_AF_INET. */
static inline uint32_t
dpvs_conn_a4(const struct dpvs_conn *c, int w)
{
	return c->a4[w];
}

/* The same in a connection with an IPv6 endpoint (an IPv4 real server of
 * an IPv6 client): read from the side table. */
static inline uint32_t
dpvs_conn_a4x(const struct dpvs_conn_table *ct, const struct dpvs_conn *c, int w)
{
	const struct dpvs_conn6 *x;
	uint32_t a;

	if (!dpvs_conn_is_v6(c))
		return c->a4[w];
	x = dpvs_conn_v6(ct, c);
	if (x == NULL)
		return 0;
	memcpy(&a, x->addr[w], 4);
	return a;
}

/* Endpoint w's 16 address bytes; only when its family is DPVS_AF_INET6
 * (zeros if the reference is bad). */
static inline const uint8_t *
dpvs_conn_a6(const struct dpvs_conn_table *ct, const struct dpvs_conn *c, int w)
{
	static const uint8_t zero[16];
	const struct dpvs_conn6 *x = dpvs_conn_v6(ct, c);

	return x != NULL ? x->addr[w] : zero;
}

/* Endpoint w as a struct dpvs_ip when its family is DPVS_AF_INET (no side
 * table read). */
static inline struct dpvs_ip
dpvs_conn_ip4(const struct dpvs_conn *c, int w)
{
	struct dpvs_ip ip = { .family = DPVS_AF_INET };

	memcpy(ip.bytes, &c->a4[w], 4);
	return ip;
}

/* Endpoint w as a struct dpvs_ip (family NONE and zero bytes for a
 * missing laddr). */
static inline struct dpvs_ip
dpvs_conn_ip(const struct dpvs_conn_table *ct, const struct dpvs_conn *c, int w)
{
	struct dpvs_ip ip = { .family = dpvs_conn_fam(c, w) };
	uint32_t a;

	if (ip.family == DPVS_AF_INET6) {
		memcpy(ip.bytes, dpvs_conn_a6(ct, c, w), 16);
	} else if (ip.family == DPVS_AF_INET) {
		a = dpvs_conn_a4x(ct, c, w);
		memcpy(ip.bytes, &a, 4);
	}
	return ip;
}

/* Is endpoint w the address ip (same family, same bytes)? The IPv4 case
 * reads the entry alone. */
static inline int
dpvs_conn_ip_eq(const struct dpvs_conn_table *ct, const struct dpvs_conn *c, int w,
		const struct dpvs_ip *ip)
{
	uint32_t a;

	if (__builtin_expect(!dpvs_conn_is_v6(c), 1)) {
		if (ip->family != DPVS_AF_INET || (w == DPVS_CONN_A_L && !dpvs_conn_has_out(c)))
			return 0;
		memcpy(&a, ip->bytes, 4);
		return a == c->a4[w];
	}
	if (ip->family != dpvs_conn_fam(c, w))
		return 0;
	if (ip->family == DPVS_AF_INET) {
		memcpy(&a, ip->bytes, 4);
		return a == dpvs_conn_a4x(ct, c, w);
	}
	return memcmp(dpvs_conn_a6(ct, c, w), ip->bytes, 16) == 0;
}

#endif
