/*
 * A new connection [dp_vs_schedule, dp_vs_conn_new]: a packet for a
 * service (or taken by a match service) without a connection gets a dest
 * from the scheduler, then the endpoints its dest's forwarding mode needs
 * (shm/conn.h says what each field holds per mode):
 *   fnat    a local address of the service and a port from this worker's
 *           share of the port space (lport % nworkers == worker id; lport.h)
 *   nat     none: the outbound key is the real server's answer to the
 *           client itself; refused (nat_tuple_taken) when this worker
 *           already has that tuple (the real server could not tell the two
 *           connections apart either)
 *   dr, tunnel  none (no outbound key); dr's real server must be on a
 *           connected network (dr_not_connected)
 *   snat    the dest's address (a node address) and a port from this
 *           worker's share; the real server is the packet's destination
 * and the port where the real server's side arrives (the route to it;
 * fnat: its local address's port). IPv4 and IPv6 alike; only fnat crosses
 * families, from an IPv6 VIP to an IPv4 real server with an IPv4 local
 * address (DPVS's nat64): any other mix is refused (family_mismatch), as
 * dpvs-ctl refuses to configure it. TCP: only a SYN makes a connection, its
 * window tracking starts from it (one-way modes: liberal, tcp_window.c).
 * Before a dest is scheduled the service's access lists are checked (acl.c:
 * acl_blacklisted, acl_not_whitelisted); before the connection is made its
 * first packet must pass the inbound rate limits of the service and the
 * dest (rate.c): a packet refused there opens nothing.
 * Then the packet goes out by its mode (xmit.h). A full table gives the
 * slot of its oldest half-open connection (counted conn_evicted) to the new
 * one; with none, conn_full. So does a full side table (sequence
 * translations, IPv6 addresses): a half-open connection that holds a slot
 * of it gives it (the oldest of the half-open list's head, else the oldest
 * of the side table's next slots, conn.c wk_conn_side_pick); with none,
 * conn_seqx_full or conn_v6_full. A service with the
 * SYN proxy sends its TCP packets to synproxy.c first, after its access
 * lists (a refused client gets no SYN+ACK cookie; the ACK that opens the
 * connection is checked again with the rest).
 * Writes this worker's connection table, region rows and stats row.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_tcp.h>

#include "shm/fault.h"
#include "shm/lb_hash.h"
#include "worker/ipvs/acl.h"
#include "worker/ipvs/conn_table.h"
#include "worker/ipvs/conn_priv.h"
#include "worker/ipvs/fast4.h"
#include "worker/ipvs/ipvs_priv.h"
#include "worker/ipvs/lb_counts.h"
#include "worker/ipvs/lbpath.h"
#include "worker/ipvs/lport.h"
#include "worker/ipvs/proxy_proto.h"
#include "worker/ipvs/rate.h"
#include "worker/ipvs/sched.h"
#include "worker/ipvs/tcp_hdr.h"
#include "worker/ipvs/xmit.h"
#include "worker/ipvs/xmit4.h"

/* What a new connection gets besides the packet's own tuple. The
 * addresses where they are (the config set's, the packet's), not copied:
 * the set and the packet stay as they are while the connection is made. */
struct conn_plan {
	const struct dpvs_ip *laddr; /* family NONE: no outbound key */
	const struct dpvs_ip *daddr;
	uint16_t lport;
	uint16_t dport;
	uint16_t out_port;        /* port index where the dest's side arrives */
	uint16_t pad;
	uint32_t h_out;           /* wk_conn_hash of the outbound key, if any */
};

/* The local address of a connection without an outbound key (dr, tunnel). */
static const struct dpvs_ip plan_no_laddr = { .family = DPVS_AF_NONE };

/* How many connections ahead plan_fnat prefetches the outbound key that
 * a later connection of the service will try first: with the next one's,
 * a SYN's time ahead, the key's bucket of a big table was still on its
 * way on the real node (the read was a SYN's first stall there). */
#define FNAT_KEY_AHEAD 4u

/* Prefetch the index bucket of the key that the service's connection
 * FNAT_KEY_AHEAD after this one (whose address was la[i0], of n) tries
 * first, guessing that it goes to the same dest and that every one
 * between takes the first port it tries: the count of connections goes
 * up by one each, so its address is la[(i0 + AHEAD) % n], whose cursor
 * the ones between that take the same address move on first. */
static __rte_always_inline void
fnat_key_prefetch(struct wk_ctx *ctx, const struct dpvs_svc_laddr *la, const uint16_t *cur,
		  unsigned int n, unsigned int i0, uint8_t proto, const struct conn_plan *pl)
{
	unsigned int d = FNAT_KEY_AHEAD, steps = 1, j;

	while (d > n) {   /* without a division: n is usually far above */
		d -= n;
		steps++;
	}
	j = i0 + d < n ? i0 + d : i0 + d - n;
	if (la[j].ip.family == pl->daddr->family)
		wk_lport_prefetch(ctx, cur[j], steps, proto, pl->daddr, pl->dport, &la[j].ip);
}

/* fnat: a local address of service svc, of the real server's family, and
 * a port for a connection to pl->daddr:pl->dport. DPVS_DROP_MAX, or
 * no_laddr (all taken), or family_mismatch (none of that family). */
static __rte_always_inline enum dpvs_drop_reason
plan_fnat(struct wk_ctx *ctx, uint16_t svc, const struct dpvs_service *s, uint8_t proto,
	  struct conn_plan *pl)
{
	const struct dpvs_svc_laddr *la = dpvs_lb_svc_laddrs(&ctx->cfg->lb, svc);
	unsigned int k, i, i0, n = RTE_MIN(s->nladdrs, (uint16_t)ctx->cfg->lb.caps.svc_laddrs);
	uint16_t *cur = dpvs_wr_lport(ctx->wr, svc);
	uint64_t cnt;
	int seen = 0;

	if (n == 0)
		return DPVS_DROP_NO_LADDR;
	/* spread connections over the addresses: the first tried is the
	 * service's count of connections modulo n (a mask for a power of
	 * two: the 64-bit division's latency sat before the port's pick) */
	cnt = dpvs_wr_svc_stats(ctx->wr)[svc].conns;
	i0 = (unsigned int)((n & (n - 1)) == 0 ? cnt & (n - 1) : cnt % n);
	for (k = 0; k < n; k++) {
		i = i0 + k < n ? i0 + k : i0 + k - n;
		if (la[i].ip.family != pl->daddr->family)
			continue;
		seen = 1;
		if (wk_lport_pick(ctx, &cur[i], proto, pl->daddr, pl->dport, &la[i].ip, &pl->lport,
				  &pl->h_out) == 0) {
			pl->laddr = &la[i].ip;
			pl->out_port = la[i].port;
			fnat_key_prefetch(ctx, la, cur, n, i0, proto, pl);
			return DPVS_DROP_MAX;
		}
	}
	return seen ? DPVS_DROP_NO_LADDR : DPVS_DROP_FAMILY_MISMATCH;
}

/* The endpoints of a new connection of pk to dest d of service svc. */
static __rte_always_inline enum dpvs_drop_reason
plan_conn(struct wk_ctx *ctx, uint16_t svc, const struct dpvs_service *s, const struct dpvs_dest *d,
	  const struct wk_pkt *pk, struct conn_plan *pl, const uint8_t proto,
	  const uint8_t fam)
{
	struct dpvs_ip nh;

	pl->laddr = &plan_no_laddr;
	pl->daddr = &d->addr;
	pl->lport = 0;
	pl->dport = d->port;
	pl->out_port = 0;
	pl->h_out = 0;
	if (d->fwd_mode == DPVS_FWD_SNAT) {
		pl->daddr = &pk->dst;
		pl->dport = pk->dport;
	}
	/* only full-NAT crosses families, and only from an IPv6 VIP to IPv4
	 * real servers (DPVS's nat64); an snat source is of the flow's family */
	if ((pl->daddr->family != fam &&
	     (d->fwd_mode != DPVS_FWD_FNAT || fam != DPVS_AF_INET6)) ||
	    (d->fwd_mode == DPVS_FWD_SNAT && d->addr.family != fam))
		return DPVS_DROP_FAMILY_MISMATCH;
	switch (d->fwd_mode) {
	case DPVS_FWD_FNAT:
		return plan_fnat(ctx, svc, s, proto, pl);
	case DPVS_FWD_NAT:
		pl->laddr = &pk->src;
		pl->lport = pk->sport;
		if (!wk_lport_key_free(ctx, proto, pl->daddr, pl->dport, pl->laddr,
				       pl->lport, &pl->h_out))
			return DPVS_DROP_NAT_TUPLE_TAKEN;
		break;
	case DPVS_FWD_DR:
	case DPVS_FWD_TUNNEL:
		break;
	case DPVS_FWD_SNAT:
		pl->laddr = &d->addr;
		if (wk_lport_pick(ctx, &dpvs_wr_lport(ctx->wr, svc)[0], proto, pl->daddr,
			       pl->dport, pl->laddr, &pl->lport, &pl->h_out) != 0)
			return DPVS_DROP_NO_LADDR;
		break;
	default:
		return DPVS_DROP_FWD_MODE;
	}
	if (wk_route_ip(ctx, pl->daddr, &pl->out_port, &nh) != 0)
		return DPVS_DROP_NO_ROUTE;
	if (d->fwd_mode == DPVS_FWD_DR && !dpvs_ip_equal(&nh, pl->daddr))
		return DPVS_DROP_DR_NOT_CONNECTED;
	return DPVS_DROP_MAX;
}

#define SVC_F_SEQX (DPVS_SVC_F_PP_V1 | DPVS_SVC_F_PP_V2 | DPVS_SVC_F_TOA | DPVS_SVC_F_SYNPROXY)

/* What wk_ipvs_conn_evict counts of victim c (wk_ipvs_count of -1): one
 * off the inactive column of its rows, the service's and the dest's (a
 * half-open connection is never active: wk_conn_is_active), none below
 * zero. Inline: each SYN into a full table. */
static __rte_always_inline void
conn_uncount(struct wk_ctx *ctx, const struct dpvs_conn *c)
{
	RTE_ASSERT(wk_conn_half_open(c) && !wk_conn_is_active(c));
	wk_ipvs_count_inl(ctx, c, 0, -1);
}

/* A free connection slot (as the free list left it: conn_new writes every
 * field), the oldest half-open connection's when the table is full;
 * DPVS_CONN_NIL when there is none. */
static __rte_always_inline uint32_t
conn_slot(struct wk_ctx *ctx)
{
	uint32_t idx = wk_conn_take(ctx->ct), victim;
	const struct dpvs_conn *c;

	if (idx != DPVS_CONN_NIL)
		return idx;
	/* picked and freed in one call; its slot straight to the new
	 * connection, not through the free list (which is empty: the take
	 * above found nothing) */
	victim = wk_conn_evict_take(ctx->ct);
	if (victim == DPVS_CONN_NIL)
		return victim;
	c = &dpvs_conn_array(ctx->ct)[victim];
	if (unlikely((c->flags & DPVS_CONN_F_USED) != 0))
		wk_ipvs_conn_evict(ctx, victim);   /* a SYN proxy's: not freed yet */
	else
		conn_uncount(ctx, c);
	ctx->st->event[DPVS_EVENT_CONN_EVICTED]++;
	return victim;
}

/* The side tables are full (shm/conn.h: a quarter of the table by default,
 * so that an IPv6 SYN flood or a flood of completed SYN-proxy handshakes
 * fills them before the table): a half-open connection that holds a slot
 * of the one a new connection needs gives it (and its entry, which
 * conn_slot then takes from the free list; counted conn_evicted): the
 * oldest among the first WK_CONN_SIDE_STEPS of the half-open list, else
 * the oldest owner of the side table's next WK_CONN_SIDE_SCAN slots (a
 * clock hand: conn.c wk_conn_side_pick). Out of line: only a full side
 * table comes here. */

/* A sequence-translation slot, or DPVS_CONN_NIL when no half-open
 * connection gave one. */
static __rte_noinline __rte_cold uint32_t
conn_sx_evict(struct wk_ctx *ctx)
{
	uint32_t sxi;

	if (wk_ipvs_conn_evict_side(ctx, WK_CONN_SIDE_SX) != 0)
		return DPVS_CONN_NIL;
	sxi = wk_conn_sx_take(ctx->ct);
	dpvs_fault(DPVS_FAULT_SIDE_SX_TAKEN);
	return sxi;
}

/* 0 when a half-open IPv6 connection gave its IPv6 slot, so that the
 * endpoints of pk and pl now fit; -1 when none did. */
static __rte_noinline __rte_cold int
conn_v6_evict(struct wk_ctx *ctx, const struct wk_pkt *pk, const struct conn_plan *pl)
{
	if (wk_ipvs_conn_evict_side(ctx, WK_CONN_SIDE_V6) != 0 ||
	    !wk_conn_addrs_fit(ctx->ct, &pk->src, pl->daddr))
		return -1;
	return 0;
}

/* The counters of service and dest of new connection c: conns, and
 * inactive, as its state counts (what wk_ipvs_count adds), and its first
 * packet of bytes bytes inbound (what wk_ipvs_conn_pkt adds: the rows are
 * the same, looked up once). */
static __rte_always_inline void
conn_count_new(struct wk_ctx *ctx, struct dpvs_conn *c, uint32_t bytes)
{
	struct dpvs_lb_stats *r[2] = {
		wk_ipvs_row(dpvs_wr_svc_stats(ctx->wr), c->svc_slot, c->svc_id, 1),
		wk_ipvs_row(dpvs_wr_dest_stats(ctx->wr), c->dest_slot, c->dest_id, 1),
	};
	unsigned int i;

	/* a new connection is never active (wk_conn_is_active: TCP opens in
	 * WK_TCP_SYN_STATE) */
	RTE_ASSERT(!wk_conn_is_active(c));
	for (i = 0; i < 2; i++) {
		r[i]->conns++;
		r[i]->inactive++;
	}
	wk_ipvs_conn_add(c, r[0], r[1], DPVS_DIR_IN, bytes);
}

/* Write every field of entry c of a new connection but its endpoints
 * (wk_conn_set_addrs, next) and TCP tracking (wk_tcp_track_init), once,
 * over whatever the slot held: it is not live (USED clear) until the
 * insert. A TCP connection opens with a SYN. */
static __rte_always_inline void
conn_fill(struct wk_ctx *ctx, struct dpvs_conn *c, const struct wk_pkt *pk, uint16_t p,
	  uint16_t svc, const struct dpvs_service *s, uint32_t ds, const struct dpvs_dest *d,
	  const struct conn_plan *pl, const uint8_t proto)
{
	const uint8_t state = proto == IPPROTO_TCP ? WK_TCP_SYN_STATE : 0;

	/* a field added to the entry is written here too */
	_Static_assert(sizeof(c->flags) + sizeof(c->proto) + sizeof(c->state) +
			       sizeof(c->fwd_mode) + sizeof(c->in_port) + sizeof(c->out_port) +
			       sizeof(c->svc_slot) + sizeof(c->dest_slot) + sizeof(c->svc_id) +
			       sizeof(c->dest_id) + sizeof(c->tprev) + sizeof(c->expires_ns) +
			       sizeof(c->in_pkts) + sizeof(c->out_pkts) + sizeof(c->a4) +
			       4 * sizeof(c->cport) + sizeof(c->sx_ref) + sizeof(c->tnext) +
			       sizeof(c->onext) + sizeof(c->oprev) + sizeof(c->trk) +
			       sizeof(c->created_s) + sizeof(c->h_in) + sizeof(c->h_out) ==
		       sizeof(struct dpvs_conn),
		       "conn_fill: every field of struct dpvs_conn");
	c->flags = 0;
	c->proto = proto;
	c->state = state;
	c->fwd_mode = d->fwd_mode;
	c->in_port = (uint8_t)p;
	c->out_port = (uint8_t)pl->out_port;
	c->svc_slot = svc;
	c->dest_slot = ds;
	c->svc_id = s->id;
	c->dest_id = d->id;
	c->tprev = DPVS_CONN_NIL;
	c->expires_ns = ctx->now_ns + wk_conn_idle_ns(&ctx->cfg->lb.timeouts, proto, state);
	c->in_pkts = 0;
	c->out_pkts = 0;
	c->cport = pk->sport;
	c->vport = pk->dport;
	c->lport = pl->lport;
	c->dport = pl->dport;
	c->sx_ref = 0;
	c->tnext = DPVS_CONN_NIL;
	c->onext = DPVS_CONN_NIL;
	c->oprev = DPVS_CONN_NIL;
	if (proto != IPPROTO_TCP) {   /* not a memset: wk_tcp_track_zero */
		wk_tcp_track_zero(&c->trk[0]);
		wk_tcp_track_zero(&c->trk[1]);
	}
	c->created_s = (uint32_t)(ctx->now_ns / 1000000000ull);
	/* h_in and h_out: the insert's (wk_conn_insert_links) */
}

/* Fill and insert a new connection; its index, or DPVS_CONN_NIL with *why
 * (conn_full; conn_seqx_full for a service that rewrites sequence numbers
 * or inserts the client's address, conn_v6_full for an IPv6 endpoint, when
 * that side table is full and no half-open connection gave a slot of it). */
static __rte_always_inline uint32_t
conn_new(struct wk_ctx *ctx, const struct wk_pkt *pk, uint32_t hash, const struct wk_tcp_seg *seg,
	 uint16_t p, uint16_t svc, const struct dpvs_service *s, uint32_t ds,
	 const struct dpvs_dest *d, const struct conn_plan *pl, enum dpvs_drop_reason *why,
	 const uint8_t proto, const uint8_t fam)
{
	uint32_t idx, sxi = DPVS_CONN_NIL;
	struct dpvs_seqx *x;
	struct dpvs_conn *c;

	/* the side slot first: a connection that cannot have one is not made */
	if (seg != NULL && fam == DPVS_AF_INET && (s->flags & SVC_F_SEQX) != 0) {
		sxi = wk_conn_sx_take(ctx->ct);
		if (unlikely(sxi == DPVS_CONN_NIL) && (sxi = conn_sx_evict(ctx)) == DPVS_CONN_NIL) {
			*why = DPVS_DROP_CONN_SEQX_FULL;
			return DPVS_CONN_NIL;
		}
	}
	/* an IPv6 endpoint needs a slot of the IPv6 side table */
	if (!wk_conn_addrs_fit(ctx->ct, &pk->src, pl->daddr) && conn_v6_evict(ctx, pk, pl) != 0) {
		if (sxi != DPVS_CONN_NIL)
			wk_conn_sx_put(ctx->ct, sxi);
		*why = DPVS_DROP_CONN_V6_FULL;
		return DPVS_CONN_NIL;
	}
	idx = conn_slot(ctx);
	if (idx == DPVS_CONN_NIL) {
		if (sxi != DPVS_CONN_NIL)
			wk_conn_sx_put(ctx->ct, sxi);
		*why = DPVS_DROP_CONN_FULL;
		return idx;
	}
	c = &dpvs_conn_array(ctx->ct)[idx];
	conn_fill(ctx, c, pk, p, svc, s, ds, d, pl, proto);
	/* cannot fail: wk_conn_addrs_fit found room, and freeing a slot for
	 * c (an eviction) only gives some back */
	(void)wk_conn_set_addrs(ctx->ct, idx, &pk->src, &pk->dst, pl->laddr, pl->daddr);
	if (sxi != DPVS_CONN_NIL) {
		x = &dpvs_conn_sx(ctx->ct)[sxi];
		wk_pp_conn_init(c, x, s->flags, seg->seq);
		/* the SYN proxy fills it after; a connection that gets nothing
		 * inserted (not full-NAT) gives it back */
		if (x->flags != 0 || (s->flags & DPVS_SVC_F_SYNPROXY) != 0)
			wk_conn_sx_attach(ctx->ct, idx, sxi);
		else
			wk_conn_sx_put(ctx->ct, sxi);
	}
	if (seg != NULL && wk_xmit_oneway(d->fwd_mode))
		wk_tcp_track_init_oneway(c->trk, seg);
	else if (seg != NULL)
		wk_tcp_track_init_inl(c->trk, seg);
	/* both hashes are their lookups': the packet's and the plan's; an
	 * outbound key with a local address (wk_conn_set_addrs), half-open
	 * for TCP (conn_fill's state) */
	wk_conn_insert_links(ctx->ct, idx, hash, pl->h_out, 1, pl->laddr->family != DPVS_AF_NONE,
			     proto == IPPROTO_TCP);
	/* the IP packet's length: Ethernet padding is not traffic */
	conn_count_new(ctx, c, (uint32_t)(pk->l4_off - pk->l3_off) + pk->l4_len);
	return idx;
}

/* Send the first packet pk of new connection c (wk_ipvs_conn_xmit). The
 * IPv4 TCP packet (a SYN flood's) of a full-NAT or NAT connection of IPv4
 * endpoints without a sequence translation takes wk_xmit's own case of it
 * inline (xmit4.h wk_xmit4_nat_ok, wk_xmit4_nat_conn: the rewrite, the
 * output memo's frame, the MSS clamp): no call of wk_ipvs_conn_xmit,
 * wk_xmit and their tests; anything else through them. */
static __rte_always_inline struct wk_verdict
conn_xmit_new(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	      struct dpvs_conn *c, const uint8_t proto, const uint8_t fam)
{
	if (proto == IPPROTO_TCP && fam == DPVS_AF_INET && likely(!wk_conn_has_sx(c)) &&
	    wk_xmit4_nat_ok(c))
		return wk_xmit4_nat_conn(ctx, m, pk, c, DPVS_DIR_IN, IPPROTO_TCP);
	return wk_ipvs_conn_xmit(ctx, m, pk, c, DPVS_DIR_IN);
}

/* wk_ipvs_new_conn, inline in it and in wk_ipvs_new (a SYN's way: no
 * second call). */
static __rte_always_inline struct wk_verdict
ipvs_new_conn(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct wk_pkt *pk,
	      uint16_t svc, uint32_t hash, uint32_t *idx_out, const uint8_t proto,
	      const uint8_t fam)
{
	const struct dpvs_dest *dests = dpvs_lb_dests(&ctx->cfg->lb), *d;
	const struct dpvs_service *s;
	const struct rte_tcp_hdr *th;
	enum dpvs_drop_reason why;
	struct wk_tcp_seg seg;
	struct conn_plan pl;
	uint32_t ds, idx;

	*idx_out = DPVS_CONN_NIL;
	if (proto == IPPROTO_TCP) {
		/* a SYN without FIN, RST and ACK passes both tests: no call */
		if (unlikely((pk->tcp_flags & (RTE_TCP_FIN_FLAG | RTE_TCP_SYN_FLAG |
					       RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG)) !=
			     RTE_TCP_SYN_FLAG)) {
			if (!wk_tcp_flags_valid(pk->tcp_flags))
				return wk_drop(DPVS_DROP_TCP_FLAGS); /* SYN+FIN opens nothing */
			if ((pk->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) !=
			    RTE_TCP_SYN_FLAG)
				return wk_drop(DPVS_DROP_TCP_NOT_SYN);
		}
		/* wk_ipvs_tcp_seg inline */
		th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, pk->l4_off);
		wk_tcp_seg_parse_inl(th, wk_tcp_hdr_len(th), pk->l4_len, &seg);
	}
	why = wk_acl_check_inl(ctx, svc, &pk->src);
	if (why != DPVS_DROP_MAX)
		return wk_drop(why);
	ds = wk_sched_pick_inl(ctx, svc, pk);
	if (ds == DPVS_DEST_NONE || ds >= ctx->cfg->lb.caps.dests)
		return wk_drop(DPVS_DROP_NO_DEST);
	/* the service and the dest, found once for what follows */
	s = dpvs_lb_svc(&ctx->cfg->lb, svc);
	d = &dests[ds];
	why = wk_rate_check(ctx, svc, s->id, ds, d->id, DPVS_DIR_IN,
			    (uint32_t)(pk->l4_off - pk->l3_off) + pk->l4_len);
	if (why == DPVS_DROP_MAX)
		why = plan_conn(ctx, svc, s, d, pk, &pl, proto, fam);
	if (why != DPVS_DROP_MAX)
		return wk_drop(why);
	idx = conn_new(ctx, pk, hash, proto == IPPROTO_TCP ? &seg : NULL, p, svc, s, ds, d, &pl,
		       &why, proto, fam);
	if (idx == DPVS_CONN_NIL)
		return wk_drop(why);
	*idx_out = idx;
	/* window, state, timer and counters are conn_new's */
	return conn_xmit_new(ctx, m, pk, &dpvs_conn_array(ctx->ct)[idx], proto, fam);
}

struct wk_verdict
wk_ipvs_new_conn(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct wk_pkt *pk,
		 uint16_t svc, uint32_t hash, uint32_t *idx_out)
{
	return ipvs_new_conn(ctx, m, p, pk, svc, hash, idx_out, pk->proto, pk->family);
}

struct wk_verdict
wk_ipvs_new(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct wk_pkt *pk,
	    uint16_t svc, uint32_t hash)
{
	enum dpvs_drop_reason why;
	uint32_t idx;

	if (pk->proto == IPPROTO_TCP && pk->family == DPVS_AF_INET) {
		/* the SYN proxy speaks IPv4 only; dpvs-ctl refuses it on an
		 * IPv6 VIP */
		if ((dpvs_lb_svc(&ctx->cfg->lb, svc)->flags & DPVS_SVC_F_SYNPROXY) != 0) {
			/* the access lists first: a refused client gets no cookie */
			why = wk_acl_check(ctx, svc, &pk->src);
			if (why != DPVS_DROP_MAX)
				return wk_drop(why);
			return wk_synproxy_in(ctx, m, p, pk, svc);
		}
		/* a copy of the way for IPv4 TCP, the flood's: its tests of
		 * protocol and family constants */
		return ipvs_new_conn(ctx, m, p, pk, svc, hash, &idx, IPPROTO_TCP, DPVS_AF_INET);
	}
	return ipvs_new_conn(ctx, m, p, pk, svc, hash, &idx, pk->proto, pk->family);
}
