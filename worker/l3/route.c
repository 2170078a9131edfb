/*
 * Routing of the load balancer's output [ipv4_output_fin2, route lookup]:
 * the route to an IPv4 destination in the rte_lpm of the config set this
 * worker loaded for the iteration (shm->lpm[i] routes config set copy i; the
 * lpm stores the route's slot), or its default route (lb.default_route: the
 * lpm has no depth 0), then the neighbour stage.
 * Reads the config set and the lpm; writes nothing but the packet's verdict.
 */
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lpm.h>
#include <rte_mbuf.h>

#include "worker/ipvs/lbpath.h"

int
wk_route_v4(const struct wk_ctx *ctx, uint32_t dst_be, uint16_t *port, uint32_t *nh_be)
{
	const struct dpvs_config_set *cfg = ctx->cfg;
	const struct rte_lpm *lpm;
	const struct dpvs_route *r;
	uint32_t idx;

	if (cfg->copy > 1)
		return -1;
	lpm = ctx->shm->lpm[cfg->copy];
	if (lpm == NULL || rte_lpm_lookup(lpm, rte_be_to_cpu_32(dst_be), &idx) != 0) {
		if (cfg->lb.default_route == 0)
			return -1;
		idx = cfg->lb.default_route - 1;
	}
	if (idx >= cfg->lb.caps.routes)
		return -1;
	r = &dpvs_lb_routes(&cfg->lb)[idx];
	if (r->prefix.family != DPVS_AF_INET || r->port >= ctx->nports)
		return -1;
	*port = r->port;
	if ((r->flags & DPVS_ROUTE_F_GATEWAY) != 0 && r->gw.family == DPVS_AF_INET)
		memcpy(nh_be, r->gw.bytes, sizeof(*nh_be));
	else
		*nh_be = dst_be;
	return 0;
}

struct wk_verdict
wk_ip_output(struct wk_ctx *ctx, struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	uint32_t nh;
	uint16_t port;

	if (wk_route_v4(ctx, ip->dst_addr, &port, &nh) != 0)
		return wk_drop(DPVS_DROP_NO_ROUTE);
	return wk_neigh_output(ctx, m, port, nh);
}
