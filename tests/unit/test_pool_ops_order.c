/*
 * The mempool ops table of a dpvs-mp process must agree with a plain DPDK
 * process's on DPDK's own ops (shm/pool.c: dpvs_mag is registered after
 * rte_eal_init, not by a constructor): a worker that copies a captured packet
 * into dpdk-dumpcap's pool reaches dumpcap's ring_mp_mc through the index
 * dumpcap stored in its pool. Compares this process's table (EAL, then
 * dpvs_pool_register_ops) with the one dpvs-ops-list (plain DPDK, built next
 * to this test) prints.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <rte_eal.h>
#include <rte_mempool.h>

#include "shm/eal.h"
#include "shm/pool_ops.h"

static int
ops_index(const char *name)
{
	unsigned int i;

	for (i = 0; i < rte_mempool_ops_table.num_ops; i++)
		if (strcmp(rte_mempool_ops_table.ops[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* The plain process's table: names[i] for i < returned count. */
static unsigned int
plain_table(char names[][RTE_MEMPOOL_OPS_NAMESIZE], unsigned int max)
{
	char self[PATH_MAX], cmd[PATH_MAX + 32], line[128], name[RTE_MEMPOOL_OPS_NAMESIZE];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	unsigned int idx, count = 0;
	FILE *f;

	ck_assert_int_gt(n, 0);
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(cmd, sizeof(cmd), "%s/dpvs-ops-list", self);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL && count < max) {
		ck_assert_int_eq(sscanf(line, "%u %31s", &idx, name), 2);
		ck_assert_uint_eq(idx, count);
		snprintf(names[count++], RTE_MEMPOOL_OPS_NAMESIZE, "%s", name);
	}
	ck_assert_int_eq(pclose(f), 0);
	return count;
}

START_TEST(test_dpdk_ops_keep_their_indexes)
{
	static char plain[RTE_MEMPOOL_MAX_OPS_IDX][RTE_MEMPOOL_OPS_NAMESIZE];
	unsigned int n, i;
	int idx;

	/* no constructor registered ours ahead of the plugins */
	ck_assert_int_eq(ops_index("dpvs_mag"), -1);
	idx = dpvs_pool_register_ops();
	ck_assert_int_ge(idx, 0);
	ck_assert_int_eq(dpvs_pool_register_ops(), idx);   /* idempotent */
	n = plain_table(plain, RTE_MEMPOOL_MAX_OPS_IDX);
	ck_assert_uint_gt(n, 0);
	ck_assert_int_ge(ops_index("ring_mp_mc"), 0);
	for (i = 0; i < n; i++)
		ck_assert_msg(strcmp(rte_mempool_ops_table.ops[i].name, plain[i]) == 0,
			      "ops %u is %s here and %s in a plain DPDK process", i,
			      rte_mempool_ops_table.ops[i].name, plain[i]);
	/* ours comes after DPDK's, and only once */
	ck_assert_uint_eq(rte_mempool_ops_table.num_ops, n + 1);
	ck_assert_int_eq(idx, (int)n);
}
END_TEST

int
main(void)
{
	char prefix[64];
	char *eal[] = { "test_pool_ops_order", "--no-huge", "--no-shconf", "-m", "64", "--no-pci",
			"--no-telemetry", prefix, "--log-level=lib.eal:error", "-l", "0", NULL };
	Suite *s = suite_create("pool_ops_order");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	snprintf(prefix, sizeof(prefix), "--file-prefix=tpoo%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return EXIT_FAILURE;
	}
	tcase_add_test(tc, test_dpdk_ops_keep_their_indexes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	dpvs_eal_cleanup_private();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
