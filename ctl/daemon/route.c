/*
 * IPv4 routes (see lb.h). lb.routes[] holds the static routes (route add), in
 * add order, followed by the connected routes derived from the node's
 * addresses (like the kernel's "proto kernel scope link" routes): those are
 * rebuilt from set->addrs, never added or deleted by hand. The rte_lpm of a
 * config set copy is filled from routes[] at publication, next hop = index.
 * Touches only the set (and the lpm) passed in.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <rte_lpm.h>

#include "ctl/daemon/addr.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"

static uint32_t
ip4(const struct dpvs_ip *ip)
{
	uint32_t v;

	memcpy(&v, ip->bytes, 4);
	return ntohl(v);
}

static uint32_t
mask4(unsigned int len)
{
	return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

/* The connected network of address entry e, if it has one (IPv4, prefix
 * length 1..31). */
static int
connected_of(const struct dpvs_addr_entry *e, struct dpvs_route *r)
{
	uint32_t net;

	if (e->addr.family != DPVS_AF_INET || e->prefixlen == 0 || e->prefixlen >= 32)
		return 0;
	memset(r, 0, sizeof(*r));
	net = htonl(ip4(&e->addr) & mask4(e->prefixlen));
	r->prefix.family = DPVS_AF_INET;
	memcpy(r->prefix.bytes, &net, 4);
	r->prefixlen = e->prefixlen;
	r->flags = DPVS_ROUTE_F_CONNECTED;
	r->port = e->port;
	return 1;
}

static int
same_prefix(const struct dpvs_route *r, const struct dpvs_ip *p, uint8_t len)
{
	return r->prefixlen == len && r->prefix.family == p->family &&
	       memcmp(r->prefix.bytes, p->bytes, 4) == 0;
}

/* Index of the first address entry whose connected network is p/len, or -1. */
static int
connected_find(const struct dpvs_config_set *set, const struct dpvs_ip *p, uint8_t len)
{
	struct dpvs_route r;
	uint32_t i;

	for (i = 0; i < set->naddrs; i++)
		if (connected_of(&set->addrs[i], &r) && same_prefix(&r, p, len))
			return (int)i;
	return -1;
}

/* Is gw on a network of one of port's addresses (other than entry skip)? */
static int
gw_reachable(const struct dpvs_config_set *set, const struct dpvs_ip *gw, uint16_t port,
	     int skip)
{
	uint32_t i;

	for (i = 0; i < set->naddrs; i++) {
		const struct dpvs_addr_entry *e = &set->addrs[i];

		if ((int)i == skip || e->port != port || e->addr.family != DPVS_AF_INET ||
		    e->prefixlen == 0)
			continue;
		if ((ip4(&e->addr) & mask4(e->prefixlen)) == (ip4(gw) & mask4(e->prefixlen)))
			return 1;
	}
	return 0;
}

void
ctl_route_connected_rebuild(struct dpvs_config_set *set)
{
	struct dpvs_lb_tables *lb = &set->lb;
	uint32_t i, j, n = 0;

	for (i = 0; i < lb->nroutes && i < DPVS_MAX_ROUTES; i++)
		if ((lb->routes[i].flags & DPVS_ROUTE_F_CONNECTED) == 0)
			lb->routes[n++] = lb->routes[i];
	for (i = 0; i < set->naddrs && n < DPVS_MAX_ROUTES; i++) {
		struct dpvs_route r;

		if (!connected_of(&set->addrs[i], &r))
			continue;
		for (j = 0; j < n && !same_prefix(&lb->routes[j], &r.prefix, r.prefixlen); j++)
			;
		if (j == n)
			lb->routes[n++] = r;
	}
	for (i = n; i < lb->nroutes && i < DPVS_MAX_ROUTES; i++)
		memset(&lb->routes[i], 0, sizeof(lb->routes[i]));
	lb->nroutes = n;
}

/* An upper bound of the routes after one more static route. */
static uint32_t
route_count_after_add(const struct dpvs_config_set *set)
{
	struct dpvs_route r;
	uint32_t i, n = 1;

	for (i = 0; i < set->lb.nroutes && i < DPVS_MAX_ROUTES; i++)
		if ((set->lb.routes[i].flags & DPVS_ROUTE_F_CONNECTED) == 0)
			n++;
	for (i = 0; i < set->naddrs; i++)
		n += (uint32_t)connected_of(&set->addrs[i], &r);
	return n;
}

/* Prefix, family, port and gateway of a route command. */
static int
route_check(const struct dpvs_root *root, const struct ctl_route_args *a, char *err,
	    size_t errlen)
{
	char s[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];
	uint32_t net;

	if (a->prefix.family == DPVS_AF_INET6)
		return dpvs_errf(err, errlen, -CTL_EUNSUPP, "IPv6 routes are not supported yet");
	if (a->prefix.family != DPVS_AF_INET || a->prefixlen > 32)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "bad route prefix");
	ctl_ip_str(&a->prefix, s, sizeof(s));
	net = ip4(&a->prefix);
	if ((net & ~mask4(a->prefixlen)) != 0) {
		struct dpvs_ip p = a->prefix;
		uint32_t v = htonl(net & mask4(a->prefixlen));

		memcpy(p.bytes, &v, 4);
		return dpvs_errf(err, errlen, -CTL_EINVAL,
				"invalid prefix %s/%u: host bits are set (did you mean %s/%u?)", s,
				a->prefixlen, ctl_ip_str(&p, g, sizeof(g)), a->prefixlen);
	}
	if (a->port >= 0 && ((uint32_t)a->port >= root->conf.nports || a->port >= DPVS_MAX_PORTS))
		return dpvs_errf(err, errlen, -CTL_ENOPORT, "no port with index %d", a->port);
	if (a->gw.family == DPVS_AF_NONE)
		return 0;
	ctl_ip_str(&a->gw, g, sizeof(g));
	if (a->gw.family != DPVS_AF_INET)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "gateway %s: not an IPv4 address", g);
	if (ip4(&a->gw) == 0 || a->gw.bytes[0] >= 224)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "gateway %s: must be a unicast address",
				g);
	return 0;
}

int
ctl_route_add(struct dpvs_config_set *set, const struct dpvs_root *root,
	      const struct ctl_route_args *a, char *err, size_t errlen)
{
	struct dpvs_lb_tables *lb = &set->lb;
	char s[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];
	struct dpvs_route r;
	uint32_t i;
	int rc, ai;

	rc = route_check(root, a, err, errlen);
	if (rc != 0)
		return rc;
	if (a->port < 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "missing \"dev PORT\"");
	ctl_ip_str(&a->prefix, s, sizeof(s));
	for (i = 0; i < lb->nroutes; i++)
		if ((lb->routes[i].flags & DPVS_ROUTE_F_CONNECTED) == 0 &&
		    same_prefix(&lb->routes[i], &a->prefix, a->prefixlen))
			return dpvs_errf(err, errlen, -CTL_EEXIST, "route %s/%u already exists", s,
					a->prefixlen);
	ai = connected_find(set, &a->prefix, a->prefixlen);
	if (ai >= 0)
		return dpvs_errf(err, errlen, -CTL_EEXIST,
				"%s/%u is already a connected route of %s (from its address)", s,
				a->prefixlen, root->ports[set->addrs[ai].port].name);
	if (a->gw.family != DPVS_AF_NONE) {
		ctl_ip_str(&a->gw, g, sizeof(g));
		if (ctl_addr_find(set, &a->gw) >= 0)
			return dpvs_errf(err, errlen, -CTL_EINVAL,
					"gateway %s is an address of this node", g);
		if (!gw_reachable(set, &a->gw, (uint16_t)a->port, -1))
			return dpvs_errf(err, errlen, -CTL_EINVAL,
					"gateway %s is not on a network of %s (add an address of "
					"that network to %s first)", g, root->ports[a->port].name,
					root->ports[a->port].name);
	}
	if (route_count_after_add(set) > DPVS_MAX_ROUTES)
		return dpvs_errf(err, errlen, -CTL_EFULL, "route table is full (%u routes)",
				DPVS_MAX_ROUTES);
	memset(&r, 0, sizeof(r));
	r.prefix.family = DPVS_AF_INET;
	memcpy(r.prefix.bytes, a->prefix.bytes, 4);
	r.prefixlen = a->prefixlen;
	r.port = (uint16_t)a->port;
	if (a->gw.family != DPVS_AF_NONE) {
		r.gw.family = DPVS_AF_INET;
		memcpy(r.gw.bytes, a->gw.bytes, 4);
		r.flags = DPVS_ROUTE_F_GATEWAY;
	}
	/* static routes come first: insert before the connected ones */
	for (i = 0; i < lb->nroutes && (lb->routes[i].flags & DPVS_ROUTE_F_CONNECTED) == 0; i++)
		;
	if (lb->nroutes >= DPVS_MAX_ROUTES)   /* stale connected ones: drop the last */
		lb->nroutes = DPVS_MAX_ROUTES - 1;
	memmove(&lb->routes[i + 1], &lb->routes[i], (lb->nroutes - i) * sizeof(r));
	lb->routes[i] = r;
	lb->nroutes++;
	ctl_route_connected_rebuild(set);
	return 0;
}

int
ctl_route_del(struct dpvs_config_set *set, const struct dpvs_root *root,
	      const struct ctl_route_args *a, char *err, size_t errlen)
{
	struct dpvs_lb_tables *lb = &set->lb;
	char s[INET6_ADDRSTRLEN];
	uint32_t i;
	int rc, ai;

	rc = route_check(root, a, err, errlen);
	if (rc != 0)
		return rc;
	ctl_ip_str(&a->prefix, s, sizeof(s));
	for (i = 0; i < lb->nroutes; i++) {
		const struct dpvs_route *r = &lb->routes[i];

		if ((r->flags & DPVS_ROUTE_F_CONNECTED) != 0 ||
		    !same_prefix(r, &a->prefix, a->prefixlen))
			continue;
		if (a->port >= 0 && r->port != a->port)
			continue;
		if (a->gw.family != DPVS_AF_NONE &&
		    (r->gw.family != DPVS_AF_INET || memcmp(r->gw.bytes, a->gw.bytes, 4) != 0))
			continue;
		memmove(&lb->routes[i], &lb->routes[i + 1],
			(lb->nroutes - i - 1) * sizeof(lb->routes[0]));
		lb->nroutes--;
		memset(&lb->routes[lb->nroutes], 0, sizeof(lb->routes[0]));
		return 0;
	}
	ai = connected_find(set, &a->prefix, a->prefixlen);
	if (ai >= 0) {
		char as[INET6_ADDRSTRLEN];

		return dpvs_errf(err, errlen, -CTL_EINVAL,
				"%s/%u is the connected route of address %s/%u on %s; delete the "
				"address instead", s, a->prefixlen,
				ctl_ip_str(&set->addrs[ai].addr, as, sizeof(as)),
				set->addrs[ai].prefixlen, root->ports[set->addrs[ai].port].name);
	}
	return dpvs_errf(err, errlen, -CTL_ENOENT, "no such route %s/%u", s, a->prefixlen);
}

int
ctl_route_gw_check(const struct dpvs_config_set *set, const struct dpvs_root *root, int skip,
		   char *err, size_t errlen)
{
	const struct dpvs_lb_tables *lb = &set->lb;
	char s[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];
	uint32_t i;

	for (i = 0; i < lb->nroutes && i < DPVS_MAX_ROUTES; i++) {
		const struct dpvs_route *r = &lb->routes[i];

		if ((r->flags & DPVS_ROUTE_F_GATEWAY) == 0 || r->gw.family != DPVS_AF_INET)
			continue;
		if (!gw_reachable(set, &r->gw, r->port, skip))
			return dpvs_errf(err, errlen, -CTL_EINVAL,
					"route %s/%u via %s dev %s needs this address; delete the "
					"route first", ctl_ip_str(&r->prefix, s, sizeof(s)),
					r->prefixlen, ctl_ip_str(&r->gw, g, sizeof(g)),
					r->port < DPVS_MAX_PORTS ? root->ports[r->port].name : "?");
	}
	return 0;
}

int
ctl_route_lpm_fill(struct rte_lpm *lpm, const struct dpvs_lb_tables *lb, char *err,
		   size_t errlen)
{
	uint32_t i, pass;
	int rc = 0;

	rte_lpm_delete_all(lpm);
	/* the default route first: its two /1 halves must not replace a /1
	 * route that was added before it (rte_lpm keeps the last add of a
	 * prefix and depth) */
	for (pass = 0; pass < 2 && rc == 0; pass++) {
		for (i = 0; i < lb->nroutes && i < DPVS_MAX_ROUTES && rc == 0; i++) {
			const struct dpvs_route *r = &lb->routes[i];

			if (r->prefix.family != DPVS_AF_INET || r->prefixlen > 32 ||
			    (r->prefixlen == 0) != (pass == 0))
				continue;
			if (r->prefixlen == 0) {
				/* rte_lpm has no depth 0: a default route is two halves */
				rc = rte_lpm_add(lpm, 0, 1, i);
				if (rc == 0)
					rc = rte_lpm_add(lpm, 0x80000000u, 1, i);
			} else {
				rc = rte_lpm_add(lpm, ip4(&r->prefix), r->prefixlen, i);
			}
		}
	}
	if (rc != 0)
		return dpvs_errf(err, errlen, rc == -ENOSPC ? -CTL_EFULL : -CTL_EINVAL,
				"cannot add route %u to the lookup table: %s", i - 1,
				rc == -ENOSPC ? "no space" : "invalid");
	return 0;
}
