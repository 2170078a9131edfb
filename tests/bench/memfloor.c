/*
 * dpvs-bench-memfloor: the memory floor (make bench's figure 5). What one
 * core of this machine gets when every packet pays k random cache lines
 * and does nothing else: no frame, no parse, no rewrite, no port; only the
 * node's index and entries (the layout of shm/conn.h, in 2 MiB pages)
 * walked the way the node's burst walks them. A model of that schedule,
 * not a bound on every design that pays those lines: another schedule of
 * the same lines (chain2x) does better.
 *
 *   dpvs-bench-memfloor [-c CPU] [-t MS] [-s SAMPLES] [-n FLOWS,...]
 *                       [-k CASE[/aN][/wN|/pN][/c][/d],...] [-B CPU] [-F MIB]
 *                       [-C CAP] [-2]
 *
 * -c: the CPU to run on (default the last); -t: ms a sample (default 100);
 * -s: samples, the median counts (default 3); -n: flow counts (default
 * 1000,1000000,10000000); -k: the rows (default the cases below but
 * lat, each once), a case with options: /aN a look-ahead of N packets for the
 * entries (chain2, chain3; default 4, the node's), /wN N multiply-adds of
 * other work a packet after its lines (a dependent chain from the flow
 * number, about 4 core cycles each: zero/wN says what they cost alone,
 * chain2/wN whether the lines hide behind them), /pN the same in 4
 * chains (N multiply-adds in all: 4 times the instructions for the same
 * cycles, a fuller core, as the node's packet is), /c each burst's 32
 * frames copied first, 64 bytes each, out of a ring of 1,024 slots 2 KiB
 * apart into 64 buffers (memif's rx, which the node's worker does itself
 * before the burst's stages), /d the work made to wait for the entry's
 * line (0 added from it, as the node's rewrite waits; 2026-12-03: no
 * difference); -B CPU: also run every row with a neighbour
 * on CPU, the generator's part: a thread that writes 64-byte frames into
 * that ring's slots one after the other without pause, rows
 * "<case>+nb" (a /c row then copies lines another CPU wrote, as the
 * node's memif rx does); -F MIB: take MIB for the free hugepages (to try
 * the skip); -C CAP: a table of CAP connections for every flow count
 * below it (as figure 2's node, one table of BENCH_CONNS), the flows in
 * its first slots; -2: each connection filed in the index twice, as a
 * full-NAT one is (its outbound tuple, a second hash, never looked up:
 * the index as full as the node's).
 *
 * The memory: one region, in 2 MiB hugepages (MAP_HUGETLB; if that fails,
 * ordinary pages with madvise(MADV_HUGEPAGE), said on the MEMFLOOR_MEM
 * line), the node's connection memzone for N connections without its side
 * tables: N struct dpvs_conn of 128 bytes, then DPVS_CONN_NBUCKETS(N)
 * struct dpvs_conn_bkt of 64. Connection f is flow f (the node makes them
 * in flow order); it is filed in the bucketized index as the node files
 * it: its home bucket (hash * nbuckets) >> 32, the first free slot there
 * (else the next bucket's, ovf counted), the slot's signature the hash's
 * low 12 bits and its distance from home, its entry f << 1. The hash is a
 * 32-bit mix of f. A flow count whose region does not fit in the free
 * hugepages is skipped (MEMFLOOR_SKIP line).
 *
 * The packets: flow numbers in a stride walk over the N flows (the
 * largest stride near 0.618 N coprime to N, as the generator's random
 * order: consecutive packets hit connections made far apart, never in
 * memory order), in bursts of 32 as the node's worker takes them
 * (worker/l2/rx.c, rx_run.h):
 *   chain2  the node's: every packet's home bucket prefetched up front;
 *           then for packet i, the bucket of packet i+4 read (signature
 *           match, the slot's entry) and that entry prefetched, and packet
 *           i's lookup (its bucket, the entry's key checked) and write
 *           (in_pkts + 1, expires_ns): two random lines a packet, the
 *           second's address in the first;
 *   chain3  the same, the entry's both lines (a TCP segment: the second
 *           line's window tracking written too): three, chained;
 *   indep2  two random lines a packet, both computable from the flow
 *           (bucket and entry both prefetched up front): a design whose
 *           entry's address follows from the hash;
 *   one     one random line a packet (the entry alone, prefetched up
 *           front): a design whose index slot holds what the packet needs;
 *   lat     (only when asked) one random line a packet, no prefetch, each
 *           packet's address known only from the line before: one line's
 *           latency, nothing in parallel;
 *   zero    chain2's code over a table of 64 flows of its own (every line
 *           in L1), measured once, before the flow counts: the loop's own
 *           cost.
 *   chain2x (only when asked) chain2's lines on another schedule: the
 *           next burst's buckets prefetched at this burst's start, each
 *           entry /aN packets ahead (at most 32) across the burst's end;
 *           whether the chain's cost is the layout's or the schedule's.
 * Each sample runs bursts for -t ms after 50 ms unmeasured; cycles a
 * packet are TSC cycles (__rdtsc, <x86intrin.h>) over the sample's
 * packets, the TSC's rate measured against CLOCK_MONOTONIC_RAW over
 * 200 ms at the start (the MEMFLOOR_TSC line).
 *
 * Output, one line a case and flow count, the median of the samples:
 *   MEMFLOOR <case> <flows> <cycles/packet> <Mpps at the TSC rate>
 *            <random lines a packet> <Mlines/s> <min cycles> <max cycles>
 * Exits 1 if a lookup ever missed (the structure is wrong, not the time).
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "shm/conn.h"
#include "tests/bench/memfloor.h"

#define MF_BURST     32  /* the node's DPVS_BURST */
#define MF_AHEAD     4   /* rx_run.h's WK_RX_ENTRY_AHEAD until 2026-12-03 (24 since) */
#define MF_MAX_N     16
#define MF_MAX_S     99
#define MF_NCASES    7
#define MF_MAX_ROWS  32

enum mf_case { MF_CHAIN2, MF_CHAIN3, MF_INDEP2, MF_ONE, MF_ZERO_C, MF_LAT, MF_CHAIN2X };
static const char *const mf_names[MF_NCASES] = {"chain2", "chain3", "indep2", "one", "zero",
						"lat", "chain2x"};
static const int mf_lines[MF_NCASES] = {2, 3, 2, 1, 0, 1, 2};

/* a row: a case, its look-ahead (chain2, chain3), the work a packet and
 * the frames' copy */
struct mf_spec {
	enum mf_case k;
	int ahead, work, copy, par, dep;
};

/* the walk over the flows and the counters of a run */
struct mf_walk {
	uint32_t pos, stride, n;
	int ahead, work, copy, par, dep;
	uint32_t rslot; /* the copy's next frame in the ring */
	uint64_t now;  /* a clock stand-in, bumped once a burst */
	uint64_t miss; /* lookups that did not find their flow */
	uint64_t sink; /* the work's result */
	uint64_t s4[4]; /* the parallel work's (/pN) */
	/* chain2x: packets by number, the next burst's taken one burst early
	 * (slot: the number mod 64) */
	uint32_t xseq, xprimed, xfl[2 * MF_BURST], xh[2 * MF_BURST];
	const struct dpvs_conn_bkt *xk[2 * MF_BURST];
};

static double tsc_hz;
static volatile int nb_stop;
static int nb_cpu = -1;
/* the frames a /c row copies (memif's ring: 64-byte frames 2 KiB apart,
 * MF_RING of them), which the neighbour writes when it runs, and the
 * buffers they are copied into (a pool's hot mbufs) */
#define MF_RING     1024
#define MF_SLOT     2048
#define MF_MBUFS    64
static char *mf_ring;
static char mf_mbufs[MF_MBUFS * MF_SLOT] __attribute__((aligned(64)));

/* ---- a burst of each case ---------------------------------------------------- */

/* prefetcht0 as DPDK's rte_prefetch0 does it, a volatile asm: GCC takes a
 * function whose only effect is __builtin_prefetch (_mm_prefetch) for a
 * pure one and drops its calls (it did mf_pf_entry's) */
static inline void
mf_prefetch(const void *p)
{
	__asm__ volatile("prefetcht0 %0" : : "m"(*(const volatile char *)p));
}

/* A /c row's rx: the burst's 32 frames copied out of the ring into the
 * buffers (memif's rx does it for the node, before the burst's stages). */
static inline void
mf_rx_copy(struct mf_walk *w)
{
	uint32_t i, r;

	if (!w->copy)
		return;
	for (i = 0; i < MF_BURST; i++) {
		r = (w->rslot + i) % MF_RING;
		memcpy(mf_mbufs + (size_t)(r % MF_MBUFS) * MF_SLOT, mf_ring + (size_t)r * MF_SLOT,
		       64);
	}
	w->rslot = (w->rslot + MF_BURST) % MF_RING;
	__asm__ volatile("" : : : "memory");
}

static inline uint32_t
mf_next(struct mf_walk *w)
{
	uint32_t f = w->pos;

	w->pos += w->stride;
	if (w->pos >= w->n)
		w->pos -= w->n;
	return f;
}

/* the slots of bucket k whose signature is sig (as worker/ipvs/conn_table.h
 * does it, SSE2) */
static inline uint32_t
mf_match(const struct dpvs_conn_bkt *k, uint16_t sig)
{
	__m128i v = _mm_set1_epi16((short)sig);
	__m128i lo = _mm_cmpeq_epi16(_mm_load_si128((const __m128i *)(const void *)k->sig), v);
	__m128i hi = _mm_cmpeq_epi16(_mm_loadu_si32(&k->sig[8]), v);

	return (uint32_t)_mm_movemask_epi8(_mm_packs_epi16(lo, hi)) & 0x3ffu;
}

/* The entry of flow f (hash h) through its home bucket k: the slots whose
 * signature matches, the entry's key checked; the next bucket when the
 * home overflowed. NULL: not found. */
static inline struct dpvs_conn *
mf_lookup(const struct mf_table *t, const struct dpvs_conn_bkt *k, uint32_t f, uint32_t h)
{
	uint32_t d, m, e;

	for (d = 0; d <= 15; d++) {
		m = mf_match(k, (uint16_t)((h & 0xfffu) | (d << 12)));
		while (m != 0) {
			e = k->ent[__builtin_ctz(m)];
			m &= m - 1;
			if (e != DPVS_CONN_NIL && t->conns[e >> 1].a4[0] == f)
				return &t->conns[e >> 1];
		}
		if (k->ovf == 0)
			return NULL;
		k = k + 1 == t->bk + t->nb ? t->bk : k + 1;
	}
	return NULL;
}

/* prefetch the entry of the first slot of k whose signature is h's */
static inline void
mf_pf_entry(const struct mf_table *t, const struct dpvs_conn_bkt *k, uint32_t h, int two)
{
	uint32_t m = mf_match(k, (uint16_t)(h & 0xfffu)), e;

	if (m == 0)
		return;
	e = k->ent[__builtin_ctz(m)];
	if (e != DPVS_CONN_NIL) {
		mf_prefetch(&t->conns[e >> 1]);
		if (two)
			mf_prefetch((const char *)&t->conns[e >> 1] + 64);
	}
}

/* /pN: the work in 4 chains that run on from packet to packet, N
 * multiply-adds in all: 4 times the instructions of /wN for the same
 * cycles, so that the core's window fills 4 times faster (the node's
 * packet runs ~260 instructions in its ~130 cycles) */
static inline void
mf_work4(struct mf_walk *w, uint32_t f)
{
	uint64_t a = w->s4[0] + f, b = w->s4[1], c = w->s4[2], d = w->s4[3];
	int j;

	for (j = 0; j < w->work; j += 4) {
		a = a * 0x9e3779b97f4a7c15ull + (uint64_t)j;
		b = b * 0xc2b2ae3d27d4eb4full + (uint64_t)j;
		c = c * 0x165667b19e3779f9ull + (uint64_t)j;
		d = d * 0x27d4eb2f165667c5ull + (uint64_t)j;
		__asm__("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d));
	}
	w->s4[0] = a, w->s4[1] = b, w->s4[2] = c, w->s4[3] = d;
}

/* the fast path's writes to an established connection's entry, then the
 * packet's other work: w->work multiply-adds in one chain that runs on
 * from packet to packet and never depends on a line read (a packet's work
 * cannot overlap the next packet's: what it costs alone, the zero case with
 * the same work, is its latency, and a line waited for stops it only when
 * the core's window is full) */
static inline void
mf_touch(struct dpvs_conn *c, struct mf_walk *w, int two, uint32_t f)
{
	uint64_t x, d = 0;
	int j;

	c->in_pkts++;
	c->expires_ns = w->now;
	if (two)
		c->trk[0].maxack = c->in_pkts;
	if (w->dep) {
		/* /d: the work waits for the entry, as the node's rewrite
		 * does (0 added, but the core cannot know it) */
		d = c->in_pkts;
		__asm__("and $0, %0" : "+r"(d));
		f += (uint32_t)d;
	}
	x = w->sink + f;
	if (w->par) {
		mf_work4(w, f);
		return;
	}
	for (j = 0; j < w->work; j++) {
		x = x * 0x9e3779b97f4a7c15ull + (uint64_t)j;
		__asm__("" : "+r"(x));
	}
	w->sink = x;
}

/* chain2 and chain3 (two: the entry's both lines); zero is chain2 over
 * few flows */
static void
mf_burst_chain(const struct mf_table *t, struct mf_walk *w, int two)
{
	const struct dpvs_conn_bkt *k[MF_BURST];
	uint32_t fl[MF_BURST], h[MF_BURST], i;
	struct dpvs_conn *c;

	mf_rx_copy(w);
	for (i = 0; i < MF_BURST; i++) {
		fl[i] = mf_next(w);
		h[i] = mf_hash(fl[i]);
		k[i] = &t->bk[((uint64_t)h[i] * t->nb) >> 32];
		mf_prefetch(k[i]);
	}
	for (i = 0; i < (uint32_t)w->ahead && i < MF_BURST; i++)
		mf_pf_entry(t, k[i], h[i], two);
	for (i = 0; i < MF_BURST; i++) {
		if (i + w->ahead < MF_BURST)
			mf_pf_entry(t, k[i + w->ahead], h[i + w->ahead], two);
		c = mf_lookup(t, k[i], fl[i], h[i]);
		if (c == NULL)
			w->miss++;
		else
			mf_touch(c, w, two, fl[i]);
	}
	w->now++;
}

/* chain2x: packet p's flow taken and its home bucket prefetched (slot p mod 64) */
static inline void
mf_x_take(const struct mf_table *t, struct mf_walk *w, uint32_t p)
{
	uint32_t s = p % (2 * MF_BURST);

	w->xfl[s] = mf_next(w);
	w->xh[s] = mf_hash(w->xfl[s]);
	w->xk[s] = &t->bk[((uint64_t)w->xh[s] * t->nb) >> 32];
	mf_prefetch(w->xk[s]);
}

/* chain2x: chain2's two chained lines on another schedule, the next burst's
 * buckets prefetched at this burst's start (its frames taken one burst
 * early) and each entry w->ahead packets ahead across the burst's end
 * (at most 32): what a design that keeps the chain can get from its
 * schedule alone */
static void
mf_burst_chain2x(const struct mf_table *t, struct mf_walk *w)
{
	uint32_t i, p, s, a = (uint32_t)(w->ahead < MF_BURST ? w->ahead : MF_BURST);
	struct dpvs_conn *c;

	if (!w->xprimed) {
		for (i = 0; i < MF_BURST; i++)
			mf_x_take(t, w, w->xseq + i);
		for (i = 0; i < a; i++) {
			s = (w->xseq + i) % (2 * MF_BURST);
			mf_pf_entry(t, w->xk[s], w->xh[s], 0);
		}
		w->xprimed = 1;
	}
	mf_rx_copy(w);
	for (i = 0; i < MF_BURST; i++)
		mf_x_take(t, w, w->xseq + MF_BURST + i);
	for (i = 0; i < MF_BURST; i++) {
		p = w->xseq + i;
		s = (p + a) % (2 * MF_BURST);
		mf_pf_entry(t, w->xk[s], w->xh[s], 0);
		s = p % (2 * MF_BURST);
		c = mf_lookup(t, w->xk[s], w->xfl[s], w->xh[s]);
		if (c == NULL)
			w->miss++;
		else
			mf_touch(c, w, 0, w->xfl[s]);
	}
	w->xseq += MF_BURST;
	w->now++;
}

/* indep2: bucket and entry both from the flow, both prefetched up front;
 * the bucket's slot checked against the entry (the bucket is read, its
 * value does not give the entry's address) */
static void
mf_burst_indep2(const struct mf_table *t, struct mf_walk *w)
{
	const struct dpvs_conn_bkt *k[MF_BURST];
	uint32_t fl[MF_BURST], h[MF_BURST], i, m;
	struct dpvs_conn *c;

	mf_rx_copy(w);
	for (i = 0; i < MF_BURST; i++) {
		fl[i] = mf_next(w);
		h[i] = mf_hash(fl[i]);
		k[i] = &t->bk[((uint64_t)h[i] * t->nb) >> 32];
		mf_prefetch(k[i]);
		mf_prefetch(&t->conns[fl[i]]);
	}
	for (i = 0; i < MF_BURST; i++) {
		c = &t->conns[fl[i]];
		m = mf_match(k[i], (uint16_t)(h[i] & 0xfffu));
		/* a flow filed past its home (rare) has no match at home */
		if (c->a4[0] != fl[i] || (m == 0 && k[i]->ovf == 0))
			w->miss++;
		else
			mf_touch(c, w, 0, fl[i]);
	}
	w->now++;
}

/* one: the entry alone, prefetched up front */
static void
mf_burst_one(const struct mf_table *t, struct mf_walk *w)
{
	uint32_t fl[MF_BURST], i;
	struct dpvs_conn *c;

	mf_rx_copy(w);
	for (i = 0; i < MF_BURST; i++) {
		fl[i] = mf_next(w);
		mf_prefetch(&t->conns[fl[i]]);
	}
	for (i = 0; i < MF_BURST; i++) {
		c = &t->conns[fl[i]];
		if (c->a4[0] != fl[i])
			w->miss++;
		else
			mf_touch(c, w, 0, fl[i]);
	}
	w->now++;
}

/* lat: one random line a packet, no prefetch, each packet's entry found
 * through the one before it (the next flow of the walk plus the previous
 * entry's key less its flow: 0, but known only when that line came): the
 * latency of one line, nothing in parallel */
static void
mf_burst_lat(const struct mf_table *t, struct mf_walk *w)
{
	uint32_t i, f, d = 0;
	struct dpvs_conn *c;

	mf_rx_copy(w);
	for (i = 0; i < MF_BURST; i++) {
		f = mf_next(w) + d;
		c = &t->conns[f];
		d = c->a4[0] - f;
		mf_touch(c, w, 0, f);
	}
	w->miss += d;
	w->now++;
}

static void
mf_burst(enum mf_case k, const struct mf_table *t, struct mf_walk *w)
{
	switch (k) {
	case MF_CHAIN2:
	case MF_ZERO_C:
		mf_burst_chain(t, w, 0);
		break;
	case MF_CHAIN3:
		mf_burst_chain(t, w, 1);
		break;
	case MF_INDEP2:
		mf_burst_indep2(t, w);
		break;
	case MF_ONE:
		mf_burst_one(t, w);
		break;
	case MF_LAT:
		mf_burst_lat(t, w);
		break;
	case MF_CHAIN2X:
		mf_burst_chain2x(t, w);
		break;
	}
}

/* ---- timing ----------------------------------------------------------------- */

static double
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double
mf_tsc_rate(void)
{
	double t0 = mono_ns(), t1;
	uint64_t c0 = __rdtsc(), c1;

	do {
		t1 = mono_ns();
	} while (t1 - t0 < 200e6);
	c1 = __rdtsc();
	return (double)(c1 - c0) * 1e9 / (t1 - t0);
}

/* Bursts for ms milliseconds: TSC cycles a packet. */
static double
mf_sample(enum mf_case k, const struct mf_table *t, struct mf_walk *w, double ms)
{
	uint64_t c0 = __rdtsc(), c1, end = c0 + (uint64_t)(ms * 1e-3 * tsc_hz), pkts = 0;
	int j;

	do {
		for (j = 0; j < 64; j++)
			mf_burst(k, t, w);
		pkts += 64 * MF_BURST;
		c1 = __rdtsc();
	} while (c1 < end);
	return (double)(c1 - c0) / (double)pkts;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One row: case r over table t, samples of ms each, the median printed
 * (the case's name with /aN for a look-ahead other than the node's, /wN
 * for work, +nb with the neighbour). */
static int
mf_row(const struct mf_spec *r, const struct mf_table *t, double ms, int samples, int nb)
{
	struct mf_walk w = {
		.pos = 0, .now = 1, .ahead = r->ahead, .work = r->work, .copy = r->copy,
		.par = r->par, .dep = r->dep};
	const enum mf_case k = r->k;
	char sfx[48] = "";
	double v[MF_MAX_S], med;
	int s, o = 0;

	if (r->ahead != MF_AHEAD)
		o += snprintf(sfx + o, sizeof(sfx) - (size_t)o, "/a%d", r->ahead);
	if (r->work != 0)
		o += snprintf(sfx + o, sizeof(sfx) - (size_t)o, r->par ? "/p%d" : "/w%d",
			      r->work);
	if (r->copy)
		o += snprintf(sfx + o, sizeof(sfx) - (size_t)o, "/c");
	if (r->dep)
		o += snprintf(sfx + o, sizeof(sfx) - (size_t)o, "/d");
	if (nb)
		snprintf(sfx + o, sizeof(sfx) - (size_t)o, "+nb");
	w.n = t->n;
	w.stride = mf_stride(w.n);
	mf_sample(k, t, &w, 50); /* warm-up */
	for (s = 0; s < samples; s++)
		v[s] = mf_sample(k, t, &w, ms);
	qsort(v, (size_t)samples, sizeof(v[0]), cmp_double);
	med = v[samples / 2];
	printf("MEMFLOOR %s%s %u %.1f %.2f %d %.1f %.1f %.1f\n", mf_names[k], sfx, t->n, med,
	       tsc_hz / med / 1e6, mf_lines[k], tsc_hz / med / 1e6 * mf_lines[k], v[0],
	       v[samples - 1]);
	fflush(stdout);
	if (w.miss != 0) {
		fprintf(stderr, "memfloor: %s over %u flows: %lu lookups missed\n", mf_names[k],
			t->n, (unsigned long)w.miss);
		return -1;
	}
	return 0;
}

/* ---- the neighbour ------------------------------------------------------------- */

/* On nb_cpu until nb_stop: the generator's part, 64-byte frames written
 * into the ring's slots one after the other without pause (whole lines,
 * as its frames are written), what a /c row copies out. */
static void *
mf_neighbour(void *arg)
{
	uint64_t v = 0, *p;
	uint32_t r = 0;
	cpu_set_t set;
	int j;

	(void)arg;
	CPU_ZERO(&set);
	CPU_SET(nb_cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0)
		return (void *)1;
	while (!nb_stop) {
		p = (uint64_t *)(void *)(mf_ring + (size_t)r * MF_SLOT);
		for (j = 0; j < 8; j++)
			p[j] = v + (uint64_t)j;
		v++;
		r = (r + 1) % MF_RING;
		__asm__ volatile("" : : : "memory");
	}
	return NULL;
}

/* ---- main -------------------------------------------------------------------- */

struct mf_opts {
	int cpu, samples, ncases, nflows;
	long free_mib; /* -F: the free hugepages' MiB to assume (-1: read them) */
	double ms;
	uint32_t flows[MF_MAX_N];
	struct mf_spec cases[MF_MAX_ROWS];
};

static int
mf_parse_cases(struct mf_opts *o, char *arg)
{
	char *tok, *save = NULL;
	int k;

	o->ncases = 0;
	for (tok = strtok_r(arg, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		struct mf_spec r = {.ahead = MF_AHEAD, .work = 0};
		char *opt = strchr(tok, '/'), *end;

		if (opt != NULL)
			*opt++ = '\0';
		for (k = 0; k < MF_NCASES && strcmp(tok, mf_names[k]) != 0; k++)
			;
		if (k == MF_NCASES || o->ncases == MF_MAX_ROWS)
			return -1;
		r.k = (enum mf_case)k;
		for (; opt != NULL && *opt != '\0'; opt = *end == '/' ? end + 1 : end) {
			long v;

			if ((*opt == 'c' || *opt == 'd') && (opt[1] == '/' || opt[1] == '\0')) {
				if (*opt == 'c')
					r.copy = 1;
				else
					r.dep = 1;
				end = opt + 1;
				continue;
			}
			v = strtol(opt + 1, &end, 10);
			if (end == opt + 1 || v < 0 || v > 100000 || (*end != '/' && *end != '\0'))
				return -1;
			if (*opt == 'a')
				r.ahead = (int)v;
			else if (*opt == 'w' || *opt == 'p')
				r.work = (int)v, r.par = *opt == 'p';
			else
				return -1;
		}
		o->cases[o->ncases++] = r;
	}
	return o->ncases > 0 ? 0 : -1;
}

static int
mf_parse(struct mf_opts *o, int argc, char **argv)
{
	char *tok, *save = NULL;
	int c, k;

	o->cpu = (int)sysconf(_SC_NPROCESSORS_ONLN) - 1;
	o->samples = 3;
	o->free_mib = -1;
	o->ms = 100;
	o->nflows = 3;
	o->flows[0] = 1000, o->flows[1] = 1000000, o->flows[2] = 10000000;
	o->ncases = MF_LAT; /* lat and chain2x when asked */
	for (k = 0; k < MF_LAT; k++)
		o->cases[k] = (struct mf_spec){.k = (enum mf_case)k, .ahead = MF_AHEAD};
	while ((c = getopt(argc, argv, "c:t:s:n:k:B:F:C:2")) != -1) {
		switch (c) {
		case 'c': o->cpu = atoi(optarg); break;
		case 't': o->ms = atof(optarg); break;
		case 's': o->samples = atoi(optarg); break;
		case 'B': nb_cpu = atoi(optarg); break;
		case 'F': o->free_mib = atol(optarg); break;
		case 'C': mf_cap = (uint32_t)strtoul(optarg, NULL, 10); break;
		case '2': mf_two_keys = 1; break;
		case 'k':
			if (mf_parse_cases(o, optarg) != 0)
				return -1;
			break;
		case 'n':
			o->nflows = 0;
			for (tok = strtok_r(optarg, ",", &save); tok != NULL;
			     tok = strtok_r(NULL, ",", &save)) {
				unsigned long v = strtoul(tok, NULL, 10);

				if (o->nflows == MF_MAX_N || v < 1 || v > DPVS_CONN_MAX_CAP)
					return -1;
				o->flows[o->nflows++] = (uint32_t)v;
			}
			break;
		default: return -1;
		}
	}
	return optind == argc && o->samples >= 1 && o->samples <= MF_MAX_S && o->ms > 0 &&
			       o->nflows > 0 ? 0 : -1;
}

static int
mf_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* every case of o over table t (zero: the zero case alone, else every
 * other), then again with the neighbour if asked */
static int
mf_rows(const struct mf_opts *o, const struct mf_table *t, int zero)
{
	pthread_t th;
	void *rc = NULL;
	int i, pass, err = 0;

	for (pass = 0; pass < (nb_cpu >= 0 ? 2 : 1) && err == 0; pass++) {
		if (pass == 1) {
			nb_stop = 0;
			if (pthread_create(&th, NULL, mf_neighbour, NULL) != 0)
				return -1;
			usleep(20000);
		}
		for (i = 0; i < o->ncases && err == 0; i++) {
			if ((o->cases[i].k == MF_ZERO_C) != zero)
				continue;
			err = mf_row(&o->cases[i], t, o->ms, o->samples, pass);
		}
		if (pass == 1) {
			nb_stop = 1;
			pthread_join(th, &rc);
			if (rc != NULL)
				err = -1;
		}
	}
	return err;
}

int
main(int argc, char **argv)
{
	struct mf_opts o;
	struct mf_table t, z;
	long freep;
	int i, err = 0;

	if (mf_parse(&o, argc, argv) != 0 || mf_pin(o.cpu) != 0) {
		fprintf(stderr, "usage: dpvs-bench-memfloor [-c CPU] [-t MS] [-s SAMPLES] "
				"[-n FLOWS,...] [-k CASE[/aN][/wN|/pN][/c][/d],...] [-B CPU] [-F MIB] [-C CAP] [-2]\n"
				"  CASE: chain2 chain3 indep2 one zero lat chain2x\n");
		return 2;
	}
	tsc_hz = mf_tsc_rate();
	printf("MEMFLOOR_TSC %.0f (rdtsc over 200 ms of CLOCK_MONOTONIC_RAW) cpu %d\n", tsc_hz,
	       o.cpu);
	mf_ring = mmap(NULL, (size_t)MF_RING * MF_SLOT, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);
	if (mf_ring == MAP_FAILED)
		mf_ring = aligned_alloc(64, (size_t)MF_RING * MF_SLOT);
	if (mf_ring == NULL)
		return 1;
	memset(mf_ring, 1, (size_t)MF_RING * MF_SLOT);
	if (mf_table_make(&z, MF_ZERO) != 0) {
		fprintf(stderr, "memfloor: cannot make the zero case's table\n");
		return 1;
	}
	err = mf_rows(&o, &z, 1);
	munmap(z.base, z.len);
	for (i = 0; i < o.nflows && err == 0; i++) {
		freep = o.free_mib >= 0 ? o.free_mib / 2 : mf_free_hugepages();
		if (freep >= 0 && (size_t)freep * MF_HUGE < mf_table_bytes(o.flows[i])) {
			printf("MEMFLOOR_SKIP %u needs %zu MiB of hugepages, %ld MiB free\n",
			       o.flows[i], mf_table_bytes(o.flows[i]) >> 20, freep * 2);
			continue;
		}
		if (mf_table_make(&t, o.flows[i]) != 0) {
			printf("MEMFLOOR_SKIP %u cannot map or fill %zu MiB\n", o.flows[i],
			       mf_table_bytes(o.flows[i]) >> 20);
			continue;
		}
		printf("MEMFLOOR_MEM %u %zu MiB %s, capacity %u, %d key(s) a connection\n",
		       o.flows[i], t.len >> 20, t.pages, mf_capacity(o.flows[i]), 1 + mf_two_keys);
		err = mf_rows(&o, &t, 0);
		munmap(t.base, t.len);
	}
	return err == 0 ? 0 : 1;
}
