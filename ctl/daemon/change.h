/*
 * A change of the running configuration (docs/config.md): a list of
 * operations (plain C arguments of the front doors, lb.h / addr.h) applied
 * as one publication.
 *
 *   ctl_change_run()  applies the operations to the inactive copy (each
 *                     front door edits only what it touches, derived tables
 *                     included, and that copy's rte_lpm route by route),
 *                     rebuilds the mh/conhash tables it marked, release-stores
 *                     config.active, waits for every worker's quiescent
 *                     state, then replays the same operations on the other
 *                     copy, so that both are equal again. An operation that
 *                     fails leaves nothing changed: the first one to fail
 *                     stops the change and the inactive copy is put back.
 *   ctl_change_sync() makes the inactive copy equal to the active one (a full
 *                     copy and a rebuild of its lpm): dpvs-ctl runs it once
 *                     at start, since its predecessor may have died at any
 *                     point of a change.
 *
 * Only dpvs-ctl calls these, from one thread. Writes root->config, the two
 * config sets and their lpms.
 */
#ifndef DPVS_CTL_CHANGE_H
#define DPVS_CTL_CHANGE_H

#include <stddef.h>

#include "ctl/daemon/lb.h"
#include "ctl/daemon/port.h"
#include "ctl/daemon/vlan.h"
#include "shm/shm.h"

enum ctl_op_kind {
	CTL_OP_ADDR_ADD = 1,
	CTL_OP_ADDR_DEL,
	CTL_OP_SVC_ADD,
	CTL_OP_SVC_EDIT,
	CTL_OP_SVC_DEL,
	CTL_OP_DEST_ADD,
	CTL_OP_DEST_EDIT,
	CTL_OP_DEST_DEL,
	CTL_OP_LADDR_ADD,
	CTL_OP_LADDR_DEL,
	CTL_OP_ROUTE_ADD,
	CTL_OP_ROUTE_DEL,
	CTL_OP_NEIGH_ADD,
	CTL_OP_NEIGH_DEL,
	CTL_OP_DRAIN_DROP,     /* a draining local address is no longer used */
	CTL_OP_PREPARE,        /* default timeouts and first id of a fresh set */
	CTL_OP_PORT_SET,       /* a per-port switch (port.h) */
	CTL_OP_CHECK_SET,
	CTL_OP_CHECK_DEL,
	CTL_OP_DEST_HEALTH,    /* the check engine's verdict on a dest */
	CTL_OP_TIMEOUT_SET,    /* connection timeouts (0: unchanged) */
	CTL_OP_ACL_ADD,        /* blklst / whtlst add */
	CTL_OP_ACL_DEL,
	CTL_OP_VLAN_ADD,       /* a VLAN interface (vlan.h) */
	CTL_OP_VLAN_DEL,
};

struct ctl_drain_args {
	struct dpvs_ip ip;
	uint8_t proto;
};

struct ctl_op {
	int kind;                     /* enum ctl_op_kind */
	unsigned int line;            /* rules-file line it came from, 0 = none */
	/* non-empty: the dev of an addr, route, laddr or neigh op that is no
	 * data port, resolved against the set when applied (its port field is
	 * CTL_IFACE_BYNAME until then; vlan.h) */
	char ifname[DPVS_VLAN_NAME_LEN];
	union {
		struct dpvs_addr_entry addr;
		struct ctl_svc_args svc;
		struct ctl_dest_args dest;
		struct ctl_laddr_args laddr;
		struct ctl_route_args route;
		struct ctl_sneigh_args sneigh;
		struct ctl_drain_args drain;
		struct ctl_port_args port;
		struct ctl_check_args check;
		struct ctl_health_args health;
		struct dpvs_timeouts timeouts;
		struct ctl_acl_args acl;
		struct ctl_vlan_args vlan;
	} u;
};

struct ctl_oplist {
	struct ctl_op *v;
	size_t n, cap;
};

/* A zeroed op at the end of l (NULL when out of memory). */
struct ctl_op *ctl_oplist_push(struct ctl_oplist *l);
void ctl_oplist_free(struct ctl_oplist *l);

/* One operation on set through its front door. 0 or -CTL_E* with a message;
 * on error set is unchanged. */
int ctl_op_apply(struct dpvs_config_set *set, const struct dpvs_root *root,
		 const struct ctl_op *op, char *err, size_t errlen);

/* Apply ops to set in order and rebuild the scheduler tables they marked.
 * On error *failed is the index of the failing op and set is left as it is
 * (the caller restores it). */
int ctl_ops_apply(struct dpvs_config_set *set, const struct dpvs_root *root,
		  const struct ctl_op *ops, size_t n, size_t *failed, char *err, size_t errlen);

int ctl_change_run(struct dpvs_shm *shm, const struct ctl_op *ops, size_t n, char *err,
		   size_t errlen);
int ctl_change_sync(struct dpvs_shm *shm, char *err, size_t errlen);

/* A copy of set in plain memory (its copy index DPVS_CFG_PLAIN: no lpm),
 * for scratch work; free() it. NULL when out of memory. */
struct dpvs_config_set *ctl_set_dup(const struct dpvs_config_set *set);

/* Drop the draining local addresses that no live connection uses any more
 * (drain.c), as one change. Returns how many still drain, or a negative
 * code. */
int ctl_drain_tick(struct dpvs_shm *shm);

#endif
