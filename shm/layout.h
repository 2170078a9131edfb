/*
 * The shared-memory layout of a dpvs-mp node: the root memzone, the names of
 * every memzone, ring and pool, and the structs that live in them.
 *
 * Created by dpvs-primary (or, in single-process tests, by the fixture runner)
 * through shm/shm.c; attached and checked by every secondary.
 *
 * Types and names only. Who writes what (ARCHITECTURE.md section 1):
 *   dpvs_root.conf, .ports          primary, before any secondary starts
 *   dpvs_root.workers[i]            primary (the fields above the worker-written
 *                                   line), the process serving worker i
 *                                   (heartbeat_ns, released)
 *   dpvs_root.live                  primary (hang_timeout_ms), dpvs-ctl
 *                                   (ctl_heartbeat_ns), the bridge
 *                                   (bridge_heartbeat_ns)
 *   dpvs_root.cmd                   dpvs-ctl (the request half), primary (the
 *                                   reply half)
 *   memzone dpvs_layout             primary, before any secondary starts
 *   dpvs_root.stats[i]              worker i
 *   dpvs_root.bridge_stats[p]       dpvs-kni-bridge
 *   dpvs_root.config                dpvs-ctl (published with RCU, see config.h)
 *   worker region i                 worker i
 */
#ifndef DPVS_SHM_LAYOUT_H
#define DPVS_SHM_LAYOUT_H

#include <pthread.h>
#include <stdint.h>

#include <rte_common.h>

#include "types.h"
#include "stats.h"
#include "config.h"
#include "conn.h"

#define DPVS_SHM_MAGIC      0x4d535044u /* "DPSM" */
#define DPVS_LAYOUT_VERSION 4

#define DPVS_MAX_PORTS   8
#define DPVS_MAX_WORKERS 16
#define DPVS_BURST       32
#define DPVS_TXBUF_LEN   64
#define DPVS_NEIGH_SLOTS 1024   /* per worker; power of two */
#define DPVS_NEIGH_HOLD_SLOTS 64  /* next hops being resolved, per worker */
#define DPVS_NEIGH_HOLD_PKTS  4   /* packets held per unresolved next hop */

/* Names of shared objects. Format arguments are given in the comment. */
#define DPVS_MZ_ROOT        "dpvs_root"
#define DPVS_MZ_LAYOUT      "dpvs_layout"      /* struct dpvs_layout_desc */
#define DPVS_MZ_RCU         "dpvs_rcu"
#define DPVS_MZ_WORKER_FMT  "dpvs_wr_%u"        /* worker id */
#define DPVS_POOL_MBUF      "dpvs_mbuf"
/* worker -> kernel, one per port: multi-producer (workers), single consumer (bridge) */
#define DPVS_RING_TO_KNI_FMT   "dpvs_tokni_%u"   /* port index */
/* kernel -> worker, one per port and worker: single producer (bridge), single consumer */
#define DPVS_RING_FROM_KNI_FMT "dpvs_fromkni_%u_%u" /* port index, worker id */
/* learned ARP replies for a worker: multi-producer (peers), single consumer */
#define DPVS_RING_ARP_FMT      "dpvs_arp_%u"     /* worker id */
/* redirect from worker a to worker b: single producer, single consumer */
#define DPVS_RING_REDIR_FMT    "dpvs_redir_%u_%u" /* from, to */

#define DPVS_RING_SIZE 1024

/* Lcore ids. Every process of the node has an lcore id of its own, so that
 * no two live processes share a mempool cache (DPDK's per-lcore cache is
 * indexed by it). Processes of the worker binary (workers, standbys, a check
 * run) get one of DPVS_LCORE_WORKER_MIN..MAX from the primary, which hands
 * an id out again only after the process that had it is reaped; a worker's
 * first process gets DPVS_LCORE_WORKER(id). Correctness never depends on a
 * successor having its predecessor's id (docs/multiprocess.md, standby). */
#define DPVS_LCORE_PRIMARY 0
#define DPVS_LCORE_WORKER(id) (1 + (id))
#define DPVS_LCORE_WORKER_MIN 1
#define DPVS_LCORE_WORKER_MAX 125
#define DPVS_LCORE_CTL     126
#define DPVS_LCORE_BRIDGE  127

/* Exit status of a secondary (dpvs-ctl: a bad rules file) whose error a restart
 * cannot fix: dpvs-primary stops the node instead of restarting it (EX_CONFIG). */
#define DPVS_EXIT_CONFIG 78

/* The node configuration from dpvs.conf, written once by the primary. */
struct dpvs_global_conf {
	char file_prefix[64];
	char run_dir[256];
	uint32_t mbufs;
	uint32_t nworkers;
	uint32_t idle_sleep_us;  /* 0 = pure polling */
	uint32_t nports;
	uint32_t conn_capacity;  /* connections per worker ([worker] conns); 0 = default */
	uint32_t pad;
};

struct dpvs_port_info {
	char name[DPVS_NAME_LEN];     /* "dpdk0": the config section's name */
	char kni_name[DPVS_NAME_LEN]; /* "dpdk0.kni": the kernel interface */
	char devargs[128];            /* vdev string or pci address */
	uint16_t port_id;             /* ethdev id of the data port */
	uint16_t kni_port_id;         /* ethdev id of the exception tap */
	uint16_t mtu;
	uint16_t nb_queues;           /* rx/tx queue pairs = nworkers */
	uint8_t mac[DPVS_ETHER_LEN];
	uint8_t pad[2];
	uint32_t flags;               /* DPVS_PORT_F_* */
};

#define DPVS_PORT_F_FORWARD2KNI 0x1u

enum dpvs_worker_state {
	DPVS_WORKER_STOPPED = 0,  /* never started or stopped on purpose */
	DPVS_WORKER_STARTING,     /* spawned or handed to a standby, not yet polling */
	DPVS_WORKER_RUNNING,      /* attached and looping */
	DPVS_WORKER_BACKOFF,      /* died; waiting before the next restart */
	DPVS_WORKER_FAILED,       /* kept dying young: no longer restarted */
};

/* Why the last process of a worker slot was replaced. */
enum dpvs_exit_reason {
	DPVS_EXIT_NONE = 0,       /* never replaced */
	DPVS_EXIT_CRASH,          /* died (any signal or exit status) */
	DPVS_EXIT_HANG,           /* heartbeat stopped: killed by the primary */
	DPVS_EXIT_PLANNED,        /* handed over on request (restart, upgrade) */
};

/*
 * One per worker. The primary writes the fields down to the worker-written
 * line; the process that serves the worker (incarnation `incarnation`)
 * writes the rest. A successor is told its incarnation number by the
 * primary (the TAKE message, worker/standby.h) and takes the slot over when
 * its predecessor has released it (released == the old incarnation) or is
 * known dead (dead_inc == the old incarnation).
 */
struct dpvs_worker_slot {
	/* primary-written */
	int32_t pid;              /* the process serving the slot */
	uint32_t state;           /* enum dpvs_worker_state */
	uint32_t restarts;        /* replacements, whatever the reason */
	uint32_t lcore_id;        /* lcore id of the serving process */
	uint64_t started_ns;      /* CLOCK_MONOTONIC when the serving process got the slot */
	uint64_t last_exit_ns;    /* when the last predecessor died or handed over */
	int32_t last_status;      /* wait status of the last death */
	uint32_t last_exit;       /* enum dpvs_exit_reason of the last replacement */
	uint64_t last_gap_ns;     /* predecessor's last loop -> successor's first loop */
	uint32_t incarnation;     /* number of the process that serves (or is taking) the slot */
	uint32_t stop_req;        /* incarnation asked to stop at a burst boundary */
	uint32_t dead_inc;        /* incarnation known dead (reaped) */
#ifdef DPVS_TEST_LAYOUT_CHANGE
	int32_t layout_test;      /* test build only: same size, another member */
#else
	uint32_t pad0;
#endif
	/* worker-written (the serving process) */
	uint64_t heartbeat_ns;    /* CLOCK_MONOTONIC, every loop iteration */
	uint32_t released;        /* incarnation that stopped polling and handed over */
	uint32_t pad1;
	/* held by the serving process while it may poll: robust and
	 * process-shared (initialised by the creator), so the kernel marks it
	 * owner-dead the moment that process exits (primary/sup_watch.c) */
	pthread_mutex_t alive;
} __rte_cache_aligned;

/* Liveness of the other secondaries, and the hang timeout the primary uses. */
struct dpvs_liveness {
	uint32_t hang_timeout_ms;      /* primary: [supervise] hang_timeout_ms; 0 = off */
	uint32_t standby_ready;        /* primary: standby processes ready to take over */
	uint64_t ctl_heartbeat_ns;     /* dpvs-ctl, from a timer of its event loop */
	uint64_t bridge_heartbeat_ns;  /* dpvs-kni-bridge, every pass of its loop */
};

/* A request of dpvs-ctl to the primary (dpvsctl worker restart / upgrade):
 * dpvs-ctl fills the request half, release-stores req_seq and sends SIGUSR1
 * to the primary; the primary carries it out and release-stores done_seq =
 * req_seq after status and msg. One request at a time. */
enum dpvs_sup_op {
	DPVS_SUP_OP_NONE = 0,
	DPVS_SUP_OP_RESTART,      /* planned restart of worker `worker` */
	DPVS_SUP_OP_UPGRADE,      /* roll the worker binary at `path` in */
};

struct dpvs_sup_cmd {
	/* dpvs-ctl-written */
	uint32_t req_seq;
	uint32_t op;              /* enum dpvs_sup_op */
	uint32_t worker;
	uint32_t pad0;
	char path[256];
	/* primary-written */
	uint32_t done_seq;
	int32_t status;           /* 0, or a negative errno */
	char msg[512];
};

/* The layout fingerprint (memzone dpvs_layout, filled by the primary from
 * shm/layout_fp.c, which the build generates from the DWARF of the shared
 * structs): one entry per shared struct with a hash of its expanded member
 * list (names, types, offsets, sizes) and the list itself as text, so that
 * a binary whose structs differ can say which member. This struct is the
 * one that never changes: it is read before anything else is trusted. */
#define DPVS_LAYOUT_DESC_MAGIC  0x4c595444u /* "DTYL" */
#define DPVS_LAYOUT_MAX_STRUCTS 32
#define DPVS_LAYOUT_TEXT_MAX    (256u * 1024u)

struct dpvs_layout_entry {
	char name[48];
	uint64_t hash;
	uint32_t text_off;        /* into dpvs_layout_desc.text */
	uint32_t text_len;
};

struct dpvs_layout_desc {
	uint32_t magic;
	uint32_t n;
	struct dpvs_layout_entry e[DPVS_LAYOUT_MAX_STRUCTS];
	char text[DPVS_LAYOUT_TEXT_MAX];
};

struct dpvs_root {
	uint32_t magic;
	uint32_t layout_version;
	char dpdk_version[64];
	/* sizeof of each shared struct as seen by the creator */
	uint32_t sz_root;
	uint32_t sz_port_info;
	uint32_t sz_worker_slot;
	uint32_t sz_worker_stats;
	uint32_t sz_config_set;
	uint32_t sz_worker_region;
	uint32_t sz_neigh;
	uint32_t sz_conn;
	uint32_t sz_lb_tables;
	uint32_t pad0;

	int32_t primary_pid;
	int32_t ctl_pid;
	int32_t bridge_pid;
	uint32_t pad1;
	uint64_t started_ns;

	struct dpvs_global_conf conf;
	struct dpvs_port_info ports[DPVS_MAX_PORTS];
	struct dpvs_liveness live;
	struct dpvs_sup_cmd cmd;
	struct dpvs_worker_slot workers[DPVS_MAX_WORKERS];
	struct dpvs_worker_stats stats[DPVS_MAX_WORKERS];
	struct dpvs_bridge_stats bridge_stats[DPVS_MAX_PORTS];
	struct dpvs_config config;
} __rte_cache_aligned;

/* A neighbour learned by a worker (ARP today, ND later). */
enum dpvs_neigh_state {
	DPVS_NEIGH_FREE = 0,
	DPVS_NEIGH_REACHABLE,
	DPVS_NEIGH_STATIC,        /* from dpvs-ctl, later */
};

struct dpvs_neigh {
	struct dpvs_ip ip;
	uint16_t port;            /* port index */
	uint8_t mac[DPVS_ETHER_LEN];
	uint8_t state;            /* enum dpvs_neigh_state */
	uint8_t pad[7];
	uint64_t updated_ns;      /* CLOCK_MONOTONIC */
};
_Static_assert(sizeof(struct dpvs_neigh) == 44 || sizeof(struct dpvs_neigh) == 48,
	       "dpvs_neigh layout");

/* Packets a worker holds across loop iterations live here, so that its
 * successor can free or send them after a crash. Ownership rule: clear the
 * record first, then hand the mbuf on; a crash in between leaks, never
 * double-frees. */
struct dpvs_txbuf {
	uint32_t count;
	uint32_t pad;
	struct rte_mbuf *pkts[DPVS_TXBUF_LEN];  /* hugepage pointers */
};

/* Packets waiting for a next hop's MAC (ARP request sent at sent_ns). */
struct dpvs_neigh_hold {
	struct dpvs_ip ip;        /* next hop; family NONE = free */
	uint16_t port;            /* port index */
	uint16_t count;           /* packets in pkts[] */
	uint32_t tries;           /* ARP requests sent so far */
	uint64_t sent_ns;         /* last ARP request */
	struct rte_mbuf *pkts[DPVS_NEIGH_HOLD_PKTS];  /* hugepage pointers */
};

/* Per-worker scheduler state of one service slot (rr cursor, wrr weight). */
struct dpvs_sched_state {
	uint32_t svc_id;          /* state belongs to this service id; else reset */
	uint32_t cursor;          /* index into the service's dests[] */
	int32_t cw;               /* wrr current weight */
	uint32_t pad;
};

/* Per-worker counters of one service or dest slot; summed by dpvs-ctl over
 * the rows whose id matches the live object. */
struct dpvs_lb_stats {
	uint32_t id;              /* service or dest id these counters belong to */
	uint32_t overload_id;     /* dest rows: id of the dest this worker found over
				   * its upper threshold and not yet back under the
				   * lower one (worker/ipvs/sched.c); 0 = none */
	uint64_t active;          /* connections now in ESTABLISHED (TCP) */
	uint64_t inactive;        /* connections now in another state, and UDP */
	uint64_t conns;           /* connections created */
	uint64_t inpkts, outpkts, inbytes, outbytes;
};

struct dpvs_worker_region {
	uint32_t magic;
	uint32_t worker_id;
	uint32_t inflight_n;                    /* valid entries in inflight[] */
	uint32_t pad;
	struct rte_mbuf *inflight[DPVS_BURST];  /* the burst being processed */
	struct dpvs_txbuf txbuf[DPVS_MAX_PORTS];
	uint32_t neigh_count;
	uint32_t pad2;
	struct dpvs_neigh neigh[DPVS_NEIGH_SLOTS];
	struct dpvs_neigh_hold hold[DPVS_NEIGH_HOLD_SLOTS];
	struct dpvs_sched_state sched[DPVS_MAX_SERVICES];
	uint16_t lport_cursor[DPVS_MAX_SERVICES][DPVS_MAX_SVC_LADDRS];
	struct dpvs_lb_stats svc_stats[DPVS_MAX_SERVICES];
	struct dpvs_lb_stats dest_stats[DPVS_MAX_DESTS];
} __rte_cache_aligned;

#endif
