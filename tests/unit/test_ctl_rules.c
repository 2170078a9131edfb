/*
 * Unit tests of the rules-file loader (ctl/daemon/rules.c): a good file is
 * applied line by line through the dpvsctl parser and the front doors; a bad
 * line N stops the load with "line N: ..." and leaves the config unchanged;
 * ctl_rules_load() publishes the result as one generation. Plain memory.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "ctl/daemon/addr.h"
#include "ctl/daemon/err.h"
#include "ctl/rules.h"
#include "test_ctl_util.h"

static struct dpvs_root *root;
static struct dpvs_config_set *set, *before;

static void
setup(void)
{
	root = tctl_root();
	set = tctl_set();
	before = tctl_set();
}

static void
teardown(void)
{
	free(root);
	free(set);
	free(before);
	tctl_tmp_cleanup();
}

static const char good_rules[] =
	"# addresses of the node\n"
	"\n"
	"addr add 10.0.0.1/24 dev dpdk0\n"
	"   addr add 10.0.1.1 dev dpdk1   # a host address\n"
	"addr add 2001:db8::1/64 dev dpdk0\n"
	"addr add 10.0.0.9/24 dev dpdk0\n"
	"addr del 10.0.0.9 dev dpdk0\n";

START_TEST(test_good_file)
{
	const char *path = tctl_tmpfile(good_rules);
	struct dpvs_addr_entry e;
	char err[256] = "";

	ck_assert_int_eq(ctl_rules_apply(set, root, path, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	ck_assert_uint_eq(set->naddrs, 3);
	e = tctl_entry("10.0.0.1", 24, 0);
	ck_assert_int_eq(ctl_addr_find(set, &e.addr), 0);
	ck_assert_uint_eq(dpvs_cfg_addrs(set)[0].prefixlen, 24);
	e = tctl_entry("10.0.1.1", 32, 1);
	ck_assert_int_eq(ctl_addr_find(set, &e.addr), 1);
	ck_assert_uint_eq(dpvs_cfg_addrs(set)[1].prefixlen, 32);
	ck_assert_uint_eq(dpvs_cfg_addrs(set)[1].port, 1);
	e = tctl_entry("2001:db8::1", 64, 0);
	ck_assert_int_eq(ctl_addr_find(set, &e.addr), 2);
	e = tctl_entry("10.0.0.9", 24, 0);
	ck_assert_int_eq(ctl_addr_find(set, &e.addr), -1);
}
END_TEST

struct bad_file {
	const char *text;
	const char *msg;
};

static const struct bad_file bad_files[] = {
	{ "addr add 10.0.0.1/24 dev dpdk0\n# c\naddr add 10.0.0.300/24 dev dpdk0\n",
	  "line 3: bad address 10.0.0.300" },
	{ "addr add 10.0.0.1/24 dev dpdk0\naddr add 10.0.0.2/24 dev dpdk9\n",
	  "line 2: no port named dpdk9" },
	{ "addr add 10.0.0.1/24 dev dpdk0\n\naddr add 10.0.0.1/16 dev dpdk0\n",
	  "line 3: 10.0.0.1 is already on dpdk0" },
	{ "addr add 10.0.0.1/24 dev dpdk0\nstats\n", "line 2: \"stats\" does not belong" },
	{ "frobnicate 1 2\n", "line 1: unknown command \"frobnicate 1\"" },
	{ "addr add 10.0.0.1/24 dev dpdk0\naddr del 10.0.0.2 dev dpdk0\n",
	  "line 2: 10.0.0.2 is not on dpdk0" },
	{ "\n\n\n\naddr add 10.0.0.1/40 dev dpdk0\n", "line 5: bad prefix length 40" },
};

START_TEST(test_bad_line_rejects_file)
{
	const char *path = tctl_tmpfile(bad_files[_i].text);
	struct dpvs_addr_entry e = tctl_entry("192.0.2.1", 24, 1);
	char err[256] = "";

	/* something already there must survive untouched */
	ck_assert_int_eq(ctl_addr_add(set, root, &e, err, sizeof(err)), 0);
	TCTL_COPY(before, set);
	ck_assert_int_lt(ctl_rules_apply(set, root, path, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, bad_files[_i].msg) != NULL, "case %d: \"%s\" lacks \"%s\"", _i,
		      err, bad_files[_i].msg);
	ck_assert(TCTL_SAME(set, before));
}
END_TEST

/* A NUL in a line would cut it short ("dev dpdk0\0 junk" -> "dev dpdk0"):
 * the file is refused instead. */
START_TEST(test_nul_in_line)
{
	static const char text[] = "addr add 10.0.0.1/24 dev dpdk0\n"
				   "addr add 10.0.0.2/24 dev dpdk0\0 evil\n";
	char path[] = "/tmp/test_ctl_nulXXXXXX", err[256] = "";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	memcpy(before, set, sizeof(*set));
	ck_assert_int_eq(ctl_rules_apply(set, root, path, err, sizeof(err)), -CTL_EINVAL);
	unlink(path);
	ck_assert_msg(strstr(err, "line 2: contains a NUL byte") != NULL, "%s", err);
	ck_assert_mem_eq(set, before, sizeof(*set));
}
END_TEST

START_TEST(test_missing_file)
{
	char err[256] = "";

	ck_assert_int_eq(ctl_rules_apply(set, root, "/nonexistent/rules", err, sizeof(err)),
			 -CTL_EIO);
	ck_assert_ptr_nonnull(strstr(err, "cannot open /nonexistent/rules"));
}
END_TEST

START_TEST(test_load_publishes_once)
{
	const char *good = tctl_tmpfile(good_rules);
	struct dpvs_shm shm;
	const struct dpvs_config_set *act;
	const char *bad;
	char err[256] = "";

	memset(&shm, 0, sizeof(shm));
	shm.root = root;       /* no RCU: no worker online */
	shm.set[0] = tctl_set();  /* plain memory: no lpm */
	shm.set[1] = tctl_set();
	ck_assert_int_eq(ctl_rules_load(&shm, good, err, sizeof(err)), 0);
	ck_assert_uint_eq(root->config.generation, 1);
	ck_assert_uint_eq(root->config.active, 1);
	act = dpvs_config_active(&shm);
	ck_assert_uint_eq(act->naddrs, 3);
	ck_assert_uint_eq(act->version, 1);
	/* the change was replayed on the other copy: both are equal again */
	ck_assert_uint_eq(shm.set[0]->naddrs, 3);
	ck_assert(memcmp(&shm.set[0]->lb, &shm.set[1]->lb, sizeof(shm.set[0]->lb)) == 0);

	bad = tctl_tmpfile("addr add 10.9.9.9 dev dpdk0\nbogus\n");
	ck_assert_int_lt(ctl_rules_load(&shm, bad, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "line 2:"));
	ck_assert_uint_eq(root->config.generation, 1);
	ck_assert_uint_eq(root->config.active, 1);
	ck_assert_uint_eq(dpvs_config_active(&shm)->naddrs, 3);
	ck_assert_uint_eq(shm.set[0]->naddrs, 3);
	free(shm.set[0]);
	free(shm.set[1]);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ctl_rules");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_good_file);
	tcase_add_loop_test(tc, test_bad_line_rejects_file, 0,
			    (int)(sizeof(bad_files) / sizeof(bad_files[0])));
	tcase_add_test(tc, test_nul_in_line);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_load_publishes_once);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
