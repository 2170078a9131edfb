/*
 * Unit tests for the IPv6 pieces of the worker on plain memory (no EAL):
 * the IPv6 header check and the extension-header walk (worker/l3/ipv6.c),
 * the ND message check (worker/l2/nd.c), and the IPv6 route index shared by
 * dpvs-ctl (which fills it, ctl/daemon/derive.c) and the workers (which look
 * up, shm/lb_hash.h): longest prefix first, against a brute-force match.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <rte_byteorder.h>
#include <rte_ip.h>

#include "ctl/daemon/addr.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "shm/lb_hash.h"
#include "worker/l3/hdr.h"

static uint8_t pkt[256];

/* An IPv6 header in pkt with next header nh and plen payload bytes. */
static struct rte_ipv6_hdr *
ip6(uint8_t nh, uint16_t plen)
{
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)pkt;

	memset(pkt, 0, sizeof(pkt));
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(plen);
	ip->proto = nh;
	ip->hop_limits = 64;
	return ip;
}

START_TEST(test_ipv6_check)
{
	struct rte_ipv6_hdr *ip = ip6(59, 16);

	ck_assert_int_eq(wk_ipv6_check(ip, 56, 56), DPVS_DROP_MAX);
	ck_assert_int_eq(wk_ipv6_check(ip, 56, 100), DPVS_DROP_MAX);   /* padding */
	ck_assert_int_eq(wk_ipv6_check(ip, 56, 55), DPVS_DROP_IP6_HDR); /* past the frame */
	ck_assert_int_eq(wk_ipv6_check(ip, 39, 56), DPVS_DROP_IP6_HDR); /* header split */
	ip->vtc_flow = rte_cpu_to_be_32(4u << 28);
	ck_assert_int_eq(wk_ipv6_check(ip, 56, 56), DPVS_DROP_IP6_HDR);
	ip = ip6(0, 0); /* a jumbogram */
	ck_assert_int_eq(wk_ipv6_check(ip, 56, 56), DPVS_DROP_IP6_HDR);
	ip = ip6(59, 0); /* nothing at all is fine */
	ck_assert_int_eq(wk_ipv6_check(ip, 40, 40), DPVS_DROP_MAX);
}
END_TEST

START_TEST(test_ipv6_walk)
{
	struct wk_ip6_info info;

	/* hop-by-hop (8), destination options (16), then ICMPv6 */
	ip6(0, 8 + 16 + 8);
	pkt[40] = 60;
	pkt[48] = 58;
	pkt[49] = 1;
	ck_assert_int_eq(wk_ipv6_walk(pkt, 256, &info), DPVS_DROP_MAX);
	ck_assert_uint_eq(info.proto, 58);
	ck_assert_uint_eq(info.l4_off, 64);
	ck_assert_uint_eq(info.len, 72);
	ck_assert_uint_eq(info.frag, WK_IP6_FRAG_NONE);
	/* the chain leaves the first segment: somebody else's */
	ck_assert_int_eq(wk_ipv6_walk(pkt, 50, &info), DPVS_DROP_MAX);
	ck_assert_uint_eq(info.proto, WK_IP6_PROTO_UNKNOWN);
	/* a header running past the payload */
	pkt[49] = 3;
	ck_assert_int_eq(wk_ipv6_walk(pkt, 256, &info), DPVS_DROP_IP6_EXT);
	/* hop-by-hop after another header */
	ip6(60, 16);
	pkt[40] = 0;
	ck_assert_int_eq(wk_ipv6_walk(pkt, 256, &info), DPVS_DROP_IP6_EXT);
	/* routing type 0 with segments left; with none it is skipped */
	ip6(43, 24 + 8);
	pkt[40] = 58;
	pkt[41] = 2;
	pkt[43] = 1;
	ck_assert_int_eq(wk_ipv6_walk(pkt, 256, &info), DPVS_DROP_IP6_RH0);
	pkt[43] = 0;
	ck_assert_int_eq(wk_ipv6_walk(pkt, 256, &info), DPVS_DROP_MAX);
	ck_assert_uint_eq(info.l4_off, 64);
}
END_TEST

START_TEST(test_ipv6_walk_frag_and_limit)
{
	struct wk_ip6_info info;
	unsigned int i;

	ip6(44, 8 + 8);
	pkt[40] = 17; /* first fragment: the UDP header follows */
	ck_assert_int_eq(wk_ipv6_walk(pkt, 256, &info), DPVS_DROP_MAX);
	ck_assert_uint_eq(info.frag, WK_IP6_FRAG_FIRST);
	ck_assert_uint_eq(info.proto, 17);
	pkt[42] = 0x01; /* offset 32: a later fragment, no upper layer here */
	pkt[43] = 0x00;
	ck_assert_int_eq(wk_ipv6_walk(pkt, 256, &info), DPVS_DROP_MAX);
	ck_assert_uint_eq(info.frag, WK_IP6_FRAG_LATER);
	ck_assert_uint_eq(info.proto, 17);
	/* nine destination options headers: over WK_IP6_MAX_EXT */
	ip6(60, 9 * 8 + 8);
	for (i = 0; i < 9; i++)
		pkt[40 + 8 * i] = i < 8 ? 60 : 59;
	ck_assert_int_eq(wk_ipv6_walk(pkt, 256, &info), DPVS_DROP_IP6_EXT);
	pkt[40 + 8 * 7] = 59; /* eight are fine */
	ck_assert_int_eq(wk_ipv6_walk(pkt, 256, &info), DPVS_DROP_MAX);
	ck_assert_uint_eq(info.proto, 59);
}
END_TEST

/* An NS or NA in pkt (ICMPv6 at 40) with a link-layer option. */
static struct rte_ipv6_hdr *
nd(uint8_t type, const char *src, const char *dst, const char *tgt)
{
	struct rte_ipv6_hdr *ip = ip6(58, 32);
	uint8_t *icmp = pkt + 40;

	ip->hop_limits = 255;
	inet_pton(AF_INET6, src, ip->src_addr);
	inet_pton(AF_INET6, dst, ip->dst_addr);
	icmp[0] = type;
	inet_pton(AF_INET6, tgt, icmp + 8);
	icmp[24] = type == WK_ND_NS ? 1 : 2;
	icmp[25] = 1;
	memcpy(icmp + 26, "\x02\x00\x00\x00\x00\x21", 6);
	return ip;
}

START_TEST(test_nd_parse)
{
	struct rte_ipv6_hdr *ip = nd(WK_ND_NS, "fd00::2", "ff02::1:ff00:1", "fd00::1");
	struct wk_nd_msg m;

	ck_assert_int_eq(wk_nd_parse(ip, pkt + 40, 32, &m), DPVS_DROP_MAX);
	ck_assert_uint_eq(m.type, WK_ND_NS);
	ck_assert(m.has_ll && m.ll[5] == 0x21);
	ck_assert_int_eq(wk_nd_parse(ip, pkt + 40, 23, &m), DPVS_DROP_ND_BAD); /* short */
	ip->hop_limits = 254;
	ck_assert_int_eq(wk_nd_parse(ip, pkt + 40, 32, &m), DPVS_DROP_ND_BAD);
	ip->hop_limits = 255;
	pkt[41] = 1; /* code */
	ck_assert_int_eq(wk_nd_parse(ip, pkt + 40, 32, &m), DPVS_DROP_ND_BAD);
	pkt[41] = 0;
	pkt[65] = 0; /* an option of length 0 */
	ck_assert_int_eq(wk_nd_parse(ip, pkt + 40, 32, &m), DPVS_DROP_ND_BAD);
	pkt[65] = 2; /* an option past the end */
	ck_assert_int_eq(wk_nd_parse(ip, pkt + 40, 32, &m), DPVS_DROP_ND_BAD);
	/* DAD: from :: to a solicited-node group, without a link-layer option */
	ip = nd(WK_ND_NS, "::", "ff02::1:ff00:1", "fd00::1");
	ck_assert_int_eq(wk_nd_parse(ip, pkt + 40, 32, &m), DPVS_DROP_ND_BAD);
	ck_assert_int_eq(wk_nd_parse(ip, pkt + 40, 24, &m), DPVS_DROP_MAX);
	inet_pton(AF_INET6, "fd00::1", ip->dst_addr);
	ck_assert_int_eq(wk_nd_parse(ip, pkt + 40, 24, &m), DPVS_DROP_ND_BAD);
	/* a multicast target */
	ip = nd(WK_ND_NS, "fd00::2", "ff02::1:ff00:1", "ff02::1");
	ck_assert_int_eq(wk_nd_parse(ip, pkt + 40, 32, &m), DPVS_DROP_ND_BAD);
}
END_TEST

START_TEST(test_nd_parse_na)
{
	struct rte_ipv6_hdr *ip = nd(WK_ND_NA, "fd00::2", "fd00::1", "fd00::2");
	struct wk_nd_msg m;

	pkt[44] = WK_ND_NA_SOLICITED | WK_ND_NA_OVERRIDE | 0x1f; /* reserved bits ignored */
	ck_assert_int_eq(wk_nd_parse(ip, pkt + 40, 32, &m), DPVS_DROP_MAX);
	ck_assert_uint_eq(m.flags, WK_ND_NA_SOLICITED | WK_ND_NA_OVERRIDE);
	ck_assert(m.has_ll);
	/* solicited to a multicast group: invalid; unsolicited: fine */
	inet_pton(AF_INET6, "ff02::1", ip->dst_addr);
	ck_assert_int_eq(wk_nd_parse(ip, pkt + 40, 32, &m), DPVS_DROP_ND_BAD);
	pkt[44] = WK_ND_NA_OVERRIDE;
	ck_assert_int_eq(wk_nd_parse(ip, pkt + 40, 32, &m), DPVS_DROP_MAX);
	/* a source link-layer option in an NA is no target one */
	pkt[64] = 1;
	ck_assert_int_eq(wk_nd_parse(ip, pkt + 40, 32, &m), DPVS_DROP_MAX);
	ck_assert(!m.has_ll);
}
END_TEST

/* --- the IPv6 route index --- */

static struct dpvs_config_set *
route_set(uint32_t routes)
{
	struct dpvs_caps caps;

	dpvs_caps_default(&caps);
	caps.routes = routes;
	return dpvs_cfgset_alloc(&caps);
}

static void
ip6_of(struct dpvs_ip *ip, const char *s)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = DPVS_AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, s, ip->bytes), 1);
}

/* Put route slot i = prefix/len (IPv6) in the set, through the index. */
static void
put(struct dpvs_config_set *set, uint32_t i, const uint8_t *pfx, uint8_t len)
{
	struct dpvs_route *r = &dpvs_lb_routes(&set->lb)[i];

	memset(r, 0, sizeof(*r));
	r->prefix.family = DPVS_AF_INET6;
	dpvs_ip6_mask(r->prefix.bytes, pfx, len);
	r->prefixlen = len;
	ctl_route6_insert(&set->lb, i);
}

static void
take(struct dpvs_config_set *set, uint32_t i)
{
	ctl_route6_remove(&set->lb, i);
	memset(&dpvs_lb_routes(&set->lb)[i], 0, sizeof(struct dpvs_route));
}

/* The longest live route holding dst, by looking at every slot. */
static uint32_t
brute(const struct dpvs_config_set *set, const uint8_t *dst)
{
	const struct dpvs_route *r = dpvs_lb_routes(&set->lb);
	uint32_t i, best = DPVS_ROUTE_NONE;
	uint8_t m[16];
	int blen = -1;

	for (i = 0; i < set->lb.caps.routes; i++) {
		if (r[i].prefix.family != DPVS_AF_INET6)
			continue;
		dpvs_ip6_mask(m, dst, r[i].prefixlen);
		if (memcmp(m, r[i].prefix.bytes, 16) == 0 && (int)r[i].prefixlen > blen) {
			blen = r[i].prefixlen;
			best = i;
		}
	}
	return best;
}

START_TEST(test_route6_lookup)
{
	struct dpvs_config_set *set = route_set(16);
	struct dpvs_ip a;

	ck_assert_ptr_nonnull(set);
	ip6_of(&a, "fd00:3::");
	put(set, 0, a.bytes, 48);
	ip6_of(&a, "fd00:3:0:7::");
	put(set, 1, a.bytes, 64);
	ip6_of(&a, "::");
	put(set, 2, a.bytes, 0);
	ck_assert_uint_eq(set->lb.nroute6_lens, 3);
	ck_assert_uint_eq(dpvs_lb_route6_lens(&set->lb)[0], 64);
	ip6_of(&a, "fd00:3:0:7::99");
	ck_assert_uint_eq(dpvs_route6_lookup(&set->lb, a.bytes), 1);
	ip6_of(&a, "fd00:3:0:8::99");
	ck_assert_uint_eq(dpvs_route6_lookup(&set->lb, a.bytes), 0);
	ip6_of(&a, "2001:db8::1");
	ck_assert_uint_eq(dpvs_route6_lookup(&set->lb, a.bytes), 2);
	take(set, 2); /* no default any more */
	ck_assert_uint_eq(dpvs_route6_lookup(&set->lb, a.bytes), DPVS_ROUTE_NONE);
	take(set, 1);
	ck_assert_uint_eq(set->lb.nroute6_lens, 1);
	ip6_of(&a, "fd00:3:0:7::99");
	ck_assert_uint_eq(dpvs_route6_lookup(&set->lb, a.bytes), 0);
	free(set);
}
END_TEST

/* Random routes in and out, every lookup as a brute force finds it, and the
 * incremental index byte for byte what a rebuild makes (same insertion
 * order: the remaining slots in order). */
START_TEST(test_route6_random)
{
	struct dpvs_config_set *set = route_set(64);
	uint8_t pfx[16], dst[16];
	unsigned int step, k, i;

	ck_assert_ptr_nonnull(set);
	srand(8);
	for (step = 0; step < 2000; step++) {
		i = (unsigned int)rand() % 64;
		if (dpvs_lb_routes(&set->lb)[i].prefix.family == DPVS_AF_INET6) {
			take(set, i);
		} else {
			uint8_t len = (uint8_t)(rand() % 129), m[16];

			for (k = 0; k < 16; k++)
				pfx[k] = k < 2 ? 0xfd : (uint8_t)(rand() % 4); /* overlapping */
			dpvs_ip6_mask(m, pfx, len);
			/* one route per prefix, as the front doors keep it */
			if (dpvs_route6_find(&set->lb, m, len) == DPVS_ROUTE_NONE)
				put(set, i, pfx, len);
		}
		for (k = 0; k < 16; k++)
			dst[k] = k < 2 ? 0xfd : (uint8_t)(rand() % 4);
		ck_assert_uint_eq(dpvs_route6_lookup(&set->lb, dst), brute(set, dst));
	}
	free(set);
}
END_TEST

START_TEST(test_route6_front_door)
{
	struct dpvs_config_set *set = route_set(16);
	struct dpvs_root *root = aligned_alloc(64, sizeof(*root)); /* as in its memzone */
	struct dpvs_addr_entry e;
	struct ctl_route_args r;
	char err[256];
	struct dpvs_ip a;

	ck_assert_ptr_nonnull(root);
	memset(root, 0, sizeof(*root));
	root->conf.nports = 2;
	snprintf(root->ports[0].name, sizeof(root->ports[0].name), "dpdk0");
	snprintf(root->ports[1].name, sizeof(root->ports[1].name), "dpdk1");
	memset(&e, 0, sizeof(e));
	ip6_of(&e.addr, "fd00:2::1");
	e.prefixlen = 64;
	e.port = 1;
	ck_assert_int_eq(ctl_addr_add(set, root, &e, err, sizeof(err)), 0);
	/* the connected route came with the address */
	ip6_of(&a, "fd00:2::9");
	ck_assert_uint_ne(dpvs_route6_lookup(&set->lb, a.bytes), DPVS_ROUTE_NONE);
	memset(&r, 0, sizeof(r));
	ip6_of(&r.prefix, "fd00:3::");
	r.prefixlen = 48;
	ip6_of(&r.gw, "fd00:2::fe");
	r.port = 1;
	ck_assert_int_eq(ctl_route_add(set, root, &r, err, sizeof(err)), 0);
	ip6_of(&a, "fd00:3:0:1::5");
	ck_assert_uint_eq(dpvs_lb_routes(&set->lb)[dpvs_route6_lookup(&set->lb, a.bytes)].port, 1);
	/* host bits, a gateway off the port's networks, a family mix: refused */
	ip6_of(&r.prefix, "fd00:4::1");
	ck_assert_int_eq(ctl_route_add(set, root, &r, err, sizeof(err)), -CTL_EINVAL);
	ck_assert(strstr(err, "host bits") != NULL);
	ip6_of(&r.prefix, "fd00:4::");
	ip6_of(&r.gw, "fd00:9::fe");
	ck_assert_int_eq(ctl_route_add(set, root, &r, err, sizeof(err)), -CTL_EINVAL);
	r.gw.family = DPVS_AF_INET;
	ck_assert_int_eq(ctl_route_add(set, root, &r, err, sizeof(err)), -CTL_EINVAL);
	/* a link-local gateway is on every link */
	ip6_of(&r.gw, "fe80::1");
	ck_assert_int_eq(ctl_route_add(set, root, &r, err, sizeof(err)), 0);
	/* the gateway's address stays while the route needs it */
	ck_assert_int_eq(ctl_addr_del(set, root, &e, err, sizeof(err)), -CTL_EINVAL);
	ip6_of(&r.prefix, "fd00:3::");
	ip6_of(&r.gw, "fd00:2::fe");
	ck_assert_int_eq(ctl_route_del(set, root, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(ctl_addr_del(set, root, &e, err, sizeof(err)), 0);
	ip6_of(&a, "fd00:2::9");
	ck_assert_uint_eq(dpvs_route6_lookup(&set->lb, a.bytes), DPVS_ROUTE_NONE);
	free(root);
	free(set);
}
END_TEST

static Suite *
ip6_suite(void)
{
	Suite *s = suite_create("worker_ip6");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_ipv6_check);
	tcase_add_test(tc, test_ipv6_walk);
	tcase_add_test(tc, test_ipv6_walk_frag_and_limit);
	tcase_add_test(tc, test_nd_parse);
	tcase_add_test(tc, test_nd_parse_na);
	tcase_add_test(tc, test_route6_lookup);
	tcase_add_test(tc, test_route6_random);
	tcase_add_test(tc, test_route6_front_door);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ip6_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
