/*
 * The VLAN interfaces of a config set (see vlan.h): vlans[] of the set,
 * slot s being interface DPVS_IFACE_VLAN0 + s; the workers take the tag off
 * on input and put it back on output (worker/l2/eth.c, tx.c). Touches only
 * the set passed in; show reads the active set and the root.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ctl/common/pb.h"
#include "ctl/daemon/addr.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/vlan.h"

static int
port_ok(const struct dpvs_root *root, uint32_t p)
{
	return p < root->conf.nports && p < DPVS_MAX_PORTS;
}

static int
vlan_slot(const struct dpvs_config_set *set, const char *name)
{
	int s;

	for (s = 0; s < DPVS_CFG_VLANS; s++)
		if (set->vlans[s].name[0] != '\0' &&
		    strncmp(set->vlans[s].name, name, DPVS_VLAN_NAME_LEN) == 0)
			return s;
	return -1;
}

int
ctl_iface_parse(const struct dpvs_root *root, const char *dev, char *ifname, char *err,
		size_t errlen)
{
	uint32_t i;

	for (i = 0; i < root->conf.nports && i < DPVS_MAX_PORTS; i++)
		if (strncmp(root->ports[i].name, dev, sizeof(root->ports[i].name)) == 0)
			return (int)i;
	if (dev[0] == '\0' || strlen(dev) >= DPVS_VLAN_NAME_LEN)
		return dpvs_errf(err, errlen, -CTL_ENOPORT, "no port named %s, and no VLAN", dev);
	memset(ifname, 0, DPVS_VLAN_NAME_LEN);
	memcpy(ifname, dev, strlen(dev));
	return CTL_IFACE_BYNAME;
}

int
ctl_iface_find(const struct dpvs_config_set *set, const struct dpvs_root *root,
	       const char *name, char *err, size_t errlen)
{
	uint32_t i;
	int s;

	for (i = 0; i < root->conf.nports && i < DPVS_MAX_PORTS; i++)
		if (strncmp(root->ports[i].name, name, sizeof(root->ports[i].name)) == 0)
			return (int)i;
	s = vlan_slot(set, name);
	if (s >= 0)
		return DPVS_IFACE_VLAN0 + s;
	return dpvs_errf(err, errlen, -CTL_ENOPORT, "no port named %s, and no VLAN", name);
}

int
ctl_iface_ok(const struct dpvs_config_set *set, const struct dpvs_root *root, uint32_t i)
{
	if (i < DPVS_IFACE_VLAN0)
		return port_ok(root, i);
	return i < DPVS_MAX_IFACES && set->vlans[i - DPVS_IFACE_VLAN0].name[0] != '\0';
}

const char *
ctl_iface_name(const struct dpvs_config_set *set, const struct dpvs_root *root, uint32_t i)
{
	if (i < DPVS_IFACE_VLAN0)
		return port_ok(root, i) ? root->ports[i].name : "?";
	if (set != NULL && ctl_iface_ok(set, root, i))
		return set->vlans[i - DPVS_IFACE_VLAN0].name;
	return "?";
}

/* What on set uses interface i, as "address 10.0.0.1", or NULL. */
static const char *
iface_user(const struct dpvs_config_set *set, uint32_t i, char *buf, size_t len)
{
	const struct dpvs_lb_tables *lb = &set->lb;
	const struct dpvs_addr_entry *addrs = dpvs_cfg_addrs(set);
	char a[INET6_ADDRSTRLEN];
	uint32_t k, j;

	for (k = 0; k < set->naddrs && k < lb->caps.addrs; k++)
		if (addrs[k].port == i) {
			snprintf(buf, len, "address %s", ctl_ip_str(&addrs[k].addr, a, sizeof(a)));
			return buf;
		}
	for (k = 0; k < lb->caps.routes; k++) {
		const struct dpvs_route *r = &dpvs_lb_routes(lb)[k];

		if (r->prefix.family != DPVS_AF_NONE && r->port == i) {
			snprintf(buf, len, "route %s/%u", ctl_ip_str(&r->prefix, a, sizeof(a)),
				 r->prefixlen);
			return buf;
		}
	}
	for (k = 0; k < lb->nsneigh && k < lb->caps.sneigh; k++)
		if (dpvs_lb_sneigh(lb)[k].port == i) {
			snprintf(buf, len, "neighbour %s",
				 ctl_ip_str(&dpvs_lb_sneigh(lb)[k].ip, a, sizeof(a)));
			return buf;
		}
	for (k = 0; k < lb->caps.services; k++) {
		const struct dpvs_service *s = dpvs_lb_svc(lb, k);
		const struct dpvs_svc_laddr *la = dpvs_lb_svc_laddrs(lb, k);

		for (j = 0; j < s->nladdrs && j < lb->caps.svc_laddrs; j++)
			if (la[j].port == i) {
				snprintf(buf, len, "local address %s",
					 ctl_ip_str(&la[j].ip, a, sizeof(a)));
				return buf;
			}
	}
	return NULL;
}

static int
vlan_name_check(const struct dpvs_root *root, const char *name, char *err, size_t errlen)
{
	size_t n = strnlen(name, DPVS_VLAN_NAME_LEN);
	uint32_t i;

	if (n == 0 || n > DPVS_VLAN_NAME_MAX)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "bad VLAN name \"%.*s\" (1..%d characters: "
				"its kernel interface is NAME.kni)", (int)n, name,
				DPVS_VLAN_NAME_MAX);
	if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
		return dpvs_errf(err, errlen, -CTL_EINVAL,
				"bad VLAN name \"%s\" (letters, digits, '.', '_', '-')", name);
	for (i = 0; i < root->conf.nports && i < DPVS_MAX_PORTS; i++)
		if (strncmp(root->ports[i].name, name, sizeof(root->ports[i].name)) == 0)
			return dpvs_errf(err, errlen, -CTL_EEXIST, "%s is a port", name);
	return 0;
}

int
ctl_vlan_add(struct dpvs_config_set *set, const struct dpvs_root *root,
	     const struct ctl_vlan_args *a, char *err, size_t errlen)
{
	struct dpvs_vlan_cfg *v;
	int rc, s, slot = -1;

	rc = vlan_name_check(root, a->name, err, errlen);
	if (rc != 0)
		return rc;
	if (a->port < 0 || !port_ok(root, (uint32_t)a->port))
		return dpvs_errf(err, errlen, -CTL_ENOPORT, "vlan %s: no port with index %d",
				a->name, a->port);
	if (a->vid < 1 || a->vid > 4094)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "vlan %s: id %u out of 1..4094", a->name,
				a->vid);
	for (s = 0; s < DPVS_CFG_VLANS; s++) {
		v = &set->vlans[s];
		if (v->name[0] == '\0') {
			if (slot < 0 || s == a->slot)
				slot = s;
			continue;
		}
		if (strncmp(v->name, a->name, DPVS_VLAN_NAME_LEN) == 0)
			return dpvs_errf(err, errlen, -CTL_EEXIST, "vlan %s exists already",
					a->name);
		if (v->port == a->port && v->vid == a->vid)
			return dpvs_errf(err, errlen, -CTL_EEXIST, "vlan %s: %s id %u is %s already",
					a->name, root->ports[a->port].name, a->vid, v->name);
	}
	if (slot < 0)
		return dpvs_errf(err, errlen, -CTL_EFULL, "vlan %s: every one of the %d VLAN slots "
				"is taken", a->name, DPVS_CFG_VLANS);
	v = &set->vlans[slot];
	memset(v, 0, sizeof(*v));
	memcpy(v->name, a->name, strnlen(a->name, DPVS_VLAN_NAME_LEN - 1));
	v->port = (uint16_t)a->port;
	v->vid = a->vid;
	return 0;
}

int
ctl_vlan_del(struct dpvs_config_set *set, const struct dpvs_root *root,
	     const struct ctl_vlan_args *a, char *err, size_t errlen)
{
	char user[96];
	int s = vlan_slot(set, a->name);

	(void)root;
	if (s < 0)
		return dpvs_errf(err, errlen, -CTL_ENOENT, "no VLAN named %s", a->name);
	if (iface_user(set, DPVS_IFACE_VLAN0 + (uint32_t)s, user, sizeof(user)) != NULL)
		return dpvs_errf(err, errlen, -CTL_EBUSY, "vlan %s is in use (%s is on it): "
				"delete that first", a->name, user);
	memset(&set->vlans[s], 0, sizeof(set->vlans[s]));
	return 0;
}

int
ctl_vlan_args_from_msg(const struct dpvs_root *root, const Dpvs__Vlan *m,
		       struct ctl_vlan_args *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	a->slot = -1;
	a->port = -1;
	if (m == NULL || m->name == NULL || m->name[0] == '\0')
		return dpvs_errf(err, errlen, -CTL_EINVAL, "missing VLAN name");
	if (strlen(m->name) >= DPVS_VLAN_NAME_LEN)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "VLAN name %s is longer than %d", m->name,
				DPVS_VLAN_NAME_LEN - 1);
	memcpy(a->name, m->name, strlen(m->name));
	if (m->dev != NULL && m->dev[0] != '\0') {
		a->port = ctl_port_find(root, m->dev, err, errlen);
		if (a->port < 0)
			return a->port;
	}
	if (m->id > 0xffff)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "vlan %s: id %u out of 1..4094", a->name,
				m->id);
	a->vid = (uint16_t)m->id;
	return 0;
}

void
ctl_vlan_save(const struct dpvs_config_set *set, const struct dpvs_root *root, FILE *out)
{
	int s;

	for (s = 0; s < DPVS_CFG_VLANS; s++)
		if (set->vlans[s].name[0] != '\0')
			fprintf(out, "vlan add %s dev %s id %u\n", set->vlans[s].name,
				ctl_iface_name(set, root, set->vlans[s].port), set->vlans[s].vid);
}

int
ctl_show_vlans(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
	       char *err, size_t errlen)
{
	const struct dpvs_config_set *set = dpvs_config_active(shm);
	const char *only = req->vlan_show != NULL ? req->vlan_show->name : NULL;
	Dpvs__VlanList *l;
	int s;

	if (only != NULL && only[0] != '\0' && vlan_slot(set, only) < 0)
		return dpvs_errf(err, errlen, -CTL_ENOENT, "no VLAN named %s", only);
	l = ctl_pb_alloc(sizeof(*l));
	dpvs__vlan_list__init(l);
	resp->vlans = l;
	resp->payload_case = DPVS__RESPONSE__PAYLOAD_VLANS;
	for (s = 0; s < DPVS_CFG_VLANS; s++) {
		const struct dpvs_vlan_cfg *v = &set->vlans[s];
		Dpvs__Vlan **slot, *m;

		if (v->name[0] == '\0' ||
		    (only != NULL && only[0] != '\0' && strcmp(only, v->name) != 0))
			continue;
		m = ctl_pb_alloc(sizeof(*m));
		dpvs__vlan__init(m);
		m->name = ctl_pb_strdup(v->name);
		m->dev = ctl_pb_strdup(ctl_iface_name(set, shm->root, v->port));
		m->id = v->vid;
		slot = ctl_pb_append(&l->vlans, &l->n_vlans, sizeof(*slot));
		*slot = m;
	}
	return 0;
}
