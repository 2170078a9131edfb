/*
 * The exception bridge's pass over the ports (see bridge.h). Called only by
 * dpvs-kni-bridge's main loop; writes only root->bridge_stats. A VLAN
 * interface's frames go to and come from its own tap (vtap.c).
 */
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "shm/ring.h"
#include "bridge.h"

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

/* A worker -> kernel: a burst of ring r of port p to the tap, free and
 * count what the tap refuses. A death after the dequeue loses at most this
 * burst. */
static unsigned int
to_kernel(struct bridge_ctx *b, uint32_t p, struct rte_ring *r)
{
	struct dpvs_bridge_stats *st = &b->shm->root->bridge_stats[p];
	struct rte_mbuf *pkts[DPVS_BURST];
	unsigned int n, sent;

	unsigned int k;

	n = dpvs_ring_dequeue_burst(r, (void **)pkts, DPVS_BURST);
	if (n == 0)
		return 0;
	k = bridge_vtap_take(b, p, pkts, n); /* a VLAN's frames to its own tap */
	sent = rte_eth_tx_burst(b->shm->root->ports[p].kni_port_id, 0, pkts, (uint16_t)k);
	if (sent < k) {
		rte_pktmbuf_free_bulk(&pkts[sent], k - sent);
		st->to_kernel_drop += k - sent;
	}
	st->to_kernel += sent;
	return n;
}

/* Kernel -> the workers: a burst from the tap, each frame to the worker
 * of its flow (flow.c), in order within each worker's share. */
static unsigned int
from_kernel(struct bridge_ctx *b, uint32_t p)
{
	struct dpvs_root *root = b->shm->root;
	struct dpvs_bridge_stats *st = &root->bridge_stats[p];
	uint32_t nw = RTE_MIN(root->conf.nworkers, (uint32_t)DPVS_MAX_WORKERS);
	struct rte_mbuf *pkts[DPVS_BURST], *share[DPVS_BURST];
	uint8_t to[DPVS_BURST];
	unsigned int n, q, i, k;
	uint32_t w;

	n = rte_eth_rx_burst(root->ports[p].kni_port_id, 0, pkts, DPVS_BURST);
	n += bridge_vtap_read(b, p, pkts + n, DPVS_BURST - n);
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		pkts[i]->port = root->ports[p].port_id;
		to[i] = (uint8_t)bridge_flow_worker(root, nw, bridge_flow_hash(
			rte_pktmbuf_mtod(pkts[i], const uint8_t *), rte_pktmbuf_data_len(pkts[i])));
	}
	for (w = 0; w < nw; w++) {
		for (i = 0, k = 0; i < n; i++)
			if (to[i] == w)
				share[k++] = pkts[i];
		if (k == 0)
			continue;
		q = dpvs_ring_enqueue_burst(b->shm->from_kni[p][w], (void **)share, k);
		if (q < k) {
			rte_pktmbuf_free_bulk(&share[q], k - q);
			st->from_kernel_drop += k - q;
		}
		st->from_kernel += q;
	}
	return n;
}

unsigned int
bridge_poll_once(struct bridge_ctx *b)
{
	uint32_t p, w, nports = b->shm->root->conf.nports;
	uint32_t nworkers = b->shm->root->conf.nworkers;
	unsigned int moved = 0;

	bridge_vtap_refresh(b);
	for (p = 0; p < nports; p++) {
		/* the priority classes (control, management) first */
		for (w = 0; w < nworkers; w++)
			moved += to_kernel(b, p, b->shm->to_kni_hi[p][w]);
		for (w = 0; w < nworkers; w++)
			moved += to_kernel(b, p, b->shm->to_kni[p][w]);
		moved += from_kernel(b, p);
	}
	return moved;
}
