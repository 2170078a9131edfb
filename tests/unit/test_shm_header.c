/*
 * Unit tests for the root header check (shm/shm.c): a secondary must refuse a
 * root memzone built by another layout, DPDK version or struct size, and say
 * what differs; and the layout fingerprint check (a description that differs
 * in one member of one struct is refused with the struct and the member
 * named, whether or not a size changed). Plain memory, no EAL.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "shm/layout_fp.h"
#include "shm/shm.h"

static struct dpvs_root *
fresh_root(void)
{
	struct dpvs_root *r = calloc(1, sizeof(*r));

	ck_assert_ptr_nonnull(r);
	dpvs_shm_fill_header(r);
	return r;
}

START_TEST(test_header_matches_own_build)
{
	struct dpvs_root *r = fresh_root();
	char err[256] = "";

	ck_assert_int_eq(dpvs_shm_check_header(r, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	free(r);
}
END_TEST

START_TEST(test_header_bad_magic)
{
	struct dpvs_root *r = fresh_root();
	char err[256] = "";

	r->magic = 0x1234;
	ck_assert_int_lt(dpvs_shm_check_header(r, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "magic"));
	free(r);
}
END_TEST

START_TEST(test_header_other_layout_version)
{
	struct dpvs_root *r = fresh_root();
	char err[256] = "";

	r->layout_version = DPVS_LAYOUT_VERSION + 1;
	ck_assert_int_lt(dpvs_shm_check_header(r, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "layout version"));
	free(r);
}
END_TEST

START_TEST(test_header_other_dpdk)
{
	struct dpvs_root *r = fresh_root();
	char err[256] = "";

	strcpy(r->dpdk_version, "DPDK 1.0.0");
	ck_assert_int_lt(dpvs_shm_check_header(r, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "DPDK 1.0.0"));
	free(r);
}
END_TEST

START_TEST(test_header_struct_size_differs)
{
	struct dpvs_root *r = fresh_root();
	char err[256] = "";

	r->sz_worker_region += 8;
	ck_assert_int_lt(dpvs_shm_check_header(r, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "sz_worker_region"));
	free(r);
}
END_TEST

START_TEST(test_config_active_follows_index)
{
	struct dpvs_root *r = fresh_root();

	r->config.set[1].version = 7;
	ck_assert_ptr_eq(dpvs_config_active(r), &r->config.set[0]);
	__atomic_store_n(&r->config.active, 1, __ATOMIC_RELEASE);
	ck_assert_ptr_eq(dpvs_config_active(r), &r->config.set[1]);
	ck_assert_uint_eq(dpvs_config_active(r)->version, 7);
	free(r);
}
END_TEST

START_TEST(test_layout_fingerprint)
{
	struct dpvs_layout_desc *d = calloc(1, sizeof(*d));
	char err[512] = "", *line;
	unsigned int i, slot = DPVS_LAYOUT_MAX_STRUCTS;

	ck_assert_ptr_nonnull(d);
	dpvs_layout_desc_fill(d);
	ck_assert_uint_eq(d->n, dpvs_layout_nfps);
	ck_assert_uint_ge(d->n, 10);
	ck_assert_int_eq(dpvs_shm_check_layout(d, err, sizeof(err)), 0);
	for (i = 0; i < d->n; i++)
		if (strcmp(d->e[i].name, "dpvs_worker_slot") == 0)
			slot = i;
	ck_assert_uint_lt(slot, d->n);
	/* the node's slot has another member at the same place: rename it */
	line = strstr(d->text + d->e[slot].text_off, " restarts;");
	ck_assert_ptr_nonnull(line);
	memcpy(line, " restartz;", 10);
	d->e[slot].hash ^= 1;
	ck_assert_int_eq(dpvs_shm_check_layout(d, err, sizeof(err)), -EPROTO);
	ck_assert_ptr_nonnull(strstr(err, "struct dpvs_worker_slot"));
	ck_assert_ptr_nonnull(strstr(err, "restartz"));
	ck_assert_ptr_nonnull(strstr(err, "restarts"));
	/* a struct this build does not know */
	dpvs_layout_desc_fill(d);
	snprintf(d->e[0].name, sizeof(d->e[0].name), "dpvs_future");
	ck_assert_int_eq(dpvs_shm_check_layout(d, err, sizeof(err)), -EPROTO);
	ck_assert_ptr_nonnull(strstr(err, "dpvs_future"));
	/* not a description at all */
	d->magic = 0;
	ck_assert_int_eq(dpvs_shm_check_layout(d, err, sizeof(err)), -EPROTO);
	free(d);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("shm_header");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_header_matches_own_build);
	tcase_add_test(tc, test_header_bad_magic);
	tcase_add_test(tc, test_header_other_layout_version);
	tcase_add_test(tc, test_header_other_dpdk);
	tcase_add_test(tc, test_header_struct_size_differs);
	tcase_add_test(tc, test_config_active_follows_index);
	tcase_add_test(tc, test_layout_fingerprint);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
