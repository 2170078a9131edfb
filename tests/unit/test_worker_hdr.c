/*
 * Unit tests for the ARP and IPv4 header validation of the worker
 * (worker/l3/hdr.h): each malformation maps to its own drop reason. Plain
 * memory, no EAL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ip.h>

#include "worker/l3/cksum.h"
#include "worker/l3/hdr.h"

static void
good_arp(struct rte_arp_hdr *a)
{
	memset(a, 0, sizeof(*a));
	a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = RTE_BE16(0x0800);
	a->arp_hlen = 6;
	a->arp_plen = 4;
	a->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
}

START_TEST(test_arp_good)
{
	struct rte_arp_hdr a;

	good_arp(&a);
	ck_assert_int_eq(wk_arp_check(&a, sizeof(a)), DPVS_DROP_MAX);
	ck_assert_int_eq(wk_arp_check(&a, sizeof(a) + 18), DPVS_DROP_MAX); /* padding */
	a.arp_opcode = RTE_BE16(9); /* the opcode is the stage's business */
	ck_assert_int_eq(wk_arp_check(&a, sizeof(a)), DPVS_DROP_MAX);
}
END_TEST

START_TEST(test_arp_malformed)
{
	struct rte_arp_hdr a;

	good_arp(&a);
	ck_assert_int_eq(wk_arp_check(&a, sizeof(a) - 1), DPVS_DROP_ARP_MALFORMED);
	a.arp_hardware = RTE_BE16(6);
	ck_assert_int_eq(wk_arp_check(&a, sizeof(a)), DPVS_DROP_ARP_MALFORMED);
	good_arp(&a);
	a.arp_protocol = RTE_BE16(0x86dd);
	ck_assert_int_eq(wk_arp_check(&a, sizeof(a)), DPVS_DROP_ARP_MALFORMED);
	good_arp(&a);
	a.arp_hlen = 8;
	ck_assert_int_eq(wk_arp_check(&a, sizeof(a)), DPVS_DROP_ARP_MALFORMED);
	good_arp(&a);
	a.arp_plen = 16;
	ck_assert_int_eq(wk_arp_check(&a, sizeof(a)), DPVS_DROP_ARP_MALFORMED);
}
END_TEST

/* A 20-byte header with total length tot, valid checksum, in buf. */
static struct rte_ipv4_hdr *
good_ip(uint8_t *buf, uint16_t tot)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)buf;

	memset(buf, 0, 64);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(tot);
	ip->time_to_live = 64;
	ip->next_proto_id = 1;
	ip->src_addr = RTE_BE32(0x0a000002);
	ip->dst_addr = RTE_BE32(0x0a000001);
	wk_ipv4_cksum_set(ip);
	return ip;
}

START_TEST(test_ipv4_good)
{
	uint8_t buf[64];
	struct rte_ipv4_hdr *ip = good_ip(buf, 40);

	ck_assert_int_eq(wk_ipv4_check(ip, 64, 40), DPVS_DROP_MAX);
	ck_assert_int_eq(wk_ipv4_check(ip, 64, 64), DPVS_DROP_MAX); /* padded frame */
	ip->version_ihl = 0x46; /* one word of options */
	wk_ipv4_cksum_set(ip);
	ck_assert_int_eq(wk_ipv4_check(ip, 64, 40), DPVS_DROP_MAX);
}
END_TEST

START_TEST(test_ipv4_bad_header)
{
	uint8_t buf[64];
	struct rte_ipv4_hdr *ip;

	ip = good_ip(buf, 40);
	ck_assert_int_eq(wk_ipv4_check(ip, 19, 40), DPVS_DROP_IP_HDR); /* truncated */
	ck_assert_int_eq(wk_ipv4_check(ip, 64, 39), DPVS_DROP_IP_HDR); /* length > frame */
	ip->version_ihl = 0x65;
	wk_ipv4_cksum_set(ip);
	ck_assert_int_eq(wk_ipv4_check(ip, 64, 40), DPVS_DROP_IP_HDR); /* version */
	ip = good_ip(buf, 40);
	ip->version_ihl = 0x44;
	ck_assert_int_eq(wk_ipv4_check(ip, 64, 40), DPVS_DROP_IP_HDR); /* ihl < 5 */
	ip = good_ip(buf, 40);
	ip->version_ihl = 0x4f; /* 60-byte header in a 40-byte packet */
	ck_assert_int_eq(wk_ipv4_check(ip, 64, 64), DPVS_DROP_IP_HDR);
	ip = good_ip(buf, 16);
	ck_assert_int_eq(wk_ipv4_check(ip, 64, 40), DPVS_DROP_IP_HDR); /* tot < ihl */
	ip = good_ip(buf, 40);
	ip->version_ihl = 0x46;
	wk_ipv4_cksum_set(ip);
	ck_assert_int_eq(wk_ipv4_check(ip, 23, 40), DPVS_DROP_IP_HDR); /* options cut */
}
END_TEST

START_TEST(test_ipv4_bad_csum)
{
	uint8_t buf[64];
	struct rte_ipv4_hdr *ip = good_ip(buf, 40);

	ip->hdr_checksum ^= 0x0100;
	ck_assert_int_eq(wk_ipv4_check(ip, 64, 40), DPVS_DROP_IP_CSUM);
	ip = good_ip(buf, 40);
	ip->time_to_live--; /* changed without updating the checksum */
	ck_assert_int_eq(wk_ipv4_check(ip, 64, 40), DPVS_DROP_IP_CSUM);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("worker_hdr");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_arp_good);
	tcase_add_test(tc, test_arp_malformed);
	tcase_add_test(tc, test_ipv4_good);
	tcase_add_test(tc, test_ipv4_bad_header);
	tcase_add_test(tc, test_ipv4_bad_csum);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
