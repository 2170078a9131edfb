/*
 * The neighbour stage of the output [neigh_output], for IPv4 and IPv6 next
 * hops alike: the next hop's MAC from
 * the static neighbours of the active config set (shm/lb_hash.h), which
 * always win, else from this worker's table (neigh.c) through the state
 * machine (neigh_nud.c): a REACHABLE, STALE or PROBE entry gives its MAC (a
 * STALE one also starts a unicast probe); an unknown next hop gets an
 * INCOMPLETE entry and a broadcast ARP request (IPv6: a neighbour
 * solicitation to its solicited-node address, nd.c), and its packets wait in this
 * worker's hold queue (region hold[]: DPVS_NEIGH_HOLD_SLOTS next hops,
 * DPVS_NEIGH_HOLD_PKTS packets each) until a reply (arp.c) releases them or
 * the entry FAILS (neigh_unresolved); a FAILED entry drops its packets.
 * The tick runs the entries' timers (requests, probes, aging, deletion),
 * looking at every entry once per WK_NEIGH_PASS_NS, a few slots per loop
 * iteration.
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
#include "worker/l3/l3.h"

#define WK_NEIGH_PASS_NS  100000000ull /* the tick looks at every entry this often */
#define WK_NEIGH_SCAN_MAX 256          /* slots the tick looks at per call, at most */

enum wk_naddr
wk_neigh_v4_class(const struct dpvs_config_set *cfg, uint16_t port, uint32_t addr_be)
{
	uint32_t a = rte_be_to_cpu_32(addr_be), x, mask, i;
	uint32_t n = RTE_MIN(cfg->naddrs, cfg->lb.caps.addrs);
	const struct dpvs_addr_entry *e;
	struct dpvs_ip ip;
	int on = 0;

	/* 0/8, 127/8, multicast 224/4, 240/4 and the limited broadcast */
	if ((a >> 24) == 0 || (a >> 24) == 127 || (a >> 24) >= 224)
		return WK_NADDR_SPECIAL;
	wk_ip_from_v4(&ip, addr_be);
	if (dpvs_addr_lookup(&cfg->lb, &ip) != NULL)
		return WK_NADDR_OURS;
	for (i = 0; i < n; i++) {
		e = &dpvs_cfg_addrs(cfg)[i];
		if (e->addr.family != DPVS_AF_INET || e->port != port)
			continue;
		memcpy(&x, e->addr.bytes, sizeof(x));
		x = rte_be_to_cpu_32(x);
		mask = e->prefixlen == 0 ? 0 : ~0u << (32 - RTE_MIN(e->prefixlen, 32));
		if (((x ^ a) & mask) != 0)
			continue;
		/* the network's own and broadcast addresses are no host's */
		if (e->prefixlen <= 30 && ((a & ~mask) == 0 || (a & ~mask) == ~mask))
			return WK_NADDR_SPECIAL;
		on = 1;
	}
	return on ? WK_NADDR_OK : WK_NADDR_OFF_SUBNET;
}

/* ::, ::1, multicast, IPv4-mapped ::ffff:0:0/96. */
static int
ip6_special(const uint8_t *a)
{
	static const uint8_t zero[16], mapped[12] = { [10] = 0xff, [11] = 0xff };

	return a[0] == 0xff || memcmp(a, zero, 15) == 0 || memcmp(a, mapped, 12) == 0;
}

enum wk_naddr
wk_neigh_v6_class(const struct dpvs_config_set *cfg, uint16_t port, const uint8_t a[16])
{
	uint32_t i, n = RTE_MIN(cfg->naddrs, cfg->lb.caps.addrs);
	const struct dpvs_addr_entry *e;
	uint8_t x[16], y[16];
	struct dpvs_ip ip;
	int on = 0;

	if (ip6_special(a))
		return WK_NADDR_SPECIAL;
	wk_ip_from_v6(&ip, a);
	if (dpvs_addr_lookup(&cfg->lb, &ip) != NULL)
		return WK_NADDR_OURS;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return WK_NADDR_OK; /* link-local: on every port's link */
	for (i = 0; i < n; i++) {
		e = &dpvs_cfg_addrs(cfg)[i];
		if (e->addr.family != DPVS_AF_INET6 || e->port != port || e->prefixlen >= 128)
			continue;
		dpvs_ip6_mask(x, e->addr.bytes, e->prefixlen);
		dpvs_ip6_mask(y, a, e->prefixlen);
		if (memcmp(x, y, 16) != 0)
			continue;
		/* the subnet-router anycast address is no host's */
		if (e->prefixlen <= 126 && memcmp(y, a, 16) == 0)
			return WK_NADDR_SPECIAL;
		on = 1;
	}
	return on ? WK_NADDR_OK : WK_NADDR_OFF_SUBNET;
}

enum wk_naddr
wk_neigh_class(const struct dpvs_config_set *cfg, uint16_t port, const struct dpvs_ip *ip)
{
	uint32_t a;

	if (ip->family == DPVS_AF_INET6)
		return wk_neigh_v6_class(cfg, port, ip->bytes);
	if (ip->family != DPVS_AF_INET)
		return WK_NADDR_SPECIAL;
	memcpy(&a, ip->bytes, sizeof(a));
	return wk_neigh_v4_class(cfg, port, a);
}

void
wk_neigh_solicit(struct wk_ctx *ctx, uint16_t port, const struct dpvs_ip *ip,
		 const uint8_t *dmac)
{
	struct rte_mbuf *m;
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	uint32_t tip;

	if (!wk_if_ok(ctx, port))
		return;
	if (ip->family == DPVS_AF_INET6) {
		wk_nd_solicit(ctx, port, ip, dmac);
		return;
	}
	if (ip->family != DPVS_AF_INET)
		return;
	m = rte_pktmbuf_alloc(ctx->pool);
	if (m == NULL) {
		ctx->st->drop[DPVS_DROP_NO_MBUF]++;
		return;
	}
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(&tip, ip->bytes, sizeof(tip));
	if (dmac != NULL)
		memcpy(eth->dst_addr.addr_bytes, dmac, RTE_ETHER_ADDR_LEN);
	else
		memset(eth->dst_addr.addr_bytes, 0xff, RTE_ETHER_ADDR_LEN);
	rte_ether_addr_copy(&ctx->mac[port], &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(eth + 1);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = sizeof(uint32_t);
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	rte_ether_addr_copy(&ctx->mac[port], &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = wk_addr_v4_source(ctx->cfg, port, tip);
	memset(arp->arp_data.arp_tha.addr_bytes, 0, RTE_ETHER_ADDR_LEN);
	arp->arp_data.arp_tip = tip;
	wk_tx_enqueue(ctx, m, port); /* counts and frees on failure */
}

/* The static neighbour nh on port (index in the set's lb.sneigh[]) or
 * DPVS_SLOT_NONE: per packet, the last IPv4 one found is remembered for
 * its config set (version and copy), so that a flow's packets (and every
 * flow to the same next hop) skip the set's hash table; wk_ip_output_v4
 * (l3.h) reads the memo too. */
static inline uint16_t
sneigh_find(struct wk_ctx *ctx, uint16_t port, const struct dpvs_ip *nh)
{
	const struct dpvs_config_set *cfg = ctx->cfg;
	uint64_t set = wk_set_stamp(cfg);
	uint32_t a = 0;
	uint16_t s;

	if (nh->family == DPVS_AF_INET) {
		memcpy(&a, nh->bytes, sizeof(a));
		if (ctx->sn_memo.set == set && ctx->sn_memo.addr == a && ctx->sn_memo.port == port)
			return ctx->sn_memo.slot;
	}
	s = dpvs_sneigh_lookup(&cfg->lb, nh, port);
	if (s != DPVS_SLOT_NONE && nh->family == DPVS_AF_INET) {
		ctx->sn_memo.set = set;
		ctx->sn_memo.addr = a;
		ctx->sn_memo.port = port;
		ctx->sn_memo.slot = s;
	}
	return s;
}

struct wk_verdict
wk_neigh_output(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t port, const struct dpvs_ip *nh)
{
	struct dpvs_neigh *n;
	uint16_t s;

	s = sneigh_find(ctx, port, nh);
	if (s != DPVS_SLOT_NONE) {
		wk_eth_fill(ctx, m, port, dpvs_lb_sneigh(&ctx->cfg->lb)[s].mac, nh->family);
		return wk_tx(port);
	}
	n = wk_neigh_lookup(ctx->wr, port, nh);
	if (n == NULL) {
		/* a next hop we have no entry for: may we make one? */
		if (wk_neigh_class(ctx->cfg, port, nh) != WK_NADDR_OK)
			return wk_drop(DPVS_DROP_NEIGH_BAD_ADDR);
		n = wk_neigh_create(ctx->wr, port, nh, 0, 0, ctx->now_ns);
		if (n == NULL)
			return wk_drop(DPVS_DROP_NEIGH_FULL);
	}
	switch (wk_nud_output(n, ctx->now_ns)) {
	case WK_NUD_SEND_PROBE:
		wk_neigh_solicit(ctx, port, nh, n->mac);
		/* fall through */
	case WK_NUD_SEND:
		wk_eth_fill(ctx, m, port, n->mac, nh->family);
		return wk_tx(port);
	case WK_NUD_HOLD_REQUEST:
		wk_neigh_solicit(ctx, port, nh, NULL);
		/* fall through */
	case WK_NUD_HOLD:
		ctx->hold_nh = *nh;
		return (struct wk_verdict){ .kind = DPVS_VERDICT_HOLD, .port = port };
	default:
		return wk_drop(DPVS_DROP_NEIGH_UNRESOLVED);
	}
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
		h->port = port;
		h->ip = ctx->hold_nh;
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
		wk_eth_fill(ctx, pkts[i], port, mac, ip->family);
		wk_tx_enqueue(ctx, pkts[i], port); /* counts and frees on failure */
	}
}

/* Drop what is held for (port, ip) as unresolved; returns how many. */
static unsigned int
hold_drop(struct wk_ctx *ctx, uint16_t port, const struct dpvs_ip *ip)
{
	struct rte_mbuf *pkts[DPVS_NEIGH_HOLD_PKTS];
	struct dpvs_neigh_hold *h, *fs;
	unsigned int n;

	h = hold_find(ctx, port, ip, &fs);
	if (h == NULL)
		return 0;
	n = hold_take(h, pkts);
	ctx->st->drop[DPVS_DROP_NEIGH_UNRESOLVED] += n;
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

/* Is the learned entry e still one to keep? Not if the config changed
 * under it: its address became ours, a static neighbour, or left the
 * port's networks. */
static int
neigh_still_valid(const struct wk_ctx *ctx, const struct dpvs_neigh *e)
{
	if (!wk_if_ok(ctx, e->port))
		return 0;
	return dpvs_sneigh_lookup(&ctx->cfg->lb, &e->ip, e->port) == DPVS_SLOT_NONE &&
	       wk_neigh_class(ctx->cfg, e->port, &e->ip) == WK_NADDR_OK;
}

/* The timer of e is due: carry out what the state machine says. Returns
 * the amount of work done (packets sent or dropped, entries deleted). */
static unsigned int
neigh_timer(struct wk_ctx *ctx, struct dpvs_neigh *e)
{
	struct dpvs_ip ip = e->ip;
	uint16_t port = e->port;
	enum wk_nud act = WK_NUD_DELETE;

	if (neigh_still_valid(ctx, e))
		act = wk_nud_timer(e, ctx->now_ns);
	switch (act) {
	case WK_NUD_REQUEST:
		wk_neigh_solicit(ctx, port, &ip, NULL);
		return 1;
	case WK_NUD_PROBE:
		wk_neigh_solicit(ctx, port, &ip, e->mac);
		return 1;
	case WK_NUD_FAIL:
		return 1 + hold_drop(ctx, port, &ip);
	case WK_NUD_DELETE:
		wk_neigh_delete(ctx->wr, e);
		return 1 + hold_drop(ctx, port, &ip);
	default:
		return 0;
	}
}

unsigned int
wk_neigh_hold_tick(struct wk_ctx *ctx)
{
	uint64_t now = ctx->now_ns, n, i;
	unsigned int work = 0;
	struct dpvs_neigh *e;

	/* WK_NEIGH_SCAN_MAX slots per call at most, a full pass per
	 * WK_NEIGH_PASS_NS; after a long pause, one pass to catch up */
	if (now - ctx->neigh_tick_ns > WK_NEIGH_PASS_NS)
		ctx->neigh_tick_ns = now - WK_NEIGH_PASS_NS;
	n = (now - ctx->neigh_tick_ns) * DPVS_NEIGH_SLOTS / WK_NEIGH_PASS_NS;
	if (n == 0)
		return 0;
	n = RTE_MIN(n, (uint64_t)WK_NEIGH_SCAN_MAX);
	ctx->neigh_tick_ns += n * WK_NEIGH_PASS_NS / DPVS_NEIGH_SLOTS;
	for (i = 0; i < n; i++) {
		e = &ctx->wr->neigh[ctx->neigh_cursor % DPVS_NEIGH_SLOTS];
		ctx->neigh_cursor = (ctx->neigh_cursor + 1) % DPVS_NEIGH_SLOTS;
		if (__atomic_load_n(&e->state, __ATOMIC_RELAXED) == DPVS_NEIGH_FREE ||
		    e->timer_ns == 0 || e->timer_ns > now)
			continue;
		work += neigh_timer(ctx, e);
	}
	return work;
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
