/*
 * The neighbour stage of the output [neigh_output]: the next hop's MAC from
 * this worker's learned table (neigh.c), then from the static neighbours of
 * the active config set (shm/lb_hash.h); when neither knows it, the packet
 * is held in this worker's hold queue (region hold[]: DPVS_NEIGH_HOLD_SLOTS
 * next hops, DPVS_NEIGH_HOLD_PKTS packets each) and an ARP request goes out
 * of the port. The request is resent every WK_ARP_RETRY_NS; after
 * WK_ARP_TRIES the held packets are dropped (neigh_unresolved). A learned
 * reply (arp.c) releases the held packets to the tx buffer.
 * Ownership (shm/layout.h): a packet is stored before the count covering
 * it; a release clears the slot before handing the packets on, so a
 * successor (wk_neigh_hold_recover from wk_ctx_recover) frees exactly what
 * was still held. Touches this worker's region, tx buffers and stats row.
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "shm/lb_hash.h"
#include "worker/ipvs/lbpath.h"
#include "worker/l2/neigh.h"

#define WK_ARP_RETRY_NS  1000000000ull  /* resend an unanswered request */
#define WK_ARP_TRIES     3              /* requests before giving up */
#define WK_HOLD_TICK_NS  100000000ull   /* scan the hold queue this often */

static void
eth_fill(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t port, const uint8_t *mac)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	memcpy(eth->dst_addr.addr_bytes, mac, RTE_ETHER_ADDR_LEN);
	rte_ether_addr_copy(&ctx->mac[port], &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
}

struct wk_verdict
wk_neigh_output(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t port, uint32_t nh_be)
{
	const struct dpvs_neigh *n;
	struct dpvs_ip ip;
	uint16_t s;

	wk_ip_from_v4(&ip, nh_be);
	n = wk_neigh_lookup(ctx->wr, port, &ip);
	if (n != NULL) {
		eth_fill(ctx, m, port, n->mac);
		return wk_tx(port);
	}
	s = dpvs_sneigh_lookup(&ctx->cfg->lb, &ip, port);
	if (s != DPVS_SLOT_NONE) {
		eth_fill(ctx, m, port, dpvs_lb_sneigh(&ctx->cfg->lb)[s].mac);
		return wk_tx(port);
	}
	ctx->hold_nh = ip;
	return (struct wk_verdict){ .kind = DPVS_VERDICT_HOLD, .port = port };
}

/* Our source address for an ARP request on port toward tip: an address of
 * the port whose subnet holds tip, else the port's first, else 0. */
static uint32_t
arp_source(const struct wk_ctx *ctx, uint16_t port, uint32_t tip_be)
{
	const struct dpvs_config_set *cfg = ctx->cfg;
	uint32_t i, a, first = 0, mask, n = RTE_MIN(cfg->naddrs, cfg->lb.caps.addrs);
	const struct dpvs_addr_entry *e;

	for (i = 0; i < n; i++) {
		e = &dpvs_cfg_addrs(cfg)[i];
		if (e->addr.family != DPVS_AF_INET || e->port != port)
			continue;
		memcpy(&a, e->addr.bytes, sizeof(a));
		if (first == 0)
			first = a;
		mask = e->prefixlen == 0 ? 0 : rte_cpu_to_be_32(~0u << (32 - RTE_MIN(e->prefixlen, 32)));
		if (((a ^ tip_be) & mask) == 0)
			return a;
	}
	return first;
}

/* Broadcast an ARP request for h's next hop out of its port. */
static void
arp_request(struct wk_ctx *ctx, struct dpvs_neigh_hold *h)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(ctx->pool);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	uint32_t tip;

	h->tries++;
	h->sent_ns = ctx->now_ns;
	if (m == NULL) {
		ctx->st->drop[DPVS_DROP_NO_MBUF]++;
		return;
	}
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(&tip, h->ip.bytes, sizeof(tip));
	memset(eth->dst_addr.addr_bytes, 0xff, RTE_ETHER_ADDR_LEN);
	rte_ether_addr_copy(&ctx->mac[h->port], &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(eth + 1);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = sizeof(uint32_t);
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	rte_ether_addr_copy(&ctx->mac[h->port], &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = arp_source(ctx, h->port, tip);
	memset(arp->arp_data.arp_tha.addr_bytes, 0, RTE_ETHER_ADDR_LEN);
	arp->arp_data.arp_tip = tip;
	wk_tx_enqueue(ctx, m, h->port); /* counts and frees on failure */
}

static struct dpvs_neigh_hold *
hold_find(struct wk_ctx *ctx, uint16_t port, const struct dpvs_ip *ip,
	  struct dpvs_neigh_hold **free_slot)
{
	struct dpvs_neigh_hold *h;
	unsigned int i;

	*free_slot = NULL;
	for (i = 0; i < DPVS_NEIGH_HOLD_SLOTS; i++) {
		h = &ctx->wr->hold[i];
		if (h->ip.family == DPVS_AF_NONE) {
			if (*free_slot == NULL)
				*free_slot = h;
			continue;
		}
		if (h->port == port && dpvs_ip_equal(&h->ip, ip))
			return h;
	}
	return NULL;
}

int
wk_neigh_hold(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t port)
{
	struct dpvs_neigh_hold *h, *fs;

	h = hold_find(ctx, port, &ctx->hold_nh, &fs);
	if (h == NULL && fs != NULL) {
		h = fs;
		h->count = 0;
		h->tries = 0;
		h->port = port;
		h->ip = ctx->hold_nh;
		arp_request(ctx, h);
	}
	if (h == NULL || h->count >= DPVS_NEIGH_HOLD_PKTS) {
		ctx->st->drop[DPVS_DROP_NEIGH_HOLD_FULL]++;
		rte_pktmbuf_free(m);
		return -1;
	}
	h->pkts[h->count] = m;
	rte_compiler_barrier();
	h->count++;
	return 0;
}

/* Empty slot h into out[] (cleared before the caller hands them on). */
static unsigned int
hold_take(struct dpvs_neigh_hold *h, struct rte_mbuf **out)
{
	unsigned int i, n = RTE_MIN(h->count, (uint16_t)DPVS_NEIGH_HOLD_PKTS);

	for (i = 0; i < n; i++) {
		out[i] = h->pkts[i];
		h->pkts[i] = NULL;
	}
	h->count = 0;
	rte_compiler_barrier();
	h->ip.family = DPVS_AF_NONE;
	return n;
}

void
wk_neigh_resolved(struct wk_ctx *ctx, uint16_t port, const struct dpvs_ip *ip,
		  const uint8_t mac[DPVS_ETHER_LEN])
{
	struct rte_mbuf *pkts[DPVS_NEIGH_HOLD_PKTS];
	struct dpvs_neigh_hold *h, *fs;
	unsigned int i, n;

	h = hold_find(ctx, port, ip, &fs);
	if (h == NULL)
		return;
	n = hold_take(h, pkts);
	for (i = 0; i < n; i++) {
		eth_fill(ctx, pkts[i], port, mac);
		wk_tx_enqueue(ctx, pkts[i], port); /* counts and frees on failure */
	}
}

unsigned int
wk_neigh_hold_tick(struct wk_ctx *ctx)
{
	struct rte_mbuf *pkts[DPVS_NEIGH_HOLD_PKTS];
	struct dpvs_neigh_hold *h;
	unsigned int i, n, dropped = 0;

	if (ctx->now_ns < ctx->hold_tick_ns)
		return 0;
	ctx->hold_tick_ns = ctx->now_ns + WK_HOLD_TICK_NS;
	for (i = 0; i < DPVS_NEIGH_HOLD_SLOTS; i++) {
		h = &ctx->wr->hold[i];
		if (h->ip.family == DPVS_AF_NONE || ctx->now_ns - h->sent_ns < WK_ARP_RETRY_NS)
			continue;
		if (h->tries < WK_ARP_TRIES) {
			arp_request(ctx, h);
			continue;
		}
		n = hold_take(h, pkts);
		ctx->st->drop[DPVS_DROP_NEIGH_UNRESOLVED] += n;
		rte_pktmbuf_free_bulk(pkts, n);
		dropped += n;
	}
	return dropped;
}

unsigned int
wk_neigh_hold_recover(struct wk_ctx *ctx)
{
	struct dpvs_neigh_hold *h;
	struct rte_mbuf *m;
	unsigned int i, j, freed = 0;

	/* every non-NULL entry is ours: releases clear entries before they hand
	 * packets on, and an entry stored but not yet counted is ours too */
	for (i = 0; i < DPVS_NEIGH_HOLD_SLOTS; i++) {
		h = &ctx->wr->hold[i];
		for (j = 0; j < DPVS_NEIGH_HOLD_PKTS; j++) {
			m = h->pkts[j];
			h->pkts[j] = NULL;
			if (m != NULL && m->pool == ctx->pool) {
				rte_pktmbuf_free(m);
				freed++;
			}
		}
		h->count = 0;
		h->ip.family = DPVS_AF_NONE;
	}
	return freed;
}
