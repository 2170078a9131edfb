/*
 * Full-NAT [dp_vs_xmit_fnat, dp_vs_out_xmit_fnat]: both addresses and ports
 * of a packet of a connection are rewritten for its direction,
 *   inbound   client:cport -> vip:vport    becomes laddr:lport -> dest:dport
 *   outbound  dest:dport   -> laddr:lport  becomes vip:vport   -> client:cport
 * by the rewrite the NAT modes share (xmit.c: checksums updated
 * incrementally, TTL or hop limit decremented, the MSS of a SYN clamped,
 * padding trimmed), then routed and its next hop resolved. The real servers
 * see the node's local address, so any routing brings their replies back.
 * IPv4 and IPv6 alike; a connection from an IPv6 VIP to an IPv4 real server
 * (its local address IPv4 too, as DPVS's nat64) is translated both ways
 * (xlat.c). A connection that crosses families the other way is never made
 * (ipvs_new.c), and is refused here too (family_mismatch).
 * Writes the packet only; reads the connection and the config set.
 */
#include <string.h>

#include "worker/ipvs/xmit.h"

struct wk_verdict
wk_fnat_in4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	    const struct dpvs_conn *c)
{
	struct wk_nat4 t;

	if (dpvs_conn_fam(c, DPVS_CONN_A_D) != DPVS_AF_INET)
		return wk_drop(DPVS_DROP_FAMILY_MISMATCH);
	t = wk_nat4_tuple(c, DPVS_DIR_IN);
	return wk_xmit_rewrite4(ctx, m, pk, t.sa, t.sp, t.da, t.dp);
}

struct wk_verdict
wk_fnat_out4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	     const struct dpvs_conn *c)
{
	struct wk_nat4 t;

	/* an IPv4 server's reply to an IPv6 client */
	if (dpvs_conn_fam(c, DPVS_CONN_A_C) == DPVS_AF_INET6)
		return wk_xlat_4to6(ctx, m, pk, dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_V), c->vport,
				    dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_C), c->cport);
	t = wk_nat4_tuple(c, DPVS_DIR_OUT);
	return wk_xmit_rewrite4(ctx, m, pk, t.sa, t.sp, t.da, t.dp);
}

struct wk_verdict
wk_fnat_in6(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	    const struct dpvs_conn *c)
{
	uint32_t saddr, daddr;

	if (dpvs_conn_fam(c, DPVS_CONN_A_D) == DPVS_AF_INET6)
		return wk_xmit_rewrite6(ctx, m, pk, dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_L),
					c->lport, dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_D),
					c->dport);
	/* an IPv6 client's packet to an IPv4 real server */
	saddr = dpvs_conn_a4x(ctx->ct, c, DPVS_CONN_A_L);
	daddr = dpvs_conn_a4x(ctx->ct, c, DPVS_CONN_A_D);
	return wk_xlat_6to4(ctx, m, pk, saddr, c->lport, daddr, c->dport);
}

struct wk_verdict
wk_fnat_out6(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	     const struct dpvs_conn *c)
{
	if (dpvs_conn_fam(c, DPVS_CONN_A_C) != DPVS_AF_INET6)
		return wk_drop(DPVS_DROP_FAMILY_MISMATCH);
	return wk_xmit_rewrite6(ctx, m, pk, dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_V), c->vport,
				dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_C), c->cport);
}
