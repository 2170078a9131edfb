/*
 * The mbuf pool's backend: DPDK mempool ops "dpvs_mag" (shm/pool.c) that a
 * process killed at any instruction cannot poison (docs/crash-safety.md).
 *
 * The pool is created with cache_size 0, so DPDK's per-lcore cache (whose
 * put raises len before it copies the pointers, and whose flush pushes the
 * cache to the ring before it lowers len) is never used. Instead the ops
 * keep, in the pool's own memzone:
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

#include "layout.h"

#define DPVS_POOL_OPS      "dpvs_mag"      /* mempool ops name, every binary */
#define DPVS_POOL_DEPOT_FMT "%.20s_depot"   /* memzone of a pool's depot: pool name */
#define DPVS_MAG_SIZE      128             /* a refill fills up to this many */
#define DPVS_MAG_CAP       256             /* slots; a put past it spills to DPVS_MAG_SIZE */
#define DPVS_POOL_TAG_ANON 0x80000000u     /* lock tag of a role-less holder: | pid */

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
	uint8_t pad[48];
	struct dpvs_mag mag[DPVS_POOL_ROLES];
	void *objs[];             /* size entries */
} __rte_cache_aligned;

_Static_assert(sizeof(struct dpvs_mag) % RTE_CACHE_LINE_SIZE == 0, "dpvs_mag layout");
_Static_assert(sizeof(struct dpvs_pool_depot) % RTE_CACHE_LINE_SIZE == 0,
	       "dpvs_pool_depot layout");

#endif
