/*
 * EAL start-up shared by the secondaries (worker, ctl, bridge): builds the
 * EAL argument list for a secondary of a given file prefix on a fixed lcore
 * id (floating over every CPU) and calls rte_eal_init().
 */
#ifndef DPVS_SHM_EAL_H
#define DPVS_SHM_EAL_H

/* Set by dpvs-primary in its environment (inherited by the secondaries it
 * spawns) when the node has no PCI port: the secondaries then skip the PCI
 * scan, which would only find devices the primary does not drive. */
#define DPVS_ENV_NO_PCI "DPVS_NO_PCI"

/* Returns 0 or a negative errno; on failure a message is printed on stderr. */
int dpvs_secondary_eal_init(const char *progname, const char *file_prefix,
			    unsigned int lcore_id);

/* SIGTERM and SIGINT blocked in the calling thread (and so in the threads
 * rte_eal_init() creates) from dpvs_secondary_eal_init() on, until
 * dpvs_stop_signals_unblock(): a stop asked while the process attaches (the
 * primary stops the node while a secondary starts) waits until it holds
 * none of DPDK's shared locks; killed inside them, it would leave them held
 * for ever (shm/eal_locks.h). A caller unblocks once its own handler (or
 * libevent's) is in place; a pending signal is delivered then. */
void dpvs_stop_signals_unblock(void);

/* End a single-process EAL (tests, fixtures, bench): rte_eal_cleanup(), then
 * remove the runtime directory that EAL leaves behind even with --no-shconf. */
void dpvs_eal_cleanup_private(void);

/* "--lcores" value for lcore_id floating over the CPUs this process may run
 * on (its affinity; all online CPUs if unknown), e.g. "3@(0,1)". */
#define DPVS_LCORES_ARG_LEN 192
void dpvs_lcores_arg(char *buf, unsigned long len, unsigned int lcore_id);

#endif
