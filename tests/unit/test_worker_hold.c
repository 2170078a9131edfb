/*
 * Unit tests for the neighbour stage of the output (worker/l2/neigh_out.c)
 * with the arp stage (arp.c) and the tick: an unknown next hop holds the
 * packet and broadcasts one ARP request; the hold is bounded per next hop
 * and in slots (neigh_hold_full); the reply releases the packets in order
 * with the right MACs; the request is resent every second, the packets are
 * dropped (neigh_unresolved) after the last try and while FAILED; a
 * successor frees what a dead worker held; a static neighbour wins over a
 * learned one; a STALE entry is probed by unicast, and one whose probes go
 * unanswered is asked for by broadcast and healed by the reply; another MAC
 * claimed for a known neighbour only probes the known one. EAL without
 * hugepages or shared config; port 0 is a net_null; the clock is the
 * context's now_ns, set by the test.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <rte_arp.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "shm/eal.h"
#include "shm/lb_hash.h"
#include "shm/shm.h"
#include "worker/ipvs/lbpath.h"
#include "worker/l2/neigh.h"
#include "worker/worker.h"
#include "test_worker_node.h"

#define NH(x) RTE_BE32(0x0a000100u + (x))   /* 10.0.1.x */
#define SEC   1000000000ull

static struct dpvs_shm shm;
static struct wk_ctx ctx;

static unsigned int
in_use(void)
{
	return rte_mempool_in_use_count(shm.pool);
}

/* An IPv4 frame with a marker byte, as the xmit would hand it over. */
static struct rte_mbuf *
pkt(uint8_t mark)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(shm.pool);
	uint8_t *d;

	ck_assert_ptr_nonnull(m);
	d = (uint8_t *)rte_pktmbuf_append(m, 60);
	ck_assert_ptr_nonnull(d);
	memset(d, 0, 60);
	d[59] = mark;
	return m;
}

/* Hold m for next hop nh on port 0 the way rx.c carries out the verdict. */
/* The next hop nh (IPv4, network order) as the output path names it. */
static struct wk_verdict
out_v4(struct rte_mbuf *m, uint32_t nh)
{
	struct dpvs_ip ip;

	wk_ip_from_v4(&ip, nh);
	return wk_neigh_output(&ctx, m, 0, &ip);
}

static int
hold(struct rte_mbuf *m, uint32_t nh)
{
	struct wk_verdict v = out_v4(m, nh);

	ck_assert_uint_eq(v.kind, DPVS_VERDICT_HOLD);
	ck_assert_uint_eq(v.port, 0);
	return wk_neigh_hold(&ctx, m, v.port);
}

static struct dpvs_txbuf *
txb(void)
{
	return &shm.wr[0]->txbuf[0];
}

static void
txb_free(void)
{
	rte_pktmbuf_free_bulk(txb()->pkts, txb()->count);
	txb()->count = 0;
}

static void
check_arp_request(const struct rte_mbuf *m, uint32_t tip)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_arp_hdr *arp = (const struct rte_arp_hdr *)(eth + 1);

	ck_assert(rte_is_same_ether_addr(&eth->src_addr, &ctx.mac[0]));
	ck_assert_uint_eq(eth->ether_type, RTE_BE16(RTE_ETHER_TYPE_ARP));
	ck_assert_uint_eq(arp->arp_opcode, RTE_BE16(RTE_ARP_OP_REQUEST));
	ck_assert(rte_is_same_ether_addr(&arp->arp_data.arp_sha, &ctx.mac[0]));
	ck_assert_uint_eq(arp->arp_data.arp_sip, NH(1)); /* our address in that subnet */
	ck_assert_uint_eq(arp->arp_data.arp_tip, tip);
}

/* Every entry's timer looked at once, at ctx.now_ns. */
static unsigned int
tick(void)
{
	unsigned int work = 0, i;

	ctx.neigh_tick_ns = 0; /* as after a pause: one full pass */
	for (i = 0; i < DPVS_NEIGH_SLOTS; i += 256)
		work += wk_neigh_hold_tick(&ctx);
	return work;
}

/* An ARP packet received on port 0, through the arp stage. */
static struct wk_verdict
arp_in(uint16_t op, const uint8_t *sha, uint32_t sip, uint32_t tip)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(shm.pool);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	struct wk_verdict v;

	ck_assert_ptr_nonnull(m);
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	if (eth == NULL)
		abort();
	memcpy(eth->src_addr.addr_bytes, sha, 6);
	eth->dst_addr = ctx.mac[0];
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(eth + 1);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = 6;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(op);
	memcpy(arp->arp_data.arp_sha.addr_bytes, sha, 6);
	arp->arp_data.arp_sip = sip;
	arp->arp_data.arp_tha = ctx.mac[0];
	arp->arp_data.arp_tip = tip;
	m->port = ctx.port_id[0];
	v = wk_arp_input(&ctx, m, 0);
	rte_pktmbuf_free(m);
	return v;
}

static struct rte_ether_hdr *
txb_eth(unsigned int i)
{
	ck_assert_uint_gt(txb()->count, i);
	return rte_pktmbuf_mtod(txb()->pkts[i], struct rte_ether_hdr *);
}

/* txb()->pkts[i] is our ARP request for tip: broadcast, or a unicast
 * probe to dmac. */
static void
check_request(unsigned int i, uint32_t tip, const uint8_t *dmac)
{
	const struct rte_ether_hdr *eth = txb_eth(i);

	if (dmac == NULL)
		ck_assert(rte_is_broadcast_ether_addr(&eth->dst_addr));
	else
		ck_assert_mem_eq(eth->dst_addr.addr_bytes, dmac, 6);
	check_arp_request(txb()->pkts[i], tip);
}

static void
tx_one(struct rte_mbuf *m, uint32_t nh, const uint8_t *dmac)
{
	struct wk_verdict v = out_v4(m, nh);
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	ck_assert_uint_eq(v.kind, DPVS_VERDICT_TX);
	ck_assert_mem_eq(eth->dst_addr.addr_bytes, dmac, 6);
}

START_TEST(test_hold_then_release_in_order)
{
	const uint8_t mac[6] = { 2, 0, 0, 0, 0, 0x21 };
	struct dpvs_worker_stats *st = ctx.st;
	uint64_t full0 = st->drop[DPVS_DROP_NEIGH_HOLD_FULL];
	unsigned int base = in_use(), i;
	struct wk_verdict v;

	for (i = 0; i < DPVS_NEIGH_HOLD_PKTS; i++)
		ck_assert_int_eq(hold(pkt((uint8_t)i), NH(2)), 0);
	ck_assert_int_eq(hold(pkt(99), NH(2)), -1);         /* per next hop bound */
	ck_assert_uint_eq(st->drop[DPVS_DROP_NEIGH_HOLD_FULL] - full0, 1);
	ck_assert_uint_eq(txb()->count, 1);                 /* one ARP request */
	check_request(0, NH(2), NULL);
	txb_free();
	v = arp_in(RTE_ARP_OP_REPLY, mac, NH(3), NH(1));    /* someone else: nothing */
	ck_assert_uint_eq(v.kind, DPVS_VERDICT_KERNEL);
	ck_assert_uint_eq(txb()->count, 0);
	arp_in(RTE_ARP_OP_REPLY, mac, NH(2), NH(1));
	ck_assert_uint_eq(txb()->count, DPVS_NEIGH_HOLD_PKTS);
	for (i = 0; i < DPVS_NEIGH_HOLD_PKTS; i++) {
		const struct rte_mbuf *m = txb()->pkts[i];
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

		ck_assert_uint_eq(rte_pktmbuf_mtod(m, const uint8_t *)[59], i);
		ck_assert_mem_eq(eth->dst_addr.addr_bytes, mac, 6);
		ck_assert(rte_is_same_ether_addr(&eth->src_addr, &ctx.mac[0]));
		ck_assert_uint_eq(eth->ether_type, RTE_BE16(RTE_ETHER_TYPE_IPV4));
	}
	txb_free();
	for (i = 0; i < DPVS_NEIGH_HOLD_SLOTS; i++)
		ck_assert_uint_eq(shm.wr[0]->hold[i].ip.family, DPVS_AF_NONE);
	ck_assert_uint_eq(in_use(), base);
}
END_TEST

/* Requests every second, then the packets are dropped (FAILED), packets
 * sent meanwhile too; a second later the entry is gone and the next packet
 * asks again. */
START_TEST(test_retry_then_give_up)
{
	struct dpvs_worker_stats *st = ctx.st;
	uint64_t un0 = st->drop[DPVS_DROP_NEIGH_UNRESOLVED];
	unsigned int base = in_use(), t;
	struct wk_verdict v;
	struct rte_mbuf *m;

	ctx.now_ns = 100 * SEC;
	ck_assert_int_eq(hold(pkt(1), NH(5)), 0);
	ck_assert_int_eq(hold(pkt(2), NH(5)), 0);
	ck_assert_uint_eq(txb()->count, 1);
	txb_free();
	ctx.now_ns += SEC / 2;                               /* too early to resend */
	ck_assert_uint_eq(tick(), 0);
	ck_assert_uint_eq(txb()->count, 0);
	for (t = 2; t <= WK_NEIGH_MCAST_PROBES; t++) {
		ctx.now_ns += SEC;
		ck_assert_uint_eq(tick(), 1);
		ck_assert_uint_eq(txb()->count, 1);
		check_request(0, NH(5), NULL);
		txb_free();
	}
	ctx.now_ns += SEC;
	ck_assert_uint_eq(tick(), 1 + 2);                    /* given up */
	ck_assert_uint_eq(st->drop[DPVS_DROP_NEIGH_UNRESOLVED] - un0, 2);
	ck_assert_uint_eq(txb()->count, 0);
	m = pkt(3);
	v = out_v4(m, NH(5));                                /* FAILED: dropped */
	ck_assert_uint_eq(v.kind, DPVS_VERDICT_DROP);
	ck_assert_uint_eq(v.reason, DPVS_DROP_NEIGH_UNRESOLVED);
	ctx.now_ns += SEC;
	ck_assert_uint_eq(tick(), 1);                        /* deleted */
	ck_assert_int_eq(hold(m, NH(5)), 0);                 /* asked afresh */
	ck_assert_uint_eq(txb()->count, 1);
	txb_free();
	ck_assert_uint_eq(wk_neigh_hold_recover(&ctx), 1);
	ck_assert_uint_eq(in_use(), base);
}
END_TEST

/* The hold queue is bounded in next hops: past it a packet is dropped, but
 * its next hop is still asked for. */
START_TEST(test_slots_bounded)
{
	struct dpvs_worker_stats *st = ctx.st;
	uint64_t full0 = st->drop[DPVS_DROP_NEIGH_HOLD_FULL];
	unsigned int base = in_use(), i;
	struct dpvs_ip ip;

	for (i = 0; i < DPVS_NEIGH_HOLD_SLOTS; i++)
		ck_assert_int_eq(hold(pkt(0), NH(10 + i)), 0);
	ck_assert_int_eq(hold(pkt(0), NH(200)), -1);
	ck_assert_uint_eq(st->drop[DPVS_DROP_NEIGH_HOLD_FULL] - full0, 1);
	wk_ip_from_v4(&ip, NH(200));
	ck_assert_ptr_nonnull(wk_neigh_lookup(shm.wr[0], 0, &ip)); /* asked for */
	ck_assert_uint_eq(wk_neigh_lookup(shm.wr[0], 0, &ip)->probes, 1);
	txb_free();
	ck_assert_uint_eq(wk_neigh_hold_recover(&ctx), DPVS_NEIGH_HOLD_SLOTS);
	ck_assert_uint_eq(in_use(), base);
}
END_TEST

START_TEST(test_successor_frees_the_hold_queue)
{
	unsigned int base = in_use();

	ck_assert_int_eq(hold(pkt(1), NH(7)), 0);
	ck_assert_int_eq(hold(pkt(2), NH(8)), 0);
	txb_free();
	/* the worker dies here; its successor recovers the region */
	ck_assert_uint_eq(wk_ctx_recover(&ctx), 2);
	ck_assert_uint_eq(in_use(), base);
	ck_assert_uint_eq(wk_ctx_recover(&ctx), 0);
}
END_TEST

/* A static neighbour wins over what was learned for the same address, a
 * reply claiming another MAC for it changes nothing, and the learned entry
 * goes at its next timer. */
START_TEST(test_static_beats_learned)
{
	struct dpvs_config_set *cfg = (struct dpvs_config_set *)(uintptr_t)ctx.cfg;
	const uint8_t lmac[6] = { 2, 0, 0, 0, 0, 0x31 }, smac[6] = { 2, 0, 0, 0, 0, 0x32 };
	uint64_t st0 = ctx.st->drop[DPVS_DROP_ARP_STATIC];
	struct rte_mbuf *m = pkt(0);
	struct dpvs_ip ip;

	ck_assert_int_eq(hold(pkt(1), NH(32)), 0);
	arp_in(RTE_ARP_OP_REPLY, lmac, NH(32), NH(1));       /* learned */
	txb_free();
	tx_one(m, NH(32), lmac);
	/* then the operator adds it as a static neighbour, hashed into the set
	 * as dpvs-ctl would */
	wk_ip_from_v4(&dpvs_lb_sneigh(&cfg->lb)[0].ip, NH(32));
	dpvs_lb_sneigh(&cfg->lb)[0].port = 0;
	memcpy(dpvs_lb_sneigh(&cfg->lb)[0].mac, smac, 6);
	cfg->lb.nsneigh = 1;
	dpvs_lb_sneigh_hash(&cfg->lb)[dpvs_sneigh_hash(&cfg->lb, &dpvs_lb_sneigh(&cfg->lb)[0].ip,
						       0)] = 1;
	tx_one(m, NH(32), smac);
	arp_in(RTE_ARP_OP_REPLY, lmac, NH(32), NH(1));
	ck_assert_uint_eq(ctx.st->drop[DPVS_DROP_ARP_STATIC] - st0, 1);
	tx_one(m, NH(32), smac);
	ck_assert_uint_eq(txb()->count, 0);                  /* no ARP */
	wk_ip_from_v4(&ip, NH(32));
	ctx.now_ns += WK_NEIGH_REACHABLE_NS;
	tick();
	ck_assert_ptr_null(wk_neigh_lookup(shm.wr[0], 0, &ip));
	tx_one(m, NH(32), smac);
	memset(&dpvs_lb_sneigh(&cfg->lb)[0], 0, sizeof(struct dpvs_static_neigh));
	memset(dpvs_lb_sneigh_hash(&cfg->lb), 0, sizeof(uint16_t) * cfg->lb.sneigh_hash_slots);
	cfg->lb.nsneigh = 0;
	rte_pktmbuf_free(m);
}
END_TEST

/* REACHABLE -> STALE after the reachable time; the next packet still goes
 * to the known MAC and a unicast probe follows it; unanswered probes turn
 * into broadcast requests (packets held), and the reply of the right MAC
 * heals the entry. */
START_TEST(test_stale_probe_fail_heal)
{
	const uint8_t wrong[6] = { 2, 0, 0, 0, 0, 0x41 }, right[6] = { 2, 0, 0, 0, 0, 0x42 };
	unsigned int base = in_use(), i;
	struct rte_mbuf *m = pkt(0);

	ctx.now_ns = 500 * SEC;
	ck_assert_int_eq(hold(pkt(1), NH(40)), 0);
	arp_in(RTE_ARP_OP_REPLY, wrong, NH(40), NH(1));      /* the first answer wins */
	txb_free();
	ctx.now_ns += WK_NEIGH_REACHABLE_NS;
	tick();                                              /* STALE */
	tx_one(m, NH(40), wrong);
	check_request(0, NH(40), wrong);                     /* unicast probe */
	txb_free();
	for (i = 2; i <= WK_NEIGH_UCAST_PROBES; i++) {
		ctx.now_ns += SEC;
		ck_assert_uint_eq(tick(), 1);
		check_request(0, NH(40), wrong);
		txb_free();
		tx_one(m, NH(40), wrong);                    /* still sent meanwhile */
	}
	ctx.now_ns += SEC;
	ck_assert_uint_eq(tick(), 1);
	check_request(0, NH(40), NULL);                      /* ask everyone */
	txb_free();
	ck_assert_int_eq(hold(m, NH(40)), 0);
	arp_in(RTE_ARP_OP_REPLY, right, NH(40), NH(1));
	ck_assert_uint_eq(txb()->count, 1);                  /* the held packet */
	ck_assert_mem_eq(txb_eth(0)->dst_addr.addr_bytes, right, 6);
	txb_free();
	ck_assert_uint_eq(in_use(), base);
}
END_TEST

/* Another MAC claimed for a known neighbour (gratuitous ARP): the known MAC
 * is probed and keeps the traffic; a second claim within the lock time is
 * ignored; the known MAC's reply ends it. */
START_TEST(test_claim_probes_the_known_mac)
{
	const uint8_t real[6] = { 2, 0, 0, 0, 0, 0x51 }, forged[6] = { 2, 0, 0, 0, 0, 0x66 };
	uint64_t claim0 = ctx.st->drop[DPVS_DROP_ARP_MAC_CLAIM];
	uint64_t lock0 = ctx.st->drop[DPVS_DROP_ARP_MAC_LOCKED];
	struct rte_mbuf *m = pkt(0);
	struct dpvs_ip ip;

	ctx.now_ns = 900 * SEC;
	ck_assert_int_eq(hold(pkt(1), NH(50)), 0);
	arp_in(RTE_ARP_OP_REPLY, real, NH(50), NH(1));
	txb_free();
	ctx.now_ns += 2 * SEC;
	arp_in(RTE_ARP_OP_REQUEST, forged, NH(50), NH(50));  /* gratuitous */
	ck_assert_uint_eq(ctx.st->drop[DPVS_DROP_ARP_MAC_CLAIM] - claim0, 1);
	check_request(0, NH(50), real);
	txb_free();
	tx_one(m, NH(50), real);
	ctx.now_ns += SEC / 2;
	arp_in(RTE_ARP_OP_REPLY, forged, NH(50), NH(1));
	ck_assert_uint_eq(ctx.st->drop[DPVS_DROP_ARP_MAC_LOCKED] - lock0, 1);
	ck_assert_uint_eq(txb()->count, 0);
	arp_in(RTE_ARP_OP_REPLY, real, NH(50), NH(1));
	wk_ip_from_v4(&ip, NH(50));
	ck_assert_uint_eq(wk_neigh_lookup(shm.wr[0], 0, &ip)->state, DPVS_NEIGH_REACHABLE);
	tx_one(m, NH(50), real);
	rte_pktmbuf_free(m);
}
END_TEST

/* Each test starts with an empty neighbour table, hold queue and tx buffer. */
static void
reset(void)
{
	wk_neigh_hold_recover(&ctx);
	txb_free();
	memset(shm.wr[0]->neigh, 0, sizeof(shm.wr[0]->neigh));
	shm.wr[0]->neigh_count = 0;
}

static void
setup_node(const char *prog)
{
	struct dpvs_config_set *cfg;

	twk_node_start(prog, "tuwh", &shm, &ctx);
	/* 10.0.0.1/24 and 10.0.1.1/24 on dpdk0: the ARP source is the second */
	cfg = (struct dpvs_config_set *)(uintptr_t)ctx.cfg;
	wk_ip_from_v4(&dpvs_cfg_addrs(cfg)[0].addr, RTE_BE32(0x0a000001u));
	dpvs_cfg_addrs(cfg)[0].prefixlen = 24;
	wk_ip_from_v4(&dpvs_cfg_addrs(cfg)[1].addr, NH(1));
	dpvs_cfg_addrs(cfg)[1].prefixlen = 24;
	cfg->naddrs = 2;
	wk_ctx_recover(&ctx);
}

static void
teardown_node(void)
{
	dpvs_eal_cleanup_private();
}

int
main(int argc, char **argv)
{
	Suite *s = suite_create("worker_hold");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	(void)argc;
	setup_node(argv[0]);
	tcase_add_checked_fixture(tc, reset, NULL);
	tcase_add_test(tc, test_hold_then_release_in_order);
	tcase_add_test(tc, test_retry_then_give_up);
	tcase_add_test(tc, test_slots_bounded);
	tcase_add_test(tc, test_successor_frees_the_hold_queue);
	tcase_add_test(tc, test_static_beats_learned);
	tcase_add_test(tc, test_stale_probe_fail_heal);
	tcase_add_test(tc, test_claim_probes_the_known_mac);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	teardown_node();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
