/*
 * dpvs-lockdie: DPDK's shared locks of a node, for test_ka_eal_locks.
 *
 *   dpvs-lockdie show PREFIX        prints "memzone=R tailq=R mempool=R
 *                                   hotplug=R", R the reader count of each,
 *                                   followed by "w" if its write bit is set
 *                                   and "+" if its writer-waiting bit is
 *                                   (no EAL: it maps /var/run/dpdk/PREFIX/config)
 *   dpvs-lockdie die PREFIX LOCK..  attaches as a plain DPDK secondary, takes
 *                                   each LOCK (memzone, tailq, mempool,
 *                                   hotplug) for reading (hotplug-write: for
 *                                   writing) and SIGKILLs itself:
 *                                   a process killed inside a lookup or its
 *                                   own EAL init, at the worst instruction.
 *                                   DPDK has no public call that takes the
 *                                   memzone lock; rte_memzone_walk() holds it
 *                                   around its callback, which dies there.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_eal_memconfig.h>
#include <rte_memzone.h>

#include "shm/eal_locks.h"

static int
show(const char *prefix)
{
	struct dpvs_mcfg_head *h;
	char dir[PATH_MAX], err[512];
	int l;

	snprintf(dir, sizeof(dir), "/var/run/dpdk/%s", prefix);
	h = dpvs_mcfg_map(dir, err, sizeof(err));
	if (h == NULL) {
		fprintf(stderr, "dpvs-lockdie: %s\n", err);
		return 1;
	}
	for (l = 0; l < DPVS_EAL_NLOCKS; l++) {
		const char *n = dpvs_mcfg_lock_name((enum dpvs_eal_lock)l);

		int32_t cnt = dpvs_mcfg_lock(h, (enum dpvs_eal_lock)l)->cnt;

		printf("%s%s=%u%s%s", l == 0 ? "" : " ",
		       strcmp(n, "memory hotplug") == 0 ? "hotplug" : n, dpvs_rwlock_readers(cnt),
		       (cnt & RTE_RWLOCK_WRITE) ? "w" : "", (cnt & RTE_RWLOCK_WAIT) ? "+" : "");
	}
	printf("\n");
	dpvs_mcfg_unmap(h);
	return 0;
}

static void
die_inside(const struct rte_memzone *mz, void *arg)
{
	(void)mz;
	(void)arg;
	raise(SIGKILL);
}

static int
die(const char *prefix, int nlocks, char **locks)
{
	char pf[128];
	char *eal[] = { (char *)"dpvs-lockdie", (char *)"--proc-type=secondary", pf,
			(char *)"--lcores=100@0", (char *)"--no-pci", (char *)"--no-telemetry",
			(char *)"--log-level=lib.eal:error", NULL };
	int i, memzone = 0;

	snprintf(pf, sizeof(pf), "--file-prefix=%s", prefix);
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0) {
		fprintf(stderr, "dpvs-lockdie: cannot attach to %s\n", prefix);
		return 1;
	}
	for (i = 0; i < nlocks; i++) {
		if (strcmp(locks[i], "memzone") == 0)
			memzone = 1;
		else if (strcmp(locks[i], "tailq") == 0)
			rte_mcfg_tailq_read_lock();
		else if (strcmp(locks[i], "mempool") == 0)
			rte_mcfg_mempool_read_lock();
		else if (strcmp(locks[i], "hotplug") == 0)
			rte_mcfg_mem_read_lock();
		else if (strcmp(locks[i], "hotplug-write") == 0)
			rte_mcfg_mem_write_lock(); /* as rte_eal_cleanup's memory detach */
		else {
			fprintf(stderr, "dpvs-lockdie: no lock '%s'\n", locks[i]);
			return 2;
		}
	}
	fflush(stdout);
	if (memzone)
		rte_memzone_walk(die_inside, NULL); /* at least the node's root memzone */
	raise(SIGKILL);
	return 1;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "show") == 0)
		return show(argv[2]);
	if (argc >= 4 && strcmp(argv[1], "die") == 0)
		return die(argv[2], argc - 3, argv + 3);
	fprintf(stderr, "usage: dpvs-lockdie show PREFIX | die PREFIX LOCK...\n");
	return 2;
}
