/*
 * Match services (SNAT; shm/lb.h struct dpvs_svc_match): the text of
 * `-H proto=tcp,src-range=192.168.100.1-192.168.100.254,oif=dpdk1`, its
 * canonical form (what save and -L print), and the keys in a config set:
 * lb.match[] (dense, add order) and the per-in-port index the workers read
 * (lb.match_n, lb.match_ix), rebuilt from match[] at every change so that
 * a change and a rebuild from scratch always agree.
 *
 * The words, as DPVS's ipvsadm has them (each at most once, comma
 * separated, proto= required and one other at least):
 *   proto=tcp|udp
 *   src-range=ADDR[-ADDR][:PORT[-PORT]]   sources (0.0.0.0 alone: any address)
 *   dst-range=ADDR[-ADDR][:PORT[-PORT]]   destinations
 *       IPv6: ADDR6[-ADDR6], or [ADDR6[-ADDR6]]:PORT[-PORT] with ports
 *       (:: alone: any IPv6 address); a match is of its ranges' family
 *       (IPv4 when it names none), both ranges of one family
 *   iif=PORT                              the port the packet arrives on
 *   oif=PORT                              the port its route leaves by
 * Pure: plain memory; the root only for port names.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/daemon/addr.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "shm/lb_hash.h"

/* A decimal port 0..65535 of the text [s, end). */
static int
match_port(const char *s, const char *end, uint16_t *out)
{
	unsigned long v = 0;

	if (s == end || end - s > 5)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/* An IPv4 address of the text [s, end). */
static int
match_addr(const char *s, const char *end, struct dpvs_ip *ip)
{
	char buf[INET6_ADDRSTRLEN];

	if (end - s <= 0 || (size_t)(end - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(end - s));
	buf[end - s] = '\0';
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, buf, ip->bytes) == 1) {
		ip->family = DPVS_AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, ip->bytes) == 1) {
		ip->family = DPVS_AF_INET6;
		return 1;
	}
	return -1;
}

/* The address range [s, end) "ADDR[-ADDR]" into lo, hi: 0, or -1 when
 * malformed or of two families. IPv4 0.0.0.0 alone: any address (family
 * NONE, as before IPv6); IPv6 :: alone: any IPv6 address (::-ffff:...:ffff,
 * family IPv6, so that the match keeps its family). */
static int
match_addrs(const char *s, const char *end, struct dpvs_ip *lo, struct dpvs_ip *hi)
{
	static const uint8_t zero[16];
	const char *dash = memchr(s, '-', (size_t)(end - s));
	unsigned int n;
	int f1, f2;

	f1 = match_addr(s, dash != NULL ? dash : end, lo);
	f2 = dash != NULL ? match_addr(dash + 1, end, hi) : f1;
	if (dash == NULL)
		*hi = *lo;
	if (f1 < 0 || f2 < 0 || f1 != f2)
		return -1;
	n = lo->family == DPVS_AF_INET6 ? 16 : 4;
	if (memcmp(lo->bytes, hi->bytes, n) > 0)
		return -2;
	if (memcmp(lo->bytes, zero, n) == 0 && memcmp(hi->bytes, zero, n) == 0) {
		if (lo->family == DPVS_AF_INET) {
			memset(lo, 0, sizeof(*lo));
			memset(hi, 0, sizeof(*hi));
		} else {
			memset(hi->bytes, 0xff, 16);
		}
	}
	return 0;
}

/* RANGE = ADDR[-ADDR][:PORT[-PORT]] (IPv4), ADDR6[-ADDR6] or
 * [ADDR6[-ADDR6]]:PORT[-PORT] (IPv6, as DPVS's ipvsadm) into lo, hi, plo,
 * phi. */
static int
match_range(const char *what, const char *v, struct dpvs_ip *lo, struct dpvs_ip *hi,
	    uint16_t *plo, uint16_t *phi, char *err, size_t errlen)
{
	const char *end = v + strlen(v), *colon = strchr(v, ':'), *as = v, *aend, *dash;
	int rc;

	if (v[0] == '[') {                     /* [ADDR6[-ADDR6]]:PORTS */
		as = v + 1;
		aend = strchr(v, ']');
		if (aend == NULL || (aend[1] != '\0' && aend[1] != ':'))
			return dpvs_errf(err, errlen, -CTL_EINVAL, "%s=%s: want [ADDR6[-ADDR6]]:PORT"
					"[-PORT]", what, v);
		colon = aend[1] == ':' ? aend + 1 : NULL;
	} else if (colon != NULL && strchr(colon + 1, ':') != NULL) {
		aend = end;                    /* ADDR6[-ADDR6], no ports */
		colon = NULL;
	} else {
		aend = colon != NULL ? colon : end;
	}
	rc = match_addrs(as, aend, lo, hi);
	if (rc == -1)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "%s=%s: bad address range (ADDR[-ADDR], "
				"both of one family)", what, v);
	if (rc != 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "%s=%s: the first address is above the "
				"last", what, v);
	if (v[0] == '[' && lo->family != DPVS_AF_INET6)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "%s=%s: brackets are for IPv6 addresses",
				what, v);
	*plo = *phi = 0;
	if (colon == NULL)
		return 0;
	dash = strchr(colon + 1, '-');
	if (match_port(colon + 1, dash != NULL ? dash : end, plo) != 0 ||
	    (dash != NULL && match_port(dash + 1, end, phi) != 0))
		return dpvs_errf(err, errlen, -CTL_EINVAL, "%s=%s: bad port range (:PORT[-PORT], "
				"0..65535)", what, v);
	if (dash == NULL)
		*phi = *plo;
	if (*plo > *phi)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "%s=%s: the first port is above the last",
				what, v);
	return 0;
}

uint8_t
ctl_match_family(const struct dpvs_svc_match *m)
{
	if (m->src_lo.family != DPVS_AF_NONE)
		return m->src_lo.family;
	if (m->dst_lo.family != DPVS_AF_NONE)
		return m->dst_lo.family;
	return DPVS_AF_INET;
}

/* One word KEY=VALUE of the match (value NUL-terminated); *seen tracks
 * which keys came. */
static int
match_word(const struct dpvs_root *root, const char *key, const char *v,
	   struct dpvs_svc_match *m, unsigned int *seen, char *err, size_t errlen)
{
	static const char *const keys[] = { "proto", "src-range", "dst-range", "iif", "oif" };
	unsigned int k;
	int p;

	for (k = 0; k < RTE_DIM(keys) && strcmp(keys[k], key) != 0; k++)
		;
	if (k == RTE_DIM(keys))
		return dpvs_errf(err, errlen, -CTL_EINVAL, "unknown match word \"%s\" (proto, "
				"src-range, dst-range, iif, oif)", key);
	if (*seen & (1u << k))
		return dpvs_errf(err, errlen, -CTL_EINVAL, "match word %s given twice", key);
	*seen |= 1u << k;
	switch (k) {
	case 0:
		if (strcmp(v, "tcp") != 0 && strcmp(v, "udp") != 0)
			return dpvs_errf(err, errlen, -CTL_EINVAL, "proto=%s: use tcp or udp", v);
		m->proto = v[0] == 't' ? IPPROTO_TCP : IPPROTO_UDP;
		return 0;
	case 1:
		return match_range(key, v, &m->src_lo, &m->src_hi, &m->sport_lo, &m->sport_hi,
				   err, errlen);
	case 2:
		return match_range(key, v, &m->dst_lo, &m->dst_hi, &m->dport_lo, &m->dport_hi,
				   err, errlen);
	default:
		if (root == NULL)
			return dpvs_errf(err, errlen, -CTL_ENOPORT, "no port named %s", v);
		p = ctl_port_find(root, v, err, errlen);
		if (p < 0)
			return p;
		if (k == 3)
			m->iif = (uint8_t)(p + 1);
		else
			m->oif = (uint8_t)(p + 1);
		return 0;
	}
}

int
ctl_match_parse(const struct dpvs_root *root, const char *text, struct dpvs_svc_match *m,
		char *err, size_t errlen)
{
	char buf[CTL_MATCH_TEXT], *word, *save = NULL, *eq;
	unsigned int seen = 0;
	int rc;

	memset(m, 0, sizeof(*m));
	if (text == NULL || text[0] == '\0')
		return dpvs_errf(err, errlen, -CTL_EINVAL, "empty match (-H proto=tcp,src-range=...)");
	if (strlen(text) >= sizeof(buf))
		return dpvs_errf(err, errlen, -CTL_EINVAL, "match too long (%zu characters, at most "
				"%zu)", strlen(text), sizeof(buf) - 1);
	strcpy(buf, text);
	for (word = strtok_r(buf, ",", &save); word != NULL; word = strtok_r(NULL, ",", &save)) {
		eq = strchr(word, '=');
		if (eq == NULL || eq[1] == '\0')
			return dpvs_errf(err, errlen, -CTL_EINVAL, "match word \"%s\": want KEY=VALUE",
					word);
		*eq = '\0';
		rc = match_word(root, word, eq + 1, m, &seen, err, errlen);
		if (rc != 0)
			return rc;
	}
	if ((seen & 1u) == 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "match without proto=tcp|udp");
	if ((seen & ~1u) == 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "match takes every packet: give "
				"src-range, dst-range, iif or oif too");
	m->svc = DPVS_SLOT_NONE;
	return 0;
}

/* Is [lo, hi] the whole IPv6 space (written ::)? */
static int
range_any6(const struct dpvs_ip *lo, const struct dpvs_ip *hi)
{
	static const uint8_t zero[16];
	unsigned int i;

	if (lo->family != DPVS_AF_INET6 || memcmp(lo->bytes, zero, 16) != 0)
		return 0;
	for (i = 0; i < 16 && hi->bytes[i] == 0xff; i++)
		;
	return i == 16;
}

/* "A-B:P-Q" (single values once; IPv6 with ports "[A-B]:P-Q") into buf at
 * *off. */
static void
range_str(char *buf, size_t len, size_t *off, const char *key, const struct dpvs_ip *lo,
	  const struct dpvs_ip *hi, uint16_t plo, uint16_t phi)
{
	char a[INET6_ADDRSTRLEN] = "0.0.0.0", b[INET6_ADDRSTRLEN + 1] = "";
	int v6 = lo->family == DPVS_AF_INET6, ports = plo != 0 || phi != 0;

	if (lo->family == DPVS_AF_NONE && !ports)
		return;
	if (lo->family != DPVS_AF_NONE)
		ctl_ip_str(lo, a, sizeof(a));
	if (lo->family != DPVS_AF_NONE && !dpvs_ip_equal(lo, hi) && !range_any6(lo, hi)) {
		b[0] = '-';
		ctl_ip_str(hi, b + 1, sizeof(b) - 1);
	}
	*off += (size_t)snprintf(buf + *off, len > *off ? len - *off : 0, ",%s=%s%s%s%s", key,
				 v6 && ports ? "[" : "", a, b, v6 && ports ? "]" : "");
	if (ports)
		*off += (size_t)snprintf(buf + *off, len > *off ? len - *off : 0, ":%u", plo);
	if (phi != plo)
		*off += (size_t)snprintf(buf + *off, len > *off ? len - *off : 0, "-%u", phi);
}

static void
port_str(const struct dpvs_root *root, uint8_t p1, char *buf, size_t len)
{
	if (root != NULL && p1 - 1u < DPVS_MAX_PORTS && root->ports[p1 - 1].name[0] != '\0')
		snprintf(buf, len, "%s", root->ports[p1 - 1].name);
	else
		snprintf(buf, len, "port%u", p1 - 1u);
}

const char *
ctl_match_str(const struct dpvs_root *root, const struct dpvs_svc_match *m, char *buf,
	      size_t len)
{
	char dev[DPVS_NAME_LEN + 8];
	size_t off;

	off = (size_t)snprintf(buf, len, "proto=%s", m->proto == IPPROTO_UDP ? "udp" : "tcp");
	range_str(buf, len, &off, "src-range", &m->src_lo, &m->src_hi, m->sport_lo,
		  m->sport_hi);
	range_str(buf, len, &off, "dst-range", &m->dst_lo, &m->dst_hi, m->dport_lo,
		  m->dport_hi);
	if (m->iif != 0) {
		port_str(root, m->iif, dev, sizeof(dev));
		off += (size_t)snprintf(buf + off, len > off ? len - off : 0, ",iif=%s", dev);
	}
	if (m->oif != 0) {
		port_str(root, m->oif, dev, sizeof(dev));
		snprintf(buf + off, len > off ? len - off : 0, ",oif=%s", dev);
	}
	return buf;
}

int
ctl_match_same(const struct dpvs_svc_match *a, const struct dpvs_svc_match *b)
{
	return a->proto == b->proto && a->iif == b->iif && a->oif == b->oif &&
	       dpvs_ip_equal(&a->src_lo, &b->src_lo) && dpvs_ip_equal(&a->src_hi, &b->src_hi) &&
	       dpvs_ip_equal(&a->dst_lo, &b->dst_lo) && dpvs_ip_equal(&a->dst_hi, &b->dst_hi) &&
	       a->sport_lo == b->sport_lo && a->sport_hi == b->sport_hi &&
	       a->dport_lo == b->dport_lo && a->dport_hi == b->dport_hi;
}

int
ctl_match_find(const struct dpvs_lb_tables *lb, const struct dpvs_svc_match *m)
{
	uint32_t i;

	for (i = 0; i < lb->nmatch && i < DPVS_MATCH_MAX; i++)
		if (ctl_match_same(&lb->match[i], m))
			return (int)i;
	return -1;
}

int
ctl_match_of_svc(const struct dpvs_lb_tables *lb, uint16_t slot)
{
	uint32_t i;

	for (i = 0; i < lb->nmatch && i < DPVS_MATCH_MAX; i++)
		if (lb->match[i].svc == slot)
			return (int)i;
	return -1;
}

void
ctl_match_reindex(struct dpvs_lb_tables *lb)
{
	uint32_t i, p;

	memset(lb->match_n, 0, sizeof(lb->match_n));
	memset(lb->match_ix, 0, sizeof(lb->match_ix));
	for (i = 0; i < lb->nmatch && i < DPVS_MATCH_MAX; i++)
		for (p = 0; p < DPVS_MATCH_PORTS; p++)
			if (lb->match[i].iif == 0 || lb->match[i].iif == p + 1)
				lb->match_ix[p][lb->match_n[p]++] = (uint8_t)i;
}

int
ctl_match_add(struct dpvs_lb_tables *lb, uint16_t slot, const struct dpvs_svc_match *m)
{
	if (lb->nmatch >= DPVS_MATCH_MAX)
		return -1;
	lb->match[lb->nmatch] = *m;
	lb->match[lb->nmatch].svc = slot;
	lb->match[lb->nmatch].pad = 0;
	lb->match[lb->nmatch].pad2 = 0;
	lb->nmatch++;
	ctl_match_reindex(lb);
	return 0;
}

void
ctl_match_del(struct dpvs_lb_tables *lb, uint16_t slot)
{
	int i = ctl_match_of_svc(lb, slot);

	if (i < 0)
		return;
	memmove(&lb->match[i], &lb->match[i + 1],
		(lb->nmatch - (uint32_t)i - 1) * sizeof(lb->match[0]));
	lb->nmatch--;
	memset(&lb->match[lb->nmatch], 0, sizeof(lb->match[0]));
	ctl_match_reindex(lb);
}
