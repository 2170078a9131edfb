/*
 * Helpers shared by the unit tests of dpvs-ctl on real shared memory
 * (test_ctl_handler.c, test_ctl_server.c): EAL without hugepages or a shared
 * config (no devices) and a node's shm with one port and two workers, created
 * in this process; the check of an error response. Header-only.
 */
#ifndef DPVS_TEST_CTL_SHM_H
#define DPVS_TEST_CTL_SHM_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include <rte_eal.h>

#include "proto/dpvs.pb-c.h"
#include "shm/shm.h"

/* EAL (file prefix <pfx><pid>) and the node's shm in *shm; exits on error. */
static inline void
tctl_eal_and_shm(struct dpvs_shm *shm, const char *prog, const char *pfx)
{
	char prefix[64], err[256];
	char *argv[] = { (char *)prog, "--no-huge", "--no-shconf", "-m", "512",
			 "--no-pci", "--no-telemetry", prefix, "--log-level=lib.eal:error", "-l", "0", NULL };
	struct dpvs_global_conf conf;
	struct dpvs_port_info port;

	snprintf(prefix, sizeof(prefix), "--file-prefix=%s%d", pfx, (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		fprintf(stderr, "EAL init failed\n");
		exit(EXIT_FAILURE);
	}
	memset(&conf, 0, sizeof(conf));
	memset(&port, 0, sizeof(port));
	snprintf(conf.file_prefix, sizeof(conf.file_prefix), "%s", pfx);
	snprintf(conf.run_dir, sizeof(conf.run_dir), "/tmp");
	conf.mbufs = 1023;
	conf.nworkers = 2;
	conf.nports = 1;
	snprintf(port.name, sizeof(port.name), "dpdk0");
	port.port_id = 0;     /* no ethdev probed: stats_ok is false */
	if (dpvs_shm_create(shm, &conf, &port, err, sizeof(err)) != 0) {
		fprintf(stderr, "dpvs_shm_create: %s\n", err);
		exit(EXIT_FAILURE);
	}
}

/* r is an error with status st and a message containing msg; frees r. */
static inline void
expect_error(Dpvs__Response *r, Dpvs__Status st, const char *msg)
{
	ck_assert_int_eq(r->status, st);
	ck_assert_msg(strstr(r->message, msg) != NULL, "\"%s\" lacks \"%s\"", r->message, msg);
	ck_assert_int_eq(r->payload_case, DPVS__RESPONSE__PAYLOAD__NOT_SET);
	dpvs__response__free_unpacked(r, NULL);
}

#endif
