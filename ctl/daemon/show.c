/*
 * addr show, worker show, version (see show.h). Reads the active config set
 * and the worker slots; writes only the Response.
 */
#include <string.h>

#include "ctl/common/pb.h"
#include "ctl/common/version.h"
#include "ctl/daemon/addr.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/show.h"
#include "ctl/daemon/vlan.h"

const char *
ctl_worker_state_name(uint32_t state)
{
	switch (state) {
	case DPVS_WORKER_STOPPED:
		return "stopped";
	case DPVS_WORKER_STARTING:
		return "starting";
	case DPVS_WORKER_RUNNING:
		return "running";
	case DPVS_WORKER_BACKOFF:
		return "backoff";
	case DPVS_WORKER_FAILED:
		return "failed";
	default:
		return "unknown";
	}
}

const char *
ctl_exit_reason_name(uint32_t reason)
{
	switch (reason) {
	case DPVS_EXIT_CRASH:
		return "crash";
	case DPVS_EXIT_HANG:
		return "hang";
	case DPVS_EXIT_PLANNED:
		return "planned";
	default:
		return "";
	}
}

int
ctl_show_addrs(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
	       char *err, size_t errlen)
{
	const struct dpvs_root *root = shm->root;
	const struct dpvs_config_set *set = dpvs_config_active(shm);
	const char *dev = req->addr_show != NULL ? req->addr_show->dev : NULL;
	Dpvs__AddrList *l;
	int port = -1;
	uint32_t i;

	if (dev != NULL && dev[0] != '\0') {
		port = ctl_iface_find(set, root, dev, err, errlen);
		if (port < 0)
			return port;
	}
	l = ctl_pb_alloc(sizeof(*l));
	dpvs__addr_list__init(l);
	resp->addrs = l;
	resp->payload_case = DPVS__RESPONSE__PAYLOAD_ADDRS;
	for (i = 0; i < set->naddrs && i < set->lb.caps.addrs; i++) {
		const struct dpvs_addr_entry *e = &dpvs_cfg_addrs(set)[i];
		Dpvs__Addr **slot, *a;

		if (port >= 0 && e->port != port)
			continue;
		if (e->port >= DPVS_MAX_IFACES)
			continue;
		a = ctl_pb_alloc(sizeof(*a));
		dpvs__addr__init(a);
		a->address = ctl_pb_ip(e->addr.family, e->addr.bytes);
		a->prefixlen = e->prefixlen;
		a->dev = ctl_pb_strdup(ctl_iface_name(set, root, e->port));
		slot = ctl_pb_append(&l->addrs, &l->n_addrs, sizeof(*slot));
		*slot = a;
	}
	return 0;
}

int
ctl_show_workers(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		 char *err, size_t errlen)
{
	const struct dpvs_root *root = shm->root;
	uint64_t now = dpvs_now_ns();
	Dpvs__WorkerList *l;
	uint32_t i;

	(void)req;
	(void)err;
	(void)errlen;
	l = ctl_pb_alloc(sizeof(*l));
	dpvs__worker_list__init(l);
	resp->workers = l;
	resp->payload_case = DPVS__RESPONSE__PAYLOAD_WORKERS;
	for (i = 0; i < root->conf.nworkers && i < DPVS_MAX_WORKERS; i++) {
		const struct dpvs_worker_slot *s = &root->workers[i];
		uint64_t hb = __atomic_load_n(&s->self.heartbeat_ns, __ATOMIC_RELAXED);
		Dpvs__Worker **slot, *w;

		w = ctl_pb_alloc(sizeof(*w));
		dpvs__worker__init(w);
		w->id = i;
		w->pid = __atomic_load_n(&s->sup.pid, __ATOMIC_RELAXED);
		w->state = ctl_pb_strdup(ctl_worker_state_name(dpvs_worker_state(s)));
		w->restarts = __atomic_load_n(&s->sup.restarts, __ATOMIC_RELAXED);
		if (hb == 0)
			w->heartbeat_age_ms = -1;
		else
			w->heartbeat_age_ms = now > hb ? (int64_t)((now - hb) / 1000000ull) : 0;
		w->lcore = s->sup.lcore_id;
		w->standby_ready = __atomic_load_n(&root->live.standby_ready, __ATOMIC_RELAXED);
		w->last_exit = ctl_pb_strdup(ctl_exit_reason_name(s->sup.last_exit));
		w->last_gap_us = s->sup.last_exit == DPVS_EXIT_NONE ? -1 :
				 (int64_t)(__atomic_load_n(&s->sup.last_gap_ns, __ATOMIC_RELAXED) / 1000u);
		slot = ctl_pb_append(&l->workers, &l->n_workers, sizeof(*slot));
		*slot = w;
	}
	return 0;
}

int
ctl_show_version(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		 char *err, size_t errlen)
{
	Dpvs__Version *v;
	char dpdk[sizeof(shm->root->dpdk_version) + 1];

	(void)req;
	(void)err;
	(void)errlen;
	memcpy(dpdk, shm->root->dpdk_version, sizeof(shm->root->dpdk_version));
	dpdk[sizeof(dpdk) - 1] = '\0';
	v = ctl_pb_alloc(sizeof(*v));
	dpvs__version__init(v);
	v->version = ctl_pb_strdup(DPVS_MP_VERSION);
	v->dpdk = ctl_pb_strdup(dpdk);
	v->layout = shm->root->layout_version;
	resp->version = v;
	resp->payload_case = DPVS__RESPONSE__PAYLOAD_VERSION;
	return 0;
}
