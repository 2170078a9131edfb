/*
 * The tx stage [core_tx_queue, netif_tx_burst]: one buffer per port in this
 * worker's shm region, flushed with rte_eth_tx_burst on queue `id`.
 * Ownership (ARCHITECTURE.md section 1): a packet is stored before the count
 * that covers it; a flush takes the count, sets the shm count to 0, sends,
 * and re-buffers what the queue refused. A crash in between leaks those
 * mbufs, it never frees one twice. A port that sends nothing for
 * WK_TX_MAX_STALLS flushes in a row (link down, kernel end gone) has its
 * buffer dropped (tx_full), so it cannot hold mbufs and stall forever.
 * Touches the region's txbuf[] and stats.
 */
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "worker/worker.h"

unsigned int
wk_tx_flush(struct wk_ctx *ctx, uint16_t p)
{
	struct dpvs_txbuf *tb = &ctx->wr->txbuf[p];
	uint32_t n = tb->count, i;
	uint64_t bytes = 0;
	uint16_t sent;

	if (n == 0)
		return 0;
	tb->count = 0;
	rte_compiler_barrier();
	/* sent mbufs may be freed by the driver at once: sum before sending */
	for (i = 0; i < n; i++)
		bytes += tb->pkts[i]->pkt_len;
	sent = rte_eth_tx_burst(ctx->port_id[p], ctx->id, tb->pkts, (uint16_t)n);
	for (i = sent; i < n; i++)
		bytes -= tb->pkts[i]->pkt_len;
	ctx->st->tx_pkts += sent;
	ctx->st->tx_bytes += bytes;
	ctx->tx_stalls[p] = sent == 0 ? ctx->tx_stalls[p] + 1 : 0;
	if (sent < n && ctx->tx_stalls[p] >= WK_TX_MAX_STALLS) {
		ctx->st->drop[DPVS_DROP_TX_FULL] += n - sent;
		rte_pktmbuf_free_bulk(&tb->pkts[sent], n - sent);
		ctx->tx_stalls[p] = 0;
	} else if (sent < n) {
		memmove(&tb->pkts[0], &tb->pkts[sent], (n - sent) * sizeof(tb->pkts[0]));
		rte_compiler_barrier();
		tb->count = n - sent;
	}
	return sent;
}

unsigned int
wk_tx_flush_all(struct wk_ctx *ctx)
{
	unsigned int n = 0;
	uint16_t p;

	for (p = 0; p < ctx->nports; p++)
		n += wk_tx_flush(ctx, p);
	return n;
}

unsigned int
wk_tx_pending(const struct wk_ctx *ctx)
{
	unsigned int n = 0;
	uint16_t p;

	for (p = 0; p < ctx->nports; p++)
		n += ctx->wr->txbuf[p].count;
	return n;
}

int
wk_tx_enqueue(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	struct dpvs_txbuf *tb = &ctx->wr->txbuf[p];

	if (tb->count >= DPVS_TXBUF_LEN)
		wk_tx_flush(ctx, p);
	if (tb->count >= DPVS_TXBUF_LEN) {
		ctx->st->drop[DPVS_DROP_TX_FULL]++;
		rte_pktmbuf_free(m);
		return -1;
	}
	tb->pkts[tb->count] = m;
	rte_compiler_barrier();
	tb->count++;
	return 0;
}
