/*
 * The PRE_ROUTING hook list (see hook.h) [ipv4_rcv_fin's INET_HOOK_PRE_ROUTING
 * with dp_vs_prerouting (priority 99) and dp_vs_in (100)]. In: a packet the
 * ipv4 or ipv6 stage checked. Out: 0 (continue) or the verdict of the hook
 * that dropped or took it. Writes this worker's hook_drop[] counters; the
 * hooks write what they say.
 *
 * The table is const, in this binary, in priority order (the unit test
 * test_ctl_acl checks the order against DPVS_HOOKS). The SYN proxy
 * [dp_vs_prerouting] has no slot of its own: it runs inside the load
 * balancer's hook after the service lookup (ipvs_new.c, synproxy.c), so
 * what it drops counts under ipvs.
 */
#include "shm/types.h"
#include "worker/ipvs/lb.h"
#include "worker/l3/hook.h"

#define X_PRIO(n, s, prio) WK_HOOK_PRIO_##n = (prio),
enum { DPVS_HOOKS(X_PRIO) };
#undef X_PRIO

const struct wk_hook wk_prerouting_hooks[] = {
	/* the load balancer [dp_vs_in], with the SYN proxy inside */
	{ DPVS_HOOK_IPVS, WK_HOOK_PRIO_IPVS, wk_hook_ipvs },
};
const unsigned int wk_prerouting_nhooks = RTE_DIM(wk_prerouting_hooks);

/* wk_hook_ipvs, inline for hook_run below (the table keeps the function). */
static inline enum wk_hook_res
hook_ipvs(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_hook_pkt *hp,
	  struct wk_verdict *v)
{
	int taken;

	if (hp->family == DPVS_AF_INET6)
		taken = wk_ipvs_in6(ctx, m, hp->port, hp->ip6, v);
	else
		taken = wk_ipvs_in(ctx, m, hp->port, v);
	if (taken == 0)
		return WK_HOOK_ACCEPT;
	return v->kind == DPVS_VERDICT_DROP ? WK_HOOK_DROP : WK_HOOK_STOLEN;
}

enum wk_hook_res
wk_hook_ipvs(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_hook_pkt *hp,
	     struct wk_verdict *v)
{
	return hook_ipvs(ctx, m, hp, v);
}

/* Run hook h: a hook this file knows by its id is a direct call (no
 * function pointer per packet on the hot path); the table's pointer serves
 * only a hook added without a case here. pk: the packet parsed already
 * (wk_ipv4_fast), which the load balancer takes as it is; else NULL. */
static inline enum wk_hook_res
hook_run(const struct wk_hook *h, struct wk_ctx *ctx, struct rte_mbuf *m,
	 const struct wk_hook_pkt *hp, const struct wk_pkt *pk, struct wk_verdict *v)
{
	switch (h->id) {
	case DPVS_HOOK_IPVS:
		if (pk != NULL) {
			if (wk_ipvs_pkt(ctx, m, hp->port, pk, v) == 0)
				return WK_HOOK_ACCEPT;
			return v->kind == DPVS_VERDICT_DROP ? WK_HOOK_DROP : WK_HOOK_STOLEN;
		}
		return hook_ipvs(ctx, m, hp, v);
	default:
		return h->fn(ctx, m, hp, v);
	}
}

static __rte_always_inline int
prerouting(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_hook_pkt *hp,
	   const struct wk_pkt *pk, struct wk_verdict *v)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(wk_prerouting_hooks); i++) {
		const struct wk_hook *h = &wk_prerouting_hooks[i];
		enum wk_hook_res r;

		if (h->fn == NULL)
			continue;
		r = hook_run(h, ctx, m, hp, pk, v);
		if (r == WK_HOOK_ACCEPT)
			continue;
		if (r == WK_HOOK_DROP || v->kind == DPVS_VERDICT_DROP) {
			v->kind = DPVS_VERDICT_DROP;
			ctx->st->hook_drop[h->id < DPVS_HOOK_MAX ? h->id : DPVS_HOOK_IPVS]++;
		}
		return 1;
	}
	return 0;
}

int
wk_prerouting(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_hook_pkt *hp,
	      struct wk_verdict *v)
{
	return prerouting(ctx, m, hp, NULL, v);
}

int
wk_prerouting_pkt(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct wk_pkt *pk,
		 struct wk_verdict *v)
{
	const struct wk_hook_pkt hp = { .port = p, .family = DPVS_AF_INET };

	return prerouting(ctx, m, &hp, pk, v);
}
