/*
 * dpvs-ctl: the control daemon of a node.
 *
 *   dpvs-ctl --file-prefix P [--rules FILE]
 *
 * Attaches to the node's shared memory as an EAL secondary (lcore
 * DPVS_LCORE_CTL), loads the rules file if given (a bad file: message and exit
 * DPVS_EXIT_CONFIG, nothing applied), then serves <run_dir>/ctl.sock with a
 * libevent loop until SIGTERM or SIGINT. The only writer of root->config.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include <rte_eal.h>

#include "ctl/daemon/beat.h"
#include "ctl/daemon/log.h"
#include "ctl/daemon/server.h"
#include "ctl/rules.h"
#include "shm/eal.h"
#include "shm/shm.h"

struct ctl_args {
	const char *prefix;
	const char *rules;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: dpvs-ctl --file-prefix PREFIX [--rules FILE]\n");
}

static int
parse_args(int argc, char **argv, struct ctl_args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--file-prefix") == 0 && i + 1 < argc)
			a->prefix = argv[++i];
		else if (strncmp(argv[i], "--file-prefix=", 14) == 0)
			a->prefix = argv[i] + 14;
		else if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc)
			a->rules = argv[++i];
		else if (strncmp(argv[i], "--rules=", 8) == 0)
			a->rules = argv[i] + 8;
		else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			exit(0);
		} else {
			fprintf(stderr, "dpvs-ctl: unexpected argument \"%s\"\n", argv[i]);
			return -1;
		}
	}
	if (a->prefix == NULL || a->prefix[0] == '\0') {
		fprintf(stderr, "dpvs-ctl: --file-prefix is required\n");
		return -1;
	}
	return 0;
}

static void
on_stop(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	CTL_LOG(INFO, "%s: stopping", strsignal((int)sig));
	event_base_loopbreak(arg);
}

static void
on_beat(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	ctl_beat();
}

static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	CTL_LOG(NOTICE, "SIGHUP: reload of the rules file is not implemented yet");
}

/* The libevent loop on the control socket until a stop signal. */
static int
serve(struct dpvs_shm *shm)
{
	struct event *ev_term = NULL, *ev_int = NULL, *ev_hup = NULL, *ev_beat = NULL;
	struct timeval beat = { 0, (suseconds_t)ctl_beat_period_ms() * 1000 };
	struct ctl_server *srv = NULL;
	struct event_base *base;
	char path[512], err[512];
	int rc = 1;

	snprintf(path, sizeof(path), "%s/ctl.sock", shm->root->conf.run_dir);
	base = event_base_new();
	if (base == NULL) {
		fprintf(stderr, "dpvs-ctl: cannot create the event loop\n");
		return 1;
	}
	ev_term = evsignal_new(base, SIGTERM, on_stop, base);
	ev_int = evsignal_new(base, SIGINT, on_stop, base);
	ev_hup = evsignal_new(base, SIGHUP, on_hup, base);
	if (ev_term == NULL || ev_int == NULL || ev_hup == NULL || evsignal_add(ev_term, NULL) ||
	    evsignal_add(ev_int, NULL) || evsignal_add(ev_hup, NULL)) {
		fprintf(stderr, "dpvs-ctl: cannot watch signals\n");
		goto out;
	}
	/* the primary kills a dpvs-ctl whose heartbeat stops */
	ev_beat = event_new(base, -1, EV_PERSIST, on_beat, NULL);
	if (ev_beat == NULL || event_add(ev_beat, &beat) != 0) {
		fprintf(stderr, "dpvs-ctl: cannot start the heartbeat timer\n");
		goto out;
	}
	srv = ctl_server_new(base, shm, path, err, sizeof(err));
	if (srv == NULL) {
		fprintf(stderr, "dpvs-ctl: %s\n", err);
		goto out;
	}
	CTL_LOG(INFO, "serving %s", path);
	rc = event_base_dispatch(base) < 0 ? 1 : 0;
out:
	ctl_server_free(srv);
	if (ev_term != NULL)
		event_free(ev_term);
	if (ev_int != NULL)
		event_free(ev_int);
	if (ev_hup != NULL)
		event_free(ev_hup);
	if (ev_beat != NULL)
		event_free(ev_beat);
	event_base_free(base);
	return rc;
}

int
main(int argc, char **argv)
{
	struct ctl_args args;
	struct dpvs_shm shm;
	char err[512];
	int rc;

	if (parse_args(argc, argv, &args) != 0) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (dpvs_secondary_eal_init(argv[0], args.prefix, DPVS_LCORE_CTL) != 0)
		return 1;
	rc = dpvs_shm_attach(&shm, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "dpvs-ctl: %s\n", err);
		rte_eal_cleanup();
		return rc == -EPROTO ? DPVS_EXIT_CONFIG : 1;
	}
	shm.root->ctl_pid = getpid();
	ctl_beat_init(shm.root);
	if (args.rules != NULL) {
		rc = ctl_rules_load(&shm, args.rules, err, sizeof(err));
		if (rc != 0) {
			fprintf(stderr, "dpvs-ctl: rules file %s: %s\n", args.rules, err);
			rte_eal_cleanup();
			return DPVS_EXIT_CONFIG;
		}
		CTL_LOG(INFO, "loaded %s", args.rules);
	}
	rc = serve(&shm);
	rte_eal_cleanup();
	return rc;
}
