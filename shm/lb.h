/*
 * The load-balancer tables of a config set (issue 3): services, their dests
 * and local addresses, routes, static neighbours, protocol timeouts, and the
 * lookup tables of the hashing schedulers. Written only by dpvs-ctl into the
 * inactive config set (shm/config.h), read by the workers.
 *
 * Sizes are capacities from dpvs.conf ([tables], struct dpvs_caps), chosen
 * at start by the primary: each table lives at a byte offset from the
 * struct dpvs_lb_tables header (offsets computed by dpvs_cfgset_layout(),
 * shm/cfgset.c) inside the config set's memzone, and is reached through the
 * static inline accessors of shm/cfgset.h (one offset add).
 *
 * Slots and ids: a service or dest keeps its slot index for its whole life
 * (dpvs-ctl edits in place), and carries an id that is never reused, so
 * per-worker counters indexed by slot can tell a recycled slot (different id)
 * from the same object. id 0 marks a free slot.
 *
 * Everything a worker needs per packet is precomputed here by dpvs-ctl: the
 * service hash, each service's list of dest slots, the Maglev / consistent
 * hash tables, the IPv4 routes in an rte_lpm (one per config set copy, see
 * DPVS_LPM_FMT), the IPv6 routes in a hash of their own (route6_hash). All the
 * thinking happens in control (STYLE.md).
 *
 * Types and names only.
 */
#ifndef DPVS_SHM_LB_H
#define DPVS_SHM_LB_H

#include <stdint.h>

#include "types.h"

#define DPVS_SCHED_TABLE_SIZE  4093   /* prime: one Maglev / conhash table */
#define DPVS_SLOT_NONE         0xffffu      /* no service slot / no table entry */
#define DPVS_DEST_NONE         0xffffffffu  /* no dest slot */
#define DPVS_SVC_SLOT_LIMIT    65534        /* no service slot is this or above */

/* Capacities ([tables] in dpvs.conf), written once by the primary into
 * root->conf.caps; every table of a config set and of a worker region is
 * sized from them. Defaults and limits: DPVS_CAPS(X) in shm/cfgset.h. */
struct dpvs_caps {
	uint32_t services;         /* virtual services */
	uint32_t dests;            /* real servers over all services */
	uint32_t svc_dests;        /* real servers of one service */
	uint32_t svc_laddrs;       /* local addresses of one service */
	uint32_t routes;           /* routes, static and connected */
	uint32_t sneigh;           /* static neighbours */
	uint32_t addrs;            /* node addresses */
	uint32_t sched_tables;     /* Maglev / conhash tables (mh, conhash services) */
	uint32_t checks;           /* health checks (per service or per dest) */
	uint32_t acl_entries;      /* black and white list entries over all services */
	uint32_t rate_limits;      /* services and dests with a rate limit */
	uint32_t pad;
};
_Static_assert(sizeof(struct dpvs_caps) == 48, "dpvs_caps layout");

/* One rte_lpm per config set copy: set[i] routes through "dpvs_lpm_<i>".
 * Created by the primary (DPVS_LPM_MAX_RULES(caps) rules), kept by dpvs-ctl
 * equal to routes[] of set[i] (next hop = the route's slot), route by route.
 * The default route (prefix length 0) is not in the lpm (rte_lpm has no
 * depth 0): lb.default_route names its slot. */
#define DPVS_LPM_FMT       "dpvs_lpm_%u"
#define DPVS_LPM_MAX_RULES(routes) ((routes) + 64)
#define DPVS_LPM_TBL8S(routes)     ((routes) + 64)  /* one group per route of depth > 24 */

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
#define DPVS_SVC_F_MATCH  0x2u       /* a match service (SNAT): no vip/vport, its
				      * key is an entry of lb.match[] */
#define DPVS_SVC_F_SYNPROXY 0x4u     /* TCP: SYN cookies answer the SYNs, the real
				      * server sees a connection only after the
				      * client's valid ACK (worker/ipvs/synproxy.c) */
#define DPVS_SVC_F_PP_V1  0x8u       /* TCP, full-NAT: a PROXY protocol v1 header */
#define DPVS_SVC_F_PP_V2  0x10u      /* ... v2 (binary) header, before the client's
				      * first byte to the real server
				      * (worker/ipvs/proxy_proto.c) */
#define DPVS_SVC_F_TOA    0x20u      /* TCP, full-NAT: the TOA option (kind 254) on
				      * the client's handshake ACKs */
#define DPVS_SVC_F_DIRTY  0x80000000u /* dpvs-ctl only: its sched table is stale */

/* A service. Its dest list is svc_dests row `slot` (caps.svc_dests entries,
 * dest slots in add order, ndests used) and its local addresses svc_laddrs
 * row `slot` (caps.svc_laddrs entries, nladdrs used). */
struct dpvs_service {
	uint32_t id;                       /* never reused; 0 = free slot */
	uint8_t proto;                     /* IPPROTO_TCP / IPPROTO_UDP */
	uint8_t sched_id;                  /* enum dpvs_sched_id */
	uint16_t vport;                    /* network order */
	struct dpvs_ip vip;
	uint32_t flags;                    /* DPVS_SVC_F_* */
	uint32_t ndests;                   /* entries in its dest list */
	uint16_t nladdrs;                  /* entries in its laddr list */
	uint16_t sched_tbl;                /* mh/conhash: its table in the pool, else
					    * DPVS_SLOT_NONE */
};
_Static_assert(sizeof(struct dpvs_service) == 40, "dpvs_service layout");

/*
 * A match service (SNAT, as DPVS's `-H proto=tcp,src-range=...,oif=dpdk1`):
 * instead of a VIP and port, the forwarded packets it takes are those of its
 * protocol whose source and destination fall in its ranges, arriving on its
 * in-port and routed out of its out-port (each criterion optional). Its dests
 * are SNAT dests: node addresses the inside hosts' connections leave from.
 * The entries of lb.match[] are dense in add order, which is also the order
 * a packet tries them in; lb.match_ix[p] lists, per in-port p, the entries
 * that can take a packet arriving on p (derived, rebuilt at every change),
 * so that a forwarded packet on a port without match services costs one
 * load (worker/ipvs/svc_match.c).
 */
#define DPVS_MATCH_MAX   64     /* match services of a node */
#define DPVS_MATCH_PORTS 8      /* = DPVS_MAX_PORTS (checked in layout.h) */

struct dpvs_svc_match {
	struct dpvs_ip src_lo, src_hi;     /* source addresses, inclusive; family
					    * NONE: any */
	struct dpvs_ip dst_lo, dst_hi;     /* destination addresses; NONE: any */
	uint16_t sport_lo, sport_hi;       /* host order, inclusive; 0-0: any */
	uint16_t dport_lo, dport_hi;
	uint8_t proto;                     /* IPPROTO_TCP / IPPROTO_UDP */
	uint8_t iif;                       /* in-port index + 1; 0: any */
	uint8_t oif;                       /* out-port index + 1; 0: any */
	uint8_t pad;
	uint16_t svc;                      /* the service slot */
	uint16_t pad2;
};
_Static_assert(sizeof(struct dpvs_svc_match) == 96, "dpvs_svc_match layout");

/* A local address of a service: the address and the port index it is on. */
struct dpvs_svc_laddr {
	struct dpvs_ip ip;
	uint16_t port;
	uint16_t pad;
};
_Static_assert(sizeof(struct dpvs_svc_laddr) == 24, "dpvs_svc_laddr layout");

#define DPVS_DEST_F_OVERLOAD 0x1u   /* reserved: each worker keeps its own overload
				     * mark (worker/ipvs/sched.c) */
#define DPVS_DEST_F_DOWN     0x2u   /* a health check failed it: weight is 0 and
				     * conf_weight is the operator's */

/* weight is what the schedulers use; conf_weight is the operator's (-a, -e,
 * save). They differ only while a health check holds the dest down. */
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
	int32_t conf_weight;               /* the configured weight (dpvs-ctl only) */
};
_Static_assert(sizeof(struct dpvs_dest) == 48, "dpvs_dest layout");

/* Health checks (dpvs-ctl's only: the workers never read them). A check of
 * a service probes each of its dests; a check with DPVS_CHECK_F_DEST probes
 * that one dest and overrides the service's. dpvs-ctl runs the probes
 * (ctl/daemon/health*.c) and takes a failing dest's weight to 0 (flag
 * DPVS_DEST_F_DOWN) by a change like any other. */
enum dpvs_check_type {
	DPVS_CHECK_NONE = 0,
	DPVS_CHECK_TCP,            /* connect */
	DPVS_CHECK_HTTP,           /* GET path, expect a status */
	DPVS_CHECK_HTTPS,          /* the same over TLS (not verified) */
	DPVS_CHECK_UDP,            /* send bytes, expect a reply (starting with bytes) */
	DPVS_CHECK_CMD,            /* a command: exit status 0 = up */
	DPVS_CHECK_MAX
};

#define DPVS_CHECK_F_DEST   0x1u   /* dest, dport name one dest of the service */
#define DPVS_CHECK_DATA_LEN 256    /* http: path; cmd: command; udp: send, expect */

struct dpvs_check {
	uint32_t id;                       /* never reused (lb.check_next_id); 0 = free */
	uint16_t svc;                      /* service slot */
	uint8_t type;                      /* enum dpvs_check_type */
	uint8_t flags;                     /* DPVS_CHECK_F_* */
	struct dpvs_ip dest;               /* DPVS_CHECK_F_DEST */
	uint16_t dport;                    /* DPVS_CHECK_F_DEST, network order */
	uint16_t port;                     /* probe this port; 0 = the dest's (host order) */
	uint32_t interval_ms;
	uint32_t timeout_ms;
	uint8_t rise;                      /* successes in a row that bring a dest up */
	uint8_t fall;                      /* failures in a row that take it down */
	uint16_t expect_status;            /* http(s) */
	uint16_t send_len;                 /* udp: data[0, send_len) is sent */
	uint16_t expect_len;               /* udp: the reply starts with
					    * data[send_len, send_len + expect_len) */
	char data[DPVS_CHECK_DATA_LEN];    /* http(s) path, cmd command (NUL-terminated);
					    * udp bytes */
};
_Static_assert(sizeof(struct dpvs_check) == 304, "dpvs_check layout");

/*
 * IPv6 routes (issue 8) are not in an rte_lpm6: its rules live in an rte_hash
 * whose add, delete and lookup go through a hash-function pointer stored by
 * the creating process (ARCHITECTURE.md section 2 rule 2), and it costs 64 MiB
 * of hugepages per copy. They live in the config set itself, pointer-free:
 * route6_hash maps (prefix length, prefix) to the route's slot + 1 (0 =
 * empty; open addressing, linear probing, at most half full), route6_lens
 * lists the prefix lengths in use, longest first (nroute6_lens of them), and
 * route6_len_n counts the routes of each length (dpvs-ctl's bookkeeping). A
 * lookup probes the hash once per length in use (shm/lb_hash.h); the default
 * route ::/0 is length 0 like any other. Being part of the set, the index is
 * copied with it, and a new dpvs-ctl finds it as its predecessor left it.
 */
#define DPVS_ROUTE6_LENS 129          /* prefix lengths 0..128 */
#define DPVS_ROUTE_NONE  0xffffffffu  /* no route slot */

#define DPVS_ROUTE_F_CONNECTED 0x1u  /* derived from an addr entry */
#define DPVS_ROUTE_F_GATEWAY   0x2u  /* has a next hop in gw */

/* A route slot; prefix family DPVS_AF_NONE = free. Slots never move, so the
 * next hop stored in the lpm (the slot) stays valid while the route lives. */
struct dpvs_route {
	struct dpvs_ip prefix;
	struct dpvs_ip gw;                 /* family NONE when directly connected */
	uint8_t prefixlen;
	uint8_t flags;                     /* DPVS_ROUTE_F_* */
	uint16_t port;                     /* interface index (layout.h) */
	uint32_t seq;                      /* add order (show and save list by it) */
};

struct dpvs_static_neigh {
	struct dpvs_ip ip;
	uint16_t port;                     /* interface index (layout.h) */
	uint8_t mac[DPVS_ETHER_LEN];
};

/* What an address is to the node (derived: one entry per distinct address of
 * the set's node addresses, service VIPs, local addresses and draining local
 * addresses). */
#define DPVS_ADDR_IX_LADDR_TCP 0x01u  /* a local address of a TCP service */
#define DPVS_ADDR_IX_LADDR_UDP 0x02u
#define DPVS_ADDR_IX_VIP_TCP   0x04u  /* the VIP of a TCP service */
#define DPVS_ADDR_IX_VIP_UDP   0x08u

/* n[] counts the users behind each bit of lb (dpvs-ctl keeps the index by
 * reference counts so that a change touches only its own addresses); the
 * workers read ip, ports and lb only. */
enum { DPVS_AIX_LADDR_TCP, DPVS_AIX_LADDR_UDP, DPVS_AIX_VIP_TCP, DPVS_AIX_VIP_UDP,
       DPVS_AIX_N };

struct dpvs_addr_ix {
	struct dpvs_ip ip;                 /* family DPVS_AF_NONE: empty slot */
	uint16_t ports;                    /* bit i: a node address on interface i
					    * (a port or a VLAN, layout.h) */
	uint8_t lb;                        /* DPVS_ADDR_IX_* */
	uint8_t pad;
	uint16_t n[DPVS_AIX_N];            /* users of each DPVS_ADDR_IX_* bit */
};
_Static_assert(sizeof(struct dpvs_addr_ix) == 32, "dpvs_addr_ix layout");

/* A local address taken out of every service while connections may still
 * use it (issue 6.11): it stays in the address index (its LADDR bit) so that
 * replies reaching a worker other than the owner are still redirected, and no
 * new connection uses it; dpvs-ctl drops it once no worker's connection table
 * holds a live connection from it (ctl/daemon/drain.c). ip family NONE =
 * free entry. */
struct dpvs_laddr_drain {
	struct dpvs_ip ip;
	uint8_t proto;                     /* IPPROTO_TCP / IPPROTO_UDP */
	uint8_t pad[3];
	uint64_t since_ns;                 /* CLOCK_MONOTONIC of the removal */
};
_Static_assert(sizeof(struct dpvs_laddr_drain) == 32, "dpvs_laddr_drain layout");

/*
 * Access lists (issue 9; DPVS's blklst and whtlst): per service a black list
 * and a white list of source prefixes, IPv4 and IPv6, checked when a
 * connection is created (worker/ipvs/acl.c): a source in the black list is
 * refused, and a service with a white list admits only the sources in it.
 * Each entry is a slot of lb.acl (caps.acl_entries of them, the lowest free
 * one when added). Derived, so that a lookup costs one hash probe per prefix
 * length in use, whatever the number of entries: acl_hash maps (service
 * slot, list, family, prefix length, masked prefix) to the entry's slot + 1
 * (open addressing, at most half full), and acl_svc[service slot] counts
 * each list's entries and says which prefix lengths it uses (shm/lb_hash.h,
 * dpvs_acl_match).
 */
#define DPVS_ACL_BLACK 0             /* blklst: refused */
#define DPVS_ACL_WHITE 1             /* whtlst: the only ones admitted */
#define DPVS_ACL_KINDS 2
#define DPVS_ACL_NONE  0xffffffffu   /* no entry slot */

/* An entry; prefix family DPVS_AF_NONE = free slot. */
struct dpvs_acl_entry {
	struct dpvs_ip prefix;             /* host bits zero */
	uint16_t svc;                      /* service slot */
	uint8_t kind;                      /* DPVS_ACL_BLACK / DPVS_ACL_WHITE */
	uint8_t prefixlen;                 /* 0..32 (IPv4), 0..128 (IPv6) */
	uint32_t seq;                      /* add order (show and save list by it) */
	uint32_t pad;
};
_Static_assert(sizeof(struct dpvs_acl_entry) == 32, "dpvs_acl_entry layout");

/* What a service's lists hold (derived from lb.acl). */
struct dpvs_acl_svc {
	uint32_t n[DPVS_ACL_KINDS];        /* entries of each list */
	uint64_t lens4[DPVS_ACL_KINDS];    /* bit l: an IPv4 prefix of length l */
	uint64_t lens6[DPVS_ACL_KINDS][3]; /* word l / 64, bit l % 64: an IPv6
					    * prefix of length l (0..128) */
};
_Static_assert(sizeof(struct dpvs_acl_svc) == 72, "dpvs_acl_svc layout");

/*
 * Rate limits (issue 9; the seed's xmit_inbound / xmit_outbound drops): a
 * service or a dest may limit the packets and the bytes per second of its
 * connections, inbound (the client's direction) and outbound (replies), each
 * with a burst (packets or bytes). The parameters of one object are an entry
 * of lb.rates (caps.rate_limits of them); svc_rate[service slot] and
 * dest_rate[dest slot] name the object's entry (slot + 1; 0 = no limit).
 * dpvs-ctl writes parameters only; each worker meters its share (rate and
 * burst divided by the number of workers) with DPDK's rte_meter (srTCM,
 * colour-blind: green passes, the rest is dropped) in its own region
 * (struct dpvs_meter_row, shm/layout.h), whose profile and state it
 * (re)computes when the entry's gen is not the one it last saw
 * (worker/ipvs/rate.c).
 */
enum dpvs_rate_meter {
	DPVS_RATE_IN_PPS = 0,              /* inbound packets per second */
	DPVS_RATE_IN_BYTES,                /* inbound bytes (IP length) per second */
	DPVS_RATE_OUT_PPS,                 /* outbound */
	DPVS_RATE_OUT_BYTES,
	DPVS_RATE_N
};

struct dpvs_rate_param {
	uint64_t rate;                     /* per second over the node; 0 = no limit */
	uint64_t burst;                    /* packets or bytes (committed burst) */
};

#define DPVS_RATE_OWNER_SVC  1
#define DPVS_RATE_OWNER_DEST 2

struct dpvs_rate {
	uint32_t gen;                      /* never reused (lb.rate_next_gen), new at
					    * every change of the parameters; 0 = free */
	uint8_t owner_kind;                /* DPVS_RATE_OWNER_* */
	uint8_t pad[3];
	uint32_t owner;                    /* service or dest slot */
	uint32_t owner_id;                 /* its id: a connection of another object
					    * in that slot is not metered */
	struct dpvs_rate_param m[DPVS_RATE_N];
};
_Static_assert(sizeof(struct dpvs_rate) == 80, "dpvs_rate layout");

/* The load-balancer part of a config set: counters, capacities and the
 * offsets (from this header) of its tables. The offsets and sizes are
 * fixed when the set is formatted; only dpvs-ctl writes the rest. */
struct dpvs_lb_tables {
	struct dpvs_timeouts timeouts;
	uint32_t next_id;                  /* next service/dest id to hand out */
	uint32_t nroutes;                  /* routes in use (slots anywhere) */
	uint32_t nsneigh;                  /* sneigh[] is dense: entries in use */
	uint32_t route_seq;                /* next route seq */
	uint32_t default_route;            /* slot + 1 of the default route; 0 = none */
	uint32_t dest_free;                /* every dest slot below is in use */
	uint32_t svc_free;                 /* every service slot below is in use */
	uint32_t ndrain;                   /* drain entries in use (dense) */
	uint32_t ndirty;                   /* services whose sched table is stale */
	uint32_t check_next_id;            /* next health check id to hand out */
	uint32_t nnat;                     /* NAT dests (derived): 0 spares the
					    * workers the owner lookup of replies */
	uint32_t nmatch;                   /* entries of match[] in use */
	uint32_t nacl;                     /* acl entries in use (slots anywhere) */
	uint32_t acl_free;                 /* every acl slot below is in use */
	uint32_t acl_seq;                  /* next acl entry seq */
	uint32_t rate_next_gen;            /* next rate entry gen to hand out */
	uint32_t nrates;                   /* rate entries in use */
	uint32_t acl_hash_slots;           /* power of two, >= 2 x caps.acl_entries */
	uint32_t ndown;                    /* dests a health check holds down
					    * (derived): 0 spares the workers the
					    * look at a UDP flow's dest */
	/* match services: the keys (dense, add order) and, derived, per in-port
	 * the indices in match[] of those that take packets arriving on it */
	uint8_t match_n[DPVS_MATCH_PORTS];
	uint8_t match_ix[DPVS_MATCH_PORTS][DPVS_MATCH_MAX];
	struct dpvs_svc_match match[DPVS_MATCH_MAX];
	struct dpvs_caps caps;
	uint32_t svc_hash_slots;           /* powers of two, >= 2 x their keys */
	uint32_t sneigh_hash_slots;
	uint32_t addr_hash_slots;
	uint32_t drain_cap;
	uint32_t route6_hash_slots;        /* power of two, >= 2 x caps.routes */
	uint32_t nroute6_lens;             /* entries of route6_lens in use */
	/* byte offsets from this header */
	uint64_t addrs_off;                /* struct dpvs_addr_entry[caps.addrs] */
	uint64_t services_off;             /* struct dpvs_service[caps.services] */
	uint64_t svc_dests_off;            /* uint32_t[caps.services][caps.svc_dests] */
	uint64_t svc_laddrs_off;           /* struct dpvs_svc_laddr[services][svc_laddrs] */
	uint64_t dests_off;                /* struct dpvs_dest[caps.dests] */
	uint64_t routes_off;               /* struct dpvs_route[caps.routes] */
	uint64_t sneigh_off;               /* struct dpvs_static_neigh[caps.sneigh] */
	/* (proto, vip, vport) -> service slot + 1, open addressing; 0 = empty */
	uint64_t svc_hash_off;             /* uint16_t[svc_hash_slots] */
	/* (ip, port) -> static neighbour index + 1; 0 = empty */
	uint64_t sneigh_hash_off;          /* uint16_t[sneigh_hash_slots] */
	/* every address the set names -> what it is (shm/lb_hash.h), so that a
	 * packet that is not ours costs one probe */
	uint64_t addr_hash_off;            /* struct dpvs_addr_ix[addr_hash_slots] */
	/* mh and conhash: the pool of tables, bucket -> position in the
	 * service's dest list (DPVS_SLOT_NONE: no available dest) */
	uint64_t sched_off;                /* uint16_t[caps.sched_tables][TABLE_SIZE] */
	uint64_t sched_used_off;           /* uint16_t[caps.sched_tables]: owner slot+1 */
	uint64_t drain_off;                /* struct dpvs_laddr_drain[drain_cap] */
	uint64_t dirty_off;                /* uint16_t[caps.services]: dpvs-ctl only */
	/* IPv6 routes (above): (length, prefix) -> route slot + 1; 0 = empty */
	uint64_t route6_hash_off;          /* uint32_t[route6_hash_slots] */
	uint64_t route6_lens_off;          /* uint8_t[DPVS_ROUTE6_LENS], longest first */
	uint64_t route6_len_n_off;         /* uint32_t[DPVS_ROUTE6_LENS]: dpvs-ctl only */
	uint64_t checks_off;               /* struct dpvs_check[caps.checks]: dpvs-ctl only */
	/* access lists (above) */
	uint64_t acl_off;                  /* struct dpvs_acl_entry[caps.acl_entries] */
	uint64_t acl_svc_off;              /* struct dpvs_acl_svc[caps.services] */
	uint64_t acl_hash_off;             /* uint32_t[acl_hash_slots]: slot + 1 */
	/* rate limits (above) */
	uint64_t rates_off;                /* struct dpvs_rate[caps.rate_limits] */
	uint64_t svc_rate_off;             /* uint32_t[caps.services]: rate slot + 1 */
	uint64_t dest_rate_off;            /* uint32_t[caps.dests]: rate slot + 1 */
	uint64_t end_off;                  /* end of the last table */
};

#endif
