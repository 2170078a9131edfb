/*
 * Unit tests for the worker's neighbour table (worker/l2/neigh.c) and its
 * state machine (worker/l2/neigh_nud.c), on plain memory with explicit
 * times: create, lookup, keys of (port, family, address), deletion that
 * keeps every other entry reachable, the table's limit, the repair of what a
 * dead worker may leave (invalid entries, a hole in a cluster, a duplicate,
 * a missing timer); and the states: INCOMPLETE (requests, FAILED, deleted),
 * REACHABLE -> STALE -> PROBE (unicast) -> REACHABLE on a reply, or back to
 * INCOMPLETE (broadcast) and healed by the reply of the right MAC; another
 * MAC claimed for a known neighbour (probe of the known one, lock time);
 * an entry the kernel asked for.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "shm/lb_hash.h"
#include "worker/l2/neigh.h"

#define S 1000000000ull
#define T0 (1000 * S)

static struct dpvs_worker_region *
fresh_region(void)
{
	/* 64-byte aligned as in its memzone: calloc's 16 is UB for the type */
	struct dpvs_worker_region *wr = aligned_alloc(64, sizeof(*wr));

	ck_assert_ptr_nonnull(wr);
	memset(wr, 0, sizeof(*wr));
	return wr;
}

static struct dpvs_ip
v4n(uint32_t host_order)
{
	struct dpvs_ip ip;

	wk_ip_from_v4(&ip, htonl(host_order));
	return ip;
}

static struct dpvs_ip
v4(const char *s)
{
	uint32_t a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return v4n(ntohl(a));
}

static const uint8_t MAC_A[6] = { 0x02, 0xaa, 0, 0, 0, 1 };
static const uint8_t MAC_B[6] = { 0x02, 0xbb, 0, 0, 0, 2 };
static const uint8_t MAC_C[6] = { 0x02, 0xcc, 0, 0, 0, 3 };

static struct dpvs_neigh *
make(struct dpvs_worker_region *wr, uint16_t port, const struct dpvs_ip *ip)
{
	struct dpvs_neigh *e = wk_neigh_create(wr, port, ip, 0, 0, T0);

	ck_assert_ptr_nonnull(e);
	return e;
}

/* An entry resolved to mac at now: INCOMPLETE, asked, answered. */
static struct dpvs_neigh *
resolved(struct dpvs_worker_region *wr, const struct dpvs_ip *ip, const uint8_t *mac,
	 uint64_t now)
{
	struct dpvs_neigh *e = make(wr, 0, ip);

	ck_assert_int_eq(wk_nud_output(e, now), WK_NUD_HOLD_REQUEST);
	ck_assert_int_eq(wk_nud_arp(e, 1, mac, now), WK_NUD_RESOLVED);
	ck_assert_uint_eq(e->state, DPVS_NEIGH_REACHABLE);
	return e;
}

START_TEST(test_create_and_lookup)
{
	struct dpvs_worker_region *wr = fresh_region();
	struct dpvs_ip ip = v4("10.0.0.2");
	struct dpvs_neigh *e;

	ck_assert_ptr_null(wk_neigh_lookup(wr, 0, &ip));
	e = wk_neigh_create(wr, 0, &ip, DPVS_NEIGH_F_KERNEL, 7, 100);
	ck_assert_ptr_eq(wk_neigh_lookup(wr, 0, &ip), e);
	ck_assert_ptr_eq(wk_neigh_find(wr, 0, &ip), e);
	ck_assert_uint_eq(e->state, DPVS_NEIGH_INCOMPLETE);
	ck_assert_uint_eq(e->probes, 0);
	ck_assert_uint_eq(e->flags, DPVS_NEIGH_F_KERNEL);
	ck_assert_uint_eq(e->timer_ns, 7);
	ck_assert_uint_eq(e->confirmed_ns, 100);
	ck_assert_uint_eq(e->ip.family, DPVS_AF_INET);
	ck_assert_uint_eq(wr->neigh_count, 1);
	free(wr);
}
END_TEST

START_TEST(test_key_is_port_and_address)
{
	struct dpvs_worker_region *wr = fresh_region();
	struct dpvs_ip ip = v4("10.0.0.2"), other = v4("10.0.0.3"), ip6;
	struct dpvs_neigh *a, *b, *c;

	memset(&ip6, 0, sizeof(ip6));
	ip6.family = DPVS_AF_INET6;
	memcpy(ip6.bytes, ip.bytes, 4); /* same leading bytes, other family */
	a = make(wr, 0, &ip);
	b = make(wr, 1, &ip);
	c = make(wr, 0, &ip6);
	ck_assert_ptr_eq(wk_neigh_lookup(wr, 0, &ip), a);
	ck_assert_ptr_eq(wk_neigh_lookup(wr, 1, &ip), b);
	ck_assert_ptr_eq(wk_neigh_lookup(wr, 0, &ip6), c);
	ck_assert_ptr_null(wk_neigh_lookup(wr, 0, &other));
	ck_assert_ptr_null(wk_neigh_lookup(wr, 2, &ip));
	ck_assert_uint_eq(wr->neigh_count, 3);
	free(wr);
}
END_TEST

/* Everything in [first, first + n) of 10.1.x.x is found iff present[i]. */
static void
check_present(struct dpvs_worker_region *wr, const uint8_t *present, uint32_t n)
{
	uint32_t i, live = 0;

	for (i = 0; i < n; i++) {
		struct dpvs_ip ip = v4n(0x0a010000u + i);
		struct dpvs_neigh *e = wk_neigh_lookup(wr, 0, &ip);

		if (present[i]) {
			ck_assert_msg(e != NULL, "entry %u lost", i);
			ck_assert(dpvs_ip_equal(&e->ip, &ip));
			live++;
		} else {
			ck_assert_msg(e == NULL, "entry %u found after its deletion", i);
		}
	}
	ck_assert_uint_eq(wr->neigh_count, live);
}

/* A busy table (long clusters): deletions in any order keep every other
 * entry reachable, and the slots freed can be used again. */
START_TEST(test_delete_keeps_the_others)
{
	struct dpvs_worker_region *wr = fresh_region();
	static uint8_t present[WK_NEIGH_MAX];
	uint32_t i, r = 12345;

	for (i = 0; i < WK_NEIGH_MAX; i++) {
		struct dpvs_ip ip = v4n(0x0a010000u + i);

		make(wr, 0, &ip);
		present[i] = 1;
	}
	check_present(wr, present, WK_NEIGH_MAX);
	for (i = 0; i < 3 * WK_NEIGH_MAX; i++) {
		struct dpvs_ip ip;
		uint32_t k;

		r = r * 1103515245u + 12345u;
		k = (r >> 8) % WK_NEIGH_MAX;
		ip = v4n(0x0a010000u + k);
		if (present[k]) {
			wk_neigh_delete(wr, wk_neigh_lookup(wr, 0, &ip));
			present[k] = 0;
		} else {
			make(wr, 0, &ip);
			present[k] = 1;
		}
		if (i % 97 == 0)
			check_present(wr, present, WK_NEIGH_MAX);
	}
	check_present(wr, present, WK_NEIGH_MAX);
	free(wr);
}
END_TEST

START_TEST(test_limit)
{
	struct dpvs_worker_region *wr = fresh_region();
	struct dpvs_ip ip;
	uint32_t i;

	for (i = 0; i < WK_NEIGH_MAX; i++) {
		ip = v4n(0x0a000000u + i);
		make(wr, 0, &ip);
	}
	ip = v4n(0x0b000001u);
	ck_assert_ptr_null(wk_neigh_create(wr, 0, &ip, 0, 0, T0));
	ck_assert_ptr_null(wk_neigh_lookup(wr, 0, &ip));
	ck_assert_uint_eq(wr->neigh_count, WK_NEIGH_MAX);
	ip = v4n(0x0a000007u);
	wk_neigh_delete(wr, wk_neigh_lookup(wr, 0, &ip));
	ip = v4n(0x0b000001u);
	ck_assert_ptr_nonnull(wk_neigh_create(wr, 0, &ip, 0, 0, T0));
	free(wr);
}
END_TEST

/* Fill 10.1.0.0 + [0, n), return the slot of a live entry whose probe
 * sequence starts before it (a displaced entry: clusters exist). */
static uint32_t
fill_displaced(struct dpvs_worker_region *wr, uint8_t *present, uint32_t n)
{
	uint32_t i, slot = DPVS_NEIGH_SLOTS;

	for (i = 0; i < n; i++) {
		struct dpvs_ip ip = v4n(0x0a010000u + i);

		make(wr, 0, &ip);
		present[i] = 1;
	}
	/* a live slot right after a live slot, whose entry moves up when the
	 * slot before it is deleted, is displaced */
	for (i = 1; i < DPVS_NEIGH_SLOTS && slot == DPVS_NEIGH_SLOTS; i++) {
		struct dpvs_worker_region *copy = fresh_region();
		struct dpvs_ip ip;

		if (wr->neigh[i].state == DPVS_NEIGH_FREE || wr->neigh[i - 1].state == DPVS_NEIGH_FREE) {
			free(copy);
			continue;
		}
		memcpy(copy, wr, sizeof(*wr));
		ip = wr->neigh[i].ip;
		wk_neigh_delete(copy, &copy->neigh[i - 1]);
		if (wk_neigh_lookup(copy, 0, &ip) == &copy->neigh[i - 1])
			slot = i;
		free(copy);
	}
	ck_assert_uint_lt(slot, DPVS_NEIGH_SLOTS);
	return slot;
}

static uint32_t
index_of(const struct dpvs_ip *ip)
{
	uint32_t a;

	memcpy(&a, ip->bytes, 4);
	return ntohl(a) - 0x0a010000u;
}

/* The worker died in a deletion right after freeing the slot (the entries
 * after it not shifted back yet): some are unreachable until the repair. */
START_TEST(test_rebuild_hole)
{
	struct dpvs_worker_region *wr = fresh_region();
	static uint8_t present[WK_NEIGH_MAX];
	uint32_t s = fill_displaced(wr, present, WK_NEIGH_MAX);
	struct dpvs_ip moved = wr->neigh[s].ip;

	present[index_of(&wr->neigh[s - 1].ip)] = 0;
	wr->neigh[s - 1].state = DPVS_NEIGH_FREE;
	ck_assert_ptr_null(wk_neigh_lookup(wr, 0, &moved));   /* lost for now */
	ck_assert_uint_eq(wk_neigh_rebuild(wr, T0), WK_NEIGH_MAX - 1);
	check_present(wr, present, WK_NEIGH_MAX);
	free(wr);
}
END_TEST

/* The worker died in a deletion between copying an entry into the hole and
 * freeing its old slot: the entry is there twice. */
START_TEST(test_rebuild_duplicate)
{
	struct dpvs_worker_region *wr = fresh_region();
	static uint8_t present[WK_NEIGH_MAX];
	uint32_t s = fill_displaced(wr, present, WK_NEIGH_MAX);
	struct dpvs_ip ip = wr->neigh[s].ip;

	present[index_of(&wr->neigh[s - 1].ip)] = 0;
	wr->neigh[s - 1] = wr->neigh[s];                      /* copied, old not freed */
	ck_assert_ptr_eq(wk_neigh_lookup(wr, 0, &ip), &wr->neigh[s - 1]);
	ck_assert_uint_eq(wk_neigh_rebuild(wr, T0), WK_NEIGH_MAX - 1); /* once */
	check_present(wr, present, WK_NEIGH_MAX);
	free(wr);
}
END_TEST

/* What no worker writes is freed; a half-made entry (fields, no state) is
 * not one; a missing or absurd timer is set to now. */
START_TEST(test_rebuild_invalid)
{
	struct dpvs_worker_region *wr = fresh_region();
	struct dpvs_ip a = v4("10.0.0.2"), b = v4("10.0.0.3"), c = v4("10.0.0.4");
	struct dpvs_ip d = v4("10.0.0.5"), e = v4("10.0.0.6");
	struct dpvs_neigh *x;
	uint32_t i;

	make(wr, 0, &a)->state = 200;                       /* no such state */
	make(wr, 0, &b)->ip.family = 9;                     /* no such family */
	make(wr, 0, &c)->port = DPVS_MAX_IFACES;            /* no such interface */
	x = make(wr, 0, &d);
	x->timer_ns = 0;                                     /* would never run */
	x = make(wr, 0, &e);
	x->timer_ns = T0 + 3600 * S;                         /* longer than any timer */
	for (i = 0; i < DPVS_NEIGH_SLOTS; i++)               /* fields, no state */
		if (wr->neigh[i].state == DPVS_NEIGH_FREE) {
			wr->neigh[i].ip = a;
			break;
		}
	ck_assert_uint_eq(wk_neigh_rebuild(wr, T0 + 5), 2);
	ck_assert_ptr_null(wk_neigh_lookup(wr, 0, &a));
	ck_assert_uint_eq(wk_neigh_lookup(wr, 0, &d)->timer_ns, T0 + 5);
	ck_assert_uint_eq(wk_neigh_lookup(wr, 0, &e)->timer_ns, T0 + 5);
	ck_assert_uint_eq(wr->neigh_count, 2);
	free(wr);
}
END_TEST

/* INCOMPLETE: our first request, then one per second, FAILED after the
 * last (packets dropped), deleted a second later. */
START_TEST(test_nud_unanswered)
{
	struct dpvs_worker_region *wr = fresh_region();
	struct dpvs_ip ip = v4("10.0.0.2");
	struct dpvs_neigh *e = make(wr, 0, &ip);
	unsigned int i;

	ck_assert_int_eq(wk_nud_output(e, T0), WK_NUD_HOLD_REQUEST);
	ck_assert_int_eq(wk_nud_output(e, T0 + 1), WK_NUD_HOLD);
	ck_assert_uint_eq(e->timer_ns, T0 + WK_NEIGH_RETRANS_NS);
	for (i = 2; i <= WK_NEIGH_MCAST_PROBES; i++) {
		ck_assert_int_eq(wk_nud_timer(e, e->timer_ns), WK_NUD_REQUEST);
		ck_assert_uint_eq(e->probes, i);
	}
	ck_assert_int_eq(wk_nud_timer(e, e->timer_ns), WK_NUD_FAIL);
	ck_assert_uint_eq(e->state, DPVS_NEIGH_FAILED);
	ck_assert_int_eq(wk_nud_output(e, e->timer_ns - 1), WK_NUD_DROP);
	ck_assert_int_eq(wk_nud_timer(e, e->timer_ns), WK_NUD_DELETE);
	free(wr);
}
END_TEST

/* REACHABLE -> STALE after the reachable time -> PROBE on use (the packet
 * still goes) -> REACHABLE on the known MAC's reply. */
START_TEST(test_nud_stale_probe_confirmed)
{
	struct dpvs_worker_region *wr = fresh_region();
	struct dpvs_ip ip = v4("10.0.0.2");
	struct dpvs_neigh *e = resolved(wr, &ip, MAC_A, T0);
	uint64_t t = T0 + WK_NEIGH_REACHABLE_NS;

	ck_assert_mem_eq(e->mac, MAC_A, 6);
	ck_assert_uint_eq(e->timer_ns, t);
	ck_assert_int_eq(wk_nud_output(e, T0 + 10 * S), WK_NUD_SEND);
	ck_assert_int_eq(wk_nud_timer(e, t), WK_NUD_NONE);
	ck_assert_uint_eq(e->state, DPVS_NEIGH_STALE);
	ck_assert_int_eq(wk_nud_output(e, t + S), WK_NUD_SEND_PROBE);
	ck_assert_uint_eq(e->state, DPVS_NEIGH_PROBE);
	ck_assert_int_eq(wk_nud_output(e, t + S + 1), WK_NUD_SEND); /* one probe at a time */
	ck_assert_int_eq(wk_nud_arp(e, 1, MAC_A, t + S + 2), WK_NUD_CONFIRMED);
	ck_assert_uint_eq(e->state, DPVS_NEIGH_REACHABLE);
	ck_assert_uint_eq(e->confirmed_ns, t + S + 2);
	free(wr);
}
END_TEST

/* A REACHABLE entry past its reachable time is STALE even before its timer
 * ran: the next packet probes. */
START_TEST(test_nud_stale_before_the_timer)
{
	struct dpvs_worker_region *wr = fresh_region();
	struct dpvs_ip ip = v4("10.0.0.2");
	struct dpvs_neigh *e = resolved(wr, &ip, MAC_A, T0);

	ck_assert_int_eq(wk_nud_output(e, T0 + WK_NEIGH_REACHABLE_NS), WK_NUD_SEND_PROBE);
	ck_assert_uint_eq(e->state, DPVS_NEIGH_PROBE);
	free(wr);
}
END_TEST

/* A wrong MAC heals itself: its probes go unanswered, the broadcast that
 * follows learns the right one. */
START_TEST(test_nud_wrong_mac_heals)
{
	struct dpvs_worker_region *wr = fresh_region();
	struct dpvs_ip ip = v4("10.0.0.2");
	struct dpvs_neigh *e = resolved(wr, &ip, MAC_C, T0);
	uint64_t t = T0 + WK_NEIGH_REACHABLE_NS;
	unsigned int i;

	ck_assert_int_eq(wk_nud_timer(e, t), WK_NUD_NONE);          /* STALE */
	ck_assert_int_eq(wk_nud_output(e, t), WK_NUD_SEND_PROBE);   /* probe 1 */
	for (i = 2; i <= WK_NEIGH_UCAST_PROBES; i++)
		ck_assert_int_eq(wk_nud_timer(e, e->timer_ns), WK_NUD_PROBE);
	ck_assert_int_eq(wk_nud_timer(e, e->timer_ns), WK_NUD_REQUEST); /* broadcast */
	ck_assert_uint_eq(e->state, DPVS_NEIGH_INCOMPLETE);
	ck_assert_int_eq(wk_nud_output(e, e->timer_ns - 1), WK_NUD_HOLD);
	ck_assert_int_eq(wk_nud_arp(e, 1, MAC_A, e->timer_ns - 1), WK_NUD_RESOLVED);
	ck_assert_mem_eq(e->mac, MAC_A, 6);
	ck_assert_uint_eq(e->state, DPVS_NEIGH_REACHABLE);
	free(wr);
}
END_TEST

/* Another MAC for a known neighbour: ignored within the lock time, else
 * the known MAC is probed first (packets still go to it) and a reply from
 * it keeps it; claims during the probe start nothing new. */
START_TEST(test_nud_claim)
{
	struct dpvs_worker_region *wr = fresh_region();
	struct dpvs_ip ip = v4("10.0.0.2");
	struct dpvs_neigh *e = resolved(wr, &ip, MAC_A, T0);

	ck_assert_int_eq(wk_nud_arp(e, 1, MAC_B, T0 + S / 2), WK_NUD_LOCKED);
	ck_assert_int_eq(wk_nud_arp(e, 0, MAC_B, T0 + S / 2), WK_NUD_LOCKED);
	ck_assert_uint_eq(e->state, DPVS_NEIGH_REACHABLE);
	ck_assert_int_eq(wk_nud_arp(e, 1, MAC_B, T0 + 2 * S), WK_NUD_VERIFY);
	ck_assert_uint_eq(e->state, DPVS_NEIGH_PROBE);
	ck_assert_mem_eq(e->mac, MAC_A, 6);
	ck_assert_int_eq(wk_nud_output(e, T0 + 2 * S), WK_NUD_SEND);
	ck_assert_int_eq(wk_nud_arp(e, 0, MAC_C, T0 + 2 * S + S / 2), WK_NUD_LOCKED);
	ck_assert_int_eq(wk_nud_arp(e, 0, MAC_C, T0 + 3 * S + S / 2), WK_NUD_CLAIM);
	ck_assert_uint_eq(e->probes, 1);
	ck_assert_int_eq(wk_nud_arp(e, 1, MAC_A, T0 + 3 * S + S / 2 + 1), WK_NUD_CONFIRMED);
	ck_assert_uint_eq(e->state, DPVS_NEIGH_REACHABLE);
	ck_assert_mem_eq(e->mac, MAC_A, 6);
	/* the same MAC in a request: nothing new */
	ck_assert_int_eq(wk_nud_arp(e, 0, MAC_A, T0 + 9 * S), WK_NUD_NONE);
	free(wr);
}
END_TEST

/* Only a reply resolves an INCOMPLETE entry; a gratuitous ARP or request
 * does not. A late reply for a FAILED one is taken. */
START_TEST(test_nud_incomplete_wants_a_reply)
{
	struct dpvs_worker_region *wr = fresh_region();
	struct dpvs_ip ip = v4("10.0.0.2");
	struct dpvs_neigh *e = make(wr, 0, &ip);

	wk_nud_output(e, T0);
	ck_assert_int_eq(wk_nud_arp(e, 0, MAC_B, T0 + 1), WK_NUD_UNSOLICITED);
	ck_assert_uint_eq(e->state, DPVS_NEIGH_INCOMPLETE);
	while (e->state == DPVS_NEIGH_INCOMPLETE)
		wk_nud_timer(e, e->timer_ns);
	ck_assert_uint_eq(e->state, DPVS_NEIGH_FAILED);
	ck_assert_int_eq(wk_nud_arp(e, 1, MAC_A, e->timer_ns - 1), WK_NUD_RESOLVED);
	ck_assert_mem_eq(e->mac, MAC_A, 6);
	free(wr);
}
END_TEST

/* Unused STALE entries go after WK_NEIGH_GC_STALE_NS. */
START_TEST(test_nud_stale_gc)
{
	struct dpvs_worker_region *wr = fresh_region();
	struct dpvs_ip ip = v4("10.0.0.2");
	struct dpvs_neigh *e = resolved(wr, &ip, MAC_A, T0);
	uint64_t t = T0 + WK_NEIGH_REACHABLE_NS;

	ck_assert_int_eq(wk_nud_timer(e, t), WK_NUD_NONE);
	ck_assert_uint_eq(e->timer_ns, t + WK_NEIGH_GC_STALE_NS);
	ck_assert_int_eq(wk_nud_timer(e, e->timer_ns), WK_NUD_DELETE);
	free(wr);
}
END_TEST

/* The kernel asked: we wait for the reply, ask ourselves once we need the
 * neighbour, and forget the entry if nobody answers. */
START_TEST(test_nud_kernel_asked)
{
	struct dpvs_worker_region *wr = fresh_region();
	struct dpvs_ip a = v4("10.0.0.2"), b = v4("10.0.0.3"), c = v4("10.0.0.4");
	struct dpvs_neigh *e;

	e = wk_neigh_create(wr, 0, &a, DPVS_NEIGH_F_KERNEL, T0 + 3 * S, T0);
	ck_assert_int_eq(wk_nud_arp(e, 1, MAC_A, T0 + 1), WK_NUD_RESOLVED);
	ck_assert_uint_eq(e->flags, 0);
	e = wk_neigh_create(wr, 0, &b, DPVS_NEIGH_F_KERNEL, T0 + 3 * S, T0);
	ck_assert_int_eq(wk_nud_timer(e, T0 + 3 * S), WK_NUD_DELETE);
	e = wk_neigh_create(wr, 0, &c, DPVS_NEIGH_F_KERNEL, T0 + 3 * S, T0);
	ck_assert_int_eq(wk_nud_output(e, T0 + 1), WK_NUD_HOLD_REQUEST);
	ck_assert_uint_eq(e->flags, 0);
	ck_assert_int_eq(wk_nud_timer(e, e->timer_ns), WK_NUD_REQUEST); /* ours now */
	free(wr);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("worker_neigh");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_create_and_lookup);
	tcase_add_test(tc, test_key_is_port_and_address);
	tcase_add_test(tc, test_delete_keeps_the_others);
	tcase_add_test(tc, test_limit);
	tcase_add_test(tc, test_rebuild_hole);
	tcase_add_test(tc, test_rebuild_duplicate);
	tcase_add_test(tc, test_rebuild_invalid);
	tcase_add_test(tc, test_nud_unanswered);
	tcase_add_test(tc, test_nud_stale_probe_confirmed);
	tcase_add_test(tc, test_nud_stale_before_the_timer);
	tcase_add_test(tc, test_nud_wrong_mac_heals);
	tcase_add_test(tc, test_nud_claim);
	tcase_add_test(tc, test_nud_incomplete_wants_a_reply);
	tcase_add_test(tc, test_nud_stale_gc);
	tcase_add_test(tc, test_nud_kernel_asked);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
