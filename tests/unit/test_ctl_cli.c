/*
 * Unit tests of the dpvsctl command parser (ctl/common/cli.c): good commands
 * become the right Request; bad ones give the right kind of error and a
 * message that names the problem. Plain memory, no EAL.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ctl/common/cli.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define NARGS(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(cmd, err, ...) \
	ctl_cli_parse(NARGS(__VA_ARGS__), ARGV(__VA_ARGS__), (cmd), (err), sizeof(err))

START_TEST(test_addr_add_v4)
{
	struct ctl_cli_cmd cmd;
	char err[256] = "";
	const uint8_t want[4] = { 10, 0, 0, 1 };

	ck_assert_int_eq(PARSE(&cmd, err, "addr", "add", "10.0.0.1/24", "dev", "dpdk0"),
			 CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_ADDR_ADD);
	ck_assert(cmd.mutation);
	ck_assert(!cmd.json);
	ck_assert_int_eq(cmd.req->addr_add->address->family, DPVS__FAMILY__INET);
	ck_assert_uint_eq(cmd.req->addr_add->address->addr.len, 4);
	ck_assert_mem_eq(cmd.req->addr_add->address->addr.data, want, 4);
	ck_assert_uint_eq(cmd.req->addr_add->prefixlen, 24);
	ck_assert_str_eq(cmd.req->addr_add->dev, "dpdk0");
	ctl_cli_cmd_free(&cmd);
	ck_assert_ptr_null(cmd.req);
}
END_TEST

START_TEST(test_addr_del_default_prefix)
{
	struct ctl_cli_cmd cmd;
	char err[256] = "";

	ck_assert_int_eq(PARSE(&cmd, err, "addr", "del", "10.0.0.1", "dev", "dpdk0"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_ADDR_DEL);
	ck_assert_uint_eq(cmd.req->addr_del->prefixlen, 32);
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "addr", "del", "fe80::1", "dev", "dpdk1"), CTL_CLI_OK);
	ck_assert_uint_eq(cmd.req->addr_del->prefixlen, 128);
	ck_assert_int_eq(cmd.req->addr_del->address->family, DPVS__FAMILY__INET6);
	ctl_cli_cmd_free(&cmd);
}
END_TEST

START_TEST(test_addr_add_v6)
{
	struct ctl_cli_cmd cmd;
	char err[256] = "";
	const uint8_t want[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

	ck_assert_int_eq(PARSE(&cmd, err, "addr", "add", "2001:db8::1/64", "dev", "dpdk0"),
			 CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->addr_add->address->family, DPVS__FAMILY__INET6);
	ck_assert_uint_eq(cmd.req->addr_add->address->addr.len, 16);
	ck_assert_mem_eq(cmd.req->addr_add->address->addr.data, want, 16);
	ck_assert_uint_eq(cmd.req->addr_add->prefixlen, 64);
	ctl_cli_cmd_free(&cmd);
}
END_TEST

START_TEST(test_show_commands)
{
	struct ctl_cli_cmd cmd;
	char err[256] = "";

	ck_assert_int_eq(PARSE(&cmd, err, "addr", "show"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_ADDR_SHOW);
	ck_assert_str_eq(cmd.req->addr_show->dev, "");
	ck_assert(!cmd.mutation);
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "addr"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_ADDR_SHOW);
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "addr", "show", "dev", "dpdk1"), CTL_CLI_OK);
	ck_assert_str_eq(cmd.req->addr_show->dev, "dpdk1");
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "neigh", "show"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_NEIGH_SHOW);
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "stats"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_STATS_SHOW);
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "worker", "show"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_WORKER_SHOW);
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "version"), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_VERSION_SHOW);
	ctl_cli_cmd_free(&cmd);
}
END_TEST

START_TEST(test_json_after_subcommand)
{
	struct ctl_cli_cmd cmd;
	char err[256] = "";

	ck_assert_int_eq(PARSE(&cmd, err, "worker", "show", "--json"), CTL_CLI_OK);
	ck_assert(cmd.json);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_WORKER_SHOW);
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "stats", "--json"), CTL_CLI_OK);
	ck_assert(cmd.json);
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(PARSE(&cmd, err, "addr", "--json", "show"), CTL_CLI_OK);
	ck_assert(cmd.json);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_ADDR_SHOW);
	ctl_cli_cmd_free(&cmd);
}
END_TEST

/* port set PORT KEY on|off and port show [PORT]: the key is the daemon's to
 * judge, the value on or off. */
START_TEST(test_port_commands)
{
	struct ctl_cli_cmd cmd;
	char err[256];

	ck_assert_int_eq(PARSE(&cmd, err, "port", "set", "dpdk1", "forward", "on"), CTL_CLI_OK);
	ck_assert(cmd.mutation);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_PORT_SET);
	ck_assert_str_eq(cmd.req->port_set->dev, "dpdk1");
	ck_assert_str_eq(cmd.req->port_set->key, "forward");
	ck_assert_str_eq(cmd.req->port_set->value, "on");
	ctl_cli_cmd_free(&cmd);
	ck_assert_int_eq(PARSE(&cmd, err, "port"), CTL_CLI_OK); /* show is the default */
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_PORT_SHOW);
	ck_assert(!cmd.mutation);
	ctl_cli_cmd_free(&cmd);
	ck_assert_int_eq(PARSE(&cmd, err, "port", "show", "dpdk0", "--json"), CTL_CLI_OK);
	ck_assert(cmd.json);
	ck_assert_str_eq(cmd.req->port_show->dev, "dpdk0");
	ctl_cli_cmd_free(&cmd);
}
END_TEST

/* vlan add NAME dev PORT id ID, vlan del NAME, vlan show [NAME] */
START_TEST(test_vlan_commands)
{
	struct ctl_cli_cmd cmd;
	char err[256];

	ck_assert_int_eq(PARSE(&cmd, err, "vlan", "add", "dpdk0.100", "dev", "dpdk0", "id", "100"),
			 CTL_CLI_OK);
	ck_assert(cmd.mutation);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_VLAN_ADD);
	ck_assert_str_eq(cmd.req->vlan_add->name, "dpdk0.100");
	ck_assert_str_eq(cmd.req->vlan_add->dev, "dpdk0");
	ck_assert_uint_eq(cmd.req->vlan_add->id, 100);
	ctl_cli_cmd_free(&cmd);
	ck_assert_int_eq(PARSE(&cmd, err, "vlan", "del", "dpdk0.100"), CTL_CLI_OK);
	ck_assert(cmd.mutation);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_VLAN_DEL);
	ck_assert_str_eq(cmd.req->vlan_del->name, "dpdk0.100");
	ctl_cli_cmd_free(&cmd);
	ck_assert_int_eq(PARSE(&cmd, err, "vlan", "show", "--json"), CTL_CLI_OK);
	ck_assert(!cmd.mutation);
	ck_assert(cmd.json);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_VLAN_SHOW);
	ctl_cli_cmd_free(&cmd);
}
END_TEST

/* Each bad input: expected return and a fragment of the message. */
struct bad_case {
	int argc;
	char *argv[8];
	int rc;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	{ 5, { "addr", "add", "10.0.0.300/24", "dev", "dpdk0" }, CTL_CLI_BADARG,
	  "bad address 10.0.0.300" },
	{ 5, { "addr", "add", "hello", "dev", "dpdk0" }, CTL_CLI_BADARG, "bad address hello" },
	{ 5, { "addr", "add", "198.18.9.1/33", "dev", "dpdk0" }, CTL_CLI_BADARG,
	  "bad prefix length 33 for 198.18.9.1 (0..32)" },
	{ 5, { "addr", "add", "198.18.9.1/", "dev", "dpdk0" }, CTL_CLI_BADARG,
	  "bad prefix length" },
	{ 5, { "addr", "add", "198.18.9.1/2x", "dev", "dpdk0" }, CTL_CLI_BADARG,
	  "bad prefix length 2x" },
	{ 5, { "addr", "add", "2001:db8::1/129", "dev", "dpdk0" }, CTL_CLI_BADARG,
	  "(0..128)" },
	{ 2, { "addr", "add" }, CTL_CLI_USAGE, "missing address" },
	{ 3, { "addr", "add", "10.0.0.1" }, CTL_CLI_USAGE, "missing \"dev NAME\"" },
	{ 4, { "addr", "add", "10.0.0.1", "dev" }, CTL_CLI_USAGE, "needs a port name" },
	{ 6, { "addr", "add", "10.0.0.1", "dev", "a", "b" }, CTL_CLI_USAGE,
	  "unexpected word \"b\"" },
	{ 5, { "addr", "add", "10.0.0.1", "via", "x" }, CTL_CLI_USAGE, "unexpected word \"via\"" },
	{ 1, { "frobnicate" }, CTL_CLI_USAGE, "unknown command \"frobnicate\"" },
	{ 2, { "addr", "frob" }, CTL_CLI_USAGE, "unknown command \"addr frob\"" },
	{ 0, { NULL }, CTL_CLI_USAGE, "missing command" },
	{ 2, { "stats", "extra" }, CTL_CLI_USAGE, "unexpected word \"extra\"" },
	{ 3, { "worker", "show", "1" }, CTL_CLI_USAGE, "unexpected word \"1\"" },
	{ 5, { "addr", "add", "10.0.0.1", "dev", "a-name-that-is-far-too-long-for-a-port" },
	  CTL_CLI_BADARG, "bad port name" },
	{ 5, { "port", "set", "dpdk0", "forward", "yes" }, CTL_CLI_BADARG, "is not on or off" },
	{ 4, { "port", "set", "dpdk0", "forward" }, CTL_CLI_USAGE, "port set PORT forward|forward2kni on|off" },
	{ 4, { "port", "show", "dpdk0", "dpdk1" }, CTL_CLI_USAGE, "unexpected word \"dpdk1\"" },
	{ 7, { "vlan", "add", "v", "dev", "dpdk0", "id", "0" }, CTL_CLI_BADARG, "out of 1..4094" },
	{ 7, { "vlan", "add", "v", "dev", "dpdk0", "id", "4095" }, CTL_CLI_BADARG, "out of 1..4094" },
	{ 7, { "vlan", "add", "v", "dev", "dpdk0", "id", "1x" }, CTL_CLI_BADARG, "out of 1..4094" },
	{ 7, { "vlan", "add", "abcdefghijkl", "dev", "dpdk0", "id", "5" }, CTL_CLI_BADARG,
	  "1..11 characters" },
	{ 5, { "vlan", "add", "v", "dev", "dpdk0" }, CTL_CLI_USAGE, "vlan add NAME dev PORT id ID" },
	{ 2, { "vlan", "del" }, CTL_CLI_USAGE, "usage: vlan del NAME" },
};

START_TEST(test_bad_inputs)
{
	const struct bad_case *c = &bad_cases[_i];
	struct ctl_cli_cmd cmd;
	char err[256] = "";

	ck_assert_int_eq(ctl_cli_parse(c->argc, c->argv, &cmd, err, sizeof(err)), c->rc);
	ck_assert_ptr_null(cmd.req);
	ck_assert_msg(strstr(err, c->msg) != NULL, "case %d: message \"%s\" lacks \"%s\"", _i,
		      err, c->msg);
}
END_TEST

START_TEST(test_split)
{
	char line[] = "  addr add\t10.0.0.1/24 dev dpdk0   # the VIP\n";
	char comment[] = "   # nothing here\n", blank[] = "\n", many[] = "a b c d";
	char *argv[8];

	ck_assert_int_eq(ctl_cli_split(line, argv, 8), 5);
	ck_assert_str_eq(argv[0], "addr");
	ck_assert_str_eq(argv[2], "10.0.0.1/24");
	ck_assert_str_eq(argv[4], "dpdk0");
	ck_assert_int_eq(ctl_cli_split(comment, argv, 8), 0);
	ck_assert_int_eq(ctl_cli_split(blank, argv, 8), 0);
	ck_assert_int_eq(ctl_cli_split(many, argv, 3), -1);
}
END_TEST

/* dpvsctl waits for a worker restart or upgrade longer than dpvs-ctl waits
 * for the primary (it answers when that ends), for anything else 15 s. */
static int
timeout_of(int argc, char *const argv[])
{
	struct ctl_cli_cmd cmd;
	char err[256];
	int ms;

	ck_assert_int_eq(ctl_cli_parse(argc, argv, &cmd, err, sizeof(err)), CTL_CLI_OK);
	ms = ctl_cli_timeout_ms(cmd.req);
	ctl_cli_cmd_free(&cmd);
	return ms;
}

START_TEST(test_client_timeouts)
{
	char *restart[] = { "worker", "restart", "1" };
	char *upgrade[] = { "worker", "upgrade", "/usr/sbin/dpvs-worker" };
	char *show[] = { "worker", "show" };
	char *reload[] = { "reload" };

	ck_assert_int_gt(timeout_of(3, restart), CTL_RESTART_TIMEOUT_MS);
	ck_assert_int_gt(timeout_of(3, upgrade), CTL_UPGRADE_TIMEOUT_MS);
	ck_assert_int_eq(timeout_of(2, show), CTL_CLIENT_TIMEOUT_MS);
	ck_assert_int_eq(timeout_of(1, reload), CTL_CLIENT_TIMEOUT_MS);
}
END_TEST

START_TEST(test_usage_lists_commands)
{
	const char *u = ctl_cli_usage();

	ck_assert_ptr_nonnull(strstr(u, "addr add ADDR[/LEN] dev PORT"));
	ck_assert_ptr_nonnull(strstr(u, "worker show"));
	ck_assert_ptr_nonnull(strstr(u, "neigh show"));
	ck_assert_ptr_nonnull(strstr(u, "port set PORT forward|forward2kni on|off"));
	ck_assert_ptr_nonnull(strstr(u, "vlan add NAME dev PORT id ID"));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ctl_cli");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_addr_add_v4);
	tcase_add_test(tc, test_addr_del_default_prefix);
	tcase_add_test(tc, test_addr_add_v6);
	tcase_add_test(tc, test_show_commands);
	tcase_add_test(tc, test_json_after_subcommand);
	tcase_add_test(tc, test_port_commands);
	tcase_add_test(tc, test_vlan_commands);
	tcase_add_loop_test(tc, test_bad_inputs, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_split);
	tcase_add_test(tc, test_usage_lists_commands);
	tcase_add_test(tc, test_client_timeouts);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
