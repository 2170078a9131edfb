/*
 * NAT, LVS's masquerading [dp_vs_xmit_nat, dp_vs_out_xmit_nat]: only the
 * destination of a client's packet and the source of a reply change,
 *   inbound   client:cport -> vip:vport    becomes client:cport -> dest:dport
 *   outbound  dest:dport   -> client:cport becomes vip:vport    -> client:cport
 * so the real servers see the client's own address and must route their
 * replies through the node (their default route points at it). The rewrite
 * is the one the NAT modes share (xmit.c): checksums updated incrementally,
 * TTL or hop limit decremented (the node forwards the packet as a router
 * would), the MSS of a SYN clamped, padding trimmed. IPv4 and IPv6; the
 * real server is of the VIP's family (dpvs-ctl refuses another, as LVS).
 * A reply arrives on any worker (the owner cannot choose its tuple):
 * ipvs.c finds its owner by a read-only look into the peers' connection
 * tables (conn.c, docs/modes.md).
 * Writes the packet only; reads the connection and the config set.
 */
#include <string.h>

#include "worker/ipvs/xmit.h"

struct wk_verdict
wk_nat_in4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	   const struct dpvs_conn *c)
{
	const struct wk_nat4 t = wk_nat4_tuple(c, DPVS_DIR_IN);

	return wk_xmit_rewrite4(ctx, m, pk, t.sa, t.sp, t.da, t.dp);
}

struct wk_verdict
wk_nat_out4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	    const struct dpvs_conn *c)
{
	const struct wk_nat4 t = wk_nat4_tuple(c, DPVS_DIR_OUT);

	return wk_xmit_rewrite4(ctx, m, pk, t.sa, t.sp, t.da, t.dp);
}

struct wk_verdict
wk_nat_in6(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	   const struct dpvs_conn *c)
{
	return wk_xmit_rewrite6(ctx, m, pk, dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_C), c->cport,
				dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_D), c->dport);
}

struct wk_verdict
wk_nat_out6(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	    const struct dpvs_conn *c)
{
	return wk_xmit_rewrite6(ctx, m, pk, dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_V), c->vport,
				dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_C), c->cport);
}
