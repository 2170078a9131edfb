/*
 * The ipvs core [dp_vs_in], called by the ipv4 stage for a valid IPv4 packet
 * to our MAC (lb.h). TCP/UDP: a fragment (or a packet whose L4 header
 * cannot be read) is dropped when it is for a VIP or local address, or
 * when it may belong to a match service's flow (SNAT: it would leave
 * untranslated); any other goes on (local_in, forwarding or the kernel).
 * A packet of a connection goes to the xmit of its forwarding mode
 * (xmit.h); a packet for a service makes a connection (ipvs_new.c; TCP:
 * only a SYN; a client's SYN on a finished connection, TIME_WAIT or CLOSE,
 * replaces it). A packet for one of the services' local addresses without
 * a connection belongs to the worker that owns its port (lport % nworkers:
 * full-NAT and SNAT pick ports that way): redirected there, or dropped
 * (no_conn) if that is us. A forwarded packet (not for a node address)
 * without a connection here may be a reply of another worker's connection
 * whose tuple its owner could not choose (nat): when the set has NAT
 * dests, the peers' tables are looked at read-only (conn.c) and the packet
 * is redirected to the one that has it (a packet from a redirect ring is
 * never passed on again); else a match service (SNAT, svc_match.c) may
 * take it as a new connection. ICMP: errors about a connection go to
 * icmp_err.c. Anything else: 0, the packet continues to local_in,
 * forwarding or the kernel as before. Everything after the parse is the
 * same for IPv6 (wk_ipvs_pkt, called by ipvs6.c too).
 * A packet belongs to the connection it matches only if it arrived on the
 * port where that direction arrives (wk_conn_arrival_port: the client's
 * side for DPVS_DIR_IN, the dest's for DPVS_DIR_OUT); else it is dropped
 * (conn_wrong_port), so the client's wire cannot speak for the server. TCP:
 * an invalid flag combination is dropped (tcp_bad_flags), before a
 * connection is made too; every segment of a connection is checked against
 * its window (tcp_window.c; liberal for one-way modes, dr and tunnel, whose
 * server side is never seen) and one outside it is dropped
 * (tcp_out_of_window) without touching state, timer or counters. UDP: a
 * length field other than the IP payload's is dropped (udp_bad_len).
 * A service with the SYN proxy answers SYNs itself (synproxy.c); a
 * connection it opened has its sequence numbers translated (seqx.c) before
 * its mode's rewrite, and while the real server has not answered, its
 * packets go to synproxy.c.
 * A packet over a rate limit of its service or dest (rate.c) is dropped
 * after the window check and before it touches the connection.
 * Per packet: the TCP state (one-way modes: LVS's input-only table), the
 * connection's timer and counters, this worker's svc_stats/dest_stats rows
 * (active/inactive follow the state).
 * Writes this worker's connection table, region rows and stats row; reads
 * the peers' connection tables.
 */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "shm/fault.h"
#include "shm/lb_hash.h"
#include "worker/ipvs/conn_lookup.h"
#include "worker/ipvs/conn_table.h"
#include "worker/ipvs/fast4.h"
#include "worker/ipvs/ipvs_priv.h"
#include "worker/ipvs/lb_counts.h"
#include "worker/ipvs/lbpath.h"
#include "worker/ipvs/proxy_proto.h"
#include "worker/ipvs/seqx.h"
#include "worker/ipvs/rate.h"
#include "worker/ipvs/tcp_hdr.h"
#include "worker/ipvs/tcp_window.h"
#include "worker/ipvs/xmit.h"
#include "worker/l2/neigh.h"

#define WK_EXPIRE_MAX  64     /* connections reaped per loop iteration */

/* Fill pk from the IPv4 packet at l3. DPVS_DROP_MAX when it is usable;
 * else why not: the L4 header truncated, or a UDP length field that is not
 * the IP payload's length (a datagram shorter than its packet carries bytes
 * no checksum covers: Linux trims them when it receives one; a forwarder has
 * no good use for them, and no sane sender makes one, so it is dropped). */
static enum dpvs_drop_reason
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
		return DPVS_DROP_L4_HDR;
	ports = (const uint16_t *)((const uint8_t *)ip + hlen);
	if (pk->proto == IPPROTO_TCP) {
		th = (const struct rte_tcp_hdr *)ports;
		need = wk_tcp_hdr_len(th);
		if (need < sizeof(*th) || pk->l4_len < need || contig < hlen + need)
			return DPVS_DROP_L4_HDR;
		pk->tcp_flags = th->tcp_flags;
	} else if (rte_be_to_cpu_16(ports[2]) != pk->l4_len) {
		return DPVS_DROP_UDP_LEN; /* struct rte_udp_hdr.dgram_len */
	}
	wk_ip_from_v4(&pk->src, ip->src_addr);
	wk_ip_from_v4(&pk->dst, ip->dst_addr);
	pk->sport = ports[0];
	pk->dport = ports[1];
	return DPVS_DROP_MAX;
}

static int
conn_is_active(const struct dpvs_conn *c)
{
	return wk_conn_is_active(c); /* the rule the rebuild at attach uses */
}

void
wk_ipvs_count(struct wk_ctx *ctx, const struct dpvs_conn *c, int active, int delta)
{
	wk_ipvs_count_inl(ctx, c, active, delta);
}

/* wk_ipvs_conn_close's body; reuse: wk_ipvs_conn_evict's slot. */
static __rte_always_inline void
ipvs_conn_close(struct wk_ctx *ctx, uint32_t idx, const int reuse)
{
	struct dpvs_conn *c = &dpvs_conn_array(ctx->ct)[idx];

	wk_ipvs_count_inl(ctx, c, conn_is_active(c), -1);
	if (unlikely(wk_conn_has_sx(c)))
		wk_synproxy_forget(wk_conn_sx(ctx->ct, c));
	if (reuse)
		wk_conn_free_reuse(ctx->ct, idx);
	else
		wk_conn_free(ctx->ct, idx);
}

void
wk_ipvs_conn_close(struct wk_ctx *ctx, uint32_t idx)
{
	ipvs_conn_close(ctx, idx, 0);
}

void
wk_ipvs_conn_evict(struct wk_ctx *ctx, uint32_t idx)
{
	ipvs_conn_close(ctx, idx, 1);
}

int
wk_ipvs_conn_evict_side(struct wk_ctx *ctx, int side)
{
	uint32_t idx = wk_conn_side_pick(ctx->ct, (enum wk_conn_side)side);

	if (idx == DPVS_CONN_NIL)
		return -1;
	/* an ordinary close: USED cleared first, then its side slot and its
	 * slot go back to their free lists, where the new connection takes
	 * them (the victim's entry is the one the next take pops) */
	ipvs_conn_close(ctx, idx, 0);
	ctx->st->event[DPVS_EVENT_CONN_EVICTED]++;
	dpvs_fault(DPVS_FAULT_SIDE_VICTIM_CLOSED);
	return 0;
}

void
wk_ipvs_set_state(struct wk_ctx *ctx, struct dpvs_conn *c, uint8_t st)
{
	int was;

	if (st == c->state)
		return;
	was = conn_is_active(c);
	c->state = st;
	if (unlikely(wk_conn_half_open(c)))
		wk_conn_side_wake(ctx->ct);   /* a side slot's holder again, perhaps */
	if (was != conn_is_active(c)) {
		wk_ipvs_count(ctx, c, was, -1);
		wk_ipvs_count(ctx, c, !was, 1);
	}
}

unsigned int
wk_ipvs_expire(struct wk_ctx *ctx)
{
	uint32_t out[WK_EXPIRE_MAX], i, n;

	n = wk_conn_expire(ctx->ct, ctx->now_ns, out, WK_EXPIRE_MAX);
	for (i = 0; i < n; i++)
		wk_ipvs_conn_close(ctx, out[i]);
	return n;
}

/* TCP: the segment against the window of connection c (unless it is the
 * SYN that just made c): WK_TCPW_OK to go on, WK_TCPW_PASS to go on without
 * touching state or timer, WK_TCPW_BAD to drop (out of window). */
static enum wk_tcpw
ipvs_tcp_window(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
		struct dpvs_conn *c, int dir, int fresh)
{
	struct wk_tcp_seg seg;

	if (fresh)
		return WK_TCPW_OK;
	wk_ipvs_tcp_seg(m, pk, &seg);
	/* a SYN proxy's connection: the ack in the receiver's own space (seqx.h) */
	if (unlikely(wk_conn_has_sx(c)))
		seg.ack = wk_seqx_ack_own(wk_conn_sx(ctx->ct, c), dir, seg.ack);
	return wk_tcp_track(c->trk, dir, &seg);
}

/* TCP: the state of connection c after a segment with tcp_flags in
 * direction dir, with the active/inactive counts following it. */
static void
ipvs_tcp_state(struct wk_ctx *ctx, uint8_t tcp_flags, struct dpvs_conn *c, int dir)
{
	uint8_t st;

	st = wk_tcp_next_state(c->state, wk_xmit_oneway(c->fwd_mode) ? WK_TCP_IN_ONLY : dir,
			       tcp_flags);
	wk_ipvs_set_state(ctx, c, st);
}

enum wk_tcpw
wk_ipvs_tcp_est(struct wk_ctx *ctx, const struct rte_tcp_hdr *th, uint32_t l4_len,
		struct dpvs_conn *c, int dir)
{
	struct wk_tcp_seg seg;
	enum wk_tcpw t;

	wk_tcp_seg_parse(th, wk_tcp_hdr_len(th), l4_len, &seg);
	t = wk_tcp_track(c->trk, dir, &seg);
	if (t == WK_TCPW_OK)
		ipvs_tcp_state(ctx, th->tcp_flags, c, dir);
	return t;
}

/* A segment of a connection that inserts the client's address
 * (proxy_proto.c): the header or option in (pk's length grows), then the
 * translation and the mode's rewrite. */
static struct wk_verdict
ipvs_pp_xmit(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	     struct dpvs_conn *c, int dir)
{
	struct wk_pkt p2 = *pk;
	enum dpvs_drop_reason why = wk_pp_seg(ctx, m, &p2, c, dir);
	struct rte_tcp_hdr *th;

	if (why != DPVS_DROP_MAX)
		return wk_drop(why);
	th = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, p2.l4_off);
	wk_seqx_apply(th, wk_tcp_hdr_len(th), wk_conn_sx_ro(ctx->ct, c), dir);
	return wk_xmit(ctx, m, &p2, c, dir);
}

/* The tail of a packet of a SYN proxy's connection c (DPVS_CONN_F_SX): the
 * client's address inserted, or the sequence numbers translated, before its
 * mode's rewrite. Out of line: most connections have none. */
static __rte_noinline struct wk_verdict
ipvs_sx_xmit(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	     struct dpvs_conn *c, int dir)
{
	const struct dpvs_seqx *x = wk_conn_sx(ctx->ct, c);
	struct rte_tcp_hdr *th;

	if (x->flags & (DPVS_SEQX_PP | DPVS_SEQX_TOA))
		return ipvs_pp_xmit(ctx, m, pk, c, dir);
	if (x->flags & DPVS_SEQX_ON) {
		th = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, pk->l4_off);
		wk_seqx_apply(th, wk_tcp_hdr_len(th), x, dir);
	}
	return wk_xmit(ctx, m, pk, c, dir);
}

/* wk_ipvs_conn_pkt for connection c (index idx); inline into the lookup's
 * hit (ipvs_conn_hit), the per-packet case. */
static __rte_always_inline struct wk_verdict
ipvs_conn_pkt(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	      struct dpvs_conn *c, uint32_t idx, int dir, int fresh)
{
	/* the IP packet's length: Ethernet padding is not traffic */
	uint32_t bytes = (uint32_t)(pk->l4_off - pk->l3_off) + pk->l4_len;
	enum wk_tcpw t = WK_TCPW_OK;
	enum dpvs_drop_reason why;

	if (c->proto == IPPROTO_TCP)
		t = ipvs_tcp_window(ctx, m, pk, c, dir, fresh);
	if (t == WK_TCPW_BAD)
		return wk_drop(DPVS_DROP_TCP_WINDOW);
	/* over a rate limit: dropped before it moves state, timer or counters
	 * (the first packet of a connection was metered before it was made) */
	why = fresh ? DPVS_DROP_MAX :
		      wk_rate_check(ctx, c->svc_slot, c->svc_id, c->dest_slot, c->dest_id, dir, bytes);
	if (why != DPVS_DROP_MAX)
		return wk_drop(why);
	/* state and timer; not for the packet that just made c: conn_new
	 * (ipvs_new.c) set both from it, and a SYN leaves the state it made
	 * (SYN_RECV, or CLOSE with RST) as it is in every table. The timer:
	 * a later expiry is only stored (wk_conn_touch_timer). */
	if (t == WK_TCPW_OK && !fresh) {
		if (c->proto == IPPROTO_TCP)
			ipvs_tcp_state(ctx, pk->tcp_flags, c, dir);
		wk_conn_touch_timer(ctx->ct, c, idx,
				    ctx->now_ns + wk_conn_idle_ns(&ctx->cfg->lb.timeouts,
								  c->proto, c->state));
	}
	wk_ipvs_conn_add(c, wk_ipvs_svc_row(ctx, c), wk_ipvs_dest_row(ctx, c), dir, bytes);
	if (unlikely(wk_conn_has_sx(c)))
		return ipvs_sx_xmit(ctx, m, pk, c, dir);
	return wk_xmit(ctx, m, pk, c, dir);
}

struct wk_verdict
wk_ipvs_conn_pkt(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk, uint32_t idx,
	      int dir, int fresh)
{
	struct dpvs_conn *c = &dpvs_conn_array(ctx->ct)[idx];

	/* a constant fresh: the new connection's copy skips window and timer */
	if (fresh)
		return ipvs_conn_pkt(ctx, m, pk, c, idx, dir, 1);
	return ipvs_conn_pkt(ctx, m, pk, c, idx, dir, 0);
}

struct wk_verdict
wk_ipvs_conn_xmit(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
		  struct dpvs_conn *c, int dir)
{
	if (unlikely(wk_conn_has_sx(c)))
		return ipvs_sx_xmit(ctx, m, pk, c, dir);
	return wk_xmit(ctx, m, pk, c, dir);
}

int
wk_ipvs_is_lb_addr(const struct dpvs_config_set *cfg, uint8_t proto, const struct dpvs_ip *ip,
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
	return wk_ipvs_is_lb_addr(cfg, proto, ip, 0);
}

/* Is this a fragment (MF set or an offset)? */
static int
ipv4_is_frag(const struct rte_ipv4_hdr *ip)
{
	return (ip->fragment_offset &
		RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0;
}

/* A fragment or an unreadable TCP/UDP packet on port p, not for a VIP or
 * local address: may it belong to the flow of a match service (SNAT)? Then
 * it must not go on: it would leave untranslated. Only a forwarded packet
 * (not for a node address) is a match service's; ports unknown, any fits. */
static int
ipvs_frag_may_match(struct wk_ctx *ctx, uint16_t p, const struct rte_ipv4_hdr *ip,
		    struct wk_pkt *pk)
{
	if (p >= DPVS_MATCH_PORTS || ctx->cfg->lb.match_n[p] == 0 ||
	    wk_addr_v4_is_ours(ctx->cfg, WK_PORT_NONE, ip->dst_addr))
		return 0;
	pk->family = DPVS_AF_INET;
	pk->proto = ip->next_proto_id;
	wk_ip_from_v4(&pk->src, ip->src_addr);
	wk_ip_from_v4(&pk->dst, ip->dst_addr);
	pk->sport = pk->dport = 0;
	return wk_svc_match(ctx, p, pk, 0) != DPVS_SLOT_NONE;
}

/* Is pk a client's new SYN on connection c that has finished (TIME_WAIT or
 * CLOSE)? Then the client reuses the tuple for a new connection, which is
 * scheduled afresh (a weight-0 or removed dest gets no new connection) and
 * counted, as LVS does with conn_reuse_mode. */
static int
ipvs_syn_reuses(const struct dpvs_conn *c, const struct wk_pkt *pk, int dir)
{
	return wk_syn_reuses(c, pk->tcp_flags, dir);
}

/* Is c a UDP connection whose dest a health check holds down, seen on a
 * client's datagram? Then the datagram is
 * scheduled afresh: a UDP flow has no handshake to lose, and its server
 * does not answer (LVS leaves the flow there until the connection times
 * out, 300 s: every datagram of a client that keeps its source port is
 * lost). A TCP connection stays: it drains, as weight 0 means. */
static int
ipvs_udp_dest_down(const struct wk_ctx *ctx, const struct dpvs_conn *c, int dir)
{
	const struct dpvs_lb_tables *lb = &ctx->cfg->lb;
	const struct dpvs_dest *d;

	if (likely(lb->ndown == 0) || dir != DPVS_DIR_IN || c->proto != IPPROTO_UDP ||
	    c->dest_slot >= lb->caps.dests)
		return 0;
	d = &dpvs_lb_dests(lb)[c->dest_slot];
	return d->id == c->dest_id && (d->flags & DPVS_DEST_F_DOWN);
}

/* Connection idx matched pk in direction dir, on port p: 1 with *v set to
 * the verdict of its packet, or 0 when the client opens the tuple anew
 * (ipvs_syn_reuses) or its UDP dest is down (ipvs_udp_dest_down): the old
 * connection is gone. A packet on another port than its direction's, or
 * with flags no TCP sends, is dropped before it can touch the connection. */
static int
ipvs_conn_hit(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct wk_pkt *pk,
	      uint32_t idx, int dir, struct wk_verdict *v)
{
	struct dpvs_conn *c = &dpvs_conn_array(ctx->ct)[idx];

	if (p != wk_conn_arrival_port(c, dir)) {
		*v = wk_drop(DPVS_DROP_WRONG_PORT);
	} else if (c->proto == IPPROTO_TCP && !wk_tcp_flags_valid(pk->tcp_flags)) {
		*v = wk_drop(DPVS_DROP_TCP_FLAGS);
	} else if (unlikely(wk_conn_has_sx(c) &&
			    (wk_conn_sx(ctx->ct, c)->flags & DPVS_SEQX_SP_WAIT))) {
		*v = wk_synproxy_wait(ctx, m, pk, idx, dir);
	} else if (ipvs_syn_reuses(c, pk, dir) || unlikely(ipvs_udp_dest_down(ctx, c, dir))) {
		wk_ipvs_conn_close(ctx, idx);
		return 0;
	} else {
		wk_verdict_put(v, ipvs_conn_pkt(ctx, m, pk, c, idx, dir, 0));
	}
	return 1;
}

int
wk_ipvs_peer_owner(struct wk_ctx *ctx, uint8_t proto, const struct dpvs_ip *src, uint16_t sport,
		   const struct dpvs_ip *dst, uint16_t dport)
{
	uint16_t w;

	if (ctx->cfg->lb.nnat == 0 || ctx->nworkers < 2 || ctx->redirected)
		return -1;
	for (w = 0; w < ctx->nworkers && w < DPVS_MAX_WORKERS; w++)
		if (w != ctx->id && ctx->shm->ct[w] != NULL &&
		    wk_conn_peer_has(ctx->shm->ct[w], proto, src, sport, dst, dport))
			return w;
	return -1;
}

/* A forwarded packet (its destination is no address of the node) that no
 * connection of this worker took: another worker's (redirected there), a
 * new SNAT connection, or 1 with nothing to do (0: not ours, the kernel's
 * as before). A packet that came from a redirect ring opens nothing: it
 * was a reply its sender took for one of our connections. */
static int
ipvs_forwarded(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct wk_pkt *pk,
	       uint32_t hash, struct wk_verdict *v)
{
	uint16_t svc;
	int owner;

	if (ctx->redirected)
		return 0;
	owner = wk_ipvs_peer_owner(ctx, pk->proto, &pk->src, pk->sport, &pk->dst, pk->dport);
	if (owner >= 0) {
		*v = (struct wk_verdict){ .kind = DPVS_VERDICT_REDIRECT, .port = (uint16_t)owner };
		return 1;
	}
	if (p >= DPVS_MATCH_PORTS || ctx->cfg->lb.match_n[p] == 0)
		return 0;
	svc = wk_svc_match(ctx, p, pk, 1);
	if (svc == DPVS_SLOT_NONE)
		return 0;
	wk_verdict_put(v, wk_ipvs_new(ctx, m, p, pk, svc, hash));
	return 1;
}

int
wk_ipvs_in(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, struct wk_verdict *v)
{
	const uint16_t l3 = RTE_ETHER_HDR_LEN;
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, l3);
	enum dpvs_drop_reason why = DPVS_DROP_MAX;
	struct wk_pkt pk;
	int frag;

	if (ip->next_proto_id == IPPROTO_ICMP)
		return wk_icmp_err_in(ctx, m, p, v);
	if (ip->next_proto_id != IPPROTO_TCP && ip->next_proto_id != IPPROTO_UDP)
		return 0;
	frag = ipv4_is_frag(ip);
	if (frag || (why = ipvs_parse(m, ip, l3, &pk)) != DPVS_DROP_MAX) {
		/* not the load balancer's unless it is for one of its VIPs or
		 * laddrs or may be of a match service's flow: the kernel's to
		 * reassemble or refuse, or forwarded */
		wk_ip_from_v4(&pk.dst, ip->dst_addr);
		if (!wk_ipvs_is_lb_addr(ctx->cfg, ip->next_proto_id, &pk.dst, 1) &&
		    !ipvs_frag_may_match(ctx, p, ip, &pk))
			return 0;
		*v = wk_drop(frag ? DPVS_DROP_IP_FRAG : why);
		return 1;
	}
	return wk_ipvs_pkt(ctx, m, p, &pk, v);
}

/* The service of a packet without a connection (dpvs_svc_lookup): inside
 * a burst, an IPv4 packet for the (proto, VIP, port) of the one before
 * that found a service takes that service without hashing its key again
 * (a flood of new connections to one service, each a lookup of about 80
 * instructions). The memo (ctx->svc_memo) is the burst's: rx.c clears it
 * at each burst's start and turns it off at its end; the config set is
 * fixed meanwhile. */
static inline uint16_t
ipvs_svc_lookup(struct wk_ctx *ctx, const struct wk_pkt *pk)
{
	uint32_t vip;
	uint16_t svc;

	if (pk->dst.family != DPVS_AF_INET || !ctx->svc_memo.on)
		return dpvs_svc_lookup(&ctx->cfg->lb, pk->proto, &pk->dst, pk->dport);
	memcpy(&vip, pk->dst.bytes, 4);
	if (wk_svc_memo_hit(ctx, pk->proto, vip, pk->dport))
		return ctx->svc_memo.svc;
	svc = dpvs_svc_lookup(&ctx->cfg->lb, pk->proto, &pk->dst, pk->dport);
	if (svc != DPVS_SLOT_NONE) {
		ctx->svc_memo.proto = pk->proto;
		ctx->svc_memo.vport = pk->dport;
		ctx->svc_memo.vip = vip;
		ctx->svc_memo.svc = svc;
	}
	return svc;
}

int
wk_ipvs_pkt_at(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct wk_pkt *pk,
	       uint32_t hash, uint32_t idx, int dir, struct wk_verdict *v)
{
	const struct dpvs_addr_ix *ix;
	uint16_t svc, owner;
	uint8_t want;

	if (idx != DPVS_CONN_NIL && dpvs_conn_array(ctx->ct)[idx].expires_ns <= ctx->now_ns) {
		wk_ipvs_conn_close(ctx, idx); /* due: the wheel has not reaped it yet */
		idx = DPVS_CONN_NIL;
	}
	if (idx != DPVS_CONN_NIL && ipvs_conn_hit(ctx, m, p, pk, idx, dir, v))
		return 1;
	svc = ipvs_svc_lookup(ctx, pk);
	if (svc != DPVS_SLOT_NONE) {
		wk_verdict_put(v, wk_ipvs_new(ctx, m, p, pk, svc, hash));
		return 1;
	}
	ix = dpvs_addr_lookup(&ctx->cfg->lb, &pk->dst);
	if (ix == NULL)
		return ipvs_forwarded(ctx, m, p, pk, hash, v);
	want = pk->proto == IPPROTO_TCP ? DPVS_ADDR_IX_LADDR_TCP : DPVS_ADDR_IX_LADDR_UDP;
	if (rte_be_to_cpu_16(pk->dport) < WK_LPORT_MIN || (ix->lb & want) == 0)
		return 0;
	owner = (uint16_t)(rte_be_to_cpu_16(pk->dport) % ctx->nworkers);
	if (owner != ctx->id)
		*v = (struct wk_verdict){ .kind = DPVS_VERDICT_REDIRECT, .port = owner };
	else
		*v = wk_drop(DPVS_DROP_NO_CONN);
	return 1;
}

int
wk_ipvs_pkt(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct wk_pkt *pk,
	    struct wk_verdict *v)
{
	const uint32_t hash = wk_conn_hash(pk->proto, &pk->src, pk->sport, &pk->dst, pk->dport);
	uint32_t idx;
	int dir = DPVS_DIR_IN;

	/* the lookup inline (conn_lookup.h): no call for the common hit */
	idx = wk_conn_lookup_inl(ctx->ct, hash, pk->proto, &pk->src, pk->sport, &pk->dst, pk->dport,
				 &dir);
	return wk_ipvs_pkt_at(ctx, m, p, pk, hash, idx, dir, v);
}
