/*
 * The tx stage [core_tx_queue, netif_tx_burst]: one buffer per port in this
 * worker's shm region, flushed with rte_eth_tx_burst on queue `id`.
 * Ownership (ARCHITECTURE.md section 1): a packet is stored before the count
 * that covers it, and the successor frees every non-NULL entry below the
 * count. A flush of a port whose driver queues the packets (NICs, memif)
 * takes the count, sets the shm count to 0, sends the burst, and re-buffers
 * what the queue refused: a death inside the driver leaks the burst's
 * unsent mbufs, it never frees one twice. A port whose driver writes and
 * frees each packet at once (net_tap: one writev per packet anyway) is sent
 * one packet per call, its entry cleared just before: a death there leaks
 * at most that one packet (docs/crash-safety.md). A port that sends nothing for
 * WK_TX_MAX_STALLS flushes in a row (link down, kernel end gone) has its
 * buffer dropped (tx_full), so it cannot hold mbufs and stall forever.
 * Touches the region's txbuf[] and stats.
 */
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "shm/fault.h"
#include "worker/worker.h"

int
wk_tx_one_by_one(uint16_t port_id)
{
	struct rte_eth_dev_info info;

	if (rte_eth_dev_info_get(port_id, &info) != 0 || info.driver_name == NULL)
		return 0;
	return strcmp(info.driver_name, "net_tap") == 0;
}

/* Move the entries [from, n) down to [0, n - from): each entry is cleared
 * before it is written at its new place, so no mbuf is ever in two entries
 * (a death in between loses one, never frees one twice). */
static void
txbuf_compact(struct dpvs_txbuf *tb, uint32_t from, uint32_t n)
{
	struct rte_mbuf *m;
	uint32_t j;

	for (j = from; j < n; j++) {
		m = tb->pkts[j];
		tb->pkts[j] = NULL;
		rte_compiler_barrier();
		dpvs_fault(DPVS_FAULT_TX_MOVED);
		tb->pkts[j - from] = m;
		rte_compiler_barrier();
	}
	tb->count = n - from;
}

/* One packet per tx call; returns the number sent. */
static unsigned int
tx_flush_one_by_one(struct wk_ctx *ctx, uint16_t p)
{
	struct dpvs_txbuf *tb = &ctx->wr->txbuf[p];
	uint32_t n = tb->count, i, len;
	struct rte_mbuf *m;
	uint64_t bytes = 0;

	for (i = 0; i < n; i++) {
		m = tb->pkts[i];
		len = m->pkt_len; /* the driver frees it */
		tb->pkts[i] = NULL;
		rte_compiler_barrier();
		dpvs_fault(DPVS_FAULT_TX_HANDED); /* as if inside the driver */
		if (rte_eth_tx_burst(ctx->port_id[p], ctx->id, &m, 1) == 0) {
			tb->pkts[i] = m;
			break;
		}
		bytes += len;
	}
	ctx->st->tx_pkts += i;
	ctx->st->tx_bytes += bytes;
	ctx->tx_stalls[p] = i == 0 ? ctx->tx_stalls[p] + 1 : 0;
	if (i < n && ctx->tx_stalls[p] >= WK_TX_MAX_STALLS) {
		tb->count = 0;
		rte_compiler_barrier();
		ctx->st->drop[DPVS_DROP_TX_FULL] += n - i;
		rte_pktmbuf_free_bulk(&tb->pkts[i], n - i);
		ctx->tx_stalls[p] = 0;
	} else if (i > 0) {
		txbuf_compact(tb, i, n);
	}
	return i;
}

unsigned int
wk_tx_flush(struct wk_ctx *ctx, uint16_t p)
{
	struct dpvs_txbuf *tb = &ctx->wr->txbuf[p];
	uint32_t n = tb->count, i;
	uint64_t bytes = 0;
	uint16_t sent;

	if (n == 0)
		return 0;
	if (ctx->tx_one[p])
		return tx_flush_one_by_one(ctx, p);
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
