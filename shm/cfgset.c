/*
 * Capacities and the layout of the capacity-sized tables (see cfgset.h).
 * Pure functions of the capacities on plain memory, plus a calloc'd set for
 * dpvs-ctl's scratch copies and the unit tests. No DPDK.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfgset.h"
#include "errf.h"
#include "layout.h"

#define ALIGN64(x) (((x) + 63ull) & ~63ull)

static uint32_t
pow2_at_least(uint64_t n)
{
	uint32_t p = 16;

	while (p < n)
		p <<= 1;
	return p;
}

void
dpvs_caps_default(struct dpvs_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
#define X(f, key, def, lo, hi) caps->f = (def);
	DPVS_CAPS(X)
#undef X
}

uint64_t
dpvs_cfgset_layout(const struct dpvs_caps *c, struct dpvs_lb_tables *lb)
{
	uint64_t base = offsetof(struct dpvs_config_set, lb), off;

	lb->caps = *c;
	lb->svc_hash_slots = pow2_at_least(2ull * c->services);
	lb->sneigh_hash_slots = pow2_at_least(2ull * c->sneigh);
	lb->drain_cap = 2 * c->addrs;
	/* node addresses (local addresses are among them), VIPs, draining
	 * local addresses: at most half full */
	lb->addr_hash_slots = pow2_at_least(2ull * (c->addrs + c->services + lb->drain_cap));
	lb->route6_hash_slots = pow2_at_least(2ull * c->routes);
	lb->acl_hash_slots = pow2_at_least(2ull * c->acl_entries);
	/* offsets from lb; the set header comes first */
	off = ALIGN64(base + sizeof(*lb)) - base;
#define PLACE(field, bytes)                       \
	do {                                      \
		lb->field = off;                  \
		off = ALIGN64(base + off + (bytes)) - base; \
	} while (0)
	PLACE(addrs_off, (uint64_t)c->addrs * sizeof(struct dpvs_addr_entry));
	PLACE(services_off, (uint64_t)c->services * sizeof(struct dpvs_service));
	PLACE(svc_dests_off, (uint64_t)c->services * c->svc_dests * sizeof(uint32_t));
	PLACE(svc_laddrs_off, (uint64_t)c->services * c->svc_laddrs *
				      sizeof(struct dpvs_svc_laddr));
	PLACE(dests_off, (uint64_t)c->dests * sizeof(struct dpvs_dest));
	PLACE(routes_off, (uint64_t)c->routes * sizeof(struct dpvs_route));
	PLACE(sneigh_off, (uint64_t)c->sneigh * sizeof(struct dpvs_static_neigh));
	PLACE(svc_hash_off, (uint64_t)lb->svc_hash_slots * sizeof(uint16_t));
	PLACE(sneigh_hash_off, (uint64_t)lb->sneigh_hash_slots * sizeof(uint16_t));
	PLACE(addr_hash_off, (uint64_t)lb->addr_hash_slots * sizeof(struct dpvs_addr_ix));
	PLACE(sched_off, (uint64_t)c->sched_tables * DPVS_SCHED_TABLE_SIZE * sizeof(uint16_t));
	PLACE(sched_used_off, (uint64_t)c->sched_tables * sizeof(uint16_t));
	PLACE(drain_off, (uint64_t)lb->drain_cap * sizeof(struct dpvs_laddr_drain));
	PLACE(dirty_off, (uint64_t)c->services * sizeof(uint16_t));
	PLACE(route6_hash_off, (uint64_t)lb->route6_hash_slots * sizeof(uint32_t));
	PLACE(route6_lens_off, DPVS_ROUTE6_LENS);
	PLACE(route6_len_n_off, DPVS_ROUTE6_LENS * sizeof(uint32_t));
	PLACE(checks_off, (uint64_t)c->checks * sizeof(struct dpvs_check));
	PLACE(acl_off, (uint64_t)c->acl_entries * sizeof(struct dpvs_acl_entry));
	PLACE(acl_svc_off, (uint64_t)c->services * sizeof(struct dpvs_acl_svc));
	PLACE(acl_hash_off, (uint64_t)lb->acl_hash_slots * sizeof(uint32_t));
	PLACE(rates_off, (uint64_t)c->rate_limits * sizeof(struct dpvs_rate));
	PLACE(svc_rate_off, (uint64_t)c->services * sizeof(uint32_t));
	PLACE(dest_rate_off, (uint64_t)c->dests * sizeof(uint32_t));
#undef PLACE
	lb->end_off = off;
	return base + off;
}

int
dpvs_caps_check(const struct dpvs_caps *c, char *err, size_t errlen)
{
	struct dpvs_lb_tables lb;
	uint64_t sz;

#define X(f, key, def, lo, hi)                                                         \
	if ((uint64_t)c->f + 1 < (uint64_t)(lo) + 1 || c->f > (uint32_t)(hi))          \
		return dpvs_errf(err, errlen, -EINVAL,                                 \
				 "[tables] %s = %u: must be between %u and %u", key, c->f, \
				 (uint32_t)(lo), (uint32_t)(hi));
	DPVS_CAPS(X)
#undef X
	if (c->svc_dests > c->dests)
		return dpvs_errf(err, errlen, -EINVAL,
				 "[tables] dests_per_service = %u is more than dests = %u",
				 c->svc_dests, c->dests);
	if (c->sched_tables > c->services)
		return dpvs_errf(err, errlen, -EINVAL,
				 "[tables] hash_tables = %u is more than services = %u",
				 c->sched_tables, c->services);
	memset(&lb, 0, sizeof(lb));
	sz = dpvs_cfgset_layout(c, &lb);
	if (sz > DPVS_CFGSET_MAX_BYTES)
		return dpvs_errf(err, errlen, -EINVAL,
				 "[tables]: a config set of these sizes needs %llu MiB, at most "
				 "%llu (services x dests_per_service is the big one)",
				 (unsigned long long)(sz >> 20),
				 (unsigned long long)(DPVS_CFGSET_MAX_BYTES >> 20));
	return 0;
}

void
dpvs_cfgset_format(struct dpvs_config_set *set, const struct dpvs_caps *caps, uint32_t copy)
{
	uint32_t i;

	set->magic = DPVS_CFG_MAGIC;
	set->copy = copy;
	set->size = dpvs_cfgset_layout(caps, &set->lb);
	for (i = 0; i < caps->sched_tables; i++)
		memset(dpvs_lb_sched_table(&set->lb, i), 0xff,
		       DPVS_SCHED_TABLE_SIZE * sizeof(uint16_t));
}

void
dpvs_cfgset_port_defaults(struct dpvs_config_set *set, const struct dpvs_port_info *ports,
			  uint32_t nports)
{
	uint32_t i;

	for (i = 0; i < DPVS_CFG_PORTS; i++) {
		set->port_flags[i] = 0;
		if (i >= nports)
			continue;
		if ((ports[i].flags & DPVS_PORT_F_FORWARD) != 0)
			set->port_flags[i] |= DPVS_PORT_CFG_FORWARD;
		if ((ports[i].flags & DPVS_PORT_F_FORWARD2KNI) != 0)
			set->port_flags[i] |= DPVS_PORT_CFG_FORWARD2KNI;
	}
}

struct dpvs_config_set *
dpvs_cfgset_alloc(const struct dpvs_caps *caps)
{
	struct dpvs_lb_tables lb;
	struct dpvs_config_set *set;
	uint64_t sz = dpvs_cfgset_layout(caps, &lb);

	set = aligned_alloc(64, ALIGN64(sz));
	if (set == NULL)
		return NULL;
	memset(set, 0, ALIGN64(sz));
	dpvs_cfgset_format(set, caps, DPVS_CFG_PLAIN);
	return set;
}

int
dpvs_cfgset_check(const struct dpvs_config_set *set, const struct dpvs_caps *caps,
		  uint64_t mz_len, char *err, size_t errlen)
{
	struct dpvs_lb_tables mine;
	uint64_t sz;

	memset(&mine, 0, sizeof(mine));
	sz = dpvs_cfgset_layout(caps, &mine);
	if (set->magic != DPVS_CFG_MAGIC)
		return dpvs_errf(err, errlen, -EPROTO, "config set magic is %#x, expected %#x",
				 set->magic, DPVS_CFG_MAGIC);
	if (set->size != sz || mz_len < sz)
		return dpvs_errf(err, errlen, -EPROTO,
				 "config set is %llu bytes (memzone %llu), %llu here",
				 (unsigned long long)set->size, (unsigned long long)mz_len,
				 (unsigned long long)sz);
	if (memcmp(&set->lb.caps, caps, sizeof(*caps)) != 0 ||
	    set->lb.end_off != mine.end_off || set->lb.dirty_off != mine.dirty_off ||
	    set->lb.addr_hash_slots != mine.addr_hash_slots ||
	    set->lb.route6_hash_slots != mine.route6_hash_slots ||
	    set->lb.route6_len_n_off != mine.route6_len_n_off ||
	    set->lb.acl_hash_slots != mine.acl_hash_slots ||
	    set->lb.dest_rate_off != mine.dest_rate_off)
		return dpvs_errf(err, errlen, -EPROTO,
				 "config set capacities or layout differ from the root's");
	return 0;
}

uint64_t
dpvs_wr_size(const struct dpvs_caps *c)
{
	uint64_t off = ALIGN64(sizeof(struct dpvs_worker_region));

	off += ALIGN64((uint64_t)c->services * sizeof(struct dpvs_sched_state));
	off += ALIGN64((uint64_t)c->services * c->svc_laddrs * sizeof(uint16_t));
	off += ALIGN64((uint64_t)c->services * sizeof(struct dpvs_lb_stats));
	off += ALIGN64((uint64_t)c->dests * sizeof(struct dpvs_lb_stats));
	off += ALIGN64((uint64_t)c->rate_limits * sizeof(struct dpvs_meter_row));
	return off;
}

void
dpvs_wr_format(struct dpvs_worker_region *wr, const struct dpvs_caps *c, uint32_t worker_id)
{
	uint64_t off = ALIGN64(sizeof(struct dpvs_worker_region));

	wr->magic = DPVS_SHM_MAGIC;
	wr->worker_id = worker_id;
	wr->caps = *c;
	wr->sched_off = off;
	off += ALIGN64((uint64_t)c->services * sizeof(struct dpvs_sched_state));
	wr->lport_off = off;
	off += ALIGN64((uint64_t)c->services * c->svc_laddrs * sizeof(uint16_t));
	wr->svc_stats_off = off;
	off += ALIGN64((uint64_t)c->services * sizeof(struct dpvs_lb_stats));
	wr->dest_stats_off = off;
	off += ALIGN64((uint64_t)c->dests * sizeof(struct dpvs_lb_stats));
	wr->meter_off = off;
	off += ALIGN64((uint64_t)c->rate_limits * sizeof(struct dpvs_meter_row));
	wr->size = off;
}

int
dpvs_wr_check(const struct dpvs_worker_region *wr, const struct dpvs_caps *caps,
	      uint64_t mz_len, char *err, size_t errlen)
{
	uint64_t sz = dpvs_wr_size(caps);

	if (wr->magic != DPVS_SHM_MAGIC || wr->size != sz || mz_len < sz ||
	    memcmp(&wr->caps, caps, sizeof(*caps)) != 0)
		return dpvs_errf(err, errlen, -EPROTO,
				 "worker region %u: %llu bytes (memzone %llu), %llu expected for "
				 "the root's capacities", wr->worker_id,
				 (unsigned long long)wr->size, (unsigned long long)mz_len,
				 (unsigned long long)sz);
	return 0;
}
