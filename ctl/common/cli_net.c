/*
 * The iproute2-like words of dpvsctl for the load balancer (see cli_lb.h):
 * laddr add|del|show, route add|del|show, neigh add|del, port set|show.
 * Pure: argv in, a Request member out, messages in the caller's buffer.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_lb.h"
#include "pb.h"

/* A single address (no prefix length) into an Ip message. */
static int
cli_host(const char *text, Dpvs__Ip **ip, char *err, size_t errlen)
{
	unsigned char bytes[16];
	unsigned int plen;
	int family, rc;

	if (strchr(text, '/') != NULL)
		return dpvs_errf(err, errlen, CTL_CLI_BADARG,
				    "%s: an address without /LEN is expected here", text);
	rc = ctl_cli_parse_prefix(text, &family, bytes, &plen, err, errlen);
	if (rc != CTL_CLI_OK)
		return rc;
	*ip = ctl_pb_ip(family, bytes);
	return CTL_CLI_OK;
}

static int
cli_devname(const char *v, char **dev, char *err, size_t errlen)
{
	if ((*dev)[0] != '\0')
		return dpvs_errf(err, errlen, CTL_CLI_USAGE, "\"dev\" given twice");
	if (strlen(v) == 0 || strlen(v) >= 32)
		return dpvs_errf(err, errlen, CTL_CLI_BADARG, "bad port name \"%s\"", v);
	*dev = ctl_pb_strdup(v);
	return CTL_CLI_OK;
}

/* laddr add|del: -t|-u VIP:PORT ADDRESS [dev PORT] in any order. */
static Dpvs__Laddr *
cli_laddr(int argc, char *const argv[], bool need_dev, int *rc, char *err, size_t errlen)
{
	Dpvs__Laddr *l = ctl_pb_alloc(sizeof(*l));
	int i;

	dpvs__laddr__init(l);
	*rc = CTL_CLI_OK;
	for (i = 0; i < argc && *rc == CTL_CLI_OK; i++) {
		if (strcmp(argv[i], "-t") == 0 || strcmp(argv[i], "-u") == 0) {
			*rc = ctl_cli_svc_opt(argc, argv, &i, &l->service, err, errlen);
		} else if (strcmp(argv[i], "dev") == 0) {
			if (i + 1 >= argc)
				*rc = dpvs_errf(err, errlen, CTL_CLI_USAGE,
						   "\"dev\" needs a port name");
			else
				*rc = cli_devname(argv[++i], &l->dev, err, errlen);
		} else if (l->address == NULL && argv[i][0] != '-') {
			*rc = cli_host(argv[i], &l->address, err, errlen);
		} else {
			*rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "unexpected word \"%s\"",
					   argv[i]);
		}
	}
	if (*rc == CTL_CLI_OK && l->service == NULL)
		*rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "missing -t|-u VIP:PORT");
	if (*rc == CTL_CLI_OK && l->address == NULL)
		*rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "missing local address");
	if (*rc == CTL_CLI_OK && need_dev && l->dev[0] == '\0')
		*rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "missing \"dev PORT\"");
	if (*rc != CTL_CLI_OK) {
		dpvs__laddr__free_unpacked(l, NULL);
		return NULL;
	}
	return l;
}

CLI_LB_FN(ctl_cli_laddr_add)
{
	int rc;

	req->laddr_add = cli_laddr(argc, argv, true, &rc, err, errlen);
	if (req->laddr_add != NULL)
		req->op_case = DPVS__REQUEST__OP_LADDR_ADD;
	return rc;
}

CLI_LB_FN(ctl_cli_laddr_del)
{
	int rc;

	req->laddr_del = cli_laddr(argc, argv, false, &rc, err, errlen);
	if (req->laddr_del != NULL)
		req->op_case = DPVS__REQUEST__OP_LADDR_DEL;
	return rc;
}

CLI_LB_FN(ctl_cli_laddr_show)
{
	Dpvs__LaddrShow *s = ctl_pb_alloc(sizeof(*s));
	int i, rc = CTL_CLI_OK;

	dpvs__laddr_show__init(s);
	for (i = 0; i < argc && rc == CTL_CLI_OK; i++) {
		if (strcmp(argv[i], "-t") == 0 || strcmp(argv[i], "-u") == 0)
			rc = ctl_cli_svc_opt(argc, argv, &i, &s->service, err, errlen);
		else
			rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "unexpected word \"%s\"",
					  argv[i]);
	}
	if (rc != CTL_CLI_OK) {
		dpvs__laddr_show__free_unpacked(s, NULL);
		return rc;
	}
	req->laddr_show = s;
	req->op_case = DPVS__REQUEST__OP_LADDR_SHOW;
	return CTL_CLI_OK;
}

/* route add|del: PREFIX[/LEN] [via GW] [dev PORT]. */
static Dpvs__Route *
cli_route(int argc, char *const argv[], bool need_dev, int *rc, char *err, size_t errlen)
{
	Dpvs__Route *r = ctl_pb_alloc(sizeof(*r));
	unsigned char bytes[16];
	unsigned int plen;
	int i, family;

	dpvs__route__init(r);
	*rc = argc < 1 ? dpvs_errf(err, errlen, CTL_CLI_USAGE, "missing route prefix") :
			 ctl_cli_parse_prefix(argv[0], &family, bytes, &plen, err, errlen);
	if (*rc == CTL_CLI_OK) {
		r->prefix = ctl_pb_ip(family, bytes);
		r->prefixlen = plen;
	}
	for (i = 1; i < argc && *rc == CTL_CLI_OK; i++) {
		if (i + 1 >= argc)
			*rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "\"%s\" needs a value",
					   argv[i]);
		else if (strcmp(argv[i], "via") == 0 && r->gateway == NULL)
			*rc = cli_host(argv[++i], &r->gateway, err, errlen);
		else if (strcmp(argv[i], "dev") == 0)
			*rc = cli_devname(argv[++i], &r->dev, err, errlen);
		else
			*rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "unexpected word \"%s\"",
					   argv[i]);
	}
	if (*rc == CTL_CLI_OK && need_dev && r->dev[0] == '\0')
		*rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "missing \"dev PORT\"");
	if (*rc != CTL_CLI_OK) {
		dpvs__route__free_unpacked(r, NULL);
		return NULL;
	}
	return r;
}

CLI_LB_FN(ctl_cli_route_add)
{
	int rc;

	req->route_add = cli_route(argc, argv, true, &rc, err, errlen);
	if (req->route_add != NULL)
		req->op_case = DPVS__REQUEST__OP_ROUTE_ADD;
	return rc;
}

CLI_LB_FN(ctl_cli_route_del)
{
	int rc;

	req->route_del = cli_route(argc, argv, false, &rc, err, errlen);
	if (req->route_del != NULL)
		req->op_case = DPVS__REQUEST__OP_ROUTE_DEL;
	return rc;
}

CLI_LB_FN(ctl_cli_route_show)
{
	if (argc > 0)
		return dpvs_errf(err, errlen, CTL_CLI_USAGE, "unexpected word \"%s\"", argv[0]);
	req->route_show = ctl_pb_alloc(sizeof(*req->route_show));
	dpvs__route_show__init(req->route_show);
	req->op_case = DPVS__REQUEST__OP_ROUTE_SHOW;
	return CTL_CLI_OK;
}

/* "02:00:00:00:00:21" into 6 bytes. */
static int
cli_mac(const char *v, uint8_t mac[6], char *err, size_t errlen)
{
	unsigned int b[6];
	char tail;
	int k;

	if (sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6 || strlen(v) != 17)
		return dpvs_errf(err, errlen, CTL_CLI_BADARG,
				    "bad lladdr %s (xx:xx:xx:xx:xx:xx)", v);
	for (k = 0; k < 6; k++)
		mac[k] = (uint8_t)b[k];
	return CTL_CLI_OK;
}

/* neigh add|del: IP [lladdr MAC] dev PORT. */
static Dpvs__Neigh *
cli_neigh(int argc, char *const argv[], bool add, int *rc, char *err, size_t errlen)
{
	Dpvs__Neigh *n = ctl_pb_alloc(sizeof(*n));
	int i;

	dpvs__neigh__init(n);
	*rc = argc < 1 ? dpvs_errf(err, errlen, CTL_CLI_USAGE, "missing neighbour address") :
			 cli_host(argv[0], &n->address, err, errlen);
	for (i = 1; i < argc && *rc == CTL_CLI_OK; i++) {
		if (i + 1 >= argc) {
			*rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "\"%s\" needs a value",
					   argv[i]);
		} else if (add && strcmp(argv[i], "lladdr") == 0 && n->lladdr.len == 0) {
			n->lladdr.data = ctl_pb_alloc(6);
			n->lladdr.len = 6;
			*rc = cli_mac(argv[++i], n->lladdr.data, err, errlen);
		} else if (strcmp(argv[i], "dev") == 0) {
			*rc = cli_devname(argv[++i], &n->dev, err, errlen);
		} else {
			*rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "unexpected word \"%s\"",
					   argv[i]);
		}
	}
	if (*rc == CTL_CLI_OK && add && n->lladdr.len == 0)
		*rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "missing \"lladdr MAC\"");
	if (*rc == CTL_CLI_OK && n->dev[0] == '\0')
		*rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "missing \"dev PORT\"");
	if (*rc != CTL_CLI_OK) {
		dpvs__neigh__free_unpacked(n, NULL);
		return NULL;
	}
	return n;
}

CLI_LB_FN(ctl_cli_neigh_add)
{
	int rc;

	req->neigh_add = cli_neigh(argc, argv, true, &rc, err, errlen);
	if (req->neigh_add != NULL)
		req->op_case = DPVS__REQUEST__OP_NEIGH_ADD;
	return rc;
}

CLI_LB_FN(ctl_cli_neigh_del)
{
	int rc;

	req->neigh_del = cli_neigh(argc, argv, false, &rc, err, errlen);
	if (req->neigh_del != NULL)
		req->op_case = DPVS__REQUEST__OP_NEIGH_DEL;
	return rc;
}

/* port set PORT KEY on|off (the keys are the daemon's to know). */
CLI_LB_FN(ctl_cli_port_set)
{
	Dpvs__PortSet *m;
	char *dev = (char *)"";
	int rc;

	if (argc != 3)
		return dpvs_errf(err, errlen, CTL_CLI_USAGE,
				 "usage: port set PORT forward|forward2kni on|off");
	rc = cli_devname(argv[0], &dev, err, errlen);
	if (rc != CTL_CLI_OK)
		return rc;
	if (strcmp(argv[2], "on") != 0 && strcmp(argv[2], "off") != 0) {
		free(dev);
		return dpvs_errf(err, errlen, CTL_CLI_BADARG, "port set %s %s: \"%s\" is not on or "
				 "off", argv[0], argv[1], argv[2]);
	}
	m = ctl_pb_alloc(sizeof(*m));
	dpvs__port_set__init(m);
	m->dev = dev;
	m->key = ctl_pb_strdup(argv[1]);
	m->value = ctl_pb_strdup(argv[2]);
	req->port_set = m;
	req->op_case = DPVS__REQUEST__OP_PORT_SET;
	return CTL_CLI_OK;
}

/* port show [PORT] */
CLI_LB_FN(ctl_cli_port_show)
{
	Dpvs__PortShow *m;

	if (argc > 1)
		return dpvs_errf(err, errlen, CTL_CLI_USAGE, "unexpected word \"%s\"", argv[1]);
	if (argc == 1 && (strlen(argv[0]) == 0 || strlen(argv[0]) >= 32))
		return dpvs_errf(err, errlen, CTL_CLI_BADARG, "bad port name \"%s\"", argv[0]);
	m = ctl_pb_alloc(sizeof(*m));
	dpvs__port_show__init(m);
	if (argc == 1)
		m->dev = ctl_pb_strdup(argv[0]);
	req->port_show = m;
	req->op_case = DPVS__REQUEST__OP_PORT_SHOW;
	return CTL_CLI_OK;
}

/* vlan add NAME dev PORT id ID */
CLI_LB_FN(ctl_cli_vlan_add)
{
	Dpvs__Vlan *m;
	char *dev = (char *)"", *end;
	unsigned long id;
	int rc;

	if (argc != 5 || strcmp(argv[1], "dev") != 0 || strcmp(argv[3], "id") != 0)
		return dpvs_errf(err, errlen, CTL_CLI_USAGE, "usage: vlan add NAME dev PORT id ID");
	if (strlen(argv[0]) == 0 || strlen(argv[0]) > 11)
		return dpvs_errf(err, errlen, CTL_CLI_BADARG, "bad VLAN name \"%s\" (1..11 "
				 "characters: its kernel interface is NAME.kni)", argv[0]);
	errno = 0;
	id = strtoul(argv[4], &end, 10);
	if (argv[4][0] < '0' || argv[4][0] > '9' || *end != '\0' || errno != 0 || id < 1 ||
	    id > 4094)
		return dpvs_errf(err, errlen, CTL_CLI_BADARG, "vlan %s: id \"%s\" out of 1..4094",
				 argv[0], argv[4]);
	rc = cli_devname(argv[2], &dev, err, errlen);
	if (rc != CTL_CLI_OK)
		return rc;
	m = ctl_pb_alloc(sizeof(*m));
	dpvs__vlan__init(m);
	m->name = ctl_pb_strdup(argv[0]);
	m->dev = dev;
	m->id = (uint32_t)id;
	req->vlan_add = m;
	req->op_case = DPVS__REQUEST__OP_VLAN_ADD;
	return CTL_CLI_OK;
}

/* vlan del NAME */
CLI_LB_FN(ctl_cli_vlan_del)
{
	Dpvs__Vlan *m;

	if (argc != 1)
		return dpvs_errf(err, errlen, CTL_CLI_USAGE, "usage: vlan del NAME");
	if (strlen(argv[0]) == 0 || strlen(argv[0]) >= 16)
		return dpvs_errf(err, errlen, CTL_CLI_BADARG, "bad VLAN name \"%s\"", argv[0]);
	m = ctl_pb_alloc(sizeof(*m));
	dpvs__vlan__init(m);
	m->name = ctl_pb_strdup(argv[0]);
	req->vlan_del = m;
	req->op_case = DPVS__REQUEST__OP_VLAN_DEL;
	return CTL_CLI_OK;
}

/* vlan show [NAME] */
CLI_LB_FN(ctl_cli_vlan_show)
{
	Dpvs__VlanShow *m;

	if (argc > 1)
		return dpvs_errf(err, errlen, CTL_CLI_USAGE, "unexpected word \"%s\"", argv[1]);
	if (argc == 1 && (strlen(argv[0]) == 0 || strlen(argv[0]) >= 16))
		return dpvs_errf(err, errlen, CTL_CLI_BADARG, "bad VLAN name \"%s\"", argv[0]);
	m = ctl_pb_alloc(sizeof(*m));
	dpvs__vlan_show__init(m);
	if (argc == 1)
		m->name = ctl_pb_strdup(argv[0]);
	req->vlan_show = m;
	req->op_case = DPVS__REQUEST__OP_VLAN_SHOW;
	return CTL_CLI_OK;
}
