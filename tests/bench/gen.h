/*
 * dpvs-bench-gen, the benchmark's traffic generator (gen.c, gen_flows.c,
 * gen_tx.c): types shared by its files. Process-local: the generator is a
 * DPDK primary of its own (own file prefix, own pool), never attached to a
 * node's shm.
 *
 * A stream is a set of flows sent on one port: N distinct 5-tuples computed
 * from a formula (flow f: address base + f / 32768, port base + f % 32768,
 * on the source or on the destination side), or learned from frames a port
 * received (the replies of full-NAT connections, the SYN+ACKs of TCP
 * ones). Flow f goes out on queue
 * f % nq of its port; each queue walks its own flows in order or in a
 * stride permutation ("random": consecutive packets hit unrelated flows);
 * a pass (each flow once) walks them in order whatever the stream's order,
 * so that a random stream replays flows out of the order the pass made
 * their connections in.
 * Frames are never built per packet:
 *   recycle   (default) every frame of the stream's pool holds the stream's
 *             template, written once; a packet is an mbuf taken from the
 *             pool (its tx lcore cache), where the port's tx put it back
 *             after copying it, its length set and, with more than one
 *             flow, its addresses, ports and checksums patched (the sums
 *             precomputed over the fixed fields: no checksum over the
 *             frame);
 *   refcnt    (--refcnt, up to --prebuild flows) one mbuf per flow, built
 *             once and sent again and again with its reference count held
 *             high (the driver's free only drops a reference), topped up
 *             long before it could reach 0. Each send then costs a locked
 *             decrement in the driver's free; on net_memif it waits for the
 *             copy's cache miss into the ring, which made it several times
 *             slower than recycle on the 2-core development VM.
 */
#ifndef DPVS_BENCH_GEN_H
#define DPVS_BENCH_GEN_H

#include <stdint.h>
#include <string.h>

#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define GEN_MAX_PORTS   8
#define GEN_MAX_QUEUES  4
#define GEN_MAX_STREAMS 24
#define GEN_MAX_BURST   64
#define GEN_PORT_BITS   15        /* 32768 ports per address of a flow formula */
#define GEN_POOL        4096      /* recycle: frames per queue */
#define GEN_CACHE       512       /* recycle: the pool's per-lcore cache */
#define GEN_REF0        0x8000    /* reference count of a refcnt frame */
#define GEN_MAX_LEN     128       /* frame length limit (data room) */
#define GEN_LEARN_ADDRS 1024      /* distinct learned destinations (dedup) */

enum gen_kind {
	GEN_K_UDP = 0,   /* UDP datagrams of the flows */
	GEN_K_SYN,       /* TCP SYNs (with an MSS option) of the flows */
	GEN_K_REPLY,     /* UDP replies to the tuples learned on a port */
	GEN_K_ACK,       /* TCP ACK segments of the flows, carrying the frame's
			  * room in data (6 bytes in 60), at the stream's
			  * seq and ack: the same segment each time */
	GEN_K_SYNACK,    /* TCP SYN+ACKs (seq, ack) to the SYNs learned on a port */
};

/* Does stream kind k send to tuples it learned (rather than a formula's)? */
#define GEN_K_LEARNS(k) ((k) == GEN_K_REPLY || (k) == GEN_K_SYNACK)
/* Is it TCP? */
#define GEN_K_TCP(k) ((k) == GEN_K_SYN || (k) == GEN_K_ACK || (k) == GEN_K_SYNACK)

/* One flow's tuple, addresses and ports in network order. */
struct gen_tuple {
	uint32_t sip, dip;
	uint16_t sport, dport;
};

/* Per-queue walk over a stream's flows (the tx lcore's state). */
struct gen_queue {
	uint64_t n;            /* flows of this queue */
	uint64_t j;            /* next position */
	uint64_t stride;       /* 1 in order; coprime to n when random */
	uint64_t since_topup;  /* refcnt: sends since the last top-up */
	uint64_t topup_every;  /* refcnt: sends between two top-ups */
	uint64_t left;         /* packets left before this start ends (limit) */
	struct rte_mbuf **pre; /* refcnt: frame of position j */
	struct gen_tuple *learned; /* reply: tuples of this queue */
	uint64_t lcap;
};

struct gen_stream {
	char name[32];
	enum gen_kind kind;
	uint16_t port;
	uint16_t nq;            /* tx queues used (the port's) */
	uint64_t flows;         /* formula: flows; reply: learned so far */
	int random;
	int vary_dst;           /* formula varies the destination, not the source */
	uint32_t sip0, dip0;    /* host order bases */
	uint16_t sport0, dport0;
	uint32_t seq, ack;      /* ack, synack: the segments' numbers (host order) */
	struct rte_ether_addr smac, dmac;
	uint16_t len;           /* frame length without FCS (>= 60) */
	int learn_port;         /* reply: the port whose frames are learned */
	/* built frames */
	struct rte_mempool *pool; /* this stream's frames */
	int built;
	int refcnt;             /* refcnt mode (else recycle) */
	int patch;              /* recycle: frames need their flow written */
	uint8_t tmpl[GEN_MAX_LEN];
	uint32_t sum_ip;        /* raw sum of the IPv4 header, varying fields 0 */
	uint32_t sum_l4;        /* raw sum of pseudo-header + L4, varying fields 0 */
	uint16_t l4_csum_off;   /* offset of the L4 checksum in the frame */
	struct gen_queue q[GEN_MAX_QUEUES];
	/* learning (reply) */
	uint32_t learn_addr[GEN_LEARN_ADDRS];
	uint32_t nlearn_addr;
	uint64_t *seen;         /* bitmap (address index << 16 | port) */
	int learning;           /* frames on learn_port are learned (main sets,
				 * then syncs with the tx lcore) */
	/* written by the tx lcore only */
	uint64_t sent;
};

struct gen_port {
	uint16_t id;
	uint16_t nq;
	int rx;                 /* may be polled (`rx P on`) */
	int poll;               /* polled for frames now (counted, learned): set
				 * by the main lcore, then synced */
	int started;            /* rte_eth_dev_start succeeded */
	struct rte_ether_addr mac;
	uint64_t rx_pkts;       /* written by the tx lcore */
};

/* The generator. `cmd_*` fields are written by the main lcore, the rest of
 * the mutable fields by the tx lcore. */
struct gen {
	struct gen_port port[GEN_MAX_PORTS];
	uint16_t nports;
	struct gen_stream stream[GEN_MAX_STREAMS];
	uint16_t nstreams;
	uint16_t burst;
	uint32_t backoff;            /* pauses after a burst taken in part */
	uint64_t prebuild_max;
	int use_refcnt;              /* --refcnt */
	struct rte_mempool *rx_pool; /* rx queues */
	/* main -> tx lcore */
	struct gen_stream *cmd_stream; /* NULL: stop */
	uint64_t cmd_limit;            /* packets (0: none) */
	int cmd_sync_only;             /* only read the learning streams again */
	uint32_t cmd_seq;
	volatile int quit;
	/* tx lcore -> main */
	uint32_t ack_seq;              /* the cmd_seq it has taken */
	int done;                      /* the current start reached its limit */
	uint64_t iters, work_iters, short_tx;
	uint64_t work_tsc;             /* cycles of iterations that sent */
	uint64_t sent;
};

/* gen_flows.c */
int gen_stream_build(struct gen *g, struct gen_stream *s, char *err, size_t len);
void gen_stream_free(struct gen_stream *s);
void gen_frame_write(const struct gen_stream *s, uint8_t *buf, const struct gen_tuple *t);
void gen_learn(struct gen_stream *s, const struct rte_mbuf *m);
int gen_selftest(struct gen *g, char *err, size_t len);

/* gen_tx.c */
int gen_lcore_main(void *arg);
void gen_queue_start(struct gen_stream *s, uint64_t limit);

/* Per-packet helpers of the tx lcore (inline: called for every frame).
 * gen_tuple_of: the tuple of position j of queue q. */
static inline void
gen_tuple_of(const struct gen_stream *s, uint16_t q, uint64_t j, struct gen_tuple *t)
{
	uint64_t f;
	uint32_t a;
	uint16_t p;

	if (GEN_K_LEARNS(s->kind)) {
		*t = s->q[q].learned[j];
		return;
	}
	f = j * s->nq + q;
	a = (uint32_t)(f >> GEN_PORT_BITS);
	p = (uint16_t)(f & ((1u << GEN_PORT_BITS) - 1));
	if (s->vary_dst) {
		t->sip = rte_cpu_to_be_32(s->sip0);
		t->sport = rte_cpu_to_be_16(s->sport0);
		t->dip = rte_cpu_to_be_32(s->dip0 + a);
		t->dport = rte_cpu_to_be_16((uint16_t)(s->dport0 + p));
	} else {
		t->sip = rte_cpu_to_be_32(s->sip0 + a);
		t->sport = rte_cpu_to_be_16((uint16_t)(s->sport0 + p));
		t->dip = rte_cpu_to_be_32(s->dip0);
		t->dport = rte_cpu_to_be_16(s->dport0);
	}
}

static inline uint16_t
gen_fold(uint32_t x)
{
	x = (x & 0xffff) + (x >> 16);
	x = (x & 0xffff) + (x >> 16);
	return (uint16_t)x;
}

/* The template frame with tuple t: 4 fields and 2 checksums written. */
static inline void
gen_frame_patch(const struct gen_stream *s, uint8_t *buf, const struct gen_tuple *t)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + RTE_ETHER_HDR_LEN);
	uint16_t *ports = (uint16_t *)(ip + 1);
	uint32_t a = (t->sip & 0xffff) + (t->sip >> 16) + (t->dip & 0xffff) + (t->dip >> 16);
	uint16_t c;

	ip->src_addr = t->sip;
	ip->dst_addr = t->dip;
	ports[0] = t->sport;
	ports[1] = t->dport;
	ip->hdr_checksum = (uint16_t)~gen_fold(s->sum_ip + a);
	c = (uint16_t)~gen_fold(s->sum_l4 + a + t->sport + t->dport);
	if (c == 0 && !GEN_K_TCP(s->kind))
		c = 0xffff;
	memcpy(buf + s->l4_csum_off, &c, 2);
}

#endif
