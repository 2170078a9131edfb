/*
 * CPU priority of a process of the worker binary while it attaches (see
 * supervise.h). A standby's attach (the secondary's EAL start: the lcore
 * detection's sysfs walk, ~130 driver plugins loaded, IPC round trips with the
 * primary for the vdevs and the tap queues) is a bounded piece of CPU work,
 * 60-80 ms on the idle development VM, that a worker restart or upgrade waits
 * for. At the nice of everything else it gets its fair share only: 16 busy
 * loops on the 2-CPU VM stretched it to 0.5-1.2 s, and the share shrinks with
 * every runnable thread added. So it runs SUP_ATTACH_NICE_BOOST nice levels
 * above the primary until it says READY; then every thread it has is put back
 * at the primary's nice (a worker must not outrank what it shares a CPU with
 * on the primary's say-so). A process leaving (handed over, retired) gets the
 * boost again for its exit: rte_eal_cleanup()'s memory detach holds the
 * hotplug lock for writing, which every attaching standby then waits for.
 * With [cpu] pinning the workers, a worker handed over still has its main
 * thread on its worker's CPU, where its successor polls now: boosted there,
 * its cleanup would take long slices from it. So every thread of a process
 * leaving is first moved to the CPUs the primary may run on but the
 * workers' (the control CPUs, or all but the workers' without a control
 * list), and if there are none it is left as it is, unboosted. Moved rather
 * than left unboosted: its cleanup still outranks the load the standbys
 * wait behind, and no worker's CPU is touched. Restore and boost warn of a
 * thread they could not set (the restore's: a worker that keeps the boost).
 * Needs CAP_SYS_NICE (root) or an RLIMIT_NICE that allows it; without, the
 * process attaches at the primary's nice, as before. Main thread of the
 * primary (and the child between fork and exec: sup_prio_child is one system
 * call).
 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cpu.h"
#include "log.h"
#include "supervise.h"

int
sup_prio_attach_nice(void)
{
	int base;

	errno = 0;
	base = getpriority(PRIO_PROCESS, 0);
	if (base == -1 && errno != 0)
		return SUP_NICE_KEEP;
	base -= SUP_ATTACH_NICE_BOOST;
	return base < -20 ? -20 : base;
}

void
sup_prio_child(int nice_val)
{
	if (nice_val != SUP_NICE_KEEP)
		(void)setpriority(PRIO_PROCESS, 0, nice_val);
}

/* Every thread of pid at nice_val (SUP_NICE_KEEP: its own) and on cpus
 * (NULL: where it is); how many, or a negative errno. A thread left as it
 * was (not one that exited meanwhile) is warned of: for the restore, a
 * worker that keeps the boost outranks what shares its CPU. */
static int
set_all(pid_t pid, int nice_val, const cpu_set_t *cpus, const char *what)
{
	char path[64];
	struct dirent *de;
	int n = 0, left = 0, err = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (d == NULL)
		return -errno;
	/* nice and affinity are a thread's own: the EAL's threads inherited
	 * the boost, the main thread of a worker was pinned alone */
	while ((de = readdir(d)) != NULL) {
		int tid = atoi(de->d_name);

		if (tid <= 0)
			continue;
		if ((cpus == NULL || sched_setaffinity(tid, sizeof(*cpus), cpus) == 0) &&
		    (nice_val == SUP_NICE_KEEP ||
		     setpriority(PRIO_PROCESS, (id_t)tid, nice_val) == 0)) {
			n++;
		} else if (errno != ESRCH) {
			left++;
			err = errno;
		}
	}
	closedir(d);
	if (left > 0)
		PLOG(WARNING, "process %d: %s: done for %d of its %d thread(s), not the others: %s",
		     (int)pid, what, n, n + left, strerror(err));
	return n;
}

int
sup_prio_restore(pid_t pid)
{
	int base;

	errno = 0;
	base = getpriority(PRIO_PROCESS, 0);
	if (base == -1 && errno != 0)
		return -errno;
	return set_all(pid, base, NULL, "put back at our nice after its attach");
}

/* The CPUs pid's main thread may run on, "0,2,3" (the log). */
static void
cpus_str(pid_t pid, char *buf, size_t len)
{
	cpu_set_t set;
	size_t off = 0;
	int k;

	buf[0] = '\0';
	if (sched_getaffinity(pid, sizeof(set), &set) != 0)
		return;
	for (k = 0; k < CPU_SETSIZE && off + 8 < len; k++)
		if (CPU_ISSET(k, &set))
			off += (size_t)snprintf(buf + off, len - off, "%s%d", off > 0 ? "," : "", k);
}

int
sup_prio_leave(const struct supervisor *s, pid_t pid)
{
	int nice_val = sup_prio_attach_nice(), ncpu = 0, n;
	char cpus[128];
	cpu_set_t off;

	if (s->cpu != NULL && s->cpu->nworker_cpus > 0) {
		ncpu = cpu_off_workers(s->cpu, &off);
		if (ncpu <= 0) {
			PLOG(DEBUG, "process %d leaves at our nice, where it runs: no CPU but "
			     "the workers' to move it to", (int)pid);
			return 0;
		}
	}
	if (nice_val == SUP_NICE_KEEP && ncpu == 0)
		return 0;
	n = set_all(pid, nice_val, ncpu > 0 ? &off : NULL,
		    ncpu > 0 ? "moved off the workers' CPUs and boosted for its exit" :
		    "boosted for its exit");
	if (ncpu > 0 && n > 0) {
		cpus_str(pid, cpus, sizeof(cpus));
		PLOG(INFO, "process %d leaves on CPUs %s (off the workers'): %d thread(s) moved",
		     (int)pid, cpus, n);
	}
	return n;
}
