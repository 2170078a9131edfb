/*
 * Lookup of the node's own addresses in the active config set (shm/config.h)
 * that the worker loaded at the top of its loop iteration, through the
 * address index dpvs-ctl derived when it published the set (lb.addr_hash,
 * shm/lb_hash.h): one probe, whatever the number of addresses. Read-only.
 */
#include <string.h>

#include "shm/lb_hash.h"
#include "worker/l2/neigh.h"
#include "worker/worker.h"

int
wk_addr_v4_is_ours(const struct dpvs_config_set *cfg, uint16_t port, uint32_t addr)
{
	const struct dpvs_addr_ix *e;
	struct dpvs_ip ip;

	wk_ip_from_v4(&ip, addr);
	e = dpvs_addr_lookup(&cfg->lb, &ip);
	if (e == NULL)
		return 0;
	if (port == WK_PORT_NONE)
		return e->ports != 0;
	return port < DPVS_MAX_PORTS && (e->ports & (1u << port)) != 0;
}
