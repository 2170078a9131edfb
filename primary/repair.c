/*
 * Repair after a child's death (see repair.h). Runs in the primary's main
 * thread, from the supervisor's death handling.
 */
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
	unsigned int n;

	if (shm == NULL || shm->pool == NULL)
		return 0;
	n = dpvs_pool_cache_discard(shm->pool, lcore);
	if (n > 0)
		PLOG(WARNING, "%s: dropped the %u mbuf(s) of lcore %u's pool cache (not trusted "
		     "after a death)", name, n, lcore);
	return n;
}
