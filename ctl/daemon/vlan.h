/*
 * Front door of the VLAN interfaces of a config set (vlans[], shm/config.h):
 * `dpvsctl vlan add NAME dev PORT id ID`, `vlan del NAME`, `vlan show`, and
 * the interface names that addresses, routes, local addresses and static
 * neighbours give as "dev": a data port's name or a VLAN's.
 *
 * A request becomes an operation before any config set is at hand (apply.c),
 * so a dev that is no data port is kept by name in the operation (ifname)
 * and resolved when the operation is applied to a set (ctl_op_apply), where
 * the VLANs added earlier in the same change are known. Acts on the set
 * passed in; validates first and changes nothing on error. Callers: apply,
 * change, reload, save, the show handlers, the tests.
 */
#ifndef DPVS_CTL_VLAN_H
#define DPVS_CTL_VLAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto/dpvs.pb-c.h"
#include "shm/shm.h"

/* The placeholder interface index of an operation whose dev is resolved by
 * name when applied (struct ctl_op.ifname). */
#define CTL_IFACE_BYNAME 0x7ffe

struct ctl_vlan_args {
	char name[DPVS_VLAN_NAME_LEN];
	int port;                      /* port index (add) */
	uint16_t vid;                  /* add */
	int slot;                      /* add: the slot to take, -1 = the first free */
};

/* The interface index of dev for a request: a data port's index, or
 * CTL_IFACE_BYNAME with the name copied to ifname (DPVS_VLAN_NAME_LEN
 * bytes) to be resolved against the set. Errors: -CTL_ENOPORT (a name no
 * interface can have). */
int ctl_iface_parse(const struct dpvs_root *root, const char *dev, char *ifname, char *err,
		    size_t errlen);
/* The interface index of name in set (port or VLAN), or -CTL_ENOPORT. */
int ctl_iface_find(const struct dpvs_config_set *set, const struct dpvs_root *root,
		   const char *name, char *err, size_t errlen);
/* Is i a data port or a VLAN of set? */
int ctl_iface_ok(const struct dpvs_config_set *set, const struct dpvs_root *root, uint32_t i);
/* The name of interface i ("?" if none). */
const char *ctl_iface_name(const struct dpvs_config_set *set, const struct dpvs_root *root,
			   uint32_t i);

/* Add a VLAN. Errors: -CTL_ENOPORT (its port), -CTL_EINVAL (id, name),
 * -CTL_EEXIST (name or port+id taken), -CTL_EFULL. */
int ctl_vlan_add(struct dpvs_config_set *set, const struct dpvs_root *root,
		 const struct ctl_vlan_args *a, char *err, size_t errlen);
/* Delete a VLAN by name. Errors: -CTL_ENOENT, -CTL_EBUSY (an address, route,
 * local address or static neighbour is on it). */
int ctl_vlan_del(struct dpvs_config_set *set, const struct dpvs_root *root,
		 const struct ctl_vlan_args *a, char *err, size_t errlen);
/* From a Vlan request. */
int ctl_vlan_args_from_msg(const struct dpvs_root *root, const Dpvs__Vlan *m,
			   struct ctl_vlan_args *a, char *err, size_t errlen);
/* `vlan add` lines of set, in slot order (save). */
void ctl_vlan_save(const struct dpvs_config_set *set, const struct dpvs_root *root, FILE *out);
/* vlan show [NAME] */
int ctl_show_vlans(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		   char *err, size_t errlen);

#endif
