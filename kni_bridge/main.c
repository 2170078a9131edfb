/*
 * dpvs-kni-bridge --file-prefix P: the exception path between the workers and
 * the kernel's <port>.kni interfaces. An EAL secondary on DPVS_LCORE_BRIDGE;
 * started and restarted by dpvs-primary. Sleeps when idle (1 ms at most);
 * beats (root->live.bridge_heartbeat_ns) every pass of its loop; SIGTERM/SIGINT
 * end it cleanly.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_log.h>

#include "shm/eal.h"
#include "shm/pool_ops.h"
#include "shm/shm.h"
#include "bridge.h"

RTE_LOG_REGISTER(bridge_logtype, dpvs.bridge, INFO);
#define BLOG(level, fmt, ...)                                                    \
	rte_log(RTE_LOG_##level, bridge_logtype, "dpvs-kni-bridge: " fmt "\n",   \
		##__VA_ARGS__)

static volatile sig_atomic_t stop_requested;

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static const char *
parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file-prefix", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *prefix = NULL;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o != 'p')
			return NULL;
		prefix = optarg;
	}
	return optind == argc ? prefix : NULL;
}

/* Every exception tap must be visible in this process. */
static int
check_ports(const struct dpvs_root *root)
{
	uint32_t p;

	for (p = 0; p < root->conf.nports; p++) {
		if (!rte_eth_dev_is_valid_port(root->ports[p].kni_port_id)) {
			BLOG(ERR, "exception tap of port %s (ethdev %u) is not visible here",
			     root->ports[p].name, root->ports[p].kni_port_id);
			return -1;
		}
	}
	return 0;
}

static void
run(struct bridge_ctx *b)
{
	struct timespec ts;
	unsigned int moved;

	while (!stop_requested) {
		/* the primary kills a bridge whose heartbeat stops */
		__atomic_store_n(&b->shm->root->live.bridge_heartbeat_ns, dpvs_now_ns(),
				 __ATOMIC_RELAXED);
		dpvs_pool_cache_poll(b->shm->pool); /* caches turned off: flush ours */
		moved = bridge_poll_once(b);
		b->sleep_us = bridge_next_sleep_us(b->sleep_us, moved);
		if (b->sleep_us > 0) {
			ts.tv_sec = 0;
			ts.tv_nsec = (long)b->sleep_us * 1000;
			nanosleep(&ts, NULL);
		}
	}
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	struct dpvs_shm shm;
	struct bridge_ctx b;
	const char *prefix = parse_args(argc, argv);
	char err[256];

	if (prefix == NULL) {
		fprintf(stderr, "usage: dpvs-kni-bridge --file-prefix PREFIX\n");
		return 2;
	}
	if (dpvs_secondary_eal_init(argv[0], prefix, DPVS_LCORE_BRIDGE) != 0)
		return 1;
	if (dpvs_shm_attach(&shm, err, sizeof(err)) != 0) {
		BLOG(ERR, "cannot attach to node '%s': %s", prefix, err);
		rte_eal_cleanup();
		return 1;
	}
	if (check_ports(shm.root) != 0) {
		rte_eal_cleanup();
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	dpvs_stop_signals_unblock(); /* blocked since EAL init (shm/eal.h) */
	/* the bridge's pool magazine (the primary repaired it after a death);
	 * root->bridge_pid is the primary's to write */
	dpvs_pool_set_role(shm.pool, DPVS_ROLE_BRIDGE);
	memset(&b, 0, sizeof(b));
	b.shm = &shm;
	BLOG(INFO, "bridging %u ports for node '%s'", shm.root->conf.nports, prefix);
	run(&b);
	BLOG(INFO, "stopping");
	bridge_vtap_close_all(&b); /* the node stops: its VLAN taps go */
	dpvs_pool_flush(shm.pool); /* our lcore's pool cache, back to our magazine */
	rte_eal_cleanup();
	return 0;
}
