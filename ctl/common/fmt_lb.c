/*
 * Output of the load-balancer responses (see fmt.h): the service list like
 * `ipvsadm -Ln` (and `--stats`), connections like `ipvsadm -lnc`, local
 * addresses, routes like `ip route`, the saved rules and a reload's result;
 * or JSON, built with jansson (fmt_json.h; shapes in docs/schema/). Pure: a
 * message in, characters on a FILE out.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "fmt_json.h"
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
	ctl_fmt_rates_text(out, d->rates, d->n_rates);
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
		ctl_fmt_rates_text(out, s->rates, s->n_rates);
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

/* The counters of -L -n --stats, after "inactive". */
static void
counters_json(json_t *o, uint64_t conns, uint64_t inpkts, uint64_t outpkts, uint64_t inbytes,
	      uint64_t outbytes)
{
	ctl_json_set(o, "conns", ctl_json_u64(conns));
	ctl_json_set(o, "inpkts", ctl_json_u64(inpkts));
	ctl_json_set(o, "outpkts", ctl_json_u64(outpkts));
	ctl_json_set(o, "inbytes", ctl_json_u64(inbytes));
	ctl_json_set(o, "outbytes", ctl_json_u64(outbytes));
}

/* A dest of -L -n: docs/schema/list.json, $defs/dest */
static json_t *
dest_json(const Dpvs__DestInfo *d, bool stats)
{
	json_t *o = ctl_json_obj();

	ctl_json_set(o, "address", ctl_json_ip(d->address));
	ctl_json_set(o, "port", ctl_json_u64(d->port));
	ctl_json_set(o, "mode", ctl_json_str(d->mode));
	ctl_json_set(o, "weight", ctl_json_i64(d->weight));
	ctl_json_set(o, "upper", ctl_json_u64(d->upper));
	ctl_json_set(o, "lower", ctl_json_u64(d->lower));
	ctl_json_set(o, "active", ctl_json_u64(d->active));
	ctl_json_set(o, "inactive", ctl_json_u64(d->inactive));
	if (stats)
		counters_json(o, d->conns, d->inpkts, d->outpkts, d->inbytes, d->outbytes);
	/* the health check's view: weight is 0 while down, conf_weight the
	 * operator's */
	ctl_json_set(o, "health", ctl_json_str(d->health != NULL && d->health[0] != '\0'
					       ? d->health : "unchecked"));
	ctl_json_set(o, "last_result", ctl_json_str(d->last_result));
	ctl_json_set(o, "conf_weight", ctl_json_i64(d->conf_weight));
	ctl_json_set(o, "rates", ctl_fmt_rates_json(d->rates, d->n_rates));
	return o;
}

/* A service of -L -n: docs/schema/list.json. A match service (-H) has a
 * null vip and its -H text in match; any other a null match. */
static json_t *
svc_json(const Dpvs__ServiceInfo *s, bool stats)
{
	bool is_match = s->match != NULL && s->match[0] != '\0';
	json_t *o = ctl_json_obj(), *flags = ctl_json_arr(), *laddrs = ctl_json_arr();
	json_t *dests = ctl_json_arr();
	size_t j;

	for (j = 0; j < s->n_flags; j++)
		ctl_json_push(flags, ctl_json_str(s->flags[j]));
	for (j = 0; j < s->n_laddrs; j++)
		ctl_json_push(laddrs, ctl_json_ip(s->laddrs[j]));
	for (j = 0; j < s->n_dests; j++)
		ctl_json_push(dests, dest_json(s->dests[j], stats));
	ctl_json_set(o, "proto", ctl_json_str(s->proto));
	ctl_json_set(o, "vip", is_match ? json_null() : ctl_json_ip(s->vip));
	ctl_json_set(o, "match", ctl_json_str_or_null(s->match));
	ctl_json_set(o, "port", ctl_json_u64(s->port));
	ctl_json_set(o, "scheduler", ctl_json_str(s->scheduler));
	ctl_json_set(o, "flags", flags);
	ctl_json_set(o, "laddrs", laddrs);
	ctl_json_set(o, "active", ctl_json_u64(s->active));
	ctl_json_set(o, "inactive", ctl_json_u64(s->inactive));
	ctl_json_set(o, "rates", ctl_fmt_rates_json(s->rates, s->n_rates));
	ctl_json_set(o, "blklst", ctl_json_u64(s->blklst));
	ctl_json_set(o, "whtlst", ctl_json_u64(s->whtlst));
	if (stats)
		counters_json(o, s->conns, s->inpkts, s->outpkts, s->inbytes, s->outbytes);
	ctl_json_set(o, "dests", dests);
	return o;
}

void
ctl_fmt_services(FILE *out, const Dpvs__ServiceList *l, bool json)
{
	size_t i;

	json_t *arr;

	if (json) {
		arr = ctl_json_arr();
		for (i = 0; i < l->n_services; i++)
			ctl_json_push(arr, svc_json(l->services[i], l->stats));
		ctl_json_print(out, arr);
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

/* An absent service key (the daemon always sends one) prints as an empty one. */
static const Dpvs__SvcKey no_svc_key = DPVS__SVC_KEY__INIT;

/* laddr show: docs/schema/laddr-show.json */
static json_t *
laddr_json(const Dpvs__Laddr *a)
{
	const Dpvs__SvcKey *k = a->service != NULL ? a->service : &no_svc_key;
	json_t *o = ctl_json_obj();

	ctl_json_set(o, "proto", ctl_json_str(k->proto));
	ctl_json_set(o, "vip", ctl_json_ip(k->vip));
	ctl_json_set(o, "port", ctl_json_u64(k->port));
	ctl_json_set(o, "address", ctl_json_ip(a->address));
	ctl_json_set(o, "dev", ctl_json_str(a->dev));
	return o;
}

void
ctl_fmt_laddrs(FILE *out, const Dpvs__LaddrList *l, bool json)
{
	char ip[IPSTR], ipp[IPSTR + 8];
	json_t *arr;
	size_t i;

	if (json) {
		arr = ctl_json_arr();
		for (i = 0; i < l->n_laddrs; i++)
			ctl_json_push(arr, laddr_json(l->laddrs[i]));
		ctl_json_print(out, arr);
		return;
	}
	for (i = 0; i < l->n_laddrs; i++) {
		const Dpvs__Laddr *a = l->laddrs[i];
		const Dpvs__SvcKey *k = a->service != NULL ? a->service : &no_svc_key;

		ctl_pb_ip_str(a->address, ip, sizeof(ip));
		fprintf(out, "%s  %-24s %s dev %s\n", fmt_upper_proto(k->proto),
			fmt_ipport(k->vip, k->port, ipp, sizeof(ipp)), ip, a->dev);
	}
}

/* route show: docs/schema/route-show.json (gateway null: directly
 * connected) */
static json_t *
route_json(const Dpvs__Route *r)
{
	bool kernel = r->proto != NULL && strcmp(r->proto, "kernel") == 0;
	json_t *o = ctl_json_obj();

	ctl_json_set(o, "prefix", ctl_json_ip(r->prefix));
	ctl_json_set(o, "prefixlen", ctl_json_u64(r->prefixlen));
	ctl_json_set(o, "gateway", r->gateway != NULL ? ctl_json_ip(r->gateway) : json_null());
	ctl_json_set(o, "dev", ctl_json_str(r->dev));
	ctl_json_set(o, "proto", ctl_json_str(kernel ? "kernel" : "static"));
	return o;
}

void
ctl_fmt_routes(FILE *out, const Dpvs__RouteList *l, bool json)
{
	char p[IPSTR], g[IPSTR];
	json_t *arr;
	size_t i;

	if (json) {
		arr = ctl_json_arr();
		for (i = 0; i < l->n_routes; i++)
			ctl_json_push(arr, route_json(l->routes[i]));
		ctl_json_print(out, arr);
		return;
	}
	for (i = 0; i < l->n_routes; i++) {
		const Dpvs__Route *r = l->routes[i];

		ctl_pb_ip_str(r->prefix, p, sizeof(p));
		fprintf(out, "%s/%u", p, r->prefixlen);
		if (r->gateway != NULL)
			fprintf(out, " via %s", ctl_pb_ip_str(r->gateway, g, sizeof(g)));
		fprintf(out, " dev %s proto %s%s\n", r->dev, r->proto,
			r->gateway == NULL ? " scope link" : "");
	}
}

/* conn show, -L -n -c: docs/schema/conn-show.json */
static json_t *
conn_json(const Dpvs__Conn *c)
{
	json_t *o = ctl_json_obj();

	ctl_json_set(o, "proto", ctl_json_str(c->proto));
	ctl_json_set(o, "expire", ctl_json_u64(c->expire));
	ctl_json_set(o, "state", ctl_json_str(c->state));
	ctl_json_set(o, "client", ctl_json_ip(c->client));
	ctl_json_set(o, "cport", ctl_json_u64(c->cport));
	ctl_json_set(o, "vip", ctl_json_ip(c->vip));
	ctl_json_set(o, "vport", ctl_json_u64(c->vport));
	ctl_json_set(o, "laddr", ctl_json_ip(c->laddr));
	ctl_json_set(o, "lport", ctl_json_u64(c->lport));
	ctl_json_set(o, "dest", ctl_json_ip(c->dest));
	ctl_json_set(o, "dport", ctl_json_u64(c->dport));
	ctl_json_set(o, "worker", ctl_json_u64(c->worker));
	ctl_json_set(o, "mode", ctl_json_str(c->mode));
	return o;
}

void
ctl_fmt_conns(FILE *out, const Dpvs__ConnList *l, bool json)
{
	char s[IPSTR + 8], v[IPSTR + 8], lo[IPSTR + 8], d[IPSTR + 8];
	size_t i;

	json_t *arr;

	if (json) {
		arr = ctl_json_arr();
		for (i = 0; i < l->n_conns; i++)
			ctl_json_push(arr, conn_json(l->conns[i]));
		ctl_json_print(out, arr);
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

/* save: docs/schema/save.json, the lines of a rules file */
void
ctl_fmt_rules(FILE *out, const Dpvs__RulesText *t, bool json)
{
	json_t *arr;
	size_t i;

	if (!json) {
		for (i = 0; i < t->n_lines; i++)
			fprintf(out, "%s\n", t->lines[i]);
		return;
	}
	arr = ctl_json_arr();
	for (i = 0; i < t->n_lines; i++)
		ctl_json_push(arr, ctl_json_str(t->lines[i]));
	ctl_json_print(out, arr);
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

/* {"added": A, "removed": R[, "edited": E]} of a reload's result */
static json_t *
reload_kind_json(uint32_t add, uint32_t del, int has_edit, uint32_t edit)
{
	json_t *o = ctl_json_obj();

	ctl_json_set(o, "added", ctl_json_u64(add));
	ctl_json_set(o, "removed", ctl_json_u64(del));
	if (has_edit)
		ctl_json_set(o, "edited", ctl_json_u64(edit));
	return o;
}

/* reload: docs/schema/reload.json */
static json_t *
reload_json(const Dpvs__ReloadResult *r)
{
	json_t *o = ctl_json_obj();

	ctl_json_set(o, "path", ctl_json_str(r->path));
	ctl_json_set(o, "services", reload_kind_json(r->services_added, r->services_removed, 1,
						     r->services_edited));
	ctl_json_set(o, "dests", reload_kind_json(r->dests_added, r->dests_removed, 1,
						  r->dests_edited));
	ctl_json_set(o, "laddrs", reload_kind_json(r->laddrs_added, r->laddrs_removed, 0, 0));
	ctl_json_set(o, "addrs", reload_kind_json(r->addrs_added, r->addrs_removed, 0, 0));
	ctl_json_set(o, "routes", reload_kind_json(r->routes_added, r->routes_removed, 0, 0));
	ctl_json_set(o, "neighs", reload_kind_json(r->neighs_added, r->neighs_removed, 0, 0));
	ctl_json_set(o, "checks", reload_kind_json(r->checks_added, r->checks_removed, 1,
						   r->checks_edited));
	ctl_json_set(o, "acls", reload_kind_json(r->acls_added, r->acls_removed, 0, 0));
	ctl_json_set(o, "unchanged", ctl_json_u64(r->unchanged));
	return o;
}

void
ctl_fmt_reload(FILE *out, const Dpvs__ReloadResult *r, bool json)
{
	if (json) {
		ctl_json_print(out, reload_json(r));
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

/* The seconds of the timeout called name in l, or 0. */
static uint32_t
fmt_timeout_of(const Dpvs__TimeoutList *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n_timeouts; i++)
		if (strcmp(l->timeouts[i]->name, name) == 0)
			return l->timeouts[i]->seconds;
	return 0;
}

void
ctl_fmt_timeouts(FILE *out, const Dpvs__TimeoutList *l, bool json)
{
	size_t i;

	if (l->brief && !json) {
		/* ipvsadm -L --timeout */
		fprintf(out, "Timeout (tcp tcpfin udp): %u %u %u\n",
			fmt_timeout_of(l, "tcp.established"), fmt_timeout_of(l, "tcp.fin_wait"),
			fmt_timeout_of(l, "udp"));
		return;
	}
	if (json) {
		json_t *o = ctl_json_obj();

		for (i = 0; i < l->n_timeouts; i++)
			ctl_json_set_named(o, l->timeouts[i]->name,
					   ctl_json_u64(l->timeouts[i]->seconds));
		ctl_json_print(out, o);
		return;
	}
	for (i = 0; i < l->n_timeouts; i++) {
		const char *n = l->timeouts[i]->name;

		if (strncmp(n, "tcp.", 4) == 0)
			fprintf(out, "tcp %-12s %u\n", n + 4, l->timeouts[i]->seconds);
		else
			fprintf(out, "%-16s %u\n", n, l->timeouts[i]->seconds);
	}
}
