/*
 * A second mapping of the head of DPDK's shared memory config (see
 * eal_locks.h): read by the primary's stale-lock repair and by tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_version.h>

#include "eal_locks.h"

static int
check_head(const struct dpvs_mcfg_head *h, const char *path, char *err, size_t errlen)
{
	if (h->magic == RTE_MAGIC && h->version == RTE_VERSION)
		return 0;
	snprintf(err, errlen, "%s: not the shared config of this build's DPDK (magic %u, "
		 "version %#x; expected %u, %#x)", path, h->magic, h->version, RTE_MAGIC,
		 (unsigned int)RTE_VERSION);
	return -1;
}

struct dpvs_mcfg_head *
dpvs_mcfg_self(const char *runtime_dir, char *err, size_t errlen)
{
	char path[PATH_MAX + 16], line[4352], file[4352];
	unsigned long start, end, off;
	struct dpvs_mcfg_head *h = NULL;
	FILE *f;

	char real[PATH_MAX];

	/* the kernel names the file by its real path (/var/run is /run) */
	if (realpath(runtime_dir, real) == NULL) {
		snprintf(err, errlen, "%s: %s", runtime_dir, strerror(errno));
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/config", real);
	f = fopen("/proc/self/maps", "re");
	if (f == NULL) {
		snprintf(err, errlen, "/proc/self/maps: %s", strerror(errno));
		return NULL;
	}
	while (h == NULL && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %4351s", &start, &end, &off,
			   file) == 4 && off == 0 && strcmp(file, path) == 0 &&
		    end - start >= sizeof(*h))
			h = (struct dpvs_mcfg_head *)start;
	}
	fclose(f);
	if (h == NULL) {
		snprintf(err, errlen, "%s is not mapped in this process", path);
		return NULL;
	}
	return check_head(h, path, err, errlen) == 0 ? h : NULL;
}

struct dpvs_mcfg_head *
dpvs_mcfg_map(const char *runtime_dir, char *err, size_t errlen)
{
	struct dpvs_mcfg_head *h;
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/config", runtime_dir);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	h = mmap(NULL, sizeof(*h), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (h == MAP_FAILED) {
		snprintf(err, errlen, "%s: mmap: %s", path, strerror(errno));
		return NULL;
	}
	if (check_head(h, path, err, errlen) != 0) {
		munmap(h, sizeof(*h));
		return NULL;
	}
	return h;
}

void
dpvs_mcfg_unmap(struct dpvs_mcfg_head *h)
{
	if (h != NULL)
		munmap(h, sizeof(*h));
}

rte_rwlock_t *
dpvs_mcfg_lock(struct dpvs_mcfg_head *h, enum dpvs_eal_lock l)
{
	switch (l) {
	case DPVS_EAL_MLOCK:
		return &h->mlock;
	case DPVS_EAL_QLOCK:
		return &h->qlock;
	case DPVS_EAL_MPLOCK:
		return &h->mplock;
	default:
		return &h->memory_hotplug_lock;
	}
}

const char *
dpvs_mcfg_lock_name(enum dpvs_eal_lock l)
{
	static const char *const names[DPVS_EAL_NLOCKS] = {
		[DPVS_EAL_MLOCK] = "memzone", [DPVS_EAL_QLOCK] = "tailq",
		[DPVS_EAL_MPLOCK] = "mempool", [DPVS_EAL_HOTPLUG] = "memory hotplug",
	};

	return l < DPVS_EAL_NLOCKS ? names[l] : "?";
}
