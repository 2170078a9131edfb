/*
 * /dpvs/... telemetry commands of the primary (see telemetry.h). Reads the
 * root memzone (worker slots and stats rows, bridge rows), ethdev counters
 * and the pool's count; writes only the telemetry replies.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_telemetry.h>

#include "ctl/common/version.h"
#include "shm/shm.h"
#include "telemetry.h"

#define X_NAME(n, s) s,
static const char *const drop_names[DPVS_DROP_MAX] = { DPVS_DROP_REASONS(X_NAME) };
static const char *const verdict_names[DPVS_VERDICT_MAX] = { DPVS_VERDICTS(X_NAME) };
static const char *const event_names[DPVS_EVENT_MAX] = { DPVS_EVENTS(X_NAME) };
#undef X_NAME

/* every command answers nothing once the node is stopping */
#define TEL_GUARD()            \
	do {                   \
		if (!tel_on)   \
			return -1; \
	} while (0)

static const char *const state_names[] = { "stopped", "starting", "running", "backoff" };

static struct dpvs_shm tel_copy;          /* the node's handles */
static const struct dpvs_shm *tel_shm = &tel_copy;
static volatile int tel_on;               /* 0 once the node stops */

static int
tel_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct dpvs_root *root = tel_shm->root;

	(void)cmd;
	TEL_GUARD();
	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "version", DPVS_MP_VERSION);
	rte_tel_data_add_dict_int(d, "layout", DPVS_LAYOUT_VERSION);
	rte_tel_data_add_dict_string(d, "file_prefix", root->conf.file_prefix);
	rte_tel_data_add_dict_int(d, "workers", (int)root->conf.nworkers);
	rte_tel_data_add_dict_int(d, "ports", (int)root->conf.nports);
	return 0;
}

static int
tel_workers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint32_t w;

	(void)cmd;
	TEL_GUARD();
	(void)params;
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	for (w = 0; w < tel_shm->root->conf.nworkers && w < DPVS_MAX_WORKERS; w++)
		rte_tel_data_add_array_int(d, (int)w);
	return 0;
}

static int
tel_worker(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct dpvs_root *root = tel_shm->root;
	const struct dpvs_worker_stats *s;
	const struct dpvs_worker_slot *slot;
	char name[64], *end;
	uint64_t hb, now;
	uint32_t st, i;
	long w;

	(void)cmd;
	TEL_GUARD();
	if (params == NULL || params[0] == '\0')
		return -1;
	w = strtol(params, &end, 10);
	if (*end != '\0' || w < 0 || w >= (long)root->conf.nworkers || w >= DPVS_MAX_WORKERS)
		return -1;
	slot = &root->workers[w];
	s = &root->stats[w];
	st = dpvs_worker_state(slot);
	hb = __atomic_load_n(&slot->self.heartbeat_ns, __ATOMIC_RELAXED);
	now = dpvs_now_ns();
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "id", (int)w);
	rte_tel_data_add_dict_string(d, "state", st < RTE_DIM(state_names) ? state_names[st] : "?");
	rte_tel_data_add_dict_int(d, "pid", slot->sup.pid);
	rte_tel_data_add_dict_u64(d, "restarts", slot->sup.restarts);
	rte_tel_data_add_dict_int(d, "heartbeat_age_ms",
				  hb == 0 ? -1 : (int)((now > hb ? now - hb : 0) / 1000000));
	rte_tel_data_add_dict_u64(d, "rx_pkts", s->rx_pkts);
	rte_tel_data_add_dict_u64(d, "rx_bytes", s->rx_bytes);
	rte_tel_data_add_dict_u64(d, "tx_pkts", s->tx_pkts);
	rte_tel_data_add_dict_u64(d, "tx_bytes", s->tx_bytes);
	rte_tel_data_add_dict_u64(d, "from_kernel", s->from_kernel);
	rte_tel_data_add_dict_u64(d, "arp_ring_in", s->arp_ring_in);
	rte_tel_data_add_dict_u64(d, "loops", s->loops);
	rte_tel_data_add_dict_u64(d, "busy_loops", s->busy_loops);
	for (i = 0; i < DPVS_VERDICT_MAX; i++) {
		snprintf(name, sizeof(name), "verdict_%s", verdict_names[i]);
		rte_tel_data_add_dict_u64(d, name, s->verdict[i]);
	}
	for (i = 0; i < DPVS_DROP_MAX; i++) {
		snprintf(name, sizeof(name), "drop_%s", drop_names[i]);
		rte_tel_data_add_dict_u64(d, name, s->drop[i]);
	}
	for (i = 0; i < DPVS_EVENT_MAX; i++) {
		snprintf(name, sizeof(name), "event_%s", event_names[i]);
		rte_tel_data_add_dict_u64(d, name, s->event[i]);
	}
	return 0;
}

/* A dict of one counter array of the stats rows (n entries from off, named
 * by names), summed over the workers. */
static void
tel_sums(struct rte_tel_data *d, size_t off, const char *const *names, uint32_t n)
{
	const struct dpvs_root *root = tel_shm->root;
	uint64_t sum;
	uint32_t i, w;

	rte_tel_data_start_dict(d);
	for (i = 0; i < n; i++) {
		sum = 0;
		for (w = 0; w < root->conf.nworkers && w < DPVS_MAX_WORKERS; w++)
			sum += ((const uint64_t *)((const char *)&root->stats[w] + off))[i];
		rte_tel_data_add_dict_u64(d, names[i], sum);
	}
}

static int
tel_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	TEL_GUARD();
	(void)params;
	tel_sums(d, offsetof(struct dpvs_worker_stats, drop), drop_names, DPVS_DROP_MAX);
	return 0;
}

static int
tel_events(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	TEL_GUARD();
	(void)params;
	tel_sums(d, offsetof(struct dpvs_worker_stats, event), event_names, DPVS_EVENT_MAX);
	return 0;
}

/* One data port's counters, as a container of /dpvs/ports. */
static struct rte_tel_data *
tel_port(const struct dpvs_root *root, uint32_t p)
{
	const struct dpvs_port_info *pi = &root->ports[p];
	const struct dpvs_bridge_stats *b = &root->bridge_stats[p];
	struct rte_tel_data *c = rte_tel_data_alloc();
	struct rte_eth_stats st;

	if (c == NULL)
		return NULL;
	memset(&st, 0, sizeof(st));
	rte_eth_stats_get(pi->port_id, &st);
	rte_tel_data_start_dict(c);
	rte_tel_data_add_dict_int(c, "port_id", pi->port_id);
	rte_tel_data_add_dict_u64(c, "ipackets", st.ipackets);
	rte_tel_data_add_dict_u64(c, "opackets", st.opackets);
	rte_tel_data_add_dict_u64(c, "ibytes", st.ibytes);
	rte_tel_data_add_dict_u64(c, "obytes", st.obytes);
	rte_tel_data_add_dict_u64(c, "imissed", st.imissed);
	rte_tel_data_add_dict_u64(c, "ierrors", st.ierrors);
	rte_tel_data_add_dict_u64(c, "oerrors", st.oerrors);
	rte_tel_data_add_dict_u64(c, "rx_nombuf", st.rx_nombuf);
	rte_tel_data_add_dict_u64(c, "kni_to_kernel", b->to_kernel);
	rte_tel_data_add_dict_u64(c, "kni_from_kernel", b->from_kernel);
	rte_tel_data_add_dict_u64(c, "kni_to_kernel_drop", b->to_kernel_drop);
	rte_tel_data_add_dict_u64(c, "kni_from_kernel_drop", b->from_kernel_drop);
	return c;
}

static int
tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct dpvs_root *root = tel_shm->root;
	char name[DPVS_NAME_LEN + 1];
	struct rte_tel_data *c;
	uint32_t p;

	(void)cmd;
	TEL_GUARD();
	(void)params;
	rte_tel_data_start_dict(d);
	for (p = 0; p < root->conf.nports && p < DPVS_MAX_PORTS; p++) {
		c = tel_port(root, p);
		if (c == NULL)
			return -1;
		snprintf(name, sizeof(name), "%.*s", DPVS_NAME_LEN, root->ports[p].name);
		rte_tel_data_add_dict_container(d, name, c, 0);
	}
	return 0;
}

static int
tel_pool(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_mempool *mp = tel_shm->pool;

	(void)cmd;
	TEL_GUARD();
	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", mp->name);
	rte_tel_data_add_dict_u64(d, "size", mp->size);
	rte_tel_data_add_dict_u64(d, "in_use", rte_mempool_in_use_count(mp));
	return 0;
}

void
telemetry_fini(void)
{
	tel_on = 0;
}

int
telemetry_init(const struct dpvs_shm *shm)
{
	static const struct {
		const char *cmd;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		{ "/dpvs/info", tel_info, "dpvs-mp node: version, layout, workers, ports" },
		{ "/dpvs/workers", tel_workers, "The worker ids" },
		{ "/dpvs/worker", tel_worker, "A worker's state and counters. Parameters: int id" },
		{ "/dpvs/drops", tel_drops, "Drop reasons summed over the workers" },
		{ "/dpvs/events", tel_events, "Events (forwarding, fragmentation, ICMP errors, ND) "
		  "summed over the workers" },
		{ "/dpvs/ports", tel_ports, "Data ports: ethdev and exception bridge counters" },
		{ "/dpvs/pool", tel_pool, "The mbuf pool: size and mbufs in use" },
	};
	unsigned int i;

	tel_copy = *shm;
	tel_on = 1;
	for (i = 0; i < RTE_DIM(cmds); i++)
		if (rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn, cmds[i].help) != 0)
			return -1;
	return 0;
}
