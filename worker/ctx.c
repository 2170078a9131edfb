/*
 * The worker context (see worker.h): built once from the shm handles and the
 * worker id, and the recovery of what a dead predecessor left in this
 * worker's shm region (mbufs it held, and everything derived: connection
 * index and timers, active/inactive counts, neighbour count). Runs at start
 * only; touches this worker's region and connection table.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "worker/ipvs/conn_table.h"
#include "worker/ipvs/ipvs_priv.h"
#include "worker/ipvs/lb_counts.h"
#include "worker/ipvs/lbpath.h"
#include "worker/ipvs/rate.h"
#include "shm/errf.h"
#include "worker/l2/neigh.h"
#include "worker/worker.h"

RTE_LOG_REGISTER(wk_logtype, dpvs.worker, INFO);

/*
 * Can this process poll the port? A driver without secondary-process support
 * (net_af_packet) leaves its rx/tx functions NULL in a secondary, and
 * rte_eth_rx_burst would call NULL. DPDK has no API to ask, so this reads
 * the table rte_eth_rx_burst/rte_eth_tx_burst call through. A primary (the
 * fixture runner, the tests) fills it when it starts the port: only a
 * secondary is checked.
 */
static int
wk_port_pollable(const struct dpvs_port_info *pi, char *err, size_t errlen)
{
	const struct rte_eth_fp_ops *ops = &rte_eth_fp_ops[pi->port_id];
	struct rte_eth_dev_info info;

	if (rte_eal_process_type() != RTE_PROC_SECONDARY ||
	    (ops->rx_pkt_burst != NULL && ops->tx_pkt_burst != NULL))
		return 0;
	if (rte_eth_dev_info_get(pi->port_id, &info) != 0)
		info.driver_name = "?";
	return dpvs_errf(err, errlen, -EINVAL,
			"port %s (%s, driver %s) cannot be polled from a secondary process: "
			"its driver gives a secondary no rx/tx functions (use net_tap, "
			"net_memif, net_ring or a NIC)", pi->name, pi->devargs,
			info.driver_name != NULL ? info.driver_name : "?");
}

int
wk_ctx_init(struct wk_ctx *ctx, struct dpvs_shm *shm, unsigned int id, char *err,
	    size_t errlen)
{
	const struct dpvs_global_conf *conf = &shm->root->conf;
	unsigned int p;

	memset(ctx, 0, sizeof(*ctx));
	if (id >= conf->nworkers || id >= DPVS_MAX_WORKERS)
		return dpvs_errf(err, errlen, -EINVAL,
				"worker id %u is out of range: the node has %u worker(s)", id,
				conf->nworkers);
	if (conf->nports > DPVS_MAX_PORTS)
		return dpvs_errf(err, errlen, -EINVAL, "%u ports in shared memory, at most %u",
				conf->nports, DPVS_MAX_PORTS);
	if (shm->wr[id] == NULL || shm->wr[id]->magic != DPVS_SHM_MAGIC ||
	    shm->wr[id]->worker_id != id)
		return dpvs_errf(err, errlen, -EPROTO, "region of worker %u is missing or corrupt",
				id);
	if (shm->ct[id] == NULL || shm->ct[id]->magic != DPVS_SHM_MAGIC ||
	    shm->ct[id]->capacity != conf->conn_capacity ||
	    shm->ct[id]->nbuckets != DPVS_CONN_NBUCKETS(conf->conn_capacity) ||
	    shm->ct[id]->sx_capacity != conf->seqx_capacity ||
	    shm->ct[id]->v6_capacity != conf->v6_capacity ||
	    shm->ct[id]->wheel_slots != DPVS_CONN_WHEEL_SLOTS)
		return dpvs_errf(err, errlen, -EPROTO,
				"connection table of worker %u is missing or corrupt (capacity "
				"%u expected)",
				id, conf->conn_capacity);
	ctx->id = (uint16_t)id;
	ctx->nports = (uint16_t)conf->nports;
	ctx->nworkers = (uint16_t)conf->nworkers;
	ctx->ip_id = (uint16_t)(id << 12); /* the workers' IPv4 ids apart */
	ctx->idle_sleep_us = conf->idle_sleep_us;
	ctx->rx_prefetch_min = WK_RX_PREFETCH_CONNS;
	ctx->shm = shm;
	ctx->root = shm->root;
	ctx->wr = shm->wr[id];
	ctx->ct = shm->ct[id];
	ctx->st = &shm->root->stats[id];
	ctx->self = &shm->root->workers[id].self;
	ctx->sup = &shm->root->workers[id].sup;
	ctx->pool = shm->pool;
	ctx->cfg = dpvs_config_active(shm);
	ctx->tsc_mult = wk_rate_tsc_mult(rte_get_tsc_hz());
	memset(ctx->port_index, WK_PORT_NONE, sizeof(ctx->port_index));
	for (p = 0; p < ctx->nports; p++) {
		const struct dpvs_port_info *pi = &shm->root->ports[p];

		if (pi->port_id >= RTE_MAX_ETHPORTS)
			return dpvs_errf(err, errlen, -EINVAL, "port %s has ethdev id %u",
					pi->name, pi->port_id);
		if (pi->nb_queues <= id)
			return dpvs_errf(err, errlen, -EINVAL,
					"port %s has %u queue(s), none for worker %u", pi->name,
					pi->nb_queues, id);
		if (shm->to_kni[p][id] == NULL || shm->to_kni_hi[p][id] == NULL ||
		    shm->from_kni[p][id] == NULL)
			return dpvs_errf(err, errlen, -ENOENT, "rings of port %s are missing",
					pi->name);
		if (wk_port_pollable(pi, err, errlen) != 0)
			return -EINVAL;
		ctx->port_id[p] = pi->port_id;
		ctx->tx_one[p] = wk_tx_one_by_one(pi->port_id);
		memcpy(ctx->mac[p].addr_bytes, pi->mac, RTE_ETHER_ADDR_LEN);
		ctx->port_index[pi->port_id] = (uint8_t)p;
		ctx->rx_max_len[p] = pi->mtu != 0 ? (uint32_t)pi->mtu + RTE_ETHER_HDR_LEN : 0;
		ctx->tx_mtu[p] = pi->mtu != 0 ? pi->mtu : UINT32_MAX;
		ctx->if_port[p] = p;
	}
	wk_if_refresh(ctx);
	wk_kni_init(ctx);
	for (p = 0; p < conf->nworkers; p++)
		if (p != id && (shm->arp[p][id] == NULL || shm->arp[id][p] == NULL ||
				shm->redir[p][id] == NULL || shm->redir[id][p] == NULL))
			return dpvs_errf(err, errlen, -ENOENT,
					"rings between workers %u and %u are missing", id, p);
	return 0;
}

void
wk_if_refresh(struct wk_ctx *ctx)
{
	const struct dpvs_config_set *cfg = ctx->cfg;
	uint64_t v = cfg->version * 2 + (cfg->copy & 1);
	uint16_t s, i, p;

	if (v == ctx->if_version && ctx->if_version != 0)
		return;
	ctx->if_version = v;
	for (s = 0; s < DPVS_MAX_VLANS; s++) {
		const struct dpvs_vlan_cfg *vl = &cfg->vlans[s];

		i = DPVS_IFACE_VLAN0 + s;
		p = vl->port;
		if (vl->name[0] == '\0' || p >= ctx->nports || vl->vid == 0 || vl->vid > 4094) {
			ctx->if_vid[i] = 0;
			continue;
		}
		ctx->if_port[i] = p;
		ctx->mac[i] = ctx->mac[p];
		ctx->tx_mtu[i] = ctx->tx_mtu[p];
		ctx->if_vid[i] = vl->vid;
	}
}

void
wk_self_begin(struct wk_ctx *ctx)
{
	struct dpvs_worker_self *self = ctx->self;

	/* not "running" under a predecessor's incarnation, even for an instant */
	__atomic_store_n(&self->state, (uint32_t)DPVS_WORKER_STOPPED, __ATOMIC_RELEASE);
	self->pid = (int32_t)getpid();
	self->incarnation = ctx->inc;
	self->heartbeat_ns = dpvs_now_ns();
}

void
wk_self_state(struct wk_ctx *ctx, uint32_t state)
{
	ctx->self->heartbeat_ns = dpvs_now_ns();
	__atomic_store_n(&ctx->self->state, state, __ATOMIC_RELEASE);
}

/* Free one mbuf pointer found in the region, if it is plausibly ours. */
static unsigned int
recover_one(struct wk_ctx *ctx, struct rte_mbuf **slot)
{
	struct rte_mbuf *m = *slot;

	*slot = NULL;
	if (m == NULL)
		return 0;
	if (m->pool != ctx->pool) {
		WK_LOG(WARNING, "worker %u: stale pointer %p in shm is not an mbuf of %s",
		       ctx->id, (void *)m, DPVS_POOL_MBUF);
		return 0;
	}
	rte_pktmbuf_free(m);
	return 1;
}

unsigned int
wk_ctx_recover(struct wk_ctx *ctx)
{
	struct dpvs_worker_region *wr = ctx->wr;
	unsigned int i, p, n, inflight = 0, buffered = 0;

	/* what the SYN proxy held, but not what is in flight too */
	buffered += wk_synproxy_recover(ctx);
	/* Entries are cleared before they are handed on, so every non-NULL
	 * inflight entry is still ours, whatever inflight_n says. */
	for (i = 0; i < DPVS_BURST; i++)
		inflight += recover_one(ctx, &wr->inflight[i]);
	wr->inflight_n = 0;
	for (p = 0; p < DPVS_MAX_PORTS; p++) {
		struct dpvs_txbuf *tb = &wr->txbuf[p];

		n = RTE_MIN(tb->count, (uint32_t)DPVS_TXBUF_LEN);
		tb->count = 0;
		for (i = 0; i < n; i++)
			buffered += recover_one(ctx, &tb->pkts[i]);
	}
	buffered += wk_neigh_hold_recover(ctx); /* packets held for ARP */
	n = wk_conn_rebuild(ctx->ct, dpvs_now_ns());
	WK_LOG(NOTICE, "worker %u: %u connection(s) found in the table", ctx->id, n);
	/* the counts lc/wlc and the thresholds read follow the array again */
	wk_lb_counts_rebuild(wr, ctx->ct);
	n = wk_neigh_rebuild(wr, dpvs_now_ns());
	if (inflight + buffered > 0)
		WK_LOG(NOTICE,
		       "worker %u: freed %u in-flight and %u buffered mbuf(s) left by the "
		       "previous instance",
		       ctx->id, inflight, buffered);
	WK_LOG(DEBUG, "worker %u: %u neighbour(s) in the table", ctx->id, n);
	return inflight + buffered;
}

unsigned int
wk_ctx_recover_planned(struct wk_ctx *ctx)
{
	struct dpvs_worker_region *wr = ctx->wr;
	unsigned int i, inflight = 0;

	/* the predecessor stopped between bursts: nothing should be here */
	for (i = 0; i < DPVS_BURST; i++)
		inflight += recover_one(ctx, &wr->inflight[i]);
	wr->inflight_n = 0;
	if (inflight > 0)
		WK_LOG(WARNING, "worker %u: %u in-flight mbuf(s) left by a planned handover",
		       ctx->id, inflight);
	WK_LOG(DEBUG, "worker %u: taken over with %u packet(s) still in the tx buffers",
	       ctx->id, wk_tx_pending(ctx));
	return inflight;
}
