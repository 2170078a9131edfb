/*
 * Rate limits in the worker [the seed's xmit_inbound / xmit_outbound rate
 * drops] (rate.c): the meters of a service and of a dest, inbound and
 * outbound, packets and bytes per second (shm/lb.h struct dpvs_rate),
 * checked for every packet of their connections before it is sent, and for
 * the packet that would make a new connection before the connection is made.
 *
 * Each worker meters its share of a limit: rate / workers and burst /
 * workers (at least one packet of each, and at least DPVS_RATE_BYTES_FLOOR
 * bytes of a byte burst, so that no packet is always too big for it), with
 * DPDK's rte_meter (srTCM, colour-blind, no excess bucket: green passes,
 * anything else is dropped). The meters live in this worker's region, one
 * row per rate entry (shm/layout.h struct dpvs_meter_row), so a restarted
 * worker finds them; no atomic and no shared cache line per packet.
 */
#ifndef DPVS_WORKER_RATE_H
#define DPVS_WORKER_RATE_H

#include <stdint.h>

#include <rte_meter.h>

#include "shm/cfgset.h"
#include "shm/conn.h"
#include "shm/lb.h"
#include "shm/stats.h"
#include "worker/worker.h"

/* The byte burst of a worker's share is at least this (the largest MTU
 * dpvs.conf takes), so that a full-size packet can always pass in time. */
#define DPVS_RATE_BYTES_FLOOR 9600u

/* ctx->tsc_mult for a TSC of hz cycles per second: ns * mult >> 32 =
 * cycles. Rounded up, never down: with mult rounded down, a second of
 * the loop's clock is hz - 1 cycles from up to a quarter of the start
 * times when hz * 2^32 is not a multiple of 10^9 (one in seven at
 * 2.6 GHz), one cycle short of the period of a 1 pps meter, whose token
 * then comes a loop later than due (on a standing clock: never). Rounded
 * up, T ns are at least floor(T * hz / 10^9) cycles from any start, and
 * the meters run fast by less than 1 / mult (a part in 4 * 10^9 for a TSC
 * of 1 GHz or more). */
static inline uint64_t
wk_rate_tsc_mult(uint64_t hz)
{
	unsigned __int128 scaled = (unsigned __int128)hz << 32;

	return (uint64_t)((scaled + 1000000000u - 1) / 1000000000u);
}

/* Which TSC conversion a meter row was computed with (dpvs_meter_row.clock):
 * rates 10 MHz apart differ by about 650 here. */
static inline uint32_t
wk_rate_clock_id(const struct wk_ctx *ctx)
{
	return (uint32_t)(ctx->tsc_mult >> 16);
}

/* ns in TSC cycles at mult (wk_rate_tsc_mult). Pure. */
static inline uint64_t
wk_rate_cycles(uint64_t ns, uint64_t mult)
{
	return (uint64_t)(((unsigned __int128)ns * mult) >> 32);
}

/* ctx->now_ns in TSC cycles, the time unit of rte_meter's profiles. The
 * meters run on the loop's CLOCK_MONOTONIC, which is the same for every
 * process (a successor's meters go on from its predecessor's state) and
 * stands still in the packet fixtures but for their steps. */
static inline uint64_t
wk_rate_now(const struct wk_ctx *ctx)
{
	return wk_rate_cycles(ctx->now_ns, ctx->tsc_mult);
}

/* A worker's share of limit p of kind pps (bytes = 0) or bytes per second
 * (bytes = 1) with nworkers workers, as srTCM parameters (no excess
 * burst). Pure. */
void wk_rate_share(const struct dpvs_rate_param *p, int bytes, unsigned int nworkers,
		   struct rte_meter_srtcm_params *out);

/* The meters a packet of bytes (its IP length) in direction dir of the
 * connection of (svc slot, svc id) and (dest slot, dest id) must pass:
 * DPVS_DROP_MAX when every one lets it through, else the reason of the
 * first that does not (rate_svc_in, rate_svc_out, rate_dest_in,
 * rate_dest_out). The service's meters come first; a packet refused by one
 * meter may have used tokens of those before it. Writes this worker's meter
 * rows only. */
enum dpvs_drop_reason wk_rate_meters(struct wk_ctx *ctx, uint32_t svc, uint32_t svc_id,
				     uint32_t dest, uint32_t dest_id, int dir, uint32_t bytes);

/* Inline: without a rate limit in the set (nrates, computed by dpvs-ctl
 * when it publishes the set), one predictable branch per packet. */
static inline enum dpvs_drop_reason
wk_rate_check(struct wk_ctx *ctx, uint32_t svc, uint32_t svc_id, uint32_t dest, uint32_t dest_id,
	      int dir, uint32_t bytes)
{
	if (ctx->cfg->lb.nrates == 0)
		return DPVS_DROP_MAX;
	return wk_rate_meters(ctx, svc, svc_id, dest, dest_id, dir, bytes);
}

#endif
