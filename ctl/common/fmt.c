/*
 * Text and JSON output of responses (see fmt.h): addresses, neighbours,
 * workers, version, ports, and the dispatch to fmt_lb.c and fmt_stats.c.
 * Each JSON document is built with jansson (fmt_json.h), one line per field.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "fmt.h"
#include "fmt_json.h"
#include "pb.h"

#define IPSTR 64

static const char *
fmt_family(const Dpvs__Ip *ip)
{
	return ip != NULL && ip->family == DPVS__FAMILY__INET6 ? "inet6" : "inet";
}

static void
fmt_mac(const ProtobufCBinaryData *b, char *buf, size_t len)
{
	if (b->len != 6) {
		snprintf(buf, len, "-");
		return;
	}
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", b->data[0], b->data[1],
		 b->data[2], b->data[3], b->data[4], b->data[5]);
}

/* addr show: docs/schema/addr-show.json */
static json_t *
addr_json(const Dpvs__Addr *a)
{
	json_t *o = ctl_json_obj();

	ctl_json_set(o, "address", ctl_json_ip(a->address));
	ctl_json_set(o, "prefixlen", ctl_json_u64(a->prefixlen));
	ctl_json_set(o, "dev", ctl_json_str(a->dev));
	ctl_json_set(o, "family", ctl_json_str(fmt_family(a->address)));
	return o;
}

static void
fmt_addrs(FILE *out, const Dpvs__AddrList *l, bool json)
{
	char ip[IPSTR];
	json_t *arr;
	size_t i;

	if (json) {
		arr = ctl_json_arr();
		for (i = 0; i < l->n_addrs; i++)
			ctl_json_push(arr, addr_json(l->addrs[i]));
		ctl_json_print(out, arr);
		return;
	}
	for (i = 0; i < l->n_addrs; i++) {
		const Dpvs__Addr *a = l->addrs[i];

		ctl_pb_ip_str(a->address, ip, sizeof(ip));
		fprintf(out, "%s %s/%u dev %s\n", fmt_family(a->address), ip, a->prefixlen, a->dev);
	}
}

/* Text: "ADDR [lladdr MAC] dev DEV STATE [age Ns] [workers 0,1]", as ip-neigh. */
static void
fmt_neigh_text(FILE *out, const Dpvs__Neigh *n, const char *ip, const char *mac)
{
	size_t j;

	fputs(ip, out);
	if (n->lladdr.len > 0)
		fprintf(out, " lladdr %s", mac);
	fprintf(out, " dev %s %s", n->dev, n->state);
	if (!n->is_static)
		fprintf(out, " age %llus", (unsigned long long)(n->age_ms / 1000));
	for (j = 0; j < n->n_workers; j++)
		fprintf(out, "%s%u", j > 0 ? "," : " workers ", n->workers[j]);
	fputc('\n', out);
}

/* neigh show: docs/schema/neigh-show.json */
static json_t *
neigh_json(const Dpvs__Neigh *n)
{
	json_t *o = ctl_json_obj(), *w = ctl_json_arr();
	size_t j;

	for (j = 0; j < n->n_workers; j++)
		ctl_json_push(w, ctl_json_u64(n->workers[j]));
	ctl_json_set(o, "address", ctl_json_ip(n->address));
	ctl_json_set(o, "lladdr", ctl_json_mac(&n->lladdr));     /* null: none yet */
	ctl_json_set(o, "dev", ctl_json_str(n->dev));
	ctl_json_set(o, "state", ctl_json_str(n->state));
	ctl_json_set(o, "static", ctl_json_bool(n->is_static));
	ctl_json_set(o, "age_s", n->is_static ? json_null() : ctl_json_u64(n->age_ms / 1000));
	ctl_json_set(o, "workers", w);
	return o;
}

static void
fmt_neighs(FILE *out, const Dpvs__NeighList *l, bool json)
{
	char ip[IPSTR], mac[24];
	json_t *arr;
	size_t i;

	if (json) {
		arr = ctl_json_arr();
		for (i = 0; i < l->n_neighs; i++)
			ctl_json_push(arr, neigh_json(l->neighs[i]));
		ctl_json_print(out, arr);
		return;
	}
	for (i = 0; i < l->n_neighs; i++) {
		const Dpvs__Neigh *n = l->neighs[i];

		ctl_pb_ip_str(n->address, ip, sizeof(ip));
		fmt_mac(&n->lladdr, mac, sizeof(mac));
		fmt_neigh_text(out, n, ip, mac);
	}
}

/* worker show: docs/schema/worker-show.json */
static json_t *
worker_json(const Dpvs__Worker *w)
{
	json_t *o = ctl_json_obj();

	ctl_json_set(o, "id", ctl_json_u64(w->id));
	ctl_json_set(o, "pid", ctl_json_i64(w->pid));
	ctl_json_set(o, "state", ctl_json_str(w->state));
	ctl_json_set(o, "restarts", ctl_json_u64(w->restarts));
	ctl_json_set(o, "heartbeat_age_ms",
		     w->heartbeat_age_ms < 0 ? json_null() : ctl_json_i64(w->heartbeat_age_ms));
	ctl_json_set(o, "lcore", ctl_json_u64(w->lcore));
	ctl_json_set(o, "last_exit", ctl_json_str_or_null(w->last_exit));
	ctl_json_set(o, "last_gap_ms", w->last_gap_us < 0 ? json_null()
				       : json_real((double)w->last_gap_us / 1000.0));
	ctl_json_set(o, "standby_ready", ctl_json_u64(w->standby_ready));
	return o;
}

static void
fmt_workers_text(FILE *out, const Dpvs__WorkerList *l)
{
	size_t i;

	fprintf(out, "%-4s %-8s %-9s %-9s %-13s %-6s %-10s %s\n", "ID", "PID", "STATE",
		"RESTARTS", "HEARTBEAT_MS", "LCORE", "LAST_EXIT", "LAST_GAP_MS");
	for (i = 0; i < l->n_workers; i++) {
		const Dpvs__Worker *w = l->workers[i];

		fprintf(out, "%-4u %-8d %-9s %-9u ", w->id, w->pid, w->state, w->restarts);
		if (w->heartbeat_age_ms < 0)
			fprintf(out, "%-13s ", "-");
		else
			fprintf(out, "%-13" PRId64 " ", w->heartbeat_age_ms);
		fprintf(out, "%-6u %-10s ", w->lcore,
			w->last_exit != NULL && w->last_exit[0] != '\0' ? w->last_exit : "-");
		if (w->last_gap_us < 0)
			fputs("-\n", out);
		else
			fprintf(out, "%.3f\n", (double)w->last_gap_us / 1000.0);
	}
	if (l->n_workers > 0)
		fprintf(out, "standby processes ready: %u\n", l->workers[0]->standby_ready);
}

static void
fmt_workers(FILE *out, const Dpvs__WorkerList *l, bool json)
{
	json_t *arr;
	size_t i;

	if (!json) {
		fmt_workers_text(out, l);
		return;
	}
	arr = ctl_json_arr();
	for (i = 0; i < l->n_workers; i++)
		ctl_json_push(arr, worker_json(l->workers[i]));
	ctl_json_print(out, arr);
}

/* version: docs/schema/version.json */
static void
fmt_version(FILE *out, const Dpvs__Version *v, bool json)
{
	json_t *o;

	if (!json) {
		fprintf(out, "dpvs-mp %s\n%s\nlayout %u\n", v->version, v->dpdk, v->layout);
		return;
	}
	o = ctl_json_obj();
	ctl_json_set(o, "version", ctl_json_str(v->version));
	ctl_json_set(o, "dpdk", ctl_json_str(v->dpdk));
	ctl_json_set(o, "layout", ctl_json_u64(v->layout));
	ctl_json_print(out, o);
}

/* port show: docs/schema/port-show.json (lladdr null if the port has no
 * MAC, which dpvs-mp's ports always have) */
static json_t *
port_json(const Dpvs__PortInfo *p)
{
	json_t *o = ctl_json_obj();

	ctl_json_set(o, "name", ctl_json_str(p->name));
	ctl_json_set(o, "mtu", ctl_json_u64(p->mtu));
	ctl_json_set(o, "lladdr", ctl_json_mac(&p->mac));
	ctl_json_set(o, "kni", ctl_json_str(p->kni));
	ctl_json_set(o, "forward", ctl_json_bool(p->forward));
	ctl_json_set(o, "forward2kni", ctl_json_bool(p->forward2kni));
	ctl_json_set(o, "kni_ctrl_rate", ctl_json_u64(p->kni_ctrl_rate));
	ctl_json_set(o, "kni_mgmt_rate", ctl_json_u64(p->kni_mgmt_rate));
	ctl_json_set(o, "kni_rate", ctl_json_u64(p->kni_rate));
	ctl_json_set(o, "kni_priority", ctl_json_str(p->kni_priority));
	return o;
}

/* port show: "dpdk0 mtu 1500 lladdr MAC kni dpdk0.kni forward off forward2kni
 * off kni_ctrl_rate N kni_mgmt_rate N kni_rate N kni_priority LIST" */
static void
fmt_ports(FILE *out, const Dpvs__PortList *l, bool json)
{
	char mac[18];
	json_t *arr;
	size_t i;

	if (json) {
		arr = ctl_json_arr();
		for (i = 0; i < l->n_ports; i++)
			ctl_json_push(arr, port_json(l->ports[i]));
		ctl_json_print(out, arr);
		return;
	}
	for (i = 0; i < l->n_ports; i++) {
		const Dpvs__PortInfo *p = l->ports[i];
		const uint8_t *m = p->mac.data;

		if (p->mac.len == 6)
			snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
				 m[3], m[4], m[5]);
		else
			snprintf(mac, sizeof(mac), "?");
		fprintf(out, "%s mtu %u lladdr %s kni %s forward %s forward2kni %s "
			"kni_ctrl_rate %u kni_mgmt_rate %u kni_rate %u kni_priority %s\n",
			p->name, p->mtu, mac, p->kni, p->forward ? "on" : "off",
			p->forward2kni ? "on" : "off", p->kni_ctrl_rate, p->kni_mgmt_rate,
			p->kni_rate, p->kni_priority);
	}
}

/* vlan show: docs/schema/vlan-show.json; text "dpdk0.100 dev dpdk0 id 100" */
static void
fmt_vlans(FILE *out, const Dpvs__VlanList *l, bool json)
{
	json_t *arr, *o;
	size_t i;

	if (json) {
		arr = ctl_json_arr();
		for (i = 0; i < l->n_vlans; i++) {
			o = ctl_json_obj();
			ctl_json_set(o, "name", ctl_json_str(l->vlans[i]->name));
			ctl_json_set(o, "dev", ctl_json_str(l->vlans[i]->dev));
			ctl_json_set(o, "id", ctl_json_u64(l->vlans[i]->id));
			ctl_json_push(arr, o);
		}
		ctl_json_print(out, arr);
		return;
	}
	for (i = 0; i < l->n_vlans; i++)
		fprintf(out, "%s dev %s id %u\n", l->vlans[i]->name, l->vlans[i]->dev,
			l->vlans[i]->id);
}

void
ctl_fmt_response(FILE *out, const Dpvs__Response *resp, bool json)
{
	switch (resp->payload_case) {
	case DPVS__RESPONSE__PAYLOAD_ADDRS:
		fmt_addrs(out, resp->addrs, json);
		break;
	case DPVS__RESPONSE__PAYLOAD_NEIGHS:
		fmt_neighs(out, resp->neighs, json);
		break;
	case DPVS__RESPONSE__PAYLOAD_STATS:
		ctl_fmt_stats(out, resp->stats, json);
		break;
	case DPVS__RESPONSE__PAYLOAD_WORKERS:
		fmt_workers(out, resp->workers, json);
		break;
	case DPVS__RESPONSE__PAYLOAD_VERSION:
		fmt_version(out, resp->version, json);
		break;
	case DPVS__RESPONSE__PAYLOAD_SERVICES:
		ctl_fmt_services(out, resp->services, json);
		break;
	case DPVS__RESPONSE__PAYLOAD_LADDRS:
		ctl_fmt_laddrs(out, resp->laddrs, json);
		break;
	case DPVS__RESPONSE__PAYLOAD_ROUTES:
		ctl_fmt_routes(out, resp->routes, json);
		break;
	case DPVS__RESPONSE__PAYLOAD_CONNS:
		ctl_fmt_conns(out, resp->conns, json);
		break;
	case DPVS__RESPONSE__PAYLOAD_RULES:
		ctl_fmt_rules(out, resp->rules, json);
		break;
	case DPVS__RESPONSE__PAYLOAD_RELOAD:
		ctl_fmt_reload(out, resp->reload, json);
		break;
	case DPVS__RESPONSE__PAYLOAD_PORTS:
		fmt_ports(out, resp->ports, json);
		break;
	case DPVS__RESPONSE__PAYLOAD_TIMEOUTS:
		ctl_fmt_timeouts(out, resp->timeouts, json);
		break;
	case DPVS__RESPONSE__PAYLOAD_ACLS:
		ctl_fmt_acls(out, resp->acls, json);
		break;
	case DPVS__RESPONSE__PAYLOAD_VLANS:
		fmt_vlans(out, resp->vlans, json);
		break;
	default:
		if (!json && resp->message != NULL && resp->message[0] != '\0') {
			char buf[1024];

			fprintf(out, "%s\n", ctl_escape(resp->message, buf, sizeof(buf)));
		}
		break;
	}
}
