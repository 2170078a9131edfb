/*
 * Repair after a child's death (see repair.h). Runs in the primary's main
 * thread, from the supervisor's death handling.
 */
#include <inttypes.h>

#include "shm/pool_ops.h"
#include "shm/repair.h"
#include "capture.h"
#include "log.h"
#include "repair.h"
#include "supervise.h"

int
prim_repair_child(struct dpvs_shm *shm, uint32_t kind, uint32_t id, const char *name)
{
	struct dpvs_repair_report rep;
	char what[256];
	int role;

	if (shm == NULL)
		return 0;
	if (kind == SUP_WORKER)
		role = DPVS_ROLE_WORKER(id);
	else if (kind == SUP_BRIDGE)
		role = DPVS_ROLE_BRIDGE;
	else if (kind == SUP_CTL)
		role = DPVS_ROLE_CTL;
	else
		return -1;
	if (dpvs_repair_after_death(shm, role, &rep) != 0)
		return -1;
	if (kind == SUP_WORKER)
		capture_worker_died(shm->root, id);
	dpvs_repair_describe(&rep, what, sizeof(what));
	if (rep.prod_slots + rep.cons_forward + rep.cons_back > 0 || rep.pool.lock_held)
		PLOG(WARNING, "%s: repaired what it left half done: %s", name, what);
	else
		PLOG(DEBUG, "%s: %s", name, what);
	return 0;
}

unsigned int
prim_repair_lcore(struct dpvs_shm *shm, unsigned int lcore, const char *name)
{
	uint64_t drops, dropped;
	unsigned int n;
	int was_off;

	if (shm == NULL || shm->pool == NULL)
		return 0;
	was_off = dpvs_pool_cache_is_off(shm->pool);
	n = dpvs_pool_cache_discard(shm->pool, lcore);
	if (n > 0)
		PLOG(WARNING, "%s: dropped the %u mbuf(s) of lcore %u's pool cache (not trusted "
		     "after a death)", name, n, lcore);
	if (!was_off && dpvs_pool_cache_is_off(shm->pool)) {
		dpvs_pool_cache_lost(shm->pool, &drops, &dropped);
		PLOG(ERR, "the dead processes' pool caches dropped %" PRIu64 " mbuf(s) in %" PRIu64
		     " death(s), over 1/%u of the pool's %u: per-lcore pool caches OFF for the "
		     "rest of the node's life (every process flushes its own; slower, but a crash "
		     "loop no longer drains the pool; dpvsctl stats: mbufs.cache_off)", dropped,
		     drops, DPVS_POOL_CACHE_OFF_DIV, shm->pool->size);
		dpvs_pool_cache_off_flush(shm->pool); /* the primary's own (lcore 0) */
	}
	return n;
}
