/*
 * Neighbour discovery [ndisc_rcv] (RFC 4861), beside arp.c, on the same
 * neighbour table and state machine (neigh.c, neigh_nud.c) and the same
 * learning rules (wk_neigh_judge, neigh_learn.c, counted with the nd_*
 * reasons):
 *   router solicitations, advertisements and redirects are dropped
 *   (nd_router): a load balancer takes its routes from its operator;
 *   an NS or NA that is not valid (RFC 4861 7.1: hop limit 255, code 0,
 *   length, target, options, the DAD and multicast rules) is dropped
 *   (nd_bad_packet), one with a bad checksum too (icmp6_bad_header);
 *   an NS for one of our addresses on the receiving port is answered in
 *   place with an NA (solicited and override, router when the port
 *   forwards, our MAC in the target link-layer option); a DAD probe (from
 *   ::) for it is answered to all-nodes, unsolicited (RFC 4862 5.4.3); an
 *   NS teaches nothing but news about a neighbour we know (as an ARP
 *   request); an NS for another address goes to the kernel;
 *   an NA says "target is at lladdr": solicited, it is a reply, else a
 *   gratuitous announcement; judged like ARP, copied to the peer workers on
 *   their arp rings, and to the kernel, as ARP replies are. An NA without
 *   the link-layer option can only confirm the MAC we know.
 * Our own solicitations (wk_nd_solicit): to the target's solicited-node
 * address (INCOMPLETE) or unicast to the known MAC (probes), from our
 * address on the port, with our MAC in the source link-layer option. The
 * kernel's solicitations pass through us: they make an INCOMPLETE entry, so
 * that the advertisement is learned (wk_nd_from_kernel).
 * Writes: the packet, this worker's neighbour table, hold queue, tx buffers
 * and stats row, new mbufs for solicitations and the peers' copies.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "shm/lb_hash.h"
#include "worker/ipvs/lbpath.h"
#include "worker/l2/neigh.h"
#include "worker/l3/l3.h"

#define L2 RTE_ETHER_HDR_LEN
#define IP6 40
#define ND_HDR 24          /* type, code, checksum, flags/reserved, target */
#define ND_OPT_SLL 1
#define ND_OPT_TLL 2
#define ND_OPT_LL_LEN 8    /* a link-layer option for Ethernet */
#define ND_FRAME (L2 + IP6 + ND_HDR + ND_OPT_LL_LEN)
#define ND_HOPS 255

static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };

/* ff02::1:ffXX:XXXX, the solicited-node address of a. */
static void
solicited_node(uint8_t out[16], const uint8_t a[16])
{
	static const uint8_t pfx[13] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };

	memcpy(out, pfx, 13);
	memcpy(out + 13, a + 13, 3);
}

static int
is_solicited_node(const uint8_t a[16])
{
	static const uint8_t pfx[13] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };

	return memcmp(a, pfx, 13) == 0;
}

enum dpvs_drop_reason
wk_nd_parse(const struct rte_ipv6_hdr *ip, const uint8_t *icmp, uint32_t len,
	    struct wk_nd_msg *nd)
{
	uint32_t o, olen;

	memset(nd, 0, sizeof(*nd));
	if (len < ND_HDR || ip->hop_limits != ND_HOPS || icmp[1] != 0 ||
	    (icmp[0] != WK_ND_NS && icmp[0] != WK_ND_NA) || icmp[8] == 0xff)
		return DPVS_DROP_ND_BAD;
	nd->type = icmp[0];
	memcpy(nd->target, icmp + 8, 16);
	if (nd->type == WK_ND_NA)
		nd->flags = icmp[4] & (WK_ND_NA_ROUTER | WK_ND_NA_SOLICITED | WK_ND_NA_OVERRIDE);
	for (o = ND_HDR; o < len; o += olen) {
		if (o + 2 > len)
			return DPVS_DROP_ND_BAD;
		olen = (uint32_t)icmp[o + 1] * 8;
		if (olen == 0 || o + olen > len)
			return DPVS_DROP_ND_BAD;
		if (icmp[o] == (nd->type == WK_ND_NS ? ND_OPT_SLL : ND_OPT_TLL) &&
		    olen == ND_OPT_LL_LEN && !nd->has_ll) {
			memcpy(nd->ll, icmp + o + 2, 6);
			nd->has_ll = 1;
		}
	}
	if (nd->type == WK_ND_NS && wk_ip6_is_unspec(ip->src_addr) &&
	    (!is_solicited_node(ip->dst_addr) || nd->has_ll))
		return DPVS_DROP_ND_BAD;
	if (nd->type == WK_ND_NA && ip->dst_addr[0] == 0xff &&
	    (nd->flags & WK_ND_NA_SOLICITED) != 0)
		return DPVS_DROP_ND_BAD;
	return DPVS_DROP_MAX;
}

/* Write the ND frame (NS or NA with its link-layer option) into d, ND_FRAME
 * bytes: Ethernet, IPv6 (hop limit 255), the message; checksum left 0. */
static void
nd_frame(uint8_t *d, const uint8_t *dmac, const struct rte_ether_addr *smac,
	 const uint8_t src[16], const uint8_t dst[16], uint8_t type, uint8_t flags,
	 const uint8_t target[16])
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)d;
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(d + L2);
	uint8_t *icmp = d + L2 + IP6;

	memcpy(eth->dst_addr.addr_bytes, dmac, RTE_ETHER_ADDR_LEN);
	rte_ether_addr_copy(smac, &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(ND_HDR + ND_OPT_LL_LEN);
	ip->proto = IPPROTO_ICMPV6;
	ip->hop_limits = ND_HOPS;
	memcpy(ip->src_addr, src, 16);
	memcpy(ip->dst_addr, dst, 16);
	memset(icmp, 0, ND_HDR + ND_OPT_LL_LEN);
	icmp[0] = type;
	icmp[4] = flags;
	memcpy(icmp + 8, target, 16);
	icmp[ND_HDR] = type == WK_ND_NS ? ND_OPT_SLL : ND_OPT_TLL;
	icmp[ND_HDR + 1] = 1;
	memcpy(icmp + ND_HDR + 2, smac->addr_bytes, RTE_ETHER_ADDR_LEN);
}

/* Fill the ICMPv6 checksum of the ND frame in m. */
static void
nd_cksum(struct rte_mbuf *m)
{
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, L2);
	uint16_t ck = (uint16_t)wk_cksum6_mbuf(m, ip->src_addr, ip->dst_addr, IPPROTO_ICMPV6,
					       L2 + IP6, ND_HDR + ND_OPT_LL_LEN);

	memcpy((uint8_t *)(ip + 1) + 2, &ck, sizeof(ck));
}

/* Turn the NS in m (for our address nd->target on port p) into our NA. */
static struct wk_verdict
nd_advertise(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct wk_nd_msg *nd,
	     int dad)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, L2);
	static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	uint8_t dmac[6], dst[16], flags = WK_ND_NA_OVERRIDE;
	uint32_t len = rte_pktmbuf_pkt_len(m);

	if (dad) {
		memcpy(dmac, all_nodes_mac, 6);
		memcpy(dst, all_nodes, 16);
		ctx->st->event[DPVS_EVENT_ND_DAD_ANSWERED]++;
	} else {
		memcpy(dmac, nd->has_ll ? nd->ll : eth->src_addr.addr_bytes, 6);
		memcpy(dst, ip->src_addr, 16);
		flags |= WK_ND_NA_SOLICITED;
	}
	if ((ctx->cfg->port_flags[p] & DPVS_PORT_CFG_FORWARD) != 0)
		flags |= WK_ND_NA_ROUTER;
	if (len > ND_FRAME)
		wk_mbuf_trim_to(m, ND_FRAME);
	else if (len < ND_FRAME && rte_pktmbuf_append(m, (uint16_t)(ND_FRAME - len)) == NULL)
		return wk_drop(DPVS_DROP_NO_MBUF);
	if (rte_pktmbuf_data_len(m) < ND_FRAME)
		return wk_kernel(p); /* split over segments: let the kernel answer */
	nd_frame(rte_pktmbuf_mtod(m, uint8_t *), dmac, &ctx->mac[p], nd->target, dst, WK_ND_NA,
		 flags, nd->target);
	nd_cksum(m);
	ctx->st->event[DPVS_EVENT_ND_NA_SENT]++;
	return wk_tx(p);
}

/* What the NA nd (received on p; direct: by us) teaches; 1 if the peers may
 * want to judge it too. */
static int
nd_na_judge(struct wk_ctx *ctx, uint16_t p, const struct wk_nd_msg *nd, int direct)
{
	const uint8_t *mac = nd->has_ll ? nd->ll : NULL;
	int solicited = (nd->flags & WK_ND_NA_SOLICITED) != 0;
	const struct dpvs_neigh *e;
	uint8_t known[6];
	struct dpvs_ip tgt;

	wk_ip_from_v6(&tgt, nd->target);
	if (mac == NULL) {
		/* no link-layer option: it can only confirm the MAC we know */
		e = wk_neigh_lookup(ctx->wr, p, &tgt);
		if (!solicited || e == NULL ||
		    (e->state != DPVS_NEIGH_REACHABLE && e->state != DPVS_NEIGH_STALE &&
		     e->state != DPVS_NEIGH_PROBE))
			return 0;
		memcpy(known, e->mac, 6);
		mac = known;
	}
	return wk_neigh_judge(ctx, p, &tgt, mac, solicited ? WK_NKIND_REPLY : WK_NKIND_GRATUITOUS,
			      direct, &wk_nd_reasons);
}

struct wk_verdict
wk_nd_input(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct wk_ip6_info *info)
{
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, L2);
	const uint8_t *icmp = (const uint8_t *)ip + info->l4_off;
	uint32_t len = info->len - info->l4_off;
	enum dpvs_drop_reason why;
	struct wk_nd_msg nd;
	struct dpvs_ip a;

	if (icmp[0] == WK_ND_RS || icmp[0] == WK_ND_RA || icmp[0] == WK_ND_REDIRECT)
		return wk_drop(DPVS_DROP_ND_ROUTER);
	if (info->l4_off != IP6 || info->frag != WK_IP6_FRAG_NONE)
		return wk_drop(DPVS_DROP_ND_BAD); /* ND carries no extension header */
	if (rte_pktmbuf_data_len(m) < L2 + info->len)
		return wk_kernel(p);
	if (wk_cksum6_mbuf(m, ip->src_addr, ip->dst_addr, IPPROTO_ICMPV6, L2 + IP6, len) != 0)
		return wk_drop(DPVS_DROP_ICMP6_HDR);
	why = wk_nd_parse(ip, icmp, len, &nd);
	if (why != DPVS_DROP_MAX)
		return wk_drop(why);
	if (nd.type == WK_ND_NA) {
		if (nd_na_judge(ctx, p, &nd, 1))
			wk_neigh_copy_to_peers(ctx, m);
		return wk_kernel(p);
	}
	if (!wk_ip6_is_unspec(ip->src_addr) && nd.has_ll) {
		wk_ip_from_v6(&a, ip->src_addr);
		wk_neigh_judge(ctx, p, &a, nd.ll, WK_NKIND_REQUEST, 1, &wk_nd_reasons);
	}
	wk_ip_from_v6(&a, nd.target);
	if (!wk_addr_is_ours(ctx->cfg, p, &a))
		return wk_kernel(p);
	return nd_advertise(ctx, m, p, &nd, wk_ip6_is_unspec(ip->src_addr));
}

/* The ICMPv6 message of an ND frame in m (no extension headers), or NULL. */
static const uint8_t *
nd_frame_icmp(const struct rte_mbuf *m, uint32_t *len)
{
	const struct rte_ipv6_hdr *ip;
	uint32_t plen;

	if (rte_pktmbuf_data_len(m) < L2 + IP6 + ND_HDR)
		return NULL;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, L2);
	plen = rte_be_to_cpu_16(ip->payload_len);
	if (ip->proto != IPPROTO_ICMPV6 || plen < ND_HDR || L2 + IP6 + plen > rte_pktmbuf_data_len(m))
		return NULL;
	*len = plen;
	return (const uint8_t *)(ip + 1);
}

void
wk_nd_learn_copy(struct wk_ctx *ctx, const struct rte_mbuf *m, uint16_t p)
{
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, L2);
	const uint8_t *icmp;
	struct wk_nd_msg nd;
	uint32_t len;

	icmp = nd_frame_icmp(m, &len);
	if (icmp == NULL || wk_nd_parse(ip, icmp, len, &nd) != DPVS_DROP_MAX ||
	    nd.type != WK_ND_NA) {
		ctx->st->drop[DPVS_DROP_ND_BAD]++;
		return;
	}
	nd_na_judge(ctx, p, &nd, 0);
}

void
wk_nd_from_kernel(struct wk_ctx *ctx, const struct rte_mbuf *m, uint16_t p)
{
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, L2);
	const uint8_t *icmp;
	struct dpvs_ip tgt;
	uint32_t len;

	icmp = nd_frame_icmp(m, &len);
	if (icmp == NULL || icmp[0] != WK_ND_NS || wk_ip6_is_unspec(ip->src_addr) ||
	    icmp[8] == 0xff)
		return;
	wk_ip_from_v6(&tgt, icmp + 8);
	if (wk_neigh_class(ctx->cfg, p, &tgt) != WK_NADDR_OK ||
	    dpvs_sneigh_lookup(&ctx->cfg->lb, &tgt, p) != DPVS_SLOT_NONE ||
	    wk_neigh_lookup(ctx->wr, p, &tgt) != NULL)
		return;
	/* the kernel retransmits; we only wait for its answer as long */
	if (wk_neigh_create(ctx->wr, p, &tgt, DPVS_NEIGH_F_KERNEL,
			    ctx->now_ns + WK_NEIGH_MCAST_PROBES * WK_NEIGH_RETRANS_NS,
			    ctx->now_ns) == NULL)
		ctx->st->drop[DPVS_DROP_NEIGH_FULL]++;
}

void
wk_nd_solicit(struct wk_ctx *ctx, uint16_t port, const struct dpvs_ip *ip, const uint8_t *dmac)
{
	uint8_t src[16], dst[16], mmac[6] = { 0x33, 0x33, 0xff };
	struct rte_mbuf *m;
	uint8_t *d;

	if (!wk_if_ok(ctx, port) || wk_addr_v6_source(ctx->cfg, port, ip->bytes, src) != 0)
		return; /* no IPv6 address on the port to ask from */
	m = rte_pktmbuf_alloc(ctx->pool);
	if (m == NULL) {
		ctx->st->drop[DPVS_DROP_NO_MBUF]++;
		return;
	}
	d = (uint8_t *)rte_pktmbuf_append(m, ND_FRAME);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	if (dmac == NULL) {
		solicited_node(dst, ip->bytes);
		memcpy(mmac + 3, ip->bytes + 13, 3);
		dmac = mmac;
	} else {
		memcpy(dst, ip->bytes, 16);
	}
	nd_frame(d, dmac, &ctx->mac[port], src, dst, WK_ND_NS, 0, ip->bytes);
	nd_cksum(m);
	wk_tx_enqueue(ctx, m, port); /* counts and frees on failure */
}
