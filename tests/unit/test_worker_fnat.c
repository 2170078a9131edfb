/*
 * Unit tests for full-NAT's header rewriting (worker/ipvs/xmit_fnat.c,
 * worker/ipvs/lbpath.h): the RFC 1624 incremental checksum updates of the IPv4,
 * TCP and UDP headers after address and port rewrites, and the MSS clamp,
 * each checked against a checksum computed from scratch. Plain memory, no
 * EAL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <netinet/in.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "worker/l3/cksum.h"
#include "worker/ipvs/lbpath.h"

#define PKT_MAX 256

/* The TCP/UDP checksum of the packet at ip from scratch (pseudo header
 * included), as it would be stored. */
static uint16_t
l4_cksum_scratch(const struct rte_ipv4_hdr *ip)
{
	uint8_t buf[12 + PKT_MAX];
	uint32_t hlen = rte_ipv4_hdr_len(ip);
	uint16_t l4len = (uint16_t)(rte_be_to_cpu_16(ip->total_length) - hlen);
	uint16_t l4len_be = rte_cpu_to_be_16(l4len), off, save;
	uint8_t *l4 = buf + 12;

	memcpy(buf, &ip->src_addr, 4);
	memcpy(buf + 4, &ip->dst_addr, 4);
	buf[8] = 0;
	buf[9] = ip->next_proto_id;
	memcpy(buf + 10, &l4len_be, 2);
	memcpy(l4, (const uint8_t *)ip + hlen, l4len);
	off = ip->next_proto_id == IPPROTO_TCP ? 16 : 6;
	save = 0;
	memcpy(l4 + off, &save, 2);
	return wk_cksum(buf, 12u + l4len);
}

static uint16_t
l4_cksum_field(const struct rte_ipv4_hdr *ip)
{
	const uint8_t *l4 = (const uint8_t *)ip + rte_ipv4_hdr_len(ip);
	uint16_t v;

	memcpy(&v, l4 + (ip->next_proto_id == IPPROTO_TCP ? 16 : 6), 2);
	return v;
}

static void
l4_cksum_store(struct rte_ipv4_hdr *ip, uint16_t v)
{
	uint8_t *l4 = (uint8_t *)ip + rte_ipv4_hdr_len(ip);

	memcpy(l4 + (ip->next_proto_id == IPPROTO_TCP ? 16 : 6), &v, 2);
}

/* A random IPv4 packet of proto with n payload bytes and TCP options of
 * optlen bytes (TCP only), correct checksums. Returns its IP header. */
static struct rte_ipv4_hdr *
make_pkt(uint8_t *buf, uint8_t proto, uint32_t n, uint32_t optlen)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)buf;
	uint32_t l4hdr = proto == IPPROTO_TCP ? 20 + optlen : 8, i;
	uint8_t *l4 = buf + 20;

	for (i = 0; i < PKT_MAX; i++)
		buf[i] = (uint8_t)rand();
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + l4hdr + n));
	ip->fragment_offset = 0;
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	wk_ipv4_cksum_set(ip);
	if (proto == IPPROTO_TCP) {
		l4[12] = (uint8_t)((l4hdr / 4) << 4);
		memset(l4 + 20, 1, optlen); /* NOPs */
	} else {
		uint16_t len = rte_cpu_to_be_16((uint16_t)(8 + n));

		memcpy(l4 + 4, &len, 2);
	}
	l4_cksum_store(ip, l4_cksum_scratch(ip));
	return ip;
}

START_TEST(test_update_words_match_scratch)
{
	uint8_t b[40];
	uint16_t hc, old, new_;
	uint32_t o32, n32;
	int k;

	srand(1);
	for (k = 0; k < 10000; k++) {
		size_t i;

		for (i = 0; i < sizeof(b); i++)
			b[i] = (uint8_t)rand();
		b[0] = b[1] = 0;
		hc = wk_cksum(b, sizeof(b));
		memcpy(&old, b + 6, 2);
		new_ = (uint16_t)rand();
		memcpy(b + 6, &new_, 2);
		hc = wk_csum_update16(hc, old, new_);
		memcpy(&o32, b + 12, 4);
		n32 = (uint32_t)rand() ^ ((uint32_t)rand() << 16);
		memcpy(b + 12, &n32, 4);
		hc = wk_csum_update32(hc, o32, n32);
		/* 0x0000 and 0xffff are the same number in one's complement */
		ck_assert_msg(hc == wk_cksum(b, sizeof(b)) ||
				      ((uint16_t)(hc + 1) == 0 && wk_cksum(b, sizeof(b)) == 0),
			      "iteration %d: 0x%04x vs 0x%04x", k, hc, wk_cksum(b, sizeof(b)));
	}
}
END_TEST

static void
rewrite_and_check(uint8_t proto, int iters)
{
	uint8_t buf[PKT_MAX];
	struct rte_ipv4_hdr *ip;
	uint32_t s, d;
	uint16_t sp, dp;
	int k;

	for (k = 0; k < iters; k++) {
		ip = make_pkt(buf, proto, (uint32_t)rand() % 100,
			      proto == IPPROTO_TCP ? 4u * (uint32_t)(rand() % 6) : 0);
		s = (uint32_t)rand();
		d = (uint32_t)rand();
		sp = (uint16_t)rand();
		dp = (uint16_t)rand();
		wk_fnat_rewrite(ip, (uint8_t *)ip + 20, proto,
				rte_be_to_cpu_16(ip->total_length) - 20u, s, sp, d, dp);
		ck_assert_uint_eq(ip->src_addr, s);
		ck_assert_uint_eq(ip->dst_addr, d);
		ck_assert(wk_ipv4_cksum_ok(ip));
		ck_assert_msg(l4_cksum_field(ip) == l4_cksum_scratch(ip) ||
				      (proto == IPPROTO_TCP && l4_cksum_field(ip) == 0xffff &&
				       l4_cksum_scratch(ip) == 0) ||
				      (proto == IPPROTO_UDP && l4_cksum_field(ip) == 0xffff &&
				       l4_cksum_scratch(ip) == 0),
			      "iteration %d: l4 checksum 0x%04x, scratch 0x%04x", k,
			      l4_cksum_field(ip), l4_cksum_scratch(ip));
	}
}

START_TEST(test_tcp_rewrite_matches_scratch)
{
	srand(2);
	rewrite_and_check(IPPROTO_TCP, 5000);
}
END_TEST

START_TEST(test_udp_rewrite_matches_scratch)
{
	srand(3);
	rewrite_and_check(IPPROTO_UDP, 5000);
}
END_TEST

START_TEST(test_udp_zero_checksum_stays_zero)
{
	uint8_t buf[PKT_MAX];
	struct rte_ipv4_hdr *ip = make_pkt(buf, IPPROTO_UDP, 10, 0);

	l4_cksum_store(ip, 0);
	wk_fnat_rewrite(ip, buf + 20, IPPROTO_UDP, 18, 0x01020304, 1, 0x05060708, 2);
	ck_assert_uint_eq(l4_cksum_field(ip), 0);
	ck_assert(wk_ipv4_cksum_ok(ip));
}
END_TEST

START_TEST(test_truncated_l4_keeps_ports_only)
{
	/* an ICMP error's embedded TCP header: 8 bytes, no checksum in reach */
	uint8_t buf[PKT_MAX];
	struct rte_ipv4_hdr *ip = make_pkt(buf, IPPROTO_TCP, 0, 0);
	uint16_t before = l4_cksum_field(ip), *ports = (uint16_t *)(buf + 20);

	wk_fnat_rewrite(ip, buf + 20, IPPROTO_TCP, 8, 0x01020304, 0x1111, 0x05060708, 0x2222);
	ck_assert_uint_eq(l4_cksum_field(ip), before);
	ck_assert_uint_eq(ports[0], 0x1111);
	ck_assert_uint_eq(ports[1], 0x2222);
	ck_assert(wk_ipv4_cksum_ok(ip));
}
END_TEST

/* A TCP SYN whose options start with lead NOPs, then MSS mss. */
static struct rte_ipv4_hdr *
syn_with_mss(uint8_t *buf, unsigned int lead, uint16_t mss)
{
	struct rte_ipv4_hdr *ip = make_pkt(buf, IPPROTO_TCP, 0, 8);
	uint8_t *opt = buf + 40;
	uint16_t be = rte_cpu_to_be_16(mss);

	memset(opt, 1, 8);
	opt[lead] = 2;
	opt[lead + 1] = 4;
	memcpy(opt + lead + 2, &be, 2);
	l4_cksum_store(ip, l4_cksum_scratch(ip));
	return ip;
}

START_TEST(test_mss_clamp_even_and_odd_offsets)
{
	uint8_t buf[PKT_MAX];
	struct rte_ipv4_hdr *ip;
	unsigned int lead;
	uint16_t v;

	srand(4);
	for (lead = 0; lead < 4; lead++) {
		int k;

		for (k = 0; k < 200; k++) {
			ip = syn_with_mss(buf, lead, 9000);
			ck_assert_int_eq(
				wk_tcp_mss_clamp((struct rte_tcp_hdr *)(buf + 20), 28, 1460), 1);
			memcpy(&v, buf + 40 + lead + 2, 2);
			ck_assert_uint_eq(rte_be_to_cpu_16(v), 1460);
			ck_assert_msg(l4_cksum_field(ip) == l4_cksum_scratch(ip) ||
					      (l4_cksum_field(ip) == 0xffff &&
					       l4_cksum_scratch(ip) == 0),
				      "lead %u: 0x%04x vs 0x%04x", lead, l4_cksum_field(ip),
				      l4_cksum_scratch(ip));
		}
	}
	ip = syn_with_mss(buf, 1, 1200);
	ck_assert_int_eq(wk_tcp_mss_clamp((struct rte_tcp_hdr *)(buf + 20), 28, 1460), 0);
	memcpy(&v, buf + 43, 2);
	ck_assert_uint_eq(rte_be_to_cpu_16(v), 1200);
}
END_TEST

START_TEST(test_mss_clamp_bad_options_left_alone)
{
	uint8_t buf[PKT_MAX];
	struct rte_ipv4_hdr *ip = make_pkt(buf, IPPROTO_TCP, 0, 8);
	uint16_t before;

	memset(buf + 40, 1, 8);
	buf[40] = 8;  /* an unknown option whose length runs past the header */
	buf[41] = 40;
	l4_cksum_store(ip, l4_cksum_scratch(ip));
	before = l4_cksum_field(ip);
	ck_assert_int_eq(wk_tcp_mss_clamp((struct rte_tcp_hdr *)(buf + 20), 28, 1460), 0);
	buf[41] = 0;  /* a zero length must not loop */
	ck_assert_int_eq(wk_tcp_mss_clamp((struct rte_tcp_hdr *)(buf + 20), 28, 1460), 0);
	ck_assert_uint_eq(l4_cksum_field(ip), before);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("worker_fnat");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_update_words_match_scratch);
	tcase_add_test(tc, test_tcp_rewrite_matches_scratch);
	tcase_add_test(tc, test_udp_rewrite_matches_scratch);
	tcase_add_test(tc, test_udp_zero_checksum_stays_zero);
	tcase_add_test(tc, test_truncated_l4_keeps_ports_only);
	tcase_add_test(tc, test_mss_clamp_even_and_odd_offsets);
	tcase_add_test(tc, test_mss_clamp_bad_options_left_alone);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
