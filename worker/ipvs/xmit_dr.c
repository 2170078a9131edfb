/*
 * Direct routing, LVS's gatewaying [dp_vs_xmit_dr]: a client's packet is
 * passed to the real server unchanged at the IP layer; only its Ethernet
 * header is rewritten (destination: the real server's MAC, resolved by the
 * neighbour stage; source: the outgoing port's MAC). The real server holds
 * the VIP (on its loopback, with ARP for it suppressed) and answers the
 * client directly, so no reply passes the node.
 *
 * As in LVS, the IP header is not touched: the TTL is not decremented (the
 * node delivers the packet to the VIP's holder rather than routing it) and
 * no checksum changes. The real server must be on a connected network of a
 * port (dpvs-ctl refuses `-b dr` otherwise); a route to it through a
 * gateway is refused here too (dr_not_connected), since the gateway would
 * receive a packet for the VIP. Ethernet padding is trimmed.
 * MTU, as LVS (its output route's MTU check, then ip_fragment with
 * ignore_df): a packet longer than the egress MTU with DF set gets an ICMP
 * fragmentation needed to the client (it is the client's packet as it
 * came) and is dropped (frag_needed); with DF clear it is fragmented. Both
 * by the output path (wk_ip_output_via). IPv6 the same way to an IPv6 real
 * server of an IPv6 VIP (the route to it must be connected too); over the
 * egress MTU an ICMPv6 packet too big to the client (wk_ip6_output_via).
 * IPv4's wk_dr_in4 lives in xmit.c, inline in wk_xmit (xmit_dr4).
 * Writes the packet's Ethernet header only; reads the connection and the
 * config set.
 */
#include <string.h>

#include "worker/ipvs/lbpath.h"
#include "worker/ipvs/xmit.h"
#include "worker/l2/neigh.h"

struct wk_verdict
wk_dr_in6(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_pkt *pk,
	  const struct dpvs_conn *c)
{
	struct dpvs_ip nh;
	uint16_t port;

	if (wk_route_v6(ctx, dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_D), &port, &nh) != 0)
		return wk_drop(DPVS_DROP_NO_ROUTE);
	if (memcmp(nh.bytes, dpvs_conn_a6(ctx->ct, c, DPVS_CONN_A_D), 16) != 0)
		return wk_drop(DPVS_DROP_DR_NOT_CONNECTED);
	wk_xmit_trim(m, pk);
	return wk_ip6_output_via(ctx, m, port, &nh);
}
