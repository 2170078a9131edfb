/*
 * IPv4 and IPv6 routes (see lb.h). Routes live in slots that never move while
 * the route lives: static routes (route add) and the connected routes derived
 * from the node's addresses (like the kernel's "proto kernel scope link"
 * routes: added and removed with the addresses, never by hand). The rte_lpm
 * of a config set copy holds every IPv4 route but the default one, next hop =
 * slot, and is edited route by route with the set (ctl_set_lpm); the IPv4
 * default route is lb.default_route. IPv6 routes go into the set's own route6
 * index (derive.c, shm/lb.h), the default ::/0 included. `route show` and
 * save list static routes then connected ones, each in add order (seq).
 * Touches only the set (and its lpm) passed in.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lpm.h>

#include "ctl/daemon/addr.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "ctl/daemon/log.h"
#include "ctl/daemon/vlan.h"
#include "shm/lb_hash.h"

static uint32_t
ip4(const struct dpvs_ip *ip)
{
	uint32_t v;

	memcpy(&v, ip->bytes, 4);
	return ntohl(v);
}

struct rte_lpm *
ctl_set_lpm(const struct dpvs_config_set *set)
{
	char name[32];

	if (set->copy > 1)
		return NULL;
	snprintf(name, sizeof(name), DPVS_LPM_FMT, set->copy);
	return rte_lpm_find_existing(name);
}

/* Enter route slot i into the set's lookup table: the IPv6 index, the lpm,
 * or the IPv4 default route. */
static void
lpm_add(struct dpvs_config_set *set, uint32_t i)
{
	const struct dpvs_route *r = &dpvs_lb_routes(&set->lb)[i];
	struct rte_lpm *lpm;
	int rc;

	if (r->prefix.family == DPVS_AF_INET6) {
		ctl_route6_insert(&set->lb, i);
		return;
	}
	if (r->prefixlen == 0) {
		set->lb.default_route = i + 1;
		return;
	}
	lpm = ctl_set_lpm(set);
	if (lpm == NULL)
		return;
	/* cannot fail: the lpm has room for every route ([tables] routes) */
	rc = rte_lpm_add(lpm, ip4(&r->prefix), r->prefixlen, i);
	if (rc != 0)
		CTL_LOG(ERR, "route slot %u: rte_lpm_add: %d", i, rc);
}

static void
lpm_del(struct dpvs_config_set *set, uint32_t i)
{
	const struct dpvs_route *r = &dpvs_lb_routes(&set->lb)[i];
	struct rte_lpm *lpm;

	if (r->prefix.family == DPVS_AF_INET6) {
		ctl_route6_remove(&set->lb, i);
		return;
	}
	if (r->prefixlen == 0) {
		if (set->lb.default_route == i + 1)
			set->lb.default_route = 0;
		return;
	}
	lpm = ctl_set_lpm(set);
	if (lpm != NULL)
		rte_lpm_delete(lpm, ip4(&r->prefix), r->prefixlen);
}

/* Put r into the lowest free slot; its slot, or -1 when the table is full. */
static int
route_insert(struct dpvs_config_set *set, const struct dpvs_route *r)
{
	struct dpvs_lb_tables *lb = &set->lb;
	struct dpvs_route *routes = dpvs_lb_routes(lb);
	uint32_t i;

	for (i = 0; i < lb->caps.routes && routes[i].prefix.family != DPVS_AF_NONE; i++)
		;
	if (i == lb->caps.routes)
		return -1;
	routes[i] = *r;
	routes[i].seq = lb->route_seq++;
	lb->nroutes++;
	lpm_add(set, i);
	return (int)i;
}

static void
route_remove(struct dpvs_config_set *set, uint32_t i)
{
	lpm_del(set, i);
	memset(&dpvs_lb_routes(&set->lb)[i], 0, sizeof(struct dpvs_route));
	set->lb.nroutes--;
}

/* The connected network of address entry e, if it has one (prefix length
 * 1..31 for IPv4, 1..127 for IPv6). */
static int
connected_of(const struct dpvs_addr_entry *e, struct dpvs_route *r)
{
	if ((e->addr.family != DPVS_AF_INET && e->addr.family != DPVS_AF_INET6) ||
	    e->prefixlen == 0 || e->prefixlen >= ctl_ip_maxlen(&e->addr))
		return 0;
	memset(r, 0, sizeof(*r));
	ctl_ip_net(&e->addr, e->prefixlen, &r->prefix);
	r->prefixlen = e->prefixlen;
	r->flags = DPVS_ROUTE_F_CONNECTED;
	r->port = e->port;
	return 1;
}

static int
same_prefix(const struct dpvs_route *r, const struct dpvs_ip *p, uint8_t len)
{
	return r->prefixlen == len && dpvs_ip_equal(&r->prefix, p);
}

/* Slot of the route of this kind (connected or static) for p/len, or -1. */
static int
route_find(const struct dpvs_lb_tables *lb, const struct dpvs_ip *p, uint8_t len,
	   int connected)
{
	const struct dpvs_route *routes = dpvs_lb_routes(lb);
	uint32_t i;

	for (i = 0; i < lb->caps.routes; i++)
		if (routes[i].prefix.family != DPVS_AF_NONE &&
		    ((routes[i].flags & DPVS_ROUTE_F_CONNECTED) != 0) == (connected != 0) &&
		    same_prefix(&routes[i], p, len))
			return (int)i;
	return -1;
}

/* Index of the first address entry (other than skip) whose connected
 * network is p/len, or -1. */
static int
connected_find(const struct dpvs_config_set *set, const struct dpvs_ip *p, uint8_t len,
	       int skip)
{
	const struct dpvs_addr_entry *addrs = dpvs_cfg_addrs(set);
	struct dpvs_route r;
	uint32_t i;

	for (i = 0; i < set->naddrs; i++)
		if ((int)i != skip && connected_of(&addrs[i], &r) && same_prefix(&r, p, len))
			return (int)i;
	return -1;
}

void
ctl_route_connected_add(struct dpvs_config_set *set, uint32_t i)
{
	struct dpvs_route r;

	if (!connected_of(&dpvs_cfg_addrs(set)[i], &r) ||
	    route_find(&set->lb, &r.prefix, r.prefixlen, 1) >= 0)
		return;
	if (route_insert(set, &r) < 0)
		CTL_LOG(WARNING, "route table full: no connected route for an address");
}

void
ctl_route_connected_del(struct dpvs_config_set *set, uint32_t i)
{
	const struct dpvs_addr_entry *addrs = dpvs_cfg_addrs(set);
	struct dpvs_route r;
	int slot, other;

	if (!connected_of(&addrs[i], &r))
		return;
	slot = route_find(&set->lb, &r.prefix, r.prefixlen, 1);
	if (slot < 0)
		return;
	other = connected_find(set, &r.prefix, r.prefixlen, (int)i);
	if (other >= 0)   /* the network stays: on the port of its first address */
		dpvs_lb_routes(&set->lb)[slot].port = addrs[other].port;
	else
		route_remove(set, (uint32_t)slot);
}

/* Is gw on a network of one of port's addresses (other than entry skip)?
 * An IPv6 link-local gateway is on every port's link. */
static int
gw_reachable(const struct dpvs_config_set *set, const struct dpvs_ip *gw, uint16_t port,
	     int skip)
{
	const struct dpvs_addr_entry *addrs = dpvs_cfg_addrs(set);
	uint32_t i;

	if (gw->family == DPVS_AF_INET6 && gw->bytes[0] == 0xfe && (gw->bytes[1] & 0xc0) == 0x80)
		return 1;
	for (i = 0; i < set->naddrs; i++) {
		const struct dpvs_addr_entry *e = &addrs[i];

		if ((int)i == skip || e->port != port || e->addr.family != gw->family ||
		    e->prefixlen == 0)
			continue;
		if (ctl_ip_in_net(&e->addr, e->prefixlen, gw))
			return 1;
	}
	return 0;
}

static int
route_cmp(const void *a, const void *b, void *arg)
{
	const struct dpvs_route *routes = arg;
	const struct dpvs_route *x = &routes[*(const uint32_t *)a];
	const struct dpvs_route *y = &routes[*(const uint32_t *)b];
	int cx = (x->flags & DPVS_ROUTE_F_CONNECTED) != 0;
	int cy = (y->flags & DPVS_ROUTE_F_CONNECTED) != 0;

	if (cx != cy)
		return cx - cy;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

size_t
ctl_route_slots_sorted(const struct dpvs_lb_tables *lb, uint32_t *out)
{
	const struct dpvs_route *routes = dpvs_lb_routes(lb);
	size_t n = 0;
	uint32_t i;

	for (i = 0; i < lb->caps.routes; i++)
		if (routes[i].prefix.family != DPVS_AF_NONE)
			out[n++] = i;
	qsort_r(out, n, sizeof(out[0]), route_cmp, (void *)(uintptr_t)routes);
	return n;
}

/* A gateway a route may name: unicast, of the prefix's family. */
static int
route_gw_ok(const struct dpvs_ip *gw, uint8_t family, char *err, size_t errlen)
{
	static const uint8_t zero[16];
	char g[INET6_ADDRSTRLEN];

	ctl_ip_str(gw, g, sizeof(g));
	if (gw->family != family)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "gateway %s: not an %s address", g,
				family == DPVS_AF_INET ? "IPv4" : "IPv6");
	if (family == DPVS_AF_INET) {
		if (ip4(gw) == 0 || gw->bytes[0] >= 224)
			return dpvs_errf(err, errlen, -CTL_EINVAL,
					"gateway %s: must be a unicast address", g);
		return 0;
	}
	if (memcmp(gw->bytes, zero, 16) == 0 || gw->bytes[0] == 0xff ||
	    (memcmp(gw->bytes, zero, 15) == 0 && gw->bytes[15] == 1))
		return dpvs_errf(err, errlen, -CTL_EINVAL, "gateway %s: must be a unicast address",
				g);
	return 0;
}

/* Prefix, family, port and gateway of a route command. */
static int
route_check(const struct dpvs_config_set *set, const struct dpvs_root *root,
	    const struct ctl_route_args *a, char *err,
	    size_t errlen)
{
	char s[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];
	struct dpvs_ip net;

	if ((a->prefix.family != DPVS_AF_INET && a->prefix.family != DPVS_AF_INET6) ||
	    a->prefixlen > ctl_ip_maxlen(&a->prefix))
		return dpvs_errf(err, errlen, -CTL_EINVAL, "bad route prefix");
	ctl_ip_str(&a->prefix, s, sizeof(s));
	ctl_ip_net(&a->prefix, a->prefixlen, &net);
	if (!dpvs_ip_equal(&net, &a->prefix))
		return dpvs_errf(err, errlen, -CTL_EINVAL,
				"invalid prefix %s/%u: host bits are set (did you mean %s/%u?)", s,
				a->prefixlen, ctl_ip_str(&net, g, sizeof(g)), a->prefixlen);
	if (a->port >= 0 && !ctl_iface_ok(set, root, (uint32_t)a->port))
		return dpvs_errf(err, errlen, -CTL_ENOPORT, "no port or VLAN with index %d", a->port);
	if (a->gw.family == DPVS_AF_NONE)
		return 0;
	return route_gw_ok(&a->gw, a->prefix.family, err, errlen);
}

/* The gateway of a route add: not ours, on a network of its port. */
static int
route_gw_check(const struct dpvs_config_set *set, const struct dpvs_root *root,
	       const struct ctl_route_args *a, char *err, size_t errlen)
{
	char g[INET6_ADDRSTRLEN];

	if (a->gw.family == DPVS_AF_NONE)
		return 0;
	ctl_ip_str(&a->gw, g, sizeof(g));
	if (ctl_addr_find(set, &a->gw) >= 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "gateway %s is an address of this node",
				g);
	if (!gw_reachable(set, &a->gw, (uint16_t)a->port, -1))
		return dpvs_errf(err, errlen, -CTL_EINVAL,
				"gateway %s is not on a network of %s (add an address of "
				"that network to %s first)", g, ctl_iface_name(set, root, a->port),
				ctl_iface_name(set, root, a->port));
	return 0;
}

/* Room for one more static route, and for the connected routes every
 * address may need. */
static int
route_room(const struct dpvs_config_set *set)
{
	struct dpvs_route r;
	uint32_t i, n = set->lb.nroutes + 1;

	for (i = 0; i < set->naddrs; i++)
		if (connected_of(&dpvs_cfg_addrs(set)[i], &r) &&
		    route_find(&set->lb, &r.prefix, r.prefixlen, 1) < 0)
			n++;
	return n <= set->lb.caps.routes;
}

int
ctl_route_add(struct dpvs_config_set *set, const struct dpvs_root *root,
	      const struct ctl_route_args *a, char *err, size_t errlen)
{
	char s[INET6_ADDRSTRLEN];
	struct dpvs_route r;
	int rc, ai;

	rc = route_check(set, root, a, err, errlen);
	if (rc != 0)
		return rc;
	if (a->port < 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "missing \"dev PORT\"");
	ctl_ip_str(&a->prefix, s, sizeof(s));
	if (route_find(&set->lb, &a->prefix, a->prefixlen, 0) >= 0)
		return dpvs_errf(err, errlen, -CTL_EEXIST, "route %s/%u already exists", s,
				a->prefixlen);
	ai = connected_find(set, &a->prefix, a->prefixlen, -1);
	if (ai >= 0)
		return dpvs_errf(err, errlen, -CTL_EEXIST,
				"%s/%u is already a connected route of %s (from its address)", s,
				a->prefixlen, ctl_iface_name(set, root, dpvs_cfg_addrs(set)[ai].port));
	rc = route_gw_check(set, root, a, err, errlen);
	if (rc != 0)
		return rc;
	if (!route_room(set))
		return dpvs_errf(err, errlen, -CTL_EFULL,
				"route table is full (%u routes: [tables] routes in dpvs.conf)",
				set->lb.caps.routes);
	memset(&r, 0, sizeof(r));
	ctl_ip_net(&a->prefix, a->prefixlen, &r.prefix);
	r.prefixlen = a->prefixlen;
	r.port = (uint16_t)a->port;
	if (a->gw.family != DPVS_AF_NONE) {
		ctl_ip_net(&a->gw, ctl_ip_maxlen(&a->gw), &r.gw);
		r.flags = DPVS_ROUTE_F_GATEWAY;
	}
	route_insert(set, &r);
	return 0;
}

int
ctl_route_del(struct dpvs_config_set *set, const struct dpvs_root *root,
	      const struct ctl_route_args *a, char *err, size_t errlen)
{
	struct dpvs_lb_tables *lb = &set->lb;
	char s[INET6_ADDRSTRLEN];
	int rc, ai, i;

	rc = route_check(set, root, a, err, errlen);
	if (rc != 0)
		return rc;
	ctl_ip_str(&a->prefix, s, sizeof(s));
	i = route_find(lb, &a->prefix, a->prefixlen, 0);
	if (i >= 0) {
		const struct dpvs_route *r = &dpvs_lb_routes(lb)[i];

		if ((a->port < 0 || r->port == a->port) &&
		    (a->gw.family == DPVS_AF_NONE || dpvs_ip_equal(&r->gw, &a->gw))) {
			route_remove(set, (uint32_t)i);
			return 0;
		}
	}
	ai = connected_find(set, &a->prefix, a->prefixlen, -1);
	if (ai >= 0) {
		const struct dpvs_addr_entry *e = &dpvs_cfg_addrs(set)[ai];
		char as[INET6_ADDRSTRLEN];

		return dpvs_errf(err, errlen, -CTL_EINVAL,
				"%s/%u is the connected route of address %s/%u on %s; delete the "
				"address instead", s, a->prefixlen,
				ctl_ip_str(&e->addr, as, sizeof(as)), e->prefixlen,
				ctl_iface_name(set, root, e->port));
	}
	return dpvs_errf(err, errlen, -CTL_ENOENT, "no such route %s/%u", s, a->prefixlen);
}

int
ctl_route_gw_check(const struct dpvs_config_set *set, const struct dpvs_root *root, int skip,
		   char *err, size_t errlen)
{
	const struct dpvs_lb_tables *lb = &set->lb;
	const struct dpvs_route *routes = dpvs_lb_routes(lb);
	char s[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];
	uint32_t i;

	for (i = 0; i < lb->caps.routes; i++) {
		const struct dpvs_route *r = &routes[i];

		if ((r->flags & DPVS_ROUTE_F_GATEWAY) == 0 || r->gw.family == DPVS_AF_NONE)
			continue;
		if (!gw_reachable(set, &r->gw, r->port, skip))
			return dpvs_errf(err, errlen, -CTL_EINVAL,
					"route %s/%u via %s dev %s needs this address; delete the "
					"route first", ctl_ip_str(&r->prefix, s, sizeof(s)),
					r->prefixlen, ctl_ip_str(&r->gw, g, sizeof(g)),
					ctl_iface_name(set, root, r->port));
	}
	return 0;
}

int
ctl_route_lpm_fill(struct rte_lpm *lpm, const struct dpvs_lb_tables *lb, char *err,
		   size_t errlen)
{
	const struct dpvs_route *routes = dpvs_lb_routes(lb);
	uint32_t i;
	int rc = 0;

	rte_lpm_delete_all(lpm);
	for (i = 0; i < lb->caps.routes && rc == 0; i++) {
		const struct dpvs_route *r = &routes[i];

		if (r->prefix.family != DPVS_AF_INET || r->prefixlen == 0 || r->prefixlen > 32)
			continue;
		rc = rte_lpm_add(lpm, ip4(&r->prefix), r->prefixlen, i);
	}
	if (rc != 0)
		return dpvs_errf(err, errlen, rc == -ENOSPC ? -CTL_EFULL : -CTL_EINVAL,
				"cannot add route %u to the lookup table: %s", i - 1,
				rc == -ENOSPC ? "no space" : "invalid");
	return 0;
}
