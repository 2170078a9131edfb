/*
 * Virtual services (see lb.h): add, edit, delete on a config set in plain
 * memory, by VIP and port or, for a match service (SNAT), by its match
 * (match.c); the names of schedulers, forwarding modes and protocols;
 * default timeouts. A service keeps its slot for its whole life (the lowest free one
 * when added); its id comes from lb.next_id and is never reused. Each call
 * updates the derived tables of what it touches (service hash, address
 * index, its scheduler table). Touches only the set passed in.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "ctl/daemon/addr.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "shm/lb_hash.h"

static const char *const sched_names[DPVS_SCHED_MAX] = {
	[DPVS_SCHED_RR] = "rr",     [DPVS_SCHED_WRR] = "wrr", [DPVS_SCHED_LC] = "lc",
	[DPVS_SCHED_WLC] = "wlc",   [DPVS_SCHED_MH] = "mh",   [DPVS_SCHED_CONHASH] = "conhash",
};

static const char *const fwd_names[DPVS_FWD_MAX] = {
	[DPVS_FWD_FNAT] = "fnat", [DPVS_FWD_NAT] = "nat",   [DPVS_FWD_DR] = "dr",
	[DPVS_FWD_TUNNEL] = "tunnel", [DPVS_FWD_SNAT] = "snat",
};

const char *
ctl_sched_name(unsigned int sched)
{
	return sched < DPVS_SCHED_MAX ? sched_names[sched] : "?";
}

int
ctl_sched_from_name(const char *name)
{
	int i;

	for (i = 0; i < DPVS_SCHED_MAX; i++)
		if (strcmp(sched_names[i], name) == 0)
			return i;
	return -1;
}

const char *
ctl_fwd_name(unsigned int mode)
{
	return mode < DPVS_FWD_MAX ? fwd_names[mode] : "?";
}

int
ctl_fwd_from_name(const char *name)
{
	int i;

	for (i = 0; i < DPVS_FWD_MAX; i++)
		if (strcmp(fwd_names[i], name) == 0)
			return i;
	return -1;
}

const char *
ctl_proto_name(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "TCP" : proto == IPPROTO_UDP ? "UDP" : "?";
}

bool
ctl_ip6_is_host(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) != 0 && a[0] != 0xff && !(a[0] == 0xfe && (a[1] & 0xc0) == 0x80) &&
	       !(memcmp(a, zero, 15) == 0 && a[15] == 1);
}

const char *
ctl_ipport_str(const struct dpvs_ip *ip, uint16_t port, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN];

	ctl_ip_str(ip, s, sizeof(s));
	if (ip->family == DPVS_AF_INET6)
		snprintf(buf, len, "[%s]:%u", s, port);
	else
		snprintf(buf, len, "%s:%u", s, port);
	return buf;
}

const char *
ctl_svc_key_str(const struct ctl_svc_key *k, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN + 8];

	if (k->is_match)
		snprintf(buf, len, "%s match %s", ctl_proto_name(k->proto), k->text);
	else
		snprintf(buf, len, "%s %s", ctl_proto_name(k->proto),
			 ctl_ipport_str(&k->vip, k->port, s, sizeof(s)));
	return buf;
}

void
ctl_svc_key_of(const struct dpvs_root *root, const struct dpvs_lb_tables *lb, uint16_t slot,
	       struct ctl_svc_key *k)
{
	const struct dpvs_service *s = dpvs_lb_svc(lb, slot);
	int mi = (s->flags & DPVS_SVC_F_MATCH) != 0 ? ctl_match_of_svc(lb, slot) : -1;

	memset(k, 0, sizeof(*k));
	k->proto = s->proto;
	if (mi < 0) {
		k->vip = s->vip;
		k->port = ntohs(s->vport);
		return;
	}
	k->is_match = true;
	k->match = lb->match[mi];
	k->match.svc = DPVS_SLOT_NONE;
	ctl_match_str(root, &k->match, k->text, sizeof(k->text));
}

void
ctl_default_timeouts(struct dpvs_timeouts *t)
{
	memset(t, 0, sizeof(*t));
	t->tcp[DPVS_TCPS_NONE] = 2;
	t->tcp[DPVS_TCPS_ESTABLISHED] = 900;
	t->tcp[DPVS_TCPS_SYN_SENT] = 120;
	t->tcp[DPVS_TCPS_SYN_RECV] = 60;
	t->tcp[DPVS_TCPS_FIN_WAIT] = 120;
	t->tcp[DPVS_TCPS_TIME_WAIT] = 120;
	t->tcp[DPVS_TCPS_CLOSE] = 10;
	t->tcp[DPVS_TCPS_CLOSE_WAIT] = 60;
	t->tcp[DPVS_TCPS_LAST_ACK] = 30;
	t->tcp[DPVS_TCPS_LISTEN] = 120;
	t->tcp[DPVS_TCPS_SYNACK] = 120;
	t->udp = 300;
}

void
ctl_lb_prepare(struct dpvs_lb_tables *lb)
{
	static const struct dpvs_timeouts zero;

	if (memcmp(&lb->timeouts, &zero, sizeof(zero)) == 0)
		ctl_default_timeouts(&lb->timeouts);
	if (lb->next_id == 0)
		lb->next_id = 1;
	if (lb->check_next_id == 0)
		lb->check_next_id = 1;
	if (lb->rate_next_gen == 0)
		lb->rate_next_gen = 1;
}

int
ctl_svc_find(const struct dpvs_lb_tables *lb, const struct ctl_svc_key *k)
{
	uint16_t slot;
	int i;

	if (k->is_match) {
		i = ctl_match_find(lb, &k->match);
		return i < 0 ? -1 : lb->match[i].svc;
	}
	slot = dpvs_svc_lookup(lb, k->proto, &k->vip, htons(k->port));
	return slot == DPVS_SLOT_NONE ? -1 : slot;
}

int
ctl_svc_get(const struct dpvs_lb_tables *lb, const struct ctl_svc_key *k, char *err,
	    size_t errlen)
{
	char s[CTL_KEY_STR];
	int i = ctl_svc_find(lb, k);

	if (i < 0)
		return dpvs_errf(err, errlen, -CTL_ENOENT, "no service %s",
				ctl_svc_key_str(k, s, sizeof(s)));
	return i;
}

/* A match service's key: its protocol, and ranges (IPv4 or IPv6, both of
 * one family) and ports of the node (what ctl_match_parse makes). */
static int
svc_match_check(const struct ctl_svc_key *k, char *err, size_t errlen)
{
	const struct dpvs_svc_match *m = &k->match;
	const struct dpvs_ip *r[4] = { &m->src_lo, &m->src_hi, &m->dst_lo, &m->dst_hi };
	unsigned int i;

	if (m->proto != k->proto)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "match %s: protocol differs from the "
				"service's", k->text);
	for (i = 0; i < 4; i++)
		if (r[i]->family != DPVS_AF_NONE && r[i]->family != DPVS_AF_INET &&
		    r[i]->family != DPVS_AF_INET6)
			return dpvs_errf(err, errlen, -CTL_EINVAL, "match %s: bad address family",
					k->text);
	if (m->src_lo.family != DPVS_AF_NONE && m->dst_lo.family != DPVS_AF_NONE &&
	    m->src_lo.family != m->dst_lo.family)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "match %s: src-range and dst-range are "
				"of different families", k->text);
	if ((m->src_lo.family != m->src_hi.family) || (m->dst_lo.family != m->dst_hi.family) ||
	    m->sport_lo > m->sport_hi || m->dport_lo > m->dport_hi ||
	    m->iif > DPVS_MAX_PORTS || m->oif > DPVS_MAX_PORTS)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "match %s: bad range or port", k->text);
	return 0;
}

/* Protocol, address and port of a service key. */
static int
svc_key_check(const struct ctl_svc_key *k, char *err, size_t errlen)
{
	static const uint8_t zero[16];
	char s[CTL_KEY_STR];

	if (k->proto != IPPROTO_TCP && k->proto != IPPROTO_UDP)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "protocol %u: use -t (TCP) or -u (UDP)",
				k->proto);
	if (k->is_match)
		return svc_match_check(k, err, errlen);
	if (k->vip.family == DPVS_AF_INET6) {
		ctl_svc_key_str(k, s, sizeof(s));
		if (!ctl_ip6_is_host(k->vip.bytes))
			return dpvs_errf(err, errlen, -CTL_EINVAL, "%s: the virtual address must be a "
					"global unicast address (not ::, ::1, multicast or "
					"link-local)", s);
	} else if (k->vip.family != DPVS_AF_INET || memcmp(k->vip.bytes + 4, zero, 12) != 0) {
		return dpvs_errf(err, errlen, -CTL_EINVAL, "bad virtual address");
	} else {
		ctl_svc_key_str(k, s, sizeof(s));
		if (memcmp(k->vip.bytes, zero, 4) == 0 || k->vip.bytes[0] >= 224)
			return dpvs_errf(err, errlen, -CTL_EINVAL, "%s: the virtual address must be a "
					"unicast address", s);
	}
	if (k->port == 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "%s: the virtual port must not be 0", s);
	return 0;
}

int
ctl_fwd_synproxy_ok(uint8_t mode)
{
	return mode == DPVS_FWD_FNAT || mode == DPVS_FWD_NAT;
}

static int
svc_sched_flags_check(const struct ctl_svc_args *a, char *err, size_t errlen)
{
	if (a->sched >= DPVS_SCHED_MAX)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "unknown scheduler %d", a->sched);
	/* the SYN proxy's and the address bits are a->synproxy's, pp's and
	 * toa's; a reload's flags may carry them */
	if (a->flags > 0 &&
	    (a->flags & ~(int)(DPVS_SVC_F_HASHED | DPVS_SVC_F_SYNPROXY | CTL_SVC_F_ADDR)) != 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "unknown service flags 0x%x",
				(unsigned int)a->flags);
	return 0;
}

/* May service slot i (key k) have the SYN proxy? A TCP service with an IPv4
 * VIP whose dests all let the node see the server's replies. */
static int
svc_synproxy_check(const struct dpvs_lb_tables *lb, const struct ctl_svc_key *k, int i,
		   char *err, size_t errlen)
{
	char ks[CTL_KEY_STR], ds[INET6_ADDRSTRLEN + 8];
	const struct dpvs_service *s;
	const uint32_t *dl;
	uint32_t j;

	ctl_svc_key_str(k, ks, sizeof(ks));
	if (k->proto != IPPROTO_TCP || k->is_match)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "%s: the SYN proxy is for TCP services "
				"with a virtual address (-t VIP:PORT)", ks);
	if (k->vip.family != DPVS_AF_INET)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "%s: the SYN proxy is for IPv4 "
				"services only (not yet IPv6)", ks);
	if (i < 0)
		return 0;
	s = dpvs_lb_svc(lb, (uint32_t)i);
	dl = dpvs_lb_svc_dests(lb, (uint32_t)i);
	for (j = 0; j < s->ndests && j < lb->caps.svc_dests; j++) {
		const struct dpvs_dest *d = &dpvs_lb_dests(lb)[dl[j]];

		if (!ctl_fwd_synproxy_ok(d->fwd_mode))
			return dpvs_errf(err, errlen, -CTL_EINVAL, "%s: real server %s is %s, whose "
					"replies pass the node by: the SYN proxy needs them (fnat or "
					"nat only)", ks, ctl_ipport_str(&d->addr, ntohs(d->port), ds,
									  sizeof(ds)),
					ctl_fwd_name(d->fwd_mode));
	}
	return 0;
}

/* The address flags of a service of proto and VIP family after args a (cur: its flags
 * now); -1 with err set when the service cannot have them. */
static int
svc_addr_flags(const struct ctl_svc_args *a, uint8_t proto, uint8_t family, int is_match,
	       uint32_t cur, uint32_t *out, char *err, size_t errlen)
{
	uint32_t f = cur & CTL_SVC_F_ADDR;

	if (a->pp != 0)
		f = (f & ~(uint32_t)(DPVS_SVC_F_PP_V1 | DPVS_SVC_F_PP_V2)) |
		    (a->pp == 1 ? DPVS_SVC_F_PP_V1 : a->pp == 2 ? DPVS_SVC_F_PP_V2 : 0);
	if (a->toa != 0)
		f = (f & ~(uint32_t)DPVS_SVC_F_TOA) | (a->toa > 0 ? DPVS_SVC_F_TOA : 0);
	if (f != 0 && (is_match || proto != IPPROTO_TCP || family != DPVS_AF_INET))
		return dpvs_errf(err, errlen, -CTL_EINVAL, "%s is for TCP virtual services "
				"(full-NAT): %s", (f & DPVS_SVC_F_TOA) && !(f & ~DPVS_SVC_F_TOA) ?
				"--toa" : "--proxy-protocol", is_match ? "not a match service" :
				proto != IPPROTO_TCP ? "the PROXY protocol over UDP (v2 DGRAM) is "
				"not built" : "IPv4 services only (not yet IPv6)");
	*out = f;
	return 0;
}

int
ctl_svc_add(struct dpvs_config_set *set, const struct ctl_svc_args *a, char *err,
	    size_t errlen)
{
	struct dpvs_lb_tables *lb = &set->lb;
	struct dpvs_rate_param rate[DPVS_RATE_N];
	struct dpvs_service *s;
	uint8_t sched = (uint8_t)(a->sched >= 0 ? a->sched : DPVS_SCHED_WLC);
	char ks[CTL_KEY_STR];
	uint32_t i, af = 0;
	int rc;

	rc = svc_key_check(&a->key, err, errlen);
	if (rc == 0)
		rc = svc_sched_flags_check(a, err, errlen);
	if (rc == 0 && a->synproxy > 0)
		rc = svc_synproxy_check(lb, &a->key, -1, err, errlen);
	if (rc == 0)
		rc = svc_addr_flags(a, a->key.proto, a->key.vip.family, a->key.is_match, 0, &af, err,
				    errlen);
	if (rc == 0)
		rc = ctl_rate_merge(lb, 0, &a->rate, rate, err, errlen);
	if (rc != 0)
		return rc;
	ctl_svc_key_str(&a->key, ks, sizeof(ks));
	if (ctl_svc_find(lb, &a->key) >= 0)
		return dpvs_errf(err, errlen, -CTL_EEXIST, "service %s already exists", ks);
	/* every slot below svc_free is taken: the lowest free slot */
	for (i = lb->svc_free; i < lb->caps.services && dpvs_lb_svc(lb, i)->id != 0; i++)
		;
	if (i >= lb->caps.services)
		return dpvs_errf(err, errlen, -CTL_EFULL,
				"service table is full (%u services: [tables] services in "
				"dpvs.conf)", lb->caps.services);
	if (a->key.is_match && lb->nmatch >= DPVS_MATCH_MAX)
		return dpvs_errf(err, errlen, -CTL_EFULL, "%s: there are %u match services already, "
				"the most a node takes", ks, DPVS_MATCH_MAX);
	ctl_lb_prepare(lb);
	s = dpvs_lb_svc(lb, i);
	memset(s, 0, sizeof(*s));
	s->sched_tbl = DPVS_SLOT_NONE;
	if (ctl_sched_wants_table(sched) && ctl_sched_table_get(lb, (uint16_t)i) != 0) {
		memset(s, 0, sizeof(*s));   /* a free slot is all zero: as it was */
		return dpvs_errf(err, errlen, -CTL_EFULL,
				"%s: every mh/conhash table is in use (%u: [tables] hash_tables in "
				"dpvs.conf)", ks, lb->caps.sched_tables);
	}
	s->id = lb->next_id++;
	s->proto = a->key.proto;
	s->sched_id = sched;
	s->flags = (a->flags > 0 ? (uint32_t)a->flags & DPVS_SVC_F_HASHED : 0) | af;
	if (a->synproxy > 0)
		s->flags |= DPVS_SVC_F_SYNPROXY;
	lb->svc_free = i + 1;
	if (a->key.is_match) {
		s->flags |= DPVS_SVC_F_MATCH;
		ctl_match_add(lb, (uint16_t)i, &a->key.match);
	} else {
		s->vport = htons(a->key.port);
		s->vip = a->key.vip;
		ctl_svc_hash_insert(lb, (uint16_t)i);
		ctl_aix_ref(lb, &s->vip, ctl_aix_bit(s->proto, 1), 1);
	}
	ctl_rate_store(lb, &dpvs_lb_svc_rate(lb)[i], DPVS_RATE_OWNER_SVC, i, s->id, rate);
	ctl_sched_mark(lb, (uint16_t)i);
	return 0;
}

int
ctl_svc_edit(struct dpvs_config_set *set, const struct ctl_svc_args *a, char *err,
	     size_t errlen)
{
	struct dpvs_rate_param rate[DPVS_RATE_N];
	struct dpvs_service *s;
	uint32_t af;
	uint32_t *rix;
	int rc, i;

	rc = svc_key_check(&a->key, err, errlen);
	if (rc == 0)
		rc = svc_sched_flags_check(a, err, errlen);
	if (rc != 0)
		return rc;
	i = ctl_svc_get(&set->lb, &a->key, err, errlen);
	if (i < 0)
		return i;
	if (a->synproxy > 0) {
		rc = svc_synproxy_check(&set->lb, &a->key, i, err, errlen);
		if (rc != 0)
			return rc;
	}
	s = dpvs_lb_svc(&set->lb, (uint32_t)i);
	rc = svc_addr_flags(a, s->proto, a->key.vip.family, (s->flags & DPVS_SVC_F_MATCH) != 0,
			    s->flags, &af, err, errlen);
	if (rc != 0)
		return rc;
	rix = &dpvs_lb_svc_rate(&set->lb)[i];
	rc = ctl_rate_merge(&set->lb, *rix, &a->rate, rate, err, errlen);
	if (rc != 0)
		return rc;
	if (a->sched >= 0 && ctl_sched_wants_table((uint8_t)a->sched) &&
	    ctl_sched_table_get(&set->lb, (uint16_t)i) != 0)
		return dpvs_errf(err, errlen, -CTL_EFULL,
				"every mh/conhash table is in use (%u: [tables] hash_tables in "
				"dpvs.conf)", set->lb.caps.sched_tables);
	if (a->sched >= 0)
		s->sched_id = (uint8_t)a->sched;
	if (a->flags >= 0)
		s->flags = ((uint32_t)a->flags & DPVS_SVC_F_HASHED) |
			   (s->flags & (DPVS_SVC_F_DIRTY | DPVS_SVC_F_MATCH | DPVS_SVC_F_SYNPROXY));
	if (a->synproxy > 0)
		s->flags |= DPVS_SVC_F_SYNPROXY;
	else if (a->synproxy < 0)
		s->flags &= ~DPVS_SVC_F_SYNPROXY;
	s->flags = (s->flags & ~CTL_SVC_F_ADDR) | af;
	if (!ctl_sched_wants_table(s->sched_id))
		ctl_sched_table_put(&set->lb, (uint16_t)i);
	ctl_rate_store(&set->lb, rix, DPVS_RATE_OWNER_SVC, (uint32_t)i, s->id, rate);
	ctl_sched_mark(&set->lb, (uint16_t)i);
	return 0;
}

int
ctl_svc_del(struct dpvs_config_set *set, const struct ctl_svc_key *k, char *err,
	    size_t errlen)
{
	struct dpvs_lb_tables *lb = &set->lb;
	struct dpvs_svc_laddr *la;
	struct dpvs_service *s;
	uint32_t *dl, j;
	int rc, i;

	rc = svc_key_check(k, err, errlen);
	if (rc != 0)
		return rc;
	i = ctl_svc_get(lb, k, err, errlen);
	if (i < 0)
		return i;
	s = dpvs_lb_svc(lb, (uint32_t)i);
	dl = dpvs_lb_svc_dests(lb, (uint32_t)i);
	la = dpvs_lb_svc_laddrs(lb, (uint32_t)i);
	ctl_check_svc_gone(lb, (uint32_t)i);     /* its health checks go too */
	ctl_acl_svc_gone(lb, (uint32_t)i);       /* and its access lists */
	ctl_rate_free(lb, &dpvs_lb_svc_rate(lb)[i]);
	for (j = 0; j < s->ndests && j < lb->caps.svc_dests; j++) {
		if (dl[j] < lb->caps.dests) {
			ctl_rate_free(lb, &dpvs_lb_dest_rate(lb)[dl[j]]);
			ctl_dest_ref(lb, s, &dpvs_lb_dests(lb)[dl[j]], -1);
			memset(&dpvs_lb_dests(lb)[dl[j]], 0, sizeof(struct dpvs_dest));
			if (dl[j] < lb->dest_free)
				lb->dest_free = dl[j];
		}
		dl[j] = 0;
	}
	/* its connections may go on: their local addresses drain (drain.c) */
	for (j = 0; j < s->nladdrs && j < lb->caps.svc_laddrs; j++) {
		ctl_drain_add(lb, &la[j].ip, s->proto);
		ctl_aix_ref(lb, &la[j].ip, ctl_aix_bit(s->proto, 0), -1);
		memset(&la[j], 0, sizeof(la[j]));
	}
	if ((s->flags & DPVS_SVC_F_MATCH) != 0) {
		ctl_match_del(lb, (uint16_t)i);
	} else {
		ctl_aix_ref(lb, &s->vip, ctl_aix_bit(s->proto, 1), -1);
		ctl_svc_hash_remove(lb, (uint16_t)i);
	}
	ctl_sched_table_put(lb, (uint16_t)i);
	memset(s, 0, sizeof(*s));
	if ((uint32_t)i < lb->svc_free)
		lb->svc_free = (uint32_t)i;
	return 0;
}
