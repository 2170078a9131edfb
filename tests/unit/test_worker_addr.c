/*
 * Unit tests for the worker's address lookups (worker/l3/addr.c
 * wk_addr_v4_is_ours, worker/ipvs/ipvs.c wk_ipvs_is_laddr) over the address index
 * that dpvs-ctl derives at publication (ctl/daemon/derive.c, lb.addr_hash):
 * node addresses per port, local addresses per protocol, a full set (every
 * address a set can name), removal. The lookups must answer from the index
 * alone: after the derive, the scanned tables are wiped and the answers must
 * not change (a per-packet scan of 256 services would). Also prints the
 * cycles per lookup of an address that is nobody's. Plain memory, no EAL.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <rte_cycles.h>

#include "ctl/daemon/lb.h"
#include "worker/ipvs/lbpath.h"
#include "worker/l2/neigh.h"
#include "worker/worker.h"
#include "test_ctl_util.h"

static uint32_t
v4(const char *s)
{
	struct in_addr a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static struct dpvs_ip
ip4(uint32_t a)
{
	struct dpvs_ip ip;

	wk_ip_from_v4(&ip, a);
	return ip;
}

static void
add_addr(struct dpvs_config_set *set, uint32_t a, uint16_t port)
{
	struct dpvs_addr_entry *e = &dpvs_cfg_addrs(set)[set->naddrs++];

	memset(e, 0, sizeof(*e));
	e->addr = ip4(a);
	e->port = port;
	e->prefixlen = 32;
}

static struct dpvs_service *
add_svc(struct dpvs_config_set *set, uint16_t slot, uint8_t proto, uint32_t vip)
{
	struct dpvs_service *s = &dpvs_lb_svcs(&set->lb)[slot];

	memset(s, 0, sizeof(*s));
	s->id = 100u + slot;
	s->proto = proto;
	s->vip = ip4(vip);
	s->vport = htons(80);
	return s;
}

static void
set_laddr(struct dpvs_config_set *set, uint16_t slot, uint32_t j, uint32_t a)
{
	dpvs_lb_svc_laddrs(&set->lb, slot)[j].ip = ip4(a);
}

static int
is_laddr(const struct dpvs_config_set *set, uint8_t proto, uint32_t a)
{
	struct dpvs_ip ip = ip4(a);

	return wk_ipvs_is_laddr(set, proto, &ip);
}

/* Wipe what the old lookups scanned; the index stays. */
static void
wipe_scanned(struct dpvs_config_set *set)
{
	const struct dpvs_caps *c = &set->lb.caps;

	memset(dpvs_cfg_addrs(set), 0, c->addrs * sizeof(struct dpvs_addr_entry));
	set->naddrs = 0;
	memset(dpvs_lb_svcs(&set->lb), 0, c->services * sizeof(struct dpvs_service));
	memset(dpvs_lb_svc_laddrs(&set->lb, 0), 0,
	       (size_t)c->services * c->svc_laddrs * sizeof(struct dpvs_svc_laddr));
}

START_TEST(test_node_and_local_addresses)
{
	struct dpvs_config_set *set = tctl_set();
	struct dpvs_service *s;

	ck_assert_ptr_nonnull(set);
	add_addr(set, v4("10.0.0.1"), 0);
	add_addr(set, v4("10.0.1.1"), 1);
	add_addr(set, v4("10.0.1.10"), 1);
	s = add_svc(set, 0, IPPROTO_TCP, v4("10.0.0.100"));
	set_laddr(set, 0, 0, v4("10.0.1.10"));
	s->nladdrs = 1;
	s = add_svc(set, 7, IPPROTO_UDP, v4("10.0.0.100"));
	set_laddr(set, 7, 0, v4("10.0.1.11"));
	set_laddr(set, 7, 1, v4("10.0.1.10"));
	s->nladdrs = 2;
	ctl_lb_derive(set);
	wipe_scanned(set);

	ck_assert_int_eq(wk_addr_v4_is_ours(set, 0, v4("10.0.0.1")), 1);
	ck_assert_int_eq(wk_addr_v4_is_ours(set, WK_PORT_NONE, v4("10.0.0.1")), 1);
	ck_assert_int_eq(wk_addr_v4_is_ours(set, 1, v4("10.0.0.1")), 0);
	ck_assert_int_eq(wk_addr_v4_is_ours(set, 1, v4("10.0.1.10")), 1);
	ck_assert_int_eq(wk_addr_v4_is_ours(set, WK_PORT_NONE, v4("10.0.0.9")), 0);
	/* a VIP or a local address is not a node address by itself */
	ck_assert_int_eq(wk_addr_v4_is_ours(set, WK_PORT_NONE, v4("10.0.0.100")), 0);
	ck_assert_int_eq(wk_addr_v4_is_ours(set, WK_PORT_NONE, v4("10.0.1.11")), 0);
	ck_assert_int_eq(wk_addr_v4_is_ours(set, 200, v4("10.0.0.1")), 0);

	ck_assert_int_eq(is_laddr(set, IPPROTO_TCP, v4("10.0.1.10")), 1);
	ck_assert_int_eq(is_laddr(set, IPPROTO_UDP, v4("10.0.1.10")), 1);
	ck_assert_int_eq(is_laddr(set, IPPROTO_TCP, v4("10.0.1.11")), 0);
	ck_assert_int_eq(is_laddr(set, IPPROTO_UDP, v4("10.0.1.11")), 1);
	ck_assert_int_eq(is_laddr(set, IPPROTO_TCP, v4("10.0.0.100")), 0); /* a VIP */
	ck_assert_int_eq(is_laddr(set, IPPROTO_ICMP, v4("10.0.1.10")), 0);
	ck_assert_int_eq(is_laddr(set, IPPROTO_TCP, v4("10.0.0.1")), 0);
	free(set);
}
END_TEST

/* The most a set can name, every address distinct (a local address is a
 * node address: each service's are its own): all found, misses not. */
START_TEST(test_full_set)
{
	struct dpvs_caps caps = tctl_caps();
	struct dpvs_config_set *set;
	uint32_t i, j, a, nsvc, nla;
	uint64_t t0, t1;
	volatile int sink = 0;

	caps.addrs = caps.services * caps.svc_laddrs;
	set = dpvs_cfgset_alloc(&caps);
	ck_assert_ptr_nonnull(set);
	nsvc = caps.services;
	nla = caps.svc_laddrs;
	for (i = 0; i < caps.addrs; i++)
		add_addr(set, htonl(0x0a000000u | i << 8 | 2), (uint16_t)(i % DPVS_MAX_PORTS));
	for (i = 0; i < nsvc; i++) {
		struct dpvs_service *s =
			add_svc(set, (uint16_t)i, (i & 1) ? IPPROTO_UDP : IPPROTO_TCP,
				htonl(0x0b000000u | i));
		for (j = 0; j < nla; j++)
			set_laddr(set, (uint16_t)i, j, htonl(0x0a000000u | (i * nla + j) << 8 | 2));
		s->nladdrs = (uint16_t)nla;
	}
	ctl_lb_derive(set);
	wipe_scanned(set);
	for (i = 0; i < caps.addrs; i++) {
		a = htonl(0x0a000000u | i << 8 | 2);
		ck_assert_int_eq(wk_addr_v4_is_ours(set, (uint16_t)(i % DPVS_MAX_PORTS), a), 1);
		ck_assert_int_eq(wk_addr_v4_is_ours(set, (uint16_t)((i + 1) % DPVS_MAX_PORTS), a),
				 0);
		ck_assert_int_eq(wk_addr_v4_is_ours(set, WK_PORT_NONE, a + htonl(1)), 0);
	}
	for (i = 0; i < nsvc; i++)
		for (j = 0; j < nla; j++) {
			a = htonl(0x0a000000u | (i * nla + j) << 8 | 2);
			ck_assert_int_eq(is_laddr(set, IPPROTO_TCP, a), (i & 1) == 0);
			ck_assert_int_eq(is_laddr(set, IPPROTO_UDP, a), (i & 1) != 0);
			ck_assert_int_eq(is_laddr(set, IPPROTO_TCP, htonl(0x0d000000u | i << 8 | j)),
					 0);
		}
	/* the cost of the per-packet question for a packet that is nobody's */
	a = htonl(0x0e000001u);
	t0 = rte_rdtsc();
	for (i = 0; i < 100000; i++)
		sink += is_laddr(set, IPPROTO_TCP, a + i) + wk_addr_v4_is_ours(set, 0, a + i);
	t1 = rte_rdtsc();
	ck_assert_int_eq(sink, 0);
	printf("address index, full set: %.1f cycles per miss (laddr + node address)\n",
	       (double)(t1 - t0) / 100000.0);
	free(set);
}
END_TEST

START_TEST(test_removed_after_derive)
{
	struct dpvs_config_set *set = tctl_set();
	struct dpvs_service *s;

	ck_assert_ptr_nonnull(set);
	add_addr(set, v4("10.0.0.1"), 0);
	s = add_svc(set, 3, IPPROTO_TCP, v4("10.0.0.100"));
	set_laddr(set, 3, 0, v4("10.0.1.10"));
	s->nladdrs = 1;
	ctl_lb_derive(set);
	ck_assert_int_eq(is_laddr(set, IPPROTO_TCP, v4("10.0.1.10")), 1);
	ck_assert_int_eq(wk_addr_v4_is_ours(set, 0, v4("10.0.0.1")), 1);
	dpvs_lb_svcs(&set->lb)[3].id = 0;
	set->naddrs = 0;
	ctl_lb_derive(set);
	ck_assert_int_eq(is_laddr(set, IPPROTO_TCP, v4("10.0.1.10")), 0);
	ck_assert_int_eq(wk_addr_v4_is_ours(set, WK_PORT_NONE, v4("10.0.0.1")), 0);
	free(set);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("worker_addr");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_node_and_local_addresses);
	tcase_add_test(tc, test_full_set);
	tcase_add_test(tc, test_removed_after_derive);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
