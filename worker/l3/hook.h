/*
 * The PRE_ROUTING hook list [INET_HOOK_PRE_ROUTING: dp_vs_prerouting,
 * dp_vs_in] (hook.c): what the IPv4 and IPv6 stages run for a valid unicast
 * packet to our MAC before local_in and forwarding. The hooks are a fixed,
 * const table in the worker binary (no function pointer in shm), sorted by
 * priority (shm/stats.h DPVS_HOOKS: the names, priorities and the per-hook
 * drop counters, root->stats[w].hook_drop[]).
 *
 * A hook returns one of:
 *   WK_HOOK_ACCEPT  not its business: the next hook, then local_in /
 *                   forwarding / the kernel as before;
 *   WK_HOOK_DROP    drop it: *v = wk_drop(reason); counted by reason and in
 *                   the hook's own counter;
 *   WK_HOOK_STOLEN  it took the packet: *v says what becomes of it (tx,
 *                   redirect, held, kernel; a DROP verdict here is counted
 *                   as the hook's drop too).
 */
#ifndef DPVS_WORKER_HOOK_H
#define DPVS_WORKER_HOOK_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "shm/stats.h"
#include "worker/ipvs/lb.h"
#include "worker/worker.h"

enum wk_hook_res {
	WK_HOOK_ACCEPT = 0,
	WK_HOOK_DROP,
	WK_HOOK_STOLEN,
};

struct wk_ip6_info;

/* What a hook is told besides the packet (Ethernet header at 0, the IP
 * header at 14, its header checked by the stage). */
struct wk_hook_pkt {
	uint16_t port;                      /* port index it arrived on */
	uint8_t family;                     /* DPVS_AF_INET / DPVS_AF_INET6 */
	uint8_t pad;
	const struct wk_ip6_info *ip6;      /* IPv6: the extension headers walked
					     * (l4 offset, protocol, fragment);
					     * NULL for IPv4 */
};

typedef enum wk_hook_res (*wk_hook_fn)(struct wk_ctx *ctx, struct rte_mbuf *m,
				       const struct wk_hook_pkt *hp, struct wk_verdict *v);

struct wk_hook {
	uint8_t id;                         /* enum dpvs_hook: name and drop counter */
	int16_t priority;                   /* lower runs first (DPVS_HOOKS) */
	wk_hook_fn fn;                      /* NULL: an empty slot, skipped */
};

/* The table, in priority order, and its length. */
extern const struct wk_hook wk_prerouting_hooks[];
extern const unsigned int wk_prerouting_nhooks;

/* Run the PRE_ROUTING hooks on m: 0 when every hook accepted it (the stage
 * goes on), 1 when one dropped or took it (*v is the packet's verdict; a
 * drop is counted in ctx->st->hook_drop[] of that hook, its reason where
 * the verdict is carried out). */
int wk_prerouting(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_hook_pkt *hp,
		  struct wk_verdict *v);

/* The same for an IPv4 TCP/UDP packet on port index p that the ipv4
 * stage's fast path parsed into pk (wk_ipv4_fast: what wk_ipvs_in would
 * have parsed): the load balancer takes pk as it is (wk_ipvs_pkt). While
 * the load balancer is the only hook (DPVS_HOOKS; test_ctl_acl holds the
 * table to that list), wk_ipv4_fast calls it inline instead
 * (wk_ipv4_prerouting_fast, worker/l3/ipv4_fast.h). */
int wk_prerouting_pkt(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct wk_pkt *pk,
		      struct wk_verdict *v);

/* The load balancer's hook [dp_vs_in]: wk_ipvs_in or wk_ipvs_in6 by family
 * (worker/ipvs/lb.h). */
enum wk_hook_res wk_hook_ipvs(struct wk_ctx *ctx, struct rte_mbuf *m,
			      const struct wk_hook_pkt *hp, struct wk_verdict *v);

#endif
