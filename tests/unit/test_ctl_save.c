/*
 * Unit tests of `save` (ctl/daemon/save.c) with the rules loader: a state
 * built from a rules file, saved, loaded into a fresh set and saved again
 * gives the same text and the same tables byte for byte (every forwarding
 * mode and the match services of SNAT too); a state with holes
 * (deleted services and dests) loads back to the same text; every mutation
 * command is accepted in a rules file; a bad line N rejects the whole file
 * with "line N". Plain memory, no EAL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "ctl/rules.h"
#include "test_ctl_util.h"

static struct dpvs_root *root;
static struct dpvs_config_set *a, *b;

static void
setup(void)
{
	root = tctl_root();
	a = tctl_set();
	b = tctl_set();
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
}

static void
teardown(void)
{
	free(root);
	free(a);
	free(b);
	tctl_tmp_cleanup();
}

/* The save text of set, malloc'd. */
static char *
save_of(const struct dpvs_config_set *set)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ctl_save_text(set, root, f), 0);
	fclose(f);
	return buf;
}

static void
load(struct dpvs_config_set *set, const char *text)
{
	char err[256] = "";

	ck_assert_msg(ctl_rules_apply(set, root, tctl_tmpfile(text), err, sizeof(err)) == 0,
		      "load failed: %s", err);
}

static const char rules[] =
	"# node\n"
	"addr add 10.0.0.100/32 dev dpdk0\n"
	"addr add 10.1.0.10/24 dev dpdk1\n"
	"addr add 10.1.0.11/24 dev dpdk1\n"
	"neigh add 10.1.0.2 lladdr 02:00:00:00:00:21 dev dpdk1\n"
	"route add 10.2.0.0/16 via 10.1.0.1 dev dpdk1\n"
	"route add 10.4.0.0/16 dev dpdk0\n"
	"-A -t 10.0.0.100:80 -s rr\n"
	"-a -t 10.0.0.100:80 -r 10.1.0.2:80 -b fnat -w 1\n"
	"-A -u 10.0.0.100:53 -s mh -b hash-port\n"
	"-a -t 10.0.0.100:80 -r 10.1.0.3:8080 -b fnat -w 0 -x 100 -y 10\n"
	"-a -u 10.0.0.100:53 -r 10.1.0.2:53 -w 2\n"
	"laddr add -t 10.0.0.100:80 10.1.0.10 dev dpdk1\n"
	"laddr add -t 10.0.0.100:80 10.1.0.11 dev dpdk1\n"
	"laddr add -u 10.0.0.100:53 10.1.0.11 dev dpdk1\n";

START_TEST(test_round_trip)
{
	char *t1, *t2;

	load(a, rules);
	t1 = save_of(a);
	/* ids are handed out in the order of the file: dests come in id order */
	ck_assert_str_eq(t1,
		"addr add 10.0.0.100/32 dev dpdk0\n"
		"addr add 10.1.0.10/24 dev dpdk1\n"
		"addr add 10.1.0.11/24 dev dpdk1\n"
		"neigh add 10.1.0.2 lladdr 02:00:00:00:00:21 dev dpdk1\n"
		"route add 10.2.0.0/16 via 10.1.0.1 dev dpdk1\n"
		"route add 10.4.0.0/16 dev dpdk0\n"
		"-A -t 10.0.0.100:80 -s rr\n"
		"-a -t 10.0.0.100:80 -r 10.1.0.2:80 -b fnat -w 1\n"
		"-A -u 10.0.0.100:53 -s mh -b hash-port\n"
		"-a -t 10.0.0.100:80 -r 10.1.0.3:8080 -b fnat -w 0 -x 100 -y 10\n"
		"-a -u 10.0.0.100:53 -r 10.1.0.2:53 -b fnat -w 2\n"
		"laddr add -t 10.0.0.100:80 10.1.0.10 dev dpdk1\n"
		"laddr add -t 10.0.0.100:80 10.1.0.11 dev dpdk1\n"
		"laddr add -u 10.0.0.100:53 10.1.0.11 dev dpdk1\n");
	load(b, t1);
	t2 = save_of(b);
	ck_assert_str_eq(t1, t2);
	/* the same tables, derived ones included */
	ck_assert_uint_eq(a->naddrs, b->naddrs);
	ck_assert(TCTL_SAME(a, b));
	free(t1);
	free(t2);
}
END_TEST

/* The client's address for full-NAT (--proxy-protocol, --toa): loaded from
 * a file, saved as the canonical options, loaded again the same; -E with -b
 * keeps them, -E --proxy-protocol off clears only that. */
START_TEST(test_round_trip_client_address)
{
	char *t1, *t2;

	load(a, "-A -t 10.0.0.100:80 -s rr --toa on --proxy-protocol v1\n"
		"-A -t 10.0.0.100:81 -s mh --proxy-protocol v2 -b hash-port\n"
		"-E -t 10.0.0.100:80 -b none\n"
		"-E -t 10.0.0.100:81 --proxy-protocol off --toa on\n"
		"-E -t 10.0.0.100:81 --proxy-protocol v2\n");
	t1 = save_of(a);
	ck_assert_str_eq(t1, "-A -t 10.0.0.100:80 -s rr --proxy-protocol v1 --toa on\n"
			     "-A -t 10.0.0.100:81 -s mh -b hash-port --proxy-protocol v2 --toa on\n");
	load(b, t1);
	t2 = save_of(b);
	ck_assert_str_eq(t1, t2);
	ck_assert(TCTL_SAME(a, b));
	free(t1);
	free(t2);
}
END_TEST

/* Every forwarding mode and the match services of SNAT, as the operator
 * writes them (ipvsadm's -m -g -i, DPVS's -J, -r ADDR:0) and as save
 * prints them back (-b MODE, the canonical match text). */
START_TEST(test_round_trip_modes)
{
	char *t1, *t2;

	load(a, "addr add 10.1.0.1/24 dev dpdk1\n"
		"addr add 10.0.0.1/24 dev dpdk0\n"
		"-A -t 10.0.0.100:80 -s wrr\n"
		"-a -t 10.0.0.100:80 -r 10.1.0.2:8080 -m -w 2\n"
		"-a -t 10.0.0.100:80 -r 10.1.0.3 -g\n"
		"-a -t 10.0.0.100:80 -r 10.1.0.4 -i\n"
		"-a -t 10.0.0.100:80 -r 10.5.0.4 -b tunnel\n"
		"-A -H oif=dpdk1,proto=tcp,src-range=10.0.0.2-10.0.0.99 -s rr\n"
		"-a -H oif=dpdk1,proto=tcp,src-range=10.0.0.2-10.0.0.99 -r 10.1.0.1:0 -J\n"
		"-A -H proto=udp,dst-range=0.0.0.0:53,iif=dpdk0\n"
		"-a -H proto=udp,dst-range=0.0.0.0:53,iif=dpdk0 -r 10.1.0.1:0 -b snat -w 3\n");
	t1 = save_of(a);
	ck_assert_str_eq(t1,
		"addr add 10.1.0.1/24 dev dpdk1\n"
		"addr add 10.0.0.1/24 dev dpdk0\n"
		"-A -t 10.0.0.100:80 -s wrr\n"
		"-a -t 10.0.0.100:80 -r 10.1.0.2:8080 -b nat -w 2\n"
		"-a -t 10.0.0.100:80 -r 10.1.0.3:80 -b dr -w 1\n"
		"-a -t 10.0.0.100:80 -r 10.1.0.4:80 -b tunnel -w 1\n"
		"-a -t 10.0.0.100:80 -r 10.5.0.4:80 -b tunnel -w 1\n"
		"-A -H proto=tcp,src-range=10.0.0.2-10.0.0.99,oif=dpdk1 -s rr\n"
		"-a -H proto=tcp,src-range=10.0.0.2-10.0.0.99,oif=dpdk1 -r 10.1.0.1:0 -b snat -w 1\n"
		"-A -H proto=udp,dst-range=0.0.0.0:53,iif=dpdk0 -s wlc\n"
		"-a -H proto=udp,dst-range=0.0.0.0:53,iif=dpdk0 -r 10.1.0.1:0 -b snat -w 3\n");
	load(b, t1);
	t2 = save_of(b);
	ck_assert_str_eq(t1, t2);
	ck_assert(TCTL_SAME(a, b));
	free(t1);
	free(t2);
}
END_TEST

START_TEST(test_round_trip_with_holes)
{
	char *t1, *t2;

	load(a, rules);
	load(a, "-D -t 10.0.0.100:80\n"
		"-A -t 10.0.0.100:81 -s wlc\n"
		"-a -t 10.0.0.100:81 -r 10.1.0.5:81 -w 4\n"
		"-d -u 10.0.0.100:53 -r 10.1.0.2:53\n"
		"-a -u 10.0.0.100:53 -r 10.1.0.6:53 -w 1\n"
		"route del 10.2.0.0/16\n"
		"neigh del 10.1.0.2 dev dpdk1\n");
	t1 = save_of(a);
	ck_assert_str_eq(t1,
		"addr add 10.0.0.100/32 dev dpdk0\n"
		"addr add 10.1.0.10/24 dev dpdk1\n"
		"addr add 10.1.0.11/24 dev dpdk1\n"
		"route add 10.4.0.0/16 dev dpdk0\n"
		"-A -u 10.0.0.100:53 -s mh -b hash-port\n"
		"-A -t 10.0.0.100:81 -s wlc\n"
		"-a -t 10.0.0.100:81 -r 10.1.0.5:81 -b fnat -w 4\n"
		"-a -u 10.0.0.100:53 -r 10.1.0.6:53 -b fnat -w 1\n"
		"laddr add -u 10.0.0.100:53 10.1.0.11 dev dpdk1\n");
	load(b, t1);
	t2 = save_of(b);
	ck_assert_str_eq(t1, t2);
	free(t1);
	free(t2);
}
END_TEST

START_TEST(test_every_mutation_in_a_file)
{
	char *t;

	load(a, "addr add 10.1.0.10/24 dev dpdk1\n"
		"addr add 10.1.0.99/24 dev dpdk1\n"
		"addr del 10.1.0.99/24 dev dpdk1\n"
		"neigh add 10.1.0.2 lladdr 02:00:00:00:00:21 dev dpdk1\n"
		"neigh add 10.1.0.3 lladdr 02:00:00:00:00:22 dev dpdk1\n"
		"neigh del 10.1.0.3 dev dpdk1\n"
		"route add 10.2.0.0/16 via 10.1.0.1 dev dpdk1\n"
		"route add 10.3.0.0/16 via 10.1.0.1 dev dpdk1\n"
		"route del 10.3.0.0/16 via 10.1.0.1 dev dpdk1\n"
		"-A -t 10.0.0.100:80 -s rr\n"
		"-E -t 10.0.0.100:80 -s wrr\n"
		"-A -t 10.0.0.100:81\n"
		"-D -t 10.0.0.100:81\n"
		"-a -t 10.0.0.100:80 -r 10.1.0.2:80 -w 1\n"
		"-e -t 10.0.0.100:80 -r 10.1.0.2:80 -w 5\n"
		"-a -t 10.0.0.100:80 -r 10.1.0.3:80 -w 1\n"
		"-d -t 10.0.0.100:80 -r 10.1.0.3:80\n"
		"laddr add -t 10.0.0.100:80 10.1.0.10 dev dpdk1\n"
		"--add-service -u 10.0.0.100:53\n"
		"laddr add -u 10.0.0.100:53 10.1.0.10 dev dpdk1\n"
		"laddr del -u 10.0.0.100:53 10.1.0.10\n");
	t = save_of(a);
	ck_assert_str_eq(t,
		"addr add 10.1.0.10/24 dev dpdk1\n"
		"neigh add 10.1.0.2 lladdr 02:00:00:00:00:21 dev dpdk1\n"
		"route add 10.2.0.0/16 via 10.1.0.1 dev dpdk1\n"
		"-A -t 10.0.0.100:80 -s wrr\n"
		"-a -t 10.0.0.100:80 -r 10.1.0.2:80 -b fnat -w 5\n"
		"-A -u 10.0.0.100:53 -s wlc\n"
		"laddr add -t 10.0.0.100:80 10.1.0.10 dev dpdk1\n");
	free(t);
}
END_TEST

/* IPv6 addresses, routes and neighbours, and the port switches: saved and
 * loaded back alike. dpdk0 forwards by dpvs.conf, dpdk1 does not: save
 * prints only what differs from it. */
START_TEST(test_ipv6_and_ports_round_trip)
{
	char *t1, *t2;

	root->ports[0].flags |= DPVS_PORT_F_FORWARD;
	dpvs_cfgset_port_defaults(a, root->ports, root->conf.nports);
	dpvs_cfgset_port_defaults(b, root->ports, root->conf.nports);
	ck_assert_uint_eq(a->port_flags[0], DPVS_PORT_CFG_FORWARD);
	load(a, "port set dpdk1 forward on\n"
		"port set dpdk0 forward off\n"
		"port set dpdk0 forward on\n"
		"addr add fd00:1::1/64 dev dpdk1\n"
		"addr add fd00::1/64 dev dpdk0\n"
		"neigh add fd00:1::2 lladdr 02:00:00:00:00:21 dev dpdk1\n"
		"route add fd00:3::/48 via fd00:1::fe dev dpdk1\n"
		"route add ::/0 via fe80::1 dev dpdk0\n");
	t1 = save_of(a);
	ck_assert_str_eq(t1,
		"port set dpdk1 forward on\n"
		"addr add fd00:1::1/64 dev dpdk1\n"
		"addr add fd00::1/64 dev dpdk0\n"
		"neigh add fd00:1::2 lladdr 02:00:00:00:00:21 dev dpdk1\n"
		"route add fd00:3::/48 via fd00:1::fe dev dpdk1\n"
		"route add ::/0 via fe80::1 dev dpdk0\n");
	load(b, t1);
	t2 = save_of(b);
	ck_assert_str_eq(t1, t2);
	ck_assert(TCTL_SAME(a, b));
	load(b, "port set dpdk0 forward off\n");
	free(t2);
	t2 = save_of(b);
	ck_assert(strstr(t2, "port set dpdk0 forward off\n") == t2);
	free(t1);
	free(t2);
}
END_TEST

/* Each bad file: its line number and a piece of the message. */
static const struct {
	const char *text;
	const char *msg;
} bad_files[] = {
	{ "-A -t 10.0.0.100:80 -s rr\n-A -t 10.0.0.100:80 -s rr\n",
	  "line 2: service TCP 10.0.0.100:80 already exists" },
	{ "addr add 10.1.0.10/24 dev dpdk1\n\n# x\n-A -t 10.0.0.1:80\n"
	  "-a -t 10.0.0.1:80 -r 10.9.0.2 -b dr\n",
	  "line 5: real server 10.9.0.2:80: dr needs the real server on the network" },
	{ "-A -t 10.0.0.1:80\nladdr add -t 10.0.0.1:80 10.9.9.9 dev dpdk1\n",
	  "line 2: 10.9.9.9 is not an address of dpdk1" },
	{ "-A -t 10.0.0.1:80 -s nosuch\n", "line 1: unknown scheduler" },
	{ "-A -t 10.0.0.1:80\n-L -n\n", "line 2: \"-L\" does not belong in a rules file" },
	{ "-A -t 10.0.0.1:80\nsave\n", "line 2: \"save\" does not belong" },
	{ "route add 10.2.0.0/16 via 10.1.0.1 dev dpdk1\n", "line 1: gateway 10.1.0.1 is not on" },
	{ "-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.1.0.2 -w -5\n", "line 2: weight -5" },
	{ "port set dpdk0 forward on\nport set dpdk0 colour on\n",
	  "line 2: unknown port switch \"colour\" (known: forward, forward2kni)" },
	{ "port set dpdk9 forward on\n", "line 1: no port named dpdk9" },
	{ "addr add fd00:1::1/64 dev dpdk1\nroute add fd00:3::/48 via 10.1.0.1 dev dpdk1\n",
	  "line 2: gateway 10.1.0.1: not an IPv6 address" },
	{ "--set 0 0 0\n", "line 1: --set 0 0 0 changes nothing" },
	{ "timeout set tcp bogus 5\n", "line 1: unknown timeout \"tcp.bogus\"" },
	{ "timeout set udp 2592001\n", "line 1: timeout \"2592001\": seconds" },
	{ "-A -u 10.0.0.1:53 --synproxy on\n", "line 1: UDP 10.0.0.1:53: the SYN proxy is for TCP" },
	{ "-A -t [fd00::1]:80 --synproxy on\n", "line 1: TCP [fd00::1]:80: the SYN proxy is for IPv4" },
	{ "-A -t 10.0.0.1:80 --synproxy maybe\n", "line 1: --synproxy maybe: on or off" },
	{ "-A -t 10.0.0.1:80 --synproxy on\n-a -t 10.0.0.1:80 -r 10.1.0.2:80 -b dr\n",
	  "line 2: real server 10.1.0.2:80: the service has the SYN proxy" },
	{ "-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.1.0.2:80 -b tunnel\n"
	  "-E -t 10.0.0.1:80 --synproxy on\n", "line 3: TCP 10.0.0.1:80: real server 10.1.0.2:80 is tunnel" },
};

START_TEST(test_bad_line_rejects_file)
{
	char err[256] = "";

	load(a, "addr add 10.0.0.5/24 dev dpdk0\n-A -t 10.0.0.100:8080 -s rr\n");
	TCTL_COPY(b, a);
	ck_assert_int_ne(ctl_rules_apply(a, root, tctl_tmpfile(bad_files[_i].text), err,
					 sizeof(err)), 0);
	ck_assert_msg(strstr(err, bad_files[_i].msg) != NULL, "case %d: \"%s\" lacks \"%s\"", _i,
		      err, bad_files[_i].msg);
	ck_assert_msg(TCTL_SAME(a, b), "case %d: the set changed", _i);
}
END_TEST

/* Commands given one at a time in an order save never uses (the later one
 * may be refused): whatever state results must save and load back. */
static const char *const any_order[] = {
	/* a static neighbour, then a node address with the same IP */
	"addr add 10.1.0.10/24 dev dpdk1\n"
	"neigh add 10.1.0.5 lladdr 02:00:00:00:00:21 dev dpdk1\n"
	"addr add 10.1.0.5/24 dev dpdk1\n",
	/* a route's gateway, then a node address with that IP */
	"addr add 10.1.0.10/24 dev dpdk1\n"
	"route add 10.2.0.0/16 via 10.1.0.1 dev dpdk1\n"
	"addr add 10.1.0.1/24 dev dpdk1\n",
	/* a static route, then an address whose connected network it is */
	"route add 10.3.0.0/24 dev dpdk1\n"
	"addr add 10.3.0.1/24 dev dpdk1\n",
};

START_TEST(test_round_trip_any_order)
{
	char line[256], err[256], *t1, *t2;
	const char *p = any_order[_i], *nl;

	for (; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		snprintf(line, sizeof(line), "%.*s\n", (int)(nl - p), p);
		err[0] = '\0';
		(void)ctl_rules_apply(a, root, tctl_tmpfile(line), err, sizeof(err));
	}
	t1 = save_of(a);
	err[0] = '\0';
	ck_assert_msg(ctl_rules_apply(b, root, tctl_tmpfile(t1), err, sizeof(err)) == 0,
		      "case %d: the save does not load: %s\n%s", _i, err, t1);
	t2 = save_of(b);
	ck_assert_str_eq(t1, t2);
	free(t1);
	free(t2);
}
END_TEST

/* Timeouts (ipvsadm's --set, any TCP state) and the SYN proxy save and load
 * back; only the timeouts that differ from the defaults are saved. */
START_TEST(test_timeouts_synproxy_round_trip)
{
	char *t1, *t2;

	load(a, "--set 30 10 20\n"
		"timeout set tcp syn_recv 2\n"
		"addr add 10.1.0.10/24 dev dpdk1\n"
		"-A -t 10.0.0.100:80 -s rr --synproxy on\n"
		"-a -t 10.0.0.100:80 -r 10.1.0.2:80 -b fnat -w 1\n"
		"-A -t 10.0.0.100:81 -s rr\n"
		"-E -t 10.0.0.100:81 --synproxy on\n"
		"-E -t 10.0.0.100:81 -s wrr --synproxy off\n");
	ck_assert_uint_eq(a->lb.timeouts.tcp[DPVS_TCPS_ESTABLISHED], 30);
	ck_assert_uint_eq(a->lb.timeouts.tcp[DPVS_TCPS_FIN_WAIT], 10);
	ck_assert_uint_eq(a->lb.timeouts.tcp[DPVS_TCPS_SYN_RECV], 2);
	ck_assert_uint_eq(a->lb.timeouts.tcp[DPVS_TCPS_CLOSE], 10);   /* default kept */
	ck_assert_uint_eq(a->lb.timeouts.udp, 20);
	t1 = save_of(a);
	ck_assert_str_eq(t1,
		"timeout set tcp established 30\n"
		"timeout set tcp syn_recv 2\n"
		"timeout set tcp fin_wait 10\n"
		"timeout set udp 20\n"
		"addr add 10.1.0.10/24 dev dpdk1\n"
		"-A -t 10.0.0.100:80 -s rr --synproxy on\n"
		"-a -t 10.0.0.100:80 -r 10.1.0.2:80 -b fnat -w 1\n"
		"-A -t 10.0.0.100:81 -s wrr\n");
	load(b, t1);
	t2 = save_of(b);
	ck_assert_str_eq(t1, t2);
	ck_assert(TCTL_SAME(a, b));
	free(t1);
	free(t2);
}
END_TEST

static Suite *
save_suite(void)
{
	Suite *s = suite_create("ctl_save");
	TCase *tc = tcase_create("save");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_round_trip_client_address);
	tcase_add_test(tc, test_round_trip_modes);
	tcase_add_test(tc, test_round_trip_with_holes);
	tcase_add_test(tc, test_every_mutation_in_a_file);
	tcase_add_test(tc, test_ipv6_and_ports_round_trip);
	tcase_add_test(tc, test_timeouts_synproxy_round_trip);
	tcase_add_loop_test(tc, test_bad_line_rejects_file, 0,
			    (int)(sizeof(bad_files) / sizeof(bad_files[0])));
	tcase_add_loop_test(tc, test_round_trip_any_order, 0,
			    (int)(sizeof(any_order) / sizeof(any_order[0])));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(save_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
