/*
 * EAL start-up for secondaries (see eal.h). Runs once per process at start.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "eal.h"

/* The CPUs of set as "0-2,5" into buf; 0, or -1 if empty or too long. */
static int
cpu_ranges(const cpu_set_t *set, char *buf, unsigned long len)
{
	unsigned long off = 0;
	int a, b, n;

	buf[0] = '\0';
	for (a = 0; a < CPU_SETSIZE; a = b + 1) {
		if (!CPU_ISSET(a, set)) {
			b = a;
			continue;
		}
		for (b = a; b + 1 < CPU_SETSIZE && CPU_ISSET(b + 1, set); b++)
			;
		n = a == b ? snprintf(buf + off, len - off, "%s%d", off != 0 ? "," : "", a) :
			     snprintf(buf + off, len - off, "%s%d-%d", off != 0 ? "," : "", a, b);
		if (n < 0 || (unsigned long)n >= len - off)
			return -1;
		off += (unsigned long)n;
	}
	return off != 0 ? 0 : -1;
}

void
dpvs_lcores_arg(char *buf, unsigned long len, unsigned int lcore_id)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char cpus[DPVS_LCORES_ARG_LEN];
	cpu_set_t set;

	/* the CPUs this process may run on (dpvs.conf [cpu] control, or
	 * taskset): its EAL must not widen them */
	if (sched_getaffinity(0, sizeof(set), &set) == 0 &&
	    cpu_ranges(&set, cpus, sizeof(cpus)) == 0 &&
	    snprintf(buf, len, "%u@(%s)", lcore_id, cpus) < (int)len)
		return;
	if (ncpu <= 1)
		snprintf(buf, len, "%u@0", lcore_id);
	else
		snprintf(buf, len, "%u@(0-%ld)", lcore_id, ncpu - 1);
}

void
dpvs_stop_signals_unblock(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

static void
stop_signals_block(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int
dpvs_secondary_eal_init(const char *progname, const char *file_prefix, unsigned int lcore_id)
{
	char prefix_arg[128], lcores[DPVS_LCORES_ARG_LEN];
	char *argv[] = {
		(char *)progname, (char *)"--proc-type=secondary", prefix_arg,
		(char *)"--lcores", lcores, (char *)"--log-level=lib.eal:error", NULL, NULL,
	};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 2;
	const char *no_pci = getenv(DPVS_ENV_NO_PCI);

	if (no_pci != NULL && no_pci[0] == '1')
		argv[argc++] = (char *)"--no-pci";

	snprintf(prefix_arg, sizeof(prefix_arg), "--file-prefix=%s", file_prefix);
	dpvs_lcores_arg(lcores, sizeof(lcores), lcore_id);
	stop_signals_block(); /* see eal.h: unblocked by the caller */
	if (rte_eal_init(argc, argv) < 0) {
		int e = rte_errno != 0 ? rte_errno : ENOENT;

		fprintf(stderr, "%s: cannot attach to the node with prefix %s: %s%s\n", progname,
			file_prefix, rte_strerror(e),
			rte_errno == 0 ? " (is dpvs-primary running with this prefix?)" : "");
		return -e;
	}
	return 0;
}

void
dpvs_eal_cleanup_private(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	d = opendir(dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}
