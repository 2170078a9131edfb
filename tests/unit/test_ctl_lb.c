/*
 * Unit tests of the load-balancer front doors (ctl/daemon/svc.c, dest.c,
 * laddr.c, route.c, sneigh.c) and the derived tables (derive.c): good and bad
 * inputs, nothing changed on error (byte compare of the whole set), slots and
 * ids kept for life, weight 0, what each forwarding mode asks of a real
 * server, match services (SNAT) and their text, addr del of a used address, connected routes, and svc_hash / sneigh_hash lookups after
 * adds and deletes. Plain memory, no EAL.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ctl/daemon/addr.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "shm/lb_hash.h"
#include "test_ctl_util.h"

static struct dpvs_root *root;
static struct dpvs_config_set *set, *before;
static char err[512];

/* The dest list of service s (a pointer into set). */
#define SD(s) dpvs_lb_svc_dests(&set->lb, (uint32_t)((s) - dpvs_lb_svcs(&set->lb)))
/* Route i of route show's order (static first, then connected). */
static const struct dpvs_route *
route_nth(unsigned int i)
{
	static uint32_t sl[1024];

	ck_assert_uint_lt(i, ctl_route_slots_sorted(&set->lb, sl));
	return &dpvs_lb_routes(&set->lb)[sl[i]];
}

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
svc_add(uint8_t proto, const char *vip, uint16_t port, int sched)
{
	struct ctl_svc_args a = { .key = tctl_svc_key(proto, vip, port), .sched = sched, .flags = 0 };

	return ctl_svc_add(set, &a, err, sizeof(err));
}

static struct ctl_dest_args
dest_of(const char *vip, uint16_t vport, const char *rs, uint16_t port, int64_t weight)
{
	struct ctl_dest_args d;

	memset(&d, 0, sizeof(d));
	d.svc = tctl_svc_key(IPPROTO_TCP, vip, vport);
	d.addr = tctl_ip(rs);
	d.port = port;
	d.mode = -1;
	d.weight = weight;
	d.has_weight = weight >= -100000;
	return d;
}

static int
dest_add(const char *vip, uint16_t vport, const char *rs, uint16_t port, int64_t weight)
{
	struct ctl_dest_args d = dest_of(vip, vport, rs, port, weight);

	return ctl_dest_add(set, &d, err, sizeof(err));
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
		TCTL_COPY(before, set);                                  \
		err[0] = '\0';                                                      \
		ck_assert_int_eq((call), (code));                                   \
		ck_assert_msg(strstr(err, (piece)) != NULL, "\"%s\" lacks \"%s\"", err, \
			      (piece));                                             \
		ck_assert_msg(TCTL_SAME(before, set),               \
			      "the set changed on error: %s", err);                 \
	} while (0)

START_TEST(test_svc_add_edit_del)
{
	struct ctl_svc_key k = tctl_svc_key(IPPROTO_TCP, "10.0.0.100", 80);
	struct ctl_svc_args e = { .key = k, .sched = DPVS_SCHED_WRR, .flags = -1 };
	int s;

	ck_assert_int_eq(svc_add(IPPROTO_TCP, "10.0.0.100", 80, DPVS_SCHED_RR), 0);
	ck_assert_int_eq(svc_add(IPPROTO_UDP, "10.0.0.100", 80, -1), 0);
	s = ctl_svc_find(&set->lb, &k);
	ck_assert_int_eq(s, 0);
	ck_assert_uint_eq(dpvs_lb_svcs(&set->lb)[0].id, 1);
	ck_assert_uint_eq(dpvs_lb_svcs(&set->lb)[0].vport, htons(80));
	ck_assert_uint_eq(dpvs_lb_svcs(&set->lb)[1].sched_id, DPVS_SCHED_WLC);  /* ipvsadm's default */
	/* a fresh set got LVS's timeouts on the way */
	ck_assert_uint_eq(set->lb.timeouts.tcp[DPVS_TCPS_ESTABLISHED], 900);
	ck_assert_uint_eq(set->lb.timeouts.udp, 300);
	ck_assert_int_eq(ctl_svc_edit(set, &e, err, sizeof(err)), 0);
	ck_assert_uint_eq(dpvs_lb_svcs(&set->lb)[0].sched_id, DPVS_SCHED_WRR);
	ck_assert_uint_eq(dpvs_lb_svcs(&set->lb)[0].id, 1);   /* edit keeps the id */
	ck_assert_int_eq(ctl_svc_del(set, &k, err, sizeof(err)), 0);
	ck_assert_uint_eq(dpvs_lb_svcs(&set->lb)[0].id, 0);
	ck_assert_int_eq(ctl_svc_find(&set->lb, &k), -1);
	/* the UDP service kept its slot; the re-added TCP one reuses slot 0
	 * with a new id */
	ck_assert_uint_eq(dpvs_lb_svcs(&set->lb)[1].id, 2);
	ck_assert_int_eq(svc_add(IPPROTO_TCP, "10.0.0.100", 80, DPVS_SCHED_RR), 0);
	ck_assert_uint_eq(dpvs_lb_svcs(&set->lb)[0].id, 3);
}
END_TEST

/* --proxy-protocol and --toa: TCP virtual services only; an edit of the
 * scheduler flags keeps them. */
START_TEST(test_svc_client_address)
{
	struct ctl_svc_key k = tctl_svc_key(IPPROTO_TCP, "10.0.0.100", 80);
	struct ctl_svc_args e = { .key = k, .sched = -1, .flags = -1, .pp = 2, .toa = 1 };
	struct ctl_svc_args u = { .key = tctl_svc_key(IPPROTO_UDP, "10.0.0.100", 53), .sched = -1,
				  .pp = 2 };
	struct ctl_svc_args v6 = { .key = tctl_svc_key(IPPROTO_TCP, "fd00::100", 80), .sched = -1,
				   .toa = 1 };
	const struct dpvs_service *s = &dpvs_lb_svcs(&set->lb)[0];

	ck_assert_int_eq(svc_add(IPPROTO_TCP, "10.0.0.100", 80, DPVS_SCHED_RR), 0);
	ck_assert_int_eq(ctl_svc_edit(set, &e, err, sizeof(err)), 0);
	ck_assert_uint_eq(s->flags & CTL_SVC_F_ADDR, DPVS_SVC_F_PP_V2 | DPVS_SVC_F_TOA);
	e = (struct ctl_svc_args){ .key = k, .sched = -1, .flags = (int)DPVS_SVC_F_HASHED };
	ck_assert_int_eq(ctl_svc_edit(set, &e, err, sizeof(err)), 0);
	ck_assert_uint_eq(s->flags & (CTL_SVC_F_ADDR | DPVS_SVC_F_HASHED),
			  DPVS_SVC_F_PP_V2 | DPVS_SVC_F_TOA | DPVS_SVC_F_HASHED);
	e = (struct ctl_svc_args){ .key = k, .sched = -1, .flags = -1, .pp = 1, .toa = -1 };
	ck_assert_int_eq(ctl_svc_edit(set, &e, err, sizeof(err)), 0);
	ck_assert_uint_eq(s->flags & CTL_SVC_F_ADDR, DPVS_SVC_F_PP_V1);
	e = (struct ctl_svc_args){ .key = k, .sched = -1, .flags = -1, .pp = -1 };
	ck_assert_int_eq(ctl_svc_edit(set, &e, err, sizeof(err)), 0);
	ck_assert_uint_eq(s->flags & CTL_SVC_F_ADDR, 0);
	EXPECT_REFUSED(ctl_svc_add(set, &u, err, sizeof(err)), -CTL_EINVAL, "over UDP");
	u.pp = 0;
	u.toa = 1;
	EXPECT_REFUSED(ctl_svc_add(set, &u, err, sizeof(err)), -CTL_EINVAL, "--toa is for TCP");
	EXPECT_REFUSED(ctl_svc_add(set, &v6, err, sizeof(err)), -CTL_EINVAL, "IPv4 services only");
}
END_TEST

START_TEST(test_svc_refusals)
{
	struct ctl_svc_key k = tctl_svc_key(IPPROTO_TCP, "10.0.0.200", 80);
	struct ctl_svc_args e = { .key = k, .sched = DPVS_SCHED_RR, .flags = -1 };
	struct ctl_svc_args v6 = { .key = tctl_svc_key(IPPROTO_TCP, "fe80::1", 80) };
	int i;

	ck_assert_int_eq(svc_add(IPPROTO_TCP, "10.0.0.100", 80, DPVS_SCHED_RR), 0);
	EXPECT_REFUSED(svc_add(IPPROTO_TCP, "10.0.0.100", 80, DPVS_SCHED_RR), -CTL_EEXIST,
		       "service TCP 10.0.0.100:80 already exists");
	EXPECT_REFUSED(svc_add(IPPROTO_TCP, "10.0.0.100", 0, 0), -CTL_EINVAL,
		       "must not be 0");
	EXPECT_REFUSED(svc_add(IPPROTO_TCP, "224.0.0.1", 80, 0), -CTL_EINVAL, "unicast");
	EXPECT_REFUSED(svc_add(IPPROTO_ICMP, "10.0.0.1", 80, 0), -CTL_EINVAL, "-t (TCP)");
	EXPECT_REFUSED(svc_add(IPPROTO_TCP, "10.0.0.1", 80, DPVS_SCHED_MAX), -CTL_EINVAL,
		       "unknown scheduler");
	/* an IPv6 VIP is a global unicast address (not link-local, multicast, ::) */
	EXPECT_REFUSED(ctl_svc_add(set, &v6, err, sizeof(err)), -CTL_EINVAL,
		       "TCP [fe80::1]:80: the virtual address must be a global unicast address");
	v6.key = tctl_svc_key(IPPROTO_TCP, "ff02::1", 80);
	EXPECT_REFUSED(ctl_svc_add(set, &v6, err, sizeof(err)), -CTL_EINVAL, "global unicast");
	v6.key = tctl_svc_key(IPPROTO_TCP, "::", 80);
	EXPECT_REFUSED(ctl_svc_add(set, &v6, err, sizeof(err)), -CTL_EINVAL, "global unicast");
	EXPECT_REFUSED(ctl_svc_edit(set, &e, err, sizeof(err)), -CTL_ENOENT,
		       "no service TCP 10.0.0.200:80");
	EXPECT_REFUSED(ctl_svc_del(set, &k, err, sizeof(err)), -CTL_ENOENT, "no service");
	for (i = 1; i < 256; i++)
		ck_assert_int_eq(svc_add(IPPROTO_UDP, "10.0.0.100", (uint16_t)(1000 + i), 0), 0);
	EXPECT_REFUSED(svc_add(IPPROTO_UDP, "10.0.0.100", 5, 0), -CTL_EFULL, "full");
}
END_TEST

START_TEST(test_dest_add_edit_del)
{
	struct ctl_dest_args d;
	struct dpvs_service *s;
	uint32_t id2;

	ck_assert_int_eq(svc_add(IPPROTO_TCP, "10.0.0.100", 80, DPVS_SCHED_WRR), 0);
	ck_assert_int_eq(dest_add("10.0.0.100", 80, "10.1.0.2", 80, 1), 0);
	ck_assert_int_eq(dest_add("10.0.0.100", 80, "10.1.0.3", 8080, 0), 0);  /* weight 0 */
	ck_assert_int_eq(dest_add("10.0.0.100", 80, "10.1.0.2", 81, -1000000), 0); /* default */
	s = &dpvs_lb_svcs(&set->lb)[0];
	ck_assert_uint_eq(s->ndests, 3);
	ck_assert_uint_eq(dpvs_lb_dests(&set->lb)[SD(s)[0]].weight, 1);
	ck_assert_uint_eq(dpvs_lb_dests(&set->lb)[SD(s)[1]].weight, 0);
	ck_assert_uint_eq(dpvs_lb_dests(&set->lb)[SD(s)[2]].weight, 1);
	ck_assert_uint_eq(dpvs_lb_dests(&set->lb)[SD(s)[1]].port, htons(8080));
	ck_assert_uint_eq(dpvs_lb_dests(&set->lb)[SD(s)[1]].fwd_mode, DPVS_FWD_FNAT);
	ck_assert_uint_eq(dpvs_lb_dests(&set->lb)[SD(s)[1]].svc, 0);
	id2 = dpvs_lb_dests(&set->lb)[SD(s)[1]].id;
	/* edit: weight and thresholds; slot and id stay */
	d = dest_of("10.0.0.100", 80, "10.1.0.3", 8080, 5);
	d.upper = 100;
	d.has_upper = true;
	d.lower = 10;
	d.has_lower = true;
	ck_assert_int_eq(ctl_dest_edit(set, &d, err, sizeof(err)), 0);
	ck_assert_uint_eq(SD(s)[1], 1);
	ck_assert_uint_eq(dpvs_lb_dests(&set->lb)[1].id, id2);
	ck_assert_int_eq(dpvs_lb_dests(&set->lb)[1].weight, 5);
	ck_assert_uint_eq(dpvs_lb_dests(&set->lb)[1].u_threshold, 100);
	ck_assert_uint_eq(dpvs_lb_dests(&set->lb)[1].l_threshold, 10);
	/* an edit without -w keeps the weight */
	d = dest_of("10.0.0.100", 80, "10.1.0.3", 8080, -1000000);
	ck_assert_int_eq(ctl_dest_edit(set, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(dpvs_lb_dests(&set->lb)[1].weight, 5);
	/* delete the first: the others keep slots and order */
	d = dest_of("10.0.0.100", 80, "10.1.0.2", 80, -1000000);
	ck_assert_int_eq(ctl_dest_del(set, &d, err, sizeof(err)), 0);
	ck_assert_uint_eq(s->ndests, 2);
	ck_assert_uint_eq(SD(s)[0], 1);
	ck_assert_uint_eq(SD(s)[1], 2);
	ck_assert_uint_eq(dpvs_lb_dests(&set->lb)[0].id, 0);
	/* deleting the service frees its dests */
	ck_assert_int_eq(ctl_svc_del(set, &d.svc, err, sizeof(err)), 0);
	ck_assert_uint_eq(dpvs_lb_dests(&set->lb)[1].id, 0);
	ck_assert_uint_eq(dpvs_lb_dests(&set->lb)[2].id, 0);
}
END_TEST

START_TEST(test_dest_refusals)
{
	struct ctl_dest_args d;
	int m;

	ck_assert_int_eq(svc_add(IPPROTO_TCP, "10.0.0.100", 80, DPVS_SCHED_RR), 0);
	ck_assert_int_eq(dest_add("10.0.0.100", 80, "10.1.0.2", 80, 1), 0);
	EXPECT_REFUSED(dest_add("10.0.0.100", 80, "10.1.0.2", 80, 2), -CTL_EEXIST,
		       "real server 10.1.0.2:80 already exists in TCP 10.0.0.100:80");
	EXPECT_REFUSED(dest_add("10.0.0.100", 81, "10.1.0.2", 80, 1), -CTL_ENOENT,
		       "no service TCP 10.0.0.100:81");
	EXPECT_REFUSED(dest_add("10.0.0.100", 80, "10.1.0.5", 80, -1), -CTL_EINVAL,
		       "weight -1 out of range");
	EXPECT_REFUSED(dest_add("10.0.0.100", 80, "10.1.0.5", 80, 65536), -CTL_EINVAL,
		       "out of range");
	EXPECT_REFUSED(dest_add("10.0.0.100", 80, "10.1.0.5", 0, 1), -CTL_EINVAL,
		       "port must not be 0");
	EXPECT_REFUSED(dest_add("10.0.0.100", 80, "0.0.0.0", 80, 1), -CTL_EINVAL, "unicast");
	/* a real server is another host: not this network, loopback, multicast,
	 * reserved or broadcast, not the VIP, not an address of the node */
	EXPECT_REFUSED(dest_add("10.0.0.100", 80, "0.1.2.3", 80, 1), -CTL_EINVAL,
		       "real server 0.1.2.3:80: must be a unicast address of another host");
	EXPECT_REFUSED(dest_add("10.0.0.100", 80, "127.0.0.1", 80, 1), -CTL_EINVAL,
		       "real server 127.0.0.1:80: must be a unicast address of another host");
	EXPECT_REFUSED(dest_add("10.0.0.100", 80, "127.255.0.9", 80, 1), -CTL_EINVAL,
		       "must be a unicast address of another host");
	EXPECT_REFUSED(dest_add("10.0.0.100", 80, "224.0.0.5", 80, 1), -CTL_EINVAL, "unicast");
	EXPECT_REFUSED(dest_add("10.0.0.100", 80, "240.0.0.1", 80, 1), -CTL_EINVAL, "unicast");
	EXPECT_REFUSED(dest_add("10.0.0.100", 80, "255.255.255.255", 80, 1), -CTL_EINVAL,
		       "unicast");
	EXPECT_REFUSED(dest_add("10.0.0.100", 80, "10.0.0.100", 80, 1), -CTL_EINVAL,
		       "real server 10.0.0.100:80: is the service's own VIP");
	EXPECT_REFUSED(dest_add("10.0.0.100", 80, "10.0.0.100", 8080, 1), -CTL_EINVAL,
		       "is the service's own VIP");
	addr_add("10.1.0.1", 24, 1);
	EXPECT_REFUSED(dest_add("10.0.0.100", 80, "10.1.0.1", 80, 1), -CTL_EINVAL,
		       "real server 10.1.0.1:80: is an address of this node");
	/* what each forwarding mode asks of a real server (dest.c) */
	d = dest_of("10.0.0.100", 80, "10.1.0.6", 80, 1);
	d.mode = DPVS_FWD_SNAT;
	EXPECT_REFUSED(ctl_dest_add(set, &d, err, sizeof(err)), -CTL_EINVAL,
		       "real server 10.1.0.6:80: -b snat needs a match service");
	for (m = DPVS_FWD_DR; m <= DPVS_FWD_TUNNEL; m++) {
		d = dest_of("10.0.0.100", 80, "10.1.0.6", 8080, 1);
		d.mode = m;
		EXPECT_REFUSED(ctl_dest_add(set, &d, err, sizeof(err)), -CTL_EINVAL,
			       "passes the packet with its own port; give the service's port 80");
	}
	d = dest_of("10.0.0.100", 80, "10.2.0.6", 80, 1);
	d.mode = DPVS_FWD_DR;
	EXPECT_REFUSED(ctl_dest_add(set, &d, err, sizeof(err)), -CTL_EINVAL,
		       "real server 10.2.0.6:80: dr needs the real server on the network of one "
		       "of the node's ports");
	d = dest_of("10.0.0.100", 80, "10.1.0.6", 0, 1);
	d.mode = DPVS_FWD_NAT;
	EXPECT_REFUSED(ctl_dest_add(set, &d, err, sizeof(err)), -CTL_EINVAL,
		       "real server 10.1.0.6:0: port must not be 0");
	d = dest_of("10.0.0.100", 80, "10.1.0.2", 80, 1);
	d.mode = DPVS_FWD_SNAT;
	EXPECT_REFUSED(ctl_dest_edit(set, &d, err, sizeof(err)), -CTL_EINVAL,
		       "-b snat needs a match service");
	d = dest_of("10.0.0.100", 80, "10.1.0.7", 80, 1);
	d.upper = 5;
	d.has_upper = true;
	d.lower = 6;
	d.has_lower = true;
	EXPECT_REFUSED(ctl_dest_add(set, &d, err, sizeof(err)), -CTL_EINVAL,
		       "lower threshold 6 (-y) is above upper threshold 5 (-x)");
	d = dest_of("10.0.0.100", 80, "10.1.0.9", 80, 1);
	EXPECT_REFUSED(ctl_dest_edit(set, &d, err, sizeof(err)), -CTL_ENOENT,
		       "no real server 10.1.0.9:80 in TCP 10.0.0.100:80");
	EXPECT_REFUSED(ctl_dest_del(set, &d, err, sizeof(err)), -CTL_ENOENT, "no real server");
	for (m = 1; m < (int)set->lb.caps.svc_dests; m++)
		ck_assert_int_eq(dest_add("10.0.0.100", 80, "10.1.1.1", (uint16_t)m, 1), 0);
	EXPECT_REFUSED(dest_add("10.0.0.100", 80, "10.1.2.1", 1, 1), -CTL_EFULL,
		       "already has 128 real servers");
}
END_TEST

START_TEST(test_laddr)
{
	struct ctl_laddr_args l;

	addr_add("10.1.0.10", 24, 1);
	addr_add("10.0.0.5", 24, 0);
	ck_assert_int_eq(svc_add(IPPROTO_TCP, "10.0.0.100", 80, DPVS_SCHED_RR), 0);
	memset(&l, 0, sizeof(l));
	l.svc = tctl_svc_key(IPPROTO_TCP, "10.0.0.100", 80);
	l.addr = tctl_ip("10.1.0.10");
	l.port = 1;
	ck_assert_int_eq(ctl_laddr_add(set, root, &l, err, sizeof(err)), 0);
	ck_assert_uint_eq(dpvs_lb_svcs(&set->lb)[0].nladdrs, 1);
	ck_assert_uint_eq(dpvs_lb_svc_laddrs(&set->lb, 0)[0].port, 1);
	EXPECT_REFUSED(ctl_laddr_add(set, root, &l, err, sizeof(err)), -CTL_EEXIST,
		       "10.1.0.10 is already a local address of TCP 10.0.0.100:80");
	l.port = 0;
	l.addr = tctl_ip("10.1.0.10");
	EXPECT_REFUSED(ctl_laddr_add(set, root, &l, err, sizeof(err)), -CTL_EINVAL,
		       "10.1.0.10 is not an address of dpdk0");
	l.port = 1;
	l.addr = tctl_ip("10.1.0.11");
	EXPECT_REFUSED(ctl_laddr_add(set, root, &l, err, sizeof(err)), -CTL_EINVAL,
		       "not an address of dpdk1 (add it with \"addr add 10.1.0.11/LEN dev dpdk1\"");
	l.svc.port = 81;
	EXPECT_REFUSED(ctl_laddr_add(set, root, &l, err, sizeof(err)), -CTL_ENOENT,
		       "no service TCP 10.0.0.100:81");
	/* the address is in use: addr del refuses, laddr del then addr del work */
	{
		struct dpvs_addr_entry e = tctl_entry("10.1.0.10", 24, 1);

		EXPECT_REFUSED(ctl_addr_del(set, root, &e, err, sizeof(err)), -CTL_EINVAL,
			       "10.1.0.10 is a local address of service TCP 10.0.0.100:80");
		l.svc.port = 80;
		l.addr = tctl_ip("10.1.0.10");
		l.port = 0;
		EXPECT_REFUSED(ctl_laddr_del(set, root, &l, err, sizeof(err)), -CTL_ENOENT,
			       "on dpdk1, not dpdk0");
		l.port = -1;
		ck_assert_int_eq(ctl_laddr_del(set, root, &l, err, sizeof(err)), 0);
		ck_assert_uint_eq(dpvs_lb_svcs(&set->lb)[0].nladdrs, 0);
		EXPECT_REFUSED(ctl_laddr_del(set, root, &l, err, sizeof(err)), -CTL_ENOENT,
			       "is not a local address");
		ck_assert_int_eq(ctl_addr_del(set, root, &e, err, sizeof(err)), 0);
	}
}
END_TEST

static struct ctl_route_args
route_of(const char *prefix, uint8_t len, const char *gw, int port)
{
	struct ctl_route_args r;

	memset(&r, 0, sizeof(r));
	r.prefix = tctl_ip(prefix);
	r.prefixlen = len;
	if (gw != NULL)
		r.gw = tctl_ip(gw);
	r.port = port;
	return r;
}

START_TEST(test_routes)
{
	struct ctl_route_args r;
	struct dpvs_addr_entry e;

	addr_add("10.1.0.10", 24, 1);
	addr_add("10.0.0.100", 32, 0);        /* a /32: no connected route */
	r = route_of("10.2.0.0", 16, "10.1.0.1", 1);
	ck_assert_int_eq(ctl_route_add(set, root, &r, err, sizeof(err)), 0);
	r = route_of("10.4.0.0", 16, NULL, 0);
	ck_assert_int_eq(ctl_route_add(set, root, &r, err, sizeof(err)), 0);
	/* static routes first, in add order, then the connected one */
	ck_assert_uint_eq(set->lb.nroutes, 3);
	ck_assert_uint_eq(route_nth(0)->flags, DPVS_ROUTE_F_GATEWAY);
	ck_assert_uint_eq(route_nth(1)->flags, 0);
	ck_assert_uint_eq(route_nth(2)->flags, DPVS_ROUTE_F_CONNECTED);
	ck_assert_uint_eq(route_nth(2)->prefixlen, 24);
	ck_assert_uint_eq(route_nth(2)->prefix.bytes[3], 0);
	ck_assert_uint_eq(route_nth(2)->port, 1);
	r = route_of("10.2.0.0", 16, "10.1.0.1", 1);
	EXPECT_REFUSED(ctl_route_add(set, root, &r, err, sizeof(err)), -CTL_EEXIST,
		       "route 10.2.0.0/16 already exists");
	r = route_of("10.1.0.0", 24, NULL, 1);
	EXPECT_REFUSED(ctl_route_add(set, root, &r, err, sizeof(err)), -CTL_EEXIST,
		       "already a connected route of dpdk1");
	r = route_of("10.3.0.1", 16, "10.1.0.1", 1);
	EXPECT_REFUSED(ctl_route_add(set, root, &r, err, sizeof(err)), -CTL_EINVAL,
		       "did you mean 10.3.0.0/16");
	r = route_of("10.3.0.0", 16, "10.9.0.1", 1);
	EXPECT_REFUSED(ctl_route_add(set, root, &r, err, sizeof(err)), -CTL_EINVAL,
		       "gateway 10.9.0.1 is not on a network of dpdk1");
	r = route_of("10.3.0.0", 16, "10.1.0.1", 0);
	EXPECT_REFUSED(ctl_route_add(set, root, &r, err, sizeof(err)), -CTL_EINVAL,
		       "not on a network of dpdk0");
	r = route_of("10.3.0.0", 16, "10.1.0.10", 1);
	EXPECT_REFUSED(ctl_route_add(set, root, &r, err, sizeof(err)), -CTL_EINVAL,
		       "is an address of this node");
	r = route_of("10.3.0.0", 16, NULL, -1);
	EXPECT_REFUSED(ctl_route_add(set, root, &r, err, sizeof(err)), -CTL_EINVAL, "dev");
	/* connected routes are not deleted by hand */
	r = route_of("10.1.0.0", 24, NULL, -1);
	EXPECT_REFUSED(ctl_route_del(set, root, &r, err, sizeof(err)), -CTL_EINVAL,
		       "delete the address instead");
	r = route_of("10.9.0.0", 16, NULL, -1);
	EXPECT_REFUSED(ctl_route_del(set, root, &r, err, sizeof(err)), -CTL_ENOENT,
		       "no such route 10.9.0.0/16");
	/* the gateway's network is needed by a route */
	e = tctl_entry("10.1.0.10", 24, 1);
	EXPECT_REFUSED(ctl_addr_del(set, root, &e, err, sizeof(err)), -CTL_EINVAL,
		       "route 10.2.0.0/16 via 10.1.0.1 dev dpdk1 needs this address");
	r = route_of("10.2.0.0", 16, NULL, -1);
	ck_assert_int_eq(ctl_route_del(set, root, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(ctl_addr_del(set, root, &e, err, sizeof(err)), 0);
	ctl_lb_derive(set);
	/* the connected route went with its address */
	ck_assert_uint_eq(set->lb.nroutes, 1);
	ck_assert_uint_eq(route_nth(0)->port, 0);
}
END_TEST

START_TEST(test_static_neigh)
{
	struct ctl_sneigh_args n;
	struct dpvs_ip ip;
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 0x21 };

	memset(&n, 0, sizeof(n));
	n.ip = tctl_ip("10.1.0.2");
	memcpy(n.mac, mac, 6);
	n.port = 1;
	ck_assert_int_eq(ctl_sneigh_add(set, root, &n, err, sizeof(err)), 0);
	EXPECT_REFUSED(ctl_sneigh_add(set, root, &n, err, sizeof(err)), -CTL_EEXIST,
		       "neighbour 10.1.0.2 dev dpdk1 already exists");
	n.port = 0;   /* the same address on another port is another neighbour */
	ck_assert_int_eq(ctl_sneigh_add(set, root, &n, err, sizeof(err)), 0);
	n.mac[0] = 1;
	n.ip = tctl_ip("10.1.0.3");
	EXPECT_REFUSED(ctl_sneigh_add(set, root, &n, err, sizeof(err)), -CTL_EINVAL,
		       "not a unicast MAC");
	memset(n.mac, 0, 6);
	EXPECT_REFUSED(ctl_sneigh_add(set, root, &n, err, sizeof(err)), -CTL_EINVAL,
		       "not a unicast MAC");
	n.port = 7;
	EXPECT_REFUSED(ctl_sneigh_add(set, root, &n, err, sizeof(err)), -CTL_ENOPORT, "port");
	n.port = 1;
	EXPECT_REFUSED(ctl_sneigh_del(set, root, &n, err, sizeof(err)), -CTL_ENOENT,
		       "no static neighbour 10.1.0.3 dev dpdk1");
	ctl_lb_derive(set);
	ip = tctl_ip("10.1.0.2");
	ck_assert_uint_eq(dpvs_sneigh_lookup(&set->lb, &ip, 1), 0);
	ck_assert_uint_eq(dpvs_sneigh_lookup(&set->lb, &ip, 0), 1);
	ck_assert_uint_eq(dpvs_sneigh_lookup(&set->lb, &ip, 2), DPVS_SLOT_NONE);
	n.ip = ip;
	ck_assert_int_eq(ctl_sneigh_del(set, root, &n, err, sizeof(err)), 0);
	ctl_lb_derive(set);
	ck_assert_uint_eq(dpvs_sneigh_lookup(&set->lb, &ip, 1), DPVS_SLOT_NONE);
	ck_assert_uint_eq(dpvs_sneigh_lookup(&set->lb, &ip, 0), 0);
}
END_TEST

/* Every live service is found at its slot, every deleted one is not. */
static void
check_svc_hash(const bool *live)
{
	struct dpvs_ip vip = tctl_ip("10.0.0.100");
	int i;

	for (i = 0; i < 256; i++) {
		uint16_t port = (uint16_t)(1000 + i);
		uint16_t want = live[i] ? (uint16_t)i : DPVS_SLOT_NONE;

		ck_assert_uint_eq(dpvs_svc_lookup(&set->lb, IPPROTO_TCP, &vip, htons(port)), want);
		ck_assert_uint_eq(dpvs_svc_lookup(&set->lb, IPPROTO_UDP, &vip, htons(port)),
				  DPVS_SLOT_NONE);
	}
}

START_TEST(test_svc_hash)
{
	static bool live[256];
	struct ctl_svc_key k;
	struct dpvs_ip other = tctl_ip("10.0.0.101");
	int i;

	for (i = 0; i < 256; i++) {
		ck_assert_int_eq(svc_add(IPPROTO_TCP, "10.0.0.100", (uint16_t)(1000 + i), 0), 0);
		live[i] = true;
	}
	ctl_lb_derive(set);
	check_svc_hash(live);
	ck_assert_uint_eq(dpvs_svc_lookup(&set->lb, IPPROTO_TCP, &other, htons(1000)),
			  DPVS_SLOT_NONE);
	for (i = 0; i < 256; i += 3) {
		k = tctl_svc_key(IPPROTO_TCP, "10.0.0.100", (uint16_t)(1000 + i));
		ck_assert_int_eq(ctl_svc_del(set, &k, err, sizeof(err)), 0);
		live[i] = false;
	}
	ctl_lb_derive(set);
	check_svc_hash(live);
	/* re-added ones land in the freed slots and are found there */
	for (i = 0; i < 256; i += 3) {
		ck_assert_int_eq(svc_add(IPPROTO_TCP, "10.0.0.100", (uint16_t)(1000 + i), 0), 0);
		live[i] = true;
	}
	ctl_lb_derive(set);
	check_svc_hash(live);
}
END_TEST

START_TEST(test_sched_tables_derived)
{
	const uint16_t *tbl;
	uint16_t b;

	ck_assert_int_eq(svc_add(IPPROTO_TCP, "10.0.0.100", 80, DPVS_SCHED_MH), 0);
	ck_assert_int_eq(svc_add(IPPROTO_TCP, "10.0.0.100", 81, DPVS_SCHED_RR), 0);
	ck_assert_int_eq(dest_add("10.0.0.100", 80, "10.1.0.2", 80, 1), 0);
	ck_assert_int_eq(dest_add("10.0.0.100", 80, "10.1.0.3", 80, 1), 0);
	ctl_sched_flush(&set->lb);
	tbl = dpvs_lb_sched_table(&set->lb, dpvs_lb_svc(&set->lb, 0)->sched_tbl);
	/* only the mh service holds a table of the pool */
	ck_assert_uint_eq(dpvs_lb_svc(&set->lb, 1)->sched_tbl, DPVS_SLOT_NONE);
	for (b = 0; b < DPVS_SCHED_TABLE_SIZE; b++)
		ck_assert_msg(tbl[b] == 0 || tbl[b] == 1, "bucket %u -> %u", b, tbl[b]);
}
END_TEST

/* A match key from its text, as apply_lb.c makes it. */
static struct ctl_svc_key
match_key(const char *text)
{
	struct ctl_svc_key k;

	memset(&k, 0, sizeof(k));
	ck_assert_msg(ctl_match_parse(root, text, &k.match, err, sizeof(err)) == 0, "%s: %s",
		      text, err);
	k.is_match = true;
	k.proto = k.match.proto;
	ctl_match_str(root, &k.match, k.text, sizeof(k.text));
	return k;
}

START_TEST(test_match_text)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
		{ "proto=tcp,src-range=192.168.100.0-192.168.100.254,oif=dpdk1",
		  "proto=tcp,src-range=192.168.100.0-192.168.100.254,oif=dpdk1" },
		{ "oif=dpdk1,iif=dpdk0,proto=udp,dst-range=0.0.0.0:1-1024",
		  "proto=udp,dst-range=0.0.0.0:1-1024,iif=dpdk0,oif=dpdk1" },
		{ "proto=tcp,src-range=10.0.0.5,dst-range=10.1.0.1-10.1.0.9:80",
		  "proto=tcp,src-range=10.0.0.5,dst-range=10.1.0.1-10.1.0.9:80" },
		{ "proto=tcp,src-range=0.0.0.0:1000-2000", "proto=tcp,src-range=0.0.0.0:1000-2000" },
	};
	static const struct {
		const char *in, *msg;
		int rc;
	} bad[] = {
		{ "", "empty match", -CTL_EINVAL },
		{ "src-range=10.0.0.1-10.0.0.9", "without proto=", -CTL_EINVAL },
		{ "proto=tcp", "match takes every packet", -CTL_EINVAL },
		{ "proto=sctp,iif=dpdk0", "proto=sctp: use tcp or udp", -CTL_EINVAL },
		{ "proto=tcp,proto=udp,iif=dpdk0", "given twice", -CTL_EINVAL },
		{ "proto=tcp,src=10.0.0.1", "unknown match word \"src\"", -CTL_EINVAL },
		{ "proto=tcp,iif", "want KEY=VALUE", -CTL_EINVAL },
		{ "proto=tcp,src-range=10.0.0.9-10.0.0.1", "first address is above", -CTL_EINVAL },
		{ "proto=tcp,src-range=10.0.0.300", "bad address range", -CTL_EINVAL },
		{ "proto=tcp,dst-range=0.0.0.0:90-80", "first port is above", -CTL_EINVAL },
		{ "proto=tcp,dst-range=0.0.0.0:70000", "bad port range", -CTL_EINVAL },
		{ "proto=tcp,src-range=10.0.0.1-2001:db8::1", "both of one family", -CTL_EINVAL },
		{ "proto=tcp,src-range=[10.0.0.1]:80", "brackets are for IPv6", -CTL_EINVAL },
		{ "proto=tcp,oif=dpdk7", "no port named dpdk7", -CTL_ENOPORT },
	};
	struct dpvs_svc_match m;
	char buf[CTL_MATCH_TEXT];
	unsigned int i;

	for (i = 0; i < RTE_DIM(ok); i++) {
		ck_assert_msg(ctl_match_parse(root, ok[i].in, &m, err, sizeof(err)) == 0, "%s: %s",
			      ok[i].in, err);
		ck_assert_str_eq(ctl_match_str(root, &m, buf, sizeof(buf)), ok[i].out);
	}
	for (i = 0; i < RTE_DIM(bad); i++) {
		err[0] = '\0';
		ck_assert_int_eq(ctl_match_parse(root, bad[i].in, &m, err, sizeof(err)), bad[i].rc);
		ck_assert_msg(strstr(err, bad[i].msg) != NULL, "%s: \"%s\" lacks \"%s\"",
			      bad[i].in, err, bad[i].msg);
	}
}
END_TEST

START_TEST(test_match_services_and_snat)
{
	struct ctl_svc_args a = {
		.key = match_key("proto=tcp,src-range=10.9.0.1-10.9.0.99,oif=dpdk1"),
		.sched = DPVS_SCHED_RR };
	struct ctl_svc_args u = {
		.key = match_key("proto=udp,src-range=10.9.0.1-10.9.0.99,iif=dpdk0"),
		.sched = DPVS_SCHED_RR };
	struct ctl_dest_args d;
	struct ctl_laddr_args la;
	struct dpvs_addr_entry e;
	const struct dpvs_addr_ix *ix;
	struct ctl_svc_key k;
	int si;

	addr_add("10.1.0.1", 24, 1);
	ck_assert_int_eq(ctl_svc_add(set, &a, err, sizeof(err)), 0);
	ck_assert_int_eq(ctl_svc_add(set, &u, err, sizeof(err)), 0);
	EXPECT_REFUSED(ctl_svc_add(set, &a, err, sizeof(err)), -CTL_EEXIST,
		       "service TCP match proto=tcp,src-range=10.9.0.1-10.9.0.99,oif=dpdk1 "
		       "already exists");
	si = ctl_svc_find(&set->lb, &a.key);
	ck_assert_int_ge(si, 0);
	ck_assert_uint_eq(set->lb.nmatch, 2);
	/* in-port index: the tcp one on both ports, the udp one on dpdk0 only */
	ck_assert_uint_eq(set->lb.match_n[0], 2);
	ck_assert_uint_eq(set->lb.match_n[1], 1);
	ck_assert_uint_eq(set->lb.match[set->lb.match_ix[1][0]].proto, IPPROTO_TCP);
	/* the key names it back, -L and save print it */
	ctl_svc_key_of(root, &set->lb, (uint16_t)si, &k);
	ck_assert(k.is_match);
	ck_assert_str_eq(k.text, "proto=tcp,src-range=10.9.0.1-10.9.0.99,oif=dpdk1");
	/* its real servers: snat sources, node addresses, port 0 */
	memset(&d, 0, sizeof(d));
	d.svc = a.key;
	d.addr = tctl_ip("10.1.0.1");
	d.mode = -1;
	ck_assert_int_eq(ctl_dest_add(set, &d, err, sizeof(err)), 0);
	ck_assert_uint_eq(dpvs_lb_dests(&set->lb)[dpvs_lb_svc_dests(&set->lb, si)[0]].fwd_mode,
			  DPVS_FWD_SNAT);
	ix = dpvs_addr_lookup(&set->lb, &d.addr);
	ck_assert_ptr_nonnull(ix);
	ck_assert(ix->lb & DPVS_ADDR_IX_LADDR_TCP);
	d.addr = tctl_ip("10.1.0.7");
	EXPECT_REFUSED(ctl_dest_add(set, &d, err, sizeof(err)), -CTL_EINVAL,
		       "an SNAT source must be an address of the node");
	d.addr = tctl_ip("10.1.0.1");
	d.port = 80;
	EXPECT_REFUSED(ctl_dest_add(set, &d, err, sizeof(err)), -CTL_EINVAL,
		       "an SNAT source's port must be 0");
	d.port = 0;
	d.mode = DPVS_FWD_NAT;
	EXPECT_REFUSED(ctl_dest_add(set, &d, err, sizeof(err)), -CTL_EINVAL,
		       "a match service (-H) takes only SNAT real servers");
	memset(&la, 0, sizeof(la));
	la.svc = a.key;
	la.addr = tctl_ip("10.1.0.1");
	la.port = 1;
	EXPECT_REFUSED(ctl_laddr_add(set, root, &la, err, sizeof(err)), -CTL_EINVAL,
		       "takes no local address");
	e = tctl_entry("10.1.0.1", 24, 1);
	EXPECT_REFUSED(ctl_addr_del(set, root, &e, err, sizeof(err)), -CTL_EINVAL,
		       "10.1.0.1 is the SNAT source of service TCP match proto=tcp");
	/* the dest goes: its address drains (replies of its connections still
	 * reach their owner); the service goes: its match too */
	d.mode = -1;
	ck_assert_int_eq(ctl_dest_del(set, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(ctl_drain_find(&set->lb, &d.addr, IPPROTO_TCP), 1);
	ck_assert_int_eq(ctl_dest_add(set, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(ctl_svc_del(set, &a.key, err, sizeof(err)), 0);
	ck_assert_uint_eq(set->lb.nmatch, 1);
	ck_assert_uint_eq(set->lb.match_n[1], 0);
	ck_assert_int_lt(ctl_svc_find(&set->lb, &a.key), 0);
}
END_TEST

START_TEST(test_modes_counted)
{
	struct ctl_dest_args d;

	addr_add("10.1.0.1", 24, 1);
	ck_assert_int_eq(svc_add(IPPROTO_TCP, "10.0.0.100", 80, DPVS_SCHED_RR), 0);
	d = dest_of("10.0.0.100", 80, "10.1.0.2", 8080, 1);
	d.mode = DPVS_FWD_NAT;
	ck_assert_int_eq(ctl_dest_add(set, &d, err, sizeof(err)), 0);
	ck_assert_uint_eq(set->lb.nnat, 1);
	d = dest_of("10.0.0.100", 80, "10.1.0.3", 80, 1);
	d.mode = DPVS_FWD_DR;
	ck_assert_int_eq(ctl_dest_add(set, &d, err, sizeof(err)), 0);
	d.mode = DPVS_FWD_NAT;
	ck_assert_int_eq(ctl_dest_edit(set, &d, err, sizeof(err)), 0);   /* dr -> nat */
	ck_assert_uint_eq(set->lb.nnat, 2);
	d = dest_of("10.0.0.100", 80, "10.1.0.2", 8080, 1);
	d.mode = DPVS_FWD_TUNNEL;                                        /* 8080 != 80 */
	EXPECT_REFUSED(ctl_dest_edit(set, &d, err, sizeof(err)), -CTL_EINVAL,
		       "give the service's port 80");
	ck_assert_int_eq(ctl_dest_del(set, &d, err, sizeof(err)), 0);
	ck_assert_uint_eq(set->lb.nnat, 1);
	ck_assert_int_eq(ctl_svc_del(set, &d.svc, err, sizeof(err)), 0);
	ck_assert_uint_eq(set->lb.nnat, 0);
}
END_TEST

START_TEST(test_names)
{
	int i;

	for (i = 0; i < DPVS_SCHED_MAX; i++)
		ck_assert_int_eq(ctl_sched_from_name(ctl_sched_name((unsigned int)i)), i);
	for (i = 0; i < DPVS_FWD_MAX; i++)
		ck_assert_int_eq(ctl_fwd_from_name(ctl_fwd_name((unsigned int)i)), i);
	ck_assert_int_eq(ctl_sched_from_name("sh"), -1);
	ck_assert_int_eq(ctl_fwd_from_name("masq"), -1);
}
END_TEST

static Suite *
lb_suite(void)
{
	Suite *s = suite_create("ctl_lb");
	TCase *tc = tcase_create("front doors");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_svc_add_edit_del);
	tcase_add_test(tc, test_svc_refusals);
	tcase_add_test(tc, test_svc_client_address);
	tcase_add_test(tc, test_dest_add_edit_del);
	tcase_add_test(tc, test_dest_refusals);
	tcase_add_test(tc, test_laddr);
	tcase_add_test(tc, test_routes);
	tcase_add_test(tc, test_static_neigh);
	tcase_add_test(tc, test_svc_hash);
	tcase_add_test(tc, test_sched_tables_derived);
	tcase_add_test(tc, test_match_text);
	tcase_add_test(tc, test_match_services_and_snat);
	tcase_add_test(tc, test_modes_counted);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(lb_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
