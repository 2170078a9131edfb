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

#include <rte_mbuf.h>

#include "shm/conn.h"
#include "worker/ipvs/lb.h"
#include "worker/ipvs/tcp_window.h"
#include "worker/worker.h"

#define WK_LPORT_MIN   1024   /* local ports come from [WK_LPORT_MIN, 65535] */

/* This worker's counter row of a service or dest slot if it belongs to
 * object id; with reset, a row of another object is taken over. */
struct dpvs_lb_stats *wk_ipvs_row(struct dpvs_lb_stats *rows, uint32_t slot, uint32_t id,
				  int reset);

/* Add delta (+1 / -1) to the active or inactive count of c's rows. */
void wk_ipvs_count(struct wk_ctx *ctx, const struct dpvs_conn *c, int active, int delta);

/* The TCP segment of pk as the window tracker sees it. */
void wk_ipvs_tcp_seg(const struct rte_mbuf *m, const struct wk_pkt *pk, struct wk_tcp_seg *seg);

/* A packet of connection idx in direction dir (fresh: the one that made
 * it): TCP window and state, timer, counters, then its mode's xmit. */
struct wk_verdict wk_ipvs_conn_pkt(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
				   uint32_t idx, int dir, int fresh);

/* ipvs.c: what dp_vs_in does with a parsed TCP/UDP packet pk of either
 * family received on port index p (not a fragment, its header readable):
 * its connection, a new one for a service, a reply for another worker's
 * local port or NAT connection, a match service (SNAT). Contract of
 * wk_ipvs_in: 1 with *v set, or 0 when not the load balancer's. */
int wk_ipvs_pkt(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct wk_pkt *pk,
		struct wk_verdict *v);

/* ipvs.c: is ip a local address (or, with vips, a VIP too) of a service of
 * proto? One probe of the address index (shm/lb_hash.h). */
int wk_ipvs_is_lb_addr(const struct dpvs_config_set *cfg, uint8_t proto, const struct dpvs_ip *ip,
		       int vips);

/* ipvs_new.c: a packet for service slot svc without a connection, received
 * on port index p: schedule a dest, make the connection its mode needs,
 * send the packet. */
struct wk_verdict wk_ipvs_new(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p,
			      const struct wk_pkt *pk, uint16_t svc);

#endif
