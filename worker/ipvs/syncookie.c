/*
 * SYN cookies (syncookie.h): SipHash-2-4, the cookie and the timestamp
 * encoding of the SYN proxy. Pure functions; no state, no DPDK.
 */
#include <stdint.h>
#include <string.h>

#include "worker/ipvs/syncookie.h"

const uint16_t wk_cookie_mss[WK_COOKIE_MSS_N] = { 536, 1300, 1440, 1460 };

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static inline uint64_t
le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static inline void
sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = ROTL(v[1], 13);
	v[1] ^= v[0];
	v[0] = ROTL(v[0], 32);
	v[2] += v[3];
	v[3] = ROTL(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = ROTL(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = ROTL(v[1], 17);
	v[1] ^= v[2];
	v[2] = ROTL(v[2], 32);
}

uint64_t
wk_siphash(const uint8_t key[16], const void *in, uint32_t len)
{
	const uint8_t *p = in;
	uint64_t k0 = le64(key), k1 = le64(key + 8), m, b = (uint64_t)len << 56;
	uint64_t v[4] = { k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
			  k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull };
	uint8_t last[8] = { 0 };
	uint32_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		m = le64(p + i);
		v[3] ^= m;
		sip_round(v);
		sip_round(v);
		v[0] ^= m;
	}
	memcpy(last, p + i, len - i);
	b |= le64(last);
	v[3] ^= b;
	sip_round(v);
	sip_round(v);
	v[0] ^= b;
	v[2] ^= 0xff;
	sip_round(v);
	sip_round(v);
	sip_round(v);
	sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

unsigned int
wk_cookie_mss_class(uint16_t mss)
{
	unsigned int i;

	for (i = WK_COOKIE_MSS_N; i-- > 1;)
		if (wk_cookie_mss[i] <= mss)
			return i;
	return 0;
}

/* The 28-bit MAC of the cookie of period cnt. */
static uint32_t
cookie_mac(const uint8_t key[16], const struct wk_cookie_tuple *t, uint32_t isn, uint64_t cnt,
	   unsigned int cls)
{
	uint8_t b[48];
	uint32_t n = 0, alen = t->saddr->family == DPVS_AF_INET6 ? 16 : 4;

	memset(b, 0, sizeof(b));
	b[n++] = t->saddr->family;
	b[n++] = (uint8_t)cls;
	memcpy(b + n, &t->sport, 2);
	n += 2;
	memcpy(b + n, &t->dport, 2);
	n += 2;
	memcpy(b + n, &isn, 4);
	n += 4;
	memcpy(b + n, &cnt, 8);
	n += 8;
	memcpy(b + n, t->saddr->bytes, alen);
	n += alen;
	memcpy(b + n, t->daddr->bytes, alen);
	n += alen;
	return (uint32_t)wk_siphash(key, b, n) & 0x0fffffffu;
}

uint32_t
wk_cookie_make(const uint8_t key[16], const struct wk_cookie_tuple *t, uint32_t isn,
	       unsigned int cls, uint64_t now_ns)
{
	uint64_t cnt = now_ns / WK_COOKIE_PERIOD_NS;

	cls &= WK_COOKIE_MSS_N - 1;
	return (uint32_t)(cnt & 3) << 30 | (uint32_t)cls << 28 | cookie_mac(key, t, isn, cnt, cls);
}

int
wk_cookie_check(const uint8_t key[16], const struct wk_cookie_tuple *t, uint32_t isn,
		uint32_t cookie, uint64_t now_ns, uint16_t *mss)
{
	uint64_t now = now_ns / WK_COOKIE_PERIOD_NS, cnt;
	unsigned int cls = (cookie >> 28) & 3, age;

	for (age = 0; age < 2 && age <= now; age++) {
		cnt = now - age;
		if ((cnt & 3) != cookie >> 30)
			continue;
		if (cookie_mac(key, t, isn, cnt, cls) != (cookie & 0x0fffffffu))
			return -1;
		*mss = wk_cookie_mss[cls];
		return 0;
	}
	return -1;
}

uint32_t
wk_cookie_ts_make(uint64_t now_ns, uint8_t wscale, int sack)
{
	uint32_t ms = (uint32_t)(now_ns / 1000000ull);

	if (wscale > 14)
		wscale = WK_COOKIE_TS_NOWS;
	return (ms & ~0x3fu) | wscale | (sack ? 0x10u : 0);
}

void
wk_cookie_ts_read(uint32_t tsecr, uint8_t *wscale, int *sack)
{
	*wscale = tsecr & 0xf;
	if (*wscale > 14)
		*wscale = WK_COOKIE_TS_NOWS;
	*sack = (tsecr & 0x10u) != 0;
}
