/*
 * dpvs-bench-pipe: cycles per packet through the real worker pipeline
 * (libworker's wk_loop_once) in one process, beside a bare l2 forward of the
 * same frames through the same ports.
 *
 *   dpvs-bench-pipe [--packets N] [--warmup N]
 *                   [--case syn|udp-in|udp-out|nat-in|nat-out|dr-in|dr-many|udp-big|
 *                           syn-full|tcp-in|tcp-out]
 *                   [--only pipe|base] [--lcore L] [--big-flows N] [--conns N]
 *
 * Environment: BP_PREFETCH_ALL=1 runs the burst's prefetch stage (rx.c) at
 * any table size, as the real node (figure 2, a table of a million
 * connections) does: a 1-flow case then takes the memo of fast4.h.
 * BP_HUGE=1 runs EAL on hugepages (--in-memory), as the node does: with
 * --conns 2097152, syn-full's SYNs meet a table the size of figure 2's in
 * memory, without a TLB miss a line. BP_SCATTER=1 gives syn-full's
 * connections slots in a stride permutation (scatter_free_list), not in
 * array order.
 *
 * Ports dpdk0 (client side) and dpdk1 (server side) are ring ethdevs
 * (rte_eth_from_rings) with separate rx and tx rings; the node's shm is
 * created in this process and its state comes from dpvs-ctl's rules loader
 * (frames.c writes the rules). For each burst of 32 frames, untimed: mbufs
 * are allocated, the frames written, the burst put on the rx ring of the
 * input port; timed (rte_rdtsc): one iteration of the worker loop (rx burst,
 * pipeline, tx flush, and the loop's other polls), or for the baseline
 * rx burst, a MAC swap and tx burst on the other port; untimed: the tx ring
 * is emptied, counted and freed. A run fails if a frame does not leave on
 * the expected port. The measured packets are split into BP_ROUNDS rounds;
 * the result is the fastest round's cycles per packet (the least disturbed
 * by the other processes of a shared machine).
 *   syn      a TCP SYN client -> VIP:80, new source port each: each creates a
 *            connection; every 32768 SYNs the connections are expired
 *            (untimed) through the worker's own expiry path.
 *   udp-in   established UDP client -> VIP:53 (the connection is made by
 *            one untimed frame first), out on dpdk1.
 *   udp-out  its replies, real server -> laddr:lport, out on dpdk0.
 *   nat-in   established UDP NAT client -> VIP_NAT:53, out on dpdk1
 *            (destination rewritten).
 *   nat-out  its replies, real server -> client, out on dpdk0 (source
 *            rewritten; the connection is this worker's: no owner lookup).
 *   dr-in    established UDP DR client -> VIP_DR:53, out on dpdk1 (only the
 *            Ethernet header rewritten).
 *   dr-many  the same from BP_MANY client ports, walked in a stride: a
 *            connection each (made in the warm-up, which is at least
 *            BP_MANY packets), so that the lookups miss the caches as with
 *            many flows (the burst's prefetch stage at work).
 *   udp-big  established UDP full-NAT inbound over --big-flows N flows
 *            (default 0: the case is skipped), each its own connection of
 *            a service of its own (bench.h: BP_VIP_BIG, N / 50000 + 1 local
 *            addresses), so that the table is far beyond the caches: the
 *            warm-up first sends every flow once (in a stride, untimed: the
 *            connections are made), then --warmup packets, then the
 *            measured ones, each of a flow drawn at random. Under valgrind
 *            (callgrind --instr-atstart=no) the instrumentation starts after
 *            the connections are made (CALLGRIND_START_INSTRUMENTATION), so
 *            that the cache simulation costs only what is counted.
 *   syn-full a TCP SYN from a new source (address and port) each, into a
 *            table at its capacity (--conns, default BP_CONNS; more than
 *            4 x 64,512 adds local addresses: bench.h BP_SYN_PORTS): the warm-up
 *            (at least twice the capacity) fills it and churns it, so that each
 *            measured SYN's connection takes the slot of the oldest
 *            half-open one (evicted) and the index is in the state that
 *            churn leaves it in, as on a node flooded with new connections;
 *            under valgrind --instr-atstart=no the instrumentation starts
 *            BP_SIM_WARM SYNs before the timed ones;
 *            every connection expired (untimed) before and after.
 *   tcp-in   established TCP full-NAT client -> VIP:80, out on dpdk1: ACK
 *            segments of BP_TCP_DATA bytes (60-byte frames), each at the
 *            client's next sequence number and acking the server's, as a
 *            sender's stream. The connection is made first (untimed) by a
 *            handshake through the pipe: the client's SYN in, the server's
 *            SYN+ACK back to the local address, the client's ACK; it must
 *            then be ESTABLISHED. The server's side offers BP_TCP_WIN bytes
 *            (no window scale), so, untimed, whenever 16 KiB are unacked the
 *            server sends an ACK of them (out on dpdk0) as its TCP would:
 *            every segment stays inside the window the node tracks. The
 *            client's sequence numbers start below 2^32 and wrap.
 *            (pipe_tcp.c.)
 *   tcp-out  the server's segments of that connection back to laddr:lport,
 *            out on dpdk0, the same way (the client's ACKs untimed).
 *            In both, and in every case, a run fails if the worker counted
 *            a drop.
 * Prints one line per case and kind: "RESULT <case> <pipe|base> <cycles per
 * packet> <packets>". EAL runs without hugepages and shared config.
 */
#include <dirent.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_tcp.h>
#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_START_INSTRUMENTATION do { } while (0)
#endif

#include "ctl/rules.h"
#include "shm/eal.h"
#include "shm/shm.h"
#include "worker/ipvs/conn_table.h"
#include "worker/worker.h"
#include "bench.h"
#include "pipe.h"

#define BP_CONNS 65536
#define BP_SYN_CHUNK 32768   /* SYNs between two expiries; below the lport space */
#define BP_ROUNDS 9          /* the result is the fastest round's */
#define BP_MANY 61440        /* dr-many's flows (connections), made in its warm-up */
#define BP_MANY_STRIDE 7919  /* dr-many walks its flows in this stride (coprime) */
#define BP_BIG_STRIDE 1000003u  /* udp-big makes its connections in this stride (prime) */
#define BP_FULL_SRC 0x0a080001u     /* syn-full's first source, 10.8.0.1 (32768 ports each) */
/* syn-full under valgrind --instr-atstart=no: the simulation starts this
 * many SYNs before the timed ones (from the first if the warm-up is
 * shorter), enough to fill a simulated LL of 32 MiB with what churn leaves
 * in it, without simulating a warm-up of twice a big table's capacity */
#define BP_SIM_WARM 262144ul

static const char *const bp_case_name[BP_NCASES] = { "syn",     "udp-in",  "udp-out",
						     "nat-in",  "nat-out", "dr-in",
						     "dr-many", "udp-big", "syn-full",
						     "tcp-in",  "tcp-out" };
static const char *const bp_kind_name[BP_NKINDS] = { "pipe", "base" };
static const uint16_t bp_in_port[BP_NCASES] = { 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1 };
/* the case whose first burst makes the connection a case's frames belong to */
static const int bp_maker[BP_NCASES] = { -1, BP_UDP_IN, BP_UDP_IN, BP_NAT_IN, BP_NAT_IN,
					  BP_DR_IN, -1, -1, -1, BP_TCP_IN, BP_TCP_IN };

struct bp_opts {
	unsigned long packets;
	unsigned long warmup;
	int only_case;   /* -1: every case */
	int only_kind;   /* -1: both */
	unsigned int lcore;
	uint32_t big_flows;  /* udp-big's flows (0: no such case) */
	unsigned long conns;  /* the worker's connection table */
};

static int
pick(const char *const *names, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -2;
}

static int
parse_args(int argc, char **argv, struct bp_opts *o)
{
	static const struct option opts[] = {
		{ "packets", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "case", required_argument, NULL, 'c' },
		{ "only", required_argument, NULL, 'o' },
		{ "lcore", required_argument, NULL, 'l' },
		{ "big-flows", required_argument, NULL, 'b' },
		{ "conns", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->packets = 1000000;
	o->warmup = 65536;
	o->only_case = -1;
	o->only_kind = -1;
	o->lcore = 0;
	o->big_flows = 0;
	o->conns = BP_CONNS;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o->packets = strtoul(optarg, NULL, 10);
			break;
		case 'w':
			o->warmup = strtoul(optarg, NULL, 10);
			break;
		case 'c':
			o->only_case = pick(bp_case_name, BP_NCASES, optarg);
			break;
		case 'o':
			o->only_kind = pick(bp_kind_name, BP_NKINDS, optarg);
			break;
		case 'l':
			o->lcore = (unsigned int)atoi(optarg);
			break;
		case 'b':
			o->big_flows = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'C':
			o->conns = strtoul(optarg, NULL, 10);
			break;
		default:
			return -1;
		}
	}
	if (o->packets < BP_BURST * BP_ROUNDS || o->only_case == -2 || o->only_kind == -2 ||
	    o->conns < BP_MANY + 1024 || o->conns > DPVS_CONN_MAX_CAP / 2 ||
	    o->big_flows > DPVS_CONN_MAX_CAP - o->conns) {
		fprintf(stderr, "usage: dpvs-bench-pipe [--packets N>=288] [--warmup N]"
				" [--case syn|udp-in|udp-out|nat-in|nat-out|dr-in|dr-many|udp-big|"
				"syn-full|tcp-in|tcp-out] [--only pipe|base] [--lcore L] [--big-flows N]"
				" [--conns 62464..8388608]\n");
		return -1;
	}
	o->packets -= o->packets % BP_BURST;
	o->warmup -= o->warmup % BP_BURST;
	return 0;
}

static int
start_eal(const char *prog, const struct bp_opts *o)
{
	static char prefix[64], lcore[16], mem[16];
	char *argv[16];
	int argc = 0;

	snprintf(prefix, sizeof(prefix), "--file-prefix=bp%d", (int)getpid());
	snprintf(lcore, sizeof(lcore), "%u", o->lcore);
	/* room for udp-big's table, or a big syn-full one, beside the rest */
	snprintf(mem, sizeof(mem), "%lu", 512ul + (o->big_flows == 0 && o->conns <= BP_SYN_PORTS ? 0 :
		 (unsigned long)(DPVS_CONN_MZ_SIZE(o->conns + o->big_flows) >> 20) + 64));
	argv[argc++] = (char *)prog;
	/* BP_HUGE=1: hugepages (no files: --in-memory), as the node has;
	 * a table beyond the caches otherwise pays a TLB miss a line */
	if (getenv("BP_HUGE") != NULL && strcmp(getenv("BP_HUGE"), "1") == 0) {
		argv[argc++] = (char *)"--in-memory";
	} else {
		argv[argc++] = (char *)"--no-huge";
		argv[argc++] = (char *)"--no-shconf";
	}
	argv[argc++] = (char *)"-m";
	argv[argc++] = mem;
	argv[argc++] = (char *)"--no-pci";
	argv[argc++] = (char *)"-l";
	argv[argc++] = lcore;
	argv[argc++] = prefix;
	argv[argc++] = (char *)"--log-level=lib.eal:error";
	argv[argc++] = (char *)"--no-telemetry";
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "dpvs-bench-pipe: EAL init failed: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

/* Two ring ethdevs, each with its own rx and tx ring. */
static int
make_ports(struct bp_node *n, struct dpvs_port_info *ports)
{
	static const char *const macs[2] = { BP_MAC_P0, BP_MAC_P1 };
	struct rte_ether_addr ea;
	char name[32];
	int p, pid;

	for (p = 0; p < 2; p++) {
		snprintf(name, sizeof(name), "bp_rx%d", p);
		n->rx[p] = rte_ring_create(name, BP_RING, SOCKET_ID_ANY,
					   RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "bp_tx%d", p);
		n->tx[p] = rte_ring_create(name, BP_RING, SOCKET_ID_ANY,
					   RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (n->rx[p] == NULL || n->tx[p] == NULL)
			return -1;
		snprintf(name, sizeof(name), "net_ring_bp%d", p);
		pid = rte_eth_from_rings(name, &n->rx[p], 1, &n->tx[p], 1, SOCKET_ID_ANY);
		if (pid < 0)
			return -1;
		n->pid[p] = (uint16_t)pid;
		snprintf(ports[p].name, sizeof(ports[p].name), "dpdk%d", p);
		snprintf(ports[p].kni_name, sizeof(ports[p].kni_name), "dpdk%d.kni", p);
		snprintf(ports[p].devargs, sizeof(ports[p].devargs), "%s", name);
		ports[p].port_id = n->pid[p];
		ports[p].kni_port_id = UINT16_MAX;
		ports[p].mtu = RTE_ETHER_MTU;
		ports[p].nb_queues = 1;
		if (rte_ether_unformat_addr(macs[p], &ea) != 0)
			return -1;
		memcpy(ports[p].mac, ea.addr_bytes, RTE_ETHER_ADDR_LEN);
	}
	return 0;
}

static int
start_ports(struct bp_node *n)
{
	struct rte_eth_conf pconf;
	int p;

	memset(&pconf, 0, sizeof(pconf));
	for (p = 0; p < 2; p++)
		if (rte_eth_dev_configure(n->pid[p], 1, 1, &pconf) != 0 ||
		    rte_eth_rx_queue_setup(n->pid[p], 0, BP_RING, SOCKET_ID_ANY, NULL,
					   n->shm.pool) != 0 ||
		    rte_eth_tx_queue_setup(n->pid[p], 0, BP_RING, SOCKET_ID_ANY, NULL) != 0 ||
		    rte_eth_dev_start(n->pid[p]) != 0)
			return -1;
	return 0;
}

static int
load_rules(struct bp_node *n)
{
	char path[] = "/tmp/dpvs-bench-rules.XXXXXX", err[512];
	int fd = mkstemp(path), rc;
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");

	if (f == NULL) {
		perror("dpvs-bench-pipe: rules file");
		return -1;
	}
	rc = bp_write_rules(f);
	if (rc == 0 && n->syn_conns > BP_SYN_PORTS)
		rc = bp_write_syn_rules(f, n->syn_conns);
	if (rc == 0 && n->big_flows != 0)
		rc = bp_write_big_rules(f, n->big_flows);
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0 && ctl_rules_load(&n->shm, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "dpvs-bench-pipe: rules: %s\n", err);
		rc = -1;
	}
	unlink(path);
	return rc;
}

/* Ports, shm, rules, worker 0's context online on the RCU. */
static int
setup_node(struct bp_node *n, const struct bp_opts *o)
{
	static struct dpvs_port_info ports[DPVS_MAX_PORTS];
	struct dpvs_global_conf conf;
	char err[256];

	memset(&conf, 0, sizeof(conf));
	snprintf(conf.file_prefix, sizeof(conf.file_prefix), "bp%d", (int)getpid());
	conf.mbufs = 4095;
	conf.nworkers = 1;
	conf.nports = 2;
	conf.conn_capacity = (uint32_t)o->conns + n->big_flows;
	n->syn_conns = (uint32_t)o->conns;
	if (n->big_flows != 0 || o->conns > BP_SYN_PORTS) {   /* more local addresses */
		dpvs_caps_default(&conf.caps);
		conf.caps.svc_laddrs = 256;
		conf.caps.addrs = 1024;
	}
	if (make_ports(n, ports) != 0) {
		fprintf(stderr, "dpvs-bench-pipe: cannot make the ring ports\n");
		return -1;
	}
	if (dpvs_shm_create(&n->shm, &conf, ports, err, sizeof(err)) != 0) {
		fprintf(stderr, "dpvs-bench-pipe: %s\n", err);
		return -1;
	}
	if (start_ports(n) != 0) {
		fprintf(stderr, "dpvs-bench-pipe: cannot start the ring ports\n");
		return -1;
	}
	if (load_rules(n) != 0)
		return -1;
	if (wk_ctx_init(&n->ctx, &n->shm, 0, err, sizeof(err)) != 0) {
		fprintf(stderr, "dpvs-bench-pipe: %s\n", err);
		return -1;
	}
	wk_ctx_recover(&n->ctx);
	/* BP_PREFETCH_ALL=1: the burst's prefetch stage (rx.c) whatever the
	 * table's size, as on a node whose table is large: the 1-flow cases
	 * then take the lookup's memo (fast4.h) as the real node's do */
	if (getenv("BP_PREFETCH_ALL") != NULL && strcmp(getenv("BP_PREFETCH_ALL"), "1") == 0)
		n->ctx.rx_prefetch_min = 0;
	rte_rcu_qsbr_thread_register(n->shm.rcu, 0);
	rte_rcu_qsbr_thread_online(n->shm.rcu, 0);
	return 0;
}

/* udp-big's next flow: every flow once in a stride while the connections
 * are made, then one drawn at random (xorshift32) for each packet. */
static uint32_t
big_flow(struct bp_node *n)
{
	uint32_t x = n->big_rand;

	if (n->big_seq < n->big_flows)
		return (uint32_t)((uint64_t)n->big_seq++ * BP_BIG_STRIDE % n->big_flows);
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	n->big_rand = x;
	return x % n->big_flows;
}

/* Untimed: a burst of frames of case k on the rx ring of its input port. */
static int
feed_burst(struct bp_node *n, enum bp_case k)
{
	struct rte_mbuf *m[BP_BURST];
	uint8_t *d;
	unsigned int i;

	if (rte_pktmbuf_alloc_bulk(n->shm.pool, m, BP_BURST) != 0)
		return -1;
	for (i = 0; i < BP_BURST; i++) {
		d = (uint8_t *)rte_pktmbuf_append(m[i], BP_FRAME_LEN);
		switch (k) {
		case BP_SYN:
			bp_frame_syn(d, (uint16_t)(1024 + n->syn_seq++ % BP_SYN_CHUNK));
			break;
		case BP_UDP_IN:
			bp_frame_udp_in(d);
			break;
		case BP_UDP_OUT:
			bp_frame_udp_out(d, n->lport);
			break;
		case BP_NAT_IN:
			bp_frame_nat_in(d);
			break;
		case BP_NAT_OUT:
			bp_frame_nat_out(d);
			break;
		case BP_DR_IN:
			bp_frame_dr_in(d);
			break;
		case BP_UDP_BIG:
			bp_frame_big_in(d, big_flow(n));
			break;
		case BP_TCP_IN:
		case BP_TCP_OUT:
			bp_tcp_frame_next(n, d, k == BP_TCP_OUT);
			break;
		case BP_SYN_FULL:
			bp_frame_syn_from(d, BP_FULL_SRC + n->full_seq / 32768u,
					  (uint16_t)(1024u + n->full_seq % 32768u));
			n->full_seq++;
			break;
		default:
			n->many_seq = (n->many_seq + BP_MANY_STRIDE) % BP_MANY;
			bp_frame_dr_in_sport(d, (uint16_t)(1024 + n->many_seq));
			break;
		}
		m[i]->port = n->pid[bp_in_port[k]];
	}
	if (rte_ring_enqueue_bulk(n->rx[bp_in_port[k]], (void **)m, BP_BURST, NULL) == 0) {
		rte_pktmbuf_free_bulk(m, BP_BURST);
		return -1;
	}
	return 0;
}

/* Untimed: empty every tx ring; returns what left on port `want`, counts
 * the rest in *other. */
static unsigned int
drain(struct bp_node *n, uint16_t want, unsigned long *other)
{
	struct rte_mbuf *m[BP_RING];
	unsigned int got, ok = 0;
	uint16_t p;

	for (p = 0; p < 2; p++) {
		got = rte_ring_dequeue_burst(n->tx[p], (void **)m, BP_RING, NULL);
		if (p == want)
			ok += got;
		else
			*other += got;
		rte_pktmbuf_free_bulk(m, got);
	}
	return ok;
}

/* The timed parts; not inlined so that callgrind can count them alone
 * (run.sh: --toggle-collect=bp_timed_*), and only over the measured
 * packets: the warm-up runs the same work through bp_warm_*, so that the
 * cycles (rdtsc) and the instructions (callgrind) cover one scope. */
static volatile unsigned long bp_warm_calls; /* keeps bp_warm_* apart (no ICF) */

static __rte_noinline void
bp_timed_pipe(struct wk_ctx *ctx)
{
	wk_loop_once(ctx);
}

static __rte_noinline void
bp_warm_pipe(struct wk_ctx *ctx)
{
	bp_warm_calls++;
	wk_loop_once(ctx);
}

static __rte_noinline void
bp_base(uint16_t in, uint16_t out)
{
	struct rte_mbuf *m[BP_BURST];
	struct rte_ether_hdr *eh;
	struct rte_ether_addr t;
	uint16_t i, nb, sent;

	nb = rte_eth_rx_burst(in, 0, m, BP_BURST);
	for (i = 0; i < nb; i++) {
		eh = rte_pktmbuf_mtod(m[i], struct rte_ether_hdr *);
		rte_ether_addr_copy(&eh->dst_addr, &t);
		rte_ether_addr_copy(&eh->src_addr, &eh->dst_addr);
		rte_ether_addr_copy(&t, &eh->src_addr);
	}
	sent = rte_eth_tx_burst(out, 0, m, nb);
	if (sent < nb)
		rte_pktmbuf_free_bulk(&m[sent], nb - sent);
}

static __rte_noinline void
bp_timed_base(uint16_t in, uint16_t out)
{
	bp_base(in, out);
}

static __rte_noinline void
bp_warm_base(uint16_t in, uint16_t out)
{
	bp_warm_calls++;
	bp_base(in, out);
}

/* Untimed: expire every connection through the worker's own expiry path. */
static int
expire_all(struct bp_node *n)
{
	struct dpvs_conn_table *ct = n->shm.ct[0];
	struct dpvs_conn *c = dpvs_conn_array(ct);
	uint64_t now = dpvs_now_ns();
	unsigned long other = 0;
	uint32_t i;
	int loops;

	for (i = 0; i < ct->capacity; i++)
		if ((c[i].flags & DPVS_CONN_F_USED) != 0)
			wk_conn_set_timer(ct, i, now);
	for (loops = 0; ct->count != 0 && loops < 1000000; loops++)
		wk_loop_once(&n->ctx);
	drain(n, 0, &other);
	return ct->count == 0 ? 0 : -1;
}

/* BP_SCATTER=1 (syn-full): the empty table's free list in a stride
 * permutation of the slots, so that the connections, and the victims that
 * later give their slots in the same order, lie at unrelated slots, as on
 * a node whose table has served other connections first (figure 2's SYN
 * case: 1,000,000 UDP connections, then the SYNs). Without it they are
 * slots 0, 1, 2, ... in turn, whose lines the hardware prefetcher streams:
 * a victim's entry costs the pipe less than it costs the node. */
#define BP_SCATTER_STRIDE 1000003u   /* a prime: coprime to any capacity below it squared */

static void
scatter_free_list(struct dpvs_conn_table *ct)
{
	struct dpvs_conn *c = dpvs_conn_array(ct);
	uint64_t cap = ct->capacity, i, s, prev = DPVS_CONN_NIL;

	if (ct->count != 0 || cap % BP_SCATTER_STRIDE == 0)
		return;
	for (i = cap; i-- > 0;) {   /* built back to front: slot (0 * stride) first */
		s = i * BP_SCATTER_STRIDE % cap;
		c[s].tnext = (uint32_t)prev;
		prev = s;
	}
	ct->free_head = (uint32_t)prev;
}

/* The UDP connection of inbound case k: one burst of it (untimed); for
 * full-NAT, its local port. */
static int
make_udp_conn(struct bp_node *n, enum bp_case k)
{
	struct dpvs_conn_table *ct = n->shm.ct[0];
	struct dpvs_conn *c = dpvs_conn_array(ct);
	unsigned long other = 0;
	uint32_t i;

	if (feed_burst(n, k) != 0)
		return -1;
	wk_loop_once(&n->ctx);
	if (drain(n, 1, &other) != BP_BURST)
		return -1;
	n->made[k] = 1;
	if (k != BP_UDP_IN)
		return 0;
	for (i = 0; i < ct->capacity; i++)
		if ((c[i].flags & DPVS_CONN_F_USED) != 0 && c[i].proto == IPPROTO_UDP &&
		    c[i].fwd_mode == DPVS_FWD_FNAT) {
			n->lport = rte_be_to_cpu_16(c[i].lport);
			return 0;
		}
	return -1;
}

static uint64_t
drops(const struct bp_node *n)
{
	uint64_t t = 0;
	int r;

	for (r = 0; r < DPVS_DROP_MAX; r++)
		t += n->ctx.st->drop[r];
	return t;
}

/* Cycles per packet of the fastest round: the one least disturbed by the
 * other processes of a shared machine (the last round also takes the
 * packets that do not divide evenly; it is scaled to a round's length). */
static double
best_cpp(uint64_t *cycles, unsigned long per_round, unsigned long packets)
{
	unsigned long last = packets - per_round * (BP_ROUNDS - 1);
	uint64_t best;
	int r;

	cycles[BP_ROUNDS - 1] = cycles[BP_ROUNDS - 1] * per_round / last;
	best = cycles[0];
	for (r = 1; r < BP_ROUNDS; r++)
		best = RTE_MIN(best, cycles[r]);
	return (double)best / (double)per_round;
}

/* One case and kind: *cpp gets cycles per packet over o->packets packets
 * after o->warmup. 0, or -1 if a frame went astray. */
static int
run_one(struct bp_node *n, const struct bp_opts *o, enum bp_case k, enum bp_kind kind,
	double *cpp)
{
	uint16_t in = bp_in_port[k], out = (uint16_t)(1 - in);
	/* dr-many: every flow's connection made in the warm-up; udp-big:
	 * before it (made: the packets that make them; not for the baseline);
	 * syn-full: the table (udp-big's room included) filled and churned */
	unsigned long made = k == BP_UDP_BIG && kind == BP_PIPE ?
				     RTE_ALIGN_CEIL(o->big_flows, BP_BURST) : 0;
	unsigned long cap = o->conns + o->big_flows;
	unsigned long warm = k == BP_DR_MANY ? RTE_MAX(o->warmup, (unsigned long)BP_MANY) :
			     k == BP_SYN_FULL ? RTE_MAX(o->warmup, 2ul * cap / BP_BURST * BP_BURST) :
						 made + o->warmup;
	unsigned long done, total = warm + o->packets, ok = 0, other = 0;
	unsigned long sim_from = warm > BP_SIM_WARM ? warm - BP_SIM_WARM : 0;
	unsigned long per_round = o->packets / BP_ROUNDS, r;
	uint64_t cycles[BP_ROUNDS] = { 0 }, t0, dropped = drops(n);
	int tcp = k == BP_TCP_IN || k == BP_TCP_OUT;
	/* an established case's timed packets each find their connection
	 * (also the burst's prefetch stage's hash, dr-many and udp-big): the
	 * table does not grow */
	int est = kind == BP_PIPE && k != BP_SYN && k != BP_SYN_FULL;
	uint32_t conns = 0;

	n->big_seq = made != 0 ? 0 : n->big_flows;   /* big_flow(): make them first */
	n->tcp_live = kind == BP_PIPE;
	/* syn-full: the table holds its SYNs' connections only */
	if (k == BP_SYN_FULL && kind == BP_PIPE && expire_all(n) != 0)
		return -1;
	if (k == BP_SYN_FULL && kind == BP_PIPE && getenv("BP_SCATTER") != NULL &&
	    strcmp(getenv("BP_SCATTER"), "1") == 0)
		scatter_free_list(n->ctx.ct);
	for (done = 0; done < total; done += BP_BURST) {
		if ((made != 0 && done == made) ||
		    (k == BP_SYN_FULL && done >= sim_from && done < sim_from + BP_BURST))
			CALLGRIND_START_INSTRUMENTATION;
		if (feed_burst(n, k) != 0)
			return -1;
		if (done < warm + BP_BURST && done >= warm)
			conns = n->ctx.ct->count;
		t0 = rte_rdtsc();
		if (done < warm && kind == BP_PIPE)
			bp_warm_pipe(&n->ctx);
		else if (done < warm)
			bp_warm_base(n->pid[in], n->pid[out]);
		else if (kind == BP_PIPE)
			bp_timed_pipe(&n->ctx);
		else
			bp_timed_base(n->pid[in], n->pid[out]);
		if (done >= warm) {
			r = (done - warm) / per_round;
			cycles[r < BP_ROUNDS ? r : BP_ROUNDS - 1] += rte_rdtsc() - t0;
		}
		ok += drain(n, out, &other);
		if (tcp && kind == BP_PIPE && bp_tcp_peer_ack(n, k == BP_TCP_OUT) != 0) {
			fprintf(stderr, "dpvs-bench-pipe: %s: the peer's ACK did not pass\n",
				bp_case_name[k]);
			return -1;
		}
		if (k == BP_SYN && kind == BP_PIPE && n->syn_seq % BP_SYN_CHUNK == 0 &&
		    expire_all(n) != 0) {
			fprintf(stderr, "dpvs-bench-pipe: connections did not expire\n");
			return -1;
		}
	}
	if ((k == BP_SYN || k == BP_SYN_FULL) && kind == BP_PIPE && expire_all(n) != 0)
		return -1;
	dropped = drops(n) - dropped;
	if (est && n->ctx.ct->count != conns) {
		fprintf(stderr, "dpvs-bench-pipe: %s: %u connections after the warm-up, %u after"
				" the timed packets: some missed their connection\n",
			bp_case_name[k], conns, n->ctx.ct->count);
		return -1;
	}
	if (ok != total || other != 0 || dropped != 0) {
		fprintf(stderr, "dpvs-bench-pipe: %s/%s: %lu of %lu frames out on port %u, %lu"
				" elsewhere, %lu dropped (%lu out of the TCP window)\n",
			bp_case_name[k], bp_kind_name[kind], ok, total, out, other,
			(unsigned long)dropped,
			(unsigned long)n->ctx.st->drop[DPVS_DROP_TCP_WINDOW]);
		return -1;
	}
	*cpp = best_cpp(cycles, per_round, o->packets);
	return 0;
}

static int
run_all(struct bp_node *n, const struct bp_opts *o)
{
	double cpp;
	int k, kind;

	for (k = 0; k < BP_NCASES; k++) {
		if ((o->only_case >= 0 && o->only_case != k) ||
		    (k == BP_UDP_BIG && o->big_flows == 0))
			continue;
		if (bp_maker[k] >= 0 && !n->made[bp_maker[k]] &&
		    (bp_maker[k] == BP_TCP_IN ? bp_make_tcp_conn(n) :
		     make_udp_conn(n, (enum bp_case)bp_maker[k])) != 0) {
			fprintf(stderr, "dpvs-bench-pipe: no established connection for %s\n",
				bp_case_name[k]);
			return -1;
		}
		for (kind = BP_NKINDS - 1; kind >= 0; kind--) {
			if (o->only_kind >= 0 && o->only_kind != kind)
				continue;
			if (run_one(n, o, k, kind, &cpp) != 0)
				return -1;
			printf("RESULT %s %s %.1f %lu\n", bp_case_name[k], bp_kind_name[kind], cpp,
			       o->packets);
			fflush(stdout);
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct bp_node node;
	struct bp_opts o;
	int rc = 0;

	if (parse_args(argc, argv, &o) != 0)
		return 2;
	node.big_flows = o.big_flows;
	node.big_rand = 2463534242u;
	if (start_eal(argv[0], &o) != 0)
		return 1;
	if (setup_node(&node, &o) != 0 || run_all(&node, &o) != 0)
		rc = 1;
	printf("TSC %lu\n", (unsigned long)rte_get_tsc_hz());
	dpvs_eal_cleanup_private();
	return rc;
}
