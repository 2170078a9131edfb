/*
 * Unit tests for the local-port allocator of full-NAT and snat
 * (worker/ipvs/lport.h): a worker's share of [1024, 65535] (p % nworkers ==
 * id), the walk from a cursor with its wrap past 65535, a cursor of another
 * share, ports whose outbound key is in the table skipped (and only those:
 * the key is protocol, real server and local address with the port), the
 * hash handed to the insert, the give-up after WK_LPORT_TRIES taken ports.
 * A connection table in process memory and a context with only id,
 * nworkers and the table set; no EAL.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <rte_byteorder.h>

#include "shm/shm.h"
#include "worker/ipvs/conn_table.h"
#include "worker/ipvs/lport.h"
#include "test_conn_util.h"

#define T0 (1000ull * 1000000000ull)

static struct wk_ctx ctx;

static void
ctx_set(struct dpvs_conn_table *ct, uint16_t id, uint16_t nworkers)
{
	memset(&ctx, 0, sizeof(ctx));
	ctx.ct = ct;
	ctx.id = id;
	ctx.nworkers = nworkers;
}

/* A full-NAT connection k whose outbound key is rs:80 -> laddr:lport
 * (host order); its client side is unique per k. */
static void
add_out(struct dpvs_conn_table *ct, uint8_t proto, uint32_t k, uint32_t rs, uint32_t laddr,
	uint16_t lport)
{
	uint32_t idx = wk_conn_alloc(ct);
	struct dpvs_conn *c;

	ck_assert_uint_ne(idx, DPVS_CONN_NIL);
	c = &dpvs_conn_array(ct)[idx];
	c->proto = proto;
	c->fwd_mode = DPVS_FWD_FNAT;
	tconn_set4(c, tconn_v4(0x0b000000u + k), tconn_v4(0x0a000064u), tconn_v4(laddr),
		   tconn_v4(rs));
	c->cport = rte_cpu_to_be_16(40000);
	c->vport = rte_cpu_to_be_16(80);
	c->lport = rte_cpu_to_be_16(lport);
	c->dport = rte_cpu_to_be_16(80);
	c->expires_ns = T0 + 60ull * 1000000000ull;
	wk_conn_insert(ct, idx, T0);
}

/* Every (workers, id): the first port is the lowest of the share, each
 * next is n further, the walk wraps past 65535 to the first, and one lap
 * visits every port of the share once. */
START_TEST(test_share_walk_and_wrap)
{
	static const uint16_t cases[][2] = { { 1, 0 }, { 2, 0 }, { 2, 1 }, { 3, 2 }, { 8, 5 } };
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint16_t n = cases[i][0], id = cases[i][1], first, p, prev;
		uint32_t laps = 0, want = 0, q;

		ctx_set(NULL, id, n);
		for (q = 1024; q <= 65535; q++)
			want += q % n == id;
		first = wk_lport_next(&ctx, 0);
		ck_assert_uint_ge(first, 1024);
		ck_assert_uint_lt(first, 1024 + n);
		ck_assert_uint_eq(first % n, id);
		p = first;
		do {
			prev = p;
			p = wk_lport_next(&ctx, p);
			ck_assert_uint_eq(p % n, id);
			if (p != first)
				ck_assert_uint_eq(p, prev + n);
			else
				ck_assert_uint_gt((uint32_t)prev + n, 65535);   /* wrapped at the top */
			laps++;
		} while (p != first && laps <= 65536);
		ck_assert_uint_eq(laps, want);
	}
}
END_TEST

/* A cursor outside the share (below 1024, of another worker, or a count of
 * workers that changed) restarts at the first port. */
START_TEST(test_cursor_of_another_share)
{
	ctx_set(NULL, 0, 2);
	ck_assert_uint_eq(wk_lport_next(&ctx, 1025), 1024);
	ck_assert_uint_eq(wk_lport_next(&ctx, 70), 1024);
	ck_assert_uint_eq(wk_lport_next(&ctx, 1024), 1026);
	ctx_set(NULL, 1, 2);
	ck_assert_uint_eq(wk_lport_next(&ctx, 65533), 65535);
	ck_assert_uint_eq(wk_lport_next(&ctx, 65535), 1025);
	ck_assert_uint_eq(wk_lport_next(&ctx, 1024), 1025);
	ctx_set(NULL, 2, 3);
	ck_assert_uint_eq(wk_lport_next(&ctx, 1027), 1025);  /* 1027 % 3 == 1 */
}
END_TEST

/* Ports whose outbound key is taken are skipped; the same port toward
 * another real server, from another local address or of another protocol
 * is free. The hash given back is the key's. */
START_TEST(test_pick_skips_ports_in_use)
{
	struct dpvs_conn_table *ct = tconn_table_new(256, T0);
	struct dpvs_ip rs = tconn_v4(0x0a010002u), rs2 = tconn_v4(0x0a010003u);
	struct dpvs_ip la = tconn_v4(0x0a01000au), la2 = tconn_v4(0x0a01000bu);
	uint16_t cur = 0, lport = 0;
	uint32_t h = 0;

	ctx_set(ct, 0, 2);
	add_out(ct, IPPROTO_TCP, 1, 0x0a010002u, 0x0a01000au, 1024);
	add_out(ct, IPPROTO_TCP, 2, 0x0a010002u, 0x0a01000au, 1026);
	add_out(ct, IPPROTO_TCP, 3, 0x0a010002u, 0x0a01000au, 1030);
	ck_assert_int_eq(wk_lport_pick(&ctx, &cur, IPPROTO_TCP, &rs, rte_cpu_to_be_16(80), &la,
				       &lport, &h), 0);
	ck_assert_uint_eq(rte_be_to_cpu_16(lport), 1028);
	ck_assert_uint_eq(cur, 1028);
	ck_assert_uint_eq(h, wk_conn_hash(IPPROTO_TCP, &rs, rte_cpu_to_be_16(80), &la, lport));
	/* the cursor goes on: 1030 is taken too */
	ck_assert_int_eq(wk_lport_pick(&ctx, &cur, IPPROTO_TCP, &rs, rte_cpu_to_be_16(80), &la,
				       &lport, &h), 0);
	ck_assert_uint_eq(rte_be_to_cpu_16(lport), 1032);
	/* other keys with port 1024 are free */
	cur = 0;
	ck_assert_int_eq(wk_lport_pick(&ctx, &cur, IPPROTO_TCP, &rs2, rte_cpu_to_be_16(80), &la,
				       &lport, &h), 0);
	ck_assert_uint_eq(rte_be_to_cpu_16(lport), 1024);
	cur = 0;
	ck_assert_int_eq(wk_lport_pick(&ctx, &cur, IPPROTO_TCP, &rs, rte_cpu_to_be_16(80), &la2,
				       &lport, &h), 0);
	ck_assert_uint_eq(rte_be_to_cpu_16(lport), 1024);
	cur = 0;
	ck_assert_int_eq(wk_lport_pick(&ctx, &cur, IPPROTO_UDP, &rs, rte_cpu_to_be_16(80), &la,
				       &lport, &h), 0);
	ck_assert_uint_eq(rte_be_to_cpu_16(lport), 1024);
	free(ct);
}
END_TEST

/* WK_LPORT_TRIES taken ports in a row: -1, the cursor on the last one
 * tried; the next call goes on from there. Across the wrap, a taken 65535
 * is skipped to a free 1024. */
START_TEST(test_pick_gives_up_and_wraps)
{
	struct dpvs_conn_table *ct = tconn_table_new(256, T0);
	struct dpvs_ip rs = tconn_v4(0x0a010002u), la = tconn_v4(0x0a01000au);
	uint16_t cur = 0, lport = 0;
	uint32_t h, k;

	ctx_set(ct, 0, 2);
	for (k = 0; k < WK_LPORT_TRIES; k++)
		add_out(ct, IPPROTO_TCP, k, 0x0a010002u, 0x0a01000au, (uint16_t)(1024 + 2 * k));
	ck_assert_int_eq(wk_lport_pick(&ctx, &cur, IPPROTO_TCP, &rs, rte_cpu_to_be_16(80), &la,
				       &lport, &h), -1);
	ck_assert_uint_eq(cur, 1024 + 2 * (WK_LPORT_TRIES - 1));
	ck_assert_int_eq(wk_lport_pick(&ctx, &cur, IPPROTO_TCP, &rs, rte_cpu_to_be_16(80), &la,
				       &lport, &h), 0);
	ck_assert_uint_eq(rte_be_to_cpu_16(lport), 1024 + 2 * WK_LPORT_TRIES);
	free(ct);

	ct = tconn_table_new(256, T0);
	ctx_set(ct, 0, 1);
	add_out(ct, IPPROTO_TCP, 1, 0x0a010002u, 0x0a01000au, 65535);
	cur = 65534;
	ck_assert_int_eq(wk_lport_pick(&ctx, &cur, IPPROTO_TCP, &rs, rte_cpu_to_be_16(80), &la,
				       &lport, &h), 0);
	ck_assert_uint_eq(rte_be_to_cpu_16(lport), 1024);
	ck_assert_uint_eq(cur, 1024);
	free(ct);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("lport");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_share_walk_and_wrap);
	tcase_add_test(tc, test_cursor_of_another_share);
	tcase_add_test(tc, test_pick_skips_ports_in_use);
	tcase_add_test(tc, test_pick_gives_up_and_wraps);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
