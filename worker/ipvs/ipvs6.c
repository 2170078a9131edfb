/*
 * The ipvs hook for IPv6 [dp_vs_in for AF_INET6] (see lb.h): the call point
 * the ipv6 stage keeps for the load balancer. There are no IPv6 services
 * yet (dpvs-ctl refuses an IPv6 VIP), so nothing is the load balancer's
 * business: every packet goes on to local_in or forwarding. When IPv6
 * services come, this parses the packet into a struct wk_pkt (family
 * DPVS_AF_INET6, l4_off = 14 + info->l4_off) and runs the same lookup,
 * schedule and xmit as wk_ipvs_in. Stateless.
 */
#include <rte_mbuf.h>

#include "worker/ipvs/lb.h"
#include "worker/l3/hdr.h"

int
wk_ipvs_in6(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct wk_ip6_info *info,
	    struct wk_verdict *v)
{
	RTE_SET_USED(ctx);
	RTE_SET_USED(m);
	RTE_SET_USED(p);
	RTE_SET_USED(info);
	RTE_SET_USED(v);
	return 0;
}
