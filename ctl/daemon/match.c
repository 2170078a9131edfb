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

static uint32_t
ip4_host(const struct dpvs_ip *ip)
{
	uint32_t a;

	memcpy(&a, ip->bytes, 4);
	return ntohl(a);
}

/* RANGE = ADDR[-ADDR][:PORT[-PORT]] into lo, hi, plo, phi. */
static int
match_range(const char *what, const char *v, struct dpvs_ip *lo, struct dpvs_ip *hi,
	    uint16_t *plo, uint16_t *phi, char *err, size_t errlen)
{
	const char *end = v + strlen(v), *colon = strchr(v, ':'), *aend, *dash;
	int f1, f2;

	if (v[0] == '[' || (colon != NULL && strchr(colon + 1, ':') != NULL))
		return dpvs_errf(err, errlen, -CTL_EUNSUPP,
				"%s=%s: IPv6 match services are not supported yet", what, v);
	aend = colon != NULL ? colon : end;
	dash = memchr(v, '-', (size_t)(aend - v));
	f1 = match_addr(v, dash != NULL ? dash : aend, lo);
	f2 = dash != NULL ? match_addr(dash + 1, aend, hi) : f1;
	if (dash == NULL)
		*hi = *lo;
	if (f1 < 0 || f2 < 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "%s=%s: bad address range (ADDR[-ADDR])",
				what, v);
	if (f1 > 0 || f2 > 0)
		return dpvs_errf(err, errlen, -CTL_EUNSUPP,
				"%s=%s: IPv6 match services are not supported yet", what, v);
	if (ip4_host(lo) > ip4_host(hi))
		return dpvs_errf(err, errlen, -CTL_EINVAL, "%s=%s: the first address is above the "
				"last", what, v);
	if (ip4_host(lo) == 0 && ip4_host(hi) == 0) { /* 0.0.0.0: any address */
		memset(lo, 0, sizeof(*lo));
		memset(hi, 0, sizeof(*hi));
	}
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

/* "A-B:P-Q" (single values once) into buf at *off. */
static void
range_str(char *buf, size_t len, size_t *off, const char *key, const struct dpvs_ip *lo,
	  const struct dpvs_ip *hi, uint16_t plo, uint16_t phi)
{
	char a[INET6_ADDRSTRLEN] = "0.0.0.0", b[INET6_ADDRSTRLEN];

	if (lo->family == DPVS_AF_NONE && plo == 0 && phi == 0)
		return;
	if (lo->family != DPVS_AF_NONE)
		ctl_ip_str(lo, a, sizeof(a));
	*off += (size_t)snprintf(buf + *off, len > *off ? len - *off : 0, ",%s=%s", key, a);
	if (lo->family != DPVS_AF_NONE && !dpvs_ip_equal(lo, hi))
		*off += (size_t)snprintf(buf + *off, len > *off ? len - *off : 0, "-%s",
					 ctl_ip_str(hi, b, sizeof(b)));
	if (plo != 0 || phi != 0)
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
