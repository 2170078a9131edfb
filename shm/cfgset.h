/*
 * The capacity-sized tables of a config set (shm/config.h, shm/lb.h) and of a
 * worker region (shm/layout.h): capacities with their defaults and limits,
 * the layout computed from them, and the accessors every process uses.
 *
 * Sizes come from [tables] in dpvs.conf (struct dpvs_caps, in root->conf);
 * the primary formats each memzone with dpvs_cfgset_format() /
 * dpvs_wr_format(), and a table is then at a byte offset from its header.
 * The accessors are static inline and cost one offset add: the workers call
 * them per packet. dpvs_cfgset_layout() is a pure function of the caps, so
 * a secondary checks at attach that the memzone it finds was laid out the
 * way this build lays it out.
 */
#ifndef DPVS_SHM_CFGSET_H
#define DPVS_SHM_CFGSET_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "lb.h"

struct dpvs_worker_region;

/* The capacities: X(field, dpvs.conf key, default, min, max). */
#define DPVS_CAPS(X)                                              \
	X(services, "services", 4096, 1, 65534)                   \
	X(dests, "dests", 65536, 1, 1u << 20)                     \
	X(svc_dests, "dests_per_service", 256, 1, 65535)          \
	X(svc_laddrs, "laddrs_per_service", 16, 1, 256)           \
	X(routes, "routes", 1024, 1, 65536)                       \
	X(sneigh, "static_neighbours", 256, 1, 65534)             \
	X(addrs, "addresses", 256, 1, 16384)                      \
	X(sched_tables, "hash_tables", 1024, 0, 65534)             \
	X(checks, "checks", 1024, 0, 65536)                       \
	X(acl_entries, "acl_entries", 4096, 0, 1u << 20)          \
	X(rate_limits, "rate_limits", 1024, 0, 1u << 20)

/* A config set copy may not grow past this (dpvs_caps_check). */
#define DPVS_CFGSET_MAX_BYTES (1ull << 30)

#define DPVS_AT(base, off, T) ((T *)(uintptr_t)((const char *)(base) + (off)))

/* --- config set --- */
static inline struct dpvs_addr_entry *
dpvs_cfg_addrs(const struct dpvs_config_set *s)
{
	return DPVS_AT(&s->lb, s->lb.addrs_off, struct dpvs_addr_entry);
}

static inline struct dpvs_service *
dpvs_lb_svcs(const struct dpvs_lb_tables *lb)
{
	return DPVS_AT(lb, lb->services_off, struct dpvs_service);
}

static inline struct dpvs_service *
dpvs_lb_svc(const struct dpvs_lb_tables *lb, uint32_t slot)
{
	return dpvs_lb_svcs(lb) + slot;
}

/* The dest list of service slot (caps.svc_dests entries, ndests used). */
static inline uint32_t *
dpvs_lb_svc_dests(const struct dpvs_lb_tables *lb, uint32_t slot)
{
	return DPVS_AT(lb, lb->svc_dests_off, uint32_t) + (size_t)slot * lb->caps.svc_dests;
}

/* The local addresses of service slot (caps.svc_laddrs entries). */
static inline struct dpvs_svc_laddr *
dpvs_lb_svc_laddrs(const struct dpvs_lb_tables *lb, uint32_t slot)
{
	return DPVS_AT(lb, lb->svc_laddrs_off, struct dpvs_svc_laddr) +
	       (size_t)slot * lb->caps.svc_laddrs;
}

static inline struct dpvs_dest *
dpvs_lb_dests(const struct dpvs_lb_tables *lb)
{
	return DPVS_AT(lb, lb->dests_off, struct dpvs_dest);
}

static inline struct dpvs_route *
dpvs_lb_routes(const struct dpvs_lb_tables *lb)
{
	return DPVS_AT(lb, lb->routes_off, struct dpvs_route);
}

static inline struct dpvs_static_neigh *
dpvs_lb_sneigh(const struct dpvs_lb_tables *lb)
{
	return DPVS_AT(lb, lb->sneigh_off, struct dpvs_static_neigh);
}

static inline uint16_t *
dpvs_lb_svc_hash(const struct dpvs_lb_tables *lb)
{
	return DPVS_AT(lb, lb->svc_hash_off, uint16_t);
}

static inline uint16_t *
dpvs_lb_sneigh_hash(const struct dpvs_lb_tables *lb)
{
	return DPVS_AT(lb, lb->sneigh_hash_off, uint16_t);
}

static inline struct dpvs_addr_ix *
dpvs_lb_addr_hash(const struct dpvs_lb_tables *lb)
{
	return DPVS_AT(lb, lb->addr_hash_off, struct dpvs_addr_ix);
}

/* Table tbl of the mh/conhash pool (DPVS_SCHED_TABLE_SIZE entries). */
static inline uint16_t *
dpvs_lb_sched_table(const struct dpvs_lb_tables *lb, uint32_t tbl)
{
	return DPVS_AT(lb, lb->sched_off, uint16_t) + (size_t)tbl * DPVS_SCHED_TABLE_SIZE;
}

/* Owner of each pool table: service slot + 1, 0 = free. */
static inline uint16_t *
dpvs_lb_sched_used(const struct dpvs_lb_tables *lb)
{
	return DPVS_AT(lb, lb->sched_used_off, uint16_t);
}

static inline struct dpvs_laddr_drain *
dpvs_lb_drain(const struct dpvs_lb_tables *lb)
{
	return DPVS_AT(lb, lb->drain_off, struct dpvs_laddr_drain);
}

static inline uint16_t *
dpvs_lb_dirty(const struct dpvs_lb_tables *lb)
{
	return DPVS_AT(lb, lb->dirty_off, uint16_t);
}

static inline uint32_t *
dpvs_lb_route6_hash(const struct dpvs_lb_tables *lb)
{
	return DPVS_AT(lb, lb->route6_hash_off, uint32_t);
}

static inline uint8_t *
dpvs_lb_route6_lens(const struct dpvs_lb_tables *lb)
{
	return DPVS_AT(lb, lb->route6_lens_off, uint8_t);
}

static inline uint32_t *
dpvs_lb_route6_len_n(const struct dpvs_lb_tables *lb)
{
	return DPVS_AT(lb, lb->route6_len_n_off, uint32_t);
}

/* Health check slot i (caps.checks of them). */
static inline struct dpvs_check *
dpvs_lb_checks(const struct dpvs_lb_tables *lb)
{
	return DPVS_AT(lb, lb->checks_off, struct dpvs_check);
}

/* Access-list entry slot i (caps.acl_entries of them). */
static inline struct dpvs_acl_entry *
dpvs_lb_acl(const struct dpvs_lb_tables *lb)
{
	return DPVS_AT(lb, lb->acl_off, struct dpvs_acl_entry);
}

/* What the lists of service slot `slot` hold. */
static inline struct dpvs_acl_svc *
dpvs_lb_acl_svc(const struct dpvs_lb_tables *lb, uint32_t slot)
{
	return DPVS_AT(lb, lb->acl_svc_off, struct dpvs_acl_svc) + slot;
}

static inline uint32_t *
dpvs_lb_acl_hash(const struct dpvs_lb_tables *lb)
{
	return DPVS_AT(lb, lb->acl_hash_off, uint32_t);
}

/* Rate-limit entry slot i (caps.rate_limits of them). */
static inline struct dpvs_rate *
dpvs_lb_rates(const struct dpvs_lb_tables *lb)
{
	return DPVS_AT(lb, lb->rates_off, struct dpvs_rate);
}

/* The rate entry (slot + 1, 0 = none) of each service slot / dest slot. */
static inline uint32_t *
dpvs_lb_svc_rate(const struct dpvs_lb_tables *lb)
{
	return DPVS_AT(lb, lb->svc_rate_off, uint32_t);
}

static inline uint32_t *
dpvs_lb_dest_rate(const struct dpvs_lb_tables *lb)
{
	return DPVS_AT(lb, lb->dest_rate_off, uint32_t);
}

/* --- worker region: per-service and per-dest arrays (shm/layout.h) --- */
struct dpvs_sched_state;
struct dpvs_lb_stats;

/* Fill caps with the defaults. */
void dpvs_caps_default(struct dpvs_caps *caps);
/* Are the capacities within their limits and consistent? 0, or -EINVAL
 * with a message naming the dpvs.conf key in err. */
int dpvs_caps_check(const struct dpvs_caps *caps, char *err, size_t errlen);
/* Lay out a set for caps: fills the sizes and offsets of lb (nothing else);
 * returns the bytes of the whole set. */
uint64_t dpvs_cfgset_layout(const struct dpvs_caps *caps, struct dpvs_lb_tables *lb);
/* Format a zeroed area of dpvs_cfgset_layout() bytes as an empty set. */
void dpvs_cfgset_format(struct dpvs_config_set *set, const struct dpvs_caps *caps,
			uint32_t copy);
/* The per-port switches of a fresh set from dpvs.conf (ports[i].flags,
 * layout.h): what a rules file without `port set` lines gives. */
struct dpvs_port_info;
void dpvs_cfgset_port_defaults(struct dpvs_config_set *set, const struct dpvs_port_info *ports,
			       uint32_t nports);
/* An empty set in plain memory (calloc'd; free() it); NULL when out of memory. */
struct dpvs_config_set *dpvs_cfgset_alloc(const struct dpvs_caps *caps);
/* Does set match caps and this build's layout? 0, or -EPROTO with a
 * message in err. */
int dpvs_cfgset_check(const struct dpvs_config_set *set, const struct dpvs_caps *caps,
		      uint64_t mz_len, char *err, size_t errlen);

/* Bytes of a worker region for caps; format a zeroed one. */
uint64_t dpvs_wr_size(const struct dpvs_caps *caps);
void dpvs_wr_format(struct dpvs_worker_region *wr, const struct dpvs_caps *caps,
		    uint32_t worker_id);
int dpvs_wr_check(const struct dpvs_worker_region *wr, const struct dpvs_caps *caps,
		  uint64_t mz_len, char *err, size_t errlen);

#endif
