/*
 * Full-NAT [dp_vs_xmit_fnat, dp_vs_out_xmit_fnat]: both addresses and ports
 * of a packet of a connection are rewritten for its direction,
 *   inbound   client:cport -> vip:vport    becomes laddr:lport -> dest:dport
 *   outbound  dest:dport   -> laddr:lport  becomes vip:vport   -> client:cport
 * by the rewrite the NAT modes share (xmit.c: checksums updated
 * incrementally, TTL decremented, the MSS of a SYN clamped, padding
 * trimmed), then routed and its next hop resolved. The real servers see
 * the node's local address, so any routing brings their replies back.
 * Writes the packet only; reads the connection and the config set.
 */
#include <string.h>

#include "worker/ipvs/xmit.h"

struct wk_verdict
wk_fnat_in4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	    const struct dpvs_conn *c)
{
	uint32_t saddr, daddr;

	memcpy(&saddr, c->laddr.bytes, 4);
	memcpy(&daddr, c->daddr.bytes, 4);
	return wk_xmit_rewrite4(ctx, m, pk, saddr, c->lport, daddr, c->dport);
}

struct wk_verdict
wk_fnat_out4(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	     const struct dpvs_conn *c)
{
	uint32_t saddr, daddr;

	memcpy(&saddr, c->vaddr.bytes, 4);
	memcpy(&daddr, c->caddr.bytes, 4);
	return wk_xmit_rewrite4(ctx, m, pk, saddr, c->vport, daddr, c->cport);
}
