/*
 * Unit tests for the worker's checksum helpers (worker/l3/cksum.c) against a
 * from-scratch RFC 1071 computation and known vectors, on flat buffers and on
 * mbuf chains built by hand. Plain memory, no EAL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include <rte_tcp.h>
#include <rte_udp.h>

#include "worker/ipvs/lbpath.h"
#include "worker/ipvs/xmit4.h"
#include "worker/l3/cksum.h"

/* RFC 1071, byte by byte in network order; returns the checksum as it is
 * stored in a header, read back as a big-endian number. */
static uint16_t
ref_cksum_be(const uint8_t *b, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The 16 bits as they land in memory, read big-endian. */
static uint16_t
stored_be(uint16_t v)
{
	uint8_t b[2];

	memcpy(b, &v, 2);
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* The 16 bits that, stored in memory, read big-endian as v. */
static uint16_t
stored_be_inv(uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	uint16_t r;

	memcpy(&r, b, 2);
	return r;
}

START_TEST(test_known_ipv4_header)
{
	/* the classic example: 4500 0073 0000 4000 4011 [b861] c0a8 0001 c0a8 00c7 */
	uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			  0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)h;

	ck_assert_uint_eq(stored_be(wk_cksum(h, sizeof(h))), 0xb861);
	ck_assert(!wk_ipv4_cksum_ok(ip));
	wk_ipv4_cksum_set(ip);
	ck_assert_uint_eq(h[10], 0xb8);
	ck_assert_uint_eq(h[11], 0x61);
	ck_assert(wk_ipv4_cksum_ok(ip));
	h[19] ^= 1;
	ck_assert(!wk_ipv4_cksum_ok(ip));
}
END_TEST

START_TEST(test_random_buffers_match_reference)
{
	uint8_t buf[1501];
	size_t len, i;

	srand(42);
	for (len = 0; len <= sizeof(buf); len += (len < 64 ? 1 : 37)) {
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)rand();
		ck_assert_uint_eq(stored_be(wk_cksum(buf, len)), ref_cksum_be(buf, len));
	}
}
END_TEST

START_TEST(test_all_ones_and_zeros)
{
	uint8_t z[64], o[64];

	memset(z, 0, sizeof(z));
	memset(o, 0xff, sizeof(o));
	ck_assert_uint_eq(stored_be(wk_cksum(z, sizeof(z))), 0xffff);
	ck_assert_uint_eq(stored_be(wk_cksum(o, sizeof(o))), ref_cksum_be(o, sizeof(o)));
}
END_TEST

START_TEST(test_ok_after_storing)
{
	uint8_t icmp[37]; /* odd length: the last byte is padded with zero */
	uint16_t c;
	size_t i;

	for (i = 0; i < sizeof(icmp); i++)
		icmp[i] = (uint8_t)(i * 7 + 3);
	icmp[2] = icmp[3] = 0;
	c = wk_cksum(icmp, sizeof(icmp));
	memcpy(&icmp[2], &c, 2);
	ck_assert(wk_cksum_ok(icmp, sizeof(icmp)));
	icmp[20] ^= 0x10;
	ck_assert(!wk_cksum_ok(icmp, sizeof(icmp)));
}
END_TEST

/* Chain segs mbufs over one buffer, cut at the given lengths (no EAL:
 * buf_addr/data_off/data_len are all that mtod and the walk read). */
static void
chain(struct rte_mbuf *m, uint8_t *buf, const uint16_t *lens, unsigned int segs)
{
	uint32_t off = 0, total = 0;
	unsigned int i;

	memset(m, 0, segs * sizeof(*m));
	for (i = 0; i < segs; i++) {
		m[i].buf_addr = buf + off;
		m[i].data_off = 0;
		m[i].data_len = lens[i];
		m[i].next = i + 1 < segs ? &m[i + 1] : NULL;
		off += lens[i];
		total += lens[i];
	}
	m[0].nb_segs = (uint16_t)segs;
	m[0].pkt_len = total;
}

/* Segments of odd length put the next one at an odd offset: the sum of that
 * segment must be byte-swapped after folding (DPDK 22.11's
 * rte_raw_cksum_mbuf truncates the unfolded sum and loses the carries). */
START_TEST(test_mbuf_chain_odd_segments)
{
	static const uint16_t cuts[][3] = {
		{ 33, 700, 301 }, { 34, 333, 667 }, { 35, 1, 998 }, { 600, 433, 1 },
	};
	uint8_t buf[1034];
	struct rte_mbuf m[3];
	uint32_t off, len;
	unsigned int k;
	size_t i;

	srand(7);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(0xf0 | (rand() & 0x0f)); /* large words: carries */
	for (k = 0; k < RTE_DIM(cuts); k++) {
		chain(m, buf, cuts[k], 3);
		for (off = 0; off < 40; off += 2) {
			len = m[0].pkt_len - off;
			ck_assert_int_eq(wk_cksum_mbuf(&m[0], off, len),
					 (int32_t)stored_be_inv(ref_cksum_be(buf + off, len)));
			len -= 3;
			ck_assert_int_eq(wk_cksum_mbuf(&m[0], off, len),
					 (int32_t)stored_be_inv(ref_cksum_be(buf + off, len)));
		}
		ck_assert_int_eq(wk_cksum_mbuf(&m[0], 10, m[0].pkt_len), -1);
	}
}
END_TEST

/* The 20-byte header's fast check (five 32-bit words, cksum.c) agrees with
 * the byte-wise reference on random headers, right and wrong checksums. */
START_TEST(test_random_ipv4_headers_fast_check)
{
	uint8_t frame[14 + 20];
	uint8_t *h = frame + 14; /* where a frame puts it: 2 past a 4-byte boundary */
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)h;
	unsigned int n, i;

	srand(7);
	for (n = 0; n < 20000; n++) {
		for (i = 0; i < 20; i++)
			h[i] = (uint8_t)rand();
		h[0] = 0x45;
		if (n % 2 == 0)
			wk_ipv4_cksum_set(ip);
		ck_assert_int_eq(wk_ipv4_cksum_ok(ip) != 0, ref_cksum_be(h, 20) == 0);
		if (n % 2 == 0) {
			ck_assert(wk_ipv4_cksum_ok(ip));
			h[1 + (unsigned int)rand() % 19] ^= (uint8_t)(1u << (rand() % 8));
			ck_assert(!wk_ipv4_cksum_ok(ip));
		}
	}
}
END_TEST

/* The inline check (a non-zero multiple of 65535) agrees with RFC 1071 on
 * the edges of one's complement: a checksum field of 0x0000 or its other
 * zero 0xffff, headers of all ones or zeros (but the version byte), and
 * headers made to sum to all ones, or to one off. */
START_TEST(test_fast_check_edges)
{
	uint8_t frame[14 + 20];
	uint8_t *h = frame + 14;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)h;
	unsigned int n, i, f;
	static const uint8_t fill[] = { 0x00, 0xff };

	for (f = 0; f < 2; f++) { /* all zeros, all ones, the version byte 0x45 */
		memset(h, fill[f], 20);
		h[0] = 0x45;
		ck_assert_int_eq(wk_ipv4_cksum_ok_fast(ip) != 0, ref_cksum_be(h, 20) == 0);
		wk_ipv4_cksum_set(ip);
		ck_assert(wk_ipv4_cksum_ok_fast(ip));
	}
	srand(11);
	for (n = 0; n < 20000; n++) {
		for (i = 0; i < 20; i++)
			h[i] = (uint8_t)rand();
		h[0] = 0x45;
		/* the checksum word made 0x0000 or 0xffff, and the last other
		 * word chosen so that the header sums to all ones (mostly) */
		ip->hdr_checksum = n % 2 ? 0xffff : 0;
		h[18] = h[19] = 0;
		h[18] = (uint8_t)(ref_cksum_be(h, 20) >> 8);
		h[19] = (uint8_t)ref_cksum_be(h, 20);
		if (n % 3 == 0)
			h[19] ^= 1;
		ck_assert_int_eq(wk_ipv4_cksum_ok_fast(ip) != 0, ref_cksum_be(h, 20) == 0);
	}
}
END_TEST

/* A 14 + 20 + 20 + 16-byte IPv4 frame of proto with random headers and
 * payload, its checksums valid (a UDP one 0 when nock), TTL at least 2. */
static void
rand_l4_frame(uint8_t *frame, size_t len, uint8_t proto, int nock)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + 14);
	void *l4 = ip + 1;
	struct rte_udp_hdr *uh = l4;
	size_t i;

	for (i = 14; i < len; i++)
		frame[i] = (uint8_t)rand();
	ip->version_ihl = 0x45;
	ip->next_proto_id = proto;
	ip->fragment_offset = 0;
	ip->time_to_live |= 2;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - 14));
	if (proto == IPPROTO_TCP) {
		((struct rte_tcp_hdr *)l4)->cksum = 0;
		((struct rte_tcp_hdr *)l4)->cksum = rte_ipv4_udptcp_cksum(ip, l4);
	} else {
		uh->dgram_len = rte_cpu_to_be_16((uint16_t)(len - 34));
		uh->dgram_cksum = 0;
		if (!nock)
			uh->dgram_cksum = rte_ipv4_udptcp_cksum(ip, l4);
	}
	wk_ipv4_cksum_set(ip);
}

/* The full-NAT rewrite's checksum deltas (xmit.c, every changed word summed
 * once) leave valid IPv4, TCP and UDP checksums on random packets, and a
 * UDP checksum of 0 (none) stays 0. */
START_TEST(test_rewrite_deltas_keep_checksums_valid)
{
	uint8_t frame[14 + 20 + 20 + 16];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + 14);
	void *l4 = ip + 1;
	struct rte_udp_hdr *uh = l4;
	unsigned int n;
	uint8_t proto;

	srand(11);
	for (n = 0; n < 20000; n++) {
		proto = n % 2 ? IPPROTO_TCP : IPPROTO_UDP;
		/* every 8th UDP packet without a checksum */
		rand_l4_frame(frame, sizeof(frame), proto, n % 8 == 0);
		wk_fnat_rewrite(ip, l4, proto, sizeof(frame) - 34, (uint32_t)rand(),
				(uint16_t)rand(), (uint32_t)rand(), (uint16_t)rand());
		ck_assert(wk_ipv4_cksum_ok(ip));
		if (proto == IPPROTO_UDP && n % 8 == 0)
			ck_assert_uint_eq(uh->dgram_cksum, 0);
		else
			ck_assert_int_eq(rte_ipv4_udptcp_cksum_verify(ip, l4), 0);
	}
}
END_TEST

/* The frame f rewritten to t both ways (the TTL down by one first, as
 * wk_xmit4_nat_body does): wk_fnat_rewrite_d, and wk_fnat_rewrite_pre by a
 * wk_nat4_pre filled from another frame with f's tuple alone (src);
 * every byte the same. */
static void
pre_check(const uint8_t *f, const uint8_t *src, size_t len, struct wk_nat4 t)
{
	uint8_t a[14 + 20 + 20 + 16], b[sizeof(a)];
	struct rte_ipv4_hdr *ia = (struct rte_ipv4_hdr *)(a + 14);
	struct rte_ipv4_hdr *ib = (struct rte_ipv4_hdr *)(b + 14);
	const struct rte_ipv4_hdr *is = (const struct rte_ipv4_hdr *)(src + 14);
	struct wk_nat4_pre pr;

	ck_assert_uint_le(len, sizeof(a));
	memcpy(a, f, len);
	memcpy(b, f, len);
	wk_nat4_pre_fill(&pr, is, is + 1, t);
	ia->time_to_live--;
	wk_fnat_rewrite_d(ia, ia + 1, ia->next_proto_id, (uint32_t)len - 34, t.sa, t.sp, t.da,
			  t.dp, WK_CSUM_TTL_DEC);
	ib->time_to_live--;
	wk_fnat_rewrite_pre(ib, ib + 1, ib->next_proto_id, &pr);
	ck_assert_mem_eq(a, b, len);
}

/* The memo's rewrite (xmit4.h, wk_nat4_pre_fill and wk_fnat_rewrite_pre:
 * the checksums' changes folded once per tuple) gives the bytes of the
 * per-packet one (wk_fnat_rewrite_d) on random TCP and UDP frames, and on
 * every value of each checksum field for tuples whose changes fold to the
 * edges (a change of 0 mod 0xffff: the tuple kept, or all-ones addresses
 * and ports to zeros, whose L4 change is 0), UDP checksums of 0 (kept)
 * and 0xffff (a result of 0 stored as 0xffff) among them. */
START_TEST(test_rewrite_pre_matches_rewrite)
{
	uint8_t f[14 + 20 + 20 + 16], src[sizeof(f)];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + 14);
	struct rte_ipv4_hdr *is = (struct rte_ipv4_hdr *)(src + 14);
	uint16_t *ports = (uint16_t *)(ip + 1), *ck;
	struct wk_nat4 t;
	unsigned int n, v, k;
	uint8_t proto;

	srand(12);
	for (n = 0; n < 20000; n++) {
		proto = n % 2 ? IPPROTO_TCP : IPPROTO_UDP;
		rand_l4_frame(f, sizeof(f), proto, n % 8 == 0);
		rand_l4_frame(src, sizeof(src), proto, 0);
		memcpy(&is->src_addr, &ip->src_addr, 8);
		memcpy(is + 1, ports, 4);
		t.sa = (uint32_t)rand();
		t.da = (uint32_t)rand();
		t.sp = (uint16_t)rand();
		t.dp = (uint16_t)rand();
		pre_check(f, src, sizeof(f), t);
	}
	for (k = 0; k < 4; k++) {
		proto = k % 2 ? IPPROTO_TCP : IPPROTO_UDP;
		rand_l4_frame(f, sizeof(f), proto, 0);
		if (k < 2) { /* the tuple kept */
			memcpy(&t.sa, &ip->src_addr, 8);
			memcpy(&t.sp, ports, 4);
		} else { /* all ones to zeros */
			memset(&ip->src_addr, 0xff, 8);
			memset(ports, 0xff, 4);
			memset(&t, 0, sizeof(t));
		}
		ck = (uint16_t *)((uint8_t *)(ip + 1) + (proto == IPPROTO_UDP ? 6 : 16));
		for (v = 0; v <= 0xffff; v++) {
			ip->hdr_checksum = (uint16_t)v;
			*ck = (uint16_t)v;
			pre_check(f, f, sizeof(f), t);
		}
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("worker_cksum");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_known_ipv4_header);
	tcase_add_test(tc, test_random_buffers_match_reference);
	tcase_add_test(tc, test_all_ones_and_zeros);
	tcase_add_test(tc, test_ok_after_storing);
	tcase_add_test(tc, test_mbuf_chain_odd_segments);
	tcase_add_test(tc, test_random_ipv4_headers_fast_check);
	tcase_add_test(tc, test_fast_check_edges);
	tcase_add_test(tc, test_rewrite_deltas_keep_checksums_valid);
	tcase_add_test(tc, test_rewrite_pre_matches_rewrite);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
