/*
 * Unit tests of the load-balancer words of the dpvsctl parser
 * (ctl/common/cli_lb.c, cli_net.c): -A/-E/-D, -a/-e/-d, -L, laddr, route,
 * neigh add/del, conn show, save, blklst/whtlst and the rate options; the -s ambiguity (scheduler after the
 * command word, socket only before it: the latter checked on the real
 * dpvsctl binary); and the errors of bad input. Plain memory, no EAL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>

#include "ctl/common/cli.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define NARGS(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(cmd, err, ...) \
	ctl_cli_parse(NARGS(__VA_ARGS__), ARGV(__VA_ARGS__), (cmd), (err), sizeof(err))

static void
check_key(const Dpvs__SvcKey *k, const char *proto, uint8_t last, uint32_t port)
{
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(k->proto, proto);
	ck_assert_uint_eq(k->vip->addr.len, 4);
	ck_assert_uint_eq(k->vip->addr.data[0], 10);
	ck_assert_uint_eq(k->vip->addr.data[3], last);
	ck_assert_uint_eq(k->port, port);
}

START_TEST(test_svc_commands)
{
	struct ctl_cli_cmd cmd;
	char err[256] = "";

	/* after the command word, -s is the scheduler */
	ck_assert_int_eq(PARSE(&cmd, err, "-A", "-t", "10.0.0.100:80", "-s", "rr"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_SVC_ADD);
	ck_assert(cmd.mutation);
	check_key(cmd.req->svc_add->key, "tcp", 100, 80);
	ck_assert_str_eq(cmd.req->svc_add->scheduler, "rr");
	ck_assert(!cmd.req->svc_add->set_flags);
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "-A", "-s", "conhash", "-u", "10.0.0.7:53", "-b",
			       "hash-port"), CTL_CLI_OK);
	check_key(cmd.req->svc_add->key, "udp", 7, 53);
	ck_assert_str_eq(cmd.req->svc_add->scheduler, "conhash");
	ck_assert_uint_eq(cmd.req->svc_add->n_flags, 1);
	ck_assert_str_eq(cmd.req->svc_add->flags[0], "hash-port");
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "-A", "-t", "10.0.0.100:80"), CTL_CLI_OK);
	ck_assert_str_eq(cmd.req->svc_add->scheduler, "");  /* the daemon picks wlc */
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "-E", "-t", "10.0.0.100:80", "-s", "wrr"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_SVC_EDIT);
	ck_assert_str_eq(cmd.req->svc_edit->scheduler, "wrr");
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "-E", "-t", "10.0.0.100:80", "-b", "none"), CTL_CLI_OK);
	ck_assert(cmd.req->svc_edit->set_flags);
	ck_assert_uint_eq(cmd.req->svc_edit->n_flags, 0);
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "-D", "-t", "10.0.0.100:80"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_SVC_DEL);
	ctl_cli_cmd_free(&cmd);

	/* --synproxy, --proxy-protocol and --toa given twice: the last one
	 * counts (the first copy freed: unit/asan's leak check) */
	ck_assert_int_eq(PARSE(&cmd, err, "-E", "-t", "10.0.0.100:80", "--synproxy", "on",
			       "--synproxy", "off", "--proxy-protocol", "v1", "--proxy-protocol",
			       "v2", "--toa", "on", "--toa", "off"), CTL_CLI_OK);
	ck_assert_str_eq(cmd.req->svc_edit->synproxy, "off");
	ck_assert_str_eq(cmd.req->svc_edit->proxy_protocol, "v2");
	ck_assert_str_eq(cmd.req->svc_edit->toa, "off");
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "--add-service", "--tcp-service", "10.0.0.1:8080",
			       "--scheduler", "mh"), CTL_CLI_OK);
	check_key(cmd.req->svc_add->key, "tcp", 1, 8080);
	ctl_cli_cmd_free(&cmd);
}
END_TEST

START_TEST(test_dest_commands)
{
	struct ctl_cli_cmd cmd;
	char err[256] = "";
	Dpvs__Dest *d;

	ck_assert_int_eq(PARSE(&cmd, err, "-a", "-t", "10.0.0.100:80", "-r", "10.1.0.2:8080",
			       "-b", "fnat", "-w", "3", "-x", "100", "-y", "10"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_DEST_ADD);
	d = cmd.req->dest_add;
	check_key(d->service, "tcp", 100, 80);
	ck_assert_uint_eq(d->address->addr.data[3], 2);
	ck_assert_uint_eq(d->port, 8080);
	ck_assert_str_eq(d->mode, "fnat");
	ck_assert(d->has_weight && d->weight == 3);
	ck_assert(d->has_upper && d->upper == 100);
	ck_assert(d->has_lower && d->lower == 10);
	ctl_cli_cmd_free(&cmd);

	/* no port: the service's, as ipvsadm; weight 0 is a weight */
	ck_assert_int_eq(PARSE(&cmd, err, "-a", "-t", "10.0.0.100:80", "-r", "10.1.0.2", "-w",
			       "0"), CTL_CLI_OK);
	d = cmd.req->dest_add;
	ck_assert_uint_eq(d->port, 80);
	ck_assert(d->has_weight && d->weight == 0);
	ck_assert(!d->has_upper && !d->has_lower);
	ck_assert_str_eq(d->mode, "");
	ctl_cli_cmd_free(&cmd);

	/* modes are the daemon's business: the parser passes nat through, and
	 * ipvsadm's -m/-g/-i name theirs */
	ck_assert_int_eq(PARSE(&cmd, err, "-a", "-t", "10.0.0.100:80", "-r", "10.1.0.2", "-b",
			       "nat"), CTL_CLI_OK);
	ck_assert_str_eq(cmd.req->dest_add->mode, "nat");
	ctl_cli_cmd_free(&cmd);
	ck_assert_int_eq(PARSE(&cmd, err, "-a", "-t", "10.0.0.100:80", "-r", "10.1.0.2", "-g"),
			 CTL_CLI_OK);
	ck_assert_str_eq(cmd.req->dest_add->mode, "dr");
	ctl_cli_cmd_free(&cmd);
	ck_assert_int_eq(PARSE(&cmd, err, "-a", "-t", "10.0.0.100:80", "-r", "10.1.0.2", "-m",
			       "-b", "fnat"), CTL_CLI_OK);
	ck_assert_str_eq(cmd.req->dest_add->mode, "fnat");
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "-a", "-t", "10.0.0.100:80", "-r", "10.1.0.2", "-i"),
			 CTL_CLI_OK);
	ck_assert_str_eq(cmd.req->dest_add->mode, "tunnel");
	ctl_cli_cmd_free(&cmd);
	ck_assert_int_eq(PARSE(&cmd, err, "-a", "-t", "10.0.0.100:80", "-r", "10.1.0.2", "-m"),
			 CTL_CLI_OK);
	ck_assert_str_eq(cmd.req->dest_add->mode, "nat");
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "-e", "-u", "10.0.0.100:53", "-r", "10.1.0.2:53", "-w",
			       "7"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_DEST_EDIT);
	check_key(cmd.req->dest_edit->service, "udp", 100, 53);
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "-d", "-t", "10.0.0.100:80", "-r", "10.1.0.2:80"),
			 CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_DEST_DEL);
	ctl_cli_cmd_free(&cmd);
}
END_TEST

START_TEST(test_match_service_commands)
{
	struct ctl_cli_cmd cmd;
	char err[256] = "";
	Dpvs__Dest *d;

	/* a match service (SNAT): -H passes its text to the daemon (which knows
	 * the port names); DPVS's -J is -b snat; an SNAT source's port 0 is
	 * kept, not taken for "the service's port" */
	ck_assert_int_eq(PARSE(&cmd, err, "-A", "-H", "proto=tcp,src-range=192.168.100.1-"
			       "192.168.100.254,oif=dpdk1", "-s", "rr"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_SVC_ADD);
	ck_assert_str_eq(cmd.req->svc_add->key->match,
			 "proto=tcp,src-range=192.168.100.1-192.168.100.254,oif=dpdk1");
	ck_assert_ptr_null(cmd.req->svc_add->key->vip);
	ctl_cli_cmd_free(&cmd);
	ck_assert_int_eq(PARSE(&cmd, err, "-a", "--match", "proto=udp,src-range=10.9.0.0-10.9.0.9",
			       "-r", "10.1.0.1:0", "-J"), CTL_CLI_OK);
	d = cmd.req->dest_add;
	ck_assert_str_eq(d->service->match, "proto=udp,src-range=10.9.0.0-10.9.0.9");
	ck_assert_uint_eq(d->port, 0);
	ck_assert_str_eq(d->mode, "snat");
	ctl_cli_cmd_free(&cmd);
	ck_assert_int_eq(PARSE(&cmd, err, "-a", "-t", "10.0.0.100:80", "-r", "10.1.0.2:0",
			       "--snat"), CTL_CLI_OK);
	ck_assert_uint_eq(cmd.req->dest_add->port, 0);  /* the daemon refuses it */
	ck_assert_str_eq(cmd.req->dest_add->mode, "snat");
	ctl_cli_cmd_free(&cmd);
	ck_assert_int_eq(PARSE(&cmd, err, "-L", "-n", "-H", "proto=tcp,iif=dpdk0"), CTL_CLI_OK);
	ck_assert_str_eq(cmd.req->svc_show->key->match, "proto=tcp,iif=dpdk0");
	ctl_cli_cmd_free(&cmd);
}
END_TEST

START_TEST(test_list_save_conn)
{
	struct ctl_cli_cmd cmd;
	char err[256] = "";

	ck_assert_int_eq(PARSE(&cmd, err, "-L", "-n"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_SVC_SHOW);
	ck_assert(!cmd.req->svc_show->stats);
	ck_assert_ptr_null(cmd.req->svc_show->key);
	ck_assert(!cmd.mutation);
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "-L", "-n", "--stats", "--json"), CTL_CLI_OK);
	ck_assert(cmd.req->svc_show->stats);
	ck_assert(cmd.json);
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "-l", "-t", "10.0.0.100:80"), CTL_CLI_OK);
	check_key(cmd.req->svc_show->key, "tcp", 100, 80);
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "-L", "-n", "-c"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_CONN_SHOW);
	ctl_cli_cmd_free(&cmd);
	ck_assert_int_eq(PARSE(&cmd, err, "conn", "show"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_CONN_SHOW);
	ctl_cli_cmd_free(&cmd);
	ck_assert_int_eq(PARSE(&cmd, err, "conn"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_CONN_SHOW);
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "save"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_SAVE);
	ck_assert(!cmd.mutation);
	ctl_cli_cmd_free(&cmd);
	ck_assert_int_eq(PARSE(&cmd, err, "-S", "-n"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_SAVE);
	ctl_cli_cmd_free(&cmd);
}
END_TEST

START_TEST(test_net_commands)
{
	struct ctl_cli_cmd cmd;
	char err[256] = "";
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 0x21 };

	ck_assert_int_eq(PARSE(&cmd, err, "laddr", "add", "-t", "10.0.0.100:80", "10.1.0.10",
			       "dev", "dpdk1"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_LADDR_ADD);
	ck_assert(cmd.mutation);
	check_key(cmd.req->laddr_add->service, "tcp", 100, 80);
	ck_assert_uint_eq(cmd.req->laddr_add->address->addr.data[3], 10);
	ck_assert_str_eq(cmd.req->laddr_add->dev, "dpdk1");
	ctl_cli_cmd_free(&cmd);
	ck_assert_int_eq(PARSE(&cmd, err, "laddr", "del", "-t", "10.0.0.100:80", "10.1.0.10"),
			 CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_LADDR_DEL);
	ctl_cli_cmd_free(&cmd);
	ck_assert_int_eq(PARSE(&cmd, err, "laddr"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_LADDR_SHOW);
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "route", "add", "10.2.0.0/16", "via", "10.1.0.1", "dev",
			       "dpdk1"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_ROUTE_ADD);
	ck_assert_uint_eq(cmd.req->route_add->prefixlen, 16);
	ck_assert_uint_eq(cmd.req->route_add->gateway->addr.data[3], 1);
	ck_assert_str_eq(cmd.req->route_add->dev, "dpdk1");
	ctl_cli_cmd_free(&cmd);
	ck_assert_int_eq(PARSE(&cmd, err, "route", "add", "10.3.0.0/16", "dev", "dpdk0"),
			 CTL_CLI_OK);
	ck_assert_ptr_null(cmd.req->route_add->gateway);
	ctl_cli_cmd_free(&cmd);
	ck_assert_int_eq(PARSE(&cmd, err, "route", "del", "10.3.0.0/16"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_ROUTE_DEL);
	ctl_cli_cmd_free(&cmd);
	ck_assert_int_eq(PARSE(&cmd, err, "route"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_ROUTE_SHOW);
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "neigh", "add", "10.1.0.2", "lladdr",
			       "02:00:00:00:00:21", "dev", "dpdk1"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_NEIGH_ADD);
	ck_assert_uint_eq(cmd.req->neigh_add->lladdr.len, 6);
	ck_assert_mem_eq(cmd.req->neigh_add->lladdr.data, mac, 6);
	ctl_cli_cmd_free(&cmd);
	ck_assert_int_eq(PARSE(&cmd, err, "neigh", "del", "10.1.0.2", "dev", "dpdk1"),
			 CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_NEIGH_DEL);
	ctl_cli_cmd_free(&cmd);
	ck_assert_int_eq(PARSE(&cmd, err, "neigh"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_NEIGH_SHOW);
	ctl_cli_cmd_free(&cmd);
}
END_TEST

/* Each bad command line, the kind of error and a piece of its message. */
static const struct {
	const char *words[16];
	int rc;
	const char *msg;
} bad[] = {
	{ { "-A", "-s", "rr" }, CTL_CLI_USAGE, "missing -t|-u VIP:PORT (or -H MATCH)" },
	{ { "-A", "-H", "", "-s", "rr" }, CTL_CLI_BADARG, "-H needs a match" },
	{ { "-A", "-H", "proto=tcp,iif=dpdk0", "-t", "10.0.0.1:80" }, CTL_CLI_USAGE,
	  "only one service (-t, -u or -H)" },
	{ { "-a", "-H", "proto=tcp,iif=dpdk0", "-r", "10.1.0.1:70000" }, CTL_CLI_BADARG,
	  "bad port" },
	{ { "-A", "-t", "10.0.0.100" }, CTL_CLI_BADARG, "10.0.0.100 needs a port" },
	{ { "-A", "-t", "10.0.0.100:0" }, CTL_CLI_BADARG, "bad port in 10.0.0.100:0" },
	{ { "-A", "-t", "10.0.0.100:65536" }, CTL_CLI_BADARG, "bad port" },
	{ { "-A", "-t", "10.0.0.300:80" }, CTL_CLI_BADARG, "bad address 10.0.0.300:80" },
	{ { "-A", "-t", "10.0.0.1:80", "-s", "sh" }, CTL_CLI_BADARG, "unknown scheduler \"sh\"" },
	{ { "-A", "-t", "10.0.0.1:80", "-s" }, CTL_CLI_USAGE, "-s needs a value" },
	{ { "-A", "-t", "10.0.0.1:80", "-s", "rr", "-s", "wrr" }, CTL_CLI_USAGE, "-s given twice" },
	{ { "-A", "-t", "10.0.0.1:80", "-u", "10.0.0.1:81" }, CTL_CLI_USAGE, "only one service" },
	{ { "-A", "-t", "10.0.0.1:80", "-b", "sh-fallback" }, CTL_CLI_BADARG, "unknown scheduler flag" },
	{ { "-A", "-t", "10.0.0.1:80", "-w", "1" }, CTL_CLI_USAGE, "unexpected word \"-w\"" },
	{ { "-D", "-t", "10.0.0.1:80", "-s", "rr" }, CTL_CLI_USAGE, "unexpected word \"-s\"" },
	{ { "-a", "-t", "10.0.0.1:80" }, CTL_CLI_USAGE, "missing -r" },
	{ { "-a", "-r", "10.1.0.2:80" }, CTL_CLI_USAGE, "missing -t|-u" },
	{ { "-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "-w", "x" }, CTL_CLI_BADARG, "-w x: not a number" },
	{ { "-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "-x", "-1" }, CTL_CLI_BADARG, "-x -1: out of range" },
	{ { "-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "-b", "masq" }, CTL_CLI_BADARG, "unknown forwarding mode \"masq\"" },
	{ { "-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "-r", "10.1.0.3" }, CTL_CLI_USAGE, "-r given twice" },
	{ { "-d", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "-w", "1" }, CTL_CLI_USAGE, "unexpected word \"-w\"" },
	{ { "-L", "--stats", "-c" }, CTL_CLI_USAGE, "-c lists every connection" },
	{ { "-L", "-x" }, CTL_CLI_USAGE, "unexpected word \"-x\"" },
	{ { "laddr", "add", "-t", "10.0.0.1:80", "10.1.0.10" }, CTL_CLI_USAGE, "missing \"dev PORT\"" },
	{ { "laddr", "add", "10.1.0.10", "dev", "dpdk1" }, CTL_CLI_USAGE, "missing -t|-u" },
	{ { "laddr", "add", "-t", "10.0.0.1:80", "dev", "dpdk1" }, CTL_CLI_USAGE, "missing local address" },
	{ { "laddr", "add", "-t", "10.0.0.1:80", "10.1.0.10/24", "dev", "dpdk1" }, CTL_CLI_BADARG, "without /LEN" },
	{ { "route", "add", "10.2.0.0/16", "via", "10.1.0.1" }, CTL_CLI_USAGE, "missing \"dev PORT\"" },
	{ { "route", "add", "10.2.0.0/33", "dev", "dpdk0" }, CTL_CLI_BADARG, "bad prefix length 33" },
	{ { "route", "add", "10.2.0.0/16", "via" }, CTL_CLI_USAGE, "\"via\" needs a value" },
	{ { "route", "add", "10.2.0.0/16", "dev", "a", "dev", "b" }, CTL_CLI_USAGE, "\"dev\" given twice" },
	{ { "route", "add", "10.2.0.0/16", "metric", "5" }, CTL_CLI_USAGE, "unexpected word \"metric\"" },
	{ { "route", "show", "all" }, CTL_CLI_USAGE, "unexpected word \"all\"" },
	{ { "neigh", "add", "10.1.0.2", "dev", "dpdk1" }, CTL_CLI_USAGE, "missing \"lladdr MAC\"" },
	{ { "neigh", "add", "10.1.0.2", "lladdr", "02:00:00:00:00", "dev", "dpdk1" }, CTL_CLI_BADARG, "bad lladdr" },
	{ { "neigh", "add", "10.1.0.2", "lladdr", "02:00:00:00:00:21" }, CTL_CLI_USAGE, "missing \"dev PORT\"" },
	{ { "neigh", "del", "10.1.0.2", "lladdr", "02:00:00:00:00:21", "dev", "x" }, CTL_CLI_USAGE, "unexpected word \"lladdr\"" },
	{ { "conn", "show", "-n" }, CTL_CLI_USAGE, "unexpected word \"-n\"" },
	{ { "save", "now" }, CTL_CLI_USAGE, "unexpected word \"now\"" },
	{ { "blklst", "add", "198.51.100.0/24" }, CTL_CLI_USAGE, "missing -t|-u VIP:PORT" },
	{ { "blklst", "add", "-t", "10.0.0.1:80" }, CTL_CLI_USAGE, "missing source ADDRESS" },
	{ { "whtlst", "del", "-t", "10.0.0.1:80", "10.9.0.0/33" }, CTL_CLI_BADARG, "bad prefix length 33" },
	{ { "blklst", "add", "-t", "10.0.0.1:80", "10.9.0.0/16", "10.8.0.0/16" }, CTL_CLI_USAGE, "unexpected word \"10.8.0.0/16\"" },
	{ { "blklst", "show", "10.9.0.0/16" }, CTL_CLI_USAGE, "unexpected word" },
	{ { "-E", "-t", "10.0.0.1:80", "--rate-in", "1000bps" }, CTL_CLI_BADARG, "expected N[pps][:BURST]" },
	{ { "-E", "-t", "10.0.0.1:80", "--rate-in-bytes", "10T" }, CTL_CLI_BADARG, "expected BYTES[K|M|G][:BURST]" },
	{ { "-E", "-t", "10.0.0.1:80", "--rate-out", "5:x" }, CTL_CLI_BADARG, "--rate-out 5:x" },
	{ { "-E", "-t", "10.0.0.1:80", "--rate-in", "5", "--rate-in", "6" }, CTL_CLI_USAGE, "--rate-in given twice" },
	{ { "-E", "-t", "10.0.0.1:80", "--synproxy", "maybe" }, CTL_CLI_BADARG, "--synproxy maybe: on or off" },
	{ { "-E", "-t", "10.0.0.1:80", "--proxy-protocol", "v3" }, CTL_CLI_BADARG, "--proxy-protocol v3: v1, v2 or off" },
	{ { "-A", "-t", "10.0.0.1:80", "--toa", "yes" }, CTL_CLI_BADARG, "--toa yes: on or off" },
	{ { "-A", "-t", "10.0.0.1:80", "--toa" }, CTL_CLI_USAGE, "--toa" },
	{ { "-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "--rate-out" }, CTL_CLI_USAGE, "--rate-out needs a value" },
	{ { "-D", "-t", "10.0.0.1:80", "--rate-in", "5" }, CTL_CLI_USAGE, "unexpected word \"--rate-in\"" },
};

/* blklst / whtlst add|del|show, and the rate options of -A/-E/-a/-e. */
START_TEST(test_acl_and_rates)
{
	struct ctl_cli_cmd cmd;
	char err[256] = "";
	const Dpvs__Rate *r;

	ck_assert_int_eq(PARSE(&cmd, err, "blklst", "add", "-t", "10.0.0.100:80", "198.51.100.0/24"),
			 CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_ACL_ADD);
	ck_assert(cmd.mutation);
	check_key(cmd.req->acl_add->service, "tcp", 100, 80);
	ck_assert_str_eq(cmd.req->acl_add->list, "blklst");
	ck_assert_uint_eq(cmd.req->acl_add->prefixlen, 24);
	ck_assert_uint_eq(cmd.req->acl_add->prefix->addr.data[0], 198);
	ctl_cli_cmd_free(&cmd);
	/* the prefix first, one IPv6 address: /128 */
	ck_assert_int_eq(PARSE(&cmd, err, "whtlst", "del", "2001:db8::7", "-u", "10.0.0.9:53"),
			 CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_ACL_DEL);
	check_key(cmd.req->acl_del->service, "udp", 9, 53);
	ck_assert_str_eq(cmd.req->acl_del->list, "whtlst");
	ck_assert_uint_eq(cmd.req->acl_del->prefixlen, 128);
	ck_assert_uint_eq(cmd.req->acl_del->prefix->addr.len, 16);
	ctl_cli_cmd_free(&cmd);
	ck_assert_int_eq(PARSE(&cmd, err, "blklst", "show"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_ACL_SHOW);
	ck_assert(!cmd.mutation);
	ck_assert_ptr_null(cmd.req->acl_show->service);
	ck_assert_str_eq(cmd.req->acl_show->list, "blklst");
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "-A", "-t", "10.0.0.100:80", "--rate-in", "1000pps:100",
			       "--rate-out-bytes", "10M"), CTL_CLI_OK);
	ck_assert_uint_eq(cmd.req->svc_add->n_rates, 2);
	r = cmd.req->svc_add->rates[0];
	ck_assert_str_eq(r->meter, "in_pps");
	ck_assert_uint_eq(r->rate, 1000);
	ck_assert_uint_eq(r->burst, 100);
	r = cmd.req->svc_add->rates[1];
	ck_assert_str_eq(r->meter, "out_bytes");
	ck_assert_uint_eq(r->rate, 10000000);
	ck_assert_uint_eq(r->burst, 0);   /* the daemon's default */
	ctl_cli_cmd_free(&cmd);
	ck_assert_int_eq(PARSE(&cmd, err, "-e", "-t", "10.0.0.100:80", "-r", "10.1.0.2:80",
			       "--rate-in-bytes", "2K:9k", "--rate-out", "0"), CTL_CLI_OK);
	ck_assert_uint_eq(cmd.req->dest_edit->n_rates, 2);
	ck_assert_str_eq(cmd.req->dest_edit->rates[0]->meter, "in_bytes");
	ck_assert_uint_eq(cmd.req->dest_edit->rates[0]->rate, 2000);
	ck_assert_uint_eq(cmd.req->dest_edit->rates[0]->burst, 9000);
	ck_assert_str_eq(cmd.req->dest_edit->rates[1]->meter, "out_pps");
	ck_assert_uint_eq(cmd.req->dest_edit->rates[1]->rate, 0);
	ctl_cli_cmd_free(&cmd);
}
END_TEST

START_TEST(test_bad)
{
	struct ctl_cli_cmd cmd;
	char err[256] = "";
	int argc;

	for (argc = 0; bad[_i].words[argc] != NULL; argc++)
		;
	ck_assert_int_eq(ctl_cli_parse(argc, (char *const *)bad[_i].words, &cmd, err,
				       sizeof(err)), bad[_i].rc);
	ck_assert_msg(strstr(err, bad[_i].msg) != NULL, "case %d: \"%s\" lacks \"%s\"", _i, err,
		      bad[_i].msg);
	ck_assert_ptr_null(cmd.req);
}
END_TEST

/* Run build/bin/dpvsctl with args; returns its exit status, stderr in buf. */
static int
run_dpvsctl(char *const argv[], char *buf, size_t len)
{
	int pfd[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	ck_assert_int_eq(pipe(pfd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(pfd[1], 2);
		dup2(pfd[1], 1);
		close(pfd[0]);
		execv("build/bin/dpvsctl", argv);
		_exit(127);
	}
	close(pfd[1]);
	while ((size_t)got < len - 1 && (n = read(pfd[0], buf + got, len - 1 - (size_t)got)) > 0)
		got += n;
	buf[got] = '\0';
	close(pfd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(test_client_socket_option_only_before_command)
{
	char out[4096];

	if (access("build/bin/dpvsctl", X_OK) != 0)
		ck_abort_msg("build/bin/dpvsctl missing: run the test from the tree root after make");
	/* -s before the command: the socket; after -A: the scheduler */
	ck_assert_int_eq(run_dpvsctl(ARGV("dpvsctl", "-s", "/nonexistent/t.sock", "-A", "-t",
					  "10.0.0.100:80", "-s", "rr"), out, sizeof(out)), 3);
	ck_assert_msg(strstr(out, "cannot connect to /nonexistent/t.sock") != NULL, "%s", out);
	/* a bad scheduler after -A is the parser's error (exit 1), no connect */
	ck_assert_int_eq(run_dpvsctl(ARGV("dpvsctl", "-s", "/nonexistent/t.sock", "-A", "-t",
					  "10.0.0.100:80", "-s", "/nonexistent/t.sock"), out,
				     sizeof(out)), 1);
	ck_assert_msg(strstr(out, "unknown scheduler \"/nonexistent/t.sock\"") != NULL, "%s", out);
	/* --json before the command, then -L -n */
	ck_assert_int_eq(run_dpvsctl(ARGV("dpvsctl", "--json", "-s", "/nonexistent/t.sock", "-L",
					  "-n"), out, sizeof(out)), 3);
	/* a usage error: exit 2 */
	ck_assert_int_eq(run_dpvsctl(ARGV("dpvsctl", "-s", "/nonexistent/t.sock", "-A"), out,
				     sizeof(out)), 2);
	ck_assert_msg(strstr(out, "missing -t|-u VIP:PORT") != NULL, "%s", out);
}
END_TEST

static Suite *
cli_lb_suite(void)
{
	Suite *s = suite_create("ctl_cli_lb");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_svc_commands);
	tcase_add_test(tc, test_dest_commands);
	tcase_add_test(tc, test_match_service_commands);
	tcase_add_test(tc, test_list_save_conn);
	tcase_add_test(tc, test_net_commands);
	tcase_add_test(tc, test_acl_and_rates);
	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_client_socket_option_only_before_command);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(cli_lb_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
