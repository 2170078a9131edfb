/*
 * The load balancer's part of the ipv4 stage's fast path (issue 10): an
 * IPv4 TCP/UDP packet that wk_ipv4_fast (worker/l3/ipv4.c) checked and
 * parsed, looked up by its raw header fields, and the packet of an
 * established UDP or TCP connection carried from the lookup to its rewritten
 * frame in one inline sequence (no wk_pkt, no calls but the rare ones;
 * TCP's copy of it out of line, where an established ACK in window takes a
 * lean way without the general window tracking and state machine):
 * the same checks, timer, counters, rewrite, route and neighbour, in the
 * same order, as ipvs.c's wk_ipvs_pkt and xmit.c's wk_xmit give it.
 * Anything else (a miss, a connection the sequence does not cover)
 * gets a wk_pkt and goes on where wk_ipvs_pkt goes after its lookup
 * (wk_ipvs_pkt_at), the lookup's result in hand; nothing is written before
 * that choice. Runs on the owning worker: writes its connection table
 * entry, its region's counter rows and the packet.
 */
#ifndef DPVS_WORKER_FAST4_H
#define DPVS_WORKER_FAST4_H

#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "shm/conn.h"
#include "shm/conn_addr.h"
#include "worker/ipvs/conn_lookup.h"
#include "worker/ipvs/conn_table.h"
#include "worker/ipvs/ipvs_priv.h"
#include "worker/ipvs/lb.h"
#include "worker/ipvs/tcp_hdr.h"
#include "worker/ipvs/tcp_window.h"
#include "worker/ipvs/xmit.h"
#include "worker/ipvs/xmit4.h"
#include "worker/l2/neigh.h"
#include "worker/worker.h"

/* ipvs.c: wk_ipvs_pkt after its lookup, which hashed pk's tuple to hash
 * (wk_conn_hash) and found connection idx in direction dir (idx
 * DPVS_CONN_NIL: none). A new connection files its inbound key with that
 * hash. */
int wk_ipvs_pkt_at(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, const struct wk_pkt *pk,
		   uint32_t hash, uint32_t idx, int dir, struct wk_verdict *v);

/* ipvs.c: the TCP steps of ipvs_conn_pkt for a segment (header th, l4_len
 * bytes) of connection c in direction dir that is not the one that made
 * it, c without sequence translation: its window (tcp_window.c), then on
 * WK_TCPW_OK the state, the active/inactive counts following. Returns the
 * window's answer (WK_TCPW_BAD: nothing changed, the caller drops it). */
enum wk_tcpw wk_ipvs_tcp_est(struct wk_ctx *ctx, const struct rte_tcp_hdr *th, uint32_t l4_len,
			     struct dpvs_conn *c, int dir);

/* What the sequence takes from the config set and the clock, read once a
 * burst into ctx->fast_set (wk_rx_burst; wk_ipv4_fast_hint for a frame
 * outside one): both are the loop iteration's (loop.c), fixed for the
 * burst. The idle time of a UDP connection as wk_conn_idle_ns gives it
 * (its fall-back, a call, once a burst too). */
static __rte_always_inline void
wk_fast4_set_init(struct wk_ctx *ctx)
{
	const struct dpvs_lb_tables *lb = &ctx->cfg->lb;

	ctx->fast_set.stamp = wk_set_stamp(ctx->cfg);
	ctx->fast_set.udp_exp = ctx->now_ns + wk_conn_idle_ns(&lb->timeouts, IPPROTO_UDP, 0);
	ctx->fast_set.plain = lb->nrates == 0 && lb->ndown == 0;
}

/* The packet counts of connection c and of its rows rs and rd
 * (wk_ipvs_svc_row, wk_ipvs_dest_row) in direction dir (bytes: the IP
 * packet's length). */
static __rte_always_inline void
wk_ipvs_conn_add(struct dpvs_conn *c, struct dpvs_lb_stats *rs, struct dpvs_lb_stats *rd, int dir,
		 uint32_t bytes)
{
	if (dir == DPVS_DIR_IN) {
		c->in_pkts++;
		if (rs != NULL) {
			rs->inpkts++;
			rs->inbytes += bytes;
		}
		if (rd != NULL) {
			rd->inpkts++;
			rd->inbytes += bytes;
		}
	} else {
		c->out_pkts++;
		if (rs != NULL) {
			rs->outpkts++;
			rs->outbytes += bytes;
		}
		if (rd != NULL) {
			rd->outpkts++;
			rd->outbytes += bytes;
		}
	}
}

/* Is a segment with tcp_flags in direction dir a client's SYN that reuses
 * the tuple of TCP connection c, finished (TIME_WAIT or CLOSE)? Then it
 * makes a new connection (ipvs.c, ipvs_syn_reuses), never rides the old. */
static __rte_always_inline int
wk_syn_reuses(const struct dpvs_conn *c, uint8_t tcp_flags, int dir)
{
	return dir == DPVS_DIR_IN && c->proto == IPPROTO_TCP &&
	       (tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) == RTE_TCP_SYN_FLAG &&
	       (c->state == DPVS_TCPS_TIME_WAIT || c->state == DPVS_TCPS_CLOSE);
}

/* The TCP flags that the lean way of an established segment
 * (wk_fast4_tcp_lean) wants to be ACK alone: PSH, ECE and CWR change
 * nothing in the window tracking or the state. */
#define WK_FAST4_TCP_FLAGS \
	(RTE_TCP_FIN_FLAG | RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_URG_FLAG)

/* The part of wk_fast4_covers that a packet's own TCP flags decide: UDP
 * always; TCP flags that TCP sends, not a client's SYN that reopens
 * finished connection c (dir: the packet's direction). */
static __rte_always_inline int
wk_fast4_covers_flags(const struct dpvs_conn *c, int dir, uint8_t tcp_flags, const uint8_t proto)
{
	if (proto == IPPROTO_UDP)
		return 1;
	/* an ACK alone (PSH, ECE, CWR aside): valid, and no SYN */
	if ((tcp_flags & WK_FAST4_TCP_FLAGS) == RTE_TCP_ACK_FLAG)
		return 1;
	return wk_tcp_flags_valid(tcp_flags) && !wk_syn_reuses(c, tcp_flags, dir);
}

/* Does the sequence below carry a packet (tcp_flags: TCP's) of connection
 * c in direction dir that arrived on port p? A live UDP or TCP connection
 * without an IPv6 endpoint or sequence translation, seen on its
 * direction's port, full-NAT or NAT (either direction) or DR (inbound), in
 * a set without rate limits or held-down dests (ctx->fast_set.plain); TCP:
 * flags that TCP sends, not a client's SYN that reopens a finished
 * connection (ipvs.c, ipvs_syn_reuses). wk_ipvs_pkt would take none of its other turns (a
 * drop for the port or the flags, the dest down, a meter, the due or
 * reused connection closed). proto: the packet's, TCP or UDP, a constant,
 * and c's (the lookup matched it). */
static __rte_always_inline int
wk_fast4_covers(const struct wk_ctx *ctx, const struct dpvs_conn *c, uint16_t p, int dir,
		uint8_t tcp_flags, const uint8_t proto)
{
	if ((c->flags & (DPVS_CONN_F_C6 | DPVS_CONN_F_D6 | DPVS_CONN_F_SX)) != 0 ||
	    p != wk_conn_arrival_port(c, dir) || c->expires_ns <= ctx->now_ns ||
	    !ctx->fast_set.plain)
		return 0;
	if (!(c->fwd_mode == DPVS_FWD_FNAT || c->fwd_mode == DPVS_FWD_NAT ||
	      (c->fwd_mode == DPVS_FWD_DR && dir == DPVS_DIR_IN)))
		return 0;
	return wk_fast4_covers_flags(c, dir, tcp_flags, proto);
}

/* The index of connection c in the table. */
static __rte_always_inline uint32_t
wk_fast4_idx(struct wk_ctx *ctx, const struct dpvs_conn *c)
{
	return (uint32_t)(c - dpvs_conn_array(ctx->ct));
}

/* What a connection's counter rows are found from (wk_ipvs_svc_row,
 * wk_ipvs_dest_row: its service's and dest's slots and ids), as the 16
 * bytes of the entry from in_port to dest_id (the ports come along). */
_Static_assert(offsetof(struct dpvs_conn, in_port) == 4 &&
		       offsetof(struct dpvs_conn, out_port) == 5 &&
		       offsetof(struct dpvs_conn, svc_slot) == 6 &&
		       offsetof(struct dpvs_conn, dest_slot) == 8 &&
		       offsetof(struct dpvs_conn, svc_id) == 12 &&
		       offsetof(struct dpvs_conn, dest_id) == 16,
	       "dpvs_conn: the counter rows' slots and ids in bytes 4 to 19");

static __rte_always_inline void
wk_fast4_rkey(const struct dpvs_conn *c, uint64_t k[2])
{
	memcpy(k, (const char *)c + offsetof(struct dpvs_conn, in_port), 16);
}

/* Has c the key k (wk_fast4_rkey)? One 16-byte compare. */
static __rte_always_inline int
wk_fast4_rkey_eq(const struct dpvs_conn *c, const uint64_t k[2])
{
#ifdef __SSE2__
	__m128i a = _mm_loadu_si128(
		(const __m128i *)(const void *)((const char *)c + offsetof(struct dpvs_conn, in_port)));
	__m128i b = _mm_loadu_si128((const __m128i *)(const void *)k);

	return _mm_movemask_epi8(_mm_cmpeq_epi8(a, b)) == 0xffff;
#else
	uint64_t a[2];

	wk_fast4_rkey(c, a);
	return a[0] == k[0] && a[1] == k[1];
#endif
}

/* wk_fast4_out's fresh: 0, or WK_FAST4_MEMO: the sequence's memo gave c
 * (the timer holds what this packet would store already, so the refresh
 * is left out, and the memo has c's counter rows), or WK_FAST4_ROWS: the
 * memo has c's counter rows alone (the connection it took last has the
 * same slots and ids, and no general way ran since). */
#define WK_FAST4_MEMO 1
#define WK_FAST4_ROWS 2

/* The counter rows of connection c (protocol proto) found and kept in the
 * memo, with their key for UDP. */
static __rte_always_inline void
wk_fast4_rows(struct wk_ctx *ctx, const struct dpvs_conn *c, const uint8_t proto)
{
	ctx->fast_memo.rs = wk_ipvs_svc_row(ctx, c);
	ctx->fast_memo.rd = wk_ipvs_dest_row(ctx, c);
	if (proto == IPPROTO_UDP)
		wk_fast4_rkey(c, ctx->fast_memo.rkey);
}

/* wk_fast4_nat's first turn for the memo's tuple: the rewrite of
 * connection c's packets in dir worked out from the packet ip's tuple
 * (the memo's) and kept. Once a burst and tuple, but inline all the
 * same: as a call, its clobbers cost the TCP copies' registers (tcp-in
 * and tcp-out 5 and 7 instructions a packet more, and 4 TSC cycles a
 * segment on the node). */
static __rte_always_inline void
wk_fast4_nat_fill(struct wk_ctx *ctx, const struct dpvs_conn *c, int dir,
		  const struct rte_ipv4_hdr *ip, const uint8_t proto)
{
	wk_nat4_pre_fill(&ctx->fast_memo.nat, ip, ip + 1, wk_nat4_tuple(c, dir));
	if (proto == IPPROTO_TCP)
		ctx->fast_memo.tcp_shift = wk_tcp_track_shift(&c->trk[dir]);
	ctx->fast_memo.nat_on = 1;
}

/* The rewrite (full-NAT or NAT) of the memo's connection c in dir for
 * the packet ip that has the memo's tuple: worked out on the memo's first
 * such packet, kept in the memo (ctx->fast_memo.nat) while its tuple and
 * connection stay (wk_ipvs_fast4_p turns nat_on off with them; c's
 * addresses and ports never change while it lives, and it lives while
 * the memo is on). */
static __rte_always_inline const struct wk_nat4_pre *
wk_fast4_nat(struct wk_ctx *ctx, const struct dpvs_conn *c, int dir,
	     const struct rte_ipv4_hdr *ip, const uint8_t proto)
{
	if (unlikely(!ctx->fast_memo.nat_on))
		wk_fast4_nat_fill(ctx, c, dir, ip, proto);
	return &ctx->fast_memo.nat;
}

/* The end of the packet of connection c, its protocol proto (a constant
 * where it is inlined, so that the rewrite keeps that protocol's case
 * alone) and its window's answer w: timer (on WK_TCPW_OK), counters, then
 * its mode's rewrite and output, as ipvs_conn_pkt and wk_xmit do. fresh:
 * what the sequence's memo has for c (above): the rows not in it are
 * found and kept there, with their key. */
static __rte_always_inline struct wk_verdict
wk_fast4_out(struct wk_ctx *ctx, struct rte_mbuf *m, struct rte_ipv4_hdr *ip, uint32_t l4_len,
	     uint8_t proto, uint8_t tcp_flags, struct dpvs_conn *c, int dir, enum wk_tcpw w,
	     int fresh)
{
	const uint32_t l4_off = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr);
	struct dpvs_lb_stats *rs, *rd;
	struct wk_nat4 t;

	/* the entry (ipv4_fast.h) took a UDP packet only with its whole
	 * header (the IP length at least 28): the rewrite's test of it drops
	 * out */
	if (proto == IPPROTO_UDP && l4_len < sizeof(struct rte_udp_hdr))
		__builtin_unreachable();
	if (w == WK_TCPW_OK && fresh != WK_FAST4_MEMO)
		wk_conn_touch_timer(ctx->ct, c, wk_fast4_idx(ctx, c),
				    proto == IPPROTO_UDP ?
					    ctx->fast_set.udp_exp :
					    ctx->now_ns + wk_conn_idle_ns(&ctx->cfg->lb.timeouts,
									  proto, c->state));
	/* the counter rows: the memo's, or found and kept there */
	if (fresh == 0)
		wk_fast4_rows(ctx, c, proto);
	rs = ctx->fast_memo.rs;
	rd = ctx->fast_memo.rd;
	wk_ipvs_conn_add(c, rs, rd, dir, (uint32_t)sizeof(*ip) + l4_len);
	if (c->fwd_mode == DPVS_FWD_DR)
		return wk_xmit4_dr(ctx, m, l4_off + l4_len, dpvs_conn_a4(c, DPVS_CONN_A_D),
				   ctx->fast_set.stamp);
	/* the memo's tuple: its rewrite worked out once (no SYN here but
	 * the general TCP way's, whose fresh is 0: no MSS clamp; the whole
	 * UDP header is there, above, and TCP's, ipv4_fast.h's entry) */
	if (fresh == WK_FAST4_MEMO && (proto == IPPROTO_UDP || !(tcp_flags & RTE_TCP_SYN_FLAG)))
		return wk_xmit4_rewrite_pre(ctx, m, ip, l4_len, proto, tcp_flags,
					    wk_fast4_nat(ctx, c, dir, ip, proto), ctx->fast_set.stamp);
	t = wk_nat4_tuple(c, dir);
	return wk_xmit4_rewrite(ctx, m, ip, l4_off, proto, tcp_flags, l4_len, t.sa, t.sp, t.da,
				t.dp, ctx->fast_set.stamp);
}

/* The lean way's own tests of an established segment (wk_fast4_tcp_lean):
 * tcp_flags an ACK alone (WK_FAST4_TCP_FLAGS), connection c ESTABLISHED,
 * both sides (snd sends in dir, rcv the other) enforced.
 *
 * fresh: the sequence's memo gave c (wk_ipvs_fast4_p). A TCP memo stays
 * only after a segment of c in dir took the lean way (every other way
 * forgets it), and nothing but that way touched c since: c is still
 * ESTABLISHED, neither side liberal, snd's largest window not 0 (it only
 * grows). rcv's largest window alone can have moved (the update adds to
 * it what the sender sent past its bound, mod 2^32): tested again. */
static __rte_always_inline int
wk_fast4_tcp_lean_ok(const struct dpvs_conn *c, uint8_t tcp_flags, int dir, int fresh)
{
	const struct dpvs_tcp_track *snd = &c->trk[dir], *rcv = &c->trk[dir ^ 1];

	if ((tcp_flags & WK_FAST4_TCP_FLAGS) != RTE_TCP_ACK_FLAG)
		return 0;
	if (fresh)
		return rcv->maxwin != 0;
	return c->state == DPVS_TCPS_ESTABLISHED && wk_tcp_track_enforced(snd, rcv);
}

/* The check and update of the lean way's segment th (l4_len bytes) of c
 * in dir (wk_tcp_track_ack on the header's fields): WK_TCPW_BAD changes
 * nothing. The header's length was checked by wk_ipv4_fast (at most
 * l4_len). */
static __rte_always_inline enum wk_tcpw
wk_fast4_tcp_track(struct dpvs_conn *c, const struct rte_tcp_hdr *th, uint32_t l4_len, int dir)
{
	return wk_tcp_track_ack(&c->trk[dir], &c->trk[dir ^ 1], rte_be_to_cpu_32(th->sent_seq),
				rte_be_to_cpu_32(th->recv_ack), l4_len - wk_tcp_hdr_len(th),
				rte_be_to_cpu_16(th->rx_win));
}

/* wk_fast4_tcp_track for the memo's segment (wk_fast4_tcp_memo): the
 * sender's window shift from the memo (tcp_shift, kept with its rewrite)
 * and its F_MAXACK known to be set (wk_tcp_track_ack_sh): both as the
 * lean segment before it left them. */
static __rte_always_inline enum wk_tcpw
wk_fast4_tcp_track_memo(const struct wk_ctx *ctx, struct dpvs_conn *c,
			const struct rte_tcp_hdr *th, uint32_t l4_len, int dir)
{
	return wk_tcp_track_ack_sh(&c->trk[dir], &c->trk[dir ^ 1], rte_be_to_cpu_32(th->sent_seq),
				   rte_be_to_cpu_32(th->recv_ack), l4_len - wk_tcp_hdr_len(th),
				   rte_be_to_cpu_16(th->rx_win), ctx->fast_memo.tcp_shift, 1);
}

/* The lean way of an established segment: is the TCP segment th (l4_len
 * bytes, tcp_flags) of connection c in direction dir, covered
 * (wk_fast4_covers), an ACK alone in ESTABLISHED, both sides enforced
 * (wk_fast4_tcp_lean_ok; fresh: the memo gave c) and in window? Then its
 * tracking is updated, as wk_ipvs_tcp_est would (wk_tcp_track takes such
 * a segment to wk_tcp_track_ack; the state stays ESTABLISHED in every
 * table), and 1. Anything else: 0, nothing written, and the general way
 * follows (it gives an out-of-window segment its drop). */
static __rte_always_inline int
wk_fast4_tcp_lean(struct dpvs_conn *c, const struct rte_tcp_hdr *th, uint32_t l4_len,
		  uint8_t tcp_flags, int dir, int fresh)
{
	return wk_fast4_tcp_lean_ok(c, tcp_flags, dir, fresh) &&
	       wk_fast4_tcp_track(c, th, l4_len, dir) == WK_TCPW_OK;
}

/* A TCP segment of connection c (dir), covered (wk_fast4_covers), that
 * the lean way left: its window and state by the general tracking
 * (wk_ipvs_tcp_est; out of the window: dropped, nothing changed), then
 * wk_fast4_out. The state may change and a segment let through
 * (WK_TCPW_PASS) leaves the timer as it was: the memo, which says that
 * the timer is fresh, is forgotten. Out of line: the rare case. */
static __rte_unused __rte_noinline struct wk_verdict
wk_fast4_tcp(struct wk_ctx *ctx, struct rte_mbuf *m, struct rte_ipv4_hdr *ip, uint32_t l4_len,
	     uint8_t tcp_flags, struct dpvs_conn *c, int dir)
{
	enum wk_tcpw w = wk_ipvs_tcp_est(ctx, (const struct rte_tcp_hdr *)(ip + 1), l4_len, c, dir);

	ctx->fast_memo.proto = 0;
	if (w == WK_TCPW_BAD)
		return wk_drop(DPVS_DROP_TCP_WINDOW);
	return wk_fast4_out(ctx, m, ip, l4_len, IPPROTO_TCP, tcp_flags, c, dir, w, 0);
}

/* The packet of connection c (dir), covered (wk_fast4_covers), of
 * protocol proto (a constant: the lookup matched it): UDP, and TCP's lean
 * way (wk_fast4_tcp_lean, a copy per direction: the tracking's sides, the
 * counters and the rewrite's addresses at fixed places; no SYN, so the
 * rewrite's MSS clamp drops out), inline; TCP's general way by
 * wk_fast4_tcp. */
static __rte_always_inline struct wk_verdict
wk_fast4_conn_pkt(struct wk_ctx *ctx, struct rte_mbuf *m, struct rte_ipv4_hdr *ip,
		  uint32_t l4_len, uint8_t tcp_flags, struct dpvs_conn *c, int dir,
		  const uint8_t proto, int fresh)
{
	const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(ip + 1);

	if (proto == IPPROTO_UDP)
		return wk_fast4_out(ctx, m, ip, l4_len, IPPROTO_UDP, 0, c, dir, WK_TCPW_OK, fresh);
	if (dir == DPVS_DIR_IN) {
		if (likely(wk_fast4_tcp_lean(c, th, l4_len, tcp_flags, DPVS_DIR_IN, fresh)))
			return wk_fast4_out(ctx, m, ip, l4_len, IPPROTO_TCP, RTE_TCP_ACK_FLAG, c,
					    DPVS_DIR_IN, WK_TCPW_OK, fresh);
	} else if (likely(wk_fast4_tcp_lean(c, th, l4_len, tcp_flags, DPVS_DIR_OUT, fresh))) {
		return wk_fast4_out(ctx, m, ip, l4_len, IPPROTO_TCP, RTE_TCP_ACK_FLAG, c,
				    DPVS_DIR_OUT, WK_TCPW_OK, fresh);
	}
	return wk_fast4_tcp(ctx, m, ip, l4_len, tcp_flags, c, dir);
}

/* wk_ip_from_v4 (neigh.h) field by field: the zeros as word stores, which
 * the compiler does not turn into a block clear of the wk_pkt (a rep stos
 * that costs a step a byte). */
static __rte_always_inline void
wk_fast4_ip(struct dpvs_ip *ip, uint32_t addr_be)
{
	const uint32_t zero = 0;

	ip->family = DPVS_AF_INET;
	ip->pad[0] = ip->pad[1] = ip->pad[2] = 0;
	memcpy(ip->bytes, &addr_be, 4);
	memcpy(ip->bytes + 4, &zero, 4);
	memcpy(ip->bytes + 8, &zero, 4);
	memcpy(ip->bytes + 12, &zero, 4);
}

/* The wk_pkt of an untagged IPv4 TCP/UDP frame with a 20-byte header that
 * wk_ipv4_fast parsed (ports: its first two L4 words): what wk_ipvs_in
 * would have parsed. One definition for the fast sequence's fall-back and
 * for the hook table's walk (ipv4.c). */
static __rte_always_inline void
wk_fast4_pkt(struct wk_pkt *pk, const struct rte_ipv4_hdr *ip, const uint16_t *ports,
	     uint8_t tcp_flags, uint32_t l4_len)
{
	pk->family = DPVS_AF_INET;
	pk->proto = ip->next_proto_id;
	pk->tcp_flags = tcp_flags;
	pk->l3_off = RTE_ETHER_HDR_LEN;
	pk->l4_off = RTE_ETHER_HDR_LEN + sizeof(*ip);
	wk_fast4_ip(&pk->src, ip->src_addr);
	wk_fast4_ip(&pk->dst, ip->dst_addr);
	pk->sport = ports[0];
	pk->dport = ports[1];
	pk->l4_len = l4_len;
}

/* The hash of the tuple of the IPv4 packet ip (ports: its TCP/UDP ports)
 * of protocol proto: the hint's when it carries it (worker.h), else
 * computed (no hint, or a candidate in its place). */
static __rte_always_inline uint32_t
wk_fast4_hash(uint64_t hint, const uint8_t proto, const struct rte_ipv4_hdr *ip,
	      const uint16_t *ports)
{
	if ((hint & (WK_CONN_HINT_CAND | WK_CONN_HASH_HINT)) == WK_CONN_HASH_HINT)
		return (uint32_t)hint;
	return wk_conn_hash4(proto, ip->src_addr, ports[0], ip->dst_addr, ports[1]);
}

/* Does the sequence's memo (below) hold the tuple of the IPv4 packet ip
 * (its TCP/UDP ports after a 20-byte header), of protocol proto? */
static __rte_always_inline int
wk_fast4_memo_hit(const struct wk_ctx *ctx, const struct rte_ipv4_hdr *ip, const uint8_t proto)
{
	return ctx->fast_memo.addrs == wk_tuple4_addrs(&ip->src_addr) &&
	       ctx->fast_memo.ports == wk_tuple4_ports((const uint16_t *)(ip + 1)) &&
	       ctx->fast_memo.proto == proto;
}

/* wk_ipvs_fast4_p's general way for a tuple its lookup did not find in
 * home bucket k of hash (more: what the general lookup does next): the
 * rest of the lookup, with the wk_pkt's addresses, and wk_ipvs_pkt_at. */
static __rte_always_inline int
wk_fast4_miss(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, struct rte_ipv4_hdr *ip,
	      uint32_t l4_len, uint8_t tcp_flags, struct wk_verdict *v, const uint8_t proto,
	      const struct dpvs_conn_bkt *k, uint32_t hash, int dir, int more)
{
	uint32_t idx = DPVS_CONN_NIL;
	struct wk_pkt pk;

	wk_fast4_pkt(&pk, ip, (const uint16_t *)(ip + 1), tcp_flags, l4_len);
	if (unlikely(more == WK_CONN_MORE_ON))
		idx = wk_conn_lookup_on(ctx->ct, k, hash, proto, &pk.src, pk.sport, &pk.dst,
					pk.dport, &dir);
	else if (unlikely(more == WK_CONN_MORE_ALL))
		idx = wk_conn_lookup_hash(ctx->ct, hash, proto, &pk.src, pk.sport, &pk.dst,
					  pk.dport, &dir);
	/* no connection, for the service that the last new connection of
	 * the burst found (ctx->svc_memo, wk_svc_memo_hit as ipvs.c
	 * ipvs_svc_lookup tests it): wk_ipvs_pkt_at's way to wk_ipvs_new
	 * without its call (a SYN flood's every SYN but a burst's first).
	 * TCP only: in UDP's copy, inline in the burst loop, it cost the
	 * established way 5 instructions a packet (udp-in) */
	if (proto == IPPROTO_TCP && idx == DPVS_CONN_NIL &&
	    wk_svc_memo_hit(ctx, proto, ip->dst_addr, pk.dport)) {
		wk_verdict_put(v, wk_ipvs_new(ctx, m, p, &pk, ctx->svc_memo.svc, hash));
		return 1;
	}
	return wk_ipvs_pkt_at(ctx, m, p, &pk, hash, idx, dir, v);
}

/* wk_ipvs_pkt for the IPv4 packet in m that wk_ipv4_fast parsed: ip at
 * offset 14 with a 20-byte header, its TCP/UDP header after it, l4_len
 * bytes from there to the end of the IP packet, tcp_flags (TCP only),
 * hint what the burst's prefetch stage carried for it (worker.h: its
 * tuple's hash, or a candidate, or 0), proto its protocol (TCP or UDP, a
 * constant: a copy of the sequence per protocol), memo whether the
 * memo holds the packet's tuple (wk_fast4_memo_hit): -1 to be found here,
 * 0 or 1 when the caller found it (a constant: the copy keeps that way
 * alone). The same contract: 1 with *v set, or 0 when it is not the load
 * balancer's.
 *
 * The memo (ctx->fast_memo): inside a burst (wk_rx_burst: one port, the
 * loop's clock and config set; a frame outside one, wk_pipeline, forgets
 * it after), the tuple and protocol of the packet the sequence took last,
 * its connection, direction and counter rows. A packet with the
 * same takes that connection without the lookup: the index has not
 * changed since (only the general way changes it, which forgets the
 * memo), and of wk_fast4_covers only what its own flags decide can differ
 * (the connection's flags, mode, ports and the set's limits are the same,
 * and its expiry, just refreshed to the burst's clock plus at least a
 * second, is still ahead). Its timer holds what the packet would store,
 * the burst's clock plus the idle time of its state: UDP has none, TCP's
 * lean way leaves it ESTABLISHED, and the general tracking, which may
 * change the state or leave the timer, forgets the memo (wk_fast4_tcp). */
static __rte_always_inline int
wk_ipvs_fast4_p(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, struct rte_ipv4_hdr *ip,
		uint32_t l4_len, uint8_t tcp_flags, uint64_t hint, struct wk_verdict *v,
		const uint8_t proto, const int memo)
{
	const uint16_t *ports = (const uint16_t *)(ip + 1);
	const struct dpvs_conn_bkt *k;
	struct dpvs_conn *c;
	struct wk_pkt pk;
	uint32_t hash, idx;
	int dir = DPVS_DIR_IN, more = WK_CONN_MORE_NONE, fresh = 0, ok;

	if (memo < 0 ? wk_fast4_memo_hit(ctx, ip, proto) : memo) {
		dir = ctx->fast_memo.dir;
		c = ctx->fast_memo.c;
		fresh = WK_FAST4_MEMO;
		ok = wk_fast4_covers_flags(c, dir, tcp_flags, proto);
	} else {
		/* the memo's key at once (its registers then free for the
		 * lookup); its protocol, which turns it on, only with a
		 * connection (else the general way turns it off) */
		ctx->fast_memo.addrs = wk_tuple4_addrs(&ip->src_addr);
		ctx->fast_memo.ports = wk_tuple4_ports(ports);
		/* the hint's candidate first (worker.h): neither its bucket
		 * nor the table's header read; else, or not a match, the
		 * bucket's walk with the tuple's hash (none there: the
		 * general way goes on from the walk) */
		if ((hint & WK_CONN_HINT_CAND) != 0 &&
		    wk_conn_cand_match4(wk_conn_hint_conn(hint), wk_conn_hint_dir(hint), proto,
					&ip->src_addr, ports)) {
			c = wk_conn_hint_conn(hint);
			dir = wk_conn_hint_dir(hint);
		} else {
			hash = wk_fast4_hash(hint, proto, ip, ports);
			k = wk_conn_home(ctx->ct, hash);
			idx = wk_conn_home_find4(ctx->ct, k, hash, proto, &ip->src_addr, ports,
						 &dir, &more);
			if (idx == DPVS_CONN_NIL) {
				ctx->fast_memo.proto = 0;
				return wk_fast4_miss(ctx, m, p, ip, l4_len, tcp_flags, v, proto, k,
						     hash, dir, more);
			}
			c = &dpvs_conn_array(ctx->ct)[idx];
		}
		/* the memo's rows and their key hold while it is on (no
		 * general way since): a UDP connection with the same key
		 * takes them; another's are found and kept there now (both
		 * WK_FAST4_ROWS). UDP's alone: the key is written by UDP's
		 * copy only (TCP's, out of line, lost more to its upkeep
		 * than it saved in the pipe's tcp-in) */
		if (proto == IPPROTO_UDP) {
			if (ctx->fast_memo.proto != IPPROTO_UDP ||
			    !wk_fast4_rkey_eq(c, ctx->fast_memo.rkey))
				wk_fast4_rows(ctx, c, proto);
			fresh = WK_FAST4_ROWS;
		}
		/* the memo on, forgotten below unless the sequence takes the
		 * packet (its rows: wk_fast4_out) */
		ctx->fast_memo.proto = proto;
		ctx->fast_memo.dir = (uint8_t)dir;
		ctx->fast_memo.nat_on = 0; /* a new tuple: its rewrite not known */
		ctx->fast_memo.c = c;
		ok = wk_fast4_covers(ctx, c, p, dir, tcp_flags, proto);
	}
	if (likely(ok)) {
		wk_verdict_put(v, wk_fast4_conn_pkt(ctx, m, ip, l4_len, tcp_flags, c, dir, proto,
						    fresh));
		return 1;
	}
	ctx->fast_memo.proto = 0; /* the general way: the index may change */
	/* c found (the memo, the candidate or the walk): wk_ipvs_pkt_at
	 * files a connection that replaces it with the tuple's hash */
	idx = wk_fast4_idx(ctx, c);
	hash = wk_fast4_hash(hint, proto, ip, ports);
	wk_fast4_pkt(&pk, ip, ports, tcp_flags, l4_len);
	return wk_ipvs_pkt_at(ctx, m, p, &pk, hash, idx, dir, v);
}

/* The memo's TCP segment (ctx->fast_memo gave c, sent in dir, a
 * constant) in its common case: an ACK alone (WK_FAST4_TCP_FLAGS), the
 * receiving side seen (wk_fast4_tcp_lean, fresh), full-NAT or NAT, its TTL
 * above 1, its new destination the output memo's and within its MTU
 * (wk_xmit4_rewrite's way without a call), in window: tracked, counted
 * (the memo's rows), rewritten and framed, *v its verdict, and 1: what
 * wk_fast4_conn_pkt and wk_fast4_out give it, each test before the first
 * write. Else 0, nothing written (but the memo's rewrite, wk_fast4_nat,
 * which holds whatever the segment's way). */
static __rte_always_inline int
wk_fast4_tcp_memo(struct wk_ctx *ctx, struct rte_mbuf *m, struct rte_ipv4_hdr *ip,
		  uint32_t l4_len, uint8_t tcp_flags, struct dpvs_conn *c, const int dir,
		  struct wk_verdict *v)
{
	const uint32_t l4_off = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr);
	const struct wk_nat4_pre *pr;

	if (!wk_fast4_tcp_lean_ok(c, tcp_flags, dir, 1) || ip->time_to_live <= 1)
		return 0;
	/* the memo's rewrite, kept only for a full-NAT or NAT connection
	 * (here, and in wk_fast4_out after its DR return; c's mode never
	 * changes while it lives): with it on, c is not DR */
	if (unlikely(!ctx->fast_memo.nat_on)) {
		if (c->fwd_mode == DPVS_FWD_DR)
			return 0;
		wk_fast4_nat_fill(ctx, c, dir, ip, IPPROTO_TCP);
	}
	pr = &ctx->fast_memo.nat;
	if (!wk_out_memo_hit(ctx, ctx->fast_set.stamp, pr->da) ||
	    l4_off + l4_len > ctx->out_memo.end_max ||
	    wk_fast4_tcp_track_memo(ctx, c, (const struct rte_tcp_hdr *)(ip + 1), l4_len, dir) !=
		    WK_TCPW_OK)
		return 0;
	wk_ipvs_conn_add(c, ctx->fast_memo.rs, ctx->fast_memo.rd, dir,
			 (uint32_t)sizeof(*ip) + l4_len);
	/* wk_xmit4_nat_body's, by the memo's rewrite: an ACK (no MSS clamp),
	 * the whole TCP header there (ipv4_fast.h's entry) */
	ip->time_to_live--;
	wk_fnat_rewrite_pre(ip, ip + 1, IPPROTO_TCP, pr);
	wk_xmit_trim_to(m, l4_off + l4_len);
	wk_out_memo_eth(ctx, (uint8_t *)ip - RTE_ETHER_HDR_LEN);
	wk_verdict_put(v, wk_out_memo_tx(ctx));
	return 1;
}

/* wk_ipvs_fast4_p of a TCP segment whose tuple the memo holds (hit) or
 * not (miss), out of line: its own copy of the sequence, the protocol a
 * constant (the UDP copy inline beside it keeps its registers). */
static __rte_unused __rte_noinline int
wk_ipvs_fast4_tcp_hit(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, struct rte_ipv4_hdr *ip,
		      uint32_t l4_len, uint8_t tcp_flags, uint64_t hint, struct wk_verdict *v)
{
	return wk_ipvs_fast4_p(ctx, m, p, ip, l4_len, tcp_flags, hint, v, IPPROTO_TCP, 1);
}

static __rte_unused __rte_noinline int
wk_ipvs_fast4_tcp_miss(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p,
		       struct rte_ipv4_hdr *ip, uint32_t l4_len, uint8_t tcp_flags, uint64_t hint,
		       struct wk_verdict *v)
{
	return wk_ipvs_fast4_p(ctx, m, p, ip, l4_len, tcp_flags, hint, v, IPPROTO_TCP, 0);
}

/* wk_ipvs_pkt for the IPv4 TCP or UDP packet in m that wk_ipv4_fast
 * parsed (wk_ipvs_fast4_p says what it takes): UDP inline, TCP by
 * wk_ipvs_fast4_tcp. */
static __rte_always_inline int
wk_ipvs_fast4(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p, struct rte_ipv4_hdr *ip,
	      uint32_t l4_len, uint8_t tcp_flags, uint64_t hint, struct wk_verdict *v)
{
	if (unlikely(ip->next_proto_id == IPPROTO_TCP)) {
		if (!wk_fast4_memo_hit(ctx, ip, IPPROTO_TCP))
			return wk_ipvs_fast4_tcp_miss(ctx, m, p, ip, l4_len, tcp_flags, hint, v);
		if (ctx->fast_memo.dir == DPVS_DIR_IN) {
			if (likely(wk_fast4_tcp_memo(ctx, m, ip, l4_len, tcp_flags,
						     ctx->fast_memo.c, DPVS_DIR_IN, v)))
				return 1;
		} else if (likely(wk_fast4_tcp_memo(ctx, m, ip, l4_len, tcp_flags,
						    ctx->fast_memo.c, DPVS_DIR_OUT, v))) {
			return 1;
		}
		return wk_ipvs_fast4_tcp_hit(ctx, m, p, ip, l4_len, tcp_flags, hint, v);
	}
	return wk_ipvs_fast4_p(ctx, m, p, ip, l4_len, tcp_flags, hint, v, IPPROTO_UDP, -1);
}

#endif
