/*
 * The L3 layer of the worker (issue 8): what the ipv4 and ipv6 stages, the
 * load balancer's xmit methods and neighbour discovery share. Routes (the
 * IPv4 rte_lpm and the IPv6 index of the active config set), the output
 * path (MTU: IPv4 fragmentation or fragmentation-needed, IPv6 packet too
 * big; then the neighbour), forwarding, ICMP and ICMPv6 errors we generate,
 * IPv6 local delivery, and address helpers.
 *
 * The output contract (for every xmit method): the packet is an Ethernet
 * frame whose Ethernet header is overwritten, the IP header at offset 14
 * complete and its checksum valid (IPv4), TTL or hop limit already what it
 * should leave with; output returns the verdict of that mbuf (TX, HOLD with
 * ctx->hold_nh, or DROP with a reason) for the caller to return, and sends
 * any extra packet it makes (fragments, ICMP errors) itself.
 *
 * Everything runs on the owning worker, on its own region and stats row.
 */
#ifndef DPVS_WORKER_L3_H
#define DPVS_WORKER_L3_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "shm/cfgset.h"
#include "shm/lb.h"
#include "worker/l3/hdr.h"
#include "worker/worker.h"

/* ICMP errors (RFC 792, RFC 4443) we generate. */
#define WK_ICMP_DEST_UNREACH     3
#define WK_ICMP_FRAG_NEEDED      4   /* code of DEST_UNREACH */
#define WK_ICMP_TIME_EXCEEDED    11
#define WK_ICMP6_PACKET_TOO_BIG  2
#define WK_ICMP6_TIME_EXCEEDED   3
/* Limits of what an error quotes: the whole error fits 576 bytes (IPv4,
 * RFC 1812 4.3.2.3) or the IPv6 minimum MTU (1280, RFC 4443 2.4). */
#define WK_ICMP_ERR_MAX          576
#define WK_ICMP6_ERR_MAX         1280
/* Errors a worker sends at most: a token bucket of this rate and depth. */
#define WK_ICMP_RATE_PER_S       1000
#define WK_ICMP_BURST            50

/* Is the IPv4 address a (host order) multicast one, 224.0.0.0/4? DPDK's
 * RTE_IS_IPV4_MCAST says the same, but its bounds come from RTE_IPV4, which
 * shifts 224 as an int into the sign bit (undefined, UBSan shift-base). */
static inline int
wk_ip4_is_mcast(uint32_t a)
{
	return a >= 0xe0000000u && a <= 0xefffffffu;
}

static inline int
wk_ip6_is_unspec(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

static inline int
wk_ip6_is_linklocal(const uint8_t a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* --- addresses (addr.c) --- */
/* Is ip one of the node's addresses (on port index port, or on any port with
 * WK_PORT_NONE)? */
int wk_addr_is_ours(const struct dpvs_config_set *cfg, uint16_t port, const struct dpvs_ip *ip);
/* Our IPv4 address on port to speak to toward_be: one whose network holds
 * it, else the port's first; 0 when the port has none. */
uint32_t wk_addr_v4_source(const struct dpvs_config_set *cfg, uint16_t port, uint32_t toward_be);
/* The same for IPv6 into out (one whose network holds toward, else a
 * link-local one for a link-local toward, else the port's first global,
 * else its first); 0, or -1 when the port has no IPv6 address. */
int wk_addr_v6_source(const struct dpvs_config_set *cfg, uint16_t port, const uint8_t toward[16],
		      uint8_t out[16]);

/* --- routes (route.c) --- */
/* The route the active set has for dst, or NULL. */
const struct dpvs_route *wk_route4_find(const struct wk_ctx *ctx, uint32_t dst_be);
const struct dpvs_route *wk_route6_find(const struct wk_ctx *ctx, const uint8_t dst[16]);
/* The next hop of route r toward dst: its gateway, or dst on a connected
 * route. */
void wk_route_nexthop(const struct dpvs_route *r, const struct dpvs_ip *dst, struct dpvs_ip *nh);
/* wk_route_v4's twin: 0 with the port index and next hop, or -1. */
int wk_route_v6(const struct wk_ctx *ctx, const uint8_t dst[16], uint16_t *port,
		struct dpvs_ip *nh);

/* --- output (output.c) --- */
struct wk_verdict wk_neigh_output(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t port,
				  const struct dpvs_ip *nh);
/* output.c: wk_ip_output_via's slow path, m longer than port's MTU. */
struct wk_verdict wk_ip_output_big(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t port,
				   const struct dpvs_ip *nh);

/* IPv4 in m, routed already: to port toward nh. Over the port's MTU
 * (ctx->tx_mtu): DF clear, fragmented (frag.c; m carries the last fragment
 * and gets the verdict, the others are sent before it); DF set, an ICMP
 * fragmentation needed with the MTU to the source and DROP frag_needed.
 * Then the neighbour (wk_neigh_output). Inline: the per-packet part is one
 * compare. */
static inline struct wk_verdict
wk_ip_output_via(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t port, const struct dpvs_ip *nh)
{
	const struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);

	if (port < DPVS_MAX_IFACES && rte_be_to_cpu_16(ip->total_length) > ctx->tx_mtu[port])
		return wk_ip_output_big(ctx, m, port, nh);
	return wk_neigh_output(ctx, m, port, nh);
}
/* The Ethernet header of m for port: to mac, from the port's address, the
 * type of family (IPv4 or IPv6). Written as bytes: after a PROXY protocol
 * header (proxy_proto.c moves the headers back to make room) the frame may
 * start at an odd address, and struct rte_ether_hdr wants 2 (the same
 * stores on x86). */
static inline void
wk_eth_fill(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t port, const uint8_t *mac,
	    uint8_t family)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	const rte_be16_t type = family == DPVS_AF_INET6 ? RTE_BE16(RTE_ETHER_TYPE_IPV6) :
							  RTE_BE16(RTE_ETHER_TYPE_IPV4);

	memcpy(d + offsetof(struct rte_ether_hdr, dst_addr), mac, RTE_ETHER_ADDR_LEN);
	memcpy(d + offsetof(struct rte_ether_hdr, src_addr), &ctx->mac[port], RTE_ETHER_ADDR_LEN);
	memcpy(d + offsetof(struct rte_ether_hdr, ether_type), &type, sizeof(type));
}

/* Is the static neighbour neigh_out.c found last (ctx->sn_memo) the one of
 * IPv4 next hop nh_be on port, in the set whose wk_set_stamp is stamp? */
static inline int
wk_sn_memo_hit(const struct wk_ctx *ctx, uint64_t stamp, uint16_t port, uint32_t nh_be)
{
	return ctx->sn_memo.addr == nh_be && ctx->sn_memo.port == port &&
	       ctx->sn_memo.set == stamp;
}

/* The frame of m to the remembered static neighbour (wk_sn_memo_hit) on
 * port, and its verdict. */
static inline struct wk_verdict
wk_sn_memo_out(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t port)
{
	wk_eth_fill(ctx, m, port, dpvs_lb_sneigh(&ctx->cfg->lb)[ctx->sn_memo.slot].mac,
		    DPVS_AF_INET);
	return wk_tx(port);
}

/* wk_ip_output_via to the IPv4 next hop nh_be: the static neighbour
 * neigh_out.c found last (ctx->sn_memo, for this set, next hop and port)
 * fills the Ethernet header here, without building the next hop's
 * dpvs_ip nor calling wk_neigh_output; any other case is wk_ip_output_via's.
 * The same verdict and frame as wk_ip_output_via. wk_ip_output_v4_st: with
 * the set's wk_set_stamp computed by the caller (stamp); wk_ip_output_v4
 * computes it. */
static inline struct wk_verdict
wk_ip_output_v4_st(struct wk_ctx *ctx, uint64_t stamp, struct rte_mbuf *m, uint16_t port,
		   uint32_t nh_be)
{
	const struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	struct dpvs_ip nh;

	if (wk_sn_memo_hit(ctx, stamp, port, nh_be) &&
	    (port >= DPVS_MAX_IFACES ||
	     rte_be_to_cpu_16(ip->total_length) <= ctx->tx_mtu[port]))
		return wk_sn_memo_out(ctx, m, port);
	memset(&nh, 0, sizeof(nh));
	nh.family = DPVS_AF_INET;
	memcpy(nh.bytes, &nh_be, sizeof(nh_be));
	return wk_ip_output_via(ctx, m, port, &nh);
}

static inline struct wk_verdict
wk_ip_output_v4(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t port, uint32_t nh_be)
{
	return wk_ip_output_v4_st(ctx, wk_set_stamp(ctx->cfg), m, port, nh_be);
}

/* The output memo (ctx->out_memo): what the route and the static
 * neighbour of IPv4 destination dst_be give in one config set, found
 * together: the interface (and its TX verdict), where its MTU lets an IP
 * packet end in the frame, whether the route is connected, and the whole
 * Ethernet header. All of it follows from the set alone (the
 * route and rt_memo, the static neighbour and sn_memo, the interface's MAC
 * and MTU, which wk_if_refresh changes only with the set), so that a
 * packet to the destination it holds needs none of the three lookups.
 * Is it the memo of dst_be in the set whose wk_set_stamp is stamp? */
static __rte_always_inline int
wk_out_memo_hit(const struct wk_ctx *ctx, uint64_t stamp, uint32_t dst_be)
{
	return ctx->out_memo.dst == dst_be && ctx->out_memo.set == stamp;
}

/* The memo's Ethernet header into the frame that starts at eth: two
 * 8-byte copies (bytes 0 to 7 and 6 to 13). */
static __rte_always_inline void
wk_out_memo_eth(const struct wk_ctx *ctx, void *eth)
{
	uint8_t *e = eth;
	uint64_t a, b;

	memcpy(&a, ctx->out_memo.eth, sizeof(a));
	memcpy(&b, ctx->out_memo.eth + 6, sizeof(b));
	memcpy(e, &a, sizeof(a));
	memcpy(e + 6, &b, sizeof(b));
}

/* The memo's TX verdict (wk_tx of its interface), read as the one 32-bit
 * word it is stored as. */
static __rte_always_inline struct wk_verdict
wk_out_memo_tx(const struct wk_ctx *ctx)
{
	struct wk_verdict v;

	RTE_BUILD_BUG_ON(sizeof(v) != sizeof(ctx->out_memo.tx));
	memcpy(&v, &ctx->out_memo.tx, sizeof(v));
	return v;
}

/* output.c: remember the output to dst_be (the route's interface port and
 * next hop nh_be, in the set of stamp) when its next hop is the static
 * neighbour sn_memo holds for that set, and the interfaces follow the set;
 * else nothing. Called once a packet to dst_be was sent that way. */
void wk_out_memo_fill(struct wk_ctx *ctx, uint64_t stamp, uint32_t dst_be, uint16_t port,
		      uint32_t nh_be);
/* IPv6 in m (Ethernet at 0, IPv6 at 14): route, MTU (never fragmented in
 * transit: over the MTU, an ICMPv6 packet too big to the source and DROP
 * ip6_too_big), neighbour. */
struct wk_verdict wk_ip6_output(struct wk_ctx *ctx, struct rte_mbuf *m);
struct wk_verdict wk_ip6_output_via(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t port,
				    const struct dpvs_ip *nh);
/* Carry out the verdict of a packet the worker made (a fragment, an ICMP
 * error): TX into the tx buffer, HOLD into the hold queue, DROP counted by
 * its reason (no verdict: it was never received). m is gone afterwards. */
void wk_send_new(struct wk_ctx *ctx, struct rte_mbuf *m, struct wk_verdict v);

/* --- fragmentation (frag.c) --- */
/* Fragment the IPv4 packet in m (DF clear, longer than mtu) for port and
 * nh: the fragments but the last are new mbufs sent at once (in order),
 * m becomes the last one; returns m's verdict. Counts frag_ok and
 * frag_created; DROP frag_needed when mtu leaves no room for 8 bytes. */
struct wk_verdict wk_ip_fragment(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t port,
				 const struct dpvs_ip *nh, uint32_t mtu);
/* Cut m (any segments) to len bytes / drop its first len bytes, keeping the
 * head mbuf. 0, or -1 when m is not longer than len. */
int wk_mbuf_trim_to(struct rte_mbuf *m, uint32_t len);
int wk_mbuf_cut_head(struct rte_mbuf *m, uint32_t len);

/* --- ICMP errors we send (icmp_send.c) --- */
/* An ICMP error (type, code; mtu for fragmentation needed) about the IPv4
 * packet in m to its source, from our address on the port m came in on;
 * never about an ICMP error, a multicast or broadcast, a fragment other
 * than the first, or a packet from one of our own addresses
 * (icmp_err_suppressed), and at most WK_ICMP_RATE_PER_S a second
 * (icmp_err_ratelimited). m is not changed. */
void wk_icmp_error(struct wk_ctx *ctx, const struct rte_mbuf *m, uint8_t type, uint8_t code,
		   uint16_t mtu);
/* The same for IPv6 (param: the MTU of packet too big, else 0). */
void wk_icmp6_error(struct wk_ctx *ctx, const struct rte_mbuf *m, uint8_t type, uint8_t code,
		    uint32_t param);
/* Take a token of the worker's ICMP error bucket: 1, or 0 when empty. */
int wk_icmp_token(struct wk_ctx *ctx);

/* --- forwarding (forward.c) --- */
/* A packet to our MAC, not for the load balancer nor for the node, on a
 * port whose forwarding switch is on: TTL / hop limit (ICMP time exceeded),
 * route, decrement, output. One for the network it came from goes to the
 * kernel. */
struct wk_verdict wk_ipv4_forward(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p);
struct wk_verdict wk_ipv6_forward(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p,
				  const struct wk_ip6_info *info);

/* --- IPv6 local delivery (icmp6.c) --- */
/* An IPv6 packet for one of our addresses: ICMPv6 echo answered, ND to
 * nd.c, the rest to the kernel. */
struct wk_verdict wk_local_in6(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p,
			       const struct wk_ip6_info *info);
/* The ICMPv6 (or TCP/UDP over IPv6) checksum of len bytes of m from off,
 * pseudo-header (src, dst, len, proto) included: the value to store when the
 * field was zeroed, 0 when a packet with its checksum in place is right;
 * -1 when the range is outside the packet. */
int32_t wk_cksum6_mbuf(const struct rte_mbuf *m, const uint8_t src[16], const uint8_t dst[16],
		       uint8_t proto, uint32_t off, uint32_t len);

/* --- neighbour discovery (worker/l2/nd.c) --- */
/* RS, RA, redirect (dropped: nd_router), NS (ours: answered with an NA;
 * the sender may teach a known neighbour, as an ARP request), NA (judged as
 * ARP replies are, copied to the peers, and to the kernel). */
struct wk_verdict wk_nd_input(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p,
			      const struct wk_ip6_info *info);
/* A copy a peer worker put on our arp ring: an NA to judge (m not freed). */
void wk_nd_learn_copy(struct wk_ctx *ctx, const struct rte_mbuf *m, uint16_t p);
/* A frame the kernel sends out of port p: if it is its NS, wait for the NA. */
void wk_nd_from_kernel(struct wk_ctx *ctx, const struct rte_mbuf *m, uint16_t p);
/* Send an NS for the IPv6 address ip out of port: to its solicited-node
 * address if dmac is NULL, else a unicast probe to dmac. */
void wk_nd_solicit(struct wk_ctx *ctx, uint16_t port, const struct dpvs_ip *ip,
		   const uint8_t *dmac);

#endif
