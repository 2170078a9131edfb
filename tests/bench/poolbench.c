/*
 * dpvs-bench-pool: the cost of the mbuf pool and ring operations the packet
 * path makes, for the node's crash-safe objects beside DPDK's own, in one
 * process. Numbers, not pass/fail; tests/bench/run.sh runs it under
 * callgrind and divides each bp_* function's inclusive instruction count by
 * the mbufs it moved (the machine is shared: instruction counts, not times).
 *
 *   dpvs-bench-pool [--mbufs N] [--cache C]  (N mbufs through each operation)
 *
 * Pools: "dpdk" = rte_pktmbuf_pool_create with a 256-mbuf per-lcore cache and
 * the default ring_mp_mc ops (the node's pool before the crash-safety work);
 * "node" = the node's pool now (dpvs_pool_create: a per-lcore cache of C,
 * default 64 as [memory] mbuf_cache, in front of the dpvs_mag ops); "dpvs" =
 * the node's pool without a cache (mbuf_cache = 0: ops dpvs_mag only). Both
 * of ours with this thread holding a worker's magazine.
 * Operations, each per mbuf:
 *   single   rte_pktmbuf_alloc + rte_pktmbuf_free of one mbuf (what net_tap's
 *            rx and tx do per packet)
 *   bulk     rte_pktmbuf_alloc_bulk + rte_pktmbuf_free_bulk of 32
 * Rings (the objects only, bursts of 32 and of 1): "sp" = rte_ring_sp/sc,
 * "mp" = rte_ring_mp/mc (the to-kernel and arp rings before), "dpvs" =
 * shm/ring.h (every ring now).
 * Prints "RESULT <name> <mbufs> <tsc cycles per mbuf>" per function.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "shm/eal.h"
#include "shm/pool_ops.h"
#include "shm/ring.h"

#define BURST 32

static unsigned int nmbufs = 320000;

#define POOL_BENCH(kind)                                                             \
	static __attribute__((noipa)) void bp_single_##kind(struct rte_mempool *mp)          \
	{                                                                            \
		unsigned int i;                                                      \
		for (i = 0; i < nmbufs; i++)                                         \
			rte_pktmbuf_free(rte_pktmbuf_alloc(mp));                     \
	}                                                                            \
	static __attribute__((noipa)) void bp_bulk_##kind(struct rte_mempool *mp)            \
	{                                                                            \
		struct rte_mbuf *m[BURST];                                           \
		unsigned int i;                                                      \
		for (i = 0; i < nmbufs / BURST; i++) {                               \
			if (rte_pktmbuf_alloc_bulk(mp, m, BURST) != 0)               \
				abort();                                             \
			rte_pktmbuf_free_bulk(m, BURST);                             \
		}                                                                    \
	}
POOL_BENCH(dpdk)
POOL_BENCH(node)
POOL_BENCH(dpvs)

#define RING_BENCH(kind, enq, deq)                                                   \
	static __attribute__((noipa)) void bp_ring32_##kind(struct rte_ring *r, void **o)     \
	{                                                                            \
		unsigned int i;                                                      \
		for (i = 0; i < nmbufs / BURST; i++)                                 \
			if (enq(r, o, BURST) != BURST || deq(r, o, BURST) != BURST)  \
				abort();                                             \
	}                                                                            \
	static __attribute__((noipa)) void bp_ring1_##kind(struct rte_ring *r, void **o)      \
	{                                                                            \
		unsigned int i;                                                      \
		for (i = 0; i < nmbufs; i++)                                         \
			if (enq(r, o, 1) != 1 || deq(r, o, 1) != 1)                  \
				abort();                                             \
	}

#define SP_ENQ(r, o, n) rte_ring_sp_enqueue_burst(r, o, n, NULL)
#define SC_DEQ(r, o, n) rte_ring_sc_dequeue_burst(r, o, n, NULL)
#define MP_ENQ(r, o, n) rte_ring_mp_enqueue_burst(r, o, n, NULL)
#define MC_DEQ(r, o, n) rte_ring_mc_dequeue_burst(r, o, n, NULL)
RING_BENCH(sp, SP_ENQ, SC_DEQ)
RING_BENCH(mp, MP_ENQ, MC_DEQ)
RING_BENCH(dpvs, dpvs_ring_enqueue_burst, dpvs_ring_dequeue_burst)

static void
result(const char *name, unsigned int n, uint64_t t0)
{
	printf("RESULT %s %u %.1f\n", name, n, (double)(rte_rdtsc() - t0) / n);
}

/* Get and put nmbufs mbufs, one at a time and in bursts, from each pool. */
static void
time_pools(struct rte_mempool *dpdk, struct rte_mempool *node, struct rte_mempool *dpvs)
{
	uint64_t t;

	t = rte_rdtsc();
	bp_single_dpdk(dpdk);
	result("single_dpdk", nmbufs, t);
	t = rte_rdtsc();
	bp_single_node(node);
	result("single_node", nmbufs, t);
	t = rte_rdtsc();
	bp_single_dpvs(dpvs);
	result("single_dpvs", nmbufs, t);
	t = rte_rdtsc();
	bp_bulk_dpdk(dpdk);
	result("bulk_dpdk", nmbufs, t);
	t = rte_rdtsc();
	bp_bulk_node(node);
	result("bulk_node", nmbufs, t);
	t = rte_rdtsc();
	bp_bulk_dpvs(dpvs);
	result("bulk_dpvs", nmbufs, t);
}

/* Pass nmbufs pointers through each ring, in bursts and one at a time. */
static void
time_rings(struct rte_ring *sp, struct rte_ring *mp)
{
	void *objs[BURST];
	uint64_t t;

	memset(objs, 0, sizeof(objs));
	t = rte_rdtsc();
	bp_ring32_sp(sp, objs);
	result("ring32_sp", nmbufs, t);
	t = rte_rdtsc();
	bp_ring32_mp(mp, objs);
	result("ring32_mp", nmbufs, t);
	t = rte_rdtsc();
	bp_ring32_dpvs(sp, objs);
	result("ring32_dpvs", nmbufs, t);
	t = rte_rdtsc();
	bp_ring1_sp(sp, objs);
	result("ring1_sp", nmbufs, t);
	t = rte_rdtsc();
	bp_ring1_mp(mp, objs);
	result("ring1_mp", nmbufs, t);
	t = rte_rdtsc();
	bp_ring1_dpvs(sp, objs);
	result("ring1_dpvs", nmbufs, t);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = { { "mbufs", required_argument, NULL, 'n' },
					      { "cache", required_argument, NULL, 'c' },
					      { NULL, 0, NULL, 0 } };
	char prefix[64];
	char *eal[] = { argv[0], (char *)"--no-huge", (char *)"-m", (char *)"256",
			(char *)"--no-shconf", (char *)"--no-pci", prefix, (char *)"-l", (char *)"0",
			(char *)"--no-telemetry", (char *)"--log-level=*:error", NULL };
	struct rte_mempool *dpdk, *node, *dpvs;
	unsigned int cache = 64;
	struct rte_ring *sp, *mp;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((c != 'n' && c != 'c') || (c == 'n' && atoi(optarg) < BURST) ||
		    atoi(optarg) < 0) {
			fprintf(stderr, "usage: dpvs-bench-pool [--mbufs N>=32] [--cache C]\n");
			return 2;
		}
		if (c == 'n')
			nmbufs = (unsigned int)atoi(optarg);
		else
			cache = (unsigned int)atoi(optarg);
	}
	snprintf(prefix, sizeof(prefix), "--file-prefix=bpl%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0)
		return 1;
	if (dpvs_pool_register_ops() < 0)
		return 1;
	dpdk = rte_pktmbuf_pool_create("bpl_dpdk", 4095, 256, 0, 256, SOCKET_ID_ANY);
	node = dpvs_pool_create("bpl_node", 4095, cache, SOCKET_ID_ANY);
	dpvs = dpvs_pool_create("bpl_dpvs", 4095, 0, SOCKET_ID_ANY);
	sp = rte_ring_create("bpl_sp", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	mp = rte_ring_create("bpl_mp", 1024, SOCKET_ID_ANY, 0);
	if (dpdk == NULL || node == NULL || dpvs == NULL || sp == NULL || mp == NULL)
		return 1;
	dpvs_pool_set_role(node, DPVS_ROLE_WORKER(0));
	time_pools(dpdk, node, dpvs);
	time_rings(sp, mp);
	dpvs_pool_set_role(dpvs, DPVS_ROLE_NONE);
	rte_ring_free(sp);
	rte_ring_free(mp);
	rte_mempool_free(dpdk);
	rte_mempool_free(node);
	rte_mempool_free(dpvs);
	dpvs_eal_cleanup_private();
	return 0;
}
