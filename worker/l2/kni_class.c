/*
 * The class of a frame on its way to the kernel (see worker.h,
 * wk_kni_class): what the node's routing daemons and neighbour tables need
 * (control: ARP, IPv6 neighbour discovery, OSPF, BGP) and the operator's
 * management services ([port.X] kni_priority) go first and each on a budget
 * of its own, so that a flood of anything else toward the kernel is dropped
 * before it can starve them (kni.c). Reads the frame only; a frame too
 * short for a header is bulk.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "worker/worker.h"

#define KC_PROTO_OSPF 89
#define KC_PORT_BGP   179
/* ICMPv6 router solicitation .. redirect (RFC 4861) */
#define KC_ND_FIRST   133
#define KC_ND_LAST    137

/* The first len bytes of m from off, if they are in its first segment. */
static inline const uint8_t *
at(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	return off + len <= rte_pktmbuf_data_len(m) ? rte_pktmbuf_mtod_offset(m, const uint8_t *,
									   off) : NULL;
}

/* A management service of prio[] for protocol proto and ports sp, dp
 * (host order; ICMP: no ports)? */
static int
is_mgmt(const struct dpvs_kni_prio *prio, uint8_t proto, uint16_t sp, uint16_t dp)
{
	unsigned int i;

	for (i = 0; i < DPVS_KNI_PRIO_MAX && prio[i].proto != 0; i++)
		if (prio[i].proto == proto &&
		    (prio[i].port == 0 || prio[i].port == sp || prio[i].port == dp))
			return 1;
	return 0;
}

/* TCP or UDP at l4 (ports), ICMP of either family, or anything else. */
static enum dpvs_kni_class
class_l4(const struct rte_mbuf *m, uint32_t l4, uint8_t proto, int first,
	 const struct dpvs_kni_prio *prio)
{
	const uint8_t *h;
	uint16_t sp = 0, dp = 0;

	if (proto == KC_PROTO_OSPF)
		return DPVS_KNI_CTRL;
	if (proto == IPPROTO_ICMPV6) {
		h = first ? at(m, l4, 1) : NULL;
		if (h != NULL && h[0] >= KC_ND_FIRST && h[0] <= KC_ND_LAST)
			return DPVS_KNI_CTRL;
		return is_mgmt(prio, IPPROTO_ICMP, 0, 0) ? DPVS_KNI_MGMT : DPVS_KNI_BULK;
	}
	if (proto == IPPROTO_ICMP)
		return is_mgmt(prio, IPPROTO_ICMP, 0, 0) ? DPVS_KNI_MGMT : DPVS_KNI_BULK;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return is_mgmt(prio, proto, 0, 0) ? DPVS_KNI_MGMT : DPVS_KNI_BULK;
	h = first ? at(m, l4, 4) : NULL;
	if (h == NULL)
		return DPVS_KNI_BULK; /* a later fragment: no ports to judge */
	sp = (uint16_t)(h[0] << 8 | h[1]);
	dp = (uint16_t)(h[2] << 8 | h[3]);
	if (proto == IPPROTO_TCP && (sp == KC_PORT_BGP || dp == KC_PORT_BGP))
		return DPVS_KNI_CTRL;
	return is_mgmt(prio, proto, sp, dp) ? DPVS_KNI_MGMT : DPVS_KNI_BULK;
}

enum dpvs_kni_class
wk_kni_class(const struct rte_mbuf *m, const struct dpvs_kni_prio prio[DPVS_KNI_PRIO_MAX])
{
	uint32_t l3 = RTE_ETHER_HDR_LEN;
	const uint8_t *h = at(m, 0, RTE_ETHER_HDR_LEN);
	uint16_t type;

	if (h == NULL)
		return DPVS_KNI_BULK;
	type = (uint16_t)(h[12] << 8 | h[13]);
	if (type == RTE_ETHER_TYPE_VLAN) {
		h = at(m, 0, RTE_ETHER_HDR_LEN + 4);
		if (h == NULL)
			return DPVS_KNI_BULK;
		type = (uint16_t)(h[16] << 8 | h[17]);
		l3 += 4;
	}
	if (type == RTE_ETHER_TYPE_ARP)
		return DPVS_KNI_CTRL;
	if (type == RTE_ETHER_TYPE_IPV4) {
		const struct rte_ipv4_hdr *ip = (const void *)at(m, l3, sizeof(*ip));

		if (ip == NULL)
			return DPVS_KNI_BULK;
		return class_l4(m, l3 + (uint32_t)(ip->version_ihl & 0x0f) * 4, ip->next_proto_id,
				(ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) == 0,
				prio);
	}
	if (type == RTE_ETHER_TYPE_IPV6) {
		const struct rte_ipv6_hdr *ip = (const void *)at(m, l3, sizeof(*ip));

		if (ip == NULL)
			return DPVS_KNI_BULK;
		/* the upper layer right after the fixed header (ND and BGP carry
		 * no extension header); a fragment header hides it: bulk */
		return class_l4(m, l3 + (uint32_t)sizeof(*ip), ip->proto, 1, prio);
	}
	return DPVS_KNI_BULK;
}
