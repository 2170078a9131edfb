/*
 * dpvs-ops-list: a plain DPDK process (no dpvs-mp code linked in) that prints
 * its mempool ops table after rte_eal_init(), one "INDEX NAME" a line. It
 * stands for any DPDK tool attached to a node (dpdk-dumpcap): unit test
 * test_pool_ops_order compares its table with a dpvs-mp process's.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_mempool.h>


int
main(int argc, char **argv)
{
	char prefix[64], dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *de;
	DIR *d;
	char *eal[] = { argv[0], "--no-huge", "--no-shconf", "-m", "64", "--no-pci",
			"--no-telemetry", prefix, "--log-level=lib.eal:error", "-l", "0", NULL };
	unsigned int i;

	(void)argc;
	snprintf(prefix, sizeof(prefix), "--file-prefix=opsl%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0)
		return 1;
	for (i = 0; i < rte_mempool_ops_table.num_ops; i++)
		printf("%u %s\n", i, rte_mempool_ops_table.ops[i].name);
	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	/* EAL leaves its runtime directory (/var/run/dpdk/<prefix>) behind */
	d = opendir(dir);
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
	return 0;
}
