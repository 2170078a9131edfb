/*
 * The crash-safe mbuf pool (shm/pool.h has the shared layout and the rules):
 * creation, the per-thread role that selects a magazine, the check every
 * attaching process makes, the primary's repair after a death, and an audit
 * for tests. Implemented in shm/pool.c.
 */
#ifndef DPVS_SHM_POOL_OPS_H
#define DPVS_SHM_POOL_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "pool.h"

struct rte_mempool;

/* Register the mempool ops DPVS_POOL_OPS in this process, after rte_eal_init()
 * (so that DPDK's own ops keep the indexes a plain DPDK process gives them:
 * see pool.c); idempotent. dpvs_pool_create() and dpvs_pool_check() call it.
 * Returns the ops index, or a negative errno. */
int dpvs_pool_register_ops(void);

/* Create an mbuf pool of n mbufs with the dpvs_mag ops and no DPDK cache.
 * NULL on failure (rte_errno set). */
struct rte_mempool *dpvs_pool_create(const char *name, unsigned int n, int socket_id);

/* 0 if mp uses the dpvs_mag ops in this process (the ops index stored in the
 * pool names DPVS_POOL_OPS here) and has no DPDK cache; else -EPROTO and a
 * message in err. Every process checks before its first pool operation. */
int dpvs_pool_check(const struct rte_mempool *mp, char *err, size_t errlen);

/* The calling thread takes role's magazine (DPVS_ROLE_NONE: none, straight to
 * the depot). Only one live thread in the node may hold a role; a successor
 * or a standby may take a dead holder's role only after dpvs_pool_repair()
 * ran for it. 0, or -EINVAL. */
int dpvs_pool_set_role(struct rte_mempool *mp, int role);

/* The calling thread's role, or DPVS_ROLE_NONE. */
int dpvs_pool_role(void);

/* "primary", "ctl", "bridge", "worker3"; "none" for DPVS_ROLE_NONE. */
const char *dpvs_pool_role_name(int role, char *buf, size_t len);

/* What dpvs_pool_repair() found. */
struct dpvs_pool_repair_info {
	uint32_t lock_held;       /* the dead process held the depot lock */
	uint32_t op;              /* enum dpvs_mag_op it was doing under it */
	uint32_t completed;       /* objects the repair finished moving */
	uint32_t mag_len;         /* the role's magazine after the repair */
};

/* After the holder of role died (reaped) and before anyone takes the role
 * again: finish or drop its depot operation and release the lock if it held
 * it. The magazine itself is consistent at every instruction and stays with
 * the role. Called by the primary (shm/repair.c). Returns 0 or -EINVAL. */
int dpvs_pool_repair(struct rte_mempool *mp, int role, struct dpvs_pool_repair_info *out);

/* Every free object (depot, then each magazine) into out[0..max); returns
 * the count (may exceed max: then only max were written). Only when no
 * other thread uses the pool (tests). */
unsigned int dpvs_pool_audit(const struct rte_mempool *mp, void **out, unsigned int max);

#endif
