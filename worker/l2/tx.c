/*
 * The tx stage [core_tx_queue, netif_tx_burst]: one buffer per port in this
 * worker's shm region, flushed with rte_eth_tx_burst on queue `id`.
 * Ownership (ARCHITECTURE.md section 1): a packet is stored before the count
 * that covers it, and the successor frees every non-NULL entry below the
 * count. A flush of a port whose driver queues the packets (NICs, memif)
 * takes the count, sets the shm count to 0, sends, and re-buffers what it
 * keeps: a death inside the driver leaks the burst's unsent mbufs, it never
 * frees one twice. A port whose driver writes and frees each packet at once
 * (net_tap: one writev per packet anyway) is sent one packet per call, its
 * entry cleared just before: a death there leaks at most that one packet
 * (docs/crash-safety.md).
 *
 * A burst stops at the first packet the driver does not take. That packet is
 * either refused for itself (net_tap refuses a frame longer than the MTU, and
 * will refuse it forever) or the queue is full (back-pressure). So after a
 * partial send the flush offers the stopped packet alone once more, then, if
 * that fails too, the packets behind it: if it takes none the queue is full
 * and everything is kept for the next flush. If it takes some, room may have
 * come free between the two offers (the other end read the ring, the driver
 * reclaimed descriptors), so the stopped packet is offered once more: taken,
 * it leaves after them; not taken again, it is dropped (tx_refused). A
 * refused packet thus never holds up the ones behind it. (A queue full at the
 * first offer, with room for some packets behind and full again at the
 * second, still drops the stopped one: the two cases cannot be told apart
 * then; before the second offer, any moment of room did it.) A port that
 * sends nothing for WK_TX_MAX_STALLS flushes in a row (link down, kernel end
 * gone) has its buffer dropped (tx_full), so it cannot hold mbufs and stall
 * forever.
 *
 * Counting, once per packet: tx_pkts/tx_bytes count what the driver took,
 * whatever put it in the buffer (the pipeline, the kernel, ARP requests,
 * packets released from the hold queue). A received packet whose verdict was
 * TX (wk_tx_enqueue_verdict) gets its verdict counted when it leaves the
 * buffer: verdict tx when the driver took it, verdict drop (with tx_full or
 * tx_refused) when it was dropped. ctx->tx_verdict[p] marks those slots.
 * A packet for a VLAN interface gets the interface's 802.1Q tag here
 * [vlan_xmit] and goes into its port's buffer.
 * Touches the region's txbuf[], the context's tx state and stats.
 */
#include <stddef.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "shm/fault.h"
#include "worker/l2/txbuf.h"
#include "worker/worker.h"

_Static_assert(DPVS_TXBUF_LEN <= 64, "tx_verdict has one bit per tx buffer slot");

/* Bits [from, from + k) of a 64-slot mask. */
static inline uint64_t
slot_bits(unsigned int from, unsigned int k)
{
	uint64_t m = k >= 64 ? ~0ull : (1ull << k) - 1;

	return from >= 64 ? 0 : m << from;
}

/* Offer pkts[from, from + k) to the driver; account what it took. */
static uint16_t
tx_offer(struct wk_ctx *ctx, uint16_t p, struct rte_mbuf **pkts, unsigned int from,
	 unsigned int k)
{
	uint64_t bytes = 0;
	unsigned int i;
	uint16_t sent;

	/* sent mbufs may be freed by the driver at once: sum before sending
	 * (unrolled: a burst's loop costs 6 instructions a packet rolled) */
#pragma GCC unroll 4
	for (i = from; i < from + k; i++)
		bytes += pkts[i]->pkt_len;
	sent = rte_eth_tx_burst(ctx->port_id[p], ctx->id, &pkts[from], (uint16_t)k);
	for (i = from + sent; i < from + k; i++)
		bytes -= pkts[i]->pkt_len;
	ctx->st->tx_pkts += sent;
	ctx->st->tx_bytes += bytes;
	ctx->st->verdict[DPVS_VERDICT_TX] +=
		(uint64_t)__builtin_popcountll(ctx->tx_verdict[p] & slot_bits(from, sent));
	return sent;
}

/* Drop pkts[from, from + k) for reason. */
static void
tx_drop(struct wk_ctx *ctx, uint16_t p, struct rte_mbuf **pkts, unsigned int from,
	unsigned int k, enum dpvs_drop_reason reason)
{
	ctx->st->drop[reason] += k;
	ctx->st->verdict[DPVS_VERDICT_DROP] +=
		(uint64_t)__builtin_popcountll(ctx->tx_verdict[p] & slot_bits(from, k));
	rte_pktmbuf_free_bulk(&pkts[from], k);
}

/*
 * pkts[h] was not taken, pkts[h + 1, n) not offered yet. Returns the index of
 * the first packet to keep (n if none): a packet refused twice while the
 * queue took others is dropped; a full queue keeps the rest.
 */
static unsigned int
tx_after_stop(struct wk_ctx *ctx, uint16_t p, struct rte_mbuf **pkts, unsigned int h,
	      unsigned int n)
{
	unsigned int took;

	while (h < n) {
		/* room may have come free since: offer it alone, once */
		if (tx_offer(ctx, p, pkts, h, 1) == 1) {
			h++;
			h += tx_offer(ctx, p, pkts, h, n - h);
			continue;
		}
		if (h + 1 == n)
			return h; /* nothing behind it to tell the two cases apart */
		took = tx_offer(ctx, p, pkts, h + 1, n - h - 1);
		if (took == 0)
			return h; /* the queue is full: keep all for the next flush */
		/* the queue took packets behind pkts[h] (gone from the
		 * middle now). Room may have come free between the two
		 * offers (the other end read the ring, the driver reclaimed
		 * descriptors): pkts[h] again, once; taken, it leaves after
		 * them */
		if (tx_offer(ctx, p, pkts, h, 1) == 1) {
			h += 1 + took;
			continue;
		}
		/* not taken twice, with room for others between: the driver
		 * refuses pkts[h] itself */
		tx_drop(ctx, p, pkts, h, 1, DPVS_DROP_TX_REFUSED);
		h += 1 + took;
	}
	return n;
}

int
wk_tx_one_by_one(uint16_t port_id)
{
	struct rte_eth_dev_info info;

	if (rte_eth_dev_info_get(port_id, &info) != 0 || info.driver_name == NULL)
		return 0;
	return strcmp(info.driver_name, "net_tap") == 0;
}

/* Move the entries [from, n) down to [0, n - from): each entry is cleared
 * before it is written at its new place, so no mbuf is ever in two entries
 * (a death in between loses one, never frees one twice). */
static void
txbuf_compact(struct dpvs_txbuf *tb, uint32_t from, uint32_t n)
{
	struct rte_mbuf *m;
	uint32_t j;

	for (j = from; j < n; j++) {
		m = tb->pkts[j];
		tb->pkts[j] = NULL;
		rte_compiler_barrier();
		dpvs_fault(DPVS_FAULT_TX_MOVED);
		tb->pkts[j - from] = m;
		rte_compiler_barrier();
	}
	tb->count = n - from;
}

/* Hand entry i alone to the driver, the entry cleared first; 1 if the
 * driver took it (accounted), 0 if it is back in its entry. */
static int
tx_hand_one(struct wk_ctx *ctx, uint16_t p, struct dpvs_txbuf *tb, uint32_t i)
{
	struct rte_mbuf *m = tb->pkts[i];
	uint32_t len = m->pkt_len; /* the driver frees it */

	tb->pkts[i] = NULL;
	rte_compiler_barrier();
	dpvs_fault(DPVS_FAULT_TX_HANDED); /* as if inside the driver */
	if (rte_eth_tx_burst(ctx->port_id[p], ctx->id, &m, 1) == 0) {
		tb->pkts[i] = m;
		rte_compiler_barrier();
		return 0;
	}
	ctx->st->tx_pkts++;
	ctx->st->tx_bytes += len;
	if ((ctx->tx_verdict[p] & slot_bits(i, 1)) != 0)
		ctx->st->verdict[DPVS_VERDICT_TX]++;
	return 1;
}

/* Drop entry i (cleared before it is freed) for reason. */
static void
tx_drop_entry(struct wk_ctx *ctx, uint16_t p, struct dpvs_txbuf *tb, uint32_t i,
	      enum dpvs_drop_reason reason)
{
	struct rte_mbuf *m = tb->pkts[i];

	tb->pkts[i] = NULL;
	rte_compiler_barrier();
	ctx->st->drop[reason]++;
	if ((ctx->tx_verdict[p] & slot_bits(i, 1)) != 0)
		ctx->st->verdict[DPVS_VERDICT_DROP]++;
	rte_pktmbuf_free(m);
}

/* One packet per tx call, the count kept (see the header); the same rule
 * as the batch flush for a refused packet: dropped when the driver takes the
 * one behind it, kept with the rest when it takes neither (a full queue).
 * Returns the number sent. */
static unsigned int
tx_flush_one_by_one(struct wk_ctx *ctx, uint16_t p)
{
	struct dpvs_txbuf *tb = &ctx->wr->txbuf[p];
	uint32_t n = tb->count, i = 0, keep = n, sent = 0, j;

	while (i < n) {
		if (tx_hand_one(ctx, p, tb, i)) {
			sent++;
			i++;
			continue;
		}
		if (i + 1 < n && tx_hand_one(ctx, p, tb, i + 1)) {
			sent++;
			/* room may have come free since: entry i again, once */
			if (tx_hand_one(ctx, p, tb, i))
				sent++;
			else
				tx_drop_entry(ctx, p, tb, i, DPVS_DROP_TX_REFUSED);
			i += 2;
			continue;
		}
		keep = i;
		break;
	}
	ctx->tx_stalls[p] = sent == 0 ? ctx->tx_stalls[p] + 1 : 0;
	if (keep < n && ctx->tx_stalls[p] >= WK_TX_MAX_STALLS) {
		for (j = keep; j < n; j++)
			tx_drop_entry(ctx, p, tb, j, DPVS_DROP_TX_FULL);
		ctx->tx_stalls[p] = 0;
		keep = n;
	}
	if (keep < n) {
		txbuf_compact(tb, keep, n);
		ctx->tx_verdict[p] = (ctx->tx_verdict[p] & slot_bits(keep, n - keep)) >> keep;
	} else {
		tb->count = 0;
		ctx->tx_verdict[p] = 0;
	}
	return sent;
}

unsigned int
wk_tx_flush(struct wk_ctx *ctx, uint16_t p)
{
	struct dpvs_txbuf *tb = &ctx->wr->txbuf[p];
	uint64_t sent0 = ctx->st->tx_pkts;
	uint32_t n = tb->count, keep;
	unsigned int sent;

	if (n == 0)
		return 0;
	if (ctx->tx_one[p])
		return tx_flush_one_by_one(ctx, p);
	tb->count = 0;
	rte_compiler_barrier();
	keep = tx_offer(ctx, p, tb->pkts, 0, n);
	if (keep < n)
		keep = tx_after_stop(ctx, p, tb->pkts, keep, n);
	sent = (unsigned int)(ctx->st->tx_pkts - sent0);
	ctx->tx_stalls[p] = sent == 0 ? ctx->tx_stalls[p] + 1 : 0;
	if (keep < n && ctx->tx_stalls[p] >= WK_TX_MAX_STALLS) {
		tx_drop(ctx, p, tb->pkts, keep, n - keep, DPVS_DROP_TX_FULL);
		ctx->tx_stalls[p] = 0;
	} else if (keep < n) {
		memmove(&tb->pkts[0], &tb->pkts[keep], (n - keep) * sizeof(tb->pkts[0]));
		ctx->tx_verdict[p] = (ctx->tx_verdict[p] & slot_bits(keep, n - keep)) >> keep;
		rte_compiler_barrier();
		tb->count = n - keep;
		return sent;
	}
	ctx->tx_verdict[p] = 0;
	return sent;
}

unsigned int
wk_tx_flush_all(struct wk_ctx *ctx)
{
	unsigned int n = 0;
	uint16_t p;

	for (p = 0; p < ctx->nports; p++)
		n += wk_tx_flush(ctx, p);
	return n;
}

unsigned int
wk_tx_pending(const struct wk_ctx *ctx)
{
	unsigned int n = 0;
	uint16_t p;

	for (p = 0; p < ctx->nports; p++)
		n += ctx->wr->txbuf[p].count;
	return n;
}

uint16_t
wk_vlan_tag(const struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t i)
{
	const rte_be16_t vlan_type = RTE_BE16(RTE_ETHER_TYPE_VLAN);
	struct rte_vlan_hdr *vh;
	uint8_t *d;

	if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN)
		return WK_PORT_NONE;
	d = (uint8_t *)rte_pktmbuf_prepend(m, RTE_VLAN_HLEN);
	if (d == NULL)
		return WK_PORT_NONE;
	memmove(d, d + RTE_VLAN_HLEN, 2 * RTE_ETHER_ADDR_LEN);
	/* the frame's own type stays where it was, as the tag's eth_proto */
	vh = (struct rte_vlan_hdr *)(d + 2 * RTE_ETHER_ADDR_LEN + 2);
	vh->vlan_tci = rte_cpu_to_be_16(ctx->if_vid[i]);
	/* as bytes: d may be odd (a frame after a PROXY protocol header) */
	memcpy(d + offsetof(struct rte_ether_hdr, ether_type), &vlan_type, sizeof(vlan_type));
	return ctx->if_port[i];
}

/* Buffer m for interface p (a VLAN's: tagged, in its port's buffer); its
 * slot index, or -1 (freed, counted as tx_full or vlan_no_room). */
static int
tx_store(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	struct dpvs_txbuf *tb;

	if (p >= DPVS_IFACE_VLAN0) {
		/* a VLAN deleted since the packet was held: bad_port */
		enum dpvs_drop_reason why = DPVS_DROP_BAD_PORT;

		if (wk_if_ok(ctx, p)) {
			why = DPVS_DROP_VLAN_NO_ROOM;
			p = wk_vlan_tag(ctx, m, p);
		} else {
			p = WK_PORT_NONE;
		}
		if (p == WK_PORT_NONE) {
			ctx->st->drop[why]++;
			rte_pktmbuf_free(m);
			return -1;
		}
	}
	tb = &ctx->wr->txbuf[p];

	if (tb->count >= DPVS_TXBUF_LEN)
		wk_tx_flush(ctx, p);
	if (tb->count >= DPVS_TXBUF_LEN) {
		ctx->st->drop[DPVS_DROP_TX_FULL]++;
		rte_pktmbuf_free(m);
		return -1;
	}
	return (int)wk_txbuf_put(ctx, tb, p, m, 0);
}

int
wk_tx_enqueue(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	return tx_store(ctx, m, p) < 0 ? -1 : 0;
}

int
wk_tx_enqueue_verdict(struct wk_ctx *ctx, struct rte_mbuf *m, uint16_t p)
{
	int slot;

	/* the usual case, a data port whose buffer has room, without
	 * tx_store's call (the verdict bit is this process's) */
	if (likely(wk_txbuf_try_verdict(ctx, m, p)))
		return 0;
	slot = tx_store(ctx, m, p);

	if (slot < 0)
		return -1;
	ctx->tx_verdict[p < DPVS_IFACE_VLAN0 ? p : ctx->if_port[p]] |= 1ull << slot;
	return 0;
}
