/*
 * Config tables: written only by dpvs-ctl, read lock-free by the workers.
 *
 * Publication (ARCHITECTURE.md section 2, rule 3): there are two copies of the
 * config set. dpvs-ctl copies the active one into the other, edits it, then
 * release-stores `active`; it reuses the old copy only after every worker has
 * reported a quiescent state on the rte_rcu_qsbr in memzone DPVS_MZ_RCU. A
 * worker loads `active` (acquire) once per loop iteration and reads only that
 * set until it reports quiescent. So no worker ever sees half of a change.
 *
 * Types and names only.
 */
#ifndef DPVS_SHM_CONFIG_H
#define DPVS_SHM_CONFIG_H

#include <stdint.h>

#include "types.h"
#include "lb.h"

#define DPVS_MAX_ADDRS 256

/* An address of the node on one of its ports. */
struct dpvs_addr_entry {
	struct dpvs_ip addr;
	uint16_t port;            /* port index in dpvs_root.ports */
	uint8_t prefixlen;
	uint8_t flags;
	uint32_t pad;
};
_Static_assert(sizeof(struct dpvs_addr_entry) == 28, "dpvs_addr_entry layout");

struct dpvs_config_set {
	uint64_t version;         /* generation that produced this set */
	uint32_t naddrs;
	uint32_t pad;
	struct dpvs_addr_entry addrs[DPVS_MAX_ADDRS];
	struct dpvs_lb_tables lb;  /* services, dests, routes, ... (shm/lb.h) */
};

struct dpvs_config {
	uint32_t active;          /* 0 or 1: index into set[] the workers read */
	uint32_t pad;
	uint64_t generation;      /* bumped at every publish */
	struct dpvs_config_set set[2];
};

#endif
