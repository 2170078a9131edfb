/*
 * dpvs-bench-rebuild: how long a worker that takes over a dead worker's
 * connection table needs before it forwards, the rebuild of the table's
 * index, timers, lists and counts from the array (wk_conn_rebuild,
 * worker/ipvs/conn_rebuild.c), for `make bench` and the README's
 * "Known limits".
 *
 *   dpvs-bench-rebuild N [ROUNDS]
 *
 * A table of N * 1.01 slots (the capacity a node would give N
 * connections) is filled as a dead worker leaves it: N live entries in
 * slots 0..N-1, each full-NAT with its own random-looking client (3 in 4
 * UDP, 1 in 4 TCP of which a quarter half-open), timers spread over the
 * next 300 s; the index, wheel and lists are left as garbage (all 0xa5).
 * Then ROUNDS (default 3) rebuilds are timed, each from the same array
 * (a rebuild keeps every entry of this table). The memory is 2 MiB
 * hugepages when the system has them free (as a worker's memzone), else
 * ordinary pages (said in the output).
 *
 * Prints "REBUILD <N> <capacity> <live> <best ns per connection>
 * <median ns per connection> <best ms> <pages>" or, when the memory is not
 * there, "REBUILD <N> skip <reason>" (exit 0). Under callgrind the rebuild
 * alone is instrumented (CALLGRIND_START/STOP_INSTRUMENTATION around it):
 * `valgrind --tool=callgrind --instr-atstart=no dpvs-bench-rebuild N 1`.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <rte_byteorder.h>

#ifdef __has_include
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#endif

#include "shm/shm.h"
#include "worker/ipvs/conn_table.h"

#define MAX_ROUNDS 15

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A mapping of sz bytes: hugepages if the system has them, else ordinary
 * pages (*huge says which); NULL when neither can be had. */
static void *
table_map(uint64_t sz, int *huge)
{
	uint64_t hsz = (sz + (2u << 20) - 1) & ~(uint64_t)((2u << 20) - 1);
	void *p = mmap(NULL, hsz, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);

	*huge = 1;
	if (p != MAP_FAILED)
		return p;
	*huge = 0;
	p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1,
		 0);
	return p == MAP_FAILED ? NULL : p;
}

/* splitmix64: the fill's random numbers, the same every run */
static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Entry k: client 10.(k's low 24 bits):(1024 + 1000 * (k >> 24)) to VIP
 * 10.255.0.1:53 (UDP) or :80 (TCP), full-NAT from local address
 * 10.254.0.0 + k / 60000, port 1024 + k % 60000, to 10.253.(k % 256).2:80:
 * both tuples unique by k. */
static void
fill_one(struct dpvs_conn *c, uint32_t k, uint64_t now, uint64_t *seed)
{
	uint64_t r = rnd(seed);
	uint32_t ca = 0x0a000000u | (k & 0x00ffffffu), port = 1024u + (k >> 24) * 1000u;
	uint32_t va = 0x0aff0001u, la = 0x0afe0000u + k / 60000u, da = 0x0afd0002u | (k % 256u) << 8;

	memset(c, 0, sizeof(*c));
	c->proto = (r & 3u) == 0 ? IPPROTO_TCP : IPPROTO_UDP;
	c->state = c->proto == IPPROTO_TCP ? ((r >> 2 & 3u) == 0 ? DPVS_TCPS_SYN_RECV
								: DPVS_TCPS_ESTABLISHED)
					   : 0;
	c->fwd_mode = DPVS_FWD_FNAT;
	c->flags = DPVS_CONN_F_OUT | DPVS_CONN_F_USED;
	c->a4[DPVS_CONN_A_C] = rte_cpu_to_be_32(ca);
	c->a4[DPVS_CONN_A_V] = rte_cpu_to_be_32(va);
	c->a4[DPVS_CONN_A_L] = rte_cpu_to_be_32(la);
	c->a4[DPVS_CONN_A_D] = rte_cpu_to_be_32(da);
	c->cport = rte_cpu_to_be_16((uint16_t)port);
	c->vport = rte_cpu_to_be_16(c->proto == IPPROTO_TCP ? 80 : 53);
	c->lport = rte_cpu_to_be_16((uint16_t)(1024u + k % 60000u));
	c->dport = rte_cpu_to_be_16(80);
	c->in_port = 0;
	c->out_port = 1;
	c->created_s = (uint32_t)(now / 1000000000ull);
	c->expires_ns = now + 1000000000ull + (r >> 8) % 300000000000ull;
	/* the derived links as a dead worker may leave them: anything */
	c->tnext = c->tprev = c->onext = c->oprev = 0xa5a5a5a5u;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	unsigned long n = argc >= 2 ? strtoul(argv[1], NULL, 10) : 0;
	unsigned long rounds = argc >= 3 ? strtoul(argv[2], NULL, 10) : 3;
	uint64_t t[MAX_ROUNDS], now = 1000ull * 1000000000ull, seed = 42, sz, t0;
	struct dpvs_conn_table *ct;
	struct dpvs_conn *conns;
	uint32_t cap, live = 0, k;
	unsigned long r;
	int huge;

	if (n < 1 || n > DPVS_CONN_MAX_CAP / 101ul * 100ul || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: dpvs-bench-rebuild N [ROUNDS] (N 1..%u, ROUNDS 1..%d)\n",
			DPVS_CONN_MAX_CAP / 101u * 100u, MAX_ROUNDS);
		return 2;
	}
	cap = (uint32_t)(n + n / 100);
	if (cap < DPVS_CONN_MIN_CAP)
		cap = DPVS_CONN_MIN_CAP;
	sz = DPVS_CONN_MZ_SIZE(cap);
	ct = table_map(sz, &huge);
	if (ct == NULL) {
		printf("REBUILD %lu skip no memory for %.0f MiB (hugepages or ordinary)\n", n,
		       (double)sz / 1048576.0);
		return 0;
	}
	memset(ct, 0xa5, sz);
	dpvs_conn_table_format(ct, cap);
	conns = dpvs_conn_array(ct);
	for (k = 0; k < cap; k++) {
		if (k < n)
			fill_one(&conns[k], k, now, &seed);
		else
			memset(&conns[k], 0, sizeof(conns[k]));
	}
	for (r = 0; r < rounds; r++) {
		CALLGRIND_START_INSTRUMENTATION;
		t0 = mono_ns();
		live = wk_conn_rebuild(ct, now);
		t[r] = mono_ns() - t0;
		CALLGRIND_STOP_INSTRUMENTATION;
		if (live != n) {
			fprintf(stderr, "dpvs-bench-rebuild: %u live after the rebuild, %lu filled\n",
				live, n);
			return 1;
		}
	}
	qsort(t, rounds, sizeof(t[0]), cmp_u64);
	printf("REBUILD %lu %u %u %.1f %.1f %.1f %s\n", n, cap, live, (double)t[0] / (double)n,
	       (double)t[rounds / 2] / (double)n, (double)t[0] / 1e6, huge ? "hugepages" : "4k");
	return 0;   /* the mapping goes with the process */
}
