/*
 * ICMPv6 errors about a connection [ip_vs_in_icmp_v6, ip_vs_out_icmp_v6]:
 * a destination unreachable, packet too big, time exceeded or parameter
 * problem to our MAC whose embedded packet is one we sent for a connection
 * (its TCP/UDP header right after the embedded IPv6 header) is translated
 * for the other side and relayed, as icmp_err.c does for IPv4:
 *   found in DPVS_DIR_OUT (about a packet we sent to the dest side): to the
 *     client side, the embedded packet as the client sent it
 *     (caddr:cport -> vaddr:vport), the outer packet to caddr from vaddr
 *     (fnat, nat) or from the error's own source (snat);
 *   found in DPVS_DIR_IN (about a packet we sent to the client side): to
 *     the dest, the embedded packet as the dest sent it (daddr:dport ->
 *     laddr:lport), the outer packet to daddr from laddr (fnat, snat) or
 *     from the error's own source (nat).
 * The embedded TCP/UDP checksum is updated incrementally (when quoted),
 * the ICMPv6 checksum recomputed (its pseudo-header has the new outer
 * addresses), the hop limit decremented. A connection that crosses
 * families (an IPv6 VIP, IPv4 real servers) has its errors rebuilt in the
 * other family (icmp_xlat.c). For a one-way connection (dr, tunnel) an
 * error about the real server's direct answer is passed to the real
 * server by the connection's own mode, unchanged. The error must come from
 * the side the embedded packet was sent to (conn_wrong_port otherwise). An
 * error about another worker's NAT connection or local port is redirected
 * there; anything else goes on (local_in, forwarding, the kernel).
 * Writes the packet only.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "worker/ipvs/conn_table.h"
#include "worker/ipvs/lbpath.h"
#include "worker/ipvs/xmit.h"
#include "worker/l2/neigh.h"
#include "worker/l3/hdr.h"
#include "worker/l3/l3.h"

#define L2            RTE_ETHER_HDR_LEN
#define ICMP6_HDR     8
#define EMB_L4        8    /* bytes of the embedded L4 header we need */
#define ICMP6_ERR_MIN 1    /* destination unreachable .. */
#define ICMP6_ERR_MAX 4    /* .. parameter problem */

/* Where the parts of an ICMPv6 error are (offsets from the frame's start). */
struct icmp6_emb {
	uint32_t icmp_off;          /* the ICMPv6 header */
	uint32_t l4_off;            /* the embedded TCP/UDP header */
	uint32_t end;               /* the end of the outer IPv6 packet */
	struct rte_ipv6_hdr *ip;    /* the embedded IPv6 header */
	uint16_t *ports;            /* the embedded L4 header: sport, dport */
};

/* Locate the embedded packet of the ICMPv6 error in m; -1 if unusable (not
 * an error, a fragment, not whole in the first segment, too short, the
 * embedded packet not TCP/UDP right after its header). */
static int
icmp6_emb_find(struct rte_mbuf *m, const struct wk_ip6_info *info, struct icmp6_emb *e)
{
	const uint8_t *icmp;

	e->end = L2 + info->len;
	e->icmp_off = L2 + info->l4_off;
	if (info->frag != WK_IP6_FRAG_NONE || rte_pktmbuf_data_len(m) < e->end ||
	    e->end < e->icmp_off + ICMP6_HDR + sizeof(struct rte_ipv6_hdr) + EMB_L4)
		return -1;
	icmp = rte_pktmbuf_mtod_offset(m, const uint8_t *, e->icmp_off);
	if (icmp[0] < ICMP6_ERR_MIN || icmp[0] > ICMP6_ERR_MAX)
		return -1;
	e->ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, e->icmp_off + ICMP6_HDR);
	if ((rte_be_to_cpu_32(e->ip->vtc_flow) >> 28) != 6 ||
	    (e->ip->proto != IPPROTO_TCP && e->ip->proto != IPPROTO_UDP))
		return -1;
	e->l4_off = e->icmp_off + ICMP6_HDR + (uint32_t)sizeof(struct rte_ipv6_hdr);
	e->ports = rte_pktmbuf_mtod_offset(m, uint16_t *, e->l4_off);
	return 0;
}

/* Rewrite the ICMPv6 error for connection c (same family on both sides),
 * found in direction dir of the embedded packet's reply, and send it on. */
static struct wk_verdict
icmp6_relay(struct wk_ctx *ctx, struct rte_mbuf *m, const struct icmp6_emb *e,
	    const struct dpvs_conn *c, int dir)
{
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, L2);
	const uint8_t *es, *ed, *osrc, *odst;
	const struct dpvs_conn_table *ct = ctx->ct;
	uint8_t *icmp = rte_pktmbuf_mtod_offset(m, uint8_t *, e->icmp_off);
	uint16_t esp, edp, ck;
	int keep_src;

	if (ip->hop_limits <= 1)
		return wk_drop(DPVS_DROP_TTL_EXPIRED);
	if (wk_cksum6_mbuf(m, ip->src_addr, ip->dst_addr, IPPROTO_ICMPV6, e->icmp_off,
			   e->end - e->icmp_off) != 0)
		return wk_drop(DPVS_DROP_ICMP6_HDR);
	if (dir == DPVS_DIR_OUT) {  /* about a packet we sent to the dest */
		osrc = dpvs_conn_a6(ct, c, DPVS_CONN_A_V),
			odst = dpvs_conn_a6(ct, c, DPVS_CONN_A_C);
		keep_src = c->fwd_mode == DPVS_FWD_SNAT;
		es = odst, esp = c->cport, ed = osrc, edp = c->vport;
	} else {                     /* about a packet we sent to the client */
		osrc = dpvs_conn_a6(ct, c, DPVS_CONN_A_L),
			odst = dpvs_conn_a6(ct, c, DPVS_CONN_A_D);
		keep_src = c->fwd_mode == DPVS_FWD_NAT;
		es = odst, esp = c->dport, ed = osrc, edp = c->lport;
	}
	wk_rewrite6(e->ip, e->ports, e->ip->proto, e->end - e->l4_off, es, esp, ed, edp);
	if (!keep_src)
		memcpy(ip->src_addr, osrc, 16);
	memcpy(ip->dst_addr, odst, 16);
	ip->hop_limits--;
	memset(icmp + 2, 0, 2);
	ck = (uint16_t)wk_cksum6_mbuf(m, ip->src_addr, ip->dst_addr, IPPROTO_ICMPV6, e->icmp_off,
				      e->end - e->icmp_off);
	memcpy(icmp + 2, &ck, sizeof(ck));
	if (rte_pktmbuf_pkt_len(m) > e->end)
		wk_mbuf_trim_to(m, e->end);
	return wk_ip6_output(ctx, m);
}

/* An error for the real server of one-way connection c: passed to it by
 * the connection's mode (dr: a new Ethernet header; tunnel: IPv6-in-IPv6). */
static struct wk_verdict
icmp6_pass_oneway(struct wk_ctx *ctx, struct rte_mbuf *m, const struct wk_ip6_info *info,
		  const struct dpvs_conn *c)
{
	struct wk_pkt pk;

	memset(&pk, 0, sizeof(pk));
	pk.family = DPVS_AF_INET6;
	pk.proto = IPPROTO_ICMPV6;
	pk.l3_off = L2;
	pk.l4_off = (uint16_t)(L2 + info->l4_off);
	pk.l4_len = info->len - info->l4_off;
	return wk_xmit(ctx, m, &pk, c, DPVS_DIR_IN);
}

/* No connection of ours: another worker's (its NAT connection, found in
 * its table, or its local port)? 1 with *v a redirect; else 0. */
static int
icmp6_other_owner(struct wk_ctx *ctx, const struct rte_ipv6_hdr *ip, const struct icmp6_emb *e,
		  const struct dpvs_ip *src, const struct dpvs_ip *dst, struct wk_verdict *v)
{
	uint16_t lport, owner;
	int peer;

	peer = wk_ipvs_peer_owner(ctx, e->ip->proto, src, e->ports[1], dst, e->ports[0]);
	if (peer >= 0) {
		*v = (struct wk_verdict){ .kind = DPVS_VERDICT_REDIRECT, .port = (uint16_t)peer };
		return 1;
	}
	/* about laddr:lport of another worker's connection? */
	lport = rte_be_to_cpu_16(e->ports[0]);
	owner = (uint16_t)(lport % ctx->nworkers);
	if (owner == ctx->id || lport < 1024 || memcmp(e->ip->src_addr, ip->dst_addr, 16) != 0 ||
	    !wk_ipvs_is_laddr(ctx->cfg, e->ip->proto, dst))
		return 0;
	*v = (struct wk_verdict){ .kind = DPVS_VERDICT_REDIRECT, .port = owner };
	return 1;
}

int
wk_icmp6_err_in(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p,
		const struct wk_ip6_info *info, struct wk_verdict *v)
{
	const struct rte_ipv6_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, L2);
	const struct dpvs_conn *c;
	struct dpvs_ip src, dst;
	struct icmp6_emb e;
	uint32_t idx;
	int dir;

	if (icmp6_emb_find(m, info, &e) != 0)
		return 0;
	/* the reply to the embedded packet is what the table knows */
	wk_ip_from_v6(&src, e.ip->dst_addr);
	wk_ip_from_v6(&dst, e.ip->src_addr);
	idx = wk_conn_lookup(ctx->ct, e.ip->proto, &src, e.ports[1], &dst, e.ports[0], &dir);
	if (idx == DPVS_CONN_NIL)
		return icmp6_other_owner(ctx, ip, &e, &src, &dst, v);
	c = &dpvs_conn_array(ctx->ct)[idx];
	if (p != wk_conn_arrival_port(c, dir))
		*v = wk_drop(DPVS_DROP_WRONG_PORT);
	else if (wk_xmit_oneway(c->fwd_mode))
		*v = icmp6_pass_oneway(ctx, m, info, c);
	else if (dpvs_conn_fam(c, DPVS_CONN_A_C) != dpvs_conn_fam(c, DPVS_CONN_A_D))
		*v = wk_icmp_xlat(ctx, m, e.icmp_off, e.l4_off, e.end, c, dir);
	else
		*v = icmp6_relay(ctx, m, &e, c, dir);
	return 1;
}
