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
 * Built on DPDK's zero-copy ring API, which splits the two steps; the fault
 * points between them are no-ops unless armed (shm/fault.h).
 * Called by the one producer (or consumer) process of each ring only.
 */
#ifndef DPVS_SHM_RING_H
#define DPVS_SHM_RING_H

#include <rte_ring.h>
#include <rte_ring_peek_zc.h>

#include "fault.h"

/* Enqueue up to n pointers; returns how many went on the ring. */
static inline unsigned int
dpvs_ring_enqueue_burst(struct rte_ring *r, void *const *objs, unsigned int n)
{
	struct rte_ring_zc_data z;
	unsigned int i;

	n = rte_ring_enqueue_zc_burst_start(r, n, &z, NULL);
	if (n == 0)
		return 0;
	dpvs_fault(DPVS_FAULT_RING_ENQ_RESERVED);
	for (i = 0; i < z.n1; i++)
		((void **)z.ptr1)[i] = objs[i];
	for (; i < n; i++)
		((void **)z.ptr2)[i - z.n1] = objs[i];
	dpvs_fault(DPVS_FAULT_RING_ENQ_COPIED);
	rte_ring_enqueue_zc_finish(r, n);
	return n;
}

/* Enqueue one pointer; 0, or -ENOBUFS if the ring is full. */
static inline int
dpvs_ring_enqueue(struct rte_ring *r, void *obj)
{
	return dpvs_ring_enqueue_burst(r, &obj, 1) == 1 ? 0 : -ENOBUFS;
}

/* Dequeue up to n pointers into objs; returns how many. */
static inline unsigned int
dpvs_ring_dequeue_burst(struct rte_ring *r, void **objs, unsigned int n)
{
	struct rte_ring_zc_data z;
	unsigned int i;

	n = rte_ring_dequeue_zc_burst_start(r, n, &z, NULL);
	if (n == 0)
		return 0;
	dpvs_fault(DPVS_FAULT_RING_DEQ_RESERVED);
	for (i = 0; i < z.n1; i++)
		objs[i] = ((void **)z.ptr1)[i];
	for (; i < n; i++)
		objs[i] = ((void **)z.ptr2)[i - z.n1];
	dpvs_fault(DPVS_FAULT_RING_DEQ_COPIED);
	rte_ring_dequeue_zc_finish(r, n);
	return n;
}

#endif
