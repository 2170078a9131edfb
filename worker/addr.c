/*
 * Lookup of the node's own addresses in the active config set (shm/config.h)
 * that the worker loaded at the top of its loop iteration. Read-only.
 * A linear scan: the set holds at most DPVS_MAX_ADDRS entries and is small in
 * practice; a derived index can replace it without changing callers.
 */
#include <string.h>

#include "worker.h"

int
wk_addr_v4_is_ours(const struct dpvs_config_set *cfg, uint16_t port, uint32_t addr)
{
	const struct dpvs_addr_entry *e;
	uint32_t i, n = cfg->naddrs;

	if (n > DPVS_MAX_ADDRS)
		n = DPVS_MAX_ADDRS;
	for (i = 0; i < n; i++) {
		e = &cfg->addrs[i];
		if (e->addr.family != DPVS_AF_INET)
			continue;
		if (port != WK_PORT_NONE && e->port != port)
			continue;
		if (memcmp(e->addr.bytes, &addr, sizeof(addr)) == 0)
			return 1;
	}
	return 0;
}
