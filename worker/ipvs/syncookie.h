/*
 * SYN cookies of the SYN proxy (syncookie.c): the initial sequence number
 * the node answers a client's SYN with, so that it stores nothing per SYN,
 * and the check of the client's ACK that comes back with it. After the
 * facts of Linux's syncookies (an MSS class in the cookie, the window scale
 * and SACK in the low bits of the timestamp); own encoding and code.
 *
 * The cookie (32 bits):
 *   bits 31-30  the period it was made in (now / 64 s), its low two bits
 *   bits 29-28  the MSS class (WK_COOKIE_MSS: 536, 1300, 1440, 1460)
 *   bits 27-0   a MAC: SipHash-2-4 keyed with the node's key
 *               (root->synproxy_key) over the addresses and ports, the
 *               client's ISN, the period and the MSS class
 * It is good in the period it was made and the next one (64 to 128 s).
 *
 * The timestamp (TSval of our SYN+ACK, when the client sent timestamps):
 * milliseconds of the node's clock with the low 6 bits replaced:
 *   bits 3-0  the client's window scale (0-14), 15: none
 *   bit 4     the client allowed SACK
 *   bit 5     0 (reserved)
 * The client echoes it in every segment's TSecr; the ACK's tells the proxy
 * the options of the SYN it no longer has. Without timestamps the window
 * scale and SACK are lost, as in Linux (the connection works without).
 *
 * Pure functions on plain memory; no state. Any worker checks any cookie.
 */
#ifndef DPVS_WORKER_SYNCOOKIE_H
#define DPVS_WORKER_SYNCOOKIE_H

#include <stdint.h>

#include "shm/types.h"

#define WK_COOKIE_PERIOD_NS (64ull * 1000000000ull)
#define WK_COOKIE_MSS_N     4
#define WK_COOKIE_TS_NOWS   0xf          /* no window scale in the TSval */

/* The MSS classes, smallest first. */
extern const uint16_t wk_cookie_mss[WK_COOKIE_MSS_N];

/* The connection a cookie is for, as the client's SYN carried it: its
 * source and destination (ports in network order). */
struct wk_cookie_tuple {
	const struct dpvs_ip *saddr, *daddr;
	uint16_t sport, dport;
};

/* SipHash-2-4 of len bytes at in with the 16-byte key (own code after the
 * reference description; little-endian words). */
uint64_t wk_siphash(const uint8_t key[16], const void *in, uint32_t len);

/* The MSS class of a client's MSS: the largest class not above it (536 when
 * it is below every class). */
unsigned int wk_cookie_mss_class(uint16_t mss);

/* The cookie for a SYN with sequence number isn and MSS class cls made at
 * now_ns. */
uint32_t wk_cookie_make(const uint8_t key[16], const struct wk_cookie_tuple *t, uint32_t isn,
			unsigned int cls, uint64_t now_ns);

/* Is cookie one we made for this tuple and client ISN, in this period or
 * the one before? 0 with *mss the MSS of its class, or -1. */
int wk_cookie_check(const uint8_t key[16], const struct wk_cookie_tuple *t, uint32_t isn,
		    uint32_t cookie, uint64_t now_ns, uint16_t *mss);

/* Our TSval carrying the client's window scale (WK_COOKIE_TS_NOWS: none) and
 * SACK permission. */
uint32_t wk_cookie_ts_make(uint64_t now_ns, uint8_t wscale, int sack);

/* What an echoed TSval says: *wscale (WK_COOKIE_TS_NOWS: none, also for a
 * value above 14) and *sack. */
void wk_cookie_ts_read(uint32_t tsecr, uint8_t *wscale, int *sack);

#endif
