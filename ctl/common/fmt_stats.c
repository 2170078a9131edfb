/*
 * Text and JSON output of `dpvsctl stats` (see fmt.h for the JSON shape).
 */
#include <inttypes.h>
#include <stdio.h>

#include "fmt.h"

static void
stats_json_counters(FILE *out, Dpvs__Counter *const *c, size_t n)
{
	size_t i;

	fputc('{', out);
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputc(',', out);
		ctl_fmt_json_str(out, c[i]->name);
		fprintf(out, ":%" PRIu64, c[i]->value);
	}
	fputc('}', out);
}

static void
stats_json_port(FILE *out, const Dpvs__PortStats *p)
{
	fputs("{\"name\":", out);
	ctl_fmt_json_str(out, p->name);
	fprintf(out,
		",\"ipackets\":%" PRIu64 ",\"opackets\":%" PRIu64 ",\"ibytes\":%" PRIu64
		",\"obytes\":%" PRIu64 ",\"imissed\":%" PRIu64 ",\"ierrors\":%" PRIu64
		",\"oerrors\":%" PRIu64 ",\"rx_nombuf\":%" PRIu64,
		p->ipackets, p->opackets, p->ibytes, p->obytes, p->imissed, p->ierrors,
		p->oerrors, p->rx_nombuf);
	fprintf(out,
		",\"kni\":{\"to_kernel\":%" PRIu64 ",\"from_kernel\":%" PRIu64
		",\"to_kernel_drop\":%" PRIu64 ",\"from_kernel_drop\":%" PRIu64 "}"
		",\"stats_ok\":%s}",
		p->kni_to_kernel, p->kni_from_kernel, p->kni_to_kernel_drop,
		p->kni_from_kernel_drop, p->stats_ok ? "true" : "false");
}

static void
stats_json_worker(FILE *out, const Dpvs__WorkerStats *w)
{
	fprintf(out,
		"{\"id\":%u,\"rx_pkts\":%" PRIu64 ",\"rx_bytes\":%" PRIu64 ",\"tx_pkts\":%" PRIu64
		",\"tx_bytes\":%" PRIu64 ",\"from_kernel\":%" PRIu64 ",\"arp_ring_in\":%" PRIu64
		",\"loops\":%" PRIu64 ",\"busy_loops\":%" PRIu64 ",\"verdicts\":",
		w->id, w->rx_pkts, w->rx_bytes, w->tx_pkts, w->tx_bytes, w->from_kernel,
		w->arp_ring_in, w->loops, w->busy_loops);
	stats_json_counters(out, w->verdicts, w->n_verdicts);
	fputs(",\"drops\":", out);
	stats_json_counters(out, w->drops, w->n_drops);
	fputs(",\"events\":", out);
	stats_json_counters(out, w->events, w->n_events);
	fputs(",\"hook_drops\":", out);
	stats_json_counters(out, w->hook_drops, w->n_hook_drops);
	fputc('}', out);
}

static void
stats_json(FILE *out, const Dpvs__Stats *s)
{
	size_t i;

	fputs("{\"ports\":[", out);
	for (i = 0; i < s->n_ports; i++) {
		if (i > 0)
			fputc(',', out);
		stats_json_port(out, s->ports[i]);
	}
	fputs("],\"workers\":[", out);
	for (i = 0; i < s->n_workers; i++) {
		if (i > 0)
			fputc(',', out);
		stats_json_worker(out, s->workers[i]);
	}
	fputs("],\"drops\":", out);
	stats_json_counters(out, s->drops, s->n_drops);
	fputs(",\"events\":", out);
	stats_json_counters(out, s->events, s->n_events);
	fputs(",\"hook_drops\":", out);
	stats_json_counters(out, s->hook_drops, s->n_hook_drops);
	fprintf(out, ",\"mbufs\":{\"total\":%" PRIu64 ",\"in_use\":%" PRIu64 "}}\n",
		s->mbufs_total, s->mbufs_in_use);
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
}

void
ctl_fmt_stats(FILE *out, const Dpvs__Stats *s, bool json)
{
	if (json)
		stats_json(out, s);
	else
		stats_text(out, s);
}
