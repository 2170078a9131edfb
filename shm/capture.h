/*
 * Packet capture by DPDK's tools (dpdk-dumpcap, dpdk-pdump) on the node's
 * data ports. DPDK 22.11's pdump sets its rx/tx callbacks in the process that
 * receives the tool's request, the primary, which never polls a queue; and
 * rte_pdump_init() fails in a secondary. So the primary takes the request
 * (primary/capture.c) and writes it here, and each worker installs callbacks
 * of its own on the queues it polls (worker/capture.c) at the top of its next
 * loop iteration, and says so in its ack. A restarted worker finds the active
 * captures here and installs them again.
 *
 * Written by: the primary (gen and cap[], from its EAL multi-process thread,
 * and from its main thread after a death, under a lock of its own); worker i
 * (ack[i] only). The ring and pool named in an entry belong to the
 * capture tool: hugepage objects, valid in every process of the node.
 *
 * Types and names only.
 */
#ifndef DPVS_SHM_CAPTURE_H
#define DPVS_SHM_CAPTURE_H

#include <stdint.h>

#include <rte_common.h>

#define DPVS_CAPTURE_MAX     8        /* captures at once (one per port and queue set) */
#define DPVS_CAPTURE_ALL_Q   0xffffu  /* RTE_PDUMP_ALL_QUEUES */
#define DPVS_CAPTURE_F_RX    0x1u     /* RTE_PDUMP_FLAG_RX */
#define DPVS_CAPTURE_F_TX    0x2u     /* RTE_PDUMP_FLAG_TX */

struct rte_ring;
struct rte_mempool;

/* One capture a tool enabled: copies of the packets of port (ethdev id)
 * queue (or every queue) in the directions of flags go into ring, allocated
 * from mp. pcapng: wrap each copy in a pcapng block (dumpcap), else a plain
 * copy (dpdk-pdump). used 0 = free entry. */
struct dpvs_capture {
	uint32_t used;
	uint16_t port_id;
	uint16_t queue;
	uint32_t flags;            /* DPVS_CAPTURE_F_* */
	uint32_t snaplen;          /* bytes kept of each packet */
	uint32_t pcapng;
	uint32_t pad;
	struct rte_ring *ring;     /* the tool's (hugepage pointer) */
	struct rte_mempool *mp;    /* the tool's (hugepage pointer) */
};

struct dpvs_capture_ack {
	uint64_t gen;              /* the generation worker i has applied */
	uint32_t busy;             /* worker i is inside a copy into a tool's pool or
				    * ring (whose multi-producer/consumer steps a death
				    * can leave half done: primary/capture.c) */
	uint32_t pad;
} __rte_cache_aligned;

struct dpvs_capture_table {
	uint64_t gen;              /* bumped (release) after each change of cap[] */
	uint8_t pad[56];
	struct dpvs_capture cap[DPVS_CAPTURE_MAX];
	struct dpvs_capture_ack ack[16];   /* per worker (DPVS_MAX_WORKERS) */
} __rte_cache_aligned;

#endif
