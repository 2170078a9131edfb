/*
 * Health checks in the config set (see lb.h): check set / check del, and the
 * health the check engine publishes for a dest (ctl/daemon/health.c). A
 * check lives in a slot of lb.checks (the lowest free one) with an id from
 * lb.check_next_id; it names its service by slot and, for a per-dest check,
 * the dest by address and port. A dest taken down keeps its configured
 * weight in conf_weight and has weight 0 (DPVS_DEST_F_DOWN); the workers see
 * only weight. Deterministic functions of the set and their arguments (the
 * second copy replays them). Touches only the set passed in.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "shm/lb_hash.h"

static const char *const type_names[DPVS_CHECK_MAX] = {
	[DPVS_CHECK_NONE] = "?", [DPVS_CHECK_TCP] = "tcp", [DPVS_CHECK_HTTP] = "http",
	[DPVS_CHECK_HTTPS] = "https", [DPVS_CHECK_UDP] = "udp", [DPVS_CHECK_CMD] = "cmd",
};

const char *
ctl_check_type_name(unsigned int type)
{
	return type < DPVS_CHECK_MAX ? type_names[type] : "?";
}

int
ctl_check_type_from_name(const char *name)
{
	int t;

	for (t = DPVS_CHECK_TCP; t < DPVS_CHECK_MAX; t++)
		if (strcmp(name, type_names[t]) == 0)
			return t;
	return -1;
}

/* Does check c name dest d (per-dest check) or d's service (service's)? */
static int
check_matches(const struct dpvs_check *c, const struct dpvs_dest *d)
{
	if (c->id == 0 || c->svc != d->svc)
		return 0;
	if ((c->flags & DPVS_CHECK_F_DEST) == 0)
		return 1;
	return c->dport == d->port && dpvs_ip_equal(&c->dest, &d->addr);
}

int
ctl_check_of_dest(const struct dpvs_lb_tables *lb, uint32_t d)
{
	const struct dpvs_dest *dest = &dpvs_lb_dests(lb)[d];
	const struct dpvs_check *c = dpvs_lb_checks(lb);
	int svc_wide = -1;
	uint32_t i;

	if (dest->id == 0)
		return -1;
	for (i = 0; i < lb->caps.checks; i++) {
		if (!check_matches(&c[i], dest))
			continue;
		if ((c[i].flags & DPVS_CHECK_F_DEST) != 0)
			return (int)i;
		svc_wide = (int)i;
	}
	return svc_wide;
}

/* The slot of the check of service si (and dest when has_dest), or -1. */
static int
check_find(const struct dpvs_lb_tables *lb, uint32_t si, const struct ctl_check_args *a)
{
	const struct dpvs_check *c = dpvs_lb_checks(lb);
	uint32_t i;

	for (i = 0; i < lb->caps.checks; i++) {
		if (c[i].id == 0 || c[i].svc != si ||
		    ((c[i].flags & DPVS_CHECK_F_DEST) != 0) != a->has_dest)
			continue;
		if (!a->has_dest ||
		    (c[i].dport == htons(a->dport) && dpvs_ip_equal(&c[i].dest, &a->dest)))
			return (int)i;
	}
	return -1;
}

/* The dest slot of addr:port (host order) in service si, or -1. */
static int
dest_slot(const struct dpvs_lb_tables *lb, uint32_t si, const struct dpvs_ip *addr,
	  uint16_t port)
{
	const uint32_t *dl = dpvs_lb_svc_dests(lb, si);
	uint32_t j;

	for (j = 0; j < dpvs_lb_svc(lb, si)->ndests && j < lb->caps.svc_dests; j++) {
		const struct dpvs_dest *d = &dpvs_lb_dests(lb)[dl[j]];

		if (dl[j] < lb->caps.dests && d->id != 0 && d->port == htons(port) &&
		    dpvs_ip_equal(&d->addr, addr))
			return (int)dl[j];
	}
	return -1;
}

/* The parameters of a check, as given (the CLI checked the syntax). */
static int
check_params(const struct ctl_check_args *a, char *err, size_t errlen)
{
	size_t dlen = strnlen(a->data, sizeof(a->data));

	if (a->type <= DPVS_CHECK_NONE || a->type >= DPVS_CHECK_MAX)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "unknown check type %u", a->type);
	if (a->interval_ms < CTL_CHECK_MIN_MS || a->interval_ms > CTL_CHECK_MAX_MS ||
	    a->timeout_ms < CTL_CHECK_MIN_MS || a->timeout_ms > CTL_CHECK_MAX_MS)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "check interval and timeout must be "
				"between 0.1 and 3600 seconds");
	if (a->rise < 1 || a->rise > CTL_CHECK_MAX_COUNT || a->fall < 1 ||
	    a->fall > CTL_CHECK_MAX_COUNT)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "check rise and fall must be between "
				"1 and %d", CTL_CHECK_MAX_COUNT);
	switch (a->type) {
	case DPVS_CHECK_HTTP:
	case DPVS_CHECK_HTTPS:
		if (dlen == 0 || dlen == sizeof(a->data) || a->data[0] != '/' ||
		    strpbrk(a->data, " \t\r\n") != NULL)
			return dpvs_errf(err, errlen, -CTL_EINVAL, "check path must start with / "
					"and hold no space (at most %zu characters)",
					sizeof(a->data) - 1);
		if (a->expect_status < 100 || a->expect_status > 599)
			return dpvs_errf(err, errlen, -CTL_EINVAL, "check --expect %u: an HTTP "
					"status 100..599", a->expect_status);
		break;
	case DPVS_CHECK_UDP:
		if (a->send_len == 0 || (size_t)a->send_len + a->expect_len > sizeof(a->data))
			return dpvs_errf(err, errlen, -CTL_EINVAL, "udp check: --send needs 1 to %zu "
					"bytes with --expect-data", sizeof(a->data));
		break;
	case DPVS_CHECK_CMD:
		if (dlen == 0 || dlen == sizeof(a->data) || strpbrk(a->data, "\r\n") != NULL)
			return dpvs_errf(err, errlen, -CTL_EINVAL, "check command must be 1 to %zu "
					"characters on one line", sizeof(a->data) - 1);
		break;
	default:
		break;
	}
	return 0;
}

void
ctl_dest_down_count(struct dpvs_lb_tables *lb, int delta)
{
	if (delta > 0)
		lb->ndown++;
	else if (lb->ndown > 0)
		lb->ndown--;
}

/* Dest d down (weight 0) or up (its configured weight), lb->ndown kept. */
static void
dest_down_set(struct dpvs_lb_tables *lb, struct dpvs_dest *d, int down)
{
	if (((d->flags & DPVS_DEST_F_DOWN) != 0) != (down != 0))
		ctl_dest_down_count(lb, down ? 1 : -1);
	if (down) {
		d->flags |= DPVS_DEST_F_DOWN;
		d->weight = 0;
	} else {
		d->flags &= (uint8_t)~DPVS_DEST_F_DOWN;
		d->weight = d->conf_weight;
	}
}

/* Give dest d its configured weight back if it is down and no check covers
 * it any more. */
static void
dest_uncovered(struct dpvs_lb_tables *lb, uint32_t d)
{
	struct dpvs_dest *dest = &dpvs_lb_dests(lb)[d];

	if (dest->id == 0 || (dest->flags & DPVS_DEST_F_DOWN) == 0 || ctl_check_of_dest(lb, d) >= 0)
		return;
	dest_down_set(lb, dest, 0);
	ctl_sched_mark(lb, dest->svc);
}

int
ctl_check_set(struct dpvs_config_set *set, const struct ctl_check_args *a, char *err,
	      size_t errlen)
{
	struct dpvs_lb_tables *lb = &set->lb;
	struct dpvs_check *c = dpvs_lb_checks(lb), *x;
	char s[INET6_ADDRSTRLEN + 8], ks[96];
	uint32_t i;
	int si, ci;

	si = ctl_svc_get(lb, &a->svc, err, errlen);
	if (si < 0)
		return si;
	if (a->has_dest && dest_slot(lb, (uint32_t)si, &a->dest, a->dport) < 0)
		return dpvs_errf(err, errlen, -CTL_ENOENT, "no real server %s in %s",
				ctl_ipport_str(&a->dest, a->dport, s, sizeof(s)),
				ctl_svc_key_str(&a->svc, ks, sizeof(ks)));
	ci = check_params(a, err, errlen);
	if (ci != 0)
		return ci;
	ci = check_find(lb, (uint32_t)si, a);
	if (ci < 0) {
		for (i = 0; i < lb->caps.checks && c[i].id != 0; i++)
			;
		if (i == lb->caps.checks)
			return dpvs_errf(err, errlen, -CTL_EFULL, "health check table is full (%u: "
					"[tables] checks in dpvs.conf)", lb->caps.checks);
		ci = (int)i;
	}
	ctl_lb_prepare(lb);
	x = &c[ci];
	memset(x, 0, sizeof(*x));
	x->id = lb->check_next_id++;
	x->svc = (uint16_t)si;
	x->type = a->type;
	if (a->has_dest) {
		x->flags = DPVS_CHECK_F_DEST;
		x->dest = a->dest;
		x->dport = htons(a->dport);
	}
	x->port = a->port;
	x->interval_ms = a->interval_ms;
	x->timeout_ms = a->timeout_ms;
	x->rise = a->rise;
	x->fall = a->fall;
	x->expect_status = a->expect_status;
	x->send_len = a->send_len;
	x->expect_len = a->expect_len;
	memcpy(x->data, a->data, sizeof(x->data));
	return 0;
}

int
ctl_check_del(struct dpvs_config_set *set, const struct ctl_check_args *a, char *err,
	      size_t errlen)
{
	struct dpvs_lb_tables *lb = &set->lb;
	char s[INET6_ADDRSTRLEN + 8], ks[96];
	const uint32_t *dl;
	uint32_t j;
	int si, ci;

	si = ctl_svc_get(lb, &a->svc, err, errlen);
	if (si < 0)
		return si;
	ci = check_find(lb, (uint32_t)si, a);
	if (ci < 0) {
		ctl_svc_key_str(&a->svc, ks, sizeof(ks));
		if (a->has_dest)
			return dpvs_errf(err, errlen, -CTL_ENOENT, "no health check of %s in %s",
					ctl_ipport_str(&a->dest, a->dport, s, sizeof(s)), ks);
		return dpvs_errf(err, errlen, -CTL_ENOENT, "no health check of %s", ks);
	}
	memset(&dpvs_lb_checks(lb)[ci], 0, sizeof(struct dpvs_check));
	dl = dpvs_lb_svc_dests(lb, (uint32_t)si);
	for (j = 0; j < dpvs_lb_svc(lb, (uint32_t)si)->ndests && j < lb->caps.svc_dests; j++)
		if (dl[j] < lb->caps.dests)
			dest_uncovered(lb, dl[j]);
	return 0;
}

int
ctl_dest_health(struct dpvs_config_set *set, const struct ctl_health_args *a, char *err,
		size_t errlen)
{
	struct dpvs_lb_tables *lb = &set->lb;
	char s[INET6_ADDRSTRLEN + 8], ks[96];
	struct dpvs_dest *d;
	int si, di;

	si = ctl_svc_get(lb, &a->svc, err, errlen);
	if (si < 0)
		return si;
	di = dest_slot(lb, (uint32_t)si, &a->addr, a->port);
	if (di < 0 || ctl_check_of_dest(lb, (uint32_t)di) < 0)
		return dpvs_errf(err, errlen, -CTL_ENOENT, "no checked real server %s in %s",
				ctl_ipport_str(&a->addr, a->port, s, sizeof(s)),
				ctl_svc_key_str(&a->svc, ks, sizeof(ks)));
	d = &dpvs_lb_dests(lb)[di];
	dest_down_set(lb, d, a->down);
	ctl_sched_mark(lb, (uint16_t)si);
	return 0;
}

void
ctl_check_svc_gone(struct dpvs_lb_tables *lb, uint32_t svc)
{
	struct dpvs_check *c = dpvs_lb_checks(lb);
	uint32_t i;

	for (i = 0; i < lb->caps.checks; i++)
		if (c[i].id != 0 && c[i].svc == svc)
			memset(&c[i], 0, sizeof(c[i]));
}

void
ctl_check_dest_gone(struct dpvs_lb_tables *lb, uint32_t dest)
{
	const struct dpvs_dest *d = &dpvs_lb_dests(lb)[dest];
	struct dpvs_check *c = dpvs_lb_checks(lb);
	uint32_t i;

	for (i = 0; i < lb->caps.checks; i++)
		if ((c[i].flags & DPVS_CHECK_F_DEST) != 0 && check_matches(&c[i], d))
			memset(&c[i], 0, sizeof(c[i]));
}

/* The check covering each dest slot (slot + 1; 0 = none), by one pass over
 * the checks: a dest's own check wins over its service's. */
uint32_t *
ctl_check_cover(const struct dpvs_lb_tables *lb)
{
	uint32_t *svc = calloc(lb->caps.services, sizeof(*svc));
	uint32_t *dst = calloc(lb->caps.dests, sizeof(*dst));
	const struct dpvs_check *c = dpvs_lb_checks(lb);
	const struct dpvs_dest *dests = dpvs_lb_dests(lb);
	uint32_t i, j;

	if (svc == NULL || dst == NULL) {
		free(svc);
		free(dst);
		return NULL;
	}
	for (i = 0; i < lb->caps.checks; i++) {
		const uint32_t *dl;

		if (c[i].id == 0 || c[i].svc >= lb->caps.services)
			continue;
		if ((c[i].flags & DPVS_CHECK_F_DEST) == 0) {
			svc[c[i].svc] = i + 1;
			continue;
		}
		dl = dpvs_lb_svc_dests(lb, c[i].svc);
		for (j = 0; j < dpvs_lb_svc(lb, c[i].svc)->ndests && j < lb->caps.svc_dests; j++)
			if (dl[j] < lb->caps.dests && dests[dl[j]].port == c[i].dport &&
			    dpvs_ip_equal(&dests[dl[j]].addr, &c[i].dest))
				dst[dl[j]] = i + 1;
	}
	for (i = 0; i < lb->caps.dests; i++)
		if (dst[i] == 0 && dests[i].id != 0 && dests[i].svc < lb->caps.services)
			dst[i] = svc[dests[i].svc];
	free(svc);
	return dst;
}
