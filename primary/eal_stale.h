/*
 * DPDK's shared locks left held by dead processes (shm/eal_locks.h): found
 * and released by the primary.
 *
 * While the node runs (eal_stale_tick, from the supervisor's loop): once a
 * second the primary looks at the four rwlocks; when one has readers, or
 * only its writer-waiting bit, it samples it every 100 ms for 5 s. Readers
 * that never all went in that window (the smallest count seen) belong to
 * dead processes: every hold of ours or of DPDK's tools lasts microseconds
 * (a lookup) or a fraction of a second (a secondary's EAL init), and a live
 * hold only adds to a stale count, so taking off the smallest count seen
 * never takes a live reader's. A writer-waiting bit alone (no reader, no
 * writer) for the whole window was left by a writer killed while it
 * waited: a live waiting writer takes the lock the moment the readers go.
 * It blocks every later reader (a new worker's EAL init), so it is cleared.
 * The hotplug lock's write bit held alone for the whole window is released
 * too: the only writer besides the primary is a secondary's memory detach in
 * rte_eal_cleanup(), which changes nothing shared (it unmaps its own view),
 * and a secondary killed there would block every new secondary's EAL init.
 * The other locks' write bit is only reported: the memzone or tailq list it
 * guarded may be half written.
 *
 * But a secondary's EAL init or cleanup is CPU work at the machine's
 * mercy: with busy loops on every CPU one was seen to hold the hotplug lock
 * for more than 5 s, alive, and the repair took off its reader count (it
 * then went below zero at its unlock). So a window that has lasted 5 s goes
 * on, up to EAL_STALE_BUSY_WINDOW_NS, while a process of the node that may
 * own what is held is alive, as the supervisor (which knows them) says
 * before each tick; the kind of hold says which processes may own it:
 * - reader counts: an attacher (attacher_ns: a process of the worker binary
 *   spawned and neither READY nor leaving, a check, dpvs-ctl or the bridge
 *   before its first beat), by the start of the oldest. Not one that
 *   started after a writer was seen waiting behind the readers (the waiting
 *   bit with readers, at every sample since: wait_ns): a reader gets in only
 *   while neither writer bit is set (rte_rwlock_read_lock adds its count
 *   and takes it back at once if one is), and the waiting bit goes only when
 *   a writer takes the lock, which needs the readers gone, so a process
 *   spinning there holds no count. That is the one that would keep the rule
 *   going: a dead reader's count, a leaving worker's cleanup waiting to write
 *   behind it, and the standby spawned to refill spinning behind that.
 * - the hotplug lock's write bit: a detacher (detaching: a worker process
 *   leaving, until reaped, or a check), whose rte_eal_cleanup holds it; the
 *   standbys spinning to read behind it hold nothing and do not count, so
 *   the bit of a leaving worker SIGKILLed in its detach goes at 5 s, once
 *   that worker is reaped.
 * - a waiting bit alone: never waited for (a live writer that finds it
 *   cleared takes the lock at its next look).
 * The window ends at the first sample taken after 5 s with no such process
 * alive: by then every hold of theirs is gone. What remains: an attacher
 * that is in fact spinning but started before the writer came (or a
 * waiting writer's run that a whole other writer's hold fits between two
 * samples of) still counts, so a dead reader beside a live slow attacher
 * (or a check, or an attacher spinning on a dead detach's write bit) waits
 * the 40 s, beyond the supervisor's 30 s for an attach (a process that has
 * not attached by then is killed, and what it held is a dead process's). A
 * foreign DPDK process (dpdk-dumpcap) is not known to the supervisor: its
 * holds get 5 s.
 *
 * At stop (eal_stale_release), with every child reaped: whatever readers
 * and write bits are left after a short wait are released at once.
 */
#ifndef DPVS_PRIMARY_EAL_STALE_H
#define DPVS_PRIMARY_EAL_STALE_H

#include <stdint.h>

#include "shm/eal_locks.h"

#define EAL_STALE_LOOK_NS   1000000000ull  /* a look when nothing is held */
#define EAL_STALE_SAMPLE_NS 100000000ull   /* samples within a window */
#define EAL_STALE_WINDOW_NS 5000000000ull  /* held this long: stale */
#define EAL_STALE_BUSY_WINDOW_NS 40000000000ull /* ... or this long while its owner may live */

struct eal_stale {
	struct dpvs_mcfg_head *h;       /* NULL: no repair (cannot map) */
	uint64_t next_ns;               /* next look or sample */
	uint64_t window_ns;             /* start of the window, 0: none */
	uint32_t rmin[DPVS_EAL_NLOCKS]; /* fewest readers seen in the window */
	uint8_t wait_only[DPVS_EAL_NLOCKS]; /* only the waiting bit, every sample */
	uint8_t write_only[DPVS_EAL_NLOCKS]; /* hotplug: only its write bit, every sample */
	uint8_t write_told[DPVS_EAL_NLOCKS];
	uint64_t wait_ns[DPVS_EAL_NLOCKS]; /* first sample of the run showing the
					 * waiting bit with readers, 0: none */
	uint32_t released;              /* reader counts and bits released */
	/* set by the caller before each tick (what may own a hold, above) */
	uint64_t attacher_ns;           /* start of the oldest live attacher, 0: none */
	uint8_t detaching;              /* a live detacher */
};

/* Maps this node's config (the primary's runtime directory); a warning and
 * no repair if it cannot. */
void eal_stale_init(struct eal_stale *st);
/* With a head the caller maps itself (unit tests). */
void eal_stale_init_head(struct eal_stale *st, struct dpvs_mcfg_head *h);
void eal_stale_fini(struct eal_stale *st);

/* One step at time now; returns when it wants the next (0: never). */
uint64_t eal_stale_tick(struct eal_stale *st, uint64_t now);

/* At stop, after every child was reaped and before anything that takes one
 * of DPDK's locks for writing (freeing memzones, rte_eal_cleanup): a reader
 * count or write bit still held after wait_ms (four times longer while
 * another DPDK process, such as dpdk-dumpcap, is attached) is released with
 * a warning. Returns the number of reader counts and write bits released. */
unsigned int eal_stale_release(unsigned int wait_ms);

#endif
