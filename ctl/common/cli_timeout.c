/*
 * The timeout words of dpvsctl (cli_lb.h): ipvsadm's `--set TCP TCPFIN UDP`
 * (seconds; 0 leaves that one unchanged), `timeout set NAME [STATE] SECONDS`
 * for any TCP state or UDP, and `timeout show`; `-L --timeout` is in
 * cli_lb.c. Pure: argv in, a Request member out. The daemon knows the
 * names (ctl/daemon/timeout.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_lb.h"
#include "pb.h"

/* Seconds 0..2592000 (30 days). */
static int
cli_seconds(const char *v, uint32_t *s, char *err, size_t errlen)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0 || n > 2592000ul)
		return dpvs_errf(err, errlen, CTL_CLI_BADARG,
				    "timeout \"%s\": seconds, 0..2592000 (30 days)", v);
	*s = (uint32_t)n;
	return CTL_CLI_OK;
}

static void
cli_timeout_add(Dpvs__TimeoutSet *t, const char *name, uint32_t secs)
{
	Dpvs__Timeout **e = ctl_pb_append(&t->timeouts, &t->n_timeouts, sizeof(*e));

	*e = ctl_pb_alloc(sizeof(**e));
	dpvs__timeout__init(*e);
	(*e)->name = ctl_pb_strdup(name);
	(*e)->seconds = secs;
}

static Dpvs__TimeoutSet *
cli_timeout_req(Dpvs__Request *req)
{
	Dpvs__TimeoutSet *t = ctl_pb_alloc(sizeof(*t));

	dpvs__timeout_set__init(t);
	req->timeout_set = t;
	req->op_case = DPVS__REQUEST__OP_TIMEOUT_SET;
	return t;
}

CLI_LB_FN(ctl_cli_timeout_ipvs)
{
	static const char *const names[3] = { "tcp", "tcpfin", "udp" };
	uint32_t s[3];
	Dpvs__TimeoutSet *t;
	int i, rc;

	if (argc != 3)
		return dpvs_errf(err, errlen, CTL_CLI_USAGE,
				    "--set takes three values: TCP TCPFIN UDP (seconds, 0: unchanged)");
	for (i = 0; i < 3; i++) {
		rc = cli_seconds(argv[i], &s[i], err, errlen);
		if (rc != CTL_CLI_OK)
			return rc;
	}
	if (s[0] == 0 && s[1] == 0 && s[2] == 0)
		return dpvs_errf(err, errlen, CTL_CLI_BADARG, "--set 0 0 0 changes nothing");
	t = cli_timeout_req(req);
	for (i = 0; i < 3; i++)
		if (s[i] != 0)
			cli_timeout_add(t, names[i], s[i]);
	return CTL_CLI_OK;
}

CLI_LB_FN(ctl_cli_timeout_set)
{
	char name[64];
	uint32_t s;
	int rc;

	if (argc == 2)
		snprintf(name, sizeof(name), "%s", argv[0]);
	else if (argc == 3 && strcmp(argv[0], "tcp") == 0)
		snprintf(name, sizeof(name), "tcp.%s", argv[1]);
	else
		return dpvs_errf(err, errlen, CTL_CLI_USAGE,
				    "timeout set tcp|tcpfin|udp SECONDS, or timeout set tcp STATE "
				    "SECONDS");
	rc = cli_seconds(argv[argc - 1], &s, err, errlen);
	if (rc == CTL_CLI_OK && s == 0)
		rc = dpvs_errf(err, errlen, CTL_CLI_BADARG, "timeout %s: 0 s (1..2592000)",
				  argv[argc - 1]);
	if (rc != CTL_CLI_OK)
		return rc;
	cli_timeout_add(cli_timeout_req(req), name, s);
	return CTL_CLI_OK;
}

int
ctl_cli_timeout_show_req(Dpvs__Request *req, bool brief)
{
	req->timeout_show = ctl_pb_alloc(sizeof(*req->timeout_show));
	dpvs__timeout_show__init(req->timeout_show);
	req->timeout_show->brief = brief;
	req->op_case = DPVS__REQUEST__OP_TIMEOUT_SHOW;
	return CTL_CLI_OK;
}

CLI_LB_FN(ctl_cli_timeout_show)
{
	if (argc > 0)
		return dpvs_errf(err, errlen, CTL_CLI_USAGE, "unexpected word \"%s\"", argv[0]);
	return ctl_cli_timeout_show_req(req, false);
}
