/*
 * dpvs-bench-pipe's own pieces shared by its files (pipe.c, the runner;
 * pipe_tcp.c, the tcp-in/tcp-out connection): the cases and the node of
 * one process. Process-local.
 */
#ifndef DPVS_BENCH_PIPE_H
#define DPVS_BENCH_PIPE_H

#include <stdint.h>

#include <rte_ring.h>

#include "shm/shm.h"
#include "worker/worker.h"

#define BP_BURST 32
#define BP_RING 1024

enum bp_case { BP_SYN = 0, BP_UDP_IN, BP_UDP_OUT, BP_NAT_IN, BP_NAT_OUT, BP_DR_IN, BP_DR_MANY,
	       BP_UDP_BIG, BP_SYN_FULL, BP_TCP_IN, BP_TCP_OUT, BP_NCASES };
enum bp_kind { BP_PIPE = 0, BP_BASE, BP_NKINDS };

struct bp_node {
	struct wk_ctx ctx;   /* worker 0, run on this thread */
	struct dpvs_shm shm;
	struct rte_ring *rx[2];
	struct rte_ring *tx[2];
	uint16_t pid[2];
	uint16_t lport;      /* the UDP connection's local port, host order */
	uint32_t syn_seq;
	uint32_t many_seq;
	uint32_t big_flows;  /* the options' */
	uint32_t syn_conns;  /* the options' --conns (syn-full's table) */
	uint32_t big_seq;    /* udp-big: connections made so far */
	uint32_t big_rand;   /* udp-big: xorshift state of the measured flows */
	uint32_t full_seq;
	uint8_t made[BP_NCASES]; /* the connection of bp_maker[k] exists */
	/* tcp-in/tcp-out: next sequence number of the client [0] and the
	 * server [1] (the same on both sides of the node: plain full-NAT does
	 * not shift them), the last of each the peer acked, the local port,
	 * and whether the segments go through the node (their numbers advance) */
	uint32_t tcp_nxt[2];
	uint32_t tcp_acked[2];
	uint16_t tcp_lport;
	uint8_t tcp_live;
};

/* pipe_tcp.c. The next data segment of tcp-in (out 0: the client's) or
 * tcp-out (out 1: the server's) into d; its numbers advance when n->tcp_live. */
void bp_tcp_frame_next(struct bp_node *n, uint8_t *d, int out);
/* The connection, ESTABLISHED by a handshake through the node (untimed): 0,
 * or -1 if a segment went astray or the entry is not ESTABLISHED. */
int bp_make_tcp_conn(struct bp_node *n);
/* Untimed, after a burst of tcp-in (out 0) or tcp-out (1): the peer's ACK
 * once 16 KiB of the sender are unacked. 0, or -1 if it did not pass. */
int bp_tcp_peer_ack(struct bp_node *n, int out);

#endif
