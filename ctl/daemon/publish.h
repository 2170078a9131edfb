/*
 * Publication of a new config set (shm/config.h, docs/processes.md): only
 * dpvs-ctl calls these, from one thread.
 *
 *   ctl_publish_begin()  waits until no worker can still read the inactive
 *                        copy, copies the active set into it, returns it;
 *   ...                  the caller applies one or many front-door operations
 *                        to that copy (nothing is visible yet; on error it
 *                        simply does not commit);
 *   ctl_publish_commit() rebuilds the derived tables of the copy (hashes,
 *                        connected routes, scheduler tables, its rte_lpm),
 *                        release-stores config.active, bumps generation and
 *                        waits for every online worker's quiescent state.
 */
#ifndef DPVS_CTL_PUBLISH_H
#define DPVS_CTL_PUBLISH_H

#include <stddef.h>

#include "shm/shm.h"

#define CTL_RCU_TIMEOUT_MS 2000

/* Wait (polling, short sleeps) until every online reader of v has reported a
 * quiescent state after this call. v may be NULL (no readers). Returns 0 or
 * -CTL_EBUSY after timeout_ms. */
int ctl_rcu_wait(struct rte_rcu_qsbr *v, unsigned int timeout_ms);

int ctl_publish_begin(struct dpvs_shm *shm, struct dpvs_config_set **set, char *err,
		      size_t errlen);

/* Returns 0 once the set is active, or a negative code (the route lookup
 * table could not be filled) with nothing published. If a worker does not confirm within the
 * timeout the change is live all the same; this logs it and the next
 * ctl_publish_begin() waits again before touching the old copy. */
int ctl_publish_commit(struct dpvs_shm *shm, char *err, size_t errlen);

#endif
