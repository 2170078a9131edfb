/*
 * Repair of the shared objects a dead process used, by dpvs-primary, after it
 * reaped the process and before anyone takes its role again (its restart,
 * or a standby taking over). docs/crash-safety.md says object by object what
 * a death costs; this is the part the primary recovers:
 *
 *   rings the dead process produced into: a reservation it did not publish
 *     (prod.head != prod.tail) is rolled back, so that the next producer
 *     never publishes slots nobody wrote;
 *   rings it consumed from: a dequeue in flight (cons.head != cons.tail) is
 *     rolled forward when the consumer copies into shared memory its
 *     successor frees (a worker's in-flight array: rolling back would hand
 *     the same mbufs out twice), back when it copies into process memory
 *     that died with it (the bridge: nothing is lost);
 *   the mbuf pool: a spill or refill it did under the depot lock is
 *     finished from its intent record and the lock released.
 *
 * Only the dead side's fields are written (prod.head of a ring it produced
 * into, cons.head/tail of a ring it consumed from, its magazine and the
 * depot it had locked): the live side of a ring is never disturbed.
 * Also the fault-injection tests call it, in the role of the primary.
 */
#ifndef DPVS_SHM_REPAIR_H
#define DPVS_SHM_REPAIR_H

#include <stddef.h>
#include <stdint.h>

#include "pool_ops.h"
#include "shm.h"

struct dpvs_repair_report {
	uint32_t prod_rings;      /* rings with an unpublished reservation */
	uint32_t prod_slots;      /* slots rolled back (objects lost with the producer) */
	uint32_t cons_rings;      /* rings with a dequeue in flight */
	uint32_t cons_forward;    /* slots released (the successor frees them) */
	uint32_t cons_back;       /* slots given back to the ring */
	uint32_t pad;
	struct dpvs_pool_repair_info pool;
};

/* Repair after the death of the process holding role (enum dpvs_pool_role:
 * DPVS_ROLE_WORKER(i), DPVS_ROLE_BRIDGE, DPVS_ROLE_CTL). The process must be
 * dead and reaped. Returns 0, or -EINVAL for a bad role. */
int dpvs_repair_after_death(struct dpvs_shm *shm, int role, struct dpvs_repair_report *out);

/* One line for the log: "rolled back 3 slot(s) on 1 ring(s), ..." or "nothing
 * to repair". */
void dpvs_repair_describe(const struct dpvs_repair_report *r, char *buf, size_t len);

/* The single producer of r is dead: drop its unpublished reservation.
 * Returns the slots rolled back. */
unsigned int dpvs_ring_repair_producer(struct rte_ring *r);

/* The single consumer of r is dead: release (forward != 0) or give back
 * (forward == 0) the slots of its dequeue in flight. Returns the slots. */
unsigned int dpvs_ring_repair_consumer(struct rte_ring *r, int forward);

#endif
