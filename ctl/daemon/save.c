/*
 * `save`: the running configuration as rules-file lines (ctl/rules.h), in an
 * order that loads back into a fresh node: addresses, static neighbours,
 * static routes (their gateways need the addresses), services and dests in
 * id order (so a reload hands out the same ids and slots when there were no
 * deletions), then local addresses (they need both addresses and services).
 * Connected routes are derived and never saved. Reads a config set; writes
 * text only.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/common/pb.h"
#include "ctl/daemon/addr.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "ctl/daemon/show.h"

static const char *
port_name(const struct dpvs_root *root, uint16_t p)
{
	return p < DPVS_MAX_PORTS ? root->ports[p].name : "?";
}

/* "-t 10.0.0.100:80" */
static const char *
svc_opt(const struct dpvs_service *s, char *buf, size_t len)
{
	char ipp[INET6_ADDRSTRLEN + 8];

	snprintf(buf, len, "%s %s", s->proto == IPPROTO_UDP ? "-u" : "-t",
		 ctl_ipport_str(&s->vip, ntohs(s->vport), ipp, sizeof(ipp)));
	return buf;
}

static void
save_net(const struct dpvs_config_set *set, const struct dpvs_root *root, FILE *out)
{
	const struct dpvs_lb_tables *lb = &set->lb;
	char a[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];
	uint32_t i;

	for (i = 0; i < set->naddrs && i < DPVS_MAX_ADDRS; i++)
		fprintf(out, "addr add %s/%u dev %s\n",
			ctl_ip_str(&set->addrs[i].addr, a, sizeof(a)), set->addrs[i].prefixlen,
			port_name(root, set->addrs[i].port));
	for (i = 0; i < lb->nsneigh && i < DPVS_MAX_STATIC_NEIGH; i++) {
		const struct dpvs_static_neigh *n = &lb->sneigh[i];

		fprintf(out, "neigh add %s lladdr %02x:%02x:%02x:%02x:%02x:%02x dev %s\n",
			ctl_ip_str(&n->ip, a, sizeof(a)), n->mac[0], n->mac[1], n->mac[2],
			n->mac[3], n->mac[4], n->mac[5], port_name(root, n->port));
	}
	for (i = 0; i < lb->nroutes && i < DPVS_MAX_ROUTES; i++) {
		const struct dpvs_route *r = &lb->routes[i];

		if ((r->flags & DPVS_ROUTE_F_CONNECTED) != 0)
			continue;
		fprintf(out, "route add %s/%u", ctl_ip_str(&r->prefix, a, sizeof(a)), r->prefixlen);
		if ((r->flags & DPVS_ROUTE_F_GATEWAY) != 0)
			fprintf(out, " via %s", ctl_ip_str(&r->gw, g, sizeof(g)));
		fprintf(out, " dev %s\n", port_name(root, r->port));
	}
}

static void
save_dest(const struct dpvs_lb_tables *lb, uint16_t slot, FILE *out)
{
	const struct dpvs_dest *d = &lb->dests[slot];
	const struct dpvs_service *s = &lb->services[d->svc];
	char so[INET6_ADDRSTRLEN + 16], ipp[INET6_ADDRSTRLEN + 8];

	fprintf(out, "-a %s -r %s -b %s -w %d", svc_opt(s, so, sizeof(so)),
		ctl_ipport_str(&d->addr, ntohs(d->port), ipp, sizeof(ipp)),
		ctl_fwd_name(d->fwd_mode), d->weight);
	if (d->u_threshold != 0)
		fprintf(out, " -x %u", d->u_threshold);
	if (d->l_threshold != 0)
		fprintf(out, " -y %u", d->l_threshold);
	fputc('\n', out);
}

/* Services and dests merged in id order. */
static void
save_lb(const struct dpvs_lb_tables *lb, FILE *out)
{
	uint32_t last = 0;
	char so[INET6_ADDRSTRLEN + 16];

	for (;;) {
		uint32_t best = 0;
		int kind = -1, slot = -1, i;

		for (i = 0; i < DPVS_MAX_SERVICES; i++)
			if (lb->services[i].id > last && (best == 0 || lb->services[i].id < best)) {
				best = lb->services[i].id;
				kind = 0;
				slot = i;
			}
		for (i = 0; i < DPVS_MAX_DESTS; i++)
			if (lb->dests[i].id > last && (best == 0 || lb->dests[i].id < best)) {
				best = lb->dests[i].id;
				kind = 1;
				slot = i;
			}
		if (kind < 0)
			return;
		last = best;
		if (kind == 1) {
			save_dest(lb, (uint16_t)slot, out);
			continue;
		}
		fprintf(out, "-A %s -s %s", svc_opt(&lb->services[slot], so, sizeof(so)),
			ctl_sched_name(lb->services[slot].sched_id));
		if ((lb->services[slot].flags & DPVS_SVC_F_HASHED) != 0)
			fputs(" -b hash-port", out);
		fputc('\n', out);
	}
}

int
ctl_save_text(const struct dpvs_config_set *set, const struct dpvs_root *root, FILE *out)
{
	const struct dpvs_lb_tables *lb = &set->lb;
	uint16_t slots[DPVS_MAX_SERVICES];
	char so[INET6_ADDRSTRLEN + 16], a[INET6_ADDRSTRLEN];
	size_t n, i;
	uint16_t j;

	save_net(set, root, out);
	save_lb(lb, out);
	n = ctl_svc_slots_by_id(lb, slots);
	for (i = 0; i < n; i++) {
		const struct dpvs_service *s = &lb->services[slots[i]];

		for (j = 0; j < s->nladdrs && j < DPVS_MAX_SVC_LADDRS; j++)
			fprintf(out, "laddr add %s %s dev %s\n", svc_opt(s, so, sizeof(so)),
				ctl_ip_str(&s->laddrs[j], a, sizeof(a)),
				port_name(root, s->laddr_port[j]));
	}
	return ferror(out) ? -CTL_EIO : 0;
}

int
ctl_show_save(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
	      char *err, size_t errlen)
{
	Dpvs__RulesText *t;
	char *buf = NULL, *p, *nl;
	size_t len = 0;
	FILE *f;
	int rc;

	(void)req;
	f = open_memstream(&buf, &len);
	if (f == NULL)
		return dpvs_errf(err, errlen, -CTL_ENOMEM, "out of memory");
	rc = ctl_save_text(dpvs_config_active(shm->root), shm->root, f);
	fclose(f);
	if (rc != 0) {
		free(buf);
		return dpvs_errf(err, errlen, rc, "cannot write the rules text");
	}
	t = ctl_pb_alloc(sizeof(*t));
	dpvs__rules_text__init(t);
	resp->rules = t;
	resp->payload_case = DPVS__RESPONSE__PAYLOAD_RULES;
	for (p = buf; p != NULL && *p != '\0'; p = nl + 1) {
		char **line;

		nl = strchr(p, '\n');
		if (nl == NULL)
			break;
		*nl = '\0';
		line = ctl_pb_append(&t->lines, &t->n_lines, sizeof(*line));
		*line = ctl_pb_strdup(p);
	}
	free(buf);
	return 0;
}
