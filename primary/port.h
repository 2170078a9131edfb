/*
 * The primary's EAL start and its ports: the data ports of dpvs.conf (one
 * rx/tx queue pair per worker, rx on the shared mbuf pool) and one exception
 * tap per data port (net_tap_kni<i>, kernel interface <port>.kni with the
 * port's MAC, one queue pair, interface up).
 *
 * In: struct primary_conf. Out: root->ports[] (port ids, MAC, mtu, queues).
 * Runs in the primary only, at start and at stop.
 */
#ifndef DPVS_PRIMARY_PORT_H
#define DPVS_PRIMARY_PORT_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

#define PORT_EAL_MAX_ARGS (16 + 2 * DPVS_MAX_PORTS)

struct dpvs_shm;

struct port_eal_args {
	int argc;
	char *argv[PORT_EAL_MAX_ARGS + 1];
	char prefix[96];
	char lcores[DPVS_LCORES_ARG_LEN];
};

/* Build the primary's EAL argument list for c (argv[0] = progname). */
/* Does the configuration have a PCI port? */
bool port_conf_has_pci(const struct primary_conf *c);

void port_eal_args(const struct primary_conf *c, const char *progname,
		   struct port_eal_args *a);

/* The ethdev name of a configured port: the vdev's device name or the PCI
 * address in its full dddd:bb:dd.f form. */
void port_dev_name(const struct primary_conf *c, unsigned int i, char *buf, size_t len);

/* Configure and start every data port and its exception tap, fill
 * shm->root->ports[]. 0, or -1 with a message in err. */
int port_setup_all(const struct primary_conf *c, struct dpvs_shm *shm, char *err,
		   size_t errlen);

/* Stop and close every port that port_setup_all started. */
void port_close_all(struct dpvs_shm *shm);

#endif
