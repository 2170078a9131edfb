/*
 * Internet checksum helpers (RFC 1071) for the worker's stages. Pure
 * functions on memory or on an mbuf; no state. A "raw" sum is the folded
 * 16-bit one's complement sum in memory order (as rte_raw_cksum returns it);
 * a checksum is its complement, ready to be stored into a header as is.
 */
#ifndef DPVS_WORKER_CKSUM_H
#define DPVS_WORKER_CKSUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_ip.h>

struct rte_mbuf;

/* The checksum of len bytes at buf. */
uint16_t wk_cksum(const void *buf, size_t len);
/* Non-zero if len bytes at buf, checksum field included, sum to all ones. */
int wk_cksum_ok(const void *buf, size_t len);
/* Non-zero if the IPv4 header (ihl words) carries a correct checksum. */
int wk_ipv4_cksum_ok(const struct rte_ipv4_hdr *ip);

/* The same, inline for the per-packet check of a 20-byte header: five
 * 32-bit words summed in 64 bits. As 65536 = 1 mod 65535, that sum is the
 * sum of the header's 16-bit words mod 65535, and their one's complement sum
 * is all ones exactly when the sum is a non-zero multiple of 65535 (one
 * multiply by a constant instead of four folds); other lengths call
 * wk_ipv4_cksum_ok. wk_ipv4_hdr_sum5: that sum, for a caller that knows
 * the header is not all zeros (its first byte 0x45, say). */
static inline uint64_t
wk_ipv4_hdr_sum5(const struct rte_ipv4_hdr *ip)
{
	const char *b = (const char *)ip;
	uint32_t w0, w1, w2, w3, w4;

	/* 2 bytes past a 4-byte boundary in a frame: each word on its own,
	 * straight from the frame (one 20-byte copy went through a 16-byte
	 * vector store to the stack that the word loads then read back) */
	memcpy(&w0, b, 4);
	memcpy(&w1, b + 4, 4);
	memcpy(&w2, b + 8, 4);
	memcpy(&w3, b + 12, 4);
	memcpy(&w4, b + 16, 4);
	return (uint64_t)w0 + w1 + w2 + w3 + w4;
}

static inline int
wk_ipv4_cksum_ok_fast(const struct rte_ipv4_hdr *ip)
{
	uint64_t s;

	if ((ip->version_ihl & 0x0f) != 5)
		return wk_ipv4_cksum_ok(ip);
	s = wk_ipv4_hdr_sum5(ip);
	return s != 0 && s % 0xffffu == 0;
}
/* Recompute the IPv4 header checksum in place. */
void wk_ipv4_cksum_set(struct rte_ipv4_hdr *ip);
/* The checksum of len bytes of m from offset off (any segments); the caller
 * zeroes the checksum field first when computing. Returns -1 if the range is
 * outside the packet, else the checksum in 0..0xffff. */
int32_t wk_cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len);

#endif
