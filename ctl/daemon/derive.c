/*
 * The derived parts of a config set's load-balancer tables (see lb.h), kept
 * up to date object by object so that a change costs what it touches, not
 * the size of the tables (docs/config.md):
 *
 *   service hash   insert / delete (backward shift, no tombstones)
 *   static-neighbour hash   insert / rebuild (its table is small)
 *   address index  reference counts per bit (node address on a port, VIP
 *                  of a TCP/UDP service, local address of a TCP/UDP
 *                  service, snat dest, or draining); an entry goes when
 *                  nothing names its address any more
 *   NAT dest count, match services' per-in-port index (match.c)
 *   IPv6 route index        insert / delete (backward shift) and the list of
 *                  prefix lengths in use (shm/lb.h)
 *   access lists   their hash and per-service rows (acl.c)
 *   mh / conhash tables     a table of the pool per such service; a change
 *                  marks the service dirty and ctl_sched_flush() rebuilds
 *                  the dirty ones once per batch, before publication
 *
 * ctl_lb_derive() rebuilds every derived table from the primary state; the
 * tests compare it with the incremental result. Pure: plain memory, touches
 * only the set passed in.
 */
#include <netinet/in.h>
#include <string.h>

#include "ctl/daemon/lb.h"
#include "ctl/daemon/sched_build.h"
#include "shm/layout.h"
#include "shm/lb_hash.h"

_Static_assert(DPVS_MAX_IFACES <= 16, "dpvs_addr_ix.ports is a 16-bit mask");


/* --- service hash --- */
void
ctl_svc_hash_insert(struct dpvs_lb_tables *lb, uint16_t slot)
{
	const struct dpvs_service *s = dpvs_lb_svc(lb, slot);
	uint16_t *tbl = dpvs_lb_svc_hash(lb);
	uint32_t mask = lb->svc_hash_slots - 1, h = dpvs_svc_hash(lb, s->proto, &s->vip, s->vport);

	/* never full: twice as many slots as services */
	while (tbl[h] != 0)
		h = (h + 1) & mask;
	tbl[h] = (uint16_t)(slot + 1);
}

/* Is home slot `home` outside the cyclic range (hole, pos]? Then the entry
 * at pos may move back into the hole. */
static int
may_fill_hole(uint32_t home, uint32_t hole, uint32_t pos, uint32_t mask)
{
	return ((pos - home) & mask) >= ((pos - hole) & mask);
}

void
ctl_svc_hash_remove(struct dpvs_lb_tables *lb, uint16_t slot)
{
	uint16_t *tbl = dpvs_lb_svc_hash(lb);
	const struct dpvs_service *s = dpvs_lb_svc(lb, slot);
	uint32_t mask = lb->svc_hash_slots - 1, h = dpvs_svc_hash(lb, s->proto, &s->vip, s->vport);
	uint32_t hole, pos;

	while (tbl[h] != 0 && tbl[h] != slot + 1)
		h = (h + 1) & mask;
	if (tbl[h] == 0)
		return;
	hole = h;
	tbl[hole] = 0;
	for (pos = (hole + 1) & mask; tbl[pos] != 0; pos = (pos + 1) & mask) {
		const struct dpvs_service *o = dpvs_lb_svc(lb, tbl[pos] - 1u);
		uint32_t home = dpvs_svc_hash(lb, o->proto, &o->vip, o->vport);

		if (may_fill_hole(home, hole, pos, mask)) {
			tbl[hole] = tbl[pos];
			tbl[pos] = 0;
			hole = pos;
		}
	}
}

/* --- static neighbour hash --- */
void
ctl_sneigh_hash_insert(struct dpvs_lb_tables *lb, uint32_t i)
{
	const struct dpvs_static_neigh *e = &dpvs_lb_sneigh(lb)[i];
	uint16_t *tbl = dpvs_lb_sneigh_hash(lb);
	uint32_t mask = lb->sneigh_hash_slots - 1, h = dpvs_sneigh_hash(lb, &e->ip, e->port);

	while (tbl[h] != 0)
		h = (h + 1) & mask;
	tbl[h] = (uint16_t)(i + 1);
}

void
ctl_sneigh_hash_rebuild(struct dpvs_lb_tables *lb)
{
	uint32_t i;

	memset(dpvs_lb_sneigh_hash(lb), 0, (size_t)lb->sneigh_hash_slots * sizeof(uint16_t));
	for (i = 0; i < lb->nsneigh && i < lb->caps.sneigh; i++)
		ctl_sneigh_hash_insert(lb, i);
}

/* --- address index --- */
static struct dpvs_addr_ix *
aix_get(struct dpvs_lb_tables *lb, const struct dpvs_ip *ip, int make)
{
	struct dpvs_addr_ix *tbl = dpvs_lb_addr_hash(lb);
	uint32_t mask = lb->addr_hash_slots - 1, h = dpvs_addr_hash(lb, ip), n;

	/* bounded: the front doors never fill it past half (cfgset.c sizes it
	 * for every address a set can name), but a hand-made set might */
	for (n = 0; n <= mask; n++) {
		struct dpvs_addr_ix *e = &tbl[h];

		if (e->ip.family == DPVS_AF_NONE) {
			if (!make)
				return NULL;
			e->ip = *ip;
			return e;
		}
		if (dpvs_ip_equal(&e->ip, ip))
			return e;
		h = (h + 1) & mask;
	}
	return NULL;
}

static void
aix_remove(struct dpvs_lb_tables *lb, struct dpvs_addr_ix *e)
{
	struct dpvs_addr_ix *tbl = dpvs_lb_addr_hash(lb);
	uint32_t mask = lb->addr_hash_slots - 1, hole = (uint32_t)(e - tbl), pos;

	memset(&tbl[hole], 0, sizeof(tbl[0]));
	for (pos = (hole + 1) & mask; tbl[pos].ip.family != DPVS_AF_NONE;
	     pos = (pos + 1) & mask) {
		uint32_t home = dpvs_addr_hash(lb, &tbl[pos].ip);

		if (may_fill_hole(home, hole, pos, mask)) {
			tbl[hole] = tbl[pos];
			memset(&tbl[pos], 0, sizeof(tbl[0]));
			hole = pos;
		}
	}
}

static void
aix_settle(struct dpvs_lb_tables *lb, struct dpvs_addr_ix *e)
{
	unsigned int b;

	e->lb = 0;
	for (b = 0; b < DPVS_AIX_N; b++)
		if (e->n[b] != 0)
			e->lb |= (uint8_t)(1u << b);
	if (e->lb == 0 && e->ports == 0)
		aix_remove(lb, e);
}

int
ctl_aix_bit(uint8_t proto, int vip)
{
	if (proto == IPPROTO_TCP)
		return vip ? DPVS_AIX_VIP_TCP : DPVS_AIX_LADDR_TCP;
	return vip ? DPVS_AIX_VIP_UDP : DPVS_AIX_LADDR_UDP;
}

void
ctl_aix_ref(struct dpvs_lb_tables *lb, const struct dpvs_ip *ip, int bit, int delta)
{
	struct dpvs_addr_ix *e;

	if (ip->family == DPVS_AF_NONE || bit < 0 || bit >= DPVS_AIX_N)
		return;
	e = aix_get(lb, ip, delta > 0);
	if (e == NULL)
		return;
	if (delta > 0)
		e->n[bit]++;
	else if (e->n[bit] > 0)
		e->n[bit]--;
	aix_settle(lb, e);
}

void
ctl_aix_port(struct dpvs_lb_tables *lb, const struct dpvs_ip *ip, uint16_t port, int on)
{
	struct dpvs_addr_ix *e;

	if (ip->family == DPVS_AF_NONE || port >= DPVS_MAX_IFACES)
		return;
	e = aix_get(lb, ip, on);
	if (e == NULL)
		return;
	if (on)
		e->ports |= (uint16_t)(1u << port);
	else
		e->ports &= (uint16_t)~(1u << port);
	aix_settle(lb, e);
}

const struct dpvs_addr_ix *
ctl_aix_find(const struct dpvs_lb_tables *lb, const struct dpvs_ip *ip)
{
	return dpvs_addr_lookup(lb, ip);
}

/* --- IPv6 route index --- */
/* The lengths in use, longest first, from the per-length counts. */
static void
route6_lens_rebuild(struct dpvs_lb_tables *lb)
{
	const uint32_t *cnt = dpvs_lb_route6_len_n(lb);
	uint8_t *lens = dpvs_lb_route6_lens(lb);
	uint32_t n = 0;
	int len;

	memset(lens, 0, DPVS_ROUTE6_LENS);
	for (len = 128; len >= 0; len--)
		if (cnt[len] != 0)
			lens[n++] = (uint8_t)len;
	lb->nroute6_lens = n;
}

void
ctl_route6_insert(struct dpvs_lb_tables *lb, uint32_t slot)
{
	const struct dpvs_route *r = &dpvs_lb_routes(lb)[slot];
	uint32_t *tbl = dpvs_lb_route6_hash(lb), *cnt = dpvs_lb_route6_len_n(lb);
	uint32_t mask = lb->route6_hash_slots - 1, h;

	if (r->prefix.family != DPVS_AF_INET6 || r->prefixlen > 128)
		return;
	h = dpvs_route6_hash(lb, r->prefix.bytes, r->prefixlen);
	/* never full: twice as many slots as routes of both families */
	while (tbl[h] != 0)
		h = (h + 1) & mask;
	tbl[h] = slot + 1;
	if (cnt[r->prefixlen]++ == 0)
		route6_lens_rebuild(lb);
}

void
ctl_route6_remove(struct dpvs_lb_tables *lb, uint32_t slot)
{
	const struct dpvs_route *routes = dpvs_lb_routes(lb), *r = &routes[slot];
	uint32_t *tbl = dpvs_lb_route6_hash(lb), *cnt = dpvs_lb_route6_len_n(lb);
	uint32_t mask = lb->route6_hash_slots - 1, h, hole, pos, n;

	if (r->prefix.family != DPVS_AF_INET6 || r->prefixlen > 128)
		return;
	h = dpvs_route6_hash(lb, r->prefix.bytes, r->prefixlen);
	for (n = 0; n <= mask && tbl[h] != 0 && tbl[h] != slot + 1; n++)
		h = (h + 1) & mask;
	if (tbl[h] != slot + 1)
		return;
	hole = h;
	tbl[hole] = 0;
	for (pos = (hole + 1) & mask; tbl[pos] != 0; pos = (pos + 1) & mask) {
		const struct dpvs_route *o = &routes[tbl[pos] - 1];
		uint32_t home = dpvs_route6_hash(lb, o->prefix.bytes, o->prefixlen);

		if (may_fill_hole(home, hole, pos, mask)) {
			tbl[hole] = tbl[pos];
			tbl[pos] = 0;
			hole = pos;
		}
	}
	if (cnt[r->prefixlen] > 0 && --cnt[r->prefixlen] == 0)
		route6_lens_rebuild(lb);
}

/* --- scheduler tables --- */
int
ctl_sched_wants_table(uint8_t sched)
{
	return sched == DPVS_SCHED_MH || sched == DPVS_SCHED_CONHASH;
}

int
ctl_sched_table_get(struct dpvs_lb_tables *lb, uint16_t slot)
{
	struct dpvs_service *s = dpvs_lb_svc(lb, slot);
	uint16_t *used = dpvs_lb_sched_used(lb);
	uint32_t t;

	if (s->sched_tbl != DPVS_SLOT_NONE)
		return 0;
	for (t = 0; t < lb->caps.sched_tables && used[t] != 0; t++)
		;
	if (t == lb->caps.sched_tables)
		return -1;
	used[t] = (uint16_t)(slot + 1);
	s->sched_tbl = (uint16_t)t;
	return 0;
}

void
ctl_sched_table_put(struct dpvs_lb_tables *lb, uint16_t slot)
{
	struct dpvs_service *s = dpvs_lb_svc(lb, slot);

	if (s->sched_tbl >= lb->caps.sched_tables)
		return;
	dpvs_lb_sched_used(lb)[s->sched_tbl] = 0;
	memset(dpvs_lb_sched_table(lb, s->sched_tbl), 0xff,
	       DPVS_SCHED_TABLE_SIZE * sizeof(uint16_t));
	s->sched_tbl = DPVS_SLOT_NONE;
}

void
ctl_sched_flush(struct dpvs_lb_tables *lb)
{
	uint16_t *dirty = dpvs_lb_dirty(lb);
	uint32_t i;

	for (i = 0; i < lb->ndirty; i++) {
		struct dpvs_service *s = dpvs_lb_svc(lb, dirty[i]);

		dirty[i] = 0;
		if ((s->flags & DPVS_SVC_F_DIRTY) == 0)
			continue;
		s->flags &= ~DPVS_SVC_F_DIRTY;
		if (s->id != 0 && s->sched_tbl < lb->caps.sched_tables)
			ctl_sched_build(lb, (uint16_t)(s - dpvs_lb_svcs(lb)));
	}
	lb->ndirty = 0;
}

void
ctl_sched_mark(struct dpvs_lb_tables *lb, uint16_t slot)
{
	struct dpvs_service *s = dpvs_lb_svc(lb, slot);

	if (s->sched_tbl == DPVS_SLOT_NONE || (s->flags & DPVS_SVC_F_DIRTY) != 0)
		return;
	if (lb->ndirty >= lb->caps.services)
		ctl_sched_flush(lb);
	s->flags |= DPVS_SVC_F_DIRTY;
	dpvs_lb_dirty(lb)[lb->ndirty++] = slot;
}

/* --- from scratch (the checker) --- */
void
ctl_lb_derive(struct dpvs_config_set *set)
{
	struct dpvs_lb_tables *lb = &set->lb;
	const struct dpvs_addr_entry *addrs = dpvs_cfg_addrs(set);
	const struct dpvs_laddr_drain *dr = dpvs_lb_drain(lb);
	uint32_t i, j;

	ctl_lb_prepare(lb);
	memset(dpvs_lb_svc_hash(lb), 0, (size_t)lb->svc_hash_slots * sizeof(uint16_t));
	memset(dpvs_lb_addr_hash(lb), 0,
	       (size_t)lb->addr_hash_slots * sizeof(struct dpvs_addr_ix));
	ctl_sneigh_hash_rebuild(lb);
	memset(dpvs_lb_route6_hash(lb), 0, (size_t)lb->route6_hash_slots * sizeof(uint32_t));
	memset(dpvs_lb_route6_len_n(lb), 0, DPVS_ROUTE6_LENS * sizeof(uint32_t));
	route6_lens_rebuild(lb);
	for (i = 0; i < lb->caps.routes; i++)
		ctl_route6_insert(lb, i);
	for (i = 0; i < set->naddrs && i < lb->caps.addrs; i++)
		ctl_aix_port(lb, &addrs[i].addr, addrs[i].port, 1);
	lb->nnat = 0;
	lb->ndown = 0;
	for (i = 0; i < lb->caps.services; i++) {
		const struct dpvs_service *s = dpvs_lb_svc(lb, i);
		const struct dpvs_svc_laddr *la = dpvs_lb_svc_laddrs(lb, i);
		const uint32_t *dl = dpvs_lb_svc_dests(lb, i);

		if (s->id == 0)
			continue;
		if ((s->flags & DPVS_SVC_F_MATCH) == 0) {
			ctl_svc_hash_insert(lb, (uint16_t)i);
			ctl_aix_ref(lb, &s->vip, ctl_aix_bit(s->proto, 1), 1);
		}
		for (j = 0; j < s->nladdrs && j < lb->caps.svc_laddrs; j++)
			ctl_aix_ref(lb, &la[j].ip, ctl_aix_bit(s->proto, 0), 1);
		for (j = 0; j < s->ndests && j < lb->caps.svc_dests; j++)
			if (dl[j] < lb->caps.dests)
				ctl_dest_ref(lb, s, &dpvs_lb_dests(lb)[dl[j]], 1);
		if (s->sched_tbl < lb->caps.sched_tables)
			ctl_sched_build(lb, (uint16_t)i);
	}
	ctl_match_reindex(lb);
	for (i = 0; i < lb->ndrain && i < lb->drain_cap; i++)
		ctl_aix_ref(lb, &dr[i].ip, ctl_aix_bit(dr[i].proto, 0), 1);
	ctl_acl_derive(lb);
}
