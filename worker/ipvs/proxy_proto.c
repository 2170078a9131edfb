/*
 * The client's address for full-NAT real servers (proxy_proto.h, the
 * user-facing description in README.md, "The client's address for full-NAT
 * real servers"): the PROXY protocol header and the TOA option.
 *
 * PROXY protocol (v1 "PROXY TCP4 client vip cport vport\r\n", v2 the binary
 * header with the address family and the same four values): the header
 * goes before the client's byte pp_seq (its ISN + 1), that is into the
 * client segment with data whose seq is pp_seq; the segment keeps its seq,
 * so the header takes the server's sequence numbers pp_seq .. pp_seq +
 * pp_len - 1 and every later client byte is pp_len further on: from then on
 * seq_delta[DPVS_DIR_IN] holds pp_len and seqx.c translates the client's
 * seq and the server's ack (and SACK) for the connection's life. A
 * retransmission of the first segment (seq pp_seq again) gets the same
 * header again at the same place, so the server's stream holds it once; a
 * segment that starts later gets none. Client data that starts after
 * pp_seq before the header went (reordered) is dropped (proxy_proto_wait):
 * its sender resends it. A server ack inside the header (it acked part of
 * it) is taken as an ack of pp_seq. The first segment with the header over
 * the egress MTU with DF set is answered with ICMP fragmentation needed,
 * giving the MTU less the header (proxy_proto_too_big), so the client
 * resends it smaller; to make that rare, the MSS of the server's SYN+ACK is
 * lowered by the header's length (and the TOA option's).
 *
 * TOA (the TOA kernel module of LVS/DPVS real servers): the option kind 254,
 * length 8, the client's port and IPv4 address (length 20 with an IPv6
 * address, DPVS's variant), goes on every client segment with ACK (not SYN
 * or RST) until the real server sends a segment without SYN. The module
 * reads it from the segment that completes the handshake (it keeps the
 * option when the kernel makes the child socket), so it must be on the
 * handshake's ACK, and on the next ones in case that ACK is lost and a data
 * segment completes the handshake; once the server sends data or acks ours
 * its socket exists. A segment whose options have no room for it (or over
 * the MTU with it) goes without (toa_no_room).
 *
 * Checksums: after an insertion the IPv4 header and TCP checksums are
 * computed afresh (the later translations update them incrementally). The
 * bytes go into the first mbuf's headroom: the headers move back.
 * IPv4 only (the IPv6 services come with ipvs6.c); the builders do both.
 * Writes the packet, the connection's sx and the worker's stats row.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "worker/ipvs/conn_table.h"
#include "worker/ipvs/lbpath.h"
#include "worker/ipvs/proxy_proto.h"
#include "worker/ipvs/seqx.h"
#include "worker/ipvs/tcp_hdr.h"
#include "worker/ipvs/xmit.h"
#include "worker/l3/l3.h"

#define PP_TCP_HDR_MAX 60
#define PP_IPV4_TCP    40

static const uint8_t pp_v2_sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
				       0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };

static int
pp_ntop(const struct dpvs_ip *ip, char *s, size_t n)
{
	int af = ip->family == DPVS_AF_INET ? AF_INET : AF_INET6;

	return inet_ntop(af, ip->bytes, s, (socklen_t)n) == NULL ? -1 : 0;
}

uint32_t
wk_pp_build(uint8_t *buf, int ver, const struct dpvs_ip *src, uint16_t sport,
	    const struct dpvs_ip *dst, uint16_t dport)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], t[WK_PP_V1_MAX];
	uint32_t alen, len;
	int n, v6;

	if (src->family != dst->family ||
	    (src->family != DPVS_AF_INET && src->family != DPVS_AF_INET6))
		return 0;
	v6 = src->family == DPVS_AF_INET6;
	if (ver == 1) {
		if (pp_ntop(src, a, sizeof(a)) != 0 || pp_ntop(dst, b, sizeof(b)) != 0)
			return 0;
		/* in a scratch buffer: buf gets no terminating NUL (the
		 * client's data follows it in a packet) */
		n = snprintf(t, sizeof(t), "PROXY %s %s %s %u %u\r\n", v6 ? "TCP6" : "TCP4", a, b,
			     rte_be_to_cpu_16(sport), rte_be_to_cpu_16(dport));
		if (n <= 0 || n >= WK_PP_V1_MAX)
			return 0;
		memcpy(buf, t, (size_t)n);
		return (uint32_t)n;
	}
	if (ver != 2)
		return 0;
	alen = v6 ? 16 : 4;
	len = 2 * alen + 4;
	memcpy(buf, pp_v2_sig, sizeof(pp_v2_sig));
	buf[12] = 0x21;                   /* version 2, PROXY */
	buf[13] = v6 ? 0x21 : 0x11;       /* AF_INET6 / AF_INET, STREAM */
	buf[14] = (uint8_t)(len >> 8);
	buf[15] = (uint8_t)len;
	memcpy(buf + 16, src->bytes, alen);
	memcpy(buf + 16 + alen, dst->bytes, alen);
	memcpy(buf + 16 + 2 * alen, &sport, 2);
	memcpy(buf + 18 + 2 * alen, &dport, 2);
	return 16 + len;
}

uint32_t
wk_toa_build(uint8_t *opt, const struct dpvs_ip *addr, uint16_t port)
{
	uint32_t alen;

	if (addr->family == DPVS_AF_INET)
		alen = 4;
	else if (addr->family == DPVS_AF_INET6)
		alen = 16;
	else
		return 0;
	opt[0] = WK_TOA_KIND;
	opt[1] = (uint8_t)(4 + alen);
	memcpy(opt + 2, &port, 2);
	memcpy(opt + 4, addr->bytes, alen);
	return 4 + alen;
}

void
wk_pp_conn_init(const struct dpvs_conn *c, struct dpvs_seqx *x, uint32_t svc_flags,
		uint32_t isn)
{
	uint8_t buf[WK_PP_V1_MAX];
	struct dpvs_ip ca, va;
	uint32_t len;
	int ver;

	/* the insertion path rewrites IPv4 headers only (dpvs-ctl refuses the
	 * flags on an IPv6 VIP; an IPv6 or translated connection gets none) */
	if (c->proto != IPPROTO_TCP || c->fwd_mode != DPVS_FWD_FNAT ||
	    dpvs_conn_fam(c, DPVS_CONN_A_C) != DPVS_AF_INET ||
	    dpvs_conn_fam(c, DPVS_CONN_A_D) != DPVS_AF_INET)
		return;
	ver = (svc_flags & DPVS_SVC_F_PP_V2) ? 2 : (svc_flags & DPVS_SVC_F_PP_V1) ? 1 : 0;
	ca = dpvs_conn_ip4(c, DPVS_CONN_A_C);
	va = dpvs_conn_ip4(c, DPVS_CONN_A_V);
	len = ver ? wk_pp_build(buf, ver, &ca, c->cport, &va, c->vport) : 0;
	if (len != 0) {
		x->pp_len = (uint8_t)len;
		x->pp_ver = (uint8_t)ver;
		x->pp_seq = isn + 1;
		x->flags |= DPVS_SEQX_PP;
	}
	if (svc_flags & DPVS_SVC_F_TOA)
		x->flags |= DPVS_SEQX_TOA;
}

static uint32_t
toa_len(const struct dpvs_conn *c)
{
	return dpvs_conn_fam(c, DPVS_CONN_A_C) == DPVS_AF_INET6 ? WK_TOA_LEN6 : WK_TOA_LEN4;
}

/* The MSS option of a SYN's header, or 0. */
static uint16_t
pp_mss_of(const struct rte_tcp_hdr *th, uint32_t hlen)
{
	const uint8_t *b = (const uint8_t *)th;
	uint32_t o = sizeof(*th);

	while (o < hlen) {
		if (b[o] == WK_TCPOPT_EOL)
			return 0;
		if (b[o] == WK_TCPOPT_NOP) {
			o++;
			continue;
		}
		if (o + 2 > hlen || b[o + 1] < 2 || o + b[o + 1] > hlen)
			return 0;
		if (b[o] == WK_TCPOPT_MSS && b[o + 1] == 4)
			return (uint16_t)(b[o + 2] << 8 | b[o + 3]);
		o += b[o + 1];
	}
	return 0;
}

/* A segment of the real server's: the SYN+ACK's MSS lowered by what the
 * client's segments carry more; the TOA ends with its first non-SYN; an ack
 * inside the header becomes an ack of its end (pp_seq after translation). */
static void
pp_server_seg(struct wk_ctx *ctx, struct rte_tcp_hdr *th, uint32_t hlen, struct dpvs_conn *c)
{
	struct dpvs_seqx *x = wk_conn_sx(ctx->ct, c);
	uint32_t extra = 0, mss, lim, ack;

	if (th->tcp_flags & RTE_TCP_SYN_FLAG) {
		if ((x->flags & (DPVS_SEQX_PP | DPVS_SEQX_PP_SENT)) == DPVS_SEQX_PP)
			extra += x->pp_len;
		if (x->flags & DPVS_SEQX_TOA)
			extra += toa_len(c);
		mss = pp_mss_of(th, hlen);
		lim = c->out_port < DPVS_MAX_PORTS ? ctx->tx_mtu[c->out_port] : 0;
		if (lim > PP_IPV4_TCP && mss > lim - PP_IPV4_TCP)
			mss = lim - PP_IPV4_TCP;
		if (extra != 0 && mss > extra + PP_IPV4_TCP)
			wk_tcp_mss_clamp(th, hlen, (uint16_t)(mss - extra));
		return;
	}
	x->flags &= (uint8_t)~DPVS_SEQX_TOA;
	if ((x->flags & DPVS_SEQX_PP_SENT) && (th->tcp_flags & RTE_TCP_ACK_FLAG)) {
		ack = rte_be_to_cpu_32(th->recv_ack);
		if (ack - x->pp_seq < x->pp_len) {
			ack = rte_cpu_to_be_32(x->pp_seq + x->pp_len);
			wk_tcp_put(th, offsetof(struct rte_tcp_hdr, recv_ack), &ack, 4);
		}
	}
}

/* Open len bytes at frame offset at (inside the first mbuf) by moving what
 * is before it back into the headroom; the gap, or NULL without room. */
static uint8_t *
pp_gap(struct rte_mbuf *m, uint32_t at, uint32_t len)
{
	uint8_t *old = rte_pktmbuf_mtod(m, uint8_t *), *n;

	if (rte_pktmbuf_headroom(m) < len || rte_pktmbuf_data_len(m) < at)
		return NULL;
	n = (uint8_t *)rte_pktmbuf_prepend(m, (uint16_t)len);
	if (n == NULL)
		return NULL;
	memmove(n, old, at);
	return n + at;
}

/* What goes into a client segment: *pp header bytes, *toa option bytes.
 * DPVS_DROP_MAX, or why the segment is dropped. */
static enum dpvs_drop_reason
pp_plan(struct wk_ctx *ctx, const struct rte_mbuf *m, const struct wk_pkt *pk,
	const struct dpvs_conn *c, uint32_t *pp, uint32_t *toa)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
								pk->l3_off);
	const struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *,
								pk->l4_off);
	uint32_t hlen = wk_tcp_hdr_len(th), seq = rte_be_to_cpu_32(th->sent_seq);
	uint32_t daddr, nh, tot = rte_be_to_cpu_16(ip->total_length), mtu;
	const struct dpvs_seqx *x = wk_conn_sx_ro(ctx->ct, c);
	uint16_t port;

	*pp = *toa = 0;
	if ((x->flags & DPVS_SEQX_PP) && pk->l4_len > hlen) {
		if (seq == x->pp_seq)
			*pp = x->pp_len;
		else if (!(x->flags & DPVS_SEQX_PP_SENT) && (int32_t)(seq - x->pp_seq) > 0)
			return DPVS_DROP_PP_WAIT;
	}
	if ((x->flags & DPVS_SEQX_TOA) && (th->tcp_flags & RTE_TCP_ACK_FLAG)) {
		*toa = toa_len(c);
		if (hlen + *toa > PP_TCP_HDR_MAX) {
			ctx->st->event[DPVS_EVENT_TOA_NO_ROOM]++;
			*toa = 0;
		}
	}
	if (*pp + *toa == 0)
		return DPVS_DROP_MAX;
	daddr = dpvs_conn_a4x(ctx->ct, c, DPVS_CONN_A_D);
	if (wk_route_v4(ctx, daddr, &port, &nh) != 0 || port >= DPVS_MAX_PORTS)
		return DPVS_DROP_MAX; /* the mode's xmit drops it: no_route */
	mtu = ctx->tx_mtu[port];
	if (tot + *pp + *toa <= mtu || !(ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG)))
		return DPVS_DROP_MAX;
	if (*toa != 0) {
		ctx->st->event[DPVS_EVENT_TOA_NO_ROOM]++;
		*toa = 0;
	}
	if (*pp != 0 && tot + *pp > mtu) {
		wk_icmp_error(ctx, m, WK_ICMP_DEST_UNREACH, WK_ICMP_FRAG_NEEDED,
			      (uint16_t)(mtu > *pp + 68 ? mtu - *pp : 68));
		return DPVS_DROP_PP_TOO_BIG;
	}
	return DPVS_DROP_MAX;
}

/* A client segment: the header and/or the option in. */
static enum dpvs_drop_reason
pp_client_seg(struct wk_ctx *ctx, struct rte_mbuf *m, struct wk_pkt *pk, struct dpvs_conn *c)
{
	struct dpvs_seqx *x = wk_conn_sx(ctx->ct, c);
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	struct dpvs_ip ca, va;
	uint32_t pp, toa, hlen, seq;
	enum dpvs_drop_reason why;
	uint8_t *gap;

	why = pp_plan(ctx, m, pk, c, &pp, &toa);
	if (why != DPVS_DROP_MAX || pp + toa == 0)
		return why;
	th = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, pk->l4_off);
	hlen = wk_tcp_hdr_len(th);
	gap = pp_gap(m, pk->l4_off + hlen, pp + toa);
	if (gap == NULL) {
		if (toa != 0)
			ctx->st->event[DPVS_EVENT_TOA_NO_ROOM]++;
		return pp != 0 ? DPVS_DROP_PP_NO_ROOM : DPVS_DROP_MAX;
	}
	ca = dpvs_conn_ip(ctx->ct, c, DPVS_CONN_A_C);
	va = dpvs_conn_ip(ctx->ct, c, DPVS_CONN_A_V);
	if (toa != 0)
		wk_toa_build(gap, &ca, c->cport);
	if (pp != 0 && wk_pp_build(gap + toa, x->pp_ver, &ca, c->cport, &va, c->vport) != pp)
		return DPVS_DROP_PP_NO_ROOM; /* cannot happen: the length was built so */
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, pk->l3_off);
	th = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, pk->l4_off);
	ip->total_length = rte_cpu_to_be_16((uint16_t)(rte_be_to_cpu_16(ip->total_length) +
						       pp + toa));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->data_off = (uint8_t)(th->data_off + ((toa / 4) << 4));
	if (pp != 0) {
		if (!(x->flags & DPVS_SEQX_PP_SENT)) {
			x->seq_delta[DPVS_DIR_IN] += x->pp_len;
			x->flags |= DPVS_SEQX_PP_SENT | DPVS_SEQX_ON;
		}
		/* the translation adds seq_delta: the header starts at pp_seq */
		seq = rte_cpu_to_be_32(x->pp_seq - x->pp_len);
		th->sent_seq = seq;
		ctx->st->event[DPVS_EVENT_PP_INSERTED]++;
	}
	if (toa != 0)
		ctx->st->event[DPVS_EVENT_TOA_ADDED]++;
	pk->l4_len += pp + toa;
	th->cksum = 0;
	th->cksum = rte_ipv4_udptcp_cksum_mbuf(m, ip, pk->l4_off);
	return DPVS_DROP_MAX;
}

enum dpvs_drop_reason
wk_pp_seg(struct wk_ctx *ctx, struct rte_mbuf *m, struct wk_pkt *pk, struct dpvs_conn *c,
	  int dir)
{
	struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, pk->l4_off);

	if (pk->family != DPVS_AF_INET || c->proto != IPPROTO_TCP || c->sx_ref == 0)
		return DPVS_DROP_MAX;
	if (dir == DPVS_DIR_OUT) {
		pp_server_seg(ctx, th, wk_tcp_hdr_len(th), c);
		return DPVS_DROP_MAX;
	}
	if (th->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG))
		return DPVS_DROP_MAX;
	return pp_client_seg(ctx, m, pk, c);
}
