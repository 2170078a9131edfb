/*
 * The local-port allocator of full-NAT and snat connections: a worker owns
 * the ports p of [WK_LPORT_MIN, 65535] with p % nworkers == its id, and
 * walks them from a cursor (its region's dpvs_wr_lport row, one per
 * service and local address, host order), skipping a port whose outbound
 * key (daddr:dport -> laddr:port) is in its connection table, for at most
 * WK_LPORT_TRIES ports. Header-only so that the new-connection path
 * inlines it (ipvs_new.c) and the unit test (test_lport) drives it alone.
 * Reads ctx->id, ctx->nworkers and the connection table; writes only the
 * cursor it is given.
 */
#ifndef DPVS_WORKER_IPVS_LPORT_H
#define DPVS_WORKER_IPVS_LPORT_H

#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_common.h>

#include "worker/ipvs/conn_table.h"
#include "worker/ipvs/ipvs_priv.h"

#define WK_LPORT_TRIES 64     /* ports tried per local address */

/* This worker's first local port (host order): the lowest p >=
 * WK_LPORT_MIN with p % nworkers == id. Not inlined: only a wrap or a
 * cursor of another share computes it. */
static __rte_noinline __rte_unused uint16_t
wk_lport_first(const struct wk_ctx *ctx)
{
	uint32_t n = ctx->nworkers;

	return (uint16_t)(WK_LPORT_MIN + (ctx->id + n - WK_LPORT_MIN % n) % n);
}

/* The next local port of this worker after cur (host order), wrapping past
 * 65535 to the first; a cursor outside this worker's share restarts there. */
static __rte_always_inline uint16_t
wk_lport_next(const struct wk_ctx *ctx, uint32_t cur)
{
	uint32_t n = ctx->nworkers, p = cur + n;

	/* one worker owns every port: no division */
	if (unlikely(cur < WK_LPORT_MIN || p > 65535 || (n > 1 && cur % n != ctx->id)))
		return wk_lport_first(ctx);
	return (uint16_t)p;
}

/* Is the outbound key daddr:dport -> laddr:lport (network order) free in
 * this worker's table? *h gets its hash (the insert files the key with it,
 * wk_conn_insert_hashed). The usual answer inline: no slot of its home
 * bucket has its signature and no entry went past that bucket (what the
 * lookup would find first); else the lookup. Always inline, as
 * wk_lport_pick: the compiler may leave them out of line (it did once the
 * hash grew by a step), 50 instructions of a SYN in calls and spills. */
static __rte_always_inline int
wk_lport_key_free(struct wk_ctx *ctx, uint8_t proto, const struct dpvs_ip *daddr, uint16_t dport,
		  const struct dpvs_ip *laddr, uint16_t lport, uint32_t *h)
{
	const struct dpvs_conn_bkt *k;
	int dir;

	*h = wk_conn_hash(proto, daddr, dport, laddr, lport);
	k = wk_conn_home(ctx->ct, *h);
	if (wk_conn_bkt_match(k, wk_conn_sig(*h, 0)) == 0 && k->ovf == 0)
		return 1;
	return wk_conn_lookup_hash(ctx->ct, *h, proto, daddr, dport, laddr, lport, &dir) ==
	       DPVS_CONN_NIL;
}

/* A port of this worker's share after cursor *cur whose outbound key
 * (daddr:dport -> laddr:port) is free: 0 with *lport (network order), the
 * key's hash *h and the cursor on that port; -1 when WK_LPORT_TRIES ports
 * were taken (the cursor past them). */
static __rte_always_inline int
wk_lport_pick(struct wk_ctx *ctx, uint16_t *cur, uint8_t proto, const struct dpvs_ip *daddr,
	      uint16_t dport, const struct dpvs_ip *laddr, uint16_t *lport, uint32_t *h)
{
	unsigned int t;

	for (t = 0; t < WK_LPORT_TRIES; t++) {
		*cur = wk_lport_next(ctx, *cur);
		*lport = rte_cpu_to_be_16(*cur);
		if (wk_lport_key_free(ctx, proto, daddr, dport, laddr, *lport, h))
			return 0;
	}
	return -1;
}

/* Prefetch the index bucket of the key that the steps-th (>= 1)
 * wk_lport_pick() from cursor cur (not moved) tries first, when each one
 * before takes the first port it tries, for daddr:dport -> laddr (a guess
 * of the caller's: that connection's dest may be another). Reads the
 * cursor only; one hash and a prefetch. The port steps of this worker's
 * share past cur without wk_lport_next's tests: a cursor that
 * wk_lport_next would restart (outside the share) or a port past 65535
 * (a wrap) gets no prefetch, which changes nothing but the guess. */
static __rte_always_inline void
wk_lport_prefetch(struct wk_ctx *ctx, uint16_t cur, unsigned int steps, uint8_t proto,
		  const struct dpvs_ip *daddr, uint16_t dport, const struct dpvs_ip *laddr)
{
	uint32_t c = cur + steps * ctx->nworkers;

	if (unlikely(c > 65535 || cur < WK_LPORT_MIN))
		return;
	dpvs_conn_prefetch(ctx->ct, wk_conn_hash(proto, daddr, dport, laddr,
						 rte_cpu_to_be_16((uint16_t)c)));
}

#endif
