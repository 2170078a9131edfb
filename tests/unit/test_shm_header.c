/*
 * Unit tests for the root header check (shm/shm.c): a secondary must refuse a
 * root memzone built by another layout, DPDK version or struct size, or with
 * capacities this build does not accept, and say what differs; a config set
 * or worker region must match the root's capacities (shm/cfgset.c); and the
 * layout fingerprint check (a description that differs in one member of one
 * struct is refused with the struct and the member named, whether or not a
 * size changed; every shared struct outside the root is covered too). Plain
 * memory, no EAL.
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
	/* 64-byte aligned as in its memzone: calloc's 16 is UB for the type */
	struct dpvs_root *r = aligned_alloc(64, sizeof(*r));

	ck_assert_ptr_nonnull(r);
	memset(r, 0, sizeof(*r));
	dpvs_shm_fill_header(r);
	dpvs_caps_default(&r->conf.caps);
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

static struct dpvs_caps
small_caps(void)
{
	struct dpvs_caps c;

	dpvs_caps_default(&c);
	c.services = 64;
	c.dests = 256;
	c.svc_dests = 32;
	c.sched_tables = 8;
	return c;
}

START_TEST(test_config_active_follows_index)
{
	struct dpvs_caps c = small_caps();
	struct dpvs_shm shm;

	memset(&shm, 0, sizeof(shm));
	shm.root = fresh_root();
	shm.set[0] = dpvs_cfgset_alloc(&c);
	shm.set[1] = dpvs_cfgset_alloc(&c);
	shm.set[1]->version = 7;
	ck_assert_ptr_eq(dpvs_config_active(&shm), shm.set[0]);
	__atomic_store_n(&shm.root->config.active, 1, __ATOMIC_RELEASE);
	ck_assert_ptr_eq(dpvs_config_active(&shm), shm.set[1]);
	ck_assert_uint_eq(dpvs_config_active(&shm)->version, 7);
	free(shm.set[0]);
	free(shm.set[1]);
	free(shm.root);
}
END_TEST

/* Capacities outside their limits in the root: refused, naming the key. */
START_TEST(test_caps_in_header)
{
	struct dpvs_root *r = fresh_root();
	char err[256] = "";

	ck_assert_uint_eq(r->conf.caps.services, 4096);
	ck_assert_uint_eq(r->conf.caps.dests, 65536);
	r->conf.caps.services = 0;
	ck_assert_int_eq(dpvs_shm_check_header(r, err, sizeof(err)), -EPROTO);
	ck_assert_ptr_nonnull(strstr(err, "[tables] services = 0"));
	dpvs_caps_default(&r->conf.caps);
	r->conf.caps.svc_dests = r->conf.caps.dests + 1;
	ck_assert_int_eq(dpvs_shm_check_header(r, err, sizeof(err)), -EPROTO);
	ck_assert_ptr_nonnull(strstr(err, "dests_per_service"));
	dpvs_caps_default(&r->conf.caps);
	r->conf.caps.services = 65534;
	r->conf.caps.svc_dests = 65535;
	r->conf.caps.dests = 1u << 20;
	ck_assert_int_eq(dpvs_shm_check_header(r, err, sizeof(err)), -EPROTO);
	ck_assert_ptr_nonnull(strstr(err, "MiB"));
	free(r);
}
END_TEST

START_TEST(test_layout_fingerprint)
{
	struct dpvs_layout_desc *d = calloc(1, sizeof(*d));
	char err[512] = "", *line;
	static const char *const outside[] = {
		"dpvs_pool_depot", "dpvs_mag", "rte_ring", "dpvs_service", "dpvs_dest",
		"dpvs_route", "dpvs_addr_ix", "dpvs_worker_sup", "dpvs_worker_self",
		"dpvs_check", "dpvs_layout_ints",
	};
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
	/* what lives in shared memory outside the root is covered too: the
	 * pool's depot and magazines, the ring header the repair writes, the
	 * tables at offsets of a config set */
	for (i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		unsigned int j;

		for (j = 0; j < d->n; j++)
			if (strcmp(d->e[j].name, outside[i]) == 0)
				break;
		ck_assert_msg(j < d->n, "%s is not in the layout fingerprint", outside[i]);
	}
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

/* A config set or worker region laid out for other capacities is refused. */
START_TEST(test_set_and_region_match_caps)
{
	struct dpvs_caps c = small_caps(), other = small_caps();
	struct dpvs_config_set *set = dpvs_cfgset_alloc(&c);
	struct dpvs_worker_region *wr = aligned_alloc(64, (dpvs_wr_size(&c) + 63) & ~63ull);
	char err[256] = "";

	ck_assert_ptr_nonnull(set);
	ck_assert_ptr_nonnull(wr);
	memset(wr, 0, dpvs_wr_size(&c));
	dpvs_wr_format(wr, &c, 3);
	ck_assert_int_eq(dpvs_cfgset_check(set, &c, set->size, err, sizeof(err)), 0);
	ck_assert_int_eq(dpvs_wr_check(wr, &c, wr->size, err, sizeof(err)), 0);
	other.dests = 512;
	ck_assert_int_eq(dpvs_cfgset_check(set, &other, set->size, err, sizeof(err)), -EPROTO);
	ck_assert_int_eq(dpvs_wr_check(wr, &other, wr->size, err, sizeof(err)), -EPROTO);
	ck_assert_ptr_nonnull(strstr(err, "worker region 3"));
	/* a memzone shorter than the layout */
	ck_assert_int_eq(dpvs_cfgset_check(set, &c, set->size - 1, err, sizeof(err)), -EPROTO);
	/* the accessors land inside the set */
	ck_assert((char *)dpvs_lb_svc_dests(&set->lb, c.services - 1) + c.svc_dests * 4 <=
		  (char *)set + set->size);
	ck_assert((char *)dpvs_lb_dirty(&set->lb) + c.services * 2 <= (char *)set + set->size);
	ck_assert((char *)(dpvs_wr_dest_stats(wr) + c.dests) <= (char *)wr + wr->size);
	free(set);
	free(wr);
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
	tcase_add_test(tc, test_caps_in_header);
	tcase_add_test(tc, test_set_and_region_match_caps);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
