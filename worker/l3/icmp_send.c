/*
 * ICMP and ICMPv6 errors the worker sends [icmp_send, icmp6_send]: time
 * exceeded (forwarding), fragmentation needed and packet too big (output).
 * An error goes to the offending packet's source, from our address on the
 * port that packet came in on (the one on the source's network, else the
 * port's first; IPv6: a global one before a link-local one), routed like
 * any packet (wk_ip_output, wk_ip6_output). It quotes as much of the
 * offending packet as fits 576 bytes (IPv4) or 1280 (IPv6).
 * Never sent (icmp_err_suppressed): about an ICMP error, about a packet to a
 * multicast or broadcast address (frame or IP), about a fragment other than
 * the first, about a packet from an address that is not a unicast host's or
 * is one of ours (our own output: a locally made packet never gets an error
 * from ourselves), or when the port has no address of that family. At most
 * WK_ICMP_RATE_PER_S a second per worker, in bursts of WK_ICMP_BURST (a
 * token bucket on the worker context; icmp_err_ratelimited).
 * Reads the offending packet; writes a new mbuf, the tx buffers, hold queue,
 * the context's token bucket and the stats row.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "worker/ipvs/lbpath.h"
#include "worker/l2/neigh.h"
#include "worker/l3/cksum.h"
#include "worker/l3/l3.h"

#define L2 RTE_ETHER_HDR_LEN
#define ICMP_HDR 8
#define ICMP_TOS 0xc0 /* internetwork control precedence, as Linux */
#define ERR_TTL  64

int
wk_icmp_token(struct wk_ctx *ctx)
{
	uint64_t now = ctx->now_ns, add;

	if (ctx->icmp_tokens >= WK_ICMP_BURST || now < ctx->icmp_tok_ns) {
		ctx->icmp_tok_ns = now;
	} else {
		add = (now - ctx->icmp_tok_ns) / (1000000000ull / WK_ICMP_RATE_PER_S);
		if (add > 0) {
			ctx->icmp_tok_ns += add * (1000000000ull / WK_ICMP_RATE_PER_S);
			ctx->icmp_tokens = (uint32_t)RTE_MIN((uint64_t)WK_ICMP_BURST,
							     ctx->icmp_tokens + add);
		}
	}
	if (ctx->icmp_tokens == 0)
		return 0;
	ctx->icmp_tokens--;
	return 1;
}

/* The interface m came in on, or WK_PORT_NONE. */
static uint16_t
in_port(const struct wk_ctx *ctx, const struct rte_mbuf *m)
{
	return wk_rx_iface(ctx, m);
}

/* Is the IPv4 packet one an error may answer? */
static int
icmp4_may_answer(const struct wk_ctx *ctx, const struct rte_mbuf *m,
		 const struct rte_ipv4_hdr *ip)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint32_t s = rte_be_to_cpu_32(ip->src_addr), d = rte_be_to_cpu_32(ip->dst_addr);
	uint32_t hlen = rte_ipv4_hdr_len(ip);
	const uint8_t *t;

	if (rte_is_multicast_ether_addr(&eth->dst_addr) || wk_ip4_is_mcast(d) ||
	    d == 0xffffffffu)
		return 0;
	if ((s >> 24) == 0 || (s >> 24) == 127 || (s >> 24) >= 224 ||
	    wk_addr_v4_is_ours(ctx->cfg, WK_PORT_NONE, ip->src_addr))
		return 0;
	if ((ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) != 0)
		return 0;
	if (ip->next_proto_id != IPPROTO_ICMP)
		return 1;
	/* an ICMP error, or a message too short to tell, is never answered */
	if (rte_be_to_cpu_16(ip->total_length) < hlen + 1 ||
	    rte_pktmbuf_data_len(m) < L2 + hlen + 1)
		return 0;
	t = (const uint8_t *)ip + hlen;
	return *t == RTE_IP_ICMP_ECHO_REPLY || *t == RTE_IP_ICMP_ECHO_REQUEST ||
	       (*t >= 13 && *t <= 18); /* timestamp, information, address mask */
}

/* A new frame of hdrs bytes of headers after the Ethernet header, then
 * quote bytes of m from off; NULL (counted) when the pool is empty. */
static struct rte_mbuf *
err_alloc(struct wk_ctx *ctx, const struct rte_mbuf *m, uint32_t hdrs, uint32_t off,
	  uint32_t quote)
{
	struct rte_mbuf *e = rte_pktmbuf_alloc(ctx->pool);
	const void *src;
	uint8_t *d;

	if (e == NULL) {
		ctx->st->drop[DPVS_DROP_NO_MBUF]++;
		return NULL;
	}
	d = (uint8_t *)rte_pktmbuf_append(e, (uint16_t)(L2 + hdrs + quote));
	if (d == NULL) {
		rte_pktmbuf_free(e);
		ctx->st->drop[DPVS_DROP_NO_MBUF]++;
		return NULL;
	}
	memset(d, 0, L2 + hdrs);
	src = rte_pktmbuf_read(m, off, quote, d + L2 + hdrs);
	if (src != d + L2 + hdrs)
		memcpy(d + L2 + hdrs, src, quote);
	e->port = m->port;
	return e;
}

void
wk_icmp_error(struct wk_ctx *ctx, const struct rte_mbuf *m, uint8_t type, uint8_t code,
	      uint16_t mtu)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, L2);
	uint16_t in = in_port(ctx, m);
	uint32_t src = 0, quote;
	struct rte_ipv4_hdr *eip;
	struct rte_icmp_hdr *icmp;
	struct rte_mbuf *e;

	if (icmp4_may_answer(ctx, m, ip) && in != WK_PORT_NONE)
		src = wk_addr_v4_source(ctx->cfg, in, ip->src_addr);
	if (src == 0) {
		ctx->st->event[DPVS_EVENT_ICMP_SUPPRESSED]++;
		return;
	}
	if (!wk_icmp_token(ctx)) {
		ctx->st->event[DPVS_EVENT_ICMP_RATELIMITED]++;
		return;
	}
	quote = RTE_MIN((uint32_t)rte_be_to_cpu_16(ip->total_length),
			(uint32_t)(WK_ICMP_ERR_MAX - sizeof(*eip) - ICMP_HDR));
	quote = RTE_MIN(quote, rte_pktmbuf_pkt_len(m) - L2);
	e = err_alloc(ctx, m, sizeof(*eip) + ICMP_HDR, L2, quote);
	if (e == NULL)
		return;
	eip = rte_pktmbuf_mtod_offset(e, struct rte_ipv4_hdr *, L2);
	eip->version_ihl = RTE_IPV4_VHL_DEF;
	eip->type_of_service = ICMP_TOS;
	eip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*eip) + ICMP_HDR + quote));
	eip->packet_id = rte_cpu_to_be_16(ctx->ip_id++);
	eip->time_to_live = ERR_TTL;
	eip->next_proto_id = IPPROTO_ICMP;
	eip->src_addr = src;
	eip->dst_addr = ip->src_addr;
	wk_ipv4_cksum_set(eip);
	icmp = (struct rte_icmp_hdr *)(eip + 1);
	icmp->icmp_type = type;
	icmp->icmp_code = code;
	if (type == WK_ICMP_DEST_UNREACH && code == WK_ICMP_FRAG_NEEDED)
		icmp->icmp_seq_nb = rte_cpu_to_be_16(mtu); /* next-hop MTU, RFC 1191 */
	icmp->icmp_cksum = wk_cksum(icmp, ICMP_HDR + quote);
	ctx->st->event[type == WK_ICMP_TIME_EXCEEDED ? DPVS_EVENT_ICMP_TIME_EXCEEDED :
						       DPVS_EVENT_ICMP_FRAG_NEEDED]++;
	wk_send_new(ctx, e, wk_ip_output(ctx, e));
}

/* Is the IPv6 packet (walked into info) one an error may answer? */
static int
icmp6_may_answer(const struct wk_ctx *ctx, const struct rte_mbuf *m,
		 const struct rte_ipv6_hdr *ip, const struct wk_ip6_info *info)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	struct dpvs_ip src;
	const uint8_t *t;

	if (rte_is_multicast_ether_addr(&eth->dst_addr) || ip->dst_addr[0] == 0xff ||
	    ip->src_addr[0] == 0xff || wk_ip6_is_unspec(ip->src_addr))
		return 0;
	wk_ip_from_v6(&src, ip->src_addr);
	if (wk_addr_is_ours(ctx->cfg, WK_PORT_NONE, &src) || info->frag == WK_IP6_FRAG_LATER)
		return 0;
	if (info->proto != IPPROTO_ICMPV6)
		return info->proto != WK_IP6_PROTO_UNKNOWN;
	if (info->l4_off + 1u > info->len || L2 + info->l4_off + 1u > rte_pktmbuf_data_len(m))
		return 0;
	t = rte_pktmbuf_mtod_offset(m, const uint8_t *, L2 + info->l4_off);
	return *t >= 128; /* an informational message, not an error */
}

void
wk_icmp6_error(struct wk_ctx *ctx, const struct rte_mbuf *m, uint8_t type, uint8_t code,
	       uint32_t param)
{
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, L2);
	uint16_t in = in_port(ctx, m);
	struct rte_ipv6_hdr *eip;
	struct wk_ip6_info info;
	uint8_t src[16], *icmp;
	uint32_t quote, pbe;
	struct rte_mbuf *e;
	uint16_t ck;
	int ok;

	ok = wk_ipv6_walk((const uint8_t *)ip, rte_pktmbuf_data_len(m) - L2, &info) ==
		     DPVS_DROP_MAX &&
	     icmp6_may_answer(ctx, m, ip, &info) && in != WK_PORT_NONE &&
	     wk_addr_v6_source(ctx->cfg, in, ip->src_addr, src) == 0;
	if (!ok) {
		ctx->st->event[DPVS_EVENT_ICMP_SUPPRESSED]++;
		return;
	}
	if (!wk_icmp_token(ctx)) {
		ctx->st->event[DPVS_EVENT_ICMP_RATELIMITED]++;
		return;
	}
	quote = RTE_MIN(info.len, (uint32_t)(WK_ICMP6_ERR_MAX - sizeof(*eip) - ICMP_HDR));
	quote = RTE_MIN(quote, rte_pktmbuf_pkt_len(m) - L2);
	e = err_alloc(ctx, m, sizeof(*eip) + ICMP_HDR, L2, quote);
	if (e == NULL)
		return;
	eip = rte_pktmbuf_mtod_offset(e, struct rte_ipv6_hdr *, L2);
	eip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	eip->payload_len = rte_cpu_to_be_16((uint16_t)(ICMP_HDR + quote));
	eip->proto = IPPROTO_ICMPV6;
	eip->hop_limits = ERR_TTL;
	memcpy(eip->src_addr, src, 16);
	memcpy(eip->dst_addr, ip->src_addr, 16);
	icmp = (uint8_t *)(eip + 1);
	icmp[0] = type;
	icmp[1] = code;
	pbe = rte_cpu_to_be_32(param);
	memcpy(icmp + 4, &pbe, sizeof(pbe));
	ck = (uint16_t)wk_cksum6_mbuf(e, eip->src_addr, eip->dst_addr, IPPROTO_ICMPV6,
				      L2 + sizeof(*eip), ICMP_HDR + quote);
	memcpy(icmp + 2, &ck, sizeof(ck));
	ctx->st->event[type == WK_ICMP6_TIME_EXCEEDED ? DPVS_EVENT_ICMP6_TIME_EXCEEDED :
							DPVS_EVENT_ICMP6_TOO_BIG]++;
	wk_send_new(ctx, e, wk_ip6_output(ctx, e));
}
