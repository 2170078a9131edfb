/*
 * dpvs-ctl: the control daemon of a node.
 *
 *   dpvs-ctl --file-prefix P [--rules FILE]
 *
 * Attaches to the node's shared memory as an EAL secondary (lcore
 * DPVS_LCORE_CTL), makes the inactive config copy equal to the active one
 * (its predecessor may have died in the middle of a change), loads the rules
 * file if given (a bad file: message and exit DPVS_EXIT_CONFIG, nothing
 * applied), then serves <run_dir>/ctl.sock with a libevent loop until
 * SIGTERM or SIGINT. SIGHUP reloads the rules file (root->conf.rules_path,
 * written by dpvs-primary --rules, so that every incarnation knows it); a
 * timer drops draining local addresses that no connection uses any more;
 * the health checks (health.h) probe the checked dests in the same loop.
 * The only writer of root->config and the config sets.
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
#include "ctl/common/escape.h"
#include "ctl/daemon/change.h"
#include "ctl/daemon/health.h"
#include "ctl/daemon/log.h"
#include "ctl/daemon/metrics.h"
#include "ctl/daemon/reload.h"
#include "ctl/daemon/server.h"
#include "ctl/rules.h"
#include "shm/eal.h"
#include "shm/pool_ops.h"
#include "shm/shm.h"

#define CTL_DRAIN_PERIOD_MS 1000   /* draining local addresses: check period */

struct ctl_args {
	const char *prefix;
	const char *rules;
};

/* What the signal and timer callbacks need. */
struct ctl_loop {
	struct event_base *base;
	struct dpvs_shm *shm;
	const char *rules;        /* --rules of this process, when the root has none */
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
	struct ctl_loop *l = arg;
	const char *path = l->shm->root->conf.rules_path[0] != '\0' ?
				   l->shm->root->conf.rules_path : l->rules;
	struct ctl_reload_result r;
	char err[512];

	(void)sig;
	(void)what;
	if (ctl_reload(l->shm, path, &r, err, sizeof(err)) != 0) {
		CTL_LOG(WARNING, "SIGHUP: reload refused, nothing changed: %s", err);
		return;
	}
	CTL_LOG(NOTICE, "SIGHUP: reloaded %s: services +%u -%u ~%u, dests +%u -%u ~%u, "
		"laddrs +%u -%u, %u unchanged", path, r.svc[CTL_RL_ADD], r.svc[CTL_RL_DEL],
		r.svc[CTL_RL_EDIT], r.dest[CTL_RL_ADD], r.dest[CTL_RL_DEL], r.dest[CTL_RL_EDIT],
		r.laddr[CTL_RL_ADD], r.laddr[CTL_RL_DEL], r.unchanged);
}

static void
on_drain(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_loop *l = arg;

	(void)fd;
	(void)what;
	ctl_drain_tick(l->shm);
	dpvs_pool_cache_poll(l->shm->pool); /* caches turned off: flush ours */
}

/* The libevent loop on the control socket until a stop signal. */
static int
serve(struct dpvs_shm *shm, const char *rules)
{
	struct event *ev_term = NULL, *ev_int = NULL, *ev_hup = NULL, *ev_drain = NULL;
	struct event *ev_beat = NULL;
	struct timeval beat = { 0, (suseconds_t)ctl_beat_period_ms() * 1000 };
	const struct timeval drain_tv = { CTL_DRAIN_PERIOD_MS / 1000,
					  (CTL_DRAIN_PERIOD_MS % 1000) * 1000 };
	struct ctl_server *srv = NULL;
	struct ctl_health *health = NULL;
	struct ctl_metrics *metrics = NULL;
	struct event_base *base;
	struct ctl_loop loop;
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
	loop.base = base;
	loop.shm = shm;
	loop.rules = rules;
	ev_hup = evsignal_new(base, SIGHUP, on_hup, &loop);
	ev_drain = event_new(base, -1, EV_PERSIST, on_drain, &loop);
	if (ev_term == NULL || ev_int == NULL || ev_hup == NULL || ev_drain == NULL ||
	    evsignal_add(ev_term, NULL) || evsignal_add(ev_int, NULL) ||
	    evsignal_add(ev_hup, NULL) || event_add(ev_drain, &drain_tv)) {
		fprintf(stderr, "dpvs-ctl: cannot watch signals\n");
		goto out;
	}
	/* blocked since EAL init (shm/eal.h): a stop asked meanwhile is seen now,
	 * and the health checks' children start with them unblocked */
	dpvs_stop_signals_unblock();
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
	/* the health checks run in this loop too: probes never block it */
	health = ctl_health_new(base, shm);
	if (health == NULL) {
		fprintf(stderr, "dpvs-ctl: cannot start the health checks\n");
		goto out;
	}
	/* [metrics] listen: /metrics in this loop (off when not configured); an
	 * address in use keeps the metrics off, not the control socket */
	metrics = ctl_metrics_new(base, shm, err, sizeof(err));
	if (metrics == NULL && err[0] != '\0')
		CTL_LOG(ERR, "%s; no metrics until dpvs-ctl restarts", err);
	CTL_LOG(INFO, "serving %s", path);
	rc = event_base_dispatch(base) < 0 ? 1 : 0;
out:
	ctl_metrics_free(metrics);
	ctl_health_free(health);
	ctl_server_free(srv);
	if (ev_term != NULL)
		event_free(ev_term);
	if (ev_int != NULL)
		event_free(ev_int);
	if (ev_hup != NULL)
		event_free(ev_hup);
	if (ev_beat != NULL)
		event_free(ev_beat);
	if (ev_drain != NULL)
		event_free(ev_drain);
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
	/* root->ctl_pid is the primary's to write */
	ctl_beat_init(shm.root);
	rc = ctl_change_sync(&shm, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "dpvs-ctl: config sets: %s\n", err);
		rte_eal_cleanup();
		return 1;
	}
	/* dpvs-ctl's pool magazine (the primary repaired it after a death) */
	dpvs_pool_set_role(shm.pool, DPVS_ROLE_CTL);
	if (args.rules != NULL) {
		rc = ctl_rules_load(&shm, args.rules, err, sizeof(err));
		if (rc != 0) {
			char e1[256], e2[1024];

			fprintf(stderr, "dpvs-ctl: rules file %s: %s\n",
				ctl_escape(args.rules, e1, sizeof(e1)), ctl_escape(err, e2, sizeof(e2)));
			dpvs_pool_flush(shm.pool); /* as a clean exit: drop nothing */
			rte_eal_cleanup();
			return DPVS_EXIT_CONFIG;
		}
		CTL_LOG(INFO, "loaded %s", args.rules);
	}
	rc = serve(&shm, args.rules);
	dpvs_pool_flush(shm.pool); /* our lcore's pool cache, back to our magazine */
	rte_eal_cleanup();
	return rc;
}
