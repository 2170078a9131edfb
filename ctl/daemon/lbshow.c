/*
 * Shows of the load balancer (see show.h): `-L -n [--stats]` (services and
 * their dests, with counters summed over the workers' rows whose id matches
 * the live object, their rate limits, the sizes of a service's access
 * lists), `laddr show`, `route show`, `blklst show` / `whtlst show`. Reads the active config set
 * and the worker regions (racy reads of live counters are fine for display);
 * writes only the Response.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/common/pb.h"
#include "ctl/daemon/addr.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/health.h"
#include "ctl/daemon/lb.h"
#include "ctl/daemon/show.h"
#include "ctl/daemon/vlan.h"

static void
sum_row(struct ctl_lb_sum *s, const struct dpvs_lb_stats *r, uint32_t id)
{
	if (__atomic_load_n(&r->id, __ATOMIC_RELAXED) != id)
		return;
	s->active += r->active;
	s->inactive += r->inactive;
	s->conns += r->conns;
	s->inpkts += r->inpkts;
	s->outpkts += r->outpkts;
	s->inbytes += r->inbytes;
	s->outbytes += r->outbytes;
}

struct ctl_lb_sum
ctl_lb_sum_workers(struct dpvs_shm *shm, uint32_t slot, int dest, uint32_t id)
{
	struct ctl_lb_sum s;
	uint32_t w;

	memset(&s, 0, sizeof(s));
	for (w = 0; w < shm->root->conf.nworkers && w < DPVS_MAX_WORKERS; w++) {
		if (shm->wr[w] == NULL)
			continue;
		if (dest)
			sum_row(&s, &dpvs_wr_dest_stats(shm->wr[w])[slot], id);
		else
			sum_row(&s, &dpvs_wr_svc_stats(shm->wr[w])[slot], id);
	}
	return s;
}

static Dpvs__SvcKey *
key_msg(const struct dpvs_service *s)
{
	Dpvs__SvcKey *k = ctl_pb_alloc(sizeof(*k));

	dpvs__svc_key__init(k);
	k->proto = ctl_pb_strdup(s->proto == IPPROTO_UDP ? "udp" : "tcp");
	k->vip = ctl_pb_ip(s->vip.family, s->vip.bytes);
	k->port = ntohs(s->vport);
	return k;
}

/* The rate limits of entry ix as Rate messages. */
static void
rates_msg(const struct dpvs_lb_tables *lb, uint32_t ix, Dpvs__Rate ***out, size_t *n)
{
	const struct dpvs_rate_param *p = ctl_rate_params(lb, ix);
	unsigned int k;

	for (k = 0; p != NULL && k < DPVS_RATE_N; k++) {
		Dpvs__Rate **slot, *r;

		if (p[k].rate == 0)
			continue;
		r = ctl_pb_alloc(sizeof(*r));
		dpvs__rate__init(r);
		r->meter = ctl_pb_strdup(ctl_rate_meter_name(k));
		r->rate = p[k].rate;
		r->burst = p[k].burst;
		slot = ctl_pb_append(out, n, sizeof(*slot));
		*slot = r;
	}
}

static Dpvs__DestInfo *
dest_msg(struct dpvs_shm *shm, const struct dpvs_lb_tables *lb, uint32_t slot,
	 const uint32_t *cover)
{
	const struct dpvs_dest *d = &dpvs_lb_dests(lb)[slot];
	struct ctl_lb_sum s = ctl_lb_sum_workers(shm, slot, 1, d->id);
	Dpvs__DestInfo *m = ctl_pb_alloc(sizeof(*m));
	const char *last;

	dpvs__dest_info__init(m);
	m->address = ctl_pb_ip(d->addr.family, d->addr.bytes);
	m->port = ntohs(d->port);
	m->mode = ctl_pb_strdup(ctl_fwd_name(d->fwd_mode));
	m->weight = d->weight;
	m->conf_weight = d->conf_weight;
	m->health = ctl_pb_strdup(cover == NULL || cover[slot] == 0 ? "unchecked" :
				  (d->flags & DPVS_DEST_F_DOWN) != 0 ? "down" : "up");
	last = ctl_health_last(slot, d->id);
	m->last_result = ctl_pb_strdup(last != NULL ? last : "");
	m->upper = d->u_threshold;
	m->lower = d->l_threshold;
	rates_msg(lb, dpvs_lb_dest_rate(lb)[slot], &m->rates, &m->n_rates);
	m->active = s.active;
	m->inactive = s.inactive;
	m->conns = s.conns;
	m->inpkts = s.inpkts;
	m->outpkts = s.outpkts;
	m->inbytes = s.inbytes;
	m->outbytes = s.outbytes;
	return m;
}

static Dpvs__ServiceInfo *
svc_msg(struct dpvs_shm *shm, const struct dpvs_lb_tables *lb, uint16_t slot,
	const uint32_t *cover)
{
	const struct dpvs_service *s = dpvs_lb_svc(lb, slot);
	const uint32_t *dl = dpvs_lb_svc_dests(lb, slot);
	const struct dpvs_svc_laddr *la = dpvs_lb_svc_laddrs(lb, slot);
	struct ctl_lb_sum sum = ctl_lb_sum_workers(shm, slot, 0, s->id);
	Dpvs__ServiceInfo *m = ctl_pb_alloc(sizeof(*m));
	uint32_t j;

	dpvs__service_info__init(m);
	m->proto = ctl_pb_strdup(s->proto == IPPROTO_UDP ? "udp" : "tcp");
	m->vip = ctl_pb_ip(s->vip.family, s->vip.bytes);
	m->port = ntohs(s->vport);
	m->scheduler = ctl_pb_strdup(ctl_sched_name(s->sched_id));
	if ((s->flags & DPVS_SVC_F_MATCH) != 0) {
		struct ctl_svc_key k;

		ctl_svc_key_of(shm->root, lb, slot, &k);
		m->match = ctl_pb_strdup(k.text);
	}
	if ((s->flags & DPVS_SVC_F_SYNPROXY) != 0) {
		char **f = ctl_pb_append(&m->flags, &m->n_flags, sizeof(*f));

		*f = ctl_pb_strdup("synproxy");
	}
	if ((s->flags & DPVS_SVC_F_HASHED) != 0) {
		char **f = ctl_pb_append(&m->flags, &m->n_flags, sizeof(*f));

		*f = ctl_pb_strdup("hash-port");
	}
	if ((s->flags & (DPVS_SVC_F_PP_V1 | DPVS_SVC_F_PP_V2)) != 0) {
		char **f = ctl_pb_append(&m->flags, &m->n_flags, sizeof(*f));

		*f = ctl_pb_strdup((s->flags & DPVS_SVC_F_PP_V2) != 0 ? "proxy-protocol-v2" :
									  "proxy-protocol-v1");
	}
	if ((s->flags & DPVS_SVC_F_TOA) != 0) {
		char **f = ctl_pb_append(&m->flags, &m->n_flags, sizeof(*f));

		*f = ctl_pb_strdup("toa");
	}
	for (j = 0; j < s->ndests && j < lb->caps.svc_dests; j++) {
		Dpvs__DestInfo **d;

		if (dl[j] >= lb->caps.dests || dpvs_lb_dests(lb)[dl[j]].id == 0)
			continue;
		d = ctl_pb_append(&m->dests, &m->n_dests, sizeof(*d));
		*d = dest_msg(shm, lb, dl[j], cover);
	}
	for (j = 0; j < s->nladdrs && j < lb->caps.svc_laddrs; j++) {
		Dpvs__Ip **ip = ctl_pb_append(&m->laddrs, &m->n_laddrs, sizeof(*ip));

		*ip = ctl_pb_ip(la[j].ip.family, la[j].ip.bytes);
	}
	rates_msg(lb, dpvs_lb_svc_rate(lb)[slot], &m->rates, &m->n_rates);
	m->blklst = dpvs_lb_acl_svc(lb, slot)->n[DPVS_ACL_BLACK];
	m->whtlst = dpvs_lb_acl_svc(lb, slot)->n[DPVS_ACL_WHITE];
	m->active = sum.active;
	m->inactive = sum.inactive;
	m->conns = sum.conns;
	m->inpkts = sum.inpkts;
	m->outpkts = sum.outpkts;
	m->inbytes = sum.inbytes;
	m->outbytes = sum.outbytes;
	return m;
}

static int
slot_id_cmp(const void *a, const void *b, void *arg)
{
	const struct dpvs_lb_tables *lb = arg;
	uint32_t x = dpvs_lb_svc(lb, *(const uint16_t *)a)->id;
	uint32_t y = dpvs_lb_svc(lb, *(const uint16_t *)b)->id;

	return x < y ? -1 : x > y;
}

size_t
ctl_svc_slots_by_id(const struct dpvs_lb_tables *lb, uint16_t *slots)
{
	size_t n = 0;
	uint32_t i;

	for (i = 0; i < lb->caps.services; i++)
		if (dpvs_lb_svc(lb, i)->id != 0)
			slots[n++] = (uint16_t)i;
	qsort_r(slots, n, sizeof(slots[0]), slot_id_cmp, (void *)(uintptr_t)lb);
	return n;
}

/* The service key of a show request, or slot -1 for every service. */
static int
show_key_slot(const struct dpvs_root *root, const struct dpvs_lb_tables *lb,
	      const Dpvs__SvcKey *m, int *slot, char *err, size_t errlen)
{
	struct ctl_svc_key k;
	int rc;

	*slot = -1;
	if (m == NULL)
		return 0;
	memset(&k, 0, sizeof(k));
	if (m->match != NULL && m->match[0] != '\0') {
		rc = ctl_match_parse(root, m->match, &k.match, err, errlen);
		if (rc != 0)
			return rc;
		k.is_match = true;
		k.proto = k.match.proto;
		ctl_match_str(root, &k.match, k.text, sizeof(k.text));
		*slot = ctl_svc_get(lb, &k, err, errlen);
		return *slot < 0 ? *slot : 0;
	}
	k.proto = m->proto != NULL && strcmp(m->proto, "udp") == 0 ? IPPROTO_UDP : IPPROTO_TCP;
	if (m->vip == NULL || (m->vip->addr.len != 4 && m->vip->addr.len != 16) || m->port > 65535)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "bad service");
	k.vip.family = m->vip->addr.len == 4 ? DPVS_AF_INET : DPVS_AF_INET6;
	memcpy(k.vip.bytes, m->vip->addr.data, m->vip->addr.len);
	k.port = (uint16_t)m->port;
	*slot = ctl_svc_get(lb, &k, err, errlen);
	return *slot < 0 ? *slot : 0;
}

int
ctl_show_services(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		  char *err, size_t errlen)
{
	const struct dpvs_config_set *set = dpvs_config_active(shm);
	const struct dpvs_lb_tables *lb = &set->lb;
	uint16_t *slots;
	uint32_t *cover;
	Dpvs__ServiceList *l;
	size_t n, i;
	int one, rc;

	rc = show_key_slot(shm->root, lb, req->svc_show != NULL ? req->svc_show->key : NULL, &one,
			   err, errlen);
	if (rc != 0)
		return rc;
	slots = malloc(lb->caps.services * sizeof(*slots));
	cover = ctl_check_cover(lb);
	if (slots == NULL || cover == NULL) {
		free(slots);
		free(cover);
		return dpvs_errf(err, errlen, -CTL_ENOMEM, "out of memory");
	}
	l = ctl_pb_alloc(sizeof(*l));
	dpvs__service_list__init(l);
	l->stats = req->svc_show != NULL && req->svc_show->stats;
	resp->services = l;
	resp->payload_case = DPVS__RESPONSE__PAYLOAD_SERVICES;
	n = ctl_svc_slots_by_id(lb, slots);
	for (i = 0; i < n; i++) {
		Dpvs__ServiceInfo **s;

		if (one >= 0 && slots[i] != one)
			continue;
		s = ctl_pb_append(&l->services, &l->n_services, sizeof(*s));
		*s = svc_msg(shm, lb, slots[i], cover);
	}
	free(slots);
	free(cover);
	return 0;
}

int
ctl_show_laddrs(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		char *err, size_t errlen)
{
	const struct dpvs_config_set *set = dpvs_config_active(shm);
	const struct dpvs_lb_tables *lb = &set->lb;
	uint16_t *slots;
	Dpvs__LaddrList *l;
	size_t n, i;
	int one, rc;
	uint32_t j;

	rc = show_key_slot(shm->root, lb, req->laddr_show != NULL ? req->laddr_show->service : NULL,
			   &one, err, errlen);
	if (rc != 0)
		return rc;
	slots = malloc(lb->caps.services * sizeof(*slots));
	if (slots == NULL)
		return dpvs_errf(err, errlen, -CTL_ENOMEM, "out of memory");
	l = ctl_pb_alloc(sizeof(*l));
	dpvs__laddr_list__init(l);
	resp->laddrs = l;
	resp->payload_case = DPVS__RESPONSE__PAYLOAD_LADDRS;
	n = ctl_svc_slots_by_id(lb, slots);
	for (i = 0; i < n; i++) {
		const struct dpvs_service *s = dpvs_lb_svc(lb, slots[i]);
		const struct dpvs_svc_laddr *la = dpvs_lb_svc_laddrs(lb, slots[i]);

		if (one >= 0 && slots[i] != one)
			continue;
		for (j = 0; j < s->nladdrs && j < lb->caps.svc_laddrs; j++) {
			Dpvs__Laddr **slot = ctl_pb_append(&l->laddrs, &l->n_laddrs, sizeof(*slot));
			Dpvs__Laddr *m = ctl_pb_alloc(sizeof(*m));

			dpvs__laddr__init(m);
			m->service = key_msg(s);
			m->address = ctl_pb_ip(la[j].ip.family, la[j].ip.bytes);
			m->dev = ctl_pb_strdup(ctl_iface_name(set, shm->root, la[j].port));
			*slot = m;
		}
	}
	free(slots);
	return 0;
}

int
ctl_show_routes(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		char *err, size_t errlen)
{
	const struct dpvs_config_set *set = dpvs_config_active(shm);
	const struct dpvs_lb_tables *lb = &set->lb;
	Dpvs__RouteList *l;
	uint32_t *slots;
	size_t i, n;

	(void)req;
	l = ctl_pb_alloc(sizeof(*l));
	dpvs__route_list__init(l);
	resp->routes = l;
	resp->payload_case = DPVS__RESPONSE__PAYLOAD_ROUTES;
	slots = malloc(lb->caps.routes * sizeof(*slots));
	if (slots == NULL)
		return dpvs_errf(err, errlen, -CTL_ENOMEM, "out of memory");
	n = ctl_route_slots_sorted(lb, slots);
	for (i = 0; i < n; i++) {
		const struct dpvs_route *r = &dpvs_lb_routes(lb)[slots[i]];
		Dpvs__Route **slot = ctl_pb_append(&l->routes, &l->n_routes, sizeof(*slot));
		Dpvs__Route *m = ctl_pb_alloc(sizeof(*m));

		dpvs__route__init(m);
		m->prefix = ctl_pb_ip(r->prefix.family, r->prefix.bytes);
		m->prefixlen = r->prefixlen;
		if ((r->flags & DPVS_ROUTE_F_GATEWAY) != 0)
			m->gateway = ctl_pb_ip(r->gw.family, r->gw.bytes);
		m->dev = ctl_pb_strdup(ctl_iface_name(set, shm->root, r->port));
		m->proto = ctl_pb_strdup((r->flags & DPVS_ROUTE_F_CONNECTED) != 0 ? "kernel"
										  : "static");
		*slot = m;
	}
	free(slots);
	return 0;
}

int
ctl_show_acls(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
	      char *err, size_t errlen)
{
	const struct dpvs_lb_tables *lb = &dpvs_config_active(shm)->lb;
	const Dpvs__AclShow *q = req->acl_show;
	Dpvs__AclList *l;
	uint32_t *slots;
	size_t n, i;
	int one, kind = -1, rc;

	rc = show_key_slot(shm->root, lb, q != NULL ? q->service : NULL, &one, err, errlen);
	if (rc != 0)
		return rc;
	if (q != NULL && q->list != NULL && q->list[0] != '\0') {
		kind = ctl_acl_kind_from_name(q->list);
		if (kind < 0)
			return dpvs_errf(err, errlen, -CTL_EINVAL, "unknown access list \"%s\"",
					q->list);
	}
	slots = malloc(((size_t)lb->caps.acl_entries + 1) * sizeof(*slots));
	if (slots == NULL)
		return dpvs_errf(err, errlen, -CTL_ENOMEM, "out of memory");
	l = ctl_pb_alloc(sizeof(*l));
	dpvs__acl_list__init(l);
	resp->acls = l;
	resp->payload_case = DPVS__RESPONSE__PAYLOAD_ACLS;
	n = ctl_acl_slots_sorted(lb, slots);
	for (i = 0; i < n; i++) {
		const struct dpvs_acl_entry *e = &dpvs_lb_acl(lb)[slots[i]];
		const struct dpvs_service *s = dpvs_lb_svc(lb, e->svc);
		Dpvs__Acl **slot, *m;

		if ((one >= 0 && e->svc != one) || (kind >= 0 && e->kind != kind))
			continue;
		m = ctl_pb_alloc(sizeof(*m));
		dpvs__acl__init(m);
		m->service = key_msg(s);
		if ((s->flags & DPVS_SVC_F_MATCH) != 0) {
			struct ctl_svc_key k;

			ctl_svc_key_of(shm->root, lb, e->svc, &k);
			m->service->match = ctl_pb_strdup(k.text);
		}
		m->list = ctl_pb_strdup(ctl_acl_kind_name(e->kind));
		m->prefix = ctl_pb_ip(e->prefix.family, e->prefix.bytes);
		m->prefixlen = e->prefixlen;
		slot = ctl_pb_append(&l->entries, &l->n_entries, sizeof(*slot));
		*slot = m;
	}
	free(slots);
	return 0;
}
