/*
 * dpvs-bench-gen's flows and frames (see gen.h): the tuple of a stream's
 * flow, a frame written whole for it (Ethernet, IPv4, UDP, a TCP SYN with
 * an MSS option, a TCP SYN+ACK, or a TCP ACK carrying data: checksums
 * computed), the same frame patched from the
 * stream's template (only the addresses, ports and checksums written; the
 * checksums from sums precomputed over the fixed fields), the stream's
 * frames built once (recycle or refcnt), and the tuples a reply stream
 * learns from the frames its port receives. Touches the stream and its own
 * mempool; called by the main lcore, except gen_tuple_of, gen_frame_patch
 * and gen_learn, which the tx lcore calls.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "gen.h"
#include "stride.h"

#define GEN_L3 RTE_ETHER_HDR_LEN
#define GEN_L4 (GEN_L3 + (uint16_t)sizeof(struct rte_ipv4_hdr))
#define GEN_SYN_L4LEN ((uint16_t)sizeof(struct rte_tcp_hdr) + 4)


static uint16_t
l4_len(const struct gen_stream *s)
{
	if (s->kind == GEN_K_SYN)
		return GEN_SYN_L4LEN;
	if (s->kind == GEN_K_SYNACK)
		return (uint16_t)sizeof(struct rte_tcp_hdr);
	return (uint16_t)(s->len - GEN_L4);
}

/* A TCP segment of l4len bytes (header, then an MSS option for a SYN, or
 * data for an ACK), its checksum computed. */
static void
tcp_write(const struct gen_stream *s, struct rte_ipv4_hdr *ip, const struct gen_tuple *t,
	  uint16_t l4len)
{
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	uint8_t *opt = (uint8_t *)(th + 1);
	uint16_t i;

	ip->next_proto_id = IPPROTO_TCP;
	th->src_port = t->sport;
	th->dst_port = t->dport;
	th->rx_win = rte_cpu_to_be_16(65535);
	if (s->kind == GEN_K_SYN) {
		th->sent_seq = rte_cpu_to_be_32(1000);
		th->data_off = (uint8_t)((GEN_SYN_L4LEN / 4) << 4);
		th->tcp_flags = RTE_TCP_SYN_FLAG;
		opt[0] = 2; /* MSS 1460 */
		opt[1] = 4;
		opt[2] = 1460 >> 8;
		opt[3] = 1460 & 0xff;
	} else {
		th->sent_seq = rte_cpu_to_be_32(s->seq);
		th->recv_ack = rte_cpu_to_be_32(s->ack);
		th->data_off = (uint8_t)((sizeof(*th) / 4) << 4);
		th->tcp_flags = RTE_TCP_ACK_FLAG |
				(s->kind == GEN_K_SYNACK ? RTE_TCP_SYN_FLAG : 0);
		for (i = 0; i < l4len - sizeof(*th); i++)
			opt[i] = (uint8_t)('a' + i % 26);
	}
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
}

/* The whole frame of tuple t, checksums computed over it. */
void
gen_frame_write(const struct gen_stream *s, uint8_t *buf, const struct gen_tuple *t)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + GEN_L3);
	uint16_t l4len = l4_len(s), i;

	memset(buf, 0, s->len);
	rte_ether_addr_copy(&s->dmac, &eh->dst_addr);
	rte_ether_addr_copy(&s->smac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4len));
	ip->packet_id = rte_cpu_to_be_16(1);
	ip->time_to_live = 64;
	ip->src_addr = t->sip;
	ip->dst_addr = t->dip;
	if (GEN_K_TCP(s->kind)) {
		tcp_write(s, ip, t, l4len);
	} else {
		struct rte_udp_hdr *uh = (struct rte_udp_hdr *)(ip + 1);
		uint8_t *pl = (uint8_t *)(uh + 1);

		ip->next_proto_id = IPPROTO_UDP;
		for (i = 0; i < l4len - sizeof(*uh); i++)
			pl[i] = (uint8_t)('a' + i % 26);
		uh->src_port = t->sport;
		uh->dst_port = t->dport;
		uh->dgram_len = rte_cpu_to_be_16(l4len);
		uh->dgram_cksum = rte_ipv4_udptcp_cksum(ip, uh);
	}
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}


/* The template's sums without the varying fields (addresses, ports,
 * checksums): raw 16-bit words as they lie in memory, so that adding the
 * raw words of new values and folding gives the checksum as stored. */
static void
template_sums(struct gen_stream *s)
{
	uint8_t f[GEN_MAX_LEN];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + GEN_L3);
	uint16_t l4len = l4_len(s);
	uint16_t *ports = (uint16_t *)(f + GEN_L4);
	uint16_t pseudo[2];

	memcpy(f, s->tmpl, s->len);
	ip->hdr_checksum = 0;
	ip->src_addr = 0;
	ip->dst_addr = 0;
	ports[0] = 0;
	ports[1] = 0;
	s->l4_csum_off = (uint16_t)(GEN_L4 + (GEN_K_TCP(s->kind) ?
		offsetof(struct rte_tcp_hdr, cksum) : offsetof(struct rte_udp_hdr, dgram_cksum)));
	memset(f + s->l4_csum_off, 0, 2);
	s->sum_ip = rte_raw_cksum(ip, sizeof(*ip));
	pseudo[0] = rte_cpu_to_be_16(ip->next_proto_id);
	pseudo[1] = rte_cpu_to_be_16(l4len);
	s->sum_l4 = (uint32_t)rte_raw_cksum(f + GEN_L4, l4len) + rte_raw_cksum(pseudo, 4);
}


/* Flows per queue: flow f is on queue f % nq. */
static uint64_t
queue_flows(const struct gen_stream *s, uint16_t q)
{
	if (GEN_K_LEARNS(s->kind))
		return s->q[q].n;
	return s->flows > q ? (s->flows - q + s->nq - 1) / s->nq : 0;
}

/* "random": tests/bench/stride.h's walk; else flow order */
static uint64_t
pick_stride(uint64_t n, int random)
{
	return random ? bench_stride(n) : 1;
}

static struct rte_mbuf *
frame_mbuf(struct gen_stream *s, const struct gen_tuple *t)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(s->pool);

	if (m == NULL)
		return NULL;
	gen_frame_write(s, (uint8_t *)rte_pktmbuf_append(m, s->len), t);
	return m;
}

/* refcnt: one frame per flow of queue q. */
static int
build_refcnt(struct gen_stream *s, uint16_t q)
{
	struct gen_queue *qs = &s->q[q];
	struct gen_tuple t;
	uint64_t j;

	qs->pre = calloc(qs->n, sizeof(*qs->pre));
	if (qs->pre == NULL)
		return -1;
	for (j = 0; j < qs->n; j++) {
		gen_tuple_of(s, q, j, &t);
		qs->pre[j] = frame_mbuf(s, &t);
		if (qs->pre[j] == NULL)
			return -1;
		rte_mbuf_refcnt_set(qs->pre[j], GEN_REF0);
	}
	return 0;
}

/* recycle: every frame of the pool holds the template. */
static int
fill_pool(struct gen_stream *s)
{
	unsigned int n = rte_mempool_avail_count(s->pool), i;
	struct rte_mbuf **m = calloc(n, sizeof(*m));

	if (m == NULL || rte_pktmbuf_alloc_bulk(s->pool, m, n) != 0) {
		free(m);
		return -1;
	}
	for (i = 0; i < n; i++)
		memcpy(rte_pktmbuf_append(m[i], s->len), s->tmpl, s->len);
	rte_pktmbuf_free_bulk(m, n);
	free(m);
	return 0;
}

void
gen_stream_free(struct gen_stream *s)
{
	uint16_t q;
	uint64_t j;

	for (q = 0; q < GEN_MAX_QUEUES; q++) {
		struct gen_queue *qs = &s->q[q];

		if (qs->pre == NULL)
			continue;
		for (j = 0; j < qs->n; j++)
			if (qs->pre[j] != NULL) {
				rte_mbuf_refcnt_set(qs->pre[j], 1);
				rte_pktmbuf_free(qs->pre[j]);
			}
		free(qs->pre);
		qs->pre = NULL;
	}
	rte_mempool_free(s->pool);
	s->pool = NULL;
	s->built = 0;
}

/* Build the stream's frames (again): its flows (a reply stream: the tuples
 * learned so far), the walk of each queue, then the frames. */
int
gen_stream_build(struct gen *g, struct gen_stream *s, char *err, size_t len)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	struct gen_tuple t;
	uint64_t nmb;
	uint16_t q;
	int rc = 0;

	gen_stream_free(s);
	if (GEN_K_LEARNS(s->kind)) {
		s->flows = 0;
		for (q = 0; q < s->nq; q++)
			s->flows += s->q[q].n;
	}
	if (s->flows == 0) {
		snprintf(err, len, "stream %s has no flows", s->name);
		return -1;
	}
	s->refcnt = g->use_refcnt && s->flows <= g->prebuild_max;
	s->patch = s->flows > 1;
	nmb = s->refcnt ? s->flows : (uint64_t)GEN_POOL * s->nq;
	snprintf(name, sizeof(name), "gen_s%u", (unsigned int)(s - g->stream));
	s->pool = rte_pktmbuf_pool_create(name, (unsigned int)nmb, s->refcnt ? 0 : GEN_CACHE, 0,
					  RTE_PKTMBUF_HEADROOM + GEN_MAX_LEN, SOCKET_ID_ANY);
	if (s->pool == NULL) {
		snprintf(err, len, "stream %s: no pool of %lu frames: %s", s->name,
			 (unsigned long)nmb, rte_strerror(rte_errno));
		return -1;
	}
	for (q = 0; q < s->nq; q++) {
		struct gen_queue *qs = &s->q[q];

		qs->n = queue_flows(s, q);
		qs->j = 0;
		qs->stride = pick_stride(qs->n, s->random);
		qs->since_topup = 0;
		qs->topup_every = qs->n * (GEN_REF0 / 2);
	}
	for (q = 0; q < s->nq && s->q[q].n == 0; q++)
		;
	gen_tuple_of(s, q, 0, &t);
	gen_frame_write(s, s->tmpl, &t);
	template_sums(s);
	for (q = 0; q < s->nq && rc == 0; q++)
		if (s->refcnt && s->q[q].n != 0)
			rc = build_refcnt(s, q);
	if (rc == 0 && !s->refcnt)
		rc = fill_pool(s);
	if (rc != 0) {
		snprintf(err, len, "stream %s: cannot build its frames", s->name);
		gen_stream_free(s);
		return -1;
	}
	s->built = 1;
	return 0;
}

/* A frame received on a reply stream's learn port: the tuple of its reply
 * (source and destination swapped), once per destination address and port
 * of the reply, on the queue of that port. A reply stream learns from UDP
 * datagrams, a synack stream from TCP SYNs. Called by the tx lcore. */
void
gen_learn(struct gen_stream *s, const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eh + 1);
	const uint16_t *ports = (const uint16_t *)(ip + 1);
	struct gen_tuple t;
	struct gen_queue *qs;
	uint64_t bit;
	uint32_t a;

	if (rte_pktmbuf_data_len(m) < GEN_L4 + 4 ||
	    eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    ip->version_ihl != RTE_IPV4_VHL_DEF ||
	    ip->next_proto_id != (s->kind == GEN_K_SYNACK ? IPPROTO_TCP : IPPROTO_UDP))
		return;
	if (s->kind == GEN_K_SYNACK &&
	    (rte_pktmbuf_data_len(m) < GEN_L4 + sizeof(struct rte_tcp_hdr) ||
	     (((const struct rte_tcp_hdr *)ports)->tcp_flags &
	      (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) != RTE_TCP_SYN_FLAG))
		return;
	t.sip = ip->dst_addr;
	t.dip = ip->src_addr;
	t.sport = ports[1];
	t.dport = ports[0];
	for (a = 0; a < s->nlearn_addr && s->learn_addr[a] != t.dip; a++)
		;
	if (a == s->nlearn_addr) {
		if (a == GEN_LEARN_ADDRS)
			return;
		s->learn_addr[s->nlearn_addr++] = t.dip;
	}
	bit = ((uint64_t)a << 16) | rte_be_to_cpu_16(t.dport);
	if ((s->seen[bit / 64] & (1ull << (bit % 64))) != 0)
		return;
	qs = &s->q[rte_be_to_cpu_16(t.dport) % s->nq];
	if (qs->n == qs->lcap) {
		uint64_t cap = qs->lcap != 0 ? qs->lcap * 2 : 4096;
		struct gen_tuple *nt = realloc(qs->learned, cap * sizeof(*nt));

		if (nt == NULL)
			return;
		qs->learned = nt;
		qs->lcap = cap;
	}
	s->seen[bit / 64] |= 1ull << (bit % 64);
	qs->learned[qs->n++] = t;
}

/* Patched frames equal frames written whole, for flows spread over the
 * formula's range (addresses and ports that carry into the next word). */
int
gen_selftest(struct gen *g, char *err, size_t len)
{
	static const uint64_t flows[] = { 0, 1, 32767, 32768, 65535, 1000003, 9999999 };
	struct gen_stream s;
	uint8_t a[GEN_MAX_LEN], b[GEN_MAX_LEN];
	struct gen_tuple t;
	unsigned int i, k;

	(void)g;
	for (k = 0; k < 6; k++) {
		memset(&s, 0, sizeof(s));
		snprintf(s.name, sizeof(s.name), "selftest");
		s.kind = k % 3 == 0 ? GEN_K_UDP : k % 3 == 1 ? GEN_K_SYN : GEN_K_ACK;
		s.vary_dst = k >= 3;
		s.nq = (uint16_t)(k % 4 + 1);
		s.seq = 0xfffffff0u - k;
		s.ack = 5001;
		s.flows = 10000000;
		s.sip0 = 0x0a08fff0u + k;     /* 10.8.255.240: the address carries */
		s.dip0 = 0x0a000064u;
		s.sport0 = (uint16_t)(1024 + k * 30000);
		s.dport0 = 53;
		s.len = (uint16_t)(60 + k * 4);
		s.dmac.addr_bytes[0] = 2;
		s.smac.addr_bytes[5] = 0xaa;
		gen_tuple_of(&s, 0, 0, &t);
		gen_frame_write(&s, s.tmpl, &t);
		template_sums(&s);
		for (i = 0; i < RTE_DIM(flows); i++) {
			gen_tuple_of(&s, (uint16_t)(flows[i] % s.nq), flows[i] / s.nq, &t);
			gen_frame_write(&s, a, &t);
			memcpy(b, s.tmpl, s.len);
			gen_frame_patch(&s, b, &t);
			if (memcmp(a, b, s.len) != 0) {
				snprintf(err, len, "selftest: kind %u flow %lu: the patched frame "
					 "differs from the frame written whole", k,
					 (unsigned long)flows[i]);
				return -1;
			}
		}
	}
	return 0;
}
