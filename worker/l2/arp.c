/*
 * The arp stage [neigh_resolve_input]: a request for one of our addresses on
 * the receiving port is answered in place with the port's MAC (tx on the same
 * port); a request for any other address goes to the kernel, which owns the
 * addresses on <port>.kni; a reply goes to the kernel too (its own stack
 * asks through us); any other op is dropped.
 *
 * What an ARP packet may do to this worker's neighbour table is decided by
 * wk_neigh_judge (neigh_learn.c, the rules of README "Neighbours", counted
 * with the arp_* reasons): its sender must be a unicast host of the port's
 * networks, not ours, not a static neighbour; a reply resolves only what we
 * asked for; another MAC for a known neighbour starts a probe of the known
 * one. A request creates nothing (a host that asks for us is resolved when
 * we first send to it). Replies and gratuitous ARP that pass the address
 * checks are copied to every other worker (its ring dpvs_arp_<id>_<peer>:
 * the reply may answer a peer's request); each worker judges them against
 * its own table, draining the peers' rings to it (dpvs_arp_<peer>_<id>),
 * which also carry the peers' neighbour advertisements (nd.c).
 * The node's kernel asks through us: its requests (wk_arp_from_kernel) make
 * an INCOMPLETE entry, so that the reply is learned; its IPv6 neighbour
 * solicitations likewise (nd.c).
 * Writes: the packet, this worker's neighbour table, hold queue, tx buffers
 * and stats row, new mbufs from the pool for the peers' copies.
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "shm/lb_hash.h"
#include "shm/ring.h"
#include "worker/l3/hdr.h"
#include "worker/l3/l3.h"
#include "worker/ipvs/lbpath.h"
#include "worker/l2/neigh.h"
#include "worker/worker.h"

/* An ARP packet by what it says about its sender. */
enum arp_kind {
	ARP_REQUEST,     /* a request for an address (ours or another host's) */
	ARP_GRATUITOUS,  /* a request announcing the sender's own address */
	ARP_REPLY,
};

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
arp_header(const struct rte_mbuf *m, enum dpvs_drop_reason *why)
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

static enum arp_kind
arp_kind(const struct rte_arp_hdr *arp)
{
	if (arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REPLY))
		return ARP_REPLY;
	return arp->arp_data.arp_sip == arp->arp_data.arp_tip ? ARP_GRATUITOUS : ARP_REQUEST;
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

/* What the sender of arp (received on port p; direct: by us, not a peer's
 * copy) does to our table (neigh_learn.c). Returns 1 if a peer may want to
 * judge it too. */
static int
arp_judge(struct wk_ctx *ctx, const struct rte_arp_hdr *arp, uint16_t p, int direct)
{
	static const enum wk_nkind kinds[] = {
		[ARP_REQUEST] = WK_NKIND_REQUEST,
		[ARP_GRATUITOUS] = WK_NKIND_GRATUITOUS,
		[ARP_REPLY] = WK_NKIND_REPLY,
	};
	struct dpvs_ip ip;

	wk_ip_from_v4(&ip, arp->arp_data.arp_sip);
	return wk_neigh_judge(ctx, p, &ip, arp->arp_data.arp_sha.addr_bytes,
			      kinds[arp_kind(arp)], direct, &wk_arp_reasons);
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
		if (wk_addr_v4_is_ours(ctx->cfg, p, arp->arp_data.arp_tip)) {
			arp_judge(ctx, arp, p, 1);
			return arp_reply(ctx, m, arp, p);
		}
		if (arp_judge(ctx, arp, p, 1) && arp_kind(arp) == ARP_GRATUITOUS)
			wk_neigh_copy_to_peers(ctx, m);
		return wk_kernel(p);
	case RTE_BE16(RTE_ARP_OP_REPLY):
		if (arp_judge(ctx, arp, p, 1))
			wk_neigh_copy_to_peers(ctx, m);
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
	uint16_t p = wk_rx_iface(ctx, m);

	if (p == WK_PORT_NONE) {
		ctx->st->drop[DPVS_DROP_BAD_PORT]++;
		return;
	}
	if (rte_pktmbuf_data_len(m) >= RTE_ETHER_HDR_LEN &&
	    rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type ==
		    RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
		wk_nd_learn_copy(ctx, m, p); /* an NA */
		return;
	}
	arp = arp_header(m, &why);
	if (arp == NULL) {
		ctx->st->drop[why]++;
		return;
	}
	if (arp_kind(arp) != ARP_REQUEST)
		arp_judge(ctx, arp, p, 0);
}

void
wk_arp_from_kernel(struct wk_ctx *ctx, const struct rte_mbuf *m, uint16_t p)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_arp_hdr *arp;
	enum dpvs_drop_reason why;
	struct dpvs_ip ip;
	uint32_t tip;

	if (rte_pktmbuf_data_len(m) < sizeof(*eth))
		return;
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
		wk_nd_from_kernel(ctx, m, p); /* its neighbour solicitation */
		return;
	}
	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_ARP))
		return;
	arp = arp_header(m, &why);
	if (arp == NULL || arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST) ||
	    arp_kind(arp) != ARP_REQUEST)
		return;
	tip = arp->arp_data.arp_tip;
	wk_ip_from_v4(&ip, tip);
	if (wk_neigh_v4_class(ctx->cfg, p, tip) != WK_NADDR_OK ||
	    dpvs_sneigh_lookup(&ctx->cfg->lb, &ip, p) != DPVS_SLOT_NONE ||
	    wk_neigh_lookup(ctx->wr, p, &ip) != NULL)
		return;
	/* the kernel retransmits; we only wait for its answer as long */
	if (wk_neigh_create(ctx->wr, p, &ip, DPVS_NEIGH_F_KERNEL,
			    ctx->now_ns + WK_NEIGH_MCAST_PROBES * WK_NEIGH_RETRANS_NS,
			    ctx->now_ns) == NULL)
		ctx->st->drop[DPVS_DROP_NEIGH_FULL]++;
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
