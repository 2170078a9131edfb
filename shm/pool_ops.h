/*
 * The crash-safe mbuf pool (shm/pool.h has the shared layout and the rules):
 * creation, the per-thread role that selects a magazine, the check every
 * attaching process makes, the primary's repair after a death, and an audit
 * for tests. Implemented in shm/pool.c; the per-lcore cache's part
 * (dpvs_pool_cache_*, dpvs_pool_flush) in shm/pool_cache.c.
 */
#ifndef DPVS_SHM_POOL_OPS_H
#define DPVS_SHM_POOL_OPS_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "pool.h"

/* Register the mempool ops DPVS_POOL_OPS in this process, after rte_eal_init()
 * (so that DPDK's own ops keep the indexes a plain DPDK process gives them:
 * see pool.c); idempotent. dpvs_pool_create() and dpvs_pool_check() call it.
 * Returns the ops index, or a negative errno. */
int dpvs_pool_register_ops(void);

/* The per-lcore cache a pool gets for a configured size: cache, or 0 when
 * this DPDK's cache code was not checked (DPVS_POOL_CACHE_OK). */
unsigned int dpvs_pool_cache_size(unsigned int cache);

/* Create an mbuf pool of n mbufs with the dpvs_mag ops and a DPDK per-lcore
 * cache of dpvs_pool_cache_size(cache) (0: none). NULL on failure (rte_errno
 * set; EINVAL for a cache over DPVS_POOL_CACHE_MAX or n / 1.5). */
struct rte_mempool *dpvs_pool_create(const char *name, unsigned int n, unsigned int cache,
				     int socket_id);

/* 0 if mp uses the dpvs_mag ops in this process (the ops index stored in the
 * pool names DPVS_POOL_OPS here) and has the per-lcore cache this build
 * gives a configured size of cache (the node's [memory] mbuf_cache); else
 * -EPROTO and a message in err. Every process checks before its first pool
 * operation. */
int dpvs_pool_check(const struct rte_mempool *mp, unsigned int cache, char *err,
		    size_t errlen);

/* Put the calling thread's lcore cache of mp (if any) back to the ops, under
 * the thread's current role. dpvs_pool_set_role() does it before it changes
 * the role; a process calls it before it exits on its own. */
void dpvs_pool_flush(struct rte_mempool *mp);

/* The process that had lcore id lcore is dead (reaped: it runs no more) and
 * no live process has that id: empty its cache of mp without trusting it
 * (len = 0) and count what it dropped. Called by the primary before it
 * hands the id out again (its supervisor); tests. Returns the entries
 * dropped: the objects the death lost through the cache (but at two
 * instructions, see pool_cache.c). */
unsigned int dpvs_pool_cache_discard(struct rte_mempool *mp, unsigned int lcore);

/* The caches dpvs_pool_cache_discard() emptied and the entries they held. */
void dpvs_pool_cache_lost(const struct rte_mempool *mp, uint64_t *caches, uint64_t *entries);

/* The primary: turn the per-lcore caches off for the rest of the node's life
 * (mp->cache_size = 0, so every new pool call of every process goes to the
 * ops; then the depot's cache_off flag, which tells each live process to
 * flush its own cache: dpvs_pool_cache_poll). dpvs_pool_cache_discard()
 * calls it once the caches dropped more than size / DPVS_POOL_CACHE_OFF_DIV.
 * Returns 1 if this call turned them off, 0 if they were off or absent. */
int dpvs_pool_cache_turn_off(struct rte_mempool *mp);

/* 1 once the caches were turned off (the depot's flag). */
int dpvs_pool_cache_is_off(const struct rte_mempool *mp);

/* The slow half of dpvs_pool_cache_poll: flush the calling thread's cache,
 * once per thread. */
void dpvs_pool_cache_off_flush(struct rte_mempool *mp);

/* Once per loop iteration of every thread that uses the pool (workers, ctl,
 * bridge, the primary): a flag read; after the caches went off, the first
 * call of a thread flushes its lcore cache (no new call uses it any more). */
static inline void
dpvs_pool_cache_poll(struct rte_mempool *mp)
{
	const struct dpvs_pool_depot *d = mp->pool_data;

	if (__builtin_expect(__atomic_load_n(&d->cache_off, __ATOMIC_ACQUIRE) != 0, 0))
		dpvs_pool_cache_off_flush(mp);
}

/* The calling thread flushes its lcore cache (dpvs_pool_flush), then takes
 * role's magazine (DPVS_ROLE_NONE: none, straight to the depot). Only one
 * live thread in the node may hold a role; a successor or a standby may take
 * a dead holder's role only after dpvs_pool_repair() ran for it. 0, or
 * -EINVAL. */
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

/* Every free object (depot, then each magazine, then each lcore cache) into
 * out[0..max); returns the count (may exceed max: then only max were
 * written). Only when no other thread uses the pool (tests). */
unsigned int dpvs_pool_audit(const struct rte_mempool *mp, void **out, unsigned int max);

#endif
