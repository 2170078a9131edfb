/*
 * Capture requests of DPDK's tools, answered by the primary for the workers
 * (see capture.h). The request and reply are pdump's own messages of DPDK
 * 22.11 (lib/pdump/rte_pdump.c, private there): their layout is checked by
 * size and version, and anything else is refused with an error the tool
 * prints.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_pdump.h>

#include "shm/shm.h"
#include "capture.h"
#include "log.h"

#define PDUMP_MP "mp_pdump"            /* pdump's action name */

enum { PDUMP_DISABLE = 1, PDUMP_ENABLE = 2 };
enum { PDUMP_V1 = 1, PDUMP_V2 = 2 };   /* V2: pcapng (dumpcap) */

/* pdump's request and response of DPDK 22.11 */
struct pdump_req {
	uint16_t ver;
	uint16_t op;
	uint32_t flags;
	char device[RTE_DEV_NAME_MAX_LEN];
	uint16_t queue;
	struct rte_ring *ring;
	struct rte_mempool *mp;
	const void *prm;                   /* BPF filter (rte_bpf_prm) or NULL */
	uint32_t snaplen;
};
_Static_assert(sizeof(struct pdump_req) == 112, "DPDK 22.11's pdump request");

struct pdump_resp {
	uint16_t ver;
	uint16_t res_op;
	int32_t err_value;
};

static struct dpvs_root *cap_root;
/* the multi-process thread (requests) and the main thread (a death) both
 * edit the table */
static pthread_mutex_t cap_lock = PTHREAD_MUTEX_INITIALIZER;

static int
queues_overlap(uint16_t a, uint16_t b)
{
	return a == DPVS_CAPTURE_ALL_Q || b == DPVS_CAPTURE_ALL_Q || a == b;
}

int
capture_table_enable(struct dpvs_capture_table *t, uint16_t port_id, uint16_t queue,
		     uint32_t flags, uint32_t snaplen, int pcapng, struct rte_ring *ring,
		     struct rte_mempool *mp)
{
	struct dpvs_capture *free_e = NULL;
	unsigned int i;

	for (i = 0; i < DPVS_CAPTURE_MAX; i++) {
		struct dpvs_capture *e = &t->cap[i];

		if (!e->used) {
			if (free_e == NULL)
				free_e = e;
			continue;
		}
		if (e->port_id == port_id && queues_overlap(e->queue, queue) &&
		    (e->flags & flags) != 0)
			return -EEXIST;
	}
	if (free_e == NULL)
		return -ENOSPC;
	free_e->port_id = port_id;
	free_e->queue = queue;
	free_e->flags = flags;
	free_e->snaplen = snaplen;
	free_e->pcapng = pcapng != 0;
	free_e->ring = ring;
	free_e->mp = mp;
	__atomic_store_n(&free_e->used, 1, __ATOMIC_RELEASE);
	return 0;
}

int
capture_table_disable(struct dpvs_capture_table *t, uint16_t port_id, uint16_t queue,
		      uint32_t flags)
{
	unsigned int i;

	for (i = 0; i < DPVS_CAPTURE_MAX; i++) {
		struct dpvs_capture *e = &t->cap[i];

		if (!e->used || e->port_id != port_id || e->queue != queue ||
		    (e->flags & flags) == 0)
			continue;
		e->flags &= ~flags;
		if (e->flags == 0)
			memset(e, 0, sizeof(*e));
		return 0;
	}
	return -EINVAL;
}

/* The node's data port of ethdev port_id (not an exception tap), or NULL. */
static const struct dpvs_port_info *
data_port(const struct dpvs_root *root, uint16_t port_id)
{
	uint32_t i;

	for (i = 0; i < root->conf.nports && i < DPVS_MAX_PORTS; i++)
		if (root->ports[i].port_id == port_id)
			return &root->ports[i];
	return NULL;
}

/* Wait until every worker that lives has applied generation gen (a dead one
 * has no callbacks; its successor reads the table at start). */
static int
wait_acks(struct dpvs_root *root, uint64_t gen)
{
	uint64_t deadline = dpvs_now_ns() + CAPTURE_ACK_TIMEOUT_MS * 1000000ull;
	const struct timespec ms = { 0, 1000000 };
	uint32_t w, waiting;

	do {
		waiting = 0;
		for (w = 0; w < root->conf.nworkers && w < DPVS_MAX_WORKERS; w++) {
			uint32_t st = dpvs_worker_state(&root->workers[w]);

			if (st != DPVS_WORKER_RUNNING && st != DPVS_WORKER_STARTING)
				continue;
			if (__atomic_load_n(&root->capture.ack[w].gen, __ATOMIC_ACQUIRE) < gen)
				waiting++;
		}
		if (waiting == 0)
			return 0;
		nanosleep(&ms, NULL);
	} while (dpvs_now_ns() < deadline);
	return -ETIMEDOUT;
}

/* One request: 0 or a negative errno for the tool. */
static int
handle(const struct pdump_req *r)
{
	struct dpvs_capture_table *t = &cap_root->capture;
	const struct dpvs_port_info *p;
	uint16_t port_id;
	uint64_t gen;
	int rc;

	if (r->ver != PDUMP_V1 && r->ver != PDUMP_V2)
		return -EINVAL;
	if (memchr(r->device, '\0', sizeof(r->device)) == NULL ||
	    rte_eth_dev_get_port_by_name(r->device, &port_id) != 0)
		return -EINVAL;
	p = data_port(cap_root, port_id);
	if (p == NULL) {
		PLOG(WARNING, "capture of %s refused: not a data port (capture an exception "
		     "interface <port>.kni with tcpdump)", r->device);
		return -ENOTSUP;
	}
	if (r->queue != DPVS_CAPTURE_ALL_Q && r->queue >= p->nb_queues)
		return -EINVAL;
	if (r->op == PDUMP_ENABLE && r->prm != NULL) {
		PLOG(WARNING, "capture of %s refused: capture filters are not supported",
		     r->device);
		return -ENOTSUP;
	}
	pthread_mutex_lock(&cap_lock);
	if (r->op == PDUMP_ENABLE && (r->ring == NULL || r->mp == NULL)) {
		rc = -EINVAL;
	} else if (r->op == PDUMP_ENABLE) {
		rc = capture_table_enable(t, port_id, r->queue, r->flags &
					  (DPVS_CAPTURE_F_RX | DPVS_CAPTURE_F_TX), r->snaplen,
					  r->ver == PDUMP_V2, r->ring, r->mp);
	} else if (r->op == PDUMP_DISABLE) {
		rc = capture_table_disable(t, port_id, r->queue, r->flags &
					   (DPVS_CAPTURE_F_RX | DPVS_CAPTURE_F_TX));
	} else {
		rc = -EINVAL;
	}
	gen = rc == 0 ? __atomic_add_fetch(&t->gen, 1, __ATOMIC_RELEASE) : 0;
	pthread_mutex_unlock(&cap_lock);
	if (rc != 0)
		return rc;
	rc = wait_acks(cap_root, gen);
	if (rc != 0)
		PLOG(WARNING, "capture %s of %s: a worker did not apply it within %u ms",
		     r->op == PDUMP_ENABLE ? "start" : "stop", r->device, CAPTURE_ACK_TIMEOUT_MS);
	else
		PLOG(INFO, "capture %s on %s (queue %s, %s%s)", r->op == PDUMP_ENABLE ? "started" :
		     "stopped", r->device, r->queue == DPVS_CAPTURE_ALL_Q ? "all" : "one",
		     (r->flags & DPVS_CAPTURE_F_RX) != 0 ? "rx" : "",
		     (r->flags & DPVS_CAPTURE_F_TX) != 0 ? " tx" : "");
	return rc;
}

static int
on_request(const struct rte_mp_msg *msg, const void *peer)
{
	struct rte_mp_msg reply;
	struct pdump_resp *resp = (struct pdump_resp *)reply.param;
	const struct pdump_req *r = (const struct pdump_req *)msg->param;

	memset(&reply, 0, sizeof(reply));
	if (msg->len_param != (int)sizeof(*r)) {
		PLOG(WARNING, "capture request of %d bytes ignored (not DPDK 22.11's pdump)",
		     msg->len_param);
		resp->err_value = -EINVAL;
	} else {
		resp->ver = r->ver;
		resp->res_op = r->op;
		resp->err_value = handle(r);
	}
	snprintf(reply.name, sizeof(reply.name), "%s", PDUMP_MP);
	reply.len_param = sizeof(*resp);
	if (rte_mp_reply(&reply, peer) < 0) {
		PLOG(WARNING, "cannot answer a capture request: %s", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

void
capture_worker_died(struct dpvs_root *root, uint32_t id)
{
	struct dpvs_capture_table *t = &root->capture;

	if (id >= DPVS_MAX_WORKERS || !__atomic_load_n(&t->ack[id].busy, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&cap_lock);
	memset(t->cap, 0, sizeof(t->cap));
	__atomic_add_fetch(&t->gen, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&cap_lock);
	t->ack[id].busy = 0;
	PLOG(WARNING, "worker %u died inside a packet capture copy: every capture is stopped (the "
	     "capture tool's ring or pool may be left blocked); start the capture again", id);
}

int
capture_init(struct dpvs_root *root, char *err, size_t errlen)
{
	cap_root = root;
	/* DPDK's capture statistics memzone, which the tools read and the
	 * workers' callbacks count in; then our answer instead of pdump's */
	if (rte_pdump_init() != 0) {
		snprintf(err, errlen, "packet capture: rte_pdump_init: %s", rte_strerror(rte_errno));
		return -1;
	}
	rte_mp_action_unregister(PDUMP_MP);
	if (rte_mp_action_register(PDUMP_MP, on_request) != 0 && rte_errno != ENOTSUP) {
		snprintf(err, errlen, "packet capture: cannot register %s: %s", PDUMP_MP,
			 rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

void
capture_fini(void)
{
	rte_mp_action_unregister(PDUMP_MP);
	rte_pdump_uninit();
}
