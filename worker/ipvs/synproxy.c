/*
 * The SYN proxy of a TCP service with DPVS_SVC_F_SYNPROXY [dp_vs_synproxy]
 * (docs/tcp.md): the worker answers a client's SYN itself with a SYN cookie
 * (syncookie.h) and stores nothing; only the client's ACK that returns a
 * valid cookie makes a connection, and the real server is opened then:
 *
 *   client SYN        -> our SYN+ACK, seq = cookie, on the port it came in
 *                        (MACs swapped: the reply goes back the way the SYN
 *                        came; no route or neighbour lookup per SYN)
 *   client ACK        -> cookie checked (bad: drop synproxy_bad_ack); a
 *                        connection (SYN_RECV) is scheduled and made as for
 *                        a SYN, and our SYN with the client's ISN and options
 *                        (MSS of the cookie's class, window scale and SACK
 *                        from the timestamp, the client's TSval) goes to the
 *                        real server by the connection's mode; a segment
 *                        with data is held (one per connection)
 *   server SYN+ACK    -> the translation is set (seq: cookie vs the server's
 *                        ISN; timestamps: our TSval vs the server's; windows:
 *                        the scales each side believes in), the connection is
 *                        ESTABLISHED, the client's ACK goes to the server
 *                        (made here, in the client's space, through the
 *                        connection's normal inbound path) and then the held
 *                        segment
 *   server RST        -> an RST to the client at the sequence number it
 *                        expects; the connection closes
 * While the server has not answered, another client segment is dropped
 * (synproxy_wait) and anything else of the server's is out of window. From
 * then on seqx.c translates every segment (ipvs.c).
 *
 * Modes: full-NAT and NAT (both see the server's side); dpvs-ctl refuses the
 * flag with dr, tunnel or snat dests. IPv4 only (the IPv6 services come with
 * ipvs6.c).
 *
 * Writes the packet, this worker's connection table and stats row.
 */
#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "worker/ipvs/conn_table.h"
#include "worker/ipvs/ipvs_priv.h"
#include "worker/ipvs/lbpath.h"
#include "worker/ipvs/proxy_proto.h"
#include "worker/ipvs/seqx.h"
#include "worker/ipvs/syncookie.h"
#include "worker/ipvs/tcp_hdr.h"
#include "worker/ipvs/xmit.h"
#include "worker/l2/neigh.h"

#define SP_WSCALE   7        /* the window scale we offer a client that has one */
#define SP_TTL      64
#define SP_HDRS     (RTE_ETHER_HDR_LEN + 20 + 20)

/* The options of a client's segment that the proxy reads. */
struct sp_opts {
	uint16_t mss;            /* 0: none */
	uint8_t wscale;          /* WK_TCP_NO_WSCALE: none */
	uint8_t sack;
	uint8_t ts;
	uint32_t tsval, tsecr;
};

/* A segment the proxy makes: host order but addresses and ports. */
struct sp_seg {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint16_t win;
	uint8_t flags;
	uint8_t optlen;
	uint8_t opt[40];
};

static void
sp_opts_parse(const struct rte_tcp_hdr *th, uint32_t hlen, struct sp_opts *o)
{
	const uint8_t *b = (const uint8_t *)th;
	uint32_t i = sizeof(*th);

	memset(o, 0, sizeof(*o));
	o->wscale = WK_TCP_NO_WSCALE;
	while (i < hlen) {
		if (b[i] == WK_TCPOPT_EOL)
			break;
		if (b[i] == WK_TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 2 > hlen || b[i + 1] < 2 || i + b[i + 1] > hlen)
			break;
		if (b[i] == WK_TCPOPT_MSS && b[i + 1] == 4)
			o->mss = (uint16_t)(b[i + 2] << 8 | b[i + 3]);
		else if (b[i] == WK_TCPOPT_WSCALE && b[i + 1] == 3)
			o->wscale = RTE_MIN(b[i + 2], (uint8_t)DPVS_TCPT_MAX_WSCALE);
		else if (b[i] == WK_TCPOPT_SACK_PERM && b[i + 1] == 2)
			o->sack = 1;
		else if (b[i] == WK_TCPOPT_TS && b[i + 1] == 10) {
			o->ts = 1;
			o->tsval = (uint32_t)b[i + 2] << 24 | (uint32_t)b[i + 3] << 16 |
				   (uint32_t)b[i + 4] << 8 | b[i + 5];
			o->tsecr = (uint32_t)b[i + 6] << 24 | (uint32_t)b[i + 7] << 16 |
				   (uint32_t)b[i + 8] << 8 | b[i + 9];
		}
		i += b[i + 1];
	}
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The options of a SYN or SYN+ACK (mss 0: none; wscale WK_TCP_NO_WSCALE:
 * none), laid out as Linux does: MSS, SACK-permitted + timestamp (or NOPs),
 * NOP + window scale. */
static void
sp_opts_build(struct sp_seg *s, uint16_t mss, int sack, int ts, uint32_t tsval, uint32_t tsecr,
	      uint8_t wscale)
{
	uint8_t *o = s->opt;

	if (mss != 0) {
		o[0] = WK_TCPOPT_MSS;
		o[1] = 4;
		o[2] = (uint8_t)(mss >> 8);
		o[3] = (uint8_t)mss;
		o += 4;
	}
	if (ts) {
		o[0] = sack ? WK_TCPOPT_SACK_PERM : WK_TCPOPT_NOP;
		o[1] = sack ? 2 : WK_TCPOPT_NOP;
		o[2] = WK_TCPOPT_TS;
		o[3] = 10;
		put32(o + 4, tsval);
		put32(o + 8, tsecr);
		o += 12;
	} else if (sack) {
		o[0] = WK_TCPOPT_NOP;
		o[1] = WK_TCPOPT_NOP;
		o[2] = WK_TCPOPT_SACK_PERM;
		o[3] = 2;
		o += 4;
	}
	if (wscale != WK_TCP_NO_WSCALE) {
		o[0] = WK_TCPOPT_NOP;
		o[1] = WK_TCPOPT_WSCALE;
		o[2] = 3;
		o[3] = wscale;
		o += 4;
	}
	s->optlen = (uint8_t)(o - s->opt);
}

/* Write segment s into m as its whole content (Ethernet header kept as it
 * is in the first 14 bytes), with fresh checksums; pk describes it after.
 * -1 when m cannot hold it (chained, or too little room). */
static int
sp_build(struct wk_ctx *ctx, struct rte_mbuf *m, const struct sp_seg *s, struct wk_pkt *pk)
{
	uint32_t len = SP_HDRS + s->optlen;
	struct rte_ether_hdr eth;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;

	if (m->nb_segs != 1 || rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN)
		return -1;
	memcpy(&eth, rte_pktmbuf_mtod(m, void *), sizeof(eth));
	if (rte_pktmbuf_data_len(m) > len)
		rte_pktmbuf_trim(m, rte_pktmbuf_data_len(m) - len);
	else if (rte_pktmbuf_data_len(m) < len &&
		 rte_pktmbuf_append(m, (uint16_t)(len - rte_pktmbuf_data_len(m))) == NULL)
		return -1;
	eth.ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	memcpy(rte_pktmbuf_mtod(m, void *), &eth, sizeof(eth));
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	th = (struct rte_tcp_hdr *)(ip + 1);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - RTE_ETHER_HDR_LEN));
	ip->packet_id = rte_cpu_to_be_16(ctx->ip_id++);
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = SP_TTL;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = s->saddr;
	ip->dst_addr = s->daddr;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	memset(th, 0, sizeof(*th));
	th->src_port = s->sport;
	th->dst_port = s->dport;
	th->sent_seq = rte_cpu_to_be_32(s->seq);
	th->recv_ack = rte_cpu_to_be_32(s->ack);
	th->data_off = (uint8_t)(((sizeof(*th) + s->optlen) / 4) << 4);
	th->tcp_flags = s->flags;
	th->rx_win = rte_cpu_to_be_16(s->win);
	memcpy(th + 1, s->opt, s->optlen);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	m->ol_flags = 0;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = sizeof(*ip);
	memset(pk, 0, sizeof(*pk));
	pk->family = DPVS_AF_INET;
	pk->proto = IPPROTO_TCP;
	pk->tcp_flags = s->flags;
	pk->l3_off = RTE_ETHER_HDR_LEN;
	pk->l4_off = RTE_ETHER_HDR_LEN + sizeof(*ip);
	pk->l4_len = (uint32_t)sizeof(*th) + s->optlen;
	wk_ip_from_v4(&pk->src, s->saddr);
	wk_ip_from_v4(&pk->dst, s->daddr);
	pk->sport = s->sport;
	pk->dport = s->dport;
	return 0;
}

static struct rte_tcp_hdr *
sp_th(struct rte_mbuf *m, const struct wk_pkt *pk, uint32_t *hlen)
{
	struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, pk->l4_off);

	*hlen = wk_tcp_hdr_len(th);
	return th;
}

static uint32_t
ip_v4(const struct dpvs_ip *ip)
{
	uint32_t a;

	memcpy(&a, ip->bytes, 4);
	return a;
}

/* A client's SYN: our SYN+ACK with the cookie, back on port p. */
static struct wk_verdict
sp_syn(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct wk_pkt *pk)
{
	struct wk_cookie_tuple t = { &pk->src, &pk->dst, pk->sport, pk->dport };
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ether_addr mac;
	struct sp_opts o;
	struct sp_seg s;
	struct wk_pkt out;
	uint32_t hlen, isn;
	unsigned int cls;
	struct rte_tcp_hdr *th = sp_th(m, pk, &hlen);

	sp_opts_parse(th, hlen, &o);
	isn = rte_be_to_cpu_32(th->sent_seq);
	cls = wk_cookie_mss_class(o.mss != 0 ? o.mss : wk_cookie_mss[0]);
	memset(&s, 0, sizeof(s));
	s.saddr = ip_v4(&pk->dst);
	s.daddr = ip_v4(&pk->src);
	s.sport = pk->dport;
	s.dport = pk->sport;
	s.seq = wk_cookie_make(ctx->root->synproxy_key, &t, isn, cls, ctx->now_ns);
	s.ack = isn + 1;
	s.flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
	s.win = wk_cookie_mss[cls];  /* one segment until the server's window comes */
	sp_opts_build(&s, wk_cookie_mss[cls], o.sack, o.ts,
		      o.ts ? wk_cookie_ts_make(ctx->now_ns, o.wscale, o.sack) : 0, o.tsval,
		      o.wscale != WK_TCP_NO_WSCALE ? SP_WSCALE : WK_TCP_NO_WSCALE);
	rte_ether_addr_copy(&eth->src_addr, &mac);
	rte_ether_addr_copy(&eth->dst_addr, &eth->src_addr);
	rte_ether_addr_copy(&mac, &eth->dst_addr);
	if (sp_build(ctx, m, &s, &out) != 0)
		return wk_drop(DPVS_DROP_L4_HDR);
	ctx->st->event[DPVS_EVENT_SYNPROXY_SYNACK]++;
	return wk_tx(p);
}

/* Our SYN to the real server, as the client would have sent it to the VIP,
 * in a new mbuf (*pk describes it); NULL when the pool is empty. */
static struct rte_mbuf *
sp_server_syn(struct wk_ctx *ctx, const struct rte_mbuf *m, const struct wk_pkt *ack_pk,
	      uint32_t isn, uint16_t win, uint16_t mss, const struct sp_opts *o, uint8_t ws,
	      int sack, struct wk_pkt *pk)
{
	struct rte_mbuf *n = rte_pktmbuf_alloc(ctx->pool);
	struct sp_seg s;

	if (n == NULL)
		return NULL;
	if (rte_pktmbuf_append(n, RTE_ETHER_HDR_LEN) == NULL) {
		rte_pktmbuf_free(n);
		return NULL;
	}
	memcpy(rte_pktmbuf_mtod(n, void *), rte_pktmbuf_mtod(m, const void *), RTE_ETHER_HDR_LEN);
	n->port = m->port;
	memset(&s, 0, sizeof(s));
	s.saddr = ip_v4(&ack_pk->src);
	s.daddr = ip_v4(&ack_pk->dst);
	s.sport = ack_pk->sport;
	s.dport = ack_pk->dport;
	s.seq = isn;
	s.flags = RTE_TCP_SYN_FLAG;
	s.win = win;
	sp_opts_build(&s, mss, sack, o->ts, o->tsval, 0, ws);
	if (sp_build(ctx, n, &s, pk) != 0) {
		rte_pktmbuf_free(n);
		return NULL;
	}
	return n;
}

/* A client's ACK for a service with the proxy, no connection: a valid
 * cookie opens the connection to the real server. */
static struct wk_verdict
sp_ack(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct wk_pkt *pk, uint16_t svc)
{
	struct wk_cookie_tuple t = { &pk->src, &pk->dst, pk->sport, pk->dport };
	uint32_t hlen, seq, ack, win, idx;
	struct rte_tcp_hdr *th = sp_th(m, pk, &hlen);
	struct wk_verdict v;
	struct dpvs_conn *c;
	struct dpvs_seqx *x;
	struct rte_mbuf *n;
	struct wk_pkt spk;
	struct sp_opts o;
	uint16_t mss;
	uint8_t ws = WK_TCP_NO_WSCALE;
	int sack = 0;

	seq = rte_be_to_cpu_32(th->sent_seq);
	ack = rte_be_to_cpu_32(th->recv_ack);
	if (wk_cookie_check(ctx->root->synproxy_key, &t, seq - 1, ack - 1, ctx->now_ns, &mss) != 0)
		return wk_drop(DPVS_DROP_SYNPROXY_BAD_ACK);
	sp_opts_parse(th, hlen, &o);
	if (o.ts)
		wk_cookie_ts_read(o.tsecr, &ws, &sack);
	if (ws == WK_COOKIE_TS_NOWS)
		ws = WK_TCP_NO_WSCALE;
	/* the client's window as a SYN would carry it (unscaled) */
	win = (uint32_t)rte_be_to_cpu_16(th->rx_win) << (ws != WK_TCP_NO_WSCALE ? SP_WSCALE : 0);
	n = sp_server_syn(ctx, m, pk, seq - 1, (uint16_t)RTE_MIN(win, 65535u), mss, &o, ws, sack,
			  &spk);
	if (n == NULL)
		return wk_drop(DPVS_DROP_SYNPROXY_NO_MBUF);
	v = wk_ipvs_new_conn(ctx, n, p, &spk, svc,
			     wk_conn_hash(spk.proto, &spk.src, spk.sport, &spk.dst, spk.dport), &idx);
	if (idx == DPVS_CONN_NIL) {
		rte_pktmbuf_free(n);
		return v;
	}
	c = &dpvs_conn_array(ctx->ct)[idx];
	x = wk_conn_sx(ctx->ct, c);   /* the new connection took one (ipvs_new.c) */
	if (unlikely(x == NULL)) {
		wk_ipvs_conn_close(ctx, idx);
		rte_pktmbuf_free(n);
		return wk_drop(DPVS_DROP_CONN_SEQX_FULL);
	}
	memset(x, 0, offsetof(struct dpvs_seqx, owner));
	x->flags = DPVS_SEQX_SP_WAIT | (sack ? DPVS_SEQX_SP_SACK : 0) | (o.ts ? DPVS_SEQX_TS : 0);
	x->seq_delta[DPVS_DIR_OUT] = ack - 1;   /* the cookie, until the server's ISN */
	x->sp_wscale = ws == WK_TCP_NO_WSCALE ? DPVS_SEQX_NO_WSCALE : ws;
	x->sp_win = rte_be_to_cpu_16(th->rx_win);
	x->sp_mss = mss;
	x->sp_tsval = o.tsval;
	x->sp_tsecr = o.tsecr;
	wk_pp_conn_init(c, x, dpvs_lb_svc(&ctx->cfg->lb, svc)->flags, seq - 1);
	wk_send_new(ctx, n, v);
	ctx->st->event[DPVS_EVENT_SYNPROXY_OPENED]++;
	if (pk->l4_len > hlen) {
		x->held = (uint64_t)(uintptr_t)m;   /* its data, until the server answers */
		return (struct wk_verdict){ .kind = WK_VERDICT_TAKEN };
	}
	return wk_drop(DPVS_DROP_SYNPROXY_WAIT);
}

struct wk_verdict
wk_synproxy_in(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct wk_pkt *pk,
	       uint16_t svc)
{
	uint8_t f = pk->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG |
				     RTE_TCP_FIN_FLAG);

	if (!wk_tcp_flags_valid(pk->tcp_flags))
		return wk_drop(DPVS_DROP_TCP_FLAGS);
	if (pk->family != DPVS_AF_INET)
		return wk_drop(DPVS_DROP_FWD_MODE);
	if (f == RTE_TCP_SYN_FLAG)
		return sp_syn(ctx, m, p, pk);
	if (f == RTE_TCP_ACK_FLAG)
		return sp_ack(ctx, m, p, pk, svc);
	return wk_drop(DPVS_DROP_TCP_NOT_SYN);
}

/* The translation the server's SYN+ACK (options o, ISN isn) settles. */
static void
sp_settle(struct dpvs_conn *c, struct dpvs_seqx *x, uint32_t isn, const struct sp_opts *o)
{
	int cws = x->sp_wscale != DPVS_SEQX_NO_WSCALE, sws = o->wscale != WK_TCP_NO_WSCALE;
	int c_eff = cws ? x->sp_wscale : 0;              /* the client scales by this */
	int c_seen = cws && sws ? x->sp_wscale : 0;      /* the server reads it so */
	int s_eff = cws && sws ? o->wscale : 0;          /* the server scales by this */
	int s_seen = cws ? SP_WSCALE : 0;                /* the client reads it so */

	x->seq_delta[DPVS_DIR_OUT] -= isn;   /* cookie - server ISN */
	x->seq_delta[DPVS_DIR_IN] = 0;
	if ((x->flags & DPVS_SEQX_TS) && o->ts)
		x->ts_delta[DPVS_DIR_OUT] = x->sp_tsecr - o->tsval;
	else
		x->flags &= (uint8_t)~DPVS_SEQX_TS;
	x->ts_delta[DPVS_DIR_IN] = 0;
	x->win_shift[DPVS_DIR_IN] = (int8_t)(c_eff - c_seen);
	x->win_shift[DPVS_DIR_OUT] = (int8_t)(s_eff - s_seen);
	x->flags = (uint8_t)((x->flags & ~DPVS_SEQX_SP_WAIT) | DPVS_SEQX_ON);
	/* window tracking cannot follow scales that differ per side */
	if (c_eff != c_seen) {
		c->trk[0].flags |= DPVS_TCPT_F_LIBERAL;
		c->trk[1].flags |= DPVS_TCPT_F_LIBERAL;
	}
}

/* The client's held segment (if any) through the connection's path. */
static void
sp_release_held(struct wk_ctx *ctx, uint32_t idx)
{
	struct dpvs_conn *c = &dpvs_conn_array(ctx->ct)[idx];
	struct dpvs_seqx *x = wk_conn_sx(ctx->ct, c);   /* SP_WAIT: it has one */
	struct rte_mbuf *h = (struct rte_mbuf *)(uintptr_t)x->held;
	const struct rte_ipv4_hdr *ip;
	struct wk_pkt pk;

	if (h == NULL)
		return;
	x->held = 0;
	ip = rte_pktmbuf_mtod_offset(h, const struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	memset(&pk, 0, sizeof(pk));
	pk.family = DPVS_AF_INET;
	pk.proto = IPPROTO_TCP;
	pk.l3_off = RTE_ETHER_HDR_LEN;
	pk.l4_off = (uint16_t)(RTE_ETHER_HDR_LEN + rte_ipv4_hdr_len(ip));
	pk.l4_len = rte_be_to_cpu_16(ip->total_length) - rte_ipv4_hdr_len(ip);
	pk.tcp_flags = rte_pktmbuf_mtod_offset(h, struct rte_tcp_hdr *, pk.l4_off)->tcp_flags;
	wk_ip_from_v4(&pk.src, ip->src_addr);
	wk_ip_from_v4(&pk.dst, ip->dst_addr);
	pk.sport = c->cport;
	pk.dport = c->vport;
	wk_send_new(ctx, h, wk_ipvs_conn_pkt(ctx, h, &pk, idx, DPVS_DIR_IN, 0));
}

/* The server's SYN+ACK: settle, then our ACK to it (made in m, in the
 * client's space) and the held segment. */
static struct wk_verdict
sp_server_synack(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk, uint32_t idx)
{
	struct dpvs_conn *c = &dpvs_conn_array(ctx->ct)[idx];
	struct dpvs_seqx *x = wk_conn_sx(ctx->ct, c);   /* SP_WAIT: it has one */
	struct wk_tcp_seg seg;
	struct wk_verdict v;
	struct wk_pkt apk;
	struct sp_opts o;
	struct sp_seg s;
	uint32_t hlen, isn;
	struct rte_tcp_hdr *th = sp_th(m, pk, &hlen);

	wk_ipvs_tcp_seg(m, pk, &seg);
	if (wk_tcp_track(c->trk, DPVS_DIR_OUT, &seg) == WK_TCPW_BAD)
		return wk_drop(DPVS_DROP_TCP_WINDOW);
	sp_opts_parse(th, hlen, &o);
	isn = rte_be_to_cpu_32(th->sent_seq);
	memset(&s, 0, sizeof(s));
	s.saddr = dpvs_conn_a4(c, DPVS_CONN_A_C);
	s.daddr = dpvs_conn_a4(c, DPVS_CONN_A_V);
	s.sport = c->cport;
	s.dport = c->vport;
	s.seq = c->trk[DPVS_DIR_IN].end;
	s.ack = x->seq_delta[DPVS_DIR_OUT] + 1;   /* the cookie + 1 */
	s.flags = RTE_TCP_ACK_FLAG;
	s.win = x->sp_win;
	if ((x->flags & DPVS_SEQX_TS) && o.ts) {
		s.opt[0] = s.opt[1] = WK_TCPOPT_NOP;
		s.opt[2] = WK_TCPOPT_TS;
		s.opt[3] = 10;
		put32(s.opt + 4, x->sp_tsval);
		put32(s.opt + 8, x->sp_tsecr);
		s.optlen = 12;
	}
	sp_settle(c, x, isn, &o);
	wk_ipvs_set_state(ctx, c, DPVS_TCPS_ESTABLISHED);
	if (sp_build(ctx, m, &s, &apk) != 0)
		v = wk_drop(DPVS_DROP_L4_HDR);
	else
		v = wk_ipvs_conn_pkt(ctx, m, &apk, idx, DPVS_DIR_IN, 0);
	if (x->held == 0)
		return v;
	/* the ACK leaves before the held segment: sent here, its verdict
	 * counted as the server's SYN+ACK's */
	ctx->st->verdict[v.kind < DPVS_VERDICT_MAX ? v.kind : DPVS_VERDICT_DROP]++;
	wk_send_new(ctx, m, v);
	sp_release_held(ctx, idx);
	return (struct wk_verdict){ .kind = WK_VERDICT_TAKEN };
}

/* The server refused: an RST to the client where it expects one (made in
 * m), and the connection goes. */
static struct wk_verdict
sp_server_rst(struct wk_ctx *ctx, struct rte_mbuf *m, uint32_t idx)
{
	struct dpvs_conn *c = &dpvs_conn_array(ctx->ct)[idx];
	struct dpvs_seqx *x = wk_conn_sx(ctx->ct, c);   /* SP_WAIT: it has one */
	struct wk_pkt rpk;
	struct sp_seg s;

	memset(&s, 0, sizeof(s));
	s.saddr = dpvs_conn_a4(c, DPVS_CONN_A_V);
	s.daddr = dpvs_conn_a4(c, DPVS_CONN_A_C);
	s.sport = c->vport;
	s.dport = c->cport;
	s.seq = x->seq_delta[DPVS_DIR_OUT] + 1;   /* the cookie + 1 */
	s.flags = RTE_TCP_RST_FLAG;
	ctx->st->event[DPVS_EVENT_SYNPROXY_RST]++;
	wk_ipvs_conn_close(ctx, idx);
	if (sp_build(ctx, m, &s, &rpk) != 0)
		return wk_drop(DPVS_DROP_L4_HDR);
	return wk_ip_output(ctx, m);
}

struct wk_verdict
wk_synproxy_wait(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk, uint32_t idx,
		 int dir)
{
	struct dpvs_conn *c = &dpvs_conn_array(ctx->ct)[idx];
	struct dpvs_seqx *x = wk_conn_sx(ctx->ct, c);   /* SP_WAIT: it has one */
	uint8_t f = pk->tcp_flags;
	uint32_t hlen, ack;
	struct rte_tcp_hdr *th = sp_th(m, pk, &hlen);

	if (dir == DPVS_DIR_IN) {
		if (f & RTE_TCP_RST_FLAG)
			return wk_ipvs_conn_pkt(ctx, m, pk, idx, dir, 0);
		if ((pk->l4_len > hlen || (f & RTE_TCP_FIN_FLAG)) && x->held == 0) {
			x->held = (uint64_t)(uintptr_t)m;
			return (struct wk_verdict){ .kind = WK_VERDICT_TAKEN };
		}
		return wk_drop(DPVS_DROP_SYNPROXY_WAIT);
	}
	ack = rte_be_to_cpu_32(th->recv_ack);
	if (c->state != DPVS_TCPS_SYN_RECV || (f & RTE_TCP_ACK_FLAG) == 0 ||
	    ack != c->trk[DPVS_DIR_IN].end)
		return wk_drop(DPVS_DROP_TCP_WINDOW);
	if ((f & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG)) ==
	    (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG))
		return sp_server_synack(ctx, m, pk, idx);
	if (f & RTE_TCP_RST_FLAG)
		return sp_server_rst(ctx, m, idx);
	return wk_drop(DPVS_DROP_TCP_WINDOW);
}

void
wk_synproxy_forget(struct dpvs_seqx *x)
{
	struct rte_mbuf *h = (struct rte_mbuf *)(uintptr_t)x->held;

	x->held = 0;   /* cleared first: a crash here leaks, never frees twice */
	if (h != NULL)
		rte_pktmbuf_free(h);
}

/* What a dead predecessor held: every side slot's segment is cleared; it is
 * freed only if the slot's owner is live and names the slot (else a slot
 * left half taken or half given back: leaked rather than freed twice). */
unsigned int
wk_synproxy_recover(struct wk_ctx *ctx)
{
	const struct dpvs_conn *conns = dpvs_conn_array(ctx->ct);
	struct dpvs_seqx *sx = dpvs_conn_sx(ctx->ct);
	struct dpvs_worker_region *wr = ctx->wr;
	unsigned int n = 0, k;
	uint32_t i, o;

	for (i = 0; i < ctx->ct->sx_capacity; i++) {
		struct rte_mbuf *h = (struct rte_mbuf *)(uintptr_t)sx[i].held;

		if (h == NULL)
			continue;
		sx[i].held = 0;
		/* a predecessor that died between holding a packet and
		 * clearing its in-flight entry: the in-flight recovery frees it */
		for (k = 0; k < DPVS_BURST; k++)
			if (wr->inflight[k] == h)
				break;
		o = sx[i].owner;
		if (k < DPVS_BURST || o >= ctx->ct->capacity ||
		    (conns[o].flags & DPVS_CONN_F_USED) == 0 || conns[o].sx_ref != i + 1u ||
		    h->pool != ctx->pool)
			continue;
		rte_pktmbuf_free(h);
		n++;
	}
	return n;
}
