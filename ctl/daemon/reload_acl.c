/*
 * The access lists of a reload's difference (see reload.h): an entry is
 * matched by its service's key, its list and its prefix. An entry of the
 * running set that the file lacks is deleted before anything else (unless
 * its service goes: the service takes it along); an entry the file has and
 * the running set lacks is added after everything else came, in the file's
 * order. Reads the sets; writes only the op list.
 */
#include <stdlib.h>
#include <string.h>

#include "ctl/daemon/err.h"
#include "ctl/daemon/reload.h"
#include "shm/lb_hash.h"

/* The args of entry slot i of set. */
static void
acl_args_of(const struct dpvs_config_set *set, uint32_t i, struct ctl_acl_args *a)
{
	const struct dpvs_acl_entry *e = &dpvs_lb_acl(&set->lb)[i];

	memset(a, 0, sizeof(*a));
	ctl_svc_key_of(NULL, &set->lb, e->svc, &a->svc);
	a->kind = e->kind;
	a->prefix = e->prefix;
	a->prefixlen = e->prefixlen;
}

/* Has set the entry a? *svc_there: has it a's service? */
static int
acl_in(const struct dpvs_config_set *set, const struct ctl_acl_args *a, int *svc_there)
{
	int si = ctl_svc_find(&set->lb, &a->svc);

	*svc_there = si >= 0;
	return si >= 0 && dpvs_acl_find(&set->lb, (uint32_t)si, a->kind, &a->prefix,
					 a->prefixlen) != DPVS_ACL_NONE;
}

int
ctl_reload_acls(const struct dpvs_config_set *cur, const struct dpvs_config_set *tgt,
		struct ctl_oplist *ops, struct ctl_reload_result *res, int additions)
{
	const struct dpvs_config_set *from = additions ? tgt : cur, *other = additions ? cur : tgt;
	const struct dpvs_lb_tables *lb = &from->lb;
	struct ctl_acl_args a;
	struct ctl_op *op;
	uint32_t *slots;
	size_t n, i;
	int there;

	if (lb->nacl == 0)
		return 0;
	slots = malloc(((size_t)lb->caps.acl_entries + 1) * sizeof(*slots));
	if (slots == NULL)
		return -CTL_ENOMEM;
	n = ctl_acl_slots_sorted(lb, slots);
	for (i = 0; i < n; i++) {
		acl_args_of(from, slots[i], &a);
		if (acl_in(other, &a, &there)) {
			if (additions)
				res->unchanged++;
			continue;
		}
		if (!additions && !there)
			continue;     /* its service goes, and the entry with it */
		op = ctl_oplist_push(ops);
		if (op == NULL) {
			free(slots);
			return -CTL_ENOMEM;
		}
		op->kind = additions ? CTL_OP_ACL_ADD : CTL_OP_ACL_DEL;
		op->u.acl = a;
		res->acl[additions ? CTL_RL_ADD : CTL_RL_DEL]++;
	}
	free(slots);
	return 0;
}
