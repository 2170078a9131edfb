/*
 * Reload: the difference between the running set and the one a rules file
 * describes, as operations (see reload.h). Objects are matched by key:
 * services by protocol, VIP and port; dests by service, address and port;
 * local addresses by service and address; node addresses by address; static
 * routes by prefix; static neighbours by address and port; port switches by
 * port (a file without `port set` lines means dpvs.conf's values); VLANs
 * by slot (the file's get the slots their names have: hint_vlan_slots); the
 * timeouts as a whole (a file without timeout lines means the defaults). The
 * operations come in an order each front door accepts: removals first (local
 * addresses, dests, services, routes, neighbours, addresses, VLANs), the
 * port switches, the timeouts, then additions (VLANs first) in the file's
 * order (addresses, neighbours, routes, services and dests, local
 * addresses). Access lists (reload_acl.c) and health checks (reload_check.c)
 * go first and come last. Rate limits are compared with their service or
 * dest (a change edits it). Reads the sets; writes only the op list (and, in
 * ctl_reload, the node through change.c).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/common/pb.h"
#include "ctl/daemon/addr.h"
#include "ctl/daemon/beat.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/log.h"
#include "ctl/daemon/reload.h"
#include "ctl/rules.h"
#include "shm/lb_hash.h"

struct diff {
	const struct dpvs_config_set *cur, *tgt;
	struct ctl_oplist *ops;
	struct ctl_reload_result *res;
	int rc;
};

static struct ctl_op *
emit(struct diff *d, int kind)
{
	struct ctl_op *op = d->rc == 0 ? ctl_oplist_push(d->ops) : NULL;

	if (op == NULL) {
		d->rc = -CTL_ENOMEM;
		return NULL;
	}
	op->kind = kind;
	return op;
}

/* The key of service slot of lb (a match's text names ports by number:
 * it is only for messages). */
static struct ctl_svc_key
svc_key(const struct dpvs_lb_tables *lb, uint32_t slot)
{
	struct ctl_svc_key k;

	ctl_svc_key_of(NULL, lb, (uint16_t)slot, &k);
	return k;
}

/* Position of dest addr:port (network order) in the list of service slot
 * si of set, or -1. */
static int
dest_pos(const struct dpvs_config_set *set, uint32_t si, const struct dpvs_dest *want)
{
	const struct dpvs_lb_tables *lb = &set->lb;
	const uint32_t *dl = dpvs_lb_svc_dests(lb, si);
	uint32_t j;

	for (j = 0; j < dpvs_lb_svc(lb, si)->ndests; j++) {
		const struct dpvs_dest *x = &dpvs_lb_dests(lb)[dl[j]];

		if (x->port == want->port && dpvs_ip_equal(&x->addr, &want->addr))
			return (int)j;
	}
	return -1;
}

static int
laddr_pos(const struct dpvs_config_set *set, uint32_t si, const struct dpvs_svc_laddr *want)
{
	const struct dpvs_svc_laddr *la = dpvs_lb_svc_laddrs(&set->lb, si);
	uint32_t j;

	for (j = 0; j < dpvs_lb_svc(&set->lb, si)->nladdrs; j++)
		if (la[j].port == want->port && dpvs_ip_equal(&la[j].ip, &want->ip))
			return (int)j;
	return -1;
}

/* The address entry of ip in set, or NULL. */
static const struct dpvs_addr_entry *
addr_of(const struct dpvs_config_set *set, const struct dpvs_ip *ip)
{
	int i = ctl_addr_find(set, ip);

	return i < 0 ? NULL : &dpvs_cfg_addrs(set)[i];
}

/* Is ip an address that the reload removes or changes? Then its local
 * addresses must go before it and come back after it. */
static int
addr_changes(const struct diff *d, const struct dpvs_ip *ip)
{
	const struct dpvs_addr_entry *a = addr_of(d->cur, ip), *b = addr_of(d->tgt, ip);

	return a != NULL && (b == NULL || a->port != b->port || a->prefixlen != b->prefixlen);
}

static void
dest_args(struct ctl_dest_args *a, const struct dpvs_lb_tables *lb, const struct dpvs_dest *x)
{
	memset(a, 0, sizeof(*a));
	a->svc = svc_key(lb, x->svc);
	a->addr = x->addr;
	a->port = ntohs(x->port);
	a->mode = x->fwd_mode;
	a->weight = x->conf_weight;
	a->has_weight = true;
	a->upper = x->u_threshold;
	a->has_upper = true;
	a->lower = x->l_threshold;
	a->has_lower = true;
	ctl_rate_args_of(lb, dpvs_lb_dest_rate(lb)[x - dpvs_lb_dests(lb)], &a->rate);
}

static void
laddr_args(struct ctl_laddr_args *a, const struct dpvs_lb_tables *lb, uint32_t slot,
	   const struct dpvs_svc_laddr *la)
{
	memset(a, 0, sizeof(*a));
	a->svc = svc_key(lb, slot);
	a->addr = la->ip;
	a->port = la->port;
}

/* Removals of the local addresses and dests of services that stay, and of
 * the services that go. */
static void
diff_lb_removals(struct diff *d)
{
	const struct dpvs_lb_tables *cl = &d->cur->lb;
	uint32_t i, j;

	for (i = 0; i < cl->caps.services && d->rc == 0; i++) {
		const struct dpvs_service *s = dpvs_lb_svc(cl, i);
		struct ctl_svc_key k;
		struct ctl_op *op;
		int ti;

		if ((i & 255) == 0)
			ctl_beat(); /* slow, not hung (beat.h) */
		if (s->id == 0)
			continue;
		k = svc_key(cl, i);
		ti = ctl_svc_find(&d->tgt->lb, &k);
		if (ti < 0) {
			op = emit(d, CTL_OP_SVC_DEL);
			if (op != NULL)
				op->u.svc.key = k;
			d->res->svc[CTL_RL_DEL]++;
			d->res->dest[CTL_RL_DEL] += s->ndests;
			d->res->laddr[CTL_RL_DEL] += s->nladdrs;
			continue;
		}
		for (j = 0; j < s->nladdrs; j++) {
			const struct dpvs_svc_laddr *la = &dpvs_lb_svc_laddrs(cl, i)[j];

			if (laddr_pos(d->tgt, (uint32_t)ti, la) >= 0 && !addr_changes(d, &la->ip))
				continue;
			op = emit(d, CTL_OP_LADDR_DEL);
			if (op != NULL)
				laddr_args(&op->u.laddr, cl, i, la);
			d->res->laddr[CTL_RL_DEL]++;
		}
		for (j = 0; j < s->ndests; j++) {
			const struct dpvs_dest *x = &dpvs_lb_dests(cl)[dpvs_lb_svc_dests(cl, i)[j]];

			if (dest_pos(d->tgt, (uint32_t)ti, x) >= 0)
				continue;
			op = emit(d, CTL_OP_DEST_DEL);
			if (op != NULL)
				dest_args(&op->u.dest, cl, x);
			d->res->dest[CTL_RL_DEL]++;
		}
	}
}

static int
route_same(const struct dpvs_route *a, const struct dpvs_route *b)
{
	return a->prefixlen == b->prefixlen && dpvs_ip_equal(&a->prefix, &b->prefix);
}

/* Slot in set of the static route like r (same prefix; with exact, same
 * gateway and port too), or -1. */
static int
route_match(const struct dpvs_config_set *set, const struct dpvs_route *r, int exact)
{
	const struct dpvs_route *routes = dpvs_lb_routes(&set->lb);
	uint32_t i;

	for (i = 0; i < set->lb.caps.routes; i++) {
		const struct dpvs_route *x = &routes[i];

		if (x->prefix.family == DPVS_AF_NONE || (x->flags & DPVS_ROUTE_F_CONNECTED) != 0 ||
		    !route_same(x, r))
			continue;
		if (!exact || (x->port == r->port && x->flags == r->flags &&
			       (x->gw.family == DPVS_AF_NONE || dpvs_ip_equal(&x->gw, &r->gw))))
			return (int)i;
	}
	return -1;
}

static void
route_args(struct ctl_route_args *a, const struct dpvs_route *r)
{
	memset(a, 0, sizeof(*a));
	a->prefix = r->prefix;
	a->prefixlen = r->prefixlen;
	a->port = r->port;
	if ((r->flags & DPVS_ROUTE_F_GATEWAY) != 0)
		a->gw = r->gw;
}

static int
sneigh_match(const struct dpvs_config_set *set, const struct dpvs_static_neigh *e, int exact)
{
	const struct dpvs_static_neigh *sn = dpvs_lb_sneigh(&set->lb);
	uint32_t i;

	for (i = 0; i < set->lb.nsneigh; i++)
		if (sn[i].port == e->port && dpvs_ip_equal(&sn[i].ip, &e->ip) &&
		    (!exact || memcmp(sn[i].mac, e->mac, DPVS_ETHER_LEN) == 0))
			return (int)i;
	return -1;
}

static void
sneigh_args(struct ctl_sneigh_args *a, const struct dpvs_static_neigh *e)
{
	memset(a, 0, sizeof(*a));
	a->ip = e->ip;
	a->port = e->port;
	memcpy(a->mac, e->mac, DPVS_ETHER_LEN);
}

/* Routes, neighbours, addresses that go or change: removed. */
static void
diff_net_removals(struct diff *d)
{
	const struct dpvs_lb_tables *cl = &d->cur->lb;
	const struct dpvs_addr_entry *ca = dpvs_cfg_addrs(d->cur);
	uint32_t i;
	struct ctl_op *op;

	for (i = 0; i < cl->caps.routes && d->rc == 0; i++) {
		const struct dpvs_route *r = &dpvs_lb_routes(cl)[i];

		if (r->prefix.family == DPVS_AF_NONE || (r->flags & DPVS_ROUTE_F_CONNECTED) != 0 ||
		    route_match(d->tgt, r, 1) >= 0)
			continue;
		op = emit(d, CTL_OP_ROUTE_DEL);
		if (op != NULL)
			route_args(&op->u.route, r);
		d->res->route[CTL_RL_DEL]++;
	}
	for (i = 0; i < cl->nsneigh && d->rc == 0; i++) {
		const struct dpvs_static_neigh *e = &dpvs_lb_sneigh(cl)[i];

		if (sneigh_match(d->tgt, e, 1) >= 0)
			continue;
		op = emit(d, CTL_OP_NEIGH_DEL);
		if (op != NULL)
			sneigh_args(&op->u.sneigh, e);
		d->res->neigh[CTL_RL_DEL]++;
	}
	for (i = 0; i < d->cur->naddrs && d->rc == 0; i++) {
		if (!addr_changes(d, &ca[i].addr))
			continue;
		op = emit(d, CTL_OP_ADDR_DEL);
		if (op != NULL)
			op->u.addr = ca[i];
		d->res->addr[CTL_RL_DEL]++;
	}
}

/* Addresses, neighbours and routes of the file that are not running yet, in
 * the file's order. */
static void
diff_net_additions(struct diff *d)
{
	const struct dpvs_lb_tables *tl = &d->tgt->lb;
	const struct dpvs_addr_entry *ta = dpvs_cfg_addrs(d->tgt);
	uint32_t *slots, i, n;
	struct ctl_op *op;

	for (i = 0; i < d->tgt->naddrs && d->rc == 0; i++) {
		const struct dpvs_addr_entry *a = addr_of(d->cur, &ta[i].addr);

		if (a != NULL && !addr_changes(d, &ta[i].addr)) {
			d->res->unchanged++;
			continue;
		}
		op = emit(d, CTL_OP_ADDR_ADD);
		if (op != NULL)
			op->u.addr = ta[i];
		d->res->addr[CTL_RL_ADD]++;
	}
	for (i = 0; i < tl->nsneigh && d->rc == 0; i++) {
		const struct dpvs_static_neigh *e = &dpvs_lb_sneigh(tl)[i];

		if (sneigh_match(d->cur, e, 1) >= 0) {
			d->res->unchanged++;
			continue;
		}
		op = emit(d, CTL_OP_NEIGH_ADD);
		if (op != NULL)
			sneigh_args(&op->u.sneigh, e);
		d->res->neigh[CTL_RL_ADD]++;
	}
	slots = malloc(tl->caps.routes * sizeof(*slots));
	if (slots == NULL) {
		d->rc = -CTL_ENOMEM;
		return;
	}
	n = (uint32_t)ctl_route_slots_sorted(tl, slots);
	for (i = 0; i < n && d->rc == 0; i++) {
		const struct dpvs_route *r = &dpvs_lb_routes(tl)[slots[i]];

		if ((r->flags & DPVS_ROUTE_F_CONNECTED) != 0)
			continue;
		if (route_match(d->cur, r, 1) >= 0) {
			d->res->unchanged++;
			continue;
		}
		op = emit(d, CTL_OP_ROUTE_ADD);
		if (op != NULL)
			route_args(&op->u.route, r);
		d->res->route[CTL_RL_ADD]++;
	}
	free(slots);
}

/* A service of the file: added, edited or unchanged. */
static void
diff_svc(struct diff *d, uint32_t ti)
{
	const struct dpvs_service *t = dpvs_lb_svc(&d->tgt->lb, ti);
	struct ctl_svc_key k = svc_key(&d->tgt->lb, ti);
	int ci = ctl_svc_find(&d->cur->lb, &k);
	const struct dpvs_service *c = ci >= 0 ? dpvs_lb_svc(&d->cur->lb, (uint32_t)ci) : NULL;
	uint32_t mask = ~DPVS_SVC_F_DIRTY;
	struct ctl_op *op;

	if (c != NULL && c->sched_id == t->sched_id && (c->flags & mask) == (t->flags & mask) &&
	    ctl_rate_same(&d->cur->lb, dpvs_lb_svc_rate(&d->cur->lb)[ci], &d->tgt->lb,
			  dpvs_lb_svc_rate(&d->tgt->lb)[ti])) {
		d->res->unchanged++;
		return;
	}
	op = emit(d, c == NULL ? CTL_OP_SVC_ADD : CTL_OP_SVC_EDIT);
	if (op == NULL)
		return;
	op->u.svc.key = k;
	op->u.svc.sched = t->sched_id;
	op->u.svc.flags = (int)(t->flags & DPVS_SVC_F_HASHED);
	op->u.svc.synproxy = (t->flags & DPVS_SVC_F_SYNPROXY) != 0 ? 1 : -1;
	op->u.svc.pp = (t->flags & DPVS_SVC_F_PP_V2) ? 2 : (t->flags & DPVS_SVC_F_PP_V1) ? 1 : -1;
	op->u.svc.toa = (t->flags & DPVS_SVC_F_TOA) ? 1 : -1;
	ctl_rate_args_of(&d->tgt->lb, dpvs_lb_svc_rate(&d->tgt->lb)[ti], &op->u.svc.rate);
	d->res->svc[c == NULL ? CTL_RL_ADD : CTL_RL_EDIT]++;
}

/* A dest of the file: added, edited or unchanged. */
static void
diff_dest(struct diff *d, uint32_t tslot)
{
	const struct dpvs_dest *t = &dpvs_lb_dests(&d->tgt->lb)[tslot];
	struct ctl_svc_key k = svc_key(&d->tgt->lb, t->svc);
	int ci = ctl_svc_find(&d->cur->lb, &k), pos = -1;
	const struct dpvs_dest *c = NULL;
	struct ctl_op *op;

	if (ci >= 0)
		pos = dest_pos(d->cur, (uint32_t)ci, t);
	if (pos >= 0)
		c = &dpvs_lb_dests(&d->cur->lb)[dpvs_lb_svc_dests(&d->cur->lb, (uint32_t)ci)[pos]];
	if (c != NULL && c->conf_weight == t->conf_weight && c->u_threshold == t->u_threshold &&
	    c->l_threshold == t->l_threshold && c->fwd_mode == t->fwd_mode &&
	    ctl_rate_same(&d->cur->lb, dpvs_lb_dest_rate(&d->cur->lb)[c - dpvs_lb_dests(&d->cur->lb)],
			  &d->tgt->lb, dpvs_lb_dest_rate(&d->tgt->lb)[tslot])) {
		d->res->unchanged++;
		return;
	}
	op = emit(d, c == NULL ? CTL_OP_DEST_ADD : CTL_OP_DEST_EDIT);
	if (op != NULL)
		dest_args(&op->u.dest, &d->tgt->lb, t);
	d->res->dest[c == NULL ? CTL_RL_ADD : CTL_RL_EDIT]++;
}

struct by_id {
	uint32_t id, slot;
	int dest;
};

static int
by_id_cmp(const void *a, const void *b)
{
	const struct by_id *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Services and dests of the file in its order (ids), then local addresses. */
static void
diff_lb_additions(struct diff *d)
{
	const struct dpvs_lb_tables *tl = &d->tgt->lb;
	struct by_id *v = malloc(((size_t)tl->caps.services + tl->caps.dests) * sizeof(*v));
	size_t n = 0, i;
	uint32_t k, j;

	if (v == NULL) {
		d->rc = -CTL_ENOMEM;
		return;
	}
	for (k = 0; k < tl->caps.services; k++)
		if (dpvs_lb_svc(tl, k)->id != 0)
			v[n++] = (struct by_id){ dpvs_lb_svc(tl, k)->id, k, 0 };
	for (k = 0; k < tl->caps.dests; k++)
		if (dpvs_lb_dests(tl)[k].id != 0)
			v[n++] = (struct by_id){ dpvs_lb_dests(tl)[k].id, k, 1 };
	qsort(v, n, sizeof(v[0]), by_id_cmp);
	for (i = 0; i < n && d->rc == 0; i++) {
		if (v[i].dest)
			diff_dest(d, v[i].slot);
		else
			diff_svc(d, v[i].slot);
	}
	for (i = 0; i < n && d->rc == 0; i++) {
		const struct dpvs_service *t = dpvs_lb_svc(tl, v[i].slot);
		struct ctl_svc_key key;
		int ci;

		if (v[i].dest)
			continue;
		key = svc_key(tl, v[i].slot);
		ci = ctl_svc_find(&d->cur->lb, &key);
		for (j = 0; j < t->nladdrs && d->rc == 0; j++) {
			const struct dpvs_svc_laddr *la = &dpvs_lb_svc_laddrs(tl, v[i].slot)[j];
			struct ctl_op *op;

			if (ci >= 0 && laddr_pos(d->cur, (uint32_t)ci, la) >= 0 &&
			    !addr_changes(d, &la->ip)) {
				d->res->unchanged++;
				continue;
			}
			op = emit(d, CTL_OP_LADDR_ADD);
			if (op != NULL)
				laddr_args(&op->u.laddr, tl, v[i].slot, la);
			d->res->laddr[CTL_RL_ADD]++;
		}
	}
	free(v);
}

/* The port switches whose value the file changes (a rules file without
 * `port set` lines means dpvs.conf's defaults). */
static void
diff_ports(struct diff *d)
{
	uint32_t p, bit, x;
	struct ctl_op *op;

	for (p = 0; p < DPVS_CFG_PORTS && d->rc == 0; p++) {
		x = d->cur->port_flags[p] ^ d->tgt->port_flags[p];
		for (bit = 1; x != 0 && d->rc == 0; bit <<= 1) {
			if ((x & bit) == 0)
				continue;
			x &= ~bit;
			op = emit(d, CTL_OP_PORT_SET);
			if (op == NULL)
				continue;
			op->u.port.port = (int)p;
			op->u.port.flag = bit;
			op->u.port.on = (d->tgt->port_flags[p] & bit) != 0;
		}
	}
}

static int
vlan_same(const struct dpvs_vlan_cfg *a, const struct dpvs_vlan_cfg *b)
{
	return strncmp(a->name, b->name, DPVS_VLAN_NAME_LEN) == 0 && a->port == b->port &&
	       a->vid == b->vid;
}

/* The VLANs of the running set that the file drops or changes (slot by
 * slot: hint_vlan_slots gave each VLAN of the file the slot its name has in
 * the running set). A changed VLAN still in use fails its del: the
 * operator deletes what is on it first. */
static void
diff_vlan_removals(struct diff *d)
{
	struct ctl_op *op;
	int s;

	for (s = 0; s < DPVS_CFG_VLANS && d->rc == 0; s++) {
		const struct dpvs_vlan_cfg *c = &d->cur->vlans[s];

		if (c->name[0] == '\0' || vlan_same(c, &d->tgt->vlans[s]))
			continue;
		op = emit(d, CTL_OP_VLAN_DEL);
		if (op != NULL)
			memcpy(op->u.vlan.name, c->name, DPVS_VLAN_NAME_LEN);
	}
}

static void
diff_vlan_additions(struct diff *d)
{
	struct ctl_op *op;
	int s;

	for (s = 0; s < DPVS_CFG_VLANS && d->rc == 0; s++) {
		const struct dpvs_vlan_cfg *t = &d->tgt->vlans[s];

		if (t->name[0] == '\0' || vlan_same(&d->cur->vlans[s], t))
			continue;
		op = emit(d, CTL_OP_VLAN_ADD);
		if (op == NULL)
			continue;
		memcpy(op->u.vlan.name, t->name, DPVS_VLAN_NAME_LEN);
		op->u.vlan.port = t->port;
		op->u.vlan.vid = t->vid;
		op->u.vlan.slot = s;
	}
}

/* Give each `vlan add` of the file the slot its name has in cur (else one
 * that cur does not use and no other line takes), so that the file's set
 * numbers the interfaces as the running one does and the diff can compare
 * the objects on them by interface index. */
static void
hint_vlan_slots(const struct dpvs_config_set *cur, struct ctl_oplist *file)
{
	int taken[DPVS_CFG_VLANS] = { 0 };
	size_t i;
	int s;

	for (i = 0; i < file->n; i++) {
		struct ctl_vlan_args *a = &file->v[i].u.vlan;

		if (file->v[i].kind != CTL_OP_VLAN_ADD)
			continue;
		a->slot = -1;
		for (s = 0; s < DPVS_CFG_VLANS; s++)
			if (strncmp(cur->vlans[s].name, a->name, DPVS_VLAN_NAME_LEN) == 0 &&
			    !taken[s]) {
				a->slot = s;
				taken[s] = 1;
			}
	}
	for (s = 0; s < DPVS_CFG_VLANS; s++)
		taken[s] |= cur->vlans[s].name[0] != '\0';
	for (i = 0; i < file->n; i++) {
		struct ctl_vlan_args *a = &file->v[i].u.vlan;

		if (file->v[i].kind != CTL_OP_VLAN_ADD || a->slot >= 0)
			continue;
		for (s = 0; s < DPVS_CFG_VLANS && taken[s]; s++)
			;
		if (s < DPVS_CFG_VLANS) {
			a->slot = s;
			taken[s] = 1;
		}
	}
}

/* The file's timeouts (a file without timeout lines means the defaults). */
static void
diff_timeouts(struct diff *d)
{
	static const struct dpvs_timeouts zero;
	struct dpvs_timeouts want = d->tgt->lb.timeouts, have = d->cur->lb.timeouts;
	struct ctl_op *op;

	/* a set nothing prepared yet (all zero) stands for the defaults */
	if (memcmp(&want, &zero, sizeof(zero)) == 0)
		ctl_default_timeouts(&want);
	if (memcmp(&have, &zero, sizeof(zero)) == 0)
		ctl_default_timeouts(&have);
	if (memcmp(&have, &want, sizeof(want)) == 0)
		return;
	op = emit(d, CTL_OP_TIMEOUT_SET);
	if (op != NULL)
		op->u.timeouts = want;
}

int
ctl_reload_diff(const struct dpvs_config_set *cur, const struct dpvs_config_set *tgt,
		struct ctl_oplist *ops, struct ctl_reload_result *res)
{
	struct diff d = { .cur = cur, .tgt = tgt, .ops = ops, .res = res, .rc = 0 };

	memset(res, 0, sizeof(*res));
	d.rc = ctl_reload_checks(cur, tgt, ops, res, 0);
	if (d.rc == 0)
		d.rc = ctl_reload_acls(cur, tgt, ops, res, 0);
	diff_lb_removals(&d);
	diff_net_removals(&d);
	diff_vlan_removals(&d);
	diff_ports(&d);
	diff_timeouts(&d);
	diff_vlan_additions(&d);
	diff_net_additions(&d);
	diff_lb_additions(&d);
	if (d.rc == 0)
		d.rc = ctl_reload_acls(cur, tgt, ops, res, 1);
	if (d.rc == 0)
		d.rc = ctl_reload_checks(cur, tgt, ops, res, 1);
	return d.rc;
}

int
ctl_reload(struct dpvs_shm *shm, const char *path, struct ctl_reload_result *res, char *err,
	   size_t errlen)
{
	struct ctl_oplist file = { 0 }, ops = { 0 };
	struct dpvs_config_set *tgt;
	size_t failed = 0;
	int rc;

	if (path == NULL || path[0] == '\0')
		return dpvs_errf(err, errlen, -CTL_ENOENT,
				"no rules file: start dpvs-primary with --rules FILE to reload it");
	rc = ctl_rules_parse(shm->root, path, &file, err, errlen);
	if (rc != 0)
		goto out;
	/* the whole file on an empty scratch set: every line checked first */
	tgt = dpvs_cfgset_alloc(&shm->root->conf.caps);
	if (tgt == NULL) {
		rc = dpvs_errf(err, errlen, -CTL_ENOMEM, "out of memory");
		goto out;
	}
	ctl_lb_prepare(&tgt->lb);
	dpvs_cfgset_port_defaults(tgt, shm->root->ports, shm->root->conf.nports);
	hint_vlan_slots(dpvs_config_active(shm), &file);
	rc = ctl_ops_apply(tgt, shm->root, file.v, file.n, &failed, err, errlen);
	if (rc != 0) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", err);
		dpvs_errf(err, errlen, rc, "%s: line %u: %s", path, file.v[failed].line, msg);
	}
	if (rc == 0)
		rc = ctl_reload_diff(dpvs_config_active(shm), tgt, &ops, res);
	if (rc == 0)
		rc = ctl_change_run(shm, ops.v, ops.n, err, errlen);
	free(tgt);
out:
	ctl_oplist_free(&file);
	ctl_oplist_free(&ops);
	return rc;
}

int
ctl_exec_reload(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		char *err, size_t errlen)
{
	const char *path = shm->root->conf.rules_path;
	struct ctl_reload_result r;
	Dpvs__ReloadResult *m;
	int rc;

	(void)req;
	rc = ctl_reload(shm, path, &r, err, errlen);
	if (rc != 0) {
		CTL_LOG(WARNING, "reload of %s refused: %s", path, err);
		return rc;
	}
	CTL_LOG(INFO, "reloaded %s: services +%u -%u ~%u, dests +%u -%u ~%u, laddrs +%u -%u",
		path, r.svc[CTL_RL_ADD], r.svc[CTL_RL_DEL], r.svc[CTL_RL_EDIT],
		r.dest[CTL_RL_ADD], r.dest[CTL_RL_DEL], r.dest[CTL_RL_EDIT], r.laddr[CTL_RL_ADD],
		r.laddr[CTL_RL_DEL]);
	m = ctl_pb_alloc(sizeof(*m));
	dpvs__reload_result__init(m);
	m->path = ctl_pb_strdup(path);
	m->services_added = r.svc[CTL_RL_ADD];
	m->services_removed = r.svc[CTL_RL_DEL];
	m->services_edited = r.svc[CTL_RL_EDIT];
	m->dests_added = r.dest[CTL_RL_ADD];
	m->dests_removed = r.dest[CTL_RL_DEL];
	m->dests_edited = r.dest[CTL_RL_EDIT];
	m->laddrs_added = r.laddr[CTL_RL_ADD];
	m->laddrs_removed = r.laddr[CTL_RL_DEL];
	m->addrs_added = r.addr[CTL_RL_ADD];
	m->addrs_removed = r.addr[CTL_RL_DEL];
	m->routes_added = r.route[CTL_RL_ADD];
	m->routes_removed = r.route[CTL_RL_DEL];
	m->neighs_added = r.neigh[CTL_RL_ADD];
	m->neighs_removed = r.neigh[CTL_RL_DEL];
	m->checks_added = r.check[CTL_RL_ADD];
	m->checks_removed = r.check[CTL_RL_DEL];
	m->checks_edited = r.check[CTL_RL_EDIT];
	m->acls_added = r.acl[CTL_RL_ADD];
	m->acls_removed = r.acl[CTL_RL_DEL];
	m->unchanged = r.unchanged;
	resp->reload = m;
	resp->payload_case = DPVS__RESPONSE__PAYLOAD_RELOAD;
	return 0;
}
