/*
 * Reload (issue 7): `dpvsctl reload` and SIGHUP re-read the rules file, check
 * all of it on a scratch set (an invalid file changes nothing and names its
 * line), compute the difference with the running state and apply it as one
 * change (change.h). Objects that did not change keep their slots and ids,
 * so their connections and per-worker counters go on; edited ones are edited
 * in place; a removed dest drains as `-d` does, a removed local address
 * drains (drain.c), a removed service is deleted.
 */
#ifndef DPVS_CTL_RELOAD_H
#define DPVS_CTL_RELOAD_H

#include <stddef.h>
#include <stdint.h>

#include "ctl/daemon/change.h"
#include "proto/dpvs.pb-c.h"
#include "shm/shm.h"

enum { CTL_RL_ADD, CTL_RL_DEL, CTL_RL_EDIT, CTL_RL_N };

struct ctl_reload_result {
	uint32_t svc[CTL_RL_N], dest[CTL_RL_N], laddr[CTL_RL_N], addr[CTL_RL_N];
	uint32_t route[CTL_RL_N], neigh[CTL_RL_N], check[CTL_RL_N], acl[CTL_RL_N];
	uint32_t unchanged;
};

/* The operations that turn cur into tgt (both plain or not; tgt fully
 * derived), appended to ops, with what they change counted in res. */
int ctl_reload_diff(const struct dpvs_config_set *cur, const struct dpvs_config_set *tgt,
		    struct ctl_oplist *ops, struct ctl_reload_result *res);

/* The health checks of the difference (reload_check.c): removals (before
 * anything else goes: a check goes with its dest or service) or additions
 * and edits (after everything else came). 0 or -CTL_ENOMEM. */
int ctl_reload_checks(const struct dpvs_config_set *cur, const struct dpvs_config_set *tgt,
		      struct ctl_oplist *ops, struct ctl_reload_result *res, int additions);

/* The access lists of the difference (reload_acl.c): an entry is matched
 * by its service's key, its list and its prefix. Removals (of services
 * that stay; a service that goes takes its lists along) before anything
 * else, additions after everything else came. 0 or -CTL_ENOMEM. */
int ctl_reload_acls(const struct dpvs_config_set *cur, const struct dpvs_config_set *tgt,
		    struct ctl_oplist *ops, struct ctl_reload_result *res, int additions);

/* The check args of check slot i of set (for a reload, the tests). */
void ctl_check_args_of(const struct dpvs_config_set *set, uint32_t i, struct ctl_check_args *a);

/* Reload the node from the rules file at path. 0, or -CTL_E* with a message
 * ("line N: ..." for a bad file) and nothing changed. */
int ctl_reload(struct dpvs_shm *shm, const char *path, struct ctl_reload_result *res,
	       char *err, size_t errlen);

/* The Reload request: the rules file named in root->conf.rules_path; the
 * reply says what changed. */
int ctl_exec_reload(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		    char *err, size_t errlen);

#endif
