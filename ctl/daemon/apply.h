/*
 * Wire types stop here: a configuration Request (addr add, addr del, ...)
 * becomes a call of its front-door function on a config set in plain memory.
 * Used by the request handler and the rules loader. A new configuration
 * command is one more row in the table of apply.c.
 */
#ifndef DPVS_CTL_APPLY_H
#define DPVS_CTL_APPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/dpvs.pb-c.h"
#include "shm/layout.h"

/* True if req changes the configuration (has a row in the apply table). */
bool ctl_request_is_mutation(const Dpvs__Request *req);

/* Apply one configuration request to set. Returns 0 or -CTL_E* with a
 * message in err; on error set is unchanged. */
int ctl_apply_request(struct dpvs_config_set *set, const struct dpvs_root *root,
		      const Dpvs__Request *req, char *err, size_t errlen);

/* Validate an Addr message and turn it into a table entry (port resolved). */
int ctl_addr_from_msg(const struct dpvs_root *root, const Dpvs__Addr *m,
		      struct dpvs_addr_entry *e, char *err, size_t errlen);

/* Rows of the apply table for the load balancer (apply_lb.c): one per
 * object, for its add / edit / del requests. */
int ctl_apply_svc(struct dpvs_config_set *set, const struct dpvs_root *root,
		  const Dpvs__Request *req, char *err, size_t errlen);
int ctl_apply_dest(struct dpvs_config_set *set, const struct dpvs_root *root,
		   const Dpvs__Request *req, char *err, size_t errlen);
int ctl_apply_laddr(struct dpvs_config_set *set, const struct dpvs_root *root,
		    const Dpvs__Request *req, char *err, size_t errlen);
int ctl_apply_route(struct dpvs_config_set *set, const struct dpvs_root *root,
		    const Dpvs__Request *req, char *err, size_t errlen);
int ctl_apply_sneigh(struct dpvs_config_set *set, const struct dpvs_root *root,
		     const Dpvs__Request *req, char *err, size_t errlen);

#endif
