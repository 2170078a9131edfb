/*
 * The health checks of a reload's difference (see reload.h): a check is
 * matched by its service's key and its dest (none for a service's check); a
 * check of the running set that the file lacks is deleted first, one the
 * file has and the running set lacks or holds with other parameters is set
 * last. Reads the sets; writes only the op list.
 */
#include <arpa/inet.h>
#include <string.h>

#include "ctl/daemon/err.h"
#include "ctl/daemon/reload.h"
#include "shm/lb_hash.h"

void
ctl_check_args_of(const struct dpvs_config_set *set, uint32_t i, struct ctl_check_args *a)
{
	const struct dpvs_check *c = &dpvs_lb_checks(&set->lb)[i];
	const struct dpvs_service *s = dpvs_lb_svc(&set->lb, c->svc);

	memset(a, 0, sizeof(*a));
	a->svc.proto = s->proto;
	a->svc.vip = s->vip;
	a->svc.port = ntohs(s->vport);
	a->has_dest = (c->flags & DPVS_CHECK_F_DEST) != 0;
	if (a->has_dest) {
		a->dest = c->dest;
		a->dport = ntohs(c->dport);
	}
	a->type = c->type;
	a->rise = c->rise;
	a->fall = c->fall;
	a->port = c->port;
	a->expect_status = c->expect_status;
	a->send_len = c->send_len;
	a->expect_len = c->expect_len;
	a->interval_ms = c->interval_ms;
	a->timeout_ms = c->timeout_ms;
	memcpy(a->data, c->data, sizeof(a->data));
}

/* The slot of the check of set with a's service and dest, or -1. */
static int
check_match(const struct dpvs_config_set *set, const struct ctl_check_args *a)
{
	const struct dpvs_check *c = dpvs_lb_checks(&set->lb);
	int si = ctl_svc_find(&set->lb, &a->svc);
	uint32_t i;

	if (si < 0)
		return -1;
	for (i = 0; i < set->lb.caps.checks; i++) {
		if (c[i].id == 0 || c[i].svc != (uint32_t)si ||
		    ((c[i].flags & DPVS_CHECK_F_DEST) != 0) != a->has_dest)
			continue;
		if (!a->has_dest || (c[i].dport == htons(a->dport) && dpvs_ip_equal(&c[i].dest, &a->dest)))
			return (int)i;
	}
	return -1;
}

static int
emit_check(struct ctl_oplist *ops, int kind, const struct ctl_check_args *a)
{
	struct ctl_op *op = ctl_oplist_push(ops);

	if (op == NULL)
		return -CTL_ENOMEM;
	op->kind = kind;
	op->u.check = *a;
	return 0;
}

int
ctl_reload_checks(const struct dpvs_config_set *cur, const struct dpvs_config_set *tgt,
		  struct ctl_oplist *ops, struct ctl_reload_result *res, int additions)
{
	const struct dpvs_config_set *from = additions ? tgt : cur, *other = additions ? cur : tgt;
	const struct dpvs_check *c = dpvs_lb_checks(&from->lb);
	struct ctl_check_args a, b;
	uint32_t i;
	int j, rc = 0;

	/* slots in id order are slot order only when none was reused; the
	 * file's checks are set in the order of its lines either way */
	for (i = 0; i < from->lb.caps.checks && rc == 0; i++) {
		if (c[i].id == 0)
			continue;
		ctl_check_args_of(from, i, &a);
		j = check_match(other, &a);
		if (!additions) {
			if (j < 0) {
				rc = emit_check(ops, CTL_OP_CHECK_DEL, &a);
				res->check[CTL_RL_DEL]++;
			}
			continue;
		}
		if (j >= 0) {
			ctl_check_args_of(other, (uint32_t)j, &b);
			if (memcmp(&a, &b, sizeof(a)) == 0) {
				res->unchanged++;
				continue;
			}
		}
		rc = emit_check(ops, CTL_OP_CHECK_SET, &a);
		res->check[j >= 0 ? CTL_RL_EDIT : CTL_RL_ADD]++;
	}
	return rc;
}
