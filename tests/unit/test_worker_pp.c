/*
 * Unit tests for the builders of the client's address for full-NAT real
 * servers (worker/ipvs/proxy_proto.c): the PROXY protocol v1 and v2 headers
 * for IPv4 and IPv6 clients, byte for byte against the specification
 * (haproxy's proxy-protocol.txt), the TOA option (kind 254) for both
 * families, and what a new connection takes from its service's flags.
 * Plain memory, no EAL.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "shm/lb.h"
#include "worker/ipvs/proxy_proto.h"

static struct dpvs_ip
ip_of(const char *s)
{
	struct dpvs_ip ip;

	memset(&ip, 0, sizeof(ip));
	if (strchr(s, ':') != NULL) {
		ip.family = DPVS_AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, s, ip.bytes), 1);
	} else {
		ip.family = DPVS_AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, s, ip.bytes), 1);
	}
	return ip;
}

static const uint8_t sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
				 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };

START_TEST(v1_tcp4)
{
	struct dpvs_ip c = ip_of("192.0.2.7"), v = ip_of("198.51.100.1");
	const char *want = "PROXY TCP4 192.0.2.7 198.51.100.1 65535 80\r\n";
	uint8_t buf[WK_PP_V1_MAX + 4];
	uint32_t n;

	memset(buf, 0xee, sizeof(buf));
	n = wk_pp_build(buf, 1, &c, htons(65535), &v, htons(80));
	ck_assert_uint_eq(n, strlen(want));
	ck_assert_mem_eq(buf, want, n);
	ck_assert_uint_eq(buf[n], 0xee); /* no terminating NUL: the data follows */
}
END_TEST

START_TEST(v1_tcp6_longest)
{
	struct dpvs_ip c = ip_of("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
	struct dpvs_ip v = ip_of("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	const char *want = "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe "
			   "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
	uint8_t buf[WK_PP_V1_MAX];
	uint32_t n;

	n = wk_pp_build(buf, 1, &c, 0xffff, &v, 0xffff);
	ck_assert_uint_eq(n, strlen(want));
	ck_assert_uint_le(n, 107);   /* the specification's longest line */
	ck_assert_mem_eq(buf, want, n);
}
END_TEST

START_TEST(v2_inet)
{
	struct dpvs_ip c = ip_of("192.0.2.7"), v = ip_of("198.51.100.1");
	const uint8_t tail[] = { 0x21, 0x11, 0x00, 0x0c, 192, 0, 2, 7, 198, 51, 100, 1,
				 0x9c, 0x40, 0x00, 0x50 };
	uint8_t buf[WK_PP_V1_MAX];

	ck_assert_uint_eq(wk_pp_build(buf, 2, &c, htons(40000), &v, htons(80)), 28);
	ck_assert_mem_eq(buf, sig, 12);
	ck_assert_mem_eq(buf + 12, tail, sizeof(tail));
}
END_TEST

START_TEST(v2_inet6)
{
	struct dpvs_ip c = ip_of("2001:db8::7"), v = ip_of("2001:db8:1::1");
	uint8_t buf[WK_PP_V1_MAX];

	ck_assert_uint_eq(wk_pp_build(buf, 2, &c, htons(40000), &v, htons(443)), WK_PP_V2_MAX);
	ck_assert_mem_eq(buf, sig, 12);
	ck_assert_uint_eq(buf[12], 0x21);
	ck_assert_uint_eq(buf[13], 0x21);   /* AF_INET6, STREAM */
	ck_assert_uint_eq(buf[14] << 8 | buf[15], 36);
	ck_assert_mem_eq(buf + 16, c.bytes, 16);
	ck_assert_mem_eq(buf + 32, v.bytes, 16);
	ck_assert_uint_eq(buf[48] << 8 | buf[49], 40000);
	ck_assert_uint_eq(buf[50] << 8 | buf[51], 443);
}
END_TEST

START_TEST(refused)
{
	struct dpvs_ip c = ip_of("192.0.2.7"), v6 = ip_of("2001:db8::1"), none;
	uint8_t buf[WK_PP_V1_MAX];

	memset(&none, 0, sizeof(none));
	ck_assert_uint_eq(wk_pp_build(buf, 1, &c, 1, &v6, 1), 0);   /* mixed families */
	ck_assert_uint_eq(wk_pp_build(buf, 3, &c, 1, &c, 1), 0);    /* no such version */
	ck_assert_uint_eq(wk_pp_build(buf, 2, &none, 1, &none, 1), 0);
	ck_assert_uint_eq(wk_toa_build(buf, &none, 1), 0);
}
END_TEST

START_TEST(toa_both)
{
	struct dpvs_ip c = ip_of("192.0.2.7"), c6 = ip_of("2001:db8::7");
	const uint8_t want4[] = { 254, 8, 0x9c, 0x40, 192, 0, 2, 7 };
	uint8_t buf[WK_TOA_LEN6];

	ck_assert_uint_eq(wk_toa_build(buf, &c, htons(40000)), WK_TOA_LEN4);
	ck_assert_mem_eq(buf, want4, sizeof(want4));
	ck_assert_uint_eq(wk_toa_build(buf, &c6, htons(40000)), WK_TOA_LEN6);
	ck_assert_uint_eq(buf[0], 254);
	ck_assert_uint_eq(buf[1], 20);
	ck_assert_uint_eq(buf[2] << 8 | buf[3], 40000);
	ck_assert_mem_eq(buf + 4, c6.bytes, 16);
}
END_TEST

START_TEST(conn_init)
{
	struct dpvs_conn c;
	struct dpvs_seqx sx;

	memset(&c, 0, sizeof(c));
	memset(&sx, 0, sizeof(sx));
	c.proto = IPPROTO_TCP;
	c.fwd_mode = DPVS_FWD_FNAT;
	c.flags = DPVS_CONN_F_OUT;
	inet_pton(AF_INET, "192.0.2.7", &c.a4[DPVS_CONN_A_C]);
	inet_pton(AF_INET, "198.51.100.1", &c.a4[DPVS_CONN_A_V]);
	inet_pton(AF_INET, "10.1.0.2", &c.a4[DPVS_CONN_A_D]);
	c.cport = htons(40000);
	c.vport = htons(80);
	wk_pp_conn_init(&c, &sx, DPVS_SVC_F_PP_V2 | DPVS_SVC_F_TOA, 0xffffffffu);
	ck_assert_uint_eq(sx.flags, DPVS_SEQX_PP | DPVS_SEQX_TOA);
	ck_assert_uint_eq(sx.pp_len, 28);
	ck_assert_uint_eq(sx.pp_ver, 2);
	ck_assert_uint_eq(sx.pp_seq, 0);    /* ISN + 1 wraps */
	ck_assert_uint_eq(sx.seq_delta[0], 0); /* no delta before the header went */
	/* not full-NAT, or UDP: nothing */
	memset(&sx, 0, sizeof(sx));
	c.fwd_mode = DPVS_FWD_NAT;
	wk_pp_conn_init(&c, &sx, DPVS_SVC_F_PP_V1 | DPVS_SVC_F_TOA, 1);
	ck_assert_uint_eq(sx.flags, 0);
	c.fwd_mode = DPVS_FWD_FNAT;
	c.proto = IPPROTO_UDP;
	wk_pp_conn_init(&c, &sx, DPVS_SVC_F_PP_V1, 1);
	ck_assert_uint_eq(sx.flags, 0);
	/* an IPv6 client, or IPv4 servers behind an IPv6 VIP: nothing (the
	 * insertion rewrites IPv4 headers only) */
	c.proto = IPPROTO_TCP;
	c.flags |= DPVS_CONN_F_C6;   /* the side slot is not read */
	wk_pp_conn_init(&c, &sx, DPVS_SVC_F_PP_V1 | DPVS_SVC_F_TOA, 1);
	ck_assert_uint_eq(sx.flags, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("worker_pp");
	TCase *tc = tcase_create("build");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, v1_tcp4);
	tcase_add_test(tc, v1_tcp6_longest);
	tcase_add_test(tc, v2_inet);
	tcase_add_test(tc, v2_inet6);
	tcase_add_test(tc, refused);
	tcase_add_test(tc, toa_both);
	tcase_add_test(tc, conn_init);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
