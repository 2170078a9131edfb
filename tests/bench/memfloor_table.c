/*
 * dpvs-bench-memfloor's table (memfloor.h): the node's connection memzone
 * for N flows without its side tables, N struct dpvs_conn then
 * DPVS_CONN_NBUCKETS(N) struct dpvs_conn_bkt (shm/conn.h), in 2 MiB
 * hugepages, flow f connection f, filed in the index as the worker files
 * it (see tests/bench/memfloor.c).
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "tests/bench/memfloor.h"
#include "tests/bench/stride.h"

/* the generator's stride (tests/bench/stride.h) */
uint32_t
mf_stride(uint32_t n)
{
	return (uint32_t)bench_stride(n);
}

/* -C and -2 (memfloor.h) */
uint32_t mf_cap;
int mf_two_keys;

uint32_t
mf_capacity(uint32_t n)
{
	return n >= MF_ZERO * 2 && mf_cap > n ? mf_cap : n;
}

size_t
mf_table_bytes(uint32_t n)
{
	size_t b;

	n = mf_capacity(n);
	b = DPVS_CONN_ALIGN((uint64_t)n * sizeof(struct dpvs_conn)) +
		   DPVS_CONN_ALIGN((uint64_t)DPVS_CONN_NBUCKETS(n) * sizeof(struct dpvs_conn_bkt));

	return (b + MF_HUGE - 1) & ~(MF_HUGE - 1);
}

/* the free hugepages less those another process has reserved (mapped, not
 * yet touched): HugePages_Free counts those, and a MAP_HUGETLB mmap cannot
 * have them (-1: unknown) */
long
mf_free_hugepages(void)
{
	char line[128];
	long v = -1, r = 0, x;
	FILE *f = fopen("/proc/meminfo", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "HugePages_Free: %ld", &x) == 1)
			v = x;
		else if (sscanf(line, "HugePages_Rsvd: %ld", &x) == 1)
			r = x;
	}
	fclose(f);
	return v < 0 ? -1 : v - r;
}

/* File flow f (dir 1: its outbound key): its home bucket, or the next
 * with a free slot. */
static int
mf_file(struct mf_table *t, uint32_t f, uint32_t dir)
{
	uint32_t h = mf_hash(dir ? f ^ 0xa5a5a5a5u : f), b = (uint32_t)(((uint64_t)h * t->nb) >> 32);
	uint32_t d, s;

	for (d = 0; d < t->nb; d++) {
		struct dpvs_conn_bkt *k = &t->bk[(b + d) % t->nb];

		for (s = 0; s < DPVS_CONN_BKT_SLOTS; s++)
			if (k->ent[s] == DPVS_CONN_NIL) {
				k->ent[s] = f << 1 | dir;
				k->sig[s] = (uint16_t)((h & 0xfffu) | ((d < 15 ? d : 15) << 12));
				return 0;
			}
		k->ovf++;
	}
	return -1;
}

int
mf_table_make(struct mf_table *t, uint32_t n)
{
	size_t centries = DPVS_CONN_ALIGN((uint64_t)mf_capacity(n) * sizeof(struct dpvs_conn));
	uint32_t f;

	memset(t, 0, sizeof(*t));
	t->n = n;
	t->nb = DPVS_CONN_NBUCKETS(mf_capacity(n));
	t->len = mf_table_bytes(n);
	t->pages = "hugetlb 2M";
	t->base = mmap(NULL, t->len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);
	if (t->base == MAP_FAILED) {
		t->pages = "thp (MAP_HUGETLB failed: madvise(MADV_HUGEPAGE))";
		t->base = mmap(NULL, t->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		if (t->base == MAP_FAILED)
			return -1;
		if (madvise(t->base, t->len, MADV_HUGEPAGE) != 0)
			t->pages = "4K (MAP_HUGETLB and madvise(MADV_HUGEPAGE) failed)";
	}
	t->conns = t->base;
	t->bk = (struct dpvs_conn_bkt *)((char *)t->base + centries);
	memset(t->bk, 0, (size_t)t->nb * sizeof(*t->bk));
	for (f = 0; f < t->nb; f++)
		memset(t->bk[f].ent, 0xff, sizeof(t->bk[f].ent));
	for (f = 0; f < n; f++) {
		struct dpvs_conn *c = &t->conns[f];

		memset(c, 0, sizeof(*c));
		c->flags = 1;
		c->proto = 17;
		c->a4[0] = f; /* the key a lookup checks */
		c->h_in = mf_hash(f);
		if (mf_file(t, f, 0) != 0 || (mf_two_keys && mf_file(t, f, 1) != 0))
			return -1;
	}
	return 0;
}
