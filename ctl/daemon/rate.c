/*
 * Rate limits of services and dests in the config set (see lb.h; shm/lb.h
 * says what the workers do with them): the parameters given with -A / -E
 * (a service) and -a / -e (a dest), merged with what the object has, checked,
 * and stored in an entry of lb.rates named by lb.svc_rate / lb.dest_rate.
 * An entry gets a new gen whenever its parameters change (the workers then
 * start its meters afresh); an object whose limits are all 0 gives its entry
 * back. Deterministic functions of the set and their arguments (the second
 * copy replays them). Touches only the set passed in.
 */
#include <stdio.h>
#include <string.h>

#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"

static const char *const meter_names[DPVS_RATE_N] = {
	[DPVS_RATE_IN_PPS] = "in_pps",
	[DPVS_RATE_IN_BYTES] = "in_bytes",
	[DPVS_RATE_OUT_PPS] = "out_pps",
	[DPVS_RATE_OUT_BYTES] = "out_bytes",
};

static const char *const meter_opts[DPVS_RATE_N] = {
	[DPVS_RATE_IN_PPS] = "--rate-in",
	[DPVS_RATE_IN_BYTES] = "--rate-in-bytes",
	[DPVS_RATE_OUT_PPS] = "--rate-out",
	[DPVS_RATE_OUT_BYTES] = "--rate-out-bytes",
};

const char *
ctl_rate_meter_name(unsigned int k)
{
	return k < DPVS_RATE_N ? meter_names[k] : "?";
}

int
ctl_rate_meter_from_name(const char *name)
{
	int k;

	for (k = 0; k < DPVS_RATE_N; k++)
		if (strcmp(meter_names[k], name) == 0)
			return k;
	return -1;
}

const char *
ctl_rate_meter_opt(unsigned int k)
{
	return k < DPVS_RATE_N ? meter_opts[k] : "?";
}

static int
meter_is_bytes(unsigned int k)
{
	return k == DPVS_RATE_IN_BYTES || k == DPVS_RATE_OUT_BYTES;
}

uint64_t
ctl_rate_default_burst(unsigned int k, uint64_t rate)
{
	uint64_t b = rate / 10;                 /* a tenth of a second's worth */
	uint64_t floor = meter_is_bytes(k) ? CTL_RATE_MIN_BYTES_BURST : 1;

	return b > floor ? b : floor;
}

const struct dpvs_rate_param *
ctl_rate_params(const struct dpvs_lb_tables *lb, uint32_t ix)
{
	const struct dpvs_rate *r;

	if (ix == 0 || ix > lb->caps.rate_limits)
		return NULL;
	r = &dpvs_lb_rates(lb)[ix - 1];
	return r->gen != 0 ? r->m : NULL;
}

int
ctl_rate_merge(const struct dpvs_lb_tables *lb, uint32_t ix, const struct ctl_rate_args *a,
	       struct dpvs_rate_param out[DPVS_RATE_N], char *err, size_t errlen)
{
	const struct dpvs_rate_param *cur = ctl_rate_params(lb, ix);
	unsigned int k, any = 0;
	uint32_t i;

	if (cur != NULL)
		memcpy(out, cur, DPVS_RATE_N * sizeof(*out));
	else
		memset(out, 0, DPVS_RATE_N * sizeof(*out));
	for (k = 0; k < DPVS_RATE_N; k++) {
		if (a == NULL || !a->has[k])
			continue;
		if (a->m[k].rate > CTL_RATE_MAX || a->m[k].burst > CTL_RATE_MAX)
			return dpvs_errf(err, errlen, -CTL_EINVAL, "%s: at most %llu per second and "
					"a burst of at most %llu", meter_opts[k],
					(unsigned long long)CTL_RATE_MAX,
					(unsigned long long)CTL_RATE_MAX);
		out[k] = a->m[k];
		if (out[k].rate == 0)
			out[k].burst = 0;     /* no limit */
		else if (out[k].burst == 0)
			out[k].burst = ctl_rate_default_burst(k, out[k].rate);
	}
	for (k = 0; k < DPVS_RATE_N; k++)
		any |= out[k].rate != 0;
	if (!any || ctl_rate_params(lb, ix) != NULL)
		return 0;
	for (i = 0; i < lb->caps.rate_limits && dpvs_lb_rates(lb)[i].gen != 0; i++)
		;
	if (i >= lb->caps.rate_limits)
		return dpvs_errf(err, errlen, -CTL_EFULL, "rate limits are full (%u: [tables] "
				"rate_limits in dpvs.conf)", lb->caps.rate_limits);
	return 0;
}

void
ctl_rate_free(struct dpvs_lb_tables *lb, uint32_t *ix)
{
	if (*ix != 0 && *ix <= lb->caps.rate_limits) {
		memset(&dpvs_lb_rates(lb)[*ix - 1], 0, sizeof(struct dpvs_rate));
		if (lb->nrates > 0)
			lb->nrates--;
	}
	*ix = 0;
}

void
ctl_rate_store(struct dpvs_lb_tables *lb, uint32_t *ix, uint8_t owner_kind, uint32_t owner,
	       uint32_t owner_id, const struct dpvs_rate_param p[DPVS_RATE_N])
{
	const struct dpvs_rate_param *cur = ctl_rate_params(lb, *ix);
	struct dpvs_rate *r;
	unsigned int k, any = 0;
	uint32_t i;

	for (k = 0; k < DPVS_RATE_N; k++)
		any |= p[k].rate != 0;
	if (!any) {
		ctl_rate_free(lb, ix);
		return;
	}
	if (cur != NULL) {
		r = &dpvs_lb_rates(lb)[*ix - 1];
		if (memcmp(r->m, p, sizeof(r->m)) == 0 && r->owner_id == owner_id)
			return;
	} else {
		/* ctl_rate_merge made sure there is a free entry */
		for (i = 0; i < lb->caps.rate_limits && dpvs_lb_rates(lb)[i].gen != 0; i++)
			;
		if (i >= lb->caps.rate_limits)
			return;
		*ix = i + 1;
		lb->nrates++;
		r = &dpvs_lb_rates(lb)[i];
	}
	ctl_lb_prepare(lb);
	memset(r, 0, sizeof(*r));
	r->gen = lb->rate_next_gen++;
	r->owner_kind = owner_kind;
	r->owner = owner;
	r->owner_id = owner_id;
	memcpy(r->m, p, sizeof(r->m));
}

void
ctl_rate_args_of(const struct dpvs_lb_tables *lb, uint32_t ix, struct ctl_rate_args *a)
{
	const struct dpvs_rate_param *p = ctl_rate_params(lb, ix);
	unsigned int k;

	memset(a, 0, sizeof(*a));
	for (k = 0; k < DPVS_RATE_N; k++) {
		a->has[k] = true;
		if (p != NULL)
			a->m[k] = p[k];
	}
}

int
ctl_rate_same(const struct dpvs_lb_tables *x, uint32_t xi, const struct dpvs_lb_tables *y,
	      uint32_t yi)
{
	const struct dpvs_rate_param *p = ctl_rate_params(x, xi), *q = ctl_rate_params(y, yi);
	static const struct dpvs_rate_param none[DPVS_RATE_N];

	return memcmp(p != NULL ? p : none, q != NULL ? q : none, sizeof(none)) == 0;
}

void
ctl_rate_save(FILE *out, const struct dpvs_lb_tables *lb, uint32_t ix)
{
	const struct dpvs_rate_param *p = ctl_rate_params(lb, ix);
	unsigned int k;

	for (k = 0; p != NULL && k < DPVS_RATE_N; k++) {
		if (p[k].rate == 0)
			continue;
		fprintf(out, " %s %llu%s:%llu", meter_opts[k], (unsigned long long)p[k].rate,
			meter_is_bytes(k) ? "" : "pps", (unsigned long long)p[k].burst);
	}
}
