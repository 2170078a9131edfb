/*
 * dpvs-bench-pipe's tcp-in and tcp-out connection (pipe.h): a handshake
 * through the node, the segments' sequence numbers as two TCPs would send
 * them, and the peer's ACKs that keep the sender inside its window (pipe.c
 * says what the cases measure). Touches the node's rings and its worker
 * loop, untimed; the connection's numbers in struct bp_node.
 */
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_tcp.h>

#include "worker/ipvs/conn_table.h"
#include "bench.h"
#include "pipe.h"

#define BP_TCP_ISN_C 0xffff0000u  /* the client's initial sequence number: wraps */
#define BP_TCP_ISN_S 0x12345678u
#define BP_TCP_ACK_EVERY 16384u   /* unacked bytes that make the peer ack */

/* tcp-in (out 0) or tcp-out (out 1): the next data segment of the client
 * or the server; its numbers advance only when it goes through the node. */
void
bp_tcp_frame_next(struct bp_node *n, uint8_t *d, int out)
{
	bp_frame_tcp(d, out, n->tcp_lport, RTE_TCP_ACK_FLAG, n->tcp_nxt[out], n->tcp_nxt[!out],
		     BP_TCP_DATA);
	if (n->tcp_live)
		n->tcp_nxt[out] += BP_TCP_DATA;
}

/* Untimed: one TCP segment of the tcp connection through the node (out 0:
 * the client's, in on dpdk0; 1: the server's, in on dpdk1); 0 when exactly
 * one frame left, on the other port, with *th_out (may be NULL) a copy of
 * its TCP header. */
static int
tcp_step(struct bp_node *n, int out, uint8_t flags, uint32_t seq, uint32_t ack,
	 struct rte_tcp_hdr *th_out)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(n->shm.pool), *o[BP_RING];
	uint16_t want = (uint16_t)!out;
	unsigned int got[2], p;
	int rc;

	if (m == NULL)
		return -1;
	bp_frame_tcp((uint8_t *)rte_pktmbuf_append(m, BP_FRAME_LEN), out, n->tcp_lport, flags,
		     seq, ack, 0);
	m->port = n->pid[out];
	if (rte_ring_enqueue(n->rx[out], m) != 0) {
		rte_pktmbuf_free(m);
		return -1;
	}
	wk_loop_once(&n->ctx);
	got[!want] = rte_ring_dequeue_burst(n->tx[!want], (void **)o, BP_RING, NULL);
	rte_pktmbuf_free_bulk(o, got[!want]);
	got[want] = rte_ring_dequeue_burst(n->tx[want], (void **)o, BP_RING, NULL);
	rc = got[want] == 1 && got[!want] == 0 ? 0 : -1;
	if (rc == 0 && th_out != NULL) {
		p = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr);
		memcpy(th_out, rte_pktmbuf_mtod_offset(o[0], void *, p), sizeof(*th_out));
	}
	rte_pktmbuf_free_bulk(o, got[want]);
	return rc;
}

/* tcp-in's connection, ESTABLISHED by a handshake through the node
 * (untimed): the client's SYN (its local port read off the forwarded SYN),
 * the server's SYN+ACK, the client's ACK. */
int
bp_make_tcp_conn(struct bp_node *n)
{
	struct dpvs_conn *c = dpvs_conn_array(n->shm.ct[0]);
	struct rte_tcp_hdr th;
	uint32_t i, cap = n->shm.ct[0]->capacity;

	n->tcp_nxt[0] = BP_TCP_ISN_C + 1;
	n->tcp_nxt[1] = BP_TCP_ISN_S + 1;
	if (tcp_step(n, 0, RTE_TCP_SYN_FLAG, BP_TCP_ISN_C, 0, &th) != 0 ||
	    rte_be_to_cpu_32(th.sent_seq) != BP_TCP_ISN_C)
		return -1;
	n->tcp_lport = rte_be_to_cpu_16(th.src_port);
	if (tcp_step(n, 1, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, BP_TCP_ISN_S, n->tcp_nxt[0],
		     &th) != 0 ||
	    rte_be_to_cpu_32(th.sent_seq) != BP_TCP_ISN_S ||
	    rte_be_to_cpu_32(th.recv_ack) != n->tcp_nxt[0] ||
	    tcp_step(n, 0, RTE_TCP_ACK_FLAG, n->tcp_nxt[0], n->tcp_nxt[1], NULL) != 0)
		return -1;
	memcpy(n->tcp_acked, n->tcp_nxt, sizeof(n->tcp_acked));
	n->made[BP_TCP_IN] = 1;
	for (i = 0; i < cap; i++)
		if ((c[i].flags & DPVS_CONN_F_USED) != 0 && c[i].proto == IPPROTO_TCP &&
		    rte_be_to_cpu_16(c[i].lport) == n->tcp_lport)
			return c[i].state == DPVS_TCPS_ESTABLISHED ? 0 : -1;
	return -1;
}

/* Untimed, after a burst of tcp-in (out 0) or tcp-out (1): once
 * BP_TCP_ACK_EVERY bytes of the sender are unacked, its peer's ACK of them
 * through the node, which opens the sender's window again. */
int
bp_tcp_peer_ack(struct bp_node *n, int out)
{
	if (n->tcp_nxt[out] - n->tcp_acked[out] < BP_TCP_ACK_EVERY)
		return 0;
	n->tcp_acked[out] = n->tcp_nxt[out];
	return tcp_step(n, !out, RTE_TCP_ACK_FLAG, n->tcp_nxt[!out], n->tcp_nxt[out], NULL);
}
