/*
 * Counters shared between the workers (writers, one row each) and dpvs-ctl
 * (reader, sums the rows). Drop reasons and verdicts are X-macros so that the
 * enum, the names printed by `dpvsctl stats` and the code never disagree.
 *
 * Types and names only.
 */
#ifndef DPVS_SHM_STATS_H
#define DPVS_SHM_STATS_H

#include <stdint.h>

#include <rte_common.h>

/* X(ENUM_SUFFIX, "name shown by dpvsctl") */
#define DPVS_DROP_REASONS(X)                                                   \
	X(ETH_SHORT, "eth_short")          /* frame shorter than its headers */ \
	X(RX_OVER_MTU, "rx_over_mtu")      /* frame longer than the port's MTU */\
	X(ARP_MALFORMED, "arp_malformed")  /* not Ethernet/IPv4 ARP */          \
	X(ARP_OP, "arp_bad_op")            /* ARP op other than request/reply */\
	/* ARP not learned from (worker/l2/arp.c; the packet goes on as before) */ \
	X(ARP_BAD_SENDER, "arp_bad_sender") /* sender 0/8, 127/8, multicast,   \
					     * broadcast, or MAC not unicast */ \
	X(ARP_OUR_SENDER, "arp_our_sender") /* sender is an address of ours */  \
	X(ARP_OFF_SUBNET, "arp_off_subnet") /* sender off the port's networks */\
	X(ARP_UNSOLICITED, "arp_unsolicited") /* reply nobody on the node asked \
					       * for, or gratuitous, unknown */ \
	X(ARP_STATIC, "arp_static")        /* other MAC for a static neighbour */\
	X(ARP_MAC_CLAIM, "arp_mac_claim")  /* other MAC for a known neighbour:  \
					    * the known MAC is probed first */  \
	X(ARP_MAC_LOCKED, "arp_mac_locked") /* other MAC within the lock time */\
	X(OTHERHOST, "otherhost")          /* unicast frame not for our MAC */  \
	X(IP_HDR, "ip_bad_header")         /* version, ihl or length wrong */   \
	X(IP_CSUM, "ip_bad_csum")          /* IPv4 header checksum wrong */     \
	X(ICMP_HDR, "icmp_bad_header")     /* ICMP too short or bad checksum */ \
	X(KNI_RING_FULL, "kni_ring_full")  /* to-kernel ring full */            \
	/* the exception path's budgets (worker/l2/kni.c): over the class's     \
	 * packets per second, dropped before the ring */                      \
	X(KNI_CTRL_DROP, "kni_ctrl_drop")  /* ARP, ND, OSPF, BGP over budget */ \
	X(KNI_MGMT_DROP, "kni_mgmt_drop")  /* kni_priority services over budget */\
	X(KNI_BULK_DROP, "kni_bulk_drop")  /* the rest over budget */           \
	X(KNI_MIRROR_DROP, "kni_mirror_drop") /* forward2kni copy: over the     \
					    * bulk budget, ring full, no mbuf */ \
	X(ARP_RING_FULL, "arp_ring_full")  /* a peer's arp ring full */         \
	X(NEIGH_FULL, "neigh_table_full")  /* no slot to learn a neighbour */   \
	X(NEIGH_BAD_ADDR, "neigh_bad_addr") /* next hop is ours, special or off \
					     * the port's networks */           \
	X(NO_MBUF, "no_mbuf")              /* mbuf pool empty */                \
	X(TX_FULL, "tx_full")              /* tx queue full, or sent nothing */ \
	X(TX_REFUSED, "tx_refused")        /* driver refused it, took others */ \
	X(VLAN_NO_ROOM, "vlan_no_room")    /* no headroom for a VLAN tag */     \
	X(BAD_PORT, "bad_port")            /* packet for an unknown port */    \
	/* load balancer (worker/ipvs/ipvs.c, xmit_fnat.c, route.c, neigh_out.c) */ \
	X(IP_FRAG, "ip_fragment")          /* tcp/udp fragment for the lb */    \
	X(L4_HDR, "l4_bad_header")         /* tcp/udp header truncated */       \
	X(TCP_NOT_SYN, "tcp_not_syn")      /* no conn, not a SYN: no new conn */\
	X(TCP_FLAGS, "tcp_bad_flags")      /* SYN+FIN, no ACK on FIN, none... */\
	X(TCP_WINDOW, "tcp_out_of_window") /* seq/ack outside the conn's window */\
	X(WRONG_PORT, "conn_wrong_port")   /* conn's packet on the wrong side */\
	X(UDP_LEN, "udp_bad_len")          /* UDP length != IP payload length */\
	X(NO_CONN, "no_conn")              /* reply to laddr:lport, no conn */  \
	X(NO_DEST, "no_dest")              /* scheduler found no dest */        \
	X(FWD_MODE, "fwd_unsupported")     /* dest's forwarding mode not built */\
	/* access lists and rate limits (worker/ipvs/acl.c, rate.c) */          \
	X(ACL_BLACK, "acl_blacklisted")    /* new conn from a source in the     \
					    * service's black list */           \
	X(ACL_WHITE, "acl_not_whitelisted") /* new conn from a source not in the\
					    * service's white list */           \
	X(RATE_SVC_IN, "rate_svc_in")      /* over the service's inbound rate */ \
	X(RATE_SVC_OUT, "rate_svc_out")    /* over its outbound rate */         \
	X(RATE_DEST_IN, "rate_dest_in")    /* over the dest's inbound rate */   \
	X(RATE_DEST_OUT, "rate_dest_out")  /* over its outbound rate */         \
	/* forwarding modes (worker/ipvs/xmit_*.c) */                          \
	X(NAT_TUPLE_TAKEN, "nat_tuple_taken") /* nat: the real server's answer \
					     * would match another connection */\
	X(DR_NOT_CONNECTED, "dr_not_connected") /* dr: real server not on a   \
					     * connected network of a port */   \
	X(TUNNEL_TOO_BIG, "tunnel_too_big") /* tunnel: encapsulated packet over \
					     * the MTU with DF set: answered with \
					     * ICMP fragmentation needed */      \
	X(TUNNEL_NO_SOURCE, "tunnel_no_source") /* tunnel: no node address on \
					     * the port toward the real server */\
	/* IPv6 services and full-NAT across families (worker/ipvs/ipvs6.c,    \
	 * xlat.c, icmp6_err.c, icmp_xlat.c) */                                 \
	X(FAMILY_MISMATCH, "family_mismatch") /* the dest (or the local        \
					     * address an fnat dest needs) is of \
					     * a family the mode cannot reach */\
	X(UDP6_ZERO_CSUM, "udp6_zero_csum") /* UDP over IPv6 without a         \
					     * checksum (RFC 8200 8.1) */       \
	X(XLAT_EXT_HDR, "xlat_ext_hdr")    /* IPv6 extension headers on a     \
					    * packet to translate to IPv4 */    \
	X(XLAT_TOO_BIG, "xlat_too_big")    /* translated, it would pass the   \
					    * egress MTU: answered with packet  \
					    * too big / fragmentation needed */ \
	X(XLAT_ICMP, "xlat_icmp_dropped")  /* an ICMP error about a connection \
					    * across families that has no       \
					    * counterpart in the other family */\
	X(NO_HEADROOM, "no_headroom")      /* no room before the packet for an \
					     * outer or ICMP error header */    \
	X(NO_LADDR, "no_laddr")            /* no local address/port free */     \
	X(CONN_FULL, "conn_full")          /* connection table full */          \
	X(CONN_SEQX_FULL, "conn_seqx_full") /* its side table of sequence       \
	                                      * translations full ([worker]     \
	                                      * seqx_conns) */                  \
	X(CONN_V6_FULL, "conn_v6_full")    /* the IPv6 side table full          \
	                                    * ([worker] ipv6_conns) */          \
	/* SYN proxy (worker/ipvs/synproxy.c) */                                \
	X(SYNPROXY_BAD_ACK, "synproxy_bad_ack") /* no connection, and the ack  \
					     * is no valid cookie of ours */    \
	X(SYNPROXY_WAIT, "synproxy_wait")  /* a client segment while the real  \
					    * server has not answered, not held \
					    * (one is, or it has no data) */    \
	X(SYNPROXY_NO_MBUF, "synproxy_no_mbuf") /* no mbuf for our SYN to the  \
					     * real server or our ACK */         \
	/* PROXY protocol (worker/ipvs/proxy_proto.c) */                        \
	X(PP_TOO_BIG, "proxy_proto_too_big") /* the first data segment with the \
					     * header over the MTU with DF:     \
					     * ICMP fragmentation needed sent */\
	X(PP_NO_ROOM, "proxy_proto_no_room") /* no headroom in the mbuf for   \
					     * the header */                    \
	X(PP_WAIT, "proxy_proto_wait")     /* client data after its first byte \
					    * before the header went (the      \
					    * client sends it again) */         \
	X(REDIR_RING_FULL, "redir_ring_full") /* owner's redirect ring full */  \
	X(NO_ROUTE, "no_route")            /* no route to the destination */    \
	X(TTL_EXPIRED, "ttl_expired")      /* forwarded TTL/hop limit ran out */\
	X(NEIGH_HOLD_FULL, "neigh_hold_full") /* no room to hold for ARP */     \
	X(NEIGH_UNRESOLVED, "neigh_unresolved") /* ARP never answered */      \
	/* IPv6 input, neighbour discovery, forwarding, output (issue 8) */     \
	X(IP6_HDR, "ip6_bad_header")       /* version, length, jumbogram */     \
	X(IP6_SRC, "ip6_bad_src")          /* source multicast, loopback, or    \
					    * unspecified outside ND's DAD */   \
	X(IP6_EXT, "ip6_bad_ext")          /* extension chain malformed, too    \
					    * long, hop-by-hop not first */     \
	X(IP6_RH0, "ip6_rh0")              /* routing header type 0 (RFC 5095)*/\
	X(ICMP6_HDR, "icmp6_bad_header")   /* ICMPv6 too short or bad checksum */\
	X(ND_BAD, "nd_bad_packet")         /* NS/NA invalid (RFC 4861 7.1) */   \
	X(ND_ROUTER, "nd_router")          /* RS, RA, redirect: not taken */    \
	/* ND not learned from (worker/l2/nd.c; the packet goes on as before) */ \
	X(ND_BAD_SENDER, "nd_bad_sender")  /* target special, or lladdr not   \
					    * unicast */                        \
	X(ND_OUR_SENDER, "nd_our_sender")  /* target is an address of ours */   \
	X(ND_OFF_SUBNET, "nd_off_subnet")  /* target off the port's networks */ \
	X(ND_UNSOLICITED, "nd_unsolicited") /* advertisement nobody asked for */\
	X(ND_STATIC, "nd_static")          /* other MAC for a static neighbour */\
	X(ND_MAC_CLAIM, "nd_mac_claim")    /* other MAC for a known neighbour:  \
					    * the known MAC is probed first */  \
	X(ND_MAC_LOCKED, "nd_mac_locked")  /* other MAC within the lock time */ \
	X(FWD_MARTIAN, "fwd_martian")      /* not forwarded: a source or      \
					    * destination no router passes */   \
	X(FRAG_NEEDED, "frag_needed")      /* IPv4 DF over the egress MTU */    \
	X(IP6_TOO_BIG, "ip6_too_big")      /* IPv6 over the egress MTU */

#define DPVS_VERDICTS(X)                                                       \
	X(TX, "tx")                        /* taken by a data port's driver */  \
	X(KERNEL, "kernel")                /* handed to the exception path */   \
	X(DROP, "drop")                    /* dropped, see drops */             \
	X(REDIRECT, "redirect")            /* passed to the owning worker */    \
	X(HOLD, "held")                    /* held until its next hop resolves */

/* Events: things a worker did that are neither a verdict nor a drop,
 * X(ENUM_SUFFIX, "name shown by dpvsctl"). */
#define DPVS_EVENTS(X)                                                         \
	X(IP_FORWARD, "ip_forward")        /* IPv4 packets forwarded */         \
	X(IP6_FORWARD, "ip6_forward")      /* IPv6 packets forwarded */         \
	X(FRAG_OK, "frag_ok")              /* IPv4 packets fragmented */        \
	X(FRAG_CREATED, "frag_created")    /* fragments made of them */         \
	X(ICMP_TIME_EXCEEDED, "icmp_sent_time_exceeded") /* ICMP errors sent */ \
	X(ICMP_FRAG_NEEDED, "icmp_sent_frag_needed")                           \
	X(ICMP6_TIME_EXCEEDED, "icmp6_sent_time_exceeded")                     \
	X(ICMP6_TOO_BIG, "icmp6_sent_too_big")                                 \
	X(ICMP_RATELIMITED, "icmp_err_ratelimited") /* not sent: over the rate */\
	X(ICMP_SUPPRESSED, "icmp_err_suppressed") /* not sent: about an error, \
					    * a multicast, a later fragment, or \
					    * no source address of ours */      \
	X(ND_NA_SENT, "nd_na_sent")        /* our advertisements (NS answered) */\
	X(ND_DAD_ANSWERED, "nd_dad_answered") /* a DAD probe for our address */ \
	X(CONN_EVICTED, "conn_evicted")    /* a half-open connection gave its  \
					    * slot to a new one (table full) */ \
	X(SYNPROXY_SYNACK, "synproxy_syn_ack") /* SYN cookies sent */          \
	X(SYNPROXY_OPENED, "synproxy_opened") /* valid ACKs: connections made */\
	X(SYNPROXY_RST, "synproxy_server_rst") /* the real server refused: RST \
					    * to the client */                  \
	X(KNI_MIRROR, "kni_mirror")        /* forward2kni copies to the kernel */\
	X(PP_INSERTED, "proxy_proto_inserted") /* PROXY protocol headers put in \
					    * (a retransmission: again) */     \
	X(TOA_ADDED, "toa_added")          /* TOA options put in */             \
	X(TOA_NO_ROOM, "toa_no_room")      /* a segment left without it: no    \
					    * option space, MTU or headroom */ \
	X(VLAN_UNKNOWN, "vlan_unknown")    /* 802.1Q frames of an id no VLAN   \
					    * interface has: to the port's     \
					    * kernel interface, still tagged */

/* The PRE_ROUTING hooks of the IPv4 and IPv6 stages in priority order
 * (worker/l3/hook.c, the seed's INET_HOOK_PRE_ROUTING list), each with a
 * counter of the packets it dropped: X(ENUM_SUFFIX, "name shown by dpvsctl",
 * priority; lower runs first). The SYN proxy has no hook of its own: it runs
 * inside ipvs after the service lookup, and its drops count under ipvs. */
#define DPVS_HOOKS(X)                                                          \
	X(IPVS, "ipvs", 100)               /* dp_vs_in: the load balancer (and \
					    * its SYN proxy, synproxy.c) */

#define DPVS_X_ENUM_DROP(n, s) DPVS_DROP_##n,
enum dpvs_drop_reason { DPVS_DROP_REASONS(DPVS_X_ENUM_DROP) DPVS_DROP_MAX };
#undef DPVS_X_ENUM_DROP

#define DPVS_X_ENUM_VERDICT(n, s) DPVS_VERDICT_##n,
enum dpvs_verdict { DPVS_VERDICTS(DPVS_X_ENUM_VERDICT) DPVS_VERDICT_MAX };
#undef DPVS_X_ENUM_VERDICT

#define DPVS_X_ENUM_EVENT(n, s) DPVS_EVENT_##n,
enum dpvs_event { DPVS_EVENTS(DPVS_X_ENUM_EVENT) DPVS_EVENT_MAX };
#undef DPVS_X_ENUM_EVENT

#define DPVS_X_ENUM_HOOK(n, s, prio) DPVS_HOOK_##n,
enum dpvs_hook { DPVS_HOOKS(DPVS_X_ENUM_HOOK) DPVS_HOOK_MAX };
#undef DPVS_X_ENUM_HOOK

/* One row per worker, written only by that worker. */
struct dpvs_worker_stats {
	uint64_t rx_pkts;        /* received on data ports */
	uint64_t rx_bytes;
	uint64_t tx_pkts;        /* taken by rte_eth_tx_burst (any source) */
	uint64_t tx_bytes;
	uint64_t from_kernel;    /* taken from the bridge's rings */
	uint64_t arp_ring_in;    /* taken from this worker's arp ring */
	uint64_t loops;          /* loop iterations */
	uint64_t busy_loops;     /* iterations that had work */
	uint64_t verdict[DPVS_VERDICT_MAX];
	uint64_t drop[DPVS_DROP_MAX];
	uint64_t event[DPVS_EVENT_MAX];
	uint64_t hook_drop[DPVS_HOOK_MAX]; /* packets each PRE_ROUTING hook dropped
					    * (also counted by reason in drop[]) */
} __rte_cache_aligned;

/* Exception bridge counters, one row per port, written only by the bridge. */
struct dpvs_bridge_stats {
	uint64_t to_kernel;      /* packets written into the tap */
	uint64_t from_kernel;    /* packets read from the tap and given to a worker */
	uint64_t to_kernel_drop; /* tap refused */
	uint64_t from_kernel_drop; /* worker ring full or no worker */
} __rte_cache_aligned;

#endif
