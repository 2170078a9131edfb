/*
 * Access lists of a service [dp_vs_blklst_filtered, dp_vs_whtlst_filtered]:
 * checked when a packet would make a new connection (ipvs_new.c), before
 * a dest is scheduled, as DPVS does in its conn_sched. A connection that
 * exists is not cut by a later `blklst add` (nor by a white list added
 * later): it lives until it ends or expires, as with DPVS.
 *
 * In: the active config set's lists (lb.acl_svc, lb.acl_hash, lb.acl;
 * shm/lb.h), the source address. Out: a drop reason or DPVS_DROP_MAX.
 * Stateless: reads the config set only.
 *
 * Cost: a service without lists costs one load of its acl_svc row; with
 * lists, one masking and one hash probe per prefix length each list uses
 * for the source's family (dpvs_acl_match, shm/lb_hash.h), whatever the
 * number of entries.
 */
#include "shm/lb_hash.h"
#include "worker/ipvs/acl.h"

enum dpvs_drop_reason
wk_acl_check(const struct wk_ctx *ctx, uint32_t svc, const struct dpvs_ip *src)
{
	const struct dpvs_lb_tables *lb = &ctx->cfg->lb;
	const struct dpvs_acl_svc *a;

	if (lb->nacl == 0 || svc >= lb->caps.services)
		return DPVS_DROP_MAX;
	a = dpvs_lb_acl_svc(lb, svc);
	/* the black list first: a source in both lists is refused */
	if (a->n[DPVS_ACL_BLACK] != 0 && dpvs_acl_match(lb, svc, DPVS_ACL_BLACK, src))
		return DPVS_DROP_ACL_BLACK;
	if (a->n[DPVS_ACL_WHITE] != 0 && !dpvs_acl_match(lb, svc, DPVS_ACL_WHITE, src))
		return DPVS_DROP_ACL_WHITE;
	return DPVS_DROP_MAX;
}
