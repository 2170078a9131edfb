/*
 * The ipv6 stage: everything IPv6 goes to the kernel for now (neighbour
 * discovery and local delivery come with the IPv6 issue). Stateless.
 */
#include <rte_mbuf.h>

#include "worker/worker.h"

struct wk_verdict
wk_ipv6_input(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	RTE_SET_USED(ctx);
	RTE_SET_USED(m);
	return wk_kernel(p);
}
