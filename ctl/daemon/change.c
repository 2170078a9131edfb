/*
 * Changes of the running configuration as operations applied to one copy,
 * published, then replayed on the other (see change.h, docs/config.md).
 * Writes root->config, the two config sets and their rte_lpms; reads the
 * RCU state. Runs in dpvs-ctl (or a single-process test) only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/daemon/addr.h"
#include "ctl/daemon/beat.h"
#include "ctl/daemon/change.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/log.h"
#include "ctl/daemon/publish.h"

struct ctl_op *
ctl_oplist_push(struct ctl_oplist *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap == 0 ? 64 : l->cap * 2;
		struct ctl_op *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

void
ctl_oplist_free(struct ctl_oplist *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* op with its dev name (op->ifname) replaced by the interface index it has
 * in set; 0 or -CTL_ENOPORT. */
static int
op_resolve(const struct dpvs_config_set *set, const struct dpvs_root *root,
	   const struct ctl_op *op, struct ctl_op *out, char *err, size_t errlen)
{
	int i = ctl_iface_find(set, root, op->ifname, err, errlen);

	if (i < 0)
		return i;
	*out = *op;
	out->ifname[0] = '\0';
	switch (op->kind) {
	case CTL_OP_ADDR_ADD:
	case CTL_OP_ADDR_DEL:
		out->u.addr.port = (uint16_t)i;
		break;
	case CTL_OP_LADDR_ADD:
	case CTL_OP_LADDR_DEL:
		out->u.laddr.port = i;
		break;
	case CTL_OP_ROUTE_ADD:
	case CTL_OP_ROUTE_DEL:
		out->u.route.port = i;
		break;
	case CTL_OP_NEIGH_ADD:
	case CTL_OP_NEIGH_DEL:
		out->u.sneigh.port = i;
		break;
	default:
		return dpvs_errf(err, errlen, -CTL_EINVAL, "%s: no interface name here",
				op->ifname);
	}
	return 0;
}

int
ctl_op_apply(struct dpvs_config_set *set, const struct dpvs_root *root, const struct ctl_op *op,
	     char *err, size_t errlen)
{
	struct ctl_op r;
	int rc;

	if (op->ifname[0] != '\0') {
		rc = op_resolve(set, root, op, &r, err, errlen);
		if (rc != 0)
			return rc;
		op = &r;
	}
	switch (op->kind) {
	case CTL_OP_ADDR_ADD:
		return ctl_addr_add(set, root, &op->u.addr, err, errlen);
	case CTL_OP_ADDR_DEL:
		return ctl_addr_del(set, root, &op->u.addr, err, errlen);
	case CTL_OP_SVC_ADD:
		return ctl_svc_add(set, &op->u.svc, err, errlen);
	case CTL_OP_SVC_EDIT:
		return ctl_svc_edit(set, &op->u.svc, err, errlen);
	case CTL_OP_SVC_DEL:
		return ctl_svc_del(set, &op->u.svc.key, err, errlen);
	case CTL_OP_DEST_ADD:
		return ctl_dest_add(set, &op->u.dest, err, errlen);
	case CTL_OP_DEST_EDIT:
		return ctl_dest_edit(set, &op->u.dest, err, errlen);
	case CTL_OP_DEST_DEL:
		return ctl_dest_del(set, &op->u.dest, err, errlen);
	case CTL_OP_LADDR_ADD:
		return ctl_laddr_add(set, root, &op->u.laddr, err, errlen);
	case CTL_OP_LADDR_DEL:
		return ctl_laddr_del(set, root, &op->u.laddr, err, errlen);
	case CTL_OP_ROUTE_ADD:
		return ctl_route_add(set, root, &op->u.route, err, errlen);
	case CTL_OP_ROUTE_DEL:
		return ctl_route_del(set, root, &op->u.route, err, errlen);
	case CTL_OP_NEIGH_ADD:
		return ctl_sneigh_add(set, root, &op->u.sneigh, err, errlen);
	case CTL_OP_NEIGH_DEL:
		return ctl_sneigh_del(set, root, &op->u.sneigh, err, errlen);
	case CTL_OP_DRAIN_DROP:
		return ctl_drain_drop(set, &op->u.drain.ip, op->u.drain.proto, err, errlen);
	case CTL_OP_CHECK_SET:
		return ctl_check_set(set, &op->u.check, err, errlen);
	case CTL_OP_CHECK_DEL:
		return ctl_check_del(set, &op->u.check, err, errlen);
	case CTL_OP_DEST_HEALTH:
		return ctl_dest_health(set, &op->u.health, err, errlen);
	case CTL_OP_ACL_ADD:
		return ctl_acl_add(set, &op->u.acl, err, errlen);
	case CTL_OP_ACL_DEL:
		return ctl_acl_del(set, &op->u.acl, err, errlen);
	case CTL_OP_PREPARE:
		ctl_lb_prepare(&set->lb);
		return 0;
	case CTL_OP_PORT_SET:
		return ctl_port_set(set, root, &op->u.port, err, errlen);
	case CTL_OP_TIMEOUT_SET:
		return ctl_timeout_set(set, &op->u.timeouts, err, errlen);
	case CTL_OP_VLAN_ADD:
		return ctl_vlan_add(set, root, &op->u.vlan, err, errlen);
	case CTL_OP_VLAN_DEL:
		return ctl_vlan_del(set, root, &op->u.vlan, err, errlen);
	default:
		return dpvs_errf(err, errlen, -CTL_EUNSUPP, "unknown operation %d", op->kind);
	}
}

int
ctl_ops_apply(struct dpvs_config_set *set, const struct dpvs_root *root,
	      const struct ctl_op *ops, size_t n, size_t *failed, char *err, size_t errlen)
{
	size_t i;
	int rc;

	/* a fresh set gets the default timeouts and its first id with its
	 * first change (idempotent: both copies do it) */
	ctl_lb_prepare(&set->lb);
	for (i = 0; i < n; i++) {
		/* a reload of thousands of objects is slow, not hung */
		if ((i & 255) == 0)
			ctl_beat();
		rc = ctl_op_apply(set, root, &ops[i], err, errlen);
		if (rc != 0) {
			*failed = i;
			return rc;
		}
	}
	ctl_sched_flush(&set->lb);
	return 0;
}

struct dpvs_config_set *
ctl_set_dup(const struct dpvs_config_set *set)
{
	struct dpvs_config_set *c = aligned_alloc(64, (set->size + 63) & ~(uint64_t)63);

	if (c == NULL)
		return NULL;
	memcpy(c, set, set->size);
	c->copy = DPVS_CFG_PLAIN;
	return c;
}

/* Make dst (a copy no worker reads) equal to src, its lpm included: a full
 * copy, only at start and after a failed batch. */
static int
set_restore(struct dpvs_config_set *dst, const struct dpvs_config_set *src, char *err,
	    size_t errlen)
{
	uint32_t copy = dst->copy;
	struct rte_lpm *lpm;

	memcpy(dst, src, src->size);
	dst->copy = copy;
	lpm = ctl_set_lpm(dst);
	return lpm != NULL ? ctl_route_lpm_fill(lpm, &dst->lb, err, errlen) : 0;
}

/* The message of the failing op, with its rules-file line. */
static void
op_error(const struct ctl_op *op, char *err, size_t errlen)
{
	char msg[512];

	if (op->line == 0 || err == NULL || errlen == 0)
		return;
	snprintf(msg, sizeof(msg), "%s", err);
	snprintf(err, errlen, "line %u: %s", op->line, msg);
}

int
ctl_change_run(struct dpvs_shm *shm, const struct ctl_op *ops, size_t n, char *err,
	       size_t errlen)
{
	struct dpvs_config *cfg = &shm->root->config;
	uint32_t active = __atomic_load_n(&cfg->active, __ATOMIC_ACQUIRE) & 1;
	struct dpvs_config_set *cur = shm->set[active], *nxt = shm->set[active ^ 1];
	char scratch[256];
	size_t failed = 0;
	int rc;

	if (n == 0)
		return 0;
	/* normally no wait (the last change waited already); it matters after
	 * a change whose workers did not confirm in time */
	if (ctl_rcu_wait(shm->rcu, CTL_RCU_TIMEOUT_MS) != 0)
		return dpvs_errf(err, errlen, -CTL_EBUSY,
				"a worker has not confirmed the previous change within %u ms; "
				"nothing changed, try again", CTL_RCU_TIMEOUT_MS);
	rc = ctl_ops_apply(nxt, shm->root, ops, n, &failed, err, errlen);
	if (rc != 0) {
		op_error(&ops[failed], err, errlen);
		/* a front door that fails changes nothing: only the ops before
		 * it need undoing */
		if (failed > 0 && set_restore(nxt, cur, scratch, sizeof(scratch)) != 0)
			CTL_LOG(ERR, "cannot restore the inactive copy: %s", scratch);
		return rc;
	}
	ctl_publish_swap(shm);
	/* now nobody reads cur: make it equal to nxt again */
	rc = ctl_ops_apply(cur, shm->root, ops, n, &failed, scratch, sizeof(scratch));
	if (rc != 0) {
		CTL_LOG(ERR, "replaying a change on the second copy failed (%s): copying it",
			scratch);
		if (set_restore(cur, nxt, scratch, sizeof(scratch)) != 0)
			CTL_LOG(ERR, "cannot restore the inactive copy: %s", scratch);
	}
	return 0;
}

int
ctl_change_sync(struct dpvs_shm *shm, char *err, size_t errlen)
{
	struct dpvs_config *cfg = &shm->root->config;
	uint32_t active = __atomic_load_n(&cfg->active, __ATOMIC_ACQUIRE) & 1;
	const struct ctl_op prep = { .kind = CTL_OP_PREPARE };
	int rc;

	if (ctl_rcu_wait(shm->rcu, CTL_RCU_TIMEOUT_MS) != 0)
		CTL_LOG(WARNING, "a worker has not confirmed the last change within %u ms",
			CTL_RCU_TIMEOUT_MS);
	rc = set_restore(shm->set[active ^ 1], shm->set[active], err, errlen);
	if (rc != 0)
		return rc;
	/* a fresh node: default timeouts, first id */
	if (shm->set[active]->lb.next_id == 0)
		rc = ctl_change_run(shm, &prep, 1, err, errlen);
	return rc;
}
