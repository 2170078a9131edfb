/*
 * Unit tests of dpvs-ctl's rules for IPv6 services (ctl/daemon/svc.c,
 * dest.c, laddr.c, match.c, save.c): which real server families each mode
 * takes behind an IPv4 or an IPv6 VIP (only full-NAT crosses, from an IPv6
 * VIP to IPv4 real servers, as DPVS's nat64), the local addresses' family,
 * IPv6 match services' text, and the order save writes a service's local
 * addresses in so that its file loads again. Plain memory, no EAL.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ctl/daemon/addr.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "test_ctl_util.h"

static struct dpvs_root *root;
static struct dpvs_config_set *set, *before;
static char err[512];

static void
setup(void)
{
	root = tctl_root();
	set = tctl_set();
	before = tctl_set();
	ck_assert_ptr_nonnull(set);
	ck_assert_ptr_nonnull(before);
	err[0] = '\0';
}

static void
teardown(void)
{
	free(root);
	free(set);
	free(before);
}

static int
svc_add(const char *vip, uint16_t port)
{
	struct ctl_svc_args a = { .key = tctl_svc_key(IPPROTO_TCP, vip, port), .sched = DPVS_SCHED_RR };

	return ctl_svc_add(set, &a, err, sizeof(err));
}

static int
dest_add(const char *vip, uint16_t vport, const char *rs, uint16_t port, int mode)
{
	struct ctl_dest_args d;

	memset(&d, 0, sizeof(d));
	d.svc = tctl_svc_key(IPPROTO_TCP, vip, vport);
	d.addr = tctl_ip(rs);
	d.port = port;
	d.mode = mode;
	d.weight = 1;
	d.has_weight = true;
	return ctl_dest_add(set, &d, err, sizeof(err));
}

static int
laddr_add(const char *vip, uint16_t vport, const char *ip, int port)
{
	struct ctl_laddr_args l;

	memset(&l, 0, sizeof(l));
	l.svc = tctl_svc_key(IPPROTO_TCP, vip, vport);
	l.addr = tctl_ip(ip);
	l.port = port;
	return ctl_laddr_add(set, root, &l, err, sizeof(err));
}

static void
addr_add(const char *ip, unsigned int len, uint16_t port)
{
	struct dpvs_addr_entry e = tctl_entry(ip, len, port);

	ck_assert_int_eq(ctl_addr_add(set, root, &e, err, sizeof(err)), 0);
}

/* rc, a piece of err, and the set exactly as before the call */
#define EXPECT_REFUSED(call, code, piece)                                            \
	do {                                                                        \
		TCTL_COPY(before, set);                                             \
		err[0] = '\0';                                                      \
		ck_assert_int_eq((call), (code));                                   \
		ck_assert_msg(strstr(err, (piece)) != NULL, "\"%s\" lacks \"%s\"", err, \
			      (piece));                                             \
		ck_assert_msg(TCTL_SAME(before, set), "the set changed on error: %s", err); \
	} while (0)

/* Every mode behind an IPv6 VIP with IPv6 real servers; IPv4 real servers
 * with full-NAT only; none of IPv6 behind an IPv4 VIP. */
START_TEST(test_dest_families)
{
	addr_add("fd00:19::1", 64, 1);
	addr_add("10.1.0.1", 24, 1);
	ck_assert_int_eq(svc_add("fd00:18::100", 80), 0);
	ck_assert_int_eq(dest_add("fd00:18::100", 80, "fd00:19::11", 80, DPVS_FWD_FNAT), 0);
	ck_assert_int_eq(dest_add("fd00:18::100", 80, "fd00:19::12", 8080, DPVS_FWD_NAT), 0);
	ck_assert_int_eq(dest_add("fd00:18::100", 80, "fd00:19::13", 80, DPVS_FWD_DR), 0);
	ck_assert_int_eq(dest_add("fd00:18::100", 80, "fd00:29::14", 80, DPVS_FWD_TUNNEL), 0);
	ck_assert_int_eq(dest_add("fd00:18::100", 80, "10.1.0.11", 80, DPVS_FWD_FNAT), 0);
	EXPECT_REFUSED(dest_add("fd00:18::100", 80, "10.1.0.12", 80, DPVS_FWD_NAT), -CTL_EINVAL,
		       "an IPv6 service takes IPv4 real servers with full-NAT only");
	EXPECT_REFUSED(dest_add("fd00:18::100", 80, "10.1.0.13", 80, DPVS_FWD_DR), -CTL_EINVAL,
		       "full-NAT only");
	EXPECT_REFUSED(dest_add("fd00:18::100", 80, "fd00:29::15", 80, DPVS_FWD_DR), -CTL_EINVAL,
		       "dr needs the real server on the network of one of the node's ports");
	EXPECT_REFUSED(dest_add("fd00:18::100", 80, "fe80::1", 80, DPVS_FWD_FNAT), -CTL_EINVAL,
		       "real server [fe80::1]:80: must be a unicast address of another host");
	EXPECT_REFUSED(dest_add("fd00:18::100", 80, "fd00:19::1", 80, DPVS_FWD_FNAT), -CTL_EINVAL,
		       "is an address of this node");
	ck_assert_int_eq(svc_add("10.0.0.100", 80), 0);
	EXPECT_REFUSED(dest_add("10.0.0.100", 80, "fd00:19::11", 80, DPVS_FWD_FNAT), -CTL_EINVAL,
		       "an IPv4 service takes IPv4 real servers only");
}
END_TEST

/* A local address is of the family of the service's full-NAT real servers;
 * an IPv4 service's are IPv4. */
START_TEST(test_laddr_families)
{
	addr_add("fd00:19::10", 128, 1);
	addr_add("10.1.0.10", 32, 1);
	ck_assert_int_eq(svc_add("fd00:18::100", 80), 0);
	/* no full-NAT real server yet: either family */
	ck_assert_int_eq(laddr_add("fd00:18::100", 80, "fd00:19::10", 1), 0);
	ck_assert_int_eq(dest_add("fd00:18::100", 80, "fd00:19::11", 80, DPVS_FWD_FNAT), 0);
	EXPECT_REFUSED(laddr_add("fd00:18::100", 80, "10.1.0.10", 1), -CTL_EINVAL,
		       "has no IPv4 real server");
	ck_assert_int_eq(dest_add("fd00:18::100", 80, "10.1.0.11", 80, DPVS_FWD_FNAT), 0);
	ck_assert_int_eq(laddr_add("fd00:18::100", 80, "10.1.0.10", 1), 0);
	ck_assert_uint_eq(dpvs_lb_svcs(&set->lb)[0].nladdrs, 2);
	ck_assert_int_eq(svc_add("10.0.0.100", 80), 0);
	EXPECT_REFUSED(laddr_add("10.0.0.100", 80, "fd00:19::10", 1), -CTL_EINVAL,
		       "takes IPv4 local addresses only");
}
END_TEST

/* IPv6 match ranges: with and without ports, :: for any IPv6 source; the
 * text names them back as given; the two ranges of one family. */
START_TEST(test_match6_text)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
		{ "proto=tcp,src-range=fd00:9::1-fd00:9::ff,oif=dpdk1",
		  "proto=tcp,src-range=fd00:9::1-fd00:9::ff,oif=dpdk1" },
		{ "proto=udp,src-range=[fd00:9::1]:1000-2000,iif=dpdk0",
		  "proto=udp,src-range=[fd00:9::1]:1000-2000,iif=dpdk0" },
		{ "proto=tcp,src-range=::,oif=dpdk1", "proto=tcp,src-range=::,oif=dpdk1" },
	};
	struct dpvs_svc_match m;
	char buf[CTL_MATCH_TEXT];
	unsigned int i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(ctl_match_parse(root, ok[i].in, &m, err, sizeof(err)) == 0, "%s: %s",
			      ok[i].in, err);
		ck_assert_str_eq(ctl_match_str(root, &m, buf, sizeof(buf)), ok[i].out);
		ck_assert_uint_eq(ctl_match_family(&m), DPVS_AF_INET6);
	}
	ck_assert_int_eq(ctl_match_parse(root, "proto=tcp,src-range=fd00:9::1,"
					 "dst-range=10.0.0.1", &m, err, sizeof(err)), 0);
	{
		struct ctl_svc_args a = { .sched = DPVS_SCHED_RR };

		a.key.is_match = true;
		a.key.proto = IPPROTO_TCP;
		a.key.match = m;
		EXPECT_REFUSED(ctl_svc_add(set, &a, err, sizeof(err)), -CTL_EINVAL,
			       "src-range and dst-range are of different families");
	}
}
END_TEST

/* save: an IPv6 VIP with IPv6 and IPv4 full-NAT real servers and local
 * addresses of both families; one IPv4 local address whose real server is
 * gone comes right after its service (before the real servers), so that
 * the file loads. */
START_TEST(test_save6)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	const char *svc, *d4, *la4, *la6;

	addr_add("fd00:19::10", 128, 1);
	addr_add("10.1.0.10", 32, 1);
	ck_assert_int_eq(svc_add("fd00:18::100", 80), 0);
	ck_assert_int_eq(dest_add("fd00:18::100", 80, "fd00:19::11", 80, DPVS_FWD_FNAT), 0);
	ck_assert_int_eq(dest_add("fd00:18::100", 80, "10.1.0.11", 80, DPVS_FWD_FNAT), 0);
	ck_assert_int_eq(laddr_add("fd00:18::100", 80, "fd00:19::10", 1), 0);
	ck_assert_int_eq(laddr_add("fd00:18::100", 80, "10.1.0.10", 1), 0);
	{
		struct ctl_dest_args d;

		memset(&d, 0, sizeof(d));
		d.svc = tctl_svc_key(IPPROTO_TCP, "fd00:18::100", 80);
		d.addr = tctl_ip("10.1.0.11");
		d.port = 80;
		d.mode = -1;
		ck_assert_int_eq(ctl_dest_del(set, &d, err, sizeof(err)), 0);
	}
	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ctl_save_text(set, root, f), 0);
	fclose(f);
	svc = strstr(text, "-A -t [fd00:18::100]:80");
	d4 = strstr(text, "-a -t [fd00:18::100]:80 -r [fd00:19::11]:80");
	la4 = strstr(text, "laddr add -t [fd00:18::100]:80 10.1.0.10 dev dpdk1");
	la6 = strstr(text, "laddr add -t [fd00:18::100]:80 fd00:19::10 dev dpdk1");
	ck_assert_msg(svc && d4 && la4 && la6, "%s", text);
	ck_assert_msg(svc < la4 && la4 < d4 && d4 < la6, "%s", text);
	free(text);
}
END_TEST

static Suite *
lb6_suite(void)
{
	Suite *s = suite_create("ctl_lb6");
	TCase *tc = tcase_create("families");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_dest_families);
	tcase_add_test(tc, test_laddr_families);
	tcase_add_test(tc, test_match6_text);
	tcase_add_test(tc, test_save6);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(lb6_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
