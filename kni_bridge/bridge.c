/*
 * The exception bridge's pass over the ports (see bridge.h). Called only by
 * dpvs-kni-bridge's main loop; writes only root->bridge_stats.
 */
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "bridge.h"

uint32_t
bridge_pick_worker(const struct dpvs_root *root, uint32_t nworkers, uint32_t *rr)
{
	uint32_t i, w;

	if (nworkers == 0)
		return 0;
	for (i = 0; i < nworkers; i++) {
		w = (*rr + i) % nworkers;
		if (__atomic_load_n(&root->workers[w].state, __ATOMIC_ACQUIRE) ==
		    DPVS_WORKER_RUNNING) {
			*rr = (w + 1) % nworkers;
			return w;
		}
	}
	return 0;
}

uint32_t
bridge_next_sleep_us(uint32_t prev_us, unsigned int moved)
{
	if (moved > 0)
		return 0;
	if (prev_us < BRIDGE_SLEEP_MIN_US)
		return BRIDGE_SLEEP_MIN_US;
	if (prev_us >= BRIDGE_SLEEP_MAX_US / 2)
		return BRIDGE_SLEEP_MAX_US;
	return prev_us * 2;
}

/* Workers -> kernel: ring to tap, free and count what the tap refuses. */
static unsigned int
to_kernel(struct bridge_ctx *b, uint32_t p)
{
	struct dpvs_bridge_stats *st = &b->shm->root->bridge_stats[p];
	struct rte_mbuf *pkts[DPVS_BURST];
	unsigned int n, sent;

	n = rte_ring_sc_dequeue_burst(b->shm->to_kni[p], (void **)pkts, DPVS_BURST, NULL);
	if (n == 0)
		return 0;
	sent = rte_eth_tx_burst(b->shm->root->ports[p].kni_port_id, 0, pkts, (uint16_t)n);
	if (sent < n) {
		rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
		st->to_kernel_drop += n - sent;
	}
	st->to_kernel += sent;
	return n;
}

/* Kernel -> a worker: one burst from the tap into one worker's ring. */
static unsigned int
from_kernel(struct bridge_ctx *b, uint32_t p)
{
	struct dpvs_root *root = b->shm->root;
	struct dpvs_bridge_stats *st = &root->bridge_stats[p];
	struct rte_mbuf *pkts[DPVS_BURST];
	unsigned int n, q, i;
	uint32_t w;

	n = rte_eth_rx_burst(root->ports[p].kni_port_id, 0, pkts, DPVS_BURST);
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		pkts[i]->port = root->ports[p].port_id;
	w = bridge_pick_worker(root, root->conf.nworkers, &b->rr);
	q = rte_ring_sp_enqueue_burst(b->shm->from_kni[p][w], (void **)pkts, n, NULL);
	if (q < n) {
		rte_pktmbuf_free_bulk(&pkts[q], n - q);
		st->from_kernel_drop += n - q;
	}
	st->from_kernel += q;
	return n;
}

unsigned int
bridge_poll_once(struct bridge_ctx *b)
{
	uint32_t p, nports = b->shm->root->conf.nports;
	unsigned int moved = 0;

	for (p = 0; p < nports; p++) {
		moved += to_kernel(b, p);
		moved += from_kernel(b, p);
	}
	return moved;
}
