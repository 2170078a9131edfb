/*
 * Prometheus metrics of a node: dpvs-ctl serves http://ADDR:PORT/metrics
 * with libevent's evhttp when dpvs.conf has [metrics] listen = ADDR:PORT
 * (off otherwise), in the same loop as the control socket.
 *
 * The text exposition format (version 0.0.4): names dpvs_..., counters end
 * in _total, HELP and TYPE lines, labels service="TCP 10.0.0.100:80",
 * dest="10.1.0.2:80", worker="0", port="dpdk0", reason, verdict,
 * direction="in"|"out", state. Families (metrics_fmt.c):
 *   per service and dest: active and inactive connections (gauges),
 *     connections, packets and bytes in and out (counters); per dest its
 *     weight, configured weight and health (up, down, unchecked: a state set)
 *   per worker: rx and tx packets and bytes, packets from the kernel,
 *     verdicts, drops by reason, redirects, loops and busy loops, the busy
 *     ratio of the last second, restarts, up, heartbeat age
 *   per port: rte_eth_stats, every xstat, the exception bridge's counters
 *   the mbuf pool: size and in use; the config generation; build info
 *
 * Reads shared memory and ethdev counters only.
 */
#ifndef DPVS_CTL_METRICS_H
#define DPVS_CTL_METRICS_H

#include <stddef.h>
#include <stdio.h>

#include "shm/shm.h"

struct event_base;
struct ctl_metrics;

#define CTL_METRICS_SAMPLE_MS 1000   /* the busy ratio's window */

/* Serve /metrics if root->conf asks for it: NULL and err "" when it does
 * not; NULL and a message naming [metrics] listen when it cannot. */
struct ctl_metrics *ctl_metrics_new(struct event_base *base, struct dpvs_shm *shm, char *err,
				    size_t errlen);
void ctl_metrics_free(struct ctl_metrics *m);

/* The busy ratio of each worker over the last sample window (-1: unknown). */
struct ctl_metrics_busy {
	double ratio[DPVS_MAX_WORKERS];
};

/* Write the whole exposition to out (metrics_fmt.c). busy may be NULL. */
void ctl_metrics_render(struct dpvs_shm *shm, const struct ctl_metrics_busy *busy, FILE *out);

/* A label value (or HELP text with help != 0) escaped for the format. */
void ctl_metrics_escape(FILE *out, const char *s, int help);

#endif
