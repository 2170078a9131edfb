/*
 * The tx buffer's store (tx.c says what the buffer is): the one place that
 * puts a packet into a port's buffer in the order a successor relies on,
 * inline for tx.c and for the rx stage's per-packet TX verdict (rx.c).
 * Runs on the owning worker; writes its region's txbuf[] and the context's
 * tx_verdict bits.
 */
#ifndef DPVS_WORKER_TXBUF_H
#define DPVS_WORKER_TXBUF_H

#include <stdint.h>

#include <rte_atomic.h>
#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_mbuf.h>

#include "worker/worker.h"

/* Put m in the free slot of port p's buffer tb (count < DPVS_TXBUF_LEN),
 * its verdict bit set or cleared, and return the slot. The order a successor
 * relies on: the packet first, then the count that makes it the buffer's. */
static __rte_always_inline uint32_t
wk_txbuf_put(struct wk_ctx *ctx, struct dpvs_txbuf *tb, uint16_t p, struct rte_mbuf *m,
	     int verdict)
{
	uint32_t slot = tb->count;
	uint64_t *tv = &ctx->tx_verdict[(size_t)p];

	tb->pkts[slot] = m;
	if (verdict)
		*tv |= 1ull << slot;
	else
		*tv &= ~(1ull << slot);
	rte_compiler_barrier();
	tb->count = slot + 1;
	return slot;
}

/* wk_tx_enqueue_verdict's usual case for p below ctx->nports, a data port
 * (wk_ctx_init takes no more than DPVS_MAX_PORTS, where the VLAN
 * interfaces start): m, a received packet whose verdict is TX, into the
 * buffer of port p when it has room (1); 0 when it has none (nothing
 * done: the caller calls wk_tx_enqueue_verdict). */
static __rte_always_inline int
wk_txbuf_try_port(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	struct dpvs_txbuf *tb;

	RTE_BUILD_BUG_ON(DPVS_IFACE_VLAN0 < DPVS_MAX_PORTS);
	tb = &ctx->wr->txbuf[p];
	/* tb as an opaque register: its count and entry are then addressed
	 * from it, not each rebuilt from the region, p and the slot */
	__asm__("" : "+r"(tb));
	if (unlikely(tb->count >= DPVS_TXBUF_LEN))
		return 0;
	wk_txbuf_put(ctx, tb, p, m, 1);
	return 1;
}

/* The same for any interface p: 0 also when p is a VLAN interface. */
static __rte_always_inline int
wk_txbuf_try_verdict(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	if (unlikely(p >= DPVS_IFACE_VLAN0))
		return 0;
	return wk_txbuf_try_port(ctx, m, p);
}

#endif
