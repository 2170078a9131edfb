/*
 * The thinking behind the hashing schedulers, done in control: build the
 * per-service lookup table (the service's table of the pool, bucket ->
 * position in its dest list) that the workers' mh and conhash schedulers
 * only read.
 *
 *   mh       Maglev: each available dest fills the table from its own
 *            permutation (offset, skip from two hashes of its address and
 *            port), weighted by dest weight; removing one of N dests remaps
 *            about 1/N of the buckets.
 *   conhash  a ring of virtual nodes (count proportional to weight) per dest,
 *            sampled at every bucket: stable for a given set of dests.
 *
 * Called by dpvs-ctl on the inactive config set before it is published,
 * for every service whose scheduler is mh or conhash. Pure: plain memory.
 */
#ifndef DPVS_CTL_SCHED_BUILD_H
#define DPVS_CTL_SCHED_BUILD_H

#include <stdint.h>

#include "shm/lb.h"
#include "shm/sched_hash.h"

/* Fill the table of service slot svc (its sched_tbl; nothing when it has
 * none) from its dests (weight > 0 only); every bucket DPVS_SLOT_NONE when
 * none is available. */
void ctl_sched_build(struct dpvs_lb_tables *lb, uint16_t svc);

/* The hash a worker uses to index the table for a packet from src:sport
 * (sport is ignored unless the service has DPVS_SVC_F_HASHED):
 * dpvs_sched_hash(), a static inline in shm/sched_hash.h so that both
 * sides compile the same code and agree without linking each other. */

#endif
