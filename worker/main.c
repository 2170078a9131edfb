/*
 * dpvs-worker --file-prefix P --id N: one worker of a node. Attaches to the
 * node's shared memory as a DPDK secondary on lcore DPVS_LCORE_WORKER(N),
 * takes worker N's pool magazine, frees what a dead predecessor left in its
 * region, registers on the RCU, reports itself RUNNING in its part of its
 * slot (with the incarnation the primary spawned) and runs the loop until
 * SIGTERM/SIGINT; on a clean exit it goes offline on the RCU and reports
 * STOPPED.
 * Exit status: 0 clean stop, 2 usage, 3 cannot attach (no primary, missing
 * object), 5 RCU registration failed, DPVS_EXIT_CONFIG (78) for what a
 * restart cannot fix: the shared layout differs from this build, or the id
 * or the ports do not fit the node.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_rcu_qsbr.h>

#include "shm/eal.h"
#include "shm/pool_ops.h"
#include "shm/shm.h"
#include "worker/worker.h"

#define EXIT_USAGE  2
#define EXIT_ATTACH 3
#define EXIT_RCU    5

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s --file-prefix PREFIX --id N\n", prog);
}

static int
parse_args(int argc, char **argv, const char **prefix, unsigned int *id)
{
	static const struct option opts[] = {
		{ "file-prefix", required_argument, NULL, 'p' },
		{ "id", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long v;
	int c, have_id = 0;

	*prefix = NULL;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			*prefix = optarg;
			break;
		case 'i':
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 0 || v >= DPVS_MAX_WORKERS) {
				fprintf(stderr, "%s: --id %s is not a number in 0..%d\n", argv[0],
					optarg, DPVS_MAX_WORKERS - 1);
				return -1;
			}
			*id = (unsigned int)v;
			have_id = 1;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument %s\n", argv[0], argv[optind]);
		return -1;
	}
	if (*prefix == NULL || !have_id) {
		fprintf(stderr, "%s: --file-prefix and --id are required\n", argv[0]);
		return -1;
	}
	return 0;
}

static int
worker_main(const char *prog, struct dpvs_shm *shm, unsigned int id)
{
	struct wk_ctx ctx; /* cache-aligned by its type, on this thread's stack */
	char err[256];
	unsigned int freed;

	if (id >= shm->root->conf.nworkers) {
		fprintf(stderr, "%s: --id %u but the node has %u worker(s)\n", prog, id,
			shm->root->conf.nworkers);
		return DPVS_EXIT_CONFIG;
	}
	if (wk_ctx_init(&ctx, shm, id, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: worker %u: %s\n", prog, id, err);
		return DPVS_EXIT_CONFIG;
	}
	/* worker id's pool magazine (the primary repaired it after a death) */
	dpvs_pool_set_role(shm->pool, DPVS_ROLE_WORKER(id));
	wk_self_begin(&ctx);
	freed = wk_ctx_recover(&ctx);
	if (rte_rcu_qsbr_thread_register(shm->rcu, id) != 0) {
		fprintf(stderr, "%s: worker %u: cannot register on the RCU\n", prog, id);
		return EXIT_RCU;
	}
	rte_rcu_qsbr_thread_online(shm->rcu, id);
	wk_self_state(&ctx, DPVS_WORKER_RUNNING);
	WK_LOG(NOTICE, "worker %u running (pid %d, %u port(s), %u mbuf(s) recovered)", id,
	       (int)getpid(), ctx.nports, freed);

	wk_run(&ctx, &stop_requested);

	rte_rcu_qsbr_thread_offline(shm->rcu, id);
	rte_rcu_qsbr_thread_unregister(shm->rcu, id);
	wk_self_state(&ctx, DPVS_WORKER_STOPPED);
	WK_LOG(NOTICE, "worker %u stopped", id);
	return 0;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	struct dpvs_shm shm;
	const char *prefix;
	unsigned int id = 0;
	char err[256];
	int rc;

	if (parse_args(argc, argv, &prefix, &id) != 0) {
		usage(argv[0]);
		return EXIT_USAGE;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if (dpvs_secondary_eal_init(argv[0], prefix, DPVS_LCORE_WORKER(id)) != 0)
		return EXIT_ATTACH;
	rc = dpvs_shm_attach(&shm, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "%s: worker %u: %s\n", argv[0], id, err);
		rte_eal_cleanup();
		return rc == -EPROTO ? DPVS_EXIT_CONFIG : EXIT_ATTACH;
	}
	rc = worker_main(argv[0], &shm, id);
	rte_eal_cleanup();
	return rc;
}
