/*
 * Consistent hashing on the source address [DPVS's conhash]: the dest of the
 * packet's bucket in the service's table, which dpvs-ctl sampled from a ring
 * of virtual nodes (ctl/daemon/sched_build.c). The bucket is
 * dpvs_sched_hash(source address [, source port with DPVS_SVC_F_HASHED])
 * % DPVS_SCHED_TABLE_SIZE: the same source always reaches the same dest
 * while the dests stay the same, and adding a dest moves only the flows the
 * new dest takes over. A dest that is unavailable on this worker (over its
 * threshold) sends the flow on along the ring, to the next buckets' dests.
 *
 * Reads only the service's table of the pool (dpvs_lb_sched_table); no per-worker state.
 */
#include <stdint.h>

#include "worker/ipvs/sched.h"

uint32_t
wk_sched_conhash_pick(struct wk_ctx *ctx, const struct dpvs_service *svc,
		      struct dpvs_sched_state *st, const struct wk_pkt *pk)
{
	(void)st;
	return wk_sched_table_pick(ctx, svc, pk);
}
