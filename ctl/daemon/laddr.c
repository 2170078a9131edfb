/*
 * Local addresses of a full-NAT service (see lb.h): the source addresses the
 * real servers see. Each must be one of the node's own addresses (addr add)
 * on the port it is given with, so that replies come back to us. A removed
 * local address drains (drain.c): the workers keep recognising it until no
 * connection uses it. Touches only the set passed in; reads the port names
 * of the root for messages.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ctl/daemon/addr.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "ctl/daemon/vlan.h"

/* Index in the laddr list of service slot si of ip, or -1. */
static int
laddr_find(const struct dpvs_lb_tables *lb, uint32_t si, const struct dpvs_ip *ip)
{
	const struct dpvs_service *svc = dpvs_lb_svc(lb, si);
	const struct dpvs_svc_laddr *la = dpvs_lb_svc_laddrs(lb, si);
	uint32_t j;

	for (j = 0; j < svc->nladdrs && j < lb->caps.svc_laddrs; j++)
		if (la[j].ip.family == ip->family &&
		    memcmp(la[j].ip.bytes, ip->bytes, sizeof(ip->bytes)) == 0)
			return (int)j;
	return -1;
}

int
ctl_laddr_user(const struct dpvs_lb_tables *lb, const struct dpvs_ip *ip)
{
	uint32_t i;

	for (i = 0; i < lb->caps.services; i++)
		if (dpvs_lb_svc(lb, i)->id != 0 && laddr_find(lb, i, ip) >= 0)
			return (int)i;
	return -1;
}

bool
ctl_laddr_in_use(const struct dpvs_lb_tables *lb, const struct dpvs_ip *ip)
{
	const struct dpvs_addr_ix *e = ctl_aix_find(lb, ip);

	/* the LADDR counts include drain entries, which do not hold the address */
	return e != NULL &&
	       (uint32_t)e->n[DPVS_AIX_LADDR_TCP] + e->n[DPVS_AIX_LADDR_UDP] >
		       (uint32_t)ctl_drain_find(lb, ip, IPPROTO_TCP) +
			       (uint32_t)ctl_drain_find(lb, ip, IPPROTO_UDP);
}

static int
laddr_check(const struct dpvs_config_set *set, const struct dpvs_root *root,
	    const struct ctl_laddr_args *a, char *err,
	    size_t errlen)
{
	if (a->addr.family != DPVS_AF_INET && a->addr.family != DPVS_AF_INET6)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "bad local address");
	if (a->port >= 0 && !ctl_iface_ok(set, root, (uint32_t)a->port))
		return dpvs_errf(err, errlen, -CTL_ENOPORT, "no port or VLAN with index %d", a->port);
	return 0;
}

/*
 * A local address is of the family of the real servers it reaches (DPVS):
 * an IPv4 service's are IPv4; an IPv6 service's are IPv6 for IPv6 real
 * servers and IPv4 for IPv4 ones (nat64). One whose family is that of none
 * of the service's full-NAT real servers, when it has some, is refused: the
 * real servers could never see it. Checked when it is added only: removing
 * the last real server of a family leaves its local addresses, and save
 * prints those before the service's real servers, so that its file loads.
 */
bool
ctl_laddr_fits(const struct dpvs_lb_tables *lb, uint32_t si, const struct dpvs_ip *ip)
{
	const struct dpvs_service *svc = dpvs_lb_svc(lb, si);
	const uint32_t *dl = dpvs_lb_svc_dests(lb, si);
	unsigned int fnat = 0, same = 0;
	uint32_t j;

	for (j = 0; j < svc->ndests && j < lb->caps.svc_dests; j++) {
		const struct dpvs_dest *d;

		if (dl[j] >= lb->caps.dests)
			continue;
		d = &dpvs_lb_dests(lb)[dl[j]];
		if (d->id == 0 || d->fwd_mode != DPVS_FWD_FNAT)
			continue;
		fnat++;
		same += d->addr.family == ip->family;
	}
	return fnat == 0 || same > 0;
}

static int
laddr_check_family(const struct dpvs_lb_tables *lb, uint32_t si, const struct dpvs_ip *ip,
		   const char *s, const char *ks, char *err, size_t errlen)
{
	if (dpvs_lb_svc(lb, si)->vip.family == DPVS_AF_INET && ip->family != DPVS_AF_INET)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "%s takes IPv4 local addresses only (its "
				"real servers are IPv4): %s", ks, s);
	if (!ctl_laddr_fits(lb, si, ip))
		return dpvs_errf(err, errlen, -CTL_EINVAL, "%s: a local address is of its full-NAT "
				"real servers' family, and %s has no IPv%u real server (an IPv6 "
				"VIP with IPv4 real servers takes IPv4 local addresses)", s, ks,
				ip->family);
	return 0;
}

int
ctl_laddr_add(struct dpvs_config_set *set, const struct dpvs_root *root,
	      const struct ctl_laddr_args *a, char *err, size_t errlen)
{
	char s[INET6_ADDRSTRLEN], ks[CTL_KEY_STR];
	struct dpvs_svc_laddr *la;
	struct dpvs_service *svc;
	int rc, si, ai;

	rc = laddr_check(set, root, a, err, errlen);
	if (rc != 0)
		return rc;
	if (a->port < 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "missing \"dev PORT\"");
	si = ctl_svc_get(&set->lb, &a->svc, err, errlen);
	if (si < 0)
		return si;
	svc = dpvs_lb_svc(&set->lb, (uint32_t)si);
	la = dpvs_lb_svc_laddrs(&set->lb, (uint32_t)si);
	ctl_ip_str(&a->addr, s, sizeof(s));
	ctl_svc_key_str(&a->svc, ks, sizeof(ks));
	if ((svc->flags & DPVS_SVC_F_MATCH) != 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "%s takes no local address: its SNAT "
				"real servers (-a ... -r ADDR:0 -b snat) are its sources", ks);
	rc = laddr_check_family(&set->lb, (uint32_t)si, &a->addr, s, ks, err, errlen);
	if (rc != 0)
		return rc;
	ai = ctl_addr_find(set, &a->addr);
	if (ai < 0 || dpvs_cfg_addrs(set)[ai].port != a->port)
		return dpvs_errf(err, errlen, -CTL_EINVAL,
				"%s is not an address of %s (add it with \"addr add %s/LEN dev %s\" "
				"first)", s, ctl_iface_name(set, root, a->port), s,
				ctl_iface_name(set, root, a->port));
	if (laddr_find(&set->lb, (uint32_t)si, &a->addr) >= 0)
		return dpvs_errf(err, errlen, -CTL_EEXIST, "%s is already a local address of %s", s,
				ks);
	if (svc->nladdrs >= set->lb.caps.svc_laddrs)
		return dpvs_errf(err, errlen, -CTL_EFULL,
				"%s already has %u local addresses ([tables] laddrs_per_service "
				"in dpvs.conf)", ks, set->lb.caps.svc_laddrs);
	memset(&la[svc->nladdrs], 0, sizeof(la[0]));
	la[svc->nladdrs].ip.family = a->addr.family;
	memcpy(la[svc->nladdrs].ip.bytes, a->addr.bytes, sizeof(a->addr.bytes));
	la[svc->nladdrs].port = (uint16_t)a->port;
	svc->nladdrs++;
	ctl_aix_ref(&set->lb, &a->addr, ctl_aix_bit(svc->proto, 0), 1);
	return 0;
}

int
ctl_laddr_del(struct dpvs_config_set *set, const struct dpvs_root *root,
	      const struct ctl_laddr_args *a, char *err, size_t errlen)
{
	char s[INET6_ADDRSTRLEN], ks[CTL_KEY_STR];
	struct dpvs_svc_laddr *la, gone;
	struct dpvs_service *svc;
	int rc, si, j;

	rc = laddr_check(set, root, a, err, errlen);
	if (rc != 0)
		return rc;
	si = ctl_svc_get(&set->lb, &a->svc, err, errlen);
	if (si < 0)
		return si;
	svc = dpvs_lb_svc(&set->lb, (uint32_t)si);
	la = dpvs_lb_svc_laddrs(&set->lb, (uint32_t)si);
	ctl_ip_str(&a->addr, s, sizeof(s));
	ctl_svc_key_str(&a->svc, ks, sizeof(ks));
	j = laddr_find(&set->lb, (uint32_t)si, &a->addr);
	if (j < 0)
		return dpvs_errf(err, errlen, -CTL_ENOENT, "%s is not a local address of %s", s, ks);
	if (a->port >= 0 && la[j].port != a->port)
		return dpvs_errf(err, errlen, -CTL_ENOENT, "%s is a local address of %s on %s, not %s",
				s, ks, ctl_iface_name(set, root, la[j].port),
				ctl_iface_name(set, root, a->port));
	gone = la[j];
	memmove(&la[j], &la[j + 1], (size_t)(svc->nladdrs - j - 1) * sizeof(la[0]));
	svc->nladdrs--;
	memset(&la[svc->nladdrs], 0, sizeof(la[0]));
	/* connections from it may live on: it drains (issue 6.11) */
	ctl_drain_add(&set->lb, &gone.ip, svc->proto);
	ctl_aix_ref(&set->lb, &gone.ip, ctl_aix_bit(svc->proto, 0), -1);
	return 0;
}
