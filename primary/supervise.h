/*
 * Supervision of the node's secondaries by dpvs-primary: dpvs-ctl,
 * dpvs-kni-bridge and one dpvs-worker per worker.
 *
 * In: the signalfd (SIGCHLD, SIGTERM, SIGINT, SIGHUP), the binaries' directory.
 * Out: children spawned with fork+exec (PR_SET_PDEATHSIG), pid files in
 * run_dir, and the primary's fields of the root memzone (workers[].pid, state,
 * restarts, started_ns, last_status, last_exit_ns; ctl_pid; bridge_pid).
 * A dead child is restarted at once; one that died within SUP_SHORT_LIFE_NS
 * of its start waits 100 ms, doubling up to 5 s. A child that exits with
 * DPVS_EXIT_CONFIG stops the node.
 */
#ifndef DPVS_PRIMARY_SUPERVISE_H
#define DPVS_PRIMARY_SUPERVISE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "shm/layout.h"

#define SUP_SHORT_LIFE_NS   1000000000ull   /* died sooner than this: back off */
#define SUP_BACKOFF_MIN_MS  100u
#define SUP_BACKOFF_MAX_MS  5000u
#define SUP_MAX_CHILDREN    (2 + DPVS_MAX_WORKERS)

struct rte_rcu_qsbr;
struct dpvs_shm;

enum sup_kind {
	SUP_CTL = 0,
	SUP_BRIDGE,
	SUP_WORKER,
};

struct sup_child {
	uint32_t kind;           /* enum sup_kind */
	uint32_t id;             /* worker id */
	char name[16];           /* "ctl", "bridge", "worker<N>": log and pid file name */
	pid_t pid;               /* 0 while not running */
	uint32_t backoff_ms;     /* delay before the pending restart; 0 = at once */
	uint64_t started_ns;
	uint64_t due_ns;         /* when pid == 0: time of the next start */
	uint32_t restarts;
	uint32_t spawned;        /* started at least once */
};

struct supervisor {
	struct sup_child child[SUP_MAX_CHILDREN];
	unsigned int nchild;
	char bindir[PATH_MAX];
	char prefix[64];
	char run_dir[256];
	const char *rules;        /* given to the first dpvs-ctl only */
	struct dpvs_root *root;   /* NULL in unit tests */
	struct rte_rcu_qsbr *rcu; /* NULL in unit tests */
	struct dpvs_shm *shm;     /* for the repair after a death; NULL in unit tests */
	int sigfd;
	int stopping;
	int fatal;                /* set when a death stops the node */
};

/* Set up the child table for nworkers workers (no process is started). */
void sup_init(struct supervisor *s, uint32_t nworkers);

/* The delay before restarting a child that lived lived_ns, after a previous
 * delay prev_ms: 0 after a long life, else 100 ms doubling up to 5 s. */
uint32_t sup_backoff_ms(uint32_t prev_ms, uint64_t lived_ns);

/* "exited with status 3", "killed by signal 9 (Killed)", ... */
void sup_status_str(int status, char *buf, size_t len);

/* 1 when this wait status means a restart cannot help. */
int sup_death_is_fatal(int status);

/* Book a child's death at now: slot fields, RCU offline, the repair of the
 * shared objects it used (primary/repair.h), next start time. */
void sup_on_death(struct supervisor *s, struct sup_child *c, int status, uint64_t now);

/* Milliseconds until the next pending start (poll timeout), -1 if none. */
int sup_timeout_ms(const struct supervisor *s, uint64_t now);

/* Start every child that is due at now. Returns -1 if a fork failed. */
int sup_start_due(struct supervisor *s, uint64_t now);

/* Block SIGCHLD/SIGTERM/SIGINT/SIGHUP and return a signalfd for them; call
 * before any thread is created (rte_eal_init) so every thread inherits it. */
int sup_signals_block(void);

/* Read the pending signals of s->sigfd: reap and book dead children, pass
 * SIGHUP to dpvs-ctl. Returns 1 on SIGTERM/SIGINT, else 0. */
int sup_handle_signals(struct supervisor *s);

/* Run until SIGTERM/SIGINT (returns 0) or a fatal death (returns 1). */
int sup_loop(struct supervisor *s);

/* SIGTERM every child, wait up to deadline_ms, then SIGKILL the rest. */
void sup_stop_all(struct supervisor *s, unsigned int deadline_ms);

#endif
