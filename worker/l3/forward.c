/*
 * Forwarding [ipv4_forward, ip6_forward]: a packet to our MAC that is neither
 * the load balancer's nor for one of the node's addresses, received on a port
 * whose forwarding switch is on (`[port.X] forward = on`, `dpvsctl port set X
 * forward on`; the ipv4/ipv6 stages check it). As a router would:
 *   a source or destination no router passes (IPv4: 0/8, 127/8, multicast or
 *   240/4 sources, 0/8, 127/8, 240/4 destinations; IPv6: link-local, IPv4-
 *   mapped or loopback sources, ::, ::1 destinations) is dropped
 *   (fwd_martian);
 *   no route: no_route;
 *   a destination on a network of the port it came in on goes to the kernel
 *   (the sender should have sent it straight there; it may be the kernel's
 *   own address on <port>.kni, and the kernel decides);
 *   a TTL / hop limit of 1 or 0 is answered with ICMP time exceeded and
 *   dropped (ttl_expired); a packet too big for the egress port that may not
 *   be fragmented (IPv4 DF, any IPv6) is answered with fragmentation needed /
 *   packet too big here, before the TTL moves, so the error quotes it as
 *   received (output.c checks again, for everything else it sends);
 *   else the TTL is decremented (the IPv4 checksum updated incrementally),
 *   Ethernet padding trimmed, and the packet goes to the output path, which
 *   fits it to the egress MTU (output.c).
 * Writes the packet; counts ip_forward / ip6_forward.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "worker/ipvs/lbpath.h"
#include "worker/l2/neigh.h"
#include "worker/l3/l3.h"

#define L2 RTE_ETHER_HDR_LEN

static int
v4_martian(uint32_t src_be, uint32_t dst_be)
{
	uint32_t s = rte_be_to_cpu_32(src_be) >> 24, d = rte_be_to_cpu_32(dst_be) >> 24;

	return s == 0 || s == 127 || s >= 224 || d == 0 || d == 127 || d >= 240;
}

struct wk_verdict
wk_ipv4_forward(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, L2);
	const struct dpvs_route *r;
	struct dpvs_ip dst, nh;
	uint16_t old, new_;
	uint32_t tot, mtu;

	if (v4_martian(ip->src_addr, ip->dst_addr))
		return wk_drop(DPVS_DROP_FWD_MARTIAN);
	r = wk_route4_find(ctx, ip->dst_addr);
	if (r == NULL)
		return wk_drop(DPVS_DROP_NO_ROUTE);
	if (r->port == p && (r->flags & DPVS_ROUTE_F_GATEWAY) == 0)
		return wk_kernel(p);
	if (ip->time_to_live <= 1) {
		wk_icmp_error(ctx, m, WK_ICMP_TIME_EXCEEDED, 0, 0);
		return wk_drop(DPVS_DROP_TTL_EXPIRED);
	}
	mtu = ctx->tx_mtu[r->port];
	if (rte_be_to_cpu_16(ip->total_length) > mtu &&
	    (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG)) != 0) {
		/* refused before the TTL moves: the error quotes it as received */
		wk_icmp_error(ctx, m, WK_ICMP_DEST_UNREACH, WK_ICMP_FRAG_NEEDED, (uint16_t)mtu);
		return wk_drop(DPVS_DROP_FRAG_NEEDED);
	}
	/* TTL and protocol share a 16-bit word of the header */
	memcpy(&old, &ip->time_to_live, sizeof(old));
	ip->time_to_live--;
	memcpy(&new_, &ip->time_to_live, sizeof(new_));
	ip->hdr_checksum = wk_csum_update16(ip->hdr_checksum, old, new_);
	tot = L2 + (uint32_t)rte_be_to_cpu_16(ip->total_length);
	if (rte_pktmbuf_pkt_len(m) > tot)
		wk_mbuf_trim_to(m, tot); /* Ethernet padding */
	wk_ip_from_v4(&dst, ip->dst_addr);
	wk_route_nexthop(r, &dst, &nh);
	ctx->st->event[DPVS_EVENT_IP_FORWARD]++;
	return wk_ip_output_via(ctx, m, r->port, &nh);
}

/* A source an IPv6 router does not pass on (the destination's scope is the
 * caller's: link-local ones never get here). */
static int
v6_martian(const uint8_t *s, const uint8_t *d)
{
	static const uint8_t zero[15], mapped[12] = { [10] = 0xff, [11] = 0xff };

	return wk_ip6_is_linklocal(s) || memcmp(s, mapped, 12) == 0 ||
	       memcmp(s, zero, 15) == 0 || memcmp(d, zero, 15) == 0;
}

struct wk_verdict
wk_ipv6_forward(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p,
		const struct wk_ip6_info *info)
{
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, L2);
	const struct dpvs_route *r;
	struct dpvs_ip dst, nh;
	uint32_t mtu;

	if (v6_martian(ip->src_addr, ip->dst_addr))
		return wk_drop(DPVS_DROP_FWD_MARTIAN);
	r = wk_route6_find(ctx, ip->dst_addr);
	if (r == NULL)
		return wk_drop(DPVS_DROP_NO_ROUTE);
	if (r->port == p && (r->flags & DPVS_ROUTE_F_GATEWAY) == 0)
		return wk_kernel(p);
	if (ip->hop_limits <= 1) {
		wk_icmp6_error(ctx, m, WK_ICMP6_TIME_EXCEEDED, 0, 0);
		return wk_drop(DPVS_DROP_TTL_EXPIRED);
	}
	mtu = ctx->tx_mtu[r->port];
	if (info->len > mtu) {
		wk_icmp6_error(ctx, m, WK_ICMP6_PACKET_TOO_BIG, 0, mtu);
		return wk_drop(DPVS_DROP_IP6_TOO_BIG);
	}
	ip->hop_limits--;
	if (rte_pktmbuf_pkt_len(m) > L2 + info->len)
		wk_mbuf_trim_to(m, L2 + info->len); /* Ethernet padding */
	wk_ip_from_v6(&dst, ip->dst_addr);
	wk_route_nexthop(r, &dst, &nh);
	ctx->st->event[DPVS_EVENT_IP6_FORWARD]++;
	return wk_ip6_output_via(ctx, m, r->port, &nh);
}
