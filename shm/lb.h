/*
 * The load-balancer tables of a config set (issue 3): services, their dests
 * and local addresses, routes, static neighbours, protocol timeouts, and the
 * per-service lookup tables of the hashing schedulers. Written only by
 * dpvs-ctl into the inactive config set (shm/config.h), read by the workers.
 *
 * Slots and ids: a service or dest keeps its slot index for its whole life
 * (dpvs-ctl copies the set and edits in place), and carries an id that is
 * never reused, so per-worker counters indexed by slot can tell a recycled
 * slot (different id) from the same object. id 0 marks a free slot.
 *
 * Everything a worker needs per packet is precomputed here by dpvs-ctl: the
 * service hash, each service's list of dest slots, the Maglev / consistent
 * hash tables, the routes in an rte_lpm (one per config set copy, see
 * DPVS_LPM_FMT). All the thinking happens in control (STYLE.md).
 *
 * Types and names only.
 */
#ifndef DPVS_SHM_LB_H
#define DPVS_SHM_LB_H

#include <stdint.h>

#include "types.h"

#define DPVS_MAX_SERVICES      256
#define DPVS_MAX_DESTS         1024   /* over all services */
#define DPVS_MAX_SVC_DESTS     128    /* per service */
#define DPVS_MAX_SVC_LADDRS    16     /* per service */
#define DPVS_MAX_ROUTES        1024
#define DPVS_MAX_STATIC_NEIGH  256
#define DPVS_SVC_HASH_SLOTS    1024   /* power of two, > 2 * DPVS_MAX_SERVICES */
#define DPVS_SNEIGH_HASH_SLOTS 512    /* power of two, > 2 * DPVS_MAX_STATIC_NEIGH */
#define DPVS_SCHED_TABLE_SIZE  4093   /* prime: Maglev / conhash table per service */
/* power of two, > 2 * the distinct addresses a set can name: node addresses
 * (DPVS_MAX_ADDRS, shm/config.h), VIPs and local addresses */
#define DPVS_ADDR_HASH_SLOTS   16384
#define DPVS_SLOT_NONE         0xffffu

/* One rte_lpm per config set copy: set[i] routes through "dpvs_lpm_<i>".
 * Created by the primary, filled by dpvs-ctl when it publishes set[i]; the
 * next hop stored in the lpm is the route's index in routes[]. */
#define DPVS_LPM_FMT       "dpvs_lpm_%u"
#define DPVS_LPM_MAX_RULES (DPVS_MAX_ROUTES + 64)
#define DPVS_LPM_TBL8S     256

enum dpvs_sched_id {
	DPVS_SCHED_RR = 0,
	DPVS_SCHED_WRR,
	DPVS_SCHED_LC,
	DPVS_SCHED_WLC,
	DPVS_SCHED_MH,
	DPVS_SCHED_CONHASH,
	DPVS_SCHED_MAX
};

enum dpvs_fwd_mode {
	DPVS_FWD_FNAT = 0,
	DPVS_FWD_NAT,
	DPVS_FWD_DR,
	DPVS_FWD_TUNNEL,
	DPVS_FWD_SNAT,
	DPVS_FWD_MAX
};

/* Protocol numbers are IPPROTO_* values (6 TCP, 17 UDP). */

/* LVS's TCP states; timeouts in dpvs_timeouts.tcp[] in seconds. */
#define DPVS_TCP_STATES(X)                \
	X(NONE, "NONE")                   \
	X(ESTABLISHED, "ESTABLISHED")     \
	X(SYN_SENT, "SYN_SENT")           \
	X(SYN_RECV, "SYN_RECV")           \
	X(FIN_WAIT, "FIN_WAIT")           \
	X(TIME_WAIT, "TIME_WAIT")         \
	X(CLOSE, "CLOSE")                 \
	X(CLOSE_WAIT, "CLOSE_WAIT")       \
	X(LAST_ACK, "LAST_ACK")           \
	X(LISTEN, "LISTEN")               \
	X(SYNACK, "SYNACK")

#define DPVS_X_ENUM_TCPS(n, s) DPVS_TCPS_##n,
enum dpvs_tcp_state { DPVS_TCP_STATES(DPVS_X_ENUM_TCPS) DPVS_TCPS_MAX };
#undef DPVS_X_ENUM_TCPS

struct dpvs_timeouts {
	uint32_t tcp[DPVS_TCPS_MAX];  /* seconds per TCP state */
	uint32_t udp;                 /* seconds after the last packet */
	uint32_t pad;
};

#define DPVS_SVC_F_HASHED 0x1u       /* conhash/mh hash the source port too */

struct dpvs_service {
	uint32_t id;                       /* never reused; 0 = free slot */
	uint8_t proto;                     /* IPPROTO_TCP / IPPROTO_UDP */
	uint8_t sched_id;                  /* enum dpvs_sched_id */
	uint16_t vport;                    /* network order */
	struct dpvs_ip vip;
	uint32_t flags;                    /* DPVS_SVC_F_* */
	uint16_t ndests;                   /* entries in dests[] */
	uint16_t nladdrs;                  /* entries in laddrs[] */
	uint16_t dests[DPVS_MAX_SVC_DESTS];        /* dest slots, in add order */
	struct dpvs_ip laddrs[DPVS_MAX_SVC_LADDRS];
	uint16_t laddr_port[DPVS_MAX_SVC_LADDRS];  /* port index of each laddr */
	uint32_t pad;
};

#define DPVS_DEST_F_OVERLOAD 0x1u   /* reserved: thresholds are checked per worker */

struct dpvs_dest {
	uint32_t id;                       /* never reused; 0 = free slot */
	uint16_t svc;                      /* service slot */
	uint16_t port;                     /* network order */
	struct dpvs_ip addr;
	uint8_t fwd_mode;                  /* enum dpvs_fwd_mode */
	uint8_t flags;
	uint16_t pad;
	int32_t weight;                    /* 0: no new connections */
	uint32_t u_threshold;              /* 0 = none: max active conns */
	uint32_t l_threshold;              /* 0 = none */
};

#define DPVS_ROUTE_F_CONNECTED 0x1u  /* derived from an addr entry */
#define DPVS_ROUTE_F_GATEWAY   0x2u  /* has a next hop in gw */

struct dpvs_route {
	struct dpvs_ip prefix;
	struct dpvs_ip gw;                 /* family NONE when directly connected */
	uint8_t prefixlen;
	uint8_t flags;                     /* DPVS_ROUTE_F_* */
	uint16_t port;                     /* port index */
	uint32_t pad;
};

struct dpvs_static_neigh {
	struct dpvs_ip ip;
	uint16_t port;                     /* port index */
	uint8_t mac[DPVS_ETHER_LEN];
};

/* What an address is to the node (derived: one entry per distinct address of
 * the set's node addresses, service VIPs and local addresses). */
#define DPVS_ADDR_IX_LADDR_TCP 0x01u  /* a local address of a TCP service */
#define DPVS_ADDR_IX_LADDR_UDP 0x02u
#define DPVS_ADDR_IX_VIP_TCP   0x04u  /* the VIP of a TCP service */
#define DPVS_ADDR_IX_VIP_UDP   0x08u

struct dpvs_addr_ix {
	struct dpvs_ip ip;                 /* family DPVS_AF_NONE: empty slot */
	uint8_t ports;                     /* bit p: a node address on port index p */
	uint8_t lb;                        /* DPVS_ADDR_IX_* */
	uint16_t pad;
};
_Static_assert(sizeof(struct dpvs_addr_ix) == 24, "dpvs_addr_ix layout");

/* The load-balancer part of a config set. */
struct dpvs_lb_tables {
	struct dpvs_timeouts timeouts;
	uint32_t next_id;                  /* next service/dest id to hand out */
	uint32_t nroutes;
	uint32_t nsneigh;
	uint32_t pad;
	/* (proto, vip, vport) -> service slot + 1, open addressing; 0 = empty */
	uint16_t svc_hash[DPVS_SVC_HASH_SLOTS];
	/* ip -> static neighbour index + 1, open addressing; 0 = empty */
	uint16_t sneigh_hash[DPVS_SNEIGH_HASH_SLOTS];
	struct dpvs_service services[DPVS_MAX_SERVICES];
	struct dpvs_dest dests[DPVS_MAX_DESTS];
	struct dpvs_route routes[DPVS_MAX_ROUTES];
	struct dpvs_static_neigh sneigh[DPVS_MAX_STATIC_NEIGH];
	/* mh and conhash: per service slot, hash bucket -> dest slot
	 * (DPVS_SLOT_NONE when the service has no available dest) */
	uint16_t sched_table[DPVS_MAX_SERVICES][DPVS_SCHED_TABLE_SIZE];
	/* every address the set names -> what it is, open addressing
	 * (shm/lb_hash.h), so that a packet that is not ours costs one probe,
	 * not a scan of the addresses and services */
	struct dpvs_addr_ix addr_hash[DPVS_ADDR_HASH_SLOTS];
};

#endif
