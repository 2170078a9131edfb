/*
 * Packet capture in the worker (shm/capture.h): at the top of each loop
 * iteration one load tells whether the primary changed the captures; if so,
 * the worker installs or removes rx/tx callbacks on the queue it polls of
 * each data port (its own queue: worker i polls queue i), then acks the
 * generation. A callback copies each packet into the capture tool's pool
 * (wrapped as a pcapng block for dumpcap) and enqueues it on the tool's ring,
 * counting in DPDK's capture statistics memzone, as DPDK's pdump does in the
 * process it runs in. Changes happen between bursts, so a callback never runs
 * while it is removed, and once acked the worker no longer touches the ring
 * and pool of a stopped capture. While it copies, it says so in its ack
 * (busy): a worker that dies inside a copy makes the primary stop every
 * capture (primary/capture.c, docs/crash-safety.md).
 *
 * State: which callbacks this process installed (process memory: a
 * successor starts with none and installs what the table says). Writes
 * root->capture.ack[id], the tool's ring and pool, the statistics memzone.
 */
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_memzone.h>
#include <rte_pcapng.h>
#include <rte_pdump.h>

#include "worker/worker.h"

#define CAP_STATS_MZ "rte_pdump_stats"   /* DPDK's, created by rte_pdump_init */
#define CAP_CHUNK 64

/* One installed callback: what it copies to. */
struct cap_cb {
	const struct rte_eth_rxtx_callback *cb;
	struct dpvs_capture want;            /* the entry it implements */
	struct rte_pdump_stats *stats;       /* its queue's counters, or NULL */
	uint32_t *busy;                      /* root->capture.ack[worker].busy */
};

struct cap_state {
	uint64_t gen;
	struct cap_cb rx[DPVS_MAX_PORTS], tx[DPVS_MAX_PORTS];
};

/* per worker id: the fixture runner and the bench run several in one process */
static struct cap_state cap_state[DPVS_MAX_WORKERS];

/* The counters of (port, queue) in DPDK's statistics memzone: rx[ports][queues],
 * then tx[ports][queues]. */
static struct rte_pdump_stats *
cap_stats(uint16_t port_id, uint16_t queue, int tx)
{
	const size_t per_dir = (size_t)RTE_MAX_ETHPORTS * RTE_MAX_QUEUES_PER_PORT;
	const struct rte_memzone *mz = rte_memzone_lookup(CAP_STATS_MZ);
	struct rte_pdump_stats *s;

	if (mz == NULL || mz->len < 2 * per_dir * sizeof(*s) || port_id >= RTE_MAX_ETHPORTS ||
	    queue >= RTE_MAX_QUEUES_PER_PORT)
		return NULL;
	s = mz->addr;
	return s + (tx ? per_dir : 0) + (size_t)port_id * RTE_MAX_QUEUES_PER_PORT + queue;
}

/*
 * DPDK 22.11's rte_pcapng_copy() converts the TSC to a time with a base its
 * constructor took before rte_eal_init() had measured the TSC frequency, so
 * its timestamps are decades off. Write the time into the copy's Enhanced
 * Packet Block ourselves (pcapng: block type, total length, interface id,
 * timestamp high, timestamp low; in nanoseconds, the resolution DPDK's
 * interface blocks declare).
 */
static void
cap_stamp(struct rte_mbuf *m, uint64_t ns)
{
	uint32_t *epb = rte_pktmbuf_mtod(m, uint32_t *);

	if (rte_pktmbuf_data_len(m) < 5 * sizeof(uint32_t) || epb[0] != 6)
		return;
	epb[3] = (uint32_t)(ns >> 32);
	epb[4] = (uint32_t)ns;
}

/* Inside a copy: the tool's pool and ring are multi-producer/consumer, and a
 * death inside one of their operations can block them for everyone; the
 * primary stops the captures when a worker dies with this set. */
static inline void
cap_busy(struct cap_cb *c, uint32_t on)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(c->busy, on, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static void
cap_copy(struct cap_cb *c, uint16_t port_id, uint16_t queue, struct rte_mbuf **pkts,
	 uint16_t n, enum rte_pcapng_direction dir)
{
	const struct dpvs_capture *w = &c->want;
	struct rte_mbuf *dup[CAP_CHUNK], *m;
	uint64_t ts = rte_get_tsc_cycles(), nombuf = 0, full = 0, ok = 0, ns;
	struct timespec now;
	uint16_t i, k, j;
	unsigned int enq;

	clock_gettime(CLOCK_REALTIME, &now);
	ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
	cap_busy(c, 1);

	for (i = 0; i < n; i += k) {
		for (k = 0, j = 0; k < CAP_CHUNK && i + k < n; k++) {
			m = w->pcapng ? rte_pcapng_copy(port_id, queue, pkts[i + k], w->mp,
						       w->snaplen, ts, dir) :
					rte_pktmbuf_copy(pkts[i + k], w->mp, 0, w->snaplen);
			if (m == NULL) {
				nombuf++;
				continue;
			}
			if (w->pcapng)
				cap_stamp(m, ns);
			dup[j++] = m;
		}
		enq = rte_ring_enqueue_burst(w->ring, (void **)dup, j, NULL);
		if (enq < j) {
			full += j - enq;
			rte_pktmbuf_free_bulk(&dup[enq], j - enq);
		}
		ok += j;
	}
	cap_busy(c, 0);
	if (c->stats != NULL) {
		__atomic_fetch_add(&c->stats->accepted, ok, __ATOMIC_RELAXED);
		__atomic_fetch_add(&c->stats->nombuf, nombuf, __ATOMIC_RELAXED);
		__atomic_fetch_add(&c->stats->ringfull, full, __ATOMIC_RELAXED);
	}
}

static uint16_t
cap_rx(uint16_t port_id, uint16_t queue, struct rte_mbuf **pkts, uint16_t n, uint16_t max,
       void *arg)
{
	(void)max;
	cap_copy(arg, port_id, queue, pkts, n, RTE_PCAPNG_DIRECTION_IN);
	return n;
}

static uint16_t
cap_tx(uint16_t port_id, uint16_t queue, struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	cap_copy(arg, port_id, queue, pkts, n, RTE_PCAPNG_DIRECTION_OUT);
	return n;
}

/* The entry of t that covers (port_id, queue) in direction flag, or NULL. */
static const struct dpvs_capture *
cap_find(const struct dpvs_capture_table *t, uint16_t port_id, uint16_t queue, uint32_t flag)
{
	unsigned int i;

	for (i = 0; i < DPVS_CAPTURE_MAX; i++) {
		const struct dpvs_capture *e = &t->cap[i];

		if (__atomic_load_n(&e->used, __ATOMIC_ACQUIRE) && e->port_id == port_id &&
		    (e->queue == DPVS_CAPTURE_ALL_Q || e->queue == queue) && (e->flags & flag) != 0)
			return e;
	}
	return NULL;
}

static int
cap_same(const struct dpvs_capture *a, const struct dpvs_capture *b)
{
	return a->ring == b->ring && a->mp == b->mp && a->snaplen == b->snaplen &&
	       a->pcapng == b->pcapng;
}

/* Make callback c of (port_id, queue) implement e (NULL: none). */
static void
cap_set(struct cap_cb *c, uint16_t port_id, uint16_t queue, int tx,
	const struct dpvs_capture *e, uint32_t *busy)
{
	if (c->cb != NULL && e != NULL && cap_same(&c->want, e))
		return;
	if (c->cb != NULL) {
		int rc = tx ? rte_eth_remove_tx_callback(port_id, queue, c->cb) :
			      rte_eth_remove_rx_callback(port_id, queue, c->cb);

		/* not running: this thread is the only one bursting on the queue */
		if (rc == 0)
			rte_free((void *)(uintptr_t)c->cb);
		c->cb = NULL;
	}
	if (e == NULL)
		return;
	c->want = *e;
	c->stats = cap_stats(port_id, queue, tx);
	c->busy = busy;
	c->cb = tx ? rte_eth_add_tx_callback(port_id, queue, cap_tx, c) :
		     rte_eth_add_first_rx_callback(port_id, queue, cap_rx, c);
	if (c->cb == NULL)
		WK_LOG(WARNING, "cannot capture port %u queue %u %s", port_id, queue,
		       tx ? "tx" : "rx");
}

void
wk_capture_poll(struct wk_ctx *ctx)
{
	struct dpvs_capture_table *t = &ctx->root->capture;
	struct cap_state *s = &cap_state[ctx->id];
	uint64_t gen = __atomic_load_n(&t->gen, __ATOMIC_ACQUIRE);
	uint16_t p, port_id;

	if (likely(gen == s->gen))
		return;
	for (p = 0; p < ctx->nports && p < DPVS_MAX_PORTS; p++) {
		port_id = ctx->port_id[p];
		cap_set(&s->rx[p], port_id, ctx->id, 0,
			cap_find(t, port_id, ctx->id, DPVS_CAPTURE_F_RX), &t->ack[ctx->id].busy);
		cap_set(&s->tx[p], port_id, ctx->id, 1,
			cap_find(t, port_id, ctx->id, DPVS_CAPTURE_F_TX), &t->ack[ctx->id].busy);
	}
	s->gen = gen;
	__atomic_store_n(&t->ack[ctx->id].gen, gen, __ATOMIC_RELEASE);
}
