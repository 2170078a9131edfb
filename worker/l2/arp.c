/*
 * The arp stage [neigh_resolve_input]: a request for one of our addresses on
 * the receiving port is answered in place with the port's MAC (tx on the same
 * port); a request for any other address goes to the kernel, which owns the
 * addresses on <port>.kni; a reply goes to the kernel too (its own stack
 * asks through us); any other op is dropped.
 *
 * What an ARP packet may do to this worker's neighbour table (neigh.h): its
 * sender must be a unicast host of the receiving port's networks, not one of
 * our addresses and not a static neighbour (arp_bad_sender, arp_our_sender,
 * arp_off_subnet, arp_static otherwise). A reply resolves only an entry we
 * are asking for (INCOMPLETE) or confirms the known MAC; a reply or a
 * gratuitous ARP for an address nobody on the node asked for creates nothing
 * (arp_unsolicited); another MAC for a known neighbour, from any ARP packet,
 * is not taken: it starts a unicast probe of the known MAC (arp_mac_claim),
 * at most once per lock time (arp_mac_locked), and only if the known MAC
 * stays silent does the broadcast that follows learn the new one. A request
 * creates nothing (a host that asks for us is resolved when we first send to
 * it). Replies and gratuitous ARP that pass the address checks are copied to
 * every other worker (its ring dpvs_arp_<id>_<peer>: the reply may answer a
 * peer's request); each worker judges them against its own table, draining
 * the peers' rings to it (dpvs_arp_<peer>_<id>).
 * The node's kernel asks through us: its requests (wk_arp_from_kernel) make
 * an INCOMPLETE entry, so that the reply is learned.
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

/* May the sender of arp (received on port p) be a neighbour at all? The
 * reason why not, or DPVS_DROP_MAX. */
static enum dpvs_drop_reason
arp_sender_check(const struct wk_ctx *ctx, const struct rte_arp_hdr *arp, uint16_t p)
{
	const struct rte_ether_addr *sha = &arp->arp_data.arp_sha;

	if (!rte_is_unicast_ether_addr(sha) || rte_is_zero_ether_addr(sha))
		return DPVS_DROP_ARP_BAD_SENDER;
	switch (wk_neigh_v4_class(ctx->cfg, p, arp->arp_data.arp_sip)) {
	case WK_NADDR_OK:
		return DPVS_DROP_MAX;
	case WK_NADDR_OURS:
		return DPVS_DROP_ARP_OUR_SENDER;
	case WK_NADDR_OFF_SUBNET:
		return DPVS_DROP_ARP_OFF_SUBNET;
	default:
		return DPVS_DROP_ARP_BAD_SENDER;
	}
}

/* Does a peer worker have an entry for (p, ip), i.e. did it ask? (A racy
 * read of the peer's table: it only decides a counter.) */
static int
arp_peer_asked(const struct wk_ctx *ctx, uint16_t p, const struct dpvs_ip *ip)
{
	uint16_t w;

	for (w = 0; w < ctx->nworkers; w++)
		if (w != ctx->id && ctx->shm->wr[w] != NULL &&
		    wk_neigh_find(ctx->shm->wr[w], p, ip) != NULL)
			return 1;
	return 0;
}

/* Carry out what the state machine made of an ARP packet about entry e. */
static void
arp_nud(struct wk_ctx *ctx, struct dpvs_neigh *e, enum arp_kind kind,
	const struct rte_ether_addr *sha)
{
	struct dpvs_worker_stats *st = ctx->st;
	struct dpvs_ip ip = e->ip;
	uint16_t p = e->port;

	switch (wk_nud_arp(e, kind == ARP_REPLY, sha->addr_bytes, ctx->now_ns)) {
	case WK_NUD_RESOLVED:
		wk_neigh_resolved(ctx, p, &ip, sha->addr_bytes); /* send what waited */
		break;
	case WK_NUD_VERIFY:
		wk_neigh_solicit(ctx, p, &ip, e->mac);
		st->drop[DPVS_DROP_ARP_MAC_CLAIM]++;
		break;
	case WK_NUD_CLAIM:
		st->drop[DPVS_DROP_ARP_MAC_CLAIM]++;
		break;
	case WK_NUD_LOCKED:
		st->drop[DPVS_DROP_ARP_MAC_LOCKED]++;
		break;
	case WK_NUD_UNSOLICITED:
		if (kind != ARP_REQUEST) /* a host we ask may ask us too */
			st->drop[DPVS_DROP_ARP_UNSOLICITED]++;
		break;
	default:
		break;
	}
}

/*
 * What the sender of arp (received on port p; direct: by us, not a peer's
 * copy) does to our table. Returns 1 if the sender passed the address checks
 * and is no static neighbour, i.e. a peer may want to judge it too.
 */
static int
arp_judge(struct wk_ctx *ctx, const struct rte_arp_hdr *arp, uint16_t p, int direct)
{
	enum arp_kind kind = arp_kind(arp);
	const struct rte_ether_addr *sha = &arp->arp_data.arp_sha;
	enum dpvs_drop_reason why;
	struct dpvs_neigh *e;
	struct dpvs_ip ip;
	uint16_t s;

	wk_ip_from_v4(&ip, arp->arp_data.arp_sip);
	e = wk_neigh_lookup(ctx->wr, p, &ip);
	s = dpvs_sneigh_lookup(&ctx->cfg->lb, &ip, p);
	/* a host asking for someone: news only about a neighbour we know */
	if (kind == ARP_REQUEST && e == NULL && s == DPVS_SLOT_NONE)
		return 0;
	why = arp_sender_check(ctx, arp, p);
	if (why != DPVS_DROP_MAX) {
		ctx->st->drop[why]++;
		return 0;
	}
	if (s != DPVS_SLOT_NONE) {
		if (memcmp(dpvs_lb_sneigh(&ctx->cfg->lb)[s].mac, sha->addr_bytes, DPVS_ETHER_LEN) != 0)
			ctx->st->drop[DPVS_DROP_ARP_STATIC]++;
		return 0;
	}
	if (e != NULL)
		arp_nud(ctx, e, kind, sha);
	else if (direct && !arp_peer_asked(ctx, p, &ip))
		ctx->st->drop[DPVS_DROP_ARP_UNSOLICITED]++;
	return 1;
}

/* Give every other worker a copy of the ARP packet in m to judge. */
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
		if (wk_addr_v4_is_ours(ctx->cfg, p, arp->arp_data.arp_tip)) {
			arp_judge(ctx, arp, p, 1);
			return arp_reply(ctx, m, arp, p);
		}
		if (arp_judge(ctx, arp, p, 1) && arp_kind(arp) == ARP_GRATUITOUS)
			arp_copy_to_peers(ctx, m);
		return wk_kernel(p);
	case RTE_BE16(RTE_ARP_OP_REPLY):
		if (arp_judge(ctx, arp, p, 1))
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

	if (rte_pktmbuf_data_len(m) < sizeof(*eth) ||
	    eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_ARP))
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
