/*
 * Internet checksum helpers (see cksum.h). Pure; no state.
 */
#include <stdint.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "cksum.h"

uint16_t
wk_cksum(const void *buf, size_t len)
{
	return (uint16_t)~rte_raw_cksum(buf, len);
}

int
wk_cksum_ok(const void *buf, size_t len)
{
	return rte_raw_cksum(buf, len) == 0xffff;
}

int
wk_ipv4_cksum_ok(const struct rte_ipv4_hdr *ip)
{
	return wk_cksum_ok(ip, rte_ipv4_hdr_len(ip));
}

void
wk_ipv4_cksum_set(struct rte_ipv4_hdr *ip)
{
	ip->hdr_checksum = 0;
	ip->hdr_checksum = wk_cksum(ip, rte_ipv4_hdr_len(ip));
}

int32_t
wk_cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint16_t raw;

	if (off > m->pkt_len || len > m->pkt_len - off)
		return -1;
	if (rte_raw_cksum_mbuf(m, off, len, &raw) != 0)
		return -1;
	return (uint16_t)~raw;
}
