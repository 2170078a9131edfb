/*
 * `save`: the running configuration as rules-file lines (ctl/rules.h), in an
 * order that loads back into a fresh node: the port switches that differ
 * from dpvs.conf, the timeouts that differ from the defaults, addresses, static neighbours,
 * static routes (their gateways need the addresses), services and dests in
 * id order (so a reload hands out the same ids and slots when there were no
 * deletions), then local addresses (they need both addresses and services;
 * one of a family none of its service's full-NAT real servers has any more
 * right after its service, since laddr add refuses it after them),
 * then access lists (in the order they were added), then health checks
 * (they need services and dests). A dest is saved with its configured
 * weight, whatever a health check made of it; rate limits ride on the -A
 * and -a lines.
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
#include "ctl/daemon/port.h"
#include "ctl/daemon/show.h"
#include "ctl/daemon/vlan.h"


/* "-t 10.0.0.100:80", "-H proto=tcp,src-range=..." */
static const char *
svc_opt(const struct dpvs_root *root, const struct dpvs_lb_tables *lb, uint16_t slot,
	char *buf, size_t len)
{
	const struct dpvs_service *s = dpvs_lb_svc(lb, slot);
	char ipp[INET6_ADDRSTRLEN + 8];
	struct ctl_svc_key k;

	if ((s->flags & DPVS_SVC_F_MATCH) != 0) {
		ctl_svc_key_of(root, lb, slot, &k);
		snprintf(buf, len, "-H %s", k.text);
		return buf;
	}
	snprintf(buf, len, "%s %s", s->proto == IPPROTO_UDP ? "-u" : "-t",
		 ctl_ipport_str(&s->vip, ntohs(s->vport), ipp, sizeof(ipp)));
	return buf;
}

static void
save_net(const struct dpvs_config_set *set, const struct dpvs_root *root, FILE *out)
{
	const struct dpvs_lb_tables *lb = &set->lb;
	const struct dpvs_addr_entry *addrs = dpvs_cfg_addrs(set);
	char a[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];
	uint32_t *slots;
	size_t i, n;

	for (i = 0; i < set->naddrs && i < lb->caps.addrs; i++)
		fprintf(out, "addr add %s/%u dev %s\n", ctl_ip_str(&addrs[i].addr, a, sizeof(a)),
			addrs[i].prefixlen, ctl_iface_name(set, root, addrs[i].port));
	for (i = 0; i < lb->nsneigh && i < lb->caps.sneigh; i++) {
		const struct dpvs_static_neigh *n = &dpvs_lb_sneigh(lb)[i];

		fprintf(out, "neigh add %s lladdr %02x:%02x:%02x:%02x:%02x:%02x dev %s\n",
			ctl_ip_str(&n->ip, a, sizeof(a)), n->mac[0], n->mac[1], n->mac[2],
			n->mac[3], n->mac[4], n->mac[5], ctl_iface_name(set, root, n->port));
	}
	slots = malloc(lb->caps.routes * sizeof(*slots));
	n = slots != NULL ? ctl_route_slots_sorted(lb, slots) : 0;
	for (i = 0; i < n; i++) {
		const struct dpvs_route *r = &dpvs_lb_routes(lb)[slots[i]];

		if ((r->flags & DPVS_ROUTE_F_CONNECTED) != 0)
			continue;
		fprintf(out, "route add %s/%u", ctl_ip_str(&r->prefix, a, sizeof(a)), r->prefixlen);
		if ((r->flags & DPVS_ROUTE_F_GATEWAY) != 0)
			fprintf(out, " via %s", ctl_ip_str(&r->gw, g, sizeof(g)));
		fprintf(out, " dev %s\n", ctl_iface_name(set, root, r->port));
	}
	free(slots);
}

static void
save_dest(const struct dpvs_root *root, const struct dpvs_lb_tables *lb, uint32_t slot,
	  FILE *out)
{
	const struct dpvs_dest *d = &dpvs_lb_dests(lb)[slot];
	char so[CTL_KEY_STR], ipp[INET6_ADDRSTRLEN + 8];

	fprintf(out, "-a %s -r %s -b %s -w %d", svc_opt(root, lb, d->svc, so, sizeof(so)),
		ctl_ipport_str(&d->addr, ntohs(d->port), ipp, sizeof(ipp)),
		ctl_fwd_name(d->fwd_mode), d->conf_weight);
	if (d->u_threshold != 0)
		fprintf(out, " -x %u", d->u_threshold);
	if (d->l_threshold != 0)
		fprintf(out, " -y %u", d->l_threshold);
	ctl_rate_save(out, lb, dpvs_lb_dest_rate(lb)[slot]);
	fputc('\n', out);
}

/* A service or dest by id: kind 0 service, 1 dest. */
struct save_obj {
	uint32_t id;
	uint32_t slot;
	int kind;
};

static int
obj_cmp(const void *a, const void *b)
{
	const struct save_obj *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* The local addresses of service slot: with fits, those that may be added
 * after its real servers (ctl_laddr_fits), else the others (of a family
 * none of its full-NAT real servers has any more: before them). */
static void
save_laddrs(const struct dpvs_config_set *set, const struct dpvs_root *root,
	    const struct dpvs_lb_tables *lb, uint16_t slot,
	    int fits, FILE *out)
{
	const struct dpvs_service *s = dpvs_lb_svc(lb, slot);
	const struct dpvs_svc_laddr *la = dpvs_lb_svc_laddrs(lb, slot);
	char so[CTL_KEY_STR], a[INET6_ADDRSTRLEN];
	uint32_t j;

	for (j = 0; j < s->nladdrs && j < lb->caps.svc_laddrs; j++)
		if (ctl_laddr_fits(lb, slot, &la[j].ip) == (fits != 0))
			fprintf(out, "laddr add %s %s dev %s\n", svc_opt(root, lb, slot, so, sizeof(so)),
				ctl_ip_str(&la[j].ip, a, sizeof(a)), ctl_iface_name(set, root, la[j].port));
}

/* Services and dests merged in id order. */
static int
save_lb(const struct dpvs_config_set *set, const struct dpvs_root *root,
	const struct dpvs_lb_tables *lb, FILE *out)
{
	const struct dpvs_dest *dests = dpvs_lb_dests(lb);
	char so[CTL_KEY_STR];
	struct save_obj *objs;
	size_t n = 0, i;
	uint32_t k;

	objs = malloc(((size_t)lb->caps.services + lb->caps.dests) * sizeof(*objs));
	if (objs == NULL)
		return -CTL_ENOMEM;
	for (k = 0; k < lb->caps.services; k++)
		if (dpvs_lb_svc(lb, k)->id != 0)
			objs[n++] = (struct save_obj){ dpvs_lb_svc(lb, k)->id, k, 0 };
	for (k = 0; k < lb->caps.dests; k++)
		if (dests[k].id != 0)
			objs[n++] = (struct save_obj){ dests[k].id, k, 1 };
	qsort(objs, n, sizeof(objs[0]), obj_cmp);
	for (i = 0; i < n; i++) {
		const struct dpvs_service *s = dpvs_lb_svc(lb, objs[i].slot);

		if (objs[i].kind == 1) {
			save_dest(root, lb, objs[i].slot, out);
			continue;
		}
		fprintf(out, "-A %s -s %s", svc_opt(root, lb, (uint16_t)objs[i].slot, so, sizeof(so)),
			ctl_sched_name(s->sched_id));
		if ((s->flags & DPVS_SVC_F_HASHED) != 0)
			fputs(" -b hash-port", out);
		if ((s->flags & DPVS_SVC_F_SYNPROXY) != 0)
			fputs(" --synproxy on", out);
		if ((s->flags & (DPVS_SVC_F_PP_V1 | DPVS_SVC_F_PP_V2)) != 0)
			fprintf(out, " --proxy-protocol %s",
				(s->flags & DPVS_SVC_F_PP_V2) != 0 ? "v2" : "v1");
		if ((s->flags & DPVS_SVC_F_TOA) != 0)
			fputs(" --toa on", out);
		ctl_rate_save(out, lb, dpvs_lb_svc_rate(lb)[objs[i].slot]);
		fputc('\n', out);
		save_laddrs(set, root, lb, (uint16_t)objs[i].slot, 0, out);
	}
	free(objs);
	return 0;
}

/* `blklst add` / `whtlst add` lines in add order. */
static int
save_acls(const struct dpvs_root *root, const struct dpvs_lb_tables *lb, FILE *out)
{
	char so[CTL_KEY_STR], a[INET6_ADDRSTRLEN];
	uint32_t *slots;
	size_t n, i;

	if (lb->nacl == 0)
		return 0;
	slots = malloc(((size_t)lb->caps.acl_entries + 1) * sizeof(*slots));
	if (slots == NULL)
		return -CTL_ENOMEM;
	n = ctl_acl_slots_sorted(lb, slots);
	for (i = 0; i < n; i++) {
		const struct dpvs_acl_entry *e = &dpvs_lb_acl(lb)[slots[i]];

		fprintf(out, "%s add %s %s/%u\n", ctl_acl_kind_name(e->kind),
			svc_opt(root, lb, e->svc, so, sizeof(so)),
			ctl_ip_str(&e->prefix, a, sizeof(a)), e->prefixlen);
	}
	free(slots);
	return 0;
}

/* "1", "0.5", "2.125": milliseconds as seconds. */
static void
save_seconds(FILE *out, const char *opt, uint32_t ms)
{
	if (ms % 1000 == 0)
		fprintf(out, " %s %u", opt, ms / 1000);
	else if (ms % 100 == 0)
		fprintf(out, " %s %u.%u", opt, ms / 1000, (ms % 1000) / 100);
	else if (ms % 10 == 0)
		fprintf(out, " %s %u.%02u", opt, ms / 1000, (ms % 1000) / 10);
	else
		fprintf(out, " %s %u.%03u", opt, ms / 1000, ms % 1000);
}

static void
save_hex(FILE *out, const char *opt, const char *data, uint16_t len)
{
	uint16_t i;

	fprintf(out, " %s ", opt);
	for (i = 0; i < len; i++)
		fprintf(out, "%02x", (unsigned char)data[i]);
}

/* `check set ...` of check c; a command in double quotes (\" and \\). */
static void
save_check(const struct dpvs_root *root, const struct dpvs_lb_tables *lb,
	   const struct dpvs_check *c, FILE *out)
{
	char so[INET6_ADDRSTRLEN + 16], ipp[INET6_ADDRSTRLEN + 8];
	const char *p;

	fprintf(out, "check set %s", svc_opt(root, lb, c->svc, so, sizeof(so)));
	if ((c->flags & DPVS_CHECK_F_DEST) != 0)
		fprintf(out, " -r %s", ctl_ipport_str(&c->dest, ntohs(c->dport), ipp, sizeof(ipp)));
	fprintf(out, " %s", ctl_check_type_name(c->type));
	if (c->type == DPVS_CHECK_CMD) {
		fputs(" \"", out);
		for (p = c->data; *p != '\0' && p < c->data + sizeof(c->data); p++) {
			if (*p == '"' || *p == '\\')
				fputc('\\', out);
			fputc(*p, out);
		}
		fputc('"', out);
	}
	if (c->type == DPVS_CHECK_HTTP || c->type == DPVS_CHECK_HTTPS)
		fprintf(out, " --path %.*s --expect %u", (int)sizeof(c->data), c->data,
			c->expect_status);
	if (c->type == DPVS_CHECK_UDP) {
		save_hex(out, "--send", c->data, c->send_len);
		if (c->expect_len > 0)
			save_hex(out, "--expect-data", c->data + c->send_len, c->expect_len);
	}
	save_seconds(out, "--interval", c->interval_ms);
	save_seconds(out, "--timeout", c->timeout_ms);
	fprintf(out, " --rise %u --fall %u", c->rise, c->fall);
	if (c->port != 0)
		fprintf(out, " --port %u", c->port);
	fputc('\n', out);
}

/* Health checks in id order (the order they were set). */
static int
save_checks(const struct dpvs_root *root, const struct dpvs_lb_tables *lb, FILE *out)
{
	const struct dpvs_check *c = dpvs_lb_checks(lb);
	struct save_obj *objs;
	size_t n = 0, i;
	uint32_t k;

	objs = malloc(((size_t)lb->caps.checks + 1) * sizeof(*objs));
	if (objs == NULL)
		return -CTL_ENOMEM;
	for (k = 0; k < lb->caps.checks; k++)
		if (c[k].id != 0)
			objs[n++] = (struct save_obj){ c[k].id, k, 2 };
	qsort(objs, n, sizeof(objs[0]), obj_cmp);
	for (i = 0; i < n; i++)
		save_check(root, lb, &c[objs[i].slot], out);
	free(objs);
	return 0;
}

int
ctl_save_text(const struct dpvs_config_set *set, const struct dpvs_root *root, FILE *out)
{
	const struct dpvs_lb_tables *lb = &set->lb;
	uint16_t *slots = malloc(lb->caps.services * sizeof(*slots));
	size_t n, i;
	int rc;

	if (slots == NULL)
		return -CTL_ENOMEM;
	ctl_port_save(set, root, out);
	ctl_vlan_save(set, root, out);
	ctl_timeout_save(lb, out);
	save_net(set, root, out);
	rc = save_lb(set, root, lb, out);
	n = ctl_svc_slots_by_id(lb, slots);
	for (i = 0; i < n && rc == 0; i++)
		save_laddrs(set, root, lb, slots[i], 1, out);
	free(slots);
	if (rc == 0)
		rc = save_acls(root, lb, out);
	if (rc == 0)
		rc = save_checks(root, lb, out);
	if (rc != 0)
		return rc;
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
	rc = ctl_save_text(dpvs_config_active(shm), shm->root, f);
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
