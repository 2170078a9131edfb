/*
 * dpvs-bench-gen's tx lcore (see gen.h): sends the active stream's frames
 * in bursts on each of its queues, as fast as the port takes them, and
 * polls the rx ports (counting, and learning for a reply stream that
 * learns). A burst that the port takes only in part is kept and offered
 * again: nothing is dropped, the receiver sets the pace. It takes commands
 * from the main lcore through g->cmd_seq (stream, limit) and answers with
 * g->ack_seq once the command is in force (from then on no packet of the
 * previous command leaves). Accounting: iterations, those that sent, their
 * cycles (rdtsc around the iteration), bursts taken in part.
 * Writes the stream's walk state and counters, the port rx counters and
 * the generator's tx-side counters.
 */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include "gen.h"

struct gen_pending {
	struct rte_mbuf *m[GEN_MAX_BURST];
	uint16_t off, n;
};

void
gen_queue_start(struct gen_stream *s, uint64_t limit)
{
	uint64_t per, rest;
	uint16_t q, nq = 0;

	for (q = 0; q < s->nq; q++)
		nq += s->q[q].n != 0;
	per = nq != 0 ? limit / nq : 0;
	rest = nq != 0 ? limit % nq : 0;
	for (q = 0; q < s->nq; q++) {
		if (s->q[q].n == 0) {
			s->q[q].left = 0;
			continue;
		}
		s->q[q].left = limit == 0 ? UINT64_MAX : per + (rest != 0);
		if (rest != 0)
			rest--;
	}
}

/* A refcnt frame loses one reference per send; give them back long
 * before any could reach 0 (a flow is sent at most once more than
 * since_topup / n times since the last top-up). */
static void
topup(struct gen_queue *qs)
{
	uint64_t j;

	for (j = 0; j < qs->n; j++)
		rte_mbuf_refcnt_update(qs->pre[j],
				       (int16_t)(GEN_REF0 - rte_mbuf_refcnt_read(qs->pre[j])));
	qs->since_topup = 0;
}

static inline void
advance(struct gen_queue *qs)
{
	qs->j += qs->stride;
	if (qs->j >= qs->n)
		qs->j -= qs->n;
}

/* Up to `want` frames of queue q into p. */
static void
fill(struct gen_stream *s, uint16_t q, struct gen_pending *p, uint16_t want)
{
	struct gen_queue *qs = &s->q[q];
	struct gen_tuple t;
	struct rte_mbuf *m;
	uint16_t k;

	p->off = 0;
	p->n = 0;
	if (s->refcnt) {
		for (k = 0; k < want; k++) {
			p->m[k] = qs->pre[qs->j];
			advance(qs);
		}
		p->n = want;
		qs->since_topup += want;
		if (qs->since_topup >= qs->topup_every)
			topup(qs);
		return;
	}
	/* empty: the port still holds them (a driver that frees later) */
	if (rte_pktmbuf_alloc_bulk(s->pool, p->m, want) != 0)
		return;
	for (k = 0; k < want; k++) {
		m = p->m[k];
		m->data_len = s->len;
		m->pkt_len = s->len;
		if (s->patch) {
			gen_tuple_of(s, q, qs->j, &t);
			gen_frame_patch(s, rte_pktmbuf_mtod(m, uint8_t *), &t);
			advance(qs);
		}
	}
	p->n = want;
}

/* Frames of a burst that never left: recycle frames go back to the pool;
 * a refcnt frame never gave a reference. */
static void
drop_pending(const struct gen_stream *s, struct gen_pending *p)
{
	if (s != NULL && !s->refcnt && p->n != 0)
		rte_pktmbuf_free_bulk(&p->m[p->off], p->n);
	p->n = 0;
	p->off = 0;
}

/* One burst per queue of stream s; returns the frames sent. */
static unsigned int
tx_step(struct gen *g, struct gen_stream *s, struct gen_pending *pend, int *done)
{
	unsigned int sent = 0, busy = 0, k;
	uint16_t q, n, want;
	int short_q = 0;

	for (q = 0; q < s->nq; q++) {
		struct gen_queue *qs = &s->q[q];
		struct gen_pending *p = &pend[q];

		if (p->n == 0 && qs->left != 0 && qs->n != 0) {
			want = qs->left < g->burst ? (uint16_t)qs->left : g->burst;
			fill(s, q, p, want);
			if (qs->left != UINT64_MAX)
				qs->left -= p->n;
		}
		if (p->n == 0)
			continue;
		busy = 1;
		n = rte_eth_tx_burst(s->port, q, &p->m[p->off], p->n);
		p->off = (uint16_t)(p->off + n);
		p->n = (uint16_t)(p->n - n);
		if (p->n != 0) {
			g->short_tx++;
			short_q = 1;
		}
		sent += n;
	}
	s->sent += sent;
	*done = !busy;
	/* A full ring: let the receiver work before asking again (each try
	 * writes the ring's head, a line the receiver polls). */
	if (short_q)
		for (k = 0; k < g->backoff; k++)
			rte_pause();
	return sent;
}

static void
rx_step(struct gen *g, struct gen_stream *learner)
{
	struct rte_mbuf *m[GEN_MAX_BURST];
	uint16_t p, q, n, k;

	for (p = 0; p < g->nports; p++) {
		struct gen_port *gp = &g->port[p];

		if (!gp->poll)
			continue;
		for (q = 0; q < gp->nq; q++) {
			n = rte_eth_rx_burst(gp->id, q, m, GEN_MAX_BURST);
			if (n == 0)
				continue;
			gp->rx_pkts += n;
			if (learner != NULL && learner->learn_port == p)
				for (k = 0; k < n; k++)
					gen_learn(learner, m[k]);
			rte_pktmbuf_free_bulk(m, n);
		}
	}
}

/* The learning reply stream, if any (read once per command). */
static struct gen_stream *
find_learner(struct gen *g)
{
	uint16_t i;

	for (i = 0; i < g->nstreams; i++)
		if (GEN_K_LEARNS(g->stream[i].kind) && g->stream[i].learning)
			return &g->stream[i];
	return NULL;
}

int
gen_lcore_main(void *arg)
{
	struct gen *g = arg;
	struct gen_pending pend[GEN_MAX_QUEUES] = { 0 };
	struct gen_stream *s = NULL, *learner = NULL;
	uint32_t seq = 0, cs;
	uint64_t t0;
	unsigned int sent;
	int done = 1, rx = 0;
	uint16_t p, q;

	while (!g->quit) {
		cs = __atomic_load_n(&g->cmd_seq, __ATOMIC_ACQUIRE);
		if (cs != seq && g->cmd_sync_only) {
			learner = find_learner(g);
			for (p = 0, rx = 0; p < g->nports; p++)
				rx |= g->port[p].poll;
			seq = cs;
			__atomic_store_n(&g->ack_seq, seq, __ATOMIC_RELEASE);
		} else if (cs != seq) {
			for (q = 0; q < GEN_MAX_QUEUES; q++)
				drop_pending(s, &pend[q]);
			s = g->cmd_stream;
			if (s != NULL)
				gen_queue_start(s, g->cmd_limit);
			learner = find_learner(g);
			done = s == NULL;
			__atomic_store_n(&g->done, done, __ATOMIC_RELAXED);
			seq = cs;
			__atomic_store_n(&g->ack_seq, seq, __ATOMIC_RELEASE);
		}
		t0 = rte_rdtsc();
		sent = 0;
		if (!done) {
			sent = tx_step(g, s, pend, &done);
			if (done)
				__atomic_store_n(&g->done, 1, __ATOMIC_RELEASE);
		}
		if (rx)
			rx_step(g, learner);
		g->iters++;
		if (sent != 0) {
			g->work_iters++;
			g->work_tsc += rte_rdtsc() - t0;
			g->sent += sent;
		} else if (done && !rx) {
			/* idle: leave the CPU to the others (rx ports are
			 * still polled, a few thousand times a second) */
			rte_delay_us_sleep(100);
		}
	}
	for (q = 0; q < GEN_MAX_QUEUES; q++)
		drop_pending(s, &pend[q]);
	return 0;
}
