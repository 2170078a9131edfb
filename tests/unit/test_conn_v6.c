/*
 * Unit tests for the compact connection entry (shm/conn.h, issue 10): the
 * fields an established packet reads and writes in the first cache line,
 * IPv4 endpoints in the entry, and the IPv6 side table (worker/ipvs/conn.c:
 * wk_conn_set_addrs, wk_conn_addrs_fit, the free at wk_conn_free and the
 * rebuild at attach): full (the next IPv6 connection does not fit, an IPv4
 * one still does), given back, and rebuilt from the array alone after a
 * worker died (addresses intact, a slot taken by a connection that was
 * never published is free again, a connection naming another's slot is
 * dropped).
 * Plain memory (a buffer formatted with dpvs_conn_table_format), no EAL.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <rte_byteorder.h>

#include "shm/shm.h"
#include "worker/ipvs/conn_table.h"
#include "test_conn_util.h"

#define SEC 1000000000ull
#define T0  (1000ull * SEC)

static struct dpvs_ip
ip6(const char *s)
{
	struct dpvs_ip ip = { .family = DPVS_AF_INET6 };

	ck_assert_int_eq(inet_pton(AF_INET6, s, ip.bytes), 1);
	return ip;
}

static struct dpvs_ip
ip4(const char *s)
{
	struct dpvs_ip ip = { .family = DPVS_AF_INET };

	ck_assert_int_eq(inet_pton(AF_INET, s, ip.bytes), 1);
	return ip;
}

/* A live UDP full-NAT connection from client port cport, endpoints as
 * given; DPVS_CONN_NIL when they do not fit. publish = 0: filled but never
 * made live (a worker that died before wk_conn_insert). */
static uint32_t
make_conn(struct dpvs_conn_table *ct, struct dpvs_ip ca, struct dpvs_ip va, struct dpvs_ip la,
	  struct dpvs_ip da, uint16_t cport, int publish)
{
	uint32_t idx;
	struct dpvs_conn *c;

	if (!wk_conn_addrs_fit(ct, &ca, &da))
		return DPVS_CONN_NIL;
	idx = wk_conn_alloc(ct);
	ck_assert_uint_ne(idx, DPVS_CONN_NIL);
	c = &dpvs_conn_array(ct)[idx];
	c->proto = IPPROTO_UDP;
	c->fwd_mode = DPVS_FWD_FNAT;
	ck_assert_int_eq(wk_conn_set_addrs(ct, idx, &ca, &va, &la, &da), 0);
	c->cport = rte_cpu_to_be_16(cport);
	c->vport = rte_cpu_to_be_16(53);
	c->lport = rte_cpu_to_be_16(cport);
	c->dport = rte_cpu_to_be_16(5353);
	c->expires_ns = T0 + 60 * SEC;
	if (publish)
		wk_conn_insert(ct, idx, T0);
	return idx;
}

static uint32_t
make6(struct dpvs_conn_table *ct, uint16_t cport, int publish)
{
	return make_conn(ct, ip6("fd00::2"), ip6("fd00::100"), ip6("fd00:1::10"),
			 ip6("fd00:1::2"), cport, publish);
}

/* Is connection idx found by both its tuples, from addresses given apart
 * from the entry? */
static int
found_by(struct dpvs_conn_table *ct, uint32_t idx, struct dpvs_ip ca, struct dpvs_ip va,
	 struct dpvs_ip la, struct dpvs_ip da)
{
	const struct dpvs_conn *c = &dpvs_conn_array(ct)[idx];
	int d1 = -1, d2 = -1;

	return wk_conn_lookup(ct, c->proto, &ca, c->cport, &va, c->vport, &d1) == idx &&
	       d1 == DPVS_DIR_IN &&
	       wk_conn_lookup(ct, c->proto, &da, c->dport, &la, c->lport, &d2) == idx &&
	       d2 == DPVS_DIR_OUT;
}

static uint32_t
free_v6_slots(struct dpvs_conn_table *ct)
{
	const struct dpvs_conn6 *v6 =
		(const struct dpvs_conn6 *)(const void *)((const char *)ct + ct->v6_off);
	uint32_t n = 0, i = ct->v6_free;

	while (i != DPVS_CONN_NIL && n <= ct->v6_capacity) {
		i = v6[i].next;
		n++;
	}
	return n;
}

/* What an established UDP packet touches is in the first 64 bytes. */
START_TEST(test_hot_line)
{
	ck_assert_uint_lt(offsetof(struct dpvs_conn, flags), 64);
	ck_assert_uint_lt(offsetof(struct dpvs_conn, proto), 64);
	ck_assert_uint_lt(offsetof(struct dpvs_conn, state), 64);
	ck_assert_uint_lt(offsetof(struct dpvs_conn, fwd_mode), 64);
	ck_assert_uint_lt(offsetof(struct dpvs_conn, in_port), 64);
	ck_assert_uint_lt(offsetof(struct dpvs_conn, out_port), 64);
	ck_assert_uint_lt(offsetof(struct dpvs_conn, svc_slot), 64);
	ck_assert_uint_lt(offsetof(struct dpvs_conn, dest_slot), 64);
	ck_assert_uint_le(offsetof(struct dpvs_conn, svc_id) + 4, 64);
	ck_assert_uint_le(offsetof(struct dpvs_conn, dest_id) + 4, 64);
	ck_assert_uint_le(offsetof(struct dpvs_conn, tprev) + 4, 64);
	ck_assert_uint_le(offsetof(struct dpvs_conn, expires_ns) + 8, 64);
	ck_assert_uint_le(offsetof(struct dpvs_conn, in_pkts) + 4, 64);
	ck_assert_uint_le(offsetof(struct dpvs_conn, out_pkts) + 4, 64);
	ck_assert_uint_le(offsetof(struct dpvs_conn, a4) + 16, 64);
	ck_assert_uint_le(offsetof(struct dpvs_conn, dport) + 2, 64);
	ck_assert_uint_le(offsetof(struct dpvs_conn, cport) + 2, 64);
	/* only a TCP segment (trk) or a translated one (sx_ref) reads the
	 * second line */
	ck_assert_uint_ge(offsetof(struct dpvs_conn, sx_ref), 64);
	ck_assert_uint_ge(offsetof(struct dpvs_conn, trk), 64);
	ck_assert_uint_eq(sizeof(struct dpvs_conn), 128);
}
END_TEST

/* IPv4 endpoints live in the entry and cost no side slot; an IPv6 one
 * takes a slot until the table is full: then the next IPv6 connection
 * does not fit (the ipvs path drops it, conn_v6_full) while an IPv4 one
 * still does; a free gives the slot back. */
START_TEST(test_v6_full_and_back)
{
	struct dpvs_conn_table *ct = tconn_table_new(64, T0);   /* 16 IPv6 slots */
	struct dpvs_ip v4a = ip4("10.0.0.2"), v6a = ip6("fd00::2");
	uint32_t idx[16], k, v4, last;
	const struct dpvs_conn *c;

	ck_assert_uint_eq(ct->v6_capacity, DPVS_CONN_V6_DEFAULT(64));
	ck_assert_uint_eq(ct->v6_capacity, 16);
	ck_assert_uint_eq(free_v6_slots(ct), 16);
	v4 = make_conn(ct, v4a, ip4("10.0.0.100"), ip4("10.1.0.10"), ip4("10.1.0.2"), 7000, 1);
	c = &dpvs_conn_array(ct)[v4];
	ck_assert_uint_eq(ct->v6_count, 0);
	ck_assert(!dpvs_conn_is_v6(c));
	ck_assert_int_eq(memcmp(&c->a4[DPVS_CONN_A_L], ip4("10.1.0.10").bytes, 4), 0);
	for (k = 0; k < 16; k++) {
		idx[k] = make6(ct, (uint16_t)(5000 + k), 1);
		ck_assert_uint_ne(idx[k], DPVS_CONN_NIL);
	}
	ck_assert_uint_eq(ct->v6_count, 16);
	ck_assert(!wk_conn_addrs_fit(ct, &v6a, &v6a));
	ck_assert(!wk_conn_addrs_fit(ct, &v6a, &v4a));    /* an IPv6 client, IPv4 server */
	ck_assert(wk_conn_addrs_fit(ct, &v4a, &v4a));
	ck_assert_uint_eq(make6(ct, 6000, 1), DPVS_CONN_NIL);
	ck_assert_uint_eq(ct->count, 17);
	/* wk_conn_set_addrs itself refuses too, and leaves the slot as it was */
	last = wk_conn_alloc(ct);
	ck_assert_int_eq(wk_conn_set_addrs(ct, last, &v6a, &v6a, &v6a, &v6a), -1);
	ck_assert_uint_eq(dpvs_conn_array(ct)[last].flags, 0);
	ck_assert_uint_eq(dpvs_conn_array(ct)[last].a4[0], 0);
	/* a free gives the slot back */
	wk_conn_free(ct, idx[5]);
	ck_assert_uint_eq(ct->v6_count, 15);
	ck_assert(wk_conn_addrs_fit(ct, &v6a, &v6a));
	ck_assert_uint_ne(make6(ct, 6000, 1), DPVS_CONN_NIL);
	ck_assert_uint_eq(free_v6_slots(ct), 0);
	ck_assert(found_by(ct, v4, v4a, ip4("10.0.0.100"), ip4("10.1.0.10"), ip4("10.1.0.2")));
	free(ct);
}
END_TEST

/* A successor worker's rebuild from the array: the IPv6 connections keep
 * their addresses and are found both ways; the slot of a connection that
 * was filled but never published, and of one that died, is free again; a
 * connection that names a slot owned by another is dropped; the free list
 * and the count are derived again whatever the dead worker left in them. */
START_TEST(test_v6_survives_takeover)
{
	struct dpvs_conn_table *ct = tconn_table_new(64, T0);
	struct dpvs_conn *conns = dpvs_conn_array(ct);
	struct dpvs_conn6 *v6 = (struct dpvs_conn6 *)(void *)((char *)ct + ct->v6_off);
	uint32_t a, b, x64, half, thief, dead, i;

	a = make6(ct, 5001, 1);
	b = make6(ct, 5002, 1);
	/* an IPv6 client through an IPv4 local address to an IPv4 server */
	x64 = make_conn(ct, ip6("fd00::7"), ip6("fd00::64"), ip4("10.1.0.10"), ip4("10.1.0.2"),
			5003, 1);
	half = make6(ct, 5004, 0);           /* died before USED */
	dead = make6(ct, 5005, 1);
	thief = make_conn(ct, ip4("10.0.0.9"), ip4("10.0.0.100"), ip4("10.1.0.10"),
			  ip4("10.1.0.2"), 5006, 1);
	ck_assert_uint_eq(ct->v6_count, 5);
	/* the thief claims b's slot (a torn or corrupt entry) */
	conns[thief].flags |= DPVS_CONN_F_C6 | DPVS_CONN_F_D6;
	conns[thief].a4[0] = conns[b].a4[0];
	/* dead stops being live without its slot given back */
	conns[dead].flags &= (uint8_t)~DPVS_CONN_F_USED;
	/* whatever the dead worker left in the derived parts */
	for (i = 0; i < ct->v6_capacity; i++)
		v6[i].next = i ^ 3u;
	ct->v6_free = 2;
	ct->v6_count = 999;
	ck_assert_uint_eq(wk_conn_rebuild(ct, T0 + SEC), 3);
	ck_assert_uint_eq(conns[thief].flags & DPVS_CONN_F_USED, 0);
	ck_assert_uint_eq(ct->v6_count, 3);
	ck_assert_uint_eq(free_v6_slots(ct), ct->v6_capacity - 3u);
	ck_assert_uint_eq(v6[conns[half].a4[0] - 1u].owner, DPVS_CONN_NIL);
	ck_assert_uint_eq(v6[conns[dead].a4[0] - 1u].owner, DPVS_CONN_NIL);
	ck_assert(found_by(ct, a, ip6("fd00::2"), ip6("fd00::100"), ip6("fd00:1::10"),
			   ip6("fd00:1::2")));
	ck_assert(found_by(ct, b, ip6("fd00::2"), ip6("fd00::100"), ip6("fd00:1::10"),
			   ip6("fd00:1::2")));
	ck_assert(found_by(ct, x64, ip6("fd00::7"), ip6("fd00::64"), ip4("10.1.0.10"),
			   ip4("10.1.0.2")));
	ck_assert_uint_eq(dpvs_conn_fam(&conns[x64], DPVS_CONN_A_C), DPVS_AF_INET6);
	ck_assert_uint_eq(dpvs_conn_fam(&conns[x64], DPVS_CONN_A_D), DPVS_AF_INET);
	ck_assert_uint_eq(dpvs_conn_a4x(ct, &conns[x64], DPVS_CONN_A_L),
			  rte_cpu_to_be_32(0x0a01000au));
	ck_assert_int_eq(memcmp(dpvs_conn_a6(ct, &conns[b], DPVS_CONN_A_D),
				ip6("fd00:1::2").bytes, 16), 0);
	/* the freed slots serve new connections, and the table fills to the
	 * capacity exactly */
	for (i = 0; i < ct->v6_capacity - 3u; i++)
		ck_assert_uint_ne(make6(ct, (uint16_t)(6000 + i), 1), DPVS_CONN_NIL);
	ck_assert_uint_eq(make6(ct, 7000, 1), DPVS_CONN_NIL);
	free(ct);
}
END_TEST

static Suite *
conn_v6_suite(void)
{
	Suite *s = suite_create("conn_v6");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_hot_line);
	tcase_add_test(tc, test_v6_full_and_back);
	tcase_add_test(tc, test_v6_survives_takeover);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(conn_v6_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
