/*
 * The dpvs_mag mempool ops (see pool.h for the layout and the rules, and
 * pool_ops.h for the API). Runs in every process that allocates or frees
 * mbufs, on the hot path: a put or get touches only the calling role's
 * magazine; a spill or refill moves DPVS_MAG_SIZE objects under the depot
 * lock. Writes: the calling role's magazine, the depot under its lock; the
 * primary's repair writes a dead role's magazine and the depot. The ops
 * recognise the calls of DPDK's per-lcore cache in front of them (cache_call
 * below); the rest of the cache (its size, flush, the discard of a dead
 * process's cache, turning it off) is pool_cache.c.
 */
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>
#include <rte_mempool.h>
#include <rte_pause.h>

#include "errf.h"
#include "fault.h"
#include "pool_ops.h"

#define LOCK_SPINS       256     /* pause spins before yielding */
#define LOCK_ANON_CHECK  1024    /* yields between liveness checks of a role-less holder */

/* role + 1 of the calling thread; 0 = none */
static __thread uint32_t tls_role1;

static inline struct dpvs_pool_depot *
depot_of(const struct rte_mempool *mp)
{
	return mp->pool_data;
}

static uint32_t
my_tag(void)
{
	if (tls_role1 != 0)
		return tls_role1;
	return DPVS_POOL_TAG_ANON | ((uint32_t)getpid() & 0x7fffffffu);
}

/* A role-less holder whose process is gone can never release the lock. */
static int
anon_holder_dead(uint32_t tag)
{
	pid_t pid = (pid_t)(tag & 0x7fffffffu);

	return kill(pid, 0) != 0 && errno == ESRCH;
}

static void
depot_lock(struct dpvs_pool_depot *d, uint32_t tag)
{
	uint64_t spins = 0;
	uint32_t cur;

	for (;;) {
		cur = 0;
		if (__atomic_compare_exchange_n(&d->lock, &cur, tag, 0, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return;
		if (++spins < LOCK_SPINS) {
			rte_pause();
			continue;
		}
		/* a holder may be preempted (or dead until the primary repairs) */
		sched_yield();
		if ((cur & DPVS_POOL_TAG_ANON) != 0 && spins % LOCK_ANON_CHECK == 0 &&
		    anon_holder_dead(cur))
			__atomic_compare_exchange_n(&d->lock, &cur, 0, 0, __ATOMIC_ACQUIRE,
						    __ATOMIC_RELAXED);
	}
}

static inline void
depot_unlock(struct dpvs_pool_depot *d)
{
	__atomic_store_n(&d->lock, 0, __ATOMIC_RELEASE);
}

/* The intent is complete (op stored last) before anything it names moves. */
static inline void
intent_begin(struct dpvs_mag *m, uint32_t op, uint32_t n, uint32_t depot, uint32_t len)
{
	m->op_n = n;
	m->op_depot = depot;
	m->op_len = len;
	__atomic_store_n(&m->op, op, __ATOMIC_RELEASE);
}

static inline void
intent_end(struct dpvs_mag *m)
{
	__atomic_store_n(&m->op, (uint32_t)DPVS_MAG_OP_NONE, __ATOMIC_RELEASE);
}

/* Move k objects from the top of m into the depot. Order: copy into the
 * depot's free slots, lower m->len, raise the depot count. */
static __rte_noinline void
mag_spill(struct dpvs_pool_depot *d, struct dpvs_mag *m, uint32_t tag, uint32_t k)
{
	uint32_t c, len, i;

	depot_lock(d, tag);
	dpvs_fault(DPVS_FAULT_DEPOT_LOCKED);
	c = d->count;
	len = m->len;
	k = RTE_MIN(k, len);
	k = RTE_MIN(k, d->size - c); /* only a double free could overflow */
	intent_begin(m, DPVS_MAG_OP_SPILL, k, c, len);
	dpvs_fault(DPVS_FAULT_SPILL_INTENT);
	for (i = 0; i < k; i++)
		d->objs[c + i] = m->objs[len - k + i];
	dpvs_fault(DPVS_FAULT_SPILL_COPIED);
	__atomic_store_n(&m->len, len - k, __ATOMIC_RELEASE);
	dpvs_fault(DPVS_FAULT_SPILL_TAKEN);
	__atomic_store_n(&d->count, c + k, __ATOMIC_RELEASE);
	dpvs_fault(DPVS_FAULT_SPILL_PUBLISHED);
	m->spills++;
	intent_end(m);
	depot_unlock(d);
}

/* Move up to k objects from the depot onto m. Order: copy into m's free
 * slots, lower the depot count, raise m->len. */
static __rte_noinline void
mag_refill(struct dpvs_pool_depot *d, struct dpvs_mag *m, uint32_t tag, uint32_t k)
{
	uint32_t c, len, i;

	depot_lock(d, tag);
	dpvs_fault(DPVS_FAULT_DEPOT_LOCKED);
	c = d->count;
	len = m->len;
	k = RTE_MIN(k, c);
	k = RTE_MIN(k, (uint32_t)DPVS_MAG_CAP - len);
	intent_begin(m, DPVS_MAG_OP_REFILL, k, c, len);
	dpvs_fault(DPVS_FAULT_REFILL_INTENT);
	for (i = 0; i < k; i++)
		m->objs[len + i] = d->objs[c - k + i];
	dpvs_fault(DPVS_FAULT_REFILL_COPIED);
	__atomic_store_n(&d->count, c - k, __ATOMIC_RELEASE);
	dpvs_fault(DPVS_FAULT_REFILL_TAKEN);
	__atomic_store_n(&m->len, len + k, __ATOMIC_RELEASE);
	dpvs_fault(DPVS_FAULT_REFILL_PUBLISHED);
	m->refills++;
	intent_end(m);
	depot_unlock(d);
}

/* Caller's objects straight into the depot (no role, or a huge burst). */
static __rte_noinline int
depot_put(struct dpvs_pool_depot *d, void *const *objs, uint32_t n)
{
	struct dpvs_mag *m = tls_role1 != 0 ? &d->mag[tls_role1 - 1] : NULL;
	uint32_t c, i;

	depot_lock(d, my_tag());
	dpvs_fault(DPVS_FAULT_DEPOT_LOCKED);
	c = d->count;
	n = RTE_MIN(n, d->size - c);
	if (m != NULL)
		intent_begin(m, DPVS_MAG_OP_DIRECT, n, c, m->len);
	for (i = 0; i < n; i++)
		d->objs[c + i] = objs[i];
	dpvs_fault(DPVS_FAULT_DEPOT_PUT_COPIED);
	__atomic_store_n(&d->count, c + n, __ATOMIC_RELEASE);
	if (m != NULL) {
		m->direct++;
		intent_end(m);
	}
	depot_unlock(d);
	return 0;
}

/* Objects straight from the depot to the caller: the count is lowered before
 * they are copied out, so a death in between loses them, never hands them
 * out twice. */
static __rte_noinline int
depot_get(struct dpvs_pool_depot *d, void **objs, uint32_t n)
{
	struct dpvs_mag *m = tls_role1 != 0 ? &d->mag[tls_role1 - 1] : NULL;
	uint32_t c, i;

	depot_lock(d, my_tag());
	dpvs_fault(DPVS_FAULT_DEPOT_LOCKED);
	c = d->count;
	if (c < n) {
		depot_unlock(d);
		return -ENOBUFS;
	}
	if (m != NULL)
		intent_begin(m, DPVS_MAG_OP_DIRECT, n, c, m->len);
	__atomic_store_n(&d->count, c - n, __ATOMIC_RELEASE);
	rte_compiler_barrier();
	dpvs_fault(DPVS_FAULT_DEPOT_GET_TAKEN);
	for (i = 0; i < n; i++)
		objs[i] = d->objs[c - 1 - i];
	if (m != NULL) {
		m->direct++;
		intent_end(m);
	}
	depot_unlock(d);
	return 0;
}

/* Put n objects on top of m (room checked): the pointers are in place
 * before len covers them. */
static inline void
mag_put(struct dpvs_mag *m, uint32_t len, void *const *objs, uint32_t n)
{
	uint32_t i;

	if (likely(n == 1))
		m->objs[len] = objs[0];
	else
		for (i = 0; i < n; i++)
			m->objs[len + i] = objs[i];
	dpvs_fault(DPVS_FAULT_MAG_PUT_COPIED);
	__atomic_store_n(&m->len, len + n, __ATOMIC_RELEASE);
}

/* Take n objects off the top of m (len >= n): len no longer covers them
 * before they are copied out. */
static inline void
mag_take(struct dpvs_mag *m, uint32_t len, void **objs, uint32_t n)
{
	uint32_t i;

	len -= n;
	__atomic_store_n(&m->len, len, __ATOMIC_RELAXED);
	rte_compiler_barrier();
	dpvs_fault(DPVS_FAULT_MAG_GET_TAKEN);
	if (likely(n == 1))
		objs[0] = m->objs[len];
	else
		for (i = 0; i < n; i++)
			objs[i] = m->objs[len + n - 1 - i];
}

/*
 * The slow paths, out of line and reached by tail calls, so that the fast
 * ones keep no register across a call: a spill or refill first, or a fault
 * point armed (the fast paths then skip their inline copies of the points,
 * which are unreachable there).
 */
static __rte_noinline int
mag_enqueue_slow(struct dpvs_pool_depot *d, struct dpvs_mag *m, uint32_t r,
		 void *const *objs, uint32_t n)
{
	if (m->len + n > DPVS_MAG_CAP)
		mag_spill(d, m, r, m->len - DPVS_MAG_SIZE);
	if (unlikely(m->len + n > DPVS_MAG_CAP)) /* a full depot: double frees */
		return depot_put(d, objs, n);
	mag_put(m, m->len, objs, n);
	return 0;
}

static __rte_noinline int
mag_dequeue_slow(struct dpvs_pool_depot *d, struct dpvs_mag *m, uint32_t r, void **objs,
		 uint32_t n)
{
	if (m->len < n)
		mag_refill(d, m, r, DPVS_MAG_SIZE + n - m->len);
	if (m->len < n)
		return -ENOBUFS;
	mag_take(m, m->len, objs, n);
	return 0;
}

static __rte_always_inline int
mag_enq(struct rte_mempool *mp, void *const *objs, unsigned int n)
{
	struct dpvs_pool_depot *d = depot_of(mp);
	uint32_t r = tls_role1, len, i;
	struct dpvs_mag *m;

	if (unlikely(r == 0 || n > DPVS_MAG_SIZE))
		return depot_put(d, objs, n);
	m = &d->mag[r - 1];
	len = m->len;
	if (unlikely(len + n > DPVS_MAG_CAP || dpvs_fault_armed != 0))
		return mag_enqueue_slow(d, m, r, objs, n);
	/* mag_put() without its fault point */
	if (likely(n == 1))
		m->objs[len] = objs[0];
	else
		for (i = 0; i < n; i++)
			m->objs[len + i] = objs[i];
	__atomic_store_n(&m->len, len + n, __ATOMIC_RELEASE);
	return 0;
}

static __rte_always_inline int
mag_deq(struct rte_mempool *mp, void **objs, unsigned int n)
{
	struct dpvs_pool_depot *d = depot_of(mp);
	uint32_t r = tls_role1, len, i;
	struct dpvs_mag *m;

	if (unlikely(r == 0 || n > DPVS_MAG_SIZE))
		return depot_get(d, objs, n);
	m = &d->mag[r - 1];
	len = m->len;
	if (unlikely(len < n || dpvs_fault_armed != 0))
		return mag_dequeue_slow(d, m, r, objs, n);
	/* mag_take() without its fault point */
	len -= n;
	__atomic_store_n(&m->len, len, __ATOMIC_RELAXED);
	rte_compiler_barrier();
	if (likely(n == 1))
		objs[0] = m->objs[len];
	else
		for (i = 0; i < n; i++)
			objs[i] = m->objs[len + n - 1 - i];
	return 0;
}

/*
 * DPDK's per-lcore cache calls the ops with its own objs[] to flush (the
 * whole cache) and to refill it (size + n objects while its len is 0). A
 * flush also keeps the cache's len in step with the ops: its objects leave
 * the cache's count (len = 0) right after the ops publish them, so that what
 * the primary drops from a dead process's cache (dpvs_pool_cache_discard,
 * pool_cache.c) is not in the ops too, but at one instruction. A refill does
 * not raise len: the drivers' AVX-512 rx rearm (i40e, ice, iavf, idpf in
 * 22.11) dequeues into &objs[len] itself and then adds to len, and at
 * len == 0 that call looks like a refill here: raising len in the ops would
 * count the objects twice and hand them out twice. So a death inside a
 * refill loses size + n uncounted. DPDK sets len itself after either call,
 * as before.
 */
static inline struct rte_mempool_cache *
cache_call(struct rte_mempool *mp, const void *objs)
{
	unsigned int l;

	if (likely(mp->cache_size == 0))
		return NULL;
	l = rte_lcore_id();
	if (l >= RTE_MAX_LCORE || objs != (const void *)mp->local_cache[l].objs)
		return NULL;
	return &mp->local_cache[l];
}

static __rte_noinline int
cache_flush_ops(struct rte_mempool *mp, struct rte_mempool_cache *c, void *const *objs,
		unsigned int n)
{
	int rc = mag_enq(mp, objs, n);

	dpvs_fault(DPVS_FAULT_CACHE_FLUSH_PUBLISHED);
	__atomic_store_n(&c->len, 0, __ATOMIC_RELEASE);
	return rc;
}

/* n objects into a cache's objs from the role's magazine (n <= DPVS_MAG_SIZE)
 * or else the depot: copy, then let the source go. Never touches the cache's
 * len (see above: a driver's rearm makes the same call and raises len itself). */
static __rte_noinline int
cache_refill_ops(struct rte_mempool *mp, void **objs, unsigned int n)
{
	struct dpvs_pool_depot *d = depot_of(mp);
	uint32_t r = tls_role1, len, cnt, i;
	struct dpvs_mag *m = r != 0 ? &d->mag[r - 1] : NULL;

	if (m != NULL && n <= DPVS_MAG_SIZE) {
		if (m->len < n)
			mag_refill(d, m, r, DPVS_MAG_SIZE + n - m->len);
		len = m->len;
		if (len < n)
			return -ENOBUFS;
		for (i = 0; i < n; i++)
			objs[i] = m->objs[len - 1 - i];
		__atomic_store_n(&m->len, len - n, __ATOMIC_RELEASE);
		dpvs_fault(DPVS_FAULT_CACHE_REFILL_TAKEN);
		return 0;
	}
	depot_lock(d, my_tag());
	dpvs_fault(DPVS_FAULT_DEPOT_LOCKED);
	cnt = d->count;
	if (cnt < n) {
		depot_unlock(d);
		return -ENOBUFS;
	}
	if (m != NULL)
		intent_begin(m, DPVS_MAG_OP_DIRECT, n, cnt, m->len);
	for (i = 0; i < n; i++)
		objs[i] = d->objs[cnt - 1 - i];
	__atomic_store_n(&d->count, cnt - n, __ATOMIC_RELEASE);
	dpvs_fault(DPVS_FAULT_CACHE_REFILL_TAKEN);
	if (m != NULL) {
		m->direct++;
		intent_end(m);
	}
	depot_unlock(d);
	return 0;
}

/* Single objects (the per-packet alloc and free of a pool without a cache)
 * skip the test: a refill is always of 2 or more, and a flush of one (a
 * cache of one entry pushed out by a put of 1.5 x size) only keeps DPDK's
 * order for that call, which the drop handles, at a miscount of one. */
static int
mag_enqueue(struct rte_mempool *mp, void *const *objs, unsigned int n)
{
	struct rte_mempool_cache *c;

	if (unlikely(n > 1) && unlikely((c = cache_call(mp, objs)) != NULL))
		return cache_flush_ops(mp, c, objs, n);
	return mag_enq(mp, objs, n);
}

static int
mag_dequeue(struct rte_mempool *mp, void **objs, unsigned int n)
{
	if (unlikely(n > 1) && unlikely(cache_call(mp, objs) != NULL))
		return cache_refill_ops(mp, objs, n);
	return mag_deq(mp, objs, n);
}

static unsigned int
mag_get_count(const struct rte_mempool *mp)
{
	const struct dpvs_pool_depot *d = depot_of(mp);
	uint64_t n = __atomic_load_n(&d->count, __ATOMIC_RELAXED);
	unsigned int r;

	for (r = 0; r < DPVS_POOL_ROLES; r++)
		n += RTE_MIN(__atomic_load_n(&d->mag[r].len, __ATOMIC_RELAXED),
			     (uint32_t)DPVS_MAG_CAP);
	return (unsigned int)RTE_MIN(n, (uint64_t)d->size);
}

static int
mag_alloc(struct rte_mempool *mp)
{
	char name[RTE_MEMZONE_NAMESIZE];
	const struct rte_memzone *mz;
	struct dpvs_pool_depot *d;
	size_t sz = sizeof(*d) + (size_t)mp->size * sizeof(void *);

	snprintf(name, sizeof(name), DPVS_POOL_DEPOT_FMT, mp->name);
	mz = rte_memzone_reserve_aligned(name, sz, mp->socket_id, 0, RTE_CACHE_LINE_SIZE);
	if (mz == NULL)
		return -rte_errno;
	d = mz->addr;
	memset(d, 0, sz);
	d->magic = DPVS_SHM_MAGIC;
	d->size = mp->size;
	mp->pool_data = d;
	return 0;
}

static void
mag_free(struct rte_mempool *mp)
{
	char name[RTE_MEMZONE_NAMESIZE];
	const struct rte_memzone *mz;

	snprintf(name, sizeof(name), DPVS_POOL_DEPOT_FMT, mp->name);
	mz = rte_memzone_lookup(name);
	if (mz != NULL)
		rte_memzone_free(mz);
	mp->pool_data = NULL;
}

static struct rte_mempool_ops dpvs_mag_ops = {
	.name = DPVS_POOL_OPS,
	.alloc = mag_alloc,
	.free = mag_free,
	.enqueue = mag_enqueue,
	.dequeue = mag_dequeue,
	.get_count = mag_get_count,
};

/*
 * Registered at run time, after rte_eal_init(), not by a constructor: EAL
 * loads the mempool drivers (ring_mp_mc, stack, bucket, ...) as plugins
 * during rte_eal_init(), so a constructor would put dpvs_mag at index 0 and
 * shift every DPDK ops one index up. A DPDK tool attached to the node
 * (dpdk-dumpcap) creates its pool with its own index of ring_mp_mc, and a
 * worker copying a captured packet into that pool calls the ops at that index
 * in the worker's table: the tables must agree on DPDK's ops, and registering
 * ours last keeps them equal to a plain DPDK process's (test_pool_ops_order).
 */
int
dpvs_pool_register_ops(void)
{
	static int index = -1;
	int i;

	if (index >= 0)
		return index;
	for (i = 0; i < (int)rte_mempool_ops_table.num_ops; i++)
		if (strcmp(rte_mempool_ops_table.ops[i].name, DPVS_POOL_OPS) == 0)
			return index = i;
	index = rte_mempool_register_ops(&dpvs_mag_ops);
	return index;
}

struct rte_mempool *
dpvs_pool_create(const char *name, unsigned int n, unsigned int cache, int socket_id)
{
	struct rte_mempool *mp;

	if (dpvs_pool_register_ops() < 0)
		return NULL;
	cache = dpvs_pool_cache_size(cache);
	if (cache > DPVS_POOL_CACHE_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	mp = rte_pktmbuf_pool_create_by_ops(name, n, cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					    socket_id, DPVS_POOL_OPS);
	if (mp != NULL)
		depot_of(mp)->cache = cache;
	return mp;
}

int
dpvs_pool_check(const struct rte_mempool *mp, unsigned int cache, char *err, size_t errlen)
{
	const struct dpvs_pool_depot *d;
	const char *ops;

	if (dpvs_pool_register_ops() < 0)
		return dpvs_errf(err, errlen, -EPROTO, "cannot register the %s mempool ops",
				 DPVS_POOL_OPS);
	if (mp->ops_index < 0 || mp->ops_index >= RTE_MEMPOOL_MAX_OPS_IDX ||
	    (uint32_t)mp->ops_index >= rte_mempool_ops_table.num_ops)
		return dpvs_errf(err, errlen, -EPROTO,
				 "pool %s has ops index %d, which names no ops here", mp->name,
				 mp->ops_index);
	ops = rte_mempool_get_ops(mp->ops_index)->name;
	if (strcmp(ops, DPVS_POOL_OPS) != 0)
		return dpvs_errf(err, errlen, -EPROTO,
				 "pool %s has ops index %d, which is '%s' in this process, not '%s' "
				 "(mempool ops registered in another order)",
				 mp->name, mp->ops_index, ops, DPVS_POOL_OPS);
	d = depot_of(mp);
	if (d == NULL || d->magic != DPVS_SHM_MAGIC || d->size != mp->size)
		return dpvs_errf(err, errlen, -EPROTO, "pool %s has no valid depot", mp->name);
	/* a cache this build's DPDK was not checked with, or not the node's */
	cache = dpvs_pool_cache_size(cache);
	if ((mp->cache_size != cache && !(d->cache_off && mp->cache_size == 0)) || d->cache != cache)
		return dpvs_errf(err, errlen, -EPROTO,
				 "pool %s has a per-lcore cache of %u (created for %u), this "
				 "build expects %u%s", mp->name, mp->cache_size, d->cache, cache,
				 DPVS_POOL_CACHE_OK ? "" : " (no cache with this DPDK version)");
	return 0;
}

const char *
dpvs_pool_role_name(int role, char *buf, size_t len)
{
	if (role == DPVS_ROLE_PRIMARY)
		snprintf(buf, len, "primary");
	else if (role == DPVS_ROLE_CTL)
		snprintf(buf, len, "ctl");
	else if (role == DPVS_ROLE_BRIDGE)
		snprintf(buf, len, "bridge");
	else if (role >= DPVS_ROLE_WORKER0 && role < DPVS_POOL_ROLES)
		snprintf(buf, len, "worker%d", role - DPVS_ROLE_WORKER0);
	else
		snprintf(buf, len, "none");
	return buf;
}

int
dpvs_pool_set_role(struct rte_mempool *mp, int role)
{
	char name[16];

	/* what the cache holds was freed under the old role: back to it */
	dpvs_pool_flush(mp);
	if (role == DPVS_ROLE_NONE) {
		tls_role1 = 0;
		dpvs_fault_set_role("");
		return 0;
	}
	if (role < 0 || role >= DPVS_POOL_ROLES || mp == NULL || depot_of(mp) == NULL)
		return -EINVAL;
	tls_role1 = (uint32_t)role + 1;
	dpvs_fault_set_role(dpvs_pool_role_name(role, name, sizeof(name)));
	return 0;
}

int
dpvs_pool_role(void)
{
	return tls_role1 == 0 ? DPVS_ROLE_NONE : (int)tls_role1 - 1;
}

/* Finish what a dead holder of the lock was doing, from its intent. */
static uint32_t
repair_op(struct dpvs_pool_depot *d, struct dpvs_mag *m)
{
	uint32_t n = m->op_n;

	switch (m->op) {
	case DPVS_MAG_OP_SPILL:
		/* copied, len lowered, count raised: finish a lowered len */
		if (d->count == m->op_depot + n || m->len != m->op_len - n)
			return 0;
		__atomic_store_n(&d->count, m->op_depot + n, __ATOMIC_RELEASE);
		return n;
	case DPVS_MAG_OP_REFILL:
		/* copied, count lowered, len raised: finish a lowered count */
		if (m->len == m->op_len + n || d->count != m->op_depot - n)
			return 0;
		__atomic_store_n(&m->len, m->op_len + n, __ATOMIC_RELEASE);
		return n;
	default:
		/* DIRECT: the depot is consistent after each store; what the
		 * caller held is lost with it */
		return 0;
	}
}

int
dpvs_pool_repair(struct rte_mempool *mp, int role, struct dpvs_pool_repair_info *out)
{
	struct dpvs_pool_depot *d;
	struct dpvs_mag *m;
	uint32_t tag = (uint32_t)role + 1;

	memset(out, 0, sizeof(*out));
	if (mp == NULL || role < 0 || role >= DPVS_POOL_ROLES || (d = depot_of(mp)) == NULL)
		return -EINVAL;
	m = &d->mag[role];
	if (__atomic_load_n(&d->lock, __ATOMIC_ACQUIRE) == tag) {
		out->lock_held = 1;
		out->op = m->op;
		out->completed = repair_op(d, m);
		if (m->op != DPVS_MAG_OP_NONE)
			m->repairs++;
	}
	/* an intent is only ever set under the lock: one left without it is
	 * stale (cannot happen: the intent ends before the unlock) */
	intent_end(m);
	if (m->len > DPVS_MAG_CAP)
		m->len = 0; /* corrupt: lose the magazine rather than trust it */
	out->mag_len = m->len;
	if (out->lock_held)
		depot_unlock(d);
	return 0;
}

unsigned int
dpvs_pool_audit(const struct rte_mempool *mp, void **out, unsigned int max)
{
	const struct dpvs_pool_depot *d = depot_of(mp);
	unsigned int n = 0, r, i;

	for (i = 0; i < d->count && i < d->size; i++, n++)
		if (n < max)
			out[n] = d->objs[i];
	for (r = 0; r < DPVS_POOL_ROLES; r++)
		for (i = 0; i < d->mag[r].len && i < DPVS_MAG_CAP; i++, n++)
			if (n < max)
				out[n] = d->mag[r].objs[i];
	for (r = 0; d->cache != 0 && r < RTE_MAX_LCORE; r++)
		for (i = 0; i < mp->local_cache[r].len && i < RTE_DIM(mp->local_cache[r].objs);
		     i++, n++)
			if (n < max)
				out[n] = mp->local_cache[r].objs[i];
	return n;
}
