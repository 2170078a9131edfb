/*
 * The connection lookup's home-bucket part, inline for its callers (conn.c's
 * wk_conn_lookup and wk_conn_lookup_hash, and the ipvs core's per-packet
 * path, which so makes no call for the common hit); the walk past a full
 * home bucket stays out of line (wk_conn_lookup_on, conn.c). Reads the
 * owning worker's table only; writes nothing but *dir.
 */
#ifndef DPVS_WORKER_CONN_LOOKUP_H
#define DPVS_WORKER_CONN_LOOKUP_H

#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "worker/ipvs/conn_table.h"

/* Does connection c match the packet tuple in direction dir? */
static inline int
wk_conn_match(const struct dpvs_conn_table *ct, const struct dpvs_conn *c, int dir, uint8_t proto,
	      const struct dpvs_ip *src, uint16_t sport, const struct dpvs_ip *dst, uint16_t dport)
{
	if (c->proto != proto)
		return 0;
	if (dir == DPVS_DIR_IN)
		return c->cport == sport && c->vport == dport &&
		       dpvs_conn_ip_eq(ct, c, DPVS_CONN_A_C, src) &&
		       dpvs_conn_ip_eq(ct, c, DPVS_CONN_A_V, dst);
	return c->dport == sport && c->lport == dport &&
	       dpvs_conn_ip_eq(ct, c, DPVS_CONN_A_D, src) &&
	       dpvs_conn_ip_eq(ct, c, DPVS_CONN_A_L, dst);
}

/* The entry of bucket k with signature sig whose connection matches the
 * tuple: its index (*dir set), or DPVS_CONN_NIL. */
static __rte_always_inline uint32_t
wk_conn_bkt_find(struct dpvs_conn_table *ct, const struct dpvs_conn_bkt *k, uint16_t sig,
		 uint8_t proto, const struct dpvs_ip *src, uint16_t sport,
		 const struct dpvs_ip *dst, uint16_t dport, int *dir)
{
	const struct dpvs_conn *conns = dpvs_conn_array(ct);
	uint32_t m, e;

	for (m = wk_conn_bkt_match(k, sig); m != 0; m &= m - 1) {
		e = k->ent[__builtin_ctz(m)];
		if (e == DPVS_CONN_NIL)
			continue;
		if (likely(wk_conn_match(ct, &conns[e >> 1], (int)(e & 1u), proto, src, sport, dst,
					 dport))) {
			*dir = (int)(e & 1u);
			return e >> 1;
		}
	}
	return DPVS_CONN_NIL;
}

/* The walk past the home bucket home (whose ovf said some entry went on),
 * out of line: rare but for a tuple that is absent from a busy index. */
uint32_t wk_conn_lookup_on(struct dpvs_conn_table *ct, const struct dpvs_conn_bkt *home,
			   uint32_t hash, uint8_t proto, const struct dpvs_ip *src, uint16_t sport,
			   const struct dpvs_ip *dst, uint16_t dport, int *dir);

/* wk_conn_lookup_hash (conn_table.h), inline. */
static __rte_always_inline uint32_t
wk_conn_lookup_inl(struct dpvs_conn_table *ct, uint32_t hash, uint8_t proto,
		   const struct dpvs_ip *src, uint16_t sport, const struct dpvs_ip *dst,
		   uint16_t dport, int *dir)
{
	const struct dpvs_conn_bkt *k = wk_conn_home(ct, hash);
	uint32_t idx = wk_conn_bkt_find(ct, k, wk_conn_sig(hash, 0), proto, src, sport, dst, dport,
					dir);

	if (likely(idx != DPVS_CONN_NIL) || k->ovf == 0)
		return idx;
	return wk_conn_lookup_on(ct, k, hash, proto, src, sport, dst, dport, dir);
}

/* wk_conn_bkt_find in home bucket k of hash for an IPv4 packet's tuple
 * (addresses in network order), the entries' IPv4 addresses compared as
 * words: the index with *dir, or DPVS_CONN_NIL with *more telling what the
 * general lookup would do next: WK_CONN_MORE_NONE the tuple is absent,
 * WK_CONN_MORE_ON its walk goes on past k (wk_conn_lookup_on),
 * WK_CONN_MORE_ALL a candidate has an IPv6 endpoint (wk_conn_lookup_inl
 * from the start). The same result as that lookup, read-only. */
#define WK_CONN_MORE_NONE 0
#define WK_CONN_MORE_ON   1
#define WK_CONN_MORE_ALL  2

/* Does IPv4 connection c (no IPv6 endpoint) match the tuple of an IPv4
 * packet (addresses in network order) in direction dir? */
static __rte_always_inline int
wk_conn_match4(const struct dpvs_conn *c, int dir, uint8_t proto, uint32_t src, uint16_t sport,
	       uint32_t dst, uint16_t dport)
{
	return c->proto == proto &&
	       (dir == DPVS_DIR_IN ?
			c->cport == sport && c->vport == dport && c->a4[DPVS_CONN_A_C] == src &&
				c->a4[DPVS_CONN_A_V] == dst :
			c->dport == sport && c->lport == dport && dpvs_conn_has_out(c) &&
				c->a4[DPVS_CONN_A_D] == src && c->a4[DPVS_CONN_A_L] == dst);
}

static __rte_always_inline uint32_t
wk_conn_home_find4(struct dpvs_conn_table *ct, const struct dpvs_conn_bkt *k, uint32_t hash,
		   uint8_t proto, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
		   int *dir, int *more)
{
	const struct dpvs_conn *conns = dpvs_conn_array(ct), *c;
	uint32_t m, e;

	for (m = wk_conn_bkt_match(k, wk_conn_sig(hash, 0)); m != 0; m &= m - 1) {
		e = k->ent[__builtin_ctz(m)];
		if (e == DPVS_CONN_NIL)
			continue;
		c = &conns[e >> 1];
		if (unlikely(dpvs_conn_is_v6(c))) {
			*more = WK_CONN_MORE_ALL;
			return DPVS_CONN_NIL;
		}
		if (wk_conn_match4(c, (int)(e & 1u), proto, src, sport, dst, dport)) {
			*dir = (int)(e & 1u);
			return e >> 1;
		}
	}
	*more = k->ovf != 0 ? WK_CONN_MORE_ON : WK_CONN_MORE_NONE;
	return DPVS_CONN_NIL;
}

#endif
