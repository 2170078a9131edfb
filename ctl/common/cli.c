/*
 * The dpvsctl command language (see cli.h): a table of commands, each with a
 * parser that fills one member of the Request oneof. Pure: argv in, Request
 * out, messages in a caller's buffer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_lb.h"
#include "pb.h"

/* Parses the words after "<object> <verb>" into req. */
typedef int (*cli_parse_fn)(int argc, char *const argv[], Dpvs__Request *req, char *err,
			    size_t errlen);

struct cli_command {
	const char *object;
	const char *verb;       /* NULL: the command is the object word alone */
	cli_parse_fn parse;
	const char *usage;
	bool mutation;
	bool is_default;        /* the verb used when only the object is given */
};

int
ctl_cli_parse_prefix(const char *text, int *family, unsigned char bytes[16],
		     unsigned int *prefixlen, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash, *end;
	unsigned int maxlen;
	unsigned long len;

	if (strlen(text) >= sizeof(buf))
		return dpvs_errf(err, errlen, CTL_CLI_BADARG, "bad address %s", text);
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	memset(bytes, 0, 16);
	if (inet_pton(AF_INET, buf, bytes) == 1) {
		*family = 4;
		maxlen = 32;
	} else if (inet_pton(AF_INET6, buf, bytes) == 1) {
		*family = 6;
		maxlen = 128;
	} else {
		return dpvs_errf(err, errlen, CTL_CLI_BADARG, "bad address %s", buf);
	}
	if (slash == NULL) {
		*prefixlen = maxlen;
		return CTL_CLI_OK;
	}
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || errno != 0 || len > maxlen)
		return dpvs_errf(err, errlen, CTL_CLI_BADARG,
			       "bad prefix length %s for %s (0..%u)", slash + 1, buf, maxlen);
	*prefixlen = (unsigned int)len;
	return CTL_CLI_OK;
}

/* "dev NAME" as the only option; *dev stays NULL when absent. */
static int
cli_parse_dev(int argc, char *const argv[], const char **dev, bool required, char *err,
	      size_t errlen)
{
	int i;

	*dev = NULL;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "dev") != 0)
			return dpvs_errf(err, errlen, CTL_CLI_USAGE, "unexpected word \"%s\"",
				       argv[i]);
		if (i + 1 >= argc)
			return dpvs_errf(err, errlen, CTL_CLI_USAGE, "\"dev\" needs a port name");
		if (*dev != NULL)
			return dpvs_errf(err, errlen, CTL_CLI_USAGE, "\"dev\" given twice");
		*dev = argv[++i];
		if (strlen(*dev) == 0 || strlen(*dev) >= 32)
			return dpvs_errf(err, errlen, CTL_CLI_BADARG, "bad port name \"%s\"", *dev);
	}
	if (required && *dev == NULL)
		return dpvs_errf(err, errlen, CTL_CLI_USAGE, "missing \"dev NAME\"");
	return CTL_CLI_OK;
}

static Dpvs__Addr *
cli_addr_args(int argc, char *const argv[], int *rc, char *err, size_t errlen)
{
	unsigned char bytes[16];
	unsigned int plen;
	const char *dev;
	Dpvs__Addr *a;
	int family;

	if (argc < 1) {
		*rc = dpvs_errf(err, errlen, CTL_CLI_USAGE, "missing address");
		return NULL;
	}
	*rc = ctl_cli_parse_prefix(argv[0], &family, bytes, &plen, err, errlen);
	if (*rc != CTL_CLI_OK)
		return NULL;
	*rc = cli_parse_dev(argc - 1, argv + 1, &dev, true, err, errlen);
	if (*rc != CTL_CLI_OK)
		return NULL;
	a = ctl_pb_alloc(sizeof(*a));
	dpvs__addr__init(a);
	a->address = ctl_pb_ip(family, bytes);
	a->prefixlen = plen;
	a->dev = ctl_pb_strdup(dev);
	return a;
}

static int
parse_addr_add(int argc, char *const argv[], Dpvs__Request *req, char *err, size_t errlen)
{
	int rc;

	req->addr_add = cli_addr_args(argc, argv, &rc, err, errlen);
	if (req->addr_add != NULL)
		req->op_case = DPVS__REQUEST__OP_ADDR_ADD;
	return rc;
}

static int
parse_addr_del(int argc, char *const argv[], Dpvs__Request *req, char *err, size_t errlen)
{
	int rc;

	req->addr_del = cli_addr_args(argc, argv, &rc, err, errlen);
	if (req->addr_del != NULL)
		req->op_case = DPVS__REQUEST__OP_ADDR_DEL;
	return rc;
}

static int
parse_addr_show(int argc, char *const argv[], Dpvs__Request *req, char *err, size_t errlen)
{
	const char *dev;
	int rc = cli_parse_dev(argc, argv, &dev, false, err, errlen);

	if (rc != CTL_CLI_OK)
		return rc;
	req->addr_show = ctl_pb_alloc(sizeof(*req->addr_show));
	dpvs__addr_show__init(req->addr_show);
	if (dev != NULL)
		req->addr_show->dev = ctl_pb_strdup(dev);
	req->op_case = DPVS__REQUEST__OP_ADDR_SHOW;
	return CTL_CLI_OK;
}

static int
parse_neigh_show(int argc, char *const argv[], Dpvs__Request *req, char *err, size_t errlen)
{
	const char *dev;
	int rc = cli_parse_dev(argc, argv, &dev, false, err, errlen);

	if (rc != CTL_CLI_OK)
		return rc;
	req->neigh_show = ctl_pb_alloc(sizeof(*req->neigh_show));
	dpvs__neigh_show__init(req->neigh_show);
	if (dev != NULL)
		req->neigh_show->dev = ctl_pb_strdup(dev);
	req->op_case = DPVS__REQUEST__OP_NEIGH_SHOW;
	return CTL_CLI_OK;
}

static int
cli_no_args(int argc, char *const argv[], char *err, size_t errlen)
{
	if (argc > 0)
		return dpvs_errf(err, errlen, CTL_CLI_USAGE, "unexpected word \"%s\"", argv[0]);
	return CTL_CLI_OK;
}

static int
parse_stats(int argc, char *const argv[], Dpvs__Request *req, char *err, size_t errlen)
{
	int rc = cli_no_args(argc, argv, err, errlen);

	if (rc != CTL_CLI_OK)
		return rc;
	req->stats_show = ctl_pb_alloc(sizeof(*req->stats_show));
	dpvs__stats_show__init(req->stats_show);
	req->op_case = DPVS__REQUEST__OP_STATS_SHOW;
	return CTL_CLI_OK;
}

static int
parse_worker_show(int argc, char *const argv[], Dpvs__Request *req, char *err, size_t errlen)
{
	int rc = cli_no_args(argc, argv, err, errlen);

	if (rc != CTL_CLI_OK)
		return rc;
	req->worker_show = ctl_pb_alloc(sizeof(*req->worker_show));
	dpvs__worker_show__init(req->worker_show);
	req->op_case = DPVS__REQUEST__OP_WORKER_SHOW;
	return CTL_CLI_OK;
}

static int
parse_worker_restart(int argc, char *const argv[], Dpvs__Request *req, char *err,
		     size_t errlen)
{
	unsigned long v;
	char *end;

	if (argc != 1) {
		snprintf(err, errlen, "worker restart takes one worker id");
		return CTL_CLI_USAGE;
	}
	v = strtoul(argv[0], &end, 10);
	if (argv[0][0] < '0' || argv[0][0] > '9' || *end != '\0' || v > 1000) {
		snprintf(err, errlen, "worker restart %s: not a worker id", argv[0]);
		return CTL_CLI_BADARG;
	}
	req->worker_restart = ctl_pb_alloc(sizeof(*req->worker_restart));
	dpvs__worker_restart__init(req->worker_restart);
	req->worker_restart->id = (uint32_t)v;
	req->op_case = DPVS__REQUEST__OP_WORKER_RESTART;
	return CTL_CLI_OK;
}

static int
parse_worker_upgrade(int argc, char *const argv[], Dpvs__Request *req, char *err,
		     size_t errlen)
{
	if (argc != 1) {
		snprintf(err, errlen, "worker upgrade takes the path of a dpvs-worker binary");
		return CTL_CLI_USAGE;
	}
	if (argv[0][0] != '/' || strlen(argv[0]) >= 256) {
		snprintf(err, errlen, "worker upgrade %s: give an absolute path (under 256 "
			 "characters)", argv[0]);
		return CTL_CLI_BADARG;
	}
	req->worker_upgrade = ctl_pb_alloc(sizeof(*req->worker_upgrade));
	dpvs__worker_upgrade__init(req->worker_upgrade);
	req->worker_upgrade->path = ctl_pb_strdup(argv[0]);
	req->op_case = DPVS__REQUEST__OP_WORKER_UPGRADE;
	return CTL_CLI_OK;
}

static int
parse_version(int argc, char *const argv[], Dpvs__Request *req, char *err, size_t errlen)
{
	int rc = cli_no_args(argc, argv, err, errlen);

	if (rc != CTL_CLI_OK)
		return rc;
	req->version_show = ctl_pb_alloc(sizeof(*req->version_show));
	dpvs__version_show__init(req->version_show);
	req->op_case = DPVS__REQUEST__OP_VERSION_SHOW;
	return CTL_CLI_OK;
}

static const struct cli_command cli_commands[] = {
	{ "addr", "add", parse_addr_add, "addr add ADDR[/LEN] dev PORT", true, false },
	{ "addr", "del", parse_addr_del, "addr del ADDR[/LEN] dev PORT", true, false },
	{ "addr", "show", parse_addr_show, "addr show [dev PORT]", false, true },
	{ "neigh", "show", parse_neigh_show, "neigh show [dev PORT]", false, true },
	{ "stats", NULL, parse_stats, "stats", false, false },
	{ "stats", "show", parse_stats, NULL, false, false },
	{ "worker", "show", parse_worker_show, "worker show", false, true },
	{ "worker", "restart", parse_worker_restart, "worker restart N   (planned, lossless)",
	  false, false },
	{ "worker", "upgrade", parse_worker_upgrade, "worker upgrade PATH   (roll the worker "
	  "binary PATH in, one worker at a time)", false, false },
	{ "version", NULL, parse_version, "version", false, false },
	/* the load balancer, in ipvsadm's words */
	{ "-A", NULL, ctl_cli_svc_add, "-A -t|-u VIP:PORT|-H MATCH "
	  "[-s rr|wrr|lc|wlc|mh|conhash] [-b hash-port] [--synproxy on|off] "
	  "[--proxy-protocol v1|v2|off] [--toa on|off] [RATE...]", true, false },
	{ "--add-service", NULL, ctl_cli_svc_add, NULL, true, false },
	{ "-E", NULL, ctl_cli_svc_edit, "-E -t|-u VIP:PORT|-H MATCH [-s SCHED] "
	  "[-b hash-port|none] [--synproxy on|off] [--proxy-protocol v1|v2|off] [--toa on|off] "
	  "[RATE...]", true, false },
	{ "--edit-service", NULL, ctl_cli_svc_edit, NULL, true, false },
	{ "-D", NULL, ctl_cli_svc_del, "-D -t|-u VIP:PORT|-H MATCH", true, false },
	{ "--delete-service", NULL, ctl_cli_svc_del, NULL, true, false },
	{ "-a", NULL, ctl_cli_dest_add, "-a -t|-u VIP:PORT|-H MATCH -r RS[:PORT] "
	  "[-b fnat|nat|dr|tunnel|snat | -m|-g|-i|-J] [-w WEIGHT] [-x UPPER] [-y LOWER] "
	  "[RATE...]", true, false },
	{ "--add-server", NULL, ctl_cli_dest_add, NULL, true, false },
	{ "-e", NULL, ctl_cli_dest_edit, "-e -t|-u VIP:PORT|-H MATCH -r RS[:PORT] [-b MODE] "
	  "[-w WEIGHT] [-x UPPER] [-y LOWER] [RATE...]\n      RATE: --rate-in|--rate-out N[pps][:BURST], "
	  "--rate-in-bytes|--rate-out-bytes N[K|M|G][:BURST] (0: no limit)", true, false },
	{ "--edit-server", NULL, ctl_cli_dest_edit, NULL, true, false },
	{ "-d", NULL, ctl_cli_dest_del, "-d -t|-u VIP:PORT|-H MATCH -r RS[:PORT]", true, false },
	{ "--delete-server", NULL, ctl_cli_dest_del, NULL, true, false },
	{ "-L", NULL, ctl_cli_list, "-L -n [--stats] [-t|-u VIP:PORT|-H MATCH] | -L -n -c | "
	  "-L --timeout\n      MATCH: proto=tcp|udp and any of src-range=A[-B][:P[-Q]], "
	  "dst-range=..., iif=PORT, oif=PORT (commas between)", false, false },
	{ "-l", NULL, ctl_cli_list, NULL, false, false },
	{ "--list", NULL, ctl_cli_list, NULL, false, false },
	{ "laddr", "add", ctl_cli_laddr_add, "laddr add -t|-u VIP:PORT ADDR dev PORT", true,
	  false },
	{ "laddr", "del", ctl_cli_laddr_del, "laddr del -t|-u VIP:PORT ADDR [dev PORT]", true,
	  false },
	{ "laddr", "show", ctl_cli_laddr_show, "laddr show [-t|-u VIP:PORT]", false, true },
	{ "route", "add", ctl_cli_route_add, "route add PREFIX[/LEN] [via GW] dev PORT", true,
	  false },
	{ "route", "del", ctl_cli_route_del, "route del PREFIX[/LEN] [via GW] [dev PORT]", true,
	  false },
	{ "route", "show", ctl_cli_route_show, "route show", false, true },
	{ "neigh", "add", ctl_cli_neigh_add, "neigh add ADDR lladdr MAC dev PORT", true, false },
	{ "neigh", "del", ctl_cli_neigh_del, "neigh del ADDR dev PORT", true, false },
	{ "port", "set", ctl_cli_port_set, "port set PORT forward|forward2kni on|off", true, false },
	{ "port", "show", ctl_cli_port_show, "port show [PORT]", false, true },
	{ "vlan", "add", ctl_cli_vlan_add, "vlan add NAME dev PORT id ID", true, false },
	{ "vlan", "del", ctl_cli_vlan_del, "vlan del NAME", true, false },
	{ "vlan", "show", ctl_cli_vlan_show, "vlan show [NAME]", false, true },
	{ "conn", "show", ctl_cli_conn_show, "conn show", false, true },
	{ "--set", NULL, ctl_cli_timeout_ipvs, "--set TCP TCPFIN UDP   (timeouts in seconds; 0: "
	  "unchanged)", true, false },
	{ "timeout", "set", ctl_cli_timeout_set, "timeout set tcp|tcpfin|udp SECONDS | timeout "
	  "set tcp STATE SECONDS", true, false },
	{ "timeout", "show", ctl_cli_timeout_show, "timeout show", false, true },
	{ "save", NULL, ctl_cli_save, "save", false, false },
	{ "-S", NULL, ctl_cli_save, NULL, false, false },
	{ "--save", NULL, ctl_cli_save, NULL, false, false },
	{ "reload", NULL, ctl_cli_reload, "reload   # re-read the rules file given to "
	  "dpvs-primary --rules", false, false },
	{ "blklst", "add", ctl_cli_blklst_add, "blklst add -t|-u VIP:PORT ADDR[/LEN]", true,
	  false },
	{ "blklst", "del", ctl_cli_blklst_del, "blklst del -t|-u VIP:PORT ADDR[/LEN]", true,
	  false },
	{ "blklst", "show", ctl_cli_blklst_show, "blklst show [-t|-u VIP:PORT]", false, true },
	{ "whtlst", "add", ctl_cli_whtlst_add, "whtlst add -t|-u VIP:PORT ADDR[/LEN]", true,
	  false },
	{ "whtlst", "del", ctl_cli_whtlst_del, "whtlst del -t|-u VIP:PORT ADDR[/LEN]", true,
	  false },
	{ "whtlst", "show", ctl_cli_whtlst_show, "whtlst show [-t|-u VIP:PORT]", false, true },
	{ "check", "set", ctl_cli_check_set, "check set -t|-u VIP:PORT [-r RS[:PORT]] "
	  "tcp|http|https|udp|cmd \"COMMAND\" [--interval S] [--timeout S] [--rise N] [--fall N] "
	  "[--port P] [--path PATH] [--expect STATUS] [--send HEX] [--expect-data HEX]", true,
	  false },
	{ "check", "del", ctl_cli_check_del, "check del -t|-u VIP:PORT [-r RS[:PORT]]", true,
	  false },
};
#define CLI_NCOMMANDS (sizeof(cli_commands) / sizeof(cli_commands[0]))

const char *
ctl_cli_usage(void)
{
	static char text[6144];
	size_t off, i;

	if (text[0] != '\0')
		return text;
	off = (size_t)snprintf(text, sizeof(text),
			       "usage: dpvsctl [-s SOCKET] [--json] COMMAND\ncommands:\n");
	for (i = 0; i < CLI_NCOMMANDS && off < sizeof(text); i++)
		if (cli_commands[i].usage != NULL)
			off += (size_t)snprintf(text + off, sizeof(text) - off, "  %s\n",
						cli_commands[i].usage);
	return text;
}

/* Find the row for the object and verb in argv; *used = words consumed. */
static const struct cli_command *
cli_find(int argc, char *const argv[], int *used)
{
	const struct cli_command *dflt = NULL, *alone = NULL;
	size_t i;

	for (i = 0; i < CLI_NCOMMANDS; i++) {
		const struct cli_command *c = &cli_commands[i];

		if (strcmp(c->object, argv[0]) != 0)
			continue;
		if (c->verb == NULL)
			alone = c;
		else if (argc > 1 && strcmp(c->verb, argv[1]) == 0) {
			*used = 2;
			return c;
		} else if (c->is_default)
			dflt = c;
	}
	*used = 1;
	if (alone != NULL)
		return alone;
	if (dflt != NULL && argc == 1)
		return dflt;
	return NULL;
}

int
ctl_cli_parse(int argc, char *const argv[], struct ctl_cli_cmd *cmd, char *err, size_t errlen)
{
	char *words[CTL_CLI_MAX_ARGS];
	const struct cli_command *c;
	int i, n = 0, used, rc;

	memset(cmd, 0, sizeof(*cmd));
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 && i > 0) {
			cmd->json = true;
			continue;
		}
		if (n == CTL_CLI_MAX_ARGS)
			return dpvs_errf(err, errlen, CTL_CLI_USAGE, "too many words");
		words[n++] = argv[i];
	}
	if (n == 0)
		return dpvs_errf(err, errlen, CTL_CLI_USAGE, "missing command");
	c = cli_find(n, words, &used);
	if (c == NULL) {
		if (n > 1)
			return dpvs_errf(err, errlen, CTL_CLI_USAGE, "unknown command \"%s %s\"",
				       words[0], words[1]);
		return dpvs_errf(err, errlen, CTL_CLI_USAGE, "unknown command \"%s\"", words[0]);
	}
	cmd->req = ctl_pb_alloc(sizeof(*cmd->req));
	dpvs__request__init(cmd->req);
	rc = c->parse(n - used, words + used, cmd->req, err, errlen);
	if (rc != CTL_CLI_OK) {
		ctl_cli_cmd_free(cmd);
		return rc;
	}
	cmd->mutation = c->mutation;
	return CTL_CLI_OK;
}

void
ctl_cli_cmd_free(struct ctl_cli_cmd *cmd)
{
	if (cmd->req != NULL)
		dpvs__request__free_unpacked(cmd->req, NULL);
	cmd->req = NULL;
}

/* A word in double quotes at p (the opening quote): unescape \" and \\ in
 * place; returns the character after the closing quote, or NULL when there
 * is none. */
static char *
split_quoted(char *p)
{
	char *w = p, *r = p + 1;

	for (; *r != '\0' && *r != '"'; r++) {
		if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
			r++;
		*w++ = *r;
	}
	if (*r != '"')
		return NULL;
	*w = '\0';
	return r + 1;
}

int
ctl_cli_split(char *line, char **argv, int max)
{
	char *p = line;
	int n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p == '\0' || *p == '#')
			return n;
		if (n == max)
			return -1;
		argv[n++] = p;
		if (*p == '"') {
			p = split_quoted(p);
			if (p == NULL)
				return CTL_CLI_SPLIT_QUOTE;
			if (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
				return CTL_CLI_SPLIT_QUOTE;
			if (*p == '\0')
				return n;
			p++;
			continue;
		}
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			p++;
		if (*p == '\0')
			return n;
		*p++ = '\0';
	}
}

int
ctl_cli_timeout_ms(const Dpvs__Request *req)
{
	const int margin = 5000;

	switch (req->op_case) {
	case DPVS__REQUEST__OP_WORKER_RESTART:
		return CTL_RESTART_TIMEOUT_MS + margin;
	case DPVS__REQUEST__OP_WORKER_UPGRADE:
		return CTL_UPGRADE_TIMEOUT_MS + margin;
	default:
		return CTL_CLIENT_TIMEOUT_MS;
	}
}
