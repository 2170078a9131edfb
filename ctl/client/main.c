/*
 * dpvsctl: the command-line client of dpvs-ctl. No EAL, no hugepages: it
 * parses its arguments into a protobuf Request (ctl/common/cli.c), sends it
 * as one frame over the unix socket, and prints the Response as text or JSON.
 *
 *   dpvsctl [-s SOCKET] [--json] COMMAND ...     (--json also after COMMAND)
 *
 * -s SOCKET is recognised only before the command word: in `dpvsctl -A -t
 * VIP:PORT -s rr` the -s is ipvsadm's scheduler.
 *
 * Exit status: 0 success, 1 the request failed (bad value, or the daemon
 * refused it: nothing changed), 2 usage error, 3 cannot reach dpvs-ctl.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/common/cli.h"
#include "ctl/common/escape.h"
#include "ctl/common/fmt.h"
#include "ctl/common/frame.h"
#include "ctl/common/pb.h"

#define EXIT_FAILED  1
#define EXIT_USAGE   2
#define EXIT_CONNECT 3

/* "dpvsctl: MSG" on stderr, MSG's control characters escaped: a message
 * may echo what was typed or what the daemon was sent. */
static void
print_error(const char *msg)
{
	char buf[1024];

	fprintf(stderr, "dpvsctl: %s\n", ctl_escape(msg, buf, sizeof(buf)));
}

static int
usage_exit(const char *msg)
{
	if (msg != NULL)
		print_error(msg);
	fputs(ctl_cli_usage(), stderr);
	return EXIT_USAGE;
}

/* Send the request, receive and print the response; returns the exit code. */
static int
transact(const char *path, const struct ctl_cli_cmd *cmd, bool json)
{
	Dpvs__Response *resp;
	uint8_t *out, *in;
	size_t outlen, inlen;
	int fd, rc, ret, timeout_ms;

	fd = ctl_frame_connect(path);
	if (fd < 0) {
		fprintf(stderr, "dpvsctl: cannot connect to %s: %s%s\n", path, strerror(-fd),
			fd == -EACCES ? " (run as root or as a member of the socket's group)"
				      : ": is dpvs-primary running?");
		return EXIT_CONNECT;
	}
	out = ctl_pb_pack_request(cmd->req, &outlen);
	if (out == NULL) {
		close(fd);
		fprintf(stderr, "dpvsctl: out of memory\n");
		return EXIT_FAILED;
	}
	timeout_ms = ctl_cli_timeout_ms(cmd->req);
	rc = ctl_frame_send(fd, out, outlen, timeout_ms);
	free(out);
	/* even if the daemon closed early, its reply may be waiting: read it */
	if (rc == 0 || rc == -EPIPE || rc == -ECONNRESET)
		rc = ctl_frame_recv(fd, &in, &inlen, CTL_FRAME_MAX, timeout_ms);
	close(fd);
	if (rc != 0) {
		fprintf(stderr, "dpvsctl: talking to %s: %s\n", path, strerror(-rc));
		return EXIT_CONNECT;
	}
	resp = dpvs__response__unpack(NULL, inlen, in);
	free(in);
	if (resp == NULL) {
		fprintf(stderr, "dpvsctl: malformed response from %s\n", path);
		return EXIT_CONNECT;
	}
	if (resp->status != DPVS__STATUS__OK) {
		print_error(resp->message[0] != '\0' ? resp->message
						     : ctl_pb_status_name(resp->status));
		ret = EXIT_FAILED;
	} else {
		ctl_fmt_response(stdout, resp, json);
		ret = fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILED;
	}
	dpvs__response__free_unpacked(resp, NULL);
	return ret;
}

int
main(int argc, char **argv)
{
	const char *path = CTL_DEFAULT_SOCKET;
	struct ctl_cli_cmd cmd;
	bool json = false;
	char err[256];
	int i, rc;

	/* dpvsctl's own options come before the command word; after it, -s is
	 * ipvsadm's scheduler and -h... belongs to the command */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "--socket") == 0) {
			if (i + 1 >= argc)
				return usage_exit("-s needs a socket path");
			path = argv[++i];
		} else if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0) {
			json = true;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(ctl_cli_usage(), stdout);
			return EXIT_SUCCESS;
		} else {
			break;
		}
	}
	rc = ctl_cli_parse(argc - i, argv + i, &cmd, err, sizeof(err));
	if (rc == CTL_CLI_USAGE)
		return usage_exit(err);
	if (rc != CTL_CLI_OK) {
		print_error(err);
		return EXIT_FAILED;
	}
	rc = transact(path, &cmd, json || cmd.json);
	ctl_cli_cmd_free(&cmd);
	return rc;
}
