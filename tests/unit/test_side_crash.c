/*
 * Kill points inside a full side table's eviction, on the worker's own way
 * (wk_pipeline: ipvs_new.c conn_new, ipvs.c wk_ipvs_conn_evict_side,
 * conn.c; the points of shm/fault.h): a table of 64 (side tables of 16)
 * holds 20 half-open IPv4 connections of a service without a side slot
 * at the half-open list's head and 16 half-open ones holding every slot
 * of the side table (TOA connections' sequence translations, or IPv6
 * connections' addresses); a forked child, the worker, takes one more
 * SYN of the latter, which evicts, and dies at the point:
 *   side_victim_closed  the victim closed, its slots free, the new one not made
 *   side_sx_taken       the freed sequence slot taken for the new one, nobody's
 *   sx_attached         the new entry names its sequence slot, not live yet
 *   v6_slot_named       the new entry names its IPv6 slot, not live yet
 * The parent, as the successor, rebuilds the table from the array
 * (wk_conn_rebuild) and checks it: no side slot named by two live
 * connections or owned by another, the counts and free lists right, the
 * victim gone, the new one not there (both tuples), the 35 others found;
 * then the same SYN again opens its connection.
 * EAL without hugepages (its memory a shared memfd: the child writes the
 * parent's table), port 0 a net_null, the config from dpvs-ctl's rules.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <netinet/in.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "ctl/rules.h"
#include "shm/eal.h"
#include "shm/fault.h"
#include "shm/shm.h"
#include "worker/ipvs/conn_table.h"
#include "worker/l2/neigh.h"
#include "worker/l3/cksum.h"
#include "worker/worker.h"
#include "test_conn_util.h"
#include "test_worker_node.h"

#define NOW_NS (1000ull * 1000000000ull)

static struct dpvs_shm shm;
static struct wk_ctx ctx;

static const char RULES[] = "addr add 10.0.0.1/24 dev dpdk0\n"
			    "addr add 10.0.0.10/32 dev dpdk0\n"
			    "addr add fd00::1/64 dev dpdk0\n"
			    "addr add fd00:1::1/64 dev dpdk0\n"
			    "addr add fd00:1::10/128 dev dpdk0\n"
			    "neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev dpdk0\n"
			    "neigh add 10.0.0.3 lladdr 02:00:00:00:00:03 dev dpdk0\n"
			    "neigh add fd00::2 lladdr 02:00:00:00:00:02 dev dpdk0\n"
			    "neigh add fd00:1::2 lladdr 02:00:00:00:00:03 dev dpdk0\n"
			    "-A -t 10.0.0.100:80 -s rr\n"
			    "-a -t 10.0.0.100:80 -r 10.0.0.3:8080 -b fnat -w 1\n"
			    "-E -t 10.0.0.100:80 --toa on\n"
			    "laddr add -t 10.0.0.100:80 10.0.0.10 dev dpdk0\n"
			    "-A -t 10.0.0.100:81 -s rr\n"
			    "-a -t 10.0.0.100:81 -r 10.0.0.3:8081 -b fnat -w 1\n"
			    "laddr add -t 10.0.0.100:81 10.0.0.10 dev dpdk0\n"
			    "-A -t [fd00::100]:80 -s rr\n"
			    "-a -t [fd00::100]:80 -r [fd00:1::2]:8080 -b fnat -w 1\n"
			    "laddr add -t [fd00::100]:80 fd00:1::10 dev dpdk0\n";

static void
load(const char *rules)
{
	twk_node_load(&shm, &ctx, rules);
}

/* A client's SYN from cport to port vport of the IPv4 VIP 10.0.0.100, or
 * of the IPv6 VIP fd00::100 from fd00::2 (v6). */
static struct rte_mbuf *
syn(int v6, uint16_t cport, uint16_t vport)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(shm.pool);
	const uint16_t l3 = v6 ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr);
	struct rte_ether_hdr *eth;
	struct rte_tcp_hdr *th;

	ck_assert_ptr_nonnull(m);
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)(14 + l3 + 20));
	ck_assert_ptr_nonnull(eth);
	memset(eth, 0, 14u + l3 + 20u);
	eth->dst_addr.addr_bytes[0] = 2;
	eth->dst_addr.addr_bytes[5] = 1;
	eth->src_addr.addr_bytes[0] = 2;
	eth->src_addr.addr_bytes[5] = 2;
	th = (struct rte_tcp_hdr *)((uint8_t *)(eth + 1) + l3);
	th->src_port = rte_cpu_to_be_16(cport);
	th->dst_port = rte_cpu_to_be_16(vport);
	th->sent_seq = RTE_BE32(1000);
	th->data_off = 5 << 4;
	th->tcp_flags = RTE_TCP_SYN_FLAG;
	th->rx_win = RTE_BE16(8192);
	if (v6) {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eth + 1);

		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
		ip->vtc_flow = RTE_BE32(6u << 28);
		ip->payload_len = RTE_BE16(20);
		ip->proto = IPPROTO_TCP;
		ip->hop_limits = 64;
		ip->src_addr[0] = ip->dst_addr[0] = 0xfd;
		ip->src_addr[15] = 2;
		ip->dst_addr[14] = 1;   /* fd00::100 */
		th->cksum = rte_ipv6_udptcp_cksum(ip, th);
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = 0x45;
		ip->total_length = rte_cpu_to_be_16(40);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_TCP;
		ip->src_addr = RTE_BE32(0x0a000002u);
		ip->dst_addr = RTE_BE32(0x0a000064u);
		wk_ipv4_cksum_set(ip);
		th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	}
	return m;
}

/* The verdict of that SYN through worker 0's pipeline (not carried out). */
static int
send_syn(int v6, uint16_t cport, uint16_t vport)
{
	struct rte_mbuf *m = syn(v6, cport, vport);
	struct wk_verdict vd;

	ctx.now_ns = ctx.fixed_now_ns = NOW_NS;
	vd = wk_pipeline(&ctx, m, 0);
	rte_pktmbuf_free(m);
	return vd.kind;
}

/* The connection of the SYN from cport to vport, found by its inbound
 * tuple; DPVS_CONN_NIL when there is none. */
static uint32_t
find(int v6, uint16_t cport, uint16_t vport)
{
	struct dpvs_ip c, v;
	int dir;

	memset(&c, 0, sizeof(c));
	memset(&v, 0, sizeof(v));
	if (v6) {
		c.family = v.family = DPVS_AF_INET6;
		c.bytes[0] = v.bytes[0] = 0xfd;
		c.bytes[15] = 2;
		v.bytes[14] = 1;
	} else {
		wk_ip_from_v4(&c, RTE_BE32(0x0a000002u));
		wk_ip_from_v4(&v, RTE_BE32(0x0a000064u));
	}
	return wk_conn_lookup(ctx.ct, IPPROTO_TCP, &c, rte_cpu_to_be_16(cport), &v,
			      rte_cpu_to_be_16(vport), &dir);
}

/* Both tuples of live connection idx find it. */
static void
both_ways(uint32_t idx)
{
	const struct dpvs_conn *c = &dpvs_conn_array(ctx.ct)[idx];
	struct dpvs_ip d = dpvs_conn_ip(ctx.ct, c, DPVS_CONN_A_D);
	struct dpvs_ip l = dpvs_conn_ip(ctx.ct, c, DPVS_CONN_A_L);
	int dir;

	ck_assert_uint_eq(wk_conn_lookup(ctx.ct, c->proto, &d, c->dport, &l, c->lport, &dir), idx);
	ck_assert_int_eq(dir, DPVS_DIR_OUT);
}

/* An empty table: every entry dead, rebuilt. */
static void
table_reset(void)
{
	uint32_t i;

	for (i = 0; i < ctx.ct->capacity; i++)
		dpvs_conn_array(ctx.ct)[i].flags = 0;
	wk_conn_rebuild(ctx.ct, NOW_NS);
	ck_assert_uint_eq(ctx.ct->count, 0);
}

struct kcase {
	const char *point;   /* shm/fault.h name */
	int v6;              /* the IPv6 side table (else the sequence one) */
};

static const struct kcase cases[] = {
	{ "side_victim_closed", 0 },
	{ "side_sx_taken", 0 },
	{ "sx_attached", 0 },
	{ "side_victim_closed", 1 },
	{ "v6_slot_named", 1 },
};

START_TEST(test_killed_at_the_point)
{
	const struct kcase *k = &cases[_i];
	const uint16_t hport = k->v6 ? 41000 : 40000;   /* the holders' client ports */
	char spec[64];
	uint32_t i, n, used;
	pid_t pid;
	int st;

	table_reset();
	for (i = 0; i < 20; i++)   /* the flood at the list's head: no side slot */
		ck_assert_int_eq(send_syn(0, (uint16_t)(42000 + i), 81), DPVS_VERDICT_TX);
	for (i = 0; i < 16; i++)
		ck_assert_int_eq(send_syn(k->v6, (uint16_t)(hport + i), 80), DPVS_VERDICT_TX);
	used = tconn_check_sides(ctx.ct);
	ck_assert_uint_eq(used, 36);
	ck_assert_uint_eq(tconn_side_cap(ctx.ct, k->v6), 16);
	ck_assert_uint_eq(k->v6 ? ctx.ct->v6_count : ctx.ct->sx_count, 16);
	snprintf(spec, sizeof(spec), "%s:1", k->point);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (dpvs_fault_arm(spec) != 0)
			_exit(2);
		send_syn(k->v6, (uint16_t)(hport + 16), 80);
		_exit(3);   /* the point was not reached */
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "%s: child status %d", spec,
		      st);
	/* the successor */
	n = wk_conn_rebuild(ctx.ct, NOW_NS);
	ck_assert_uint_eq(tconn_check_sides(ctx.ct), n);
	ck_assert_uint_eq(n, used - 1);   /* the victim closed, the new one not made */
	ck_assert_uint_eq(find(k->v6, hport, 80), DPVS_CONN_NIL);   /* the oldest: slot 0 */
	ck_assert_uint_eq(find(k->v6, (uint16_t)(hport + 16), 80), DPVS_CONN_NIL);
	for (i = 0; i < 20; i++)
		both_ways(find(0, (uint16_t)(42000 + i), 81));
	for (i = 1; i < 16; i++)
		both_ways(find(k->v6, (uint16_t)(hport + i), 80));
	ck_assert_uint_eq(k->v6 ? ctx.ct->v6_count : ctx.ct->sx_count, 15);
	/* and the SYN again: it opens (the free slot, no eviction) */
	ck_assert_int_eq(send_syn(k->v6, (uint16_t)(hport + 16), 80), DPVS_VERDICT_TX);
	both_ways(find(k->v6, (uint16_t)(hport + 16), 80));
	ck_assert_uint_eq(tconn_check_sides(ctx.ct), used);
	/* one more: a full side table again, an eviction on the worker's way */
	ck_assert_int_eq(send_syn(k->v6, (uint16_t)(hport + 17), 80), DPVS_VERDICT_TX);
	both_ways(find(k->v6, (uint16_t)(hport + 17), 80));
	ck_assert_uint_eq(tconn_check_sides(ctx.ct), used);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("side_crash");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	(void)argc;
	twk_node_start_conns(argv[0], "tusc", &shm, &ctx, 64);
	wk_ctx_recover(&ctx);
	load(RULES);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_killed_at_the_point, 0, (int)RTE_DIM(cases));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rte_pktmbuf_free_bulk(ctx.wr->txbuf[0].pkts, ctx.wr->txbuf[0].count);
	dpvs_eal_cleanup_private();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
