/*
 * From load-balancer Requests (services, dests, laddrs, routes, static
 * neighbours) to operations on their front doors in lb.h (change.h). Wire
 * types stop here: each function validates the message's shape and turns it
 * into plain C arguments (port names resolved to indices).
 */
#include <netinet/in.h>
#include <string.h>

#include "ctl/daemon/addr.h"
#include "ctl/daemon/apply.h"
#include "ctl/daemon/change.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"

/* An Ip message into ip; a missing one is an error unless optional (then
 * family DPVS_AF_NONE). */
static int
ip_from_msg(const Dpvs__Ip *m, struct dpvs_ip *ip, int optional, const char *what, char *err,
	    size_t errlen)
{
	memset(ip, 0, sizeof(*ip));
	if (m == NULL || (m->family == DPVS__FAMILY__FAMILY_NONE && m->addr.len == 0)) {
		if (optional)
			return 0;
		return dpvs_errf(err, errlen, -CTL_EINVAL, "missing %s", what);
	}
	if (m->family == DPVS__FAMILY__INET && m->addr.len == 4)
		ip->family = DPVS_AF_INET;
	else if (m->family == DPVS__FAMILY__INET6 && m->addr.len == 16)
		ip->family = DPVS_AF_INET6;
	else
		return dpvs_errf(err, errlen, -CTL_EINVAL, "bad %s (family %d, %zu bytes)", what,
				(int)m->family, m->addr.len);
	memcpy(ip->bytes, m->addr.data, m->addr.len);
	return 0;
}

static int
port_from_msg(uint32_t v, uint16_t *port, const char *what, char *err, size_t errlen)
{
	if (v > 65535)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "bad %s port %u", what, v);
	*port = (uint16_t)v;
	return 0;
}

static int
key_from_msg(const struct dpvs_root *root, const Dpvs__SvcKey *m, struct ctl_svc_key *k,
	     char *err, size_t errlen)
{
	int rc;

	memset(k, 0, sizeof(*k));
	if (m == NULL)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "missing service (-t or -u VIP:PORT)");
	if (m->match != NULL && m->match[0] != '\0') {
		rc = ctl_match_parse(root, m->match, &k->match, err, errlen);
		if (rc != 0)
			return rc;
		k->is_match = true;
		k->proto = k->match.proto;
		ctl_match_str(root, &k->match, k->text, sizeof(k->text));
		return 0;
	}
	if (m->proto != NULL && strcmp(m->proto, "tcp") == 0)
		k->proto = IPPROTO_TCP;
	else if (m->proto != NULL && strcmp(m->proto, "udp") == 0)
		k->proto = IPPROTO_UDP;
	else
		return dpvs_errf(err, errlen, -CTL_EINVAL, "bad service protocol \"%s\"",
				m->proto != NULL ? m->proto : "");
	rc = ip_from_msg(m->vip, &k->vip, 0, "virtual address", err, errlen);
	if (rc == 0)
		rc = port_from_msg(m->port, &k->port, "virtual", err, errlen);
	return rc;
}

/* Interface index of an optional dev name: -1 when absent; a name that is
 * no port is kept in ifname for the set to resolve (vlan.h). */
static int
dev_from_msg(const struct dpvs_root *root, const char *dev, int *port, char *ifname,
	     char *err, size_t errlen)
{
	*port = -1;
	if (dev == NULL || dev[0] == '\0')
		return 0;
	*port = ctl_iface_parse(root, dev, ifname, err, errlen);
	return *port < 0 ? *port : 0;
}

/* The Rate messages of a change into rate arguments. */
static int
rates_from_msg(Dpvs__Rate *const *r, size_t n, struct ctl_rate_args *a, char *err,
	       size_t errlen)
{
	size_t i;
	int k;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < n; i++) {
		k = ctl_rate_meter_from_name(r[i]->meter != NULL ? r[i]->meter : "");
		if (k < 0)
			return dpvs_errf(err, errlen, -CTL_EINVAL, "unknown rate meter \"%s\" (in_pps, "
					"in_bytes, out_pps, out_bytes)",
					r[i]->meter != NULL ? r[i]->meter : "");
		if (a->has[k])
			return dpvs_errf(err, errlen, -CTL_EINVAL, "%s given twice",
					ctl_rate_meter_opt((unsigned int)k));
		a->has[k] = true;
		a->m[k].rate = r[i]->rate;
		a->m[k].burst = r[i]->burst;
	}
	return 0;
}

static int
svc_args_from_msg(const struct dpvs_root *root, const Dpvs__Service *m, struct ctl_svc_args *a,
		  char *err, size_t errlen)
{
	size_t i;
	int rc;

	memset(a, 0, sizeof(*a));
	a->sched = -1;
	a->flags = -1;
	if (m == NULL)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "missing service");
	rc = key_from_msg(root, m->key, &a->key, err, errlen);
	if (rc != 0)
		return rc;
	if (m->scheduler != NULL && m->scheduler[0] != '\0') {
		a->sched = ctl_sched_from_name(m->scheduler);
		if (a->sched < 0)
			return dpvs_errf(err, errlen, -CTL_EINVAL,
					"unknown scheduler \"%s\" (rr, wrr, lc, wlc, mh, conhash)",
					m->scheduler);
	}
	if (m->set_flags || m->n_flags > 0)
		a->flags = 0;
	for (i = 0; i < m->n_flags; i++) {
		if (strcmp(m->flags[i], "hash-port") == 0)
			a->flags |= (int)DPVS_SVC_F_HASHED;
		else
			return dpvs_errf(err, errlen, -CTL_EINVAL, "unknown service flag \"%s\"",
					m->flags[i]);
	}
	if (m->synproxy != NULL && strcmp(m->synproxy, "on") == 0)
		a->synproxy = 1;
	else if (m->synproxy != NULL && strcmp(m->synproxy, "off") == 0)
		a->synproxy = -1;
	else if (m->synproxy != NULL && m->synproxy[0] != '\0')
		return dpvs_errf(err, errlen, -CTL_EINVAL, "--synproxy %s: on or off",
				m->synproxy);
	if (m->proxy_protocol != NULL && m->proxy_protocol[0] != '\0') {
		a->pp = strcmp(m->proxy_protocol, "v1") == 0 ? 1 :
			strcmp(m->proxy_protocol, "v2") == 0 ? 2 :
			strcmp(m->proxy_protocol, "off") == 0 ? -1 : -2;
		if (a->pp == -2)
			return dpvs_errf(err, errlen, -CTL_EINVAL,
					"--proxy-protocol %s: v1, v2 or off", m->proxy_protocol);
	}
	if (m->toa != NULL && m->toa[0] != '\0') {
		a->toa = strcmp(m->toa, "on") == 0 ? 1 : strcmp(m->toa, "off") == 0 ? -1 : -2;
		if (a->toa == -2)
			return dpvs_errf(err, errlen, -CTL_EINVAL, "--toa %s: on or off", m->toa);
	}
	return rates_from_msg(m->rates, m->n_rates, &a->rate, err, errlen);
}

int
ctl_op_svc(const struct dpvs_root *root, const Dpvs__Request *req, struct ctl_op *op,
	   char *err, size_t errlen)
{
	const Dpvs__Service *m = req->op_case == DPVS__REQUEST__OP_SVC_ADD ? req->svc_add :
				 req->op_case == DPVS__REQUEST__OP_SVC_EDIT ? req->svc_edit :
									      req->svc_del;

	op->kind = req->op_case == DPVS__REQUEST__OP_SVC_ADD ? CTL_OP_SVC_ADD :
		   req->op_case == DPVS__REQUEST__OP_SVC_EDIT ? CTL_OP_SVC_EDIT : CTL_OP_SVC_DEL;
	return svc_args_from_msg(root, m, &op->u.svc, err, errlen);
}

static int
dest_args_from_msg(const struct dpvs_root *root, const Dpvs__Dest *m, struct ctl_dest_args *a,
		   char *err, size_t errlen)
{
	int rc;

	memset(a, 0, sizeof(*a));
	a->mode = -1;
	if (m == NULL)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "missing real server");
	rc = key_from_msg(root, m->service, &a->svc, err, errlen);
	if (rc == 0)
		rc = ip_from_msg(m->address, &a->addr, 0, "real server address (-r)", err, errlen);
	if (rc == 0)
		rc = port_from_msg(m->port, &a->port, "real server", err, errlen);
	if (rc != 0)
		return rc;
	if (m->mode != NULL && m->mode[0] != '\0') {
		a->mode = ctl_fwd_from_name(m->mode);
		if (a->mode < 0)
			return dpvs_errf(err, errlen, -CTL_EINVAL,
					"unknown forwarding mode \"%s\" (fnat, nat, dr, tunnel, snat)",
					m->mode);
	}
	a->weight = m->weight;
	a->has_weight = m->has_weight;
	a->upper = m->upper;
	a->has_upper = m->has_upper;
	a->lower = m->lower;
	a->has_lower = m->has_lower;
	return rates_from_msg(m->rates, m->n_rates, &a->rate, err, errlen);
}

int
ctl_op_dest(const struct dpvs_root *root, const Dpvs__Request *req, struct ctl_op *op,
	    char *err, size_t errlen)
{
	const Dpvs__Dest *m = req->op_case == DPVS__REQUEST__OP_DEST_ADD ? req->dest_add :
			      req->op_case == DPVS__REQUEST__OP_DEST_EDIT ? req->dest_edit :
									    req->dest_del;

	op->kind = req->op_case == DPVS__REQUEST__OP_DEST_ADD ? CTL_OP_DEST_ADD :
		   req->op_case == DPVS__REQUEST__OP_DEST_EDIT ? CTL_OP_DEST_EDIT :
								 CTL_OP_DEST_DEL;
	return dest_args_from_msg(root, m, &op->u.dest, err, errlen);
}

int
ctl_op_laddr(const struct dpvs_root *root, const Dpvs__Request *req, struct ctl_op *op,
	     char *err, size_t errlen)
{
	const Dpvs__Laddr *m = req->op_case == DPVS__REQUEST__OP_LADDR_ADD ? req->laddr_add :
									     req->laddr_del;
	struct ctl_laddr_args a;
	int rc;

	memset(&a, 0, sizeof(a));
	if (m == NULL)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "missing local address");
	rc = key_from_msg(root, m->service, &a.svc, err, errlen);
	if (rc == 0)
		rc = ip_from_msg(m->address, &a.addr, 0, "local address", err, errlen);
	if (rc == 0)
		rc = dev_from_msg(root, m->dev, &a.port, op->ifname, err, errlen);
	if (rc != 0)
		return rc;
	op->kind = req->op_case == DPVS__REQUEST__OP_LADDR_ADD ? CTL_OP_LADDR_ADD :
								  CTL_OP_LADDR_DEL;
	op->u.laddr = a;
	return 0;
}

int
ctl_op_route(const struct dpvs_root *root, const Dpvs__Request *req, struct ctl_op *op,
	     char *err, size_t errlen)
{
	const Dpvs__Route *m = req->op_case == DPVS__REQUEST__OP_ROUTE_ADD ? req->route_add :
									     req->route_del;
	struct ctl_route_args a;
	int rc;

	memset(&a, 0, sizeof(a));
	if (m == NULL)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "missing route");
	rc = ip_from_msg(m->prefix, &a.prefix, 0, "route prefix", err, errlen);
	if (rc == 0)
		rc = ip_from_msg(m->gateway, &a.gw, 1, "gateway", err, errlen);
	if (rc == 0)
		rc = dev_from_msg(root, m->dev, &a.port, op->ifname, err, errlen);
	if (rc != 0)
		return rc;
	if (m->prefixlen > 128)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "bad prefix length %u", m->prefixlen);
	a.prefixlen = (uint8_t)m->prefixlen;
	op->kind = req->op_case == DPVS__REQUEST__OP_ROUTE_ADD ? CTL_OP_ROUTE_ADD :
								  CTL_OP_ROUTE_DEL;
	op->u.route = a;
	return 0;
}

int
ctl_op_sneigh(const struct dpvs_root *root, const Dpvs__Request *req, struct ctl_op *op,
	      char *err, size_t errlen)
{
	const Dpvs__Neigh *m = req->op_case == DPVS__REQUEST__OP_NEIGH_ADD ? req->neigh_add :
									     req->neigh_del;
	struct ctl_sneigh_args a;
	int rc;

	memset(&a, 0, sizeof(a));
	if (m == NULL)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "missing neighbour");
	rc = ip_from_msg(m->address, &a.ip, 0, "neighbour address", err, errlen);
	if (rc == 0)
		rc = dev_from_msg(root, m->dev, &a.port, op->ifname, err, errlen);
	if (rc != 0)
		return rc;
	if (a.port < 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "missing \"dev PORT\"");
	op->kind = CTL_OP_NEIGH_DEL;
	if (req->op_case == DPVS__REQUEST__OP_NEIGH_ADD) {
		if (m->lladdr.len != DPVS_ETHER_LEN)
			return dpvs_errf(err, errlen, -CTL_EINVAL, "missing \"lladdr MAC\"");
		memcpy(a.mac, m->lladdr.data, DPVS_ETHER_LEN);
		op->kind = CTL_OP_NEIGH_ADD;
	}
	op->u.sneigh = a;
	return 0;
}

/* check set / check del: the Check message into ctl_check_args. */
int
ctl_op_check(const struct dpvs_root *root, const Dpvs__Request *req, struct ctl_op *op,
	     char *err, size_t errlen)
{
	const Dpvs__Check *m = req->op_case == DPVS__REQUEST__OP_CHECK_SET ? req->check_set :
									     req->check_del;
	struct ctl_check_args *a = &op->u.check;
	int rc, t;

	memset(a, 0, sizeof(*a));
	op->kind = req->op_case == DPVS__REQUEST__OP_CHECK_SET ? CTL_OP_CHECK_SET :
								  CTL_OP_CHECK_DEL;
	if (m == NULL)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "missing health check");
	rc = key_from_msg(root, m->service, &a->svc, err, errlen);
	if (rc == 0)
		rc = ip_from_msg(m->dest, &a->dest, 1, "real server address (-r)", err, errlen);
	if (rc == 0)
		rc = port_from_msg(m->dest_port, &a->dport, "real server", err, errlen);
	if (rc != 0)
		return rc;
	a->has_dest = a->dest.family != DPVS_AF_NONE;
	if (op->kind == CTL_OP_CHECK_DEL)
		return 0;
	t = ctl_check_type_from_name(m->type != NULL ? m->type : "");
	if (t < 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "unknown check type \"%s\"",
				m->type != NULL ? m->type : "");
	if (m->rise > 255 || m->fall > 255 || m->port > 65535 || m->expect_status > 65535)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "check value out of range");
	a->type = (uint8_t)t;
	a->interval_ms = m->interval_ms;
	a->timeout_ms = m->timeout_ms;
	a->rise = (uint8_t)m->rise;
	a->fall = (uint8_t)m->fall;
	a->port = (uint16_t)m->port;
	a->expect_status = (uint16_t)m->expect_status;
	if (t == DPVS_CHECK_UDP) {
		if (m->send.len + m->expect_data.len > sizeof(a->data))
			return dpvs_errf(err, errlen, -CTL_EINVAL, "udp check: at most %zu bytes of "
					"--send and --expect-data", sizeof(a->data));
		/* an absent protobuf bytes field is NULL, 0: not memcpy's */
		if (m->send.len > 0)
			memcpy(a->data, m->send.data, m->send.len);
		if (m->expect_data.len > 0)
			memcpy(a->data + m->send.len, m->expect_data.data, m->expect_data.len);
		a->send_len = (uint16_t)m->send.len;
		a->expect_len = (uint16_t)m->expect_data.len;
	} else {
		const char *text = t == DPVS_CHECK_CMD ? m->command : m->path;

		if (text == NULL || strlen(text) >= sizeof(a->data))
			return dpvs_errf(err, errlen, -CTL_EINVAL, "check %s: at most %zu characters",
					t == DPVS_CHECK_CMD ? "command" : "path", sizeof(a->data) - 1);
		memcpy(a->data, text, strlen(text) + 1);
	}
	return 0;
}

/* blklst / whtlst add | del: the Acl message into ctl_acl_args. */
int
ctl_op_acl(const struct dpvs_root *root, const Dpvs__Request *req, struct ctl_op *op,
	   char *err, size_t errlen)
{
	const Dpvs__Acl *m = req->op_case == DPVS__REQUEST__OP_ACL_ADD ? req->acl_add : req->acl_del;
	struct ctl_acl_args *a = &op->u.acl;
	int rc, k;

	memset(a, 0, sizeof(*a));
	op->kind = req->op_case == DPVS__REQUEST__OP_ACL_ADD ? CTL_OP_ACL_ADD : CTL_OP_ACL_DEL;
	if (m == NULL)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "missing access list entry");
	k = ctl_acl_kind_from_name(m->list != NULL ? m->list : "");
	if (k < 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "unknown access list \"%s\" (blklst, "
				"whtlst)", m->list != NULL ? m->list : "");
	a->kind = (uint8_t)k;
	rc = key_from_msg(root, m->service, &a->svc, err, errlen);
	if (rc == 0)
		rc = ip_from_msg(m->prefix, &a->prefix, 0, "source prefix", err, errlen);
	if (rc != 0)
		return rc;
	if (m->prefixlen > 128)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "bad prefix length %u", m->prefixlen);
	a->prefixlen = (uint8_t)m->prefixlen;
	return 0;
}
