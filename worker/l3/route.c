/*
 * Route lookup [route4_output, route6_output]: the route to an IPv4
 * destination in the rte_lpm of the config set this worker loaded for the
 * iteration (shm->lpm[i] routes config set copy i; the lpm stores the
 * route's slot), or its default route (lb.default_route: the lpm has no depth
 * 0), the last one found remembered for its set (ctx->rt_memo, wk_route_v4
 * in lbpath.h); the route to an IPv6 destination in the set's own route6 index (one
 * hash probe per prefix length in use, shm/lb_hash.h). And wk_ip_output,
 * the IPv4 output of the load balancer: route, then wk_ip_output_via
 * (output.c).
 * Reads the config set and the lpm; writes the packet's verdict and
 * ctx->rt_memo.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lpm.h>
#include <rte_mbuf.h>

#include "shm/lb_hash.h"
#include "worker/ipvs/lbpath.h"
#include "worker/l2/neigh.h"
#include "worker/l3/l3.h"

/* The live route in slot idx of the active set for family, or NULL. */
static inline const struct dpvs_route *
route_slot(const struct wk_ctx *ctx, uint32_t idx, uint8_t family)
{
	const struct dpvs_config_set *cfg = ctx->cfg;
	const struct dpvs_route *r;

	if (idx >= cfg->lb.caps.routes)
		return NULL;
	r = &dpvs_lb_routes(&cfg->lb)[idx];
	if (r->prefix.family != family || !wk_if_ok(ctx, r->port))
		return NULL;
	return r;
}

/* The IPv4 route to dst_be (the lpm, else the default route), or NULL. */
static inline const struct dpvs_route *
route4(const struct wk_ctx *ctx, uint32_t dst_be)
{
	const struct dpvs_config_set *cfg = ctx->cfg;
	const struct rte_lpm *lpm;
	uint32_t idx;

	if (cfg->copy > 1)
		return NULL;
	lpm = ctx->shm->lpm[cfg->copy];
	if (lpm == NULL || rte_lpm_lookup(lpm, rte_be_to_cpu_32(dst_be), &idx) != 0) {
		if (cfg->lb.default_route == 0)
			return NULL;
		idx = cfg->lb.default_route - 1;
	}
	return route_slot(ctx, idx, DPVS_AF_INET);
}

const struct dpvs_route *
wk_route4_find(const struct wk_ctx *ctx, uint32_t dst_be)
{
	return route4(ctx, dst_be);
}

const struct dpvs_route *
wk_route6_find(const struct wk_ctx *ctx, const uint8_t dst[16])
{
	uint32_t idx = dpvs_route6_lookup(&ctx->cfg->lb, dst);

	return idx == DPVS_ROUTE_NONE ? NULL : route_slot(ctx, idx, DPVS_AF_INET6);
}

void
wk_route_nexthop(const struct dpvs_route *r, const struct dpvs_ip *dst, struct dpvs_ip *nh)
{
	if ((r->flags & DPVS_ROUTE_F_GATEWAY) != 0 && r->gw.family == dst->family)
		*nh = r->gw;
	else
		*nh = *dst;
}

int
wk_route_v4_lookup(struct wk_ctx *ctx, uint32_t dst_be, uint16_t *port, uint32_t *nh_be)
{
	const struct dpvs_route *r = route4(ctx, dst_be);

	if (r == NULL)
		return -1;
	*port = r->port;
	if ((r->flags & DPVS_ROUTE_F_GATEWAY) != 0 && r->gw.family == DPVS_AF_INET)
		memcpy(nh_be, r->gw.bytes, sizeof(*nh_be));
	else
		*nh_be = dst_be;
	/* remembered for this set only (wk_route_v4): a new set forgets it */
	ctx->rt_memo.set = wk_set_stamp(ctx->cfg);
	ctx->rt_memo.dst = dst_be;
	ctx->rt_memo.nh = *nh_be;
	ctx->rt_memo.port = *port;
	return 0;
}

int
wk_route_v6(const struct wk_ctx *ctx, const uint8_t dst[16], uint16_t *port, struct dpvs_ip *nh)
{
	const struct dpvs_route *r = wk_route6_find(ctx, dst);
	struct dpvs_ip d;

	if (r == NULL)
		return -1;
	wk_ip_from_v6(&d, dst);
	*port = r->port;
	wk_route_nexthop(r, &d, nh);
	return 0;
}

struct wk_verdict
wk_ip_output(struct wk_ctx *ctx, struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	const struct dpvs_route *r = route4(ctx, ip->dst_addr);
	struct dpvs_ip dst, nh;

	if (r == NULL)
		return wk_drop(DPVS_DROP_NO_ROUTE);
	wk_ip_from_v4(&dst, ip->dst_addr);
	wk_route_nexthop(r, &dst, &nh);
	return wk_ip_output_via(ctx, m, r->port, &nh);
}
