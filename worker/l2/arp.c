/*
 * The arp stage [neigh_resolve_input]: a request for one of our addresses on
 * the receiving port is answered in place with the port's MAC (tx on the same
 * port); a request for any other address goes to the kernel, which owns the
 * addresses on <port>.kni; a reply is learned into this worker's neighbour
 * table (releasing the packets held for it, neigh_out.c), copied to every
 * other worker (its ring dpvs_arp_<id>_<peer>), and handed to the kernel;
 * any other op is dropped. Also drains the peers' rings to this worker
 * (dpvs_arp_<peer>_<id>) into the neighbour table.
 * Writes: the packet, this worker's neighbour table and stats row, new mbufs
 * from the pool for the peers' copies.
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "shm/ring.h"
#include "worker/l3/hdr.h"
#include "worker/ipvs/lbpath.h"
#include "worker/l2/neigh.h"
#include "worker/worker.h"

enum dpvs_drop_reason
wk_arp_check(const struct rte_arp_hdr *arp, uint32_t len)
{
	if (len < sizeof(*arp))
		return DPVS_DROP_ARP_MALFORMED;
	if (arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != sizeof(uint32_t))
		return DPVS_DROP_ARP_MALFORMED;
	return DPVS_DROP_MAX;
}

/* The ARP header of m, or NULL (reason set) if it is not a usable one. */
static struct rte_arp_hdr *
arp_header(struct rte_mbuf *m, enum dpvs_drop_reason *why)
{
	uint32_t l2 = sizeof(struct rte_ether_hdr);
	struct rte_arp_hdr *arp;

	if (rte_pktmbuf_data_len(m) < l2 + sizeof(*arp)) {
		*why = DPVS_DROP_ARP_MALFORMED;
		return NULL;
	}
	arp = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, l2);
	*why = wk_arp_check(arp, rte_pktmbuf_data_len(m) - l2);
	return *why == DPVS_DROP_MAX ? arp : NULL;
}

/* Turn the request in m into our reply, in place. */
static struct wk_verdict
arp_reply(struct wk_ctx *ctx, struct rte_mbuf *m, struct rte_arp_hdr *arp, uint16_t p)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_ipv4 *d = &arp->arp_data;
	uint32_t tip = d->arp_tip;

	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&d->arp_sha, &d->arp_tha);
	d->arp_tip = d->arp_sip;
	rte_ether_addr_copy(&ctx->mac[p], &d->arp_sha);
	d->arp_sip = tip;
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&ctx->mac[p], &eth->src_addr);
	/* drop any Ethernet padding beyond the ARP payload */
	if (rte_pktmbuf_pkt_len(m) > sizeof(*eth) + sizeof(*arp))
		rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - sizeof(*eth) - sizeof(*arp));
	return wk_tx(p);
}

static void
arp_learn(struct wk_ctx *ctx, const struct rte_arp_hdr *arp, uint16_t p)
{
	struct dpvs_ip ip;

	wk_ip_from_v4(&ip, arp->arp_data.arp_sip);
	if (wk_neigh_learn(ctx->wr, p, &ip, arp->arp_data.arp_sha.addr_bytes, dpvs_now_ns()) < 0)
		ctx->st->drop[DPVS_DROP_NEIGH_FULL]++;
	/* send what waited for this neighbour (neigh_out.c) */
	wk_neigh_resolved(ctx, p, &ip, arp->arp_data.arp_sha.addr_bytes);
}

/* Give every other worker a copy of the reply in m to learn from, each on
 * its own ring dpvs_arp_<id>_<w> (one producer, one consumer). */
static void
arp_copy_to_peers(struct wk_ctx *ctx, const struct rte_mbuf *m)
{
	struct rte_mbuf *c;
	uint16_t w;

	for (w = 0; w < ctx->nworkers; w++) {
		if (w == ctx->id || ctx->shm->arp[ctx->id][w] == NULL)
			continue;
		c = rte_pktmbuf_copy(m, ctx->pool, 0, UINT32_MAX);
		if (c == NULL) {
			ctx->st->drop[DPVS_DROP_NO_MBUF]++;
			continue;
		}
		if (dpvs_ring_enqueue(ctx->shm->arp[ctx->id][w], c) != 0) {
			ctx->st->drop[DPVS_DROP_ARP_RING_FULL]++;
			rte_pktmbuf_free(c);
		}
	}
}

struct wk_verdict
wk_arp_input(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	enum dpvs_drop_reason why;
	struct rte_arp_hdr *arp = arp_header(m, &why);

	if (arp == NULL)
		return wk_drop(why);
	switch (arp->arp_opcode) {
	case RTE_BE16(RTE_ARP_OP_REQUEST):
		if (wk_addr_v4_is_ours(ctx->cfg, p, arp->arp_data.arp_tip))
			return arp_reply(ctx, m, arp, p);
		return wk_kernel(p);
	case RTE_BE16(RTE_ARP_OP_REPLY):
		arp_learn(ctx, arp, p);
		arp_copy_to_peers(ctx, m);
		return wk_kernel(p);
	default:
		return wk_drop(DPVS_DROP_ARP_OP);
	}
}

void
wk_arp_learn_copy(struct wk_ctx *ctx, struct rte_mbuf *m)
{
	enum dpvs_drop_reason why;
	const struct rte_arp_hdr *arp;
	uint8_t p = m->port < RTE_MAX_ETHPORTS ? ctx->port_index[m->port] : WK_PORT_NONE;

	if (p == WK_PORT_NONE) {
		ctx->st->drop[DPVS_DROP_BAD_PORT]++;
		return;
	}
	arp = arp_header(m, &why);
	if (arp == NULL) {
		ctx->st->drop[why]++;
		return;
	}
	if (arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REPLY))
		arp_learn(ctx, arp, p);
}

/* The copies peer w sent us (dpvs_arp_<w>_<id>). */
static unsigned int
arp_ring_drain_peer(struct wk_ctx *ctx, struct rte_ring *r)
{
	struct dpvs_worker_region *wr = ctx->wr;
	struct rte_mbuf *m;
	unsigned int i, n;

	n = dpvs_ring_dequeue_burst(r, (void **)wr->inflight, DPVS_BURST);
	if (n == 0)
		return 0;
	wr->inflight_n = n;
	for (i = 0; i < n; i++) {
		m = wr->inflight[i];
		wk_arp_learn_copy(ctx, m);
		wr->inflight[i] = NULL;
		rte_compiler_barrier();
		rte_pktmbuf_free(m);
	}
	wr->inflight_n = 0;
	ctx->st->arp_ring_in += n;
	return n;
}

unsigned int
wk_arp_ring_drain(struct wk_ctx *ctx)
{
	unsigned int n = 0;
	uint16_t w;

	for (w = 0; w < ctx->nworkers; w++)
		if (w != ctx->id && ctx->shm->arp[w][ctx->id] != NULL)
			n += arp_ring_drain_peer(ctx, ctx->shm->arp[w][ctx->id]);
	return n;
}
