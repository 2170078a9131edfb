/*
 * Packet capture requests of DPDK's tools (dpdk-dumpcap, dpdk-pdump) in the
 * primary. DPDK 22.11's pdump server sets its callbacks in the process that
 * receives the request (here, which polls nothing), and its rte_pdump_init()
 * fails in a secondary; so the primary answers the tools itself: it keeps
 * DPDK's capture statistics memzone (rte_pdump_init), takes over the
 * "mp_pdump" action, writes each enable or disable into root->capture
 * (shm/capture.h) and replies once every live worker has applied it
 * (worker/capture.c installs the callbacks on the queues it polls). A
 * disable is thus answered only when no worker copies into the tool's ring
 * and pool any more, so the tool may free them.
 *
 * Touches root->capture (cap[], gen, a dead worker's busy) only, from EAL's
 * multi-process thread and, after a worker's death, the main thread.
 */
#ifndef DPVS_PRIMARY_CAPTURE_H
#define DPVS_PRIMARY_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "shm/layout.h"

struct rte_ring;
struct rte_mempool;

#define CAPTURE_ACK_TIMEOUT_MS 3000   /* the tool waits 5 s for our reply */

/* Start answering capture requests for the node whose root this is.
 * 0, or -1 with a message in err. */
int capture_init(struct dpvs_root *root, char *err, size_t errlen);
void capture_fini(void);

/* Worker id died (reaped, before its restart): if it died inside a copy into
 * a tool's pool or ring (ack.busy), stop every capture, so that no worker
 * touches what the death may have left blocked (docs/crash-safety.md). Main
 * thread. */
void capture_worker_died(struct dpvs_root *root, uint32_t id);

/* The table operations (pure, for the unit tests). enable: -EEXIST when a
 * capture of port already covers one of these queues in one of these
 * directions, -ENOSPC when the table is full. disable: clears those
 * directions of the entry of (port, queue); -EINVAL when there is none. */
int capture_table_enable(struct dpvs_capture_table *t, uint16_t port_id, uint16_t queue,
			 uint32_t flags, uint32_t snaplen, int pcapng, struct rte_ring *ring,
			 struct rte_mempool *mp);
int capture_table_disable(struct dpvs_capture_table *t, uint16_t port_id, uint16_t queue,
			  uint32_t flags);

#endif
