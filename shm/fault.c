/*
 * Fault injection (see fault.h): parses DPVS_FAULT once at start and kills
 * the process with SIGKILL at the armed point. Process-local state only.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>

#include "fault.h"

volatile uint32_t dpvs_fault_armed;

static const char *const fault_names[DPVS_FAULT_MAX] = {
#define DPVS_FAULT_NAME(id, name) [DPVS_FAULT_##id] = name,
	DPVS_FAULT_POINTS(DPVS_FAULT_NAME)
#undef DPVS_FAULT_NAME
};

static struct {
	uint32_t point;         /* enum dpvs_fault_point */
	uint64_t left;          /* hits before the kill */
	char role[32];          /* "" = any process */
	char my_role[32];       /* this process's pool role, "" until set */
} fault;

const char *
dpvs_fault_name(enum dpvs_fault_point p)
{
	return (unsigned int)p < DPVS_FAULT_MAX ? fault_names[p] : NULL;
}

int
dpvs_fault_arm(const char *spec)
{
	char name[64], *colon, *at, *end;
	unsigned long long n;
	unsigned int p;

	dpvs_fault_armed = 0;
	if (spec == NULL || spec[0] == '\0')
		return 0;
	snprintf(name, sizeof(name), "%s", spec);
	colon = strchr(name, ':');
	if (colon == NULL)
		return -1;
	*colon = '\0';
	at = strchr(colon + 1, '@');
	if (at != NULL)
		*at = '\0';
	errno = 0;
	n = strtoull(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || n == 0)
		return -1;
	for (p = 0; p < DPVS_FAULT_MAX; p++)
		if (strcmp(name, fault_names[p]) == 0)
			break;
	if (p == DPVS_FAULT_MAX)
		return -1;
	fault.point = p;
	fault.left = n;
	snprintf(fault.role, sizeof(fault.role), "%s", at != NULL ? at + 1 : "");
	dpvs_fault_armed = 1;
	return 0;
}

void
dpvs_fault_set_role(const char *role)
{
	snprintf(fault.my_role, sizeof(fault.my_role), "%s", role != NULL ? role : "");
}

/* DPVS_FAULT_ONCE: the first process to create the file fires; later ones
 * (a restarted successor with the same environment) do not. */
static int
fault_once_claim(void)
{
	const char *path = getenv(DPVS_FAULT_ONCE_ENV);
	int fd;

	if (path == NULL || path[0] == '\0')
		return 1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

void
dpvs_fault_hit(enum dpvs_fault_point p)
{
	if ((uint32_t)p != fault.point)
		return;
	if (fault.role[0] != '\0' && strcmp(fault.role, fault.my_role) != 0)
		return;
	if (--fault.left != 0)
		return;
	dpvs_fault_armed = 0;
	if (!fault_once_claim())
		return;
	kill(getpid(), SIGKILL);
	for (;;)
		pause();
}

RTE_INIT(dpvs_fault_init_env)
{
	const char *spec = getenv(DPVS_FAULT_ENV);

	if (spec != NULL && dpvs_fault_arm(spec) != 0)
		fprintf(stderr, "%s=%s: not <point>:<count>[@<role>]; fault injection off\n",
			DPVS_FAULT_ENV, spec);
}
