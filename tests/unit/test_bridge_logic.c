/*
 * Unit tests for dpvs-kni-bridge (kni_bridge/bridge.c, flow.c): the choice of
 * worker for kernel frames by flow, the idle sleep, and one real pass of both directions
 * with a net_ring port standing in for the exception tap (its single ring
 * loops tx back to rx), and the VLAN taps' tag handling (vtap.c) with a
 * socket pair standing in for a tap. EAL runs in-memory without hugepages.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <check.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "shm/eal.h"
#include "shm/shm.h"
#include "kni_bridge/bridge.h"

#define LOOP_RING "ETH_RXTX0_net_ring0"  /* net_ring's ring for queue 0 */
#define DATA_PORT_ID 7

/* Worker w as the node would see it in state st (both parts of its slot). */
static void
set_state(struct dpvs_root *root, unsigned int w, uint32_t st)
{
	struct dpvs_worker_slot *s = &root->workers[w];

	s->sup.pid = s->self.pid = (int32_t)(100 + w);
	s->sup.incarnation = s->self.incarnation = 1;
	s->sup.state = st == DPVS_WORKER_RUNNING ? DPVS_WORKER_STARTING : st;
	s->self.state = st == DPVS_WORKER_RUNNING ? DPVS_WORKER_RUNNING : DPVS_WORKER_STOPPED;
}

/* An Ethernet/IPv4 frame of proto from 10.0.0.src:sport to 10.0.0.dst:dport
 * into buf (64 bytes); frag_off in host order (offset in 8-byte units). */
static uint32_t
frame4(uint8_t *buf, uint8_t proto, uint8_t src, uint8_t dst, uint16_t sport, uint16_t dport,
       uint16_t frag_off)
{
	memset(buf, 0, 64);
	buf[12] = 0x08;
	buf[14] = 0x45;
	buf[14 + 6] = (uint8_t)(frag_off >> 8);
	buf[14 + 7] = (uint8_t)frag_off;
	buf[14 + 9] = proto;
	buf[14 + 12] = 10;
	buf[14 + 15] = src;
	buf[14 + 16] = 10;
	buf[14 + 19] = dst;
	buf[34] = (uint8_t)(sport >> 8);
	buf[35] = (uint8_t)sport;
	buf[36] = (uint8_t)(dport >> 8);
	buf[37] = (uint8_t)dport;
	return 64;
}

START_TEST(test_flow_hash_keeps_a_flow_together)
{
	uint8_t a[64], b[64];
	unsigned int i, seen[2] = { 0, 0 };

	/* one TCP flow: the same hash whatever else the frame holds */
	frame4(a, 6, 3, 2, 179, 40000, 0);
	frame4(b, 6, 3, 2, 179, 40000, 0);
	b[14 + 4] = 0x12; /* another IP id */
	b[50] = 0xff;     /* other payload */
	ck_assert_uint_eq(bridge_flow_hash(a, 64), bridge_flow_hash(b, 64));
	/* another client port: (almost always) another hash */
	frame4(b, 6, 3, 2, 179, 40001, 0);
	ck_assert_uint_ne(bridge_flow_hash(a, 64), bridge_flow_hash(b, 64));
	/* UDP: addresses and protocol only, so a later fragment (no ports)
	 * goes with the first */
	frame4(a, 17, 3, 2, 53, 1000, 0);
	frame4(b, 17, 3, 2, 0, 0, 185);
	ck_assert_uint_eq(bridge_flow_hash(a, 64), bridge_flow_hash(b, 64));
	/* TCP flows spread over two workers */
	for (i = 0; i < 256; i++) {
		frame4(a, 6, 3, 2, 179, (uint16_t)(30000 + i), 0);
		seen[bridge_flow_hash(a, 64) % 2]++;
	}
	ck_assert_uint_gt(seen[0], 80);
	ck_assert_uint_gt(seen[1], 80);
	/* short frames do not crash it */
	ck_assert_uint_eq(bridge_flow_hash(a, 10), 0);
	(void)bridge_flow_hash(a, 20);
}
END_TEST

START_TEST(test_flow_worker_waits_for_a_replacement)
{
	static struct dpvs_root root;

	set_state(&root, 0, DPVS_WORKER_RUNNING);
	set_state(&root, 1, DPVS_WORKER_RUNNING);
	set_state(&root, 2, DPVS_WORKER_RUNNING);
	ck_assert_uint_eq(bridge_flow_worker(&root, 3, 7), 1);
	ck_assert_uint_eq(bridge_flow_worker(&root, 3, 8), 2);
	/* being replaced: its flows wait for the successor on its ring */
	set_state(&root, 1, DPVS_WORKER_BACKOFF);
	ck_assert_uint_eq(bridge_flow_worker(&root, 3, 7), 1);
	set_state(&root, 1, DPVS_WORKER_STARTING);
	ck_assert_uint_eq(bridge_flow_worker(&root, 3, 7), 1);
	/* failed for good: the next running worker takes them */
	set_state(&root, 1, DPVS_WORKER_FAILED);
	ck_assert_uint_eq(bridge_flow_worker(&root, 3, 7), 2);
	set_state(&root, 2, DPVS_WORKER_STOPPED);
	ck_assert_uint_eq(bridge_flow_worker(&root, 3, 7), 0);
	/* nobody runs: its own ring */
	set_state(&root, 0, DPVS_WORKER_FAILED);
	ck_assert_uint_eq(bridge_flow_worker(&root, 3, 7), 1);
	ck_assert_uint_eq(bridge_flow_worker(&root, 0, 7), 0);
}
END_TEST

START_TEST(test_idle_sleep_grows_to_1ms)
{
	static const uint32_t want[] = { 10, 20, 40, 80, 160, 320, 640, 1000, 1000 };
	uint32_t us = 0, i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		us = bridge_next_sleep_us(us, 0);
		ck_assert_uint_eq(us, want[i]);
	}
	ck_assert_uint_eq(bridge_next_sleep_us(us, 1), 0);
}
END_TEST

/* ---- one real pass, EAL in memory ---- */

static struct dpvs_shm shm;
static struct rte_ring *loop;

static void
setup_node(void)
{
	struct dpvs_global_conf g = { .mbufs = 4096, .nworkers = 2, .nports = 1 };
	struct dpvs_port_info ports[1];
	struct rte_eth_conf ec;
	uint16_t pid;
	char err[256];

	memset(ports, 0, sizeof(ports));
	snprintf(ports[0].name, sizeof(ports[0].name), "dpdk0");
	ck_assert_msg(dpvs_shm_create(&shm, &g, ports, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(rte_eth_dev_get_port_by_name("net_ring0", &pid), 0);
	memset(&ec, 0, sizeof(ec));
	ck_assert_int_eq(rte_eth_dev_configure(pid, 1, 1, &ec), 0);
	ck_assert_int_eq(rte_eth_rx_queue_setup(pid, 0, 512, SOCKET_ID_ANY, NULL, shm.pool), 0);
	ck_assert_int_eq(rte_eth_tx_queue_setup(pid, 0, 512, SOCKET_ID_ANY, NULL), 0);
	ck_assert_int_eq(rte_eth_dev_start(pid), 0);
	shm.root->ports[0].kni_port_id = pid;
	shm.root->ports[0].port_id = DATA_PORT_ID;
	loop = rte_ring_lookup(LOOP_RING);
	ck_assert_ptr_nonnull(loop);
}

/* n frames of one TCP flow (client port sport) on ring r */
static void
inject_flow(struct rte_ring *r, unsigned int n, uint16_t sport)
{
	struct rte_mbuf *m;
	unsigned int i;
	uint8_t *d;

	for (i = 0; i < n; i++) {
		m = rte_pktmbuf_alloc(shm.pool);
		ck_assert_ptr_nonnull(m);
		d = (uint8_t *)rte_pktmbuf_append(m, 64);
		ck_assert_ptr_nonnull(d);
		frame4(d, 6, 3, 2, 179, sport, 0);
		m->port = 99;
		ck_assert_int_eq(rte_ring_enqueue(r, m), 0);
	}
}

static void
inject(struct rte_ring *r, unsigned int n)
{
	inject_flow(r, n, 40000);
}

/* A client port whose flow hashes to worker w of 2. */
static uint16_t
sport_to(unsigned int w)
{
	uint8_t f[64];
	uint16_t sp;

	for (sp = 40000;; sp++) {
		frame4(f, 6, 3, 2, 179, sp, 0);
		if (bridge_flow_hash(f, 64) % 2 == w)
			return sp;
	}
}

/* Take everything out of a ring and free it; returns how many, checks port. */
static unsigned int
drain(struct rte_ring *r, int want_port)
{
	void *m;
	unsigned int n = 0;

	while (rte_ring_dequeue(r, &m) == 0) {
		if (want_port >= 0)
			ck_assert_uint_eq(((struct rte_mbuf *)m)->port, (unsigned int)want_port);
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

START_TEST(test_pass_both_directions)
{
	struct dpvs_bridge_stats *st = &shm.root->bridge_stats[0];
	struct bridge_ctx b = { .shm = &shm };
	unsigned int in_use = rte_mempool_in_use_count(shm.pool);

	/* the kernel wrote 3 frames of a flow of worker 1 and 2 of worker 0:
	 * each to its flow's worker */
	set_state(shm.root, 0, DPVS_WORKER_RUNNING);
	set_state(shm.root, 1, DPVS_WORKER_RUNNING);
	inject_flow(loop, 3, sport_to(1));
	inject_flow(loop, 2, sport_to(0));
	ck_assert_uint_eq(bridge_poll_once(&b), 5);
	ck_assert_uint_eq(st->from_kernel, 5);
	ck_assert_uint_eq(drain(shm.from_kni[0][0], DATA_PORT_ID), 2);
	ck_assert_uint_eq(drain(shm.from_kni[0][1], DATA_PORT_ID), 3);

	/* workers queued 3 frames for the kernel, each on its own ring:
	 * written into the tap */
	inject(shm.to_kni[0][0], 2);
	inject(shm.to_kni[0][1], 1);
	bridge_poll_once(&b);
	ck_assert_uint_eq(st->to_kernel, 3);
	ck_assert_uint_eq(st->to_kernel_drop, 0);
	ck_assert_uint_eq(rte_ring_count(shm.to_kni[0][0]), 0);
	ck_assert_uint_eq(rte_ring_count(shm.to_kni[0][1]), 0);
	/* (the stand-in tap loops them back: they came in as kernel frames) */
	drain(loop, -1);
	drain(shm.from_kni[0][0], -1);
	drain(shm.from_kni[0][1], -1);

	/* worker 0 being replaced: its ring keeps its flows for the successor */
	set_state(shm.root, 0, DPVS_WORKER_BACKOFF);
	inject_flow(loop, 4, sport_to(0));
	bridge_poll_once(&b);
	ck_assert_uint_eq(drain(shm.from_kni[0][0], DATA_PORT_ID), 4);
	ck_assert_uint_eq(drain(shm.from_kni[0][1], -1), 0);

	/* nothing to do: nothing moved */
	ck_assert_uint_eq(bridge_poll_once(&b), 0);
	ck_assert_uint_eq(rte_mempool_in_use_count(shm.pool), in_use);
}
END_TEST

/* The destination port of the TCP frame m (frame4's layout). */
static uint16_t
frame_dport(const struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

	return (uint16_t)(d[14 + 20 + 2] << 8 | d[14 + 20 + 3]);
}

START_TEST(test_priority_ring_first)
{
	struct bridge_ctx b = { .shm = &shm };
	unsigned int in_use = rte_mempool_in_use_count(shm.pool);
	void *m;
	unsigned int i;

	uint16_t bulk = sport_to(0), ctrl;
	uint8_t f[64];

	/* a second flow of worker 0: the stand-in tap loops the frames back
	 * into the bridge, which hands both flows to worker 0 in tap order */
	for (ctrl = (uint16_t)(bulk + 1);; ctrl++) {
		frame4(f, 6, 3, 2, 179, ctrl, 0);
		if (bridge_flow_hash(f, 64) % 2 == 0)
			break;
	}
	set_state(shm.root, 0, DPVS_WORKER_RUNNING);
	set_state(shm.root, 1, DPVS_WORKER_RUNNING);
	/* worker 0 queued bulk frames first, worker 1 control frames after:
	 * the control frames reach the tap first */
	inject_flow(shm.to_kni[0][0], 3, bulk);
	inject_flow(shm.to_kni_hi[0][1], 2, ctrl);
	bridge_poll_once(&b);
	bridge_poll_once(&b);
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(rte_ring_dequeue(shm.from_kni[0][0], &m), 0);
		ck_assert_uint_eq(frame_dport(m), i < 2 ? ctrl : bulk);
		rte_pktmbuf_free(m);
	}
	drain(loop, -1);
	drain(shm.from_kni[0][1], -1);
	ck_assert_uint_eq(rte_mempool_in_use_count(shm.pool), in_use);
}
END_TEST

START_TEST(test_full_worker_ring_drops_and_frees)
{
	struct dpvs_bridge_stats *st = &shm.root->bridge_stats[0];
	struct bridge_ctx b = { .shm = &shm };
	struct rte_ring *r = shm.from_kni[0][0];
	uint64_t dropped = st->from_kernel_drop;
	unsigned int in_use;

	set_state(shm.root, 0, DPVS_WORKER_RUNNING);
	set_state(shm.root, 1, DPVS_WORKER_STOPPED);
	inject(r, rte_ring_free_count(r));
	in_use = rte_mempool_in_use_count(shm.pool);
	inject_flow(loop, 5, sport_to(0));
	bridge_poll_once(&b);
	ck_assert_uint_eq(st->from_kernel_drop - dropped, 5);
	ck_assert_uint_eq(rte_mempool_in_use_count(shm.pool), in_use);
	drain(r, -1);
}
END_TEST

/* A frame4 frame with an 802.1Q tag of id vid, in a new mbuf. */
static struct rte_mbuf *
tagged(uint16_t vid, uint16_t sport)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(shm.pool);
	uint8_t f[64], *d;

	ck_assert_ptr_nonnull(m);
	frame4(f, 6, 2, 1, sport, 80, 0);
	d = (uint8_t *)rte_pktmbuf_append(m, vid != 0 ? 68 : 64);
	memcpy(d, f, 12);
	if (vid != 0) {
		d[12] = 0x81;
		d[13] = 0x00;
		d[14] = (uint8_t)(vid >> 8);
		d[15] = (uint8_t)vid;
	}
	memcpy(d + (vid != 0 ? 16 : 12), f + 12, 52);
	return m;
}

/* The VLAN taps (vtap.c) with a datagram socket pair standing in for the
 * tap: a frame of the tap's id goes in without its tag, the port's and
 * another id's stay in order; what the kernel writes comes out tagged. */
START_TEST(test_vlan_tap_take_and_read)
{
	struct dpvs_bridge_stats *st = &shm.root->bridge_stats[0];
	struct bridge_ctx b = { .shm = &shm };
	unsigned int in_use = rte_mempool_in_use_count(shm.pool);
	struct rte_mbuf *pkts[4], *m100, *plain, *m200;
	uint64_t to0 = st->to_kernel;
	uint8_t f[64], got[128];
	const uint8_t *d;
	int sp[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp), 0);
	ck_assert_int_eq(fcntl(sp[0], F_SETFL, O_NONBLOCK), 0);
	b.vtap[3].fd = sp[0];
	b.vtap[3].open = 1;
	b.vtap[3].port = 0;
	b.vtap[3].vid = 100;
	pkts[0] = m100 = tagged(100, 1000);
	pkts[1] = plain = tagged(0, 1001);
	pkts[2] = m200 = tagged(200, 1002);
	ck_assert_uint_eq(bridge_vtap_take(&b, 0, pkts, 3), 2);
	ck_assert_ptr_eq(pkts[0], plain);
	ck_assert_ptr_eq(pkts[1], m200);
	ck_assert_uint_eq(st->to_kernel - to0, 1);
	ck_assert_int_eq(read(sp[1], got, sizeof(got)), 64);
	frame4(f, 6, 2, 1, 1000, 80, 0);
	ck_assert(memcmp(got, f, 64) == 0);
	/* another port's frames are not this tap's */
	pkts[0] = tagged(100, 1003);
	ck_assert_uint_eq(bridge_vtap_take(&b, 1, pkts, 1), 1);
	rte_pktmbuf_free(pkts[0]);
	rte_pktmbuf_free(plain);
	rte_pktmbuf_free(m200);

	/* the kernel wrote a frame into the tap: it comes out tagged 100 */
	frame4(f, 17, 1, 2, 53, 4000, 0);
	ck_assert_int_eq(write(sp[1], f, 64), 64);
	ck_assert_uint_eq(bridge_vtap_read(&b, 1, pkts, 4), 0);
	ck_assert_uint_eq(bridge_vtap_read(&b, 0, pkts, 4), 1);
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(pkts[0]), 68);
	d = rte_pktmbuf_mtod(pkts[0], const uint8_t *);
	ck_assert(memcmp(d, f, 12) == 0);
	ck_assert_uint_eq(d[12], 0x81);
	ck_assert_uint_eq(d[13], 0x00);
	ck_assert_uint_eq(((unsigned int)d[14] << 8 | d[15]) & 0x0fff, 100);
	ck_assert(memcmp(d + 16, f + 12, 52) == 0);
	rte_pktmbuf_free(pkts[0]);
	ck_assert_uint_eq(bridge_vtap_read(&b, 0, pkts, 4), 0);
	close(sp[0]);
	close(sp[1]);
	ck_assert_uint_eq(rte_mempool_in_use_count(shm.pool), in_use);
}
END_TEST

int
main(void)
{
	char prefix[64];
	char *eal[] = { (char *)"test_bridge_logic", (char *)"--no-huge", (char *)"-m",
			(char *)"512", (char *)"--no-shconf", (char *)"--no-pci", prefix,
			(char *)"-l", (char *)"0", (char *)"--no-telemetry",
			(char *)"--vdev=net_ring0", (char *)"--log-level=*:error", NULL };
	Suite *s = suite_create("bridge_logic");
	TCase *tc = tcase_create("logic"), *tp = tcase_create("pass");
	SRunner *sr;
	int failed;

	/* a prefix of our own: its runtime directory is removed at the end */
	snprintf(prefix, sizeof(prefix), "--file-prefix=tubr%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return EXIT_FAILURE;
	}
	tcase_add_test(tc, test_flow_hash_keeps_a_flow_together);
	tcase_add_test(tc, test_flow_worker_waits_for_a_replacement);
	tcase_add_test(tc, test_idle_sleep_grows_to_1ms);
	suite_add_tcase(s, tc);
	tcase_add_unchecked_fixture(tp, setup_node, NULL);
	tcase_add_test(tp, test_pass_both_directions);
	tcase_add_test(tp, test_priority_ring_first);
	tcase_add_test(tp, test_full_worker_ring_drops_and_frees);
	tcase_add_test(tp, test_vlan_tap_take_and_read);
	suite_add_tcase(s, tp);
	sr = srunner_create(s);
	/* one process: the EAL state is not meant to be forked */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	dpvs_eal_cleanup_private();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
