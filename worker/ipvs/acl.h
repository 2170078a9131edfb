/*
 * Access lists in the worker (acl.c): a service's black list (blklst) and
 * white list (whtlst) of source prefixes, checked when a connection is
 * created (a SYN proxy service: also before the proxy answers a SYN).
 */
#ifndef DPVS_WORKER_ACL_H
#define DPVS_WORKER_ACL_H

#include <stdint.h>

#include "shm/cfgset.h"
#include "shm/stats.h"
#include "shm/types.h"
#include "worker/worker.h"

/* May src open a connection to service slot svc? DPVS_DROP_MAX if so; else
 * acl_blacklisted (src is in the service's black list) or
 * acl_not_whitelisted (the service has a white list and src is not in
 * it). */
enum dpvs_drop_reason wk_acl_check(const struct wk_ctx *ctx, uint32_t svc,
				   const struct dpvs_ip *src);

/* The same, inline when the config set has no lists at all (the usual:
 * no call). */
static inline enum dpvs_drop_reason
wk_acl_check_inl(const struct wk_ctx *ctx, uint32_t svc, const struct dpvs_ip *src)
{
	if (ctx->cfg->lb.nacl == 0)
		return DPVS_DROP_MAX;
	return wk_acl_check(ctx, svc, src);
}

#endif
