/*
 * Internals of the ipvs core shared by ipvs.c (dp_vs_in: lookup, packets
 * of connections, replies of other workers) and ipvs_new.c (a new
 * connection per forwarding mode). Not an API: the rest of the worker
 * calls wk_ipvs_in() (lb.h). Everything runs on the owning worker, on its
 * own connection table, region rows and stats row.
 */
#ifndef DPVS_WORKER_IPVS_PRIV_H
#define DPVS_WORKER_IPVS_PRIV_H

#include <stdint.h>
#include <string.h>

#include <rte_mbuf.h>

#include "shm/conn.h"
#include "worker/ipvs/lb.h"
#include "worker/ipvs/tcp_hdr.h"
#include "worker/ipvs/tcp_window.h"
#include "worker/worker.h"

#define WK_LPORT_MIN   1024   /* local ports come from [WK_LPORT_MIN, 65535] */

/* This worker's counter row of a service or dest slot if it belongs to
 * object id; with reset, a row of another object is taken over. Inline:
 * a new connection looks up four rows. */
static inline struct dpvs_lb_stats *
wk_ipvs_row(struct dpvs_lb_stats *rows, uint32_t slot, uint32_t id, int reset)
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

/* The counter rows of connection c: its service's and its dest's, NULL
 * for one that is not c's any more (wk_ipvs_row). */
static __rte_always_inline struct dpvs_lb_stats *
wk_ipvs_svc_row(struct wk_ctx *ctx, const struct dpvs_conn *c)
{
	return c->svc_slot < ctx->wr->caps.services ?
		       wk_ipvs_row(dpvs_wr_svc_stats(ctx->wr), c->svc_slot, c->svc_id, 0) :
		       NULL;
}

static __rte_always_inline struct dpvs_lb_stats *
wk_ipvs_dest_row(struct wk_ctx *ctx, const struct dpvs_conn *c)
{
	return c->dest_slot < ctx->wr->caps.dests ?
		       wk_ipvs_row(dpvs_wr_dest_stats(ctx->wr), c->dest_slot, c->dest_id, 0) :
		       NULL;
}

/* Add delta (+1 / -1) to the active or inactive count of c's rows (none
 * below zero). */
void wk_ipvs_count(struct wk_ctx *ctx, const struct dpvs_conn *c, int active, int delta);

/* Does the burst's service memo (ctx->svc_memo: ipvs.c ipvs_svc_lookup
 * fills it) hold (proto, vip, vport) of an IPv4 packet without a
 * connection (vip, vport: network order)? Always 0 outside a burst. The
 * one test, for ipvs_svc_lookup and fast4.h wk_fast4_miss. */
static __rte_always_inline int
wk_svc_memo_hit(const struct wk_ctx *ctx, uint8_t proto, uint32_t vip, uint16_t vport)
{
	return ctx->svc_memo.on && ctx->svc_memo.proto == proto && ctx->svc_memo.vport == vport &&
	       ctx->svc_memo.vip == vip;
}

/* wk_ipvs_count, inline: into wk_ipvs_conn_close (every expiry) and the
 * eviction of a full table's SYN flood (ipvs_new.c conn_uncount). */
static __rte_always_inline void
wk_ipvs_count_inl(struct wk_ctx *ctx, const struct dpvs_conn *c, int active, int delta)
{
	struct dpvs_lb_stats *rows[2];
	unsigned int i;

	rows[0] = wk_ipvs_svc_row(ctx, c);
	rows[1] = wk_ipvs_dest_row(ctx, c);
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

/* The TCP segment of pk as the window tracker sees it. Inline: a SYN
 * parses its options here (ipvs_new.c) on the new connection's path. */
static inline void
wk_ipvs_tcp_seg(const struct rte_mbuf *m, const struct wk_pkt *pk, struct wk_tcp_seg *seg)
{
	const struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *,
								pk->l4_off);

	/* a translated connection's ack: ipvs_tcp_window takes its delta off */
	wk_tcp_seg_parse(th, wk_tcp_hdr_len(th), pk->l4_len, seg);
}

/* A packet of connection idx in direction dir (fresh: the one that made
 * it): TCP window and state, timer, counters, then its mode's xmit. A
 * fresh packet's state and timer are the maker's (wk_ipvs_new_conn sets
 * them): they are not computed again. */
struct wk_verdict wk_ipvs_conn_pkt(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
				   uint32_t idx, int dir, int fresh);

/* The tail of wk_ipvs_conn_pkt for connection c, its counters counted:
 * the SYN proxy's translation or the client's address inserted when c has
 * them, then its mode's xmit. For the packet that made c (ipvs_new.c),
 * whose window, state, timer and counters its maker did. */
struct wk_verdict wk_ipvs_conn_xmit(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
				    struct dpvs_conn *c, int dir);

/* ipvs.c: is ip a local address (or, with vips, a VIP too) of a service of
 * proto? One probe of the address index (shm/lb_hash.h). */
int wk_ipvs_is_lb_addr(const struct dpvs_config_set *cfg, uint8_t proto, const struct dpvs_ip *ip,
		       int vips);

/* ipvs_new.c: a packet for service slot svc without a connection, received
 * on port index p: schedule a dest, make the connection its mode needs,
 * send the packet. hash: wk_conn_hash of pk's tuple (its lookup's), the
 * new connection's inbound key. */
struct wk_verdict wk_ipvs_new(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p,
			      const struct wk_pkt *pk, uint16_t svc, uint32_t hash);

/* ipvs_new.c: the same without the SYN proxy's say (the packet is a SYN,
 * or the proxy's own SYN to the real server); *idx is the connection made,
 * DPVS_CONN_NIL when none was (the verdict says why). */
struct wk_verdict wk_ipvs_new_conn(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p,
				   const struct wk_pkt *pk, uint16_t svc, uint32_t hash,
				   uint32_t *idx);

/* ipvs.c: free connection idx (and what its SYN proxy held) and take it
 * out of the counters. */
void wk_ipvs_conn_close(struct wk_ctx *ctx, uint32_t idx);

/* ipvs.c: the same for the victim of wk_conn_evict_pick, whose slot the
 * caller fills at once (wk_conn_free_reuse: not through the free list). */
void wk_ipvs_conn_evict(struct wk_ctx *ctx, uint32_t idx);
/* A new connection found side table side full: close a half-open
 * connection that holds a slot of it (wk_conn_side_pick; counted
 * conn_evicted), so that the new one takes that slot and the victim's entry;
 * 0, or -1 when none was found (nothing changed). Out of line: only a full
 * side table comes here. */
int wk_ipvs_conn_evict_side(struct wk_ctx *ctx, int side);   /* enum wk_conn_side */

/* ipvs.c: move TCP connection c to state st, the active/inactive counts
 * following. */
void wk_ipvs_set_state(struct wk_ctx *ctx, struct dpvs_conn *c, uint8_t st);

/* synproxy.c: a TCP packet without a connection for service slot svc,
 * which has the SYN proxy: a SYN is answered with a cookie, an ACK with a
 * valid cookie opens the connection; anything else is dropped. */
struct wk_verdict wk_synproxy_in(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p,
				 const struct wk_pkt *pk, uint16_t svc);
/* synproxy.c: a packet of connection idx (direction dir) while the real
 * server's SYN+ACK is awaited (DPVS_SEQX_SP_WAIT). */
struct wk_verdict wk_synproxy_wait(struct wk_ctx *ctx, struct rte_mbuf *m,
				   const struct wk_pkt *pk, uint32_t idx, int dir);
/* synproxy.c: free the segment a connection's sequence translation x held,
 * if any. */
void wk_synproxy_forget(struct dpvs_seqx *x);
/* synproxy.c: at attach after a death: free what the predecessor's
 * connections held (not what is still in its in-flight array: that is
 * freed there). Returns how many. */
unsigned int wk_synproxy_recover(struct wk_ctx *ctx);

#endif
