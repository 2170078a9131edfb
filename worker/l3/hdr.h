/*
 * Header validation of the ARP and IPv4 stages, as pure functions on memory
 * so that unit tests run them without EAL. Each returns DPVS_DROP_MAX when
 * the header is acceptable, else the drop reason to count.
 */
#ifndef DPVS_WORKER_HDR_H
#define DPVS_WORKER_HDR_H

#include <stdint.h>

#include "shm/stats.h"

struct rte_arp_hdr;
struct rte_ipv4_hdr;

/* An Ethernet/IPv4 ARP header of len bytes (len counts from the ARP header
 * to the end of the frame). The opcode is not checked here. */
enum dpvs_drop_reason wk_arp_check(const struct rte_arp_hdr *arp, uint32_t len);

/* An IPv4 header: contig bytes of it are readable in one piece, avail bytes
 * remain in the frame from the header on. Checks version, ihl, total length
 * against the frame, then the header checksum. */
enum dpvs_drop_reason wk_ipv4_check(const struct rte_ipv4_hdr *ip, uint32_t contig,
				    uint32_t avail);

#endif
