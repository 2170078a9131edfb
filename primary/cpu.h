/*
 * CPU placement of the node's processes ([cpu] in dpvs.conf): each worker
 * pinned to a CPU of its own, the control processes (dpvs-primary, dpvs-ctl,
 * dpvs-kni-bridge, standby workers) to others. Primary only.
 *
 * In: the [cpu] keys (workers = CPU list, one CPU per worker in worker
 * order; control = CPU list). Out: struct conf_cpu, then the affinity of
 * the primary (before EAL init: the processes it forks inherit it, and
 * shm/eal.c gives their EAL only the CPUs they may run on) and of each
 * worker process once it polls its slot (sched_setaffinity of its lcore
 * thread, the process's main thread). Without [cpu] nothing is pinned.
 */
#ifndef DPVS_PRIMARY_CPU_H
#define DPVS_PRIMARY_CPU_H

#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "shm/layout.h"

#define CONF_CPU_MAX 1024 /* CPU numbers below this */

struct conf_cpu {
	uint32_t nworker_cpus;                /* 0: workers float */
	uint16_t worker_cpu[DPVS_MAX_WORKERS]; /* worker i's CPU */
	int has_control;
	cpu_set_t control;                    /* the control processes' CPUs */
};

/* "0-2,5" in list order into out[] (at most max, each below CONF_CPU_MAX);
 * the count, or -1 with a message in err. */
int cpu_list_parse(const char *text, uint16_t *out, uint32_t max, char *err, size_t len);

/* One [cpu] key (workers or control) into c; 0, or -1 with a message
 * ("KEY = ...: why") in err. */
int conf_cpu_key(struct conf_cpu *c, const char *key, const char *value, char *err, size_t len);

/* One CPU per worker, none given to two workers; 0, or -1 with a message. */
int conf_cpu_check(const struct conf_cpu *c, uint32_t nworkers, char *err, size_t len);

/* The primary's (and so its children's) affinity: the control CPUs, each
 * checked to be one the primary may run on, as is every worker CPU. 0, or
 * -1 with a message in err. Call before EAL init. */
int cpu_apply_control(const struct conf_cpu *c, char *err, size_t len);

/* Pin worker id's process (its lcore thread) to the worker's CPU, if one
 * is configured; 0, or -errno. */
int cpu_pin_worker(const struct conf_cpu *c, uint32_t id, pid_t pid);

/* The CPUs this process may run on (the control CPUs, or all allowed when
 * [cpu] has no control list) but the workers': where a process that no
 * longer polls is moved (sup_prio.c). Their count (0: none, or no worker
 * CPU configured: out is then left empty), or -errno. */
int cpu_off_workers(const struct conf_cpu *c, cpu_set_t *out);

#endif
