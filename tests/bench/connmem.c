/*
 * dpvs-bench-connmem: what a worker's connection table costs, from the
 * layout of this build (shm/conn.h), for `make bench`'s "bytes per
 * connection" column and the docs.
 *
 *   dpvs-bench-connmem CAPACITY
 *
 * Prints one line: "CONNMEM <capacity> <entry bytes> <index bytes per
 * connection> <bytes per connection, the whole memzone / capacity>
 * <memzone MiB>". No EAL, no shared memory: sizes only.
 */
#include <stdio.h>
#include <stdlib.h>

#include "shm/shm.h"

int
main(int argc, char **argv)
{
	unsigned long cap = argc == 2 ? strtoul(argv[1], NULL, 10) : 0;
	uint64_t mz, idx;

	if (cap < DPVS_CONN_MIN_CAP || cap > DPVS_CONN_MAX_CAP) {
		fprintf(stderr, "usage: dpvs-bench-connmem CAPACITY (%u..%u)\n", DPVS_CONN_MIN_CAP,
			DPVS_CONN_MAX_CAP);
		return 2;
	}
	mz = DPVS_CONN_MZ_SIZE(cap);
	idx = (uint64_t)DPVS_CONN_NBUCKETS(cap) * sizeof(struct dpvs_conn_bkt);
	printf("CONNMEM %lu %zu %.1f %.1f %.1f\n", cap, sizeof(struct dpvs_conn),
	       (double)idx / (double)cap, (double)mz / (double)cap,
	       (double)mz / (1024.0 * 1024.0));
	return 0;
}
