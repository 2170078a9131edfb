/*
 * The node's counters under DPDK telemetry, so that `dpdk-telemetry.py -f
 * <file_prefix>` (Debian's dpdk package) reads them from the primary's
 * telemetry socket (/var/run/dpdk/<prefix>/dpdk_telemetry.v2):
 *
 *   /dpvs/info          version, layout, workers, ports
 *   /dpvs/workers       the worker ids
 *   /dpvs/worker,N      worker N: state, pid, restarts, heartbeat age, packet
 *                       counters, loops, every verdict, drop reason and
 *                       event (drop_<reason>, event_<event>)
 *   /dpvs/drops         every drop reason summed over the workers
 *   /dpvs/events        every event (shm/stats.h DPVS_EVENTS) summed over
 *                       the workers
 *   /dpvs/ports         per data port: ethdev counters and the exception
 *                       bridge's
 *   /dpvs/pool          the mbuf pool: size, in use
 *
 * The callbacks run in EAL's telemetry thread of the primary and only read
 * shared memory and ethdev counters.
 */
#ifndef DPVS_PRIMARY_TELEMETRY_H
#define DPVS_PRIMARY_TELEMETRY_H

struct dpvs_shm;

/* Register the commands; 0, or -1 if the telemetry library refused one. */
int telemetry_init(const struct dpvs_shm *shm);
/* The node is stopping: the commands answer nothing any more. */
void telemetry_fini(void);

#endif
