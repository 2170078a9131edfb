/*
 * dpvs-bench-gen: the benchmark's traffic generator, a DPDK primary of its
 * own (see gen.h for what it sends and how, without building frames per
 * packet).
 *
 *   dpvs-bench-gen EAL-OPTIONS -- [--port P[,queues=N][,rx]]...
 *        [--stream name=S,port=P,kind=udp|syn|reply|ack|synack,src=IP,sport=N,
 *                  dst=IP,dport=N,flows=N,order=seq|random,vary=src|dst,
 *                  dmac=MAC,len=N,learn=P,seq=N,ack=N]...
 *        [--burst N] [--backoff PAUSES] [--refcnt] [--prebuild N] [--selftest]
 *
 * Ports are the EAL's (--vdev=net_memif...,role=client), numbered in order;
 * --burst: frames per tx burst (default 32, at most 64); --backoff: pauses
 * after a burst the port took only in part (default 16); --refcnt: streams
 * of up to --prebuild flows (default 65536) send prebuilt frames held by
 * their reference count instead of recycled template frames (gen.h).
 * Each port is started with N tx and rx queues (default 1); `rx` ports are
 * polled (counted; a reply or synack stream learns from its learn port).
 * The main lcore reads commands from stdin, one a line, and answers each with one
 * line (OK ... or ERR ...) on stdout; the first lcore after it sends:
 *   link SECONDS     wait until every port is up (memif connected; a port
 *                    that did not connect is started again every 2 s:
 *                    none may be polled or sending meanwhile)
 *   start S [N]      send stream S (N packets, then stop by itself)
 *   pass S [SECS]    send each flow of S once, in flow-number order
 *                    whatever S's order (each queue's flows from its
 *                    first; a random stream's starts then visit them out
 *                    of that order); answers when done
 *   stop             stop sending (no packet leaves after the answer)
 *   wait SECONDS     wait until a start with N packets is done
 *   rx P on|off      poll rx port P (count its frames; a learning stream
 *                    learns from them); a port must not be polled while
 *                    its peer goes away (memif unmaps under the poll)
 *   learn S on|off   a reply (synack) stream learns the tuples of the UDP
 *                    datagrams (TCP SYNs) of its learn port (while the
 *                    port is polled)
 *   build S          (re)build S's frames (a reply or synack stream: from
 *                    what it learned)
 *   stats            STATS ns=<CLOCK_MONOTONIC> sent=<frames> iters=<loops>
 *                    work_iters=<loops that sent> work_tsc=<their cycles>
 *                    short=<bursts taken in part> tsc_hz=<TSC> rx=<p0>,<p1>..
 *   flows S          FLOWS S <flows> <recycle|refcnt>
 *   sleep MS         (scripts)
 *   quit
 * --selftest checks the frame patching against frames written whole and
 * exits. Exit status 0 after quit or end of input.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "gen.h"

#define GEN_RX_MBUFS 8191
#define GEN_RING_DESC 1024

static struct gen G;

static int
parse_port(struct gen *g, char *arg)
{
	char *save = NULL, *tok = strtok_r(arg, ",", &save);
	unsigned long p = tok != NULL ? strtoul(tok, NULL, 10) : GEN_MAX_PORTS;

	if (p >= g->nports)
		return -1;
	while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
		if (strncmp(tok, "queues=", 7) == 0)
			g->port[p].nq = (uint16_t)atoi(tok + 7);
		else if (strcmp(tok, "rx") == 0)
			g->port[p].rx = 1;
		else
			return -1;
	}
	return g->port[p].nq >= 1 && g->port[p].nq <= GEN_MAX_QUEUES ? 0 : -1;
}

static int
parse_ip(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = rte_be_to_cpu_32(a.s_addr);
	return 0;
}

static int
stream_kv(struct gen *g, struct gen_stream *s, const char *k, const char *v)
{
	if (strcmp(k, "name") == 0)
		snprintf(s->name, sizeof(s->name), "%s", v);
	else if (strcmp(k, "port") == 0)
		s->port = (uint16_t)atoi(v);
	else if (strcmp(k, "kind") == 0)
		s->kind = strcmp(v, "syn") == 0 ? GEN_K_SYN :
			  strcmp(v, "reply") == 0 ? GEN_K_REPLY :
			  strcmp(v, "ack") == 0 ? GEN_K_ACK :
			  strcmp(v, "synack") == 0 ? GEN_K_SYNACK : GEN_K_UDP;
	else if (strcmp(k, "seq") == 0)
		s->seq = (uint32_t)strtoul(v, NULL, 10);
	else if (strcmp(k, "ack") == 0)
		s->ack = (uint32_t)strtoul(v, NULL, 10);
	else if (strcmp(k, "src") == 0)
		return parse_ip(v, &s->sip0);
	else if (strcmp(k, "dst") == 0)
		return parse_ip(v, &s->dip0);
	else if (strcmp(k, "sport") == 0)
		s->sport0 = (uint16_t)atoi(v);
	else if (strcmp(k, "dport") == 0)
		s->dport0 = (uint16_t)atoi(v);
	else if (strcmp(k, "flows") == 0)
		s->flows = strtoull(v, NULL, 10);
	else if (strcmp(k, "order") == 0)
		s->random = strcmp(v, "random") == 0;
	else if (strcmp(k, "vary") == 0)
		s->vary_dst = strcmp(v, "dst") == 0;
	else if (strcmp(k, "dmac") == 0)
		return rte_ether_unformat_addr(v, &s->dmac);
	else if (strcmp(k, "len") == 0)
		s->len = (uint16_t)atoi(v);
	else if (strcmp(k, "learn") == 0)
		s->learn_port = atoi(v);
	else
		return -1;
	(void)g;
	return 0;
}

static int
parse_stream(struct gen *g, char *arg)
{
	struct gen_stream *s;
	char *save = NULL, *tok, *eq;

	if (g->nstreams == GEN_MAX_STREAMS)
		return -1;
	s = &g->stream[g->nstreams];
	memset(s, 0, sizeof(*s));
	s->flows = 1;
	s->sport0 = 1024;
	s->len = 60;
	s->learn_port = -1;
	for (tok = strtok_r(arg, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		eq = strchr(tok, '=');
		if (eq == NULL)
			return -1;
		*eq = '\0';
		if (stream_kv(g, s, tok, eq + 1) != 0)
			return -1;
	}
	if (s->name[0] == '\0' || s->port >= g->nports || s->len < 60 || s->len > GEN_MAX_LEN ||
	    s->flows == 0 || s->flows > (1ull << 32) ||
	    (GEN_K_LEARNS(s->kind) && (s->learn_port < 0 || s->learn_port >= g->nports)))
		return -1;
	s->nq = g->port[s->port].nq;
	rte_ether_addr_copy(&g->port[s->port].mac, &s->smac);
	if (GEN_K_LEARNS(s->kind)) {
		s->seen = calloc(((size_t)GEN_LEARN_ADDRS << 16) / 64, 8);
		if (s->seen == NULL)
			return -1;
		g->port[s->learn_port].rx = 1;
	}
	g->nstreams++;
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: dpvs-bench-gen EAL-OPTIONS -- [--port P[,queues=N][,rx]]...\n"
			"  [--stream name=S,port=P,kind=udp|syn|reply|ack|synack,src=IP,sport=N,"
			"dst=IP,dport=N,flows=N,seq=N,ack=N,\n"
			"            order=seq|random,vary=src|dst,dmac=MAC,len=N,learn=P]...\n"
			"  [--burst N] [--backoff PAUSES] [--refcnt] [--prebuild N] [--selftest]\n");
}

/* Streams name ports: the ports (their MACs, queue counts) come first. */
static int
parse_args(struct gen *g, int argc, char **argv, int *selftest)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "stream", required_argument, NULL, 's' },
		{ "burst", required_argument, NULL, 'b' },
		{ "prebuild", required_argument, NULL, 'P' },
		{ "selftest", no_argument, NULL, 'T' },
		{ "backoff", required_argument, NULL, 'B' },
		{ "refcnt", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	char *streams[GEN_MAX_STREAMS];
	int c, ns = 0, i;

	g->burst = 32;
	g->prebuild_max = 65536;
	g->backoff = 16;
	*selftest = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_port(g, optarg) != 0)
				return -1;
			break;
		case 's':
			if (ns == GEN_MAX_STREAMS)
				return -1;
			streams[ns++] = optarg;
			break;
		case 'b':
			g->burst = (uint16_t)atoi(optarg);
			break;
		case 'P':
			g->prebuild_max = strtoull(optarg, NULL, 10);
			break;
		case 'T':
			*selftest = 1;
			break;
		case 'R':
			g->use_refcnt = 1;
			break;
		case 'B':
			g->backoff = (uint32_t)atoi(optarg);
			break;
		default:
			return -1;
		}
	}
	if (g->burst < 1 || g->burst > GEN_MAX_BURST)
		return -1;
	for (i = 0; i < ns; i++)
		if (parse_stream(g, streams[i]) != 0) {
			fprintf(stderr, "dpvs-bench-gen: bad stream '%s'\n", streams[i]);
			return -1;
		}
	return 0;
}

static int
start_ports(struct gen *g)
{
	struct rte_eth_conf conf;
	uint16_t p, q;

	memset(&conf, 0, sizeof(conf));
	g->rx_pool = rte_pktmbuf_pool_create("gen_rx", GEN_RX_MBUFS, 256, 0,
					     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (g->rx_pool == NULL)
		return -1;
	for (p = 0; p < g->nports; p++) {
		struct gen_port *gp = &g->port[p];

		if (rte_eth_dev_configure(gp->id, gp->nq, gp->nq, &conf) != 0)
			return -1;
		for (q = 0; q < gp->nq; q++)
			if (rte_eth_rx_queue_setup(gp->id, q, GEN_RING_DESC, SOCKET_ID_ANY, NULL,
						   g->rx_pool) != 0 ||
			    rte_eth_tx_queue_setup(gp->id, q, GEN_RING_DESC, SOCKET_ID_ANY,
						   NULL) != 0)
				return -1;
		/* a memif client whose server is not listening yet fails
		 * here: `link` tries again */
		gp->started = rte_eth_dev_start(gp->id) == 0;
	}
	return 0;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static struct gen_stream *
find_stream(struct gen *g, const char *name)
{
	uint16_t i;

	for (i = 0; i < g->nstreams; i++)
		if (strcmp(g->stream[i].name, name) == 0)
			return &g->stream[i];
	return NULL;
}

/* Give the tx lcore a command and wait until it is in force (sync only:
 * the stream goes on, only the learning streams are read again). */
static void
command_sync(struct gen *g, struct gen_stream *s, uint64_t limit, int sync_only)
{
	uint32_t seq;

	if (!sync_only) {
		g->cmd_stream = s;
		g->cmd_limit = limit;
	}
	g->cmd_sync_only = sync_only;
	seq = __atomic_add_fetch(&g->cmd_seq, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&g->ack_seq, __ATOMIC_ACQUIRE) != seq)
		sleep_ms(1);
}

static void
command(struct gen *g, struct gen_stream *s, uint64_t limit)
{
	command_sync(g, s, limit, 0);
}

/* Wait until the current start is done; 0, or -1 after `secs`. */
static int
wait_done(struct gen *g, double secs)
{
	uint64_t end = now_ns() + (uint64_t)(secs * 1e9);

	while (!__atomic_load_n(&g->done, __ATOMIC_ACQUIRE)) {
		if (now_ns() > end)
			return -1;
		sleep_ms(1);
	}
	return 0;
}

static int
port_up(const struct gen_port *gp)
{
	struct rte_eth_link link;

	return gp->started && rte_eth_link_get_nowait(gp->id, &link) == 0 &&
	       link.link_status == RTE_ETH_LINK_UP;
}

/* Wait until every port is up. A memif client does not try again by
 * itself when its server was not listening: (re)start such a port every
 * 2 s until it connects (not sooner: a restart during a slow handshake on a
 * loaded machine breaks the connection under the peer, and Debian's 22.11
 * testpmd can panic in its memif interrupt handler then). */
static int
links_up(struct gen *g, double secs)
{
	uint64_t end = now_ns() + (uint64_t)(secs * 1e9), retry = now_ns() + 2000000000ull;
	uint16_t p, up;

	for (;;) {
		for (p = 0, up = 0; p < g->nports; p++)
			up += port_up(&g->port[p]);
		if (up == g->nports)
			return 0;
		if (now_ns() > end)
			return -1;
		if (now_ns() > retry) {
			for (p = 0; p < g->nports; p++) {
				struct gen_port *gp = &g->port[p];

				if (port_up(gp))
					continue;
				if (gp->started)
					rte_eth_dev_stop(gp->id);
				gp->started = rte_eth_dev_start(gp->id) == 0;
			}
			retry = now_ns() + 2000000000ull;
		}
		sleep_ms(10);
	}
}

static void
print_stats(struct gen *g)
{
	uint16_t p;

	printf("STATS ns=%lu sent=%lu iters=%lu work_iters=%lu work_tsc=%lu short=%lu "
	       "tsc_hz=%lu rx=", (unsigned long)now_ns(), (unsigned long)g->sent,
	       (unsigned long)g->iters, (unsigned long)g->work_iters,
	       (unsigned long)g->work_tsc, (unsigned long)g->short_tx,
	       (unsigned long)rte_get_tsc_hz());
	for (p = 0; p < g->nports; p++)
		printf("%s%lu", p != 0 ? "," : "", (unsigned long)g->port[p].rx_pkts);
	printf("\n");
}

/* A pass walks each queue's flows in flow-number order from the first
 * (on=1: the walk saved in w, stride 1 from position 0; on=0: the walk
 * given back), whatever the stream's order: the node makes a stream's
 * connections in the order of its pass, and a start of a random stream
 * then visits them in its stride walk, out of the order they were made.
 * Called while the tx lcore sends nothing. */
static void
pass_walk(struct gen_stream *s, uint64_t w[][2], int on)
{
	uint16_t q;

	for (q = 0; q < s->nq; q++) {
		struct gen_queue *qs = &s->q[q];

		if (on) {
			w[q][0] = qs->j;
			w[q][1] = qs->stride;
			qs->j = 0;
			qs->stride = 1;
		} else {
			qs->j = w[q][0];
			qs->stride = w[q][1];
		}
	}
}

/* Stream commands: start, pass, learn, build, flows. */
static void
stream_cmd(struct gen *g, const char *cmd, struct gen_stream *s, const char *arg)
{
	uint64_t walk[GEN_MAX_QUEUES][2];
	char err[256];
	uint64_t t0, before;
	int rc;

	if (strcmp(cmd, "start") == 0) {
		if (!s->built) {
			printf("ERR %s not built\n", s->name);
			return;
		}
		command(g, s, arg != NULL ? strtoull(arg, NULL, 10) : 0);
		printf("OK start %s\n", s->name);
	} else if (strcmp(cmd, "pass") == 0) {
		if (!s->built) {
			printf("ERR %s not built\n", s->name);
			return;
		}
		t0 = now_ns();
		before = s->sent;
		command(g, NULL, 0);
		pass_walk(s, walk, 1);
		command(g, s, s->flows);
		rc = wait_done(g, arg != NULL ? atof(arg) : 600);
		command(g, NULL, 0);
		pass_walk(s, walk, 0);
		if (rc != 0) {
			printf("ERR pass %s: %lu of %lu sent\n", s->name,
			       (unsigned long)(s->sent - before), (unsigned long)s->flows);
			return;
		}
		printf("OK pass %s sent=%lu ns=%lu\n", s->name, (unsigned long)(s->sent - before),
		       (unsigned long)(now_ns() - t0));
	} else if (strcmp(cmd, "learn") == 0) {
		if (!GEN_K_LEARNS(s->kind)) {
			printf("ERR %s does not learn\n", s->name);
			return;
		}
		s->learning = arg != NULL && strcmp(arg, "on") == 0;
		command_sync(g, NULL, 0, 1);
		printf("OK learn %s %s\n", s->name, s->learning ? "on" : "off");
	} else if (strcmp(cmd, "build") == 0) {
		if (g->cmd_stream == s || s->learning) {
			printf("ERR %s is sending or learning\n", s->name);
			return;
		}
		if (gen_stream_build(g, s, err, sizeof(err)) != 0)
			printf("ERR %s\n", err);
		else
			printf("OK build %s flows=%lu %s\n", s->name, (unsigned long)s->flows,
			       s->refcnt ? "refcnt" : "recycle");
	} else if (strcmp(cmd, "flows") == 0) {
		uint64_t n = 0;
		uint16_t q;

		for (q = 0; q < s->nq; q++)
			n += s->q[q].n;
		printf("FLOWS %s %lu %s\n", s->name, (unsigned long)n,
		       !s->built ? "unbuilt" : s->refcnt ? "refcnt" : "recycle");
	} else {
		printf("ERR unknown command %s\n", cmd);
	}
}

/* rx P on|off */
static void
rx_cmd(struct gen *g, const char *port, const char *onoff)
{
	unsigned long p = port != NULL ? strtoul(port, NULL, 10) : ULONG_MAX;
	struct gen_port *gp = NULL;

	if (p < GEN_MAX_PORTS && p < g->nports)
		gp = &g->port[p];

	if (gp == NULL || !gp->rx) {
		printf("ERR rx: port %s is not an rx port\n", port != NULL ? port : "?");
		return;
	}
	gp->poll = onoff != NULL && strcmp(onoff, "on") == 0;
	command_sync(g, NULL, 0, 1);
	printf("OK rx %lu %s\n", p, gp->poll ? "on" : "off");
}

/* One command line; returns 1 after quit. */
static int
run_command(struct gen *g, char *line)
{
	char *save = NULL, *cmd = strtok_r(line, " \t\r\n", &save);
	char *a1 = strtok_r(NULL, " \t\r\n", &save), *a2 = strtok_r(NULL, " \t\r\n", &save);
	struct gen_stream *s;

	if (cmd == NULL || cmd[0] == '#')
		return 0;
	if (strcmp(cmd, "quit") == 0) {
		printf("OK quit\n");
		return 1;
	} else if (strcmp(cmd, "stop") == 0) {
		command(g, NULL, 0);
		printf("OK stop\n");
	} else if (strcmp(cmd, "stats") == 0) {
		print_stats(g);
	} else if (strcmp(cmd, "sleep") == 0) {
		sleep_ms(a1 != NULL ? (unsigned int)atoi(a1) : 0);
		printf("OK sleep\n");
	} else if (strcmp(cmd, "link") == 0) {
		if (links_up(g, a1 != NULL ? atof(a1) : 10) != 0)
			printf("ERR link down\n");
		else
			printf("OK link\n");
	} else if (strcmp(cmd, "rx") == 0) {
		rx_cmd(g, a1, a2);
	} else if (strcmp(cmd, "wait") == 0) {
		if (wait_done(g, a1 != NULL ? atof(a1) : 10) != 0)
			printf("ERR wait: not done\n");
		else
			printf("OK wait\n");
	} else if (a1 == NULL || (s = find_stream(g, a1)) == NULL) {
		printf("ERR %s: which stream?\n", cmd);
	} else {
		stream_cmd(g, cmd, s, a2);
	}
	return 0;
}

static int
setup(struct gen *g, int argc, char **argv, int *selftest)
{
	uint16_t p, id;
	char err[256];

	g->nports = 0;
	RTE_ETH_FOREACH_DEV(id) {
		if (g->nports == GEN_MAX_PORTS)
			break;
		g->port[g->nports].id = id;
		g->port[g->nports].nq = 1;
		rte_eth_macaddr_get(id, &g->port[g->nports].mac);
		g->nports++;
	}
	if (parse_args(g, argc, argv, selftest) != 0) {
		usage();
		return -1;
	}
	if (*selftest)
		return 0;
	if (start_ports(g) != 0) {
		fprintf(stderr, "dpvs-bench-gen: cannot start the ports\n");
		return -1;
	}
	for (p = 0; p < g->nstreams; p++)
		if (!GEN_K_LEARNS(g->stream[p].kind) &&
		    gen_stream_build(g, &g->stream[p], err, sizeof(err)) != 0) {
			fprintf(stderr, "dpvs-bench-gen: %s\n", err);
			return -1;
		}
	return 0;
}

int
main(int argc, char **argv)
{
	struct gen *g = &G;
	char line[512], err[256];
	unsigned int lcore;
	int n, selftest, rc = 0;
	uint16_t p;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "dpvs-bench-gen: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (setup(g, argc - n, argv + n, &selftest) != 0) {
		rte_eal_cleanup();
		return 1;
	}
	if (selftest) {
		rc = gen_selftest(g, err, sizeof(err));
		printf(rc == 0 ? "OK selftest\n" : "ERR %s\n", err);
		rte_eal_cleanup();
		return rc == 0 ? 0 : 1;
	}
	lcore = rte_get_next_lcore(-1, 1, 0);
	if (lcore >= RTE_MAX_LCORE || rte_eal_remote_launch(gen_lcore_main, g, lcore) != 0) {
		fprintf(stderr, "dpvs-bench-gen: needs a second lcore (-l MAIN,TX)\n");
		rte_eal_cleanup();
		return 1;
	}
	printf("READY ports=%u streams=%u tx_lcore=%u\n", g->nports, g->nstreams, lcore);
	while (fgets(line, sizeof(line), stdin) != NULL)
		if (run_command(g, line) != 0)
			break;
	command(g, NULL, 0);
	g->quit = 1;
	rte_eal_mp_wait_lcore();
	for (p = 0; p < g->nstreams; p++)
		gen_stream_free(&g->stream[p]);
	for (p = 0; p < g->nports; p++) {
		if (g->port[p].started)
			rte_eth_dev_stop(g->port[p].id);
		rte_eth_dev_close(g->port[p].id);
	}
	rte_eal_cleanup();
	return rc;
}
