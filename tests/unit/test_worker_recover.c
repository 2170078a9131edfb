/*
 * Unit tests for the worker's crash safety (worker/ctx.c, worker/l2/tx.c): a
 * successor frees exactly what its predecessor still held in its shm region
 * (in-flight burst, tx buffers) and nothing else, and recounts the active and
 * inactive connections of its service and dest rows; a worker killed inside
 * a one-packet-per-call flush (tap ports) loses one packet; the tx buffer
 * flushes when
 * full and counts what it sends. EAL without hugepages or shared config
 * (--no-huge --no-shconf); port 0 is a net_null (takes everything), port 1 a
 * loopback net_ring whose ring can be filled to make tx refuse; the shm is
 * created in-process. To refuse one packet as net_tap refuses a frame over
 * its MTU (the burst stops there, the packet stays with the caller), some
 * tests put a wrapper in port 1's entry of rte_eth_fp_ops (the table
 * rte_eth_tx_burst calls through) that stops at the first packet longer
 * than REFUSE_LEN.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <rte_byteorder.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "shm/eal.h"
#include "shm/fault.h"
#include "shm/shm.h"
#include "worker/ipvs/conn_table.h"
#include "worker/worker.h"

static struct dpvs_shm shm;
static struct wk_ctx ctx;

static struct rte_mbuf *
mbuf(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(shm.pool);

	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(rte_pktmbuf_append(m, 60));
	return m;
}

static unsigned int
in_use(void)
{
	return rte_mempool_in_use_count(shm.pool);
}

START_TEST(test_recover_frees_what_was_held)
{
	struct dpvs_worker_region *wr = shm.wr[0];
	unsigned int base = in_use(), i;

	/* a predecessor died mid-burst: entries 0..2 handed on (cleared), 3..9 held */
	for (i = 3; i < 10; i++)
		wr->inflight[i] = mbuf();
	wr->inflight_n = 10;
	for (i = 0; i < 5; i++)
		wr->txbuf[0].pkts[i] = mbuf();
	wr->txbuf[0].count = 5;
	/* stale entries beyond the count were sent already: must not be freed */
	wr->txbuf[0].pkts[5] = (struct rte_mbuf *)(uintptr_t)0xdead;
	ck_assert_uint_eq(in_use(), base + 12);
	ck_assert_uint_eq(wk_ctx_recover(&ctx), 12);
	ck_assert_uint_eq(in_use(), base);
	ck_assert_uint_eq(wr->inflight_n, 0);
	ck_assert_uint_eq(wr->txbuf[0].count, 0);
	for (i = 0; i < DPVS_BURST; i++)
		ck_assert_ptr_null(wr->inflight[i]);
	/* a second recovery finds nothing */
	ck_assert_uint_eq(wk_ctx_recover(&ctx), 0);
}
END_TEST

START_TEST(test_recover_skips_foreign_pointers)
{
	struct dpvs_worker_region *wr = shm.wr[0];
	struct rte_mbuf fake;

	memset(&fake, 0, sizeof(fake));
	fake.pool = NULL;
	wr->inflight[0] = &fake;
	ck_assert_uint_eq(wk_ctx_recover(&ctx), 0);
	ck_assert_ptr_null(wr->inflight[0]);
}
END_TEST

/* Connection i of worker 0's table, a full-NAT one to dest slot d (id did)
 * of service slot 0 (id 5). */
static void
put_conn(uint32_t i, uint8_t proto, uint8_t state, uint16_t d, uint32_t did)
{
	struct dpvs_conn *c = &dpvs_conn_array(ctx.ct)[i];

	memset(c, 0, sizeof(*c));
	c->proto = proto;
	c->state = state;
	c->fwd_mode = DPVS_FWD_FNAT;
	c->svc_slot = 0;
	c->svc_id = 5;
	c->dest_slot = d;
	c->dest_id = did;
	c->a4[DPVS_CONN_A_C] = rte_cpu_to_be_32(11u << 24 | (uint8_t)i);
	c->a4[DPVS_CONN_A_V] = rte_cpu_to_be_32(10u << 24);
	c->a4[DPVS_CONN_A_L] = rte_cpu_to_be_32(12u << 24);
	c->a4[DPVS_CONN_A_D] = rte_cpu_to_be_32(13u << 24);
	c->cport = c->vport = c->dport = rte_cpu_to_be_16(80);
	c->lport = rte_cpu_to_be_16((uint16_t)(1024 + i));
	c->expires_ns = dpvs_now_ns() + 60000000000ull;
	c->flags = DPVS_CONN_F_USED | DPVS_CONN_F_OUT;
}

/* A predecessor that died between a connection change and its count (or
 * whose counts drifted) leaves wrong active/inactive columns: the successor
 * recounts them from the connection array; the other columns stay. */
START_TEST(test_recover_recounts_active_inactive)
{
	struct dpvs_worker_region *wr = shm.wr[0];
	struct dpvs_lb_stats *svc = &dpvs_wr_svc_stats(wr)[0], *d1 = &dpvs_wr_dest_stats(wr)[1];
	struct dpvs_lb_stats *d2 = &dpvs_wr_dest_stats(wr)[2];

	memset(svc, 0, sizeof(*svc));
	memset(d1, 0, sizeof(*d1));
	memset(d2, 0, sizeof(*d2));
	svc->id = 5;
	svc->active = 7;         /* drifted */
	svc->conns = 42;
	d1->id = 9;
	d1->inactive = 3;        /* drifted */
	d1->conns = 17;
	d2->id = 11;
	put_conn(0, IPPROTO_TCP, DPVS_TCPS_ESTABLISHED, 1, 9);
	put_conn(1, IPPROTO_TCP, DPVS_TCPS_SYN_RECV, 1, 9);
	put_conn(2, IPPROTO_UDP, 0, 2, 11);
	put_conn(3, IPPROTO_TCP, DPVS_TCPS_ESTABLISHED, 2, 99); /* a deleted dest */
	wk_ctx_recover(&ctx);
	ck_assert_uint_eq(svc->active, 2);
	ck_assert_uint_eq(svc->inactive, 2);
	ck_assert_uint_eq(svc->conns, 42);
	ck_assert_uint_eq(d1->active, 1);
	ck_assert_uint_eq(d1->inactive, 1);
	ck_assert_uint_eq(d1->conns, 17);
	ck_assert_uint_eq(d2->active, 0);
	ck_assert_uint_eq(d2->inactive, 1);
	/* leave an empty table to the other tests */
	memset(dpvs_conn_array(ctx.ct), 0, 4 * sizeof(struct dpvs_conn));
	wk_ctx_recover(&ctx);
	ck_assert_uint_eq(svc->active + svc->inactive, 0);
}
END_TEST

START_TEST(test_tx_buffer_flushes_when_full)
{
	struct dpvs_worker_stats *st = &shm.root->stats[0];
	unsigned int base = in_use(), i;
	uint64_t sent0 = st->tx_pkts;

	for (i = 0; i < DPVS_TXBUF_LEN; i++)
		ck_assert_int_eq(wk_tx_enqueue(&ctx, mbuf(), 0), 0);
	ck_assert_uint_eq(shm.wr[0]->txbuf[0].count, DPVS_TXBUF_LEN);
	ck_assert_uint_eq(wk_tx_pending(&ctx), DPVS_TXBUF_LEN);
	/* one more: the full buffer is flushed first (net_null takes all) */
	ck_assert_int_eq(wk_tx_enqueue(&ctx, mbuf(), 0), 0);
	ck_assert_uint_eq(shm.wr[0]->txbuf[0].count, 1);
	ck_assert_uint_eq(st->tx_pkts - sent0, DPVS_TXBUF_LEN);
	ck_assert_uint_eq(wk_tx_flush_all(&ctx), 1);
	ck_assert_uint_eq(wk_tx_pending(&ctx), 0);
	ck_assert_uint_eq(st->tx_pkts - sent0, DPVS_TXBUF_LEN + 1);
	ck_assert_uint_eq(in_use(), base);
}
END_TEST

/* Fill port 1's loopback ring until tx refuses; returns how many it holds. */
static unsigned int
fill_ring_port(void)
{
	struct rte_mbuf *m;
	unsigned int n = 0;

	for (;;) {
		m = mbuf();
		if (rte_eth_tx_burst(ctx.port_id[1], 0, &m, 1) == 0) {
			rte_pktmbuf_free(m);
			return n;
		}
		n++;
	}
}

/* Take up to n packets back out of port 1's ring and free them. */
static unsigned int
drain_ring_port(unsigned int n)
{
	struct rte_mbuf *pkts[32];
	unsigned int got = 0;
	uint16_t k;

	while (got < n) {
		k = rte_eth_rx_burst(ctx.port_id[1], 0, pkts, (uint16_t)RTE_MIN(32u, n - got));
		if (k == 0)
			break;
		rte_pktmbuf_free_bulk(pkts, k);
		got += k;
	}
	return got;
}

/* _i: 0 = the batch flush (ring, memif, NICs), 1 = one packet per call (tap) */
START_TEST(test_tx_rebuffers_what_was_refused)
{
	struct dpvs_txbuf *tb = &shm.wr[0]->txbuf[1];
	struct rte_mbuf *sent_order[10];
	unsigned int base = in_use(), held, i;

	ctx.tx_one[1] = (uint8_t)_i;
	held = fill_ring_port();
	ck_assert_uint_gt(held, 0);
	for (i = 0; i < 10; i++) {
		sent_order[i] = mbuf();
		ck_assert_int_eq(wk_tx_enqueue(&ctx, sent_order[i], 1), 0);
	}
	ck_assert_uint_eq(drain_ring_port(3), 3); /* room for 3 */
	ck_assert_uint_eq(wk_tx_flush(&ctx, 1), 3);
	ck_assert_uint_eq(tb->count, 7);
	for (i = 0; i < 7; i++)
		ck_assert_ptr_eq(tb->pkts[i], sent_order[3 + i]); /* order kept */
	ck_assert_uint_eq(drain_ring_port(UINT32_MAX), held);
	ck_assert_uint_eq(wk_tx_flush(&ctx, 1), 7);
	ck_assert_uint_eq(tb->count, 0);
	ck_assert_uint_eq(drain_ring_port(UINT32_MAX), 7); /* the first 3 went above */
	ck_assert_uint_eq(in_use(), base);
	ctx.tx_one[1] = 0;
}
END_TEST

START_TEST(test_tx_drops_after_stalls)
{
	struct dpvs_worker_stats *st = &shm.root->stats[0];
	struct dpvs_txbuf *tb = &shm.wr[0]->txbuf[1];
	unsigned int base = in_use(), held, i;
	uint64_t full0 = st->drop[DPVS_DROP_TX_FULL];

	ctx.tx_one[1] = (uint8_t)_i;
	held = fill_ring_port();
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(wk_tx_enqueue(&ctx, mbuf(), 1), 0);
	for (i = 1; i < WK_TX_MAX_STALLS; i++) {
		ck_assert_uint_eq(wk_tx_flush(&ctx, 1), 0);
		ck_assert_uint_eq(tb->count, 5); /* still held, retried */
	}
	ck_assert_uint_eq(wk_tx_flush(&ctx, 1), 0);
	ck_assert_uint_eq(tb->count, 0); /* given up on */
	ck_assert_uint_eq(st->drop[DPVS_DROP_TX_FULL] - full0, 5);
	ck_assert_uint_eq(drain_ring_port(UINT32_MAX), held);
	ck_assert_uint_eq(in_use(), base);
	ctx.tx_one[1] = 0;
}
END_TEST

/* A worker killed inside a one-by-one flush (in the driver, or moving the
 * unsent packets down) loses one packet; its successor frees the rest. A
 * child process flushes port 1 (room for 3 of 10) with a fault point armed;
 * EAL memory and the net_ring are shared with it (--no-huge is a memfd). */
static const char *const tx_faults[] = { "tx_handed:2", "tx_moved:2", "tx_handed:4" };

START_TEST(test_tx_one_by_one_death_loses_one)
{
	struct dpvs_txbuf *tb = &shm.wr[0]->txbuf[1];
	unsigned int base = in_use(), held, i, freed, sent;
	int status;
	pid_t pid;

	ctx.tx_one[1] = 1;
	held = fill_ring_port();
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(wk_tx_enqueue(&ctx, mbuf(), 1), 0);
	ck_assert_uint_eq(drain_ring_port(3), 3);
	pid = fork();
	if (pid == 0) {
		if (dpvs_fault_arm(tx_faults[_i]) != 0)
			_exit(2);
		wk_tx_flush(&ctx, 1);
		_exit(3); /* not reached: the fault point kills */
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status), "%s: the child was not killed", tx_faults[_i]);
	/* its successor: frees what the buffer still records */
	freed = wk_ctx_recover(&ctx);
	ck_assert_uint_eq(tb->count, 0);
	sent = drain_ring_port(UINT32_MAX) - (held - 3);
	printf("%s: %u sent, %u freed by the successor, %u lost\n", tx_faults[_i], sent, freed,
	       in_use() - base);
	ck_assert_uint_eq(sent + freed + (in_use() - base), 10);
	ck_assert_uint_eq(in_use(), base + 1);
	ctx.tx_one[1] = 0;
}
END_TEST

START_TEST(test_tx_one_by_one_only_for_tap)
{
	ck_assert_int_eq(wk_tx_one_by_one(ctx.port_id[0]), 0); /* net_null */
	ck_assert_int_eq(wk_tx_one_by_one(ctx.port_id[1]), 0); /* net_ring */
	ck_assert_int_eq(wk_tx_one_by_one(RTE_MAX_ETHPORTS - 1), 0);
}
END_TEST

#define REFUSE_LEN 1514u

static eth_tx_burst_t ring_tx;

/* net_tap's way: send up to the first frame over the limit, stop there. */
static uint16_t
refusing_tx(void *txq, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n && pkts[i]->pkt_len <= REFUSE_LEN; i++)
		;
	return ring_tx(txq, pkts, i);
}

static void
refuse_big(int on)
{
	struct rte_eth_fp_ops *ops = &rte_eth_fp_ops[ctx.port_id[1]];

	if (ring_tx == NULL)
		ring_tx = ops->tx_pkt_burst;
	ops->tx_pkt_burst = on ? refusing_tx : ring_tx;
}

static struct rte_mbuf *
big_mbuf(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(shm.pool);

	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(rte_pktmbuf_append(m, 1600));
	return m;
}

/* The next packet out of port 1's ring (NULL if none); freed by the caller. */
static struct rte_mbuf *
ring_next(void)
{
	struct rte_mbuf *m;

	return rte_eth_rx_burst(ctx.port_id[1], 0, &m, 1) == 1 ? m : NULL;
}

START_TEST(test_tx_refused_packet_does_not_block)
{
	struct dpvs_worker_stats *st = &shm.root->stats[0];
	struct dpvs_txbuf *tb = &shm.wr[0]->txbuf[1];
	struct rte_mbuf *order[10], *m;
	uint64_t ref0 = st->drop[DPVS_DROP_TX_REFUSED], full0 = st->drop[DPVS_DROP_TX_FULL];
	uint64_t vtx0 = st->verdict[DPVS_VERDICT_TX], vdrop0 = st->verdict[DPVS_VERDICT_DROP];
	uint64_t sent0 = st->tx_pkts;
	unsigned int base = in_use(), i;

	ctx.tx_one[1] = (uint8_t)_i; /* 0 batch flush, 1 one by one */
	refuse_big(1);
	/* received packets (verdict TX): 3 and 7 are over the limit */
	for (i = 0; i < 10; i++) {
		order[i] = i == 3 || i == 7 ? big_mbuf() : mbuf();
		ck_assert_int_eq(wk_tx_enqueue_verdict(&ctx, order[i], 1), 0);
	}
	/* one flush sends every other packet, in order, and drops the two */
	ck_assert_uint_eq(wk_tx_flush(&ctx, 1), 8);
	ck_assert_uint_eq(tb->count, 0);
	ck_assert_uint_eq(st->tx_pkts - sent0, 8);
	ck_assert_uint_eq(st->drop[DPVS_DROP_TX_REFUSED] - ref0, 2);
	ck_assert_uint_eq(st->drop[DPVS_DROP_TX_FULL] - full0, 0);
	/* each packet counted once: 8 verdicts tx, 2 verdicts drop */
	ck_assert_uint_eq(st->verdict[DPVS_VERDICT_TX] - vtx0, 8);
	ck_assert_uint_eq(st->verdict[DPVS_VERDICT_DROP] - vdrop0, 2);
	for (i = 0; i < 10; i++) {
		if (i == 3 || i == 7)
			continue;
		m = ring_next();
		ck_assert_ptr_eq(m, order[i]);
		rte_pktmbuf_free(m);
	}
	ck_assert_ptr_null(ring_next());
	refuse_big(0);
	ck_assert_uint_eq(in_use(), base);
	ctx.tx_one[1] = 0;
}
END_TEST

START_TEST(test_tx_refused_alone_waits_for_company)
{
	struct dpvs_worker_stats *st = &shm.root->stats[0];
	struct dpvs_txbuf *tb = &shm.wr[0]->txbuf[1];
	uint64_t ref0 = st->drop[DPVS_DROP_TX_REFUSED], vtx0 = st->verdict[DPVS_VERDICT_TX];
	struct rte_mbuf *small, *m;
	unsigned int base = in_use();

	ctx.tx_one[1] = (uint8_t)_i; /* 0 batch flush, 1 one by one */
	refuse_big(1);
	/* alone in the buffer a refused packet looks like a full queue: kept */
	ck_assert_int_eq(wk_tx_enqueue(&ctx, big_mbuf(), 1), 0);
	ck_assert_uint_eq(wk_tx_flush(&ctx, 1), 0);
	ck_assert_uint_eq(tb->count, 1);
	/* a packet behind it goes out with the next flush; it is dropped */
	small = mbuf();
	ck_assert_int_eq(wk_tx_enqueue_verdict(&ctx, small, 1), 0);
	ck_assert_uint_eq(wk_tx_flush(&ctx, 1), 1);
	ck_assert_uint_eq(tb->count, 0);
	ck_assert_uint_eq(st->drop[DPVS_DROP_TX_REFUSED] - ref0, 1);
	ck_assert_uint_eq(st->verdict[DPVS_VERDICT_TX] - vtx0, 1);
	m = ring_next();
	ck_assert_ptr_eq(m, small);
	rte_pktmbuf_free(m);
	refuse_big(0);
	ck_assert_uint_eq(in_use(), base);
	ctx.tx_one[1] = 0;
}
END_TEST

/* A queue full for a moment: the driver's calls take at most caps[k]
 * packets each (the ring's other end reads between them), then all. */
static const uint16_t *busy_caps;
static unsigned int busy_ncaps, busy_call;

static uint16_t
busy_tx(void *txq, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t cap = busy_call < busy_ncaps ? busy_caps[busy_call] : n;

	busy_call++;
	return ring_tx(txq, pkts, RTE_MIN(n, cap));
}

/* The stopped packet not taken alone, the ones behind it taken (room came
 * free between the two offers): offered again, it goes, after them; nothing
 * is dropped as refused. */
START_TEST(test_tx_full_for_a_moment_is_not_refusal)
{
	/* batch: 0-2 go, 3 alone not, 4-9 go, 3 again goes; one by one:
	 * 0, 1, 2 go, 3 not, 4 goes, 3 again goes, then the rest */
	static const uint16_t batch_caps[] = { 3, 0 }, one_caps[] = { 1, 1, 1, 0 };
	static const unsigned int batch_order[] = { 0, 1, 2, 4, 5, 6, 7, 8, 9, 3 };
	static const unsigned int one_order[] = { 0, 1, 2, 4, 3, 5, 6, 7, 8, 9 };
	struct rte_eth_fp_ops *ops = &rte_eth_fp_ops[ctx.port_id[1]];
	struct dpvs_worker_stats *st = &shm.root->stats[0];
	uint64_t ref0 = st->drop[DPVS_DROP_TX_REFUSED], vtx0 = st->verdict[DPVS_VERDICT_TX];
	const unsigned int *order = _i ? one_order : batch_order;
	struct rte_mbuf *pkts[10], *m;
	unsigned int base = in_use(), i;

	ctx.tx_one[1] = (uint8_t)_i; /* 0 batch flush, 1 one by one */
	if (ring_tx == NULL)
		ring_tx = ops->tx_pkt_burst;
	busy_caps = _i ? one_caps : batch_caps;
	busy_ncaps = _i ? RTE_DIM(one_caps) : RTE_DIM(batch_caps);
	busy_call = 0;
	ops->tx_pkt_burst = busy_tx;
	for (i = 0; i < 10; i++) {
		pkts[i] = mbuf();
		ck_assert_int_eq(wk_tx_enqueue_verdict(&ctx, pkts[i], 1), 0);
	}
	ck_assert_uint_eq(wk_tx_flush(&ctx, 1), 10);
	ops->tx_pkt_burst = ring_tx;
	ck_assert_uint_eq(shm.wr[0]->txbuf[1].count, 0);
	ck_assert_uint_eq(st->drop[DPVS_DROP_TX_REFUSED] - ref0, 0);
	ck_assert_uint_eq(st->verdict[DPVS_VERDICT_TX] - vtx0, 10);
	for (i = 0; i < 10; i++) {
		m = ring_next();
		ck_assert_ptr_eq(m, pkts[order[i]]);
		rte_pktmbuf_free(m);
	}
	ck_assert_ptr_null(ring_next());
	ck_assert_uint_eq(in_use(), base);
	ctx.tx_one[1] = 0;
}
END_TEST

START_TEST(test_tx_full_queue_is_not_refusal)
{
	struct dpvs_worker_stats *st = &shm.root->stats[0];
	struct dpvs_txbuf *tb = &shm.wr[0]->txbuf[1];
	uint64_t ref0 = st->drop[DPVS_DROP_TX_REFUSED];
	unsigned int base = in_use(), held, i;

	ctx.tx_one[1] = (uint8_t)_i; /* 0 batch flush, 1 one by one */
	held = fill_ring_port();
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(wk_tx_enqueue_verdict(&ctx, mbuf(), 1), 0);
	/* a full queue takes nothing, neither the head nor what is behind it */
	ck_assert_uint_eq(wk_tx_flush(&ctx, 1), 0);
	ck_assert_uint_eq(tb->count, 6);
	ck_assert_uint_eq(st->drop[DPVS_DROP_TX_REFUSED] - ref0, 0);
	/* room for exactly 2: they go, the third waits (back-pressure) */
	ck_assert_uint_eq(drain_ring_port(2), 2);
	ck_assert_uint_eq(wk_tx_flush(&ctx, 1), 2);
	ck_assert_uint_eq(tb->count, 4);
	ck_assert_uint_eq(st->drop[DPVS_DROP_TX_REFUSED] - ref0, 0);
	ck_assert_uint_eq(drain_ring_port(UINT32_MAX), held);
	ck_assert_uint_eq(wk_tx_flush(&ctx, 1), 4);
	ck_assert_uint_eq(drain_ring_port(UINT32_MAX), 4);
	ck_assert_uint_eq(in_use(), base);
	ctx.tx_one[1] = 0;
}
END_TEST

START_TEST(test_tx_verdict_follows_stall_drop)
{
	struct dpvs_worker_stats *st = &shm.root->stats[0];
	struct dpvs_txbuf *tb = &shm.wr[0]->txbuf[1];
	uint64_t vtx0 = st->verdict[DPVS_VERDICT_TX], vdrop0 = st->verdict[DPVS_VERDICT_DROP];
	uint64_t full0 = st->drop[DPVS_DROP_TX_FULL];
	unsigned int base = in_use(), held, i;

	ctx.tx_one[1] = (uint8_t)_i; /* 0 batch flush, 1 one by one */
	held = fill_ring_port();
	/* 3 received packets and 2 from elsewhere (kernel, ARP): only the 3
	 * carry a verdict */
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(i % 2 == 0 ? wk_tx_enqueue_verdict(&ctx, mbuf(), 1) :
			wk_tx_enqueue(&ctx, mbuf(), 1), 0);
	for (i = 0; i < WK_TX_MAX_STALLS; i++)
		wk_tx_flush(&ctx, 1);
	ck_assert_uint_eq(tb->count, 0);
	ck_assert_uint_eq(st->drop[DPVS_DROP_TX_FULL] - full0, 5);
	ck_assert_uint_eq(st->verdict[DPVS_VERDICT_DROP] - vdrop0, 3);
	ck_assert_uint_eq(st->verdict[DPVS_VERDICT_TX] - vtx0, 0);
	ck_assert_uint_eq(drain_ring_port(UINT32_MAX), held);
	ck_assert_uint_eq(in_use(), base);
	ctx.tx_one[1] = 0;
}
END_TEST

static void
setup_node(const char *prog)
{
	static struct dpvs_port_info ports[2];
	char prefix[64], errbuf[256];
	char *argv[] = { (char *)prog, (char *)"--no-huge", (char *)"--no-shconf",
			 (char *)"-m", (char *)"512", (char *)"--no-pci", (char *)"-l",
			 (char *)"0", prefix, (char *)"--vdev", (char *)"net_null0",
			 (char *)"--vdev", (char *)"net_ring0",
			 (char *)"--log-level=lib.eal:error", (char *)"--no-telemetry", NULL };
	struct dpvs_global_conf conf = { .mbufs = 4095, .nworkers = 1, .nports = 2 };
	struct rte_eth_conf pconf;
	uint16_t pid;
	unsigned int p;

	snprintf(prefix, sizeof(prefix), "--file-prefix=tuwr%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		abort();
	for (p = 0; p < 2; p++) {
		if (rte_eth_dev_get_port_by_name(p == 0 ? "net_null0" : "net_ring0", &pid) != 0)
			abort();
		snprintf(ports[p].name, sizeof(ports[p].name), "dpdk%u", p);
		ports[p].port_id = pid;
		ports[p].nb_queues = 1;
	}
	if (dpvs_shm_create(&shm, &conf, ports, errbuf, sizeof(errbuf)) != 0) {
		fprintf(stderr, "%s\n", errbuf);
		abort();
	}
	memset(&pconf, 0, sizeof(pconf));
	for (p = 0; p < 2; p++) {
		pid = ports[p].port_id;
		if (rte_eth_dev_configure(pid, 1, 1, &pconf) != 0 ||
		    rte_eth_rx_queue_setup(pid, 0, 64, 0, NULL, shm.pool) != 0 ||
		    rte_eth_tx_queue_setup(pid, 0, 64, 0, NULL) != 0 ||
		    rte_eth_dev_start(pid) != 0)
			abort();
	}
	if (wk_ctx_init(&ctx, &shm, 0, errbuf, sizeof(errbuf)) != 0) {
		fprintf(stderr, "%s\n", errbuf);
		abort();
	}
}

static void
teardown_node(void)
{
	rte_eth_dev_stop(ctx.port_id[0]);
	rte_eth_dev_close(ctx.port_id[0]);
	rte_eth_dev_stop(ctx.port_id[1]);
	rte_eth_dev_close(ctx.port_id[1]);
	dpvs_eal_cleanup_private();
}

int
main(int argc, char **argv)
{
	Suite *s = suite_create("worker_recover");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	(void)argc;
	setup_node(argv[0]);
	tcase_add_test(tc, test_recover_frees_what_was_held);
	tcase_add_test(tc, test_recover_skips_foreign_pointers);
	tcase_add_test(tc, test_recover_recounts_active_inactive);
	tcase_add_test(tc, test_tx_buffer_flushes_when_full);
	tcase_add_loop_test(tc, test_tx_rebuffers_what_was_refused, 0, 2);
	tcase_add_loop_test(tc, test_tx_drops_after_stalls, 0, 2);
	tcase_add_loop_test(tc, test_tx_refused_packet_does_not_block, 0, 2);
	tcase_add_loop_test(tc, test_tx_refused_alone_waits_for_company, 0, 2);
	tcase_add_loop_test(tc, test_tx_full_queue_is_not_refusal, 0, 2);
	tcase_add_loop_test(tc, test_tx_full_for_a_moment_is_not_refusal, 0, 2);
	tcase_add_loop_test(tc, test_tx_verdict_follows_stall_drop, 0, 2);
	tcase_add_loop_test(tc, test_tx_one_by_one_death_loses_one, 0, (int)RTE_DIM(tx_faults));
	tcase_add_test(tc, test_tx_one_by_one_only_for_tap);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK); /* one EAL for all tests */
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	teardown_node();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
