/*
 * Unit tests for the worker's neighbour table (worker/l2/neigh.c): insert,
 * update in place, lookup, keys of (port, family, address), a full table,
 * recount after a restart. Plain memory, no EAL.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "worker/l2/neigh.h"

static struct dpvs_worker_region *
fresh_region(void)
{
	struct dpvs_worker_region *wr = calloc(1, sizeof(*wr));

	ck_assert_ptr_nonnull(wr);
	return wr;
}

static struct dpvs_ip
v4(const char *s)
{
	struct dpvs_ip ip;
	uint32_t a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	wk_ip_from_v4(&ip, a);
	return ip;
}

static const uint8_t MAC_A[6] = { 0x02, 0xaa, 0, 0, 0, 1 };
static const uint8_t MAC_B[6] = { 0x02, 0xbb, 0, 0, 0, 2 };

START_TEST(test_insert_and_lookup)
{
	struct dpvs_worker_region *wr = fresh_region();
	struct dpvs_ip ip = v4("10.0.0.2");
	const struct dpvs_neigh *e;

	ck_assert_ptr_null(wk_neigh_lookup(wr, 0, &ip));
	ck_assert_int_eq(wk_neigh_learn(wr, 0, &ip, MAC_A, 100), WK_NEIGH_NEW);
	e = wk_neigh_lookup(wr, 0, &ip);
	ck_assert_ptr_nonnull(e);
	ck_assert_mem_eq(e->mac, MAC_A, 6);
	ck_assert_uint_eq(e->state, DPVS_NEIGH_REACHABLE);
	ck_assert_uint_eq(e->updated_ns, 100);
	ck_assert_uint_eq(e->ip.family, DPVS_AF_INET);
	ck_assert_uint_eq(wr->neigh_count, 1);
	free(wr);
}
END_TEST

START_TEST(test_update_in_place)
{
	struct dpvs_worker_region *wr = fresh_region();
	struct dpvs_ip ip = v4("10.0.0.2");
	const struct dpvs_neigh *e1, *e2;

	ck_assert_int_eq(wk_neigh_learn(wr, 0, &ip, MAC_A, 1), WK_NEIGH_NEW);
	e1 = wk_neigh_lookup(wr, 0, &ip);
	ck_assert_int_eq(wk_neigh_learn(wr, 0, &ip, MAC_B, 2), WK_NEIGH_UPDATED);
	e2 = wk_neigh_lookup(wr, 0, &ip);
	ck_assert_ptr_eq(e1, e2);
	ck_assert_mem_eq(e2->mac, MAC_B, 6);
	ck_assert_uint_eq(e2->updated_ns, 2);
	ck_assert_uint_eq(wr->neigh_count, 1);
	free(wr);
}
END_TEST

START_TEST(test_key_is_port_and_address)
{
	struct dpvs_worker_region *wr = fresh_region();
	struct dpvs_ip ip = v4("10.0.0.2"), other = v4("10.0.0.3"), ip6;

	memset(&ip6, 0, sizeof(ip6));
	ip6.family = DPVS_AF_INET6;
	memcpy(ip6.bytes, ip.bytes, 4); /* same leading bytes, other family */
	ck_assert_int_eq(wk_neigh_learn(wr, 0, &ip, MAC_A, 1), WK_NEIGH_NEW);
	ck_assert_int_eq(wk_neigh_learn(wr, 1, &ip, MAC_B, 1), WK_NEIGH_NEW);
	ck_assert_int_eq(wk_neigh_learn(wr, 0, &ip6, MAC_B, 1), WK_NEIGH_NEW);
	ck_assert_mem_eq(wk_neigh_lookup(wr, 0, &ip)->mac, MAC_A, 6);
	ck_assert_mem_eq(wk_neigh_lookup(wr, 1, &ip)->mac, MAC_B, 6);
	ck_assert_uint_eq(wk_neigh_lookup(wr, 0, &ip6)->ip.family, DPVS_AF_INET6);
	ck_assert_ptr_null(wk_neigh_lookup(wr, 0, &other));
	ck_assert_ptr_null(wk_neigh_lookup(wr, 2, &ip));
	ck_assert_uint_eq(wr->neigh_count, 3);
	free(wr);
}
END_TEST

START_TEST(test_static_keeps_mac)
{
	struct dpvs_worker_region *wr = fresh_region();
	struct dpvs_ip ip = v4("10.0.0.2");
	struct dpvs_neigh *e;

	wk_neigh_learn(wr, 0, &ip, MAC_A, 1);
	e = (struct dpvs_neigh *)wk_neigh_lookup(wr, 0, &ip);
	e->state = DPVS_NEIGH_STATIC;
	ck_assert_int_eq(wk_neigh_learn(wr, 0, &ip, MAC_B, 2), WK_NEIGH_UPDATED);
	ck_assert_mem_eq(e->mac, MAC_A, 6);
	free(wr);
}
END_TEST

START_TEST(test_full_table)
{
	struct dpvs_worker_region *wr = fresh_region();
	struct dpvs_ip ip;
	uint32_t i, a;

	for (i = 0; i < DPVS_NEIGH_SLOTS; i++) {
		a = htonl(0x0a000000u + i);
		wk_ip_from_v4(&ip, a);
		ck_assert_int_eq(wk_neigh_learn(wr, 0, &ip, MAC_A, i), WK_NEIGH_NEW);
	}
	ck_assert_uint_eq(wr->neigh_count, DPVS_NEIGH_SLOTS);
	wk_ip_from_v4(&ip, htonl(0x0b000001u));
	ck_assert_int_eq(wk_neigh_learn(wr, 0, &ip, MAC_A, 0), -ENOSPC);
	ck_assert_ptr_null(wk_neigh_lookup(wr, 0, &ip)); /* terminates when full */
	/* every entry is still found, and can still be updated */
	for (i = 0; i < DPVS_NEIGH_SLOTS; i++) {
		wk_ip_from_v4(&ip, htonl(0x0a000000u + i));
		ck_assert_ptr_nonnull(wk_neigh_lookup(wr, 0, &ip));
	}
	wk_ip_from_v4(&ip, htonl(0x0a000007u));
	ck_assert_int_eq(wk_neigh_learn(wr, 0, &ip, MAC_B, 9), WK_NEIGH_UPDATED);
	ck_assert_mem_eq(wk_neigh_lookup(wr, 0, &ip)->mac, MAC_B, 6);
	ck_assert_uint_eq(wr->neigh_count, DPVS_NEIGH_SLOTS);
	free(wr);
}
END_TEST

START_TEST(test_recount_after_restart)
{
	struct dpvs_worker_region *wr = fresh_region();
	struct dpvs_ip ip;
	uint32_t i;

	for (i = 0; i < 10; i++) {
		wk_ip_from_v4(&ip, htonl(0xc0a80001u + i));
		wk_neigh_learn(wr, (uint16_t)(i % 2), &ip, MAC_A, i);
	}
	wr->neigh_count = 12345; /* a predecessor died between slot and count */
	ck_assert_uint_eq(wk_neigh_recount(wr), 10);
	ck_assert_uint_eq(wr->neigh_count, 10);
	free(wr);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("worker_neigh");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_insert_and_lookup);
	tcase_add_test(tc, test_update_in_place);
	tcase_add_test(tc, test_key_is_port_and_address);
	tcase_add_test(tc, test_static_keeps_mac);
	tcase_add_test(tc, test_full_table);
	tcase_add_test(tc, test_recount_after_restart);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
