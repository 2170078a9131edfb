/*
 * The redirect rings [dp_vs_redirect_ring]: a reply that reached a worker
 * other than its connection's owner (the owner of local port lport is
 * lport % nworkers, ARCHITECTURE.md section 4; a NAT reply's owner is found
 * in the peers' tables, ipvs.c) goes on the single-producer
 * single-consumer ring dpvs_redir_<me>_<owner>; each loop iteration the
 * owner drains every dpvs_redir_<peer>_<me> through this worker's in-flight
 * array (so a successor frees what a crash left) into the ipvs path of the
 * frame's family (IPv4 or IPv6, wk_ipvs_in_frame), and
 * carries out the verdict. A packet the ipvs path does not take goes to the
 * kernel of the port it came in on; while it runs, ctx->redirected tells
 * the ipvs path not to pass the packet on again nor open a connection
 * with it (a stale guess of its sender cannot make it bounce).
 * Touches the rings, this worker's in-flight array, and what the ipvs path
 * touches.
 */
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "shm/ring.h"
#include "worker/ipvs/lbpath.h"

int
wk_redirect_send(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t owner)
{
	struct rte_ring *r = ctx->shm->redir[ctx->id][owner];

	if (r == NULL || dpvs_ring_enqueue(r, m) != 0) {
		ctx->st->drop[DPVS_DROP_REDIR_RING_FULL]++;
		rte_pktmbuf_free(m);
		return -1;
	}
	return 0;
}

static unsigned int
redirect_drain_peer(struct wk_ctx *ctx, struct rte_ring *r)
{
	struct dpvs_worker_region *wr = ctx->wr;
	struct wk_verdict v;
	struct rte_mbuf *m;
	unsigned int i, n;
	uint16_t p;

	n = dpvs_ring_dequeue_burst(r, (void **)wr->inflight, DPVS_BURST);
	if (n == 0)
		return 0;
	wr->inflight_n = n;
	for (i = 0; i < n; i++) {
		m = wr->inflight[i];
		p = wk_rx_iface(ctx, m); /* a VLAN frame: its interface */
		ctx->redirected = 1;
		if (p == WK_PORT_NONE)
			v = wk_drop(DPVS_DROP_BAD_PORT);
		else if (wk_ipvs_in_frame(ctx, m, p, &v) == 0)
			v = wk_kernel(p);
		ctx->redirected = 0;
		wr->inflight[i] = NULL;
		rte_compiler_barrier();
		wk_act(ctx, m, v);
	}
	wr->inflight_n = 0;
	return n;
}

unsigned int
wk_redirect_drain(struct wk_ctx *ctx)
{
	unsigned int n = 0;
	uint16_t w;

	for (w = 0; w < ctx->nworkers; w++)
		if (w != ctx->id && ctx->shm->redir[w][ctx->id] != NULL)
			n += redirect_drain_peer(ctx, ctx->shm->redir[w][ctx->id]);
	return n;
}
