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
 * Needs CAP_SYS_NICE (root) or an RLIMIT_NICE that allows it; without, the
 * process attaches at the primary's nice, as before. Main thread of the
 * primary (and the child between fork and exec: sup_prio_child is one system
 * call).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

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

/* Every thread of pid at nice_val; how many, or a negative errno. */
static int
set_all(pid_t pid, int nice_val)
{
	char path[64];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (d == NULL)
		return -errno;
	/* nice is a thread's own: the EAL's threads inherited the boost */
	while ((de = readdir(d)) != NULL) {
		int tid = atoi(de->d_name);

		if (tid > 0 && setpriority(PRIO_PROCESS, (id_t)tid, nice_val) == 0)
			n++;
	}
	closedir(d);
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
	return set_all(pid, base);
}

int
sup_prio_boost(pid_t pid)
{
	int nice_val = sup_prio_attach_nice();

	return nice_val == SUP_NICE_KEEP ? 0 : set_all(pid, nice_val);
}
