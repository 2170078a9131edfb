/*
 * Publication of a config set copy (shm/config.h): only dpvs-ctl calls
 * these, from one thread; change.c builds changes on them.
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

/* Make the inactive copy the active one: stamp its version, release-store
 * config.active, bump generation, then wait for every online worker's
 * quiescent state (so the old copy is nobody's any more). If a worker does
 * not confirm within the timeout the change is live all the same; this logs
 * it and the next change waits again before touching the old copy. */
void ctl_publish_swap(struct dpvs_shm *shm);

#endif
