/*
 * TCP sequence translation (seqx.h): the rewrite of a segment's sequence
 * numbers, window, SACK blocks and timestamps by a connection's deltas,
 * with the TCP checksum updated incrementally. Pure functions on a header.
 */
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_tcp.h>

#include "worker/ipvs/seqx.h"

static inline uint16_t
fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

void
wk_tcp_put(struct rte_tcp_hdr *th, uint32_t off, const void *nv, uint32_t len)
{
	uint8_t *b = (uint8_t *)th;
	uint32_t s = off & ~1u, e = (off + len + 1) & ~1u, i, sum = (uint16_t)~th->cksum;
	uint16_t w;

	for (i = s; i < e; i += 2) {
		memcpy(&w, b + i, 2);
		sum += (uint16_t)~w;
	}
	memcpy(b + off, nv, len);
	for (i = s; i < e; i += 2) {
		memcpy(&w, b + i, 2);
		sum += w;
	}
	th->cksum = (uint16_t)~fold(sum);
}

/* Add delta to the 32-bit big-endian field at off. */
static void
put_add32(struct rte_tcp_hdr *th, uint32_t off, uint32_t delta)
{
	uint32_t v;

	if (delta == 0)
		return;
	memcpy(&v, (uint8_t *)th + off, 4);
	v = rte_cpu_to_be_32(rte_be_to_cpu_32(v) + delta);
	wk_tcp_put(th, off, &v, 4);
}

static void
seqx_window(struct rte_tcp_hdr *th, int8_t shift)
{
	uint32_t w = rte_be_to_cpu_16(th->rx_win);
	uint16_t nw;

	if (shift == 0 || (th->tcp_flags & RTE_TCP_SYN_FLAG) != 0)
		return;
	if (shift > 0)
		w = w << shift > 0xffff ? 0xffff : w << shift;
	else
		w >>= -shift;
	nw = rte_cpu_to_be_16((uint16_t)w);
	wk_tcp_put(th, offsetof(struct rte_tcp_hdr, rx_win), &nw, 2);
}

/* SACK blocks and timestamps among the options. */
static void
seqx_options(struct rte_tcp_hdr *th, uint32_t hlen, const struct dpvs_seqx *x, int dir)
{
	uint32_t o = sizeof(*th), k, back = -x->seq_delta[dir ? 0 : 1];
	const uint8_t *b = (const uint8_t *)th;

	while (o < hlen) {
		if (b[o] == WK_TCPOPT_EOL)
			return;
		if (b[o] == WK_TCPOPT_NOP) {
			o++;
			continue;
		}
		if (o + 2 > hlen || b[o + 1] < 2 || o + b[o + 1] > hlen)
			return;
		if (b[o] == WK_TCPOPT_SACK && (b[o + 1] - 2) % 8 == 0) {
			for (k = o + 2; k < o + b[o + 1]; k += 4)
				put_add32(th, k, back);
		} else if (b[o] == WK_TCPOPT_TS && b[o + 1] == 10 && (x->flags & DPVS_SEQX_TS)) {
			put_add32(th, o + 2, x->ts_delta[dir ? 1 : 0]);
			if (th->tcp_flags & RTE_TCP_ACK_FLAG)
				put_add32(th, o + 6, -x->ts_delta[dir ? 0 : 1]);
		}
		o += b[o + 1];
	}
}

void
wk_seqx_apply(struct rte_tcp_hdr *th, uint32_t hlen, const struct dpvs_seqx *x, int dir)
{
	int d = dir ? 1 : 0;

	if ((x->flags & DPVS_SEQX_ON) == 0)
		return;
	put_add32(th, offsetof(struct rte_tcp_hdr, sent_seq), x->seq_delta[d]);
	if (th->tcp_flags & RTE_TCP_ACK_FLAG)
		put_add32(th, offsetof(struct rte_tcp_hdr, recv_ack), -x->seq_delta[1 - d]);
	seqx_window(th, x->win_shift[d]);
	if (hlen > sizeof(*th))
		seqx_options(th, hlen, x, dir);
}
