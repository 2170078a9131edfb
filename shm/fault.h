/*
 * Fault injection: SIGKILL of this process at a chosen point inside a ring
 * or pool operation, to prove that a death there costs what
 * docs/crash-safety.md says. Off unless armed; armed points never exist in
 * production runs unless DPVS_FAULT is set in the environment.
 *
 * In: DPVS_FAULT=<point>:<n>[@<role>] in the environment, read once by a
 * constructor (every binary that links shm/), or dpvs_fault_arm() from a test.
 * The process kills itself with SIGKILL the n-th time it reaches <point>
 * (only in the process whose pool role is <role>, e.g. "worker0", when a
 * role is given). DPVS_FAULT_ONCE=<path>: fire only if <path> can be
 * created (O_EXCL), so that a restarted process with the same environment
 * does not die again.
 * Cost when unarmed: one load and a predictable branch per point.
 * State: process-local only.
 */
#ifndef DPVS_SHM_FAULT_H
#define DPVS_SHM_FAULT_H

#include <stdint.h>

#include <rte_branch_prediction.h>

#define DPVS_FAULT_ENV      "DPVS_FAULT"
#define DPVS_FAULT_ONCE_ENV "DPVS_FAULT_ONCE"

/* The points, in the order an operation passes them (shm/ring.h, shm/pool.c,
 * worker/l2/tx.c, then the connection table's side slots). */
#define DPVS_FAULT_POINTS(X)                                                            \
	X(RING_ENQ_RESERVED, "ring_enq_reserved") /* prod.head moved, nothing written */  \
	X(RING_ENQ_COPIED, "ring_enq_copied")     /* slots written, prod.tail not moved */ \
	X(RING_DEQ_RESERVED, "ring_deq_reserved") /* cons.head moved, nothing copied */    \
	X(RING_DEQ_COPIED, "ring_deq_copied")     /* copied out, cons.tail not moved */     \
	X(MAG_PUT_COPIED, "mag_put_copied")       /* pointers in the magazine, len old */  \
	X(MAG_GET_TAKEN, "mag_get_taken")         /* len lowered, nothing copied out */    \
	X(DEPOT_LOCKED, "depot_locked")           /* depot lock held, no intent yet */      \
	X(SPILL_INTENT, "spill_intent")           /* intent recorded, nothing moved */      \
	X(SPILL_COPIED, "spill_copied")           /* pointers in the depot, unpublished */  \
	X(SPILL_TAKEN, "spill_taken")             /* magazine len lowered */                \
	X(SPILL_PUBLISHED, "spill_published")     /* depot count raised, lock held */       \
	X(REFILL_INTENT, "refill_intent")                                                   \
	X(REFILL_COPIED, "refill_copied")         /* pointers in the magazine, unpublished */ \
	X(REFILL_TAKEN, "refill_taken")           /* depot count lowered */                 \
	X(REFILL_PUBLISHED, "refill_published")   /* magazine len raised, lock held */      \
	X(DEPOT_PUT_COPIED, "depot_put_copied")   /* direct put: in the depot, unpublished */ \
	X(DEPOT_GET_TAKEN, "depot_get_taken")     /* direct get: count lowered */    \
	X(CACHE_FLUSH_PUBLISHED, "cache_flush_published") /* an lcore cache's flush in  \
						 * the ops, its len not yet 0 */  \
	X(CACHE_REFILL_TAKEN, "cache_refill_taken") /* a refill's source lowered, the \
						 * cache's len not yet raised */ \
	X(TX_HANDED, "tx_handed")   /* worker tx, one by one: entry cleared, in the driver */ \
	X(TX_MOVED, "tx_moved")     /* worker tx buffer: entry cleared, not yet moved */ \
	/* a full side table's eviction and the new connection's side slot \
	 * (worker/ipvs/ipvs.c, ipvs_new.c, conn.c; tests/unit/test_side_crash.c): \
	 * not on a plain IPv4 SYN's way */ \
	X(SIDE_VICTIM_CLOSED, "side_victim_closed") /* its slots free, the new not made */ \
	X(SIDE_SX_TAKEN, "side_sx_taken")   /* the freed sequence slot taken, nobody's */ \
	X(SX_ATTACHED, "sx_attached")       /* a sequence slot named, its entry not live */ \
	X(V6_SLOT_NAMED, "v6_slot_named")   /* an IPv6 slot named, its entry not live */

enum dpvs_fault_point {
#define DPVS_FAULT_ENUM(id, name) DPVS_FAULT_##id,
	DPVS_FAULT_POINTS(DPVS_FAULT_ENUM)
#undef DPVS_FAULT_ENUM
	DPVS_FAULT_MAX
};

/* Non-zero while a point is armed in this process. */
extern volatile uint32_t dpvs_fault_armed;

void dpvs_fault_hit(enum dpvs_fault_point p);

/* Kill this process if p is the armed point and its count is reached. */
static inline void
dpvs_fault(enum dpvs_fault_point p)
{
	if (unlikely(dpvs_fault_armed != 0))
		dpvs_fault_hit(p);
}

/* Arm from a spec "<point>:<n>[@<role>]"; 0, or -1 if the spec is invalid.
 * An empty spec or NULL disarms. */
int dpvs_fault_arm(const char *spec);

/* The name of a point ("ring_enq_copied"), or NULL. */
const char *dpvs_fault_name(enum dpvs_fault_point p);

/* Tell the fault code this process's pool role name ("worker0", "bridge");
 * called by dpvs_pool_set_role(). */
void dpvs_fault_set_role(const char *role);

#endif
