/*
 * dpvs-ctl's heartbeat (see beat.h). Writes root->live.ctl_heartbeat_ns only.
 */
#include "ctl/daemon/beat.h"
#include "shm/shm.h"

static struct dpvs_root *beat_root;

void
ctl_beat_init(struct dpvs_root *root)
{
	beat_root = root;
	ctl_beat();
}

void
ctl_beat(void)
{
	if (beat_root != NULL)
		__atomic_store_n(&beat_root->live.ctl_heartbeat_ns, dpvs_now_ns(),
				 __ATOMIC_RELAXED);
}

uint32_t
ctl_beat_period_ms(void)
{
	uint32_t h = beat_root != NULL ? beat_root->live.hang_timeout_ms : 0;

	if (h == 0)
		return 100;
	return RTE_MAX(20u, RTE_MIN(100u, h / 5));
}
