/*
 * CPU placement (see cpu.h): parsing the [cpu] keys and CPU lists, setting
 * the primary's own affinity (the control CPUs) and pinning a worker process
 * to its CPU. No state of its own; touches only the struct conf_cpu it is
 * given, the affinity of the primary and of the worker processes it is
 * given.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"

/* One number of a list; -1 if none or too big. */
static long
cpu_num(const char **p)
{
	char *end;
	long v;

	if (**p < '0' || **p > '9')
		return -1;
	v = strtol(*p, &end, 10);
	*p = end;
	return v < CONF_CPU_MAX ? v : -1;
}

int
cpu_list_parse(const char *text, uint16_t *out, uint32_t max, char *err, size_t len)
{
	const char *p = text;
	uint32_t n = 0;
	long a, b;

	for (;;) {
		while (*p == ' ')
			p++;
		a = cpu_num(&p);
		b = a;
		if (a >= 0 && *p == '-') {
			p++;
			b = cpu_num(&p);
		}
		if (a < 0 || b < a) {
			snprintf(err, len, "'%s': not a CPU list (like 1,2 or 2-5; CPUs below %d)",
				 text, CONF_CPU_MAX);
			return -1;
		}
		for (; a <= b; a++) {
			if (n == max) {
				snprintf(err, len, "'%s': more than %u CPUs", text, max);
				return -1;
			}
			out[n++] = (uint16_t)a;
		}
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return (int)n;
		if (*p++ != ',') {
			snprintf(err, len, "'%s': not a CPU list (like 1,2 or 2-5)", text);
			return -1;
		}
	}
}

int
conf_cpu_key(struct conf_cpu *c, const char *key, const char *value, char *err, size_t len)
{
	uint16_t cpus[CONF_CPU_MAX];
	int workers = strcmp(key, "workers") == 0, k, m;
	char msg[192];

	if (!workers && strcmp(key, "control") != 0) {
		snprintf(err, len, "unknown key '%s' (known: workers, control)", key);
		return -1;
	}
	m = cpu_list_parse(value, cpus, workers ? DPVS_MAX_WORKERS : CONF_CPU_MAX, msg,
			   sizeof(msg));
	if (m < 0) {
		snprintf(err, len, "%s = %s", key, msg);
		return -1;
	}
	if (workers) {
		for (k = 0; k < m; k++)
			c->worker_cpu[k] = cpus[k];
		c->nworker_cpus = (uint32_t)m;
		return 0;
	}
	CPU_ZERO(&c->control);
	for (k = 0; k < m; k++)
		CPU_SET(cpus[k], &c->control);
	c->has_control = 1;
	return 0;
}

int
conf_cpu_check(const struct conf_cpu *c, uint32_t nworkers, char *err, size_t len)
{
	uint32_t i, j;

	if (c->nworker_cpus == 0)
		return 0;
	if (c->nworker_cpus != nworkers) {
		snprintf(err, len, "[cpu] workers lists %u CPU(s) for %u worker(s): give one CPU "
			 "per worker", c->nworker_cpus, nworkers);
		return -1;
	}
	for (i = 0; i < c->nworker_cpus; i++)
		for (j = 0; j < i; j++)
			if (c->worker_cpu[i] == c->worker_cpu[j]) {
				snprintf(err, len, "[cpu] workers: CPU %u is given to workers %u "
					 "and %u: each worker needs a CPU of its own",
					 c->worker_cpu[i], j, i);
				return -1;
			}
	return 0;
}

int
cpu_apply_control(const struct conf_cpu *c, char *err, size_t len)
{
	cpu_set_t allowed;
	uint32_t i;
	int k;

	if (c->nworker_cpus == 0 && !c->has_control)
		return 0;
	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) {
		snprintf(err, len, "[cpu]: sched_getaffinity: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < c->nworker_cpus; i++)
		if (!CPU_ISSET(c->worker_cpu[i], &allowed)) {
			snprintf(err, len, "[cpu] workers: CPU %u is not one this process may run "
				 "on (online, and allowed by its affinity)", c->worker_cpu[i]);
			return -1;
		}
	for (k = 0; c->has_control && k < CONF_CPU_MAX; k++)
		if (CPU_ISSET(k, &c->control) && !CPU_ISSET(k, &allowed)) {
			snprintf(err, len, "[cpu] control: CPU %d is not one this process may run "
				 "on (online, and allowed by its affinity)", k);
			return -1;
		}
	if (c->has_control && sched_setaffinity(0, sizeof(c->control), &c->control) != 0) {
		snprintf(err, len, "[cpu] control: sched_setaffinity: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
cpu_pin_worker(const struct conf_cpu *c, uint32_t id, pid_t pid)
{
	cpu_set_t set;

	if (id >= c->nworker_cpus)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(c->worker_cpu[id], &set);
	return sched_setaffinity(pid, sizeof(set), &set) == 0 ? 0 : -errno;
}

int
cpu_off_workers(const struct conf_cpu *c, cpu_set_t *out)
{
	uint32_t i;

	CPU_ZERO(out);
	if (c->nworker_cpus == 0)
		return 0;
	/* the primary's main thread: its EAL lcore spans its whole affinity
	 * (shm/eal.c), the control CPUs once cpu_apply_control ran */
	if (sched_getaffinity(0, sizeof(*out), out) != 0)
		return -errno;
	for (i = 0; i < c->nworker_cpus; i++)
		CPU_CLR(c->worker_cpu[i], out);
	return CPU_COUNT(out);
}
