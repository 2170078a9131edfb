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
 * then went below zero at its unlock). So while a process of the node is in
 * its EAL init or cleanup (busy, from the supervisor, which knows: spawned
 * and not READY, a check, a worker process leaving, dpvs-ctl or the bridge
 * before its first beat), a window that has lasted 5 s goes on until a
 * sample taken while none is, by then every hold of theirs is gone, and so
 * from every sample after; at most EAL_STALE_BUSY_WINDOW_NS, beyond the
 * supervisor's 30 s for an attach (a process that has not attached by then
 * is killed, and what it held is a dead process's). A foreign DPDK process
 * (dpdk-dumpcap) is not known to the supervisor: its holds get 5 s.
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
#define EAL_STALE_BUSY_WINDOW_NS 40000000000ull /* ... or this long while busy */

struct eal_stale {
	struct dpvs_mcfg_head *h;       /* NULL: no repair (cannot map) */
	uint64_t next_ns;               /* next look or sample */
	uint64_t window_ns;             /* start of the window, 0: none */
	uint32_t rmin[DPVS_EAL_NLOCKS]; /* fewest readers seen in the window */
	uint8_t wait_only[DPVS_EAL_NLOCKS]; /* only the waiting bit, every sample */
	uint8_t write_only[DPVS_EAL_NLOCKS]; /* hotplug: only its write bit, every sample */
	uint8_t write_told[DPVS_EAL_NLOCKS];
	uint32_t released;              /* reader counts and bits released */
	uint8_t busy;                   /* set by the caller before each tick: a
					 * process of the node is in its EAL init
					 * or cleanup */
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
