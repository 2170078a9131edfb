/*
 * Unit tests of the health checks' configuration (ctl/common/cli_check.c,
 * ctl/daemon/check.c, save.c, reload_check.c): the words of `check set` and
 * `check del` and their errors; a quoted command in a rules file; what check
 * set / del and a published health do to a set (weight 0 while down, the
 * configured weight kept and restored, -e -w while down); checks that go
 * with their dest or service; save -> load gives the same text; a reload's
 * difference in checks. Plain memory, no EAL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ctl/common/cli.h"
#include "ctl/daemon/change.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "ctl/daemon/reload.h"
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
}

static void
teardown(void)
{
	free(root);
	free(a);
	free(b);
	tctl_tmp_cleanup();
}

static int
parse(const char *line, struct ctl_cli_cmd *cmd, char *err, size_t errlen)
{
	static char buf[1024];
	char *argv[CTL_CLI_MAX_ARGS];
	int argc;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = ctl_cli_split(buf, argv, CTL_CLI_MAX_ARGS);
	ck_assert_int_gt(argc, 0);
	return ctl_cli_parse(argc, argv, cmd, err, errlen);
}

START_TEST(test_cli_check_set)
{
	struct ctl_cli_cmd cmd;
	const Dpvs__Check *c;
	char err[256];

	ck_assert_int_eq(parse("check set -t 10.0.0.100:80 http --path / --expect 200 --interval 1 "
			       "--timeout 1 --rise 2 --fall 2", &cmd, err, sizeof(err)), CTL_CLI_OK);
	ck_assert(cmd.mutation);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_CHECK_SET);
	c = cmd.req->check_set;
	ck_assert_str_eq(c->service->proto, "tcp");
	ck_assert_uint_eq(c->service->port, 80);
	ck_assert_ptr_null(c->dest);
	ck_assert_str_eq(c->type, "http");
	ck_assert_str_eq(c->path, "/");
	ck_assert_uint_eq(c->expect_status, 200);
	ck_assert_uint_eq(c->interval_ms, 1000);
	ck_assert_uint_eq(c->timeout_ms, 1000);
	ck_assert_uint_eq(c->rise, 2);
	ck_assert_uint_eq(c->fall, 2);
	ctl_cli_cmd_free(&cmd);

	/* a later --path replaces the default "/" and an earlier one (each
	 * freed: under ASan a leak fails the test when its process exits) */
	ck_assert_int_eq(parse("check set -t 10.0.0.100:80 https --path /a --path /b", &cmd, err,
			       sizeof(err)), CTL_CLI_OK);
	ck_assert_str_eq(cmd.req->check_set->path, "/b");
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(parse("check set -u 10.0.0.100:53 -r 10.1.0.2 udp --send 0a0B --expect-data "
			       "0x0c --interval 0.25 --timeout 0.1", &cmd, err, sizeof(err)), CTL_CLI_OK);
	c = cmd.req->check_set;
	ck_assert_str_eq(c->service->proto, "udp");
	ck_assert_ptr_nonnull(c->dest);
	ck_assert_uint_eq(c->dest_port, 53);            /* the service's, as -a */
	ck_assert_uint_eq(c->send.len, 2);
	ck_assert_uint_eq(c->send.data[0], 0x0a);
	ck_assert_uint_eq(c->send.data[1], 0x0b);
	ck_assert_uint_eq(c->expect_data.len, 1);
	ck_assert_uint_eq(c->expect_data.data[0], 0x0c);
	ck_assert_uint_eq(c->interval_ms, 250);
	ck_assert_uint_eq(c->timeout_ms, 100);
	ck_assert_uint_eq(c->rise, 2);                  /* defaults */
	ck_assert_uint_eq(c->fall, 2);
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(parse("check set -t 10.0.0.100:80 cmd \"test -n \\\"$DPVS_CHECK_ADDR\\\" # x\" "
			       "--port 8080", &cmd, err, sizeof(err)), CTL_CLI_OK);
	c = cmd.req->check_set;
	ck_assert_str_eq(c->type, "cmd");
	ck_assert_str_eq(c->command, "test -n \"$DPVS_CHECK_ADDR\" # x");
	ck_assert_uint_eq(c->port, 8080);
	ck_assert_uint_eq(c->interval_ms, 5000);
	ck_assert_uint_eq(c->timeout_ms, 2000);
	ctl_cli_cmd_free(&cmd);

	ck_assert_int_eq(parse("check del -t 10.0.0.100:80 -r 10.1.0.2:8080", &cmd, err,
			       sizeof(err)), CTL_CLI_OK);
	ck_assert_int_eq(cmd.req->op_case, DPVS__REQUEST__OP_CHECK_DEL);
	ck_assert_uint_eq(cmd.req->check_del->dest_port, 8080);
	ctl_cli_cmd_free(&cmd);
}
END_TEST

static const struct {
	const char *line;
	const char *msg;
} bad_cli[] = {
	{ "check set -t 10.0.0.100:80", "missing the check type" },
	{ "check set -t 10.0.0.100:80 ping", "unknown check type \"ping\"" },
	{ "check set http", "missing -t|-u VIP:PORT" },
	{ "check set -t 10.0.0.100:80 tcp --interval 0", "between 0.1 and 3600 seconds" },
	{ "check set -t 10.0.0.100:80 tcp --interval 1.0001", "not a number of seconds" },
	{ "check set -t 10.0.0.100:80 tcp --interval 3601", "between 0.1 and 3600" },
	{ "check set -t 10.0.0.100:80 tcp --timeout x", "not a number of seconds" },
	{ "check set -t 10.0.0.100:80 tcp --rise 0", "--rise 0: a number 1..100" },
	{ "check set -t 10.0.0.100:80 tcp --fall 101", "--fall 101" },
	{ "check set -t 10.0.0.100:80 tcp --path /", "unexpected option \"--path\" for a tcp" },
	{ "check set -t 10.0.0.100:80 http --path x", "--path x: starts with /" },
	{ "check set -t 10.0.0.100:80 http --expect 99", "--expect 99" },
	{ "check set -u 10.0.0.100:53 udp", "a udp check needs --send HEX" },
	{ "check set -u 10.0.0.100:53 udp --send abc", "two digits each" },
	{ "check set -u 10.0.0.100:53 udp --send zz", "'zz' is not hex" },
	{ "check set -t 10.0.0.100:80 cmd", "cmd needs a command" },
	{ "check set -t 10.0.0.100:80 tcp --interval", "--interval needs a value" },
	{ "check set -t 10.0.0.100:80 -r 10.1.0.2 -r 10.1.0.3 tcp", "-r given twice" },
	{ "check del -t 10.0.0.100:80 tcp", "unexpected word \"tcp\"" },
};

START_TEST(test_cli_check_errors)
{
	struct ctl_cli_cmd cmd;
	char err[256] = "";

	ck_assert_int_ne(parse(bad_cli[_i].line, &cmd, err, sizeof(err)), CTL_CLI_OK);
	ck_assert_msg(strstr(err, bad_cli[_i].msg) != NULL, "%s: '%s' lacks '%s'",
		      bad_cli[_i].line, err, bad_cli[_i].msg);
	ck_assert_ptr_null(cmd.req);
}
END_TEST

START_TEST(test_split_quotes)
{
	char l1[] = "cmd \"a b\" \"c \\\" \\\\ d\" \"\" e#f \"#g\" # comment";
	char l2[] = "cmd \"open";
	char l3[] = "cmd \"a\"b";
	char *argv[8];

	ck_assert_int_eq(ctl_cli_split(l1, argv, 8), 6);
	ck_assert_str_eq(argv[1], "a b");
	ck_assert_str_eq(argv[2], "c \" \\ d");
	ck_assert_str_eq(argv[3], "");
	ck_assert_str_eq(argv[4], "e#f");
	ck_assert_str_eq(argv[5], "#g");
	ck_assert_int_eq(ctl_cli_split(l2, argv, 8), CTL_CLI_SPLIT_QUOTE);
	ck_assert_int_eq(ctl_cli_split(l3, argv, 8), CTL_CLI_SPLIT_QUOTE);
}
END_TEST

static const char base_rules[] =
	"addr add 10.0.0.100/32 dev dpdk0\n"
	"-A -t 10.0.0.100:80 -s wrr\n"
	"-a -t 10.0.0.100:80 -r 10.1.0.2:80 -w 3\n"
	"-a -t 10.0.0.100:80 -r 10.1.0.3:80 -w 1\n"
	"-A -u 10.0.0.100:53 -s rr\n"
	"-a -u 10.0.0.100:53 -r 10.1.0.2:53 -w 1\n";

static void
load(struct dpvs_config_set *set, const char *text)
{
	char err[256] = "";

	ck_assert_msg(ctl_rules_apply(set, root, tctl_tmpfile(text), err, sizeof(err)) == 0,
		      "load failed: %s", err);
}

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

static struct dpvs_dest *
dest_of(struct dpvs_config_set *set, const char *ip, uint16_t port)
{
	struct dpvs_ip x;
	uint32_t i;

	memset(&x, 0, sizeof(x));
	x.family = DPVS_AF_INET;
	inet_pton(AF_INET, ip, x.bytes);
	for (i = 0; i < set->lb.caps.dests; i++) {
		struct dpvs_dest *d = &dpvs_lb_dests(&set->lb)[i];

		if (d->id != 0 && d->port == htons(port) && memcmp(d->addr.bytes, x.bytes, 4) == 0)
			return d;
	}
	return NULL;
}

static int
health(struct dpvs_config_set *set, const char *ip, int down, char *err, size_t errlen)
{
	struct ctl_health_args h;

	memset(&h, 0, sizeof(h));
	h.svc.proto = IPPROTO_TCP;
	h.svc.vip.family = DPVS_AF_INET;
	inet_pton(AF_INET, "10.0.0.100", h.svc.vip.bytes);
	h.svc.port = 80;
	h.addr.family = DPVS_AF_INET;
	inet_pton(AF_INET, ip, h.addr.bytes);
	h.port = 80;
	h.down = down != 0;
	return ctl_dest_health(set, &h, err, errlen);
}

static unsigned int
nchecks(const struct dpvs_config_set *set)
{
	unsigned int i, n = 0;

	for (i = 0; i < set->lb.caps.checks; i++)
		n += dpvs_lb_checks(&set->lb)[i].id != 0;
	return n;
}

START_TEST(test_health_weights)
{
	struct dpvs_dest *d2, *d3;
	char err[256], *saved;

	load(a, base_rules);
	d2 = dest_of(a, "10.1.0.2", 80);
	d3 = dest_of(a, "10.1.0.3", 80);
	/* no check: health cannot be published */
	ck_assert_int_eq(health(a, "10.1.0.2", 1, err, sizeof(err)), -CTL_ENOENT);
	ck_assert_int_eq(ctl_check_of_dest(&a->lb, (uint32_t)(d2 - dpvs_lb_dests(&a->lb))), -1);
	load(a, "check set -t 10.0.0.100:80 tcp --interval 1 --timeout 1\n");
	ck_assert_int_ge(ctl_check_of_dest(&a->lb, (uint32_t)(d2 - dpvs_lb_dests(&a->lb))), 0);
	/* down: weight 0, the configured weight kept */
	ck_assert_int_eq(health(a, "10.1.0.2", 1, err, sizeof(err)), 0);
	ck_assert_int_eq(d2->weight, 0);
	ck_assert_int_eq(d2->conf_weight, 3);
	ck_assert(d2->flags & DPVS_DEST_F_DOWN);
	ck_assert_int_eq(d3->weight, 1);
	/* lb.ndown counts the dests held down (the workers' UDP flow check
	 * reads it); a second "down" counts once */
	ck_assert_uint_eq(a->lb.ndown, 1);
	ck_assert_int_eq(health(a, "10.1.0.2", 1, err, sizeof(err)), 0);
	ck_assert_uint_eq(a->lb.ndown, 1);
	/* -e -w while down changes the configured weight only */
	load(a, "-e -t 10.0.0.100:80 -r 10.1.0.2:80 -w 5\n");
	ck_assert_int_eq(d2->weight, 0);
	ck_assert_int_eq(d2->conf_weight, 5);
	/* save speaks of the configured weight */
	saved = save_of(a);
	ck_assert_ptr_nonnull(strstr(saved, "-r 10.1.0.2:80 -b fnat -w 5"));
	free(saved);
	/* up: the configured weight back */
	ck_assert_int_eq(health(a, "10.1.0.2", 0, err, sizeof(err)), 0);
	ck_assert_int_eq(d2->weight, 5);
	ck_assert(!(d2->flags & DPVS_DEST_F_DOWN));
	ck_assert_uint_eq(a->lb.ndown, 0);
	/* deleting the only check gives a down dest its weight back */
	ck_assert_int_eq(health(a, "10.1.0.3", 1, err, sizeof(err)), 0);
	ck_assert_int_eq(d3->weight, 0);
	ck_assert_uint_eq(a->lb.ndown, 1);
	/* the derived tables rebuilt from the primary state count it again */
	ctl_lb_derive(a);
	ck_assert_uint_eq(a->lb.ndown, 1);
	load(a, "check del -t 10.0.0.100:80\n");
	ck_assert_uint_eq(a->lb.ndown, 0);
	ck_assert_int_eq(d3->weight, 1);
	ck_assert(!(d3->flags & DPVS_DEST_F_DOWN));
	ck_assert_uint_eq(nchecks(a), 0);
}
END_TEST

START_TEST(test_check_set_del_errors)
{
	char err[256] = "";

	load(a, base_rules);
	ck_assert_int_ne(ctl_rules_apply(a, root, tctl_tmpfile("check set -t 10.0.0.9:80 tcp\n"),
					 err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "no service TCP 10.0.0.9:80"));
	ck_assert_int_ne(ctl_rules_apply(a, root, tctl_tmpfile("check set -t 10.0.0.100:80 "
							       "-r 10.1.0.9:80 tcp\n"),
					 err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "no real server 10.1.0.9:80 in TCP 10.0.0.100:80"));
	ck_assert_int_ne(ctl_rules_apply(a, root, tctl_tmpfile("check del -t 10.0.0.100:80\n"),
					 err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "no health check of TCP 10.0.0.100:80"));
	ck_assert_int_ne(ctl_rules_apply(a, root, tctl_tmpfile("check set -t 10.0.0.100:80 cmd "
							       "\"unclosed\n"), err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "line 1: a quoted word is not closed"));
}
END_TEST

START_TEST(test_checks_go_with_their_objects)
{
	struct dpvs_dest *d2;
	char err[256];
	uint32_t s2;

	load(a, base_rules);
	load(a, "check set -t 10.0.0.100:80 http --path /health\n"
		"check set -t 10.0.0.100:80 -r 10.1.0.2:80 tcp\n"
		"check set -u 10.0.0.100:53 udp --send 00\n");
	ck_assert_uint_eq(nchecks(a), 3);
	d2 = dest_of(a, "10.1.0.2", 80);
	s2 = (uint32_t)(d2 - dpvs_lb_dests(&a->lb));
	/* a dest's own check wins over its service's; the map of every dest
	 * agrees with the one-dest lookup */
	ck_assert_uint_eq(dpvs_lb_checks(&a->lb)[ctl_check_of_dest(&a->lb, s2)].type,
			  DPVS_CHECK_TCP);
	{
		uint32_t *cover = ctl_check_cover(&a->lb), i;

		ck_assert_ptr_nonnull(cover);
		for (i = 0; i < a->lb.caps.dests; i++)
			ck_assert_int_eq((int)cover[i] - 1, ctl_check_of_dest(&a->lb, i));
		free(cover);
	}
	/* setting it again replaces it (same slot, new id), health kept */
	ck_assert_int_eq(health(a, "10.1.0.2", 1, err, sizeof(err)), 0);
	load(a, "check set -t 10.0.0.100:80 -r 10.1.0.2:80 tcp --rise 5\n");
	ck_assert_uint_eq(nchecks(a), 3);
	ck_assert_uint_eq(dpvs_lb_checks(&a->lb)[ctl_check_of_dest(&a->lb, s2)].rise, 5);
	ck_assert_int_eq(d2->weight, 0);
	ck_assert_uint_eq(a->lb.ndown, 1);
	/* the dest goes: its check too, and it counts no more as down */
	load(a, "-d -t 10.0.0.100:80 -r 10.1.0.2:80\n");
	ck_assert_uint_eq(nchecks(a), 2);
	ck_assert_uint_eq(a->lb.ndown, 0);
	ck_assert_int_eq(health(a, "10.1.0.3", 1, err, sizeof(err)), 0);
	ck_assert_uint_eq(a->lb.ndown, 1);
	/* the service goes: its checks too */
	load(a, "-D -t 10.0.0.100:80\n");
	ck_assert_uint_eq(nchecks(a), 1);
	ck_assert_uint_eq(a->lb.ndown, 0);
}
END_TEST

static const char checks_rules[] =
	"check set -t 10.0.0.100:80 http --path /h?x=1 --expect 204 --interval 0.5 --timeout 0.25 "
	"--rise 3 --fall 4\n"
	"check set -t 10.0.0.100:80 -r 10.1.0.3:80 cmd \"nc -z \\\"$DPVS_CHECK_ADDR\\\" 80 \\\\ # ok\" "
	"--interval 2.125 --timeout 1 --rise 1 --fall 1 --port 8080\n"
	"check set -u 10.0.0.100:53 udp --send 0001ff --expect-data 00 --interval 1 --timeout 1 "
	"--rise 2 --fall 2\n";

START_TEST(test_save_load_round_trip)
{
	char *s1, *s2;

	load(a, base_rules);
	load(a, checks_rules);
	s1 = save_of(a);
	ck_assert_ptr_nonnull(strstr(s1, "check set -t 10.0.0.100:80 http --path /h?x=1 --expect 204 "
				     "--interval 0.5 --timeout 0.25 --rise 3 --fall 4\n"));
	ck_assert_ptr_nonnull(strstr(s1, "check set -t 10.0.0.100:80 -r 10.1.0.3:80 cmd \"nc -z "
				     "\\\"$DPVS_CHECK_ADDR\\\" 80 \\\\ # ok\" --interval 2.125 "
				     "--timeout 1 --rise 1 --fall 1 --port 8080\n"));
	ck_assert_ptr_nonnull(strstr(s1, "check set -u 10.0.0.100:53 udp --send 0001ff "
				     "--expect-data 00 --interval 1"));
	load(b, s1);
	s2 = save_of(b);
	ck_assert_str_eq(s1, s2);
	ck_assert(TCTL_SAME_TABLES(a, b));
	free(s1);
	free(s2);
}
END_TEST

START_TEST(test_reload_diff_checks)
{
	struct ctl_reload_result r;
	struct ctl_oplist ops = { 0 };
	size_t failed;
	char err[256], *s1, *s2;

	load(a, base_rules);
	load(a, checks_rules);
	/* the file: one check kept, one edited, one removed, one added */
	load(b, base_rules);
	load(b, "check set -t 10.0.0.100:80 http --path /h?x=1 --expect 204 --interval 0.5 "
		"--timeout 0.25 --rise 3 --fall 4\n"
		"check set -u 10.0.0.100:53 udp --send 0001ff --interval 1 --timeout 1\n"
		"check set -t 10.0.0.100:80 -r 10.1.0.2:80 tcp\n");
	ck_assert_int_eq(ctl_reload_diff(a, b, &ops, &r), 0);
	ck_assert_uint_eq(r.check[CTL_RL_ADD], 1);
	ck_assert_uint_eq(r.check[CTL_RL_DEL], 1);
	ck_assert_uint_eq(r.check[CTL_RL_EDIT], 1);
	ck_assert_int_eq(ctl_ops_apply(a, root, ops.v, ops.n, &failed, err, sizeof(err)), 0);
	s1 = save_of(a);
	s2 = save_of(b);
	ck_assert_str_eq(s1, s2);
	free(s1);
	free(s2);
	ctl_oplist_free(&ops);
	/* reloading the same file again changes nothing */
	ck_assert_int_eq(ctl_reload_diff(a, b, &ops, &r), 0);
	ck_assert_uint_eq(ops.n, 0);
	ctl_oplist_free(&ops);
}
END_TEST

START_TEST(test_reload_keeps_health)
{
	struct ctl_reload_result r;
	struct ctl_oplist ops = { 0 };
	size_t failed;
	char err[256];

	load(a, base_rules);
	load(a, "check set -t 10.0.0.100:80 tcp\n");
	ck_assert_int_eq(health(a, "10.1.0.2", 1, err, sizeof(err)), 0);
	/* the file says weight 7: the dest stays down with 7 configured */
	load(b, "addr add 10.0.0.100/32 dev dpdk0\n-A -t 10.0.0.100:80 -s wrr\n"
		"-a -t 10.0.0.100:80 -r 10.1.0.2:80 -w 7\n-a -t 10.0.0.100:80 -r 10.1.0.3:80 -w 1\n"
		"-A -u 10.0.0.100:53 -s rr\n-a -u 10.0.0.100:53 -r 10.1.0.2:53 -w 1\n"
		"check set -t 10.0.0.100:80 tcp\n");
	ck_assert_int_eq(ctl_reload_diff(a, b, &ops, &r), 0);
	ck_assert_uint_eq(r.dest[CTL_RL_EDIT], 1);
	ck_assert_uint_eq(r.check[CTL_RL_ADD] + r.check[CTL_RL_DEL] + r.check[CTL_RL_EDIT], 0);
	ck_assert_int_eq(ctl_ops_apply(a, root, ops.v, ops.n, &failed, err, sizeof(err)), 0);
	ck_assert_int_eq(dest_of(a, "10.1.0.2", 80)->weight, 0);
	ck_assert_int_eq(dest_of(a, "10.1.0.2", 80)->conf_weight, 7);
	ctl_oplist_free(&ops);
}
END_TEST

START_TEST(test_check_table_full)
{
	char err[256] = "", line[128];
	int i;

	load(a, base_rules);
	a->lb.caps.checks = 2;   /* as if [tables] checks = 2 */
	load(a, "check set -t 10.0.0.100:80 tcp\ncheck set -u 10.0.0.100:53 udp --send 00\n");
	snprintf(line, sizeof(line), "check set -t 10.0.0.100:80 -r 10.1.0.2:80 tcp\n");
	i = ctl_rules_apply(a, root, tctl_tmpfile(line), err, sizeof(err));
	ck_assert_int_ne(i, 0);
	ck_assert_ptr_nonnull(strstr(err, "health check table is full (2: [tables] checks"));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ctl_check");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_cli_check_set);
	tcase_add_loop_test(tc, test_cli_check_errors, 0, (int)(sizeof(bad_cli) / sizeof(bad_cli[0])));
	tcase_add_test(tc, test_split_quotes);
	tcase_add_test(tc, test_health_weights);
	tcase_add_test(tc, test_check_set_del_errors);
	tcase_add_test(tc, test_checks_go_with_their_objects);
	tcase_add_test(tc, test_save_load_round_trip);
	tcase_add_test(tc, test_reload_diff_checks);
	tcase_add_test(tc, test_reload_keeps_health);
	tcase_add_test(tc, test_check_table_full);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
