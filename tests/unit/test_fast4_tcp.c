/*
 * Unit tests for the memo's TCP segment in its common case
 * (worker/ipvs/fast4.h, wk_fast4_tcp_memo): a segment of the connection
 * the burst's memo holds, tracked, counted, rewritten and framed without
 * the general sequence, and every test it makes before its first write.
 * A full-NAT connection after its handshake, a client's data ACK in a
 * frame, the output memo of its real server filled; the positive case
 * first, then each condition alone broken (flags, the receiver unseen,
 * direct routing, the TTL, the output memo's destination and set, the
 * MTU, the window): each must leave the segment (0) with the frame, the
 * connection and the context as they were. A test taken out of
 * wk_fast4_tcp_memo lets its case through and fails here. Plain memory:
 * no EAL, a context and a config set of zeros, an mbuf on the stack.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <netinet/in.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "shm/config.h"
#include "shm/conn.h"
#include "worker/ipvs/fast4.h"
#include "worker/ipvs/tcp_window.h"
#include "worker/worker.h"

#define CLI_ISN 1000u
#define SRV_ISN 5000u
#define PAYLOAD 10u
#define FRAME_LEN (RTE_ETHER_HDR_LEN + 20 + 20 + PAYLOAD)
#define A4(a, b, c, d) rte_cpu_to_be_32(((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

struct fx {
	struct wk_ctx *ctx;
	struct dpvs_config_set *cfg;
	struct dpvs_conn c;
	struct rte_mbuf m;
	uint8_t frame[FRAME_LEN];
	struct wk_verdict v;
};

/* The client's data ACK (seq CLI_ISN + 1, ack SRV_ISN + 1, PAYLOAD bytes)
 * to the VIP, TTL 64. */
static void
frame_init(uint8_t *f)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

	memset(f, 0, FRAME_LEN);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(20 + 20 + PAYLOAD);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = A4(10, 0, 0, 2);
	ip->dst_addr = A4(10, 0, 0, 100);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->src_port = rte_cpu_to_be_16(40000);
	th->dst_port = rte_cpu_to_be_16(80);
	th->sent_seq = rte_cpu_to_be_32(CLI_ISN + 1);
	th->recv_ack = rte_cpu_to_be_32(SRV_ISN + 1);
	th->data_off = 5 << 4;
	th->tcp_flags = RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG;
	th->rx_win = rte_cpu_to_be_16(8192);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
}

/* Are the IPv4 and TCP checksums of frame f right? */
static int
cksums_ok(const uint8_t *f)
{
	uint8_t g[FRAME_LEN];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(g + RTE_ETHER_HDR_LEN);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	uint16_t ipck, tck;

	memcpy(g, f, sizeof(g));
	ipck = ip->hdr_checksum;
	tck = th->cksum;
	ip->hdr_checksum = 0;
	th->cksum = 0;
	return rte_ipv4_cksum(ip) == ipck && rte_ipv4_udptcp_cksum(ip, th) == tck;
}

/* A full-NAT connection client 10.0.0.2:40000 -> VIP 10.0.0.100:80, local
 * 192.168.1.1:1024 -> real server 192.168.1.10:8080, after its handshake
 * (both sides seen, no window scale); the output memo holds the real
 * server in the current set. */
static void
fx_init_ws(struct fx *x, uint8_t ws_c, uint8_t ws_s)
{
	struct wk_tcp_seg s = { .seq = CLI_ISN, .len = 0, .win = 8192,
				.flags = RTE_TCP_SYN_FLAG, .wscale = ws_c };
	const uint8_t eth[14] = { 2, 0, 0, 0, 0, 0x10, 2, 0, 0, 0, 0, 1, 8, 0 };
	struct wk_verdict tx = { 0 };

	x->ctx = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(sizeof(*x->ctx),
								  RTE_CACHE_LINE_SIZE));
	x->cfg = calloc(1, sizeof(*x->cfg));
	ck_assert_ptr_nonnull(x->ctx);
	ck_assert_ptr_nonnull(x->cfg);
	memset(x->ctx, 0, sizeof(*x->ctx));
	x->cfg->version = 7;
	x->ctx->cfg = x->cfg;
	memset(&x->c, 0, sizeof(x->c));
	x->c.proto = IPPROTO_TCP;
	x->c.state = DPVS_TCPS_ESTABLISHED;
	x->c.fwd_mode = DPVS_FWD_FNAT;
	x->c.flags = DPVS_CONN_F_OUT;
	x->c.a4[DPVS_CONN_A_C] = A4(10, 0, 0, 2);
	x->c.a4[DPVS_CONN_A_V] = A4(10, 0, 0, 100);
	x->c.a4[DPVS_CONN_A_L] = A4(192, 168, 1, 1);
	x->c.a4[DPVS_CONN_A_D] = A4(192, 168, 1, 10);
	x->c.cport = rte_cpu_to_be_16(40000);
	x->c.vport = rte_cpu_to_be_16(80);
	x->c.lport = rte_cpu_to_be_16(1024);
	x->c.dport = rte_cpu_to_be_16(8080);
	wk_tcp_track_init(x->c.trk, &s);
	s = (struct wk_tcp_seg){ .seq = SRV_ISN, .ack = CLI_ISN + 1, .win = 8192,
				 .flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
				 .wscale = ws_s };
	ck_assert_int_eq(wk_tcp_track(x->c.trk, DPVS_DIR_OUT, &s), WK_TCPW_OK);
	s = (struct wk_tcp_seg){ .seq = CLI_ISN + 1, .ack = SRV_ISN + 1, .win = 8192,
				 .flags = RTE_TCP_ACK_FLAG, .wscale = WK_TCP_NO_WSCALE };
	ck_assert_int_eq(wk_tcp_track(x->c.trk, DPVS_DIR_IN, &s), WK_TCPW_OK);
	x->ctx->out_memo.set = wk_set_stamp(x->cfg);
	x->ctx->out_memo.dst = A4(192, 168, 1, 10);
	x->ctx->out_memo.end_max = RTE_ETHER_HDR_LEN + 1500;
	x->ctx->out_memo.port = 1;
	tx.kind = DPVS_VERDICT_TX;
	tx.port = 1;
	memcpy(&x->ctx->out_memo.tx, &tx, sizeof(tx));
	memcpy(x->ctx->out_memo.eth, eth, sizeof(eth));
	frame_init(x->frame);
	memset(&x->m, 0, sizeof(x->m));
	x->m.buf_addr = x->frame;
	x->m.data_off = 0;
	x->m.data_len = FRAME_LEN;
	x->m.pkt_len = FRAME_LEN;
	x->m.nb_segs = 1;
	memset(&x->v, 0xee, sizeof(x->v));
}

/* fx_init_ws without window scaling. */
static void
fx_init(struct fx *x)
{
	fx_init_ws(x, WK_TCP_NO_WSCALE, WK_TCP_NO_WSCALE);
}

static void
fx_free(struct fx *x)
{
	free(x->ctx);
	free(x->cfg);
}

static int
memo_seg(struct fx *x)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(x->frame + RTE_ETHER_HDR_LEN);
	const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(ip + 1);

	wk_fast4_set_init(x->ctx); /* what a burst reads of the set first */
	return wk_fast4_tcp_memo(x->ctx, &x->m, ip, 20 + PAYLOAD, th->tcp_flags, &x->c,
				 DPVS_DIR_IN, &x->v);
}

START_TEST(test_memo_seg_taken)
{
	struct fx x;
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *th;

	fx_init(&x);
	ck_assert(cksums_ok(x.frame));
	ck_assert_int_eq(memo_seg(&x), 1);
	ip = (const struct rte_ipv4_hdr *)(x.frame + RTE_ETHER_HDR_LEN);
	th = (const struct rte_tcp_hdr *)(ip + 1);
	ck_assert_uint_eq(ip->src_addr, A4(192, 168, 1, 1));
	ck_assert_uint_eq(ip->dst_addr, A4(192, 168, 1, 10));
	ck_assert_uint_eq(ip->time_to_live, 63);
	ck_assert_uint_eq(th->src_port, rte_cpu_to_be_16(1024));
	ck_assert_uint_eq(th->dst_port, rte_cpu_to_be_16(8080));
	ck_assert(cksums_ok(x.frame));
	ck_assert(memcmp(x.frame, x.ctx->out_memo.eth, RTE_ETHER_HDR_LEN) == 0);
	ck_assert_int_eq(x.v.kind, DPVS_VERDICT_TX);
	ck_assert_uint_eq(x.v.port, 1);
	ck_assert_uint_eq(x.c.in_pkts, 1);
	ck_assert_uint_eq(x.c.trk[DPVS_DIR_IN].end, CLI_ISN + 1 + PAYLOAD);
	fx_free(&x);
}
END_TEST

/* Each condition of wk_fast4_tcp_memo broken alone (_i): the segment left,
 * nothing written. */
START_TEST(test_memo_seg_left)
{
	struct fx x;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	struct dpvs_conn c0;
	uint8_t f0[FRAME_LEN];

	fx_init(&x);
	ip = (struct rte_ipv4_hdr *)(x.frame + RTE_ETHER_HDR_LEN);
	th = (struct rte_tcp_hdr *)(ip + 1);
	switch (_i) {
	case 0: /* a FIN: not an ACK alone */
		th->tcp_flags |= RTE_TCP_FIN_FLAG;
		break;
	case 1: /* the receiver's largest window 0 (wrapped): unseen */
		x.c.trk[DPVS_DIR_OUT].maxwin = 0;
		break;
	case 2: /* direct routing: no rewrite */
		x.c.fwd_mode = DPVS_FWD_DR;
		break;
	case 3: /* the TTL expires here */
		ip->time_to_live = 1;
		break;
	case 4: /* the output memo holds another destination */
		x.ctx->out_memo.dst = A4(192, 168, 1, 11);
		break;
	case 5: /* ... or one of another config set */
		x.cfg->version++;
		break;
	case 6: /* the packet over its interface's MTU */
		x.ctx->out_memo.end_max = FRAME_LEN - 1;
		break;
	case 7: /* its sequence number beyond what the server offered (I) */
		th->sent_seq = rte_cpu_to_be_32(CLI_ISN + 1 + 8192 + 1);
		break;
	default:
		ck_abort();
	}
	memcpy(&c0, &x.c, sizeof(c0));
	memcpy(f0, x.frame, sizeof(f0));
	ck_assert_msg(memo_seg(&x) == 0, "case %d taken", _i);
	ck_assert_msg(memcmp(&c0, &x.c, sizeof(c0)) == 0, "case %d: connection written", _i);
	ck_assert_msg(memcmp(f0, x.frame, sizeof(f0)) == 0, "case %d: frame written", _i);
	fx_free(&x);
}
END_TEST

/* The memo's segments of a connection with window scaling (the client's
 * 7, the server's 2), one after another as a burst's run of them: the
 * first fills the memo's rewrite and its sender's shift, the later take
 * both from it (wk_fast4_tcp_track_memo, F_MAXACK taken as set); each
 * leaves the tracking as the general wk_tcp_track leaves a copy of it.
 * The acks advance (the server's side has sent 1,000 bytes) and the
 * windows grow, so that every update that the shift or the ack feeds
 * (maxwin, maxack, the server's maxend) moves. */
START_TEST(test_memo_seg_scaled)
{
	struct dpvs_tcp_track ref[2];
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	struct wk_tcp_seg s;
	struct fx x;
	uint32_t k;

	fx_init_ws(&x, 7, 2);
	ck_assert_uint_eq(x.c.trk[DPVS_DIR_IN].wscale, 7);
	x.c.trk[DPVS_DIR_OUT].end += 1000;
	x.c.trk[DPVS_DIR_OUT].maxend += 1000;
	memcpy(ref, x.c.trk, sizeof(ref));
	for (k = 0; k < 4; k++) {
		s = (struct wk_tcp_seg){ .seq = CLI_ISN + 1 + k * PAYLOAD,
					 .ack = SRV_ISN + 1 + 100 * (k + 1),
					 .len = PAYLOAD,
					 .win = (uint16_t)(8192 + 64 * (k + 1)),
					 .flags = RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG,
					 .wscale = WK_TCP_NO_WSCALE };
		frame_init(x.frame);
		ip = (struct rte_ipv4_hdr *)(x.frame + RTE_ETHER_HDR_LEN);
		th = (struct rte_tcp_hdr *)(ip + 1);
		th->sent_seq = rte_cpu_to_be_32(s.seq);
		th->recv_ack = rte_cpu_to_be_32(s.ack);
		th->rx_win = rte_cpu_to_be_16(s.win);
		th->cksum = 0;
		th->cksum = rte_ipv4_udptcp_cksum(ip, th);
		x.m.data_len = FRAME_LEN;
		x.m.pkt_len = FRAME_LEN;
		ck_assert_int_eq(wk_tcp_track(ref, DPVS_DIR_IN, &s), WK_TCPW_OK);
		ck_assert_msg(memo_seg(&x) == 1, "segment %u left", k);
		ck_assert_uint_eq(x.ctx->fast_memo.nat_on, 1);
		ck_assert_msg(memcmp(ref, x.c.trk, sizeof(ref)) == 0,
			      "segment %u: tracking differs from wk_tcp_track's", k);
		ck_assert(cksums_ok(x.frame));
	}
	ck_assert_uint_eq(x.c.trk[DPVS_DIR_OUT].maxend,
			  SRV_ISN + 1 + 400 + ((uint32_t)(8192 + 256) << 7));
	fx_free(&x);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("fast4_tcp");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_memo_seg_taken);
	tcase_add_loop_test(tc, test_memo_seg_left, 0, 8);
	tcase_add_test(tc, test_memo_seg_scaled);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
