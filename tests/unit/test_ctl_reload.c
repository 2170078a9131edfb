/*
 * Unit tests of reload (ctl/daemon/reload.c) and draining local addresses
 * (ctl/daemon/drain.c) on a node in plain memory (two config sets, no EAL):
 * unchanged services and dests keep their slots and ids, edited ones are
 * edited in place, removed ones go, added ones come, and the result saves
 * as the file does; a bad line changes nothing and is named; reloading the
 * running file changes nothing; a removed local address stays known to the
 * workers until no connection uses it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ctl/daemon/change.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "ctl/daemon/publish.h"
#include "ctl/daemon/reload.h"
#include "ctl/daemon/show.h"
#include "ctl/rules.h"
#include "shm/lb_hash.h"
#include "test_ctl_util.h"

static struct dpvs_root *root;
static struct dpvs_shm shm;
static char err[512];

static void
setup(void)
{
	root = tctl_root();
	memset(&shm, 0, sizeof(shm));
	shm.root = root;       /* no RCU: no worker online */
	shm.set[0] = tctl_set();
	shm.set[1] = tctl_set();
	err[0] = '\0';
}

static void
teardown(void)
{
	free(shm.set[0]);
	free(shm.set[1]);
	free(shm.ct[0]);
	free(root);
	tctl_tmp_cleanup();
}

static const struct dpvs_lb_tables *
act(void)
{
	return &dpvs_config_active(&shm)->lb;
}

static int
svc_slot(uint8_t proto, const char *vip, uint16_t port)
{
	struct ctl_svc_key k;

	memset(&k, 0, sizeof(k));
	k.proto = proto;
	k.vip = tctl_ip(vip);
	k.port = port;
	return ctl_svc_find(act(), &k);
}

/* Slot of dest addr:80 in service slot s, or -1. */
static int
dest_slot(int s, const char *addr)
{
	const struct dpvs_service *svc = dpvs_lb_svc(act(), (uint32_t)s);
	const uint32_t *dl = dpvs_lb_svc_dests(act(), (uint32_t)s);
	struct dpvs_ip ip = tctl_ip(addr);
	uint32_t j;

	for (j = 0; j < svc->ndests; j++)
		if (dpvs_ip_equal(&dpvs_lb_dests(act())[dl[j]].addr, &ip))
			return (int)dl[j];
	return -1;
}

static int
line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The save text of set with its lines sorted (order is not state). */
static char *
sorted_save(const struct dpvs_config_set *set)
{
	char *buf = NULL, *out, *lines[512], *p;
	size_t len = 0, n = 0, i, cap;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_int_eq(ctl_save_text(set, root, f), 0);
	fclose(f);
	for (p = strtok(buf, "\n"); p != NULL && n < 512; p = strtok(NULL, "\n"))
		lines[n++] = p;
	qsort(lines, n, sizeof(lines[0]), line_cmp);
	cap = len + n + 1;
	out = calloc(1, cap);
	for (i = 0; i < n; i++) {
		strcat(out, lines[i]);
		strcat(out, "\n");
	}
	free(buf);
	return out;
}

static const char f1[] =
	"addr add 10.1.0.10/24 dev dpdk1\n"
	"addr add 10.1.0.11/24 dev dpdk1\n"
	"addr add 10.0.0.5/24 dev dpdk0\n"
	"neigh add 10.1.0.99 lladdr 02:00:00:00:00:99 dev dpdk1\n"
	"route add 172.16.0.0/16 via 10.1.0.1 dev dpdk1\n"
	"-A -t 10.0.0.100:80 -s rr\n"                   /* A: stays as it is */
	"-a -t 10.0.0.100:80 -r 10.2.0.1:80 -w 1\n"
	"-a -t 10.0.0.100:80 -r 10.2.0.2:80 -w 1\n"
	"-A -t 10.0.0.101:80 -s wrr\n"                  /* B: goes */
	"-a -t 10.0.0.101:80 -r 10.2.0.3:80\n"
	"-A -u 10.0.0.102:53 -s wlc\n"                  /* C: edited */
	"-a -u 10.0.0.102:53 -r 10.2.0.4:53 -w 2\n"
	"-a -u 10.0.0.102:53 -r 10.2.0.5:53 -w 2\n"
	"-a -u 10.0.0.102:53 -r 10.2.0.6:53 -w 2\n"
	"laddr add -t 10.0.0.100:80 10.1.0.10 dev dpdk1\n"
	"laddr add -t 10.0.0.101:80 10.1.0.10 dev dpdk1\n"
	"laddr add -u 10.0.0.102:53 10.1.0.10 dev dpdk1\n";

static const char f2[] =
	"addr add 10.1.0.10/24 dev dpdk1\n"
	"addr add 10.1.0.11/24 dev dpdk1\n"
	"addr add 10.0.0.5/24 dev dpdk0\n"
	"route add 172.17.0.0/16 via 10.1.0.1 dev dpdk1\n"
	"-A -t 10.0.0.100:80 -s rr\n"
	"-a -t 10.0.0.100:80 -r 10.2.0.1:80 -w 1\n"
	"-a -t 10.0.0.100:80 -r 10.2.0.2:80 -w 1\n"
	"-A -u 10.0.0.102:53 -s mh -b hash-port\n"
	"-a -u 10.0.0.102:53 -r 10.2.0.4:53 -w 2\n"
	"-a -u 10.0.0.102:53 -r 10.2.0.6:53 -w 5\n"
	"-a -u 10.0.0.102:53 -r 10.2.0.7:53 -w 2\n"
	"-A -t 10.0.0.103:443 -s conhash\n"             /* D: comes */
	"-a -t 10.0.0.103:443 -r 10.2.0.8:443\n"
	"laddr add -t 10.0.0.100:80 10.1.0.10 dev dpdk1\n"
	"laddr add -u 10.0.0.102:53 10.1.0.11 dev dpdk1\n"
	"laddr add -t 10.0.0.103:443 10.1.0.11 dev dpdk1\n";

START_TEST(test_reload_applies_the_difference)
{
	struct ctl_reload_result r;
	struct dpvs_config_set *fresh = tctl_set();
	const char *path2 = tctl_tmpfile(f2);
	int a, c, d1, d2, d4, d6;
	uint32_t aid, cid, d1id, d4id, d6id;
	uint64_t gen;
	char *s1, *s2;

	ck_assert_int_eq(ctl_rules_load(&shm, tctl_tmpfile(f1), err, sizeof(err)), 0);
	a = svc_slot(IPPROTO_TCP, "10.0.0.100", 80);
	c = svc_slot(IPPROTO_UDP, "10.0.0.102", 53);
	ck_assert_int_ge(a, 0);
	ck_assert_int_ge(c, 0);
	aid = dpvs_lb_svc(act(), (uint32_t)a)->id;
	cid = dpvs_lb_svc(act(), (uint32_t)c)->id;
	d1 = dest_slot(a, "10.2.0.1");
	d2 = dest_slot(a, "10.2.0.2");
	d4 = dest_slot(c, "10.2.0.4");
	d6 = dest_slot(c, "10.2.0.6");
	d1id = dpvs_lb_dests(act())[d1].id;
	d4id = dpvs_lb_dests(act())[d4].id;
	d6id = dpvs_lb_dests(act())[d6].id;
	gen = root->config.generation;

	ck_assert_msg(ctl_reload(&shm, path2, &r, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(root->config.generation, gen + 1);   /* one publication */
	ck_assert_uint_eq(r.svc[CTL_RL_ADD], 1);
	ck_assert_uint_eq(r.svc[CTL_RL_DEL], 1);
	ck_assert_uint_eq(r.svc[CTL_RL_EDIT], 1);
	ck_assert_uint_eq(r.dest[CTL_RL_ADD], 2);     /* 10.2.0.7, 10.2.0.8 */
	ck_assert_uint_eq(r.dest[CTL_RL_DEL], 2);     /* 10.2.0.5, and B's 10.2.0.3 */
	ck_assert_uint_eq(r.dest[CTL_RL_EDIT], 1);    /* 10.2.0.6: weight 5 */
	ck_assert_uint_eq(r.route[CTL_RL_ADD], 1);
	ck_assert_uint_eq(r.route[CTL_RL_DEL], 1);
	ck_assert_uint_eq(r.neigh[CTL_RL_DEL], 1);
	ck_assert_uint_eq(r.addr[CTL_RL_ADD] + r.addr[CTL_RL_DEL], 0);
	/* unchanged and edited objects kept their slots and ids */
	ck_assert_int_eq(svc_slot(IPPROTO_TCP, "10.0.0.100", 80), a);
	ck_assert_uint_eq(dpvs_lb_svc(act(), (uint32_t)a)->id, aid);
	ck_assert_int_eq(dest_slot(a, "10.2.0.1"), d1);
	ck_assert_int_eq(dest_slot(a, "10.2.0.2"), d2);
	ck_assert_uint_eq(dpvs_lb_dests(act())[d1].id, d1id);
	ck_assert_int_eq(svc_slot(IPPROTO_UDP, "10.0.0.102", 53), c);
	ck_assert_uint_eq(dpvs_lb_svc(act(), (uint32_t)c)->id, cid);
	ck_assert_uint_eq(dpvs_lb_svc(act(), (uint32_t)c)->sched_id, DPVS_SCHED_MH);
	ck_assert_int_eq(dest_slot(c, "10.2.0.4"), d4);
	ck_assert_uint_eq(dpvs_lb_dests(act())[d4].id, d4id);
	ck_assert_int_eq(dest_slot(c, "10.2.0.6"), d6);
	ck_assert_uint_eq(dpvs_lb_dests(act())[d6].id, d6id);
	ck_assert_int_eq(dpvs_lb_dests(act())[d6].weight, 5);
	ck_assert_int_eq(dest_slot(c, "10.2.0.5"), -1);
	ck_assert_int_lt(svc_slot(IPPROTO_TCP, "10.0.0.101", 80), 0);
	ck_assert_int_ge(svc_slot(IPPROTO_TCP, "10.0.0.103", 443), 0);
	/* both copies alike, and the state is the file's */
	ck_assert(TCTL_SAME_TABLES(shm.set[0], shm.set[1]));
	ck_assert_int_eq(ctl_rules_apply(fresh, root, path2, err, sizeof(err)), 0);
	s1 = sorted_save(dpvs_config_active(&shm));
	s2 = sorted_save(fresh);
	ck_assert_str_eq(s1, s2);
	/* the running file again: nothing to do, nothing published */
	gen = root->config.generation;
	ck_assert_int_eq(ctl_reload(&shm, path2, &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(root->config.generation, gen);
	ck_assert_uint_eq(r.svc[CTL_RL_ADD] + r.svc[CTL_RL_DEL] + r.svc[CTL_RL_EDIT] +
				  r.dest[CTL_RL_ADD] + r.dest[CTL_RL_DEL] + r.dest[CTL_RL_EDIT],
			  0);
	ck_assert_uint_gt(r.unchanged, 10);
	free(s1);
	free(s2);
	free(fresh);
}
END_TEST

/* The port switches and IPv6 routes reload too: a file that sets a switch
 * sets it, one without the line gives dpvs.conf's value back; an IPv6 route
 * that goes leaves the index of both copies. */
START_TEST(test_reload_ports_and_ipv6_routes)
{
	static const char g1[] = "port set dpdk1 forward on\n"
				 "addr add fd00:1::1/64 dev dpdk1\n"
				 "route add fd00:3::/48 via fd00:1::fe dev dpdk1\n";
	static const char g2[] = "addr add fd00:1::1/64 dev dpdk1\n"
				 "route add fd00:4::/48 via fd00:1::fe dev dpdk1\n";
	struct ctl_reload_result r;
	struct dpvs_ip a;
	unsigned int i;

	root->ports[0].flags |= DPVS_PORT_F_FORWARD; /* dpvs.conf: dpdk0 forwards */
	dpvs_cfgset_port_defaults(shm.set[0], root->ports, root->conf.nports);
	dpvs_cfgset_port_defaults(shm.set[1], root->ports, root->conf.nports);
	ck_assert_msg(ctl_reload(&shm, tctl_tmpfile(g1), &r, err, sizeof(err)) == 0, "%s", err);
	for (i = 0; i < 2; i++) {
		ck_assert_uint_eq(shm.set[i]->port_flags[0], DPVS_PORT_CFG_FORWARD);
		ck_assert_uint_eq(shm.set[i]->port_flags[1], DPVS_PORT_CFG_FORWARD);
	}
	ck_assert_msg(ctl_reload(&shm, tctl_tmpfile(g2), &r, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(r.route[CTL_RL_ADD], 1);
	ck_assert_uint_eq(r.route[CTL_RL_DEL], 1);
	a = tctl_entry("fd00:3::1", 128, 0).addr;
	for (i = 0; i < 2; i++) {
		ck_assert_uint_eq(shm.set[i]->port_flags[0], DPVS_PORT_CFG_FORWARD);
		ck_assert_uint_eq(shm.set[i]->port_flags[1], 0);
		ck_assert_uint_eq(dpvs_route6_lookup(&shm.set[i]->lb, a.bytes), DPVS_ROUTE_NONE);
	}
	a = tctl_entry("fd00:4::1", 128, 0).addr;
	ck_assert_uint_ne(dpvs_route6_lookup(act(), a.bytes), DPVS_ROUTE_NONE);
	ck_assert(TCTL_SAME_TABLES(shm.set[0], shm.set[1]));
}
END_TEST

/* The timeouts reload as a whole: a file that sets some sets them, one
 * without timeout lines gives the defaults back; the SYN proxy flag follows
 * the file's -A line. */
/* timeout show's value of name, read through the handler */
static uint32_t
shown_timeout(const char *name)
{
	Dpvs__Request req = DPVS__REQUEST__INIT;
	Dpvs__Response resp = DPVS__RESPONSE__INIT;
	uint32_t v = 0;
	size_t i;

	ck_assert_int_eq(ctl_show_timeouts(&shm, &req, &resp, err, sizeof(err)), 0);
	for (i = 0; i < resp.timeouts->n_timeouts; i++)
		if (strcmp(resp.timeouts->timeouts[i]->name, name) == 0)
			v = resp.timeouts->timeouts[i]->seconds;
	ck_assert_uint_eq(resp.timeouts->n_timeouts, DPVS_TCPS_MAX + 1);
	dpvs__timeout_list__free_unpacked(resp.timeouts, NULL);
	return v;
}

START_TEST(test_reload_timeouts_synproxy)
{
	static const char g1[] = "--set 30 10 20\n"
				 "timeout set tcp syn_recv 2\n"
				 "-A -t 10.0.0.100:80 -s rr --synproxy on\n";
	static const char g2[] = "-A -t 10.0.0.100:80 -s rr\n";
	struct ctl_reload_result r;
	unsigned int i;
	int s;

	/* a node no change reached yet shows the defaults the workers use */
	ck_assert_uint_eq(shown_timeout("tcp.syn_recv"), 60);
	ck_assert_uint_eq(shown_timeout("udp"), 300);
	ck_assert_int_eq(ctl_rules_load(&shm, tctl_tmpfile(g2), err, sizeof(err)), 0);
	ck_assert_uint_eq(act()->timeouts.tcp[DPVS_TCPS_SYN_RECV], 60);
	ck_assert_msg(ctl_reload(&shm, tctl_tmpfile(g1), &r, err, sizeof(err)) == 0, "%s", err);
	s = svc_slot(IPPROTO_TCP, "10.0.0.100", 80);
	ck_assert_int_ge(s, 0);
	for (i = 0; i < 2; i++) {
		ck_assert_uint_eq(shm.set[i]->lb.timeouts.tcp[DPVS_TCPS_SYN_RECV], 2);
		ck_assert_uint_eq(shm.set[i]->lb.timeouts.tcp[DPVS_TCPS_ESTABLISHED], 30);
		ck_assert_uint_eq(shm.set[i]->lb.timeouts.tcp[DPVS_TCPS_FIN_WAIT], 10);
		ck_assert_uint_eq(shm.set[i]->lb.timeouts.udp, 20);
		ck_assert(dpvs_lb_svc(&shm.set[i]->lb, (uint32_t)s)->flags & DPVS_SVC_F_SYNPROXY);
	}
	ck_assert_uint_eq(shown_timeout("tcp.syn_recv"), 2);
	ck_assert_uint_eq(shown_timeout("tcp.established"), 30);
	ck_assert_msg(ctl_reload(&shm, tctl_tmpfile(g2), &r, err, sizeof(err)) == 0, "%s", err);
	for (i = 0; i < 2; i++) {
		ck_assert_uint_eq(shm.set[i]->lb.timeouts.tcp[DPVS_TCPS_SYN_RECV], 60);
		ck_assert_uint_eq(shm.set[i]->lb.timeouts.tcp[DPVS_TCPS_ESTABLISHED], 900);
		ck_assert_uint_eq(shm.set[i]->lb.timeouts.udp, 300);
		ck_assert(!(dpvs_lb_svc(&shm.set[i]->lb, (uint32_t)s)->flags & DPVS_SVC_F_SYNPROXY));
	}
	ck_assert(TCTL_SAME_TABLES(shm.set[0], shm.set[1]));
}
END_TEST

/* Access lists and rate limits reload as the rest: an entry the file lacks
 * goes, one it adds comes, one of a service that goes goes with it; a
 * changed limit edits its service or dest (new gen), an unchanged one is
 * left alone (same gen: the meters keep their tokens); the result saves as
 * the file does, both copies alike. */
START_TEST(test_reload_acls_and_rates)
{
	static const char h1[] =
		"-A -t 10.0.0.100:80 -s rr --rate-in 1000pps:100\n"
		"-a -t 10.0.0.100:80 -r 10.2.0.1:80 -w 1 --rate-out-bytes 1000000:20000\n"
		"-A -t 10.0.0.101:80 -s rr\n"
		"blklst add -t 10.0.0.100:80 198.51.100.0/24\n"
		"blklst add -t 10.0.0.100:80 2001:db8::/32\n"
		"whtlst add -t 10.0.0.101:80 192.0.2.0/24\n";
	static const char h2[] =
		"-A -t 10.0.0.100:80 -s rr --rate-in 1000pps:100\n"
		"-a -t 10.0.0.100:80 -r 10.2.0.1:80 -w 1 --rate-out-bytes 2000000:20000\n"
		"blklst add -t 10.0.0.100:80 2001:db8::/32\n"
		"whtlst add -t 10.0.0.100:80 203.0.113.7/32\n";
	struct ctl_reload_result r;
	struct dpvs_config_set *fresh = tctl_set();
	const char *path2 = tctl_tmpfile(h2);
	struct dpvs_ip src;
	uint32_t sgen, dgen;
	int a, d;
	char *s1, *s2;

	ck_assert_msg(ctl_rules_load(&shm, tctl_tmpfile(h1), err, sizeof(err)) == 0, "%s", err);
	a = svc_slot(IPPROTO_TCP, "10.0.0.100", 80);
	d = dest_slot(a, "10.2.0.1");
	ck_assert_uint_eq(act()->nacl, 3);
	sgen = dpvs_lb_rates(act())[dpvs_lb_svc_rate(act())[a] - 1].gen;
	dgen = dpvs_lb_rates(act())[dpvs_lb_dest_rate(act())[d] - 1].gen;
	ck_assert_msg(ctl_reload(&shm, path2, &r, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(r.acl[CTL_RL_DEL], 1);      /* 198.51.100.0/24; 192.0.2.0/24 went
						       * with its service */
	ck_assert_uint_eq(r.acl[CTL_RL_ADD], 1);      /* 203.0.113.7/32 */
	ck_assert_uint_eq(r.dest[CTL_RL_EDIT], 1);    /* its byte rate */
	ck_assert_uint_eq(r.svc[CTL_RL_EDIT], 0);
	ck_assert_uint_eq(act()->nacl, 2);
	ck_assert_uint_eq(dpvs_lb_rates(act())[dpvs_lb_svc_rate(act())[a] - 1].gen, sgen);
	ck_assert_uint_gt(dpvs_lb_rates(act())[dpvs_lb_dest_rate(act())[d] - 1].gen, dgen);
	ck_assert_uint_eq(dpvs_lb_rates(act())[dpvs_lb_dest_rate(act())[d] - 1]
				  .m[DPVS_RATE_OUT_BYTES].rate, 2000000);
	src = tctl_ip("198.51.100.1");
	ck_assert(!dpvs_acl_match(act(), (uint32_t)a, DPVS_ACL_BLACK, &src));
	src = tctl_ip("2001:db8::1");
	ck_assert(dpvs_acl_match(act(), (uint32_t)a, DPVS_ACL_BLACK, &src));
	src = tctl_ip("203.0.113.7");
	ck_assert(dpvs_acl_match(act(), (uint32_t)a, DPVS_ACL_WHITE, &src));
	ck_assert(TCTL_SAME_TABLES(shm.set[0], shm.set[1]));
	ck_assert_int_eq(ctl_rules_apply(fresh, root, path2, err, sizeof(err)), 0);
	s1 = sorted_save(dpvs_config_active(&shm));
	s2 = sorted_save(fresh);
	ck_assert_str_eq(s1, s2);
	ck_assert_ptr_nonnull(strstr(s1, "whtlst add -t 10.0.0.100:80 203.0.113.7/32\n"));
	ck_assert_ptr_nonnull(strstr(s1, "--rate-out-bytes 2000000:20000"));
	/* again: nothing to do */
	ck_assert_int_eq(ctl_reload(&shm, path2, &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.acl[CTL_RL_ADD] + r.acl[CTL_RL_DEL] + r.dest[CTL_RL_EDIT] +
				  r.svc[CTL_RL_EDIT], 0);
	free(s1);
	free(s2);
	free(fresh);
}
END_TEST

START_TEST(test_reload_bad_line_changes_nothing)
{
	struct ctl_reload_result r;
	struct dpvs_config_set *s0 = tctl_set(), *s1 = tctl_set();
	const char *bad = tctl_tmpfile("addr add 10.1.0.10/24 dev dpdk1\n"
				       "-A -t 10.0.0.100:80 -s rr\n"
				       "# the next one is wrong\n"
				       "-a -t 10.0.0.100:80 -r 10.2.0.1:80 -w 70000\n");
	const char *later = tctl_tmpfile("-A -t 10.0.0.100:80 -s rr\n"
					 "-a -t 10.0.0.100:81 -r 10.2.0.1:80\n");
	uint64_t gen;

	ck_assert_int_eq(ctl_rules_load(&shm, tctl_tmpfile(f1), err, sizeof(err)), 0);
	gen = root->config.generation;
	TCTL_COPY(s0, shm.set[0]);
	TCTL_COPY(s1, shm.set[1]);
	ck_assert_int_eq(ctl_reload(&shm, bad, &r, err, sizeof(err)), -CTL_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "line 4: weight 70000 out of range"));
	/* the whole file is checked before anything runs: an error found only
	 * when applying (no such service) is caught too */
	ck_assert_int_eq(ctl_reload(&shm, later, &r, err, sizeof(err)), -CTL_ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "line 2: no service TCP 10.0.0.100:81"));
	ck_assert_int_eq(ctl_reload(&shm, "/nonexistent/rules", &r, err, sizeof(err)), -CTL_EIO);
	ck_assert_uint_eq(root->config.generation, gen);
	ck_assert(TCTL_SAME(shm.set[0], s0));
	ck_assert(TCTL_SAME(shm.set[1], s1));
	free(s0);
	free(s1);
}
END_TEST

static int
laddr_known(const char *ip, uint8_t proto)
{
	struct dpvs_ip a = tctl_ip(ip);
	const struct dpvs_addr_ix *e = dpvs_addr_lookup(act(), &a);
	uint8_t bit = proto == IPPROTO_TCP ? DPVS_ADDR_IX_LADDR_TCP : DPVS_ADDR_IX_LADDR_UDP;

	return e != NULL && (e->lb & bit) != 0;
}

START_TEST(test_laddr_drains)
{
	struct dpvs_conn *c;
	struct ctl_op op;
	uint64_t gen;
	size_t sz = DPVS_CONN_MZ_SIZE(64);

	shm.ct[0] = aligned_alloc(64, sz);
	memset(shm.ct[0], 0, sz);
	dpvs_conn_table_format(shm.ct[0], 64);
	root->conf.nworkers = 1;
	ck_assert_int_eq(ctl_rules_load(&shm, tctl_tmpfile(f1), err, sizeof(err)), 0);
	ck_assert(laddr_known("10.1.0.10", IPPROTO_TCP));
	/* a live connection of TCP 10.0.0.100:80 from 10.1.0.10 on worker 0 */
	c = &dpvs_conn_array(shm.ct[0])[5];
	c->proto = IPPROTO_TCP;
	inet_pton(AF_INET, "10.1.0.10", &c->a4[DPVS_CONN_A_L]);
	c->expires_ns = dpvs_now_ns() + 60ull * 1000000000ull;
	c->flags = DPVS_CONN_F_USED | DPVS_CONN_F_OUT;
	/* laddr del from both TCP services: no new connection uses it ... */
	memset(&op, 0, sizeof(op));
	op.kind = CTL_OP_LADDR_DEL;
	op.u.laddr.svc.proto = IPPROTO_TCP;
	op.u.laddr.svc.vip = tctl_ip("10.0.0.100");
	op.u.laddr.svc.port = 80;
	op.u.laddr.addr = tctl_ip("10.1.0.10");
	op.u.laddr.port = -1;
	ck_assert_int_eq(ctl_change_run(&shm, &op, 1, err, sizeof(err)), 0);
	op.u.laddr.svc.vip = tctl_ip("10.0.0.101");
	ck_assert_int_eq(ctl_change_run(&shm, &op, 1, err, sizeof(err)), 0);
	ck_assert_uint_eq(dpvs_lb_svc(act(), (uint32_t)svc_slot(IPPROTO_TCP, "10.0.0.100", 80))
				  ->nladdrs, 0);
	/* the UDP service still holds it as a local address (addr del refused) */
	ck_assert(ctl_laddr_in_use(act(), &op.u.laddr.addr));
	ck_assert_int_eq(ctl_laddr_user(act(), &op.u.laddr.addr),
			 svc_slot(IPPROTO_UDP, "10.0.0.102", 53));
	/* ... but the workers still know it: replies are still redirected */
	ck_assert(laddr_known("10.1.0.10", IPPROTO_TCP));
	ck_assert_uint_eq(act()->ndrain, 1);
	gen = root->config.generation;
	ck_assert_int_eq(ctl_drain_tick(&shm), 1);
	ck_assert_uint_eq(root->config.generation, gen);
	ck_assert(laddr_known("10.1.0.10", IPPROTO_TCP));
	/* the UDP service still uses it: its own bit never went */
	ck_assert(laddr_known("10.1.0.10", IPPROTO_UDP));
	/* the connection ends: the next tick drops the address */
	c->flags = 0;
	ck_assert_int_eq(ctl_drain_tick(&shm), 0);
	ck_assert_uint_eq(root->config.generation, gen + 1);
	ck_assert(!laddr_known("10.1.0.10", IPPROTO_TCP));
	ck_assert(laddr_known("10.1.0.10", IPPROTO_UDP));
	ck_assert_uint_eq(act()->ndrain, 0);
	ck_assert(TCTL_SAME_TABLES(shm.set[0], shm.set[1]));
}
END_TEST

/* A deleted service's local addresses drain too; an expired connection
 * does not hold them. */
START_TEST(test_svc_del_drains)
{
	struct ctl_op op;
	struct dpvs_conn *c;
	size_t sz = DPVS_CONN_MZ_SIZE(64);

	shm.ct[0] = aligned_alloc(64, sz);
	memset(shm.ct[0], 0, sz);
	dpvs_conn_table_format(shm.ct[0], 64);
	root->conf.nworkers = 1;
	ck_assert_int_eq(ctl_rules_load(&shm, tctl_tmpfile(f1), err, sizeof(err)), 0);
	memset(&op, 0, sizeof(op));
	op.kind = CTL_OP_SVC_DEL;
	op.u.svc.key.proto = IPPROTO_UDP;
	op.u.svc.key.vip = tctl_ip("10.0.0.102");
	op.u.svc.key.port = 53;
	ck_assert_int_eq(ctl_change_run(&shm, &op, 1, err, sizeof(err)), 0);
	ck_assert(laddr_known("10.1.0.10", IPPROTO_UDP));
	c = &dpvs_conn_array(shm.ct[0])[0];
	c->proto = IPPROTO_UDP;
	inet_pton(AF_INET, "10.1.0.10", &c->a4[DPVS_CONN_A_L]);
	c->expires_ns = 1;          /* long expired, not reaped yet */
	c->flags = DPVS_CONN_F_USED | DPVS_CONN_F_OUT;
	ck_assert_int_eq(ctl_drain_tick(&shm), 0);
	ck_assert(!laddr_known("10.1.0.10", IPPROTO_UDP));
	ck_assert(laddr_known("10.1.0.10", IPPROTO_TCP));
}
END_TEST

/* dpvs-ctl died in the middle of a change: before publishing (the inactive
 * copy half edited), or after publishing and before the replay. Its
 * successor's ctl_change_sync() makes the copies equal again, to the copy
 * the workers read. */
START_TEST(test_sync_after_death)
{
	struct dpvs_config_set *want = tctl_set();
	struct dpvs_config_set *inact;
	struct ctl_op op;
	uint64_t gen;

	ck_assert_int_eq(ctl_rules_load(&shm, tctl_tmpfile(f1), err, sizeof(err)), 0);
	memset(&op, 0, sizeof(op));
	op.kind = CTL_OP_SVC_DEL;
	op.u.svc.key.proto = IPPROTO_TCP;
	op.u.svc.key.vip = tctl_ip("10.0.0.101");
	op.u.svc.key.port = 80;
	/* death before publication: the inactive copy has the change */
	TCTL_COPY(want, dpvs_config_active(&shm));
	gen = root->config.generation;
	inact = shm.set[(root->config.active & 1) ^ 1];
	ck_assert_int_eq(ctl_op_apply(inact, root, &op, err, sizeof(err)), 0);
	ck_assert(!TCTL_SAME_TABLES(shm.set[0], shm.set[1]));
	ck_assert_int_eq(ctl_change_sync(&shm, err, sizeof(err)), 0);
	ck_assert(TCTL_SAME_TABLES(shm.set[0], shm.set[1]));
	ck_assert(TCTL_SAME_TABLES(dpvs_config_active(&shm), want));
	ck_assert_uint_eq(root->config.generation, gen);
	/* death after publication, before the replay: the new copy is live */
	ck_assert_int_eq(ctl_op_apply(inact, root, &op, err, sizeof(err)), 0);
	ctl_publish_swap(&shm);
	ck_assert_int_lt(svc_slot(IPPROTO_TCP, "10.0.0.101", 80), 0);
	ck_assert_int_eq(ctl_change_sync(&shm, err, sizeof(err)), 0);
	ck_assert(TCTL_SAME_TABLES(shm.set[0], shm.set[1]));
	ck_assert_int_lt(svc_slot(IPPROTO_TCP, "10.0.0.101", 80), 0);
	free(want);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ctl_reload");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nf;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_reload_applies_the_difference);
	tcase_add_test(tc, test_reload_bad_line_changes_nothing);
	tcase_add_test(tc, test_reload_ports_and_ipv6_routes);
	tcase_add_test(tc, test_reload_timeouts_synproxy);
	tcase_add_test(tc, test_reload_acls_and_rates);
	tcase_add_test(tc, test_laddr_drains);
	tcase_add_test(tc, test_svc_del_drains);
	tcase_add_test(tc, test_sync_after_death);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
