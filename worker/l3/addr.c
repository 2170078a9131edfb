/*
 * Lookup of the node's own addresses in the active config set (shm/config.h)
 * that the worker loaded at the top of its loop iteration, through the
 * address index dpvs-ctl derived when it published the set (lb.addr_hash,
 * shm/lb_hash.h): one probe, whatever the number of addresses. And the
 * choice of our source address on a port (ARP and ND requests, ICMP errors).
 * Read-only.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "shm/lb_hash.h"
#include "worker/l2/neigh.h"
#include "worker/l3/l3.h"
#include "worker/worker.h"

int
wk_addr_is_ours(const struct dpvs_config_set *cfg, uint16_t port, const struct dpvs_ip *ip)
{
	const struct dpvs_addr_ix *e = dpvs_addr_lookup(&cfg->lb, ip);

	if (e == NULL)
		return 0;
	if (port == WK_PORT_NONE)
		return e->ports != 0;
	return port < DPVS_MAX_IFACES && (e->ports & (1u << port)) != 0;
}

int
wk_addr_v4_is_ours(const struct dpvs_config_set *cfg, uint16_t port, uint32_t addr)
{
	struct dpvs_ip ip;

	wk_ip_from_v4(&ip, addr);
	return wk_addr_is_ours(cfg, port, &ip);
}

uint32_t
wk_addr_v4_source(const struct dpvs_config_set *cfg, uint16_t port, uint32_t toward_be)
{
	uint32_t i, a, first = 0, mask, n = RTE_MIN(cfg->naddrs, cfg->lb.caps.addrs);
	const struct dpvs_addr_entry *e;

	for (i = 0; i < n; i++) {
		e = &dpvs_cfg_addrs(cfg)[i];
		if (e->addr.family != DPVS_AF_INET || e->port != port)
			continue;
		memcpy(&a, e->addr.bytes, sizeof(a));
		if (first == 0)
			first = a;
		mask = e->prefixlen == 0 ? 0 :
					   rte_cpu_to_be_32(~0u << (32 - RTE_MIN(e->prefixlen, 32)));
		if (((a ^ toward_be) & mask) == 0)
			return a;
	}
	return first;
}

/* Is b on a's network of length len? */
static int
ip6_same_net(const uint8_t *a, const uint8_t *b, unsigned int len)
{
	uint8_t x[16], y[16];

	dpvs_ip6_mask(x, a, len);
	dpvs_ip6_mask(y, b, len);
	return memcmp(x, y, 16) == 0;
}

int
wk_addr_v6_source(const struct dpvs_config_set *cfg, uint16_t port, const uint8_t toward[16],
		  uint8_t out[16])
{
	uint32_t i, n = RTE_MIN(cfg->naddrs, cfg->lb.caps.addrs);
	const uint8_t *first = NULL, *global = NULL, *ll = NULL;
	const struct dpvs_addr_entry *e;

	for (i = 0; i < n; i++) {
		e = &dpvs_cfg_addrs(cfg)[i];
		if (e->addr.family != DPVS_AF_INET6 || e->port != port)
			continue;
		if (first == NULL)
			first = e->addr.bytes;
		if (wk_ip6_is_linklocal(e->addr.bytes)) {
			if (ll == NULL)
				ll = e->addr.bytes;
		} else if (global == NULL) {
			global = e->addr.bytes;
		}
		if (e->prefixlen > 0 && e->prefixlen < 128 &&
		    ip6_same_net(e->addr.bytes, toward, e->prefixlen)) {
			memcpy(out, e->addr.bytes, 16);
			return 0;
		}
	}
	if (wk_ip6_is_linklocal(toward) && ll != NULL)
		first = ll;
	else if (global != NULL)
		first = global;
	if (first == NULL)
		return -1;
	memcpy(out, first, 16);
	return 0;
}
