/*
 * What a node of one file prefix leaves on the machine, and how the primary
 * finds and clears it: pid files in run_dir, DPDK's runtime directory
 * <rt_base>/<prefix>/ (rt_base is /var/run/dpdk for root), and the hugepage
 * files <hugetlbfs mount>/<prefix>map_*.
 *
 * Every function takes its base paths as arguments so that unit tests run on
 * a temporary directory. Touches only the files and processes it is given
 * (processes only after their /proc/PID/cmdline says they are ours).
 */
#ifndef DPVS_PRIMARY_STALE_H
#define DPVS_PRIMARY_STALE_H

#include <stddef.h>
#include <sys/types.h>

#define STALE_DPDK_RUNTIME "/var/run/dpdk"
#define STALE_MOUNTS       "/proc/mounts"

/* The pid in a pid file, or 0 when it is missing or not a pid. */
pid_t stale_read_pid(const char *path);

/* Write "<pid>\n" to <run_dir>/<name>.pid. 0 or -errno. */
int stale_write_pid(const char *run_dir, const char *name, pid_t pid);

/* argv[0]'s base name of a live (not zombie) process into buf; 0 or -1. */
int stale_proc_name(pid_t pid, char *buf, size_t len);

/* 1 when pid is a live dpvs-<something> secondary of file prefix `prefix`
 * (its command line has "--file-prefix <prefix>"). */
int stale_is_secondary_of(pid_t pid, const char *prefix);

/* The pid of a process holding a lock on <rt_base>/<prefix>/config, else 0. */
pid_t stale_config_lock_owner(const char *rt_base, const char *prefix);

/*
 * Is a live primary running this prefix? Returns its pid (> 0) with a
 * sentence in why, else 0. Looks at <run_dir>/primary.pid (a live process
 * named dpvs-primary other than us) and at DPDK's config lock.
 */
pid_t stale_live_primary(const char *run_dir, const char *rt_base, const char *prefix,
			 char *why, size_t whylen);

/* SIGKILL every live secondary of prefix, found in <run_dir>/<name>.pid or in
 * /proc, and wait (bounded) until they are gone. Returns how many. */
int stale_kill_leftovers(const char *run_dir, const char *prefix);

/* rm -r <rt_base>/<prefix>. Returns the number of entries removed, or -errno. */
int stale_remove_runtime(const char *rt_base, const char *prefix);

/* Remove <mnt>/<prefix>map_* for every hugetlbfs mount listed in the mounts
 * file (format of /proc/mounts). Returns the number of files removed. */
int stale_remove_hugefiles(const char *mounts, const char *prefix);

/* Remove <run_dir>/<name>.pid and <run_dir>/ctl.sock. Returns how many. */
int stale_remove_run_files(const char *run_dir);

#endif
