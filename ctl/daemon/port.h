/*
 * Front door of the per-port switches of a config set (port_flags[],
 * shm/config.h): `dpvsctl port set PORT KEY on|off`, a small command family
 * whose keys are rows of one table (port.c): "forward", "forward2kni". Like the other
 * front doors it acts on a set in plain memory, validates first and changes
 * nothing on error. Callers: apply (handler, rules loader), the tests.
 */
#ifndef DPVS_CTL_PORT_H
#define DPVS_CTL_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto/dpvs.pb-c.h"
#include "shm/shm.h"

struct ctl_port_args {
	int port;                      /* port index */
	uint32_t flag;                 /* one DPVS_PORT_CFG_* bit */
	bool on;
};

/* The DPVS_PORT_CFG_* bit of a key word ("forward"), or 0. */
uint32_t ctl_port_key_flag(const char *key);
/* The key word of a bit, or NULL. */
const char *ctl_port_flag_key(uint32_t flag);
/* Set or clear one switch of a port. Errors: -CTL_ENOPORT, -CTL_EINVAL. */
int ctl_port_set(struct dpvs_config_set *set, const struct dpvs_root *root,
		 const struct ctl_port_args *a, char *err, size_t errlen);
/* From a PortSet request (port by name, key, "on"/"off"). */
int ctl_port_args_from_msg(const struct dpvs_root *root, const Dpvs__PortSet *m,
			   struct ctl_port_args *a, char *err, size_t errlen);
/* `port set` lines for the switches of set that differ from dpvs.conf's
 * defaults (save). */
void ctl_port_save(const struct dpvs_config_set *set, const struct dpvs_root *root, FILE *out);
/* port show [NAME] */
int ctl_show_ports(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		   char *err, size_t errlen);

#endif
