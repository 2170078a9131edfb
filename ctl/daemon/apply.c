/*
 * From configuration Requests to operations on the front doors (see
 * apply.h). Touches only the config set passed in.
 */
#include <string.h>

#include "ctl/daemon/addr.h"
#include "ctl/daemon/apply.h"
#include "ctl/daemon/change.h"
#include "ctl/daemon/err.h"

typedef int (*apply_fn)(const struct dpvs_root *root, const Dpvs__Request *req,
			struct ctl_op *op, char *err, size_t errlen);

struct apply_row {
	Dpvs__Request__OpCase op;
	apply_fn fn;
};

int
ctl_addr_from_msg(const struct dpvs_root *root, const Dpvs__Addr *m, struct dpvs_addr_entry *e,
		  char *ifname, char *err, size_t errlen)
{
	int port;

	memset(e, 0, sizeof(*e));
	if (m == NULL || m->address == NULL)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "missing address");
	if (m->address->family == DPVS__FAMILY__INET && m->address->addr.len == 4)
		e->addr.family = DPVS_AF_INET;
	else if (m->address->family == DPVS__FAMILY__INET6 && m->address->addr.len == 16)
		e->addr.family = DPVS_AF_INET6;
	else
		return dpvs_errf(err, errlen, -CTL_EINVAL, "bad address (family %d, %zu bytes)",
				(int)m->address->family, m->address->addr.len);
	memcpy(e->addr.bytes, m->address->addr.data, m->address->addr.len);
	if (m->prefixlen > 128)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "bad prefix length %u", m->prefixlen);
	e->prefixlen = (uint8_t)m->prefixlen;
	if (m->dev == NULL || m->dev[0] == '\0')
		return dpvs_errf(err, errlen, -CTL_EINVAL, "missing port name");
	port = ctl_iface_parse(root, m->dev, ifname, err, errlen);
	if (port < 0)
		return port;
	e->port = (uint16_t)port;
	return 0;
}

static int
op_addr(const struct dpvs_root *root, const Dpvs__Request *req, struct ctl_op *op, char *err,
	size_t errlen)
{
	op->kind = req->op_case == DPVS__REQUEST__OP_ADDR_ADD ? CTL_OP_ADDR_ADD : CTL_OP_ADDR_DEL;
	return ctl_addr_from_msg(root,
				 req->op_case == DPVS__REQUEST__OP_ADDR_ADD ? req->addr_add :
									      req->addr_del,
				 &op->u.addr, op->ifname, err, errlen);
}

static int
op_port(const struct dpvs_root *root, const Dpvs__Request *req, struct ctl_op *op, char *err,
	size_t errlen)
{
	op->kind = CTL_OP_PORT_SET;
	return ctl_port_args_from_msg(root, req->port_set, &op->u.port, err, errlen);
}

static int
op_vlan(const struct dpvs_root *root, const Dpvs__Request *req, struct ctl_op *op, char *err,
	size_t errlen)
{
	int rc;

	if (req->op_case == DPVS__REQUEST__OP_VLAN_DEL) {
		op->kind = CTL_OP_VLAN_DEL;
		return ctl_vlan_args_from_msg(root, req->vlan_del, &op->u.vlan, err, errlen);
	}
	op->kind = CTL_OP_VLAN_ADD;
	rc = ctl_vlan_args_from_msg(root, req->vlan_add, &op->u.vlan, err, errlen);
	if (rc == 0 && op->u.vlan.port < 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "vlan %s: missing \"dev PORT\"",
				op->u.vlan.name);
	return rc;
}

static const struct apply_row apply_table[] = {
	{ DPVS__REQUEST__OP_ADDR_ADD, op_addr },
	{ DPVS__REQUEST__OP_ADDR_DEL, op_addr },
	{ DPVS__REQUEST__OP_SVC_ADD, ctl_op_svc },
	{ DPVS__REQUEST__OP_SVC_EDIT, ctl_op_svc },
	{ DPVS__REQUEST__OP_SVC_DEL, ctl_op_svc },
	{ DPVS__REQUEST__OP_DEST_ADD, ctl_op_dest },
	{ DPVS__REQUEST__OP_DEST_EDIT, ctl_op_dest },
	{ DPVS__REQUEST__OP_DEST_DEL, ctl_op_dest },
	{ DPVS__REQUEST__OP_LADDR_ADD, ctl_op_laddr },
	{ DPVS__REQUEST__OP_LADDR_DEL, ctl_op_laddr },
	{ DPVS__REQUEST__OP_ROUTE_ADD, ctl_op_route },
	{ DPVS__REQUEST__OP_ROUTE_DEL, ctl_op_route },
	{ DPVS__REQUEST__OP_NEIGH_ADD, ctl_op_sneigh },
	{ DPVS__REQUEST__OP_NEIGH_DEL, ctl_op_sneigh },
	{ DPVS__REQUEST__OP_PORT_SET, op_port },
	{ DPVS__REQUEST__OP_CHECK_SET, ctl_op_check },
	{ DPVS__REQUEST__OP_CHECK_DEL, ctl_op_check },
	{ DPVS__REQUEST__OP_TIMEOUT_SET, ctl_op_timeout },
	{ DPVS__REQUEST__OP_ACL_ADD, ctl_op_acl },
	{ DPVS__REQUEST__OP_ACL_DEL, ctl_op_acl },
	{ DPVS__REQUEST__OP_VLAN_ADD, op_vlan },
	{ DPVS__REQUEST__OP_VLAN_DEL, op_vlan },
};

static const struct apply_row *
apply_find(const Dpvs__Request *req)
{
	size_t i;

	for (i = 0; i < sizeof(apply_table) / sizeof(apply_table[0]); i++)
		if (apply_table[i].op == req->op_case)
			return &apply_table[i];
	return NULL;
}

bool
ctl_request_is_mutation(const Dpvs__Request *req)
{
	return apply_find(req) != NULL;
}

int
ctl_op_from_request(const struct dpvs_root *root, const Dpvs__Request *req, struct ctl_op *op,
		    char *err, size_t errlen)
{
	const struct apply_row *row = apply_find(req);

	memset(op, 0, sizeof(*op));
	if (row == NULL)
		return dpvs_errf(err, errlen, -CTL_EUNSUPP, "not a configuration command");
	return row->fn(root, req, op, err, errlen);
}

int
ctl_apply_request(struct dpvs_config_set *set, const struct dpvs_root *root,
		  const Dpvs__Request *req, char *err, size_t errlen)
{
	struct ctl_op op;
	int rc = ctl_op_from_request(root, req, &op, err, errlen);

	if (rc == 0)
		rc = ctl_op_apply(set, root, &op, err, errlen);
	ctl_sched_flush(&set->lb);
	return rc;
}
