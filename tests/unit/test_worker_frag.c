/*
 * Unit tests for the output path's pieces that the packet fixtures cannot
 * reach (their frames are one segment each): IPv4 fragmentation of a packet
 * spread over several mbufs (every fragment's bytes in order, offsets, MF,
 * header checksums; the received mbuf becomes the last fragment; no mbuf
 * leaks), the chain helpers it uses (cut the head, trim the tail, across
 * segments), and the ICMP error token bucket (its burst, its rate). EAL
 * without hugepages or shared config; port 0 is a net_null with a static
 * neighbour, so that fragments go straight to its tx buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "shm/eal.h"
#include "shm/lb_hash.h"
#include "shm/shm.h"
#include "worker/l2/neigh.h"
#include "worker/l3/cksum.h"
#include "worker/l3/l3.h"
#include "worker/worker.h"
#include "test_worker_node.h"

#define NH RTE_BE32(0x0a000002u) /* 10.0.0.2, a static neighbour on dpdk0 */
#define SEC 1000000000ull

static struct dpvs_shm shm;
static struct wk_ctx ctx;

static unsigned int
in_use(void)
{
	return rte_mempool_in_use_count(shm.pool);
}

/* A chain of nseg mbufs holding len bytes, byte i = (i * 7) & 0xff, each
 * segment at most seglen bytes. */
static struct rte_mbuf *
chain(uint32_t len, uint32_t seglen)
{
	struct rte_mbuf *head = NULL, *m;
	uint32_t done = 0, n, i;
	uint8_t *d;

	while (done < len) {
		m = rte_pktmbuf_alloc(shm.pool);
		ck_assert_ptr_nonnull(m);
		n = RTE_MIN(seglen, len - done);
		d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)n);
		ck_assert_ptr_nonnull(d);
		for (i = 0; i < n; i++)
			d[i] = (uint8_t)((done + i) * 7);
		if (head == NULL)
			head = m;
		else
			ck_assert_int_eq(rte_pktmbuf_chain(head, m), 0);
		done += n;
	}
	return head;
}

/* Byte i of m (any segment). */
static uint8_t
byte_at(const struct rte_mbuf *m, uint32_t i)
{
	uint8_t b;

	return *(const uint8_t *)rte_pktmbuf_read(m, i, 1, &b);
}

START_TEST(test_chain_helpers)
{
	unsigned int base = in_use(), i;
	struct rte_mbuf *m = chain(1000, 300); /* 300 + 300 + 300 + 100 */

	ck_assert_uint_eq(m->nb_segs, 4);
	ck_assert_int_eq(wk_mbuf_trim_to(m, 1000), -1);
	ck_assert_int_eq(wk_mbuf_trim_to(m, 650), 0);
	ck_assert_uint_eq(m->pkt_len, 650);
	ck_assert_uint_eq(m->nb_segs, 3);
	ck_assert_uint_eq(in_use(), base + 3);
	ck_assert_int_eq(wk_mbuf_cut_head(m, 650), -1);
	ck_assert_int_eq(wk_mbuf_cut_head(m, 310), 0); /* the head empties, the 2nd cut */
	ck_assert_uint_eq(m->pkt_len, 340);
	ck_assert_uint_eq(m->data_len, 0);
	ck_assert_uint_eq(m->nb_segs, 3);
	for (i = 0; i < 340; i++)
		ck_assert_uint_eq(byte_at(m, i), (uint8_t)((310 + i) * 7));
	ck_assert_ptr_nonnull(rte_pktmbuf_prepend(m, 40)); /* room in front again */
	ck_assert_int_eq(wk_mbuf_cut_head(m, 40 + 290 + 10), 0); /* drops a whole segment */
	ck_assert_uint_eq(m->pkt_len, 40 - 40 + 340 - 300);
	ck_assert_uint_eq(m->nb_segs, 2);
	for (i = 0; i < m->pkt_len; i++)
		ck_assert_uint_eq(byte_at(m, i), (uint8_t)((610 + i) * 7));
	rte_pktmbuf_free(m);
	ck_assert_uint_eq(in_use(), base);
}
END_TEST

/* A 14 + 20 + pay byte IPv4 frame over segments of seglen bytes. */
static struct rte_mbuf *
ip_frame(uint32_t pay, uint32_t seglen, uint16_t frag_off)
{
	struct rte_mbuf *m = chain(RTE_ETHER_HDR_LEN + 20 + pay, seglen);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);

	memset(rte_pktmbuf_mtod(m, void *), 0, 14 + 20);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + pay));
	ip->packet_id = RTE_BE16(0x4242);
	ip->fragment_offset = rte_cpu_to_be_16(frag_off);
	ip->time_to_live = 63;
	ip->next_proto_id = 17;
	ip->src_addr = RTE_BE32(0x0a000101u);
	ip->dst_addr = NH;
	wk_ipv4_cksum_set(ip);
	m->port = ctx.port_id[0];
	return m;
}

static struct dpvs_txbuf *
txb(void)
{
	return &shm.wr[0]->txbuf[0];
}

/* Check fragment f: its header, and its payload = the original's payload
 * from byte *off; advance *off. */
static void
check_frag(const struct rte_mbuf *f, uint32_t *off, uint16_t base8, int mf, uint32_t mtu)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(f, const struct rte_ipv4_hdr *,
								 14);
	uint32_t tot = rte_be_to_cpu_16(ip->total_length), i, pay = tot - 20;
	uint16_t fo = rte_be_to_cpu_16(ip->fragment_offset);

	ck_assert_uint_eq(f->pkt_len, 14 + tot);
	ck_assert_uint_le(tot, mtu);
	ck_assert(wk_ipv4_cksum_ok(ip));
	ck_assert_uint_eq(ip->packet_id, RTE_BE16(0x4242));
	ck_assert_uint_eq(fo & RTE_IPV4_HDR_OFFSET_MASK, base8 + *off / 8);
	ck_assert_int_eq((fo & RTE_IPV4_HDR_MF_FLAG) != 0, mf);
	for (i = 0; i < pay; i++)
		ck_assert_uint_eq(byte_at(f, 14 + 20 + i), (uint8_t)((34 + *off + i) * 7));
	*off += pay;
}

START_TEST(test_fragment_chain)
{
	unsigned int base = in_use(), k, n;
	struct rte_mbuf *m = ip_frame(3000, 700, 0);
	struct wk_verdict v;
	struct dpvs_ip nh;
	uint32_t off = 0;

	wk_ip_from_v4(&nh, NH);
	v = wk_ip_fragment(&ctx, m, 0, &nh, 1280);
	ck_assert_uint_eq(v.kind, DPVS_VERDICT_TX);
	n = txb()->count;
	ck_assert_uint_eq(n, 2); /* 1256 + 1256 sent, 488 in m */
	for (k = 0; k < n; k++)
		check_frag(txb()->pkts[k], &off, 0, 1, 1280);
	check_frag(m, &off, 0, 0, 1280);
	ck_assert_uint_eq(off, 3000);
	for (k = 0; k < n; k++)
		rte_pktmbuf_free(txb()->pkts[k]);
	txb()->count = 0;
	rte_pktmbuf_free(m);
	ck_assert_uint_eq(in_use(), base);
}
END_TEST

/* A fragment (offset 50, MF) fragmented again, with tiny segments. */
START_TEST(test_fragment_a_fragment)
{
	unsigned int base = in_use(), k, n;
	struct rte_mbuf *m = ip_frame(1400, 100, 50 | RTE_IPV4_HDR_MF_FLAG);
	struct wk_verdict v;
	struct dpvs_ip nh;
	uint32_t off = 0;

	wk_ip_from_v4(&nh, NH);
	v = wk_ip_fragment(&ctx, m, 0, &nh, 576);
	ck_assert_uint_eq(v.kind, DPVS_VERDICT_TX);
	n = txb()->count;
	ck_assert_uint_eq(n, 2);
	for (k = 0; k < n; k++)
		check_frag(txb()->pkts[k], &off, 50, 1, 576);
	check_frag(m, &off, 50, 1, 576); /* the last keeps the packet's MF */
	ck_assert_uint_eq(off, 1400);
	ck_assert_uint_eq(ctx.st->event[DPVS_EVENT_FRAG_CREATED] >= 3, 1);
	for (k = 0; k < n; k++)
		rte_pktmbuf_free(txb()->pkts[k]);
	txb()->count = 0;
	rte_pktmbuf_free(m);
	ck_assert_uint_eq(in_use(), base);
}
END_TEST

START_TEST(test_icmp_token_bucket)
{
	unsigned int i, got = 0;

	ctx.now_ns = 1000 * SEC;
	ctx.icmp_tokens = 0;
	ctx.icmp_tok_ns = 0;
	for (i = 0; i < 200; i++) /* a long silence: a full bucket */
		got += (unsigned int)wk_icmp_token(&ctx);
	ck_assert_uint_eq(got, WK_ICMP_BURST);
	ctx.now_ns += SEC / 100; /* 10 ms: 10 more at 1000/s */
	for (i = 0, got = 0; i < 200; i++)
		got += (unsigned int)wk_icmp_token(&ctx);
	ck_assert_uint_eq(got, WK_ICMP_RATE_PER_S / 100);
	for (i = 0, got = 0; i < 5 * 1000; i++) { /* 1 us apart for 5 ms: about 5 */
		ctx.now_ns += 1000;
		got += (unsigned int)wk_icmp_token(&ctx);
	}
	ck_assert_uint_ge(got, 4);
	ck_assert_uint_le(got, 6);
}
END_TEST

static void
setup_node(const char *prog)
{
	struct dpvs_config_set *cfg;
	struct dpvs_static_neigh *sn;

	twk_node_start(prog, "tuwf", &shm, &ctx);
	/* 10.0.0.2 at 02:00:00:00:00:21, static, as dpvs-ctl would hash it */
	cfg = (struct dpvs_config_set *)(uintptr_t)ctx.cfg;
	sn = &dpvs_lb_sneigh(&cfg->lb)[0];
	wk_ip_from_v4(&sn->ip, NH);
	sn->port = 0;
	sn->mac[0] = 2;
	sn->mac[5] = 0x21;
	cfg->lb.nsneigh = 1;
	dpvs_lb_sneigh_hash(&cfg->lb)[dpvs_sneigh_hash(&cfg->lb, &sn->ip, 0)] = 1;
	wk_ctx_recover(&ctx);
}

int
main(int argc, char **argv)
{
	Suite *s = suite_create("worker_frag");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	(void)argc;
	setup_node(argv[0]);
	tcase_add_test(tc, test_chain_helpers);
	tcase_add_test(tc, test_fragment_chain);
	tcase_add_test(tc, test_fragment_a_fragment);
	tcase_add_test(tc, test_icmp_token_bucket);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	dpvs_eal_cleanup_private();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
