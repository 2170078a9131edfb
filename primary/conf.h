/*
 * dpvs.conf parser (primary only).
 *
 * In: the path of an INI file (parsed with rte_cfgfile; `;` starts a comment).
 * Out: a struct primary_conf holding the node configuration (struct
 * dpvs_global_conf) and one struct dpvs_port_info per [port.NAME] section, in
 * file order. Nothing else is touched: no EAL needed, usable from unit tests.
 *
 *   [global]  file_prefix (default dpvs), run_dir (default /run/dpvs)
 *   [memory]  mbufs (default 16384)
 *   [worker]  count (default 1), idle_sleep_us (default 50; 0 = pure polling),
 *             conns (connections per worker)
 *   [supervise] hang_timeout_ms (default 1000; 0 = off), standby (default 1)
 *   [cpu]     workers = CPU list (worker i on the i-th CPU, one per worker),
 *             control = CPU list (the primary, dpvs-ctl, the bridge, standbys)
 *   [tables]  services, dests, dests_per_service, laddrs_per_service, routes,
 *             static_neighbours, addresses, hash_tables (DPVS_CAPS in
 *             shm/cfgset.h: defaults and limits; README "dpvs.conf")
 *   [metrics] listen = ADDR:PORT ([IPv6]:PORT): dpvs-ctl's /metrics (off when absent)
 *   [ctl]     socket_group = NAME (the control socket's group), readonly_group =
 *             NAME (its members may only show): existing groups
 *   [port.NAME] vdev = <vdev args> | pci = <pci address>   (exactly one);
 *             forward = on|off (default off: route what is neither for the
 *             load balancer nor for the node); mtu = N (default: the
 *             driver's); the exception path's keys (forward2kni,
 *             kni_rate, kni_ctrl_rate, kni_mgmt_rate, kni_priority):
 *             conf_kni.h
 *
 * A vdev must be one a secondary process can poll (conf_vdev_refusal); two
 * net_tap ports may not name the same iface= (nor a port's <name>.kni), two
 * net_memif ports not the same socket with the same id.
 */
#ifndef DPVS_PRIMARY_CONF_H
#define DPVS_PRIMARY_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "shm/layout.h"
#include "cpu.h"

#define CONF_DEFAULT_PREFIX  "dpvs"
#define CONF_DEFAULT_RUN_DIR "/run/dpvs"
#define CONF_DEFAULT_MBUFS   16384u
#define CONF_DEFAULT_MBUF_CACHE 64u  /* per-lcore cache of the pool (shm/pool.h) */
#define CONF_DEFAULT_WORKERS 1u
#define CONF_DEFAULT_IDLE_US 50u

#define CONF_MIN_MTU     576u
#define CONF_MAX_MTU     9600u

#define CONF_DEFAULT_HANG_MS 1000u
#define CONF_MIN_HANG_MS     50u
#define CONF_MAX_HANG_MS     60000u
#define CONF_DEFAULT_STANDBY 1u
#define CONF_MAX_STANDBY     4u

#define CONF_MIN_MBUFS   1024u
#define CONF_MAX_MBUFS   (1u << 22)
#define CONF_MAX_IDLE_US 1000000u

/* <port>.kni must fit IFNAMSIZ (16, with the NUL). */
#define CONF_KNI_SUFFIX       ".kni"
#define CONF_MAX_PORT_NAME    (16 - 1 - 4)
/* <run_dir>/ctl.sock must fit sun_path (108, with the NUL). */
#define CONF_MAX_RUN_DIR      (108 - 1 - 9)

enum conf_port_kind {
	CONF_PORT_VDEV = 0,
	CONF_PORT_PCI,
};

/* [supervise]: the primary's own settings (not in shared memory but
 * root->live.hang_timeout_ms) */
struct conf_supervise {
	uint32_t hang_timeout_ms;  /* 0 = no hang detection */
	uint32_t standby;          /* standby worker processes kept attached */
};

struct primary_conf {
	struct dpvs_global_conf g;
	struct conf_supervise sup;
	struct conf_cpu cpu;                  /* [cpu]: placement (cpu.h) */
	struct dpvs_port_info ports[DPVS_MAX_PORTS];
	uint8_t kind[DPVS_MAX_PORTS];          /* enum conf_port_kind */
	uint16_t mtu[DPVS_MAX_PORTS];          /* [port.X] mtu; 0 = the driver's */
};

#define CONF_IFNAMSIZ 16             /* kernel interface names, with the NUL */
#define CONF_DEVARG_LEN 128
#define CONF_MEMIF_DEFAULT_SOCKET "/run/memif.sock" /* DPDK net_memif's default */

/*
 * Why the vdev (devargs "driver...,key=value,...") cannot be a data port, in
 * buf, or NULL if it can: a worker is a DPDK secondary process and must be
 * able to poll it (net_tap, net_memif, net_ring, net_null; not af_packet or
 * af_xdp). dev may also be a bare driver name (rte_eth_dev_info's).
 */
const char *conf_vdev_refusal(const char *dev, char *buf, size_t len);

/* The value of key in devargs ("name,key=value,..."): 1 and out filled, or
 * 0 if absent. */
int conf_devarg(const char *devargs, const char *key, char *out, size_t len);

/* "ADDR:PORT" or "[ADDR6]:PORT" (numeric) into addr and port; 0 or -1. */
int conf_hostport(const char *text, char *addr, size_t addrlen, uint16_t *port);

/* Fill c with the defaults (no port). */
void conf_defaults(struct primary_conf *c);

/*
 * Parse the file at path into c. Returns 0, or -1 with a message in err that
 * names the file, the section and the key (or line) at fault.
 */
int conf_parse(const char *path, struct primary_conf *c, char *err, size_t errlen);

#endif
