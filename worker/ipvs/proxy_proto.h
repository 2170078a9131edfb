/*
 * The client's address for full-NAT real servers (proxy_proto.c): the PROXY
 * protocol header (v1 text, v2 binary) inserted before the client's first
 * byte toward the real server, and the TOA TCP option (kind 254) on the
 * client's handshake ACKs. The state is the connection's struct dpvs_seqx
 * (shm/conn.h: pp_seq, pp_len, DPVS_SEQX_PP*, DPVS_SEQX_TOA), so whichever
 * worker owns the connection has it.
 *
 * In: a connection, a segment of it. Out: the segment with the header or
 * option in (checksums recomputed), the connection's translation set, the
 * worker's counters. Called by the owning worker only.
 */
#ifndef DPVS_WORKER_PROXY_PROTO_H
#define DPVS_WORKER_PROXY_PROTO_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "shm/conn.h"
#include "shm/stats.h"
#include "worker/ipvs/lb.h"

#define WK_PP_V1_MAX   108   /* "PROXY TCP6 " + 2 * 39 + 2 * 5 + 3 spaces + CRLF, rounded */
#define WK_PP_V2_MAX   52    /* 16 + 36 (IPv6) */
#define WK_TOA_KIND    254
#define WK_TOA_LEN4    8     /* kind, len, port, IPv4 address */
#define WK_TOA_LEN6    20    /* kind, len, port, IPv6 address (DPVS's TOA for IPv6) */

/* The PROXY header of version ver (1, 2) for a TCP connection from src:sport
 * (the client) to dst:dport (the VIP), ports in network order, both
 * addresses of one family, into buf (at least WK_PP_V1_MAX bytes): its
 * length, or 0 (another family, unknown version). Pure. */
uint32_t wk_pp_build(uint8_t *buf, int ver, const struct dpvs_ip *src, uint16_t sport,
		     const struct dpvs_ip *dst, uint16_t dport);

/* The TOA option for a client at addr:port (network order) into opt (at
 * least WK_TOA_LEN6 bytes): its length (8 IPv4, 20 IPv6), or 0. Pure. */
uint32_t wk_toa_build(uint8_t *opt, const struct dpvs_ip *addr, uint16_t port);

/* A new TCP full-NAT connection c of a service with flags svc_flags, whose
 * client's ISN is isn: what it will insert, into its sequence translation x
 * (nothing without the flags, or for a connection that cannot get them). */
void wk_pp_conn_init(const struct dpvs_conn *c, struct dpvs_seqx *x, uint32_t svc_flags,
		     uint32_t isn);

/* A segment of connection c (a sequence translation with DPVS_SEQX_PP or
 * DPVS_SEQX_TOA) in
 * direction dir, before the translation and the mode's rewrite: inbound,
 * the header goes into the first data segment (again into a retransmission
 * of it) and the option onto a handshake ACK, and pk->l4_len grows; a
 * server's SYN+ACK gets its MSS lowered by what the client's segments will
 * carry more. DPVS_DROP_MAX to go on, else why to drop it. */
enum dpvs_drop_reason wk_pp_seg(struct wk_ctx *ctx, struct rte_mbuf *m, struct wk_pkt *pk,
				struct dpvs_conn *c, int dir);

#endif
