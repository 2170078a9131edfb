/*
 * TCP sequence translation per connection (seqx.c; the fields are struct
 * dpvs_seqx in shm/conn.h, the design in docs/tcp.md): one mechanism for
 * whatever shifts one side's sequence numbers, the SYN proxy (the client
 * knows the cookie as the server's ISN) and, later, a PROXY protocol header
 * inserted toward the real server.
 *
 * In: a TCP header in a packet and the connection's translation. Out: the
 * header rewritten in place (seq, ack, window, SACK blocks, timestamps) with
 * its checksum updated incrementally (the pseudo-header is not touched, so
 * the same code serves IPv4 and IPv6). Pure functions; called by the
 * connection's owning worker, before the address rewrite of its mode.
 */
#ifndef DPVS_WORKER_SEQX_H
#define DPVS_WORKER_SEQX_H

#include <stdint.h>

#include <rte_tcp.h>

#include "shm/conn.h"

#define WK_TCPOPT_EOL       0
#define WK_TCPOPT_NOP       1
#define WK_TCPOPT_MSS       2
#define WK_TCPOPT_WSCALE    3
#define WK_TCPOPT_SACK_PERM 4
#define WK_TCPOPT_SACK      5
#define WK_TCPOPT_TS        8

/* The ack of a segment sent in direction dir, in the receiver's own space
 * (what the window tracker compares with the receiver's sequence numbers). */
static inline uint32_t
wk_seqx_ack_own(const struct dpvs_seqx *x, int dir, uint32_t ack)
{
	return (x->flags & DPVS_SEQX_ON) ? ack - x->seq_delta[dir ? 0 : 1] : ack;
}

/* Rewrite the segment (TCP header th of hlen bytes, all present) sent in
 * direction dir by translation x: seq + seq_delta[dir]; with ACK, ack -
 * seq_delta[other]; SACK blocks - seq_delta[other]; with DPVS_SEQX_TS, TSval
 * + ts_delta[dir] and TSecr - ts_delta[other]; a segment's window (not a
 * SYN's) shifted by win_shift[dir] (at most 65535). Nothing without
 * DPVS_SEQX_ON. */
void wk_seqx_apply(struct rte_tcp_hdr *th, uint32_t hlen, const struct dpvs_seqx *x, int dir);

/* Replace len bytes at offset off of the TCP header th by nv, updating its
 * checksum incrementally (any alignment; not the checksum field itself). */
void wk_tcp_put(struct rte_tcp_hdr *th, uint32_t off, const void *nv, uint32_t len);

#endif
