/*
 * The neighbour state machine (NUD, see neigh.h for the states and timers):
 * what an output, a due timer or an ARP packet about a neighbour does to its
 * entry, and what the caller has to do (send, hold, request, probe, drop,
 * delete). Pure: one entry and the clock in, the entry changed, an action
 * out. Crash safety (shm/layout.h): the other fields are written before the
 * state, and the MAC only while the state is INCOMPLETE or FAILED (where it
 * is not used), so a successor never sends to a half-written MAC.
 */
#include <string.h>

#include "worker/l2/neigh.h"

static void
nud_set(struct dpvs_neigh *e, uint8_t state)
{
	__atomic_store_n(&e->state, state, __ATOMIC_RELEASE);
}

/* Start probing the known MAC; the first probe is the caller's to send. */
static void
nud_probe(struct dpvs_neigh *e, uint64_t now_ns)
{
	e->probes = 1;
	e->timer_ns = now_ns + WK_NEIGH_RETRANS_NS;
	nud_set(e, DPVS_NEIGH_PROBE);
}

enum wk_nud
wk_nud_output(struct dpvs_neigh *e, uint64_t now_ns)
{
	switch (e->state) {
	case DPVS_NEIGH_REACHABLE:
		if (now_ns - e->confirmed_ns < WK_NEIGH_REACHABLE_NS)
			return WK_NUD_SEND;
		/* its timer has not run yet: it is STALE already */
		/* fall through */
	case DPVS_NEIGH_STALE:
		nud_probe(e, now_ns);
		return WK_NUD_SEND_PROBE;
	case DPVS_NEIGH_PROBE:
		return WK_NUD_SEND;
	case DPVS_NEIGH_INCOMPLETE:
		if (e->probes != 0)
			return WK_NUD_HOLD;
		/* created by the output, or asked for by the kernel: our turn */
		e->flags &= (uint8_t)~DPVS_NEIGH_F_KERNEL;
		e->probes = 1;
		e->timer_ns = now_ns + WK_NEIGH_RETRANS_NS;
		return WK_NUD_HOLD_REQUEST;
	default:
		return WK_NUD_DROP;
	}
}

static enum wk_nud
nud_timer_incomplete(struct dpvs_neigh *e, uint64_t now_ns)
{
	if ((e->flags & DPVS_NEIGH_F_KERNEL) != 0)
		return WK_NUD_DELETE; /* the kernel's question, never ours: forget it */
	if (e->probes < WK_NEIGH_MCAST_PROBES) {
		e->probes++;
		e->timer_ns = now_ns + WK_NEIGH_RETRANS_NS;
		return WK_NUD_REQUEST;
	}
	e->timer_ns = now_ns + WK_NEIGH_FAILED_NS;
	nud_set(e, DPVS_NEIGH_FAILED);
	return WK_NUD_FAIL;
}

enum wk_nud
wk_nud_timer(struct dpvs_neigh *e, uint64_t now_ns)
{
	switch (e->state) {
	case DPVS_NEIGH_INCOMPLETE:
		return nud_timer_incomplete(e, now_ns);
	case DPVS_NEIGH_REACHABLE:
		if (now_ns - e->confirmed_ns < WK_NEIGH_REACHABLE_NS) {
			e->timer_ns = e->confirmed_ns + WK_NEIGH_REACHABLE_NS;
			return WK_NUD_NONE;
		}
		e->timer_ns = now_ns + WK_NEIGH_GC_STALE_NS;
		nud_set(e, DPVS_NEIGH_STALE);
		return WK_NUD_NONE;
	case DPVS_NEIGH_PROBE:
		if (e->probes < WK_NEIGH_UCAST_PROBES) {
			e->probes++;
			e->timer_ns = now_ns + WK_NEIGH_RETRANS_NS;
			return WK_NUD_PROBE;
		}
		/* the known MAC stays silent: ask everyone, as for a new one */
		e->probes = 1;
		e->flags = 0;
		e->timer_ns = now_ns + WK_NEIGH_RETRANS_NS;
		nud_set(e, DPVS_NEIGH_INCOMPLETE);
		return WK_NUD_REQUEST;
	case DPVS_NEIGH_STALE: /* unused for WK_NEIGH_GC_STALE_NS */
	case DPVS_NEIGH_FAILED:
	default:
		return WK_NUD_DELETE;
	}
}

/* A reply from the MAC we wait for: REACHABLE with it. */
static void
nud_confirm(struct dpvs_neigh *e, const uint8_t mac[DPVS_ETHER_LEN], uint64_t now_ns)
{
	if (e->state == DPVS_NEIGH_INCOMPLETE || e->state == DPVS_NEIGH_FAILED) {
		memcpy(e->mac, mac, DPVS_ETHER_LEN); /* not in use in these states */
		e->changed_ns = now_ns;
	}
	e->confirmed_ns = now_ns;
	e->probes = 0;
	e->flags = 0;
	e->timer_ns = now_ns + WK_NEIGH_REACHABLE_NS;
	nud_set(e, DPVS_NEIGH_REACHABLE);
}

enum wk_nud
wk_nud_arp(struct dpvs_neigh *e, int reply, const uint8_t mac[DPVS_ETHER_LEN],
	   uint64_t now_ns)
{
	if (e->state == DPVS_NEIGH_INCOMPLETE || e->state == DPVS_NEIGH_FAILED) {
		if (!reply)
			return WK_NUD_UNSOLICITED;
		nud_confirm(e, mac, now_ns);
		return WK_NUD_RESOLVED;
	}
	if (memcmp(e->mac, mac, DPVS_ETHER_LEN) == 0) {
		if (!reply)
			return WK_NUD_NONE; /* a request tells nothing new */
		nud_confirm(e, mac, now_ns);
		return WK_NUD_CONFIRMED;
	}
	/* another MAC for a known neighbour: check the known one first */
	if (now_ns - e->changed_ns < WK_NEIGH_LOCKTIME_NS)
		return WK_NUD_LOCKED;
	e->changed_ns = now_ns;
	if (e->state == DPVS_NEIGH_PROBE)
		return WK_NUD_CLAIM;
	nud_probe(e, now_ns);
	return WK_NUD_VERIFY;
}
