/*
 * The kernel stage (exception path, worker side): packets for the kernel go
 * on this worker's to-kernel ring of port p, dpvs_tokni_<p>_<id> (this
 * worker produces, the bridge consumes); frames the kernel wrote come back on dpvs_fromkni_<p>_<id> and
 * are sent on this worker's tx queue of that port [kni egress ->
 * netif_xmit]; an ARP request among them makes the neighbour INCOMPLETE in
 * this worker's table (arp.c), so that the reply is learned. A port flagged forward2kni also gets a copy of everything it
 * receives on its to-kernel ring [NETIF_PORT_FLAG_FORWARD2KNI]. Touches the rings, this worker's in-flight array, tx buffers
 * and stats row.
 */
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "shm/ring.h"
#include "worker/worker.h"

int
wk_kni_send(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	if (dpvs_ring_enqueue(ctx->shm->to_kni[p][ctx->id], m) != 0) {
		ctx->st->drop[DPVS_DROP_KNI_RING_FULL]++;
		rte_pktmbuf_free(m);
		return -1;
	}
	return 0;
}

void
wk_kni_mirror(struct wk_ctx *ctx, const struct rte_mbuf *m, uint16_t p)
{
	struct rte_mbuf *c = rte_pktmbuf_copy(m, ctx->pool, 0, UINT32_MAX);

	if (c == NULL) {
		ctx->st->drop[DPVS_DROP_NO_MBUF]++;
		return;
	}
	if (dpvs_ring_enqueue(ctx->shm->to_kni[p][ctx->id], c) != 0) {
		ctx->st->drop[DPVS_DROP_KNI_RING_FULL]++;
		rte_pktmbuf_free(c);
	}
}

static unsigned int
kni_drain_port(struct wk_ctx *ctx, uint16_t p)
{
	struct dpvs_worker_region *wr = ctx->wr;
	struct rte_mbuf *m;
	unsigned int i, n;

	n = dpvs_ring_dequeue_burst(ctx->shm->from_kni[p][ctx->id], (void **)wr->inflight,
				    DPVS_BURST);
	if (n == 0)
		return 0;
	wr->inflight_n = n;
	for (i = 0; i < n; i++) {
		m = wr->inflight[i];
		wk_arp_from_kernel(ctx, m, p); /* the kernel asks: wait for the reply */
		wr->inflight[i] = NULL;
		rte_compiler_barrier();
		wk_tx_enqueue(ctx, m, p); /* counts and frees on failure */
	}
	wr->inflight_n = 0;
	ctx->st->from_kernel += n;
	return n;
}

unsigned int
wk_kni_drain(struct wk_ctx *ctx)
{
	unsigned int n = 0;
	uint16_t p;

	for (p = 0; p < ctx->nports; p++)
		n += kni_drain_port(ctx, p);
	return n;
}
