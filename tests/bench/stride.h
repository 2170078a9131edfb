/*
 * The benchmarks' random order (tests/bench/gen_flows.c's streams and
 * dpvs-bench-memfloor's walk): flow j + stride (mod n) after flow j, the
 * stride the largest at most 0.618 n that is coprime to n, so that the walk
 * visits every flow once in n packets and consecutive packets are far apart
 * in the order the flows were made. One rule, so that figure 5 walks its
 * table as figure 2's generator walks the node's.
 */
#ifndef DPVS_BENCH_STRIDE_H
#define DPVS_BENCH_STRIDE_H

#include <stdint.h>

static inline uint64_t
bench_gcd64(uint64_t a, uint64_t b)
{
	while (b != 0) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* the stride for n flows (1 for n < 3) */
static inline uint64_t
bench_stride(uint64_t n)
{
	uint64_t st;

	if (n < 3)
		return 1;
	for (st = n * 618 / 1000; st > 1; st--)
		if (bench_gcd64(st, n) == 1)
			return st;
	return 1;
}

#endif
