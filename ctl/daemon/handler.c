/*
 * The request handler (see handler.h). A configuration request becomes one
 * operation and goes through change.c (apply to the inactive copy, publish,
 * wait for the workers, replay on the other copy); a show request through
 * its show function. Writes only the config sets, via change.c.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ctl/common/pb.h"
#include "ctl/daemon/apply.h"
#include "ctl/daemon/change.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/handler.h"
#include "ctl/daemon/log.h"
#include "ctl/daemon/port.h"
#include "ctl/daemon/reload.h"
#include "ctl/daemon/show.h"
#include "ctl/daemon/vlan.h"

struct show_row {
	Dpvs__Request__OpCase op;
	ctl_show_fn fn;
};

static const struct show_row show_table[] = {
	{ DPVS__REQUEST__OP_ADDR_SHOW, ctl_show_addrs },
	{ DPVS__REQUEST__OP_NEIGH_SHOW, ctl_show_neighs },
	{ DPVS__REQUEST__OP_STATS_SHOW, ctl_show_stats },
	{ DPVS__REQUEST__OP_WORKER_SHOW, ctl_show_workers },
	{ DPVS__REQUEST__OP_VERSION_SHOW, ctl_show_version },
	{ DPVS__REQUEST__OP_SVC_SHOW, ctl_show_services },
	{ DPVS__REQUEST__OP_LADDR_SHOW, ctl_show_laddrs },
	{ DPVS__REQUEST__OP_ROUTE_SHOW, ctl_show_routes },
	{ DPVS__REQUEST__OP_CONN_SHOW, ctl_show_conns },
	{ DPVS__REQUEST__OP_SAVE, ctl_show_save },
	{ DPVS__REQUEST__OP_TIMEOUT_SHOW, ctl_show_timeouts },
	/* not shows, nor changes of the config: requests to the primary */
	{ DPVS__REQUEST__OP_WORKER_RESTART, ctl_worker_restart },
	{ DPVS__REQUEST__OP_WORKER_UPGRADE, ctl_worker_upgrade },
	{ DPVS__REQUEST__OP_RELOAD, ctl_exec_reload },
	{ DPVS__REQUEST__OP_PORT_SHOW, ctl_show_ports },
	{ DPVS__REQUEST__OP_ACL_SHOW, ctl_show_acls },
	{ DPVS__REQUEST__OP_VLAN_SHOW, ctl_show_vlans },
};

/* One configuration request as one atomic change. */
static int
execute_change(struct dpvs_shm *shm, const Dpvs__Request *req, char *err, size_t errlen)
{
	struct ctl_op op;
	int rc;

	rc = ctl_op_from_request(shm->root, req, &op, err, errlen);
	if (rc != 0)
		return rc;
	return ctl_change_run(shm, &op, 1, err, errlen);
}

Dpvs__Response *
ctl_execute(struct dpvs_shm *shm, const Dpvs__Request *req)
{
	Dpvs__Response *resp = ctl_pb_response(DPVS__STATUS__OK, NULL);
	char err[512] = "";
	size_t i;
	int rc = -CTL_EUNSUPP;

	if (ctl_request_is_mutation(req)) {
		rc = execute_change(shm, req, err, sizeof(err));
	} else {
		for (i = 0; i < sizeof(show_table) / sizeof(show_table[0]); i++)
			if (show_table[i].op == req->op_case)
				break;
		if (i < sizeof(show_table) / sizeof(show_table[0]))
			rc = show_table[i].fn(shm, req, resp, err, sizeof(err));
		else
			dpvs_errf(err, sizeof(err), rc, "unknown operation %d", (int)req->op_case);
	}
	if (rc != 0) {
		dpvs__response__free_unpacked(resp, NULL);
		if (err[0] == '\0')
			dpvs_errf(err, sizeof(err), rc, "%s", ctl_strerror(rc));
		resp = ctl_pb_response(ctl_err_status(rc), err);
	}
	return resp;
}

uint8_t *
ctl_error_packed(Dpvs__Status st, const char *msg, size_t *len)
{
	Dpvs__Response *resp = ctl_pb_response(st, msg);
	uint8_t *buf = ctl_pb_pack_response(resp, len);

	dpvs__response__free_unpacked(resp, NULL);
	return buf;
}

bool
ctl_request_readonly_ok(const Dpvs__Request *req)
{
	static const Dpvs__Request__OpCase ro[] = {
		DPVS__REQUEST__OP_ADDR_SHOW, DPVS__REQUEST__OP_NEIGH_SHOW,
		DPVS__REQUEST__OP_STATS_SHOW, DPVS__REQUEST__OP_WORKER_SHOW,
		DPVS__REQUEST__OP_VERSION_SHOW, DPVS__REQUEST__OP_SVC_SHOW,
		DPVS__REQUEST__OP_LADDR_SHOW, DPVS__REQUEST__OP_ROUTE_SHOW,
		DPVS__REQUEST__OP_CONN_SHOW, DPVS__REQUEST__OP_SAVE,
		DPVS__REQUEST__OP_PORT_SHOW, DPVS__REQUEST__OP_TIMEOUT_SHOW,
		DPVS__REQUEST__OP_ACL_SHOW,
		DPVS__REQUEST__OP_VLAN_SHOW,
	};
	size_t i;

	for (i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		if (req->op_case == ro[i])
			return true;
	return false;
}

static int
handle(struct dpvs_shm *shm, bool readonly, const uint8_t *in, size_t inlen, uint8_t **out,
       size_t *outlen)
{
	Dpvs__Request *req;
	Dpvs__Response *resp;

	const char *nul;
	char msg[192];

	req = dpvs__request__unpack(NULL, inlen, in);
	if (req == NULL) {
		*out = ctl_error_packed(DPVS__STATUS__ERR_MALFORMED,
					"malformed request: not a dpvs.Request", outlen);
		return *out != NULL ? -CTL_EMALFORMED : -CTL_ENOMEM;
	}
	nul = ctl_pb_find_nul(&dpvs__request__descriptor, in, inlen, 0);
	if (nul != NULL) {
		dpvs__request__free_unpacked(req, NULL);
		snprintf(msg, sizeof(msg), "invalid request: text field '%s' contains a NUL byte",
			 nul);
		*out = ctl_error_packed(DPVS__STATUS__ERR_INVALID, msg, outlen);
		return *out != NULL ? 0 : -CTL_ENOMEM;
	}
	if (readonly && !ctl_request_readonly_ok(req)) {
		snprintf(msg, sizeof(msg), "permission denied: read-only (members of [ctl] "
			 "readonly_group %s may only show)", shm->root->conf.readonly_group);
		dpvs__request__free_unpacked(req, NULL);
		*out = ctl_error_packed(DPVS__STATUS__ERR_PERMISSION, msg, outlen);
		return *out != NULL ? 0 : -CTL_ENOMEM;
	}
	resp = ctl_execute(shm, req);
	if (resp->status != DPVS__STATUS__OK && ctl_request_is_mutation(req))
		CTL_LOG(INFO, "change refused: %s", resp->message);
	dpvs__request__free_unpacked(req, NULL);
	*out = ctl_pb_pack_response(resp, outlen);
	dpvs__response__free_unpacked(resp, NULL);
	return *out != NULL ? 0 : -CTL_ENOMEM;
}

int
ctl_handle(struct dpvs_shm *shm, const uint8_t *in, size_t inlen, uint8_t **out,
	   size_t *outlen)
{
	return handle(shm, false, in, inlen, out, outlen);
}

int
ctl_handle_readonly(struct dpvs_shm *shm, const uint8_t *in, size_t inlen, uint8_t **out,
		    size_t *outlen)
{
	return handle(shm, true, in, inlen, out, outlen);
}
