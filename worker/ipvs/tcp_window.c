/*
 * TCP flag validity and window tracking per connection (tcp_window.h), after
 * the facts of Linux conntrack's tcp_valid_flags and tcp_in_window; own code.
 *
 * Per side (the sender S of a segment, the receiver R):
 *   end     highest seq + len sent by S (SYN and FIN count one)
 *   maxend  highest seq S may send: the largest ack + window R offered
 *   maxwin  largest window S offered (scaled); 0 = S not seen yet
 *   maxack  highest ack S sent
 * A segment seq..end (end = seq + len [+1 SYN] [+1 FIN]) with ack is in
 * window when
 *   I    seq <= S.maxend                      not beyond what R offered
 *   II   end >= S.end - R.maxwin              not data R acked long ago
 *   III  ack <= R.end                         no ack of data R never sent
 *   IV   ack >= R.end - max(66000, S.maxwin)  not an ack from long ago
 * (II to IV only once R has been seen; a segment without ACK is checked as
 * if it acked R.end, an RST+ACK with ack 0 too, as broken stacks send it).
 * Retransmissions, keep-alive probes (one byte below end) and window probes
 * (one byte beyond a zero window) pass: the bounds are the largest ever
 * seen, not the current ones. SACK blocks are not read: III and IV with the
 * plain ack are the stricter bound for IV and the looser for III, and a
 * legitimate ack always satisfies IV since R sends at most S's window ahead.
 *
 * Window scale: from each side's SYN; used only when both SYNs carried the
 * option (RFC 7323); a SYN's own window is never scaled.
 *
 * RST: exact when seq == S.end (the sender's next sequence number) or
 * seq == R.maxack (what R last acknowledged, its RCV.NXT as far as we
 * know); an exact RST changes the state (RFC 5961 accepts exactly these).
 * An RST in window (I to IV) but not exact is passed to the endpoint
 * without touching the connection (no state, no timer): a TCP that follows
 * RFC 5961 answers it with a challenge ACK, and if the reset was real, the
 * peer's answer to that ACK is an exact RST, which then closes our entry.
 * This is what conntrack does too (it keeps ESTABLISHED on such an RST). An
 * RST outside the window is dropped.
 *
 * The real server's side is not seen until its SYN+ACK. Its first segment:
 * a SYN initialises it; an RST must acknowledge exactly the client's SYN
 * (RFC 793: a reset in SYN-SENT is acceptable only if its ACK is); anything
 * else is passed without tracking or state change, as conntrack ignores it,
 * but its ack is noted as the side's maxack: a server that still holds an
 * old connection of the tuple in TIME_WAIT answers a SYN with such an ACK,
 * the client answers that with a reset at exactly that number, and the
 * reset, exact by the rule above, must reach the server to end its
 * TIME_WAIT so that the client's next SYN opens the connection. A SYN with
 * a higher sequence number than the side's first re-initialises the side
 * while its peer has acknowledged nothing of it (a TCP that restarted its
 * handshake).
 *
 * Picked up mid-stream: a connection whose client side was never
 * initialised (an entry made without tracking, for example carried over
 * from a version that had none) is not enforced: both sides are marked
 * liberal and initialised from their next segment, windows are only
 * tracked, and an RST changes the state only when exact (else passed, as
 * above). A connection this code creates always starts from the client's
 * SYN (wk_tcp_track_init) and is enforced from its first segment on; its
 * tracking lives in the shm entry, so a restarted worker continues it.
 *
 * One-way connections (dr, tunnel: the server answers the client directly)
 * never show the server's side, so no bound that needs it (I to IV: the
 * receiver's window and acks) can be known: they are liberal from their
 * SYN on (wk_tcp_track_init_oneway). The client's side is still tracked
 * and an RST still changes the state only when it is exact (its sequence
 * number the client's next one); any other RST is passed to the server
 * without touching the connection.
 */
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_tcp.h>

#include "worker/ipvs/tcp_window.h"

#define TCPOPT_EOL    0
#define TCPOPT_NOP    1
#define TCPOPT_WSCALE 3

#define F_FIN RTE_TCP_FIN_FLAG
#define F_SYN RTE_TCP_SYN_FLAG
#define F_RST RTE_TCP_RST_FLAG
#define F_ACK RTE_TCP_ACK_FLAG
#define F_URG RTE_TCP_URG_FLAG

int
wk_tcp_flags_valid(uint8_t flags)
{
	switch (flags & (F_FIN | F_SYN | F_RST | F_ACK | F_URG)) {
	case F_SYN:
	case F_SYN | F_URG:
	case F_SYN | F_ACK:
	case F_RST:
	case F_RST | F_ACK:
	case F_FIN | F_ACK:
	case F_FIN | F_ACK | F_URG:
	case F_ACK:
	case F_ACK | F_URG:
		return 1;
	default:
		return 0;
	}
}

uint8_t
wk_tcp_opt_wscale(const uint8_t *o, const uint8_t *end)
{
	while (o < end) {
		if (*o == TCPOPT_EOL)
			break;
		if (*o == TCPOPT_NOP) {
			o++;
			continue;
		}
		if (o + 2 > end || o[1] < 2 || o + o[1] > end)
			break;
		if (o[0] == TCPOPT_WSCALE && o[1] == 3)
			return o[2];
		o += o[1];
	}
	return WK_TCP_NO_WSCALE;
}

void
wk_tcp_seg_parse(const struct rte_tcp_hdr *th, uint32_t hlen, uint32_t l4_len,
		 struct wk_tcp_seg *s)
{
	wk_tcp_seg_parse_inl(th, hlen, l4_len, s);
}

static inline uint32_t
seg_end(const struct wk_tcp_seg *s)
{
	return wk_tcp_seg_end(s);
}

static inline uint8_t
side_wscale(const struct dpvs_tcp_track *t)
{
	return RTE_MIN(t->wscale, (uint8_t)DPVS_TCPT_MAX_WSCALE);
}

/* (Re)start side snd from its SYN s. If its peer rcv was seen (so both
 * SYNs are known), window scaling holds only if both sent the option. */
static void
side_init(struct dpvs_tcp_track *snd, struct dpvs_tcp_track *rcv, const struct wk_tcp_seg *s)
{
	uint8_t keep = snd->flags & DPVS_TCPT_F_LIBERAL;

	memset(snd, 0, sizeof(*snd));
	snd->end = seg_end(s);
	snd->maxend = snd->end;
	snd->maxwin = s->win == 0 ? 1 : s->win;
	snd->flags = keep;
	if (s->wscale != WK_TCP_NO_WSCALE) {
		snd->wscale = RTE_MIN(s->wscale, (uint8_t)DPVS_TCPT_MAX_WSCALE);
		snd->flags |= DPVS_TCPT_F_WSCALE;
	}
	if (rcv->maxwin != 0 &&
	    !((snd->flags & DPVS_TCPT_F_WSCALE) && (rcv->flags & DPVS_TCPT_F_WSCALE))) {
		snd->wscale = 0;
		rcv->wscale = 0;
	}
}

/* side_init() of the client's side with nothing known of the other: no
 * flags to keep, no peer window to check the scaling against. */
void
wk_tcp_track_init(struct dpvs_tcp_track trk[2], const struct wk_tcp_seg *s)
{
	wk_tcp_track_init_inl(trk, s);
}

void
wk_tcp_track_init_oneway(struct dpvs_tcp_track trk[2], const struct wk_tcp_seg *s)
{
	wk_tcp_track_init(trk, s);
	trk[DPVS_DIR_IN].flags |= DPVS_TCPT_F_LIBERAL;
	trk[DPVS_DIR_OUT].flags |= DPVS_TCPT_F_LIBERAL;
}

/* Is an RST with sequence number seq exactly where the receiver expects? */
static int
rst_exact(const struct dpvs_tcp_track *snd, const struct dpvs_tcp_track *rcv, uint32_t seq)
{
	return seq == snd->end || ((rcv->flags & DPVS_TCPT_F_MAXACK) && seq == rcv->maxack);
}

/* Take an accepted segment (ack already made R.end when it has no ACK)
 * into both sides' tracking. */
static void
track_update(struct dpvs_tcp_track *snd, struct dpvs_tcp_track *rcv, const struct wk_tcp_seg *s,
	     uint32_t ack)
{
	uint32_t end = seg_end(s), win = s->win;

	if ((s->flags & F_SYN) == 0)
		win <<= side_wscale(snd);
	if (snd->maxwin < win)
		snd->maxwin = win;
	if (wk_tcp_seq_after(end, snd->end))
		snd->end = end;
	if ((s->flags & F_ACK) == 0)
		return;
	if ((snd->flags & DPVS_TCPT_F_MAXACK) == 0 || wk_tcp_seq_after(ack, snd->maxack)) {
		snd->maxack = ack;
		snd->flags |= DPVS_TCPT_F_MAXACK;
	}
	if (rcv->maxwin == 0)
		return; /* R not seen: its first segment sets its bounds */
	if (wk_tcp_seq_after(end, snd->maxend))
		rcv->maxwin += end - snd->maxend;
	if (wk_tcp_seq_after(ack + win, rcv->maxend - 1))
		rcv->maxend = ack + win + (win == 0 ? 1 : 0); /* a zero window: room for a probe */
}

/* A connection picked up mid-stream: nothing enforced but exact RSTs. */
static enum wk_tcpw
track_liberal(struct dpvs_tcp_track *snd, struct dpvs_tcp_track *rcv, const struct wk_tcp_seg *s)
{
	uint32_t ack = (s->flags & F_ACK) ? s->ack : rcv->end;

	if (snd->maxwin == 0) {
		snd->end = seg_end(s);
		snd->maxwin = s->win == 0 ? 1 : s->win;
		snd->maxend = snd->end + snd->maxwin;
	}
	if ((s->flags & F_RST) != 0)
		return rst_exact(snd, rcv, s->seq) ? WK_TCPW_OK : WK_TCPW_PASS;
	track_update(snd, rcv, s, ack);
	return WK_TCPW_OK;
}

/* The first segment of a side not seen yet (the real server's, in practice):
 * WK_TCPW_OK when it was a SYN and the checks go on, else the verdict. */
static int
first_of_side(struct dpvs_tcp_track *snd, struct dpvs_tcp_track *rcv, const struct wk_tcp_seg *s,
	      enum wk_tcpw *v)
{
	if (s->flags & F_SYN) {
		side_init(snd, rcv, s);
		if ((s->flags & F_ACK) == 0) {
			*v = WK_TCPW_OK; /* simultaneous open */
			return 1;
		}
		return 0;
	}
	if (s->flags & F_RST) {
		*v = ((s->flags & F_ACK) && rcv->maxwin != 0 && s->ack == rcv->end) ?
			     WK_TCPW_OK : WK_TCPW_BAD;
	} else {
		if (s->flags & F_ACK) { /* a challenge ACK: its reset will come */
			snd->maxack = s->ack;
			snd->flags |= DPVS_TCPT_F_MAXACK;
		}
		*v = WK_TCPW_PASS;
	}
	return 1;
}

enum wk_tcpw
wk_tcp_track(struct dpvs_tcp_track trk[2], int dir, const struct wk_tcp_seg *s)
{
	struct dpvs_tcp_track *snd = &trk[dir ? 1 : 0], *rcv = &trk[dir ? 0 : 1];
	uint32_t end, ack = s->ack, maxackwin;
	enum wk_tcpw v;

	/* the common segment: an ACK without SYN, FIN or RST, both sides
	 * enforced (established TCP's per-packet cost; figure 1's tcp-in) */
	if (likely((s->flags & (F_SYN | F_FIN | F_RST | F_ACK)) == F_ACK &&
		   wk_tcp_track_enforced(snd, rcv)))
		return wk_tcp_track_ack(snd, rcv, s->seq, s->ack, s->len, s->win);
	end = seg_end(s);

	if (trk[DPVS_DIR_IN].maxwin == 0) {
		trk[0].flags |= DPVS_TCPT_F_LIBERAL;
		trk[1].flags |= DPVS_TCPT_F_LIBERAL;
	}
	if ((snd->flags | rcv->flags) & DPVS_TCPT_F_LIBERAL)
		return track_liberal(snd, rcv, s);
	if (snd->maxwin == 0) {
		if (first_of_side(snd, rcv, s, &v))
			return v;
	} else if ((s->flags & F_SYN) && wk_tcp_seq_after(end, snd->end) &&
		   (rcv->flags & DPVS_TCPT_F_MAXACK) == 0) {
		side_init(snd, rcv, s); /* a new handshake: nothing of it acked yet */
		if ((s->flags & F_ACK) == 0)
			return WK_TCPW_OK;
	}
	if ((s->flags & F_RST) && rst_exact(snd, rcv, s->seq))
		return WK_TCPW_OK;
	if ((s->flags & F_ACK) == 0 || ((s->flags & F_RST) && ack == 0))
		ack = rcv->end;
	if (wk_tcp_seq_after(s->seq, snd->maxend))
		return WK_TCPW_BAD;                                     /* I */
	if (rcv->maxwin != 0) {
		maxackwin = RTE_MAX(snd->maxwin, WK_TCP_MAXACKWIN_MIN);
		if (wk_tcp_seq_after(ack, rcv->end) ||                         /* III */
		    wk_tcp_seq_before(end, snd->end - rcv->maxwin) ||          /* II */
		    wk_tcp_seq_before(ack, rcv->end - maxackwin))              /* IV */
			return WK_TCPW_BAD;
	}
	if (s->flags & F_RST)
		return WK_TCPW_PASS; /* in window, not exact */
	track_update(snd, rcv, s, ack);
	return WK_TCPW_OK;
}
