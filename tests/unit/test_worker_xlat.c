/*
 * Unit tests of the translation between IPv4 and IPv6 for full-NAT across
 * families (worker/ipvs/xlat.c, xlat.h) and of the TCP/UDP checksum update
 * across a pseudo-header change of family (lbpath.h wk_csum_update_l4,
 * xmit.c wk_l4_rewrite): the rebuilt headers field by field, the ICMP type
 * maps both ways, and the checksum against one summed from scratch.
 * Plain memory, no EAL.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <rte_ip.h>

#include "worker/ipvs/lbpath.h"
#include "worker/ipvs/xlat.h"

/* RFC 1071 over the bytes, plus a starting sum; the checksum as stored. */
static uint16_t
sum_bytes(const uint8_t *b, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* The TCP checksum of seg (len bytes, its checksum field zeroed) between
 * src and dst of alen bytes (4 or 16). */
static uint16_t
tcp_sum(const uint8_t *src, const uint8_t *dst, unsigned int alen, const uint8_t *seg,
	size_t len)
{
	uint8_t ph[40] = { 0 };
	uint32_t s = 0;
	size_t i;

	memcpy(ph, src, alen);
	memcpy(ph + alen, dst, alen);
	for (i = 0; i < 2 * alen; i += 2)
		s += (uint32_t)(ph[i] << 8 | ph[i + 1]);
	s += (uint32_t)len + IPPROTO_TCP;
	return sum_bytes(seg, len, s);
}

START_TEST(test_hdr_6to4)
{
	struct rte_ipv6_hdr in;
	struct rte_ipv4_hdr out;

	memset(&in, 0, sizeof(in));
	in.vtc_flow = htonl(6u << 28 | 0x28u << 20 | 0x12345);
	in.proto = IPPROTO_TCP;
	in.hop_limits = 63;
	wk_xlat_hdr_6to4(&in, 100, inet_addr("10.1.0.10"), inet_addr("10.1.0.11"), 7, &out);
	ck_assert_uint_eq(out.version_ihl, 0x45);
	ck_assert_uint_eq(out.type_of_service, 0x28);
	ck_assert_uint_eq(ntohs(out.total_length), 120);
	ck_assert_uint_eq(ntohs(out.packet_id), 7);
	ck_assert_uint_eq(out.fragment_offset, 0);     /* 140 bytes as IPv6: DF clear */
	ck_assert_uint_eq(out.time_to_live, 63);
	ck_assert_uint_eq(out.next_proto_id, IPPROTO_TCP);
	ck_assert_uint_eq(out.src_addr, inet_addr("10.1.0.10"));
	ck_assert_uint_eq(out.dst_addr, inet_addr("10.1.0.11"));
	ck_assert_uint_eq(sum_bytes((const uint8_t *)&out, sizeof(out), 0), 0);
	/* longer than 1280 bytes as IPv6: its sender does path MTU discovery */
	wk_xlat_hdr_6to4(&in, WK_XLAT_DF_MIN - 40, 1, 2, 0, &out);
	ck_assert_uint_eq(out.fragment_offset, 0);
	wk_xlat_hdr_6to4(&in, WK_XLAT_DF_MIN - 39, 1, 2, 0, &out);
	ck_assert_uint_eq(ntohs(out.fragment_offset), RTE_IPV4_HDR_DF_FLAG);
	ck_assert_uint_eq(sum_bytes((const uint8_t *)&out, sizeof(out), 0), 0);
}
END_TEST

START_TEST(test_hdr_4to6)
{
	static const uint8_t s6[16] = { 0xfd, 0, 0, 0x18, [15] = 0x64 };
	static const uint8_t d6[16] = { 0xfd, 0, 0, 0x18, [15] = 2 };
	struct rte_ipv4_hdr in;
	struct rte_ipv6_hdr out;

	memset(&in, 0, sizeof(in));
	in.version_ihl = 0x46;                         /* an option: dropped */
	in.type_of_service = 0x10;
	in.time_to_live = 62;
	in.next_proto_id = IPPROTO_UDP;
	wk_xlat_hdr_4to6(&in, 48, s6, d6, &out);
	ck_assert_uint_eq(ntohl(out.vtc_flow), 6u << 28 | 0x10u << 20);  /* flow label 0 */
	ck_assert_uint_eq(ntohs(out.payload_len), 48);
	ck_assert_uint_eq(out.proto, IPPROTO_UDP);
	ck_assert_uint_eq(out.hop_limits, 62);
	ck_assert_mem_eq(out.src_addr, s6, 16);
	ck_assert_mem_eq(out.dst_addr, d6, 16);
}
END_TEST

START_TEST(test_icmp_maps)
{
	uint8_t t, c;
	uint32_t param;
	uint16_t mtu;

	/* ICMPv4 -> ICMPv6 */
	ck_assert_int_eq(wk_xlat_icmp_4to6(3, 4, 1400, &t, &c, &param), 0);
	ck_assert_uint_eq(t, 2);
	ck_assert_uint_eq(param, 1420);                /* the IPv6 header is 20 bytes more */
	ck_assert_int_eq(wk_xlat_icmp_4to6(3, 4, 576, &t, &c, &param), 0);
	ck_assert_uint_eq(param, 1280);                /* never under IPv6's minimum */
	ck_assert_int_eq(wk_xlat_icmp_4to6(3, 3, 0, &t, &c, &param), 0);
	ck_assert_uint_eq(t, 1);
	ck_assert_uint_eq(c, 4);                       /* port unreachable */
	ck_assert_int_eq(wk_xlat_icmp_4to6(3, 1, 0, &t, &c, &param), 0);
	ck_assert_uint_eq(t, 1);
	ck_assert_uint_eq(c, 0);                       /* no route */
	ck_assert_int_eq(wk_xlat_icmp_4to6(3, 13, 0, &t, &c, &param), 0);
	ck_assert_uint_eq(c, 1);                       /* administratively prohibited */
	ck_assert_int_eq(wk_xlat_icmp_4to6(11, 0, 0, &t, &c, &param), 0);
	ck_assert_uint_eq(t, 3);
	ck_assert_int_eq(wk_xlat_icmp_4to6(3, 14, 0, &t, &c, &param), -1);
	ck_assert_int_eq(wk_xlat_icmp_4to6(12, 0, 0, &t, &c, &param), -1);
	/* ICMPv6 -> ICMPv4 */
	ck_assert_int_eq(wk_xlat_icmp_6to4(2, 0, 1500, &t, &c, &mtu), 0);
	ck_assert_uint_eq(t, 3);
	ck_assert_uint_eq(c, 4);
	ck_assert_uint_eq(mtu, 1480);
	ck_assert_int_eq(wk_xlat_icmp_6to4(1, 4, 0, &t, &c, &mtu), 0);
	ck_assert_uint_eq(t, 3);
	ck_assert_uint_eq(c, 3);                       /* port unreachable */
	ck_assert_int_eq(wk_xlat_icmp_6to4(3, 1, 0, &t, &c, &mtu), 0);
	ck_assert_uint_eq(t, 11);
	ck_assert_uint_eq(c, 1);
	ck_assert_int_eq(wk_xlat_icmp_6to4(4, 1, 6, &t, &c, &mtu), 0);
	ck_assert_uint_eq(c, 2);                       /* protocol unreachable */
	ck_assert_int_eq(wk_xlat_icmp_6to4(4, 0, 6, &t, &c, &mtu), -1);
	ck_assert_int_eq(wk_xlat_icmp_6to4(1, 7, 0, &t, &c, &mtu), -1);
	ck_assert_int_eq(wk_xlat_icmp_6to4(128, 0, 0, &t, &c, &mtu), -1);  /* echo */
}
END_TEST

/* A TCP segment's checksum, moved from an IPv6 pseudo-header to an IPv4 one
 * with new ports (and back), equals the one summed from scratch. */
START_TEST(test_csum_across_families)
{
	static const uint8_t c6[16] = { 0xfd, 0, 0, 0x18, [14] = 0xab, [15] = 2 };
	static const uint8_t v6[16] = { 0xfd, 0, 0, 0x18, [15] = 0x64 };
	const uint32_t l4 = inet_addr("198.19.0.10"), r4 = inet_addr("198.19.0.11");
	uint8_t seg[40];
	uint16_t want, got, ck = 0;
	unsigned int i;

	for (i = 0; i < sizeof(seg); i++)
		seg[i] = (uint8_t)(i * 37 + 11);
	seg[12] = 5 << 4;                              /* data offset: 20 bytes */
	memset(seg + 16, 0, 2);
	ck = tcp_sum(c6, v6, 16, seg, sizeof(seg));
	memcpy(seg + 16, &ck, 2);
	wk_l4_rewrite(seg, IPPROTO_TCP, sizeof(seg), c6, v6, 16, &l4, &r4, 4, htons(1025),
		      htons(8080));
	ck_assert_uint_eq(ntohs(*(uint16_t *)seg), 1025);
	ck_assert_uint_eq(ntohs(*(uint16_t *)(seg + 2)), 8080);
	memcpy(&got, seg + 16, 2);
	memset(seg + 16, 0, 2);
	want = tcp_sum((const uint8_t *)&l4, (const uint8_t *)&r4, 4, seg, sizeof(seg));
	ck_assert_uint_eq(got, want);
	/* and back, as the reply's rewrite does */
	memcpy(seg + 16, &got, 2);
	wk_l4_rewrite(seg, IPPROTO_TCP, sizeof(seg), &r4, &l4, 4, v6, c6, 16, htons(80),
		      htons(40000));
	memcpy(&got, seg + 16, 2);
	memset(seg + 16, 0, 2);
	want = tcp_sum(v6, c6, 16, seg, sizeof(seg));
	ck_assert_uint_eq(got, want);
}
END_TEST

static Suite *
xlat_suite(void)
{
	Suite *s = suite_create("worker_xlat");
	TCase *tc = tcase_create("xlat");

	tcase_add_test(tc, test_hdr_6to4);
	tcase_add_test(tc, test_hdr_4to6);
	tcase_add_test(tc, test_icmp_maps);
	tcase_add_test(tc, test_csum_across_families);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(xlat_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
