/*
 * ICMP errors about a connection [ip_vs_in_icmp, ip_vs_out_icmp]: a
 * destination unreachable (fragmentation needed included) or time exceeded
 * to our MAC whose embedded header is a packet we sent for a connection is
 * translated for the other side and relayed. The embedded packet's reply is
 * what the table knows; found in direction
 *   DPVS_DIR_OUT (the error is about a packet we sent to the dest side):
 *     to the client side, the embedded packet as the client side sent it
 *     (caddr:cport -> vaddr:vport), the outer packet to caddr from vaddr
 *     (fnat, nat: the client knows the VIP) or from the error's own source
 *     (snat: the router that sent it);
 *   DPVS_DIR_IN (about a packet we sent to the client side): to the dest,
 *     the embedded packet as the dest sent it (daddr:dport -> laddr:lport),
 *     the outer packet to daddr from laddr (fnat, snat) or from the error's
 *     own source (nat: the real server knows the client, not us).
 * An error about a connection from an IPv6 VIP to an IPv4 real server
 * becomes an ICMPv6 error to the client (icmp_xlat.c).
 * The embedded IP and TCP/UDP checksums are updated incrementally, the ICMP
 * checksum and the outer header checksum are recomputed; the outer TTL is
 * decremented. For a one-way connection (dr, tunnel), an error from the
 * client's side about the real server's direct answer (it reaches us, the
 * VIP's holder) is passed to the real server by the connection's own mode,
 * unchanged. An error must come from the side the embedded packet was
 * sent to: it arrives on the port where the connection's packets from that
 * side arrive (wk_conn_arrival_port), else it is dropped (conn_wrong_port).
 * An error about a local port another worker owns, or about another
 * worker's NAT connection (the peers' tables, ipvs.c), is redirected
 * there; anything else goes on to local_in / the kernel.
 * Writes the packet only.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "worker/l3/cksum.h"
#include "worker/ipvs/conn_table.h"
#include "worker/ipvs/lbpath.h"
#include "worker/ipvs/xmit.h"
#include "worker/l2/neigh.h"

#define WK_ICMP_DEST_UNREACH  3
#define WK_ICMP_TIME_EXCEEDED 11
#define WK_ICMP_EMB_L4        8   /* bytes of the embedded L4 header we need */

/* The embedded packet of an ICMP error. */
struct icmp_emb {
	struct rte_ipv4_hdr *ip;
	uint16_t *ports;         /* the embedded L4 header: sport, dport */
	uint32_t l4_avail;       /* bytes of it present */
};

/* Locate the embedded header of the ICMP error in m; -1 if unusable. */
static int
icmp_emb_find(struct rte_mbuf *m, struct rte_ipv4_hdr *ip, struct icmp_emb *e)
{
	uint32_t hlen = rte_ipv4_hdr_len(ip), tot = rte_be_to_cpu_16(ip->total_length);
	uint32_t l3 = RTE_ETHER_HDR_LEN, off, ehlen, contig = rte_pktmbuf_data_len(m);
	const struct rte_icmp_hdr *icmp;

	if (tot > contig - l3)
		return -1; /* keep it simple: the whole packet in one segment */
	off = hlen + sizeof(struct rte_icmp_hdr);
	if (tot < off + sizeof(struct rte_ipv4_hdr) + WK_ICMP_EMB_L4)
		return -1;
	icmp = (const struct rte_icmp_hdr *)((uint8_t *)ip + hlen);
	if (icmp->icmp_type != WK_ICMP_DEST_UNREACH && icmp->icmp_type != WK_ICMP_TIME_EXCEEDED)
		return -1;
	e->ip = (struct rte_ipv4_hdr *)((uint8_t *)ip + off);
	ehlen = rte_ipv4_hdr_len(e->ip);
	if ((e->ip->version_ihl >> 4) != 4 || ehlen < sizeof(struct rte_ipv4_hdr) ||
	    tot < off + ehlen + WK_ICMP_EMB_L4)
		return -1;
	if (e->ip->next_proto_id != IPPROTO_TCP && e->ip->next_proto_id != IPPROTO_UDP)
		return -1;
	e->ports = (uint16_t *)((uint8_t *)e->ip + ehlen);
	e->l4_avail = tot - off - ehlen;
	return 0;
}

/* The addresses and ports of a relayed error (network order). */
struct icmp_map {
	uint32_t osrc, odst;     /* the outer header */
	uint32_t es, ed;         /* the embedded packet's source and destination */
	uint16_t esp, edp;
};

/* How to translate an error about connection c, found in direction dir of
 * the embedded packet's reply, whose outer source is src. */
static void
icmp_map_of(const struct dpvs_conn_table *ct, const struct dpvs_conn *c, int dir, uint32_t src,
	    struct icmp_map *mp)
{
	if (dir == DPVS_DIR_OUT) { /* about a packet we sent to the dest */
		mp->osrc = dpvs_conn_a4x(ct, c, DPVS_CONN_A_V);
		mp->odst = dpvs_conn_a4x(ct, c, DPVS_CONN_A_C);
		if (c->fwd_mode == DPVS_FWD_SNAT)
			mp->osrc = src;
		mp->es = mp->odst;
		mp->esp = c->cport;
		mp->ed = dpvs_conn_a4x(ct, c, DPVS_CONN_A_V);
		mp->edp = c->vport;
	} else {                   /* about a packet we sent to the client */
		mp->osrc = dpvs_conn_a4x(ct, c, DPVS_CONN_A_L);
		mp->odst = dpvs_conn_a4x(ct, c, DPVS_CONN_A_D);
		if (c->fwd_mode == DPVS_FWD_NAT)
			mp->osrc = src;
		mp->es = mp->odst;
		mp->esp = c->dport;
		mp->ed = dpvs_conn_a4x(ct, c, DPVS_CONN_A_L);
		mp->edp = c->lport;
	}
}

/* Rewrite the ICMP error for connection c (found in direction dir of the
 * embedded packet's reply) and send it on. */
static struct wk_verdict
icmp_relay(struct wk_ctx *ctx, struct rte_mbuf *m, struct rte_ipv4_hdr *ip,
	   const struct icmp_emb *e, const struct dpvs_conn *c, int dir)
{
	uint32_t hlen = rte_ipv4_hdr_len(ip), tot = rte_be_to_cpu_16(ip->total_length);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)((uint8_t *)ip + hlen);
	struct icmp_map mp;

	if (ip->time_to_live <= 1)
		return wk_drop(DPVS_DROP_TTL_EXPIRED);
	if (wk_cksum_mbuf(m, RTE_ETHER_HDR_LEN + hlen, tot - hlen) != 0)
		return wk_drop(DPVS_DROP_ICMP_HDR);
	icmp_map_of(ctx->ct, c, dir, ip->src_addr, &mp);
	wk_fnat_rewrite(e->ip, e->ports, e->ip->next_proto_id, e->l4_avail, mp.es, mp.esp, mp.ed,
			mp.edp);
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)wk_cksum_mbuf(m, RTE_ETHER_HDR_LEN + hlen, tot - hlen);
	ip->src_addr = mp.osrc;
	ip->dst_addr = mp.odst;
	ip->time_to_live--;
	wk_ipv4_cksum_set(ip);
	if (rte_pktmbuf_pkt_len(m) > RTE_ETHER_HDR_LEN + tot)
		rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - (RTE_ETHER_HDR_LEN + tot));
	return wk_ip_output(ctx, m);
}

/* An error for the real server of one-way connection c: passed to it by
 * the connection's mode (dr: a new Ethernet header; tunnel: in IPIP). */
static struct wk_verdict
icmp_pass_oneway(struct wk_ctx *ctx, struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
		 const struct dpvs_conn *c)
{
	uint32_t hlen = rte_ipv4_hdr_len(ip);
	struct wk_pkt pk;

	memset(&pk, 0, sizeof(pk));
	pk.family = DPVS_AF_INET;
	pk.proto = IPPROTO_ICMP;
	pk.l3_off = RTE_ETHER_HDR_LEN;
	pk.l4_off = (uint16_t)(RTE_ETHER_HDR_LEN + hlen);
	pk.l4_len = rte_be_to_cpu_16(ip->total_length) - hlen;
	return wk_xmit(ctx, m, &pk, c, DPVS_DIR_IN);
}

int
wk_icmp_err_in(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, struct wk_verdict *v)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
							  RTE_ETHER_HDR_LEN);
	struct dpvs_ip src, dst;
	struct icmp_emb e;
	uint16_t lport, owner;
	uint32_t idx;
	int dir, peer;

	if ((ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0)
		return 0;
	if (icmp_emb_find(m, ip, &e) != 0)
		return 0;
	/* the reply to the embedded packet is what the table knows */
	wk_ip_from_v4(&src, e.ip->dst_addr);
	wk_ip_from_v4(&dst, e.ip->src_addr);
	idx = wk_conn_lookup(ctx->ct, e.ip->next_proto_id, &src, e.ports[1], &dst, e.ports[0],
			     &dir);
	if (idx != DPVS_CONN_NIL) {
		const struct dpvs_conn *c = &dpvs_conn_array(ctx->ct)[idx];

		if (p != wk_conn_arrival_port(c, dir))
			*v = wk_drop(DPVS_DROP_WRONG_PORT);
		else if (wk_xmit_oneway(c->fwd_mode))
			*v = icmp_pass_oneway(ctx, m, ip, c);
		else if (dpvs_conn_fam(c, DPVS_CONN_A_C) != dpvs_conn_fam(c, DPVS_CONN_A_D))
			*v = wk_icmp_xlat(ctx, m, RTE_ETHER_HDR_LEN + rte_ipv4_hdr_len(ip),
					  (uint32_t)((uint8_t *)e.ports -
						     rte_pktmbuf_mtod(m, uint8_t *)),
					  RTE_ETHER_HDR_LEN + rte_be_to_cpu_16(ip->total_length), c,
					  dir);
		else
			*v = icmp_relay(ctx, m, ip, &e, c, dir);
		return 1;
	}
	/* about another worker's NAT connection? */
	peer = wk_ipvs_peer_owner(ctx, e.ip->next_proto_id, &src, e.ports[1], &dst, e.ports[0]);
	if (peer >= 0) {
		*v = (struct wk_verdict){ .kind = DPVS_VERDICT_REDIRECT, .port = (uint16_t)peer };
		return 1;
	}
	/* about laddr:lport of another worker's connection? */
	lport = rte_be_to_cpu_16(e.ports[0]);
	owner = (uint16_t)(lport % ctx->nworkers);
	if (owner == ctx->id || lport < 1024 || e.ip->src_addr != ip->dst_addr)
		return 0;
	if (!wk_ipvs_is_laddr(ctx->cfg, e.ip->next_proto_id, &dst))
		return 0;
	*v = (struct wk_verdict){ .kind = DPVS_VERDICT_REDIRECT, .port = owner };
	return 1;
}
