/*
 * Every way into the established fast sequence refills what it reads of
 * the config set and the clock (ctx->fast_set, worker/ipvs/fast4.h
 * wk_fast4_set_init): the set's stamp (the output memo's key), a UDP
 * connection's expiry (now + the set's UDP timeout) and "plain" (no rate
 * limits, no held-down dests). The ways in: wk_pipeline and wk_ipv4_fast
 * (a frame outside a burst, through wk_ipv4_fast_hint), and wk_rx_burst
 * with each of its runners (a small table: wk_rx_run; the prefetch stage:
 * wk_rx_run_pf; a port that mirrors to the kernel: the entry as a call).
 * For each way, an established full-NAT UDP connection's datagrams go
 * through the other kind of way first (what the loop left in fast_set:
 * that set, plain, that clock), then through the way in three bursts, the
 * set and the clock changed before each:
 *   1. at T1 with the real server's MAC A: forwarded to A, expiry T1 + udp;
 *   2. at T1 + 7 s, the MAC now B (a new set): forwarded to B (a stale
 *      stamp would take the output memo's A), expiry T1 + 7 s + udp (a
 *      stale one keeps T1's);
 *   3. an inbound rate limit of 1 packet on the service (no longer plain):
 *      of 3 datagrams, the general way's meter drops some (a stale "plain"
 *      would forward all 3 on the fast sequence).
 * A way that does not refill fails at least one of them (a way's
 * wk_fast4_set_init taken out: both of wk_ipv4_fast_hint's ways fail, or
 * the three burst ways).
 * EAL without hugepages or shared config; port 0 a net_null; the config
 * from dpvs-ctl's rules loader, changed between bursts as dpvs-ctl does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <netinet/in.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "ctl/rules.h"
#include "shm/eal.h"
#include "shm/shm.h"
#include "worker/ipvs/conn_table.h"
#include "worker/l2/neigh.h"
#include "worker/l3/cksum.h"
#include "worker/worker.h"
#include "test_worker_node.h"

#define SEC   1000000000ull
#define T1    (2000ull * SEC)
#define CPORT 30000

static struct dpvs_shm shm;
static struct wk_ctx ctx;

static const char BASE[] = "addr add 10.0.0.1/24 dev dpdk0\n"
			   "addr add 10.0.0.10/32 dev dpdk0\n"
			   "neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev dpdk0\n"
			   "neigh add 10.0.0.3 lladdr 02:00:00:00:00:0a dev dpdk0\n"
			   "-A -u 10.0.0.100:53 -s rr\n"
			   "-a -u 10.0.0.100:53 -r 10.0.0.3:5353 -b fnat -w 1\n"
			   "laddr add -u 10.0.0.100:53 10.0.0.10 dev dpdk0\n";

enum way { W_PIPELINE, W_IPV4_FAST, W_BURST, W_BURST_PF, W_BURST_MIRROR, W_MAX };

static const char *const way_name[W_MAX] = { "wk_pipeline", "wk_ipv4_fast", "wk_rx_burst",
					     "wk_rx_burst (prefetch)",
					     "wk_rx_burst (mirror)" };

static void
load(const char *rules)
{
	twk_node_load(&shm, &ctx, rules);
}

/* The real server's MAC: 02:00:00:00:00:<last>. */
static void
rs_mac(uint8_t last)
{
	char r[256];

	snprintf(r, sizeof(r),
		 "neigh del 10.0.0.3 dev dpdk0\n"
		 "neigh add 10.0.0.3 lladdr 02:00:00:00:00:%02x dev dpdk0\n", last);
	load(r);
}

/* The client's datagram from CPORT to the VIP, 5 bytes. */
static struct rte_mbuf *
dgram(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(shm.pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *uh;

	ck_assert_ptr_nonnull(m);
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, 14 + 20 + 8 + 5);
	ck_assert_ptr_nonnull(eth);
	memset(eth, 0, 14 + 20 + 8 + 5);
	eth->dst_addr.addr_bytes[0] = 2;
	eth->dst_addr.addr_bytes[5] = 1;
	eth->src_addr.addr_bytes[0] = 2;
	eth->src_addr.addr_bytes[5] = 2;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = 0x45;
	ip->total_length = RTE_BE16(20 + 8 + 5);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = RTE_BE32(0x0a000002u);
	ip->dst_addr = RTE_BE32(0x0a000064u);
	uh = (struct rte_udp_hdr *)(ip + 1);
	uh->src_port = rte_cpu_to_be_16(CPORT);
	uh->dst_port = RTE_BE16(53);
	uh->dgram_len = RTE_BE16(8 + 5);
	memcpy(uh + 1, "hello", 5);
	wk_ipv4_cksum_set(ip);
	return m;
}

/* Empty port 0's tx buffer (the net_null port is not started: its tx
 * would refuse them). */
static void
tx_drop(void)
{
	struct dpvs_txbuf *b = &ctx.wr->txbuf[0];

	rte_pktmbuf_free_bulk(b->pkts, b->count);
	b->count = 0;
}

/* n datagrams through way w at clock now: how many were dropped by the
 * service's inbound rate; *mac the last byte of the destination MAC of
 * the first one's frame as it leaves (0 when it was not forwarded). */
static unsigned int
run(enum way w, unsigned int n, uint64_t now, uint8_t *mac)
{
	struct rte_mbuf *m[4];
	uint64_t drops = ctx.st->drop[DPVS_DROP_RATE_SVC_IN];
	struct wk_verdict v;
	unsigned int i, dropped = 0;

	ck_assert_uint_le(n, 4);
	ctx.now_ns = ctx.fixed_now_ns = now;
	for (i = 0; i < n; i++)
		m[i] = dgram();
	rte_mbuf_refcnt_update(m[0], 1);   /* read after the tx buffer took it */
	*mac = 0;
	if (w == W_PIPELINE || w == W_IPV4_FAST) {
		for (i = 0; i < n; i++) {
			v = w == W_PIPELINE ? wk_pipeline(&ctx, m[i], 0) :
					      wk_ipv4_fast(&ctx, m[i], 0);
			if (v.kind == DPVS_VERDICT_DROP && v.reason == DPVS_DROP_RATE_SVC_IN)
				dropped++;
			if (i == 0 && v.kind == DPVS_VERDICT_TX)
				*mac = rte_pktmbuf_mtod(m[0], struct rte_ether_hdr *)
					       ->dst_addr.addr_bytes[5];
			rte_pktmbuf_free(m[i]);   /* not carried out */
		}
	} else {
		ctx.rx_prefetch_min = w == W_BURST_PF ? 0 : UINT32_MAX;
		memcpy(ctx.wr->inflight, m, n * sizeof(m[0]));
		wk_rx_burst(&ctx, 0, (uint16_t)n);
		dropped = (unsigned int)(ctx.st->drop[DPVS_DROP_RATE_SVC_IN] - drops);
		if (rte_mbuf_refcnt_read(m[0]) == 2)   /* still in the tx buffer */
			*mac = rte_pktmbuf_mtod(m[0], struct rte_ether_hdr *)
				       ->dst_addr.addr_bytes[5];
		tx_drop();
	}
	rte_pktmbuf_free(m[0]);
	return dropped;
}

/* The established connection's entry. */
static struct dpvs_conn *
conn(void)
{
	struct dpvs_ip c, v;
	uint32_t idx;
	int dir;

	wk_ip_from_v4(&c, RTE_BE32(0x0a000002u));
	wk_ip_from_v4(&v, RTE_BE32(0x0a000064u));
	idx = wk_conn_lookup(ctx.ct, IPPROTO_UDP, &c, rte_cpu_to_be_16(CPORT), &v, RTE_BE16(53),
			     &dir);
	ck_assert_uint_ne(idx, DPVS_CONN_NIL);
	return &dpvs_conn_array(ctx.ct)[idx];
}

START_TEST(test_each_way_refills)
{
	const enum way w = (enum way)_i;
	const uint64_t t0 = T1 + (uint64_t)_i * 100 * SEC, t2 = t0 + 7 * SEC;
	uint64_t udp;
	uint8_t mac;

	/* the connection (made on the general way), then MAC A, no limit */
	rs_mac(0x0a);
	load(w == W_BURST_MIRROR ? "port set dpdk0 forward2kni on\n" :
				   "port set dpdk0 forward2kni off\n");
	run(W_PIPELINE, 1, t0 - 2 * SEC, &mac);
	/* what the loop's other way in left: the set then, plain, its clock
	 * (a way that does not refill would go on with it) */
	run(w <= W_IPV4_FAST ? W_BURST : W_PIPELINE, 2, t0 - SEC, &mac);
	ck_assert_uint_eq(mac, 0x0a);
	udp = wk_conn_idle_ns(&ctx.cfg->lb.timeouts, IPPROTO_UDP, 0);
	ck_assert_uint_ne(udp, 0);
	/* 1: the way's first burst */
	rs_mac(0xa0 + (uint8_t)_i);
	ck_assert_uint_eq(run(w, 2, t0, &mac), 0);
	ck_assert_msg(mac == 0xa0 + _i, "%s: first burst to MAC ..%02x", way_name[w], mac);
	ck_assert_uint_eq(conn()->expires_ns, t0 + udp);
	/* 2: a new set (the MAC), the clock on */
	rs_mac(0xb0 + (uint8_t)_i);
	ck_assert_uint_eq(run(w, 2, t2, &mac), 0);
	ck_assert_msg(mac == 0xb0 + _i, "%s: after the set changed, to MAC ..%02x (stale stamp)",
		      way_name[w], mac);
	ck_assert_msg(conn()->expires_ns == t2 + udp,
		      "%s: expiry %llu s past the change, want %llu (stale clock)", way_name[w],
		      (unsigned long long)((conn()->expires_ns - t2) / SEC),
		      (unsigned long long)(udp / SEC));
	/* 3: a rate limit: not plain any more */
	load("-E -u 10.0.0.100:53 --rate-in 1pps:1\n");
	ck_assert_msg(run(w, 3, t2, &mac) > 0, "%s: 3 datagrams past a 1-packet limit, none "
		      "dropped (stale plain)", way_name[w]);
	load("-E -u 10.0.0.100:53 --rate-in 0\n");
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("fast_set");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	(void)argc;
	twk_node_start(argv[0], "tufs", &shm, &ctx);
	wk_ctx_recover(&ctx);
	load(BASE);
	tcase_add_loop_test(tc, test_each_way_refills, 0, W_MAX);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tx_drop();
	dpvs_eal_cleanup_private();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
