/*
 * Unit tests for the new-connection path's write of the entry
 * (worker/ipvs/ipvs_new.c, conn_fill, then the endpoints, the TCP tracking
 * and the insert): it writes every field once over whatever the slot held
 * (no zeroing; the free list gives a slot as its last connection left it).
 * The free slots are filled with a poison byte first (all but their
 * free-list link, and USED clear), a client's first packet goes through
 * the pipeline of worker 0 (wk_pipeline: parse, schedule, conn_new, the
 * packet's own turn), then the entry is read back from the table and
 * compared field by field, and as a whole, with what it must hold; a
 * second connection made on slots poisoned with another byte must hold the
 * same TCP tracking. A field left unwritten keeps the poison and fails.
 * EAL without hugepages or shared config; port 0 is a net_null, the
 * config comes from dpvs-ctl's rules loader.
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
#include <rte_tcp.h>
#include <rte_udp.h>

#include "ctl/rules.h"
#include "shm/conn_addr.h"
#include "shm/eal.h"
#include "shm/lb_hash.h"
#include "shm/shm.h"
#include "worker/ipvs/conn_priv.h"
#include "worker/ipvs/conn_table.h"
#include "worker/l2/neigh.h"
#include "worker/l3/cksum.h"
#include "worker/worker.h"
#include "test_worker_node.h"

#define CLI RTE_BE32(0x0a000002u)   /* 10.0.0.2, the client */
#define RS RTE_BE32(0x0a000003u)    /* 10.0.0.3, the real server */
#define LADDR RTE_BE32(0x0a00000au) /* 10.0.0.10, the local address */
#define VIP RTE_BE32(0x0a000064u)   /* 10.0.0.100 */
/* the clock, which stands still: 1000 s and a bit */
#define NOW_NS (1000ull * 1000000000ull + 123456789ull)

static struct dpvs_shm shm;
static struct wk_ctx ctx;

static const char RULES[] = "addr add 10.0.0.1/24 dev dpdk0\n"
			    "addr add 10.0.0.10/32 dev dpdk0\n"
			    "neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev dpdk0\n"
			    "neigh add 10.0.0.3 lladdr 02:00:00:00:00:03 dev dpdk0\n"
			    "-A -u 10.0.0.100:53 -s rr\n"
			    "-a -u 10.0.0.100:53 -r 10.0.0.3:5353 -b fnat -w 1\n"
			    "laddr add -u 10.0.0.100:53 10.0.0.10 dev dpdk0\n"
			    "-A -t 10.0.0.100:80 -s rr\n"
			    "-a -t 10.0.0.100:80 -r 10.0.0.3:8080 -b fnat -w 1\n"
			    "laddr add -t 10.0.0.100:80 10.0.0.10 dev dpdk0\n";

static void
load(const char *rules)
{
	char path[] = "/tmp/dpvs-test-connfill.XXXXXX", err[256];
	int fd = mkstemp(path);

	/* before the tests run: abort, no Check assertion */
	if (fd < 0 || write(fd, rules, strlen(rules)) != (ssize_t)strlen(rules)) {
		perror("rules file");
		abort();
	}
	close(fd);
	if (ctl_rules_load(&shm, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "rules: %s\n", err);
		unlink(path);
		abort();
	}
	unlink(path);
	ctx.cfg = dpvs_config_active(ctx.shm);
	wk_if_refresh(&ctx);
}

/* Every free slot of worker 0's table holds byte b but its free-list link
 * (tnext), and flags without USED: what a slot a connection left could
 * hold. */
static void
poison_free(uint8_t b)
{
	struct dpvs_conn *c = dpvs_conn_array(ctx.ct);
	uint32_t i, link;

	for (i = 0; i < ctx.ct->capacity; i++) {
		if (c[i].flags & DPVS_CONN_F_USED)
			continue;
		link = c[i].tnext;
		memset(&c[i], b, sizeof(c[i]));
		c[i].tnext = link;
		c[i].flags = (uint8_t)(b & ~DPVS_CONN_F_USED);
	}
}

/* The client's first packet to the VIP from cport (host order): a UDP
 * datagram to :53 or a SYN (seq 1000, window 8192, MSS 1460) to :80. */
static struct rte_mbuf *
first_pkt(uint8_t proto, uint16_t cport)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(shm.pool);
	const uint16_t l4 = proto == IPPROTO_TCP ? 24 : 8, len = (uint16_t)(20 + l4 + 5);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	uint8_t *p;

	ck_assert_ptr_nonnull(m);
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)(14 + len));
	ck_assert_ptr_nonnull(eth);
	memset(eth, 0, 14u + len);
	eth->dst_addr.addr_bytes[0] = 2;
	eth->dst_addr.addr_bytes[5] = 1;
	eth->src_addr.addr_bytes[0] = 2;
	eth->src_addr.addr_bytes[5] = 2;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(len);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = CLI;
	ip->dst_addr = VIP;
	p = (uint8_t *)(ip + 1);
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)p;

		th->src_port = rte_cpu_to_be_16(cport);
		th->dst_port = RTE_BE16(80);
		th->sent_seq = RTE_BE32(1000);
		th->data_off = (uint8_t)((24 / 4) << 4);
		th->tcp_flags = RTE_TCP_SYN_FLAG;
		th->rx_win = RTE_BE16(8192);
		p[20] = 2; /* MSS 1460 */
		p[21] = 4;
		p[22] = 1460 >> 8;
		p[23] = 1460 & 0xff;
	} else {
		struct rte_udp_hdr *uh = (struct rte_udp_hdr *)p;

		uh->src_port = rte_cpu_to_be_16(cport);
		uh->dst_port = RTE_BE16(53);
		uh->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + 5));
	}
	memcpy(p + l4, "hello", 5);
	wk_ipv4_cksum_set(ip);
	return m;
}

/* The connection the client's first packet from cport made: its index. */
static uint32_t
make_conn(uint8_t proto, uint16_t cport)
{
	struct rte_mbuf *m = first_pkt(proto, cport);
	struct dpvs_ip c, v;
	struct wk_verdict vd;
	uint32_t idx;
	int dir = DPVS_DIR_IN;

	ctx.now_ns = ctx.fixed_now_ns = NOW_NS;
	vd = wk_pipeline(&ctx, m, 0);
	ck_assert_int_eq(vd.kind, DPVS_VERDICT_TX);
	rte_pktmbuf_free(m); /* the verdict is not carried out here */
	wk_ip_from_v4(&c, CLI);
	wk_ip_from_v4(&v, VIP);
	idx = wk_conn_lookup(ctx.ct, proto, &c, rte_cpu_to_be_16(cport), &v,
			     proto == IPPROTO_TCP ? RTE_BE16(80) : RTE_BE16(53), &dir);
	ck_assert_uint_ne(idx, DPVS_CONN_NIL);
	ck_assert_int_eq(dir, DPVS_DIR_IN);
	return idx;
}

/* The slot of the one dest of the service of proto. */
static uint32_t
dest_of(uint8_t proto, uint16_t svc)
{
	const struct dpvs_lb_tables *lb = &ctx.cfg->lb;
	uint32_t d;

	for (d = 0; d < lb->caps.dests; d++)
		if (dpvs_lb_dests(lb)[d].id != 0 && dpvs_lb_dests(lb)[d].svc == svc)
			return d;
	ck_abort_msg("no dest for proto %u", proto);
	return 0;
}

/* Is connection idx on the wheel, its links consistent both ways? */
static void
wheel_linked(uint32_t idx)
{
	const struct dpvs_conn *c = dpvs_conn_array(ctx.ct);
	const uint32_t prev = c[idx].tprev, next = c[idx].tnext;

	ck_assert_uint_ne(prev, DPVS_CONN_NIL);
	if ((prev & CONN_TPREV_HEAD) == 0) {
		ck_assert_uint_lt(prev, ctx.ct->capacity);
		ck_assert_uint_eq(c[prev].tnext, idx);
	}
	if (next != DPVS_CONN_NIL) {
		ck_assert_uint_lt(next, ctx.ct->capacity);
		ck_assert_uint_eq(c[next].tprev, idx);
	}
}

/* Connection idx (proto, from cport) field by field against what the new
 * path must have written, then as a whole; its TCP tracking is the
 * caller's (returned in *trk). */
static void
check_conn(uint32_t idx, uint8_t proto, uint16_t cport, uint16_t lport_min,
	   struct dpvs_tcp_track trk[2])
{
	const struct dpvs_lb_tables *lb = &ctx.cfg->lb;
	const struct dpvs_conn *c = &dpvs_conn_array(ctx.ct)[idx];
	const uint16_t vport = proto == IPPROTO_TCP ? RTE_BE16(80) : RTE_BE16(53);
	struct dpvs_conn e;
	struct dpvs_ip v;
	uint16_t svc;
	uint32_t ds;

	wk_ip_from_v4(&v, VIP);
	svc = dpvs_svc_lookup(lb, proto, &v, vport);
	ck_assert_uint_ne(svc, DPVS_SLOT_NONE);
	ds = dest_of(proto, svc);
	memset(&e, 0, sizeof(e));
	e.flags = DPVS_CONN_F_USED | DPVS_CONN_F_OUT;
	e.proto = proto;
	e.state = proto == IPPROTO_TCP ? DPVS_TCPS_SYN_RECV : 0;
	e.fwd_mode = DPVS_FWD_FNAT;
	e.in_port = 0;
	e.out_port = 0;
	e.svc_slot = svc;
	e.dest_slot = ds;
	e.svc_id = dpvs_lb_svc(lb, svc)->id;
	e.dest_id = dpvs_lb_dests(lb)[ds].id;
	e.expires_ns = NOW_NS + wk_conn_idle_ns(&lb->timeouts, proto, e.state);
	e.in_pkts = 1; /* its first packet, counted */
	e.out_pkts = 0;
	e.a4[DPVS_CONN_A_C] = CLI;
	e.a4[DPVS_CONN_A_V] = VIP;
	e.a4[DPVS_CONN_A_L] = LADDR;
	e.a4[DPVS_CONN_A_D] = RS;
	e.cport = rte_cpu_to_be_16(cport);
	e.vport = vport;
	e.dport = proto == IPPROTO_TCP ? RTE_BE16(8080) : RTE_BE16(5353);
	e.sx_ref = 0;
	e.created_s = (uint32_t)(NOW_NS / 1000000000ull);
	/* the local port: the allocator's (even, from lport_min on) */
	ck_assert_uint_ge(rte_be_to_cpu_16(c->lport), lport_min);
	e.lport = c->lport;
	/* the wheel (conn_priv.h): linked both ways in a slot's list */
	wheel_linked(idx);
	e.tprev = c->tprev;
	e.tnext = c->tnext;
	/* the half-open list: a SYN's connection at its tail, UDP on none */
	ck_assert_uint_eq(c->onext, DPVS_CONN_NIL);
	if (proto == IPPROTO_TCP) {
		ck_assert_uint_eq(ctx.ct->half_tail, idx);
		ck_assert_uint_ne(c->oprev, DPVS_CONN_NIL);
	}
	e.onext = DPVS_CONN_NIL;
	e.oprev = proto == IPPROTO_TCP ? c->oprev : DPVS_CONN_NIL;
	if (proto == IPPROTO_TCP) {
		memcpy(e.trk, c->trk, sizeof(e.trk));
		memcpy(trk, c->trk, sizeof(e.trk));
	}

	ck_assert_uint_eq(c->flags, e.flags);
	ck_assert_uint_eq(c->proto, e.proto);
	ck_assert_uint_eq(c->state, e.state);
	ck_assert_uint_eq(c->fwd_mode, e.fwd_mode);
	ck_assert_uint_eq(c->in_port, e.in_port);
	ck_assert_uint_eq(c->out_port, e.out_port);
	ck_assert_uint_eq(c->svc_slot, e.svc_slot);
	ck_assert_uint_eq(c->dest_slot, e.dest_slot);
	ck_assert_uint_eq(c->svc_id, e.svc_id);
	ck_assert_uint_eq(c->dest_id, e.dest_id);
	ck_assert_uint_eq(c->expires_ns, e.expires_ns);
	ck_assert_uint_eq(c->in_pkts, e.in_pkts);
	ck_assert_uint_eq(c->out_pkts, e.out_pkts);
	ck_assert_uint_eq(dpvs_conn_a4(c, DPVS_CONN_A_C), CLI);
	ck_assert_uint_eq(dpvs_conn_a4(c, DPVS_CONN_A_V), VIP);
	ck_assert_uint_eq(dpvs_conn_a4(c, DPVS_CONN_A_L), LADDR);
	ck_assert_uint_eq(dpvs_conn_a4(c, DPVS_CONN_A_D), RS);
	ck_assert_uint_eq(c->cport, e.cport);
	ck_assert_uint_eq(c->vport, e.vport);
	ck_assert_uint_eq(c->dport, e.dport);
	ck_assert_uint_eq(c->sx_ref, e.sx_ref);
	ck_assert_uint_eq(c->created_s, e.created_s);
	ck_assert_uint_eq(c->pad[0], 0);
	ck_assert_uint_eq(c->pad[1], 0);
	if (proto != IPPROTO_TCP)
		ck_assert_msg(memcmp(c->trk, e.trk, sizeof(e.trk)) == 0, "UDP: trk not zero");
	/* and every byte: nothing above missed, nothing of the poison left */
	ck_assert_msg(memcmp(c, &e, sizeof(e)) == 0, "entry differs from the expected one");
}

/* UDP: each poison (0x00, 0xff, 0xa5) under a new connection. */
START_TEST(test_udp_entry_written_whole)
{
	static const uint8_t poison[] = { 0x00, 0xff, 0xa5 };
	uint32_t i, idx;

	for (i = 0; i < RTE_DIM(poison); i++) {
		poison_free(poison[i]);
		idx = make_conn(IPPROTO_UDP, (uint16_t)(5000 + i));
		check_conn(idx, IPPROTO_UDP, (uint16_t)(5000 + i), 1024, NULL);
	}
}
END_TEST

/* TCP: the same for a SYN's connection; the tracking, which its SYN
 * alone sets (the same seq, window and MSS each time), must come out the
 * same whatever the slot held. */
START_TEST(test_tcp_entry_written_whole)
{
	static const uint8_t poison[] = { 0x00, 0xff, 0xa5 };
	struct dpvs_tcp_track first[2], trk[2];
	uint32_t i, idx;

	for (i = 0; i < RTE_DIM(poison); i++) {
		poison_free(poison[i]);
		idx = make_conn(IPPROTO_TCP, (uint16_t)(40000 + i));
		check_conn(idx, IPPROTO_TCP, (uint16_t)(40000 + i), 1024, trk);
		if (i == 0)
			memcpy(first, trk, sizeof(first));
		else
			ck_assert_msg(memcmp(first, trk, sizeof(trk)) == 0,
				      "TCP tracking depends on what the slot held (poison 0x%02x)",
				      poison[i]);
	}
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("conn_fill");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	(void)argc;
	twk_node_start(argv[0], "tucf", &shm, &ctx);
	wk_ctx_recover(&ctx);
	load(RULES);
	tcase_add_test(tc, test_udp_entry_written_whole);
	tcase_add_test(tc, test_tcp_entry_written_whole);
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
