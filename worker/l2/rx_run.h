/*
 * The burst loop's second stage (rx.c), one definition for the copies of
 * it: rx.c's, and rx_pf.c's for a burst with the prefetch stage's work.
 * The includer defines WK_RX_ENTRY(ctx, m, p, hint, rc) (the entry inline)
 * and WK_RX_CALL(ctx, m, p, hint, rc) (the entry as a call) first.
 */
#ifndef DPVS_WORKER_RX_RUN_H
#define DPVS_WORKER_RX_RUN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "worker/ipvs/conn_table.h"
#include "worker/l2/txbuf.h"
#include "worker/l3/ipv4_fast.h"
#include "worker/worker.h"

#if !defined(WK_RX_ENTRY) || !defined(WK_RX_CALL)
#error "define WK_RX_ENTRY and WK_RX_CALL before including rx_run.h"
#endif

/* How many packets ahead the second stage prefetches a connection entry
 * (rx.c, rx_prefetch_conns, says what was measured). */
#define WK_RX_ENTRY_AHEAD 24

/* have and cand are 64-bit masks of the burst's frames, read up to
 * WK_RX_ENTRY_AHEAD past the last one */
_Static_assert(DPVS_BURST + WK_RX_ENTRY_AHEAD <= 64,
	       "rx_run.h: a frame's bit past the burst fits a uint64_t");

_Static_assert(sizeof(struct dpvs_conn) % 2 == 0 && _Alignof(struct dpvs_conn) % 2 == 0,
	       "a candidate hint's bit 0 (its dir) is free in an entry's address");
_Static_assert((IPPROTO_TCP >> 2 & 1) == 1 && (IPPROTO_UDP >> 2 & 1) == 0,
	       "rx.c: a TCP frame's kv bit 0 from its protocol's bit 2");
_Static_assert(_Alignof(struct dpvs_conn_bkt) % 2 == 0,
	       "a bucket's address has bit 0 free (wk_rx_pf's kv)");

/* Is v a tx verdict? Its port in *port. As one 4-byte word (kind its
 * first byte, port its last two): GCC otherwise takes the struct apart
 * and puts it together again for wk_act's call on every packet. */
static __rte_always_inline int
wk_rx_verdict_tx(struct wk_verdict v, uint16_t *port)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	uint32_t w;

	RTE_BUILD_BUG_ON(sizeof(v) != sizeof(w) || offsetof(struct wk_verdict, kind) != 0 ||
			 offsetof(struct wk_verdict, port) != 2);
	memcpy(&w, &v, sizeof(w));
	*port = (uint16_t)(w >> 16);
	return (uint8_t)w == DPVS_VERDICT_TX;
#else
	*port = v.port;
	return v.kind == DPVS_VERDICT_TX;
#endif
}

/* The burst's prefetch stage's work for the second: hv[] the hints, and
 * for bit i of have the home bucket (x's) whose first entry is to be
 * prefetched, kv[i], its address with bit 0 set for both the entry's lines
 * (a TCP segment's). The second stage puts each hint's candidate
 * (worker.h, WK_CONN_HINT_CAND) in place of its hash when it prefetches it
 * (wk_rx_pf_entry), and takes the candidates it gave out back when a frame
 * went the general way (their hints 0: those frames are checked and hashed
 * by the entry). */
struct wk_rx_pf {
	uint64_t hv[DPVS_BURST];
	uintptr_t kv[DPVS_BURST];
	struct wk_conn_view x;
	uint64_t have;
	uint64_t cand;  /* bit j: hv[j] holds a candidate (wk_rx_pf_entry) */
};

/* Frame j's entries prefetched (bit j of f->have set) and its candidate,
 * if any, its hint: returns bit j (of f->cand) with one, else 0. */
static __rte_always_inline uint64_t
wk_rx_pf_entry(struct wk_rx_pf *f, uint16_t j)
{
	const uintptr_t kt = f->kv[j];
	uint32_t e = wk_conn_prefetch_entry_in(
		&f->x, (const struct dpvs_conn_bkt *)(kt & ~(uintptr_t)1), (uint32_t)f->hv[j],
		(int)(kt & 1));

	if (e == DPVS_CONN_NIL)
		return 0;
	f->hv[j] = wk_conn_hint_cand(f->x.conns + (uint64_t)(e >> 1) * sizeof(struct dpvs_conn),
				     e & 1u);
	return 1ull << j;
}

/* wk_rx_pf_entry for each frame of mask (bits of f->have), one set bit
 * at a time: the candidates' bits. */
static __rte_always_inline uint64_t
wk_rx_pf_entries(struct wk_rx_pf *f, uint64_t mask)
{
	uint64_t cand = 0;

	for (; mask != 0; mask &= mask - 1)
		cand |= wk_rx_pf_entry(f, (uint16_t)__builtin_ctzll(mask));
	return cand;
}

/*
 * The burst's second stage: each of the n packets in the in-flight array
 * through the pipeline (rc: port p's constants), its verdict carried out.
 * pf: the prefetch stage ran (*f holds its work); else every hint is 0.
 * mirror: port p's forward2kni switch is on; call: the entry a call (else
 * inline). Constants where it is inlined: a copy of the loop per case,
 * without the tests that case does not need (the common one, a small
 * table and no mirror, also without the hints). Returns the bytes
 * received.
 */
static __rte_always_inline uint64_t
wk_rx_run(struct wk_ctx *ctx, uint16_t p, uint16_t n, const struct wk_ipv4_rxc *rc,
	  struct wk_rx_pf *f, const int pf, const int mirror, const int call)
{
	struct dpvs_worker_region *wr = ctx->wr;
	/* the frames whose entries this stage prefetches, bit i for the
	 * frame WK_RX_ENTRY_AHEAD after frame i (f->have is the prefetch
	 * stage's, fixed here: read once, not after every frame's stores) */
	const uint64_t ahead = pf ? f->have >> WK_RX_ENTRY_AHEAD : 0;
	uint64_t bytes = 0;
	struct rte_mbuf *m;
	struct wk_verdict v;
	uint64_t c;
	uint16_t i, j, port;

	RTE_SET_USED(rc); /* the general runner's copy (WK_RX_GENERAL_ONLY) */
	for (i = 0; i < n; i++) {
		m = wr->inflight[i];
		/* the next frame's first line, which the prefetch stage read
		 * already when it ran */
		if (!pf && i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(wr->inflight[i + 1], void *));
		if (pf && ((ahead >> i) & 1) != 0)
			f->cand |= wk_rx_pf_entry(f, (uint16_t)(i + WK_RX_ENTRY_AHEAD));
		bytes += m->pkt_len; /* as received: the stages may trim it */
		if (mirror)
			wk_kni_mirror(ctx, m, p);
		/* wk_pipeline, with the hint (a call in the copy for the
		 * mirror: the entry's code once more in a unit would crowd
		 * the inlining of the sequence's parts out of it) */
		if (call)
			v = WK_RX_CALL(ctx, m, p, pf ? f->hv[i] : 0, rc);
		else
			v = WK_RX_ENTRY(ctx, m, p, pf ? f->hv[i] : 0, rc);
		/* the frame went the general way (the sequence's memo off:
		 * fast4.h), which may have changed the index: the candidates
		 * read before it (the next WK_RX_ENTRY_AHEAD frames') are
		 * taken back: those hints 0 (no hash left to give) */
		if (pf && unlikely(ctx->fast_memo.proto == 0)) {
			/* the candidates among them, from the mask (a burst
			 * of SYNs comes here with every frame, and its
			 * lookups miss: no candidate, no work) */
			c = (f->cand >> (i + 1)) & ((1ull << WK_RX_ENTRY_AHEAD) - 1);
			f->cand &= ~(c << (i + 1));
			while (c != 0) {
				j = (uint16_t)(i + 1 + (unsigned int)__builtin_ctzll(c));
				f->hv[j] = 0;
				c &= c - 1;
			}
		}
		wr->inflight[i] = NULL;
		rte_compiler_barrier();
		/* the usual verdict, to a port's tx buffer, without a call
		 * when it has room */
		if (likely(wk_rx_verdict_tx(v, &port) && port < ctx->nports)) {
			if (likely(wk_txbuf_try_port(ctx, m, port)))
				continue;
			if (wk_tx_enqueue_verdict(ctx, m, port) != 0)
				ctx->st->verdict[DPVS_VERDICT_DROP]++;
			continue;
		}
		wk_act(ctx, m, v);
	}
	return bytes;
}

/* rx_pf.c: wk_rx_run for a burst with the prefetch stage's work (*f), no
 * mirror, the entry inline. A translation unit of its own: GCC limits how
 * much a unit's inlining may grow it, and a second inline copy of the
 * entry in rx.c had the sequence's output parts left as calls in both. */
uint64_t wk_rx_run_pf(struct wk_ctx *ctx, uint16_t p, uint16_t n,
		      const struct wk_ipv4_rxc *rc, struct wk_rx_pf *f);

#endif
