/*
 * The per-port switches (see port.h): `port set PORT forward|forward2kni
 * on|off` edits port_flags[] of a config set, published like any change
 * (the workers read the flag per packet); `port show` lists the ports with
 * their MAC, MTU, kernel interface, switches and the exception path's
 * budgets; save prints the switches that differ from
 * dpvs.conf. Touches only the set passed in; show reads the active set and
 * the root.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "ctl/common/pb.h"
#include "ctl/daemon/addr.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/port.h"

/* The keys of `port set`: one row per switch. */
static const struct {
	const char *key;
	uint32_t flag;
	uint32_t conf_flag;            /* its dpvs.conf default in dpvs_port_info.flags */
} port_keys[] = {
	{ "forward", DPVS_PORT_CFG_FORWARD, DPVS_PORT_F_FORWARD },
	/* a copy of the frames as the port receives them, tags and all */
	{ "forward2kni", DPVS_PORT_CFG_FORWARD2KNI, DPVS_PORT_F_FORWARD2KNI },
};
#define NKEYS (sizeof(port_keys) / sizeof(port_keys[0]))

uint32_t
ctl_port_key_flag(const char *key)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(port_keys[i].key, key) == 0)
			return port_keys[i].flag;
	return 0;
}

const char *
ctl_port_flag_key(uint32_t flag)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (port_keys[i].flag == flag)
			return port_keys[i].key;
	return NULL;
}

int
ctl_port_set(struct dpvs_config_set *set, const struct dpvs_root *root,
	     const struct ctl_port_args *a, char *err, size_t errlen)
{
	if (a->port < 0 || (uint32_t)a->port >= root->conf.nports || a->port >= DPVS_MAX_PORTS)
		return dpvs_errf(err, errlen, -CTL_ENOPORT, "no port with index %d", a->port);
	if (ctl_port_flag_key(a->flag) == NULL)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "unknown port switch %#x", a->flag);
	if (a->on)
		set->port_flags[a->port] |= a->flag;
	else
		set->port_flags[a->port] &= ~a->flag;
	return 0;
}

int
ctl_port_args_from_msg(const struct dpvs_root *root, const Dpvs__PortSet *m,
		       struct ctl_port_args *a, char *err, size_t errlen)
{
	char keys[128] = "";
	size_t i;
	int port;

	memset(a, 0, sizeof(*a));
	if (m == NULL || m->dev == NULL || m->dev[0] == '\0')
		return dpvs_errf(err, errlen, -CTL_EINVAL, "missing port name");
	port = ctl_port_find(root, m->dev, err, errlen);
	if (port < 0)
		return port;
	a->port = port;
	a->flag = m->key != NULL ? ctl_port_key_flag(m->key) : 0;
	if (a->flag == 0) {
		for (i = 0; i < NKEYS; i++)
			snprintf(keys + strlen(keys), sizeof(keys) - strlen(keys), "%s%s",
				 i > 0 ? ", " : "", port_keys[i].key);
		return dpvs_errf(err, errlen, -CTL_EINVAL, "unknown port switch \"%s\" (known: %s)",
				m->key != NULL ? m->key : "", keys);
	}
	if (m->value != NULL && strcmp(m->value, "on") == 0)
		a->on = true;
	else if (m->value == NULL || strcmp(m->value, "off") != 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "port set %s %s: on or off", m->dev,
				m->key);
	return 0;
}

void
ctl_port_save(const struct dpvs_config_set *set, const struct dpvs_root *root, FILE *out)
{
	uint32_t p;
	size_t i;

	for (p = 0; p < root->conf.nports && p < DPVS_MAX_PORTS; p++)
		for (i = 0; i < NKEYS; i++) {
			int on = (set->port_flags[p] & port_keys[i].flag) != 0;
			int dflt = (root->ports[p].flags & port_keys[i].conf_flag) != 0;

			if (on != dflt)
				fprintf(out, "port set %s %s %s\n", root->ports[p].name,
					port_keys[i].key, on ? "on" : "off");
		}
}

/* The exception path's budgets and management services of port pi. */
static void
show_kni(const struct dpvs_port_info *pi, Dpvs__PortInfo *m)
{
	char list[DPVS_KNI_PRIO_MAX * 12 + 1] = "";
	size_t n = 0;
	unsigned int i;

	m->kni_ctrl_rate = pi->kni_rate[DPVS_KNI_CTRL];
	m->kni_mgmt_rate = pi->kni_rate[DPVS_KNI_MGMT];
	m->kni_rate = pi->kni_rate[DPVS_KNI_BULK];
	for (i = 0; i < DPVS_KNI_PRIO_MAX && pi->kni_prio[i].proto != 0; i++) {
		const struct dpvs_kni_prio *e = &pi->kni_prio[i];
		const char *proto = e->proto == IPPROTO_TCP ? "tcp" :
				    e->proto == IPPROTO_UDP ? "udp" : "icmp";

		if (e->port != 0)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s:%u", n > 0 ? "," : "",
					      proto, e->port);
		else
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n > 0 ? "," : "",
					      proto);
		if (n >= sizeof(list))
			break;
	}
	m->kni_priority = ctl_pb_strdup(list[0] != '\0' ? list : "none");
}

int
ctl_show_ports(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
	       char *err, size_t errlen)
{
	const struct dpvs_root *root = shm->root;
	const struct dpvs_config_set *set = dpvs_config_active(shm);
	const char *dev = req->port_show != NULL ? req->port_show->dev : NULL;
	char name[DPVS_NAME_LEN + 1];
	Dpvs__PortList *l;
	int only = -1;
	uint32_t p;

	if (dev != NULL && dev[0] != '\0') {
		only = ctl_port_find(root, dev, err, errlen);
		if (only < 0)
			return only;
	}
	l = ctl_pb_alloc(sizeof(*l));
	dpvs__port_list__init(l);
	resp->ports = l;
	resp->payload_case = DPVS__RESPONSE__PAYLOAD_PORTS;
	for (p = 0; p < root->conf.nports && p < DPVS_MAX_PORTS; p++) {
		const struct dpvs_port_info *pi = &root->ports[p];
		Dpvs__PortInfo **slot, *m;

		if (only >= 0 && (uint32_t)only != p)
			continue;
		m = ctl_pb_alloc(sizeof(*m));
		dpvs__port_info__init(m);
		memcpy(name, pi->name, DPVS_NAME_LEN);
		name[DPVS_NAME_LEN] = '\0';
		m->name = ctl_pb_strdup(name);
		memcpy(name, pi->kni_name, DPVS_NAME_LEN);
		m->kni = ctl_pb_strdup(name);
		m->mac.data = ctl_pb_alloc(DPVS_ETHER_LEN);
		memcpy(m->mac.data, pi->mac, DPVS_ETHER_LEN);
		m->mac.len = DPVS_ETHER_LEN;
		m->mtu = pi->mtu;
		m->forward = (set->port_flags[p] & DPVS_PORT_CFG_FORWARD) != 0;
		m->forward2kni = (set->port_flags[p] & DPVS_PORT_CFG_FORWARD2KNI) != 0;
		show_kni(pi, m);
		slot = ctl_pb_append(&l->ports, &l->n_ports, sizeof(*slot));
		*slot = m;
	}
	return 0;
}
