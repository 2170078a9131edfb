/*
 * ICMP errors about a connection that crosses families (an IPv6 VIP with
 * IPv4 real servers and local addresses; xlat.h): translated, not dropped,
 * because path MTU discovery on both sides depends on them.
 *   from the server's side, ICMPv4 about a packet we sent it (found in
 *     DPVS_DIR_OUT): an ICMPv6 error to the client from the VIP about the
 *     packet as the client sent it (caddr:cport -> vaddr:vport, IPv6);
 *     fragmentation needed becomes packet too big with the MTU + 20 (at
 *     least 1280), time exceeded stays time exceeded, unreachables map as
 *     RFC 7915 4.2 says; quoting at most what fits 1280 bytes;
 *   from the client's side, ICMPv6 about a reply we sent it (found in
 *     DPVS_DIR_IN): an ICMPv4 error to the server from the local address
 *     about the packet as the server sent it (daddr:dport -> laddr:lport,
 *     IPv4); packet too big becomes fragmentation needed with the MTU - 20,
 *     quoting at most what fits 576 bytes.
 * An error with no counterpart in the other family (xlat.h's map: e.g. a
 * parameter problem other than an unknown next header, source route
 * failed) is dropped (xlat_icmp_dropped). The error's checksum is checked
 * first (icmp_bad_header / icmp6_bad_header), the hop limit / TTL
 * decremented. The packet is rebuilt in place in its mbuf (headers of the
 * other family, the quoted TCP/UDP bytes with their ports and checksum
 * translated), then sent by the new family's output path.
 * Writes the packet only.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "worker/ipvs/lbpath.h"
#include "worker/ipvs/xlat.h"
#include "worker/l3/cksum.h"
#include "worker/l3/l3.h"

#define L2         RTE_ETHER_HDR_LEN
#define ICMP_HDR   8
#define V4_HDR     20
#define V6_HDR     40
#define ERR_TTL    64

/* The quoted TCP/UDP bytes of an error, translated. */
struct xlat_quote {
	uint16_t w[WK_ICMP6_ERR_MAX / 2];   /* 16-bit aligned for wk_l4_rewrite */
	uint32_t len;
};

/* Resize m (one segment) to a frame of len bytes; -1 when it cannot. */
static int
xlat_resize(struct rte_mbuf *m, uint32_t len)
{
	uint32_t cur = rte_pktmbuf_pkt_len(m);

	if (m->nb_segs != 1)
		return -1;
	if (len > cur)
		return rte_pktmbuf_append(m, (uint16_t)(len - cur)) == NULL ? -1 : 0;
	if (len < cur)
		rte_pktmbuf_trim(m, (uint16_t)(cur - len));
	return 0;
}

/* ICMPv4 from the server's side -> ICMPv6 to the client. */
static struct wk_verdict
xlat_err_4to6(struct wk_ctx *ctx, struct rte_mbuf *m, uint32_t icmp_off, uint32_t emb_l4_off,
	      uint32_t end, const struct dpvs_conn *c)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, L2);
	const uint8_t *icmp = rte_pktmbuf_mtod_offset(m, const uint8_t *, icmp_off);
	struct rte_ipv4_hdr e4;
	struct rte_ipv6_hdr *o6, *e6;
	struct xlat_quote q;
	uint16_t mtu4, plen;
	uint32_t param, pbe;
	uint8_t t6, c6, hlim = ip->time_to_live, *ic6;
	int32_t ck;

	memcpy(&mtu4, icmp + 6, sizeof(mtu4));
	if (wk_xlat_icmp_4to6(icmp[0], icmp[1], rte_be_to_cpu_16(mtu4), &t6, &c6, &param) != 0)
		return wk_drop(DPVS_DROP_XLAT_ICMP);
	if (hlim <= 1)
		return wk_drop(DPVS_DROP_TTL_EXPIRED);
	if (wk_cksum_mbuf(m, icmp_off, end - icmp_off) != 0)
		return wk_drop(DPVS_DROP_ICMP_HDR);
	memcpy(&e4, icmp + ICMP_HDR, sizeof(e4));
	q.len = RTE_MIN(end - emb_l4_off, (uint32_t)(WK_ICMP6_ERR_MAX - 2 * V6_HDR - ICMP_HDR));
	memcpy(q.w, rte_pktmbuf_mtod_offset(m, const void *, emb_l4_off), q.len);
	wk_l4_rewrite(q.w, e4.next_proto_id, q.len, &e4.src_addr, &e4.dst_addr, 4,
		      dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_C),
		      dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_V), 16, c->cport, c->vport);
	plen = (uint16_t)(rte_be_to_cpu_16(e4.total_length) - rte_ipv4_hdr_len(&e4));
	if (xlat_resize(m, L2 + 2 * V6_HDR + ICMP_HDR + q.len) != 0)
		return wk_drop(DPVS_DROP_NO_HEADROOM);
	o6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, L2);
	ic6 = (uint8_t *)(o6 + 1);
	e6 = (struct rte_ipv6_hdr *)(ic6 + ICMP_HDR);
	wk_xlat_hdr_4to6(&e4, plen, dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_C),
			 dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_V), e6);
	memcpy(e6 + 1, q.w, q.len);
	o6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	o6->payload_len = rte_cpu_to_be_16((uint16_t)(ICMP_HDR + V6_HDR + q.len));
	o6->proto = IPPROTO_ICMPV6;
	o6->hop_limits = (uint8_t)(hlim - 1);
	memcpy(o6->src_addr, dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_V), 16);
	memcpy(o6->dst_addr, dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_C), 16);
	memset(ic6, 0, ICMP_HDR);
	ic6[0] = t6;
	ic6[1] = c6;
	pbe = rte_cpu_to_be_32(param);
	memcpy(ic6 + 4, &pbe, sizeof(pbe));
	ck = wk_cksum6_mbuf(m, o6->src_addr, o6->dst_addr, IPPROTO_ICMPV6, L2 + V6_HDR,
			    ICMP_HDR + V6_HDR + q.len);
	memcpy(ic6 + 2, &(uint16_t){ (uint16_t)ck }, 2);
	return wk_ip6_output(ctx, m);
}

/* ICMPv6 from the client's side -> ICMPv4 to the server. */
static struct wk_verdict
xlat_err_6to4(struct wk_ctx *ctx, struct rte_mbuf *m, uint32_t icmp_off, uint32_t emb_l4_off,
	      uint32_t end, const struct dpvs_conn *c)
{
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, L2);
	const uint8_t *icmp = rte_pktmbuf_mtod_offset(m, const uint8_t *, icmp_off);
	struct rte_ipv4_hdr *o4, *e4;
	struct rte_ipv6_hdr e6;
	struct xlat_quote q;
	uint32_t param, saddr, daddr;
	uint16_t mtu4, mtu_be;
	uint8_t t4, c4, hlim = ip->hop_limits, *ic4;

	memcpy(&param, icmp + 4, sizeof(param));
	if (wk_xlat_icmp_6to4(icmp[0], icmp[1], rte_be_to_cpu_32(param), &t4, &c4, &mtu4) != 0)
		return wk_drop(DPVS_DROP_XLAT_ICMP);
	if (hlim <= 1)
		return wk_drop(DPVS_DROP_TTL_EXPIRED);
	if (wk_cksum6_mbuf(m, ip->src_addr, ip->dst_addr, IPPROTO_ICMPV6, icmp_off,
			   end - icmp_off) != 0)
		return wk_drop(DPVS_DROP_ICMP6_HDR);
	memcpy(&e6, icmp + ICMP_HDR, sizeof(e6));
	saddr = dpvs_conn_a4x(ctx->ct, c, DPVS_CONN_A_L);
	daddr = dpvs_conn_a4x(ctx->ct, c, DPVS_CONN_A_D);
	q.len = RTE_MIN(end - emb_l4_off, (uint32_t)(WK_ICMP_ERR_MAX - 2 * V4_HDR - ICMP_HDR));
	memcpy(q.w, rte_pktmbuf_mtod_offset(m, const void *, emb_l4_off), q.len);
	/* as the server sent it: daddr:dport -> laddr:lport */
	wk_l4_rewrite(q.w, e6.proto, q.len, e6.src_addr, e6.dst_addr, 16, &daddr, &saddr, 4,
		      c->dport, c->lport);
	if (xlat_resize(m, L2 + 2 * V4_HDR + ICMP_HDR + q.len) != 0)
		return wk_drop(DPVS_DROP_NO_HEADROOM);
	o4 = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, L2);
	ic4 = (uint8_t *)(o4 + 1);
	e4 = (struct rte_ipv4_hdr *)(ic4 + ICMP_HDR);
	wk_xlat_hdr_6to4(&e6, rte_be_to_cpu_16(e6.payload_len), daddr, saddr, 0, e4);
	memcpy(e4 + 1, q.w, q.len);
	memset(o4, 0, sizeof(*o4));
	o4->version_ihl = RTE_IPV4_VHL_DEF;
	o4->total_length = rte_cpu_to_be_16((uint16_t)(V4_HDR + ICMP_HDR + V4_HDR + q.len));
	o4->packet_id = rte_cpu_to_be_16(ctx->ip_id++);
	o4->time_to_live = (uint8_t)(hlim - 1);
	o4->next_proto_id = IPPROTO_ICMP;
	o4->src_addr = saddr;
	o4->dst_addr = daddr;
	wk_ipv4_cksum_set(o4);
	memset(ic4, 0, ICMP_HDR);
	ic4[0] = t4;
	ic4[1] = c4;
	mtu_be = rte_cpu_to_be_16(mtu4);
	if (mtu4 != 0)
		memcpy(ic4 + 6, &mtu_be, sizeof(mtu_be)); /* next-hop MTU, RFC 1191 */
	mtu_be = wk_cksum(ic4, ICMP_HDR + V4_HDR + q.len);
	memcpy(ic4 + 2, &mtu_be, sizeof(mtu_be));
	return wk_ip_output(ctx, m);
}

struct wk_verdict
wk_icmp_xlat(struct wk_ctx *ctx, struct rte_mbuf *m, uint32_t icmp_off, uint32_t emb_l4_off,
	     uint32_t end, const struct dpvs_conn *c, int dir)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, L2);

	/* an IPv4 error is about a packet to the server, an IPv6 one about a
	 * reply to the client: anything else cannot be this connection's */
	if ((ip[0] >> 4) == 4 && dir == DPVS_DIR_OUT &&
	    dpvs_conn_fam(c, DPVS_CONN_A_C) == DPVS_AF_INET6)
		return xlat_err_4to6(ctx, m, icmp_off, emb_l4_off, end, c);
	if ((ip[0] >> 4) == 6 && dir == DPVS_DIR_IN &&
	    dpvs_conn_fam(c, DPVS_CONN_A_D) == DPVS_AF_INET)
		return xlat_err_6to4(ctx, m, icmp_off, emb_l4_off, end, c);
	return wk_drop(DPVS_DROP_XLAT_ICMP);
}
