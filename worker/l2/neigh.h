/*
 * The neighbour table of one worker and its state machine (NUD).
 *
 * The table (neigh.c): open addressing with linear probing in the worker's
 * shm region (struct dpvs_worker_region.neigh[]), keyed by (port index,
 * address), family-generic: ARP for IPv4, ND for IPv6. Written only by the owning
 * worker; read lock-free by dpvs-ctl (`neigh show`) and by the peer workers
 * (to tell whether anyone asked for an address): an entry's fields are
 * written before its state is release-stored, so a reader never sees a
 * half-made entry. Deletion shifts the entries after the hole back (no
 * tombstones); a death in the middle of a shift leaves at worst a duplicate
 * or an entry its probe sequence does not reach, which wk_neigh_rebuild
 * repairs when the successor starts.
 *
 * The state machine (neigh_nud.c), as Linux's: an address we asked for is
 * INCOMPLETE (broadcast requests) until a reply makes it REACHABLE; after
 * WK_NEIGH_REACHABLE_NS without a confirming reply it is STALE; a packet sent
 * to a STALE entry moves it to PROBE (unicast requests to the known MAC,
 * the packets still go out), a reply from that MAC makes it REACHABLE again,
 * and after WK_NEIGH_UCAST_PROBES unanswered probes it is INCOMPLETE again
 * (broadcast: a wrong entry heals itself). An INCOMPLETE entry that gets no
 * reply after WK_NEIGH_MCAST_PROBES requests is FAILED (its packets are
 * dropped) for WK_NEIGH_FAILED_NS, then deleted; a STALE entry nobody used
 * for WK_NEIGH_GC_STALE_NS is deleted. Another MAC for a known entry (an
 * unsolicited reply, a gratuitous ARP) is never taken as is: outside the
 * lock time it starts PROBE of the known MAC, and only if that MAC stays
 * silent does the broadcast find the new one.
 *
 * Pure functions on the region and its entries, the clock passed in: no EAL
 * (the last sections excepted: neigh_out.c, neigh_learn.c, arp.c and nd.c,
 * on the worker context).
 */
#ifndef DPVS_WORKER_NEIGH_H
#define DPVS_WORKER_NEIGH_H

#include <stdint.h>
#include <string.h>

#include "shm/layout.h"

struct rte_mbuf;

/* The timers (Linux's defaults: base_reachable_time 30 s, retrans_time 1 s,
 * mcast_solicit 3, ucast_solicit 3, locktime 1 s, gc_staletime 60 s). */
#define WK_NEIGH_REACHABLE_NS 30000000000ull /* REACHABLE -> STALE without a reply */
#define WK_NEIGH_RETRANS_NS   1000000000ull  /* between two requests or probes */
#define WK_NEIGH_MCAST_PROBES 3              /* broadcast requests of INCOMPLETE */
#define WK_NEIGH_UCAST_PROBES 3              /* unicast probes of PROBE */
#define WK_NEIGH_LOCKTIME_NS  1000000000ull  /* another MAC within this: ignored */
#define WK_NEIGH_FAILED_NS    1000000000ull  /* FAILED drops packets this long */
#define WK_NEIGH_GC_STALE_NS  60000000000ull /* STALE and unused this long: deleted */
/* Live entries at most (3/4 of the slots, so that probe sequences stay short). */
#define WK_NEIGH_MAX (DPVS_NEIGH_SLOTS / 4 * 3)

/* --- the table (neigh.c) --- */

/* The entry of (port, ip), or NULL. */
struct dpvs_neigh *wk_neigh_lookup(struct dpvs_worker_region *wr, uint16_t port,
				   const struct dpvs_ip *ip);
/* The same on a table this process does not write (a peer's, dpvs-ctl). */
const struct dpvs_neigh *wk_neigh_find(const struct dpvs_worker_region *wr, uint16_t port,
				       const struct dpvs_ip *ip);
/* A new INCOMPLETE entry for (port, ip), which must not be in the table, not
 * yet asked for (probes 0), with flags and timer_ns as given; NULL when the
 * table holds WK_NEIGH_MAX entries. */
struct dpvs_neigh *wk_neigh_create(struct dpvs_worker_region *wr, uint16_t port,
				   const struct dpvs_ip *ip, uint8_t flags, uint64_t timer_ns,
				   uint64_t now_ns);
/* Remove entry e (a slot of wr), shifting back the entries after it. */
void wk_neigh_delete(struct dpvs_worker_region *wr, struct dpvs_neigh *e);
/* At start: repair what a dead predecessor may have left (an invalid state,
 * family or port, a duplicate, an entry its probe sequence does not reach,
 * a missing or absurd timer), then recount wr->neigh_count. Returns the
 * number of live entries. */
uint32_t wk_neigh_rebuild(struct dpvs_worker_region *wr, uint64_t now_ns);
/* Fill an IPv4 dpvs_ip from a network-order address. */
static inline void
wk_ip_from_v4(struct dpvs_ip *ip, uint32_t addr_be)
{
	/* inline: per packet, twice in the ipvs parse; one 16-byte store
	 * for the zeros instead of a memset call */
	memset(ip, 0, sizeof(*ip));
	ip->family = DPVS_AF_INET;
	memcpy(ip->bytes, &addr_be, sizeof(addr_be));
}
/* Fill an IPv6 dpvs_ip from its 16 bytes. */
void wk_ip_from_v6(struct dpvs_ip *ip, const uint8_t a[16]);

/* --- the state machine (neigh_nud.c) --- */

/* What the caller has to do after an event. */
enum wk_nud {
	WK_NUD_NONE = 0,
	/* output (a packet to send to the neighbour) */
	WK_NUD_SEND,          /* send it to e->mac */
	WK_NUD_SEND_PROBE,    /* send it to e->mac, and a unicast probe to e->mac */
	WK_NUD_HOLD,          /* hold it until the reply */
	WK_NUD_HOLD_REQUEST,  /* hold it and broadcast our first request */
	WK_NUD_DROP,          /* FAILED: drop it (neigh_unresolved) */
	/* timer */
	WK_NUD_REQUEST,       /* broadcast a request */
	WK_NUD_PROBE,         /* send a unicast probe to e->mac */
	WK_NUD_FAIL,          /* gave up: drop what is held for it */
	WK_NUD_DELETE,        /* delete the entry */
	/* ARP (or ND) about the neighbour, from its sender fields */
	WK_NUD_RESOLVED,      /* INCOMPLETE/FAILED -> REACHABLE: send what is held */
	WK_NUD_CONFIRMED,     /* a reply from the known MAC: REACHABLE */
	WK_NUD_VERIFY,        /* another MAC claimed: PROBE started, send a unicast probe */
	WK_NUD_CLAIM,         /* another MAC claimed while PROBE runs already */
	WK_NUD_LOCKED,        /* another MAC within the lock time: ignored */
	WK_NUD_UNSOLICITED,   /* not a reply, for an entry we are asking for: ignored */
};

/* A packet is to be sent to e. */
enum wk_nud wk_nud_output(struct dpvs_neigh *e, uint64_t now_ns);
/* e's timer is due (e->timer_ns != 0 && e->timer_ns <= now_ns). */
enum wk_nud wk_nud_timer(struct dpvs_neigh *e, uint64_t now_ns);
/* An ARP packet whose sender is e's address, with sender MAC mac; reply:
 * an ARP reply (op 2), else a request (gratuitous or not). The same for ND:
 * a solicited NA is a reply, an unsolicited NA or an NS a request. */
enum wk_nud wk_nud_arp(struct dpvs_neigh *e, int reply, const uint8_t mac[DPVS_ETHER_LEN],
		       uint64_t now_ns);

/* --- on the worker context (neigh_out.c, arp.c) --- */

struct wk_ctx;

/* What an address is to a port (as a neighbour). */
enum wk_naddr {
	WK_NADDR_OK = 0,      /* a host on one of the port's networks (IPv6: or
			       * link-local, on every port's link) */
	WK_NADDR_SPECIAL,     /* IPv4: 0/8, 127/8, multicast, 240/4, broadcast, a
			       * subnet's own network or broadcast address; IPv6:
			       * ::, ::1, multicast, IPv4-mapped, a subnet-router
			       * anycast address */
	WK_NADDR_OURS,        /* a node address, VIP or local address of the set */
	WK_NADDR_OFF_SUBNET,  /* outside every network of the port */
};

/* neigh_out.c: what addr_be (network order) is to port p in config set cfg. */
enum wk_naddr wk_neigh_v4_class(const struct dpvs_config_set *cfg, uint16_t port,
				uint32_t addr_be);
/* neigh_out.c: the same for an IPv6 address. */
enum wk_naddr wk_neigh_v6_class(const struct dpvs_config_set *cfg, uint16_t port,
				const uint8_t a[16]);
/* neigh_out.c: either family. */
enum wk_naddr wk_neigh_class(const struct dpvs_config_set *cfg, uint16_t port,
			     const struct dpvs_ip *ip);
/* neigh_out.c: ask for ip out of port: an ARP request or an ND neighbour
 * solicitation, broadcast (solicited-node multicast) if dmac is NULL, else
 * a unicast probe to dmac. */
void wk_neigh_solicit(struct wk_ctx *ctx, uint16_t port, const struct dpvs_ip *ip,
		      const uint8_t *dmac);

/* --- what a packet about a neighbour may teach (neigh_learn.c) --- */

/* A packet by what it says about its sender (ARP) or target (ND). */
enum wk_nkind {
	WK_NKIND_REQUEST,     /* ARP request for someone, NS */
	WK_NKIND_GRATUITOUS,  /* gratuitous ARP, unsolicited NA */
	WK_NKIND_REPLY,       /* ARP reply, solicited NA */
};

/* The counters of one protocol for the refusals of wk_neigh_judge (drop
 * reasons of shm/stats.h: arp_* for ARP, nd_* for ND). */
struct wk_nreasons {
	uint8_t bad_sender, our_sender, off_subnet, unsolicited, is_static, mac_claim,
		mac_locked;
};
extern const struct wk_nreasons wk_arp_reasons;
extern const struct wk_nreasons wk_nd_reasons;

/* What a packet received on port p saying "ip is at mac" (kind) does to this
 * worker's table (direct: we received it, not a peer's copy), by the rules
 * of README "Neighbours": only what the node asked for, never our own or
 * special addresses, off-subnet ones or non-unicast MACs, never another MAC
 * for a static neighbour, and another MAC for a known neighbour only after
 * the known one stayed silent to its probes. Refusals are counted with
 * why's reasons. Returns 1 if the sender passed the address checks and is
 * no static neighbour (the peers may want to judge it too), else 0. */
int wk_neigh_judge(struct wk_ctx *ctx, uint16_t p, const struct dpvs_ip *ip,
		   const uint8_t mac[DPVS_ETHER_LEN], enum wk_nkind kind, int direct,
		   const struct wk_nreasons *why);
/* Give every other worker a copy of m (an ARP packet or an NA) to judge, on
 * the ring dpvs_arp_<id>_<peer>. */
void wk_neigh_copy_to_peers(struct wk_ctx *ctx, const struct rte_mbuf *m);

#endif
