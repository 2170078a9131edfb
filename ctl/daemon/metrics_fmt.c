/*
 * The Prometheus text exposition of a node (see metrics.h): every family is
 * written whole (HELP, TYPE, then its samples), so the service and dest
 * counters are summed over the workers once, into rows, before any family.
 * Reads the active config set, the worker rows and slots, ethdev counters
 * and the pool; writes only to out.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_version.h>

#include "ctl/common/version.h"
#include "ctl/daemon/lb.h"
#include "ctl/daemon/metrics.h"
#include "ctl/daemon/show.h"
#include "shm/pool_ops.h"

#define X_NAME(n, s) s,
static const char *const drop_names[DPVS_DROP_MAX] = { DPVS_DROP_REASONS(X_NAME) };
static const char *const verdict_names[DPVS_VERDICT_MAX] = { DPVS_VERDICTS(X_NAME) };
static const char *const event_names[DPVS_EVENT_MAX] = { DPVS_EVENTS(X_NAME) };
#undef X_NAME

#define MAX_XSTATS 512

/* One service or dest: its labels and its counters. */
struct mrow {
	char svc[96];
	char dest[INET6_ADDRSTRLEN + 8];     /* "" for a service */
	struct ctl_lb_sum s;
	int32_t weight, conf_weight;
	const char *health;                  /* dests: up, down, unchecked */
};

struct mrows {
	struct mrow *svc, *dest;
	size_t nsvc, ndest;
};

void
ctl_metrics_escape(FILE *out, const char *s, int help)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else if (*s == '"' && !help)
			fputs("\\\"", out);
		else
			fputc(*s, out);
	}
}

static void
family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s ", name);
	ctl_metrics_escape(out, help, 1);
	fprintf(out, "\n# TYPE %s %s\n", name, type);
}

/* name{k1="v1",k2="v2"} value: labels as pairs, NULL-terminated. */
static void
sample(FILE *out, const char *name, uint64_t value, ...)
{
	const char *k, *v;
	va_list ap;
	int first = 1;

	fputs(name, out);
	va_start(ap, value);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		fprintf(out, "%s%s=\"", first ? "{" : ",", k);
		ctl_metrics_escape(out, v, 0);
		fputc('"', out);
		first = 0;
	}
	va_end(ap);
	fprintf(out, "%s %" PRIu64 "\n", first ? "" : "}", value);
}

static void
sample_signed(FILE *out, const char *name, int64_t value, const char *k1, const char *v1,
	      const char *k2, const char *v2)
{
	fprintf(out, "%s{%s=\"", name, k1);
	ctl_metrics_escape(out, v1, 0);
	fprintf(out, "\",%s=\"", k2);
	ctl_metrics_escape(out, v2, 0);
	fprintf(out, "\"} %" PRId64 "\n", value);
}

/* Every live service (id order) and its dests, summed over the workers. */
static int
collect(struct dpvs_shm *shm, struct mrows *r)
{
	const struct dpvs_lb_tables *lb = &dpvs_config_active(shm)->lb;
	uint16_t *slots = malloc(lb->caps.services * sizeof(*slots));
	uint32_t *cover = ctl_check_cover(lb);
	size_t n, i, ndest = 0;
	uint32_t j;

	memset(r, 0, sizeof(*r));
	if (slots == NULL || cover == NULL) {
		free(slots);
		free(cover);
		return -1;
	}
	n = ctl_svc_slots_by_id(lb, slots);
	for (i = 0; i < n; i++)
		ndest += dpvs_lb_svc(lb, slots[i])->ndests;
	r->svc = calloc(n + 1, sizeof(*r->svc));
	r->dest = calloc(ndest + 1, sizeof(*r->dest));
	if (r->svc == NULL || r->dest == NULL) {
		free(slots);
		free(cover);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const struct dpvs_service *s = dpvs_lb_svc(lb, slots[i]);
		const uint32_t *dl = dpvs_lb_svc_dests(lb, slots[i]);
		struct ctl_svc_key k = { .proto = s->proto, .vip = s->vip, .port = ntohs(s->vport) };
		struct mrow *sr = &r->svc[r->nsvc++];

		ctl_svc_key_str(&k, sr->svc, sizeof(sr->svc));
		sr->s = ctl_lb_sum_workers(shm, slots[i], 0, s->id);
		for (j = 0; j < s->ndests && j < lb->caps.svc_dests && r->ndest < ndest; j++) {
			const struct dpvs_dest *d = &dpvs_lb_dests(lb)[dl[j]];
			struct mrow *dr;

			if (dl[j] >= lb->caps.dests || d->id == 0)
				continue;
			dr = &r->dest[r->ndest++];
			memcpy(dr->svc, sr->svc, sizeof(dr->svc));
			ctl_ipport_str(&d->addr, ntohs(d->port), dr->dest, sizeof(dr->dest));
			dr->s = ctl_lb_sum_workers(shm, dl[j], 1, d->id);
			dr->weight = d->weight;
			dr->conf_weight = d->conf_weight;
			dr->health = cover[dl[j]] == 0 ? "unchecked" :
				     (d->flags & DPVS_DEST_F_DOWN) != 0 ? "down" : "up";
		}
	}
	free(slots);
	free(cover);
	return 0;
}

/* The counters common to services and dests. */
static void
render_lb_family(FILE *out, const struct mrow *rows, size_t n, int dest, const char *name,
		 const char *type, const char *help, size_t off, const char *dir)
{
	size_t i;

	family(out, name, type, help);
	for (i = 0; i < n; i++) {
		uint64_t v = *(const uint64_t *)((const char *)&rows[i].s + off);

		if (dest && dir != NULL)
			sample(out, name, v, "service", rows[i].svc, "dest", rows[i].dest, "direction",
			       dir, NULL);
		else if (dest)
			sample(out, name, v, "service", rows[i].svc, "dest", rows[i].dest, NULL);
		else if (dir != NULL)
			sample(out, name, v, "service", rows[i].svc, "direction", dir, NULL);
		else
			sample(out, name, v, "service", rows[i].svc, NULL);
	}
}

/* packets or bytes in and out: one family, direction label. */
static void
render_lb_dir(FILE *out, const struct mrow *rows, size_t n, int dest, const char *name,
	      const char *help, size_t in_off, size_t out_off)
{
	size_t i, k;

	family(out, name, "counter", help);
	for (k = 0; k < 2; k++)
		for (i = 0; i < n; i++) {
			uint64_t v = *(const uint64_t *)((const char *)&rows[i].s +
							 (k == 0 ? in_off : out_off));

			if (dest)
				sample(out, name, v, "service", rows[i].svc, "dest", rows[i].dest,
				       "direction", k == 0 ? "in" : "out", NULL);
			else
				sample(out, name, v, "service", rows[i].svc, "direction",
				       k == 0 ? "in" : "out", NULL);
		}
}

static void
render_lb(FILE *out, const struct mrows *r)
{
	static const char *const states[] = { "up", "down", "unchecked" };
	const char *kinds[2] = { "service", "dest" };
	char name[96], help[160];
	size_t i, k;
	int d;

	for (d = 0; d < 2; d++) {
		const struct mrow *rows = d ? r->dest : r->svc;
		size_t n = d ? r->ndest : r->nsvc;

		snprintf(name, sizeof(name), "dpvs_%s_active_connections", kinds[d]);
		snprintf(help, sizeof(help), "Connections of the %s now in ESTABLISHED (TCP)",
			 kinds[d]);
		render_lb_family(out, rows, n, d, name, "gauge", help,
				 offsetof(struct ctl_lb_sum, active), NULL);
		snprintf(name, sizeof(name), "dpvs_%s_inactive_connections", kinds[d]);
		snprintf(help, sizeof(help), "Connections of the %s in another state, and UDP",
			 kinds[d]);
		render_lb_family(out, rows, n, d, name, "gauge", help,
				 offsetof(struct ctl_lb_sum, inactive), NULL);
		snprintf(name, sizeof(name), "dpvs_%s_connections_total", kinds[d]);
		snprintf(help, sizeof(help), "Connections the %s was given", kinds[d]);
		render_lb_family(out, rows, n, d, name, "counter", help,
				 offsetof(struct ctl_lb_sum, conns), NULL);
		snprintf(name, sizeof(name), "dpvs_%s_packets_total", kinds[d]);
		snprintf(help, sizeof(help), "Packets of the %s's connections, in (from the "
			 "client) and out (to it)", kinds[d]);
		render_lb_dir(out, rows, n, d, name, help, offsetof(struct ctl_lb_sum, inpkts),
			      offsetof(struct ctl_lb_sum, outpkts));
		snprintf(name, sizeof(name), "dpvs_%s_bytes_total", kinds[d]);
		snprintf(help, sizeof(help), "Bytes of the %s's connections, in and out", kinds[d]);
		render_lb_dir(out, rows, n, d, name, help, offsetof(struct ctl_lb_sum, inbytes),
			      offsetof(struct ctl_lb_sum, outbytes));
	}
	family(out, "dpvs_dest_weight", "gauge", "The weight the schedulers use (0 while a "
	       "health check holds the dest down)");
	for (i = 0; i < r->ndest; i++)
		sample_signed(out, "dpvs_dest_weight", r->dest[i].weight, "service", r->dest[i].svc,
			      "dest", r->dest[i].dest);
	family(out, "dpvs_dest_configured_weight", "gauge", "The weight the operator gave");
	for (i = 0; i < r->ndest; i++)
		sample_signed(out, "dpvs_dest_configured_weight", r->dest[i].conf_weight, "service",
			      r->dest[i].svc, "dest", r->dest[i].dest);
	family(out, "dpvs_dest_health", "gauge", "The dest's health: 1 for its state (up, down, "
	       "or unchecked when no health check covers it), 0 for the others");
	for (i = 0; i < r->ndest; i++)
		for (k = 0; k < 3; k++)
			sample(out, "dpvs_dest_health", strcmp(r->dest[i].health, states[k]) == 0,
			       "service", r->dest[i].svc, "dest", r->dest[i].dest, "state",
			       states[k], NULL);
}

/* A per-worker counter family: the field at off of each worker's row. */
static void
render_worker_u64(FILE *out, const struct dpvs_root *root, const char *name, const char *help,
		  size_t off)
{
	char w[8];
	uint32_t i;

	family(out, name, "counter", help);
	for (i = 0; i < root->conf.nworkers && i < DPVS_MAX_WORKERS; i++) {
		snprintf(w, sizeof(w), "%u", i);
		sample(out, name, *(const uint64_t *)((const char *)&root->stats[i] + off), "worker",
		       w, NULL);
	}
}

static void
render_workers(FILE *out, const struct dpvs_root *root, const struct ctl_metrics_busy *busy)
{
	uint32_t n = root->conf.nworkers < DPVS_MAX_WORKERS ? root->conf.nworkers : DPVS_MAX_WORKERS;
	uint64_t now = dpvs_now_ns(), hb;
	char w[8];
	uint32_t i, k;

	render_worker_u64(out, root, "dpvs_worker_rx_packets_total",
			  "Packets the worker received on the data ports",
			  offsetof(struct dpvs_worker_stats, rx_pkts));
	render_worker_u64(out, root, "dpvs_worker_rx_bytes_total", "Bytes received",
			  offsetof(struct dpvs_worker_stats, rx_bytes));
	render_worker_u64(out, root, "dpvs_worker_tx_packets_total",
			  "Packets a data port's driver took from the worker",
			  offsetof(struct dpvs_worker_stats, tx_pkts));
	render_worker_u64(out, root, "dpvs_worker_tx_bytes_total", "Bytes sent",
			  offsetof(struct dpvs_worker_stats, tx_bytes));
	render_worker_u64(out, root, "dpvs_worker_from_kernel_packets_total",
			  "Packets the kernel sent out through the worker",
			  offsetof(struct dpvs_worker_stats, from_kernel));
	render_worker_u64(out, root, "dpvs_worker_redirects_total",
			  "Packets passed to the worker that owns their connection",
			  offsetof(struct dpvs_worker_stats, verdict) +
				  DPVS_VERDICT_REDIRECT * sizeof(uint64_t));
	render_worker_u64(out, root, "dpvs_worker_loops_total", "Iterations of the worker's loop",
			  offsetof(struct dpvs_worker_stats, loops));
	render_worker_u64(out, root, "dpvs_worker_busy_loops_total", "Iterations that had work",
			  offsetof(struct dpvs_worker_stats, busy_loops));
	family(out, "dpvs_worker_verdicts_total", "counter", "Packets by what the worker did "
	       "with them (tx, kernel, drop, redirect, held)");
	for (i = 0; i < n; i++)
		for (k = 0, snprintf(w, sizeof(w), "%u", i); k < DPVS_VERDICT_MAX; k++)
			sample(out, "dpvs_worker_verdicts_total", root->stats[i].verdict[k], "worker",
			       w, "verdict", verdict_names[k], NULL);
	family(out, "dpvs_worker_drops_total", "counter", "Packets dropped, by reason");
	for (i = 0; i < n; i++)
		for (k = 0, snprintf(w, sizeof(w), "%u", i); k < DPVS_DROP_MAX; k++)
			sample(out, "dpvs_worker_drops_total", root->stats[i].drop[k], "worker", w,
			       "reason", drop_names[k], NULL);
	family(out, "dpvs_worker_events_total", "counter", "Things the worker did that are "
	       "neither a verdict nor a drop (forwarding, fragmentation, ICMP errors, ND)");
	for (i = 0; i < n; i++)
		for (k = 0, snprintf(w, sizeof(w), "%u", i); k < DPVS_EVENT_MAX; k++)
			sample(out, "dpvs_worker_events_total", root->stats[i].event[k], "worker", w,
			       "event", event_names[k], NULL);
	family(out, "dpvs_worker_busy_ratio", "gauge", "Share of the worker's loop iterations "
	       "that had work, over the last second");
	for (i = 0; i < n; i++) {
		snprintf(w, sizeof(w), "%u", i);
		fprintf(out, "dpvs_worker_busy_ratio{worker=\"%s\"} %.4f\n", w,
			busy != NULL && busy->ratio[i] >= 0 ? busy->ratio[i] : 0.0);
	}
	family(out, "dpvs_worker_restarts_total", "counter", "Times the supervisor restarted "
	       "the worker");
	for (i = 0; i < n; i++) {
		snprintf(w, sizeof(w), "%u", i);
		sample(out, "dpvs_worker_restarts_total", root->workers[i].sup.restarts, "worker", w,
		       NULL);
	}
	family(out, "dpvs_worker_up", "gauge", "1 if the worker is running");
	for (i = 0; i < n; i++) {
		snprintf(w, sizeof(w), "%u", i);
		sample(out, "dpvs_worker_up", dpvs_worker_state(&root->workers[i]) ==
		       DPVS_WORKER_RUNNING, "worker", w, NULL);
	}
	family(out, "dpvs_worker_heartbeat_age_seconds", "gauge", "Seconds since the worker's "
	       "last loop iteration");
	for (i = 0; i < n; i++) {
		hb = __atomic_load_n(&root->workers[i].self.heartbeat_ns, __ATOMIC_RELAXED);
		fprintf(out, "dpvs_worker_heartbeat_age_seconds{worker=\"%u\"} %.3f\n", i,
			hb == 0 || hb > now ? 0.0 : (double)(now - hb) / 1e9);
	}
}

/* The ethdev counters of every data port, one family each. */
static void
render_ports(FILE *out, const struct dpvs_root *root)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} f[] = {
		{ "dpvs_port_rx_packets_total", "Packets the port received (rte_eth_stats)",
		  offsetof(struct rte_eth_stats, ipackets) },
		{ "dpvs_port_tx_packets_total", "Packets the port sent",
		  offsetof(struct rte_eth_stats, opackets) },
		{ "dpvs_port_rx_bytes_total", "Bytes the port received",
		  offsetof(struct rte_eth_stats, ibytes) },
		{ "dpvs_port_tx_bytes_total", "Bytes the port sent",
		  offsetof(struct rte_eth_stats, obytes) },
		{ "dpvs_port_rx_missed_total", "Packets the NIC dropped: no room in the rx queue",
		  offsetof(struct rte_eth_stats, imissed) },
		{ "dpvs_port_rx_errors_total", "Erroneous packets received",
		  offsetof(struct rte_eth_stats, ierrors) },
		{ "dpvs_port_tx_errors_total", "Failed transmissions",
		  offsetof(struct rte_eth_stats, oerrors) },
		{ "dpvs_port_rx_nombuf_total", "Receive buffer allocation failures",
		  offsetof(struct rte_eth_stats, rx_nombuf) },
	};
	uint32_t np = root->conf.nports < DPVS_MAX_PORTS ? root->conf.nports : DPVS_MAX_PORTS;
	struct rte_eth_stats st[DPVS_MAX_PORTS];
	char name[DPVS_MAX_PORTS][DPVS_NAME_LEN + 1];
	uint32_t p;
	size_t i;

	for (p = 0; p < np; p++) {
		memset(&st[p], 0, sizeof(st[p]));
		if (rte_eth_dev_is_valid_port(root->ports[p].port_id))
			rte_eth_stats_get(root->ports[p].port_id, &st[p]);
		snprintf(name[p], sizeof(name[p]), "%.*s", DPVS_NAME_LEN, root->ports[p].name);
	}
	for (i = 0; i < RTE_DIM(f); i++) {
		family(out, f[i].name, "counter", f[i].help);
		for (p = 0; p < np; p++)
			sample(out, f[i].name, *(const uint64_t *)((const char *)&st[p] + f[i].off),
			       "port", name[p], NULL);
	}
	family(out, "dpvs_port_kni_packets_total", "counter", "Packets of the port's exception "
	       "path: to_kernel (into <port>.kni), from_kernel (out of it)");
	for (p = 0; p < np; p++) {
		sample(out, "dpvs_port_kni_packets_total", root->bridge_stats[p].to_kernel, "port",
		       name[p], "direction", "to_kernel", NULL);
		sample(out, "dpvs_port_kni_packets_total", root->bridge_stats[p].from_kernel, "port",
		       name[p], "direction", "from_kernel", NULL);
	}
	family(out, "dpvs_port_kni_drops_total", "counter", "Packets the exception bridge "
	       "dropped: the tap refused (to_kernel), no worker ring room (from_kernel)");
	for (p = 0; p < np; p++) {
		sample(out, "dpvs_port_kni_drops_total", root->bridge_stats[p].to_kernel_drop, "port",
		       name[p], "direction", "to_kernel", NULL);
		sample(out, "dpvs_port_kni_drops_total", root->bridge_stats[p].from_kernel_drop,
		       "port", name[p], "direction", "from_kernel", NULL);
	}
}

/* Every xstat of every data port: one family, the xstat's name a label. */
static void
render_xstats(FILE *out, const struct dpvs_root *root)
{
	struct rte_eth_xstat_name *names = calloc(MAX_XSTATS, sizeof(*names));
	struct rte_eth_xstat *xs = calloc(MAX_XSTATS, sizeof(*xs));
	char port[DPVS_NAME_LEN + 1];
	int n, k, i;
	uint32_t p;

	family(out, "dpvs_port_xstats_total", "counter", "The port driver's extended counters "
	       "(rte_eth_xstats), by name");
	for (p = 0; names != NULL && xs != NULL && p < root->conf.nports && p < DPVS_MAX_PORTS;
	     p++) {
		uint16_t id = root->ports[p].port_id;

		if (!rte_eth_dev_is_valid_port(id))
			continue;
		snprintf(port, sizeof(port), "%.*s", DPVS_NAME_LEN, root->ports[p].name);
		n = rte_eth_xstats_get_names(id, names, MAX_XSTATS);
		k = rte_eth_xstats_get(id, xs, MAX_XSTATS);
		if (n <= 0 || k <= 0 || n > MAX_XSTATS || k > MAX_XSTATS)
			continue;
		for (i = 0; i < k; i++)
			if (xs[i].id < (uint64_t)n)
				sample(out, "dpvs_port_xstats_total", xs[i].value, "port", port, "xstat",
				       names[xs[i].id].name, NULL);
	}
	free(names);
	free(xs);
}

void
ctl_metrics_render(struct dpvs_shm *shm, const struct ctl_metrics_busy *busy, FILE *out)
{
	const struct dpvs_root *root = shm->root;
	uint64_t drops, dropped;
	struct mrows r;

	family(out, "dpvs_build_info", "gauge", "dpvs-mp's version, DPDK's, the shared layout's");
	fprintf(out, "dpvs_build_info{version=\"%s\",dpdk=\"", DPVS_MP_VERSION);
	ctl_metrics_escape(out, rte_version(), 0);
	fprintf(out, "\",layout=\"%u\"} 1\n", DPVS_LAYOUT_VERSION);
	family(out, "dpvs_config_changes_total", "counter", "Changes of the configuration "
	       "published to the workers since the node started");
	fprintf(out, "dpvs_config_changes_total %" PRIu64 "\n",
		__atomic_load_n(&root->config.generation, __ATOMIC_RELAXED));
	if (collect(shm, &r) == 0)
		render_lb(out, &r);
	free(r.svc);
	free(r.dest);
	render_workers(out, root, busy);
	render_ports(out, root);
	render_xstats(out, root);
	if (shm->pool == NULL)
		return;
	family(out, "dpvs_mbuf_pool_size", "gauge", "Mbufs in the node's pool");
	fprintf(out, "dpvs_mbuf_pool_size %u\n", shm->pool->size);
	family(out, "dpvs_mbuf_pool_in_use", "gauge", "Mbufs of the pool held by someone (rings, "
	       "queues, workers, leaks)");
	fprintf(out, "dpvs_mbuf_pool_in_use %u\n", rte_mempool_in_use_count(shm->pool));
	dpvs_pool_cache_lost(shm->pool, &drops, &dropped);
	family(out, "dpvs_mbuf_pool_cache_dropped_total", "counter", "Mbufs lost with the lcore "
	       "caches of dead processes, which the primary drops (docs/crash-safety.md)");
	fprintf(out, "dpvs_mbuf_pool_cache_dropped_total %" PRIu64 "\n", dropped);
}
