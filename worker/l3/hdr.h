/*
 * Header validation of the ARP, IPv4, IPv6 and ND stages, as pure functions
 * on memory so that unit tests run them without EAL. Each returns
 * DPVS_DROP_MAX when the header is acceptable, else the drop reason to count.
 */
#ifndef DPVS_WORKER_HDR_H
#define DPVS_WORKER_HDR_H

#include <stdint.h>

#include "shm/stats.h"

struct rte_arp_hdr;
struct rte_ipv4_hdr;
struct rte_ipv6_hdr;

/* An Ethernet/IPv4 ARP header of len bytes (len counts from the ARP header
 * to the end of the frame). The opcode is not checked here. */
enum dpvs_drop_reason wk_arp_check(const struct rte_arp_hdr *arp, uint32_t len);

/* An IPv4 header: contig bytes of it are readable in one piece, avail bytes
 * remain in the frame from the header on. Checks version, ihl, total length
 * against the frame, then the header checksum. */
enum dpvs_drop_reason wk_ipv4_check(const struct rte_ipv4_hdr *ip, uint32_t contig,
				    uint32_t avail);

/* An IPv6 header (contig and avail as above): version, a payload length that
 * fits the frame, no jumbogram (payload length 0 with a hop-by-hop header). */
enum dpvs_drop_reason wk_ipv6_check(const struct rte_ipv6_hdr *ip, uint32_t contig,
				    uint32_t avail);

/* What the walk of an IPv6 packet's extension headers found. */
#define WK_IP6_FRAG_NONE  0
#define WK_IP6_FRAG_FIRST 1      /* a fragment header with offset 0 */
#define WK_IP6_FRAG_LATER 2      /* offset > 0: the upper layer is not here */
#define WK_IP6_PROTO_UNKNOWN 255 /* the chain leaves the first segment */
#define WK_IP6_MAX_EXT 8         /* extension headers walked at most */

struct wk_ip6_info {
	uint8_t proto;           /* upper-layer protocol (IPPROTO_*); in a later
				  * fragment the fragment header's next header */
	uint8_t frag;            /* WK_IP6_FRAG_* */
	uint16_t l4_off;         /* upper-layer header, from the IPv6 header */
	uint32_t len;            /* 40 + payload length */
};

/* Walk the extension headers of the IPv6 packet at ip6 (wk_ipv6_check
 * passed; contig bytes readable in one piece): hop-by-hop only first,
 * hop-by-hop, destination options, routing, fragment and AH headers
 * followed to the upper layer, at most WK_IP6_MAX_EXT of them, each inside
 * the payload (ip6_bad_ext otherwise); a routing header of type 0 with
 * segments left is refused (ip6_rh0, RFC 5095). A chain that leaves the
 * first segment ends with proto WK_IP6_PROTO_UNKNOWN. */
enum dpvs_drop_reason wk_ipv6_walk(const uint8_t *ip6, uint32_t contig,
				   struct wk_ip6_info *info);

/* ICMPv6 types of neighbour discovery (RFC 4861). */
#define WK_ND_RS       133
#define WK_ND_RA       134
#define WK_ND_NS       135
#define WK_ND_NA       136
#define WK_ND_REDIRECT 137

/* A neighbour solicitation or advertisement, parsed (nd.c). */
#define WK_ND_NA_ROUTER    0x80
#define WK_ND_NA_SOLICITED 0x40
#define WK_ND_NA_OVERRIDE  0x20

struct wk_nd_msg {
	uint8_t type;            /* WK_ND_NS or WK_ND_NA */
	uint8_t flags;           /* NA: WK_ND_NA_* */
	uint8_t has_ll;          /* a source (NS) / target (NA) link-layer option */
	uint8_t pad;
	uint8_t target[16];
	uint8_t ll[6];           /* its address */
};

/* Validate an NS or NA (RFC 4861 7.1.1, 7.1.2; the ICMPv6 checksum is the
 * caller's): hop limit 255, code 0, at least 24 bytes, target not
 * multicast, every option of non-zero length inside the message; an NS from
 * :: goes to a solicited-node address and carries no source link-layer
 * option; an NA to a multicast address is not solicited. icmp points at the
 * ICMPv6 header, len bytes of the message are readable. nd_bad_packet
 * otherwise. */
enum dpvs_drop_reason wk_nd_parse(const struct rte_ipv6_hdr *ip, const uint8_t *icmp,
				  uint32_t len, struct wk_nd_msg *nd);

#endif
