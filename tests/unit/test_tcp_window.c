/*
 * Unit tests for the TCP guards of the ipvs path (worker/ipvs/tcp_window.c):
 * the valid flag combinations, a header's length (worker/ipvs/tcp_hdr.h),
 * the parse of a segment (window scale option), and window tracking on
 * plain memory: a handshake, data and acks in and out of the window,
 * sequence numbers that wrap around 2^32, window scaling on both sides or
 * one, retransmissions and probes, RSTs (exact, in window, outside), the
 * real server's first segment (a reset of the SYN, a challenge ACK and the
 * client's reset of it), a new handshake on the same tuple, a connection
 * picked up mid-stream, a one-way connection. A refused segment must leave
 * the tracking as it was. And the lean way of an established ACK
 * (worker/ipvs/fast4.h, wk_fast4_tcp_lean) with and without the memo's
 * word that the connection took it before. No EAL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <rte_byteorder.h>
#include <rte_tcp.h>

#include "shm/conn.h"
#include "worker/ipvs/fast4.h"
#include "worker/ipvs/tcp_hdr.h"
#include "worker/ipvs/tcp_window.h"

#define F RTE_TCP_FIN_FLAG
#define S RTE_TCP_SYN_FLAG
#define R RTE_TCP_RST_FLAG
#define P RTE_TCP_PSH_FLAG
#define A RTE_TCP_ACK_FLAG
#define U RTE_TCP_URG_FLAG
#define E RTE_TCP_ECE_FLAG
#define C RTE_TCP_CWR_FLAG
#define IN  DPVS_DIR_IN
#define OUT DPVS_DIR_OUT
#define NOWS WK_TCP_NO_WSCALE

static struct wk_tcp_seg
seg(uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len, uint16_t win)
{
	struct wk_tcp_seg s = { .seq = seq, .ack = ack, .len = len, .win = win,
				.flags = flags, .wscale = NOWS };
	return s;
}

static struct wk_tcp_seg
syn_seg(uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win, uint8_t ws)
{
	struct wk_tcp_seg s = seg(flags, seq, ack, 0, win);

	s.wscale = ws;
	return s;
}

static enum wk_tcpw
track(struct dpvs_tcp_track *trk, int dir, struct wk_tcp_seg s)
{
	return wk_tcp_track(trk, dir, &s);
}

/* The segment must be refused (want) and leave the tracking as it was. */
static void
refused(struct dpvs_tcp_track *trk, int dir, struct wk_tcp_seg s, enum wk_tcpw want,
	const char *what)
{
	struct dpvs_tcp_track before[2];

	memcpy(before, trk, sizeof(before));
	ck_assert_msg(wk_tcp_track(trk, dir, &s) == want, "%s: verdict", what);
	ck_assert_msg(memcmp(before, trk, sizeof(before)) == 0, "%s: tracking changed", what);
}

/* Client ISN ci, window cw, scale cws; server ISN si, window sw, scale sws;
 * SYN, SYN+ACK, ACK all accepted. */
static void
handshake(struct dpvs_tcp_track *trk, uint32_t ci, uint16_t cw, uint8_t cws, uint32_t si,
	  uint16_t sw, uint8_t sws)
{
	struct wk_tcp_seg s = syn_seg(S, ci, 0, cw, cws);

	wk_tcp_track_init(trk, &s);
	ck_assert_int_eq(track(trk, OUT, syn_seg(S | A, si, ci + 1, sw, sws)), WK_TCPW_OK);
	ck_assert_int_eq(track(trk, IN, seg(A, ci + 1, si + 1, 0, cw)), WK_TCPW_OK);
}

START_TEST(test_flags_table)
{
	static const uint8_t valid[] = { S, S | U, S | A, R, R | A, F | A, F | A | U, A, A | U };
	unsigned int f, i;

	for (f = 0; f < 256; f++) {
		int want = 0;

		for (i = 0; i < RTE_DIM(valid); i++)
			want |= (f & ~(P | E | C)) == valid[i];
		ck_assert_msg(wk_tcp_flags_valid((uint8_t)f) == want, "flags 0x%02x", f);
	}
	ck_assert(!wk_tcp_flags_valid(S | F));
	ck_assert(!wk_tcp_flags_valid(S | R));
	ck_assert(!wk_tcp_flags_valid(F));
	ck_assert(!wk_tcp_flags_valid(0));
	ck_assert(!wk_tcp_flags_valid(S | A | U));
	ck_assert(wk_tcp_flags_valid(P | A));
	ck_assert(wk_tcp_flags_valid(S | E | C));
}
END_TEST

START_TEST(test_seg_parse)
{
	uint8_t buf[sizeof(struct rte_tcp_hdr) + 12 + 5];
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)buf;
	uint8_t *o = buf + sizeof(*th);
	struct wk_tcp_seg s;

	memset(buf, 0, sizeof(buf));
	th->sent_seq = rte_cpu_to_be_32(0xfffffff0u);
	th->recv_ack = rte_cpu_to_be_32(77);
	th->rx_win = rte_cpu_to_be_16(29200);
	th->tcp_flags = S;
	/* MSS 1460, NOP, WScale 9, NOP, NOP, SACK-permitted at odd places */
	memcpy(o, "\x02\x04\x05\xb4\x01\x03\x03\x09\x01\x01\x04\x02", 12);
	wk_tcp_seg_parse(th, sizeof(*th) + 12, sizeof(buf), &s);
	ck_assert_uint_eq(s.seq, 0xfffffff0u);
	ck_assert_uint_eq(s.ack, 77);
	ck_assert_uint_eq(s.win, 29200);
	ck_assert_uint_eq(s.len, 5);
	ck_assert_uint_eq(s.flags, S);
	ck_assert_uint_eq(s.wscale, 9);
	/* not a SYN: options are not read */
	th->tcp_flags = A;
	wk_tcp_seg_parse(th, sizeof(*th) + 12, sizeof(buf), &s);
	ck_assert_uint_eq(s.wscale, NOWS);
	/* a window scale option cut short by the header's end */
	th->tcp_flags = S;
	memcpy(o, "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x03\x03", 12);
	wk_tcp_seg_parse(th, sizeof(*th) + 12, sizeof(*th) + 12, &s);
	ck_assert_uint_eq(s.wscale, NOWS);
	ck_assert_uint_eq(s.len, 0);
	/* EOL ends the list */
	memcpy(o, "\x00\x03\x03\x07\x01\x01\x01\x01\x01\x01\x01\x01", 12);
	wk_tcp_seg_parse(th, sizeof(*th) + 12, sizeof(*th) + 12, &s);
	ck_assert_uint_eq(s.wscale, NOWS);
}
END_TEST

/* wk_tcp_hdr_len (worker/ipvs/tcp_hdr.h) equals the data offset's words
 * times 4, and (data_off >> 2) & 0x3c, for every byte value (the reserved
 * low bits set or not), and on a real header (a Linux SYN with MSS,
 * SACK-permitted, timestamps and window scale: 40 bytes) gives the length
 * that wk_tcp_seg_parse reads the options of and the payload after. */
START_TEST(test_hdr_len)
{
	static const uint8_t syn[40 + 3] = {
		0xc3, 0x50, 0x00, 0x50, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00, 0x00,
		0xa0, 0x02, 0xfa, 0xf0, 0x6b, 0x1e, 0x00, 0x00,
		0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x9e, 0x3c, 0x21, 0x5d,
		0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
		'a', 'b', 'c',
	};
	struct rte_tcp_hdr th;
	struct wk_tcp_seg s;
	unsigned int b;

	memset(&th, 0, sizeof(th));
	for (b = 0; b < 256; b++) {
		th.data_off = (uint8_t)b;
		ck_assert_uint_eq(wk_tcp_hdr_len(&th), (b >> 4) * 4);
		ck_assert_uint_eq(wk_tcp_hdr_len(&th), (b >> 2) & 0x3cu);
	}
	ck_assert_uint_eq(wk_tcp_hdr_len((const struct rte_tcp_hdr *)syn), 40);
	wk_tcp_seg_parse((const struct rte_tcp_hdr *)syn,
			 wk_tcp_hdr_len((const struct rte_tcp_hdr *)syn), sizeof(syn), &s);
	ck_assert_uint_eq(s.flags, S);
	ck_assert_uint_eq(s.seq, 0x12345678u);
	ck_assert_uint_eq(s.win, 64240);
	ck_assert_uint_eq(s.wscale, 7);
	ck_assert_uint_eq(s.len, 3);
}
END_TEST

START_TEST(test_handshake_data_and_bounds)
{
	struct dpvs_tcp_track trk[2];
	uint32_t ci = 1000, si = 5000;

	handshake(trk, ci, 8192, NOWS, si, 4096, NOWS);
	ck_assert_uint_eq(trk[IN].end, ci + 1);
	ck_assert_uint_eq(trk[IN].maxend, ci + 1 + 4096);   /* the server's window */
	ck_assert_uint_eq(trk[OUT].end, si + 1);
	ck_assert_uint_eq(trk[OUT].maxend, si + 1 + 8192);  /* the client's window */
	ck_assert_uint_eq(trk[OUT].maxack, ci + 1);
	/* the client fills the server's window exactly, then one byte more */
	ck_assert_int_eq(track(trk, IN, seg(P | A, ci + 1, si + 1, 4096, 8192)), WK_TCPW_OK);
	ck_assert_uint_eq(trk[IN].end, ci + 1 + 4096);
	refused(trk, IN, seg(P | A, ci + 1 + 4097, si + 1, 1, 8192), WK_TCPW_BAD, "beyond maxend");
	/* the server acks it all and opens its window again */
	ck_assert_int_eq(track(trk, OUT, seg(A, si + 1, ci + 1 + 4096, 0, 4096)), WK_TCPW_OK);
	ck_assert_uint_eq(trk[IN].maxend, ci + 1 + 4096 + 4096);
	ck_assert_int_eq(track(trk, IN, seg(P | A, ci + 1 + 4096, si + 1, 100, 8192)), WK_TCPW_OK);
	/* acks of data the other side never sent */
	refused(trk, IN, seg(A, ci + 1 + 4196, si + 2, 0, 8192), WK_TCPW_BAD, "ack ahead");
	refused(trk, OUT, seg(A, si + 1, ci + 1 + 4197, 0, 4096), WK_TCPW_BAD, "ack ahead 2");
	/* an ack from far behind (more than 66000 back) */
	refused(trk, OUT, seg(A, si + 1, ci + 1 + 4196 - 70000, 0, 4096), WK_TCPW_BAD, "old ack");
	/* a FIN and a SYN out of the window change nothing */
	refused(trk, IN, seg(F | A, ci + 50000, si + 1, 0, 8192), WK_TCPW_BAD, "FIN");
	refused(trk, IN, syn_seg(S, ci + 50000, 0, 8192, NOWS), WK_TCPW_BAD, "SYN");
	/* in the window, the FIN is taken and counts one */
	ck_assert_int_eq(track(trk, IN, seg(F | A, ci + 1 + 4196, si + 1, 0, 8192)), WK_TCPW_OK);
	ck_assert_uint_eq(trk[IN].end, ci + 1 + 4197);
	ck_assert_int_eq(track(trk, OUT, seg(A, si + 1, ci + 1 + 4197, 0, 4096)), WK_TCPW_OK);
}
END_TEST

/* An established connection's ACK segments (wk_tcp_track's own path for
 * them) at each bound of rules I to IV, one past it refused, and what an
 * accepted one updates. After the handshake: client end 1001, maxend 5097
 * (the server's window 4096), maxwin 8192; server end 5001, maxwin 4096. */
START_TEST(test_ack_bounds_exact)
{
	struct dpvs_tcp_track trk[2];
	uint32_t ci = 1000, si = 5000;

	handshake(trk, ci, 8192, NOWS, si, 4096, NOWS);
	/* I: seq up to the client's maxend */
	refused(trk, IN, seg(A, 5098, si + 1, 0, 8192), WK_TCPW_BAD, "I: maxend + 1");
	/* III: ack up to the server's end */
	refused(trk, IN, seg(A, ci + 1, si + 2, 0, 8192), WK_TCPW_BAD, "III: end + 1");
	/* IV: ack down to the server's end - 66000 (the client's maxwin is less) */
	refused(trk, IN, seg(A, ci + 1, si + 1 - 66001, 0, 8192), WK_TCPW_BAD, "IV: 66001 back");
	ck_assert_int_eq(track(trk, IN, seg(A, ci + 1, si + 1 - 66000, 0, 8192)), WK_TCPW_OK);
	/* II: end down to the client's end - the server's maxwin */
	refused(trk, IN, seg(A, ci + 1 - 4097, si + 1, 0, 8192), WK_TCPW_BAD, "II: 4097 back");
	ck_assert_int_eq(track(trk, IN, seg(A, ci + 1 - 4096, si + 1, 0, 8192)), WK_TCPW_OK);
	ck_assert_uint_eq(trk[IN].end, ci + 1);
	/* the bound of I itself, with data beyond it: the server's maxwin grows by
	 * what passed its maxend, the client's end and maxack follow, and the
	 * client's larger window moves the server's maxend */
	ck_assert_int_eq(track(trk, IN, seg(U | A, 5097, si + 1, 10, 9000)), WK_TCPW_OK);
	ck_assert_uint_eq(trk[IN].end, 5107);
	ck_assert_uint_eq(trk[OUT].maxwin, 4096 + 10);
	ck_assert_uint_eq(trk[IN].maxwin, 9000);
	ck_assert_uint_eq(trk[IN].maxack, si + 1);
	ck_assert_uint_eq(trk[OUT].maxend, si + 1 + 9000);
	/* the server's ack of it with a zero window: maxend stays (it only grows) */
	ck_assert_int_eq(track(trk, OUT, seg(A, si + 1, 5107, 0, 0)), WK_TCPW_OK);
	ck_assert_uint_eq(trk[OUT].maxack, 5107);
	ck_assert_uint_eq(trk[IN].maxend, 5107 + 1);
}
END_TEST

START_TEST(test_wrap_around)
{
	struct dpvs_tcp_track trk[2];
	uint32_t ci = 0xffffff80u, si = 0xfffffff0u, c1 = ci + 1, s1 = si + 1;

	handshake(trk, ci, 65535, NOWS, si, 65535, NOWS);
	/* 400 bytes from each side across 2^32 */
	ck_assert_int_eq(track(trk, IN, seg(P | A, c1, s1, 400, 65535)), WK_TCPW_OK);
	ck_assert_uint_eq(trk[IN].end, c1 + 400);
	ck_assert_uint_lt(trk[IN].end, 1000);                   /* it wrapped */
	ck_assert_int_eq(track(trk, OUT, seg(P | A, s1, c1 + 400, 400, 65535)), WK_TCPW_OK);
	ck_assert_int_eq(track(trk, IN, seg(A, c1 + 400, s1 + 400, 0, 65535)), WK_TCPW_OK);
	/* a retransmission from before the wrap is still in the window */
	ck_assert_int_eq(track(trk, IN, seg(P | A, c1, s1, 400, 65535)), WK_TCPW_OK);
	ck_assert_uint_eq(trk[IN].end, c1 + 400);
	/* half the sequence space away is outside, whichever way */
	refused(trk, IN, seg(R, c1 + 400 + 0x80000000u, 0, 0, 0), WK_TCPW_BAD, "far RST");
	refused(trk, IN, seg(P | A, c1 + 400 - 0x70000000u, s1 + 400, 10, 65535), WK_TCPW_BAD,
		"far behind");
	/* exact RST after the wrap */
	ck_assert_int_eq(track(trk, OUT, seg(R, s1 + 400, 0, 0, 0)), WK_TCPW_OK);
}
END_TEST

START_TEST(test_window_scaling)
{
	struct dpvs_tcp_track trk[2];
	uint32_t c1 = 100 + 1, s1 = 900 + 1;

	/* both sides scale by 2^7: the server's window of 1000 means 128000 */
	handshake(trk, 100, 65535, 7, 900, 65535, 7);
	ck_assert_uint_eq(trk[IN].wscale, 7);
	ck_assert_uint_eq(trk[OUT].wscale, 7);
	ck_assert_int_eq(track(trk, OUT, seg(A, s1, c1, 0, 1000)), WK_TCPW_OK);
	ck_assert_uint_eq(trk[IN].maxend, c1 + 128000);
	ck_assert_uint_eq(trk[OUT].maxwin, 128000);
	ck_assert_int_eq(track(trk, IN, seg(P | A, c1 + 100000, s1, 1000, 500)), WK_TCPW_OK);
	refused(trk, IN, seg(P | A, c1 + 130000, s1, 10, 500), WK_TCPW_BAD, "beyond scaled");

	/* only the client offers scaling: neither side scales (RFC 7323) */
	handshake(trk, 100, 65535, 7, 900, 65535, NOWS);
	ck_assert_uint_eq(trk[IN].wscale, 0);
	ck_assert_uint_eq(trk[OUT].wscale, 0);
	ck_assert_int_eq(track(trk, OUT, seg(A, s1, c1, 0, 1000)), WK_TCPW_OK);
	ck_assert_uint_eq(trk[IN].maxend, c1 + 65535);          /* the SYN+ACK's window */
	refused(trk, IN, seg(P | A, c1 + 100000, s1, 1000, 500), WK_TCPW_BAD, "unscaled");

	/* a scale above 14 is taken as 14 */
	handshake(trk, 100, 65535, 30, 900, 65535, 30);
	ck_assert_uint_eq(trk[IN].wscale, 14);
	ck_assert_int_eq(track(trk, OUT, seg(A, s1, c1, 0, 65535)), WK_TCPW_OK);
	ck_assert_uint_eq(trk[IN].maxend, c1 + (65535u << 14));
}
END_TEST

START_TEST(test_retransmissions_and_probes)
{
	struct dpvs_tcp_track trk[2];
	uint32_t c1 = 7001, s1 = 2001;

	handshake(trk, 7000, 20000, NOWS, 2000, 20000, NOWS);
	ck_assert_int_eq(track(trk, IN, seg(P | A, c1, s1, 3000, 20000)), WK_TCPW_OK);
	/* the same segment again, and a part of it */
	ck_assert_int_eq(track(trk, IN, seg(P | A, c1, s1, 3000, 20000)), WK_TCPW_OK);
	ck_assert_int_eq(track(trk, IN, seg(P | A, c1 + 1000, s1, 500, 20000)), WK_TCPW_OK);
	ck_assert_uint_eq(trk[IN].end, c1 + 3000);
	/* keep-alive: one byte below what was sent, empty or with a byte */
	ck_assert_int_eq(track(trk, IN, seg(A, c1 + 2999, s1, 0, 20000)), WK_TCPW_OK);
	ck_assert_int_eq(track(trk, IN, seg(A, c1 + 2999, s1, 1, 20000)), WK_TCPW_OK);
	/* the server closes its window: a one-byte probe still passes */
	ck_assert_int_eq(track(trk, OUT, seg(A, s1, c1 + 3000, 0, 0)), WK_TCPW_OK);
	ck_assert_int_eq(track(trk, IN, seg(A, c1 + 3000, s1, 1, 20000)), WK_TCPW_OK);
	/* the server's duplicate acks of an old point pass */
	ck_assert_int_eq(track(trk, OUT, seg(A, s1, c1 + 1000, 0, 20000)), WK_TCPW_OK);
	/* data older than the receiver's largest window does not */
	refused(trk, IN, seg(P | A, c1 + 3001 - 20000 - 100, s1, 50, 20000), WK_TCPW_BAD,
		"acked long ago");
}
END_TEST

START_TEST(test_rst)
{
	struct dpvs_tcp_track trk[2], saved[2];
	uint32_t c1 = 1001, s1 = 5001;

	handshake(trk, 1000, 8192, NOWS, 5000, 8192, NOWS);
	/* the server sends 100 bytes the client has not acked yet */
	ck_assert_int_eq(track(trk, OUT, seg(P | A, s1, c1, 100, 8192)), WK_TCPW_OK);
	memcpy(saved, trk, sizeof(saved));
	/* in window, not exact: passed, nothing changes */
	refused(trk, OUT, seg(R, s1 + 50, 0, 0, 0), WK_TCPW_PASS, "server RST +50");
	refused(trk, IN, seg(R | A, c1 + 10, s1 + 100, 0, 0), WK_TCPW_PASS, "client RST +10");
	/* outside, above and below */
	refused(trk, OUT, seg(R, s1 + 100 + 8193, 0, 0, 0), WK_TCPW_BAD, "above");
	refused(trk, OUT, seg(R, s1 - 9000, 0, 0, 0), WK_TCPW_BAD, "below");
	refused(trk, IN, seg(R, 0x80000000u, 0, 0, 0), WK_TCPW_BAD, "random");
	/* exact: the sender's next sequence number, or what the receiver acked */
	ck_assert_int_eq(track(trk, OUT, seg(R, s1 + 100, 0, 0, 0)), WK_TCPW_OK);
	memcpy(trk, saved, sizeof(saved));
	ck_assert_int_eq(track(trk, OUT, seg(R | A, s1, c1, 0, 0)), WK_TCPW_OK); /* client acked s1 */
	memcpy(trk, saved, sizeof(saved));
	ck_assert_int_eq(track(trk, IN, seg(R, c1, 0, 0, 0)), WK_TCPW_OK);
	memcpy(trk, saved, sizeof(saved));
	/* RST+ACK with ack 0 (broken stacks) is judged by its sequence number */
	ck_assert_int_eq(track(trk, IN, seg(R | A, c1, 0, 0, 0)), WK_TCPW_OK);
}
END_TEST

START_TEST(test_server_first_segment)
{
	struct dpvs_tcp_track trk[2], saved[2];
	struct wk_tcp_seg s = syn_seg(S, 1000, 0, 8192, 7);

	wk_tcp_track_init(trk, &s);
	memcpy(saved, trk, sizeof(saved));
	ck_assert_uint_eq(trk[OUT].maxwin, 0);
	/* a reset answering the SYN must ack it exactly (RFC 793) */
	refused(trk, OUT, seg(R | A, 0, 1077, 0, 0), WK_TCPW_BAD, "RST, wrong ack");
	refused(trk, OUT, seg(R, 0, 0, 0, 0), WK_TCPW_BAD, "RST without ACK");
	ck_assert_int_eq(track(trk, OUT, seg(R | A, 0, 1001, 0, 0)), WK_TCPW_OK);
	/* a server with the tuple's old connection in TIME_WAIT answers with an
	 * ACK: passed, untracked but for its ack; the client's reset at exactly
	 * that number is taken (it must reach the server), no other */
	memcpy(trk, saved, sizeof(saved));
	ck_assert_int_eq(track(trk, OUT, seg(A, 424242, 77777, 0, 1000)), WK_TCPW_PASS);
	ck_assert_uint_eq(trk[OUT].maxwin, 0);
	ck_assert_uint_eq(trk[OUT].maxack, 77777);
	ck_assert_int_eq(memcmp(&trk[IN], &saved[IN], sizeof(trk[IN])), 0);
	refused(trk, IN, seg(R, 77778, 0, 0, 0), WK_TCPW_BAD, "RST next to the challenge");
	ck_assert_int_eq(track(trk, IN, seg(R, 77777, 0, 0, 0)), WK_TCPW_OK);
	/* the client's SYN again, then the server's SYN+ACK */
	ck_assert_int_eq(track(trk, IN, syn_seg(S, 1000, 0, 8192, 7)), WK_TCPW_OK);
	ck_assert_int_eq(track(trk, OUT, syn_seg(S | A, 9000, 1001, 8192, 7)), WK_TCPW_OK);
	ck_assert_uint_eq(trk[OUT].maxack, 1001);
	/* or it answers with its SYN+ACK */
	memcpy(trk, saved, sizeof(saved));
	ck_assert_int_eq(track(trk, OUT, syn_seg(S | A, 5000, 1001, 8192, 7)), WK_TCPW_OK);
	ck_assert_uint_eq(trk[OUT].end, 5001);
	ck_assert_uint_eq(trk[OUT].wscale, 7);
	/* the client's ACK arrived before the SYN+ACK (reordered): taken */
	memcpy(trk, saved, sizeof(saved));
	ck_assert_int_eq(track(trk, IN, seg(A, 1001, 5001, 0, 8192)), WK_TCPW_OK);
	ck_assert_int_eq(track(trk, OUT, syn_seg(S | A, 5000, 1001, 8192, 7)), WK_TCPW_OK);
}
END_TEST

START_TEST(test_new_handshake_on_the_tuple)
{
	struct dpvs_tcp_track trk[2];
	struct wk_tcp_seg s = syn_seg(S, 1000, 0, 8192, NOWS);

	wk_tcp_track_init(trk, &s);
	/* the client starts over with a higher ISN before any answer */
	ck_assert_int_eq(track(trk, IN, syn_seg(S, 900000, 0, 8192, NOWS)), WK_TCPW_OK);
	ck_assert_uint_eq(trk[IN].end, 900001);
	/* the server answers twice, the second time with a new ISN */
	ck_assert_int_eq(track(trk, OUT, syn_seg(S | A, 5000, 900001, 8192, NOWS)), WK_TCPW_OK);
	ck_assert_int_eq(track(trk, OUT, syn_seg(S | A, 7000, 900001, 8192, NOWS)), WK_TCPW_OK);
	ck_assert_uint_eq(trk[OUT].end, 7001);
	ck_assert_int_eq(track(trk, IN, seg(A, 900001, 7001, 0, 8192)), WK_TCPW_OK);
	/* once acked, a SYN with a new ISN is an ordinary out-of-window segment */
	refused(trk, IN, syn_seg(S, 2000000, 0, 8192, NOWS), WK_TCPW_BAD, "SYN, new ISN");
	refused(trk, OUT, syn_seg(S | A, 90000, 900001, 8192, NOWS), WK_TCPW_BAD, "SYN+ACK, new ISN");
	/* a retransmitted SYN+ACK is in the window */
	ck_assert_int_eq(track(trk, OUT, syn_seg(S | A, 7000, 900001, 8192, NOWS)), WK_TCPW_OK);
}
END_TEST

/* dr, tunnel: the server's side is never seen, so only what needs no
 * receiver is kept: data far beyond any window passes, an RST changes the
 * state only at the client's next sequence number. */
START_TEST(test_one_way)
{
	struct dpvs_tcp_track trk[2];
	struct wk_tcp_seg s = syn_seg(S, 1000, 0, 8192, 7);

	wk_tcp_track_init_oneway(trk, &s);
	ck_assert_int_eq(track(trk, IN, seg(A, 1001, 5001, 0, 8192)), WK_TCPW_OK);
	ck_assert_int_eq(track(trk, IN, seg(A | P, 1001, 5001, 1000, 8192)), WK_TCPW_OK);
	ck_assert_int_eq(track(trk, IN, seg(A, 1001 + 3000000, 77, 0, 8192)), WK_TCPW_OK);
	ck_assert_uint_eq(trk[IN].end, 1001 + 3000000);
	ck_assert_uint_eq(trk[OUT].maxwin, 0);               /* never seen */
	refused(trk, IN, seg(R, 12345, 0, 0, 0), WK_TCPW_PASS, "inexact RST");
	ck_assert_int_eq(track(trk, IN, seg(R | A, 1001 + 3000000, 77, 0, 0)), WK_TCPW_OK);
}
END_TEST

START_TEST(test_picked_up_mid_stream)
{
	struct dpvs_tcp_track trk[2];

	/* an entry without tracking: nothing is enforced but the RSTs */
	memset(trk, 0, sizeof(trk));
	ck_assert_int_eq(track(trk, OUT, seg(P | A, 123456, 777, 1000, 100)), WK_TCPW_OK);
	ck_assert(trk[IN].flags & DPVS_TCPT_F_LIBERAL);
	ck_assert(trk[OUT].flags & DPVS_TCPT_F_LIBERAL);
	ck_assert_int_eq(track(trk, IN, seg(P | A, 777, 124456, 5000, 100)), WK_TCPW_OK);
	/* far away data still passes: the scale of its windows is unknown */
	ck_assert_int_eq(track(trk, IN, seg(P | A, 777 + 1000000, 124456, 10, 100)), WK_TCPW_OK);
	/* an RST is taken only when exact, else passed on */
	ck_assert_int_eq(track(trk, OUT, seg(R, 5, 0, 0, 0)), WK_TCPW_PASS);
	ck_assert_int_eq(track(trk, OUT, seg(R, 124456, 0, 0, 0)), WK_TCPW_OK);
}
END_TEST

/* A data ACK from the client (seq, ack, len payload bytes, window 1000)
 * as a header with a 20-byte TCP header, for wk_fast4_tcp_lean. */
static struct rte_tcp_hdr
lean_hdr(uint32_t seq, uint32_t ack)
{
	struct rte_tcp_hdr th;

	memset(&th, 0, sizeof(th));
	th.sent_seq = rte_cpu_to_be_32(seq);
	th.recv_ack = rte_cpu_to_be_32(ack);
	th.data_off = 5 << 4;
	th.tcp_flags = P | A;
	th.rx_win = rte_cpu_to_be_16(1000);
	return th;
}

START_TEST(test_lean_fresh)
{
	struct dpvs_conn c;
	struct dpvs_tcp_track before[2];
	struct rte_tcp_hdr th;

	memset(&c, 0, sizeof(c));
	c.proto = IPPROTO_TCP;
	c.state = DPVS_TCPS_ESTABLISHED;
	handshake(c.trk, 1000, 1000, NOWS, 5000, 2000, NOWS);
	/* looked up (not fresh): in window, taken */
	th = lean_hdr(1001, 5001);
	ck_assert_int_eq(wk_fast4_tcp_lean(&c, &th, 20 + 10, P | A, IN, 0), 1);
	ck_assert_uint_eq(c.trk[IN].end, 1011);
	/* the memo's connection (fresh): the state and the sides' flags
	 * are the last lean segment's, but the receiver's largest window is
	 * read again: at 0 (wrapped) the side counts as unseen, which the
	 * general way must decide, nothing written here */
	c.trk[OUT].maxwin = 0;
	memcpy(before, c.trk, sizeof(before));
	th = lean_hdr(1011, 5001);
	ck_assert_int_eq(wk_fast4_tcp_lean(&c, &th, 20 + 10, P | A, IN, 1), 0);
	ck_assert(memcmp(before, c.trk, sizeof(before)) == 0);
	ck_assert_int_eq(wk_fast4_tcp_lean(&c, &th, 20 + 10, P | A, IN, 0), 0);
	/* any flag but ACK, PSH, ECE, CWR: left to the general way */
	c.trk[OUT].maxwin = 2000;
	ck_assert_int_eq(wk_fast4_tcp_lean(&c, &th, 20 + 10, F | A, IN, 1), 0);
	ck_assert_int_eq(wk_fast4_tcp_lean(&c, &th, 20 + 10, P | A | E | C, IN, 1), 1);
	ck_assert_uint_eq(c.trk[IN].end, 1021);
	/* looked up: a state other than ESTABLISHED goes the general way */
	c.state = DPVS_TCPS_FIN_WAIT;
	th = lean_hdr(1021, 5001);
	ck_assert_int_eq(wk_fast4_tcp_lean(&c, &th, 20 + 10, P | A, IN, 0), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tcp_window");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_flags_table);
	tcase_add_test(tc, test_seg_parse);
	tcase_add_test(tc, test_hdr_len);
	tcase_add_test(tc, test_handshake_data_and_bounds);
	tcase_add_test(tc, test_ack_bounds_exact);
	tcase_add_test(tc, test_wrap_around);
	tcase_add_test(tc, test_window_scaling);
	tcase_add_test(tc, test_retransmissions_and_probes);
	tcase_add_test(tc, test_rst);
	tcase_add_test(tc, test_server_first_segment);
	tcase_add_test(tc, test_new_handshake_on_the_tuple);
	tcase_add_test(tc, test_one_way);
	tcase_add_test(tc, test_picked_up_mid_stream);
	tcase_add_test(tc, test_lean_fresh);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
