/*
 * Maglev hashing [ip_vs_mh]: the dest of the packet's bucket in the
 * service's lookup table, which dpvs-ctl built (ctl/daemon/sched_build.c)
 * from the dests' permutations and weights. The bucket is
 * dpvs_sched_hash(source address [, source port with DPVS_SVC_F_HASHED])
 * % DPVS_SCHED_TABLE_SIZE, so every worker, and every node with the same
 * dests, sends a flow to the same dest. A dest that is unavailable on this
 * worker (over its threshold) sends the flow to the next buckets' dests.
 *
 * Reads only the service's table of the pool (dpvs_lb_sched_table); no per-worker state.
 */
#include <stdint.h>

#include "worker/ipvs/sched.h"

uint32_t
wk_sched_mh_pick(struct wk_ctx *ctx, const struct dpvs_service *svc,
		 struct dpvs_sched_state *st, const struct wk_pkt *pk)
{
	(void)st;
	return wk_sched_table_pick(ctx, svc, pk);
}
