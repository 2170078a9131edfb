/*
 * Text and JSON output of responses (see fmt.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "fmt.h"
#include "pb.h"

#define IPSTR 64

void
ctl_fmt_json_str(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");

	fputc('"', out);
	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

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

static void
fmt_addrs(FILE *out, const Dpvs__AddrList *l, bool json)
{
	char ip[IPSTR];
	size_t i;

	if (json)
		fputc('[', out);
	for (i = 0; i < l->n_addrs; i++) {
		const Dpvs__Addr *a = l->addrs[i];

		ctl_pb_ip_str(a->address, ip, sizeof(ip));
		if (!json) {
			fprintf(out, "%s %s/%u dev %s\n", fmt_family(a->address), ip, a->prefixlen,
				a->dev);
			continue;
		}
		fprintf(out, "%s{\"address\":", i > 0 ? "," : "");
		ctl_fmt_json_str(out, ip);
		fprintf(out, ",\"prefixlen\":%u,\"dev\":", a->prefixlen);
		ctl_fmt_json_str(out, a->dev);
		fprintf(out, ",\"family\":\"%s\"}", fmt_family(a->address));
	}
	if (json)
		fputs("]\n", out);
}

static void
fmt_neigh_workers(FILE *out, const Dpvs__Neigh *n, const char *sep)
{
	size_t j;

	for (j = 0; j < n->n_workers; j++)
		fprintf(out, "%s%u", j > 0 ? sep : "", n->workers[j]);
}

/* Text: "ADDR [lladdr MAC] dev DEV STATE [age Ns] [workers 0,1]", as ip-neigh. */
static void
fmt_neigh_text(FILE *out, const Dpvs__Neigh *n, const char *ip, const char *mac)
{
	fputs(ip, out);
	if (n->lladdr.len > 0)
		fprintf(out, " lladdr %s", mac);
	fprintf(out, " dev %s %s", n->dev, n->state);
	if (!n->is_static)
		fprintf(out, " age %llus", (unsigned long long)(n->age_ms / 1000));
	if (n->n_workers > 0) {
		fputs(" workers ", out);
		fmt_neigh_workers(out, n, ",");
	}
	fputc('\n', out);
}

static void
fmt_neighs(FILE *out, const Dpvs__NeighList *l, bool json)
{
	char ip[IPSTR], mac[24];
	size_t i;

	if (json)
		fputc('[', out);
	for (i = 0; i < l->n_neighs; i++) {
		const Dpvs__Neigh *n = l->neighs[i];

		ctl_pb_ip_str(n->address, ip, sizeof(ip));
		fmt_mac(&n->lladdr, mac, sizeof(mac));
		if (!json) {
			fmt_neigh_text(out, n, ip, mac);
			continue;
		}
		fprintf(out, "%s{\"address\":", i > 0 ? "," : "");
		ctl_fmt_json_str(out, ip);
		if (n->lladdr.len > 0)
			fprintf(out, ",\"lladdr\":\"%s\",\"dev\":", mac);
		else
			fputs(",\"lladdr\":null,\"dev\":", out);
		ctl_fmt_json_str(out, n->dev);
		fputs(",\"state\":", out);
		ctl_fmt_json_str(out, n->state);
		fprintf(out, ",\"static\":%s,\"age_s\":", n->is_static ? "true" : "false");
		if (n->is_static)
			fputs("null", out);
		else
			fprintf(out, "%llu", (unsigned long long)(n->age_ms / 1000));
		fputs(",\"workers\":[", out);
		fmt_neigh_workers(out, n, ",");
		fputs("]}", out);
	}
	if (json)
		fputs("]\n", out);
}

static void
fmt_workers(FILE *out, const Dpvs__WorkerList *l, bool json)
{
	size_t i;

	if (json)
		fputc('[', out);
	else
		fprintf(out, "%-4s %-8s %-9s %-9s %-13s %-6s %-10s %s\n", "ID", "PID", "STATE",
			"RESTARTS", "HEARTBEAT_MS", "LCORE", "LAST_EXIT", "LAST_GAP_MS");
	for (i = 0; i < l->n_workers; i++) {
		const Dpvs__Worker *w = l->workers[i];

		if (!json) {
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
			continue;
		}
		fprintf(out, "%s{\"id\":%u,\"pid\":%d,\"state\":", i > 0 ? "," : "", w->id,
			w->pid);
		ctl_fmt_json_str(out, w->state);
		fprintf(out, ",\"restarts\":%u,\"heartbeat_age_ms\":", w->restarts);
		if (w->heartbeat_age_ms < 0)
			fputs("null", out);
		else
			fprintf(out, "%" PRId64, w->heartbeat_age_ms);
		fprintf(out, ",\"lcore\":%u,\"last_exit\":", w->lcore);
		if (w->last_exit != NULL && w->last_exit[0] != '\0')
			ctl_fmt_json_str(out, w->last_exit);
		else
			fputs("null", out);
		if (w->last_gap_us < 0)
			fputs(",\"last_gap_ms\":null", out);
		else
			fprintf(out, ",\"last_gap_ms\":%.3f", (double)w->last_gap_us / 1000.0);
		fprintf(out, ",\"standby_ready\":%u}", w->standby_ready);
	}
	if (json)
		fputs("]\n", out);
	else if (l->n_workers > 0)
		fprintf(out, "standby processes ready: %u\n", l->workers[0]->standby_ready);
}

static void
fmt_version(FILE *out, const Dpvs__Version *v, bool json)
{
	if (!json) {
		fprintf(out, "dpvs-mp %s\n%s\nlayout %u\n", v->version, v->dpdk, v->layout);
		return;
	}
	fputs("{\"version\":", out);
	ctl_fmt_json_str(out, v->version);
	fputs(",\"dpdk\":", out);
	ctl_fmt_json_str(out, v->dpdk);
	fprintf(out, ",\"layout\":%u}\n", v->layout);
}

/* port show: "dpdk0 mtu 1500 lladdr MAC kni dpdk0.kni forward off" */
static void
fmt_ports(FILE *out, const Dpvs__PortList *l, bool json)
{
	char mac[18];
	size_t i;

	if (json)
		fputc('[', out);
	for (i = 0; i < l->n_ports; i++) {
		const Dpvs__PortInfo *p = l->ports[i];
		const uint8_t *m = p->mac.data;

		if (p->mac.len == 6)
			snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
				 m[3], m[4], m[5]);
		else
			snprintf(mac, sizeof(mac), "?");
		if (!json) {
			fprintf(out, "%s mtu %u lladdr %s kni %s forward %s\n", p->name, p->mtu, mac,
				p->kni, p->forward ? "on" : "off");
			continue;
		}
		fprintf(out, "%s{\"name\":", i > 0 ? "," : "");
		ctl_fmt_json_str(out, p->name);
		fprintf(out, ",\"mtu\":%u,\"lladdr\":\"%s\",\"kni\":", p->mtu, mac);
		ctl_fmt_json_str(out, p->kni);
		fprintf(out, ",\"forward\":%s}", p->forward ? "true" : "false");
	}
	if (json)
		fputs("]\n", out);
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
	case DPVS__RESPONSE__PAYLOAD_ACLS:
		ctl_fmt_acls(out, resp->acls, json);
		break;
	default:
		if (!json && resp->message != NULL && resp->message[0] != '\0') {
			char buf[1024];

			fprintf(out, "%s\n", ctl_escape(resp->message, buf, sizeof(buf)));
		}
		break;
	}
}
