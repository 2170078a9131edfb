/*
 * DPDK's own locks in its shared memory config (struct rte_mem_config, the
 * file <runtime dir>/config every process of a node maps): the memzone,
 * tailq and mempool rwlocks and the memory hotplug rwlock. A process killed
 * while it holds one for reading (a secondary inside rte_eal_init() holds
 * the hotplug lock from its memory attach to the end of its heap init; any
 * rte_memzone_lookup, rte_ring_lookup or rte_mempool_lookup holds one for
 * microseconds) leaves its reader count in the word for ever: every later
 * writer (the primary freeing a memzone at stop, dpdk-dumpcap creating its
 * ring) then spins for ever. DPDK has no owner record to repair it from; the
 * primary can, once it knows no live process holds the lock (see
 * primary/eal_stale.c and docs/crash-safety.md).
 *
 * This maps the head of that config read-write a second time (no EAL needed,
 * so a test tool can read it too) and names its locks. The head's layout is
 * DPDK's private eal_memcfg.h, unchanged from 22.11 to 24.11: magic, version,
 * nchannel, nrank, then the locks; the mapping is refused unless magic and
 * version match this build's DPDK. Types, and three small functions.
 */
#ifndef DPVS_SHM_EAL_LOCKS_H
#define DPVS_SHM_EAL_LOCKS_H

#include <stddef.h>
#include <stdint.h>

#include <rte_rwlock.h>
#include <rte_spinlock.h>

struct dpvs_mcfg_head {
	volatile uint32_t magic;        /* RTE_MAGIC once the primary set it up */
	uint32_t version;               /* RTE_VERSION of the primary's DPDK */
	uint32_t nchannel;
	uint32_t nrank;
	rte_rwlock_t mlock;             /* memzones */
	rte_rwlock_t qlock;             /* tailqs: ring, mempool, hash lookups */
	rte_rwlock_t mplock;            /* mempools */
	rte_spinlock_t tlock;           /* timers (not repaired: we use none) */
	rte_rwlock_t memory_hotplug_lock;
};

enum dpvs_eal_lock { DPVS_EAL_MLOCK, DPVS_EAL_QLOCK, DPVS_EAL_MPLOCK, DPVS_EAL_HOTPLUG,
		     DPVS_EAL_NLOCKS };

/* Maps <runtime_dir>/config; NULL and a message in err if it cannot (no
 * such file, or another DPDK's layout). Undo with dpvs_mcfg_unmap(). Never
 * in a process that has that node's EAL up (the primary): the close() of
 * the file would drop the EAL's fcntl lock on it, by which the secondaries
 * know the primary is alive (POSIX record locks are per process and go with
 * any descriptor of the file): use dpvs_mcfg_self() there. */
struct dpvs_mcfg_head *dpvs_mcfg_map(const char *runtime_dir, char *err, size_t errlen);
void dpvs_mcfg_unmap(struct dpvs_mcfg_head *h);

/* The EAL's own mapping of <runtime_dir>/config in this process, found in
 * /proc/self/maps (no descriptor opened): for a process whose EAL is up.
 * Not to be unmapped. NULL and a message in err if not found or another
 * DPDK's layout. */
struct dpvs_mcfg_head *dpvs_mcfg_self(const char *runtime_dir, char *err, size_t errlen);

/* The lock word of one lock, and what it says. */
rte_rwlock_t *dpvs_mcfg_lock(struct dpvs_mcfg_head *h, enum dpvs_eal_lock l);
const char *dpvs_mcfg_lock_name(enum dpvs_eal_lock l);
static inline uint32_t
dpvs_rwlock_readers(int32_t cnt)
{
	return (uint32_t)cnt / RTE_RWLOCK_READ;
}

#endif
