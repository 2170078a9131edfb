/*
 * The show operations of dpvs-ctl: each reads shared memory (config set,
 * worker slots, stats rows, neighbour tables, ethdev counters) and fills the
 * payload of a Response. Read-only on shm; called by the request handler.
 */
#ifndef DPVS_CTL_SHOW_H
#define DPVS_CTL_SHOW_H

#include <stddef.h>

#include "proto/dpvs.pb-c.h"
#include "shm/shm.h"

typedef int (*ctl_show_fn)(struct dpvs_shm *shm, const Dpvs__Request *req,
			   Dpvs__Response *resp, char *err, size_t errlen);

int ctl_show_addrs(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		   char *err, size_t errlen);
int ctl_show_workers(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		     char *err, size_t errlen);
int ctl_show_version(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		     char *err, size_t errlen);
/* stats.c */
int ctl_show_stats(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		   char *err, size_t errlen);
/* neigh.c */
int ctl_show_neighs(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		    char *err, size_t errlen);

/* lbshow.c: a service's (dest = 0) or dest's (dest = 1) counters at slot,
 * summed over the workers' rows that belong to id */
struct ctl_lb_sum {
	uint64_t active, inactive, conns, inpkts, outpkts, inbytes, outbytes;
};
struct ctl_lb_sum ctl_lb_sum_workers(struct dpvs_shm *shm, uint32_t slot, int dest, uint32_t id);

/* lbshow.c: -L -n [--stats], laddr show, route show */
/* timeout show, -L --timeout (timeout.c) */
int ctl_show_timeouts(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		      char *err, size_t errlen);
int ctl_show_services(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		      char *err, size_t errlen);
int ctl_show_laddrs(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		    char *err, size_t errlen);
/* blklst show / whtlst show: the entries of every service (or one), both
 * lists or one, in add order. */
int ctl_show_acls(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		  char *err, size_t errlen);
int ctl_show_routes(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		    char *err, size_t errlen);
/* conns.c: conn show, at most CTL_CONN_SHOW_MAX rows (the rest counted) */
#define CTL_CONN_SHOW_MAX 4096
int ctl_show_conns(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		   char *err, size_t errlen);
/* save.c: save */
int ctl_show_save(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		  char *err, size_t errlen);

/* workerops.c: worker restart N, worker upgrade PATH (asked of the primary) */
int ctl_worker_restart(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		       char *err, size_t errlen);
int ctl_worker_upgrade(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		       char *err, size_t errlen);

/* "stopped", "starting", "running", "backoff", "failed" */
const char *ctl_worker_state_name(uint32_t state);
/* "crash", "hang", "planned", or "" (never replaced) */
const char *ctl_exit_reason_name(uint32_t reason);

#endif
