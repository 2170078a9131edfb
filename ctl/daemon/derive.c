/*
 * The derived parts of a config set's load-balancer tables (see lb.h): the
 * connected routes (from the addresses), the service hash, the static
 * neighbour hash and the address index (node addresses, VIPs, local
 * addresses; indexed as shm/lb_hash.h says), and the Maglev / consistent
 * hash tables of mh and conhash services (ctl_sched_build). Run by dpvs-ctl
 * on the inactive copy just before it is published, and by the rules loader.
 * Pure: plain memory, touches only the set passed in.
 */
#include <netinet/in.h>
#include <string.h>

#include "ctl/daemon/lb.h"
#include "ctl/daemon/sched_build.h"
#include "shm/layout.h"
#include "shm/lb_hash.h"

_Static_assert(DPVS_MAX_PORTS <= 8, "dpvs_addr_ix.ports is an 8-bit mask");
_Static_assert(DPVS_ADDR_HASH_SLOTS >
		       2 * (DPVS_MAX_ADDRS + DPVS_MAX_SERVICES * (1 + DPVS_MAX_SVC_LADDRS)),
	       "the address index must stay at most half full");

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

/* The entry of ip in the address index, made if it is not there yet (the
 * index has room for every address a set can name); NULL for an address
 * of no family. */
static struct dpvs_addr_ix *
addr_ix_get(struct dpvs_lb_tables *lb, const struct dpvs_ip *ip)
{
	uint32_t h = dpvs_addr_hash(ip);
	struct dpvs_addr_ix *e;

	if (ip->family == DPVS_AF_NONE)
		return NULL;
	for (;;) {
		e = &lb->addr_hash[h];
		if (e->ip.family == DPVS_AF_NONE) {
			e->ip = *ip;
			return e;
		}
		if (dpvs_ip_equal(&e->ip, ip))
			return e;
		h = (h + 1) & (DPVS_ADDR_HASH_SLOTS - 1);
	}
}

static void
derive_addr_hash(struct dpvs_config_set *set)
{
	struct dpvs_lb_tables *lb = &set->lb;
	struct dpvs_addr_ix *e;
	uint32_t i, j, n;

	memset(lb->addr_hash, 0, sizeof(lb->addr_hash));
	for (i = 0; i < set->naddrs && i < DPVS_MAX_ADDRS; i++) {
		e = addr_ix_get(lb, &set->addrs[i].addr);
		if (e != NULL && set->addrs[i].port < DPVS_MAX_PORTS)
			e->ports |= (uint8_t)(1u << set->addrs[i].port);
	}
	for (i = 0; i < DPVS_MAX_SERVICES; i++) {
		const struct dpvs_service *s = &lb->services[i];
		uint8_t tcp = s->proto == IPPROTO_TCP;

		if (s->id == 0 || (s->proto != IPPROTO_TCP && s->proto != IPPROTO_UDP))
			continue;
		e = addr_ix_get(lb, &s->vip);
		if (e != NULL)
			e->lb |= tcp ? DPVS_ADDR_IX_VIP_TCP : DPVS_ADDR_IX_VIP_UDP;
		n = s->nladdrs < DPVS_MAX_SVC_LADDRS ? s->nladdrs : DPVS_MAX_SVC_LADDRS;
		for (j = 0; j < n; j++) {
			e = addr_ix_get(lb, &s->laddrs[j]);
			if (e != NULL)
				e->lb |= tcp ? DPVS_ADDR_IX_LADDR_TCP : DPVS_ADDR_IX_LADDR_UDP;
		}
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
	derive_addr_hash(set);
	derive_sched_tables(&set->lb);
}
