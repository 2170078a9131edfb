/*
 * The neighbour table of one worker: open addressing with linear probing in
 * the worker's shm region (struct dpvs_worker_region.neigh[]), keyed by
 * (port index, address). Written only by the owning worker; read lock-free
 * by dpvs-ctl (`neigh show`): an entry's fields are written before its state
 * is release-stored, so a reader never sees a half-made entry.
 * Pure functions on the region: no EAL needed.
 */
#ifndef DPVS_WORKER_NEIGH_H
#define DPVS_WORKER_NEIGH_H

#include <stdint.h>

#include "shm/layout.h"

#define WK_NEIGH_UPDATED 0
#define WK_NEIGH_NEW     1

/* Learn or refresh (port, ip) -> mac. Returns WK_NEIGH_NEW, WK_NEIGH_UPDATED
 * or -ENOSPC when the table is full. A static entry keeps its MAC. */
int wk_neigh_learn(struct dpvs_worker_region *wr, uint16_t port, const struct dpvs_ip *ip,
		   const uint8_t mac[DPVS_ETHER_LEN], uint64_t now_ns);
/* The entry of (port, ip), or NULL. */
const struct dpvs_neigh *wk_neigh_lookup(const struct dpvs_worker_region *wr, uint16_t port,
					 const struct dpvs_ip *ip);
/* Recount the used slots into wr->neigh_count (derived state, rebuilt at
 * start); returns the count. */
uint32_t wk_neigh_recount(struct dpvs_worker_region *wr);
/* Fill an IPv4 dpvs_ip from a network-order address. */
void wk_ip_from_v4(struct dpvs_ip *ip, uint32_t addr_be);

#endif
