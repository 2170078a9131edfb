/*
 * SNAT [dp_vs_out_xmit_snat, dp_vs_xmit_snat]: hosts of an inside network
 * reach outside servers from one of the node's addresses. A connection is
 * made by the inside host's first packet (matched by a match service,
 * svc_match.c) and only its source changes; a reply's destination changes
 * back:
 *   inbound   host:hport   -> server:sport  becomes laddr:lport -> server:sport
 *   outbound  server:sport -> laddr:lport   becomes server:sport -> host:hport
 * laddr is the SNAT dest (a node address) and lport comes from the owner's
 * share of the port space, so any worker finds a reply's owner by its port,
 * as for full-NAT. The rewrite is the one the NAT modes share (xmit.c).
 * IPv4 and IPv6 (an IPv6 match service and an IPv6 node address).
 * Writes the packet only; reads the connection and the config set.
 */
#include <string.h>

#include "worker/ipvs/xmit.h"

struct wk_verdict
wk_snat_in4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	    const struct dpvs_conn *c)
{
	uint32_t saddr, daddr;

	saddr = dpvs_conn_a4(c, DPVS_CONN_A_L);
	daddr = dpvs_conn_a4(c, DPVS_CONN_A_D);
	return wk_xmit_rewrite4(ctx, m, pk, saddr, c->lport, daddr, c->dport);
}

struct wk_verdict
wk_snat_out4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	     const struct dpvs_conn *c)
{
	uint32_t saddr, daddr;

	saddr = dpvs_conn_a4(c, DPVS_CONN_A_D);
	daddr = dpvs_conn_a4(c, DPVS_CONN_A_C);
	return wk_xmit_rewrite4(ctx, m, pk, saddr, c->dport, daddr, c->cport);
}

struct wk_verdict
wk_snat_in6(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	    const struct dpvs_conn *c)
{
	return wk_xmit_rewrite6(ctx, m, pk, dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_L), c->lport,
				dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_D), c->dport);
}

struct wk_verdict
wk_snat_out6(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	     const struct dpvs_conn *c)
{
	return wk_xmit_rewrite6(ctx, m, pk, dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_D), c->dport,
				dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_C), c->cport);
}
