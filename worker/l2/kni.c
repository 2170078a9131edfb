/*
 * The kernel stage (exception path, worker side). A packet for the kernel
 * gets a class (kni_class.c): control (ARP, ND, OSPF, BGP) and management
 * ([port.X] kni_priority) go on this worker's priority ring of the port,
 * dpvs_toknih_<p>_<id>, which the bridge empties first; the rest on the
 * bulk ring dpvs_tokni_<p>_<id> (this worker produces both, the bridge
 * consumes). Each class has a budget of packets per second for the
 * whole port ([port.X] kni_ctrl_rate, kni_mgmt_rate, kni_rate), of which
 * each worker polices its share (rate / workers) with a token bucket in its
 * context: over it, the packet is dropped and counted (kni_<class>_drop)
 * before it reaches a ring, so a flood toward the kernel costs the bridge
 * and the kernel no more than the budget and cannot starve the control
 * traffic.
 *
 * A port switched forward2kni (the config set's DPVS_PORT_CFG_FORWARD2KNI)
 * also gives the kernel a copy of every frame it receives
 * [NETIF_PORT_FLAG_FORWARD2KNI], on the bulk ring and budget; a copy that
 * does not fit is counted (kni_mirror_drop), never waited for.
 *
 * A VLAN interface's packet for the kernel gets its tag back and goes to
 * its port's kernel interface (<port>.kni sees it tagged; README: VLAN).
 *
 * Frames the kernel wrote come back on dpvs_fromkni_<p>_<id> and are sent
 * on this worker's tx queue of the port [kni egress -> netif_xmit]; the
 * bridge picks the worker by the frame's flow (kni_bridge/flow.c), so one
 * kernel flow leaves through one tx queue, in order. An ARP request among them
 * makes the neighbour INCOMPLETE in this worker's table (arp.c), so that the
 * reply is learned. Touches the rings, this worker's in-flight array, tx
 * buffers, buckets and stats row.
 */
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "shm/ring.h"
#include "worker/worker.h"

#define WK_KNI_BURST_MIN 4u
#define WK_KNI_BURST_MAX (DPVS_RING_SIZE / 2u)  /* a full bucket fits a ring */

static const uint8_t class_drop[DPVS_KNI_CLASSES] = {
	[DPVS_KNI_CTRL] = DPVS_DROP_KNI_CTRL_DROP,
	[DPVS_KNI_MGMT] = DPVS_DROP_KNI_MGMT_DROP,
	[DPVS_KNI_BULK] = DPVS_DROP_KNI_BULK_DROP,
};

void
wk_kni_init(struct wk_ctx *ctx)
{
	unsigned int p, c;

	for (p = 0; p < ctx->nports; p++) {
		const struct dpvs_port_info *pi = &ctx->root->ports[p];

		for (c = 0; c < DPVS_KNI_CLASSES; c++) {
			struct wk_kni_tb *b = &ctx->kni_tb[p][c];
			uint32_t rate = pi->kni_rate[c];

			/* this worker's share, rounded up: never 0 for a limit */
			b->rate = rate == 0 ? 0 : (rate + ctx->nworkers - 1) / ctx->nworkers;
			/* 200 ms worth, within a ring */
			b->burst = RTE_MAX(WK_KNI_BURST_MIN, RTE_MIN(b->rate / 5, WK_KNI_BURST_MAX));
			b->tokens = b->burst;
			b->last_ns = 0;
		}
		memcpy(ctx->kni_prio[p], pi->kni_prio, sizeof(ctx->kni_prio[p]));
	}
}

/* Take a token of b at time now: 1, or 0 when the budget is spent. */
static inline int
tb_take(struct wk_kni_tb *b, uint64_t now)
{
	uint64_t add;

	if (b->rate == 0)
		return 1;
	if (b->last_ns == 0 || now < b->last_ns) {
		b->last_ns = now;
	} else if (b->tokens < b->burst) {
		add = (now - b->last_ns) * b->rate / 1000000000ull;
		if (add > 0) {
			if (add >= b->burst - b->tokens) {
				b->tokens = b->burst;
				b->last_ns = now;
			} else {
				b->tokens += (uint32_t)add;
				/* keep the fraction of a token earned */
				b->last_ns += add * 1000000000ull / b->rate;
			}
		}
	} else {
		b->last_ns = now;
	}
	if (b->tokens == 0)
		return 0;
	b->tokens--;
	return 1;
}

int
wk_kni_send(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	enum dpvs_kni_class c;
	struct rte_ring *r;

	if (p >= DPVS_IFACE_VLAN0) {
		/* a VLAN interface's frame goes to its port's kernel
		 * interface with its tag back on (README: VLAN) */
		p = wk_if_ok(ctx, p) ? wk_vlan_tag(ctx, m, p) : WK_PORT_NONE;
		if (p == WK_PORT_NONE) {
			ctx->st->drop[DPVS_DROP_VLAN_NO_ROOM]++;
			rte_pktmbuf_free(m);
			return -1;
		}
	}
	c = wk_kni_class(m, ctx->kni_prio[p]);

	if (!tb_take(&ctx->kni_tb[p][c], ctx->now_ns)) {
		ctx->st->drop[class_drop[c]]++;
		rte_pktmbuf_free(m);
		return -1;
	}
	r = c == DPVS_KNI_BULK ? ctx->shm->to_kni[p][ctx->id] : ctx->shm->to_kni_hi[p][ctx->id];
	if (dpvs_ring_enqueue(r, m) != 0) {
		ctx->st->drop[DPVS_DROP_KNI_RING_FULL]++;
		rte_pktmbuf_free(m);
		return -1;
	}
	return 0;
}

void
wk_kni_mirror(struct wk_ctx *ctx, const struct rte_mbuf *m, uint16_t p)
{
	struct rte_mbuf *c;

	if (!tb_take(&ctx->kni_tb[p][DPVS_KNI_BULK], ctx->now_ns)) {
		ctx->st->drop[DPVS_DROP_KNI_MIRROR_DROP]++;
		return;
	}
	c = rte_pktmbuf_copy(m, ctx->pool, 0, UINT32_MAX);
	if (c == NULL) {
		ctx->st->drop[DPVS_DROP_KNI_MIRROR_DROP]++;
		return;
	}
	if (dpvs_ring_enqueue(ctx->shm->to_kni[p][ctx->id], c) != 0) {
		ctx->st->drop[DPVS_DROP_KNI_MIRROR_DROP]++;
		rte_pktmbuf_free(c);
		return;
	}
	ctx->st->event[DPVS_EVENT_KNI_MIRROR]++;
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
