/*
 * Unit tests of flat-cost changes (ctl/daemon/change.c, derive.c): random
 * sequences of operations applied one by one to a set (each failing one
 * changes nothing), replayed on a second set (byte for byte equal), and
 * compared with a from-scratch rebuild of every derived table (hashes as
 * maps, the rest byte for byte, connected routes against the addresses);
 * a batch whose last operation fails publishes nothing and leaves both
 * copies as they were; and one change to a set holding 1,000 services x 10
 * dests writes a bounded number of pages (counted with mprotect), where a
 * full copy or rebuild writes thousands. Plain memory, no EAL.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "ctl/daemon/addr.h"
#include "ctl/daemon/beat.h"
#include "ctl/daemon/change.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "ctl/rules.h"
#include "shm/lb_hash.h"
#include "test_ctl_util.h"

static struct dpvs_root *root;
static char err[512];

static void
setup(void)
{
	root = tctl_root();
	err[0] = '\0';
}

static void
teardown(void)
{
	free(root);
	tctl_tmp_cleanup();
}

static uint32_t rnd_state = 12345;

static uint32_t
rnd(uint32_t n)
{
	uint32_t x = rnd_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	rnd_state = x;
	return x % n;
}

static struct dpvs_ip
ipv4(uint32_t host)
{
	struct dpvs_ip ip;
	uint32_t be = htonl(host);

	memset(&ip, 0, sizeof(ip));
	ip.family = DPVS_AF_INET;
	memcpy(ip.bytes, &be, 4);
	return ip;
}

/* fd01:<a>::<b> (IPv6) */
static struct dpvs_ip
ipv6(uint16_t a, uint16_t b, uint16_t c)
{
	struct dpvs_ip ip;

	memset(&ip, 0, sizeof(ip));
	ip.family = DPVS_AF_INET6;
	ip.bytes[0] = 0xfd;
	ip.bytes[1] = (uint8_t)b;
	ip.bytes[3] = (uint8_t)a;
	ip.bytes[15] = (uint8_t)c;
	return ip;
}

/* Sometimes a match service (SNAT) of a pool of four. */
static struct ctl_svc_key
rnd_key(void)
{
	struct ctl_svc_key k;

	memset(&k, 0, sizeof(k));
	k.proto = rnd(4) == 0 ? IPPROTO_UDP : IPPROTO_TCP;
	if (rnd(5) == 0) {
		k.is_match = true;
		k.match.proto = k.proto;
		k.match.src_lo = ipv4(0x0a030001u);
		k.match.src_hi = ipv4(0x0a030009u + rnd(2));
		k.match.iif = (uint8_t)rnd(2);
		k.match.svc = DPVS_SLOT_NONE;
		ctl_match_str(root, &k.match, k.text, sizeof(k.text));
		return k;
	}
	k.vip = ipv4(0x0a000064u + rnd(3));      /* 10.0.0.100-102 */
	k.port = (uint16_t)(80 + rnd(4));
	return k;
}

/* A health check operation: check set (of a service or a dest), check
 * del, or a published health. */
static struct ctl_op
rnd_check_op(void)
{
	struct ctl_op op;

	memset(&op, 0, sizeof(op));
	op.kind = CTL_OP_CHECK_SET + (int)rnd(3);
	if (op.kind == CTL_OP_DEST_HEALTH) {
		op.u.health.svc = rnd_key();
		op.u.health.addr = ipv4(0x0a020000u | (1 + rnd(6)));
		op.u.health.port = 80;
		op.u.health.down = rnd(2) == 0;
		return op;
	}
	op.u.check.svc = rnd_key();
	op.u.check.has_dest = rnd(2) == 0;
	op.u.check.dest = ipv4(0x0a020000u | (1 + rnd(6)));
	op.u.check.dport = 80;
	op.u.check.type = (uint8_t)(DPVS_CHECK_TCP + rnd(DPVS_CHECK_MAX - DPVS_CHECK_TCP));
	op.u.check.interval_ms = 1000 * (1 + rnd(3));
	op.u.check.timeout_ms = 500;
	op.u.check.rise = (uint8_t)(1 + rnd(3));
	op.u.check.fall = (uint8_t)(1 + rnd(3));
	op.u.check.expect_status = 200;
	op.u.check.send_len = 2;
	snprintf(op.u.check.data, sizeof(op.u.check.data), "/%u", rnd(100));
	return op;
}

/* A random operation over small pools of objects, so that adds, deletes
 * and refusals all happen. */
static struct ctl_op
rnd_op(void)
{
	struct ctl_op op;
	uint32_t net = rnd(3);

	if (rnd(8) == 0)
		return rnd_check_op();
	memset(&op, 0, sizeof(op));
	op.kind = CTL_OP_ADDR_ADD + (int)rnd(CTL_OP_NEIGH_DEL - CTL_OP_ADDR_ADD + 1);
	switch (op.kind) {
	case CTL_OP_ADDR_ADD:
	case CTL_OP_ADDR_DEL:
		/* 10.1.<net>.<1..4>/24 or fd01:0:<net>::<1..4>/64 on port net % 2 */
		if (rnd(3) == 0) {
			op.u.addr.addr = ipv6((uint16_t)net, 1, (uint16_t)(1 + rnd(4)));
			op.u.addr.prefixlen = 64;
		} else {
			op.u.addr.addr = ipv4(0x0a010000u | net << 8 | (1 + rnd(4)));
			op.u.addr.prefixlen = 24;
		}
		op.u.addr.port = (uint16_t)(net % 2);
		break;
	case CTL_OP_SVC_ADD:
	case CTL_OP_SVC_EDIT:
	case CTL_OP_SVC_DEL:
		op.u.svc.key = rnd_key();
		op.u.svc.sched = (int)rnd(DPVS_SCHED_MAX);
		op.u.svc.flags = rnd(3) == 0 ? (int)DPVS_SVC_F_HASHED : -1;
		break;
	case CTL_OP_DEST_ADD:
	case CTL_OP_DEST_EDIT:
	case CTL_OP_DEST_DEL:
		op.u.dest.svc = rnd_key();
		/* servers off the node's networks, on them, and node addresses
		 * (SNAT sources); every mode, and an unknown one */
		op.u.dest.addr = rnd(4) == 0 ? ipv4(0x0a010000u | net << 8 | (1 + rnd(4))) :
					       ipv4(0x0a020000u | (1 + rnd(3)));
		op.u.dest.port = rnd(6) == 0 ? 0 : 80;
		op.u.dest.mode = (int)rnd(DPVS_FWD_MAX + 2) - 1;
		op.u.dest.weight = rnd(4);
		op.u.dest.has_weight = rnd(2) == 0;
		break;
	case CTL_OP_LADDR_ADD:
	case CTL_OP_LADDR_DEL:
		op.u.laddr.svc = rnd_key();
		op.u.laddr.addr = ipv4(0x0a010000u | net << 8 | (1 + rnd(4)));
		op.u.laddr.port = (int)(net % 2);
		break;
	case CTL_OP_ROUTE_ADD:
	case CTL_OP_ROUTE_DEL:
		if (rnd(3) == 0) {
			/* fd10:<x>::/48, or ::/0, via fd01:0:<net>::fe */
			op.u.route.prefix = ipv6((uint16_t)rnd(3), 0x10, 0);
			op.u.route.prefixlen = 48;
			if (rnd(4) == 0) {
				memset(op.u.route.prefix.bytes, 0, 16);
				op.u.route.prefixlen = 0;
			}
			op.u.route.gw = ipv6((uint16_t)net, 1, 0xfe);
		} else {
			op.u.route.prefix = ipv4(rnd(4) == 0 ? 0 : 0xac100000u | rnd(3) << 8);
			op.u.route.prefixlen = op.u.route.prefix.bytes[0] == 0 ? 0 : 24;
			op.u.route.gw = ipv4(0x0a010000u | net << 8 | 254);
		}
		op.u.route.port = (int)(net % 2);
		break;
	default:
		op.u.sneigh.ip = ipv4(0x0a010000u | net << 8 | (100 + rnd(3)));
		op.u.sneigh.mac[0] = 2;
		op.u.sneigh.mac[5] = (uint8_t)rnd(250);
		op.u.sneigh.port = (int)(net % 2);
		break;
	}
	return op;
}

/* Every live service of x is found at its slot in both hashes. */
static void
same_svc_hash(const struct dpvs_lb_tables *x, const struct dpvs_lb_tables *y)
{
	uint32_t i, nx = 0, ny = 0;

	for (i = 0; i < x->caps.services; i++) {
		const struct dpvs_service *s = dpvs_lb_svc(x, i);

		if (s->id == 0 || (s->flags & DPVS_SVC_F_MATCH) != 0)
			continue;
		ck_assert_uint_eq(dpvs_svc_lookup(x, s->proto, &s->vip, s->vport), i);
		ck_assert_uint_eq(dpvs_svc_lookup(y, s->proto, &s->vip, s->vport), i);
	}
	for (i = 0; i < x->svc_hash_slots; i++) {
		nx += dpvs_lb_svc_hash(x)[i] != 0;
		ny += dpvs_lb_svc_hash(y)[i] != 0;
	}
	ck_assert_uint_eq(nx, ny);
}

/* The same entries (address, ports, bits, counts) in both address indexes. */
static void
same_addr_index(const struct dpvs_lb_tables *x, const struct dpvs_lb_tables *y)
{
	uint32_t i, nx = 0, ny = 0;

	for (i = 0; i < x->addr_hash_slots; i++) {
		const struct dpvs_addr_ix *e = &dpvs_lb_addr_hash(x)[i], *f;

		ny += dpvs_lb_addr_hash(y)[i].ip.family != DPVS_AF_NONE;
		if (e->ip.family == DPVS_AF_NONE)
			continue;
		nx++;
		f = dpvs_addr_lookup(y, &e->ip);
		ck_assert_ptr_nonnull(f);
		ck_assert_ptr_eq(dpvs_addr_lookup(x, &e->ip), e);
		ck_assert_uint_eq(e->ports, f->ports);
		ck_assert_uint_eq(e->lb, f->lb);
		ck_assert_mem_eq(e->n, f->n, sizeof(e->n));
	}
	ck_assert_uint_eq(nx, ny);
}

/* The connected routes are those of the addresses: one per network, on
 * the port of the first address of that network. */
static void
check_connected(const struct dpvs_config_set *set)
{
	const struct dpvs_lb_tables *lb = &set->lb;
	const struct dpvs_addr_entry *a = dpvs_cfg_addrs(set);
	uint32_t i, j, want = 0, have = 0;

	for (i = 0; i < set->naddrs; i++) {
		struct dpvs_ip net, other;

		ctl_ip_net(&a[i].addr, a[i].prefixlen, &net);
		for (j = 0; j < i; j++) {
			ctl_ip_net(&a[j].addr, a[j].prefixlen, &other);
			if (dpvs_ip_equal(&net, &other))
				break;
		}
		if (j < i)
			continue;
		want++;
		for (j = 0; j < lb->caps.routes; j++) {
			const struct dpvs_route *r = &dpvs_lb_routes(lb)[j];

			if ((r->flags & DPVS_ROUTE_F_CONNECTED) != 0 &&
			    dpvs_ip_equal(&r->prefix, &net)) {
				ck_assert_uint_eq(r->port, a[i].port);
				break;
			}
		}
		ck_assert_uint_lt(j, lb->caps.routes);
	}
	for (j = 0; j < lb->caps.routes; j++)
		have += (dpvs_lb_routes(lb)[j].flags & DPVS_ROUTE_F_CONNECTED) != 0;
	ck_assert_uint_eq(have, want);
}

/* Every IPv6 route of x is found at its slot in the route6 index of both,
 * and both index as many. */
static void
same_route6_index(const struct dpvs_lb_tables *x, const struct dpvs_lb_tables *y)
{
	uint32_t i, nx = 0, ny = 0, nr = 0;

	for (i = 0; i < x->caps.routes; i++) {
		const struct dpvs_route *r = &dpvs_lb_routes(x)[i];

		if (r->prefix.family != DPVS_AF_INET6)
			continue;
		nr++;
		ck_assert_uint_eq(dpvs_route6_find(x, r->prefix.bytes, r->prefixlen), i);
		ck_assert_uint_eq(dpvs_route6_find(y, r->prefix.bytes, r->prefixlen), i);
	}
	for (i = 0; i < x->route6_hash_slots; i++) {
		nx += dpvs_lb_route6_hash(x)[i] != 0;
		ny += dpvs_lb_route6_hash(y)[i] != 0;
	}
	ck_assert_uint_eq(nx, nr);
	ck_assert_uint_eq(ny, nr);
}

/* set against a from-scratch rebuild of its derived tables. */
static void
check_against_scratch(const struct dpvs_config_set *set)
{
	struct dpvs_config_set *x = ctl_set_dup(set), *y = ctl_set_dup(set);

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(y);
	ctl_lb_derive(y);
	same_svc_hash(&x->lb, &y->lb);
	same_svc_hash(&y->lb, &x->lb);
	same_addr_index(&x->lb, &y->lb);
	same_addr_index(&y->lb, &x->lb);
	same_route6_index(&x->lb, &y->lb);
	check_connected(set);
	/* the hashes compared as maps; everything else byte for byte (the
	 * mh/conhash tables, the sneigh hash, every primary table) */
	memset(dpvs_lb_svc_hash(&x->lb), 0, x->lb.svc_hash_slots * sizeof(uint16_t));
	memset(dpvs_lb_svc_hash(&y->lb), 0, y->lb.svc_hash_slots * sizeof(uint16_t));
	memset(dpvs_lb_addr_hash(&x->lb), 0, x->lb.addr_hash_slots * sizeof(struct dpvs_addr_ix));
	memset(dpvs_lb_addr_hash(&y->lb), 0, y->lb.addr_hash_slots * sizeof(struct dpvs_addr_ix));
	memset(dpvs_lb_route6_hash(&x->lb), 0, x->lb.route6_hash_slots * sizeof(uint32_t));
	memset(dpvs_lb_route6_hash(&y->lb), 0, y->lb.route6_hash_slots * sizeof(uint32_t));
	ck_assert_msg(TCTL_SAME(x, y), "incremental tables differ from a rebuild");
	free(x);
	free(y);
}

START_TEST(test_incremental_equals_scratch)
{
	struct dpvs_config_set *a = tctl_set(), *b = tctl_set(), *before = tctl_set();
	struct ctl_op batch[16];
	unsigned int round, i, n, ok = 0, refused = 0, checks_ok = 0;
	size_t failed;

	rnd_state = 777u + (uint32_t)_i;
	ctl_lb_prepare(&a->lb);
	ctl_lb_prepare(&b->lb);
	for (round = 0; round < 150; round++) {
		n = 0;
		for (i = 0; i < 1 + rnd(12); i++) {
			struct ctl_op op = rnd_op();

			TCTL_COPY(before, a);
			if (ctl_op_apply(a, root, &op, err, sizeof(err)) != 0) {
				/* a refused operation changes nothing */
				ck_assert_msg(TCTL_SAME(a, before), "op %d refused (%s) but changed the set",
					      op.kind, err);
				refused++;
				continue;
			}
			batch[n++] = op;
			ok++;
			checks_ok += op.kind >= CTL_OP_CHECK_SET;
		}
		ctl_sched_flush(&a->lb);
		ck_assert_int_eq(ctl_ops_apply(b, root, batch, n, &failed, err, sizeof(err)), 0);
		ck_assert_msg(TCTL_SAME(a, b), "round %u: the replayed copy differs", round);
		check_against_scratch(a);
	}
	printf("random ops: %u applied (%u of health checks), %u refused; at the end %u NAT "
	       "dests, %u match services\n", ok, checks_ok, refused, a->lb.nnat, a->lb.nmatch);
	ck_assert_uint_gt(ok, 100);
	ck_assert_uint_gt(checks_ok, 1);
	free(a);
	free(b);
	free(before);
}
END_TEST

static struct dpvs_shm
plain_shm(void)
{
	struct dpvs_shm shm;

	memset(&shm, 0, sizeof(shm));
	shm.root = root;      /* no RCU: no worker online */
	shm.set[0] = tctl_set();
	shm.set[1] = tctl_set();
	return shm;
}

START_TEST(test_batch_all_or_nothing)
{
	struct dpvs_shm shm = plain_shm();
	struct dpvs_config_set *s0 = tctl_set(), *s1 = tctl_set();
	const char *good = tctl_tmpfile("addr add 10.1.0.1/24 dev dpdk0\n"
					"-A -t 10.0.0.100:80 -s mh\n"
					"-a -t 10.0.0.100:80 -r 10.2.0.1:80\n");
	const char *bad = tctl_tmpfile("-A -t 10.0.0.101:80 -s rr\n"
				       "-a -t 10.0.0.101:80 -r 10.2.0.2:80\n"
				       "laddr add -t 10.0.0.101:80 10.1.0.1 dev dpdk0\n"
				       "route add 172.16.0.0/24 via 10.1.0.254 dev dpdk0\n"
				       "-a -t 10.0.0.100:80 -r 10.2.0.1:80\n");
	uint64_t gen;

	ck_assert_int_eq(ctl_rules_load(&shm, good, err, sizeof(err)), 0);
	gen = root->config.generation;
	TCTL_COPY(s0, shm.set[0]);
	TCTL_COPY(s1, shm.set[1]);
	/* both copies equal (but for the version stamped on publication) */
	ck_assert(TCTL_SAME_TABLES(s0, s1));
	/* four good operations, then a duplicate: nothing of it stays */
	ck_assert_int_eq(ctl_rules_load(&shm, bad, err, sizeof(err)), -CTL_EEXIST);
	ck_assert_ptr_nonnull(strstr(err, "line 5: real server 10.2.0.1:80 already exists"));
	ck_assert_uint_eq(root->config.generation, gen);
	ck_assert(TCTL_SAME_TABLES(shm.set[0], s0));
	ck_assert(TCTL_SAME_TABLES(shm.set[1], s1));
	free(s0);
	free(s1);
	free(shm.set[0]);
	free(shm.set[1]);
}
END_TEST

/* --- pages written by one change --- */
static char *wp_base;
static size_t wp_len;
static unsigned int wp_pages;

static void
wp_fault(int sig, siginfo_t *si, void *uc)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p = (char *)((uintptr_t)si->si_addr & ~(uintptr_t)(pg - 1));

	(void)sig;
	(void)uc;
	if (p < wp_base || p >= wp_base + wp_len)
		abort();
	wp_pages++;
	mprotect(p, (size_t)pg, PROT_READ | PROT_WRITE);
}

/* Run op on set (mmap'ed) with every page read-only: the pages it wrote. */
static unsigned int
pages_written(struct dpvs_config_set *set, size_t len, const struct ctl_op *op)
{
	struct sigaction sa, old;
	size_t failed;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = wp_fault;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, &old);
	wp_base = (char *)set;
	wp_len = len;
	wp_pages = 0;
	ck_assert_int_eq(mprotect(set, len, PROT_READ), 0);
	rc = ctl_ops_apply(set, root, op, 1, &failed, err, sizeof(err));
	mprotect(set, len, PROT_READ | PROT_WRITE);
	ck_assert_msg(rc == 0, "%s", err);
	sigaction(SIGSEGV, &old, NULL);
	return wp_pages;
}

/* Mean microseconds of one dest add and its delete on set (NULL: on a set
 * holding only that service), printed for the README, never asserted. */
static double
add_del_us(struct dpvs_config_set *set)
{
	struct dpvs_config_set *own = NULL;
	struct ctl_op op[2];
	struct timespec t0, t1;
	size_t failed;
	int i;

	memset(op, 0, sizeof(op));
	op[0].kind = CTL_OP_DEST_ADD;
	op[0].u.dest.svc.proto = IPPROTO_TCP;
	op[0].u.dest.svc.vip = ipv4(0x0a67f901u);
	op[0].u.dest.svc.port = 80;
	op[0].u.dest.addr = ipv4(0x0a0203e7u);
	op[0].u.dest.port = 80;
	op[0].u.dest.mode = -1;
	op[1] = op[0];
	op[1].kind = CTL_OP_DEST_DEL;
	if (set == NULL) {
		struct ctl_op svc;

		own = set = dpvs_cfgset_alloc(&root->conf.caps);
		memset(&svc, 0, sizeof(svc));
		svc.kind = CTL_OP_SVC_ADD;
		svc.u.svc.key = op[0].u.dest.svc;
		svc.u.svc.sched = DPVS_SCHED_WLC;
		svc.u.svc.flags = -1;
		ck_assert_int_eq(ctl_ops_apply(set, root, &svc, 1, &failed, err, sizeof(err)), 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(ctl_ops_apply(set, root, op, 2, &failed, err, sizeof(err)), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	free(own);
	return ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) /
	       1000.0 / 1000.0;
}

START_TEST(test_change_cost_is_flat)
{
	struct dpvs_caps caps;
	struct dpvs_config_set *set;
	struct dpvs_lb_tables lb;
	struct ctl_oplist ops = { 0 };
	struct ctl_op op;
	size_t len, failed;
	unsigned int s, d, p_add, p_del, p_svc;
	FILE *f;
	char *path = NULL;
	size_t plen = 0;

	dpvs_caps_default(&caps);   /* the real defaults: 4096 services, 65536 dests */
	len = (dpvs_cfgset_layout(&caps, &lb) + 4095) & ~(size_t)4095;
	set = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(set, MAP_FAILED);
	dpvs_cfgset_format(set, &caps, DPVS_CFG_PLAIN);
	root->conf.caps = caps;
	f = open_memstream(&path, &plen);
	fprintf(f, "addr add 10.1.0.1/24 dev dpdk1\n");
	for (s = 0; s < 1000; s++) {
		fprintf(f, "-A -t 10.%u.%u.1:80 -s %s\n", 100 + s / 250, s % 250,
			s % 2 ? "rr" : "wlc");
		for (d = 0; d < 10; d++)
			fprintf(f, "-a -t 10.%u.%u.1:80 -r 10.2.%u.%u:80 -w 1\n", 100 + s / 250,
				s % 250, s % 250, d + 1);
		fprintf(f, "laddr add -t 10.%u.%u.1:80 10.1.0.1 dev dpdk1\n", 100 + s / 250,
			s % 250);
	}
	fclose(f);
	/* reading and applying 12,000 lines beats on the way: a slow dpvs-ctl
	 * is not taken for a hung one by the primary's watch (beat.h) */
	root->live.ctl_heartbeat_ns = 0;
	ctl_beat_init(root);
	ck_assert_int_eq(ctl_rules_parse(root, tctl_tmpfile(path), &ops, err, sizeof(err)), 0);
	ck_assert_uint_ne(root->live.ctl_heartbeat_ns, 0);
	root->live.ctl_heartbeat_ns = 0;
	ck_assert_int_eq(ctl_ops_apply(set, root, ops.v, ops.n, &failed, err, sizeof(err)), 0);
	ck_assert_uint_ne(root->live.ctl_heartbeat_ns, 0);
	ctl_beat_init(NULL);
	ck_assert_uint_eq(set->lb.nroutes, 1);
	/* one dest added, one removed, one service added: a handful of pages,
	 * not the 4,000+ pages of the set */
	memset(&op, 0, sizeof(op));
	op.kind = CTL_OP_DEST_ADD;
	op.u.dest.svc.proto = IPPROTO_TCP;
	op.u.dest.svc.vip = ipv4(0x0a67f901u);      /* 10.103.249.1, the last service */
	op.u.dest.svc.port = 80;
	op.u.dest.addr = ipv4(0x0a0203e7u);
	op.u.dest.port = 80;
	op.u.dest.mode = -1;
	p_add = pages_written(set, len, &op);
	op.kind = CTL_OP_DEST_DEL;
	p_del = pages_written(set, len, &op);
	memset(&op, 0, sizeof(op));
	op.kind = CTL_OP_SVC_ADD;
	op.u.svc.key.proto = IPPROTO_TCP;
	op.u.svc.key.vip = ipv4(0x0b000001u);
	op.u.svc.key.port = 80;
	op.u.svc.sched = DPVS_SCHED_MH;
	op.u.svc.flags = -1;
	p_svc = pages_written(set, len, &op);
	printf("pages written: dest add %u, dest del %u, mh service add %u (set: %zu pages)\n",
	       p_add, p_del, p_svc, len / 4096);
	printf("one dest add + del, applied (no publication): %.1f us with %u x %u loaded, "
	       "%.1f us in an empty set\n", add_del_us(set), 1000u, 10u, add_del_us(NULL));
	ck_assert_uint_le(p_add, 8);
	ck_assert_uint_le(p_del, 8);
	ck_assert_uint_le(p_svc, 12);  /* its Maglev table is 2 pages */
	ctl_oplist_free(&ops);
	free(path);
	munmap(set, len);
}
END_TEST

static struct ctl_svc_args
svc_args(uint16_t port, int sched)
{
	struct ctl_svc_args a;

	memset(&a, 0, sizeof(a));
	a.key.proto = IPPROTO_TCP;
	a.key.vip = ipv4(0x0a000064u);
	a.key.port = port;
	a.sched = sched;
	a.flags = -1;
	return a;
}

/* The Maglev pool ([tables] hash_tables): full means refused, unchanged. */
START_TEST(test_hash_table_pool)
{
	struct dpvs_caps caps = tctl_caps();
	struct dpvs_config_set *set, *before;
	struct ctl_svc_args a;

	caps.sched_tables = 2;
	set = dpvs_cfgset_alloc(&caps);
	before = dpvs_cfgset_alloc(&caps);
	a = svc_args(80, DPVS_SCHED_MH);
	ck_assert_int_eq(ctl_svc_add(set, &a, err, sizeof(err)), 0);
	a = svc_args(81, DPVS_SCHED_CONHASH);
	ck_assert_int_eq(ctl_svc_add(set, &a, err, sizeof(err)), 0);
	a = svc_args(82, DPVS_SCHED_RR);
	ck_assert_int_eq(ctl_svc_add(set, &a, err, sizeof(err)), 0);
	TCTL_COPY(before, set);
	a = svc_args(83, DPVS_SCHED_MH);
	ck_assert_int_eq(ctl_svc_add(set, &a, err, sizeof(err)), -CTL_EFULL);
	ck_assert_ptr_nonnull(strstr(err, "[tables] hash_tables"));
	a = svc_args(82, DPVS_SCHED_MH);
	ck_assert_int_eq(ctl_svc_edit(set, &a, err, sizeof(err)), -CTL_EFULL);
	ck_assert(TCTL_SAME(set, before));
	/* a service that leaves mh gives its table back */
	a = svc_args(80, DPVS_SCHED_WLC);
	ck_assert_int_eq(ctl_svc_edit(set, &a, err, sizeof(err)), 0);
	ck_assert_uint_eq(dpvs_lb_svc(&set->lb, 0)->sched_tbl, DPVS_SLOT_NONE);
	a = svc_args(82, DPVS_SCHED_MH);
	ck_assert_int_eq(ctl_svc_edit(set, &a, err, sizeof(err)), 0);
	ck_assert_uint_eq(dpvs_lb_svc(&set->lb, 2)->sched_tbl, 0);
	free(set);
	free(before);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ctl_change");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nf;

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_incremental_equals_scratch, 0, 4);
	tcase_add_test(tc, test_batch_all_or_nothing);
	tcase_add_test(tc, test_change_cost_is_flat);
	tcase_add_test(tc, test_hash_table_pool);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
