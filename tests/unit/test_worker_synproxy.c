/*
 * Unit tests of the SYN proxy's pure parts: SipHash-2-4 against the
 * reference vectors of its paper, the cookie (good in its period and the
 * next, bad after, bad for another tuple, ISN or MSS class), the timestamp
 * encoding, and the sequence translation (worker/ipvs/seqx.c): values and an
 * incremental TCP checksum that equals one computed from scratch, for
 * random deltas and option layouts. Plain memory, no EAL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <rte_byteorder.h>
#include <rte_tcp.h>

#include "worker/ipvs/seqx.h"
#include "worker/ipvs/syncookie.h"

static const uint8_t key[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

START_TEST(test_siphash_vectors)
{
	uint8_t msg[15];
	unsigned int i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	/* SipHash paper, appendix A, and the reference's first vector */
	ck_assert_uint_eq(wk_siphash(key, msg, 15), 0xa129ca6149be45e5ull);
	ck_assert_uint_eq(wk_siphash(key, msg, 0), 0x726fdb47dd0e0e31ull);
	ck_assert_uint_eq(wk_siphash(key, msg, 8), 0x93f5f5799a932462ull);
}
END_TEST

static struct dpvs_ip
v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct dpvs_ip ip;

	memset(&ip, 0, sizeof(ip));
	ip.family = DPVS_AF_INET;
	ip.bytes[0] = a;
	ip.bytes[1] = b;
	ip.bytes[2] = c;
	ip.bytes[3] = d;
	return ip;
}

START_TEST(test_cookie)
{
	struct dpvs_ip s = v4(10, 0, 0, 2), d = v4(10, 0, 0, 100), o = v4(10, 0, 0, 3);
	struct wk_cookie_tuple t = { &s, &d, rte_cpu_to_be_16(40000), rte_cpu_to_be_16(80) };
	struct wk_cookie_tuple other = { &o, &d, t.sport, t.dport };
	const uint64_t p = WK_COOKIE_PERIOD_NS, now = 1000 * p + 5;
	uint32_t c, bad;
	uint16_t mss = 0;

	ck_assert_uint_eq(wk_cookie_mss_class(9000), 3);
	ck_assert_uint_eq(wk_cookie_mss_class(1460), 3);
	ck_assert_uint_eq(wk_cookie_mss_class(1459), 2);
	ck_assert_uint_eq(wk_cookie_mss_class(1300), 1);
	ck_assert_uint_eq(wk_cookie_mss_class(100), 0);
	c = wk_cookie_make(key, &t, 1000, 2, now);
	ck_assert_int_eq(wk_cookie_check(key, &t, 1000, c, now, &mss), 0);
	ck_assert_uint_eq(mss, 1440);
	/* the next period still, not the one after */
	ck_assert_int_eq(wk_cookie_check(key, &t, 1000, c, now + p, &mss), 0);
	ck_assert_int_eq(wk_cookie_check(key, &t, 1000, c, now + 2 * p, &mss), -1);
	ck_assert_int_eq(wk_cookie_check(key, &t, 1000, c, now + 4 * p, &mss), -1);
	/* nor before it was made */
	ck_assert_int_eq(wk_cookie_check(key, &t, 1000, c, now - p, &mss), -1);
	/* another client, ISN or MSS class */
	ck_assert_int_eq(wk_cookie_check(key, &other, 1000, c, now, &mss), -1);
	ck_assert_int_eq(wk_cookie_check(key, &t, 1001, c, now, &mss), -1);
	bad = c ^ (1u << 28);
	ck_assert_int_eq(wk_cookie_check(key, &t, 1000, bad, now, &mss), -1);
	ck_assert_int_eq(wk_cookie_check(key, &t, 1000, c ^ 1u, now, &mss), -1);
}
END_TEST

START_TEST(test_cookie_ts)
{
	uint8_t ws;
	int sack;
	uint32_t ts = wk_cookie_ts_make(123456789ull * 1000000ull, 7, 1);

	wk_cookie_ts_read(ts, &ws, &sack);
	ck_assert_uint_eq(ws, 7);
	ck_assert_int_eq(sack, 1);
	ck_assert_uint_eq(ts & ~0x3fu, 123456789u & ~0x3fu);
	wk_cookie_ts_read(wk_cookie_ts_make(0, WK_COOKIE_TS_NOWS, 0), &ws, &sack);
	ck_assert_uint_eq(ws, WK_COOKIE_TS_NOWS);
	ck_assert_int_eq(sack, 0);
	wk_cookie_ts_read(wk_cookie_ts_make(0, 20, 0), &ws, &sack);
	ck_assert_uint_eq(ws, WK_COOKIE_TS_NOWS);
}
END_TEST

/* RFC 1071 over a pseudo-header sum and the header's bytes. */
static uint16_t
ref_cksum(const uint8_t *b, size_t len, uint32_t pseudo)
{
	uint32_t sum = pseudo;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
set_cksum(uint8_t *h, size_t len, uint32_t pseudo)
{
	uint16_t c;

	memset(h + 16, 0, 2);
	c = ref_cksum(h, len, pseudo);
	h[16] = (uint8_t)(c >> 8);
	h[17] = (uint8_t)c;
}

static uint32_t
be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A header with NOP NOP TS, NOP NOP SACK(2 blocks): 20 + 12 + 20 = 52. */
#define HLEN 52
static void
build(uint8_t *h, uint32_t seq, uint32_t ack, uint16_t win, uint32_t tsv, uint32_t tse,
      const uint32_t sack[4])
{
	unsigned int i;

	memset(h, 0, HLEN);
	h[0] = 0x9c;             /* ports 40000 -> 80 */
	h[1] = 0x40;
	h[3] = 80;
	put_be32(h + 4, seq);
	put_be32(h + 8, ack);
	h[12] = (HLEN / 4) << 4;
	h[13] = RTE_TCP_ACK_FLAG;
	h[14] = (uint8_t)(win >> 8);
	h[15] = (uint8_t)win;
	h[20] = h[21] = WK_TCPOPT_NOP;
	h[22] = WK_TCPOPT_TS;
	h[23] = 10;
	put_be32(h + 24, tsv);
	put_be32(h + 28, tse);
	h[32] = h[33] = WK_TCPOPT_NOP;
	h[34] = WK_TCPOPT_SACK;
	h[35] = 18;
	for (i = 0; i < 4; i++)
		put_be32(h + 36 + 4 * i, sack[i]);
}

START_TEST(test_seqx_apply)
{
	uint8_t h[HLEN];
	struct dpvs_seqx x;
	uint32_t sack[4], pseudo, i, k;

	srand(7);
	for (k = 0; k < 2000; k++) {
		int dir = (int)(k & 1), o = 1 - dir;
		uint32_t seq = (uint32_t)rand() * 7u, ack = (uint32_t)rand() * 13u;
		uint32_t tsv = (uint32_t)rand(), tse = (uint32_t)rand() * 3u;
		uint16_t win = (uint16_t)rand();

		memset(&x, 0, sizeof(x));
		x.flags = DPVS_SEQX_ON | ((k & 2) ? DPVS_SEQX_TS : 0);
		for (i = 0; i < 2; i++) {
			x.seq_delta[i] = (uint32_t)rand() * 31u;
			x.ts_delta[i] = (uint32_t)rand() * 17u;
		}
		x.win_shift[dir] = (int8_t)((int)(k % 7) - 3);
		for (i = 0; i < 4; i++)
			sack[i] = (uint32_t)rand() * 5u;
		pseudo = (uint32_t)rand() & 0xfffff;
		build(h, seq, ack, win, tsv, tse, sack);
		set_cksum(h, HLEN, pseudo);
		wk_seqx_apply((struct rte_tcp_hdr *)h, HLEN, &x, dir);
		ck_assert_uint_eq(be32_at(h + 4), seq + x.seq_delta[dir]);
		ck_assert_uint_eq(be32_at(h + 8), ack - x.seq_delta[o]);
		for (i = 0; i < 4; i++)
			ck_assert_uint_eq(be32_at(h + 36 + 4 * i), sack[i] - x.seq_delta[o]);
		if (k & 2) {
			ck_assert_uint_eq(be32_at(h + 24), tsv + x.ts_delta[dir]);
			ck_assert_uint_eq(be32_at(h + 28), tse - x.ts_delta[o]);
		} else {
			ck_assert_uint_eq(be32_at(h + 24), tsv);
			ck_assert_uint_eq(be32_at(h + 28), tse);
		}
		if (x.win_shift[dir] >= 0) {
			uint32_t w = (uint32_t)win << x.win_shift[dir];

			ck_assert_uint_eq((uint32_t)(h[14] << 8 | h[15]), w > 0xffff ? 0xffff : w);
		} else {
			ck_assert_uint_eq((uint32_t)(h[14] << 8 | h[15]),
					  (uint32_t)win >> -x.win_shift[dir]);
		}
		/* the incremental checksum equals one from scratch (the sum of a
		 * valid segment, checksum included, folds to 0xffff) */
		ck_assert_uint_eq(ref_cksum(h, HLEN, pseudo), 0);
	}
	/* nothing without DPVS_SEQX_ON */
	memset(&x, 0, sizeof(x));
	x.seq_delta[0] = 5;
	build(h, 1, 2, 3, 4, 5, sack);
	set_cksum(h, HLEN, 0);
	wk_seqx_apply((struct rte_tcp_hdr *)h, HLEN, &x, 0);
	ck_assert_uint_eq(be32_at(h + 4), 1);
	ck_assert_uint_eq(wk_seqx_ack_own(&x, 0, 100), 100);
	x.flags = DPVS_SEQX_ON;
	x.seq_delta[1] = 40;
	ck_assert_uint_eq(wk_seqx_ack_own(&x, 0, 100), 60);
}
END_TEST

static Suite *
synproxy_suite(void)
{
	Suite *s = suite_create("worker_synproxy");
	TCase *tc = tcase_create("pure");

	tcase_add_test(tc, test_siphash_vectors);
	tcase_add_test(tc, test_cookie);
	tcase_add_test(tc, test_cookie_ts);
	tcase_add_test(tc, test_seqx_apply);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(synproxy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
