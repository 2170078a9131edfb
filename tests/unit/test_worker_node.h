/*
 * A one-port node in the test's own process, for the worker's unit tests
 * that run the real pipeline (test_worker_frag, test_worker_hold,
 * test_worker_sneigh): EAL without hugepages or shared config, its port a
 * net_null0 named dpdk0 (MAC 02:00:00:00:00:01, MTU 1500, no exception
 * port), the node's shm and worker 0's context. The caller then fills the
 * config set and calls wk_ctx_recover(). Header-only; aborts on failure.
 */
#ifndef DPVS_TEST_WORKER_NODE_H
#define DPVS_TEST_WORKER_NODE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>

#include "ctl/rules.h"
#include "shm/shm.h"
#include "worker/worker.h"

/* tag names the EAL file prefix (tag + pid); conns: the connection
 * table's capacity. */
static inline void
twk_node_start_conns(const char *prog, const char *tag, struct dpvs_shm *shm, struct wk_ctx *ctx,
		     uint32_t conns)
{
	static struct dpvs_port_info ports[1];
	char prefix[64], errbuf[256];
	char *argv[] = { (char *)prog, (char *)"--no-huge", (char *)"--no-shconf",
			 (char *)"-m", (char *)"256", (char *)"--no-pci", (char *)"-l",
			 (char *)"0", prefix, (char *)"--vdev", (char *)"net_null0",
			 (char *)"--log-level=lib.eal:error", (char *)"--no-telemetry", NULL };
	struct dpvs_global_conf conf = { .mbufs = 1023, .nworkers = 1, .nports = 1,
					 .conn_capacity = conns };
	uint16_t pid;

	snprintf(prefix, sizeof(prefix), "--file-prefix=%s%d", tag, (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0 ||
	    rte_eth_dev_get_port_by_name("net_null0", &pid) != 0)
		abort();
	snprintf(ports[0].name, sizeof(ports[0].name), "dpdk0");
	snprintf(ports[0].kni_name, sizeof(ports[0].kni_name), "dpdk0.kni");
	ports[0].port_id = pid;
	ports[0].kni_port_id = UINT16_MAX;
	ports[0].nb_queues = 1;
	ports[0].mtu = 1500;
	ports[0].mac[0] = 2;
	ports[0].mac[5] = 1;
	snprintf(conf.file_prefix, sizeof(conf.file_prefix), "%s%d", tag, (int)getpid());
	if (dpvs_shm_create(shm, &conf, ports, errbuf, sizeof(errbuf)) != 0 ||
	    wk_ctx_init(ctx, shm, 0, errbuf, sizeof(errbuf)) != 0) {
		fprintf(stderr, "%s\n", errbuf);
		abort();
	}
}

/* The same with the smallest table (DPVS_CONN_MIN_CAP). */
static inline void
twk_node_start(const char *prog, const char *tag, struct dpvs_shm *shm, struct wk_ctx *ctx)
{
	twk_node_start_conns(prog, tag, shm, ctx, DPVS_CONN_MIN_CAP);
}

/* Load a rules text into the node's config set (ctl_rules_load, through a
 * temporary file), then the worker's view of it: the active set and the
 * interfaces refreshed, as its loop does before a burst. Aborts on failure
 * (also before any Check test runs). */
static inline void
twk_node_load(struct dpvs_shm *shm, struct wk_ctx *ctx, const char *rules)
{
	char path[] = "/tmp/dpvs-test-rules.XXXXXX", err[256];
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, rules, strlen(rules)) != (ssize_t)strlen(rules)) {
		perror("rules file");
		abort();
	}
	close(fd);
	if (ctl_rules_load(shm, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "rules: %s\n", err);
		unlink(path);
		abort();
	}
	unlink(path);
	ctx->cfg = dpvs_config_active(ctx->shm);
	wk_if_refresh(ctx);
}

#endif
