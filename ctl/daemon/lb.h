/*
 * Front doors of the load-balancer tables (shm/lb.h): the only functions that
 * change services, dests, local addresses, routes and static neighbours of a
 * config set. Like addr.h they act on a config set in plain memory, validate
 * everything first and change nothing on error; messages speak ipvsadm's and
 * iproute2's language. One file per object: svc.c, dest.c, laddr.c, route.c,
 * sneigh.c; derive.c keeps what the workers read but nobody edits (hashes,
 * address index, scheduler tables) up to date object by object. Each front
 * door is a deterministic function of the set and its arguments: dpvs-ctl
 * replays the same calls on the second copy (ctl/daemon/change.c).
 *
 * Arguments are plain C (ports in host order here, network order in shm);
 * wire types stop at apply_lb.c. Callers: apply (handler, rules loader), the
 * tests.
 */
#ifndef DPVS_CTL_LB_H
#define DPVS_CTL_LB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "shm/layout.h"

struct rte_lpm;

#define CTL_MATCH_TEXT 192        /* the longest -H text */

/* A virtual service: protocol (IPPROTO_TCP/UDP), VIP, port; or a match
 * service (SNAT), named by its match (vip family NONE, port 0). */
struct ctl_svc_key {
	uint8_t proto;
	bool is_match;
	struct dpvs_ip vip;
	uint16_t port;                 /* host order */
	struct dpvs_svc_match match;   /* is_match: the key (its svc unused) */
	char text[CTL_MATCH_TEXT];     /* is_match: its canonical text, for messages */
};

/* Rate limits given with -A / -E / -a / -e: each meter with has[k] set
 * gets m[k] (rate 0: no limit; burst 0: the default, a tenth of a second's
 * worth); the others keep what they have. */
struct ctl_rate_args {
	bool has[DPVS_RATE_N];
	struct dpvs_rate_param m[DPVS_RATE_N];
};

struct ctl_svc_args {
	struct ctl_svc_key key;
	int sched;                     /* enum dpvs_sched_id; -1 = keep (edit) */
	int flags;                     /* DPVS_SVC_F_HASHED; -1 = keep (edit) */
	int synproxy;                  /* 1 on, -1 off; 0: off (add), keep (edit) */
	int pp;                        /* PROXY protocol: 1 v1, 2 v2, -1 off; 0: off
					* (add), keep (edit) */
	int toa;                       /* TOA: 1 on, -1 off; 0: off (add), keep (edit) */
	struct ctl_rate_args rate;
};

/* The flags of the client's address for full-NAT (--proxy-protocol, --toa):
 * set by pp and toa, kept by a change of the scheduler flags. */
#define CTL_SVC_F_ADDR (DPVS_SVC_F_PP_V1 | DPVS_SVC_F_PP_V2 | DPVS_SVC_F_TOA)

struct ctl_dest_args {
	struct ctl_svc_key svc;
	struct dpvs_ip addr;
	uint16_t port;                 /* host order */
	int mode;                      /* enum dpvs_fwd_mode; -1 = unset */
	int64_t weight;
	uint32_t upper, lower;
	bool has_weight, has_upper, has_lower;
	struct ctl_rate_args rate;
};

/* blklst / whtlst add | del: a source prefix in a list of a service. */
struct ctl_acl_args {
	struct ctl_svc_key svc;
	uint8_t kind;                  /* DPVS_ACL_BLACK / DPVS_ACL_WHITE */
	uint8_t prefixlen;
	struct dpvs_ip prefix;         /* host bits must be zero */
};

struct ctl_laddr_args {
	struct ctl_svc_key svc;
	struct dpvs_ip addr;
	int port;                      /* port index; -1 = not given */
};

struct ctl_route_args {
	struct dpvs_ip prefix;
	uint8_t prefixlen;
	struct dpvs_ip gw;             /* family DPVS_AF_NONE: directly connected */
	int port;                      /* port index; -1 = not given (del) */
};

struct ctl_sneigh_args {
	struct dpvs_ip ip;
	uint8_t mac[DPVS_ETHER_LEN];
	int port;                      /* port index */
};

/* A health check (check set): the service, optionally one dest of it, and
 * the probe. Times in ms; data as in struct dpvs_check. */
struct ctl_check_args {
	struct ctl_svc_key svc;
	bool has_dest;
	struct dpvs_ip dest;
	uint16_t dport;                /* host order */
	uint8_t type;                  /* enum dpvs_check_type */
	uint8_t rise, fall;
	uint16_t port;                 /* probe port; 0 = the dest's */
	uint16_t expect_status;
	uint16_t send_len, expect_len;
	uint32_t interval_ms, timeout_ms;
	char data[DPVS_CHECK_DATA_LEN];
};

/* The published health of a dest (the check engine's change). */
struct ctl_health_args {
	struct ctl_svc_key svc;
	struct dpvs_ip addr;
	uint16_t port;                 /* host order */
	bool down;
};

#define CTL_MAX_WEIGHT 65535
#define CTL_RATE_MAX 1000000000000ull        /* a rate or burst: at most 10^12 */
#define CTL_RATE_MIN_BYTES_BURST 9600        /* the default byte burst's floor */
#define CTL_CHECK_MIN_MS 100           /* interval and timeout: 0.1 s .. 1 h */
#define CTL_CHECK_MAX_MS 3600000
#define CTL_CHECK_MAX_COUNT 100        /* rise, fall */

/* --- names (svc.c) --- */
const char *ctl_sched_name(unsigned int sched);       /* "rr", ..., "?" */
int ctl_sched_from_name(const char *name);            /* or -1 */
const char *ctl_fwd_name(unsigned int mode);          /* "fnat", ..., "?" */
int ctl_fwd_from_name(const char *name);              /* or -1 */
const char *ctl_proto_name(uint8_t proto);            /* "TCP", "UDP", "?" */
/* Is the IPv6 address one a host may have (not ::, ::1, multicast or
 * link-local)? */
bool ctl_ip6_is_host(const uint8_t a[16]);
/* "TCP 10.0.0.100:80", "match proto=tcp,src-range=..." */
const char *ctl_svc_key_str(const struct ctl_svc_key *k, char *buf, size_t len);
/* The key of live service slot (root: port names for a match, may be
 * NULL). */
void ctl_svc_key_of(const struct dpvs_root *root, const struct dpvs_lb_tables *lb, uint16_t slot,
		    struct ctl_svc_key *k);
#define CTL_KEY_STR (CTL_MATCH_TEXT + 16)   /* a buffer for ctl_svc_key_str */
/* "10.0.0.100:80", "[2001:db8::1]:80" (port in host order) */
const char *ctl_ipport_str(const struct dpvs_ip *ip, uint16_t port, char *buf, size_t len);

/* May a service with the SYN proxy have dests of forwarding mode `mode`?
 * (fnat and nat: the proxy needs the server's replies.) */
int ctl_fwd_synproxy_ok(uint8_t mode);

/* --- timeouts (timeout.c) --- */
/* The index in struct dpvs_timeouts of a name: a TCP state (0 ..
 * DPVS_TCPS_MAX - 1) for "tcp.<state>" (lower case), "tcp" (ESTABLISHED) or
 * "tcpfin" (FIN_WAIT); DPVS_TCPS_MAX for "udp"; -1 for anything else. */
int ctl_timeout_index(const char *name);
/* "tcp.syn_recv", ..., "udp" for an index of ctl_timeout_index. */
const char *ctl_timeout_name(unsigned int i, char *buf, size_t len);
#define CTL_TIMEOUT_MAX_S 2592000u     /* 30 days: what a connection may live */
/* Set the timeouts of t that are not 0 (seconds, 1..CTL_TIMEOUT_MAX_S);
 * the others stay. All or nothing. */
int ctl_timeout_set(struct dpvs_config_set *set, const struct dpvs_timeouts *t, char *err,
		    size_t errlen);
/* The lines that give a fresh node lb's timeouts (those that differ from
 * the defaults), for save. */
void ctl_timeout_save(const struct dpvs_lb_tables *lb, FILE *out);

/* --- defaults (svc.c) --- */
/* LVS's timeouts (ip_vs_proto_tcp.c, ip_vs_proto_udp.c), in seconds:
 * NONE 2, ESTABLISHED 900, SYN_SENT 120, SYN_RECV 60, FIN_WAIT 120,
 * TIME_WAIT 120, CLOSE 10, CLOSE_WAIT 60, LAST_ACK 30, LISTEN 120,
 * SYNACK 120; UDP 300. */
void ctl_default_timeouts(struct dpvs_timeouts *t);
/* Fill what a fresh set lacks: timeouts (all zero -> defaults), next_id
 * (0 -> 1). Idempotent. */
void ctl_lb_prepare(struct dpvs_lb_tables *lb);

/* --- derived tables, object by object (derive.c) --- */
void ctl_svc_hash_insert(struct dpvs_lb_tables *lb, uint16_t slot);
void ctl_svc_hash_remove(struct dpvs_lb_tables *lb, uint16_t slot);
void ctl_sneigh_hash_insert(struct dpvs_lb_tables *lb, uint32_t i);
void ctl_sneigh_hash_rebuild(struct dpvs_lb_tables *lb);
/* The IPv6 route in slot (IPv4: nothing) into / out of the route6 index. */
void ctl_route6_insert(struct dpvs_lb_tables *lb, uint32_t slot);
void ctl_route6_remove(struct dpvs_lb_tables *lb, uint32_t slot);
/* The DPVS_AIX_* counter of a local address (vip 0) or VIP (vip 1) of proto. */
int ctl_aix_bit(uint8_t proto, int vip);
/* Count one user more (delta 1) or less (-1) of ip's bit in the address
 * index; the entry goes when nothing names ip any more. */
void ctl_aix_ref(struct dpvs_lb_tables *lb, const struct dpvs_ip *ip, int bit, int delta);
/* A node address on port index port (on 1) or not any more (on 0). */
void ctl_aix_port(struct dpvs_lb_tables *lb, const struct dpvs_ip *ip, uint16_t port, int on);
const struct dpvs_addr_ix *ctl_aix_find(const struct dpvs_lb_tables *lb,
					const struct dpvs_ip *ip);
/* mh and conhash need a table of the pool. */
int ctl_sched_wants_table(uint8_t sched);
/* Give service slot a table of the pool (0), or -1 when the pool is full. */
int ctl_sched_table_get(struct dpvs_lb_tables *lb, uint16_t slot);
void ctl_sched_table_put(struct dpvs_lb_tables *lb, uint16_t slot);
/* Its table needs a rebuild before the set is published. */
void ctl_sched_mark(struct dpvs_lb_tables *lb, uint16_t slot);
/* Rebuild the tables of every marked service. */
void ctl_sched_flush(struct dpvs_lb_tables *lb);

/* --- match services (match.c) --- */
/* Parse a -H text (root: the port names of iif= and oif=; NULL refuses
 * them); 0 or -CTL_EINVAL / -CTL_EUNSUPP / -CTL_ENOPORT with a message. */
int ctl_match_parse(const struct dpvs_root *root, const char *text, struct dpvs_svc_match *m,
		    char *err, size_t errlen);
/* The canonical text of m ("proto=tcp,src-range=A-B,oif=dpdk1"); ports by
 * name when root is given, else "port<N>". */
const char *ctl_match_str(const struct dpvs_root *root, const struct dpvs_svc_match *m,
			  char *buf, size_t len);
/* Same key (every criterion; not the service slot)? */
int ctl_match_same(const struct dpvs_svc_match *a, const struct dpvs_svc_match *b);
/* The family of the packets match m takes: its ranges', IPv4 without one
 * (worker/ipvs/svc_match.c decides the same way). */
uint8_t ctl_match_family(const struct dpvs_svc_match *m);
/* Index in lb.match[] of the key m, or of service slot's key; -1 if none. */
int ctl_match_find(const struct dpvs_lb_tables *lb, const struct dpvs_svc_match *m);
int ctl_match_of_svc(const struct dpvs_lb_tables *lb, uint16_t slot);
/* Append the key of service slot (-1 when DPVS_MATCH_MAX are in use), or
 * remove it; both rebuild the per-in-port index. */
int ctl_match_add(struct dpvs_lb_tables *lb, uint16_t slot, const struct dpvs_svc_match *m);
void ctl_match_del(struct dpvs_lb_tables *lb, uint16_t slot);
/* Rebuild lb.match_n / lb.match_ix from lb.match[]. */
void ctl_match_reindex(struct dpvs_lb_tables *lb);

/* --- services (svc.c) --- */
/* Slot of the live service with this key, or -1 (one probe of the service
 * hash). */
int ctl_svc_find(const struct dpvs_lb_tables *lb, const struct ctl_svc_key *k);
/* Same, failing with -CTL_ENOENT "no service TCP 10.0.0.100:80". */
int ctl_svc_get(const struct dpvs_lb_tables *lb, const struct ctl_svc_key *k, char *err,
		size_t errlen);
int ctl_svc_add(struct dpvs_config_set *set, const struct ctl_svc_args *a, char *err,
		size_t errlen);
int ctl_svc_edit(struct dpvs_config_set *set, const struct ctl_svc_args *a, char *err,
		 size_t errlen);
/* Deletes the service and its dests; the slot becomes free. */
int ctl_svc_del(struct dpvs_config_set *set, const struct ctl_svc_key *k, char *err,
		size_t errlen);

/* --- dests (dest.c) --- */
int ctl_dest_add(struct dpvs_config_set *set, const struct ctl_dest_args *a, char *err,
		 size_t errlen);
int ctl_dest_edit(struct dpvs_config_set *set, const struct ctl_dest_args *a, char *err,
		  size_t errlen);
int ctl_dest_del(struct dpvs_config_set *set, const struct ctl_dest_args *a, char *err,
		 size_t errlen);
/* What dest d of service svc counts in the derived tables, added (delta 1)
 * or taken away (-1: an snat dest's address then drains): lb.nnat, lb.ndown,
 * and an snat dest's local-address bit in the address index. */
void ctl_dest_ref(struct dpvs_lb_tables *lb, const struct dpvs_service *svc,
		  const struct dpvs_dest *d, int delta);
/* Slot of a service with an snat dest at ip, or -1 (a scan: for addr del). */
int ctl_snat_user(const struct dpvs_lb_tables *lb, const struct dpvs_ip *ip);

/* --- health checks (check.c) --- */
const char *ctl_check_type_name(unsigned int type);   /* "tcp", ..., "?" */
int ctl_check_type_from_name(const char *name);       /* or -1 */
/* Add the check, or replace the one with the same service and dest (its
 * dests keep their health; the probes start over). */
int ctl_check_set(struct dpvs_config_set *set, const struct ctl_check_args *a, char *err,
		  size_t errlen);
/* Delete the check of a->svc (and a->dest when has_dest); its dests that
 * no other check covers come back to their configured weight. */
int ctl_check_del(struct dpvs_config_set *set, const struct ctl_check_args *a, char *err,
		  size_t errlen);
/* Publish a checked dest's health: down takes its weight to 0, up gives its
 * configured weight back. */
int ctl_dest_health(struct dpvs_config_set *set, const struct ctl_health_args *a, char *err,
		    size_t errlen);
/* lb.ndown (dests a health check holds down) up by one (delta > 0) or down. */
void ctl_dest_down_count(struct dpvs_lb_tables *lb, int delta);
/* The check that covers dest slot d (its own, else its service's), or -1. */
int ctl_check_of_dest(const struct dpvs_lb_tables *lb, uint32_t d);
/* The same for every dest slot at once, in one pass over the checks: the
 * covering check's slot + 1 (0 = none), malloc'd [caps.dests]; NULL when out
 * of memory. */
uint32_t *ctl_check_cover(const struct dpvs_lb_tables *lb);
/* A service slot or a dest slot goes: its checks go with it (svc.c, dest.c). */
void ctl_check_svc_gone(struct dpvs_lb_tables *lb, uint32_t svc);
void ctl_check_dest_gone(struct dpvs_lb_tables *lb, uint32_t dest);

/* --- access lists (acl.c) --- */
const char *ctl_acl_kind_name(unsigned int kind);     /* "blklst", "whtlst", "?" */
int ctl_acl_kind_from_name(const char *name);         /* or -1 */
int ctl_acl_add(struct dpvs_config_set *set, const struct ctl_acl_args *a, char *err,
		size_t errlen);
int ctl_acl_del(struct dpvs_config_set *set, const struct ctl_acl_args *a, char *err,
		size_t errlen);
/* Service slot svc goes: its entries go with it (svc.c). */
void ctl_acl_svc_gone(struct dpvs_lb_tables *lb, uint32_t svc);
/* Rebuild lb.acl_hash, lb.acl_svc and lb.nacl from the entries. */
void ctl_acl_derive(struct dpvs_lb_tables *lb);
/* Entry slots in use, in add order, into out[caps.acl_entries]; how many. */
size_t ctl_acl_slots_sorted(const struct dpvs_lb_tables *lb, uint32_t *out);

/* --- rate limits (rate.c) --- */
const char *ctl_rate_meter_name(unsigned int k);      /* "in_pps", ..., "?" */
int ctl_rate_meter_from_name(const char *name);       /* or -1 */
const char *ctl_rate_meter_opt(unsigned int k);       /* "--rate-in", ... */
/* The burst of meter k when none is given: rate / 10, at least one packet
 * or CTL_RATE_MIN_BYTES_BURST bytes. */
uint64_t ctl_rate_default_burst(unsigned int k, uint64_t rate);
/* The parameters of rate entry slot + 1 `ix`, or NULL (none). */
const struct dpvs_rate_param *ctl_rate_params(const struct dpvs_lb_tables *lb, uint32_t ix);
/* The limits an object with entry ix has after a (NULL: none given) into
 * out; checks them and, when the object needs an entry it lacks, that one
 * is free (-CTL_EFULL). Changes nothing. */
int ctl_rate_merge(const struct dpvs_lb_tables *lb, uint32_t ix, const struct ctl_rate_args *a,
		   struct dpvs_rate_param out[DPVS_RATE_N], char *err, size_t errlen);
/* Give the object whose entry index is *ix (lb.svc_rate[] or lb.dest_rate[])
 * the limits p (all 0: its entry goes); a change gets a new gen. Call after
 * ctl_rate_merge() succeeded. */
void ctl_rate_store(struct dpvs_lb_tables *lb, uint32_t *ix, uint8_t owner_kind, uint32_t owner,
		    uint32_t owner_id, const struct dpvs_rate_param p[DPVS_RATE_N]);
void ctl_rate_free(struct dpvs_lb_tables *lb, uint32_t *ix);
/* Every meter of entry ix (0 for none) as explicit arguments (reload). */
void ctl_rate_args_of(const struct dpvs_lb_tables *lb, uint32_t ix, struct ctl_rate_args *a);
/* Do entries xi of x and yi of y (0: none) hold the same limits? */
int ctl_rate_same(const struct dpvs_lb_tables *x, uint32_t xi, const struct dpvs_lb_tables *y,
		  uint32_t yi);
/* " --rate-in 1000pps:100 --rate-out-bytes 1000000:100000" of entry ix. */
void ctl_rate_save(FILE *out, const struct dpvs_lb_tables *lb, uint32_t ix);

/* --- local addresses (laddr.c) --- */
/* laddr.c: may local address ip be added to service slot si now (its
 * family is that of one of its full-NAT real servers, or it has none)? */
bool ctl_laddr_fits(const struct dpvs_lb_tables *lb, uint32_t si, const struct dpvs_ip *ip);
int ctl_laddr_add(struct dpvs_config_set *set, const struct dpvs_root *root,
		  const struct ctl_laddr_args *a, char *err, size_t errlen);
int ctl_laddr_del(struct dpvs_config_set *set, const struct dpvs_root *root,
		  const struct ctl_laddr_args *a, char *err, size_t errlen);
/* Slot of a service that uses ip as a local address, or -1 (a scan: for
 * error messages). */
int ctl_laddr_user(const struct dpvs_lb_tables *lb, const struct dpvs_ip *ip);
/* Does a service use ip as a local address? (the address index: one probe) */
bool ctl_laddr_in_use(const struct dpvs_lb_tables *lb, const struct dpvs_ip *ip);

/* --- draining local addresses (drain.c) --- */
/* ip stops being a local address of a proto service: keep it known to the
 * workers (address index) until ctl_drain_drop(). */
void ctl_drain_add(struct dpvs_lb_tables *lb, const struct dpvs_ip *ip, uint8_t proto);
/* The drain entry of (ip, proto) goes (no connection uses it any more);
 * -CTL_ENOENT when there is none. */
int ctl_drain_drop(struct dpvs_config_set *set, const struct dpvs_ip *ip, uint8_t proto,
		   char *err, size_t errlen);
/* How many drain entries of (ip, proto) there are (0 or 1). */
int ctl_drain_find(const struct dpvs_lb_tables *lb, const struct dpvs_ip *ip, uint8_t proto);

/* --- routes (route.c) --- */
int ctl_route_add(struct dpvs_config_set *set, const struct dpvs_root *root,
		  const struct ctl_route_args *a, char *err, size_t errlen);
int ctl_route_del(struct dpvs_config_set *set, const struct dpvs_root *root,
		  const struct ctl_route_args *a, char *err, size_t errlen);
/* Would the static routes still have their gateways on a connected network
 * if address entry skip (-1: none) were gone? 0, or -CTL_EINVAL naming the
 * route. Used by addr del. */
int ctl_route_gw_check(const struct dpvs_config_set *set, const struct dpvs_root *root,
		       int skip, char *err, size_t errlen);
/* Address entry i was just added (before: is about to go): add (remove) the
 * connected route of its network unless another address has that network
 * (then the route follows the first such address). */
void ctl_route_connected_add(struct dpvs_config_set *set, uint32_t i);
void ctl_route_connected_del(struct dpvs_config_set *set, uint32_t i);
/* Route slots in use, static routes first, each kind in add order, into
 * out[caps.routes]; returns how many. */
size_t ctl_route_slots_sorted(const struct dpvs_lb_tables *lb, uint32_t *out);
/* The rte_lpm of set's copy (dpvs_lpm_<copy>), NULL for a set in plain
 * memory. */
struct rte_lpm *ctl_set_lpm(const struct dpvs_config_set *set);
/* Empty lpm and add every IPv4 route of lb but the default, next hop = slot.
 * Returns 0 or -CTL_EFULL / -CTL_EINVAL with a message. */
int ctl_route_lpm_fill(struct rte_lpm *lpm, const struct dpvs_lb_tables *lb, char *err,
		       size_t errlen);

/* --- static neighbours (sneigh.c) --- */
int ctl_sneigh_add(struct dpvs_config_set *set, const struct dpvs_root *root,
		   const struct ctl_sneigh_args *a, char *err, size_t errlen);
int ctl_sneigh_del(struct dpvs_config_set *set, const struct dpvs_root *root,
		   const struct ctl_sneigh_args *a, char *err, size_t errlen);

/* --- listing (lbshow.c) --- */
/* Live service slots in id (creation) order into slots[caps.services];
 * returns how many. */
size_t ctl_svc_slots_by_id(const struct dpvs_lb_tables *lb, uint16_t *slots);

/* --- save (save.c) --- */
/* The state of set as rules-file lines, in an order that loads back into a
 * fresh node (addresses, static neighbours, static routes, services and
 * dests in id order, local addresses). Returns 0 or -CTL_EIO. */
int ctl_save_text(const struct dpvs_config_set *set, const struct dpvs_root *root, FILE *out);

/* --- derived tables (derive.c) --- */
/* Rebuild from scratch what derive.c keeps up to date (svc_hash,
 * sneigh_hash, the address index, the IPv6 route index, the mh/conhash
 * tables): the checker the tests compare the incremental tables with. Pure,
 * plain memory. */
void ctl_lb_derive(struct dpvs_config_set *set);

#endif
