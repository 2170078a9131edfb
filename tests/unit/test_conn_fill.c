/*
 * Unit tests for the new-connection path's write of the entry
 * (worker/ipvs/ipvs_new.c, conn_fill, then the endpoints, the TCP tracking
 * and the insert): it writes every field once over whatever the slot held
 * (no zeroing; the free list gives a slot as its last connection left it).
 * The free slots are filled with a poison byte first (0x00, 0xff, 0xa5 in
 * turn; all but their free-list link, and USED clear), a client's first
 * packet goes through the pipeline of worker 0 (wk_pipeline: parse,
 * schedule, conn_new, the packet's own turn) to a full-NAT UDP or TCP, a
 * NAT UDP or a DR TCP service, then the entry is read back from the table
 * and compared field by field, and as a whole, with what it must hold
 * (the TCP tracking as its SYN sets it; the wheel and half-open links
 * checked for consistency). A field left unwritten keeps the poison and
 * fails, and so does one written wrong.
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
#define VIP RTE_BE32(0x0a000064u)   /* 10.0.0.100: full-NAT */
#define VIP_NAT RTE_BE32(0x0a000065u) /* 10.0.0.101: NAT */
#define VIP_DR RTE_BE32(0x0a000066u)  /* 10.0.0.102: DR */
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
			    "laddr add -t 10.0.0.100:80 10.0.0.10 dev dpdk0\n"
			    "-A -u 10.0.0.101:53 -s rr\n"
			    "-a -u 10.0.0.101:53 -r 10.0.0.3:5353 -b nat -w 1\n"
			    "-A -t 10.0.0.102:80 -s rr\n"
			    "-a -t 10.0.0.102:80 -r 10.0.0.3:80 -b dr -w 1\n";

/* A service of RULES: its protocol, VIP, port, its dest's port (host
 * order) and mode. */
struct svc {
	uint8_t proto;
	uint32_t vip;
	uint16_t vport, dport;
	uint8_t mode;
};

static const struct svc UDP_FNAT = { IPPROTO_UDP, VIP, 53, 5353, DPVS_FWD_FNAT };
static const struct svc TCP_FNAT = { IPPROTO_TCP, VIP, 80, 8080, DPVS_FWD_FNAT };
static const struct svc UDP_NAT = { IPPROTO_UDP, VIP_NAT, 53, 5353, DPVS_FWD_NAT };
static const struct svc TCP_DR = { IPPROTO_TCP, VIP_DR, 80, 80, DPVS_FWD_DR };

static void
load(const char *rules)
{
	twk_node_load(&shm, &ctx, rules);
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

/* The client's first packet to service sv from cport (host order): a UDP
 * datagram or a SYN (seq 1000, window 8192, MSS 1460), 5 bytes of data. */
static struct rte_mbuf *
first_pkt(const struct svc *sv, uint16_t cport)
{
	const uint8_t proto = sv->proto;
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
	ip->dst_addr = sv->vip;
	p = (uint8_t *)(ip + 1);
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)p;

		th->src_port = rte_cpu_to_be_16(cport);
		th->dst_port = rte_cpu_to_be_16(sv->vport);
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
		uh->dst_port = rte_cpu_to_be_16(sv->vport);
		uh->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + 5));
	}
	memcpy(p + l4, "hello", 5);
	wk_ipv4_cksum_set(ip);
	return m;
}

/* The connection the client's first packet from cport to sv made: its
 * index. */
static uint32_t
make_conn(const struct svc *sv, uint16_t cport)
{
	struct rte_mbuf *m = first_pkt(sv, cport);
	struct dpvs_ip c, v;
	struct wk_verdict vd;
	uint32_t idx;
	int dir = DPVS_DIR_IN;

	ctx.now_ns = ctx.fixed_now_ns = NOW_NS;
	vd = wk_pipeline(&ctx, m, 0);
	ck_assert_int_eq(vd.kind, DPVS_VERDICT_TX);
	rte_pktmbuf_free(m); /* the verdict is not carried out here */
	wk_ip_from_v4(&c, CLI);
	wk_ip_from_v4(&v, sv->vip);
	idx = wk_conn_lookup(ctx.ct, sv->proto, &c, rte_cpu_to_be_16(cport), &v,
			     rte_cpu_to_be_16(sv->vport), &dir);
	ck_assert_uint_ne(idx, DPVS_CONN_NIL);
	ck_assert_int_eq(dir, DPVS_DIR_IN);
	return idx;
}

/* The slot of the one dest of service slot svc. */
static uint32_t
dest_of(uint16_t svc)
{
	const struct dpvs_lb_tables *lb = &ctx.cfg->lb;
	uint32_t d;

	for (d = 0; d < lb->caps.dests; d++)
		if (dpvs_lb_dests(lb)[d].id != 0 && dpvs_lb_dests(lb)[d].svc == svc)
			return d;
	ck_abort_msg("no dest in service slot %u", svc);
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

/* The entry connection idx (from cport to sv) must hold, in e: what the
 * new path writes, the links (wheel, half-open list) and the local port
 * taken from the entry once checked. */
static void
expected_entry(const struct svc *sv, uint32_t idx, uint16_t cport, struct dpvs_conn *e)
{
	const struct dpvs_lb_tables *lb = &ctx.cfg->lb;
	const struct dpvs_conn *c = &dpvs_conn_array(ctx.ct)[idx];
	struct dpvs_ip v;
	uint16_t svc;
	uint32_t ds;

	wk_ip_from_v4(&v, sv->vip);
	svc = dpvs_svc_lookup(lb, sv->proto, &v, rte_cpu_to_be_16(sv->vport));
	ck_assert_uint_ne(svc, DPVS_SLOT_NONE);
	ds = dest_of(svc);
	memset(e, 0, sizeof(*e));
	/* DR: no outbound key (the server answers the client itself) */
	e->flags = DPVS_CONN_F_USED | (sv->mode == DPVS_FWD_DR ? 0 : DPVS_CONN_F_OUT);
	e->proto = sv->proto;
	e->state = sv->proto == IPPROTO_TCP ? DPVS_TCPS_SYN_RECV : 0;
	e->fwd_mode = sv->mode;
	e->svc_slot = svc;
	e->dest_slot = ds;
	e->svc_id = dpvs_lb_svc(lb, svc)->id;
	e->dest_id = dpvs_lb_dests(lb)[ds].id;
	e->expires_ns = NOW_NS + wk_conn_idle_ns(&lb->timeouts, sv->proto, e->state);
	e->in_pkts = 1; /* its first packet, counted */
	e->a4[DPVS_CONN_A_C] = CLI;
	e->a4[DPVS_CONN_A_V] = sv->vip;
	e->a4[DPVS_CONN_A_D] = RS;
	e->cport = rte_cpu_to_be_16(cport);
	e->vport = rte_cpu_to_be_16(sv->vport);
	e->dport = rte_cpu_to_be_16(sv->dport);
	e->created_s = (uint32_t)(NOW_NS / 1000000000ull);
	if (sv->mode == DPVS_FWD_FNAT) {
		/* the local address, a port the allocator gave (>= 1024) */
		e->a4[DPVS_CONN_A_L] = LADDR;
		ck_assert_uint_ge(rte_be_to_cpu_16(c->lport), 1024);
		e->lport = c->lport;
	} else if (sv->mode == DPVS_FWD_NAT) {
		e->a4[DPVS_CONN_A_L] = CLI; /* replies go back to the client */
		e->lport = e->cport;
	}
	/* the hashes its keys are filed under (the outbound one 0 without) */
	e->h_in = wk_conn_hash4(e->proto, e->a4[DPVS_CONN_A_C], e->cport, e->a4[DPVS_CONN_A_V],
				e->vport);
	if (e->flags & DPVS_CONN_F_OUT)
		e->h_out = wk_conn_hash4(e->proto, e->a4[DPVS_CONN_A_D], e->dport,
					 e->a4[DPVS_CONN_A_L], e->lport);
	/* the wheel (conn_priv.h): linked both ways in a slot's list */
	wheel_linked(idx);
	e->tprev = c->tprev;
	e->tnext = c->tnext;
	/* the half-open list: a SYN's connection at its tail, UDP on none */
	e->onext = DPVS_CONN_NIL;
	e->oprev = DPVS_CONN_NIL;
	if (sv->proto == IPPROTO_TCP) {
		ck_assert_uint_eq(ctx.ct->half_tail, idx);
		ck_assert_uint_ne(c->oprev, DPVS_CONN_NIL);
		e->oprev = c->oprev;
		/* the client's side from its SYN (seq 1000, the SYN and 5
		 * bytes, window 8192, no window scale: wk_tcp_track_init);
		 * DR sees one way: both sides liberal */
		e->trk[DPVS_DIR_IN].end = 1006;
		e->trk[DPVS_DIR_IN].maxend = 1006;
		e->trk[DPVS_DIR_IN].maxwin = 8192;
		if (sv->mode == DPVS_FWD_DR) {
			e->trk[DPVS_DIR_IN].flags = DPVS_TCPT_F_LIBERAL;
			e->trk[DPVS_DIR_OUT].flags = DPVS_TCPT_F_LIBERAL;
		}
	}
}

/* Connection idx (from cport to sv) field by field against what the new
 * path must have written, then as a whole. */
static void
check_conn(const struct svc *sv, uint32_t idx, uint16_t cport)
{
	const struct dpvs_conn *c = &dpvs_conn_array(ctx.ct)[idx];
	struct dpvs_conn e;

	expected_entry(sv, idx, cport, &e);
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
	ck_assert_uint_eq(c->a4[DPVS_CONN_A_C], e.a4[DPVS_CONN_A_C]);
	ck_assert_uint_eq(c->a4[DPVS_CONN_A_V], e.a4[DPVS_CONN_A_V]);
	ck_assert_uint_eq(c->a4[DPVS_CONN_A_L], e.a4[DPVS_CONN_A_L]);
	ck_assert_uint_eq(c->a4[DPVS_CONN_A_D], e.a4[DPVS_CONN_A_D]);
	ck_assert_uint_eq(c->cport, e.cport);
	ck_assert_uint_eq(c->vport, e.vport);
	ck_assert_uint_eq(c->lport, e.lport);
	ck_assert_uint_eq(c->dport, e.dport);
	ck_assert_uint_eq(c->sx_ref, e.sx_ref);
	ck_assert_uint_eq(c->onext, e.onext);
	ck_assert_uint_eq(c->oprev, e.oprev);
	ck_assert_uint_eq(c->created_s, e.created_s);
	ck_assert_uint_eq(c->h_in, e.h_in);
	ck_assert_uint_eq(c->h_out, e.h_out);
	ck_assert_msg(memcmp(c->trk, e.trk, sizeof(e.trk)) == 0,
		      "trk: in end %u maxend %u maxwin %u maxack %u wscale %u flags 0x%x, out "
		      "end %u maxend %u maxwin %u maxack %u wscale %u flags 0x%x",
		      c->trk[0].end, c->trk[0].maxend, c->trk[0].maxwin, c->trk[0].maxack,
		      c->trk[0].wscale, c->trk[0].flags, c->trk[1].end, c->trk[1].maxend,
		      c->trk[1].maxwin, c->trk[1].maxack, c->trk[1].wscale, c->trk[1].flags);
	/* and every byte: nothing above missed, nothing of the poison left */
	ck_assert_msg(memcmp(c, &e, sizeof(e)) == 0, "entry differs from the expected one");
}

static const uint8_t poison[] = { 0x00, 0xff, 0xa5 };
static const struct svc *const svcs[] = { &UDP_FNAT, &TCP_FNAT, &UDP_NAT, &TCP_DR };

/* Service _i of svcs: a new connection on slots under each poison. */
START_TEST(test_entry_written_whole)
{
	const struct svc *sv = svcs[_i];
	uint16_t cport = (uint16_t)(10000 + 100 * _i);
	uint32_t i;

	for (i = 0; i < RTE_DIM(poison); i++, cport++) {
		poison_free(poison[i]);
		check_conn(sv, make_conn(sv, cport), cport);
	}
}
END_TEST

/* A datagram to sv from cport through wk_pipeline: its verdict's kind. */
static int
send_udp(const struct svc *sv, uint16_t cport)
{
	struct rte_mbuf *m = first_pkt(sv, cport);
	struct wk_verdict vd = wk_pipeline(&ctx, m, 0);

	rte_pktmbuf_free(m);
	return vd.kind;
}

/* The established sequence's memo (worker/ipvs/fast4.h) lives inside a
 * burst only: a frame through wk_pipeline, outside one, leaves none
 * behind. The connection its datagram rode is then freed (as the loop's
 * expiry does between frames), and the client's next datagram must make
 * a new connection, not ride the freed slot. */
START_TEST(test_memo_outside_burst)
{
	const uint16_t cport = 20000;
	struct dpvs_ip c, v;
	uint32_t idx, n;
	int dir = DPVS_DIR_IN;

	poison_free(0);
	idx = make_conn(&UDP_FNAT, cport);
	/* the connection's second datagram: the inline sequence's */
	ck_assert_int_eq(send_udp(&UDP_FNAT, cport), DPVS_VERDICT_TX);
	wk_conn_free(ctx.ct, idx);
	n = ctx.ct->count;
	ck_assert_int_eq(send_udp(&UDP_FNAT, cport), DPVS_VERDICT_TX);
	ck_assert_uint_eq(ctx.ct->count, n + 1);
	wk_ip_from_v4(&c, CLI);
	wk_ip_from_v4(&v, VIP);
	ck_assert_uint_ne(wk_conn_lookup(ctx.ct, IPPROTO_UDP, &c, rte_cpu_to_be_16(cport), &v,
					 RTE_BE16(53), &dir),
			  DPVS_CONN_NIL);
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
	tcase_add_loop_test(tc, test_entry_written_whole, 0, (int)RTE_DIM(svcs));
	tcase_add_test(tc, test_memo_outside_burst);
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
