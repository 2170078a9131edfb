/*
 * Config tables: written only by dpvs-ctl, read lock-free by the workers.
 *
 * Publication (ARCHITECTURE.md section 2, rule 3; docs/config.md): there are
 * two copies of the config set, each in its own memzone (DPVS_MZ_CFG_FMT),
 * sized from the capacities in root->conf.caps. At rest the two copies are
 * equal. A change applies its operations to the inactive copy (editing the
 * derived tables of the objects it touches only), release-stores `active`,
 * waits until every worker has reported a quiescent state on the
 * rte_rcu_qsbr in memzone DPVS_MZ_RCU, then replays the same operations on
 * the other copy. A worker loads `active` (acquire) once per loop iteration
 * and reads only that set until it reports quiescent. So no worker ever sees
 * half of a change.
 *
 * Types and names only.
 */
#ifndef DPVS_SHM_CONFIG_H
#define DPVS_SHM_CONFIG_H

#include <stdint.h>

#include "types.h"
#include "lb.h"

#define DPVS_MZ_CFG_FMT   "dpvs_cfg_%u"  /* config set copy 0 or 1 */
#define DPVS_CFG_MAGIC    0x53474643u    /* "CFGS" */
#define DPVS_CFG_PLAIN    0xffu          /* copy index of a set in plain memory */

/* An address of the node on one of its ports. */
struct dpvs_addr_entry {
	struct dpvs_ip addr;
	uint16_t port;            /* interface index: a port index in
				   * dpvs_root.ports, or a VLAN's (above) */
	uint8_t prefixlen;
	uint8_t flags;
	uint32_t pad;
};
_Static_assert(sizeof(struct dpvs_addr_entry) == 28, "dpvs_addr_entry layout");

/* Per-port switches of the running configuration (`dpvsctl port set`),
 * port_flags[] of a set; their defaults come from dpvs.conf ([port.X]
 * forward = on|off, forward2kni = on|off; DPVS_PORT_F_* in
 * dpvs_port_info.flags). */
#define DPVS_CFG_PORTS         8      /* = DPVS_MAX_PORTS (layout.h checks) */
#define DPVS_PORT_CFG_FORWARD  0x1u   /* route what is neither for the load
				       * balancer nor for the node */
#define DPVS_PORT_CFG_FORWARD2KNI 0x2u /* a copy of every frame the port
				       * receives to its kernel interface */

/* The VLAN interfaces of the running configuration (`dpvsctl vlan add NAME
 * dev PORT id ID`), vlans[] of a set, one slot each. The interface of slot s
 * has the interface index DPVS_MAX_PORTS + s (layout.h: DPVS_IFACE_VLAN0):
 * addresses, routes, local addresses and static neighbours name it by that
 * index as they name a data port by its port index. */
#define DPVS_CFG_VLANS         8      /* = DPVS_MAX_VLANS (layout.h checks) */
#define DPVS_VLAN_NAME_LEN     16     /* with its NUL, as a Linux ifname */
#define DPVS_VLAN_NAME_MAX     11     /* characters: "<name>.kni" fits too */
struct dpvs_vlan_cfg {
	char name[DPVS_VLAN_NAME_LEN];   /* "" = free slot */
	uint16_t port;                   /* port index it is on */
	uint16_t vid;                    /* 802.1Q id, 1..4094 */
	uint32_t pad;
};
_Static_assert(sizeof(struct dpvs_vlan_cfg) == 24, "dpvs_vlan_cfg layout");

/* The head of a config set memzone; its tables follow (offsets in lb). */
struct dpvs_config_set {
	uint32_t magic;           /* DPVS_CFG_MAGIC once formatted */
	uint32_t copy;            /* 0 or 1 (its lpm is dpvs_lpm_<copy>); DPVS_CFG_PLAIN */
	uint64_t version;         /* generation that produced this set */
	uint64_t size;            /* bytes of the whole set, tables included */
	uint32_t naddrs;          /* addrs[] is dense: entries in use */
	uint32_t pad;
	uint32_t port_flags[DPVS_CFG_PORTS]; /* DPVS_PORT_CFG_* per port index */
	struct dpvs_vlan_cfg vlans[DPVS_CFG_VLANS];
	struct dpvs_lb_tables lb;  /* services, dests, routes, ... (shm/lb.h) */
};

/* In the root: which copy the workers read. */
struct dpvs_config {
	uint32_t active;          /* 0 or 1: the copy the workers read */
	uint32_t pad;
	uint64_t generation;      /* bumped at every publish */
};

#endif
