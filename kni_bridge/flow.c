/*
 * Which worker sends a frame the kernel wrote (see bridge.h): the flow of
 * the frame, hashed, so that every frame of one flow leaves through one
 * worker's tx queue and a kernel TCP flow (BGP, a health check, a download
 * from the node) is never reordered between two workers. Pure functions of
 * the frame and of the workers' slots; nothing is written.
 *
 * The flow: TCP over IPv4 or IPv6 by its addresses and ports; anything
 * else over IP by its addresses and protocol (UDP too: a later fragment
 * has no ports, and all of a datagram must take one path); ARP by its
 * sender and target addresses; other frames by their destination MAC. One
 * 802.1Q tag is looked through (a kernel with VLANs on <port>.kni). The
 * hash has no seed: a restarted bridge sends each flow where its
 * predecessor did.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "bridge.h"

/* murmur3's 32-bit finaliser over a running value */
static inline uint32_t
mix(uint32_t h, uint32_t v)
{
	h ^= v;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static uint32_t
mix_bytes(uint32_t h, const uint8_t *b, size_t n)
{
	uint32_t w;
	size_t i;

	for (i = 0; i + 4 <= n; i += 4) {
		memcpy(&w, b + i, 4);
		h = mix(h, w);
	}
	return h;
}

/* TCP ports at off, when they are inside the frame. */
static uint32_t
mix_ports(uint32_t h, const uint8_t *f, uint32_t len, uint32_t off)
{
	uint32_t w;

	if (off + 4 > len)
		return h;
	memcpy(&w, f + off, 4);
	return mix(h, w);
}

static uint32_t
hash_ipv4(const uint8_t *f, uint32_t len, uint32_t l3)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(f + l3);
	uint32_t h, ihl;

	if (l3 + sizeof(*ip) > len)
		return 0;
	h = mix_bytes(0x9e3779b9u, (const uint8_t *)&ip->src_addr, 8);
	h = mix(h, ip->next_proto_id);
	ihl = (uint32_t)(ip->version_ihl & 0x0f) * 4;
	/* TCP, the first fragment or none (Linux sends TCP with DF anyway) */
	if (ip->next_proto_id == IPPROTO_TCP &&
	    (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) == 0)
		h = mix_ports(h, f, len, l3 + ihl);
	return h;
}

static uint32_t
hash_ipv6(const uint8_t *f, uint32_t len, uint32_t l3)
{
	const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)(f + l3);
	uint32_t h;

	if (l3 + sizeof(*ip) > len)
		return 0;
	h = mix_bytes(0x7f4a7c15u, ip->src_addr, 32);
	h = mix(h, ip->proto);
	if (ip->proto == IPPROTO_TCP)
		h = mix_ports(h, f, len, l3 + (uint32_t)sizeof(*ip));
	return h;
}

uint32_t
bridge_flow_hash(const uint8_t *f, uint32_t len)
{
	uint32_t l3 = RTE_ETHER_HDR_LEN;
	uint16_t type;

	if (len < RTE_ETHER_HDR_LEN)
		return 0;
	memcpy(&type, f + 12, 2);
	if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN) && len >= RTE_ETHER_HDR_LEN + 4) {
		memcpy(&type, f + 16, 2);
		l3 += 4;
	}
	switch (type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		return hash_ipv4(f, len, l3);
	case RTE_BE16(RTE_ETHER_TYPE_IPV6):
		return hash_ipv6(f, len, l3);
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		/* sender and target protocol addresses of Ethernet/IPv4 ARP */
		if (l3 + 28 <= len)
			return mix_bytes(mix_bytes(0x2545f491u, f + l3 + 14, 4), f + l3 + 24, 4);
		return 0;
	default:
		return mix(mix_bytes(0x1b873593u, f, 4), (uint32_t)f[4] << 8 | f[5]);
	}
}

uint32_t
bridge_flow_worker(const struct dpvs_root *root, uint32_t nworkers, uint32_t hash)
{
	uint32_t w, i, st;

	if (nworkers == 0)
		return 0;
	w = hash % nworkers;
	st = dpvs_worker_state(&root->workers[w]);
	/* a worker being replaced keeps its flows: its successor (a standby
	 * within milliseconds) drains the ring; only a worker that will not
	 * come back without an operator gives its flows to another */
	if (st != DPVS_WORKER_FAILED && st != DPVS_WORKER_STOPPED)
		return w;
	for (i = 1; i < nworkers; i++) {
		uint32_t v = (w + i) % nworkers;

		if (dpvs_worker_state(&root->workers[v]) == DPVS_WORKER_RUNNING)
			return v;
	}
	return w;
}
