/*
 * The dpvsctl command language: argv (the words after `dpvsctl` and its global
 * options) in, a protobuf Request out. Shared by the client and by dpvs-ctl's
 * rules-file loader, so a line of the rules file and a command line mean the
 * same thing. No DPDK, no I/O, no global state.
 *
 * A new command is a new row in the command table of cli.c.
 */
#ifndef DPVS_CTL_CLI_H
#define DPVS_CTL_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/dpvs.pb-c.h"

/* Return values of ctl_cli_parse(). */
#define CTL_CLI_OK      0
#define CTL_CLI_BADARG  (-1)  /* a value is wrong: err says which */
#define CTL_CLI_USAGE   (-2)  /* unknown command or wrong shape: print usage */

#define CTL_CLI_MAX_ARGS 64

struct ctl_cli_cmd {
	Dpvs__Request *req;   /* owned; free with ctl_cli_cmd_free() */
	bool json;            /* --json was given after the command word */
	bool mutation;        /* the command changes the configuration */
};

/*
 * Parse argv[0..argc-1] (e.g. {"addr", "add", "10.0.0.1/24", "dev", "dpdk0"}).
 * `--json` is accepted anywhere after the first word. On success fills cmd
 * and returns CTL_CLI_OK; otherwise returns CTL_CLI_BADARG or CTL_CLI_USAGE
 * with a one-line message in err and cmd->req == NULL.
 */
int ctl_cli_parse(int argc, char *const argv[], struct ctl_cli_cmd *cmd, char *err,
		  size_t errlen);

void ctl_cli_cmd_free(struct ctl_cli_cmd *cmd);

/* Multi-line usage text for every command. */
const char *ctl_cli_usage(void);

/* How long dpvs-ctl waits for the primary to finish a worker restart or an
 * upgrade (ctl/daemon/workerops.c), and dpvsctl for any other answer. */
#define CTL_RESTART_TIMEOUT_MS 40000
#define CTL_UPGRADE_TIMEOUT_MS 120000
#define CTL_CLIENT_TIMEOUT_MS  15000

/* How long dpvsctl waits for the answer to req: a restart's or an
 * upgrade's the daemon's own wait and 5 s more (it answers when that ends,
 * so the client never gives up on a request still in work), any other
 * CTL_CLIENT_TIMEOUT_MS. */
int ctl_cli_timeout_ms(const Dpvs__Request *req);

/*
 * Split a rules-file line in place into words (whitespace separated; a word
 * starting with '#' starts a comment that runs to the end of the line; a
 * word in double quotes may hold spaces and '#', with \" and \\ for a quote
 * and a backslash). Returns the number of words, -1 if there are more than
 * max, or CTL_CLI_SPLIT_QUOTE for a quote not closed (or not followed by a
 * space).
 */
#define CTL_CLI_SPLIT_QUOTE (-2)
int ctl_cli_split(char *line, char **argv, int max);

/*
 * Parse "ADDR" or "ADDR/LEN" (IPv4 or IPv6) into an Ip message's parts:
 * family (4 or 6), 16 bytes (IPv4 in the first 4) and the prefix length
 * (32/128 if absent). Returns 0 or CTL_CLI_BADARG with a message in err.
 */
int ctl_cli_parse_prefix(const char *text, int *family, unsigned char bytes[16],
			 unsigned int *prefixlen, char *err, size_t errlen);

#endif
