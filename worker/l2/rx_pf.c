/*
 * The burst loop's copy for a burst with the prefetch stage's work (a
 * table past rx_prefetch_min connections, no forward2kni mirror): rx.c's
 * second stage (rx_run.h) with the IPv4 entry inline, in a translation
 * unit of its own (rx_run.h says why). Writes what rx.c's loop writes.
 */
#include "worker/l3/ipv4_fast.h"

#define WK_RX_ENTRY(ctx, m, p, hint, rc) wk_ipv4_fast_in(ctx, m, p, hint, rc)
#define WK_RX_CALL(ctx, m, p, hint, rc)	 wk_ipv4_fast_rc(ctx, m, p, hint, rc)
#include "worker/l2/rx_run.h"

uint64_t
wk_rx_run_pf(struct wk_ctx *ctx, uint16_t p, uint16_t n, const struct wk_ipv4_rxc *rc,
	     struct wk_rx_pf *f)
{
	return wk_rx_run(ctx, p, n, rc, f, 1, 0, 0);
}
