/*
 * The connection lookup's home-bucket part, inline for its callers (conn.c's
 * wk_conn_lookup and wk_conn_lookup_hash, and the ipvs core's per-packet
 * path, which so makes no call for the common hit); the walk past a full
 * home bucket stays out of line (wk_conn_lookup_on, conn.c). Reads the
 * owning worker's table only; writes nothing but *dir.
 */
#ifndef DPVS_WORKER_CONN_LOOKUP_H
#define DPVS_WORKER_CONN_LOOKUP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/* An IPv4 packet's tuple as two loads: its addresses, the 8 bytes of the
 * header's source and destination (offset 12), and its ports, the TCP/UDP
 * header's first 4 bytes, each as it is in the frame. */
static __rte_always_inline uint64_t
wk_tuple4_addrs(const void *src_addr)
{
	uint64_t a;

	memcpy(&a, src_addr, 8);
	return a;
}

static __rte_always_inline uint32_t
wk_tuple4_ports(const void *l4)
{
	uint32_t q;

	memcpy(&q, l4, 4);
	return q;
}

/* The entry keeps a direction's endpoints side by side: caddr, vaddr and
 * cport, vport in the order of an inbound packet's fields; laddr, daddr
 * and lport, dport swapped against an outbound one's, which a rotation by
 * half the word puts back (in either byte order). */
_Static_assert(DPVS_CONN_A_C == 0 && DPVS_CONN_A_V == 1 && DPVS_CONN_A_L == 2 &&
		       DPVS_CONN_A_D == 3,
	       "dpvs_conn a4[]: caddr, vaddr, laddr, daddr");
_Static_assert(offsetof(struct dpvs_conn, vport) == offsetof(struct dpvs_conn, cport) + 2 &&
		       offsetof(struct dpvs_conn, dport) == offsetof(struct dpvs_conn, lport) + 2,
	       "dpvs_conn: cport, vport and lport, dport adjacent");

/* Does IPv4 connection c (no IPv6 endpoint) match the tuple of an IPv4
 * packet (wk_tuple4_addrs, wk_tuple4_ports) in direction dir? The
 * endpoints compared as one 8-byte and one 4-byte word. */
static __rte_always_inline int
wk_conn_match4(const struct dpvs_conn *c, int dir, uint8_t proto, uint64_t addrs, uint32_t ports)
{
	uint64_t a;
	uint32_t q;

	if (dir == DPVS_DIR_IN) {
		memcpy(&a, &c->a4[DPVS_CONN_A_C], 8);
		memcpy(&q, &c->cport, 4);
	} else {
		if (!dpvs_conn_has_out(c))
			return 0;
		memcpy(&a, &c->a4[DPVS_CONN_A_L], 8);
		memcpy(&q, &c->lport, 4);
		a = a >> 32 | a << 32;
		q = q >> 16 | q << 16;
	}
	return c->proto == proto && ((a ^ addrs) | (q ^ ports)) == 0;
}

/* wk_conn_bkt_find in home bucket k of hash for an IPv4 packet's tuple
 * (wk_tuple4_addrs, wk_tuple4_ports), compared with the entries' as
 * words (wk_conn_match4): the index with *dir, or DPVS_CONN_NIL with
 * *more telling what the general lookup would do next: WK_CONN_MORE_NONE the tuple is absent,
 * WK_CONN_MORE_ON its walk goes on past k (wk_conn_lookup_on),
 * WK_CONN_MORE_ALL a candidate has an IPv6 endpoint (wk_conn_lookup_inl
 * from the start). The same result as that lookup, read-only. */
#define WK_CONN_MORE_NONE 0
#define WK_CONN_MORE_ON   1
#define WK_CONN_MORE_ALL  2

static __rte_always_inline uint32_t
wk_conn_home_find4(struct dpvs_conn_table *ct, const struct dpvs_conn_bkt *k, uint32_t hash,
		   uint8_t proto, const void *addrs_p, const void *ports_p, int *dir, int *more)
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
		if (wk_conn_match4(c, (int)(e & 1u), proto, wk_tuple4_addrs(addrs_p),
				   wk_tuple4_ports(ports_p))) {
			*dir = (int)(e & 1u);
			return e >> 1;
		}
	}
	*more = k->ovf != 0 ? WK_CONN_MORE_ON : WK_CONN_MORE_NONE;
	return DPVS_CONN_NIL;
}

/* Does candidate c (dir), the connection of the first entry
 * wk_conn_home_find4 would compare (read from the bucket before, the index
 * unchanged since), match the tuple as it compares it? Then
 * wk_conn_home_find4 gives the same; else (not a match, or an IPv6
 * endpoint) the caller walks the bucket. Reads the entry only. */
static __rte_always_inline int
wk_conn_cand_match4(const struct dpvs_conn *c, int dir, uint8_t proto, const void *addrs_p,
		    const void *ports_p)
{
	return likely(!dpvs_conn_is_v6(c)) &&
	       wk_conn_match4(c, dir, proto, wk_tuple4_addrs(addrs_p), wk_tuple4_ports(ports_p));
}

#endif
