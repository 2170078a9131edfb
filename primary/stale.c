/*
 * Leftovers of a node (see stale.h): pid files, DPDK runtime directory,
 * hugepage files, leftover secondaries. Start-up and shut-down only.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stale.h"

#define MAX_LEFTOVERS 64
#define KILL_WAIT_MS  3000

pid_t
stale_read_pid(const char *path)
{
	char buf[32], *end;
	FILE *f = fopen(path, "r");
	long v;

	if (f == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) == NULL) {
		fclose(f);
		return 0;
	}
	fclose(f);
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || (*end != '\n' && *end != '\0') || v <= 0 ||
	    v > INT_MAX)
		return 0;
	return (pid_t)v;
}

int
stale_write_pid(const char *run_dir, const char *name, pid_t pid)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.pid", run_dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL)
		return -errno;
	fprintf(f, "%d\n", (int)pid);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		return -errno;
	return 0;
}

/* The command line of a live, non-zombie process; returns its length or -1. */
static int
read_cmdline(pid_t pid, char *buf, size_t len)
{
	char path[64], stat[256], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, stat, sizeof(stat) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	stat[n] = '\0';
	p = strrchr(stat, ')');
	if (p == NULL || p[1] == '\0' || p[2] == 'Z' || p[2] == 'X')
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

int
stale_proc_name(pid_t pid, char *buf, size_t len)
{
	char cmd[4096], *base;
	size_t n;

	if (read_cmdline(pid, cmd, sizeof(cmd)) < 0)
		return -1;
	base = strrchr(cmd, '/');
	base = base != NULL ? base + 1 : cmd;
	if (len == 0)
		return -1;
	n = strnlen(base, len - 1);
	memcpy(buf, base, n);
	buf[n] = '\0';
	return 0;
}

int
stale_is_secondary_of(pid_t pid, const char *prefix)
{
	char cmd[4096], *arg, *end, *base, eq[128];
	int n;

	n = read_cmdline(pid, cmd, sizeof(cmd));
	if (n < 0)
		return 0;
	base = strrchr(cmd, '/');
	base = base != NULL ? base + 1 : cmd;
	if (strncmp(base, "dpvs-", 5) != 0 || strcmp(base, "dpvs-primary") == 0)
		return 0;
	snprintf(eq, sizeof(eq), "--file-prefix=%s", prefix);
	end = cmd + n;
	for (arg = cmd + strlen(cmd) + 1; arg < end; arg += strlen(arg) + 1) {
		if (strcmp(arg, eq) == 0)
			return 1;
		if (strcmp(arg, "--file-prefix") == 0 && arg + strlen(arg) + 1 < end &&
		    strcmp(arg + strlen(arg) + 1, prefix) == 0)
			return 1;
	}
	return 0;
}

pid_t
stale_config_lock_owner(const char *rt_base, const char *prefix)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s/config", rt_base, prefix);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return 0;
	if (fcntl(fd, F_GETLK, &fl) != 0 || fl.l_type == F_UNLCK) {
		close(fd);
		return 0;
	}
	close(fd);
	return fl.l_pid > 0 ? fl.l_pid : 1;
}

pid_t
stale_live_primary(const char *run_dir, const char *rt_base, const char *prefix, char *why,
		   size_t whylen)
{
	char path[PATH_MAX], name[64];
	pid_t pid;

	snprintf(path, sizeof(path), "%s/primary.pid", run_dir);
	pid = stale_read_pid(path);
	if (pid > 0 && pid != getpid() && stale_proc_name(pid, name, sizeof(name)) == 0 &&
	    strcmp(name, "dpvs-primary") == 0) {
		snprintf(why, whylen, "dpvs-primary pid %d (%s) is running", (int)pid, path);
		return pid;
	}
	pid = stale_config_lock_owner(rt_base, prefix);
	if (pid > 0 && pid != getpid()) {
		snprintf(why, whylen, "pid %d holds the DPDK lock on %s/%s/config", (int)pid,
			 rt_base, prefix);
		return pid;
	}
	return 0;
}

static int
add_pid(pid_t *pids, int n, pid_t pid)
{
	int i;

	if (pid <= 0 || pid == getpid() || n >= MAX_LEFTOVERS)
		return n;
	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			return n;
	pids[n] = pid;
	return n + 1;
}

/* Candidates: the pids in <run_dir>/<name>.pid and every numeric /proc entry. */
static int
collect_candidates(const char *run_dir, const char *prefix, pid_t *pids)
{
	char path[PATH_MAX];
	struct dirent *de;
	size_t l;
	DIR *d;
	int n = 0;

	d = opendir(run_dir);
	while (d != NULL && (de = readdir(d)) != NULL) {
		l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".pid") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", run_dir, de->d_name);
		pid_t pid = stale_read_pid(path);

		if (pid > 0 && stale_is_secondary_of(pid, prefix))
			n = add_pid(pids, n, pid);
	}
	if (d != NULL)
		closedir(d);
	d = opendir("/proc");
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid_t pid = (pid_t)atoi(de->d_name);

		if (stale_is_secondary_of(pid, prefix))
			n = add_pid(pids, n, pid);
	}
	if (d != NULL)
		closedir(d);
	return n;
}

int
stale_kill_leftovers(const char *run_dir, const char *prefix)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	pid_t pids[MAX_LEFTOVERS];
	int i, n, alive, waited;

	n = collect_candidates(run_dir, prefix, pids);
	for (i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (waited = 0; n > 0 && waited < KILL_WAIT_MS; waited += 10) {
		char name[64];

		for (i = 0, alive = 0; i < n; i++)
			alive += stale_proc_name(pids[i], name, sizeof(name)) == 0;
		if (alive == 0)
			break;
		nanosleep(&ts, NULL);
	}
	return n;
}

static int removed_count;

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) == 0)
		removed_count++;
	return 0;
}

int
stale_remove_runtime(const char *rt_base, const char *prefix)
{
	char path[PATH_MAX];

	if (prefix[0] == '\0' || strchr(prefix, '/') != NULL || strcmp(prefix, "..") == 0)
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/%s", rt_base, prefix);
	if (access(path, F_OK) != 0)
		return 0;
	removed_count = 0;
	if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		return -errno;
	return removed_count;
}

static int
remove_in_dir(const char *dir, const char *lead)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, lead, strlen(lead)) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) == 0)
			n++;
	}
	closedir(d);
	return n;
}

int
stale_remove_hugefiles(const char *mounts, const char *prefix)
{
	char line[1024], dev[256], mnt[512], type[64], lead[128];
	FILE *f = fopen(mounts, "r");
	int n = 0;

	if (f == NULL || prefix[0] == '\0') {
		if (f != NULL)
			fclose(f);
		return 0;
	}
	snprintf(lead, sizeof(lead), "%smap_", prefix);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%255s %511s %63s", dev, mnt, type) != 3)
			continue;
		if (strcmp(type, "hugetlbfs") == 0)
			n += remove_in_dir(mnt, lead);
	}
	fclose(f);
	return n;
}

int
stale_remove_run_files(const char *run_dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(run_dir);
	size_t l;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		l = strlen(de->d_name);
		if (!(l > 4 && strcmp(de->d_name + l - 4, ".pid") == 0) &&
		    strcmp(de->d_name, "ctl.sock") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", run_dir, de->d_name);
		if (unlink(path) == 0)
			n++;
	}
	closedir(d);
	return n;
}
