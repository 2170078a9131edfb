/*
 * DPDK's per-lcore cache in front of the dpvs_mag ops (pool.h says why it is
 * not crash-safe and how a dead process's cache is dropped; pool_ops.h has
 * the API): the size a pool gets (a cache only with the DPDK whose cache code
 * was checked, DPVS_POOL_CACHE_OK), a thread's flush on a clean exit or a
 * role change, the primary's discard of a dead process's lcore cache, and
 * the safety valve that turns the caches off for the node's life (cache_off;
 * each thread's flag read is dpvs_pool_cache_poll, pool_ops.h). The ops' side
 * of the cache, which recognises its flush and refill calls (cache_call,
 * cache_flush_ops, cache_refill_ops), is in pool.c next to the magazines it
 * moves objects to and from. Writes: a thread's own lcore cache (flush); the
 * primary: a dead process's cache's len, the depot's cache counters and
 * flag, mp->cache_size.
 */
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#include "pool_ops.h"

static inline struct dpvs_pool_depot *
depot_of(const struct rte_mempool *mp)
{
	return mp->pool_data;
}

#if DPVS_POOL_CACHE_OK
/* What the ops' cache code (pool.c) and dpvs_pool_cache_discard below rely on
 * in 22.11's struct rte_mempool_cache (shared by every process of the node). */
_Static_assert(offsetof(struct rte_mempool_cache, len) == 8 &&
	       sizeof(((struct rte_mempool_cache *)0)->len) == sizeof(uint32_t),
	       "rte_mempool_cache.len moved");
_Static_assert(offsetof(struct rte_mempool_cache, objs) == RTE_CACHE_LINE_SIZE &&
	       sizeof(((struct rte_mempool_cache *)0)->objs) ==
	       2 * DPVS_POOL_CACHE_MAX * sizeof(void *),
	       "rte_mempool_cache.objs moved or resized");
#endif

unsigned int
dpvs_pool_cache_size(unsigned int cache)
{
	return DPVS_POOL_CACHE_OK ? cache : 0;
}

void
dpvs_pool_flush(struct rte_mempool *mp)
{
	unsigned int lcore = rte_lcore_id();
	const struct dpvs_pool_depot *d;

	/* the creator's size, not mp->cache_size: a cache turned off since
	 * (dpvs_pool_cache_turn_off) is flushed all the same */
	if (mp == NULL || (d = depot_of(mp)) == NULL || d->cache == 0 || lcore >= RTE_MAX_LCORE)
		return; /* no cache, or a thread without an lcore id (none used) */
	rte_mempool_cache_flush(&mp->local_cache[lcore], mp);
}

/*
 * What a death leaves in the cache of its lcore id (DPDK 22.11's inline
 * code; the ops, pool.c, are consistent at every instruction):
 *   put      len raised by n, pointers not yet copied: the top n slots hold
 *            stale pointers, possibly of mbufs in use;
 *   flush    objs[0..len) enqueued to the ops: free in the ops and, until
 *            len is lowered, in the cache (pool.c's cache_flush_ops lowers it right
 *            after the ops publish them; DPDK then sets it to the put's n);
 *   get      len lowered, pointers not yet copied out: lost with the caller;
 *   refill   size + n objects dequeued into objs[] while len is 0
 *            (DPDK then copies n out and sets len = size; our ops leave
 *            len alone, see cache_refill_ops).
 * So the cache is dropped as a whole, never given back to the ops: that
 * loses what it held (len <= 1.5 x size), plus the objects of the call in
 * the caller's hands, and hands nothing out twice. The count is len: the
 * objects the drop loses, the put's n included (lost with the caller),
 * exact but for a death in one of these windows: a flush between the ops'
 * publishing and our len = 0 (one instruction: an overcount of the flush's
 * len, those are in the ops); a flush between our len = 0 and DPDK's
 * len = n (an undercount of the put's n, in the caller's hands); a refill
 * from the ops' taking to DPDK's len = size (an undercount of size + n); a
 * driver's rearm between its dequeue and its len += req (an undercount of
 * req). Only the primary, whose
 * supervisor is single-threaded, writes the counters.
 */
unsigned int
dpvs_pool_cache_discard(struct rte_mempool *mp, unsigned int lcore)
{
	struct dpvs_pool_depot *d;
	struct rte_mempool_cache *c;
	uint32_t len;

	/* the creator's size: a cache turned off may still hold a dead one's */
	if (mp == NULL || lcore >= RTE_MAX_LCORE || (d = depot_of(mp)) == NULL || d->cache == 0)
		return 0;
	c = &mp->local_cache[lcore];
	len = __atomic_load_n(&c->len, __ATOMIC_RELAXED);
	__atomic_store_n(&c->len, 0, __ATOMIC_RELEASE);
	/* a len past the array (a corrupt cache) holds no more than it */
	len = RTE_MIN(len, (uint32_t)RTE_DIM(c->objs));
	if (len == 0)
		return 0;
	__atomic_store_n(&d->cache_discards, d->cache_discards + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&d->cache_discarded, d->cache_discarded + len, __ATOMIC_RELAXED);
	if (d->cache_discarded > d->size / DPVS_POOL_CACHE_OFF_DIV)
		dpvs_pool_cache_turn_off(mp);
	return len;
}

/*
 * Off for good: mp->cache_size = 0 first, so that rte_mempool_default_cache
 * returns NULL and every new get and put of every process goes to the ops;
 * a call that read the size before still finishes on its cache (DPDK's
 * inline code uses the cache's own size, len and flushthresh from there on;
 * our ops no longer recognise its flush and refill, which only makes the
 * count of a death in that call less exact). Then the flag: a thread that
 * sees it (acquire) sees the size of 0, so its own calls after its flush
 * (dpvs_pool_cache_off_flush) never touch the cache again.
 */
int
dpvs_pool_cache_turn_off(struct rte_mempool *mp)
{
	struct dpvs_pool_depot *d = mp != NULL ? depot_of(mp) : NULL;

	if (d == NULL || d->cache == 0 || d->cache_off != 0)
		return 0;
	__atomic_store_n(&mp->cache_size, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&d->cache_off, 1, __ATOMIC_RELEASE);
	return 1;
}

int
dpvs_pool_cache_is_off(const struct rte_mempool *mp)
{
	const struct dpvs_pool_depot *d = mp != NULL ? depot_of(mp) : NULL;

	return d != NULL && __atomic_load_n(&d->cache_off, __ATOMIC_ACQUIRE) != 0;
}

static __thread uint32_t tls_cache_off_flushed;

void
dpvs_pool_cache_off_flush(struct rte_mempool *mp)
{
	if (tls_cache_off_flushed)
		return;
	tls_cache_off_flushed = 1;
	dpvs_pool_flush(mp);
}

void
dpvs_pool_cache_lost(const struct rte_mempool *mp, uint64_t *caches, uint64_t *entries)
{
	const struct dpvs_pool_depot *d = mp != NULL ? depot_of(mp) : NULL;

	*caches = d != NULL ? __atomic_load_n(&d->cache_discards, __ATOMIC_RELAXED) : 0;
	*entries = d != NULL ? __atomic_load_n(&d->cache_discarded, __ATOMIC_RELAXED) : 0;
}
