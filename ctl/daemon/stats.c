/*
 * `stats`: per port from rte_eth_stats_get() plus the bridge's row, per worker
 * its row with every verdict, drop reason, event and PRE_ROUTING hook's
 * drops, drops, events and hook drops summed over workers, and
 * the mbuf pool's size and in-use count (to watch for leaks).
 * Reads shm and ethdev counters (dpvs-ctl is a secondary: the ports are
 * probed there too); writes only the Response.
 */
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "ctl/common/pb.h"
#include "shm/pool_ops.h"
#include "ctl/daemon/show.h"

#define X_NAME(n, s) s,
static const char *const drop_names[DPVS_DROP_MAX] = { DPVS_DROP_REASONS(X_NAME) };
static const char *const verdict_names[DPVS_VERDICT_MAX] = { DPVS_VERDICTS(X_NAME) };
static const char *const event_names[DPVS_EVENT_MAX] = { DPVS_EVENTS(X_NAME) };
#undef X_NAME
#define X_HOOK(n, s, prio) s,
static const char *const hook_names[DPVS_HOOK_MAX] = { DPVS_HOOKS(X_HOOK) };
#undef X_HOOK

static void
stats_counter(Dpvs__Counter ***arr, size_t *n, const char *name, uint64_t value)
{
	Dpvs__Counter **slot, *c;

	c = ctl_pb_alloc(sizeof(*c));
	dpvs__counter__init(c);
	c->name = ctl_pb_strdup(name);
	c->value = value;
	slot = ctl_pb_append(arr, n, sizeof(*slot));
	*slot = c;
}

static Dpvs__PortStats *
stats_port(const struct dpvs_root *root, uint32_t p)
{
	const struct dpvs_port_info *pi = &root->ports[p];
	const struct dpvs_bridge_stats *b = &root->bridge_stats[p];
	char name[DPVS_NAME_LEN + 1];
	struct rte_eth_stats st;
	Dpvs__PortStats *ps;

	ps = ctl_pb_alloc(sizeof(*ps));
	dpvs__port_stats__init(ps);
	memcpy(name, pi->name, DPVS_NAME_LEN);
	name[DPVS_NAME_LEN] = '\0';
	ps->name = ctl_pb_strdup(name);
	memset(&st, 0, sizeof(st));
	if (rte_eth_dev_is_valid_port(pi->port_id) &&
	    rte_eth_stats_get(pi->port_id, &st) == 0) {
		ps->stats_ok = true;
		ps->ipackets = st.ipackets;
		ps->opackets = st.opackets;
		ps->ibytes = st.ibytes;
		ps->obytes = st.obytes;
		ps->imissed = st.imissed;
		ps->ierrors = st.ierrors;
		ps->oerrors = st.oerrors;
		ps->rx_nombuf = st.rx_nombuf;
	}
	ps->kni_to_kernel = b->to_kernel;
	ps->kni_from_kernel = b->from_kernel;
	ps->kni_to_kernel_drop = b->to_kernel_drop;
	ps->kni_from_kernel_drop = b->from_kernel_drop;
	return ps;
}

static Dpvs__WorkerStats *
stats_worker(const struct dpvs_root *root, uint32_t w, uint64_t drops[DPVS_DROP_MAX],
	     uint64_t events[DPVS_EVENT_MAX], uint64_t hooks[DPVS_HOOK_MAX])
{
	const struct dpvs_worker_stats *s = &root->stats[w];
	Dpvs__WorkerStats *ws;
	unsigned int i;

	ws = ctl_pb_alloc(sizeof(*ws));
	dpvs__worker_stats__init(ws);
	ws->id = w;
	ws->rx_pkts = s->rx_pkts;
	ws->rx_bytes = s->rx_bytes;
	ws->tx_pkts = s->tx_pkts;
	ws->tx_bytes = s->tx_bytes;
	ws->from_kernel = s->from_kernel;
	ws->arp_ring_in = s->arp_ring_in;
	ws->loops = s->loops;
	ws->busy_loops = s->busy_loops;
	for (i = 0; i < DPVS_VERDICT_MAX; i++)
		stats_counter(&ws->verdicts, &ws->n_verdicts, verdict_names[i], s->verdict[i]);
	for (i = 0; i < DPVS_DROP_MAX; i++) {
		stats_counter(&ws->drops, &ws->n_drops, drop_names[i], s->drop[i]);
		drops[i] += s->drop[i];
	}
	for (i = 0; i < DPVS_EVENT_MAX; i++) {
		stats_counter(&ws->events, &ws->n_events, event_names[i], s->event[i]);
		events[i] += s->event[i];
	}
	for (i = 0; i < DPVS_HOOK_MAX; i++) {
		stats_counter(&ws->hook_drops, &ws->n_hook_drops, hook_names[i], s->hook_drop[i]);
		hooks[i] += s->hook_drop[i];
	}
	return ws;
}

int
ctl_show_stats(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
	       char *err, size_t errlen)
{
	const struct dpvs_root *root = shm->root;
	uint64_t drops[DPVS_DROP_MAX], events[DPVS_EVENT_MAX], hooks[DPVS_HOOK_MAX];
	Dpvs__Stats *st;
	uint32_t i;

	(void)req;
	(void)err;
	(void)errlen;
	memset(drops, 0, sizeof(drops));
	memset(events, 0, sizeof(events));
	memset(hooks, 0, sizeof(hooks));
	st = ctl_pb_alloc(sizeof(*st));
	dpvs__stats__init(st);
	resp->stats = st;
	resp->payload_case = DPVS__RESPONSE__PAYLOAD_STATS;
	for (i = 0; i < root->conf.nports && i < DPVS_MAX_PORTS; i++) {
		Dpvs__PortStats **slot = ctl_pb_append(&st->ports, &st->n_ports, sizeof(*slot));

		*slot = stats_port(root, i);
	}
	for (i = 0; i < root->conf.nworkers && i < DPVS_MAX_WORKERS; i++) {
		Dpvs__WorkerStats **slot =
			ctl_pb_append(&st->workers, &st->n_workers, sizeof(*slot));

		*slot = stats_worker(root, i, drops, events, hooks);
	}
	for (i = 0; i < DPVS_DROP_MAX; i++)
		stats_counter(&st->drops, &st->n_drops, drop_names[i], drops[i]);
	for (i = 0; i < DPVS_EVENT_MAX; i++)
		stats_counter(&st->events, &st->n_events, event_names[i], events[i]);
	for (i = 0; i < DPVS_HOOK_MAX; i++)
		stats_counter(&st->hook_drops, &st->n_hook_drops, hook_names[i], hooks[i]);
	if (shm->pool != NULL) {
		st->mbufs_total = shm->pool->size;
		st->mbufs_in_use = rte_mempool_in_use_count(shm->pool);
		dpvs_pool_cache_lost(shm->pool, &st->mbufs_cache_drops,
				     &st->mbufs_cache_dropped);
		st->mbufs_cache_off = dpvs_pool_cache_is_off(shm->pool);
	}
	return 0;
}
