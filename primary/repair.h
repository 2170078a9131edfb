/*
 * The supervisor's hook into shm/repair.h: after a child died (reaped) and
 * before it is restarted (or a standby takes its place), repair the shared
 * objects it used and log what was found. In: the node's shm handles, the
 * child's kind (enum sup_kind) and worker id. Touches what
 * dpvs_repair_after_death() touches: only the dead process's side.
 */
#ifndef DPVS_PRIMARY_REPAIR_H
#define DPVS_PRIMARY_REPAIR_H

#include <stdint.h>

struct dpvs_shm;

/* No-op when shm is NULL (unit tests of the supervisor). Returns 0, or -1 if
 * the child has no role to repair. */
int prim_repair_child(struct dpvs_shm *shm, uint32_t kind, uint32_t id, const char *name);

/* The process name on lcore id lcore is reaped and nobody else has that id:
 * empty the id's cache of the mbuf pool (dpvs_pool_cache_discard), log what
 * it dropped. No-op when shm is NULL. Returns the entries dropped. */
unsigned int prim_repair_lcore(struct dpvs_shm *shm, unsigned int lcore, const char *name);

#endif
