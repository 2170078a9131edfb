/*
 * Access lists of services (see lb.h; shm/lb.h says what the workers read):
 * `blklst add|del` and `whtlst add|del` on a config set in plain memory, and
 * their derived tables, kept up to date entry by entry:
 *
 *   lb.acl          the entries (lowest free slot; seq = add order)
 *   lb.acl_hash     (service slot, list, family, length, prefix) -> slot + 1,
 *                   insert / delete with backward shift (no tombstones)
 *   lb.acl_svc[s]   per service: entries of each list and the prefix lengths
 *                   in use; a length's bit goes when its last entry goes
 *                   (found by a scan of the entries: the delete path only)
 *
 * Deterministic functions of the set and their arguments (the second copy
 * replays them). ctl_acl_derive() rebuilds the derived tables from the
 * entries (the checker). Touches only the set passed in.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/daemon/addr.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "shm/lb_hash.h"

static const char *const kind_names[DPVS_ACL_KINDS] = {
	[DPVS_ACL_BLACK] = "blklst",
	[DPVS_ACL_WHITE] = "whtlst",
};

const char *
ctl_acl_kind_name(unsigned int kind)
{
	return kind < DPVS_ACL_KINDS ? kind_names[kind] : "?";
}

int
ctl_acl_kind_from_name(const char *name)
{
	int k;

	for (k = 0; k < DPVS_ACL_KINDS; k++)
		if (strcmp(kind_names[k], name) == 0)
			return k;
	return -1;
}

/* The list's words in messages. */
static const char *
kind_words(unsigned int kind)
{
	return kind == DPVS_ACL_WHITE ? "white list" : "black list";
}

/* --- derived tables --- */
static void
lens_bit(struct dpvs_acl_svc *a, const struct dpvs_acl_entry *e, int on)
{
	uint64_t *w, bit;

	if (e->prefix.family == DPVS_AF_INET) {
		w = &a->lens4[e->kind & 1];
		bit = 1ull << e->prefixlen;
	} else {
		w = &a->lens6[e->kind & 1][e->prefixlen / 64];
		bit = 1ull << (e->prefixlen % 64);
	}
	if (on)
		*w |= bit;
	else
		*w &= ~bit;
}

/* Entry slot i into the hash and its service's row. */
static void
acl_index(struct dpvs_lb_tables *lb, uint32_t i)
{
	const struct dpvs_acl_entry *e = &dpvs_lb_acl(lb)[i];
	struct dpvs_acl_svc *a = dpvs_lb_acl_svc(lb, e->svc);
	uint32_t *tbl = dpvs_lb_acl_hash(lb);
	uint32_t mask = lb->acl_hash_slots - 1;
	uint32_t h = dpvs_acl_hash(lb, e->svc, e->kind, &e->prefix, e->prefixlen);

	/* never full: twice as many slots as entries */
	while (tbl[h] != 0)
		h = (h + 1) & mask;
	tbl[h] = i + 1;
	a->n[e->kind & 1]++;
	lens_bit(a, e, 1);
}

/* Is home slot `home` outside the cyclic range (hole, pos]? */
static int
may_fill_hole(uint32_t home, uint32_t hole, uint32_t pos, uint32_t mask)
{
	return ((pos - home) & mask) >= ((pos - hole) & mask);
}

/* Entry slot i out of the hash and its service's row (the entry itself
 * is still there). */
static void
acl_unindex(struct dpvs_lb_tables *lb, uint32_t i)
{
	const struct dpvs_acl_entry *acl = dpvs_lb_acl(lb), *e = &acl[i];
	struct dpvs_acl_svc *a = dpvs_lb_acl_svc(lb, e->svc);
	uint32_t *tbl = dpvs_lb_acl_hash(lb);
	uint32_t mask = lb->acl_hash_slots - 1, h, hole, pos, n, j;

	h = dpvs_acl_hash(lb, e->svc, e->kind, &e->prefix, e->prefixlen);
	for (n = 0; n <= mask && tbl[h] != 0 && tbl[h] != i + 1; n++)
		h = (h + 1) & mask;
	if (tbl[h] == i + 1) {
		hole = h;
		tbl[hole] = 0;
		for (pos = (hole + 1) & mask; tbl[pos] != 0; pos = (pos + 1) & mask) {
			const struct dpvs_acl_entry *o = &acl[tbl[pos] - 1];
			uint32_t home = dpvs_acl_hash(lb, o->svc, o->kind, &o->prefix, o->prefixlen);

			if (may_fill_hole(home, hole, pos, mask)) {
				tbl[hole] = tbl[pos];
				tbl[pos] = 0;
				hole = pos;
			}
		}
	}
	if (a->n[e->kind & 1] > 0)
		a->n[e->kind & 1]--;
	/* the length's bit stays while another entry of the list has it */
	for (j = 0; j < lb->caps.acl_entries; j++)
		if (j != i && acl[j].prefix.family == e->prefix.family && acl[j].svc == e->svc &&
		    acl[j].kind == e->kind && acl[j].prefixlen == e->prefixlen)
			return;
	lens_bit(a, e, 0);
}

void
ctl_acl_derive(struct dpvs_lb_tables *lb)
{
	uint32_t i;

	memset(dpvs_lb_acl_hash(lb), 0, (size_t)lb->acl_hash_slots * sizeof(uint32_t));
	memset(dpvs_lb_acl_svc(lb, 0), 0, (size_t)lb->caps.services * sizeof(struct dpvs_acl_svc));
	lb->nacl = 0;
	for (i = 0; i < lb->caps.acl_entries; i++) {
		if (dpvs_lb_acl(lb)[i].prefix.family == DPVS_AF_NONE)
			continue;
		acl_index(lb, i);
		lb->nacl++;
	}
}

/* --- front doors --- */
/* The prefix of an entry as given: a family, a length it takes, no host
 * bits (a typo must not widen a list silently). */
static int
acl_check(const struct ctl_acl_args *a, char *err, size_t errlen)
{
	static const uint8_t zero[16];
	char s[INET6_ADDRSTRLEN];
	unsigned int max = a->prefix.family == DPVS_AF_INET6 ? 128 : 32;
	struct dpvs_ip net;

	if (a->kind >= DPVS_ACL_KINDS)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "unknown access list %u", a->kind);
	if ((a->prefix.family != DPVS_AF_INET && a->prefix.family != DPVS_AF_INET6) ||
	    (a->prefix.family == DPVS_AF_INET && memcmp(a->prefix.bytes + 4, zero, 12) != 0))
		return dpvs_errf(err, errlen, -CTL_EINVAL, "bad source prefix");
	ctl_ip_str(&a->prefix, s, sizeof(s));
	if (a->prefixlen > max)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "%s/%u: bad prefix length (0..%u)", s,
				a->prefixlen, max);
	dpvs_ip_prefix(&net, &a->prefix, a->prefixlen);
	if (!dpvs_ip_equal(&net, &a->prefix)) {
		char n[INET6_ADDRSTRLEN];

		return dpvs_errf(err, errlen, -CTL_EINVAL, "%s/%u: host bits set (the network is "
				"%s/%u)", s, a->prefixlen, ctl_ip_str(&net, n, sizeof(n)),
				a->prefixlen);
	}
	return 0;
}

/* The checked arguments' service slot, or a negative error (in err). */
static int
acl_svc(struct dpvs_lb_tables *lb, const struct ctl_acl_args *a, char *err, size_t errlen)
{
	int rc = acl_check(a, err, errlen);

	return rc != 0 ? rc : ctl_svc_get(lb, &a->svc, err, errlen);
}

int
ctl_acl_add(struct dpvs_config_set *set, const struct ctl_acl_args *a, char *err,
	    size_t errlen)
{
	struct dpvs_lb_tables *lb = &set->lb;
	struct dpvs_acl_entry *e;
	char s[INET6_ADDRSTRLEN], ks[CTL_KEY_STR];
	uint32_t i;
	int si = acl_svc(lb, a, err, errlen);

	if (si < 0)
		return si;
	ctl_ip_str(&a->prefix, s, sizeof(s));
	ctl_svc_key_str(&a->svc, ks, sizeof(ks));
	if (dpvs_acl_find(lb, (uint32_t)si, a->kind, &a->prefix, a->prefixlen) != DPVS_ACL_NONE)
		return dpvs_errf(err, errlen, -CTL_EEXIST, "%s/%u is already in the %s of %s", s,
				a->prefixlen, kind_words(a->kind), ks);
	/* every slot below acl_free is taken: the lowest free slot */
	for (i = lb->acl_free; i < lb->caps.acl_entries &&
			       dpvs_lb_acl(lb)[i].prefix.family != DPVS_AF_NONE; i++)
		;
	if (i >= lb->caps.acl_entries)
		return dpvs_errf(err, errlen, -CTL_EFULL, "access lists are full (%u entries: "
				"[tables] acl_entries in dpvs.conf)", lb->caps.acl_entries);
	ctl_lb_prepare(lb);
	e = &dpvs_lb_acl(lb)[i];
	memset(e, 0, sizeof(*e));
	e->prefix = a->prefix;
	e->svc = (uint16_t)si;
	e->kind = a->kind;
	e->prefixlen = a->prefixlen;
	e->seq = lb->acl_seq++;
	lb->acl_free = i + 1;
	lb->nacl++;
	acl_index(lb, i);
	return 0;
}

/* Take entry slot i out of the set. */
static void
acl_drop(struct dpvs_lb_tables *lb, uint32_t i)
{
	acl_unindex(lb, i);
	memset(&dpvs_lb_acl(lb)[i], 0, sizeof(struct dpvs_acl_entry));
	if (i < lb->acl_free)
		lb->acl_free = i;
	if (lb->nacl > 0)
		lb->nacl--;
}

int
ctl_acl_del(struct dpvs_config_set *set, const struct ctl_acl_args *a, char *err,
	    size_t errlen)
{
	struct dpvs_lb_tables *lb = &set->lb;
	char s[INET6_ADDRSTRLEN], ks[CTL_KEY_STR];
	uint32_t i;
	int si = acl_svc(lb, a, err, errlen);

	if (si < 0)
		return si;
	i = dpvs_acl_find(lb, (uint32_t)si, a->kind, &a->prefix, a->prefixlen);
	if (i == DPVS_ACL_NONE)
		return dpvs_errf(err, errlen, -CTL_ENOENT, "%s/%u is not in the %s of %s",
				ctl_ip_str(&a->prefix, s, sizeof(s)), a->prefixlen,
				kind_words(a->kind), ctl_svc_key_str(&a->svc, ks, sizeof(ks)));
	acl_drop(lb, i);
	return 0;
}

void
ctl_acl_svc_gone(struct dpvs_lb_tables *lb, uint32_t svc)
{
	const struct dpvs_acl_svc *a = dpvs_lb_acl_svc(lb, svc);
	uint32_t i;

	if (a->n[DPVS_ACL_BLACK] == 0 && a->n[DPVS_ACL_WHITE] == 0)
		return;
	for (i = 0; i < lb->caps.acl_entries; i++)
		if (dpvs_lb_acl(lb)[i].prefix.family != DPVS_AF_NONE && dpvs_lb_acl(lb)[i].svc == svc)
			acl_drop(lb, i);
}

/* Entry slots by seq (add order). */
static int
seq_cmp(const void *x, const void *y, void *arg)
{
	const struct dpvs_acl_entry *acl = arg;
	uint32_t a = acl[*(const uint32_t *)x].seq, b = acl[*(const uint32_t *)y].seq;

	return a < b ? -1 : a > b;
}

size_t
ctl_acl_slots_sorted(const struct dpvs_lb_tables *lb, uint32_t *out)
{
	const struct dpvs_acl_entry *acl = dpvs_lb_acl(lb);
	size_t n = 0;
	uint32_t i;

	for (i = 0; i < lb->caps.acl_entries; i++)
		if (acl[i].prefix.family != DPVS_AF_NONE)
			out[n++] = i;
	qsort_r(out, n, sizeof(out[0]), seq_cmp, (void *)(uintptr_t)acl);
	return n;
}
