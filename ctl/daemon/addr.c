/*
 * Address table operations on a config set in plain memory (see addr.h).
 * The table is dense in add order; each add or delete also updates the
 * address index (its port bit) and the connected route of its network.
 * Touches only the set passed in; reads the port names of the root.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ctl/daemon/addr.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "ctl/daemon/vlan.h"
#include "shm/lb_hash.h"

const char *
ctl_ip_str(const struct dpvs_ip *ip, char *buf, size_t len)
{
	int af = ip->family == DPVS_AF_INET ? AF_INET : AF_INET6;

	if ((ip->family != DPVS_AF_INET && ip->family != DPVS_AF_INET6) ||
	    inet_ntop(af, ip->bytes, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

unsigned int
ctl_ip_maxlen(const struct dpvs_ip *ip)
{
	return ip->family == DPVS_AF_INET ? 32 : 128;
}

void
ctl_ip_net(const struct dpvs_ip *ip, unsigned int len, struct dpvs_ip *out)
{
	unsigned int n = ip->family == DPVS_AF_INET ? 4 : 16, i;

	memset(out, 0, sizeof(*out));
	out->family = ip->family;
	for (i = 0; i < n; i++) {
		if (len >= 8 * (i + 1))
			out->bytes[i] = ip->bytes[i];
		else if (len > 8 * i)
			out->bytes[i] = (uint8_t)(ip->bytes[i] & (0xff00u >> (len - 8 * i)));
	}
}

bool
ctl_ip_in_net(const struct dpvs_ip *net, unsigned int len, const struct dpvs_ip *ip)
{
	struct dpvs_ip a, b;

	if (net->family != ip->family)
		return false;
	ctl_ip_net(net, len, &a);
	ctl_ip_net(ip, len, &b);
	return memcmp(a.bytes, b.bytes, sizeof(a.bytes)) == 0;
}

int
ctl_port_find(const struct dpvs_root *root, const char *name, char *err, size_t errlen)
{
	uint32_t i;

	for (i = 0; i < root->conf.nports && i < DPVS_MAX_PORTS; i++)
		if (strncmp(root->ports[i].name, name, sizeof(root->ports[i].name)) == 0)
			return (int)i;
	return dpvs_errf(err, errlen, -CTL_ENOPORT, "no port named %s", name);
}

int
ctl_addr_find(const struct dpvs_config_set *set, const struct dpvs_ip *ip)
{
	const struct dpvs_addr_entry *addrs = dpvs_cfg_addrs(set);
	size_t n = ip->family == DPVS_AF_INET ? 4 : 16;
	uint32_t i;

	for (i = 0; i < set->naddrs; i++)
		if (addrs[i].addr.family == ip->family &&
		    memcmp(addrs[i].addr.bytes, ip->bytes, n) == 0)
			return (int)i;
	return -1;
}

/* Checks shared by add and del: family, port, prefix length. */
static int
addr_check(const struct dpvs_config_set *set, const struct dpvs_root *root,
	   const struct dpvs_addr_entry *a, char *err,
	   size_t errlen)
{
	static const uint8_t zero[16];
	char s[INET6_ADDRSTRLEN];
	unsigned int maxlen;

	if (a->addr.family == DPVS_AF_INET) {
		maxlen = 32;
		if (memcmp(a->addr.bytes + 4, zero, 12) != 0)
			return dpvs_errf(err, errlen, -CTL_EINVAL, "bad IPv4 address encoding");
	} else if (a->addr.family == DPVS_AF_INET6) {
		maxlen = 128;
	} else {
		return dpvs_errf(err, errlen, -CTL_EINVAL, "bad address family %u",
				a->addr.family);
	}
	if (a->prefixlen > maxlen)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "bad prefix length %u for %s (0..%u)",
				a->prefixlen, ctl_ip_str(&a->addr, s, sizeof(s)), maxlen);
	if (!ctl_iface_ok(set, root, a->port))
		return dpvs_errf(err, errlen, -CTL_ENOPORT, "no port or VLAN with index %u", a->port);
	return 0;
}

/* An address a host may own: not unspecified, multicast or broadcast. */
static int
addr_check_host(const struct dpvs_ip *ip, char *err, size_t errlen)
{
	static const uint8_t zero[16];
	char s[INET6_ADDRSTRLEN];
	const uint8_t *b = ip->bytes;

	ctl_ip_str(ip, s, sizeof(s));
	if (ip->family == DPVS_AF_INET) {
		if (memcmp(b, zero, 4) == 0 || b[0] >= 224)
			return dpvs_errf(err, errlen, -CTL_EINVAL,
					"%s cannot be a host address", s);
	} else if (memcmp(b, zero, 16) == 0 || b[0] == 0xff ||
		   (memcmp(b, zero, 15) == 0 && b[15] == 1)) {
		return dpvs_errf(err, errlen, -CTL_EINVAL, "%s cannot be a host address", s);
	}
	return 0;
}

/* Refuse an address that a static neighbour or a route gateway already names,
 * or whose connected network is already a static route: route add and neigh
 * add refuse the same pairs in the other order, and save (addresses first)
 * could not load such a state back. */
static int
addr_add_check_conflicts(const struct dpvs_config_set *set, const struct dpvs_root *root,
			 const struct dpvs_addr_entry *a, char *err, size_t errlen)
{
	const struct dpvs_lb_tables *lb = &set->lb;
	const struct dpvs_static_neigh *sn = dpvs_lb_sneigh(lb);
	char s[INET6_ADDRSTRLEN], p[INET6_ADDRSTRLEN];
	unsigned int maxlen = ctl_ip_maxlen(&a->addr);
	struct dpvs_ip net;
	uint32_t i;

	ctl_ip_str(&a->addr, s, sizeof(s));
	for (i = 0; i < lb->nsneigh && i < lb->caps.sneigh; i++)
		if (dpvs_ip_equal(&sn[i].ip, &a->addr))
			return dpvs_errf(err, errlen, -CTL_EINVAL,
					"%s is a static neighbour on %s; neigh del it first", s,
					ctl_iface_name(set, root, sn[i].port));
	ctl_ip_net(&a->addr, a->prefixlen, &net);
	for (i = 0; i < lb->caps.routes; i++) {
		const struct dpvs_route *r = &dpvs_lb_routes(lb)[i];

		if (r->prefix.family != a->addr.family || (r->flags & DPVS_ROUTE_F_CONNECTED) != 0)
			continue;
		ctl_ip_str(&r->prefix, p, sizeof(p));
		if ((r->flags & DPVS_ROUTE_F_GATEWAY) != 0 && dpvs_ip_equal(&r->gw, &a->addr))
			return dpvs_errf(err, errlen, -CTL_EINVAL,
					"%s is the gateway of route %s/%u; route del it first", s,
					p, r->prefixlen);
		if (a->prefixlen > 0 && a->prefixlen < maxlen && r->prefixlen == a->prefixlen &&
		    dpvs_ip_equal(&r->prefix, &net))
			return dpvs_errf(err, errlen, -CTL_EEXIST,
					"the network of %s/%u is already the static route %s/%u; "
					"route del it first", s, a->prefixlen, p, r->prefixlen);
	}
	return 0;
}

/* A new address's connected network needs a route slot unless another
 * address has the same network already. */
static int
addr_route_room(const struct dpvs_config_set *set, const struct dpvs_addr_entry *a)
{
	const struct dpvs_addr_entry *addrs = dpvs_cfg_addrs(set);
	uint32_t i;

	if (a->prefixlen == 0 || a->prefixlen >= ctl_ip_maxlen(&a->addr) ||
	    set->lb.nroutes < set->lb.caps.routes)
		return 1;
	for (i = 0; i < set->naddrs; i++)
		if (addrs[i].prefixlen == a->prefixlen &&
		    ctl_ip_in_net(&a->addr, a->prefixlen, &addrs[i].addr))
			return 1;
	return 0;
}

int
ctl_addr_add(struct dpvs_config_set *set, const struct dpvs_root *root,
	     const struct dpvs_addr_entry *a, char *err, size_t errlen)
{
	char s[INET6_ADDRSTRLEN];
	struct dpvs_addr_entry e;
	int rc, i;

	rc = addr_check(set, root, a, err, errlen);
	if (rc == 0)
		rc = addr_check_host(&a->addr, err, errlen);
	if (rc != 0)
		return rc;
	i = ctl_addr_find(set, &a->addr);
	if (i < 0) {
		rc = addr_add_check_conflicts(set, root, a, err, errlen);
		if (rc != 0)
			return rc;
	}
	if (i >= 0)
		return dpvs_errf(err, errlen, -CTL_EEXIST, "%s is already on %s",
				ctl_ip_str(&a->addr, s, sizeof(s)),
				ctl_iface_name(set, root, dpvs_cfg_addrs(set)[i].port));
	if (set->naddrs >= set->lb.caps.addrs)
		return dpvs_errf(err, errlen, -CTL_EFULL,
				"address table is full (%u entries: [tables] addresses in "
				"dpvs.conf)", set->lb.caps.addrs);
	if (!addr_route_room(set, a))
		return dpvs_errf(err, errlen, -CTL_EFULL,
				"route table is full: no room for the connected route of %s/%u "
				"([tables] routes in dpvs.conf)", ctl_ip_str(&a->addr, s, sizeof(s)),
				a->prefixlen);
	memset(&e, 0, sizeof(e));
	e.addr.family = a->addr.family;
	memcpy(e.addr.bytes, a->addr.bytes, sizeof(e.addr.bytes));
	e.port = a->port;
	e.prefixlen = a->prefixlen;
	e.flags = a->flags;
	dpvs_cfg_addrs(set)[set->naddrs++] = e;
	ctl_aix_port(&set->lb, &e.addr, e.port, 1);
	ctl_route_connected_add(set, set->naddrs - 1);
	return 0;
}

/* Refuse to delete address entry i while a service uses it as a local
 * address or a static route needs it to reach its gateway. */
static int
addr_del_check_users(const struct dpvs_config_set *set, const struct dpvs_root *root, int i,
		     char *err, size_t errlen)
{
	const struct dpvs_addr_entry *e = &dpvs_cfg_addrs(set)[i];
	char s[INET6_ADDRSTRLEN], ks[CTL_KEY_STR];
	struct ctl_svc_key k;
	int si = ctl_laddr_in_use(&set->lb, &e->addr) ? ctl_laddr_user(&set->lb, &e->addr) : -1;

	if (si >= 0) {
		ctl_svc_key_of(root, &set->lb, (uint16_t)si, &k);
		return dpvs_errf(err, errlen, -CTL_EINVAL,
				"%s is a local address of service %s; laddr del it first",
				ctl_ip_str(&e->addr, s, sizeof(s)),
				ctl_svc_key_str(&k, ks, sizeof(ks)));
	}
	si = ctl_snat_user(&set->lb, &e->addr);
	if (si >= 0) {
		ctl_svc_key_of(root, &set->lb, (uint16_t)si, &k);
		return dpvs_errf(err, errlen, -CTL_EINVAL,
				"%s is the SNAT source of service %s; -d it first",
				ctl_ip_str(&e->addr, s, sizeof(s)),
				ctl_svc_key_str(&k, ks, sizeof(ks)));
	}
	return ctl_route_gw_check(set, root, i, err, errlen);
}

int
ctl_addr_del(struct dpvs_config_set *set, const struct dpvs_root *root,
	     const struct dpvs_addr_entry *a, char *err, size_t errlen)
{
	struct dpvs_addr_entry *addrs = dpvs_cfg_addrs(set), gone;
	char s[INET6_ADDRSTRLEN];
	int rc, i;

	rc = addr_check(set, root, a, err, errlen);
	if (rc != 0)
		return rc;
	i = ctl_addr_find(set, &a->addr);
	if (i < 0 || addrs[i].port != a->port)
		return dpvs_errf(err, errlen, -CTL_ENOENT, "%s is not on %s",
				ctl_ip_str(&a->addr, s, sizeof(s)), ctl_iface_name(set, root, a->port));
	rc = addr_del_check_users(set, root, i, err, errlen);
	if (rc != 0)
		return rc;
	ctl_route_connected_del(set, (uint32_t)i);
	gone = addrs[i];
	/* keep the order of the others: show and save list in insertion order */
	memmove(&addrs[i], &addrs[i + 1], (set->naddrs - (uint32_t)i - 1) * sizeof(addrs[0]));
	set->naddrs--;
	memset(&addrs[set->naddrs], 0, sizeof(addrs[0]));
	ctl_aix_port(&set->lb, &gone.addr, gone.port, 0);
	return 0;
}
