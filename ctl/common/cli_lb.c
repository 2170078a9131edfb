/*
 * The ipvsadm words of dpvsctl (see cli_lb.h): services (-A -E -D), real
 * servers (-a -e -d), the list (-L), save and conn show. Pure: argv in, a
 * Request member out, messages in the caller's buffer.
 *
 * After the command word, -s is the scheduler (as in ipvsadm); dpvsctl's own
 * -s SOCKET is recognised only before the command word (ctl/client/main.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_lb.h"
#include "pb.h"

/* "ADDR:PORT" or "[ADDR6]:PORT"; without ":PORT" *port = 0 if !need_port
 * (*given tells, when not NULL, and a port of 0 is then taken too: an SNAT
 * source is "-r ADDR:0"). */
static int
cli_ipport(const char *text, Dpvs__Ip **ip, uint32_t *port, bool need_port, bool *given,
	   char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 16], *host = buf, *colon, *end;
	unsigned char bytes[16];
	unsigned long v;
	int family;

	if (strlen(text) >= sizeof(buf))
		return dpvs_errf(err, errlen, CTL_CLI_BADARG, "bad address %s", text);
	strcpy(buf, text);
	*port = 0;
	if (buf[0] == '[') {
		host = buf + 1;
		end = strchr(host, ']');
		if (end == NULL || (end[1] != '\0' && end[1] != ':'))
			return dpvs_errf(err, errlen, CTL_CLI_BADARG, "bad address %s", text);
		*end = '\0';
		colon = end[1] == ':' ? end + 1 : NULL;
	} else {
		colon = strrchr(buf, ':');
		if (colon != NULL && strchr(buf, ':') != colon)
			colon = NULL;   /* a bare IPv6 address */
		if (colon != NULL)
			*colon = '\0';
	}
	if (inet_pton(AF_INET, host, bytes) == 1)
		family = 4;
	else if (inet_pton(AF_INET6, host, bytes) == 1)
		family = 6;
	else
		return dpvs_errf(err, errlen, CTL_CLI_BADARG, "bad address %s", text);
	if (colon == NULL) {
		if (need_port)
			return dpvs_errf(err, errlen, CTL_CLI_BADARG,
					    "%s needs a port (ADDRESS:PORT)", text);
	} else {
		errno = 0;
		v = strtoul(colon + 1, &end, 10);
		if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0 ||
		    (v == 0 && given == NULL) || v > 65535)
			return dpvs_errf(err, errlen, CTL_CLI_BADARG,
					    "bad port in %s (1..65535)", text);
		*port = (uint32_t)v;
		if (given != NULL)
			*given = true;
	}
	*ip = ctl_pb_ip(family, bytes);
	return CTL_CLI_OK;
}

/* The value of option argv[*i]; *i moves to it. */
static int
cli_value(int argc, char *const argv[], int *i, const char **val, char *err, size_t errlen)
{
	if (*i + 1 >= argc)
		return dpvs_errf(err, errlen, CTL_CLI_USAGE, "%s needs a value", argv[*i]);
	*val = argv[++*i];
	return CTL_CLI_OK;
}

int
ctl_cli_svc_opt(int argc, char *const argv[], int *i, Dpvs__SvcKey **key, char *err,
		size_t errlen)
{
	const char *o = argv[*i], *val = NULL;
	Dpvs__SvcKey *k;
	int rc;

	if (*key != NULL)
		return dpvs_errf(err, errlen, CTL_CLI_USAGE, "only one service (-t, -u or -H)");
	rc = cli_value(argc, argv, i, &val, err, errlen);
	if (rc != CTL_CLI_OK)
		return rc;
	k = ctl_pb_alloc(sizeof(*k));
	dpvs__svc_key__init(k);
	if (strcmp(o, "-H") == 0 || strcmp(o, "--match") == 0) {
		/* the daemon parses it: it knows the port names */
		if (val[0] == '\0') {
			dpvs__svc_key__free_unpacked(k, NULL);
			return dpvs_errf(err, errlen, CTL_CLI_BADARG,
					    "-H needs a match (proto=tcp,src-range=...)");
		}
		k->match = ctl_pb_strdup(val);
		*key = k;
		return CTL_CLI_OK;
	}
	k->proto = ctl_pb_strdup(strcmp(o, "-u") == 0 || strcmp(o, "--udp-service") == 0 ? "udp"
											: "tcp");
	rc = cli_ipport(val, &k->vip, &k->port, true, NULL, err, errlen);
	if (rc != CTL_CLI_OK) {
		dpvs__svc_key__free_unpacked(k, NULL);
		return rc;
	}
	*key = k;
	return CTL_CLI_OK;
}

/* A string field set by the parser (the initial value is protobuf-c's
 * shared empty string, which must not be freed). */
static void
cli_str_free(char *s)
{
	if (s != NULL && s[0] != '\0')
		free(s);
}

static bool
is_opt(const char *w, const char *s, const char *l)
{
	return strcmp(w, s) == 0 || (l != NULL && strcmp(w, l) == 0);
}

static bool
is_svc_opt(const char *w)
{
	return is_opt(w, "-t", "--tcp-service") || is_opt(w, "-u", "--udp-service") ||
	       is_opt(w, "-H", "--match");
}

static int
cli_unexpected(const char *w, char *err, size_t errlen)
{
	return dpvs_errf(err, errlen, CTL_CLI_USAGE, "unexpected word \"%s\"", w);
}

/* Option argv[*i] whose value is one of ok (NULL-ended; ok_text names
 * them in the error): the value into *field, a value given before freed
 * (the last one counts). */
static int
cli_choice(int argc, char *const argv[], int *i, const char *const *ok, const char *ok_text,
	   char **field, char *err, size_t errlen)
{
	const char *opt = argv[*i], *v = NULL;
	int rc = cli_value(argc, argv, i, &v, err, errlen);
	size_t k;

	if (rc != CTL_CLI_OK)
		return rc;
	for (k = 0; ok[k] != NULL && strcmp(v, ok[k]) != 0; k++)
		;
	if (ok[k] == NULL)
		return dpvs_errf(err, errlen, CTL_CLI_BADARG, "%s %s: %s", opt, v, ok_text);
	cli_str_free(*field);
	*field = ctl_pb_strdup(v);
	return CTL_CLI_OK;
}

static const char *const on_off[] = { "on", "off", NULL };
static const char *const pp_versions[] = { "v1", "v2", "off", NULL };

/* One setting of -A / -E at argv[*i] (rates, -s, --synproxy, -b,
 * --proxy-protocol, --toa) into s; any other word is unexpected. */
static int
cli_service_setting(int argc, char *const argv[], int *i, Dpvs__Service *s, char *err,
		    size_t errlen)
{
	const char *v = NULL;
	int rc;

	if (ctl_cli_is_rate_opt(argv[*i]))
		return ctl_cli_rate_opt(argc, argv, i, &s->rates, &s->n_rates, err, errlen);
	if (is_opt(argv[*i], "-s", "--scheduler")) {
		rc = cli_value(argc, argv, i, &v, err, errlen);
		if (rc == CTL_CLI_OK && s->scheduler[0] != '\0')
			rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "-s given twice");
		if (rc == CTL_CLI_OK)
			s->scheduler = ctl_pb_strdup(v);
		return rc;
	}
	if (strcmp(argv[*i], "--synproxy") == 0)
		return cli_choice(argc, argv, i, on_off, "on or off", &s->synproxy, err, errlen);
	if (is_opt(argv[*i], "-b", "--sched-flags")) {
		rc = cli_value(argc, argv, i, &v, err, errlen);
		if (rc != CTL_CLI_OK)
			return rc;
		s->set_flags = true;
		if (strcmp(v, "hash-port") == 0 || strcmp(v, "mh-port") == 0 ||
		    strcmp(v, "sh-port") == 0) {
			char **f = ctl_pb_append(&s->flags, &s->n_flags, sizeof(*f));

			*f = ctl_pb_strdup("hash-port");
		} else if (strcmp(v, "none") != 0) {
			rc = dpvs_errf(err, errlen, CTL_CLI_BADARG,
				       "unknown scheduler flag \"%s\" (hash-port, none)", v);
		}
		return rc;
	}
	if (strcmp(argv[*i], "--proxy-protocol") == 0)
		return cli_choice(argc, argv, i, pp_versions, "v1, v2 or off", &s->proxy_protocol,
				  err, errlen);
	if (strcmp(argv[*i], "--toa") == 0)
		return cli_choice(argc, argv, i, on_off, "on or off", &s->toa, err, errlen);
	return cli_unexpected(argv[*i], err, errlen);
}

/* The scheduler's name checked against the ones the workers have. */
static int
cli_sched_name(const char *name, char *err, size_t errlen)
{
	static const char *const names[] = { "rr", "wrr", "lc", "wlc", "mh", "conhash" };
	size_t k;

	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (strcmp(name, names[k]) == 0)
			return CTL_CLI_OK;
	return dpvs_errf(err, errlen, CTL_CLI_BADARG,
			 "unknown scheduler \"%s\" (rr, wrr, lc, wlc, mh, conhash)", name);
}

/* -A / -E / -D: want_sched = 0 for -D (only the key). */
static Dpvs__Service *
cli_service(int argc, char *const argv[], bool want_sched, int *rc, char *err, size_t errlen)
{
	Dpvs__Service *s = ctl_pb_alloc(sizeof(*s));
	int i;

	dpvs__service__init(s);
	*rc = CTL_CLI_OK;
	for (i = 0; i < argc && *rc == CTL_CLI_OK; i++) {
		if (is_svc_opt(argv[i]))
			*rc = ctl_cli_svc_opt(argc, argv, &i, &s->key, err, errlen);
		else if (want_sched)
			*rc = cli_service_setting(argc, argv, &i, s, err, errlen);
		else
			*rc = cli_unexpected(argv[i], err, errlen);
	}
	if (*rc == CTL_CLI_OK && s->key == NULL)
		*rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "missing -t|-u VIP:PORT (or -H MATCH)");
	if (*rc == CTL_CLI_OK && s->scheduler[0] != '\0')
		*rc = cli_sched_name(s->scheduler, err, errlen);
	if (*rc != CTL_CLI_OK) {
		dpvs__service__free_unpacked(s, NULL);
		return NULL;
	}
	return s;
}

CLI_LB_FN(ctl_cli_svc_add)
{
	int rc;

	req->svc_add = cli_service(argc, argv, true, &rc, err, errlen);
	if (req->svc_add != NULL)
		req->op_case = DPVS__REQUEST__OP_SVC_ADD;
	return rc;
}

CLI_LB_FN(ctl_cli_svc_edit)
{
	int rc;

	req->svc_edit = cli_service(argc, argv, true, &rc, err, errlen);
	if (req->svc_edit != NULL)
		req->op_case = DPVS__REQUEST__OP_SVC_EDIT;
	return rc;
}

CLI_LB_FN(ctl_cli_svc_del)
{
	int rc;

	req->svc_del = cli_service(argc, argv, false, &rc, err, errlen);
	if (req->svc_del != NULL)
		req->op_case = DPVS__REQUEST__OP_SVC_DEL;
	return rc;
}

/* A decimal number (optionally signed) for -w / -x / -y. */
static int
cli_number(const char *opt, const char *v, long long min, long long max, long long *out,
	   char *err, size_t errlen)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (v[0] == '\0' || *end != '\0' || errno != 0)
		return dpvs_errf(err, errlen, CTL_CLI_BADARG, "%s %s: not a number", opt, v);
	if (n < min || n > max)
		return dpvs_errf(err, errlen, CTL_CLI_BADARG, "%s %s: out of range (%lld..%lld)",
				    opt, v, min, max);
	*out = n;
	return CTL_CLI_OK;
}

/* One option of -a / -e at argv[*i]. */
static int
cli_dest_opt(int argc, char *const argv[], int *i, Dpvs__Dest *d, char *err, size_t errlen)
{
	const char *o = argv[*i], *v = NULL;
	long long n;
	int rc;

	if (ctl_cli_is_rate_opt(o))
		return ctl_cli_rate_opt(argc, argv, i, &d->rates, &d->n_rates, err, errlen);
	if (is_opt(o, "-g", "--gatewaying") || is_opt(o, "-m", "--masquerading") ||
	    is_opt(o, "-i", "--ipip") || is_opt(o, "-J", "--snat")) {
		cli_str_free(d->mode);
		d->mode = ctl_pb_strdup(o[1] == 'g' || o[2] == 'g' ? "dr" :
					o[1] == 'm' || o[2] == 'm' ? "nat" :
					o[1] == 'J' || o[2] == 's' ? "snat" : "tunnel");
		return CTL_CLI_OK;
	}
	rc = cli_value(argc, argv, i, &v, err, errlen);
	if (rc != CTL_CLI_OK)
		return rc;
	if (is_opt(o, "-b", "--forward")) {
		if (strcmp(v, "fnat") != 0 && strcmp(v, "nat") != 0 && strcmp(v, "dr") != 0 &&
		    strcmp(v, "tunnel") != 0 && strcmp(v, "snat") != 0)
			return dpvs_errf(err, errlen, CTL_CLI_BADARG,
					    "unknown forwarding mode \"%s\" (fnat, nat, dr, tunnel, "
					    "snat)", v);
		cli_str_free(d->mode);
		d->mode = ctl_pb_strdup(v);
	} else if (is_opt(o, "-w", "--weight")) {
		rc = cli_number("-w", v, -2147483647LL, 2147483647LL, &n, err, errlen);
		d->weight = n;
		d->has_weight = true;
	} else if (is_opt(o, "-x", "--u-threshold")) {
		rc = cli_number("-x", v, 0, 4294967295LL, &n, err, errlen);
		d->upper = (uint32_t)n;
		d->has_upper = true;
	} else if (is_opt(o, "-y", "--l-threshold")) {
		rc = cli_number("-y", v, 0, 4294967295LL, &n, err, errlen);
		d->lower = (uint32_t)n;
		d->has_lower = true;
	} else {
		return cli_unexpected(o, err, errlen);
	}
	return rc;
}

/* -a / -e / -d: full = false for -d (only the service and -r). */
static Dpvs__Dest *
cli_dest(int argc, char *const argv[], bool full, int *rc, char *err, size_t errlen)
{
	Dpvs__Dest *d = ctl_pb_alloc(sizeof(*d));
	bool have_rs = false, port_given = false;
	const char *v = NULL;
	int i;

	dpvs__dest__init(d);
	*rc = CTL_CLI_OK;
	for (i = 0; i < argc && *rc == CTL_CLI_OK; i++) {
		if (is_svc_opt(argv[i])) {
			*rc = ctl_cli_svc_opt(argc, argv, &i, &d->service, err, errlen);
		} else if (is_opt(argv[i], "-r", "--real-server")) {
			*rc = cli_value(argc, argv, &i, &v, err, errlen);
			if (*rc == CTL_CLI_OK && have_rs)
				*rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "-r given twice");
			if (*rc == CTL_CLI_OK)
				*rc = cli_ipport(v, &d->address, &d->port, false, &port_given, err,
						 errlen);
			have_rs = true;
		} else if (full) {
			*rc = cli_dest_opt(argc, argv, &i, d, err, errlen);
		} else {
			*rc = cli_unexpected(argv[i], err, errlen);
		}
	}
	if (*rc == CTL_CLI_OK && d->service == NULL)
		*rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "missing -t|-u VIP:PORT (or -H MATCH)");
	if (*rc == CTL_CLI_OK && d->address == NULL)
		*rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "missing -r RS[:PORT]");
	if (*rc != CTL_CLI_OK) {
		dpvs__dest__free_unpacked(d, NULL);
		return NULL;
	}
	if (!port_given)           /* as ipvsadm: the service's port */
		d->port = d->service->port;
	return d;
}

CLI_LB_FN(ctl_cli_dest_add)
{
	int rc;

	req->dest_add = cli_dest(argc, argv, true, &rc, err, errlen);
	if (req->dest_add != NULL)
		req->op_case = DPVS__REQUEST__OP_DEST_ADD;
	return rc;
}

CLI_LB_FN(ctl_cli_dest_edit)
{
	int rc;

	req->dest_edit = cli_dest(argc, argv, true, &rc, err, errlen);
	if (req->dest_edit != NULL)
		req->op_case = DPVS__REQUEST__OP_DEST_EDIT;
	return rc;
}

CLI_LB_FN(ctl_cli_dest_del)
{
	int rc;

	req->dest_del = cli_dest(argc, argv, false, &rc, err, errlen);
	if (req->dest_del != NULL)
		req->op_case = DPVS__REQUEST__OP_DEST_DEL;
	return rc;
}

static int
cli_conn_request(Dpvs__Request *req)
{
	req->conn_show = ctl_pb_alloc(sizeof(*req->conn_show));
	dpvs__conn_show__init(req->conn_show);
	req->op_case = DPVS__REQUEST__OP_CONN_SHOW;
	return CTL_CLI_OK;
}

CLI_LB_FN(ctl_cli_list)
{
	Dpvs__ServiceShow *s = ctl_pb_alloc(sizeof(*s));
	bool conns = false, timeouts = false;
	int i, rc = CTL_CLI_OK;

	dpvs__service_show__init(s);
	for (i = 0; i < argc && rc == CTL_CLI_OK; i++) {
		if (is_opt(argv[i], "-n", "--numeric") || strcmp(argv[i], "--exact") == 0)
			continue;       /* always numeric and exact */
		if (strcmp(argv[i], "--timeout") == 0)
			timeouts = true;
		else if (strcmp(argv[i], "--stats") == 0)
			s->stats = true;
		else if (is_opt(argv[i], "-c", "--connection"))
			conns = true;
		else if (is_svc_opt(argv[i]))
			rc = ctl_cli_svc_opt(argc, argv, &i, &s->key, err, errlen);
		else
			rc = cli_unexpected(argv[i], err, errlen);
	}
	if (rc == CTL_CLI_OK && conns && (s->stats || s->key != NULL))
		rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "-c lists every connection; "
				  "it takes no --stats or service");
	if (rc == CTL_CLI_OK && timeouts && (conns || s->stats || s->key != NULL))
		rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "--timeout lists the timeouts; "
				  "it takes nothing else");
	if (rc != CTL_CLI_OK || conns || timeouts) {
		dpvs__service_show__free_unpacked(s, NULL);
		if (rc != CTL_CLI_OK)
			return rc;
		return timeouts ? ctl_cli_timeout_show_req(req, true) : cli_conn_request(req);
	}
	req->svc_show = s;
	req->op_case = DPVS__REQUEST__OP_SVC_SHOW;
	return CTL_CLI_OK;
}

CLI_LB_FN(ctl_cli_save)
{
	if (argc > 0 && !is_opt(argv[0], "-n", "--numeric"))
		return cli_unexpected(argv[0], err, errlen);
	if (argc > 1)
		return cli_unexpected(argv[1], err, errlen);
	req->save = ctl_pb_alloc(sizeof(*req->save));
	dpvs__save__init(req->save);
	req->op_case = DPVS__REQUEST__OP_SAVE;
	return CTL_CLI_OK;
}

CLI_LB_FN(ctl_cli_reload)
{
	if (argc > 0)
		return cli_unexpected(argv[0], err, errlen);
	req->reload = ctl_pb_alloc(sizeof(*req->reload));
	dpvs__reload__init(req->reload);
	req->op_case = DPVS__REQUEST__OP_RELOAD;
	return CTL_CLI_OK;
}

CLI_LB_FN(ctl_cli_conn_show)
{
	if (argc > 0)
		return cli_unexpected(argv[0], err, errlen);
	return cli_conn_request(req);
}

int
ctl_cli_ipport(const char *text, Dpvs__Ip **ip, uint32_t *port, bool need_port, char *err,
	       size_t errlen)
{
	return cli_ipport(text, ip, port, need_port, NULL, err, errlen);
}
