/*
 * Helpers of the fault-injection tests (test_crash_points.c, test_crash_today.c):
 * run a function in a forked child with a deadline, and account for every
 * object of a mempool (allocate all of it, check that no pointer comes out
 * twice and that each is an object of the pool).
 *
 * EAL runs with --no-huge: its memory is a memfd mapped MAP_SHARED, so a
 * forked child works on the very rings and pools of its parent, as a
 * secondary process would. Static functions only; included by one test file
 * each.
 */
#ifndef DPVS_TESTS_CRASH_UTIL_H
#define DPVS_TESTS_CRASH_UTIL_H

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_mempool.h>

#define CU_HANG (-1000)    /* cu_wait(): the child did not finish in time */

/* The tests' EAL: no hugepages (the memory a forked child shares, above),
 * no shared config, lcore 0, the file prefix tag + pid; stdout line-buffered
 * so that a killed child's lines are not lost. -1 (said on stderr) if EAL
 * failed. */
static int
cu_eal_init(const char *prog, const char *tag)
{
	char prefix[64];
	char *eal[] = { (char *)prog, (char *)"--no-huge", (char *)"-m", (char *)"256",
			(char *)"--no-shconf", (char *)"--no-pci", prefix, (char *)"-l", (char *)"0",
			(char *)"--no-telemetry", (char *)"--log-level=*:error", NULL };

	snprintf(prefix, sizeof(prefix), "--file-prefix=%s%d", tag, (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return -1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	return 0;
}

static uint64_t
cu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Wait for pid at most deadline_ms; on timeout SIGKILL it and return
 * CU_HANG, else its wait status. */
static int
cu_wait(pid_t pid, unsigned int deadline_ms)
{
	uint64_t end = cu_now_ms() + deadline_ms;
	struct timespec pause_ts = { 0, 2000000 };
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return CU_HANG;
		if (cu_now_ms() >= end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return CU_HANG;
		}
		nanosleep(&pause_ts, NULL);
	}
}

/* Run fn(arg) in a child (which _exits with fn's return value); wait at most
 * deadline_ms. Returns the wait status or CU_HANG. */
static int
cu_run_child(int (*fn)(void *), void *arg, unsigned int deadline_ms)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg) & 0xff);
	if (pid < 0)
		return CU_HANG;
	return cu_wait(pid, deadline_ms);
}

static int
cu_cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

struct cu_objs {
	void **v;
	unsigned int n, cap;
};

static void
cu_obj_cb(struct rte_mempool *mp, void *opaque, void *obj, unsigned int idx)
{
	struct cu_objs *o = opaque;

	(void)mp;
	(void)idx;
	if (o->n < o->cap)
		o->v[o->n++] = obj;
}

/* What cu_take_all() found. */
struct cu_count {
	unsigned int got;       /* objects allocated */
	unsigned int dup;       /* pointers seen more than once */
	unsigned int foreign;   /* pointers that are no object of the pool */
};

/*
 * Allocate, one by one, everything the pool hands out while the calling
 * thread holds each of the given pool roles in turn (set_role(mp, role) is
 * called for each; NULL: no roles), then check the pointers: sorted, each
 * must be an object of the pool and appear once. Everything is put back.
 * Returns the counts; got + leaked == pool size when dup == foreign == 0.
 */
static struct cu_count
cu_take_all(struct rte_mempool *mp, int (*set_role)(struct rte_mempool *, int),
	    const int *roles, unsigned int nroles)
{
	struct cu_count c = { 0, 0, 0 };
	struct cu_objs all = { NULL, 0, 0 };
	unsigned int cap = mp->size * 2 + 64, r, i;
	void **got = calloc(cap, sizeof(void *));

	all.cap = mp->size;
	all.v = calloc(all.cap, sizeof(void *));
	rte_mempool_obj_iter(mp, cu_obj_cb, &all);
	qsort(all.v, all.n, sizeof(void *), cu_cmp_ptr);
	for (r = 0; r < (nroles == 0 ? 1 : nroles); r++) {
		if (set_role != NULL && nroles > 0)
			set_role(mp, roles[r]);
		while (c.got < cap && rte_mempool_get(mp, &got[c.got]) == 0)
			c.got++;
	}
	qsort(got, c.got, sizeof(void *), cu_cmp_ptr);
	for (i = 0; i < c.got; i++) {
		if (i > 0 && got[i] == got[i - 1])
			c.dup++;
		if (bsearch(&got[i], all.v, all.n, sizeof(void *), cu_cmp_ptr) == NULL)
			c.foreign++;
	}
	/* give back each distinct object once */
	for (i = 0; i < c.got; i++)
		if ((i == 0 || got[i] != got[i - 1]) &&
		    bsearch(&got[i], all.v, all.n, sizeof(void *), cu_cmp_ptr) != NULL)
			rte_mempool_put(mp, got[i]);
	free(got);
	free(all.v);
	return c;
}

/* 1 if p is an object of mp (linear; tests only). */
struct cu_find {
	const void *p;
	int found;
};

static inline void
cu_find_cb(struct rte_mempool *mp, void *opaque, void *obj, unsigned int idx)
{
	struct cu_find *f = opaque;

	(void)mp;
	(void)idx;
	if (obj == f->p)
		f->found = 1;
}

static inline int
cu_is_obj(struct rte_mempool *mp, const void *p)
{
	struct cu_find f = { p, 0 };

	if (p == NULL)
		return 0;
	rte_mempool_obj_iter(mp, cu_find_cb, &f);
	return f.found;
}

#endif
