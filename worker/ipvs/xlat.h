/*
 * Translation between IPv4 and IPv6 for full-NAT across families (an IPv6
 * VIP with IPv4 real servers and IPv4 local addresses, DPVS's nat64): the
 * header rebuild and the ICMP type map, as pure functions on memory so
 * that unit tests run them without EAL (xlat.c holds them and the packet
 * path around them, icmp_xlat.c the ICMP errors). Decisions (RFC 7915 where
 * it has one, DPVS where it is silent):
 *   IPv6 -> IPv4: TOS = the traffic class; TTL = the hop limit (one less:
 *   the node forwards); DF set when the IPv6 packet is longer than 1280
 *   bytes (its sender does path MTU discovery), clear otherwise, so that an
 *   IPv4 path narrower than IPv6's minimum MTU can fragment it; the id
 *   from the worker's counter; no options. A packet with extension headers
 *   is not translated (xlat_ext_hdr).
 *   IPv4 -> IPv6: traffic class = TOS, flow label 0, hop limit = the TTL
 *   (one less); IPv4 options are dropped; a UDP datagram without a checksum
 *   gets one (a zero checksum is invalid in IPv6).
 * The TCP/UDP checksum is adjusted across the pseudo-header change
 * (lbpath.h wk_csum_update_l4: the length and protocol words sum alike).
 */
#ifndef DPVS_WORKER_XLAT_H
#define DPVS_WORKER_XLAT_H

#include <stdint.h>

#include <rte_ip.h>

#define WK_XLAT_DF_MIN 1280  /* IPv6 packets longer than this leave with DF set */
#define WK_XLAT_GROWTH 20    /* an IPv6 header is 20 bytes longer than IPv4's */

/* The IPv4 header (20 bytes at out, checksum set) of the IPv6 packet whose
 * header is in (a copy: out may overlay the original) and whose TCP/UDP
 * part is l4len bytes, from saddr to daddr (network order), with id. */
void wk_xlat_hdr_6to4(const struct rte_ipv6_hdr *in, uint32_t l4len, uint32_t saddr,
		      uint32_t daddr, uint16_t id, struct rte_ipv4_hdr *out);

/* The IPv6 header (40 bytes at out) of the IPv4 packet whose header is in
 * (a copy) and whose TCP/UDP part is l4len bytes, from saddr to daddr. */
void wk_xlat_hdr_4to6(const struct rte_ipv4_hdr *in, uint32_t l4len, const uint8_t saddr[16],
		      const uint8_t daddr[16], struct rte_ipv6_hdr *out);

/* The ICMPv6 error for an ICMPv4 error (type, code; mtu: the next-hop MTU
 * of fragmentation needed): 0 with *t6, *c6 and *param (packet too big:
 * the MTU + 20, at least 1280; parameter problem: the pointer), or -1 when
 * it has no counterpart. */
int wk_xlat_icmp_4to6(uint8_t type, uint8_t code, uint16_t mtu, uint8_t *t6, uint8_t *c6,
		      uint32_t *param);

/* The ICMPv4 error for an ICMPv6 error (type, code, param: the MTU of
 * packet too big): 0 with *t4, *c4 and *mtu (fragmentation needed: the
 * MTU - 20, within 68..65535), or -1 when it has no counterpart. */
int wk_xlat_icmp_6to4(uint8_t type, uint8_t code, uint32_t param, uint8_t *t4, uint8_t *c4,
		      uint16_t *mtu);

#endif
