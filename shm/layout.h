/*
 * The shared-memory layout of a dpvs-mp node: the root memzone, the names of
 * every memzone, ring and pool, and the structs that live in them.
 *
 * Created by dpvs-primary (or, in single-process tests, by the fixture runner)
 * through shm/shm.c; attached and checked by every secondary.
 *
 * Types and names only. Who writes what (ARCHITECTURE.md section 1):
 *   dpvs_root.conf, .ports          primary, before any secondary starts
 *   dpvs_root.workers[i].sup        primary (spawned or handed-to incarnation,
 *                                   pid, state, restarts, exit reason and
 *                                   status, gap, stop and death notices)
 *   dpvs_root.workers[i].self       the process serving worker i (running
 *                                   incarnation, pid, heartbeat, release)
 *   dpvs_root.workers[i].alive      a lock, not data: held by the serving
 *                                   process (see struct dpvs_worker_alive)
 *   dpvs_root.live                  primary (hang_timeout_ms, standby_ready),
 *                                   dpvs-ctl (ctl_heartbeat_ns), the bridge
 *                                   (bridge_heartbeat_ns)
 *   dpvs_root.cmd                   dpvs-ctl (the request half), primary (the
 *                                   reply half)
 *   memzone dpvs_layout             primary, before any secondary starts
 *   dpvs_root.stats[i]              worker i
 *   dpvs_root.bridge_stats[p]       dpvs-kni-bridge
 *   dpvs_root.config, config sets   dpvs-ctl (published with RCU, see config.h)
 *   dpvs_root.capture               primary (captures), worker i (its ack)
 *   worker region i                 worker i (formatted by the primary)
 */
#ifndef DPVS_SHM_LAYOUT_H
#define DPVS_SHM_LAYOUT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_meter.h>

#include "types.h"
#include "stats.h"
#include "config.h"
#include "cfgset.h"
#include "conn.h"
#include "capture.h"

#define DPVS_SHM_MAGIC      0x4d535044u /* "DPSM" */
#define DPVS_LAYOUT_VERSION 24

#define DPVS_MAX_PORTS   8
/* Interface indices: data ports 0..DPVS_MAX_PORTS-1, then the VLAN slots of
 * the config set (config.h: vlans[s] is DPVS_IFACE_VLAN0 + s). */
#define DPVS_MAX_VLANS   8
#define DPVS_IFACE_VLAN0 DPVS_MAX_PORTS
#define DPVS_MAX_IFACES  (DPVS_MAX_PORTS + DPVS_MAX_VLANS)
#define DPVS_MAX_WORKERS 16
#define DPVS_BURST       32
#define DPVS_TXBUF_LEN   64
#define DPVS_NEIGH_SLOTS 1024   /* per worker; power of two */
#define DPVS_NEIGH_HOLD_SLOTS 64  /* next hops being resolved, per worker */
#define DPVS_NEIGH_HOLD_PKTS  4   /* packets held per unresolved next hop */
_Static_assert(DPVS_MATCH_PORTS == DPVS_MAX_PORTS, "lb.match_ix has a row per port");

/* Names of shared objects. Format arguments are given in the comment. */
#define DPVS_MZ_ROOT        "dpvs_root"
#define DPVS_MZ_LAYOUT      "dpvs_layout"      /* struct dpvs_layout_desc */
#define DPVS_MZ_RCU         "dpvs_rcu"
#define DPVS_MZ_WORKER_FMT  "dpvs_wr_%u"        /* worker id */
#define DPVS_POOL_MBUF      "dpvs_mbuf"         /* ops DPVS_POOL_OPS, shm/pool.h */
/*
 * Every ring has one producer process and one consumer process and is
 * created RING_F_SP_ENQ | RING_F_SC_DEQ; after a death the primary repairs
 * the dead side of each ring it used (shm/repair.h, docs/crash-safety.md).
 */
/* worker -> kernel: producer worker w, consumer the bridge; the bulk class
 * (tokni) and the priority classes (toknih: control and management, which
 * the bridge takes first). One of each per port. */
#define DPVS_RING_TO_KNI_FMT   "dpvs_tokni_%u_%u"   /* port index, worker id */
#define DPVS_RING_TO_KNI_HI_FMT "dpvs_toknih_%u_%u" /* port index, worker id */
/* kernel -> worker: producer the bridge, consumer worker w */
#define DPVS_RING_FROM_KNI_FMT "dpvs_fromkni_%u_%u" /* port index, worker id */
/* ARP replies and gratuitous ARP for a worker to judge: producer worker a,
 * consumer worker b */
#define DPVS_RING_ARP_FMT      "dpvs_arp_%u_%u"     /* from a, to b */
/* packets of connections owned by b: producer worker a, consumer worker b */
#define DPVS_RING_REDIR_FMT    "dpvs_redir_%u_%u"   /* from a, to b */

#define DPVS_RING_SIZE 1024

/* Lcore ids. The mbuf pool's per-lcore cache (shm/pool.h) is indexed by the
 * lcore id, so no two live processes may have the same one, and a dead
 * process's id is handed out again only after the primary dropped its cache
 * (docs/crash-safety.md "The per-lcore cache"). Nothing else shared is
 * indexed by an lcore id. Processes of the worker binary (workers, standbys,
 * a check run) get a free one of DPVS_LCORE_WORKER_MIN..MAX from the primary,
 * a worker's first process DPVS_LCORE_WORKER(id) if free; dpvs-ctl and the
 * bridge have their own, and run one at a time. */
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
	uint32_t mbuf_cache;     /* the pool's per-lcore cache ([memory] mbuf_cache;
				  * 0 = none): what the pool got (pool_ops.h) */
	uint32_t nworkers;
	uint32_t idle_sleep_us;  /* 0 = pure polling */
	uint32_t nports;
	uint32_t conn_capacity;  /* connections per worker ([worker] conns); 0 = default */
	uint32_t seqx_capacity;  /* their side table of sequence translations
				  * ([worker] seqx_conns); 0 = DPVS_CONN_SX_DEFAULT */
	uint32_t v6_capacity;    /* of which at most this many with an IPv6
				  * address ([worker] ipv6_conns); 0 =
				  * DPVS_CONN_V6_DEFAULT */
	struct dpvs_caps caps;   /* [tables]: sizes of the config and per-worker tables */
	char rules_path[256];    /* dpvs-primary --rules (absolute), "" = none: every
				  * dpvs-ctl incarnation reloads it */
	char metrics_addr[48];   /* [metrics] listen: IPv4 or IPv6 address, "" = off */
	uint16_t metrics_port;   /* [metrics] listen: port */
	uint16_t pad2[3];
	char socket_group[32];   /* [ctl] socket_group: the control socket's group,
				  * "" = dpvs-ctl's own */
	char readonly_group[32]; /* [ctl] readonly_group: its members may only show,
				  * "" = none */
};

/* The classes of what goes to the kernel (worker/l2/kni.c): control (ARP,
 * ND, OSPF, BGP) and management (dpvs.conf kni_priority) go on the priority
 * ring, the rest (and forward2kni's copies) on the bulk ring; each class has
 * a budget of packets per second per port. */
enum dpvs_kni_class {
	DPVS_KNI_CTRL = 0,
	DPVS_KNI_MGMT,
	DPVS_KNI_BULK,
	DPVS_KNI_CLASSES
};

/* A management service ([port.X] kni_priority = tcp:22,udp:161,icmp): a
 * packet of protocol proto whose source or destination port is port (0:
 * any; ICMP and ICMPv6 but neighbour discovery for "icmp"). proto 0: an
 * unused entry. */
#define DPVS_KNI_PRIO_MAX 8
struct dpvs_kni_prio {
	uint8_t proto;                /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP */
	uint8_t pad;
	uint16_t port;                /* host order; 0 = every port */
};
_Static_assert(sizeof(struct dpvs_kni_prio) == 4, "dpvs_kni_prio layout");

/* A data port: written by the primary before any secondary starts. */
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
	/* the exception path: packets per second of each class toward the
	 * kernel, for the whole port (each worker polices rate / workers);
	 * 0 = no limit */
	uint32_t kni_rate[DPVS_KNI_CLASSES];
	struct dpvs_kni_prio kni_prio[DPVS_KNI_PRIO_MAX]; /* the management class */
};

#define DPVS_PORT_F_FORWARD2KNI 0x1u  /* dpvs.conf forward2kni = on: the default
				       * of the config sets' DPVS_PORT_CFG_FORWARD2KNI */
#define DPVS_PORT_F_FORWARD     0x2u  /* dpvs.conf forward = on: the default of
				       * the config sets' DPVS_PORT_CFG_FORWARD */
_Static_assert(DPVS_MAX_PORTS == DPVS_CFG_PORTS, "config sets have a flag word per port");
_Static_assert(DPVS_MAX_VLANS == DPVS_CFG_VLANS, "config sets have a slot per VLAN");

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
 * A worker's slot, in parts with one writer each (a reader derives the
 * state with dpvs_worker_state(), shm/shm.h):
 *   sup   written only by dpvs-primary: "I handed the slot to incarnation N,
 *         process P" (state STARTING), "it died, next start after a
 *         back-off" (BACKOFF), "stopped" (STOPPED), "kept dying" (FAILED);
 *         never RUNNING. Also the exit reason and gap of the last
 *         replacement, and the two notices a successor waits on: stop_req
 *         (incarnation asked to hand over at a burst boundary) and dead_inc
 *         (incarnation known dead, and repaired: dpvs_repair_after_death()
 *         ran for its role before this store).
 *   self  written only by the process serving the worker: "I am incarnation
 *         N, pid P, running", its heartbeat, and `released` (the incarnation
 *         that stopped polling, dropped its pool role and handed over). A
 *         successor writes self only once its predecessor released the slot
 *         or is known dead. A worker is RUNNING when sup says STARTING and
 *         self names the same incarnation and pid.
 *   alive a robust process-shared mutex, not data (below).
 * New fields of the supervisor go into sup; fields the worker reports go
 * into self. Neither side ever writes the other's part.
 */
struct dpvs_worker_sup {
	int32_t pid;              /* process given incarnation `incarnation`; 0 = none */
	uint32_t state;           /* enum dpvs_worker_state, never RUNNING */
	uint32_t incarnation;     /* 1 at the first start, +1 at each replacement */
	uint32_t restarts;        /* replacements, whatever the reason */
	uint32_t lcore_id;        /* lcore id of that process */
	uint32_t last_exit;       /* enum dpvs_exit_reason of the last replacement */
	uint64_t started_ns;      /* CLOCK_MONOTONIC when that process got the slot */
	uint64_t last_exit_ns;    /* when the last predecessor died or handed over */
	int32_t last_status;      /* wait status of the last death */
	uint32_t stop_req;        /* incarnation asked to stop at a burst boundary */
	uint64_t last_gap_ns;     /* predecessor's last loop -> successor's first loop */
	uint32_t dead_inc;        /* incarnation known dead, its role repaired */
#ifdef DPVS_TEST_LAYOUT_CHANGE
	int32_t layout_test;      /* test build only: same size, another member */
#else
	uint32_t pad0;
#endif
} __rte_cache_aligned;

struct dpvs_worker_self {
	uint32_t incarnation;     /* the incarnation this process was handed */
	uint32_t state;           /* RUNNING once polling, STOPPED on a clean exit */
	int32_t pid;              /* this process */
	uint32_t released;        /* incarnation that stopped polling and handed over */
	uint64_t heartbeat_ns;    /* CLOCK_MONOTONIC, every loop iteration */
} __rte_cache_aligned;

/* Held by the process serving the worker while it may poll: robust and
 * process-shared (initialised by the primary), so that the kernel marks it
 * owner-dead the moment that process exits, before its memory is torn down
 * (primary/sup_watch.c). Its word follows the kernel's robust-futex protocol:
 * the holder locks and unlocks it, the primary's watch thread only sets
 * FUTEX_WAITERS in it, the kernel sets FUTEX_OWNER_DIED. */
struct dpvs_worker_alive {
	pthread_mutex_t m;
} __rte_cache_aligned;

struct dpvs_worker_slot {
	struct dpvs_worker_sup sup;
	struct dpvs_worker_self self;
	struct dpvs_worker_alive alive;
};
_Static_assert(offsetof(struct dpvs_worker_slot, self) % RTE_CACHE_LINE_SIZE == 0 &&
		       offsetof(struct dpvs_worker_slot, alive) % RTE_CACHE_LINE_SIZE == 0 &&
		       sizeof(struct dpvs_worker_sup) % RTE_CACHE_LINE_SIZE == 0 &&
		       sizeof(struct dpvs_worker_self) % RTE_CACHE_LINE_SIZE == 0,
	       "dpvs_worker_slot layout: each writer's part on cache lines of its own");

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
#define DPVS_LAYOUT_MAX_STRUCTS 48
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
	uint32_t sz_service;
	uint32_t sz_dest;
	uint32_t sz_route;
	uint32_t sz_addr_ix;
	uint32_t sz_caps;

	int32_t primary_pid;      /* these three: written by the primary only */
	int32_t ctl_pid;
	int32_t bridge_pid;
	uint32_t pad1;
	uint64_t started_ns;
	/* the SYN proxy's cookie key (worker/ipvs/syncookie.c): random, written
	 * by the primary when it creates the root, the same for every worker
	 * (the client's ACK may reach another worker than its SYN); not
	 * rotated while the primary runs (cookies carry their own time) */
	uint8_t synproxy_key[16];

	struct dpvs_global_conf conf;
	struct dpvs_port_info ports[DPVS_MAX_PORTS];
	struct dpvs_liveness live;
	struct dpvs_sup_cmd cmd;
	struct dpvs_worker_slot workers[DPVS_MAX_WORKERS];
	struct dpvs_worker_stats stats[DPVS_MAX_WORKERS];
	struct dpvs_bridge_stats bridge_stats[DPVS_MAX_PORTS];
	struct dpvs_config config;
	struct dpvs_capture_table capture;   /* primary (cap[], gen); worker i (ack[i]) */
} __rte_cache_aligned;
_Static_assert(sizeof(((struct dpvs_capture_table *)0)->ack) / sizeof(struct dpvs_capture_ack) ==
		       DPVS_MAX_WORKERS, "one capture ack per worker");

/* The neighbour states of a worker's table (NUD, as Linux's neighbour state
 * machine; worker/l2/neigh_nud.c). X(ENUM_SUFFIX, "name shown by dpvsctl").
 * Static neighbours are not in a worker's table: they live in the config set
 * (lb.sneigh, shm/lb.h) and always win over a learned entry. */
#define DPVS_NEIGH_STATES(X)                                                   \
	X(FREE, "free")             /* slot unused: ends every probe sequence */ \
	X(INCOMPLETE, "incomplete") /* asked by broadcast, no answer yet */      \
	X(REACHABLE, "reachable")   /* confirmed by a reply lately */            \
	X(STALE, "stale")           /* MAC known, not confirmed lately */        \
	X(PROBE, "probe")           /* being confirmed by unicast requests */    \
	X(FAILED, "failed")         /* never answered: packets dropped */

#define DPVS_X_ENUM_NEIGH(n, s) DPVS_NEIGH_##n,
enum dpvs_neigh_state { DPVS_NEIGH_STATES(DPVS_X_ENUM_NEIGH) DPVS_NEIGH_STATE_MAX };
#undef DPVS_X_ENUM_NEIGH

/* dpvs_neigh.flags */
#define DPVS_NEIGH_F_KERNEL 0x1u  /* INCOMPLETE: asked by the node's kernel, not by us */

/* A neighbour of one worker (ARP today, ND later), keyed by (port, ip).
 * Written only by the owning worker, and so that a death at any instruction
 * leaves it usable: the MAC is written only while the state is FREE or
 * INCOMPLETE (where it is not used), and the state is release-stored last.
 * The times are CLOCK_MONOTONIC. */
struct dpvs_neigh {
	struct dpvs_ip ip;
	uint16_t port;            /* port index */
	uint8_t state;            /* enum dpvs_neigh_state */
	uint8_t probes;           /* requests sent in this state */
	uint8_t mac[DPVS_ETHER_LEN];
	uint8_t flags;            /* DPVS_NEIGH_F_* */
	uint8_t pad;
	uint64_t confirmed_ns;    /* last reply confirming the MAC (INCOMPLETE: created) */
	uint64_t changed_ns;      /* MAC set, or a claim of another MAC checked (lock time) */
	uint64_t timer_ns;        /* next timer event of the state; 0 = none */
	uint64_t reserved;        /* room for ND (IPv6) */
};
_Static_assert(sizeof(struct dpvs_neigh) == 64, "dpvs_neigh layout");

/* Packets a worker holds across loop iterations live here, so that its
 * successor can free or send them after a crash. Ownership rule: clear the
 * record first, then hand the mbuf on; a crash in between leaks, never
 * double-frees. */
struct dpvs_txbuf {
	uint32_t count;
	uint32_t pad;
	struct rte_mbuf *pkts[DPVS_TXBUF_LEN];  /* hugepage pointers */
};

/* Packets waiting for the MAC of an INCOMPLETE neighbour (the requests and
 * their timer are in the neighbour's entry). */
struct dpvs_neigh_hold {
	struct dpvs_ip ip;        /* next hop; family NONE = free */
	uint16_t port;            /* port index */
	uint16_t count;           /* packets in pkts[] */
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

/* A worker's meters of one rate-limit entry (lb.rates slot, shm/lb.h): its
 * share of each limit as an rte_meter srTCM profile and state. DPDK's
 * structs hold integers only (checked in the layout fingerprint). Valid
 * while gen is the entry's gen; the worker recomputes profile and state
 * (full buckets) when it is not, or when clock is not its own, writing gen
 * last, so a death in between leaves a row its successor recomputes
 * (worker/ipvs/rate.c). */
struct dpvs_meter_row {
	uint32_t gen;             /* the entry's gen these meters belong to; 0 = none */
	uint32_t clock;           /* the TSC rate they were computed for (the
				   * worker's tsc_mult >> 16): a successor whose
				   * EAL measured another rate recomputes them */
	struct rte_meter_srtcm_profile prof[DPVS_RATE_N];
	struct rte_meter_srtcm m[DPVS_RATE_N];
} __rte_cache_aligned;

struct dpvs_worker_region {
	uint32_t magic;
	uint32_t worker_id;
	uint32_t inflight_n;                    /* valid entries in inflight[] */
	uint32_t pad;
	struct rte_mbuf *inflight[DPVS_BURST];  /* the burst being processed */
	struct dpvs_txbuf txbuf[DPVS_MAX_PORTS];
	uint32_t neigh_count;                   /* live entries (derived, recounted at start) */
	uint32_t pad2;
	struct dpvs_neigh neigh[DPVS_NEIGH_SLOTS] __rte_cache_aligned;
	struct dpvs_neigh_hold hold[DPVS_NEIGH_HOLD_SLOTS];
	/* arrays sized from root->conf.caps, at these offsets from the region
	 * (dpvs_wr_format(), shm/cfgset.c); reach them with the accessors below */
	struct dpvs_caps caps;
	uint64_t size;                          /* bytes of the whole region */
	uint64_t sched_off;       /* struct dpvs_sched_state[caps.services] */
	uint64_t lport_off;       /* uint16_t[caps.services][caps.svc_laddrs] */
	uint64_t svc_stats_off;   /* struct dpvs_lb_stats[caps.services] */
	uint64_t dest_stats_off;  /* struct dpvs_lb_stats[caps.dests] */
	uint64_t meter_off;       /* struct dpvs_meter_row[caps.rate_limits] */
} __rte_cache_aligned;

static inline struct dpvs_sched_state *
dpvs_wr_sched(const struct dpvs_worker_region *wr)
{
	return DPVS_AT(wr, wr->sched_off, struct dpvs_sched_state);
}

/* Local-port cursors of service slot svc, one per local address. */
static inline uint16_t *
dpvs_wr_lport(const struct dpvs_worker_region *wr, uint32_t svc)
{
	return DPVS_AT(wr, wr->lport_off, uint16_t) + (size_t)svc * wr->caps.svc_laddrs;
}

static inline struct dpvs_lb_stats *
dpvs_wr_svc_stats(const struct dpvs_worker_region *wr)
{
	return DPVS_AT(wr, wr->svc_stats_off, struct dpvs_lb_stats);
}

static inline struct dpvs_lb_stats *
dpvs_wr_dest_stats(const struct dpvs_worker_region *wr)
{
	return DPVS_AT(wr, wr->dest_stats_off, struct dpvs_lb_stats);
}

/* This worker's meters of rate entry slot i. */
static inline struct dpvs_meter_row *
dpvs_wr_meters(const struct dpvs_worker_region *wr)
{
	return DPVS_AT(wr, wr->meter_off, struct dpvs_meter_row);
}

#endif
