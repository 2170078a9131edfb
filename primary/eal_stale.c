/*
 * Releases what dead processes left in DPDK's shared locks (see eal_stale.h
 * for the rules and shm/eal_locks.h for the locks). Runs in the primary's
 * main thread: eal_stale_tick from the supervisor's loop, eal_stale_release
 * at stop, when no child of ours is left: the only live holders could then
 * be other DPDK processes attached to the node (each has a socket
 * mp_socket_<pid>_<n> in the runtime directory) or the primary's own EAL
 * threads answering them, and their holds last microseconds. State: the
 * struct eal_stale of the caller, and the lock words.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>

#include "log.h"
#include "eal_stale.h"
#include "shm/eal_locks.h"

/* Live DPDK processes other than this one attached to the node. */
static unsigned int
foreign_secondaries(void)
{
	DIR *d = opendir(rte_eal_get_runtime_dir());
	struct dirent *de;
	unsigned int n = 0;
	long pid;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (sscanf(de->d_name, "mp_socket_%ld_", &pid) != 1 || pid <= 0 ||
		    pid == (long)getpid())
			continue;
		n += kill((pid_t)pid, 0) == 0;
	}
	closedir(d);
	return n;
}

/* Readers of each lock in held[], write bits in *wbits (bit l); 0 if none
 * of either. */
static uint32_t
locks_held(struct dpvs_mcfg_head *h, uint32_t held[DPVS_EAL_NLOCKS], unsigned int *wbits)
{
	uint32_t total = 0;
	int32_t cnt;
	int l;

	*wbits = 0;
	for (l = 0; l < DPVS_EAL_NLOCKS; l++) {
		cnt = __atomic_load_n(&dpvs_mcfg_lock(h, (enum dpvs_eal_lock)l)->cnt,
				      __ATOMIC_ACQUIRE);
		held[l] = dpvs_rwlock_readers(cnt);
		*wbits |= (cnt & RTE_RWLOCK_WRITE) ? 1u << l : 0;
		total += held[l];
	}
	return total + *wbits;
}

void
eal_stale_init_head(struct eal_stale *st, struct dpvs_mcfg_head *h)
{
	memset(st, 0, sizeof(*st));
	st->h = h;
}

void
eal_stale_init(struct eal_stale *st)
{
	char err[256];

	/* never open the config file here: its close would drop the EAL's lock
	 * that tells the secondaries we are alive (shm/eal_locks.h) */
	eal_stale_init_head(st, dpvs_mcfg_self(rte_eal_get_runtime_dir(), err, sizeof(err)));
	if (st->h == NULL)
		PLOG(WARNING, "cannot look at DPDK's shared locks (%s): a lock a dead process "
		     "left held is not released while the node runs", err);
}

void
eal_stale_fini(struct eal_stale *st)
{
	st->h = NULL; /* the EAL's mapping: not ours to unmap */
}

/* The window ended: release what was held all along. */
static void
window_end(struct eal_stale *st, uint64_t held_ns)
{
	unsigned long long held_s = held_ns / 1000000000ull;
	int l;

	for (l = 0; l < DPVS_EAL_NLOCKS; l++) {
		rte_rwlock_t *w = dpvs_mcfg_lock(st->h, (enum dpvs_eal_lock)l);
		const char *name = dpvs_mcfg_lock_name((enum dpvs_eal_lock)l);
		int32_t wait = RTE_RWLOCK_WAIT;

		if (st->rmin[l] > 0) {
			PLOG(WARNING, "DPDK's %s lock: %u reader count(s) held without a break for "
			     "%llu s: left by a process that died holding it; releasing them",
			     name, st->rmin[l], held_s);
			__atomic_fetch_sub(&w->cnt, (int32_t)(st->rmin[l] * RTE_RWLOCK_READ),
					   __ATOMIC_RELEASE);
			st->released += st->rmin[l];
		} else if (st->wait_only[l] &&
			   __atomic_compare_exchange_n(&w->cnt, &wait, 0, 0, __ATOMIC_ACQ_REL,
						       __ATOMIC_RELAXED)) {
			PLOG(WARNING, "DPDK's %s lock: its writer-waiting bit stayed set with no "
			     "reader and no writer for %llu s: left by a writer that died "
			     "waiting; cleared (it blocked every new reader)", name, held_s);
			st->released++;
		} else if (st->write_only[l]) {
			PLOG(WARNING, "DPDK's %s lock: held for writing without a break for %llu s "
			     "with no reader: left by a secondary killed in rte_eal_cleanup's "
			     "memory detach (the only writer but the primary, and it changes "
			     "nothing shared); released (it blocked every new secondary)", name, held_s);
			__atomic_fetch_and(&w->cnt, ~(int32_t)RTE_RWLOCK_WRITE, __ATOMIC_RELEASE);
			st->released++;
		}
	}
}

/* Takes a sample at now into the window; 1 if something is held. */
static int
sample(struct eal_stale *st, int first, uint64_t now)
{
	int held = 0, l;

	for (l = 0; l < DPVS_EAL_NLOCKS; l++) {
		int32_t cnt = __atomic_load_n(&dpvs_mcfg_lock(st->h, (enum dpvs_eal_lock)l)->cnt,
					      __ATOMIC_ACQUIRE);
		uint32_t r = dpvs_rwlock_readers(cnt);

		if ((cnt & RTE_RWLOCK_WRITE) && l != DPVS_EAL_HOTPLUG && !st->write_told[l]) {
			st->write_told[l] = 1;
			PLOG(WARNING, "DPDK's %s lock is held for writing (seen in a look that "
			     "repeats every second; said once)",
			     dpvs_mcfg_lock_name((enum dpvs_eal_lock)l));
		}
		st->rmin[l] = first || r < st->rmin[l] ? r : st->rmin[l];
		st->wait_only[l] = (first || st->wait_only[l]) && cnt == RTE_RWLOCK_WAIT;
		st->write_only[l] = (first || st->write_only[l]) && l == DPVS_EAL_HOTPLUG &&
				    (cnt & ~RTE_RWLOCK_WAIT) == RTE_RWLOCK_WRITE;
		held |= st->rmin[l] > 0 || st->wait_only[l] || st->write_only[l];
		if (!(cnt & RTE_RWLOCK_WAIT) || r == 0)
			st->wait_ns[l] = 0;
		else if (st->wait_ns[l] == 0)
			st->wait_ns[l] = now;
	}
	return held;
}

/* A live process of the node may own a hold the window would release
 * (eal_stale.h): its end waits. */
static int
owner_may_live(const struct eal_stale *st)
{
	int l;

	if (st->detaching && st->write_only[DPVS_EAL_HOTPLUG])
		return 1;
	for (l = 0; l < DPVS_EAL_NLOCKS; l++)
		/* an attacher started behind a waiting writer spins, holds none */
		if (st->rmin[l] > 0 && st->attacher_ns != 0 &&
		    (st->wait_ns[l] == 0 || st->attacher_ns <= st->wait_ns[l]))
			return 1;
	return 0;
}

uint64_t
eal_stale_tick(struct eal_stale *st, uint64_t now)
{
	if (st->h == NULL)
		return 0;
	if (now < st->next_ns)
		return st->next_ns;
	if (!sample(st, st->window_ns == 0, now)) {
		st->window_ns = 0;
		st->next_ns = now + EAL_STALE_LOOK_NS;
		return st->next_ns;
	}
	if (st->window_ns == 0)
		st->window_ns = now;
	/* while a process of ours that may own the hold lives, the hold may be
	 * long: conclude on a sample taken while none does (eal_stale.h) */
	if (now - st->window_ns >= EAL_STALE_WINDOW_NS &&
	    (!owner_may_live(st) || now - st->window_ns >= EAL_STALE_BUSY_WINDOW_NS)) {
		window_end(st, now - st->window_ns);
		st->window_ns = 0;
		st->next_ns = now + EAL_STALE_LOOK_NS;
		return st->next_ns;
	}
	st->next_ns = now + EAL_STALE_SAMPLE_NS;
	return st->next_ns;
}

unsigned int
eal_stale_release(unsigned int wait_ms)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	uint32_t held[DPVS_EAL_NLOCKS], total = 0;
	struct dpvs_mcfg_head *h;
	unsigned int foreign, waited = 0, wbits;
	char err[256];
	int l;

	h = dpvs_mcfg_self(rte_eal_get_runtime_dir(), err, sizeof(err));
	if (h == NULL) {
		PLOG(WARNING, "cannot look at DPDK's shared locks: %s", err);
		return 0;
	}
	foreign = foreign_secondaries();
	if (foreign > 0)
		wait_ms *= 4;
	while (locks_held(h, held, &wbits) > 0 && waited < wait_ms) {
		nanosleep(&tick, NULL);
		waited += 10;
	}
	for (l = 0; l < DPVS_EAL_NLOCKS; l++) {
		if (held[l] == 0)
			continue;
		PLOG(WARNING, "DPDK's %s lock is still held by %u reader(s) after %u ms with "
		     "every process of the node gone%s: a process died holding it; "
		     "releasing it", dpvs_mcfg_lock_name((enum dpvs_eal_lock)l), held[l],
		     waited, foreign > 0 ? " but another DPDK process attached" : "");
		__atomic_fetch_sub(&dpvs_mcfg_lock(h, (enum dpvs_eal_lock)l)->cnt,
				   (int32_t)(held[l] * RTE_RWLOCK_READ), __ATOMIC_RELEASE);
		total += held[l];
	}
	/* a write bit with every process of ours gone: a secondary killed in
	 * rte_eal_cleanup's memory detach (our stop deadline), or in a write
	 * of its own; the primary's memzone frees below would spin on it */
	for (l = 0; l < DPVS_EAL_NLOCKS; l++) {
		if (!(wbits & (1u << l)))
			continue;
		PLOG(WARNING, "DPDK's %s lock is still held for writing after %u ms with every "
		     "process of the node gone%s: a process died holding it; releasing it",
		     dpvs_mcfg_lock_name((enum dpvs_eal_lock)l), waited,
		     foreign > 0 ? " but another DPDK process attached" : "");
		__atomic_fetch_and(&dpvs_mcfg_lock(h, (enum dpvs_eal_lock)l)->cnt,
				   ~(int32_t)RTE_RWLOCK_WRITE, __ATOMIC_RELEASE);
		total++;
	}
	return total;
}
