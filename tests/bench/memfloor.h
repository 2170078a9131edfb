/*
 * dpvs-bench-memfloor's table (tests/bench/memfloor.c, memfloor_table.c):
 * the node's connection entries and bucketized index for N flows, in 2 MiB
 * pages, each flow filed as the worker files it.
 */
#ifndef DPVS_BENCH_MEMFLOOR_H
#define DPVS_BENCH_MEMFLOOR_H

#include <stddef.h>
#include <stdint.h>

#include "shm/conn.h"

#define MF_ZERO      64  /* zero's flows */
#define MF_HUGE      (2ull << 20)

struct mf_table {
	struct dpvs_conn *conns;
	struct dpvs_conn_bkt *bk;
	uint32_t n, nb;
	void *base;
	size_t len;
	const char *pages; /* "hugetlb 2M" or "thp" */
};

/* -C: the table's capacity when above the flows (the node's figure 2
 * runs every flow count in one table of BENCH_CONNS); -2: each connection
 * filed twice, as a full-NAT one is (its outbound tuple too) */
extern uint32_t mf_cap;
extern int mf_two_keys;

/* a flow's hash (a 32-bit mix: the tuple's in the node) */
static inline uint32_t
mf_hash(uint32_t f)
{
	uint32_t h = f * 0x9e3779b1u + 0x7f4a7c15u;

	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

uint32_t mf_stride(uint32_t n);
uint32_t mf_capacity(uint32_t n);
size_t mf_table_bytes(uint32_t n);
long mf_free_hugepages(void);
int mf_table_make(struct mf_table *t, uint32_t n);

#endif
