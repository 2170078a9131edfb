/*
 * Internet checksum helpers (see cksum.h). Pure; no state.
 */
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "worker/l3/cksum.h"

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
	if (rte_ipv4_hdr_len(ip) == sizeof(*ip))
		return wk_ipv4_cksum_ok_fast(ip);
	return wk_cksum_ok(ip, rte_ipv4_hdr_len(ip));
}

void
wk_ipv4_cksum_set(struct rte_ipv4_hdr *ip)
{
	ip->hdr_checksum = 0;
	ip->hdr_checksum = wk_cksum(ip, rte_ipv4_hdr_len(ip));
}

/*
 * Not rte_raw_cksum_mbuf: in DPDK 22.11 it byte-swaps the sum of a segment
 * that starts at an odd offset before folding it (a uint16_t cast of the
 * 32-bit sum), which loses the carries and gives a wrong checksum whenever
 * a segment of a chain has an odd length. Fold first, then swap.
 */
int32_t
wk_cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	const struct rte_mbuf *seg = m;
	uint32_t sum = 0, done = 0, n, s;

	if (off > m->pkt_len || len > m->pkt_len - off)
		return -1;
	while (seg != NULL && off >= seg->data_len) {
		off -= seg->data_len;
		seg = seg->next;
	}
	while (done < len) {
		if (seg == NULL)
			return -1; /* pkt_len promised more than the chain holds */
		n = RTE_MIN((uint32_t)seg->data_len - off, len - done);
		s = __rte_raw_cksum(rte_pktmbuf_mtod_offset(seg, const void *, off), n, 0);
		s = __rte_raw_cksum_reduce(s);
		if ((done & 1) != 0)
			s = rte_bswap16((uint16_t)s);
		sum += s;
		done += n;
		off = 0;
		seg = seg->next;
	}
	return (uint16_t)~__rte_raw_cksum_reduce(sum);
}
