/*
 * Supervision of the node's secondaries by dpvs-primary: dpvs-ctl,
 * dpvs-kni-bridge, one serving process per worker, and standby worker
 * processes that have attached already and wait to take a worker over.
 *
 * In: the signalfd (SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGUSR1), the event
 * pipes of the worker processes (shm/standby.h), the heartbeats in shm, the
 * requests of dpvs-ctl in root->cmd.
 * Out: children spawned with fork+exec (PR_SET_PDEATHSIG), pid files in
 * run_dir, and the primary's fields of the root memzone (the primary-written
 * part of workers[], ctl_pid, bridge_pid, live.hang_timeout_ms, the reply
 * half of cmd).
 *
 * supervise.c: ctl and bridge, the loop, signals, liveness of ctl/bridge.
 * sup_worker.c: worker slots, standbys, takeover, liveness of workers.
 * sup_death.c: a worker process's death or exit booked, its slot handed on.
 * sup_cmd.c: planned restart and upgrade requested by dpvs-ctl.
 * sup_watch.c: threads that see a worker's death first (robust mutex).
 *
 * A dead child is replaced at once; one that died within SUP_SHORT_LIFE_NS
 * of its start waits 100 ms, doubling up to 5 s; a worker that died young
 * SUP_FAIL_AFTER times in a row is left FAILED. A child that exits with
 * DPVS_EXIT_CONFIG stops the node. A child whose heartbeat is older than the
 * hang timeout is killed (a worker taken offline on the RCU first) and
 * replaced as if it had died.
 */
#ifndef DPVS_PRIMARY_SUPERVISE_H
#define DPVS_PRIMARY_SUPERVISE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pollfd;

#include "eal_stale.h"
#include "shm/layout.h"
#include "shm/standby.h"

struct conf_cpu;

#define SUP_SHORT_LIFE_NS   1000000000ull   /* died sooner than this: back off */
#define SUP_BACKOFF_MIN_MS  100u
#define SUP_BACKOFF_MAX_MS  5000u
#define SUP_FAIL_AFTER      6u      /* young deaths in a row: FAILED */
#define SUP_START_TIMEOUT_NS (30ull * 1000000000ull) /* spawn -> first sign of life */
#define SUP_MAX_CHILDREN    (2 + DPVS_MAX_WORKERS)
#define SUP_MAX_STANDBY     4
/* processes of the worker binary: serving, taking, standbys, leaving, check */
#define SUP_MAX_WPROC       (3 * DPVS_MAX_WORKERS + SUP_MAX_STANDBY + 2)
#define SUP_DEFAULT_HANG_MS 1000u
#define SUP_CMD_DEADLINE_NS (60ull * 1000000000ull)

struct rte_rcu_qsbr;
struct dpvs_shm;

enum sup_kind {
	SUP_CTL = 0,
	SUP_BRIDGE,
	SUP_WORKER,
};

/* dpvs-ctl, the bridge, or a worker slot (whose processes are in wproc[]). */
struct sup_child {
	uint32_t kind;           /* enum sup_kind */
	uint32_t id;             /* worker id */
	char name[16];           /* "ctl", "bridge", "worker<N>": log and pid file name */
	pid_t pid;               /* serving process; 0 while none */
	uint32_t backoff_ms;     /* delay before the pending restart; 0 = at once */
	uint64_t started_ns;     /* when the serving process was started / got the slot */
	uint64_t due_ns;         /* when nothing serves: time of the next start */
	uint32_t restarts;
	uint32_t spawned;        /* started at least once */
	uint32_t young;          /* deaths in a row, each within SUP_SHORT_LIFE_NS */
	uint32_t hung;           /* ctl/bridge: killed by the liveness check */
	uint32_t failed;         /* worker: kept dying young, not restarted */
	/* worker slots only */
	int proc;                /* wproc index of the polling process, -1 */
	int taker;               /* wproc index of the process taking over, -1 */
	uint32_t poll_inc;       /* incarnation last allowed to poll (0: none yet) */
	uint32_t last_inc;       /* last incarnation handed out (never reused) */
	uint32_t planned;        /* the running takeover is a planned handover */
	uint32_t pending;        /* a (re)start is due at due_ns */
};

enum sup_wrole {
	SUP_WP_FREE = 0,
	SUP_WP_STANDBY,          /* attached or attaching, no worker yet */
	SUP_WP_WORKER,           /* polling a slot, or taking one over */
	SUP_WP_LEAVING,          /* handed over or retired: will exit by itself */
	SUP_WP_CHECK,            /* dpvs-worker --check of an upgrade */
};

/* A process of the worker binary. */
struct sup_wproc {
	pid_t pid;
	uint32_t role;           /* enum sup_wrole */
	uint32_t lcore;
	uint32_t gen;            /* binary generation (an upgrade adds one) */
	int cmd_fd;              /* our end of its command pipe, -1 */
	int ev_fd;               /* our end of its event pipe (check: its output), -1 */
	uint32_t ready;          /* standby said READY */
	uint32_t taking;         /* said TAKING */
	uint32_t hung;           /* killed by the liveness check */
	int slot;                /* worker id while role WORKER, else -1 */
	uint32_t inc;
	uint64_t started_ns;     /* spawn time */
	uint64_t take_ns;        /* TAKE sent */
	size_t evlen;            /* bytes of a partial event in evbuf */
	uint8_t evbuf[sizeof(struct dpvs_wk_event)];
	char out[512];           /* check: its output */
	size_t outlen;
	int status;              /* check: wait status once reaped */
	uint32_t reaped;
	uint32_t gone;           /* its death was booked before the reap (exiting) */
};

/* A request of dpvs-ctl being carried out (root->cmd). */
struct sup_cmd_state {
	uint32_t active;
	uint32_t seq;
	uint32_t op;             /* enum dpvs_sup_op */
	uint32_t step;           /* sup_cmd.c's state */
	uint32_t worker;         /* restart: the worker; upgrade: the next one */
	uint32_t done_workers;
	int check;               /* upgrade: wproc index of the check run, -1 */
	uint64_t deadline_ns;
	uint64_t t0_ns;
	char path[256];
};

struct supervisor {
	struct sup_child child[SUP_MAX_CHILDREN];
	unsigned int nchild;
	unsigned int nworkers;
	struct sup_wproc wproc[SUP_MAX_WPROC];
	char bindir[PATH_MAX];
	char worker_bin[PATH_MAX];  /* the worker binary (an upgrade changes it) */
	uint32_t gen;               /* generation of worker_bin */
	char prefix[64];
	char run_dir[256];
	const char *rules;        /* given to the first dpvs-ctl only */
	struct dpvs_root *root;   /* NULL in unit tests */
	struct rte_rcu_qsbr *rcu; /* NULL in unit tests */
	struct dpvs_shm *shm;     /* for the repair after a death; NULL in unit tests */
	int sigfd;
	int stopping;
	int fatal;                /* set when a death stops the node */
	uint32_t hang_ms;         /* 0 = no hang detection */
	uint32_t nstandby;        /* standby processes to keep */
	uint32_t standby_backoff_ms;
	uint64_t standby_due_ns;
	uint64_t next_check_ns;   /* next liveness check */
	struct eal_stale stale;   /* DPDK's locks dead processes left held */
	int watch_fd;             /* eventfd: a worker's `alive` mutex was left owner-dead */
	struct sup_cmd_state cmd;
	uint32_t repairs;           /* sup_repair_after_death() calls (log, tests) */
	/* lcore ids a process was started on whose mbuf pool cache has not been
	 * emptied since (sup_lcore_discard): never handed out again while set */
	uint8_t lcore_dirty[DPVS_LCORE_BRIDGE + 1];
	uint32_t lcore_discards;    /* sup_lcore_discard() calls (tests) */
	uint32_t last_discard;      /* the lcore id of the last one (tests) */
	const struct conf_cpu *cpu; /* placement of the workers; NULL: they float */
};

/* The child entry of worker id (child[0] is dpvs-ctl, child[1] the bridge). */
static inline struct sup_child *
sup_worker_child(struct supervisor *s, uint32_t id)
{
	return &s->child[2 + id];
}

/* Worker id's slot in shared memory; NULL in unit tests (no root). */
static inline struct dpvs_worker_slot *
sup_worker_slot(struct supervisor *s, uint32_t id)
{
	return s->root != NULL ? &s->root->workers[id] : NULL;
}

/* Set up the child table for nworkers workers (no process is started). */
void sup_init(struct supervisor *s, uint32_t nworkers);

/* The delay before restarting a child that lived lived_ns, after a previous
 * delay prev_ms: 0 after a long life, else 100 ms doubling up to 5 s. */
uint32_t sup_backoff_ms(uint32_t prev_ms, uint64_t lived_ns);

/* "exited with status 3", "killed by signal 9 (Killed)", ... */
void sup_status_str(int status, char *buf, size_t len);

/* What a death of a worker that keeps dying young most likely means. */
const char *sup_likely_reason(int status);

/* 1 when this wait status means a restart cannot help. */
int sup_death_is_fatal(int status);

/* Book the death of ctl, the bridge, or the serving process of a worker
 * slot at now: slot fields, RCU offline, the repair of the shared objects it
 * used (sup_repair_after_death), next start time. */
void sup_on_death(struct supervisor *s, struct sup_child *c, int status, uint64_t now);

/* Milliseconds until the next timed action (poll timeout), -1 if none. */
int sup_timeout_ms(const struct supervisor *s, uint64_t now);

/* Start every child that is due at now. Returns -1 if a fork failed. */
int sup_start_due(struct supervisor *s, uint64_t now);

/* Block SIGCHLD/SIGTERM/SIGINT/SIGHUP/SIGUSR1 and return a signalfd for
 * them; call before any thread is created (rte_eal_init) so every thread
 * inherits it. */
int sup_signals_block(void);

/* Read the pending signals of s->sigfd: reap and book dead children, pass
 * SIGHUP to dpvs-ctl, look at dpvs-ctl's request on SIGUSR1. Returns 1 on
 * SIGTERM/SIGINT, else 0. */
int sup_handle_signals(struct supervisor *s);

/* Run until SIGTERM/SIGINT (returns 0) or a fatal death (returns 1). */
int sup_loop(struct supervisor *s);

/* SIGTERM every child, wait up to deadline_ms, then SIGKILL the rest. */
void sup_stop_all(struct supervisor *s, unsigned int deadline_ms);

/* ---- supervise.c, shared with sup_worker.c, sup_death.c and sup_cmd.c ---- */

/* fork + exec bin with argv; new_fds[0..nfds) become fds 3, 4, ... in the
 * child; out_fd (if >= 0) becomes its stdout and stderr; the child runs at
 * nice nice_val (SUP_NICE_KEEP: the primary's). Returns the pid or -1. */
pid_t sup_spawn(const char *bin, char *const argv[], const int *new_fds, int nfds, int out_fd,
		int nice_val);

/* ---- sup_prio.c: a worker process's priority while it attaches ---- */

#define SUP_NICE_KEEP 100          /* not a nice value: leave it */
#define SUP_ATTACH_NICE_BOOST 10   /* nice levels above the primary's */

/* The nice a process of the worker binary attaches at: the primary's minus
 * SUP_ATTACH_NICE_BOOST (at least -20); SUP_NICE_KEEP if unknown. */
int sup_prio_attach_nice(void);
/* In the child between fork and exec: take nice_val (failure ignored: it
 * then attaches at the primary's nice). */
void sup_prio_child(int nice_val);
/* Every thread of pid back at the primary's nice; the number of threads
 * set (fewer than it has: warned of), or a negative errno. */
int sup_prio_restore(pid_t pid);
/* A process leaving (its EAL cleanup, sup_prio.c): every thread of pid at
 * sup_prio_attach_nice() and, when [cpu] pins the workers, on the CPUs but
 * theirs; left as it is when there are none. The same return. */
int sup_prio_leave(const struct supervisor *s, pid_t pid);

/* The single place where the primary repairs what a dead process left in
 * shared objects (its rings' sides, its pool magazine, the depot lock):
 * dpvs_repair_after_death() for its role (primary/repair.c). Called for
 * every death of a worker (after RCU offline, before dead_inc), dpvs-ctl or
 * the bridge (before its restart), once the process is reaped or its main
 * thread is in the kernel's exit; never after a planned handover. */
void sup_repair_after_death(struct supervisor *s, uint32_t kind, uint32_t id);

/* The process that had lcore id lcore is reaped: empty that id's cache of the
 * mbuf pool (prim_repair_lcore) before the id goes to another process. */
void sup_lcore_discard(struct supervisor *s, unsigned int lcore, const char *name);

/* ---- sup_worker.c ---- */

/* Start worker slot c (cold, or by a standby) at now. */
void sup_worker_start(struct supervisor *s, struct sup_child *c, uint64_t now);
/* Keep nstandby standbys of the current binary; spawn what is due. */
void sup_standby_tick(struct supervisor *s, uint64_t now);
/* Spawn one process of the worker binary in standby mode; its wproc index
 * or -1. */
int sup_wproc_spawn(struct supervisor *s, uint32_t role, int prefer_lcore, uint64_t now);
/* A ready standby of the current generation (or one still attaching if
 * ready_only is 0); -1 if none. */
int sup_standby_find(const struct supervisor *s, int ready_only);
/* Send TAKE to process w for slot c. */
int sup_take(struct supervisor *s, struct sup_child *c, int w, uint32_t mode, uint64_t now);
/* Read the event pipes that poll() marked readable. */
void sup_wproc_events(struct supervisor *s, uint64_t now);
/* Fill pfd with the event pipes; returns how many. */
unsigned int sup_wproc_pollfds(const struct supervisor *s, struct pollfd *pfd, unsigned int max);
/* Kill what stopped beating (workers, ctl, bridge): sup_live.c. */
void sup_check_liveness(struct supervisor *s, uint64_t now);
/* Index of the worker process with this pid, -1. */
int sup_wproc_find(const struct supervisor *s, pid_t pid);
/* Retire every standby (close its command pipe: it exits 0). */
void sup_standby_retire_all(struct supervisor *s);
/* Publish the primary's part of c's slot with state (STARTING, BACKOFF,
 * STOPPED, FAILED; RUNNING is published as STARTING). */
void sup_slot_publish(struct supervisor *s, struct sup_child *c, uint32_t state);
/* Close *fd if open; *fd = -1. */
void sup_close_fd(int *fd);

/* ---- sup_death.c ---- */

/* The slot's serving process died (no wproc entry: unit tests). */
void sup_slot_died(struct supervisor *s, struct sup_child *c, int status, uint64_t now);
/* Reap hook: process at wproc index w died with status. */
void sup_wproc_died(struct supervisor *s, int w, int status, uint64_t now);
/* The serving process of worker id is exiting (its robust mutex or its
 * event pipe says so): book its death now, before the reap. */
void sup_worker_exiting(struct supervisor *s, uint32_t id, pid_t pid, uint64_t now);
/* The event pipe of process w reached EOF (sup_wproc_events closed it). */
void sup_wproc_eof(struct supervisor *s, int w, uint64_t now);

/* ---- sup_watch.c ---- */

/* One thread per worker slot waiting for its `alive` mutex to be left
 * owner-dead; they wake the loop through s->watch_fd. 0 or -1. */
int sup_watch_start(struct supervisor *s);
/* Book what the watch threads saw. */
void sup_watch_drain(struct supervisor *s, uint64_t now);
/* Stop and join the watch threads (before the root memzone goes away). */
void sup_watch_stop(struct supervisor *s);

/* ---- sup_cmd.c ---- */

/* Look at root->cmd: start a new request if one is waiting. */
void sup_cmd_poll(struct supervisor *s, uint64_t now);
/* Advance the request being carried out. */
void sup_cmd_tick(struct supervisor *s, uint64_t now);
/* Reply to dpvs-ctl: status (0 or -errno) and a message. */
void sup_cmd_reply(struct supervisor *s, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A planned handover of worker id to a ready standby: 0 started, -EAGAIN no
 * ready standby yet, other -errno with a message in err. */
int sup_planned_start(struct supervisor *s, uint32_t id, uint64_t now, char *err, size_t len);

#endif
