/*
 * Wire types stop here: a configuration Request (addr add, addr del, ...)
 * becomes an operation (change.h) on its front door. Used by the request
 * handler, the rules loader and reload. A new configuration command is one
 * more row in the table of apply.c.
 */
#ifndef DPVS_CTL_APPLY_H
#define DPVS_CTL_APPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/dpvs.pb-c.h"
#include "shm/layout.h"

struct ctl_op;

/* True if req changes the configuration (has a row in the apply table). */
bool ctl_request_is_mutation(const Dpvs__Request *req);

/* The operation of a configuration request: 0 or -CTL_E* with a message. */
int ctl_op_from_request(const struct dpvs_root *root, const Dpvs__Request *req,
			struct ctl_op *op, char *err, size_t errlen);

/* Apply one configuration request to set (plain memory or not), with its
 * scheduler tables rebuilt. Returns 0 or -CTL_E* with a message in err; on
 * error set is unchanged. */
int ctl_apply_request(struct dpvs_config_set *set, const struct dpvs_root *root,
		      const Dpvs__Request *req, char *err, size_t errlen);

/* Validate an Addr message and turn it into a table entry (a port resolved;
 * another dev name copied to ifname, DPVS_VLAN_NAME_LEN bytes, and resolved
 * when applied: vlan.h). */
int ctl_addr_from_msg(const struct dpvs_root *root, const Dpvs__Addr *m,
		      struct dpvs_addr_entry *e, char *ifname, char *err, size_t errlen);

/* Rows of the apply table for the load balancer (apply_lb.c): one per
 * object, for its add / edit / del requests. */
int ctl_op_svc(const struct dpvs_root *root, const Dpvs__Request *req, struct ctl_op *op,
	       char *err, size_t errlen);
int ctl_op_dest(const struct dpvs_root *root, const Dpvs__Request *req, struct ctl_op *op,
		char *err, size_t errlen);
int ctl_op_laddr(const struct dpvs_root *root, const Dpvs__Request *req, struct ctl_op *op,
		 char *err, size_t errlen);
int ctl_op_route(const struct dpvs_root *root, const Dpvs__Request *req, struct ctl_op *op,
		 char *err, size_t errlen);
int ctl_op_sneigh(const struct dpvs_root *root, const Dpvs__Request *req, struct ctl_op *op,
		  char *err, size_t errlen);
int ctl_op_check(const struct dpvs_root *root, const Dpvs__Request *req, struct ctl_op *op,
		 char *err, size_t errlen);
/* timeout set (timeout.c) */
int ctl_op_timeout(const struct dpvs_root *root, const Dpvs__Request *req, struct ctl_op *op,
		   char *err, size_t errlen);
int ctl_op_acl(const struct dpvs_root *root, const Dpvs__Request *req, struct ctl_op *op,
	       char *err, size_t errlen);

#endif
