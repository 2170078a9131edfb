/*
 * The exception bridge's loop (ARCHITECTURE.md section 6), kept apart from
 * main.c so that the unit tests can drive its decisions.
 *
 * In: for each port, the to-kernel rings of each worker, the priority one
 * (dpvs_toknih_<p>_<w>, taken first) and the bulk one (dpvs_tokni_<p>_<w>)
 * (consumer side), and the exception tap root->ports[p].kni_port_id (rx and tx queue 0).
 * Out: frames written into the tap; frames the kernel wrote, handed to a
 * worker through dpvs_fromkni_<p>_<w> (producer side); root->bridge_stats[p].
 * No state a restart would lose: the idle sleep is the only process-local
 * value, and a frame's worker depends on its flow only (flow.c).
 */
#ifndef DPVS_KNI_BRIDGE_BRIDGE_H
#define DPVS_KNI_BRIDGE_BRIDGE_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "shm/shm.h"

#define BRIDGE_SLEEP_MIN_US 10u
#define BRIDGE_SLEEP_MAX_US 1000u

/* The kernel's tap of a VLAN interface (vtap.c); open = 0: none. */
struct bridge_vtap {
	int fd;
	uint8_t open;
	uint16_t port, vid;
	uint32_t failed;         /* attempts to make it that failed */
	char name[DPVS_VLAN_NAME_LEN];
};

struct bridge_ctx {
	struct dpvs_shm *shm;
	uint32_t sleep_us;       /* current idle sleep, 0 after work */
	uint64_t vtap_version;   /* config set version the taps follow */
	struct bridge_vtap vtap[DPVS_MAX_VLANS]; /* by VLAN slot */
};

/* flow.c: the hash of the flow of a frame the kernel wrote (TCP: addresses
 * and ports; other IP: addresses and protocol; ARP: its addresses; else
 * the destination MAC). No seed: the same in every bridge process. */
uint32_t bridge_flow_hash(const uint8_t *frame, uint32_t len);
/*
 * flow.c: the worker that sends a frame of flow hash `hash`: hash %
 * nworkers, so that one flow always leaves through one worker (no
 * reordering between two tx queues). A worker being replaced (STARTING,
 * BACKOFF) keeps its flows: its ring holds them for its successor (and
 * drops them, counted, once full). Only a FAILED or STOPPED worker's flows
 * go to the next RUNNING worker after it.
 */
uint32_t bridge_flow_worker(const struct dpvs_root *root, uint32_t nworkers, uint32_t hash);

/* The next idle sleep after a pass that moved `moved` packets: 0 after work,
 * else 10 us doubling up to 1 ms. */
uint32_t bridge_next_sleep_us(uint32_t prev_us, unsigned int moved);

/* vtap.c: make and remove the VLAN interfaces' taps ("<name>.kni") as the
 * active config set's vlans[] say (once per config version). */
void bridge_vtap_refresh(struct bridge_ctx *b);
/* vtap.c: remove every tap (the bridge stops cleanly). */
void bridge_vtap_close_all(struct bridge_ctx *b);
/* vtap.c: write the frames of pkts[0, n) (port p's rings) tagged with the id
 * of a VLAN tap into that tap without the tag (counted, freed); the others
 * stay, moved to the front. Returns how many stay. */
unsigned int bridge_vtap_take(struct bridge_ctx *b, uint32_t p, struct rte_mbuf **pkts,
			      unsigned int n);
/* vtap.c: up to max frames the kernel wrote into the VLAN taps of port p,
 * tagged with their VLAN's id, in new mbufs. */
unsigned int bridge_vtap_read(struct bridge_ctx *b, uint32_t p, struct rte_mbuf **pkts,
			      unsigned int max);

/* One pass over every port, both directions. Returns the packets moved. */
unsigned int bridge_poll_once(struct bridge_ctx *b);

#endif
