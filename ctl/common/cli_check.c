/*
 * The health-check words of dpvsctl (see cli_lb.h):
 *
 *   check set -t|-u VIP:PORT [-r RS[:PORT]] tcp|http|https|udp|cmd COMMAND
 *             [--interval S] [--timeout S] [--rise N] [--fall N] [--port P]
 *             [--path PATH] [--expect STATUS]          (http, https)
 *             [--send HEX] [--expect-data HEX]         (udp)
 *   check del -t|-u VIP:PORT [-r RS[:PORT]]
 *
 * Times in seconds (decimals allowed, 0.1 .. 3600). Defaults: interval 5,
 * timeout 2, rise 2, fall 2; http(s) path / and status 200. Pure: argv in,
 * a Check message out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_lb.h"
#include "pb.h"

#define CHECK_DEF_INTERVAL_MS 5000
#define CHECK_DEF_TIMEOUT_MS  2000
#define CHECK_DEF_RISE        2
#define CHECK_DEF_FALL        2
#define CHECK_BYTES_MAX       256   /* DPVS_CHECK_DATA_LEN: send + expect */

/* "1", "0.5", "2.125" seconds into ms, within 0.1 .. 3600 s. */
static int
check_seconds(const char *opt, const char *v, uint32_t *ms, char *err, size_t errlen)
{
	unsigned long whole = 0, frac = 0, scale = 100;
	const char *p = v;

	if (*p < '0' || *p > '9')
		goto bad;
	while (*p >= '0' && *p <= '9' && whole <= 3600)
		whole = whole * 10 + (unsigned long)(*p++ - '0');
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			goto bad;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (scale == 0)
				goto bad;   /* finer than a millisecond */
			frac += (unsigned long)(*p - '0') * scale;
			scale /= 10;
		}
	}
	if (*p != '\0')
		goto bad;
	if (whole > 3600 || whole * 1000 + frac < 100 || whole * 1000 + frac > 3600000)
		return dpvs_errf(err, errlen, CTL_CLI_BADARG, "%s %s: between 0.1 and 3600 seconds",
				 opt, v);
	*ms = (uint32_t)(whole * 1000 + frac);
	return CTL_CLI_OK;
bad:
	return dpvs_errf(err, errlen, CTL_CLI_BADARG, "%s %s: not a number of seconds", opt, v);
}

static int
check_count(const char *opt, const char *v, unsigned long lo, unsigned long hi, uint32_t *out,
	    char *err, size_t errlen)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0 || n < lo || n > hi)
		return dpvs_errf(err, errlen, CTL_CLI_BADARG, "%s %s: a number %lu..%lu", opt, v, lo,
				 hi);
	*out = (uint32_t)n;
	return CTL_CLI_OK;
}

/* Hex bytes ("0a1b..", an optional 0x) into a freshly allocated buffer. */
static int
check_hex(const char *opt, const char *v, ProtobufCBinaryData *out, char *err, size_t errlen)
{
	size_t n, i;
	unsigned int b;

	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		v += 2;
	n = strlen(v);
	if (n == 0 || n % 2 != 0 || n / 2 > CHECK_BYTES_MAX)
		return dpvs_errf(err, errlen, CTL_CLI_BADARG, "%s: 1 to %d bytes in hex, two digits "
				 "each", opt, CHECK_BYTES_MAX);
	if (out->data != NULL)
		free(out->data);
	out->data = ctl_pb_alloc(n / 2);
	out->len = n / 2;
	for (i = 0; i < n / 2; i++) {
		if (sscanf(v + 2 * i, "%2x", &b) != 1 || strchr("0123456789abcdefABCDEF", v[2 * i]) ==
		    NULL || strchr("0123456789abcdefABCDEF", v[2 * i + 1]) == NULL)
			return dpvs_errf(err, errlen, CTL_CLI_BADARG, "%s: '%s' is not hex", opt, v);
		out->data[i] = (uint8_t)b;
	}
	return CTL_CLI_OK;
}

static int
check_value(int argc, char *const argv[], int *i, const char **v, char *err, size_t errlen)
{
	if (*i + 1 >= argc)
		return dpvs_errf(err, errlen, CTL_CLI_USAGE, "%s needs a value", argv[*i]);
	*v = argv[++*i];
	return CTL_CLI_OK;
}

/* One --option of check set at argv[*i]. */
static int
check_option(int argc, char *const argv[], int *i, Dpvs__Check *c, char *err, size_t errlen)
{
	const char *o = argv[*i], *v = NULL;
	uint32_t n;
	int rc = check_value(argc, argv, i, &v, err, errlen);

	if (rc != CTL_CLI_OK)
		return rc;
	if (strcmp(o, "--interval") == 0)
		return check_seconds(o, v, &c->interval_ms, err, errlen);
	if (strcmp(o, "--timeout") == 0)
		return check_seconds(o, v, &c->timeout_ms, err, errlen);
	if (strcmp(o, "--rise") == 0)
		return check_count(o, v, 1, 100, &c->rise, err, errlen);
	if (strcmp(o, "--fall") == 0)
		return check_count(o, v, 1, 100, &c->fall, err, errlen);
	if (strcmp(o, "--port") == 0)
		return check_count(o, v, 1, 65535, &c->port, err, errlen);
	if (strcmp(o, "--path") == 0 && (strcmp(c->type, "http") == 0 ||
					 strcmp(c->type, "https") == 0)) {
		if (v[0] != '/' || strlen(v) > 255 || strpbrk(v, " \t\r\n") != NULL)
			return dpvs_errf(err, errlen, CTL_CLI_BADARG, "--path %s: starts with / , "
					 "no space, at most 255 characters", v);
		free(c->path);   /* "/" by default, or an earlier --path */
		c->path = ctl_pb_strdup(v);
		return CTL_CLI_OK;
	}
	if (strcmp(o, "--expect") == 0 && (strcmp(c->type, "http") == 0 ||
					   strcmp(c->type, "https") == 0)) {
		rc = check_count(o, v, 100, 599, &n, err, errlen);
		c->expect_status = n;
		return rc;
	}
	if (strcmp(o, "--send") == 0 && strcmp(c->type, "udp") == 0)
		return check_hex(o, v, &c->send, err, errlen);
	if (strcmp(o, "--expect-data") == 0 && strcmp(c->type, "udp") == 0)
		return check_hex(o, v, &c->expect_data, err, errlen);
	return dpvs_errf(err, errlen, CTL_CLI_USAGE, "unexpected option \"%s\" for a %s check", o,
			 c->type);
}

/* The service and -r of check set / del; *i moves past them. */
static int
check_target(int argc, char *const argv[], int *i, Dpvs__Check *c, char *err, size_t errlen)
{
	const char *v = NULL;
	int rc = CTL_CLI_OK;

	for (; *i < argc && rc == CTL_CLI_OK; ++*i) {
		const char *w = argv[*i];

		if (strcmp(w, "-t") == 0 || strcmp(w, "-u") == 0 || strcmp(w, "--tcp-service") == 0 ||
		    strcmp(w, "--udp-service") == 0) {
			rc = ctl_cli_svc_opt(argc, argv, i, &c->service, err, errlen);
		} else if (strcmp(w, "-r") == 0 || strcmp(w, "--real-server") == 0) {
			rc = check_value(argc, argv, i, &v, err, errlen);
			if (rc == CTL_CLI_OK && c->dest != NULL)
				rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "-r given twice");
			if (rc == CTL_CLI_OK)
				rc = ctl_cli_ipport(v, &c->dest, &c->dest_port, false, err, errlen);
		} else {
			break;
		}
	}
	if (rc == CTL_CLI_OK && c->service == NULL)
		rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "missing -t|-u VIP:PORT");
	if (rc == CTL_CLI_OK && c->dest != NULL && c->dest_port == 0)
		c->dest_port = c->service->port;     /* as -a: the service's port */
	return rc;
}

static Dpvs__Check *
check_new(void)
{
	Dpvs__Check *c = ctl_pb_alloc(sizeof(*c));

	dpvs__check__init(c);
	return c;
}

CLI_LB_FN(ctl_cli_check_set)
{
	Dpvs__Check *c = check_new();
	int i = 0, rc;

	rc = check_target(argc, argv, &i, c, err, errlen);
	if (rc == CTL_CLI_OK && i >= argc)
		rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "missing the check type (tcp, http, "
			       "https, udp, cmd \"COMMAND\")");
	if (rc == CTL_CLI_OK && strcmp(argv[i], "tcp") != 0 && strcmp(argv[i], "http") != 0 &&
	    strcmp(argv[i], "https") != 0 && strcmp(argv[i], "udp") != 0 &&
	    strcmp(argv[i], "cmd") != 0)
		rc = dpvs_errf(err, errlen, CTL_CLI_BADARG, "unknown check type \"%s\" (tcp, http, "
			       "https, udp, cmd)", argv[i]);
	if (rc == CTL_CLI_OK) {
		c->type = ctl_pb_strdup(argv[i++]);
		c->interval_ms = CHECK_DEF_INTERVAL_MS;
		c->timeout_ms = CHECK_DEF_TIMEOUT_MS;
		c->rise = CHECK_DEF_RISE;
		c->fall = CHECK_DEF_FALL;
		if (strcmp(c->type, "http") == 0 || strcmp(c->type, "https") == 0) {
			c->path = ctl_pb_strdup("/");
			c->expect_status = 200;
		}
	}
	if (rc == CTL_CLI_OK && strcmp(c->type, "cmd") == 0) {
		if (i >= argc || argv[i][0] == '\0' || strlen(argv[i]) > 255 ||
		    strpbrk(argv[i], "\r\n") != NULL)
			rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "cmd needs a command (one line, at "
				       "most 255 characters; quote it)");
		else
			c->command = ctl_pb_strdup(argv[i++]);
	}
	for (; rc == CTL_CLI_OK && i < argc; i++)
		rc = check_option(argc, argv, &i, c, err, errlen);
	if (rc == CTL_CLI_OK && strcmp(c->type, "udp") == 0 && c->send.len == 0)
		rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "a udp check needs --send HEX");
	if (rc == CTL_CLI_OK && c->send.len + c->expect_data.len > CHECK_BYTES_MAX)
		rc = dpvs_errf(err, errlen, CTL_CLI_BADARG, "--send and --expect-data: at most %d "
			       "bytes together", CHECK_BYTES_MAX);
	if (rc != CTL_CLI_OK) {
		dpvs__check__free_unpacked(c, NULL);
		return rc;
	}
	req->check_set = c;
	req->op_case = DPVS__REQUEST__OP_CHECK_SET;
	return CTL_CLI_OK;
}

CLI_LB_FN(ctl_cli_check_del)
{
	Dpvs__Check *c = check_new();
	int i = 0, rc;

	rc = check_target(argc, argv, &i, c, err, errlen);
	if (rc == CTL_CLI_OK && i < argc)
		rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "unexpected word \"%s\"", argv[i]);
	if (rc != CTL_CLI_OK) {
		dpvs__check__free_unpacked(c, NULL);
		return rc;
	}
	req->check_del = c;
	req->op_case = DPVS__REQUEST__OP_CHECK_DEL;
	return CTL_CLI_OK;
}
