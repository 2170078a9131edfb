/*
 * Pieces of the pipeline benchmark dpvs-bench-pipe (pipe.c): the addresses
 * of the benchmark's node (the same as the rules it loads) and the frames it
 * feeds. Process-local; no shm, no state beyond the caller's buffers.
 */
#ifndef DPVS_BENCH_BENCH_H
#define DPVS_BENCH_BENCH_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

/* Client on dpdk0, VIP, local address and real servers on dpdk1. */
#define BP_CLIENT   "10.0.0.2"
#define BP_VIP      "10.0.0.100"
#define BP_LADDR    "10.0.1.10"
#define BP_RS_TCP   "10.0.1.2"
#define BP_RS_UDP   "10.0.1.3"
#define BP_VIP_NAT  "10.0.0.101"   /* UDP :53, NAT to BP_RS_NAT:5353 */
#define BP_RS_NAT   "10.0.1.4"
#define BP_VIP_DR   "10.0.0.102"   /* UDP :53, DR to BP_RS_DR */
#define BP_RS_DR    "10.0.1.5"
#define BP_MAC_P0   "02:00:00:00:00:01"
#define BP_MAC_P1   "02:00:00:00:00:02"
#define BP_MAC_CLI  "02:aa:00:00:00:02"
#define BP_MAC_RS1  "02:00:00:00:00:21"
#define BP_MAC_RS2  "02:00:00:00:00:22"
#define BP_MAC_RS3  "02:00:00:00:00:23"
#define BP_MAC_RS4  "02:00:00:00:00:24"
#define BP_VPORT_TCP 80
#define BP_VPORT_UDP 53
#define BP_RPORT_TCP 8080
#define BP_RPORT_UDP 5353
#define BP_CPORT_UDP 5000
/* tcp-in and tcp-out (pipe.c): one full-NAT TCP connection
 * BP_CLIENT:BP_CPORT_TCP -> BP_VIP:80, to BP_RS_TCP:8080 from BP_LADDR:lport
 * (above syn's source ports, 1024 to 33791). Its 60-byte segments carry
 * BP_TCP_DATA bytes; no window scale option, so each side offers
 * BP_TCP_WIN bytes. */
#define BP_CPORT_TCP 40000
#define BP_TCP_DATA  6
#define BP_TCP_WIN   65535
/* udp-big (pipe.c): its own full-NAT UDP service, BP_VIP_BIG:53 to
 * BP_RS_UDP:5353, one local address per BP_BIG_PER_LADDR flows
 * (10.0.4.1 on); flow f comes from 172.16.0.0 + f / BP_BIG_PER_LADDR, port
 * 1024 + f % BP_BIG_PER_LADDR. */
#define BP_VIP_BIG  "10.0.0.104"
#define BP_BIG_PER_LADDR 50000u

/* syn-full beyond the local ports of the 4 TCP local addresses (4 x
 * 64,512: BP_SYN_PORTS): one more address per 64,512 connections
 * (10.0.2.1 on), so that --conns can make the table as big as figure 2's
 * (2,097,152) and the SYNs meet it in memory rather than the caches. */
#define BP_SYN_PORTS (4u * 64512u)

/* Every frame is 60 bytes on the wire (64 with the FCS). */
#define BP_FRAME_LEN 60

/* Write the benchmark's rules (dpvsctl commands, one a line) to f. */
int bp_write_rules(FILE *f);

/* The udp-big service and its local addresses for flows flows (appended to
 * the rules only when the case runs). */
int bp_write_big_rules(FILE *f, uint32_t flows);

/* The TCP service's local addresses beyond the first 4, for a table of
 * conns connections (appended to the rules only when conns > BP_SYN_PORTS). */
int bp_write_syn_rules(FILE *f, uint32_t conns);

/* A TCP SYN client:sport -> VIP:80 with an MSS option, checksums set. */
void bp_frame_syn(uint8_t *buf, uint16_t sport);
/* The same from source address src (host order). */
void bp_frame_syn_from(uint8_t *buf, uint32_t src, uint16_t sport);
/* A UDP datagram client:5000 -> VIP:53 (inbound), checksums set. */
void bp_frame_udp_in(uint8_t *buf);
/* A UDP datagram real server:5353 -> laddr:lport (outbound, host order
 * lport), checksums set. */
void bp_frame_udp_out(uint8_t *buf, uint16_t lport);
/* NAT: client:5000 -> VIP_NAT:53 (inbound), and the real server's answer
 * RS_NAT:5353 -> client:5000 (outbound). DR: client:5000 -> VIP_DR:53. */
void bp_frame_nat_in(uint8_t *buf);
void bp_frame_nat_out(uint8_t *buf);
void bp_frame_dr_in(uint8_t *buf);
/* The same from client port sport (dr-many: one connection per port). */
void bp_frame_dr_in_sport(uint8_t *buf, uint16_t sport);
/* A TCP segment of the tcp-in/tcp-out connection without options: out 0,
 * client -> VIP:80 (inbound); out 1, real server:8080 -> laddr:lport
 * (outbound, host order lport). flags RTE_TCP_*_FLAG, seq and ack host
 * order, dlen payload bytes (0 or BP_TCP_DATA: the frame stays 60 bytes),
 * window BP_TCP_WIN, checksums set. */
void bp_frame_tcp(uint8_t *buf, int out, uint16_t lport, uint8_t flags, uint32_t seq,
		  uint32_t ack, uint16_t dlen);
/* udp-big: flow f's datagram to BP_VIP_BIG:53 (inbound), checksums set. */
void bp_frame_big_in(uint8_t *buf, uint32_t f);

#endif
