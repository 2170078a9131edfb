/*
 * dpvs-bench-c2c: the round trip of one cache line between two CPUs, in
 * nanoseconds (make bench's figure 2 prints it beside the ceiling).
 *
 *   dpvs-bench-c2c [CPU_A CPU_B [ROUNDS [SAMPLES]]]   (default 0 1 20000 3)
 *
 * Two threads, one pinned to each CPU, pass a counter back and forth
 * through one 64-byte line, ROUNDS round trips a sample; prints the median
 * of SAMPLES samples ("C2C <ns>"). On a VM this shows where the host put the
 * two vCPUs at that moment: the memif ports move every packet's descriptor
 * and data from the sending CPU to the receiving one, so a forwarder's rate
 * follows this latency (the 2-core development VM reads about 100 ns at
 * times and 350 ns at others, moving within seconds). A busy CPU (a thread
 * preempted mid-sample) reads high too. No state besides its own line.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define C2C_MAX_SAMPLES 99

static struct {
	volatile uint64_t v;
	char pad[56];
} line __attribute__((aligned(64)));
static long rounds = 20000;
static int cpu_b = 1, samples = 3;

static int
pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	return pthread_setaffinity_np(pthread_self(), sizeof(s), &s);
}

/* The far side: answers each odd value with the next even one. */
static void *
pong(void *arg)
{
	long i, n = rounds * samples;

	(void)arg;
	if (pin(cpu_b) != 0)
		return (void *)1;
	for (i = 1; i <= n; i++) {
		while (line.v != (uint64_t)(2 * i - 1))
			;
		line.v = (uint64_t)(2 * i);
	}
	return NULL;
}

static double
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	double ns[C2C_MAX_SAMPLES], t0;
	int cpu_a = 0, s;
	long i, k = 0;
	pthread_t t;
	void *rc = NULL;

	if (argc >= 3) {
		cpu_a = atoi(argv[1]);
		cpu_b = atoi(argv[2]);
	}
	if (argc >= 4)
		rounds = atol(argv[3]);
	if (argc >= 5)
		samples = atoi(argv[4]);
	if (rounds < 1 || samples < 1 || samples > C2C_MAX_SAMPLES || pin(cpu_a) != 0) {
		fprintf(stderr, "usage: dpvs-bench-c2c [CPU_A CPU_B [ROUNDS [SAMPLES<=%d]]]\n",
			C2C_MAX_SAMPLES);
		return 2;
	}
	if (pthread_create(&t, NULL, pong, NULL) != 0)
		return 1;
	for (s = 0; s < samples; s++) {
		t0 = now_ns();
		for (i = 0; i < rounds; i++) {
			k++;
			line.v = (uint64_t)(2 * k - 1);
			while (line.v != (uint64_t)(2 * k))
				;
		}
		ns[s] = (now_ns() - t0) / (double)rounds;
	}
	pthread_join(t, &rc);
	if (rc != NULL)
		return 1;
	qsort(ns, (size_t)samples, sizeof(ns[0]), cmp_double);
	printf("C2C %.0f\n", ns[samples / 2]);
	return 0;
}
