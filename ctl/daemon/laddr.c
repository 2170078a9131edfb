/*
 * Local addresses of a full-NAT service (see lb.h): the source addresses the
 * real servers see. Each must be one of the node's own addresses (addr add)
 * on the port it is given with, so that replies come back to us. Touches only
 * the set passed in; reads the port names of the root for messages.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ctl/daemon/addr.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"

/* Index in svc->laddrs[] of ip, or -1. */
static int
laddr_find(const struct dpvs_service *svc, const struct dpvs_ip *ip)
{
	uint16_t j;

	for (j = 0; j < svc->nladdrs && j < DPVS_MAX_SVC_LADDRS; j++)
		if (svc->laddrs[j].family == ip->family &&
		    memcmp(svc->laddrs[j].bytes, ip->bytes, sizeof(ip->bytes)) == 0)
			return j;
	return -1;
}

int
ctl_laddr_user(const struct dpvs_lb_tables *lb, const struct dpvs_ip *ip)
{
	int i;

	for (i = 0; i < DPVS_MAX_SERVICES; i++)
		if (lb->services[i].id != 0 && laddr_find(&lb->services[i], ip) >= 0)
			return i;
	return -1;
}

static int
laddr_check(const struct dpvs_root *root, const struct ctl_laddr_args *a, char *err,
	    size_t errlen)
{
	if (a->addr.family == DPVS_AF_INET6)
		return dpvs_errf(err, errlen, -CTL_EUNSUPP, "IPv6 local addresses are not supported yet");
	if (a->addr.family != DPVS_AF_INET)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "bad local address");
	if (a->port >= 0 && ((uint32_t)a->port >= root->conf.nports || a->port >= DPVS_MAX_PORTS))
		return dpvs_errf(err, errlen, -CTL_ENOPORT, "no port with index %d", a->port);
	return 0;
}

int
ctl_laddr_add(struct dpvs_config_set *set, const struct dpvs_root *root,
	      const struct ctl_laddr_args *a, char *err, size_t errlen)
{
	char s[INET6_ADDRSTRLEN], ks[96];
	struct dpvs_service *svc;
	int rc, si, ai;

	rc = laddr_check(root, a, err, errlen);
	if (rc != 0)
		return rc;
	if (a->port < 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "missing \"dev PORT\"");
	si = ctl_svc_get(&set->lb, &a->svc, err, errlen);
	if (si < 0)
		return si;
	svc = &set->lb.services[si];
	ctl_ip_str(&a->addr, s, sizeof(s));
	ctl_svc_key_str(&a->svc, ks, sizeof(ks));
	ai = ctl_addr_find(set, &a->addr);
	if (ai < 0 || set->addrs[ai].port != a->port)
		return dpvs_errf(err, errlen, -CTL_EINVAL,
				"%s is not an address of %s (add it with \"addr add %s/LEN dev %s\" "
				"first)", s, root->ports[a->port].name, s,
				root->ports[a->port].name);
	if (laddr_find(svc, &a->addr) >= 0)
		return dpvs_errf(err, errlen, -CTL_EEXIST, "%s is already a local address of %s", s,
				ks);
	if (svc->nladdrs >= DPVS_MAX_SVC_LADDRS)
		return dpvs_errf(err, errlen, -CTL_EFULL, "%s already has %u local addresses", ks,
				DPVS_MAX_SVC_LADDRS);
	memset(&svc->laddrs[svc->nladdrs], 0, sizeof(svc->laddrs[0]));
	svc->laddrs[svc->nladdrs].family = a->addr.family;
	memcpy(svc->laddrs[svc->nladdrs].bytes, a->addr.bytes, sizeof(a->addr.bytes));
	svc->laddr_port[svc->nladdrs] = (uint16_t)a->port;
	svc->nladdrs++;
	return 0;
}

int
ctl_laddr_del(struct dpvs_config_set *set, const struct dpvs_root *root,
	      const struct ctl_laddr_args *a, char *err, size_t errlen)
{
	char s[INET6_ADDRSTRLEN], ks[96];
	struct dpvs_service *svc;
	int rc, si, j;

	rc = laddr_check(root, a, err, errlen);
	if (rc != 0)
		return rc;
	si = ctl_svc_get(&set->lb, &a->svc, err, errlen);
	if (si < 0)
		return si;
	svc = &set->lb.services[si];
	ctl_ip_str(&a->addr, s, sizeof(s));
	ctl_svc_key_str(&a->svc, ks, sizeof(ks));
	j = laddr_find(svc, &a->addr);
	if (j < 0)
		return dpvs_errf(err, errlen, -CTL_ENOENT, "%s is not a local address of %s", s, ks);
	if (a->port >= 0 && svc->laddr_port[j] != a->port)
		return dpvs_errf(err, errlen, -CTL_ENOENT, "%s is a local address of %s on %s, not %s",
				s, ks, root->ports[svc->laddr_port[j]].name,
				root->ports[a->port].name);
	memmove(&svc->laddrs[j], &svc->laddrs[j + 1],
		(size_t)(svc->nladdrs - j - 1) * sizeof(svc->laddrs[0]));
	memmove(&svc->laddr_port[j], &svc->laddr_port[j + 1],
		(size_t)(svc->nladdrs - j - 1) * sizeof(svc->laddr_port[0]));
	svc->nladdrs--;
	memset(&svc->laddrs[svc->nladdrs], 0, sizeof(svc->laddrs[0]));
	svc->laddr_port[svc->nladdrs] = 0;
	return 0;
}
