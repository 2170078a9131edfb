/*
 * Unit tests of the address front doors (ctl/daemon/addr.c) on a config set
 * in plain memory: add, duplicate, del, missing, full, IPv6, bad port, bad
 * prefix; every refused operation leaves the set byte-for-byte unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ctl/daemon/addr.h"
#include "ctl/daemon/err.h"
#include "test_ctl_util.h"

static struct dpvs_root *root;
static struct dpvs_config_set *set, *before;

static void
setup(void)
{
	root = tctl_root();
	set = tctl_set();
	before = tctl_set();
	ck_assert_ptr_nonnull(set);
	ck_assert_ptr_nonnull(before);
}

static void
teardown(void)
{
	free(root);
	free(set);
	free(before);
}

/* Run a call that must fail with rc and a message containing msg, and change
 * nothing. */
#define EXPECT_FAIL(call, rc_want, msg)                                              \
	do {                                                                         \
		char err_[256] = "";                                                 \
		TCTL_COPY(before, set);                                   \
		ck_assert_int_eq((call), (rc_want));                                 \
		ck_assert_msg(strstr(err_, (msg)) != NULL, "message \"%s\" lacks \"%s\"", \
			      err_, (msg));                                          \
		ck_assert(TCTL_SAME(set, before));                         \
	} while (0)
#define ERR err_, sizeof(err_)

START_TEST(test_add_and_del)
{
	struct dpvs_addr_entry a = tctl_entry("10.0.0.1", 24, 0);
	struct dpvs_addr_entry b = tctl_entry("10.0.1.1", 16, 1);
	char err[256] = "";

	ck_assert_int_eq(ctl_addr_add(set, root, &a, err, sizeof(err)), 0);
	ck_assert_int_eq(ctl_addr_add(set, root, &b, err, sizeof(err)), 0);
	ck_assert_uint_eq(set->naddrs, 2);
	ck_assert_int_eq(ctl_addr_find(set, &a.addr), 0);
	ck_assert_int_eq(ctl_addr_find(set, &b.addr), 1);
	ck_assert_uint_eq(dpvs_cfg_addrs(set)[0].prefixlen, 24);
	ck_assert_uint_eq(dpvs_cfg_addrs(set)[1].port, 1);

	ck_assert_int_eq(ctl_addr_del(set, root, &a, err, sizeof(err)), 0);
	ck_assert_uint_eq(set->naddrs, 1);
	ck_assert_int_eq(ctl_addr_find(set, &a.addr), -1);
	ck_assert_int_eq(ctl_addr_find(set, &b.addr), 0);
	/* the freed slot is cleared */
	ck_assert_uint_eq(dpvs_cfg_addrs(set)[1].addr.family, 0);
}
END_TEST

START_TEST(test_duplicate)
{
	struct dpvs_addr_entry a = tctl_entry("10.0.0.1", 24, 0);
	struct dpvs_addr_entry on1 = tctl_entry("10.0.0.1", 8, 1);
	char err[256];

	ck_assert_int_eq(ctl_addr_add(set, root, &a, err, sizeof(err)), 0);
	EXPECT_FAIL(ctl_addr_add(set, root, &a, ERR), -CTL_EEXIST, "10.0.0.1 is already on dpdk0");
	/* the same address on another port is refused too */
	EXPECT_FAIL(ctl_addr_add(set, root, &on1, ERR), -CTL_EEXIST,
		    "10.0.0.1 is already on dpdk0");
}
END_TEST

START_TEST(test_del_missing)
{
	struct dpvs_addr_entry a = tctl_entry("10.0.0.1", 24, 0);
	struct dpvs_addr_entry other_port = tctl_entry("10.0.0.1", 24, 1);
	struct dpvs_addr_entry absent = tctl_entry("198.18.9.9", 24, 0);
	char err[256];

	ck_assert_int_eq(ctl_addr_add(set, root, &a, err, sizeof(err)), 0);
	EXPECT_FAIL(ctl_addr_del(set, root, &absent, ERR), -CTL_ENOENT,
		    "198.18.9.9 is not on dpdk0");
	EXPECT_FAIL(ctl_addr_del(set, root, &other_port, ERR), -CTL_ENOENT,
		    "10.0.0.1 is not on dpdk1");
}
END_TEST

START_TEST(test_full)
{
	struct dpvs_addr_entry e;
	char ip[32], err[256];
	unsigned int i;

	for (i = 0; i < set->lb.caps.addrs; i++) {
		snprintf(ip, sizeof(ip), "10.1.%u.%u", i / 200, 1 + i % 200);
		e = tctl_entry(ip, 32, 0);
		ck_assert_int_eq(ctl_addr_add(set, root, &e, err, sizeof(err)), 0);
	}
	ck_assert_uint_eq(set->naddrs, set->lb.caps.addrs);
	e = tctl_entry("10.9.9.9", 32, 0);
	EXPECT_FAIL(ctl_addr_add(set, root, &e, ERR), -CTL_EFULL, "address table is full");
	/* a duplicate is still reported as a duplicate */
	e = tctl_entry("10.1.0.1", 32, 0);
	EXPECT_FAIL(ctl_addr_add(set, root, &e, ERR), -CTL_EEXIST, "already on dpdk0");
}
END_TEST

START_TEST(test_v6)
{
	struct dpvs_addr_entry a = tctl_entry("2001:db8::1", 64, 1);
	struct dpvs_addr_entry v4 = tctl_entry("0.0.0.1", 32, 1);
	char err[256], buf[64];

	ck_assert_int_eq(ctl_addr_add(set, root, &a, err, sizeof(err)), 0);
	ck_assert_uint_eq(dpvs_cfg_addrs(set)[0].addr.family, DPVS_AF_INET6);
	ck_assert_str_eq(ctl_ip_str(&dpvs_cfg_addrs(set)[0].addr, buf, sizeof(buf)), "2001:db8::1");
	EXPECT_FAIL(ctl_addr_add(set, root, &a, ERR), -CTL_EEXIST, "2001:db8::1 is already on dpdk1");
	/* an IPv4 address whose bytes equal the start of an IPv6 one is another address */
	memcpy(v4.addr.bytes, a.addr.bytes, 4);
	ck_assert_int_eq(ctl_addr_add(set, root, &v4, err, sizeof(err)), 0);
	ck_assert_int_eq(ctl_addr_del(set, root, &a, err, sizeof(err)), 0);
	ck_assert_uint_eq(set->naddrs, 1);
	ck_assert_uint_eq(dpvs_cfg_addrs(set)[0].addr.family, DPVS_AF_INET);
}
END_TEST

START_TEST(test_bad_values)
{
	struct dpvs_addr_entry e;

	e = tctl_entry("10.0.0.1", 24, 2);
	EXPECT_FAIL(ctl_addr_add(set, root, &e, ERR), -CTL_ENOPORT, "no port");
	e = tctl_entry("10.0.0.1", 33, 0);
	EXPECT_FAIL(ctl_addr_add(set, root, &e, ERR), -CTL_EINVAL,
		    "bad prefix length 33 for 10.0.0.1 (0..32)");
	e = tctl_entry("2001:db8::1", 129, 0);
	EXPECT_FAIL(ctl_addr_add(set, root, &e, ERR), -CTL_EINVAL, "(0..128)");
	e = tctl_entry("0.0.0.0", 0, 0);
	EXPECT_FAIL(ctl_addr_add(set, root, &e, ERR), -CTL_EINVAL, "cannot be a host address");
	e = tctl_entry("224.0.0.1", 32, 0);
	EXPECT_FAIL(ctl_addr_add(set, root, &e, ERR), -CTL_EINVAL, "cannot be a host address");
	e = tctl_entry("ff02::1", 128, 0);
	EXPECT_FAIL(ctl_addr_add(set, root, &e, ERR), -CTL_EINVAL, "cannot be a host address");
	e = tctl_entry("10.0.0.1", 24, 0);
	e.addr.family = 5;
	EXPECT_FAIL(ctl_addr_add(set, root, &e, ERR), -CTL_EINVAL, "bad address family");
	e = tctl_entry("10.0.0.1", 24, 0);
	e.addr.bytes[9] = 1;
	EXPECT_FAIL(ctl_addr_add(set, root, &e, ERR), -CTL_EINVAL, "encoding");
}
END_TEST

START_TEST(test_port_find_and_strerror)
{
	char err[256] = "";

	ck_assert_int_eq(ctl_port_find(root, "dpdk1", err, sizeof(err)), 1);
	ck_assert_int_eq(ctl_port_find(root, "dpdk9", err, sizeof(err)), -CTL_ENOPORT);
	ck_assert_str_eq(err, "no port named dpdk9");
	ck_assert_str_eq(ctl_strerror(-CTL_EEXIST), "already exists");
	ck_assert_str_eq(ctl_strerror(0), "success");
	ck_assert_str_eq(ctl_strerror(-999), "unknown error");
	ck_assert_int_eq(ctl_err_status(-CTL_ENOPORT), DPVS__STATUS__ERR_NOT_FOUND);
	ck_assert_int_eq(ctl_err_status(-CTL_EFULL), DPVS__STATUS__ERR_FULL);
	ck_assert_int_eq(ctl_err_status(0), DPVS__STATUS__OK);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ctl_addr");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_add_and_del);
	tcase_add_test(tc, test_duplicate);
	tcase_add_test(tc, test_del_missing);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_v6);
	tcase_add_test(tc, test_bad_values);
	tcase_add_test(tc, test_port_find_and_strerror);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
