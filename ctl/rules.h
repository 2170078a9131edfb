/*
 * The rules file: the runtime configuration as dpvsctl commands, one per
 * line, without the word "dpvsctl"; '#' starts a comment, blank lines are
 * ignored. Loading is all-or-nothing: the first bad line stops the load with
 * "line N: message" and nothing of the file is applied.
 *
 * Callers: dpvs-ctl at start (--rules) and on reload (ctl/daemon/reload.c),
 * the packet-fixture runner (single process, before any worker is online),
 * the tests.
 */
#ifndef DPVS_CTL_RULES_H
#define DPVS_CTL_RULES_H

#include <stddef.h>

#include "shm/shm.h"

struct ctl_oplist;

/* Parse the file at path into operations (appended to ops, each with its
 * line number); nothing is applied. 0, or -CTL_E* with "line N: ..." . */
int ctl_rules_parse(const struct dpvs_root *root, const char *path, struct ctl_oplist *ops,
		    char *err, size_t errlen);

/* Apply the file at path on top of set (plain memory; no publication).
 * Returns 0, or a negative CTL_E* code with "line N: ..." in err and set
 * unchanged. */
int ctl_rules_apply(struct dpvs_config_set *set, const struct dpvs_root *root,
		    const char *path, char *err, size_t errlen);

/* Load the file at path into the node's running config and publish it as one
 * change (see ctl/daemon/publish.h). Returns 0 or a negative code with a
 * message in err; on error nothing changed. */
int ctl_rules_load(struct dpvs_shm *shm, const char *path, char *err, size_t errlen);

#endif
