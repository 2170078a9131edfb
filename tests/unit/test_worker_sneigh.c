/*
 * Unit tests for the static neighbours on the output path (neigh_out.c):
 * the worker remembers the last one it found for the config set it was
 * found in, so a change published by dpvs-ctl (a new MAC, the entry gone)
 * must be followed by the very next packet, and a packet to another next
 * hop must not get the remembered MAC; the same for the last IPv4 route
 * found (wk_route_v4) and the output's inline use of the static neighbour
 * memo (wk_ip_output_v4). The node's config comes from
 * dpvs-ctl's rules loader (each load publishes a new set); the packets go
 * through wk_neigh_output() of worker 0's context. EAL without hugepages
 * or shared config; port 0 is a net_null.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "ctl/rules.h"
#include "shm/eal.h"
#include "shm/shm.h"
#include "worker/ipvs/lbpath.h"
#include "worker/l2/neigh.h"
#include "worker/l3/l3.h"
#include "worker/worker.h"
#include "test_worker_node.h"

#define NH RTE_BE32(0x0a000002u)  /* 10.0.0.2 */
#define NH2 RTE_BE32(0x0a000003u) /* 10.0.0.3 */

static struct dpvs_shm shm;
static struct wk_ctx ctx;

/* Load rules (one string, lines) as dpvs-ctl would, then follow the
 * active set as the worker loop does. */
static void
load_set(const char *rules)
{
	char path[] = "/tmp/dpvs-test-sneigh.XXXXXX", err[256];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, rules, strlen(rules)), (ssize_t)strlen(rules));
	close(fd);
	if (ctl_rules_load(&shm, path, err, sizeof(err)) != 0)
		ck_abort_msg("rules: %s", err);
	unlink(path);
	ctx.cfg = dpvs_config_active(ctx.shm);
}

/* load_set, then the interfaces refreshed for the new set, as the loop
 * does before its bursts. */
static void
load(const char *rules)
{
	load_set(rules);
	wk_if_refresh(&ctx);
}

/* The verdict of one IPv4 frame to next hop nh_be on port 0; *last gets
 * the last byte of its destination MAC when it is sent. */
static struct wk_verdict
out_to(uint32_t nh_be, uint8_t *last)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(shm.pool);
	struct rte_ether_hdr *eth;
	struct wk_verdict v;
	struct dpvs_ip nh;

	ck_assert_ptr_nonnull(m);
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, 60);
	ck_assert_ptr_nonnull(eth);
	memset(eth, 0, 60);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	wk_ip_from_v4(&nh, nh_be);
	v = wk_neigh_output(&ctx, m, 0, &nh);
	*last = eth->dst_addr.addr_bytes[5];
	rte_pktmbuf_free(m); /* never queued here: the verdict is not carried out */
	return v;
}

START_TEST(test_static_neighbour_follows_the_set)
{
	uint8_t mac;

	load("addr add 10.0.0.1/24 dev dpdk0\n"
	     "neigh add 10.0.0.2 lladdr 02:00:00:00:00:21 dev dpdk0\n"
	     "neigh add 10.0.0.3 lladdr 02:00:00:00:00:31 dev dpdk0\n");
	ck_assert_int_eq(out_to(NH, &mac).kind, DPVS_VERDICT_TX);
	ck_assert_uint_eq(mac, 0x21);
	ck_assert_int_eq(out_to(NH, &mac).kind, DPVS_VERDICT_TX); /* remembered */
	ck_assert_uint_eq(mac, 0x21);
	ck_assert_int_eq(out_to(NH2, &mac).kind, DPVS_VERDICT_TX); /* another next hop */
	ck_assert_uint_eq(mac, 0x31);
	ck_assert_int_eq(out_to(NH, &mac).kind, DPVS_VERDICT_TX);
	ck_assert_uint_eq(mac, 0x21);

	/* a new MAC in a new set: the next packet has it */
	load("neigh del 10.0.0.2 dev dpdk0\n"
	     "neigh add 10.0.0.2 lladdr 02:00:00:00:00:42 dev dpdk0\n");
	ck_assert_int_eq(out_to(NH, &mac).kind, DPVS_VERDICT_TX);
	ck_assert_uint_eq(mac, 0x42);

	/* gone: no longer static (a dynamic entry is made and resolved) */
	load("neigh del 10.0.0.2 dev dpdk0\n");
	ck_assert_int_ne(out_to(NH, &mac).kind, DPVS_VERDICT_TX);
	/* the ARP request it sent waits in the tx buffer (the port is not
	 * started here): free it */
	rte_pktmbuf_free_bulk(ctx.wr->txbuf[0].pkts, ctx.wr->txbuf[0].count);
	ctx.wr->txbuf[0].count = 0;
}
END_TEST

/* The port and next hop of the route to dst_be (wk_route_v4, remembered
 * per set), or -1. */
static int
route_to(uint32_t dst_be, uint32_t *nh_be)
{
	uint16_t port = 0xffff;

	*nh_be = 0;
	if (wk_route_v4(&ctx, dst_be, &port, nh_be) != 0)
		return -1;
	return port;
}

/* The verdict of one IPv4 frame through wk_ip_output_v4 to nh_be on port
 * 0; *last: the last byte of its destination MAC. */
static struct wk_verdict
out4_to(uint32_t nh_be, uint8_t *last)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(shm.pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct wk_verdict v;

	ck_assert_ptr_nonnull(m);
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, 60);
	ck_assert_ptr_nonnull(eth);
	memset(eth, 0, 60);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = 0x45;
	ip->total_length = RTE_BE16(46);
	v = wk_ip_output_v4(&ctx, m, 0, nh_be);
	*last = eth->dst_addr.addr_bytes[5];
	ck_assert_uint_eq(eth->ether_type, RTE_BE16(RTE_ETHER_TYPE_IPV4));
	rte_pktmbuf_free(m);
	return v;
}

#define DST RTE_BE32(0x0a010005u) /* 10.1.0.5 */

/* The route the worker remembered (and the static neighbour the inline
 * output remembered) must follow every new set: a new gateway, a new MAC,
 * the route gone. Fails with either memo's set check taken out. */
START_TEST(test_route_memo_follows_the_set)
{
	uint32_t nh;
	uint8_t mac;

	load("neigh add 10.0.0.2 lladdr 02:00:00:00:00:21 dev dpdk0\n"
	     "route add 10.1.0.0/16 via 10.0.0.2 dev dpdk0\n");
	ck_assert_int_eq(route_to(DST, &nh), 0);
	ck_assert_uint_eq(nh, NH);
	ck_assert_int_eq(route_to(DST, &nh), 0); /* remembered */
	ck_assert_uint_eq(nh, NH);
	ck_assert_int_eq(out_to(NH, &mac).kind, DPVS_VERDICT_TX); /* sneigh memo: NH */
	ck_assert_int_eq(out4_to(NH, &mac).kind, DPVS_VERDICT_TX);
	ck_assert_uint_eq(mac, 0x21);
	ck_assert_int_eq(out4_to(NH2, &mac).kind, DPVS_VERDICT_TX); /* another next hop */
	ck_assert_uint_eq(mac, 0x31);
	ck_assert_int_eq(out4_to(NH, &mac).kind, DPVS_VERDICT_TX);
	ck_assert_uint_eq(mac, 0x21);
	ck_assert_int_eq(out4_to(NH, &mac).kind, DPVS_VERDICT_TX); /* remembered */
	ck_assert_uint_eq(mac, 0x21);

	/* a new gateway in a new set: the next lookup has it */
	load("route del 10.1.0.0/16\n"
	     "route add 10.1.0.0/16 via 10.0.0.3 dev dpdk0\n");
	ck_assert_int_eq(route_to(DST, &nh), 0);
	ck_assert_uint_eq(nh, NH2);
	ck_assert_int_eq(route_to(DST, &nh), 0);
	ck_assert_uint_eq(nh, NH2);

	/* a new MAC for the remembered next hop: the next packet has it */
	ck_assert_int_eq(out4_to(NH2, &mac).kind, DPVS_VERDICT_TX);
	ck_assert_uint_eq(mac, 0x31);
	load("neigh del 10.0.0.3 dev dpdk0\n"
	     "neigh add 10.0.0.3 lladdr 02:00:00:00:00:53 dev dpdk0\n");
	ck_assert_int_eq(out4_to(NH2, &mac).kind, DPVS_VERDICT_TX);
	ck_assert_uint_eq(mac, 0x53);

	/* the route gone: none */
	ck_assert_int_eq(route_to(DST, &nh), 0);
	load("route del 10.1.0.0/16\n");
	ck_assert_int_eq(route_to(DST, &nh), -1);
}
END_TEST

/* The output memo (ctx->out_memo, l3.h) is filled only from a static
 * neighbour the set's memo holds and while the interfaces follow that set
 * (wk_if_refresh ran for it): a set made active without the refresh (the
 * interfaces' MACs and MTUs still the old set's) must leave it empty.
 * Fails with wk_out_memo_fill's if_version check taken out. */
START_TEST(test_out_memo_needs_the_interfaces_of_its_set)
{
	const char *rules = "neigh del 10.0.0.2 dev dpdk0\n"
			    "neigh add 10.0.0.2 lladdr 02:00:00:00:00:61 dev dpdk0\n";
	struct wk_verdict v;
	uint64_t stamp;
	uint8_t mac;

	/* (the tests before left 10.0.0.2 a static neighbour, MAC ..:21) */
	load("neigh del 10.0.0.2 dev dpdk0\n"
	     "neigh add 10.0.0.2 lladdr 02:00:00:00:00:21 dev dpdk0\n");
	ck_assert_int_eq(out_to(NH, &mac).kind, DPVS_VERDICT_TX); /* the set's sneigh memo */
	stamp = wk_set_stamp(ctx.cfg);
	wk_out_memo_fill(&ctx, stamp, NH, 0, NH);
	ck_assert(wk_out_memo_hit(&ctx, stamp, NH));
	ck_assert_uint_eq(ctx.out_memo.eth[5], 0x21);
	ck_assert_mem_eq(ctx.out_memo.eth + 6, ctx.mac[0].addr_bytes, 6);
	ck_assert_uint_eq(ctx.out_memo.eth[12], 0x08);
	ck_assert_uint_eq(ctx.out_memo.eth[13], 0x00);
	ck_assert_uint_eq(ctx.out_memo.direct, 1);
	v = wk_out_memo_tx(&ctx);
	ck_assert_int_eq(v.kind, DPVS_VERDICT_TX);
	ck_assert_uint_eq(v.port, 0);

	/* a new set, the interfaces not refreshed for it yet */
	load_set(rules);
	stamp = wk_set_stamp(ctx.cfg);
	ck_assert_int_eq(out_to(NH, &mac).kind, DPVS_VERDICT_TX);
	ck_assert_uint_eq(mac, 0x61);
	wk_out_memo_fill(&ctx, stamp, NH, 0, NH);
	ck_assert(!wk_out_memo_hit(&ctx, stamp, NH));
	/* refreshed: filled */
	wk_if_refresh(&ctx);
	wk_out_memo_fill(&ctx, stamp, NH, 0, NH);
	ck_assert(wk_out_memo_hit(&ctx, stamp, NH));
	ck_assert_uint_eq(ctx.out_memo.eth[5], 0x61);
}
END_TEST

static void
setup_node(const char *prog)
{
	twk_node_start(prog, "tuws", &shm, &ctx);
	wk_ctx_recover(&ctx);
}

int
main(int argc, char **argv)
{
	Suite *s = suite_create("worker_sneigh");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	(void)argc;
	setup_node(argv[0]);
	tcase_add_test(tc, test_static_neighbour_follows_the_set);
	tcase_add_test(tc, test_route_memo_follows_the_set);
	tcase_add_test(tc, test_out_memo_needs_the_interfaces_of_its_set);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	dpvs_eal_cleanup_private();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
