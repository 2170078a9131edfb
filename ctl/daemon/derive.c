/*
 * The derived parts of a config set's load-balancer tables (see lb.h): the
 * connected routes (from the addresses), the service hash and the static
 * neighbour hash (indexed as shm/lb_hash.h says), and the Maglev / consistent
 * hash tables of mh and conhash services (ctl_sched_build). Run by dpvs-ctl
 * on the inactive copy just before it is published, and by the rules loader.
 * Pure: plain memory, touches only the set passed in.
 */
#include <string.h>

#include "ctl/daemon/lb.h"
#include "ctl/daemon/sched_build.h"
#include "shm/lb_hash.h"

static void
derive_svc_hash(struct dpvs_lb_tables *lb)
{
	uint16_t i;

	memset(lb->svc_hash, 0, sizeof(lb->svc_hash));
	for (i = 0; i < DPVS_MAX_SERVICES; i++) {
		const struct dpvs_service *s = &lb->services[i];
		uint32_t h;

		if (s->id == 0)
			continue;
		h = dpvs_svc_hash(s->proto, &s->vip, s->vport);
		while (lb->svc_hash[h] != 0)
			h = (h + 1) & (DPVS_SVC_HASH_SLOTS - 1);
		lb->svc_hash[h] = (uint16_t)(i + 1);
	}
}

static void
derive_sneigh_hash(struct dpvs_lb_tables *lb)
{
	uint32_t i;

	memset(lb->sneigh_hash, 0, sizeof(lb->sneigh_hash));
	for (i = 0; i < lb->nsneigh && i < DPVS_MAX_STATIC_NEIGH; i++) {
		const struct dpvs_static_neigh *e = &lb->sneigh[i];
		uint32_t h = dpvs_sneigh_hash(&e->ip, e->port);

		while (lb->sneigh_hash[h] != 0)
			h = (h + 1) & (DPVS_SNEIGH_HASH_SLOTS - 1);
		lb->sneigh_hash[h] = (uint16_t)(i + 1);
	}
}

/* mh and conhash services get their table; every other slot is all
 * DPVS_SLOT_NONE so that a stale table is never read by mistake. */
static void
derive_sched_tables(struct dpvs_lb_tables *lb)
{
	uint16_t i;

	for (i = 0; i < DPVS_MAX_SERVICES; i++) {
		const struct dpvs_service *s = &lb->services[i];

		if (s->id != 0 && (s->sched_id == DPVS_SCHED_MH ||
				   s->sched_id == DPVS_SCHED_CONHASH))
			ctl_sched_build(lb, i);
		else
			memset(lb->sched_table[i], 0xff, sizeof(lb->sched_table[i]));
	}
}

void
ctl_lb_derive(struct dpvs_config_set *set)
{
	ctl_lb_prepare(&set->lb);
	ctl_route_connected_rebuild(set);
	derive_svc_hash(&set->lb);
	derive_sneigh_hash(&set->lb);
	derive_sched_tables(&set->lb);
}
