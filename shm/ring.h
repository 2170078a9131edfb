/*
 * The node's ring operations: every ring between two processes is an
 * rte_ring created RING_F_SP_ENQ | RING_F_SC_DEQ (one producer process, one
 * consumer process, shm/layout.h lists them) and is used only through these
 * two calls, so that a death inside one leaves a state the primary can
 * repair (shm/repair.h, docs/crash-safety.md):
 *
 *   enqueue: reserve (prod.head moves) -> copy into the slots -> publish
 *            (prod.tail moves). A dead producer may leave head != tail; the
 *            repair rolls head back to tail: nothing it did not publish is
 *            ever seen, the objects it was enqueueing are lost (at most a
 *            burst).
 *   dequeue: reserve (cons.head moves) -> copy out -> release (cons.tail
 *            moves). A dead consumer may leave head != tail; the repair rolls
 *            forward or back depending on where that consumer copies to.
 *
 * The same steps as DPDK's single-producer/single-consumer ring code, on the
 * same rte_ring (DPDK's calls and tools still read it), written out here so
 * that the fault points between them (no-ops unless armed, shm/fault.h) sit
 * exactly between reservation and publication. Called by the one producer
 * (or consumer) process of each ring only.
 */
#ifndef DPVS_SHM_RING_H
#define DPVS_SHM_RING_H

#include <rte_branch_prediction.h>
#include <rte_ring.h>

#include "fault.h"

/* The slots of a ring of pointers (RING_F_SP_ENQ | RING_F_SC_DEQ, element
 * size 8): right after the header, as rte_ring lays them out. */
static inline void **
dpvs_ring_slots(struct rte_ring *r)
{
	return (void **)(void *)&r[1];
}

/* Enqueue up to n pointers; returns how many went on the ring. Called by
 * the ring's one producer only. */
static inline unsigned int
dpvs_ring_enqueue_burst(struct rte_ring *r, void *const *objs, unsigned int n)
{
	void **slot = dpvs_ring_slots(r);
	uint32_t head = r->prod.head, idx, i;
	uint32_t free_slots = r->capacity + __atomic_load_n(&r->cons.tail, __ATOMIC_ACQUIRE) - head;

	if (unlikely(n > free_slots))
		n = free_slots;
	if (unlikely(n == 0))
		return 0;
	/* reserve */
	r->prod.head = head + n;
	dpvs_fault(DPVS_FAULT_RING_ENQ_RESERVED);
	idx = head & r->mask;
	if (likely(idx + n <= r->size)) {
		for (i = 0; i < n; i++)
			slot[idx + i] = objs[i];
	} else {
		for (i = 0; i < n; i++)
			slot[(idx + i) & r->mask] = objs[i];
	}
	dpvs_fault(DPVS_FAULT_RING_ENQ_COPIED);
	/* publish: the consumer reads only prod.tail */
	__atomic_store_n(&r->prod.tail, head + n, __ATOMIC_RELEASE);
	return n;
}

/* Enqueue one pointer; 0, or -ENOBUFS if the ring is full. */
static inline int
dpvs_ring_enqueue(struct rte_ring *r, void *obj)
{
	return dpvs_ring_enqueue_burst(r, &obj, 1) == 1 ? 0 : -ENOBUFS;
}

/* Dequeue up to n pointers into objs; returns how many. Called by the
 * ring's one consumer only. */
static inline unsigned int
dpvs_ring_dequeue_burst(struct rte_ring *r, void **objs, unsigned int n)
{
	void **slot = dpvs_ring_slots(r);
	uint32_t head = r->cons.head, idx, i;
	uint32_t avail = __atomic_load_n(&r->prod.tail, __ATOMIC_ACQUIRE) - head;

	if (n > avail)
		n = avail;
	if (n == 0)
		return 0;
	/* reserve */
	r->cons.head = head + n;
	dpvs_fault(DPVS_FAULT_RING_DEQ_RESERVED);
	idx = head & r->mask;
	if (likely(idx + n <= r->size)) {
		for (i = 0; i < n; i++)
			objs[i] = slot[idx + i];
	} else {
		for (i = 0; i < n; i++)
			objs[i] = slot[(idx + i) & r->mask];
	}
	dpvs_fault(DPVS_FAULT_RING_DEQ_COPIED);
	/* release: the producer reads only cons.tail */
	__atomic_store_n(&r->cons.tail, head + n, __ATOMIC_RELEASE);
	return n;
}

#endif
