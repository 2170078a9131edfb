/*
 * dpvs-primary -c dpvs.conf [--rules FILE]: the EAL primary of a node.
 *
 * Parses dpvs.conf, clears what a crashed predecessor of the same file prefix
 * left, starts EAL, creates the shared memory, starts the ports and their
 * exception taps, then spawns and supervises dpvs-ctl, dpvs-kni-bridge and
 * the workers until SIGTERM/SIGINT, and removes every runtime file of its
 * prefix on the way out. Stays in the foreground; never touches a packet.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "shm/eal.h"
#include "shm/shm.h"
#include "capture.h"
#include "eal_stale.h"
#include "conf.h"
#include "log.h"
#include "port.h"
#include "stale.h"
#include "supervise.h"
#include "telemetry.h"

#define STOP_DEADLINE_MS 3000
#define STALE_WAIT_MS    200  /* for a DPDK lock still held at stop */

static const char *const child_bins[] = { "dpvs-ctl", "dpvs-kni-bridge", "dpvs-worker" };

static void
usage(FILE *f)
{
	fprintf(f, "usage: dpvs-primary -c dpvs.conf [--rules FILE]\n");
}

static int
parse_args(int argc, char **argv, const char **conf, const char **rules)
{
	static const struct option opts[] = {
		{ "conf", required_argument, NULL, 'c' },
		{ "rules", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	while ((o = getopt_long(argc, argv, "c:r:h", opts, NULL)) != -1) {
		if (o == 'c') {
			*conf = optarg;
		} else if (o == 'r') {
			*rules = optarg;
		} else if (o == 'h') {
			usage(stdout);
			exit(0);
		} else {
			usage(stderr);
			return -1;
		}
	}
	if (*conf == NULL || optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* The secondaries live next to this binary. */
static int
find_bindir(char *dir, size_t len)
{
	char self[PATH_MAX], path[PATH_MAX + 32], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	unsigned int i;

	if (n <= 0)
		return -1;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	snprintf(dir, len, "%s", self);
	for (i = 0; i < RTE_DIM(child_bins); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, child_bins[i]);
		if (access(path, X_OK) != 0) {
			PLOG(ERR, "cannot run %s: %s", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* mkdir -p dir (absolute); *created = the outermost directory it made ("" if
 * none). */
static int
mkdir_p(const char *dir, char *created, size_t len)
{
	char path[PATH_MAX];
	size_t i, n = strlen(dir);

	created[0] = '\0';
	if (n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (i = 1; i <= n; i++) {
		if ((dir[i] != '/' && dir[i] != '\0') || dir[i - 1] == '/')
			continue; /* inside a name, or "//" or a trailing '/' */
		memcpy(path, dir, i);
		path[i] = '\0';
		if (mkdir(path, 0755) == 0) {
			if (created[0] == '\0')
				snprintf(created, len, "%s", path);
		} else if (errno != EEXIST) {
			return -1;
		}
	}
	return 0;
}

/*
 * At the end: remove run_dir and the parents mkdir_p made for it, innermost
 * first, each only if empty (rmdir). `ours` is the outermost directory this
 * node may remove ("" = none): one it created, or run_dir itself when a dead
 * predecessor's primary.pid showed it was a node's.
 */
static void
remove_run_dir(const char *run_dir, const char *ours)
{
	char path[PATH_MAX], *slash;
	size_t lo = strlen(ours);

	if (lo == 0)
		return;
	snprintf(path, sizeof(path), "%s", run_dir);
	while (strlen(path) >= lo && rmdir(path) == 0) {
		slash = strrchr(path, '/');
		if (slash == NULL || slash == path)
			break;
		*slash = '\0';
	}
}

/* Refuse a live owner of the prefix; clear a dead one's leftovers. ours:
 * see remove_run_dir. */
static int
claim_prefix(const struct dpvs_global_conf *g, char *ours, size_t len)
{
	char why[512], pidfile[PATH_MAX];
	int n;

	if (stale_live_primary(g->run_dir, STALE_DPDK_RUNTIME, g->file_prefix, why,
			       sizeof(why)) > 0) {
		PLOG(ERR, "file prefix '%s' is in use: %s; stop that node first", g->file_prefix,
		     why);
		return -1;
	}
	n = stale_kill_leftovers(g->run_dir, g->file_prefix);
	if (n > 0)
		PLOG(WARNING, "killed %d leftover secondaries of prefix '%s'", n, g->file_prefix);
	n = stale_remove_runtime(STALE_DPDK_RUNTIME, g->file_prefix);
	if (n > 0)
		PLOG(WARNING, "removed a stale runtime directory %s/%s", STALE_DPDK_RUNTIME,
		     g->file_prefix);
	n = stale_remove_hugefiles(STALE_MOUNTS, g->file_prefix);
	if (n > 0)
		PLOG(WARNING, "removed %d stale hugepage files of prefix '%s'", n, g->file_prefix);
	/* a dead node's pid file: the directory was a node's, not the operator's */
	snprintf(pidfile, sizeof(pidfile), "%s/primary.pid", g->run_dir);
	n = access(pidfile, F_OK) == 0;
	stale_remove_run_files(g->run_dir);
	if (mkdir_p(g->run_dir, ours, len) != 0) {
		PLOG(ERR, "cannot create run_dir %s: %s", g->run_dir, strerror(errno));
		return -1;
	}
	if (ours[0] == '\0' && n)
		snprintf(ours, len, "%s", g->run_dir);
	if (stale_write_pid(g->run_dir, "primary", getpid()) != 0) {
		PLOG(ERR, "cannot write %s/primary.pid: %s", g->run_dir, strerror(errno));
		remove_run_dir(g->run_dir, ours);
		return -1;
	}
	return 0;
}

static void
remove_leftovers(const struct dpvs_global_conf *g, const char *ours)
{
	stale_remove_run_files(g->run_dir);
	remove_run_dir(g->run_dir, ours);
	stale_remove_runtime(STALE_DPDK_RUNTIME, g->file_prefix);
	stale_remove_hugefiles(STALE_MOUNTS, g->file_prefix);
}

/* Every dpvs-ctl incarnation reloads the rules file from root->conf: keep
 * its absolute path there (the primary's working directory is not theirs to
 * know). */
static int
set_rules_path(struct dpvs_global_conf *g, const char *rules)
{
	char abs[PATH_MAX];

	if (realpath(rules, abs) == NULL) {
		PLOG(ERR, "rules file %s: %s", rules, strerror(errno));
		return -1;
	}
	if (strlen(abs) >= sizeof(g->rules_path)) {
		PLOG(ERR, "rules file %s: its path is longer than %zu characters", abs,
		     sizeof(g->rules_path) - 1);
		return -1;
	}
	snprintf(g->rules_path, sizeof(g->rules_path), "%s", abs);
	return 0;
}

static int
run_node(struct primary_conf *c, const char *rules, const char *bindir, int sigfd)
{
	static struct supervisor sup;
	struct dpvs_shm shm;
	char err[512];
	int rc = 1;

	if (dpvs_shm_create(&shm, &c->g, c->ports, err, sizeof(err)) != 0) {
		PLOG(ERR, "shared memory: %s", err);
		return 1;
	}
	shm.root->primary_pid = getpid();
	if (port_setup_all(c, &shm, err, sizeof(err)) != 0) {
		PLOG(ERR, "%s", err);
		port_close_all(&shm);
		return 1;
	}
	if (telemetry_init(&shm) != 0)
		PLOG(WARNING, "cannot register the /dpvs telemetry commands");
	/* dpdk-dumpcap and dpdk-pdump ask the primary; the workers capture */
	if (capture_init(shm.root, err, sizeof(err)) != 0) {
		PLOG(ERR, "%s", err);
		telemetry_fini();
		port_close_all(&shm);
		return 1;
	}
	sup_init(&sup, c->g.nworkers);
	snprintf(sup.bindir, sizeof(sup.bindir), "%s", bindir);
	snprintf(sup.prefix, sizeof(sup.prefix), "%s", c->g.file_prefix);
	snprintf(sup.run_dir, sizeof(sup.run_dir), "%s", c->g.run_dir);
	if (snprintf(sup.worker_bin, sizeof(sup.worker_bin), "%.*s/dpvs-worker",
		     (int)sizeof(sup.worker_bin) - 16, bindir) >= (int)sizeof(sup.worker_bin))
		return 1;
	sup.hang_ms = c->sup.hang_timeout_ms;
	sup.nstandby = c->sup.standby;
	sup.cpu = &c->cpu;
	sup.rules = rules;
	sup.root = shm.root;
	sup.rcu = shm.rcu;
	sup.shm = &shm;
	sup.sigfd = sigfd;
	eal_stale_init(&sup.stale);
	if (sup_watch_start(&sup) != 0)
		PLOG(WARNING, "cannot start the death watch threads: a worker's death is seen "
		     "when its event pipe closes");
	PLOG(INFO, "node '%s' up: %u ports, %u workers; supervising", c->g.file_prefix,
	     c->g.nports, c->g.nworkers);
	rc = sup_loop(&sup);
	sup_stop_all(&sup, STOP_DEADLINE_MS);
	telemetry_fini();
	/* before capture_fini and rte_eal_cleanup take them for writing */
	eal_stale_fini(&sup.stale);
	eal_stale_release(STALE_WAIT_MS);
	capture_fini();
	/* their futex words are in the root memzone, which goes away below */
	sup_watch_stop(&sup);
	port_close_all(&shm);
	return rc;
}

int
main(int argc, char **argv)
{
	static struct primary_conf c;
	const char *conf_path = NULL, *rules = NULL;
	char err[512], bindir[PATH_MAX], ours[PATH_MAX];
	struct port_eal_args ea;
	int sigfd, rc;

	if (parse_args(argc, argv, &conf_path, &rules) != 0)
		return 2;
	if (conf_parse(conf_path, &c, err, sizeof(err)) != 0) {
		PLOG(ERR, "%s", err);
		return 1;
	}
	if (rules != NULL && access(rules, R_OK) != 0) {
		PLOG(ERR, "rules file %s: %s", rules, strerror(errno));
		return 1;
	}
	if (rules != NULL && set_rules_path(&c.g, rules) != 0)
		return 1;
	if (find_bindir(bindir, sizeof(bindir)) != 0 ||
	    claim_prefix(&c.g, ours, sizeof(ours)) != 0)
		return 1;
	/* a worker process that died leaves its command pipe without reader:
	 * a write must fail with EPIPE, not kill the primary */
	signal(SIGPIPE, SIG_IGN);
	/* before EAL creates threads, so that they all block these signals */
	sigfd = sup_signals_block();
	if (sigfd < 0) {
		PLOG(ERR, "signalfd: %s", strerror(errno));
		remove_leftovers(&c.g, ours);
		return 1;
	}
	/* before EAL init: its lcore and the processes forked later keep to
	 * the control CPUs (shm/eal.c builds --lcores from the affinity) */
	if (cpu_apply_control(&c.cpu, err, sizeof(err)) != 0) {
		PLOG(ERR, "%s", err);
		remove_leftovers(&c.g, ours);
		return 1;
	}
	port_eal_args(&c, argv[0], &ea);
	/* secondaries inherit the environment: without a PCI port they skip the
	 * PCI scan too (shm/eal.c) */
	if (!port_conf_has_pci(&c))
		setenv(DPVS_ENV_NO_PCI, "1", 1);
	else
		unsetenv(DPVS_ENV_NO_PCI);
	if (rte_eal_init(ea.argc, ea.argv) < 0) {
		PLOG(ERR, "EAL init failed for prefix '%s': %s", c.g.file_prefix,
		     rte_strerror(rte_errno));
		remove_leftovers(&c.g, ours);
		return 1;
	}
	rc = run_node(&c, rules, bindir, sigfd);
	rte_eal_cleanup();
	remove_leftovers(&c.g, ours);
	PLOG(INFO, "node '%s' stopped%s", c.g.file_prefix, rc == 0 ? "" : " on an error");
	return rc;
}
