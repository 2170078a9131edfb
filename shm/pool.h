/*
 * The mbuf pool's backend: DPDK mempool ops "dpvs_mag" (shm/pool.c) that a
 * process killed at any instruction cannot poison (docs/crash-safety.md).
 *
 * The pool may have DPDK's per-lcore cache in front of these ops
 * ([memory] mbuf_cache, DPVS_POOL_CACHE_OK). That cache is not crash-safe as
 * it stands (DPDK 22.11: a put raises len before it copies the pointers in,
 * a flush enqueues the cache to the ops before it lowers len, a refill
 * dequeues into objs[] while len does not cover them), but every one of
 * those windows leaves the ops' own state consistent and only the cache
 * wrong. So a dead process's cache is never trusted: the primary empties it
 * (len = 0, counting what it dropped in cache_discards/cache_discarded)
 * after the process is reaped and before its lcore id is handed out again
 * (dpvs_pool_cache_discard). Dropping entries can lose objects, never hand
 * one out twice. The ops below the cache keep, in the pool's own memzone:
 *
 *   depot        objs[0..count) free objects, guarded by a lock whose word
 *                is the holder's tag (role + 1, or DPVS_POOL_TAG_ANON | pid)
 *   mag[role]    one magazine per process role (primary, ctl, bridge,
 *                worker i), written only by the process holding that role:
 *                objs[0..len) are free objects. put: copy the pointers in,
 *                then raise len; get: lower len, then copy out. A death
 *                inside either loses at most the objects of that call.
 *                A magazine spills to / refills from the depot under the
 *                lock, with an intent record (op, n, depot and magazine
 *                counts before) written first, so that the primary can tell
 *                exactly what a process that died holding the lock had done
 *                and complete it (dpvs_pool_repair): nothing is lost or
 *                duplicated by a death inside a spill or refill.
 *
 * A thread without a role (a tool, a non-main thread) goes to the depot
 * directly under the lock; a waiter that finds such a holder dead takes the
 * lock over (direct operations leave the depot consistent at every step).
 *
 * Types and names only; who writes what is said per field.
 */
#ifndef DPVS_SHM_POOL_H
#define DPVS_SHM_POOL_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_version.h>

#include "layout.h"

#define DPVS_POOL_OPS      "dpvs_mag"      /* mempool ops name, every binary */
#define DPVS_POOL_DEPOT_FMT "%.20s_depot"   /* memzone of a pool's depot: pool name */
#define DPVS_MAG_SIZE      128             /* a refill fills up to this many */
#define DPVS_MAG_CAP       256             /* slots; a put past it spills to DPVS_MAG_SIZE */
#define DPVS_POOL_TAG_ANON 0x80000000u     /* lock tag of a role-less holder: | pid */

/* DPDK's per-lcore cache is used only with the DPDK versions whose cache code
 * was checked against the discard (docs/crash-safety.md "The mbuf pool");
 * with any other the pool has no cache, whatever the configuration says. */
#if RTE_VERSION >= RTE_VERSION_NUM(22, 11, 0, 0) && RTE_VERSION < RTE_VERSION_NUM(22, 12, 0, 0)
#define DPVS_POOL_CACHE_OK 1
#else
#define DPVS_POOL_CACHE_OK 0
#endif
#define DPVS_POOL_CACHE_MAX 512            /* RTE_MEMPOOL_CACHE_MAX_SIZE of 22.11 */
/* The caches go off for the node's life once the dead processes' caches
 * dropped more than the pool's size / DPVS_POOL_CACHE_OFF_DIV entries (a
 * crash loop would otherwise drain the pool, up to 1.5 x size + n a death). */
#define DPVS_POOL_CACHE_OFF_DIV 8

/* Process roles that own a magazine. */
enum dpvs_pool_role {
	DPVS_ROLE_PRIMARY = 0,
	DPVS_ROLE_CTL,
	DPVS_ROLE_BRIDGE,
	DPVS_ROLE_WORKER0,        /* worker i is DPVS_ROLE_WORKER0 + i */
	DPVS_POOL_ROLES = DPVS_ROLE_WORKER0 + DPVS_MAX_WORKERS,
};
#define DPVS_ROLE_NONE (-1)
#define DPVS_ROLE_WORKER(id) (DPVS_ROLE_WORKER0 + (int)(id))

/* The depot operation a magazine's owner is doing under the lock. */
enum dpvs_mag_op {
	DPVS_MAG_OP_NONE = 0,
	DPVS_MAG_OP_SPILL,        /* magazine -> depot */
	DPVS_MAG_OP_REFILL,       /* depot -> magazine */
	DPVS_MAG_OP_DIRECT,       /* caller <-> depot, the magazine untouched */
};

/* One role's magazine. Every field is written by the process holding the
 * role, or by the primary's repair once that process is dead. */
struct dpvs_mag {
	uint32_t len;             /* objs[0..len) are free objects */
	uint32_t op;              /* enum dpvs_mag_op in progress, NONE = none */
	uint32_t op_n;            /* objects the op moves */
	uint32_t op_depot;        /* depot count when the op began */
	uint32_t op_len;          /* len when the op began */
	uint32_t pad;
	uint64_t spills;          /* counters for dpvs_pool_stats */
	uint64_t refills;
	uint64_t direct;
	uint64_t repairs;         /* ops of a dead holder completed or dropped */
	uint8_t pad2[8];
	void *objs[DPVS_MAG_CAP]; /* hugepage pointers to mempool objects */
} __rte_cache_aligned;

struct dpvs_pool_depot {
	uint32_t magic;           /* DPVS_SHM_MAGIC */
	uint32_t size;            /* capacity of objs[]: the pool's size */
	uint32_t lock;            /* 0, or the holder's tag (role + 1, or ANON | pid) */
	uint32_t count;           /* objs[0..count) are free; written under the lock */
	uint32_t cache;           /* the pool's per-lcore cache size (creator) */
	uint32_t cache_off;       /* 1: the primary turned the caches off for good
				   * (mp->cache_size = 0, dpvs_pool_cache_turn_off) */
	uint64_t cache_discards;  /* dead processes' caches emptied (the primary) */
	uint64_t cache_discarded; /* entries they held (objects lost, see pool_cache.c) */
	uint8_t pad[24];
	struct dpvs_mag mag[DPVS_POOL_ROLES];
	void *objs[];             /* size entries */
} __rte_cache_aligned;

_Static_assert(sizeof(struct dpvs_mag) % RTE_CACHE_LINE_SIZE == 0, "dpvs_mag layout");
_Static_assert(sizeof(struct dpvs_pool_depot) % RTE_CACHE_LINE_SIZE == 0,
	       "dpvs_pool_depot layout");

#endif
