/*
 * A worker's connection table (issue 3), in its own memzone
 * DPVS_MZ_CONN_FMT, created by the primary with conf.conn_capacity entries
 * and written only by the owning worker.
 *
 * The array of struct dpvs_conn is the truth. Everything else in the memzone
 * (the hash index in both directions, the timer wheel, the free list) is
 * derived and rebuilt from the array when a worker attaches, so a worker that
 * died mid-update cannot leave an index that poisons its successor.
 *
 * Memzone layout, in this order, each part cache-line aligned:
 *   struct dpvs_conn_table               header
 *   struct dpvs_conn conns[capacity]
 *   struct dpvs_conn_bkt bkts[nbuckets]  the index (below)
 *   uint32_t wheel[wheel_slots]          timer list heads (conn index)
 *   struct dpvs_seqx sx[sx_capacity]     the side table (struct dpvs_seqx)
 *   struct dpvs_conn6 v6[v6_capacity]    the IPv6 addresses (struct dpvs_conn6)
 * DPVS_CONN_MZ_SIZE_X() gives the total for a capacity and the two side
 * capacities, DPVS_CONN_MZ_SIZE() with their defaults.
 *
 * The index is bucketized: one 64-byte bucket holds DPVS_CONN_BKT_SLOTS
 * entries, each a 16-bit signature (the low 12 bits of the tuple's hash,
 * and in the top 4 how many buckets the slot lies past the tuple's home
 * bucket, 15 for 15 or more) and (conn index << 1 | dir), DPVS_CONN_NIL
 * when the slot is empty. A tuple's
 * home bucket is (hash * nbuckets) >> 32 (the high bits). An entry sits in
 * its home bucket, or when that was full at insertion in the next one with
 * a free slot (linear probing over buckets, wrapping); ovf of a bucket
 * counts the entries that passed it on their way further, so a lookup
 * stops at the first bucket with ovf == 0 (usually the home: one index line,
 * then the connection's line). With nbuckets = capacity / 3 + 1 the index
 * holds 3.33 entries per connection (a connection has at most two: a full
 * table of full-NAT connections fills 60% of the slots), 21.3 bytes a
 * connection. At 2.5 (capacity / 4, 80% full, 16 bytes) a SYN into a
 * churning full table cost a third more instructions (figure 1's syn-full
 * 3,280 against 2,215: the walks of the tuples a SYN looks up and does not
 * find, and the moves back toward home of each removal, grow fast past
 * 70%). Removal clears the slot, takes one off the ovf of every
 * bucket between the home and it, and moves entries of the following
 * buckets whose home is at or before it back into the hole (their
 * distance says which), so no tombstones pile up and churn does not spread
 * the entries away from their homes.
 *
 * Types and names only.
 */
#ifndef DPVS_SHM_CONN_H
#define DPVS_SHM_CONN_H

#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#include "types.h"

#define DPVS_MZ_CONN_FMT      "dpvs_conn_%u"  /* worker id */
#define DPVS_CONN_NIL         0xffffffffu
#define DPVS_CONN_DEFAULT_CAP 65536
#define DPVS_CONN_MIN_CAP     16
#define DPVS_CONN_MAX_CAP     (1u << 24)     /* 16M; conn index << 1 fits 31 bits */
/* Wheel slots (a power of two): 131,072 of 10 ms reach 21.8 minutes, beyond
 * the default timeouts (TCP established 900 s, UDP 300 s), so a busy
 * connection is re-filed about once a timeout, not once every turn of a
 * shorter wheel (4,096 slots, 41 s: 10M busy connections re-filed 240,000
 * times a second, each a cache miss or three). 512 KiB a worker. */
#define DPVS_CONN_WHEEL_SLOTS 131072
#define DPVS_CONN_TICK_NS     10000000ull     /* 10 ms per wheel slot */

/* Direction of a lookup key: 0 = inbound (client -> vip:vport),
 * 1 = outbound (dest:dport -> laddr:lport).
 *
 * What the endpoints hold per forwarding mode (fwd_mode), so that the two
 * keys are the tuples the two directions carry on the wire:
 *   fnat    caddr:cport client, vaddr:vport VIP, laddr:lport our local
 *           address, daddr:dport the real server
 *   nat     laddr:lport = caddr:cport (the real server answers the client
 *           itself, through us: its reply is daddr:dport -> caddr:cport)
 *   dr, tunnel  laddr family NONE: no outbound key (replies do not pass us)
 *   snat    caddr:cport the inside host that opened the connection,
 *           vaddr:vport = daddr:dport the outside server it addressed,
 *           laddr:lport the node address (the SNAT dest) and port it leaves
 *           from; lport belongs to the owner's share of the port space, as
 *           full-NAT's does
 * In every mode the connection's first packet is DPVS_DIR_IN and arrives on
 * in_port (for snat: the inside port). */
#define DPVS_DIR_IN  0
#define DPVS_DIR_OUT 1

#define DPVS_CONN_F_USED 0x1u   /* the slot holds a connection */

/* TCP window tracking (worker/ipvs/tcp_window.c), one per side of a
 * connection, indexed by the direction that side sends in (DPVS_DIR_IN: the
 * client, DPVS_DIR_OUT: the real server). Every value is in that side's own
 * sequence space, as it puts it on the wire; an ack it sends is in the other
 * side's space. maxwin == 0: the side has sent nothing the tracker took. */
#define DPVS_TCPT_F_WSCALE  0x1u  /* its SYN carried the window scale option */
#define DPVS_TCPT_F_MAXACK  0x2u  /* maxack holds an ack it sent */
#define DPVS_TCPT_F_LIBERAL 0x4u  /* picked up mid-stream: windows not enforced */
#define DPVS_TCPT_MAX_WSCALE 14   /* RFC 7323 */

struct dpvs_tcp_track {
	uint32_t end;                   /* highest seq + len (+1 for SYN, FIN) sent */
	uint32_t maxend;                /* highest seq it may send: the peer's
					 * ack + window, at most */
	uint32_t maxwin;                /* largest window it offered (scaled) */
	uint32_t maxack;                /* highest ack it sent (F_MAXACK) */
	uint8_t wscale;                 /* shift of its window (0 without F_WSCALE
					 * on both sides) */
	uint8_t flags;                  /* DPVS_TCPT_F_* */
} __attribute__((packed, aligned(2)));  /* 18 bytes: two in 36 */

/* TCP sequence translation of a connection (docs/tcp.md): what a SYN proxy
 * (worker/ipvs/synproxy.c) or anything else that shifts one side's sequence
 * numbers (a PROXY protocol header inserted toward the real server) needs,
 * applied by worker/ipvs/seqx.c in the rewrite of every segment. Indexed by
 * the direction a segment travels (DPVS_DIR_IN: client -> server):
 *   seq_delta[d]  added to the seq of a segment sent in direction d, taken
 *                 off the ack and the SACK blocks of a segment sent the
 *                 other way
 *   ts_delta[d]   the same for the TSval (added) and TSecr (taken off)
 *   win_shift[d]  the window field of a segment sent in d, shifted left
 *                 (> 0) or right (< 0): the two sides may have agreed on
 *                 different window scales with the node
 * Only with DPVS_SEQX_ON in flags. The window tracker (tcp_window.c) keeps
 * each side in that side's own space: the ipvs path takes the delta off an
 * ack before tracking. The sp_* fields and held are the SYN proxy's while
 * it waits for the real server's SYN+ACK (DPVS_SEQX_SP_WAIT): the client's
 * handshake as the cookie told it, and at most one segment of the client's
 * (its first data) held until then: a pointer into the shared mbuf pool (0:
 * none), cleared before the mbuf is handed on, so a crash leaks it at
 * worst; the successor frees what a dead worker held (worker attach). */
#define DPVS_SEQX_ON      0x1u   /* translate */
#define DPVS_SEQX_TS      0x2u   /* both sides use timestamps: ts_delta applies */
#define DPVS_SEQX_SP_WAIT 0x4u   /* SYN proxy: our SYN went to the real server */
#define DPVS_SEQX_SP_SACK 0x8u   /* SYN proxy: the client allowed SACK */
#define DPVS_SEQX_PP      0x10u  /* a PROXY protocol header goes before the
				  * client's byte pp_seq (proxy_proto.c) */
#define DPVS_SEQX_PP_SENT 0x20u  /* it went: seq_delta[DPVS_DIR_IN] holds pp_len */
#define DPVS_SEQX_TOA     0x40u  /* the TOA option goes on the client's ACKs
				  * until the real server sends a non-SYN */
#define DPVS_SEQX_NO_WSCALE 0xffu /* sp_wscale: the client sent no window scale */

/* The sequence translation is rare (SYN proxy, PROXY protocol and TOA
 * services only), so it lives in a side table of its own capacity
 * (sx_capacity, [worker] seqx_conns) beside the array: a connection names its
 * slot + 1 in sx_ref (0: none, which reads as all zero). A slot is
 * taken when such a connection is made (a full side table drops the new
 * connection: conn_seqx_full) and given back with it. sx_ref sits in the
 * entry's second cache line; DPVS_CONN_F_SX in its first tells the packet
 * path to look there (below). */
struct dpvs_seqx {
	uint32_t seq_delta[2];
	uint32_t ts_delta[2];
	int8_t win_shift[2];
	uint8_t flags;                  /* DPVS_SEQX_* */
	uint8_t sp_wscale;              /* the client's window scale, or NO_WSCALE */
	uint16_t sp_win;                /* the window field of the client's ACK */
	uint16_t sp_mss;                /* the MSS the cookie carried */
	uint32_t sp_tsval;              /* the client's TSval in its ACK */
	uint32_t sp_tsecr;              /* the TSval we sent in our SYN+ACK (its echo) */
	uint64_t held;                  /* struct rte_mbuf * of the client's, or 0 */
	uint32_t pp_seq;                /* DPVS_SEQX_PP: the client's first data
					 * byte (its ISN + 1), in its own space */
	uint8_t pp_len;                 /* the header's length in bytes */
	uint8_t pp_ver;                 /* 1 or 2 */
	uint16_t pp_pad;
	uint32_t owner;                 /* the connection this slot was given to
					 * (DPVS_CONN_NIL: none); a slot counts only
					 * if that connection is live and names it */
	uint32_t next;                  /* derived: the side table's free list */
} __rte_aligned(8);

/* The IPv6 side table: a connection with an IPv6 endpoint (either side)
 * keeps all four addresses here, 16 bytes each (an IPv4 one in the first 4
 * bytes), and names its slot + 1 in a4[0] (below). Its capacity is
 * v6_capacity ([worker] ipv6_conns); a slot is taken and written, owner
 * set, before its connection is published (USED), and given back when the
 * connection is freed; a new IPv6 connection when every slot is taken is
 * dropped (conn_v6_full). At attach the free list is derived again: a slot
 * counts only if its owner is live and names it (as struct dpvs_seqx). */
struct dpvs_conn6 {
	uint8_t addr[4][16];            /* caddr, vaddr, laddr, daddr */
	uint32_t owner;                 /* the connection (DPVS_CONN_NIL: none) */
	uint32_t next;                  /* derived: the free list */
};

/* flags: USED is the truth of "in use"; C6, D6 and OUT describe the
 * endpoints (written before USED, never changed while live); SX mirrors
 * sx_ref (below) */
#define DPVS_CONN_F_C6  0x2u    /* caddr and vaddr are IPv6 (else IPv4) */
#define DPVS_CONN_F_D6  0x4u    /* daddr (and laddr) are IPv6 (else IPv4) */
#define DPVS_CONN_F_OUT 0x8u    /* laddr is set: an outbound key (fnat, nat,
				 * snat; not dr and tunnel) */
#define DPVS_CONN_F_ADDRS (DPVS_CONN_F_C6 | DPVS_CONN_F_D6 | DPVS_CONN_F_OUT)
/* sx_ref is set (the connection has a sequence translation). Derived from
 * sx_ref, which is the truth: set after it (wk_conn_sx_attach), cleared
 * with it, and derived again from it by the rebuild at attach. */
#define DPVS_CONN_F_SX  0x10u

/* A connection. The first 64 bytes (one cache line) hold everything an
 * established UDP packet reads and writes: the lookup's tuple, the arrival
 * ports, the mode, the service and dest slots and ids (the counter rows'
 * and rate meters' check), the timer (expires_ns, and tprev: is it on the
 * wheel) and the packet counters. A TCP segment reads and writes the same
 * line and, in the second, the window tracking trk[] (and a connection with
 * DPVS_CONN_F_SX its sx_ref); the rest of the second line is touched only
 * when a connection is made, freed, expired or evicted. */
struct dpvs_conn {
	uint8_t flags;                  /* DPVS_CONN_F_* */
	uint8_t proto;                  /* IPPROTO_TCP / IPPROTO_UDP */
	uint8_t state;                  /* enum dpvs_tcp_state, or 0 for UDP */
	uint8_t fwd_mode;               /* enum dpvs_fwd_mode */
	/* the port index where each direction's packets arrive: a packet found
	 * in direction DPVS_DIR_IN must come in on in_port, DPVS_DIR_OUT on
	 * out_port (and an ICMP error about a packet we sent that way, on the
	 * port of the side we sent it to); anything else is dropped */
	uint8_t in_port;                /* the client side (< DPVS_MAX_IFACES) */
	uint8_t out_port;               /* the dest side (where replies come) */
	uint16_t svc_slot;
	uint32_t dest_slot;
	uint32_t svc_id;                /* to detect a deleted service */
	uint32_t dest_id;
	uint32_t tprev;                 /* derived: the timer wheel list (conn_priv.h;
					 * DPVS_CONN_NIL: not on the wheel) */
	uint64_t expires_ns;            /* truth of the timer */
	/* packets per direction, modulo 2^32 (a long connection wraps them:
	 * only differences over less than 4G packets mean anything) */
	uint32_t in_pkts, out_pkts;
	/* endpoints (read through shm/conn_addr.h): without F_C6 and F_D6 the
	 * IPv4 caddr, vaddr, laddr (0 without F_OUT), daddr in network order;
	 * with either, a4[0] is the IPv6 side slot + 1 and the rest 0 */
	uint32_t a4[4];
	uint16_t cport, vport, lport, dport;    /* network order */
	/* the first cache line ends here */
	uint32_t sx_ref;                /* TCP: its sequence translation's slot in
					 * the side table + 1; 0: none (the truth of
					 * DPVS_CONN_F_SX) */
	/* derived, rebuilt at attach */
	uint32_t tnext;                 /* timer wheel list (with tprev), or free list */
	uint32_t onext, oprev;          /* the half-open list (conn_table.h) */
	struct dpvs_tcp_track trk[2];   /* TCP: per direction; zero for UDP */
	uint32_t created_s;             /* CLOCK_MONOTONIC, seconds */
	/* derived, with the index: the hashes its keys are filed under
	 * (wk_conn_hash of the inbound tuple; of the outbound one, 0 without),
	 * written before USED and never changed while live, so that a removal
	 * finds its index slots without hashing the tuples again, and an
	 * eviction's prefetch finds the buckets from this line alone */
	uint32_t h_in, h_out;
} __rte_aligned(8);

_Static_assert(sizeof(struct dpvs_tcp_track) == 18, "dpvs_tcp_track layout");
_Static_assert(sizeof(struct dpvs_seqx) == 56, "dpvs_seqx layout");
_Static_assert(sizeof(struct dpvs_conn6) == 72, "dpvs_conn6 layout");
_Static_assert(sizeof(struct dpvs_conn) == 128, "dpvs_conn layout: two cache lines");
/* What an established packet touches (the comment above the struct) ends
 * within the first line; what only a TCP segment, or none, touches starts
 * at the second. */
#define DPVS_CONN_IN_LINE1(f) \
	(offsetof(struct dpvs_conn, f) + sizeof(((struct dpvs_conn *)0)->f) <= 64)
_Static_assert(DPVS_CONN_IN_LINE1(flags) && DPVS_CONN_IN_LINE1(proto) &&
	       DPVS_CONN_IN_LINE1(state) && DPVS_CONN_IN_LINE1(fwd_mode) &&
	       DPVS_CONN_IN_LINE1(in_port) && DPVS_CONN_IN_LINE1(out_port) &&
	       DPVS_CONN_IN_LINE1(svc_slot) && DPVS_CONN_IN_LINE1(dest_slot) &&
	       DPVS_CONN_IN_LINE1(svc_id) && DPVS_CONN_IN_LINE1(dest_id) &&
	       DPVS_CONN_IN_LINE1(tprev) && DPVS_CONN_IN_LINE1(expires_ns) &&
	       DPVS_CONN_IN_LINE1(in_pkts) && DPVS_CONN_IN_LINE1(out_pkts) &&
	       DPVS_CONN_IN_LINE1(a4) && DPVS_CONN_IN_LINE1(cport) &&
	       DPVS_CONN_IN_LINE1(vport) && DPVS_CONN_IN_LINE1(lport) &&
	       DPVS_CONN_IN_LINE1(dport),
	       "dpvs_conn: every field of an established UDP packet in the first cache line");
_Static_assert(offsetof(struct dpvs_conn, sx_ref) == 64 &&
	       offsetof(struct dpvs_conn, trk) >= 64,
	       "dpvs_conn: the side table's reference and TCP tracking in the second line");

#define DPVS_CONN_BKT_SLOTS 10

struct dpvs_conn_bkt {
	/* 12 bits of the entry's hash, 4 of its distance from home (above).
	 * Part of the layout: a planned handover keeps the index as it is (no
	 * rebuild), so a change of its meaning, or of the hash (wk_conn_hash),
	 * needs DPVS_LAYOUT_VERSION bumped (18 for the signature; 20 for the
	 * hashes kept in the entry, struct dpvs_conn h_in and h_out; 21 for
	 * DPVS_CONN_NBUCKETS's capacity / 3). */
	uint16_t sig[DPVS_CONN_BKT_SLOTS];
	uint32_t ovf;                   /* entries that probed past this bucket */
	uint32_t ent[DPVS_CONN_BKT_SLOTS];  /* conn index << 1 | dir, or NIL */
} __rte_aligned(64);

_Static_assert(sizeof(struct dpvs_conn_bkt) == 64, "dpvs_conn_bkt: one cache line");

struct dpvs_conn_table {
	uint32_t magic;                 /* DPVS_SHM_MAGIC once created */
	uint32_t capacity;
	uint32_t nbuckets;              /* DPVS_CONN_NBUCKETS(capacity) */
	uint32_t wheel_slots;
	uint32_t count;                 /* connections in use (derived) */
	uint32_t free_head;             /* derived */
	uint64_t wheel_tick;            /* last tick processed (derived) */
	uint32_t half_head, half_tail;  /* the half-open list, oldest first (derived) */
	uint64_t conns_off;             /* byte offsets from the header */
	uint64_t buckets_off;
	uint64_t wheel_off;
	uint64_t sx_off;
	uint32_t sx_capacity;           /* slots of the side table */
	uint32_t sx_count;              /* taken (derived) */
	uint32_t sx_free;               /* derived: first free slot */
	uint32_t v6_capacity;           /* slots of the IPv6 side table */
	uint64_t v6_off;
	uint32_t v6_count;              /* taken (derived) */
	uint32_t v6_free;               /* derived: first free slot */
	/* odd while the owner moves index entries back toward their homes
	 * (conn.c hash_shift), bumped again after: a peer's read-only lookup
	 * that missed while it changed looks again (derived; any value is
	 * fine at attach, where a rebuild sets it even) */
	uint32_t shift_seq;
	/* the clock hands of a full side table's eviction (conn.c,
	 * wk_conn_side_pick): the slot of the sequence translations and of
	 * the IPv6 addresses where the next look starts (derived; any value
	 * is fine, one past the capacity reads as 0; the rebuild sets 0) */
	uint32_t sx_hand;
	uint32_t v6_hand;
	/* the empty looks of the hands since a slot of that side table was
	 * last taken or freed or a connection last became half-open (conn.c,
	 * wk_conn_side_pick): a full lap of them (side capacity /
	 * WK_CONN_SIDE_SCAN, rounded up) found no half-open holder, and none
	 * can have appeared since, so the looks stop until one of those
	 * happens (derived; the rebuild sets 0; in the header's padding, no
	 * offset moved, but the fingerprint changed: layout 24) */
	uint32_t sx_miss;
	uint32_t v6_miss;
} __rte_cache_aligned;

#define DPVS_CONN_ALIGN(x) (((x) + 63ull) & ~63ull)
#define DPVS_CONN_NBUCKETS(cap) ((uint32_t)(cap) / 3u + 1u)
/* The side tables' default sizes: a quarter of the connections each, at
 * least DPVS_CONN_MIN_CAP. Reserved memory, not a per-connection cost: an
 * operator whose connections are mostly IPv6 (or SYN-proxied) raises them
 * toward the capacity, one whose node serves no IPv6 lowers ipv6_conns. */
#define DPVS_CONN_SX_DEFAULT(cap) \
	((uint32_t)(cap) / 4u < DPVS_CONN_MIN_CAP ? DPVS_CONN_MIN_CAP : (uint32_t)(cap) / 4u)
#define DPVS_CONN_V6_DEFAULT(cap) \
	((uint32_t)(cap) / 4u < DPVS_CONN_MIN_CAP ? DPVS_CONN_MIN_CAP : (uint32_t)(cap) / 4u)
#define DPVS_CONN_MZ_SIZE(cap) \
	DPVS_CONN_MZ_SIZE_X(cap, DPVS_CONN_SX_DEFAULT(cap), DPVS_CONN_V6_DEFAULT(cap))
#define DPVS_CONN_MZ_SIZE_X(cap, sxcap, v6cap)                              \
	(DPVS_CONN_ALIGN(sizeof(struct dpvs_conn_table)) +                  \
	 DPVS_CONN_ALIGN((uint64_t)(sxcap) * sizeof(struct dpvs_seqx)) +    \
	 DPVS_CONN_ALIGN((uint64_t)(v6cap) * sizeof(struct dpvs_conn6)) +   \
	 DPVS_CONN_ALIGN((uint64_t)(cap) * sizeof(struct dpvs_conn)) +      \
	 DPVS_CONN_ALIGN((uint64_t)DPVS_CONN_NBUCKETS(cap) *                  \
			 sizeof(struct dpvs_conn_bkt)) +                            \
	 DPVS_CONN_ALIGN((uint64_t)DPVS_CONN_WHEEL_SLOTS * 4u))

/* the endpoint accessors (inline, on these types) */
#include "conn_addr.h"

#endif
