/*
 * IPv4 fragmentation [ip_fragment] (RFC 791): a packet longer than the
 * egress MTU, DF clear, leaves as fragments of at most MTU bytes, each
 * carrying a multiple of 8 payload bytes but the last. The first fragment
 * keeps the whole header, options included; the others carry the options
 * whose copy bit is set (RFC 791 3.1), padded to a 4-byte boundary. Every
 * fragment has the packet's id, its offset (plus the packet's own offset
 * when it was a fragment already), MF set but on the last (which keeps the
 * packet's MF), its length and a fresh header checksum.
 * The fragments but the last are new mbufs from the pool, filled from the
 * packet (any segments) and sent toward the next hop at once, in order
 * (wk_send_new); the packet's own mbuf becomes the last fragment (its head
 * cut off, the header put back in front) and gets the caller's verdict, so
 * the received packet is counted once, like any other.
 * Writes the packet, new mbufs, the tx buffers, hold queue and stats row.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "worker/ipvs/lbpath.h"
#include "worker/l3/cksum.h"
#include "worker/l3/l3.h"

#define L2 RTE_ETHER_HDR_LEN
#define WK_IPOPT_COPY  0x80
#define WK_IPOPT_END   0
#define WK_IPOPT_NOP   1
#define IP_MAX_HLEN 60

int
wk_mbuf_trim_to(struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *seg = m, *rest;
	uint32_t seen = 0;
	uint16_t nsegs = 1;

	if (m->pkt_len <= len)
		return -1;
	while (seen + seg->data_len < len) {
		seen += seg->data_len;
		seg = seg->next;
		nsegs++;
	}
	seg->data_len = (uint16_t)(len - seen);
	rest = seg->next;
	seg->next = NULL;
	m->nb_segs = nsegs;
	m->pkt_len = len;
	if (rest != NULL)
		rte_pktmbuf_free(rest);
	return 0;
}

int
wk_mbuf_cut_head(struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *seg;
	uint32_t left = len;

	if (m->pkt_len <= len)
		return -1;
	if (left < m->data_len) {
		rte_pktmbuf_adj(m, (uint16_t)left);
		return 0;
	}
	/* the head segment empties: keep its mbuf, room for a header in front */
	left -= m->data_len;
	m->pkt_len -= m->data_len;
	m->data_len = 0;
	m->data_off = RTE_MIN((uint16_t)RTE_PKTMBUF_HEADROOM, m->buf_len);
	while (left > 0 && (seg = m->next) != NULL) {
		if (left < seg->data_len) {
			seg->data_off = (uint16_t)(seg->data_off + left);
			seg->data_len = (uint16_t)(seg->data_len - left);
			m->pkt_len -= left;
			break;
		}
		left -= seg->data_len;
		m->pkt_len -= seg->data_len;
		m->next = seg->next;
		m->nb_segs--;
		seg->next = NULL;
		seg->nb_segs = 1;
		rte_pktmbuf_free_seg(seg);
	}
	return 0;
}

/* The header of the fragments after the first into h2 (the fixed header
 * and the options to copy, padded): its length. */
static uint32_t
frag_later_hdr(const struct rte_ipv4_hdr *ip, uint8_t h2[IP_MAX_HLEN])
{
	const uint8_t *o = (const uint8_t *)(ip + 1), *end = (const uint8_t *)ip +
							     rte_ipv4_hdr_len(ip);
	uint32_t n = sizeof(*ip), ol;

	memcpy(h2, ip, sizeof(*ip));
	while (o < end && *o != WK_IPOPT_END) {
		if (*o == WK_IPOPT_NOP) {
			o++;
			continue;
		}
		if (o + 1 >= end || o[1] < 2 || o + o[1] > end)
			break; /* malformed: copy nothing more */
		ol = o[1];
		if ((*o & WK_IPOPT_COPY) != 0) {
			memcpy(h2 + n, o, ol);
			n += ol;
		}
		o += ol;
	}
	while ((n & 3) != 0)
		h2[n++] = WK_IPOPT_END;
	((struct rte_ipv4_hdr *)h2)->version_ihl = (uint8_t)(0x40 | n / 4);
	return n;
}

/* Finish the header of a fragment: length, offset (8-byte units, from the
 * packet's own), MF, checksum. */
static void
frag_hdr_set(struct rte_ipv4_hdr *h, uint32_t hlen, uint32_t pay, uint32_t off8, int mf)
{
	h->total_length = rte_cpu_to_be_16((uint16_t)(hlen + pay));
	h->fragment_offset = rte_cpu_to_be_16((uint16_t)((off8 & RTE_IPV4_HDR_OFFSET_MASK) |
							 (mf ? RTE_IPV4_HDR_MF_FLAG : 0)));
	wk_ipv4_cksum_set(h);
}

/* A new mbuf: Ethernet room, header hdr (hlen bytes), pay bytes of m's IP
 * payload from byte from. NULL when the pool is empty. */
static struct rte_mbuf *
frag_make(struct wk_ctx *ctx, const struct rte_mbuf *m, const uint8_t *hdr, uint32_t hlen,
	  uint32_t from, uint32_t pay, uint32_t off8)
{
	struct rte_mbuf *f = rte_pktmbuf_alloc(ctx->pool);
	uint8_t *d;
	const void *src;

	if (f == NULL)
		return NULL;
	d = (uint8_t *)rte_pktmbuf_append(f, (uint16_t)(L2 + hlen + pay));
	if (d == NULL) {
		rte_pktmbuf_free(f);
		return NULL;
	}
	memset(d, 0, L2);
	memcpy(d + L2, hdr, hlen);
	src = rte_pktmbuf_read(m, from, pay, d + L2 + hlen);
	if (src != d + L2 + hlen)
		memcpy(d + L2 + hlen, src, pay);
	frag_hdr_set((struct rte_ipv4_hdr *)(d + L2), hlen, pay, off8, 1);
	f->port = m->port;
	return f;
}

struct wk_verdict
wk_ip_fragment(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t port,
	       const struct dpvs_ip *nh, uint32_t mtu)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, L2);
	uint32_t hlen = rte_ipv4_hdr_len(ip), tot = rte_be_to_cpu_16(ip->total_length);
	uint16_t fo = rte_be_to_cpu_16(ip->fragment_offset);
	uint32_t base8 = fo & RTE_IPV4_HDR_OFFSET_MASK, pay = tot - hlen, h2len, max1, max2;
	uint32_t off, n, last_mf = (fo & RTE_IPV4_HDR_MF_FLAG) != 0;
	uint8_t h1[IP_MAX_HLEN], h2[IP_MAX_HLEN];
	struct rte_mbuf *f;

	memcpy(h1, ip, hlen);
	h2len = frag_later_hdr(ip, h2);
	max1 = mtu > hlen ? (mtu - hlen) & ~7u : 0;
	max2 = mtu > h2len ? (mtu - h2len) & ~7u : 0;
	if (max1 < 8 || max2 < 8 || rte_pktmbuf_pkt_len(m) < L2 + tot)
		return wk_drop(DPVS_DROP_FRAG_NEEDED);
	/* every fragment but the last: a new mbuf, sent now */
	for (off = 0, n = 0; pay - off > (off == 0 ? max1 : max2); n++) {
		uint32_t len = off == 0 ? max1 : max2;

		f = frag_make(ctx, m, off == 0 ? h1 : h2, off == 0 ? hlen : h2len,
			      L2 + hlen + off, len, base8 + off / 8);
		if (f == NULL)
			return wk_drop(DPVS_DROP_NO_MBUF); /* the rest cannot follow */
		wk_send_new(ctx, f, wk_neigh_output(ctx, f, port, nh));
		off += len;
	}
	/* the last: m without what went before, its header put back in front */
	if (wk_mbuf_trim_to(m, L2 + tot) != 0 && rte_pktmbuf_pkt_len(m) != L2 + tot)
		return wk_drop(DPVS_DROP_FRAG_NEEDED);
	if (wk_mbuf_cut_head(m, L2 + hlen + off) != 0 ||
	    rte_pktmbuf_prepend(m, (uint16_t)(L2 + h2len)) == NULL)
		return wk_drop(DPVS_DROP_FRAG_NEEDED);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, L2);
	memcpy(ip, h2, h2len);
	frag_hdr_set(ip, h2len, pay - off, base8 + off / 8, (int)last_mf);
	ctx->st->event[DPVS_EVENT_FRAG_OK]++;
	ctx->st->event[DPVS_EVENT_FRAG_CREATED] += n + 1;
	return wk_neigh_output(ctx, m, port, nh);
}
