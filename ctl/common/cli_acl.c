/*
 * The access-list words of dpvsctl (see cli_lb.h), as DPVS's dpip/ipvsadm
 * spell them: blklst add|del|show and whtlst add|del|show,
 *
 *   blklst add -t 10.0.0.100:80 198.51.100.0/24
 *   whtlst del -u [2001:db8::1]:53 2001:db8:1::/48
 *   blklst show [-t|-u VIP:PORT]
 *
 * and the rate options of -A / -E / -a / -e (--rate-in 1000pps[:BURST],
 * --rate-in-bytes 10M[:BURST], --rate-out ..., --rate-out-bytes ...).
 * Pure: argv in, a Request member out, messages in the caller's buffer.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_lb.h"
#include "pb.h"

static bool
is_svc_word(const char *w)
{
	return strcmp(w, "-t") == 0 || strcmp(w, "-u") == 0 || strcmp(w, "-H") == 0 ||
	       strcmp(w, "--tcp-service") == 0 || strcmp(w, "--udp-service") == 0 ||
	       strcmp(w, "--match") == 0;
}

/* blklst|whtlst add|del: -t|-u VIP:PORT PREFIX[/LEN] in any order. */
static int
cli_acl(int argc, char *const argv[], const char *list, Dpvs__Acl **out, char *err,
	size_t errlen)
{
	Dpvs__Acl *a = ctl_pb_alloc(sizeof(*a));
	unsigned char bytes[16];
	unsigned int plen;
	int i, family, rc = CTL_CLI_OK;

	dpvs__acl__init(a);
	a->list = ctl_pb_strdup(list);
	for (i = 0; i < argc && rc == CTL_CLI_OK; i++) {
		if (is_svc_word(argv[i])) {
			rc = ctl_cli_svc_opt(argc, argv, &i, &a->service, err, errlen);
		} else if (a->prefix == NULL && argv[i][0] != '-') {
			rc = ctl_cli_parse_prefix(argv[i], &family, bytes, &plen, err, errlen);
			if (rc == CTL_CLI_OK) {
				a->prefix = ctl_pb_ip(family, bytes);
				a->prefixlen = plen;
			}
		} else {
			rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "unexpected word \"%s\"", argv[i]);
		}
	}
	if (rc == CTL_CLI_OK && a->service == NULL)
		rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "missing -t|-u VIP:PORT");
	if (rc == CTL_CLI_OK && a->prefix == NULL)
		rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "missing source ADDRESS[/LEN]");
	if (rc != CTL_CLI_OK) {
		dpvs__acl__free_unpacked(a, NULL);
		return rc;
	}
	*out = a;
	return CTL_CLI_OK;
}

static int
cli_acl_show(int argc, char *const argv[], const char *list, Dpvs__Request *req, char *err,
	     size_t errlen)
{
	Dpvs__AclShow *s = ctl_pb_alloc(sizeof(*s));
	int i, rc = CTL_CLI_OK;

	dpvs__acl_show__init(s);
	s->list = ctl_pb_strdup(list);
	for (i = 0; i < argc && rc == CTL_CLI_OK; i++) {
		if (is_svc_word(argv[i]))
			rc = ctl_cli_svc_opt(argc, argv, &i, &s->service, err, errlen);
		else
			rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "unexpected word \"%s\"", argv[i]);
	}
	if (rc != CTL_CLI_OK) {
		dpvs__acl_show__free_unpacked(s, NULL);
		return rc;
	}
	req->acl_show = s;
	req->op_case = DPVS__REQUEST__OP_ACL_SHOW;
	return CTL_CLI_OK;
}

static int
acl_add(int argc, char *const argv[], const char *list, Dpvs__Request *req, char *err,
	size_t errlen)
{
	int rc = cli_acl(argc, argv, list, &req->acl_add, err, errlen);

	if (rc == CTL_CLI_OK)
		req->op_case = DPVS__REQUEST__OP_ACL_ADD;
	return rc;
}

static int
acl_del(int argc, char *const argv[], const char *list, Dpvs__Request *req, char *err,
	size_t errlen)
{
	int rc = cli_acl(argc, argv, list, &req->acl_del, err, errlen);

	if (rc == CTL_CLI_OK)
		req->op_case = DPVS__REQUEST__OP_ACL_DEL;
	return rc;
}

CLI_LB_FN(ctl_cli_blklst_add) { return acl_add(argc, argv, "blklst", req, err, errlen); }
CLI_LB_FN(ctl_cli_blklst_del) { return acl_del(argc, argv, "blklst", req, err, errlen); }
CLI_LB_FN(ctl_cli_blklst_show) { return cli_acl_show(argc, argv, "blklst", req, err, errlen); }
CLI_LB_FN(ctl_cli_whtlst_add) { return acl_add(argc, argv, "whtlst", req, err, errlen); }
CLI_LB_FN(ctl_cli_whtlst_del) { return acl_del(argc, argv, "whtlst", req, err, errlen); }
CLI_LB_FN(ctl_cli_whtlst_show) { return cli_acl_show(argc, argv, "whtlst", req, err, errlen); }

/* --- rate options --- */
static const struct {
	const char *opt;
	const char *meter;
	bool bytes;
} rate_opts[] = {
	{ "--rate-in", "in_pps", false },
	{ "--rate-in-bytes", "in_bytes", true },
	{ "--rate-out", "out_pps", false },
	{ "--rate-out-bytes", "out_bytes", true },
};

bool
ctl_cli_is_rate_opt(const char *w)
{
	size_t i;

	for (i = 0; i < sizeof(rate_opts) / sizeof(rate_opts[0]); i++)
		if (strcmp(w, rate_opts[i].opt) == 0)
			return true;
	return false;
}

/* "N", "Npps" (packets) or "N", "NK", "NM", "NG" (bytes, powers of 1000)
 * from s up to end; 0 or -1. */
static int
rate_number(const char *s, const char *end, bool bytes, uint64_t *out)
{
	char buf[32], *e;
	unsigned long long v, mul = 1;
	size_t len = (size_t)(end - s);

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (buf[0] < '0' || buf[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(buf, &e, 10);
	if (errno != 0)
		return -1;
	if (!bytes && strcmp(e, "pps") == 0)
		e += 3;
	else if (bytes && (*e == 'k' || *e == 'K'))
		mul = 1000, e++;
	else if (bytes && (*e == 'm' || *e == 'M'))
		mul = 1000000, e++;
	else if (bytes && (*e == 'g' || *e == 'G'))
		mul = 1000000000, e++;
	if (*e != '\0' || v > UINT64_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

int
ctl_cli_rate_opt(int argc, char *const argv[], int *i, Dpvs__Rate ***rates, size_t *n,
		 char *err, size_t errlen)
{
	const char *o = argv[*i], *v, *colon;
	Dpvs__Rate **slot, *r;
	uint64_t rate, burst = 0;
	size_t k, j;

	for (k = 0; k < sizeof(rate_opts) / sizeof(rate_opts[0]); k++)
		if (strcmp(o, rate_opts[k].opt) == 0)
			break;
	if (k == sizeof(rate_opts) / sizeof(rate_opts[0]))
		return dpvs_errf(err, errlen, CTL_CLI_USAGE, "unexpected word \"%s\"", o);
	if (*i + 1 >= argc)
		return dpvs_errf(err, errlen, CTL_CLI_USAGE, "%s needs a value", o);
	v = argv[++*i];
	colon = strchr(v, ':');
	if (rate_number(v, colon != NULL ? colon : v + strlen(v), rate_opts[k].bytes, &rate) != 0 ||
	    (colon != NULL &&
	     rate_number(colon + 1, colon + 1 + strlen(colon + 1), rate_opts[k].bytes, &burst) != 0))
		return dpvs_errf(err, errlen, CTL_CLI_BADARG, "%s %s: expected %s[:BURST] (0: no "
				    "limit)", o, v, rate_opts[k].bytes ? "BYTES[K|M|G]" : "N[pps]");
	for (j = 0; j < *n; j++)
		if (strcmp((*rates)[j]->meter, rate_opts[k].meter) == 0)
			return dpvs_errf(err, errlen, CTL_CLI_USAGE, "%s given twice", o);
	r = ctl_pb_alloc(sizeof(*r));
	dpvs__rate__init(r);
	r->meter = ctl_pb_strdup(rate_opts[k].meter);
	r->rate = rate;
	r->burst = burst;
	slot = ctl_pb_append(rates, n, sizeof(*slot));
	*slot = r;
	return CTL_CLI_OK;
}
