/*
 * What a packet about a neighbour may teach this worker's table (see
 * neigh.h): the rules of README "Neighbours", one function for ARP (arp.c)
 * and ND (nd.c). Its sender (ARP) or target (ND) must be a unicast host of
 * the receiving port's networks, not one of our addresses and not a static
 * neighbour (bad_sender, our_sender, off_subnet, is_static otherwise). A
 * reply resolves only an entry we are asking for (INCOMPLETE) or confirms
 * the known MAC; a reply or gratuitous packet for an address nobody on the
 * node asked for creates nothing (unsolicited); another MAC for a known
 * neighbour, from any packet, is not taken: it starts a unicast probe of the
 * known MAC (mac_claim), at most once per lock time (mac_locked), and only if
 * the known MAC stays silent does the broadcast that follows learn the new
 * one. A request creates nothing. The peers get a copy of what passes the
 * address checks (their request may be the one it answers), on the arp
 * rings dpvs_arp_<id>_<peer> (ARP packets and NAs alike).
 * Writes this worker's neighbour table, hold queue, tx buffers and stats
 * row, new mbufs from the pool for the peers' copies.
 */
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "shm/lb_hash.h"
#include "shm/ring.h"
#include "worker/ipvs/lbpath.h"
#include "worker/l2/neigh.h"
#include "worker/worker.h"

const struct wk_nreasons wk_arp_reasons = {
	.bad_sender = DPVS_DROP_ARP_BAD_SENDER, .our_sender = DPVS_DROP_ARP_OUR_SENDER,
	.off_subnet = DPVS_DROP_ARP_OFF_SUBNET, .unsolicited = DPVS_DROP_ARP_UNSOLICITED,
	.is_static = DPVS_DROP_ARP_STATIC, .mac_claim = DPVS_DROP_ARP_MAC_CLAIM,
	.mac_locked = DPVS_DROP_ARP_MAC_LOCKED,
};

const struct wk_nreasons wk_nd_reasons = {
	.bad_sender = DPVS_DROP_ND_BAD_SENDER, .our_sender = DPVS_DROP_ND_OUR_SENDER,
	.off_subnet = DPVS_DROP_ND_OFF_SUBNET, .unsolicited = DPVS_DROP_ND_UNSOLICITED,
	.is_static = DPVS_DROP_ND_STATIC, .mac_claim = DPVS_DROP_ND_MAC_CLAIM,
	.mac_locked = DPVS_DROP_ND_MAC_LOCKED,
};

/* May ip (at mac, received on port p) be a neighbour at all? The reason
 * why not, or DPVS_DROP_MAX. */
static uint8_t
sender_check(const struct wk_ctx *ctx, const struct dpvs_ip *ip,
	     const uint8_t mac[DPVS_ETHER_LEN], uint16_t p, const struct wk_nreasons *why)
{
	const struct rte_ether_addr *ea = (const struct rte_ether_addr *)mac;

	if (!rte_is_unicast_ether_addr(ea) || rte_is_zero_ether_addr(ea))
		return why->bad_sender;
	switch (wk_neigh_class(ctx->cfg, p, ip)) {
	case WK_NADDR_OK:
		return DPVS_DROP_MAX;
	case WK_NADDR_OURS:
		return why->our_sender;
	case WK_NADDR_OFF_SUBNET:
		return why->off_subnet;
	default:
		return why->bad_sender;
	}
}

/* Does a peer worker have an entry for (p, ip), i.e. did it ask? (A racy
 * read of the peer's table: it only decides a counter.) */
static int
peer_asked(const struct wk_ctx *ctx, uint16_t p, const struct dpvs_ip *ip)
{
	uint16_t w;

	for (w = 0; w < ctx->nworkers; w++)
		if (w != ctx->id && ctx->shm->wr[w] != NULL &&
		    wk_neigh_find(ctx->shm->wr[w], p, ip) != NULL)
			return 1;
	return 0;
}

/* Carry out what the state machine made of a packet about entry e. */
static void
judge_nud(struct wk_ctx *ctx, struct dpvs_neigh *e, enum wk_nkind kind,
	  const uint8_t mac[DPVS_ETHER_LEN], const struct wk_nreasons *why)
{
	struct dpvs_worker_stats *st = ctx->st;
	struct dpvs_ip ip = e->ip;
	uint16_t p = e->port;

	switch (wk_nud_arp(e, kind == WK_NKIND_REPLY, mac, ctx->now_ns)) {
	case WK_NUD_RESOLVED:
		wk_neigh_resolved(ctx, p, &ip, mac); /* send what waited */
		break;
	case WK_NUD_VERIFY:
		wk_neigh_solicit(ctx, p, &ip, e->mac);
		st->drop[why->mac_claim]++;
		break;
	case WK_NUD_CLAIM:
		st->drop[why->mac_claim]++;
		break;
	case WK_NUD_LOCKED:
		st->drop[why->mac_locked]++;
		break;
	case WK_NUD_UNSOLICITED:
		if (kind != WK_NKIND_REQUEST) /* a host we ask may ask us too */
			st->drop[why->unsolicited]++;
		break;
	default:
		break;
	}
}

int
wk_neigh_judge(struct wk_ctx *ctx, uint16_t p, const struct dpvs_ip *ip,
	       const uint8_t mac[DPVS_ETHER_LEN], enum wk_nkind kind, int direct,
	       const struct wk_nreasons *why)
{
	struct dpvs_neigh *e = wk_neigh_lookup(ctx->wr, p, ip);
	uint16_t s = dpvs_sneigh_lookup(&ctx->cfg->lb, ip, p);
	uint8_t r;

	/* a host asking for someone: news only about a neighbour we know */
	if (kind == WK_NKIND_REQUEST && e == NULL && s == DPVS_SLOT_NONE)
		return 0;
	r = sender_check(ctx, ip, mac, p, why);
	if (r != DPVS_DROP_MAX) {
		ctx->st->drop[r]++;
		return 0;
	}
	if (s != DPVS_SLOT_NONE) {
		if (memcmp(dpvs_lb_sneigh(&ctx->cfg->lb)[s].mac, mac, DPVS_ETHER_LEN) != 0)
			ctx->st->drop[why->is_static]++;
		return 0;
	}
	if (e != NULL)
		judge_nud(ctx, e, kind, mac, why);
	else if (direct && !peer_asked(ctx, p, ip))
		ctx->st->drop[why->unsolicited]++;
	return 1;
}

void
wk_neigh_copy_to_peers(struct wk_ctx *ctx, const struct rte_mbuf *m)
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
