/*
 * Text and JSON output of `dpvsctl stats`; the JSON built with jansson
 * (fmt_json.h), its shape in docs/schema/stats.json.
 */
#include <inttypes.h>
#include <stdio.h>

#include "fmt.h"
#include "fmt_json.h"

/* {name: value, ...} of verdicts, drops or events (shm/stats.h's order) */
static json_t *
counters_json(Dpvs__Counter *const *c, size_t n)
{
	json_t *o = ctl_json_obj();
	size_t i;

	for (i = 0; i < n; i++)
		ctl_json_set_named(o, c[i]->name, ctl_json_u64(c[i]->value));
	return o;
}

/* kni: the exception bridge's counters of a port */
static json_t *
port_kni_json(const Dpvs__PortStats *p)
{
	json_t *o = ctl_json_obj();

	ctl_json_set(o, "to_kernel", ctl_json_u64(p->kni_to_kernel));
	ctl_json_set(o, "from_kernel", ctl_json_u64(p->kni_from_kernel));
	ctl_json_set(o, "to_kernel_drop", ctl_json_u64(p->kni_to_kernel_drop));
	ctl_json_set(o, "from_kernel_drop", ctl_json_u64(p->kni_from_kernel_drop));
	return o;
}

static json_t *
port_json(const Dpvs__PortStats *p)
{
	json_t *o = ctl_json_obj();

	ctl_json_set(o, "name", ctl_json_str(p->name));
	ctl_json_set(o, "ipackets", ctl_json_u64(p->ipackets));
	ctl_json_set(o, "opackets", ctl_json_u64(p->opackets));
	ctl_json_set(o, "ibytes", ctl_json_u64(p->ibytes));
	ctl_json_set(o, "obytes", ctl_json_u64(p->obytes));
	ctl_json_set(o, "imissed", ctl_json_u64(p->imissed));
	ctl_json_set(o, "ierrors", ctl_json_u64(p->ierrors));
	ctl_json_set(o, "oerrors", ctl_json_u64(p->oerrors));
	ctl_json_set(o, "rx_nombuf", ctl_json_u64(p->rx_nombuf));
	ctl_json_set(o, "kni", port_kni_json(p));
	ctl_json_set(o, "stats_ok", ctl_json_bool(p->stats_ok));
	return o;
}

static json_t *
worker_json(const Dpvs__WorkerStats *w)
{
	json_t *o = ctl_json_obj();

	ctl_json_set(o, "id", ctl_json_u64(w->id));
	ctl_json_set(o, "rx_pkts", ctl_json_u64(w->rx_pkts));
	ctl_json_set(o, "rx_bytes", ctl_json_u64(w->rx_bytes));
	ctl_json_set(o, "tx_pkts", ctl_json_u64(w->tx_pkts));
	ctl_json_set(o, "tx_bytes", ctl_json_u64(w->tx_bytes));
	ctl_json_set(o, "from_kernel", ctl_json_u64(w->from_kernel));
	ctl_json_set(o, "arp_ring_in", ctl_json_u64(w->arp_ring_in));
	ctl_json_set(o, "loops", ctl_json_u64(w->loops));
	ctl_json_set(o, "busy_loops", ctl_json_u64(w->busy_loops));
	ctl_json_set(o, "verdicts", counters_json(w->verdicts, w->n_verdicts));
	ctl_json_set(o, "drops", counters_json(w->drops, w->n_drops));
	ctl_json_set(o, "events", counters_json(w->events, w->n_events));
	ctl_json_set(o, "hook_drops", counters_json(w->hook_drops, w->n_hook_drops));
	return o;
}

/* stats: docs/schema/stats.json */
static json_t *
stats_json(const Dpvs__Stats *s)
{
	json_t *o = ctl_json_obj(), *ports = ctl_json_arr(), *workers = ctl_json_arr();
	json_t *mbufs = ctl_json_obj();
	size_t i;

	for (i = 0; i < s->n_ports; i++)
		ctl_json_push(ports, port_json(s->ports[i]));
	for (i = 0; i < s->n_workers; i++)
		ctl_json_push(workers, worker_json(s->workers[i]));
	ctl_json_set(mbufs, "total", ctl_json_u64(s->mbufs_total));
	ctl_json_set(mbufs, "in_use", ctl_json_u64(s->mbufs_in_use));
	ctl_json_set(mbufs, "cache_drops", ctl_json_u64(s->mbufs_cache_drops));
	ctl_json_set(mbufs, "cache_dropped", ctl_json_u64(s->mbufs_cache_dropped));
	ctl_json_set(mbufs, "cache_off", ctl_json_bool(s->mbufs_cache_off));
	ctl_json_set(o, "ports", ports);
	ctl_json_set(o, "workers", workers);
	ctl_json_set(o, "drops", counters_json(s->drops, s->n_drops));
	ctl_json_set(o, "events", counters_json(s->events, s->n_events));
	ctl_json_set(o, "hook_drops", counters_json(s->hook_drops, s->n_hook_drops));
	ctl_json_set(o, "mbufs", mbufs);
	return o;
}

static void
stats_text(FILE *out, const Dpvs__Stats *s)
{
	size_t i, j;

	fprintf(out, "ports:\n  %-10s %12s %12s %14s %14s %10s %10s %10s %10s %10s\n", "NAME",
		"IPACKETS", "OPACKETS", "IBYTES", "OBYTES", "IMISSED", "IERRORS", "OERRORS",
		"TO_KNI", "FROM_KNI");
	for (i = 0; i < s->n_ports; i++) {
		const Dpvs__PortStats *p = s->ports[i];

		fprintf(out,
			"  %-10s %12" PRIu64 " %12" PRIu64 " %14" PRIu64 " %14" PRIu64 " %10" PRIu64
			" %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "%s\n",
			p->name, p->ipackets, p->opackets, p->ibytes, p->obytes, p->imissed,
			p->ierrors, p->oerrors, p->kni_to_kernel, p->kni_from_kernel,
			p->stats_ok ? "" : "  (ethdev stats unavailable)");
	}
	fputs("workers:\n", out);
	for (i = 0; i < s->n_workers; i++) {
		const Dpvs__WorkerStats *w = s->workers[i];

		fprintf(out,
			"  worker %u: rx %" PRIu64 " pkts %" PRIu64 " bytes, tx %" PRIu64
			" pkts %" PRIu64 " bytes, from_kernel %" PRIu64 ", loops %" PRIu64
			" (busy %" PRIu64 ")\n   ",
			w->id, w->rx_pkts, w->rx_bytes, w->tx_pkts, w->tx_bytes, w->from_kernel,
			w->loops, w->busy_loops);
		for (j = 0; j < w->n_verdicts; j++)
			fprintf(out, " %s %" PRIu64, w->verdicts[j]->name, w->verdicts[j]->value);
		fputc('\n', out);
	}
	fputs("drops:\n", out);
	for (i = 0; i < s->n_drops; i++)
		fprintf(out, "  %-20s %" PRIu64 "\n", s->drops[i]->name, s->drops[i]->value);
	fputs("events:\n", out);
	for (i = 0; i < s->n_events; i++)
		fprintf(out, "  %-24s %" PRIu64 "\n", s->events[i]->name, s->events[i]->value);
	fputs("PRE_ROUTING hooks, packets dropped:\n", out);
	for (i = 0; i < s->n_hook_drops; i++)
		fprintf(out, "  %-20s %" PRIu64 "\n", s->hook_drops[i]->name,
			s->hook_drops[i]->value);
	fprintf(out, "mbufs: %" PRIu64 " in use of %" PRIu64 "\n", s->mbufs_in_use,
		s->mbufs_total);
	if (s->mbufs_cache_drops != 0)
		fprintf(out, "mbufs: %" PRIu64 " dropped with %" PRIu64 " dead process(es)' "
			"lcore caches\n", s->mbufs_cache_dropped, s->mbufs_cache_drops);
	if (s->mbufs_cache_off)
		fprintf(out, "mbufs: per-lcore caches OFF (too many dropped with dead processes)\n");
}

void
ctl_fmt_stats(FILE *out, const Dpvs__Stats *s, bool json)
{
	if (json)
		ctl_json_print(out, stats_json(s));
	else
		stats_text(out, s);
}
