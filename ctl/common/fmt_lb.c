/*
 * Output of the load-balancer responses (see fmt.h): the service list like
 * `ipvsadm -Ln` (and `--stats`), connections like `ipvsadm -lnc`, local
 * addresses, routes like `ip route`, and the saved rules; or JSON. Pure: a
 * message in, characters on a FILE out.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "pb.h"

#define IPSTR 64

/* "10.0.0.100:80" / "[2001:db8::1]:80" */
static const char *
fmt_ipport(const Dpvs__Ip *ip, uint32_t port, char *buf, size_t len)
{
	char s[IPSTR];

	ctl_pb_ip_str(ip, s, sizeof(s));
	if (ip != NULL && ip->family == DPVS__FAMILY__INET6)
		snprintf(buf, len, "[%s]:%u", s, port);
	else
		snprintf(buf, len, "%s:%u", s, port);
	return buf;
}

/* ipvsadm's names of the forwarding methods. */
static const char *
fmt_forward(const char *mode)
{
	static const char *const map[][2] = {
		{ "fnat", "FullNat" }, { "nat", "Masq" }, { "dr", "Route" },
		{ "tunnel", "Tunnel" }, { "snat", "SNAT" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (mode != NULL && strcmp(mode, map[i][0]) == 0)
			return map[i][1];
	return mode != NULL ? mode : "?";
}

static const char *
fmt_upper_proto(const char *p)
{
	return p != NULL && strcmp(p, "udp") == 0 ? "UDP" : "TCP";
}

/* A dest's line of -L -n: ipvsadm's columns, then its health ("-" when no
 * check covers it) and the last probe's result. */
static void
fmt_dest_text(FILE *out, const Dpvs__DestInfo *d, const char *ipp)
{
	const char *h = d->health != NULL && d->health[0] != '\0' ? d->health : "unchecked";

	fprintf(out, "  -> %-28s %-7s %-6d %-10" PRIu64 " %-9" PRIu64 " %s", ipp,
		fmt_forward(d->mode), d->weight, d->active, d->inactive,
		strcmp(h, "unchecked") == 0 ? "-" : h);
	if (d->last_result != NULL && d->last_result[0] != '\0')
		fprintf(out, " (%s)", d->last_result);
	ctl_fmt_rates(out, d->rates, d->n_rates, false);
	fputc('\n', out);
}

static void
fmt_svc_text(FILE *out, const Dpvs__ServiceInfo *s, bool stats)
{
	char name[IPSTR + 256], ipp[IPSTR + 8];
	size_t j;

	if (s->match != NULL && s->match[0] != '\0')
		snprintf(name, sizeof(name), "MATCH %s", s->match);
	else
		snprintf(name, sizeof(name), "%s  %s", fmt_upper_proto(s->proto),
			 fmt_ipport(s->vip, s->port, ipp, sizeof(ipp)));
	if (stats)
		fprintf(out, "%-33s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 "\n",
			name, s->conns, s->inpkts, s->outpkts, s->inbytes, s->outbytes);
	else {
		fprintf(out, "%s %s", name, s->scheduler);
		for (j = 0; j < s->n_flags; j++)
			fprintf(out, " %s", s->flags[j]);
		ctl_fmt_rates(out, s->rates, s->n_rates, false);
		if (s->blklst != 0)
			fprintf(out, " blklst=%u", s->blklst);
		if (s->whtlst != 0)
			fprintf(out, " whtlst=%u", s->whtlst);
		fputc('\n', out);
	}
	for (j = 0; j < s->n_dests; j++) {
		const Dpvs__DestInfo *d = s->dests[j];

		fmt_ipport(d->address, d->port, ipp, sizeof(ipp));
		if (stats)
			fprintf(out, "  -> %-28s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64
				" %8" PRIu64 "\n", ipp, d->conns, d->inpkts, d->outpkts, d->inbytes,
				d->outbytes);
		else
			fmt_dest_text(out, d, ipp);
	}
}

static void
fmt_counters_json(FILE *out, uint64_t conns, uint64_t inpkts, uint64_t outpkts,
		  uint64_t inbytes, uint64_t outbytes)
{
	fprintf(out, ",\"conns\":%" PRIu64 ",\"inpkts\":%" PRIu64 ",\"outpkts\":%" PRIu64
		",\"inbytes\":%" PRIu64 ",\"outbytes\":%" PRIu64, conns, inpkts, outpkts, inbytes,
		outbytes);
}

static void
fmt_svc_json(FILE *out, const Dpvs__ServiceInfo *s, bool stats)
{
	char ip[IPSTR];
	size_t j;

	fputs("{\"proto\":", out);
	ctl_fmt_json_str(out, s->proto);
	fputs(",\"vip\":", out);
	if (s->match != NULL && s->match[0] != '\0')
		fputs("null", out);
	else
		ctl_fmt_json_str(out, ctl_pb_ip_str(s->vip, ip, sizeof(ip)));
	fputs(",\"match\":", out);
	if (s->match != NULL && s->match[0] != '\0')
		ctl_fmt_json_str(out, s->match);
	else
		fputs("null", out);
	fprintf(out, ",\"port\":%u,\"scheduler\":", s->port);
	ctl_fmt_json_str(out, s->scheduler);
	fputs(",\"flags\":[", out);
	for (j = 0; j < s->n_flags; j++) {
		fputs(j > 0 ? "," : "", out);
		ctl_fmt_json_str(out, s->flags[j]);
	}
	fputs("],\"laddrs\":[", out);
	for (j = 0; j < s->n_laddrs; j++) {
		fputs(j > 0 ? "," : "", out);
		ctl_fmt_json_str(out, ctl_pb_ip_str(s->laddrs[j], ip, sizeof(ip)));
	}
	fprintf(out, "],\"active\":%" PRIu64 ",\"inactive\":%" PRIu64, s->active, s->inactive);
	ctl_fmt_rates(out, s->rates, s->n_rates, true);
	fprintf(out, ",\"blklst\":%u,\"whtlst\":%u", s->blklst, s->whtlst);
	if (stats)
		fmt_counters_json(out, s->conns, s->inpkts, s->outpkts, s->inbytes, s->outbytes);
	fputs(",\"dests\":[", out);
	for (j = 0; j < s->n_dests; j++) {
		const Dpvs__DestInfo *d = s->dests[j];

		fprintf(out, "%s{\"address\":", j > 0 ? "," : "");
		ctl_fmt_json_str(out, ctl_pb_ip_str(d->address, ip, sizeof(ip)));
		fprintf(out, ",\"port\":%u,\"mode\":", d->port);
		ctl_fmt_json_str(out, d->mode);
		fprintf(out, ",\"weight\":%d,\"upper\":%u,\"lower\":%u,\"active\":%" PRIu64
			",\"inactive\":%" PRIu64, d->weight, d->upper, d->lower, d->active,
			d->inactive);
		if (stats)
			fmt_counters_json(out, d->conns, d->inpkts, d->outpkts, d->inbytes,
					  d->outbytes);
		/* the health check's view: weight is 0 while down, conf_weight the
		 * operator's */
		fputs(",\"health\":", out);
		ctl_fmt_json_str(out, d->health != NULL && d->health[0] != '\0' ? d->health
										  : "unchecked");
		fputs(",\"last_result\":", out);
		ctl_fmt_json_str(out, d->last_result != NULL ? d->last_result : "");
		fprintf(out, ",\"conf_weight\":%d", d->conf_weight);
		ctl_fmt_rates(out, d->rates, d->n_rates, true);
		fputc('}', out);
	}
	fputs("]}", out);
}

void
ctl_fmt_services(FILE *out, const Dpvs__ServiceList *l, bool json)
{
	size_t i;

	if (json) {
		fputc('[', out);
		for (i = 0; i < l->n_services; i++) {
			fputs(i > 0 ? "," : "", out);
			fmt_svc_json(out, l->services[i], l->stats);
		}
		fputs("]\n", out);
		return;
	}
	fputs("IP Virtual Server (dpvs-mp)\n", out);
	if (l->stats)
		fputs("Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes "
		      "OutBytes\n  -> RemoteAddress:Port\n", out);
	else
		fputs("Prot LocalAddress:Port Scheduler Flags\n"
		      "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn Health\n",
		      out);
	for (i = 0; i < l->n_services; i++)
		fmt_svc_text(out, l->services[i], l->stats);
}

void
ctl_fmt_laddrs(FILE *out, const Dpvs__LaddrList *l, bool json)
{
	char ip[IPSTR], ipp[IPSTR + 8];
	size_t i;

	if (json)
		fputc('[', out);
	for (i = 0; i < l->n_laddrs; i++) {
		const Dpvs__Laddr *a = l->laddrs[i];
		const Dpvs__SvcKey *k = a->service;

		ctl_pb_ip_str(a->address, ip, sizeof(ip));
		if (!json) {
			fprintf(out, "%s  %-24s %s dev %s\n", fmt_upper_proto(k->proto),
				fmt_ipport(k->vip, k->port, ipp, sizeof(ipp)), ip, a->dev);
			continue;
		}
		fprintf(out, "%s{\"proto\":", i > 0 ? "," : "");
		ctl_fmt_json_str(out, k->proto);
		fputs(",\"vip\":", out);
		ctl_fmt_json_str(out, ctl_pb_ip_str(k->vip, ipp, sizeof(ipp)));
		fprintf(out, ",\"port\":%u,\"address\":", k->port);
		ctl_fmt_json_str(out, ip);
		fputs(",\"dev\":", out);
		ctl_fmt_json_str(out, a->dev);
		fputc('}', out);
	}
	if (json)
		fputs("]\n", out);
}

void
ctl_fmt_routes(FILE *out, const Dpvs__RouteList *l, bool json)
{
	char p[IPSTR], g[IPSTR];
	size_t i;

	if (json)
		fputc('[', out);
	for (i = 0; i < l->n_routes; i++) {
		const Dpvs__Route *r = l->routes[i];
		bool kernel = r->proto != NULL && strcmp(r->proto, "kernel") == 0;

		ctl_pb_ip_str(r->prefix, p, sizeof(p));
		if (r->gateway != NULL)
			ctl_pb_ip_str(r->gateway, g, sizeof(g));
		if (!json) {
			fprintf(out, "%s/%u", p, r->prefixlen);
			if (r->gateway != NULL)
				fprintf(out, " via %s", g);
			fprintf(out, " dev %s proto %s%s\n", r->dev, r->proto,
				r->gateway == NULL ? " scope link" : "");
			continue;
		}
		fprintf(out, "%s{\"prefix\":", i > 0 ? "," : "");
		ctl_fmt_json_str(out, p);
		fprintf(out, ",\"prefixlen\":%u,\"gateway\":", r->prefixlen);
		if (r->gateway != NULL)
			ctl_fmt_json_str(out, g);
		else
			fputs("null", out);
		fputs(",\"dev\":", out);
		ctl_fmt_json_str(out, r->dev);
		fprintf(out, ",\"proto\":\"%s\"}", kernel ? "kernel" : "static");
	}
	if (json)
		fputs("]\n", out);
}

static void
fmt_conn_json(FILE *out, const Dpvs__Conn *c)
{
	char ip[IPSTR];

	fputs("{\"proto\":", out);
	ctl_fmt_json_str(out, c->proto);
	fprintf(out, ",\"expire\":%u,\"state\":", c->expire);
	ctl_fmt_json_str(out, c->state);
	fputs(",\"client\":", out);
	ctl_fmt_json_str(out, ctl_pb_ip_str(c->client, ip, sizeof(ip)));
	fprintf(out, ",\"cport\":%u,\"vip\":", c->cport);
	ctl_fmt_json_str(out, ctl_pb_ip_str(c->vip, ip, sizeof(ip)));
	fprintf(out, ",\"vport\":%u,\"laddr\":", c->vport);
	ctl_fmt_json_str(out, ctl_pb_ip_str(c->laddr, ip, sizeof(ip)));
	fprintf(out, ",\"lport\":%u,\"dest\":", c->lport);
	ctl_fmt_json_str(out, ctl_pb_ip_str(c->dest, ip, sizeof(ip)));
	fprintf(out, ",\"dport\":%u,\"worker\":%u,\"mode\":", c->dport, c->worker);
	ctl_fmt_json_str(out, c->mode != NULL ? c->mode : "");
	fputc('}', out);
}

void
ctl_fmt_conns(FILE *out, const Dpvs__ConnList *l, bool json)
{
	char s[IPSTR + 8], v[IPSTR + 8], lo[IPSTR + 8], d[IPSTR + 8];
	size_t i;

	if (json) {
		fputc('[', out);
		for (i = 0; i < l->n_conns; i++) {
			fputs(i > 0 ? "," : "", out);
			fmt_conn_json(out, l->conns[i]);
		}
		fputs("]\n", out);
	} else {
		fputs("IPVS connection entries\n", out);
		fprintf(out, "pro expire state       %-22s %-22s %-22s %s\n", "source", "virtual",
			"local", "destination");
		for (i = 0; i < l->n_conns; i++) {
			const Dpvs__Conn *c = l->conns[i];

			fprintf(out, "%-3s %02u:%02u  %-11s %-22s %-22s %-22s %s\n", c->proto,
				c->expire / 60, c->expire % 60, c->state,
				fmt_ipport(c->client, c->cport, s, sizeof(s)),
				fmt_ipport(c->vip, c->vport, v, sizeof(v)),
				fmt_ipport(c->laddr, c->lport, lo, sizeof(lo)),
				fmt_ipport(c->dest, c->dport, d, sizeof(d)));
		}
	}
	if (l->omitted > 0)
		fprintf(stderr, "dpvsctl: %" PRIu64 " more connections not listed\n", l->omitted);
}

void
ctl_fmt_rules(FILE *out, const Dpvs__RulesText *t, bool json)
{
	size_t i;

	if (json)
		fputc('[', out);
	for (i = 0; i < t->n_lines; i++) {
		if (!json) {
			fprintf(out, "%s\n", t->lines[i]);
			continue;
		}
		fputs(i > 0 ? "," : "", out);
		ctl_fmt_json_str(out, t->lines[i]);
	}
	if (json)
		fputs("]\n", out);
}

/* "services +1 -0 ~2" for the text form. */
static void
fmt_reload_kind(FILE *out, const char *what, uint32_t add, uint32_t del, int has_edit,
		uint32_t edit)
{
	fprintf(out, "  %-9s added %u, removed %u", what, add, del);
	if (has_edit)
		fprintf(out, ", edited %u", edit);
	fputc('\n', out);
}

void
ctl_fmt_reload(FILE *out, const Dpvs__ReloadResult *r, bool json)
{
	if (json) {
		fputs("{\"path\":", out);
		ctl_fmt_json_str(out, r->path != NULL ? r->path : "");
		fprintf(out, ",\"services\":{\"added\":%u,\"removed\":%u,\"edited\":%u}"
			",\"dests\":{\"added\":%u,\"removed\":%u,\"edited\":%u}"
			",\"laddrs\":{\"added\":%u,\"removed\":%u}"
			",\"addrs\":{\"added\":%u,\"removed\":%u}"
			",\"routes\":{\"added\":%u,\"removed\":%u}"
			",\"neighs\":{\"added\":%u,\"removed\":%u}"
			",\"checks\":{\"added\":%u,\"removed\":%u,\"edited\":%u}"
			",\"acls\":{\"added\":%u,\"removed\":%u},\"unchanged\":%u}\n",
			r->services_added, r->services_removed, r->services_edited,
			r->dests_added, r->dests_removed, r->dests_edited, r->laddrs_added,
			r->laddrs_removed, r->addrs_added, r->addrs_removed, r->routes_added,
			r->routes_removed, r->neighs_added, r->neighs_removed, r->checks_added,
			r->checks_removed, r->checks_edited, r->acls_added, r->acls_removed,
			r->unchanged);
		return;
	}
	fprintf(out, "reloaded %s (%u objects unchanged)\n", r->path != NULL ? r->path : "",
		r->unchanged);
	fmt_reload_kind(out, "services", r->services_added, r->services_removed, 1,
			r->services_edited);
	fmt_reload_kind(out, "dests", r->dests_added, r->dests_removed, 1, r->dests_edited);
	fmt_reload_kind(out, "laddrs", r->laddrs_added, r->laddrs_removed, 0, 0);
	fmt_reload_kind(out, "addrs", r->addrs_added, r->addrs_removed, 0, 0);
	fmt_reload_kind(out, "routes", r->routes_added, r->routes_removed, 0, 0);
	fmt_reload_kind(out, "neighs", r->neighs_added, r->neighs_removed, 0, 0);
	fmt_reload_kind(out, "checks", r->checks_added, r->checks_removed, 1, r->checks_edited);
	fmt_reload_kind(out, "acls", r->acls_added, r->acls_removed, 0, 0);
}
