/*
 * The ipvs core [dp_vs_in], called by the ipv4 stage for a valid IPv4 packet
 * to our MAC (lb.h). TCP/UDP: a fragment not for a node address is dropped;
 * a packet of a connection goes to its xmit (full-NAT in or out); a packet
 * for a service creates a connection (TCP: only a SYN; a client's SYN on a
 * finished connection, TIME_WAIT or CLOSE, replaces it) with a dest from the
 * scheduler and a local address and port from this worker's share of the
 * port space (lport % nworkers == worker id); a packet for one of the
 * services' local addresses without a connection belongs to the worker that
 * owns its port: redirected there, or dropped (no_conn) if that is us.
 * ICMP: errors about a connection go to icmp_err.c. Anything else: 0, the
 * packet continues to local_in / the kernel as before.
 * Per packet: the TCP state, the connection's timer and counters, this
 * worker's svc_stats/dest_stats rows (active/inactive follow the state).
 * Writes this worker's connection table, region rows and stats row.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "shm/lb_hash.h"
#include "worker/ipvs/conn_table.h"
#include "worker/ipvs/lb_counts.h"
#include "worker/ipvs/lbpath.h"
#include "worker/l2/neigh.h"

#define WK_LPORT_MIN   1024   /* local ports come from [WK_LPORT_MIN, 65535] */
#define WK_LPORT_TRIES 64     /* ports tried per local address */
#define WK_EXPIRE_MAX  64     /* connections reaped per loop iteration */

/* Fill pk from the IPv4 packet at l3; -1 if the L4 header is truncated. */
static int
ipvs_parse(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip, uint16_t l3,
	   struct wk_pkt *pk)
{
	uint32_t hlen = rte_ipv4_hdr_len(ip), tot = rte_be_to_cpu_16(ip->total_length);
	uint32_t contig = rte_pktmbuf_data_len(m) - l3, need;
	const struct rte_tcp_hdr *th;
	const uint16_t *ports;

	pk->family = DPVS_AF_INET;
	pk->proto = ip->next_proto_id;
	pk->tcp_flags = 0;
	pk->l3_off = l3;
	pk->l4_off = (uint16_t)(l3 + hlen);
	pk->l4_len = tot - hlen;
	need = pk->proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr);
	if (pk->l4_len < need || contig < hlen + need)
		return -1;
	ports = (const uint16_t *)((const uint8_t *)ip + hlen);
	if (pk->proto == IPPROTO_TCP) {
		th = (const struct rte_tcp_hdr *)ports;
		need = (uint32_t)(th->data_off >> 4) * 4;
		if (need < sizeof(*th) || pk->l4_len < need || contig < hlen + need)
			return -1;
		pk->tcp_flags = th->tcp_flags;
	}
	wk_ip_from_v4(&pk->src, ip->src_addr);
	wk_ip_from_v4(&pk->dst, ip->dst_addr);
	pk->sport = ports[0];
	pk->dport = ports[1];
	return 0;
}

/* This worker's counter row of a service or dest slot if it belongs to
 * object id; with reset, a row of another object is taken over. */
static struct dpvs_lb_stats *
lb_row(struct dpvs_lb_stats *rows, uint16_t slot, uint32_t id, int reset)
{
	struct dpvs_lb_stats *r = &rows[slot];

	if (r->id == id)
		return r;
	if (!reset)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->id = id;
	return r;
}

static int
conn_is_active(const struct dpvs_conn *c)
{
	return wk_conn_is_active(c); /* the rule the rebuild at attach uses */
}

/* Add delta (+1 / -1) to the active or inactive count of c's rows. */
static void
conn_count(struct wk_ctx *ctx, const struct dpvs_conn *c, int active, int delta)
{
	struct dpvs_lb_stats *rows[2];
	unsigned int i;

	rows[0] = c->svc_slot < DPVS_MAX_SERVICES ?
			  lb_row(ctx->wr->svc_stats, c->svc_slot, c->svc_id, 0) : NULL;
	rows[1] = c->dest_slot < DPVS_MAX_DESTS ?
			  lb_row(ctx->wr->dest_stats, c->dest_slot, c->dest_id, 0) : NULL;
	for (i = 0; i < 2; i++) {
		uint64_t *n;

		if (rows[i] == NULL)
			continue;
		n = active ? &rows[i]->active : &rows[i]->inactive;
		if (delta > 0)
			(*n)++;
		else if (*n > 0)
			(*n)--;
	}
}

/* Free connection idx and take it out of the counters. */
static void
ipvs_conn_close(struct wk_ctx *ctx, uint32_t idx)
{
	const struct dpvs_conn *c = &dpvs_conn_array(ctx->ct)[idx];

	conn_count(ctx, c, conn_is_active(c), -1);
	wk_conn_free(ctx->ct, idx);
}

unsigned int
wk_ipvs_expire(struct wk_ctx *ctx)
{
	uint32_t out[WK_EXPIRE_MAX], i, n;

	n = wk_conn_expire(ctx->ct, ctx->now_ns, out, WK_EXPIRE_MAX);
	for (i = 0; i < n; i++)
		ipvs_conn_close(ctx, out[i]);
	return n;
}

/* The next local port of this worker after cur (host order), wrapping. */
static uint16_t
lport_next(const struct wk_ctx *ctx, uint32_t cur)
{
	uint32_t n = ctx->nworkers, p = cur + n;

	if (cur < WK_LPORT_MIN || p > 65535 || cur % n != ctx->id)
		p = WK_LPORT_MIN + (ctx->id + n - WK_LPORT_MIN % n) % n;
	return (uint16_t)p;
}

/* Choose a local address and port for a connection to dest d: *li and
 * *lport (network order); -1 when every port tried is taken. */
static int
ipvs_pick_local(struct wk_ctx *ctx, uint16_t svc, const struct dpvs_service *s,
		const struct dpvs_dest *d, uint8_t proto, unsigned int *li, uint16_t *lport)
{
	unsigned int k, t, i, n = RTE_MIN(s->nladdrs, (uint16_t)DPVS_MAX_SVC_LADDRS);
	uint16_t *cur;
	int dir;

	for (k = 0; k < n; k++) {
		/* spread connections over the addresses */
		i = (k + ctx->wr->svc_stats[svc].conns) % n;
		if (s->laddrs[i].family != DPVS_AF_INET)
			continue;
		cur = &ctx->wr->lport_cursor[svc][i];
		for (t = 0; t < WK_LPORT_TRIES; t++) {
			*cur = lport_next(ctx, *cur);
			*lport = rte_cpu_to_be_16(*cur);
			if (wk_conn_lookup(ctx->ct, proto, &d->addr, d->port, &s->laddrs[i], *lport,
					   &dir) == DPVS_CONN_NIL) {
				*li = i;
				return 0;
			}
		}
	}
	return -1;
}

/* Fill and insert a new connection; its index, or DPVS_CONN_NIL. */
static uint32_t
ipvs_conn_new(struct wk_ctx *ctx, const struct wk_pkt *pk, uint16_t p, uint16_t svc,
	      uint16_t ds, unsigned int li, uint16_t lport)
{
	const struct dpvs_service *s = &ctx->cfg->lb.services[svc];
	const struct dpvs_dest *d = &ctx->cfg->lb.dests[ds];
	uint32_t idx = wk_conn_alloc(ctx->ct);
	struct dpvs_conn *c;

	if (idx == DPVS_CONN_NIL)
		return idx;
	c = &dpvs_conn_array(ctx->ct)[idx];
	c->proto = pk->proto;
	c->state = pk->proto == IPPROTO_TCP ?
			   wk_tcp_next_state(DPVS_TCPS_NONE, DPVS_DIR_IN, pk->tcp_flags) : 0;
	c->fwd_mode = d->fwd_mode;
	c->svc_slot = svc;
	c->dest_slot = ds;
	c->svc_id = s->id;
	c->dest_id = d->id;
	c->caddr = pk->src;
	c->cport = pk->sport;
	c->vaddr = pk->dst;
	c->vport = pk->dport;
	c->laddr = s->laddrs[li];
	c->lport = lport;
	c->daddr = d->addr;
	c->dport = d->port;
	c->in_port = p;
	c->out_port = s->laddr_port[li];
	c->created_ns = ctx->now_ns;
	c->expires_ns = ctx->now_ns +
			wk_conn_timeout_ns(&ctx->cfg->lb.timeouts, c->proto, c->state);
	wk_conn_insert(ctx->ct, idx, ctx->now_ns);
	lb_row(ctx->wr->svc_stats, svc, s->id, 1)->conns++;
	lb_row(ctx->wr->dest_stats, ds, d->id, 1)->conns++;
	conn_count(ctx, c, conn_is_active(c), 1);
	return idx;
}

/* A packet of connection idx in direction dir: state, timer, counters,
 * then the xmit of its forwarding mode. */
static struct wk_verdict
ipvs_conn_pkt(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk, uint32_t idx,
	      int dir)
{
	struct dpvs_conn *c = &dpvs_conn_array(ctx->ct)[idx];
	struct dpvs_lb_stats *rs, *rd;
	/* the IP packet's length: Ethernet padding is not traffic */
	uint32_t bytes = (uint32_t)(pk->l4_off - pk->l3_off) + pk->l4_len;
	uint8_t st = c->state;

	if (c->proto == IPPROTO_TCP) {
		st = wk_tcp_next_state(c->state, dir, pk->tcp_flags);
		if (st != c->state) {
			int was = conn_is_active(c);

			c->state = st;
			if (was != conn_is_active(c)) {
				conn_count(ctx, c, was, -1);
				conn_count(ctx, c, !was, 1);
			}
		}
	}
	wk_conn_set_timer(ctx->ct, idx,
			  ctx->now_ns + wk_conn_timeout_ns(&ctx->cfg->lb.timeouts, c->proto, st));
	rs = lb_row(ctx->wr->svc_stats, c->svc_slot, c->svc_id, 0);
	rd = c->dest_slot < DPVS_MAX_DESTS ?
		     lb_row(ctx->wr->dest_stats, c->dest_slot, c->dest_id, 0) : NULL;
	if (dir == DPVS_DIR_IN) {
		c->in_pkts++;
		c->in_bytes += bytes;
		if (rs != NULL) {
			rs->inpkts++;
			rs->inbytes += bytes;
		}
		if (rd != NULL) {
			rd->inpkts++;
			rd->inbytes += bytes;
		}
	} else {
		c->out_pkts++;
		c->out_bytes += bytes;
		if (rs != NULL) {
			rs->outpkts++;
			rs->outbytes += bytes;
		}
		if (rd != NULL) {
			rd->outpkts++;
			rd->outbytes += bytes;
		}
	}
	if (c->fwd_mode != DPVS_FWD_FNAT)
		return wk_drop(DPVS_DROP_FWD_MODE);
	return wk_fnat_xmit(ctx, m, pk, c, dir);
}

/* A packet for service svc without a connection: make one, send it. */
static struct wk_verdict
ipvs_new(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct wk_pkt *pk,
	 uint16_t svc)
{
	const struct dpvs_service *s = &ctx->cfg->lb.services[svc];
	unsigned int li;
	uint16_t ds, lport;
	uint32_t idx;

	if (pk->proto == IPPROTO_TCP &&
	    (pk->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG)) !=
		    RTE_TCP_SYN_FLAG)
		return wk_drop(DPVS_DROP_TCP_NOT_SYN);
	ds = wk_sched_pick(ctx, svc, pk);
	if (ds == DPVS_SLOT_NONE || ds >= DPVS_MAX_DESTS)
		return wk_drop(DPVS_DROP_NO_DEST);
	if (ctx->cfg->lb.dests[ds].fwd_mode != DPVS_FWD_FNAT)
		return wk_drop(DPVS_DROP_FWD_MODE);
	if (ipvs_pick_local(ctx, svc, s, &ctx->cfg->lb.dests[ds], pk->proto, &li, &lport) != 0)
		return wk_drop(DPVS_DROP_NO_LADDR);
	idx = ipvs_conn_new(ctx, pk, p, svc, ds, li, lport);
	if (idx == DPVS_CONN_NIL)
		return wk_drop(DPVS_DROP_CONN_FULL);
	return ipvs_conn_pkt(ctx, m, pk, idx, DPVS_DIR_IN);
}

/* Is ip a local address (or, with vips, a VIP too) of a service of proto?
 * One probe of the address index (shm/lb_hash.h). */
static int
ipvs_is_lb_addr(const struct dpvs_config_set *cfg, uint8_t proto, const struct dpvs_ip *ip,
		int vips)
{
	const struct dpvs_addr_ix *e = dpvs_addr_lookup(&cfg->lb, ip);
	uint8_t want;

	if (e == NULL)
		return 0;
	if (proto == IPPROTO_TCP)
		want = DPVS_ADDR_IX_LADDR_TCP | (vips ? DPVS_ADDR_IX_VIP_TCP : 0);
	else if (proto == IPPROTO_UDP)
		want = DPVS_ADDR_IX_LADDR_UDP | (vips ? DPVS_ADDR_IX_VIP_UDP : 0);
	else
		return 0;
	return (e->lb & want) != 0;
}

int
wk_ipvs_is_laddr(const struct dpvs_config_set *cfg, uint8_t proto, const struct dpvs_ip *ip)
{
	return ipvs_is_lb_addr(cfg, proto, ip, 0);
}

/* Is this a fragment (MF set or an offset)? */
static int
ipv4_is_frag(const struct rte_ipv4_hdr *ip)
{
	return (ip->fragment_offset &
		RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0;
}

/* Is pk a client's new SYN on connection c that has finished (TIME_WAIT or
 * CLOSE)? Then the client reuses the tuple for a new connection, which is
 * scheduled afresh (a weight-0 or removed dest gets no new connection) and
 * counted, as LVS does with conn_reuse_mode. */
static int
ipvs_syn_reuses(const struct dpvs_conn *c, const struct wk_pkt *pk, int dir)
{
	return dir == DPVS_DIR_IN && c->proto == IPPROTO_TCP &&
	       (pk->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG)) ==
		       RTE_TCP_SYN_FLAG &&
	       (c->state == DPVS_TCPS_TIME_WAIT || c->state == DPVS_TCPS_CLOSE);
}

int
wk_ipvs_in(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, struct wk_verdict *v)
{
	const uint16_t l3 = RTE_ETHER_HDR_LEN;
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, l3);
	struct wk_pkt pk;
	uint32_t idx;
	uint16_t svc, owner;
	int dir, frag;

	if (ip->next_proto_id == IPPROTO_ICMP)
		return wk_icmp_err_in(ctx, m, p, v);
	if (ip->next_proto_id != IPPROTO_TCP && ip->next_proto_id != IPPROTO_UDP)
		return 0;
	frag = ipv4_is_frag(ip);
	if (frag || ipvs_parse(m, ip, l3, &pk) != 0) {
		/* the kernel's to reassemble or to refuse, unless it is for the
		 * load balancer (whose VIPs and laddrs are node addresses too) */
		wk_ip_from_v4(&pk.dst, ip->dst_addr);
		if (wk_addr_v4_is_ours(ctx->cfg, WK_PORT_NONE, ip->dst_addr) &&
		    !ipvs_is_lb_addr(ctx->cfg, ip->next_proto_id, &pk.dst, 1))
			return 0;
		*v = wk_drop(frag ? DPVS_DROP_IP_FRAG : DPVS_DROP_L4_HDR);
		return 1;
	}
	idx = wk_conn_lookup(ctx->ct, pk.proto, &pk.src, pk.sport, &pk.dst, pk.dport, &dir);
	if (idx != DPVS_CONN_NIL && (dpvs_conn_array(ctx->ct)[idx].expires_ns <= ctx->now_ns ||
				     ipvs_syn_reuses(&dpvs_conn_array(ctx->ct)[idx], &pk, dir))) {
		ipvs_conn_close(ctx, idx); /* due (the wheel has not reaped it yet) or done */
		idx = DPVS_CONN_NIL;
	}
	if (idx != DPVS_CONN_NIL) {
		*v = ipvs_conn_pkt(ctx, m, &pk, idx, dir);
		return 1;
	}
	svc = dpvs_svc_lookup(&ctx->cfg->lb, pk.proto, &pk.dst, pk.dport);
	if (svc != DPVS_SLOT_NONE) {
		*v = ipvs_new(ctx, m, p, &pk, svc);
		return 1;
	}
	if (rte_be_to_cpu_16(pk.dport) < WK_LPORT_MIN || !wk_ipvs_is_laddr(ctx->cfg, pk.proto, &pk.dst))
		return 0;
	owner = (uint16_t)(rte_be_to_cpu_16(pk.dport) % ctx->nworkers);
	if (owner != ctx->id)
		*v = (struct wk_verdict){ .kind = DPVS_VERDICT_REDIRECT, .port = owner };
	else
		*v = wk_drop(DPVS_DROP_NO_CONN);
	return 1;
}
