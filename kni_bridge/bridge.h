/*
 * The exception bridge's loop (ARCHITECTURE.md section 6), kept apart from
 * main.c so that the unit tests can drive its decisions.
 *
 * In: for each port, the to-kernel rings dpvs_tokni_<p>_<w>, one per worker
 * (consumer side), and the exception tap root->ports[p].kni_port_id (rx and tx queue 0).
 * Out: frames written into the tap; frames the kernel wrote, handed to a
 * worker through dpvs_fromkni_<p>_<w> (producer side); root->bridge_stats[p].
 * No state a restart would lose: the round-robin cursor and the idle sleep
 * are the only process-local values.
 */
#ifndef DPVS_KNI_BRIDGE_BRIDGE_H
#define DPVS_KNI_BRIDGE_BRIDGE_H

#include <stdint.h>

#include "shm/shm.h"

#define BRIDGE_SLEEP_MIN_US 10u
#define BRIDGE_SLEEP_MAX_US 1000u

struct bridge_ctx {
	struct dpvs_shm *shm;
	uint32_t rr;             /* next worker to try for a kernel frame */
	uint32_t sleep_us;       /* current idle sleep, 0 after work */
};

/*
 * The worker that gets the next burst from the kernel: the next one after
 * *rr whose slot is RUNNING (and *rr moves past it). If no worker runs, worker
 * 0: its ring keeps the frames for its successor (and drops them, counted,
 * once full).
 */
uint32_t bridge_pick_worker(const struct dpvs_root *root, uint32_t nworkers, uint32_t *rr);

/* The next idle sleep after a pass that moved `moved` packets: 0 after work,
 * else 10 us doubling up to 1 ms. */
uint32_t bridge_next_sleep_us(uint32_t prev_us, unsigned int moved);

/* One pass over every port, both directions. Returns the packets moved. */
unsigned int bridge_poll_once(struct bridge_ctx *b);

#endif
