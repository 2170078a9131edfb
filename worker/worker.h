/*
 * The worker's packet path: the per-worker context, the verdict every stage
 * returns, and the entry point of each stage (one .c file per stage).
 *
 * In: a struct dpvs_shm (attached or created) and a worker id. Out: packets on
 * this worker's tx queues, on the to-kernel rings and the peers' arp rings,
 * counters in root->stats[id], neighbours in this worker's shm region.
 * A context is used by exactly one thread, the worker that owns it; it writes
 * only its own region, its own stats row and its own part of its worker slot
 * (root->workers[id].self: running incarnation, heartbeat, release); it reads
 * the primary's part (stop_req, dead_inc) and holds the slot's `alive` mutex
 * while it may poll.
 */
#ifndef DPVS_WORKER_WORKER_H
#define DPVS_WORKER_WORKER_H

#include <signal.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "shm/shm.h"

extern int wk_logtype;
#define WK_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, wk_logtype, "dpvs-worker: " fmt "\n", ##__VA_ARGS__)
/* Per-packet debug log: compiled out unless RTE_LOG_DP_LEVEL allows it. */
#define WK_LOG_DP(level, fmt, ...) \
	RTE_LOG_DP(level, USER1, "dpvs-worker: " fmt "\n", ##__VA_ARGS__)

#define WK_PORT_NONE 0xff
/* Flushes in a row that sent nothing before a port's tx buffer is dropped. */
#define WK_TX_MAX_STALLS 64

/*
 * What a stage decided for a packet. kind is an enum dpvs_verdict;
 * reason (enum dpvs_drop_reason) is meaningful for DROP only; port is the
 * port index to transmit on (TX), the port whose to-kernel ring takes the
 * packet (KERNEL), the worker id (REDIRECT), or the port index whose next
 * hop (ctx->hold_nh) is being resolved (HOLD).
 */
struct wk_verdict {
	uint8_t kind;
	uint8_t reason;
	uint16_t port;
};

/* Not a verdict of the X-macro: the pipeline kept the packet (stored where
 * a successor finds it, e.g. a SYN proxy's held segment); nothing to do and
 * nothing counted. */
#define WK_VERDICT_TAKEN DPVS_VERDICT_MAX

static inline struct wk_verdict
wk_tx(uint16_t port)
{
	return (struct wk_verdict){ .kind = DPVS_VERDICT_TX, .port = port };
}

static inline struct wk_verdict
wk_kernel(uint16_t port)
{
	return (struct wk_verdict){ .kind = DPVS_VERDICT_KERNEL, .port = port };
}

static inline struct wk_verdict
wk_drop(enum dpvs_drop_reason reason)
{
	return (struct wk_verdict){ .kind = DPVS_VERDICT_DROP, .reason = (uint8_t)reason };
}

/* *dst = v in one 4-byte store. A caller reads a verdict back as one
 * 4-byte load (a struct return in a register); after a store of each field
 * that load cannot be forwarded from the store buffer and waits until the
 * stores reach the cache: on the established path that stall was a fifth
 * of the worker's samples (perf on the real node, 2026-12-02). */
static inline void
wk_verdict_put(struct wk_verdict *dst, struct wk_verdict v)
{
	uint32_t u;

	memcpy(&u, &v, sizeof(u));
	memcpy(dst, &u, sizeof(u));
}

/* A token bucket of the exception path (kni.c): this worker's share of a
 * port's budget for one class. Process-local: a successor starts full. */
struct wk_kni_tb {
	uint64_t last_ns;                     /* tokens counted up to here */
	uint32_t tokens;
	uint32_t rate;                        /* per second; 0 = no limit */
	uint32_t burst;                       /* at most this many tokens */
	uint32_t pad;
};

/* Everything one worker needs, built once at start; no mutable globals. */
/* Live connections from which the burst's first stage prefetches index
 * buckets (rx.c): below, the index and entries in use fit in the core's
 * caches (a few MB) and the prefetch pass would cost ~50 instructions a
 * packet for nothing. */
#define WK_RX_PREFETCH_CONNS 8192u

/* A full-NAT or NAT rewrite of one IPv4 TCP/UDP tuple worked out once
 * (xmit4.h, wk_nat4_pre_fill): the new addresses and ports as a frame
 * stores them (sa, da as the header's bytes 12 to 19; sp, dp as the L4
 * header's first 4 bytes), and the folded changes of the IPv4 header
 * checksum (the TTL's decrement included) and of the TCP/UDP checksum. */
struct wk_nat4_pre {
	uint32_t sa, da;
	uint16_t sp, dp;
	uint16_t ip_d, l4_d;
};

struct wk_ctx {
	uint16_t id;
	uint16_t nports;
	uint16_t nworkers;
	uint16_t ip_id;                       /* next IPv4 id of a header we make */
	uint32_t inc;                         /* incarnation: stop when slot->stop_req says so */
	uint32_t idle_sleep_us;
	uint32_t idle_polls;                  /* consecutive iterations without work */
	struct dpvs_shm *shm;
	struct dpvs_root *root;
	struct dpvs_worker_region *wr;        /* this worker's shm region */
	struct dpvs_conn_table *ct;           /* this worker's connections (conn.h) */
	struct dpvs_worker_stats *st;         /* root->stats[id] */
	struct dpvs_worker_self *self;        /* root->workers[id].self: ours only */
	const struct dpvs_worker_sup *sup;    /* root->workers[id].sup: the primary's */
	const struct dpvs_config_set *cfg;    /* loaded once per loop iteration */
	struct rte_mempool *pool;
	uint16_t port_id[DPVS_MAX_PORTS];     /* ethdev id per port index */
	/* Arrays [DPVS_MAX_IFACES] are indexed by interface: the data ports,
	 * then the VLAN slots of the active config set (shm/layout.h), whose
	 * entries wk_if_refresh() copies from their port (mac, tx_mtu). */
	struct rte_ether_addr mac[DPVS_MAX_IFACES];
	uint16_t if_port[DPVS_MAX_IFACES];    /* the port an interface is on */
	uint16_t if_vid[DPVS_MAX_IFACES];     /* its 802.1Q id; 0: a port, or a
					       * free VLAN slot */
	uint64_t if_version;                  /* config set version they follow */
	uint8_t port_index[RTE_MAX_ETHPORTS]; /* ethdev id -> port index or WK_PORT_NONE */
	uint16_t tx_stalls[DPVS_MAX_PORTS];   /* consecutive flushes that sent nothing */
	uint32_t rx_max_len[DPVS_MAX_PORTS];  /* longest frame taken in (MTU + L2 header);
					       * 0 = not checked */
	uint32_t tx_mtu[DPVS_MAX_IFACES];     /* longest IP packet sent (the port's MTU);
					       * UINT32_MAX = not checked */
	uint64_t tx_verdict[DPVS_MAX_PORTS];  /* tx buffer slots holding a received
					       * packet whose verdict is counted when
					       * it leaves (tx.c) */
	uint8_t tx_one[DPVS_MAX_PORTS];       /* send one packet per tx call (tx.c) */
	struct wk_kni_tb kni_tb[DPVS_MAX_PORTS][DPVS_KNI_CLASSES]; /* kni.c */
	struct dpvs_kni_prio kni_prio[DPVS_MAX_PORTS][DPVS_KNI_PRIO_MAX];
	uint64_t now_ns;                      /* CLOCK_MONOTONIC, once per loop iteration */
	uint64_t fixed_now_ns;                /* non-zero: now_ns is this, not the clock
					       * (set by the fixture runner only) */
	uint64_t neigh_tick_ns;               /* the neighbour tick's clock (neigh_out.c) */
	uint32_t neigh_cursor;                /* next slot the neighbour tick looks at */
	struct dpvs_ip hold_nh;               /* next hop of a HOLD verdict (neigh_out.c) */
	struct {                              /* the last static neighbour found (neigh_out.c) */
		uint64_t set;                 /* its config set: version * 2 + copy % 2, 0 none */
		uint32_t addr;                /* IPv4 next hop, network order */
		uint16_t port;
		uint16_t slot;                /* index in the set's lb.sneigh[] */
	} sn_memo;
	struct {                              /* the last IPv4 route found (route.c) */
		uint64_t set;                 /* its config set (wk_set_stamp), 0 none */
		uint32_t dst;                 /* the destination, network order */
		uint32_t nh;                  /* its next hop, network order */
		uint16_t port;                /* the interface of its route */
	} rt_memo;
	struct {                              /* the whole output of the last IPv4
					       * destination sent to a static
					       * neighbour (l3.h, wk_out_memo_*) */
		uint64_t set;                 /* its config set (wk_set_stamp), 0 none */
		uint32_t dst;                 /* the destination, network order */
		uint32_t end_max;             /* where in the frame an IP packet may end:
					       * 14 + tx_mtu of its interface
					       * (UINT32_MAX: not checked) */
		uint32_t tx;                  /* wk_tx(port) as its 4 bytes are stored */
		uint16_t port;                /* the interface of its route */
		uint8_t direct;               /* 1: a connected route (next hop = dst) */
		uint8_t pad;
		uint8_t eth[16];              /* its Ethernet header (14 bytes): the
					       * neighbour's MAC, the interface's, IPv4 */
	} out_memo;
	uint64_t icmp_tok_ns;                 /* ICMP errors' token bucket (icmp_send.c) */
	uint32_t icmp_tokens;
	uint8_t redirected;                   /* the packet in hand came from a peer's
					       * redirect ring (redirect.c) */
	uint32_t rx_prefetch_min;             /* live connections from which the burst
					       * prefetches (rx.c; WK_RX_PREFETCH_CONNS,
					       * the fixture runner may lower it) */
	struct {                              /* the connection the established sequence
					       * took last in this burst (fast4.h) */
		uint64_t addrs;               /* its frame's IPv4 source and destination,
					       * the 8 bytes at the header's offset 12 */
		uint32_t ports;               /* its frame's ports, the L4 header's
					       * first 4 bytes */
		uint8_t proto;                /* TCP or UDP; 0: none */
		uint8_t dir;
		uint8_t nat_on;               /* 1: nat holds its rewrite (fast4.h,
					       * wk_fast4_nat); 0 whenever the tuple or
					       * the connection changes */
		uint8_t tcp_shift;            /* TCP: its sender's window shift, kept
					       * with nat (fast4.h, wk_fast4_nat_fill) */
		struct dpvs_conn *c;          /* its entry */
		struct wk_nat4_pre nat;       /* the full-NAT or NAT rewrite of its
					       * tuple, worked out once (xmit4.h) */
		/* its service's and dest's counter rows (NULL: none), which
		 * also the packet in hand takes its counts from (fast4.h) */
		struct dpvs_lb_stats *rs, *rd;
		/* what rs and rd were found from: the 16 bytes of the entry
		 * from in_port to dest_id (wk_fast4_rkey), valid while proto
		 * is UDP (written by UDP's copy of the sequence alone); a
		 * connection with the same takes them again (fast4.h) */
		uint64_t rkey[2];
	} fast_memo;
	struct {                              /* what the config set and the clock give
					       * the established sequence, read once a
					       * burst (fast4.h, wk_fast4_set_init) */
		uint64_t stamp;               /* wk_set_stamp(cfg) */
		uint64_t udp_exp;             /* now_ns + a UDP connection's idle time */
		uint8_t plain;                /* 1: the set has no rate limits and no
					       * held-down dests */
	} fast_set;
	struct {                              /* the service the ipvs core found last
					       * for a new connection in this burst
					       * (ipvs.c, ipvs_svc_lookup) */
		uint8_t on;                   /* 1 inside wk_rx_burst only */
		uint8_t proto;                /* 0: none */
		uint16_t vport;               /* network order */
		uint32_t vip;                 /* IPv4, network order */
		uint16_t svc;
	} svc_memo;
	uint64_t tsc_mult;                    /* TSC cycles per ns, << 32: now_ns in the
					       * rte_meter time unit (ipvs/rate.c) */
} __rte_cache_aligned;

/* What the memos of the output path (ctx->sn_memo, ctx->rt_memo) are valid
 * for: the config set cfg, its version and copy (a copy is rewritten only
 * under a new version; wk_if_refresh follows the same pair); never 0. */
static inline uint64_t
wk_set_stamp(const struct dpvs_config_set *cfg)
{
	return cfg->version * 2 + (cfg->copy & 1) + 1;
}

/* Is i an interface packets may go out of: a data port, or a VLAN of the
 * active config set? */
static inline int
wk_if_ok(const struct wk_ctx *ctx, uint16_t i)
{
	return i < ctx->nports ||
	       (i >= DPVS_IFACE_VLAN0 && i < DPVS_MAX_IFACES && ctx->if_vid[i] != 0);
}

/* ctx.c: follow the VLAN interfaces of the active config set (ctx->cfg) when
 * its version changed: if_port[], if_vid[], mac[], tx_mtu[] of the slots. */
void wk_if_refresh(struct wk_ctx *ctx);
/* eth.c: the interface m was received on (m->port, and the VLAN id the eth
 * stage took off into m->vlan_tci), or WK_PORT_NONE. */
uint16_t wk_rx_iface(const struct wk_ctx *ctx, const struct rte_mbuf *m);
/* tx.c: put the tag of VLAN interface i on m; the port to send it on, or
 * WK_PORT_NONE (no headroom: the caller drops it, vlan_no_room). */
uint16_t wk_vlan_tag(const struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t i);

/* ctx.c: build the context of worker `id`; 0 or -errno with a message. */
int wk_ctx_init(struct wk_ctx *ctx, struct dpvs_shm *shm, unsigned int id, char *err,
		size_t errlen);
/* ctx.c: free what a dead predecessor left in inflight[] and txbuf[], rebuild
 * what is derived (the connection table's index and timers, the per-service
 * and per-dest active/inactive counts, the neighbour count). Returns the
 * number of mbufs freed. */
unsigned int wk_ctx_recover(struct wk_ctx *ctx);
/* ctx.c: take over a region whose predecessor stopped at a burst boundary
 * and released it (planned handover): nothing is in flight, the tx buffers
 * and held packets are valid and kept (sent by our loop), the connection
 * index is consistent and not rebuilt. Returns in-flight mbufs freed
 * (0 unless the predecessor broke the contract). */
unsigned int wk_ctx_recover_planned(struct wk_ctx *ctx);

/* ctx.c: this process now speaks for the worker in its part of the slot
 * (layout.h): state STOPPED, its pid, its incarnation ctx->inc (the one the
 * primary handed it). Call once its predecessor released the slot or is
 * known dead, before recovering: until then the predecessor's part is its. */
void wk_self_begin(struct wk_ctx *ctx);
/* ctx.c: report state (DPVS_WORKER_RUNNING once polling, STOPPED on a clean
 * exit) with a fresh heartbeat. */
void wk_self_state(struct wk_ctx *ctx, uint32_t state);

/* addr.c: is the IPv4 address (network order) one of ours? port is a port
 * index, or WK_PORT_NONE for "on any port". */
int wk_addr_v4_is_ours(const struct dpvs_config_set *cfg, uint16_t port, uint32_t addr);

/* rx.c: poll queue ctx->id of port index p, run the pipeline on the burst;
 * returns the number of packets received. */
unsigned int wk_rx_port(struct wk_ctx *ctx, uint16_t p);
/* rx.c: run the pipeline on the n packets in this worker's in-flight array,
 * received on port index p (what wk_rx_port does after its rx burst). */
unsigned int wk_rx_burst(struct wk_ctx *ctx, uint16_t p, uint16_t n);
/* rx.c: the pipeline for one packet received on port index p. */
struct wk_verdict wk_pipeline(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p);
/* rx.c: carry out verdict v for m (which no record in shm holds any more):
 * tx buffer, to-kernel ring, redirect ring, hold queue, or drop (counted). */
void wk_act(struct wk_ctx *ctx, struct rte_mbuf *m, struct wk_verdict v);

/* Stages: each takes a packet received on port index p and decides. */
struct wk_verdict wk_eth_input(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p);
struct wk_verdict wk_arp_input(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p);
struct wk_verdict wk_ipv4_input(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p);
/* ipv4.c: the pipeline's entry: the common IPv4 TCP/UDP frame parsed in one
 * pass, anything else wk_eth_input; the same verdict either way. */
struct wk_verdict wk_ipv4_fast(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p);
/* The same with what the burst's prefetch stage (rx.c) computed for m:
 * hint WK_CONN_HASH_HINT | h, h the wk_conn_hash4 of m's own IPv4 TCP/UDP
 * tuple as it is in the frame now, which the lookup then takes instead of
 * hashing it again, or a candidate (below) in its place; 0: nothing
 * carried (wk_ipv4_fast). Carried only for a frame that stage found
 * untagged IPv4 with IHL 5, TCP or UDP, not a fragment, 8 bytes past
 * its IP header in the first segment: the entry (ipv4_fast.h) does not
 * test those again. */
#define WK_CONN_HASH_HINT (1ull << 32)
/* A hint with WK_CONN_HINT_CAND set carries a candidate instead of the
 * hash: the connection of the entry (conn index << 1 | dir) that the lookup
 * compares first, the first in the tuple's home bucket whose signature
 * matches, as the burst's second stage read it a few frames before
 * (rx_run.h), carried only while no frame since went the general way (the
 * only one that changes the index): the entry's address (its low 7 bits
 * zero: an entry is 128 bytes in an aligned array) with its dir in bit 0.
 * The lookup compares that connection without reading the bucket or the
 * table's header; it hashes the tuple itself in the rare case it needs the
 * hash (not a match, the general way) (fast4.h). */
#define WK_CONN_HINT_CAND (1ull << 63)

/* The hint of candidate c (dir). */
static inline uint64_t
wk_conn_hint_cand(const void *c, uint32_t dir)
{
	return WK_CONN_HINT_CAND | (uint64_t)(uintptr_t)c | dir;
}

/* A candidate hint's connection and direction. */
static inline struct dpvs_conn *
wk_conn_hint_conn(uint64_t hint)
{
	return (struct dpvs_conn *)(uintptr_t)(hint & ~(WK_CONN_HINT_CAND | 1u));
}

static inline int
wk_conn_hint_dir(uint64_t hint)
{
	return (int)(hint & 1u);
}

struct wk_verdict wk_ipv4_fast_hint(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p,
				    uint64_t hint);
struct wk_verdict wk_ipv6_input(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p);
struct wk_verdict wk_local_in(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p);

/* arp.c: judge a copy another worker put on our arp ring, an ARP packet or
 * an IPv6 neighbour advertisement (does not free it). */
void wk_arp_learn_copy(struct wk_ctx *ctx, struct rte_mbuf *m);
/* arp.c: drain this worker's arp ring; returns the number of frames. */
unsigned int wk_arp_ring_drain(struct wk_ctx *ctx);
/* arp.c: m, a frame the kernel sends out of port p, may be an ARP request
 * (or an IPv6 neighbour solicitation, nd.c) of the node's own stack: wait
 * for its answer too (m is not changed). */
void wk_arp_from_kernel(struct wk_ctx *ctx, const struct rte_mbuf *m, uint16_t p);

/* kni.c: hand a packet to the kernel through port p's to-kernel rings: its
 * class (wk_kni_class) picks the ring (priority or bulk) and the budget of
 * p it is counted against; the packet is gone afterwards.
 * Returns 0, or -1 if it was over budget or the ring was full (freed and
 * counted: kni_<class>_drop, kni_ring_full). */
int wk_kni_send(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p);
/* kni.c: give the kernel a copy of m (forward2kni capture mirror) on the
 * bulk ring and budget of port p; m stays with the caller. Failures are
 * counted (kni_mirror_drop), never fatal. */
void wk_kni_mirror(struct wk_ctx *ctx, const struct rte_mbuf *m, uint16_t p);
/* kni_class.c: the class of a frame for the kernel (untagged Ethernet, or
 * one 802.1Q tag): ARP, ND, OSPF, BGP (TCP port 179 on either side) are
 * control; a protocol and port of prio[] (either side; port 0: every port;
 * IPPROTO_ICMP: ICMP and ICMPv6 but ND) management; the rest bulk. */
enum dpvs_kni_class wk_kni_class(const struct rte_mbuf *m,
				 const struct dpvs_kni_prio prio[DPVS_KNI_PRIO_MAX]);
/* kni.c: set up the budgets of every port from root->ports[].kni_rate. */
void wk_kni_init(struct wk_ctx *ctx);
/* kni.c: move what the kernel wrote (dpvs_fromkni_<p>_<id>) to our tx
 * buffers; returns the number of frames. */
unsigned int wk_kni_drain(struct wk_ctx *ctx);

/* tx.c: buffer a packet for port p (flushing first if the buffer is full);
 * 0, or -1 if it could not be buffered (freed, counted as tx_full). */
int wk_tx_enqueue(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p);
/* tx.c: the same for a received packet with verdict TX: the verdict is
 * counted when the packet leaves the buffer (tx when the driver takes it,
 * drop when it is dropped there); on -1 the caller counts the drop. */
int wk_tx_enqueue_verdict(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p);
/* tx.c: send port p's buffer; returns the number sent. */
unsigned int wk_tx_flush(struct wk_ctx *ctx, uint16_t p);
unsigned int wk_tx_flush_all(struct wk_ctx *ctx);
/* tx.c: 1 if the driver of ethdev port_id writes and frees each packet inside
 * tx_burst (net_tap), so that flushing one packet per call bounds what a
 * death inside the driver loses to one packet. */
int wk_tx_one_by_one(uint16_t port_id);
/* tx.c: packets waiting in this worker's tx buffers. */
unsigned int wk_tx_pending(const struct wk_ctx *ctx);

/* capture.c: install or remove this worker's capture callbacks when the
 * primary changed root->capture (one load when it did not), then ack. */
void wk_capture_poll(struct wk_ctx *ctx);

/* loop.c: one iteration of the worker loop; returns the amount of work done
 * (packets received, drained or sent). */
unsigned int wk_loop_once(struct wk_ctx *ctx);
/* loop.c: loop until *stop becomes non-zero (returns 0) or the primary asks
 * this incarnation to hand over (slot->stop_req == ctx->inc != 0; returns 1),
 * sleeping when idle. Either way it returns at a burst boundary with the tx
 * buffers flushed as far as the queues take them. */
int wk_run(struct wk_ctx *ctx, const volatile sig_atomic_t *stop);

#endif
