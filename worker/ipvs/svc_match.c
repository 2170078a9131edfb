/*
 * Match services [__dp_vs_svc_match_find] (SNAT, shm/lb.h struct
 * dpvs_svc_match): a forwarded TCP/UDP packet (not for a node address) of
 * the match's family (its ranges', IPv4 when it names none)
 * that no connection took is tried against the match services that take
 * packets arriving on its port, in the order they were added; the first
 * whose protocol, source and destination ranges (addresses and ports),
 * in-port and out-port (the port the route to the destination leaves by)
 * all fit gets it. Without ports (a fragment: only the first has them, and
 * not always whole), every port range fits: the question is then whether
 * the packet may belong to a match service's flow. A port without match
 * services costs one load
 * (lb.match_n[p]); the route is looked up once, only for an entry that
 * names an out-port.
 * Reads the active config set only.
 */
#include <string.h>

#include <rte_byteorder.h>

#include "worker/ipvs/lbpath.h"

/* lo <= ip <= hi as numbers (network order bytes compare as numbers do);
 * family NONE: any address. */
static int
range_has(const struct dpvs_ip *lo, const struct dpvs_ip *hi, const struct dpvs_ip *ip)
{
	unsigned int n = ip->family == DPVS_AF_INET6 ? 16 : 4;

	if (lo->family == DPVS_AF_NONE)
		return 1;
	if (lo->family != ip->family)
		return 0;
	return memcmp(ip->bytes, lo->bytes, n) >= 0 && memcmp(ip->bytes, hi->bytes, n) <= 0;
}

/* The family of the packets a match takes: its ranges', IPv4 without one
 * (as DPVS's -H without -6; an IPv6 match names a range, `::` for any). */
static uint8_t
match_family(const struct dpvs_svc_match *mt)
{
	if (mt->src_lo.family != DPVS_AF_NONE)
		return mt->src_lo.family;
	if (mt->dst_lo.family != DPVS_AF_NONE)
		return mt->dst_lo.family;
	return DPVS_AF_INET;
}

static int
ports_have(uint16_t lo, uint16_t hi, uint16_t port_be)
{
	uint16_t p = rte_be_to_cpu_16(port_be);

	return (lo == 0 && hi == 0) || (p >= lo && p <= hi);
}

uint16_t
wk_svc_match(struct wk_ctx *ctx, uint16_t p, const struct wk_pkt *pk, int ports)
{
	const struct dpvs_lb_tables *lb = &ctx->cfg->lb;
	unsigned int i, n = p < DPVS_MATCH_PORTS ? lb->match_n[p] : 0;
	struct dpvs_ip nh;
	uint16_t oport = 0;
	int routed = 0;

	for (i = 0; i < n && i < DPVS_MATCH_MAX; i++) {
		unsigned int k = lb->match_ix[p][i];
		const struct dpvs_svc_match *mt = &lb->match[k < DPVS_MATCH_MAX ? k : 0];

		if (k >= lb->nmatch || mt->proto != pk->proto || mt->svc >= lb->caps.services ||
		    match_family(mt) != pk->family ||
		    (mt->iif != 0 && mt->iif != p + 1) ||
		    !range_has(&mt->src_lo, &mt->src_hi, &pk->src) ||
		    !range_has(&mt->dst_lo, &mt->dst_hi, &pk->dst) ||
		    (ports && !ports_have(mt->sport_lo, mt->sport_hi, pk->sport)) ||
		    (ports && !ports_have(mt->dport_lo, mt->dport_hi, pk->dport)))
			continue;
		if (mt->oif != 0) {
			if (routed == 0)
				routed = wk_route_ip(ctx, &pk->dst, &oport, &nh) == 0 ? 1 : -1;
			if (routed < 0 || oport + 1 != mt->oif)
				continue;
		}
		if (dpvs_lb_svc(lb, mt->svc)->id == 0)
			continue;
		return mt->svc;
	}
	return DPVS_SLOT_NONE;
}
