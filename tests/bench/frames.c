/*
 * The benchmark's rules and frames (see bench.h): 60-byte Ethernet frames
 * with valid IPv4 and TCP/UDP checksums, written into a caller's buffer.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "bench.h"

int
bp_write_rules(FILE *f)
{
	int n = fprintf(f,
		"addr add 10.0.0.1/24 dev dpdk0\n"
		"addr add 10.0.1.1/24 dev dpdk1\n"
		"addr add " BP_LADDR "/32 dev dpdk1\n"
		"-A -t " BP_VIP ":80 -s rr\n"
		"-a -t " BP_VIP ":80 -r " BP_RS_TCP ":8080 -b fnat -w 1\n"
		"laddr add -t " BP_VIP ":80 " BP_LADDR " dev dpdk1\n"
		/* three more for TCP: syn-full's table holds more connections
		 * than one local address has ports */
		"addr add 10.0.1.11/32 dev dpdk1\n"
		"addr add 10.0.1.12/32 dev dpdk1\n"
		"addr add 10.0.1.13/32 dev dpdk1\n"
		"laddr add -t " BP_VIP ":80 10.0.1.11 dev dpdk1\n"
		"laddr add -t " BP_VIP ":80 10.0.1.12 dev dpdk1\n"
		"laddr add -t " BP_VIP ":80 10.0.1.13 dev dpdk1\n"
		"-A -u " BP_VIP ":53 -s rr\n"
		"-a -u " BP_VIP ":53 -r " BP_RS_UDP ":5353 -b fnat -w 1\n"
		"laddr add -u " BP_VIP ":53 " BP_LADDR " dev dpdk1\n"
		"neigh add " BP_RS_TCP " lladdr " BP_MAC_RS1 " dev dpdk1\n"
		"neigh add " BP_RS_UDP " lladdr " BP_MAC_RS2 " dev dpdk1\n"
		"neigh add " BP_CLIENT " lladdr " BP_MAC_CLI " dev dpdk0\n"
		"-A -u " BP_VIP_NAT ":53 -s rr\n"
		"-a -u " BP_VIP_NAT ":53 -r " BP_RS_NAT ":5353 -b nat -w 1\n"
		"neigh add " BP_RS_NAT " lladdr " BP_MAC_RS3 " dev dpdk1\n"
		"-A -u " BP_VIP_DR ":53 -s rr\n"
		"-a -u " BP_VIP_DR ":53 -r " BP_RS_DR " -b dr -w 1\n"
		"neigh add " BP_RS_DR " lladdr " BP_MAC_RS4 " dev dpdk1\n");

	return n < 0 ? -1 : 0;
}

int
bp_write_big_rules(FILE *f, uint32_t flows)
{
	uint32_t i, nl = flows / BP_BIG_PER_LADDR + 1;

	if (fprintf(f, "-A -u " BP_VIP_BIG ":53 -s rr\n"
		       "-a -u " BP_VIP_BIG ":53 -r " BP_RS_UDP ":5353 -b fnat -w 1\n") < 0)
		return -1;
	for (i = 0; i < nl; i++)
		if (fprintf(f, "addr add 10.0.%u.%u/32 dev dpdk1\n"
			       "laddr add -u " BP_VIP_BIG ":53 10.0.%u.%u dev dpdk1\n",
			    4 + i / 250, 1 + i % 250, 4 + i / 250, 1 + i % 250) < 0)
			return -1;
	return 0;
}

int
bp_write_syn_rules(FILE *f, uint32_t conns)
{
	uint32_t i, nl = (conns - BP_SYN_PORTS) / 64512u + 1;

	for (i = 0; i < nl; i++)
		if (fprintf(f, "addr add 10.0.2.%u/32 dev dpdk1\n"
			       "laddr add -t " BP_VIP ":80 10.0.2.%u dev dpdk1\n",
			    1 + i, 1 + i) < 0)
			return -1;
	return 0;
}

static void
put_mac(struct rte_ether_addr *ea, const char *s)
{
	if (rte_ether_unformat_addr(s, ea) != 0)
		memset(ea, 0, sizeof(*ea));
}

/* Ethernet and IPv4 headers; returns the IPv4 header. */
static struct rte_ipv4_hdr *
put_l2l3(uint8_t *buf, const char *dmac, const char *smac, const char *src, const char *dst,
	 uint8_t proto, uint16_t l4len)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct in_addr a;

	memset(buf, 0, BP_FRAME_LEN);
	put_mac(&eh->dst_addr, dmac);
	put_mac(&eh->src_addr, smac);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4len));
	ip->packet_id = rte_cpu_to_be_16(1);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	inet_pton(AF_INET, src, &a);
	ip->src_addr = a.s_addr;
	inet_pton(AF_INET, dst, &a);
	ip->dst_addr = a.s_addr;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return ip;
}

void
bp_frame_syn(uint8_t *buf, uint16_t sport)
{
	struct rte_ipv4_hdr *ip = put_l2l3(buf, BP_MAC_P0, BP_MAC_CLI, BP_CLIENT, BP_VIP,
					   IPPROTO_TCP, sizeof(struct rte_tcp_hdr) + 4);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	uint8_t *opt = (uint8_t *)(th + 1);

	th->src_port = rte_cpu_to_be_16(sport);
	th->dst_port = rte_cpu_to_be_16(BP_VPORT_TCP);
	th->sent_seq = rte_cpu_to_be_32(1000);
	th->data_off = (uint8_t)(((sizeof(*th) + 4) / 4) << 4);
	th->tcp_flags = RTE_TCP_SYN_FLAG;
	th->rx_win = rte_cpu_to_be_16(8192);
	opt[0] = 2; /* MSS 1460 */
	opt[1] = 4;
	opt[2] = 1460 >> 8;
	opt[3] = 1460 & 0xff;
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
}

void
bp_frame_syn_from(uint8_t *buf, uint32_t src, uint16_t sport)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + sizeof(struct rte_ether_hdr));
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

	bp_frame_syn(buf, sport);
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->cksum = 0;
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
}

void
bp_frame_tcp(uint8_t *buf, int out, uint16_t lport, uint8_t flags, uint32_t seq, uint32_t ack,
	     uint16_t dlen)
{
	struct rte_ipv4_hdr *ip =
		out ? put_l2l3(buf, BP_MAC_P1, BP_MAC_RS1, BP_RS_TCP, BP_LADDR, IPPROTO_TCP,
			       (uint16_t)(sizeof(struct rte_tcp_hdr) + dlen)) :
		      put_l2l3(buf, BP_MAC_P0, BP_MAC_CLI, BP_CLIENT, BP_VIP, IPPROTO_TCP,
			       (uint16_t)(sizeof(struct rte_tcp_hdr) + dlen));
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	uint8_t *pl = (uint8_t *)(th + 1);
	uint16_t i;

	for (i = 0; i < dlen; i++)
		pl[i] = (uint8_t)('a' + i);
	th->src_port = rte_cpu_to_be_16(out ? BP_RPORT_TCP : BP_CPORT_TCP);
	th->dst_port = rte_cpu_to_be_16(out ? lport : BP_VPORT_TCP);
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->data_off = (uint8_t)((sizeof(*th) / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(BP_TCP_WIN);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
}

static void
put_udp(struct rte_ipv4_hdr *ip, uint16_t sport, uint16_t dport)
{
	struct rte_udp_hdr *uh = (struct rte_udp_hdr *)(ip + 1);
	uint16_t len = (uint16_t)(rte_be_to_cpu_16(ip->total_length) - sizeof(*ip));
	uint8_t *pl = (uint8_t *)(uh + 1);
	unsigned int i;

	for (i = 0; i < len - sizeof(*uh); i++)
		pl[i] = (uint8_t)('a' + i);
	uh->src_port = rte_cpu_to_be_16(sport);
	uh->dst_port = rte_cpu_to_be_16(dport);
	uh->dgram_len = rte_cpu_to_be_16(len);
	uh->dgram_cksum = rte_ipv4_udptcp_cksum(ip, uh);
}

#define BP_UDP_LEN (BP_FRAME_LEN - RTE_ETHER_HDR_LEN - sizeof(struct rte_ipv4_hdr))

void
bp_frame_udp_in(uint8_t *buf)
{
	put_udp(put_l2l3(buf, BP_MAC_P0, BP_MAC_CLI, BP_CLIENT, BP_VIP, IPPROTO_UDP,
			 BP_UDP_LEN),
		BP_CPORT_UDP, BP_VPORT_UDP);
}

void
bp_frame_udp_out(uint8_t *buf, uint16_t lport)
{
	put_udp(put_l2l3(buf, BP_MAC_P1, BP_MAC_RS2, BP_RS_UDP, BP_LADDR, IPPROTO_UDP,
			 BP_UDP_LEN),
		BP_RPORT_UDP, lport);
}

void
bp_frame_nat_in(uint8_t *buf)
{
	put_udp(put_l2l3(buf, BP_MAC_P0, BP_MAC_CLI, BP_CLIENT, BP_VIP_NAT, IPPROTO_UDP,
			 BP_UDP_LEN),
		BP_CPORT_UDP, BP_VPORT_UDP);
}

void
bp_frame_nat_out(uint8_t *buf)
{
	put_udp(put_l2l3(buf, BP_MAC_P1, BP_MAC_RS3, BP_RS_NAT, BP_CLIENT, IPPROTO_UDP,
			 BP_UDP_LEN),
		BP_RPORT_UDP, BP_CPORT_UDP);
}

void
bp_frame_dr_in(uint8_t *buf)
{
	bp_frame_dr_in_sport(buf, BP_CPORT_UDP);
}

void
bp_frame_dr_in_sport(uint8_t *buf, uint16_t sport)
{
	put_udp(put_l2l3(buf, BP_MAC_P0, BP_MAC_CLI, BP_CLIENT, BP_VIP_DR, IPPROTO_UDP,
			 BP_UDP_LEN),
		sport, BP_VPORT_UDP);
}

void
bp_frame_big_in(uint8_t *buf, uint32_t f)
{
	uint32_t a = 0xac100000u + f / BP_BIG_PER_LADDR;   /* 172.16.0.0 + */
	char src[INET_ADDRSTRLEN];

	snprintf(src, sizeof(src), "%u.%u.%u.%u", a >> 24, a >> 16 & 0xff, a >> 8 & 0xff,
		 a & 0xff);
	put_udp(put_l2l3(buf, BP_MAC_P0, BP_MAC_CLI, src, BP_VIP_BIG, IPPROTO_UDP, BP_UDP_LEN),
		(uint16_t)(1024 + f % BP_BIG_PER_LADDR), BP_VPORT_UDP);
}
