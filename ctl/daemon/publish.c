/*
 * Config publication with RCU (see publish.h). Writes root->config and the
 * version of the copy it publishes; reads the RCU state in shm. Runs in
 * dpvs-ctl (or a single-process test).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_rcu_qsbr.h>

#include "ctl/daemon/beat.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/log.h"
#include "ctl/daemon/publish.h"

#define RCU_POLL_NS 100000  /* 100 us between checks */

int
ctl_rcu_wait(struct rte_rcu_qsbr *v, unsigned int timeout_ms)
{
	const struct timespec nap = { 0, RCU_POLL_NS };
	uint64_t deadline, token;

	if (v == NULL)
		return 0;
	token = rte_rcu_qsbr_start(v);
	deadline = dpvs_now_ns() + (uint64_t)timeout_ms * 1000000ull;
	for (;;) {
		if (rte_rcu_qsbr_check(v, token, false) == 1)
			return 0;
		if (dpvs_now_ns() >= deadline)
			return -CTL_EBUSY;
		ctl_beat(); /* waiting, not hung */
		nanosleep(&nap, NULL);
	}
}

void
ctl_publish_swap(struct dpvs_shm *shm)
{
	struct dpvs_config *cfg = &shm->root->config;
	uint32_t active = __atomic_load_n(&cfg->active, __ATOMIC_ACQUIRE) & 1;
	uint64_t gen = cfg->generation + 1;

	shm->set[active ^ 1]->version = gen;
	__atomic_store_n(&cfg->active, active ^ 1, __ATOMIC_RELEASE);
	__atomic_store_n(&cfg->generation, gen, __ATOMIC_RELEASE);
	if (ctl_rcu_wait(shm->rcu, CTL_RCU_TIMEOUT_MS) != 0)
		CTL_LOG(WARNING,
			"config generation %" PRIu64 " is live, but a worker did not confirm "
			"it within %u ms", gen, CTL_RCU_TIMEOUT_MS);
}
