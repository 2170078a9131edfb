/*
 * worker restart N and worker upgrade PATH (see show.h): dpvs-ctl passes the
 * request to the primary, which owns the worker processes, through
 * root->cmd (the request half is ours), wakes it with SIGUSR1 and waits for
 * its answer (done_seq), beating meanwhile. Writes root->cmd's request half
 * and the Response.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl/common/cli.h"
#include "ctl/common/pb.h"
#include "ctl/daemon/beat.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/show.h"


static int
err_of(int status)
{
	switch (status) {
	case -EINVAL:
	case -EPROTO:
		return -CTL_EINVAL;
	case -EBUSY:
	case -EAGAIN:
	case -ETIMEDOUT:
		return -CTL_EBUSY;
	default:
		return -CTL_EIO;
	}
}

static int
ask_primary(struct dpvs_shm *shm, uint32_t op, uint32_t worker, const char *path,
	    unsigned int timeout_ms, Dpvs__Response *resp, char *err, size_t errlen)
{
	struct dpvs_sup_cmd *cmd = &shm->root->cmd;
	const struct timespec nap = { 0, 1000000 };
	uint64_t deadline = dpvs_now_ns() + (uint64_t)timeout_ms * 1000000ull;
	uint32_t seq = __atomic_load_n(&cmd->req_seq, __ATOMIC_RELAXED) + 1;
	char msg[sizeof(cmd->msg) + 1];
	int status;

	cmd->op = op;
	cmd->worker = worker;
	snprintf(cmd->path, sizeof(cmd->path), "%s", path != NULL ? path : "");
	__atomic_store_n(&cmd->req_seq, seq, __ATOMIC_RELEASE);
	if (shm->root->primary_pid <= 0 || kill(shm->root->primary_pid, SIGUSR1) != 0)
		return dpvs_errf(err, errlen, -CTL_EIO, "cannot reach dpvs-primary (pid %d): %s",
				 (int)shm->root->primary_pid, strerror(errno));
	while (__atomic_load_n(&cmd->done_seq, __ATOMIC_ACQUIRE) != seq) {
		ctl_beat();
		if (dpvs_now_ns() > deadline)
			return dpvs_errf(err, errlen, -CTL_EBUSY,
					 "dpvs-primary did not finish within %u s", timeout_ms / 1000);
		nanosleep(&nap, NULL);
	}
	status = cmd->status;
	memcpy(msg, cmd->msg, sizeof(cmd->msg));
	msg[sizeof(msg) - 1] = '\0';
	if (status != 0)
		return dpvs_errf(err, errlen, err_of(status), "%s", msg);
	resp->message = ctl_pb_strdup(msg);
	return 0;
}

int
ctl_worker_restart(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		   char *err, size_t errlen)
{
	uint32_t id = req->worker_restart != NULL ? req->worker_restart->id : 0;

	if (id >= shm->root->conf.nworkers)
		return dpvs_errf(err, errlen, -CTL_ENOENT, "no worker %u: the node has %u", id,
				 shm->root->conf.nworkers);
	return ask_primary(shm, DPVS_SUP_OP_RESTART, id, NULL, CTL_RESTART_TIMEOUT_MS, resp, err,
			   errlen);
}

int
ctl_worker_upgrade(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		   char *err, size_t errlen)
{
	const char *path = req->worker_upgrade != NULL ? req->worker_upgrade->path : NULL;

	if (path == NULL || path[0] != '/' || strlen(path) >= sizeof(shm->root->cmd.path))
		return dpvs_errf(err, errlen, -CTL_EINVAL, "worker upgrade needs an absolute path");
	return ask_primary(shm, DPVS_SUP_OP_UPGRADE, 0, path, CTL_UPGRADE_TIMEOUT_MS, resp, err,
			   errlen);
}
