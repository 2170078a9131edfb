/*
 * Tests of the load-balancer control path on real shared memory created in
 * this process (EAL --no-huge --no-shconf, no devices): commands through the
 * request handler publish derived tables (the rte_lpm of the published copy
 * gives the right route for a few addresses, svc_hash finds the services,
 * default timeouts are set); a refused change publishes nothing; -L -n
 * --stats sums the workers' counter rows whose id matches the live object;
 * conn show reads a worker's connection table; text and JSON shapes as
 * dpvsctl prints them, every JSON output conforming to its schema in
 * docs/schema/. Tests share one EAL and one shm: no fork, in order.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include <rte_eal.h>
#include <rte_lpm.h>

#include "ctl/common/cli.h"
#include "ctl/common/fmt.h"
#include "ctl/common/pb.h"
#include "ctl/daemon/handler.h"
#include "shm/lb_hash.h"
#include "shm/eal.h"
#include "ctl/daemon/lb.h"
#include "shm/shm.h"

static struct dpvs_shm shm;

static void
eal_and_shm(void)
{
	char prefix[64], err[256];
	char *argv[] = { "test_ctl_lbnode", "--no-huge", "--no-shconf", "-m", "512", "--no-pci",
			 "--no-telemetry", prefix, "--log-level=lib.eal:error", "-l", "0", NULL };
	struct dpvs_global_conf conf;
	struct dpvs_port_info ports[2];

	snprintf(prefix, sizeof(prefix), "--file-prefix=tctllb%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		fprintf(stderr, "EAL init failed\n");
		exit(EXIT_FAILURE);
	}
	memset(&conf, 0, sizeof(conf));
	memset(ports, 0, sizeof(ports));
	snprintf(conf.file_prefix, sizeof(conf.file_prefix), "tctllb");
	snprintf(conf.run_dir, sizeof(conf.run_dir), "/tmp");
	conf.mbufs = 1023;
	conf.nworkers = 2;
	conf.nports = 2;
	conf.conn_capacity = 64;
	snprintf(ports[0].name, sizeof(ports[0].name), "dpdk0");
	snprintf(ports[1].name, sizeof(ports[1].name), "dpdk1");
	ports[0].port_id = 0xfff0;
	ports[1].port_id = 0xfff1;
	if (dpvs_shm_create(&shm, &conf, ports, err, sizeof(err)) != 0) {
		fprintf(stderr, "dpvs_shm_create: %s\n", err);
		exit(EXIT_FAILURE);
	}
}

/* The words of a dpvsctl command through the parser and the handler. */
static Dpvs__Response *
run(int argc, char **argv, bool *json)
{
	struct ctl_cli_cmd cmd;
	Dpvs__Response *resp;
	char err[256];

	ck_assert_msg(ctl_cli_parse(argc, argv, &cmd, err, sizeof(err)) == CTL_CLI_OK, "%s", err);
	resp = ctl_execute(&shm, cmd.req);
	if (json != NULL)
		*json = cmd.json;
	ctl_cli_cmd_free(&cmd);
	return resp;
}
#define RUN(...) run((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)), \
		     (char *[]){ __VA_ARGS__ }, NULL)

/* Run and expect OK without payload. */
#define OK(...)                                                                   \
	do {                                                                      \
		Dpvs__Response *r_ = RUN(__VA_ARGS__);                            \
		ck_assert_msg(r_->status == DPVS__STATUS__OK, "%s", r_->message); \
		dpvs__response__free_unpacked(r_, NULL);                          \
	} while (0)

/* Run and print as dpvsctl would; returns the malloc'd output. */
static char *
output(int argc, char **argv)
{
	Dpvs__Response *r;
	char *buf = NULL;
	size_t len = 0;
	bool json;
	FILE *f;

	r = run(argc, argv, &json);
	ck_assert_msg(r->status == DPVS__STATUS__OK, "%s", r->message);
	f = open_memstream(&buf, &len);
	ctl_fmt_response(f, r, json);
	fclose(f);
	dpvs__response__free_unpacked(r, NULL);
	return buf;
}
#define OUTPUT(...) output((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)), \
			   (char *[]){ __VA_ARGS__ })

static const struct dpvs_config_set *
active_set(void)
{
	return dpvs_config_active(&shm);
}

static struct rte_lpm *
active_lpm(void)
{
	return shm.lpm[__atomic_load_n(&shm.root->config.active, __ATOMIC_ACQUIRE) & 1];
}

/* Slot in the active set's routes of prefix/len, or -1. */
static int
route_index(const char *prefix, uint8_t len)
{
	const struct dpvs_lb_tables *lb = &active_set()->lb;
	const struct dpvs_route *routes = dpvs_lb_routes(lb);
	uint8_t b[4];
	uint32_t i;

	inet_pton(AF_INET, prefix, b);
	for (i = 0; i < lb->caps.routes; i++)
		if (routes[i].prefix.family == DPVS_AF_INET && routes[i].prefixlen == len &&
		    memcmp(routes[i].prefix.bytes, b, 4) == 0)
			return (int)i;
	return -1;
}

/* The route slot a worker finds for ip (the lpm's next hop, else the
 * default route), or -1 when there is none. */
static int
lookup(const char *ip)
{
	uint32_t a, hop;
	uint8_t b[4];

	inet_pton(AF_INET, ip, b);
	memcpy(&a, b, 4);
	if (rte_lpm_lookup(active_lpm(), ntohl(a), &hop) != 0)
		return (int)active_set()->lb.default_route - 1;
	return (int)hop;
}

START_TEST(test_routes_in_lpm)
{
	ck_assert_int_eq(lookup("10.1.0.77"), -1);
	OK("addr", "add", "10.1.0.10/24", "dev", "dpdk1");
	/* a fresh set got the default timeouts on its first publication */
	ck_assert_uint_eq(active_set()->lb.timeouts.tcp[DPVS_TCPS_ESTABLISHED], 900);
	ck_assert_uint_eq(active_set()->lb.timeouts.udp, 300);
	ck_assert_int_eq(lookup("10.1.0.77"), route_index("10.1.0.0", 24));
	OK("route", "add", "10.2.0.0/16", "via", "10.1.0.1", "dev", "dpdk1");
	OK("route", "add", "10.2.3.0/24", "via", "10.1.0.2", "dev", "dpdk1");
	OK("route", "add", "0.0.0.0/0", "via", "10.1.0.254", "dev", "dpdk1");
	OK("route", "add", "172.16.0.0/12", "dev", "dpdk0");
	ck_assert_int_ge(route_index("10.2.3.0", 24), 0);
	ck_assert_int_eq(lookup("10.2.3.4"), route_index("10.2.3.0", 24));
	ck_assert_int_eq(lookup("10.2.9.9"), route_index("10.2.0.0", 16));
	ck_assert_int_eq(lookup("10.1.0.77"), route_index("10.1.0.0", 24));
	ck_assert_int_eq(lookup("8.8.8.8"), route_index("0.0.0.0", 0));
	ck_assert_int_eq(lookup("200.1.1.1"), route_index("0.0.0.0", 0));
	ck_assert_int_eq(lookup("172.20.1.1"), route_index("172.16.0.0", 12));
	ck_assert_uint_eq(dpvs_lb_routes(&active_set()->lb)[lookup("172.20.1.1")].port, 0);
	/* deleting a route: the next copy's lpm no longer has it */
	OK("route", "del", "10.2.3.0/24");
	ck_assert_int_eq(route_index("10.2.3.0", 24), -1);
	ck_assert_int_eq(lookup("10.2.3.4"), route_index("10.2.0.0", 16));
	OK("route", "del", "0.0.0.0/0");
	ck_assert_int_eq(lookup("8.8.8.8"), -1);
	/* and both copies agree after one more publication */
	OK("route", "del", "172.16.0.0/12");
	ck_assert_int_eq(lookup("10.2.3.4"), route_index("10.2.0.0", 16));
	ck_assert_int_eq(lookup("172.20.1.1"), -1);
}
END_TEST

/* A default route is two /1 halves in the lpm: they must not replace a /1
 * route of the same half, whatever the order of the adds. */
START_TEST(test_default_route_and_half_routes)
{
	OK("addr", "add", "192.168.50.10/24", "dev", "dpdk0");
	OK("route", "add", "0.0.0.0/1", "via", "192.168.50.1", "dev", "dpdk0");
	OK("route", "add", "0.0.0.0/0", "via", "192.168.50.254", "dev", "dpdk0");
	ck_assert_int_ge(route_index("0.0.0.0", 1), 0);
	ck_assert_int_eq(lookup("8.8.8.8"), route_index("0.0.0.0", 1));
	ck_assert_int_eq(lookup("200.1.1.1"), route_index("0.0.0.0", 0));
	OK("route", "add", "128.0.0.0/1", "via", "192.168.50.1", "dev", "dpdk0");
	ck_assert_int_eq(lookup("200.1.1.1"), route_index("128.0.0.0", 1));
	ck_assert_int_eq(lookup("8.8.8.8"), route_index("0.0.0.0", 1));
	ck_assert_int_eq(lookup("192.168.50.7"), route_index("192.168.50.0", 24));
	OK("route", "del", "0.0.0.0/1");
	ck_assert_int_eq(lookup("8.8.8.8"), route_index("0.0.0.0", 0));
	OK("route", "del", "128.0.0.0/1");
	OK("route", "del", "0.0.0.0/0");
	OK("addr", "del", "192.168.50.10/24", "dev", "dpdk0");
	ck_assert_int_eq(lookup("8.8.8.8"), -1);
}
END_TEST

/* The route slot of ip in lpm (or the set's default route), -1 on a miss. */
static int
lookup_in(const struct rte_lpm *lpm, const struct dpvs_config_set *set, uint32_t ip)
{
	uint32_t hop;

	if (rte_lpm_lookup(lpm, ip, &hop) != 0)
		return (int)set->lb.default_route - 1;
	return (int)hop;
}

/* Both copies' lpms, kept route by route through many changes, answer like
 * an lpm filled from scratch from the same routes, at every prefix boundary
 * and at random addresses. */
START_TEST(test_lpm_copies_equal_scratch)
{
	struct rte_lpm_config lc = { .max_rules = 2048, .number_tbl8s = 2048 };
	const struct dpvs_config_set *act;
	struct rte_lpm *fresh;
	char pfx[60][32], gw[32], err[256];
	uint32_t i, k, probe, seed = 99;
	int a, b, f;

	OK("addr", "add", "10.7.0.10/24", "dev", "dpdk1");
	OK("addr", "add", "10.8.0.10/16", "dev", "dpdk0");
	for (i = 0; i < 60; i++) {
		snprintf(pfx[i], sizeof(pfx[i]), "172.%u.%u.%u/%u", 16 + i % 8, i * 7 % 256,
			 i % 3 == 0 ? 0 : (i * 16) % 256, i % 3 == 0 ? 24 : 28);
		snprintf(gw, sizeof(gw), "10.7.0.%u", 1 + i % 5);
		OK("route", "add", pfx[i], "via", gw, "dev", "dpdk1");
		if (i % 4 == 1)
			OK("route", "del", pfx[i]);
	}
	OK("route", "add", "0.0.0.0/0", "via", "10.8.0.1", "dev", "dpdk0");
	OK("addr", "add", "10.7.0.11/24", "dev", "dpdk1");  /* same network: no new route */
	OK("addr", "add", "10.9.0.10/16", "dev", "dpdk0");
	OK("addr", "del", "10.7.0.10/24", "dev", "dpdk1");  /* the network stays (10.7.0.11) */
	OK("addr", "del", "10.9.0.10/16", "dev", "dpdk0");  /* its network goes */
	act = active_set();
	fresh = rte_lpm_create("tctllb_fresh", SOCKET_ID_ANY, &lc);
	ck_assert_ptr_nonnull(fresh);
	ck_assert_int_eq(ctl_route_lpm_fill(fresh, &act->lb, err, sizeof(err)), 0);
	for (k = 0; k < 20000; k++) {
		if (k < act->lb.caps.routes * 4) {
			const struct dpvs_route *r = &dpvs_lb_routes(&act->lb)[k / 4];
			uint32_t net;

			if (r->prefix.family != DPVS_AF_INET)
				continue;
			memcpy(&net, r->prefix.bytes, 4);
			net = ntohl(net);
			probe = (k % 4 == 0) ? net : (k % 4 == 1) ? net - 1 :
				(k % 4 == 2) ? net | (0xffffffffu >> r->prefixlen) :
					       (net | (0xffffffffu >> r->prefixlen)) + 1;
		} else {
			seed = seed * 1103515245u + 12345u;
			probe = (seed & 0x00ffffffu) | (k % 2 ? 0xac000000u : 0x0a000000u);
		}
		a = lookup_in(shm.lpm[0], shm.set[0], probe);
		b = lookup_in(shm.lpm[1], shm.set[1], probe);
		f = lookup_in(fresh, act, probe);
		ck_assert_msg(a == f && b == f, "%08x: copy 0 %d, copy 1 %d, fresh %d", probe, a, b,
			      f);
	}
	rte_lpm_free(fresh);
	/* leave the node as it was for the next tests */
	for (i = 0; i < 60; i++)
		if (i % 4 != 1)
			OK("route", "del", pfx[i]);
	OK("route", "del", "0.0.0.0/0");
	OK("addr", "del", "10.7.0.11/24", "dev", "dpdk1");
	OK("addr", "del", "10.8.0.10/16", "dev", "dpdk0");
}
END_TEST

START_TEST(test_refused_change_publishes_nothing)
{
	uint64_t gen = shm.root->config.generation;
	Dpvs__Response *r;

	r = RUN("-a", "-t", "10.0.0.100:80", "-r", "10.1.0.2:80", "-w", "-5");
	ck_assert_int_eq(r->status, DPVS__STATUS__ERR_INVALID);
	ck_assert_str_eq(r->message, "weight -5 out of range (0..65535)");
	dpvs__response__free_unpacked(r, NULL);
	r = RUN("-A", "-t", "10.0.0.100:80", "-s", "rr");
	ck_assert_int_eq(r->status, DPVS__STATUS__OK);
	dpvs__response__free_unpacked(r, NULL);
	gen = shm.root->config.generation;
	r = RUN("-A", "-t", "10.0.0.100:80", "-s", "rr");
	ck_assert_int_eq(r->status, DPVS__STATUS__ERR_EXISTS);
	dpvs__response__free_unpacked(r, NULL);
	ck_assert_uint_eq(shm.root->config.generation, gen);
	OK("-D", "-t", "10.0.0.100:80");
}
END_TEST

/* Fill worker w's counter row of a service or dest slot. */
static void
set_row(struct dpvs_lb_stats *r, uint32_t id, uint64_t base)
{
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->active = base;
	r->inactive = base + 1;
	r->conns = base + 2;
	r->inpkts = base + 3;
	r->outpkts = base + 4;
	r->inbytes = base + 5;
	r->outbytes = base + 6;
}

/* A wrr service 10.0.0.100:80 with two dests and a local address, and
 * counts in two workers' rows (see set_row) for the service and dest 0;
 * worker 1's row of dest 1 belongs to an older dest that had the slot (other
 * id) */
static void
service_with_counts(void)
{
	const struct dpvs_lb_tables *lb;
	struct dpvs_ip vip = { .family = DPVS_AF_INET, .bytes = { 10, 0, 0, 100 } };
	uint16_t s, d0, d1;

	OK("-A", "-t", "10.0.0.100:80", "-s", "wrr");
	OK("-a", "-t", "10.0.0.100:80", "-r", "10.1.0.2:80", "-b", "fnat", "-w", "1");
	OK("-a", "-t", "10.0.0.100:80", "-r", "10.1.0.3:8080", "-b", "fnat", "-w", "0");
	OK("laddr", "add", "-t", "10.0.0.100:80", "10.1.0.10", "dev", "dpdk1");
	lb = &active_set()->lb;
	s = dpvs_svc_lookup(lb, IPPROTO_TCP, &vip, htons(80));
	ck_assert_uint_ne(s, DPVS_SLOT_NONE);
	d0 = dpvs_lb_svc_dests(lb, s)[0];
	d1 = dpvs_lb_svc_dests(lb, s)[1];
	set_row(&dpvs_wr_svc_stats(shm.wr[0])[s], dpvs_lb_svcs(lb)[s].id, 10);
	set_row(&dpvs_wr_svc_stats(shm.wr[1])[s], dpvs_lb_svcs(lb)[s].id, 100);
	set_row(&dpvs_wr_dest_stats(shm.wr[0])[d0], dpvs_lb_dests(lb)[d0].id, 20);
	set_row(&dpvs_wr_dest_stats(shm.wr[1])[d0], dpvs_lb_dests(lb)[d0].id, 200);
	set_row(&dpvs_wr_dest_stats(shm.wr[1])[d1], dpvs_lb_dests(lb)[d1].id + 1000, 5000);
}

START_TEST(test_list_and_stats)
{
	uint16_t s;
	char *out;

	service_with_counts();
	out = OUTPUT("-L", "-n");
	ck_assert_str_eq(out,
		"IP Virtual Server (dpvs-mp)\n"
		"Prot LocalAddress:Port Scheduler Flags\n"
		"  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn Health\n"
		"TCP  10.0.0.100:80 wrr\n"
		"  -> 10.1.0.2:80                  FullNat 1      220        222       -\n"
		"  -> 10.1.0.3:8080                FullNat 0      0          0         -\n");
	free(out);
	out = OUTPUT("-L", "-n", "--stats");
	ck_assert_str_eq(out,
		"IP Virtual Server (dpvs-mp)\n"
		"Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
		"  -> RemoteAddress:Port\n"
		"TCP  10.0.0.100:80                     114      116      118      120      122\n"
		"  -> 10.1.0.2:80                       224      226      228      230      232\n"
		"  -> 10.1.0.3:8080                       0        0        0        0        0\n");
	free(out);
	out = OUTPUT("-L", "-n", "--json");
	ck_assert_str_eq(out,
		"[{\"proto\":\"tcp\",\"vip\":\"10.0.0.100\",\"match\":null,\"port\":80,\"scheduler\":\"wrr\","
		"\"flags\":[],\"laddrs\":[\"10.1.0.10\"],\"active\":110,\"inactive\":112,\"rates\":{},\"blklst\":0,\"whtlst\":0,"
		"\"dests\":[{\"address\":\"10.1.0.2\",\"port\":80,\"mode\":\"fnat\",\"weight\":1,"
		"\"upper\":0,\"lower\":0,\"active\":220,\"inactive\":222,"
		"\"health\":\"unchecked\",\"last_result\":\"\",\"conf_weight\":1,\"rates\":{}},"
		"{\"address\":\"10.1.0.3\",\"port\":8080,\"mode\":\"fnat\",\"weight\":0,"
		"\"upper\":0,\"lower\":0,\"active\":0,\"inactive\":0,"
		"\"health\":\"unchecked\",\"last_result\":\"\",\"conf_weight\":0,\"rates\":{}}]}]\n");
	free(out);
	out = OUTPUT("-L", "-n", "--stats", "--json");
	ck_assert_ptr_nonnull(strstr(out, "\"active\":110,\"inactive\":112,\"rates\":{},\"blklst\":0,\"whtlst\":0,\"conns\":114,"
					  "\"inpkts\":116,\"outpkts\":118,\"inbytes\":120,"
					  "\"outbytes\":122,\"dests\":["));
	ck_assert_ptr_nonnull(strstr(out, "\"active\":220,\"inactive\":222,\"conns\":224,"
					  "\"inpkts\":226,\"outpkts\":228,\"inbytes\":230,"
					  "\"outbytes\":232,"));
	free(out);
	out = OUTPUT("laddr", "show", "--json");
	ck_assert_str_eq(out, "[{\"proto\":\"tcp\",\"vip\":\"10.0.0.100\",\"port\":80,"
			      "\"address\":\"10.1.0.10\",\"dev\":\"dpdk1\"}]\n");
	free(out);
	out = OUTPUT("route", "show");
	ck_assert_str_eq(out, "10.2.0.0/16 via 10.1.0.1 dev dpdk1 proto static\n"
			      "10.1.0.0/24 dev dpdk1 proto kernel scope link\n");
	free(out);
	out = OUTPUT("route", "show", "--json");
	ck_assert_str_eq(out, "[{\"prefix\":\"10.2.0.0\",\"prefixlen\":16,\"gateway\":\"10.1.0.1\","
			      "\"dev\":\"dpdk1\",\"proto\":\"static\"},{\"prefix\":\"10.1.0.0\","
			      "\"prefixlen\":24,\"gateway\":null,\"dev\":\"dpdk1\","
			      "\"proto\":\"kernel\"}]\n");
	free(out);
	for (s = 0; s < 2; s++) {
		memset(dpvs_wr_svc_stats(shm.wr[s]), 0,
		       shm.wr[s]->caps.services * sizeof(struct dpvs_lb_stats));
		memset(dpvs_wr_dest_stats(shm.wr[s]), 0,
		       shm.wr[s]->caps.dests * sizeof(struct dpvs_lb_stats));
	}
}
END_TEST

/* The IPv4 endpoints of entry c (shm/conn.h: in the entry itself). */
static void
conn4(struct dpvs_conn *c, const char *ca, const char *va, const char *la, const char *da)
{
	const char *s[4] = { ca, va, la, da };
	int w;

	for (w = 0; w < 4; w++)
		inet_pton(AF_INET, s[w], &c->a4[w]);
	c->flags |= DPVS_CONN_F_OUT;
}

START_TEST(test_conn_show)
{
	struct dpvs_conn *c = &dpvs_conn_array(shm.ct[1])[5];
	char *out;

	memset(c, 0, sizeof(*c));
	c->proto = IPPROTO_TCP;
	c->state = DPVS_TCPS_ESTABLISHED;
	conn4(c, "192.0.2.7", "10.0.0.100", "10.1.0.10", "10.1.0.2");
	c->cport = htons(40000);
	c->vport = htons(80);
	c->lport = htons(1025);
	c->dport = htons(80);
	c->expires_ns = dpvs_now_ns() + 125500000000ull;
	__atomic_store_n(&c->flags, (uint8_t)(c->flags | DPVS_CONN_F_USED), __ATOMIC_RELEASE);
	out = OUTPUT("conn", "show");
	ck_assert_str_eq(out,
		"IPVS connection entries\n"
		"pro expire state       source                 virtual                local    "
		"              destination\n"
		"TCP 02:05  ESTABLISHED 192.0.2.7:40000        10.0.0.100:80          "
		"10.1.0.10:1025         10.1.0.2:80\n");
	free(out);
	out = OUTPUT("conn", "show", "--json");
	ck_assert_str_eq(out,
		"[{\"proto\":\"TCP\",\"expire\":125,\"state\":\"ESTABLISHED\",\"client\":\"192.0.2.7\","
		"\"cport\":40000,\"vip\":\"10.0.0.100\",\"vport\":80,\"laddr\":\"10.1.0.10\","
		"\"lport\":1025,\"dest\":\"10.1.0.2\",\"dport\":80,\"worker\":1,\"mode\":\"fnat\"}]\n");
	free(out);
	c->proto = IPPROTO_UDP;
	c->state = 0;
	out = OUTPUT("-L", "-n", "-c");
	ck_assert_ptr_nonnull(strstr(out, "UDP 02:0"));
	ck_assert_ptr_nonnull(strstr(out, " UDP         192.0.2.7:40000"));
	free(out);
	__atomic_store_n(&c->flags, 0, __ATOMIC_RELEASE);
	out = OUTPUT("conn", "show", "--json");
	ck_assert_str_eq(out, "[]\n");
	free(out);
}
END_TEST

START_TEST(test_save_and_neigh_show)
{
	char *out;

	OK("neigh", "add", "10.1.0.2", "lladdr", "02:00:00:00:00:21", "dev", "dpdk1");
	out = OUTPUT("save");
	ck_assert_str_eq(out,
		"addr add 10.1.0.10/24 dev dpdk1\n"
		"neigh add 10.1.0.2 lladdr 02:00:00:00:00:21 dev dpdk1\n"
		"route add 10.2.0.0/16 via 10.1.0.1 dev dpdk1\n"
		"-A -t 10.0.0.100:80 -s wrr\n"
		"-a -t 10.0.0.100:80 -r 10.1.0.2:80 -b fnat -w 1\n"
		"-a -t 10.0.0.100:80 -r 10.1.0.3:8080 -b fnat -w 0\n"
		"laddr add -t 10.0.0.100:80 10.1.0.10 dev dpdk1\n");
	free(out);
	out = OUTPUT("save", "--json");
	ck_assert_ptr_nonnull(strstr(out, "[\"addr add 10.1.0.10/24 dev dpdk1\",\"neigh add "));
	free(out);
	out = OUTPUT("neigh", "show");
	ck_assert_str_eq(out, "10.1.0.2 lladdr 02:00:00:00:00:21 dev dpdk1 static\n");
	free(out);
	out = OUTPUT("neigh", "show", "--json");
	ck_assert_str_eq(out, "[{\"address\":\"10.1.0.2\",\"lladdr\":\"02:00:00:00:00:21\","
			      "\"dev\":\"dpdk1\",\"state\":\"static\",\"static\":true,"
			      "\"age_s\":null,\"workers\":[]}]\n");
	free(out);
	OK("neigh", "del", "10.1.0.2", "dev", "dpdk1");
	out = OUTPUT("neigh", "show");
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

/* jq accepts s as one JSON document. */
static int
jq_accepts(const char *s)
{
	FILE *p = popen("jq -e . >/dev/null 2>&1", "w");

	ck_assert_ptr_nonnull(p);
	fputs(s, p);
	return pclose(p) == 0;
}

/* The document s conforms to docs/schema/NAME.json (checked by
 * tests/tools/json_schema_check.py, run from the repository root as
 * tests/run-all.sh does); its complaints go to stderr. */
static int
schema_accepts(const char *name, const char *s)
{
	static const char tool[] = "tests/tools/json_schema_check.py";
	char cmd[256];
	FILE *p;

	ck_assert_msg(access(tool, R_OK) == 0, "%s not found: run from the repository root", tool);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s %s", tool, name);
	p = popen(cmd, "w");
	ck_assert_ptr_nonnull(p);
	fputs(s, p);
	return pclose(p) == 0;
}

/* Every show command's --json output, on a node with services (one with a
 * flag, one match service), dests, local addresses, routes, static
 * neighbours, a connection, an IPv6 address and route, is JSON and conforms
 * to its schema in docs/schema/. */
START_TEST(test_every_json_output_is_json)
{
	static const char *const cmds[][7] = {
		{ "addr-show", "addr", "show", "--json" },
		{ "neigh-show", "neigh", "show", "--json" },
		{ "stats", "stats", "--json" },
		{ "worker-show", "worker", "show", "--json" },
		{ "version", "version", "--json" },
		{ "list", "-L", "-n", "--json" },
		{ "list-stats", "-L", "-n", "--stats", "--json" },
		{ "conn-show", "-L", "-n", "-c", "--json" },
		{ "laddr-show", "laddr", "show", "--json" },
		{ "route-show", "route", "show", "--json" },
		{ "conn-show", "conn", "show", "--json" },
		{ "save", "save", "--json" },
		{ "port-show", "port", "show", "--json" },
		{ "acl-show", "blklst", "show", "--json" },
		{ "acl-show", "whtlst", "show", "--json" },
	};
	struct dpvs_conn *c = &dpvs_conn_array(shm.ct[0])[3];
	size_t i;
	int n;
	char *out;

	ck_assert(!jq_accepts("{\"a\":1,}"));   /* the checkers can say no */
	ck_assert(schema_accepts("version", "{\"version\":\"1\",\"dpdk\":\"x\",\"layout\":1}"));
	ck_assert(!schema_accepts("version", "{\"versoin\":\"1\",\"dpdk\":\"x\",\"layout\":1}"));
	OK("addr", "add", "2001:db8::1/64", "dev", "dpdk0");
	OK("route", "add", "2001:db8:7::/48", "via", "2001:db8::fe", "dev", "dpdk0");
	OK("neigh", "add", "10.1.0.2", "lladdr", "02:00:00:00:00:21", "dev", "dpdk1");
	OK("neigh", "add", "2001:db8::fe", "lladdr", "02:00:00:00:00:22", "dev", "dpdk0");
	OK("port", "set", "dpdk1", "forward", "on");
	OK("-A", "-u", "10.0.0.100:53", "-s", "mh", "-b", "hash-port");
	OK("-a", "-u", "10.0.0.100:53", "-r", "10.1.0.7:53", "-w", "3", "-x", "10", "-y", "2",
	   "--rate-out-bytes", "1M");
	OK("-E", "-u", "10.0.0.100:53", "--rate-in", "1000pps:50");
	OK("blklst", "add", "-u", "10.0.0.100:53", "198.51.100.0/24");
	OK("whtlst", "add", "-u", "10.0.0.100:53", "2001:db8::/32");
	OK("-A", "-H", "proto=udp,src-range=10.9.0.1-10.9.0.9,oif=dpdk1", "-s", "rr");
	OK("-a", "-H", "proto=udp,src-range=10.9.0.1-10.9.0.9,oif=dpdk1", "-r", "10.1.0.10:0",
	   "-b", "snat");
	memset(c, 0, sizeof(*c));
	c->proto = IPPROTO_TCP;
	c->state = DPVS_TCPS_SYN_RECV;
	conn4(c, "192.0.2.7", "10.0.0.100", "10.1.0.10", "10.1.0.2");
	c->cport = htons(40001);
	c->vport = htons(80);
	c->lport = htons(1026);
	c->dport = htons(80);
	c->expires_ns = dpvs_now_ns() + 30000000000ull;
	__atomic_store_n(&c->flags, (uint8_t)(c->flags | DPVS_CONN_F_USED), __ATOMIC_RELEASE);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		for (n = 0; n < 6 && cmds[i][n + 1] != NULL; n++)
			;
		out = output(n, (char **)&cmds[i][1]);
		ck_assert_msg(jq_accepts(out), "%s %s: not JSON: %s", cmds[i][1], cmds[i][2], out);
		ck_assert_msg(schema_accepts(cmds[i][0], out), "%s %s: not as docs/schema/%s.json: %s",
			      cmds[i][1], cmds[i][2], cmds[i][0], out);
		free(out);
	}
	__atomic_store_n(&c->flags, 0, __ATOMIC_RELEASE);
	out = OUTPUT("blklst", "show", "--json");
	ck_assert_str_eq(out, "[{\"proto\":\"udp\",\"vip\":\"10.0.0.100\",\"match\":null,"
			      "\"port\":53,\"list\":\"blklst\",\"prefix\":\"198.51.100.0\","
			      "\"prefixlen\":24}]\n");
	free(out);
	OK("-D", "-H", "proto=udp,src-range=10.9.0.1-10.9.0.9,oif=dpdk1");
	OK("-D", "-u", "10.0.0.100:53");
	OK("port", "set", "dpdk1", "forward", "off");
	OK("neigh", "del", "2001:db8::fe", "dev", "dpdk0");
	OK("neigh", "del", "10.1.0.2", "dev", "dpdk1");
	OK("route", "del", "2001:db8:7::/48");
	OK("addr", "del", "2001:db8::1/64", "dev", "dpdk0");
}
END_TEST

/* Pack the request of a dpvsctl command line. */
static uint8_t *
packed(const char *line, size_t *len)
{
	char buf[256], *argv[32], err[256];
	struct ctl_cli_cmd cmd;
	uint8_t *out;
	int argc;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = ctl_cli_split(buf, argv, 32);
	ck_assert_msg(ctl_cli_parse(argc, argv, &cmd, err, sizeof(err)) == CTL_CLI_OK, "%s: %s",
		      line, err);
	out = ctl_pb_pack_request(cmd.req, len);
	ck_assert_ptr_nonnull(out);
	ctl_cli_cmd_free(&cmd);
	return out;
}

/* Hostile requests through the handler: every operation with an empty
 * message, and valid requests of every kind with random bytes changed or cut
 * short. Each gets a reply; nothing crashes; the node still answers. */
START_TEST(test_handler_hostile_requests)
{
	static const char *const seeds[] = {
		"addr add 10.9.0.1/24 dev dpdk1", "addr del 10.9.0.1/24 dev dpdk1",
		"-A -t 10.0.0.200:80 -s mh -b hash-port", "-E -t 10.0.0.200:80 -s conhash",
		"-a -t 10.0.0.200:80 -r 10.9.0.2:80 -w 3 -x 10 -y 2",
		"-e -t 10.0.0.200:80 -r 10.9.0.2:80 -w 0", "-d -t 10.0.0.200:80 -r 10.9.0.2:80",
		"laddr add -t 10.0.0.200:80 10.9.0.1 dev dpdk1", "laddr del -t 10.0.0.200:80 10.9.0.1",
		"route add 10.8.0.0/16 via 10.9.0.254 dev dpdk1", "route del 10.8.0.0/16",
		"neigh add 10.9.0.2 lladdr 02:00:00:00:00:21 dev dpdk1", "neigh del 10.9.0.2 dev dpdk1",
		"-D -t 10.0.0.200:80", "-L -n --stats", "-L -n -t 10.0.0.200:80", "-L -n -c",
		"laddr show -t 10.0.0.200:80", "route show", "conn show", "save", "stats",
		"addr show dev dpdk1", "neigh show dev dpdk1", "worker show", "version",
		"port set dpdk1 forward on", "port show dpdk0", "route add fd00:3::/48 dev dpdk1",
	};
	uint8_t *seed[sizeof(seeds) / sizeof(seeds[0])], buf[512], *out;
	size_t seedlen[sizeof(seeds) / sizeof(seeds[0])], len, outlen, i, k;
	unsigned int rnd = 12345, op;

	for (op = 1; op <= 48; op++) {
		/* field op as an empty length-delimited message */
		len = 0;
		if (op < 16) {
			buf[len++] = (uint8_t)(op << 3 | 2);
		} else {
			buf[len++] = (uint8_t)((op << 3 | 2) | 0x80);
			buf[len++] = (uint8_t)(op >> 4);
		}
		buf[len++] = 0;
		ctl_handle(&shm, buf, len, &out, &outlen);
		ck_assert_ptr_nonnull(out);
		free(out);
	}
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		seed[i] = packed(seeds[i], &seedlen[i]);
		ck_assert_uint_le(seedlen[i], sizeof(buf));
	}
	for (k = 0; k < 20000; k++) {
		i = rand_r(&rnd) % (sizeof(seeds) / sizeof(seeds[0]));
		memcpy(buf, seed[i], seedlen[i]);
		len = seedlen[i];
		for (op = rand_r(&rnd) % 4 + 1; op > 0; op--)
			buf[rand_r(&rnd) % len] = (uint8_t)rand_r(&rnd);
		if (rand_r(&rnd) % 4 == 0)
			len = rand_r(&rnd) % len;
		ctl_handle(&shm, buf, len, &out, &outlen);
		ck_assert_ptr_nonnull(out);
		free(out);
	}
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		free(seed[i]);
	free(output(2, (char *[]){ "-L", "-n" }));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ctl_lbnode");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	eal_and_shm();
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_routes_in_lpm);
	tcase_add_test(tc, test_default_route_and_half_routes);
	tcase_add_test(tc, test_lpm_copies_equal_scratch);
	tcase_add_test(tc, test_refused_change_publishes_nothing);
	tcase_add_test(tc, test_list_and_stats);
	tcase_add_test(tc, test_conn_show);
	tcase_add_test(tc, test_save_and_neigh_show);
	tcase_add_test(tc, test_every_json_output_is_json);
	tcase_add_test(tc, test_handler_hostile_requests);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	dpvs_eal_cleanup_private();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
