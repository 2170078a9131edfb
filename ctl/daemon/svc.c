/*
 * Virtual services (see lb.h): add, edit, delete on a config set in plain
 * memory; the names of schedulers, forwarding modes and protocols; default
 * timeouts. A service keeps its slot for its whole life (the lowest free one
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

	snprintf(buf, len, "%s %s", ctl_proto_name(k->proto),
		 ctl_ipport_str(&k->vip, k->port, s, sizeof(s)));
	return buf;
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
}

int
ctl_svc_find(const struct dpvs_lb_tables *lb, const struct ctl_svc_key *k)
{
	uint16_t slot = dpvs_svc_lookup(lb, k->proto, &k->vip, htons(k->port));

	return slot == DPVS_SLOT_NONE ? -1 : slot;
}

int
ctl_svc_get(const struct dpvs_lb_tables *lb, const struct ctl_svc_key *k, char *err,
	    size_t errlen)
{
	char s[96];
	int i = ctl_svc_find(lb, k);

	if (i < 0)
		return dpvs_errf(err, errlen, -CTL_ENOENT, "no service %s",
				ctl_svc_key_str(k, s, sizeof(s)));
	return i;
}

/* Protocol, address and port of a service key. */
static int
svc_key_check(const struct ctl_svc_key *k, char *err, size_t errlen)
{
	static const uint8_t zero[16];
	char s[96];

	if (k->proto != IPPROTO_TCP && k->proto != IPPROTO_UDP)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "protocol %u: use -t (TCP) or -u (UDP)",
				k->proto);
	if (k->vip.family == DPVS_AF_INET6)
		return dpvs_errf(err, errlen, -CTL_EUNSUPP, "IPv6 services are not supported yet");
	if (k->vip.family != DPVS_AF_INET || memcmp(k->vip.bytes + 4, zero, 12) != 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "bad virtual address");
	ctl_svc_key_str(k, s, sizeof(s));
	if (memcmp(k->vip.bytes, zero, 4) == 0 || k->vip.bytes[0] >= 224)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "%s: the virtual address must be a "
				"unicast address", s);
	if (k->port == 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "%s: the virtual port must not be 0", s);
	return 0;
}

static int
svc_sched_flags_check(const struct ctl_svc_args *a, char *err, size_t errlen)
{
	if (a->sched >= DPVS_SCHED_MAX)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "unknown scheduler %d", a->sched);
	if (a->flags > 0 && (a->flags & ~(int)DPVS_SVC_F_HASHED) != 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "unknown service flags 0x%x",
				(unsigned int)a->flags);
	return 0;
}

int
ctl_svc_add(struct dpvs_config_set *set, const struct ctl_svc_args *a, char *err,
	    size_t errlen)
{
	struct dpvs_lb_tables *lb = &set->lb;
	struct dpvs_service *s;
	uint8_t sched = (uint8_t)(a->sched >= 0 ? a->sched : DPVS_SCHED_WLC);
	char ks[96];
	uint32_t i;
	int rc;

	rc = svc_key_check(&a->key, err, errlen);
	if (rc == 0)
		rc = svc_sched_flags_check(a, err, errlen);
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
	s->vport = htons(a->key.port);
	s->vip = a->key.vip;
	s->flags = a->flags > 0 ? (uint32_t)a->flags : 0;
	lb->svc_free = i + 1;
	ctl_svc_hash_insert(lb, (uint16_t)i);
	ctl_aix_ref(lb, &s->vip, ctl_aix_bit(s->proto, 1), 1);
	ctl_sched_mark(lb, (uint16_t)i);
	return 0;
}

int
ctl_svc_edit(struct dpvs_config_set *set, const struct ctl_svc_args *a, char *err,
	     size_t errlen)
{
	struct dpvs_service *s;
	int rc, i;

	rc = svc_key_check(&a->key, err, errlen);
	if (rc == 0)
		rc = svc_sched_flags_check(a, err, errlen);
	if (rc != 0)
		return rc;
	i = ctl_svc_get(&set->lb, &a->key, err, errlen);
	if (i < 0)
		return i;
	s = dpvs_lb_svc(&set->lb, (uint32_t)i);
	if (a->sched >= 0 && ctl_sched_wants_table((uint8_t)a->sched) &&
	    ctl_sched_table_get(&set->lb, (uint16_t)i) != 0)
		return dpvs_errf(err, errlen, -CTL_EFULL,
				"every mh/conhash table is in use (%u: [tables] hash_tables in "
				"dpvs.conf)", set->lb.caps.sched_tables);
	if (a->sched >= 0)
		s->sched_id = (uint8_t)a->sched;
	if (a->flags >= 0)
		s->flags = (uint32_t)a->flags | (s->flags & DPVS_SVC_F_DIRTY);
	if (!ctl_sched_wants_table(s->sched_id))
		ctl_sched_table_put(&set->lb, (uint16_t)i);
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
	for (j = 0; j < s->ndests && j < lb->caps.svc_dests; j++) {
		if (dl[j] < lb->caps.dests) {
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
	ctl_aix_ref(lb, &s->vip, ctl_aix_bit(s->proto, 1), -1);
	ctl_svc_hash_remove(lb, (uint16_t)i);
	ctl_sched_table_put(lb, (uint16_t)i);
	memset(s, 0, sizeof(*s));
	if ((uint32_t)i < lb->svc_free)
		lb->svc_free = (uint32_t)i;
	return 0;
}
