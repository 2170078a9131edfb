/*
 * Static neighbours (see lb.h): `neigh add IP lladdr MAC dev PORT` and
 * `neigh del IP dev PORT`. The static neighbour table is kept dense in add
 * order; the workers find entries through the sneigh hash (an add inserts
 * its entry; a delete shifts the later entries down and rebuilds the hash,
 * which is small: [tables] static_neighbours). Touches only the set passed
 * in.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ctl/daemon/addr.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "ctl/daemon/vlan.h"

static int
sneigh_find(const struct dpvs_lb_tables *lb, const struct dpvs_ip *ip, uint16_t port)
{
	const struct dpvs_static_neigh *sn = dpvs_lb_sneigh(lb);
	uint32_t i;

	for (i = 0; i < lb->nsneigh && i < lb->caps.sneigh; i++)
		if (sn[i].port == port && sn[i].ip.family == ip->family &&
		    memcmp(sn[i].ip.bytes, ip->bytes, sizeof(ip->bytes)) == 0)
			return (int)i;
	return -1;
}

static int
sneigh_check(const struct dpvs_config_set *set, const struct dpvs_root *root,
	     const struct ctl_sneigh_args *a, char *err,
	     size_t errlen)
{
	static const uint8_t zero[16];
	char s[INET6_ADDRSTRLEN];

	if (a->ip.family == DPVS_AF_INET6) {
		ctl_ip_str(&a->ip, s, sizeof(s));
		/* not ::, ::1 or multicast */
		if (memcmp(a->ip.bytes, zero, 15) == 0 || a->ip.bytes[0] == 0xff)
			return dpvs_errf(err, errlen, -CTL_EINVAL, "%s cannot be a neighbour", s);
	} else {
		if (a->ip.family != DPVS_AF_INET || memcmp(a->ip.bytes + 4, zero, 12) != 0)
			return dpvs_errf(err, errlen, -CTL_EINVAL, "bad neighbour address");
		ctl_ip_str(&a->ip, s, sizeof(s));
		if (memcmp(a->ip.bytes, zero, 4) == 0 || a->ip.bytes[0] >= 224)
			return dpvs_errf(err, errlen, -CTL_EINVAL, "%s cannot be a neighbour", s);
	}
	if (a->port < 0 || !ctl_iface_ok(set, root, (uint32_t)a->port))
		return dpvs_errf(err, errlen, -CTL_ENOPORT, "no port or VLAN with index %d", a->port);
	return 0;
}

int
ctl_sneigh_add(struct dpvs_config_set *set, const struct dpvs_root *root,
	       const struct ctl_sneigh_args *a, char *err, size_t errlen)
{
	static const uint8_t zero[DPVS_ETHER_LEN];
	struct dpvs_lb_tables *lb = &set->lb;
	struct dpvs_static_neigh *e;
	char s[INET6_ADDRSTRLEN];
	int rc;

	rc = sneigh_check(set, root, a, err, errlen);
	if (rc != 0)
		return rc;
	ctl_ip_str(&a->ip, s, sizeof(s));
	if ((a->mac[0] & 1) != 0 || memcmp(a->mac, zero, sizeof(zero)) == 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL,
				"lladdr %02x:%02x:%02x:%02x:%02x:%02x is not a unicast MAC address",
				a->mac[0], a->mac[1], a->mac[2], a->mac[3], a->mac[4], a->mac[5]);
	if (ctl_addr_find(set, &a->ip) >= 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "%s is an address of this node", s);
	if (sneigh_find(lb, &a->ip, (uint16_t)a->port) >= 0)
		return dpvs_errf(err, errlen, -CTL_EEXIST, "neighbour %s dev %s already exists "
				"(neigh del it first)", s, ctl_iface_name(set, root, a->port));
	if (lb->nsneigh >= lb->caps.sneigh)
		return dpvs_errf(err, errlen, -CTL_EFULL,
				"static neighbour table is full (%u: [tables] static_neighbours "
				"in dpvs.conf)", lb->caps.sneigh);
	e = &dpvs_lb_sneigh(lb)[lb->nsneigh++];
	memset(e, 0, sizeof(*e));
	e->ip.family = a->ip.family;
	memcpy(e->ip.bytes, a->ip.bytes, a->ip.family == DPVS_AF_INET ? 4 : 16);
	e->port = (uint16_t)a->port;
	memcpy(e->mac, a->mac, DPVS_ETHER_LEN);
	ctl_sneigh_hash_insert(lb, lb->nsneigh - 1);
	return 0;
}

int
ctl_sneigh_del(struct dpvs_config_set *set, const struct dpvs_root *root,
	       const struct ctl_sneigh_args *a, char *err, size_t errlen)
{
	struct dpvs_lb_tables *lb = &set->lb;
	char s[INET6_ADDRSTRLEN];
	int rc, i;

	rc = sneigh_check(set, root, a, err, errlen);
	if (rc != 0)
		return rc;
	i = sneigh_find(lb, &a->ip, (uint16_t)a->port);
	if (i < 0)
		return dpvs_errf(err, errlen, -CTL_ENOENT, "no static neighbour %s dev %s",
				ctl_ip_str(&a->ip, s, sizeof(s)), ctl_iface_name(set, root, a->port));
	memmove(&dpvs_lb_sneigh(lb)[i], &dpvs_lb_sneigh(lb)[i + 1],
		(lb->nsneigh - (uint32_t)i - 1) * sizeof(struct dpvs_static_neigh));
	lb->nsneigh--;
	memset(&dpvs_lb_sneigh(lb)[lb->nsneigh], 0, sizeof(struct dpvs_static_neigh));
	ctl_sneigh_hash_rebuild(lb);
	return 0;
}
