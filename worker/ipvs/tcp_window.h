/*
 * TCP segment checks of the ipvs path (tcp_window.c): which flag
 * combinations are valid, and window tracking per connection in the spirit
 * of Linux conntrack's tcp_in_window: a segment whose sequence or
 * acknowledgement lies outside what the connection has seen is refused, so
 * a blind sender (who knows the tuple but not the sequence numbers) can
 * neither reset nor feed a connection.
 *
 * In: a parsed segment and the connection's struct dpvs_tcp_track[2] (in
 * shm/conn.h, so that a restarted worker finds it). Out: a verdict, and the
 * tracking updated for an accepted segment. Pure functions on plain memory,
 * called only by the connection's owning worker; no state of their own.
 *
 * Sequence spaces: trk[dir] holds the values of the side that sends in
 * direction dir, in that side's own sequence space (as it puts them on the
 * wire). A segment's ack is in the receiver's space; a SYN proxy that shifts
 * one side's numbers (a per-connection delta) takes the delta off the ack
 * before calling wk_tcp_track(), and the tracking itself is unchanged.
 */
#ifndef DPVS_WORKER_TCP_WINDOW_H
#define DPVS_WORKER_TCP_WINDOW_H

#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_tcp.h>

#include "shm/conn.h"

#define WK_TCP_NO_WSCALE 0xff   /* wk_tcp_seg.wscale: no window scale option */

/* What the tracker needs of a segment, host byte order. */
struct wk_tcp_seg {
	uint32_t seq;
	uint32_t ack;           /* in the receiver's own sequence space */
	uint32_t len;           /* payload bytes */
	uint16_t win;           /* the window field as sent (unscaled) */
	uint8_t flags;          /* RTE_TCP_*_FLAG */
	uint8_t wscale;         /* a SYN's window scale option, or WK_TCP_NO_WSCALE */
};

enum wk_tcpw {
	WK_TCPW_OK,     /* in window: tracking updated, the state may follow */
	WK_TCPW_PASS,   /* let through, but no state or timer change and no
			 * tracking (an RST in window but not exact; a first
			 * non-SYN segment of a side not seen yet, of which
			 * only the ack is noted) */
	WK_TCPW_BAD,    /* outside the window: drop, nothing changes */
};

/* Is this combination of TCP flags one a TCP sends? (PSH, ECE and CWR do
 * not matter.) Valid: SYN, SYN+ACK, RST, RST+ACK, FIN+ACK, ACK (each also
 * with URG but SYN+ACK); everything else, e.g. SYN+FIN, SYN+RST, FIN
 * without ACK or no flag at all, is not. */
int wk_tcp_flags_valid(uint8_t flags);

/* Fill s from a TCP header of hlen bytes (data offset, all present) in a
 * segment of l4_len bytes; a SYN's options give the window scale. */
void wk_tcp_seg_parse(const struct rte_tcp_hdr *th, uint32_t hlen, uint32_t l4_len,
		      struct wk_tcp_seg *s);

/* The window scale option among a SYN's options from o to end, or
 * WK_TCP_NO_WSCALE. */
uint8_t wk_tcp_opt_wscale(const uint8_t *o, const uint8_t *end);

/* wk_tcp_seg_parse, inline (the new connection's SYN, ipvs_new.c; the
 * function is this): the options' walk stays a call. */
static __rte_always_inline void
wk_tcp_seg_parse_inl(const struct rte_tcp_hdr *th, uint32_t hlen, uint32_t l4_len,
		     struct wk_tcp_seg *s)
{
	s->seq = rte_be_to_cpu_32(th->sent_seq);
	s->ack = rte_be_to_cpu_32(th->recv_ack);
	s->win = rte_be_to_cpu_16(th->rx_win);
	s->flags = th->tcp_flags;
	s->len = l4_len > hlen ? l4_len - hlen : 0;
	s->wscale = WK_TCP_NO_WSCALE;
	if ((s->flags & RTE_TCP_SYN_FLAG) != 0 && hlen > sizeof(*th)) {
		const uint8_t *o = (const uint8_t *)(th + 1), *end = (const uint8_t *)th + hlen;

		/* a first option that is the MSS (the usual SYN's) is stepped
		 * over inline, as the walk would; a SYN with no other option
		 * makes no call */
		if (hlen >= sizeof(*th) + 4 && o[0] == 2 && o[1] == 4)
			o += 4;
		if (o < end)
			s->wscale = wk_tcp_opt_wscale(o, end);
	}
}

/* The sequence number after segment s (a SYN and a FIN count one). */
static inline uint32_t
wk_tcp_seg_end(const struct wk_tcp_seg *s)
{
	return s->seq + s->len + ((s->flags & RTE_TCP_SYN_FLAG) ? 1 : 0) +
	       ((s->flags & RTE_TCP_FIN_FLAG) ? 1 : 0);
}

/* Start the tracking of a connection with its client's SYN s (direction
 * DPVS_DIR_IN); the other side is not seen yet. */
void wk_tcp_track_init(struct dpvs_tcp_track trk[2], const struct wk_tcp_seg *s);

/* Zero side t, field by field: inline in the new connection's way, gcc
 * made a memset of the packed pair a rep stos, whose start-up cost a SYN
 * more cycles than these stores. */
static __rte_always_inline void
wk_tcp_track_zero(struct dpvs_tcp_track *t)
{
	_Static_assert(sizeof(*t) == 4 * sizeof(t->end) + sizeof(t->wscale) + sizeof(t->flags),
		       "wk_tcp_track_zero: every field of struct dpvs_tcp_track");
	t->end = 0;
	t->maxend = 0;
	t->maxwin = 0;
	t->maxack = 0;
	t->wscale = 0;
	t->flags = 0;
}

/* wk_tcp_track_init, inline (the new connection's fill, ipvs_new.c; the
 * function is this). */
static __rte_always_inline void
wk_tcp_track_init_inl(struct dpvs_tcp_track trk[2], const struct wk_tcp_seg *s)
{
	struct dpvs_tcp_track *t = &trk[DPVS_DIR_IN];
	const uint32_t end = wk_tcp_seg_end(s);

	wk_tcp_track_zero(t);   /* not a memset: wk_tcp_track_zero */
	wk_tcp_track_zero(&trk[DPVS_DIR_OUT]);
	t->end = end;
	t->maxend = end;
	t->maxwin = s->win == 0 ? 1 : s->win;
	if (s->wscale != WK_TCP_NO_WSCALE) {
		t->wscale = RTE_MIN(s->wscale, (uint8_t)DPVS_TCPT_MAX_WSCALE);
		t->flags = DPVS_TCPT_F_WSCALE;
	}
}

/* The same for a one-way connection (dr, tunnel), whose server side is
 * never seen: both sides liberal (tcp_window.c). */
void wk_tcp_track_init_oneway(struct dpvs_tcp_track trk[2], const struct wk_tcp_seg *s);

/* Check segment s, sent in direction dir, against the connection's
 * tracking and update it. See tcp_window.c for the rules. */
enum wk_tcpw wk_tcp_track(struct dpvs_tcp_track trk[2], int dir, const struct wk_tcp_seg *s);

#define WK_TCP_MAXACKWIN_MIN 66000u   /* conntrack's MAXACKWINCONST */

/* a before b, a after b, in sequence space (mod 2^32) */
static inline int
wk_tcp_seq_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline int
wk_tcp_seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(b - a) < 0;
}

/* Are both sides of a connection (snd sends the segment, rcv receives it)
 * seen and enforced (neither liberal)? Then wk_tcp_track() takes an ACK
 * without SYN, FIN or RST to wk_tcp_track_ack(). */
static inline int
wk_tcp_track_enforced(const struct dpvs_tcp_track *snd, const struct dpvs_tcp_track *rcv)
{
	return snd->maxwin != 0 && rcv->maxwin != 0 &&
	       ((snd->flags | rcv->flags) & DPVS_TCPT_F_LIBERAL) == 0;
}

/* wk_tcp_track_ack's check and update with the sender's window shift
 * given (shift: snd's wscale, at most DPVS_TCPT_MAX_WSCALE, as
 * wk_tcp_track_ack takes it) and, with maxack_set (a constant), snd's
 * DPVS_TCPT_F_MAXACK known to be set: the established segment's memo
 * (fast4.h) has both from the lean segment of the same sender before it,
 * since which nothing but this update touched the connection (it never
 * changes wscale and leaves F_MAXACK set). */
static __rte_always_inline enum wk_tcpw
wk_tcp_track_ack_sh(struct dpvs_tcp_track *snd, struct dpvs_tcp_track *rcv, uint32_t seq,
		    uint32_t ack, uint32_t len, uint16_t win16, uint8_t shift, const int maxack_set)
{
	uint32_t end = seq + len, win;

	if (wk_tcp_seq_after(seq, snd->maxend) ||                              /* I */
	    wk_tcp_seq_after(ack, rcv->end) ||                                 /* III */
	    wk_tcp_seq_before(end, snd->end - rcv->maxwin) ||                  /* II */
	    wk_tcp_seq_before(ack, rcv->end - (snd->maxwin > WK_TCP_MAXACKWIN_MIN ?
						     snd->maxwin : WK_TCP_MAXACKWIN_MIN))) /* IV */
		return WK_TCPW_BAD;
	win = (uint32_t)win16 << shift;
	if (snd->maxwin < win)
		snd->maxwin = win;
	if (wk_tcp_seq_after(end, snd->end))
		snd->end = end;
	if (maxack_set) {
		if (wk_tcp_seq_after(ack, snd->maxack))
			snd->maxack = ack;
	} else if ((snd->flags & DPVS_TCPT_F_MAXACK) == 0 || wk_tcp_seq_after(ack, snd->maxack)) {
		snd->maxack = ack;
		snd->flags |= DPVS_TCPT_F_MAXACK;
	}
	if (wk_tcp_seq_after(end, snd->maxend))
		rcv->maxwin += end - snd->maxend;
	if (wk_tcp_seq_after(ack + win, rcv->maxend - 1))
		rcv->maxend = ack + win + (win == 0 ? 1 : 0); /* a zero window: room for a probe */
	return WK_TCPW_OK;
}

/* The shift of side t's window: its wscale, at most DPVS_TCPT_MAX_WSCALE. */
static __rte_always_inline uint8_t
wk_tcp_track_shift(const struct dpvs_tcp_track *t)
{
	return t->wscale < DPVS_TCPT_MAX_WSCALE ? t->wscale : DPVS_TCPT_MAX_WSCALE;
}

/* wk_tcp_track() of the common segment on its own: an ACK without SYN,
 * FIN or RST (seq, ack, len payload bytes, win the window field as sent,
 * host order) from snd to rcv, both enforced (wk_tcp_track_enforced). The
 * checks I to IV and the update of tcp_window.c; WK_TCPW_BAD changes
 * nothing. One definition for the general tracking and for the
 * established segment's lean way (fast4.h). */
static __rte_always_inline enum wk_tcpw
wk_tcp_track_ack(struct dpvs_tcp_track *snd, struct dpvs_tcp_track *rcv, uint32_t seq,
		 uint32_t ack, uint32_t len, uint16_t win16)
{
	return wk_tcp_track_ack_sh(snd, rcv, seq, ack, len, win16, wk_tcp_track_shift(snd), 0);
}

#endif
