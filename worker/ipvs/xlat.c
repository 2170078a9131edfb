/*
 * Full-NAT across families [DPVS's mbuf_6to4 / mbuf_4to6]: the packets of
 * a connection from an IPv6 client to an IPv6 VIP whose real server and
 * local address are IPv4 (xlat.h says what becomes of each field).
 *   wk_xlat_6to4  the client's packet: IPv6 -> IPv4 toward the server; the
 *                 frame shrinks by 20 bytes (the new header overlays the
 *                 end of the old one), so 20 more bytes fit the MTU; over
 *                 the IPv4 egress MTU with DF to be set: an ICMPv6 packet
 *                 too big to the client (MTU + 20, at least 1280) about its
 *                 packet as it came, and drop (xlat_too_big); with DF clear
 *                 (1280 bytes or less) the output path fragments it
 *   wk_xlat_4to6  the server's reply: IPv4 -> IPv6 toward the client; the
 *                 frame grows by 20 bytes (prepended); over the IPv6 egress
 *                 MTU: an ICMP fragmentation needed to the server (MTU -
 *                 20) about its packet as it came, and drop (xlat_too_big),
 *                 DF set or not: IPv6 is not fragmented on the way
 * Both decrement the TTL / hop limit (1: ttl_expired), trim Ethernet
 * padding, rewrite the ports, adjust the TCP/UDP checksum, clamp the MSS of
 * a SYN to the egress MTU less the new family's headers (40 / 60), and hand
 * the packet to the new family's output path, whose neighbour stage writes
 * the Ethernet header with the new ethertype.
 * Writes the packet only; reads the config set.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "worker/ipvs/lbpath.h"
#include "worker/ipvs/xlat.h"
#include "worker/ipvs/xmit.h"
#include "worker/l3/cksum.h"

#define XLAT_V4_HDRS   40    /* IPv4 + TCP without options */
#define XLAT_V6_HDRS   60    /* IPv6 + TCP without options */
#define XLAT_MIN_MTU4  68    /* RFC 791 */
#define XLAT_MIN_MTU6  1280  /* RFC 8200 */

void
wk_xlat_hdr_6to4(const struct rte_ipv6_hdr *in, uint32_t l4len, uint32_t saddr, uint32_t daddr,
		 uint16_t id, struct rte_ipv4_hdr *out)
{
	uint32_t vtc = rte_be_to_cpu_32(in->vtc_flow);
	uint8_t proto = in->proto, hlim = in->hop_limits;
	int df = sizeof(*in) + l4len > WK_XLAT_DF_MIN;

	memset(out, 0, sizeof(*out));
	out->version_ihl = RTE_IPV4_VHL_DEF;
	out->type_of_service = (uint8_t)(vtc >> 20);
	out->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*out) + l4len));
	out->packet_id = rte_cpu_to_be_16(id);
	out->fragment_offset = df ? RTE_BE16(RTE_IPV4_HDR_DF_FLAG) : 0;
	out->time_to_live = hlim;
	out->next_proto_id = proto;
	out->src_addr = saddr;
	out->dst_addr = daddr;
	wk_ipv4_cksum_set(out);
}

void
wk_xlat_hdr_4to6(const struct rte_ipv4_hdr *in, uint32_t l4len, const uint8_t saddr[16],
		 const uint8_t daddr[16], struct rte_ipv6_hdr *out)
{
	uint8_t tos = in->type_of_service, proto = in->next_proto_id, ttl = in->time_to_live;

	out->vtc_flow = rte_cpu_to_be_32(6u << 28 | (uint32_t)tos << 20);
	out->payload_len = rte_cpu_to_be_16((uint16_t)l4len);
	out->proto = proto;
	out->hop_limits = ttl;
	memmove(out->src_addr, saddr, 16);
	memmove(out->dst_addr, daddr, 16);
}

int
wk_xlat_icmp_4to6(uint8_t type, uint8_t code, uint16_t mtu, uint8_t *t6, uint8_t *c6,
		  uint32_t *param)
{
	*param = 0;
	if (type == 11) {                       /* time exceeded: the same codes */
		*t6 = 3;
		*c6 = code;
		return code <= 1 ? 0 : -1;
	}
	if (type != 3)
		return -1;
	switch (code) {
	case 0: case 1: case 5: case 6: case 7: case 8: case 11: case 12:
		*t6 = 1, *c6 = 0;               /* no route to destination */
		return 0;
	case 2:                                 /* protocol unreachable */
		*t6 = 4, *c6 = 1, *param = 6;   /* unrecognised next header */
		return 0;
	case 3:
		*t6 = 1, *c6 = 4;               /* port unreachable */
		return 0;
	case 4:                                 /* fragmentation needed */
		*t6 = 2, *c6 = 0;
		*param = mtu == 0 ? XLAT_MIN_MTU6 : RTE_MAX((uint32_t)mtu + WK_XLAT_GROWTH,
							    (uint32_t)XLAT_MIN_MTU6);
		return 0;
	case 9: case 10: case 13:
		*t6 = 1, *c6 = 1;               /* administratively prohibited */
		return 0;
	default:
		return -1;
	}
}

int
wk_xlat_icmp_6to4(uint8_t type, uint8_t code, uint32_t param, uint8_t *t4, uint8_t *c4,
		  uint16_t *mtu)
{
	static const uint8_t unreach[5] = { 1, 10, 1, 1, 3 }; /* by ICMPv6 code */

	*mtu = 0;
	switch (type) {
	case 1:                                 /* destination unreachable */
		if (code >= RTE_DIM(unreach))
			return -1;
		*t4 = 3, *c4 = unreach[code];
		return 0;
	case 2:                                 /* packet too big */
		*t4 = 3, *c4 = 4;
		param = param > 65535u + WK_XLAT_GROWTH ? 65535u : param - RTE_MIN(param, 20u);
		*mtu = (uint16_t)RTE_MAX(param, (uint32_t)XLAT_MIN_MTU4);
		return 0;
	case 3:                                 /* time exceeded */
		*t4 = 11, *c4 = code;
		return code <= 1 ? 0 : -1;
	case 4:                                 /* unrecognised next header */
		if (code != 1)
			return -1;
		*t4 = 3, *c4 = 2;
		return 0;
	default:
		return -1;
	}
}

struct wk_verdict
wk_xlat_6to4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk, uint32_t saddr,
	     uint16_t sport, uint32_t daddr, uint16_t dport)
{
	const struct rte_ipv6_hdr *ip6 =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, pk->l3_off);
	uint32_t l4len = pk->l4_len, mtu, nh4;
	struct rte_ipv6_hdr h6;
	struct rte_ipv4_hdr *ip4;
	struct dpvs_ip nh;
	uint16_t port;
	void *l4;

	if (pk->l4_off - pk->l3_off != sizeof(h6))
		return wk_drop(DPVS_DROP_XLAT_EXT_HDR);
	if (ip6->hop_limits <= 1)
		return wk_drop(DPVS_DROP_TTL_EXPIRED);
	if (wk_route_v4(ctx, daddr, &port, &nh4) != 0)
		return wk_drop(DPVS_DROP_NO_ROUTE);
	mtu = port < DPVS_MAX_IFACES ? ctx->tx_mtu[port] : UINT32_MAX;
	/* too big with DF to be set: the client hears it about its packet as
	 * it sent it (20 bytes more than what would have left) */
	if (sizeof(h6) + l4len > WK_XLAT_DF_MIN && sizeof(*ip4) + l4len > mtu) {
		wk_icmp6_error(ctx, m, WK_ICMP6_PACKET_TOO_BIG, 0,
			       RTE_MAX(mtu + WK_XLAT_GROWTH, (uint32_t)XLAT_MIN_MTU6));
		return wk_drop(DPVS_DROP_XLAT_TOO_BIG);
	}
	memcpy(&h6, ip6, sizeof(h6));
	wk_xmit_trim(m, pk);
	/* the ports and the checksum first, while the old addresses are at hand */
	l4 = rte_pktmbuf_mtod_offset(m, void *, pk->l4_off);
	wk_l4_rewrite(l4, pk->proto, l4len, h6.src_addr, h6.dst_addr, 16, &saddr, &daddr, 4, sport,
		      dport);
	/* 20 bytes off the front: the IPv4 header overlays the end of the IPv6
	 * one (copied in h6), the L4 header stays where it is */
	if (rte_pktmbuf_adj(m, WK_XLAT_GROWTH) == NULL)
		return wk_drop(DPVS_DROP_L4_HDR);
	ip4 = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, pk->l3_off);
	h6.hop_limits--;
	wk_xlat_hdr_6to4(&h6, l4len, saddr, daddr, ctx->ip_id++, ip4);
	wk_xmit_mss(ctx, ip4 + 1, pk, port, XLAT_V4_HDRS);
	wk_ip_from_v4(&nh, nh4);
	return wk_ip_output_via(ctx, m, port, &nh); /* DF clear: fragmented if need be */
}

/* A UDP datagram of l4len bytes at l4 (whole in the first segment) that
 * had no checksum over IPv4: its IPv6 checksum from scratch. */
static void
xlat_udp_cksum(struct rte_mbuf *m, const struct rte_ipv6_hdr *ip6, uint32_t l4_off,
	       uint32_t l4len)
{
	struct rte_udp_hdr *uh = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, l4_off);
	int32_t c;

	uh->dgram_cksum = 0;
	c = wk_cksum6_mbuf(m, ip6->src_addr, ip6->dst_addr, IPPROTO_UDP, l4_off, l4len);
	uh->dgram_cksum = c <= 0 ? 0xffff : (uint16_t)c;
}

struct wk_verdict
wk_xlat_4to6(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	     const uint8_t saddr[16], uint16_t sport, const uint8_t daddr[16], uint16_t dport)
{
	const struct rte_ipv4_hdr *ip4 =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, pk->l3_off);
	uint32_t hlen = (uint32_t)(pk->l4_off - pk->l3_off), l4len = pk->l4_len, mtu;
	struct rte_ipv6_hdr *ip6;
	struct rte_ipv4_hdr h4;
	struct dpvs_ip nh;
	uint16_t port, l4_off;
	int udp0 = 0;
	void *l4;

	if (ip4->time_to_live <= 1)
		return wk_drop(DPVS_DROP_TTL_EXPIRED);
	if (wk_route_v6(ctx, daddr, &port, &nh) != 0)
		return wk_drop(DPVS_DROP_NO_ROUTE);
	mtu = port < DPVS_MAX_IFACES ? ctx->tx_mtu[port] : UINT32_MAX;
	if (sizeof(*ip6) + l4len > mtu) {
		wk_icmp_error(ctx, m, WK_ICMP_DEST_UNREACH, WK_ICMP_FRAG_NEEDED,
			      (uint16_t)RTE_MAX(mtu - RTE_MIN(mtu, (uint32_t)WK_XLAT_GROWTH),
						(uint32_t)XLAT_MIN_MTU4));
		return wk_drop(DPVS_DROP_XLAT_TOO_BIG);
	}
	memcpy(&h4, ip4, sizeof(h4));
	wk_xmit_trim(m, pk);
	l4 = rte_pktmbuf_mtod_offset(m, void *, pk->l4_off);
	if (pk->proto == IPPROTO_UDP)
		udp0 = ((const struct rte_udp_hdr *)l4)->dgram_cksum == 0;
	wk_l4_rewrite(l4, pk->proto, l4len, &h4.src_addr, &h4.dst_addr, 4, saddr, daddr, 16, sport,
		      dport);
	/* the IPv6 header ends where the IPv4 one (options included) ended */
	if (hlen < sizeof(*ip6)) {
		if (rte_pktmbuf_prepend(m, (uint16_t)(sizeof(*ip6) - hlen)) == NULL)
			return wk_drop(DPVS_DROP_NO_HEADROOM);
	} else if (hlen > sizeof(*ip6) && rte_pktmbuf_adj(m, (uint16_t)(hlen - sizeof(*ip6))) == NULL) {
		return wk_drop(DPVS_DROP_L4_HDR);
	}
	ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, pk->l3_off);
	h4.time_to_live--;
	wk_xlat_hdr_4to6(&h4, l4len, saddr, daddr, ip6);
	l4_off = (uint16_t)(pk->l3_off + sizeof(*ip6));
	if (udp0)
		xlat_udp_cksum(m, ip6, l4_off, l4len);
	wk_xmit_mss(ctx, ip6 + 1, pk, port, XLAT_V6_HDRS);
	return wk_ip6_output_via(ctx, m, port, &nh);
}
