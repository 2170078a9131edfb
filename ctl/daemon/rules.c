/*
 * The rules-file loader (see ctl/rules.h). Each line goes through the same
 * argv parser as dpvsctl (ctl/common/cli.c) and the same front doors as a
 * socket request (apply.c), on a scratch copy of the config set that replaces
 * the original only if every line succeeded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/common/cli.h"
#include "ctl/daemon/apply.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "ctl/daemon/publish.h"
#include "ctl/rules.h"

/* One line: parse and apply to set. */
static int
rules_line(struct dpvs_config_set *set, const struct dpvs_root *root, char *line,
	   char *msg, size_t msglen)
{
	char *argv[CTL_CLI_MAX_ARGS];
	struct ctl_cli_cmd cmd;
	int argc, rc;

	argc = ctl_cli_split(line, argv, CTL_CLI_MAX_ARGS);
	if (argc == 0)
		return 0;
	if (argc < 0)
		return dpvs_errf(msg, msglen, -CTL_EINVAL, "too many words");
	rc = ctl_cli_parse(argc, argv, &cmd, msg, msglen);
	if (rc != CTL_CLI_OK)
		return -CTL_EINVAL;
	if (!cmd.mutation || !ctl_request_is_mutation(cmd.req))
		rc = dpvs_errf(msg, msglen, -CTL_EINVAL,
			      "\"%s\" does not belong in a rules file", argv[0]);
	else
		rc = ctl_apply_request(set, root, cmd.req, msg, msglen);
	ctl_cli_cmd_free(&cmd);
	return rc;
}

int
ctl_rules_apply(struct dpvs_config_set *set, const struct dpvs_root *root, const char *path,
		char *err, size_t errlen)
{
	struct dpvs_config_set *scratch;
	char msg[256] = "";
	unsigned int lineno = 0;
	size_t cap = 0;
	char *line = NULL;
	ssize_t n;
	FILE *f;
	int rc = 0;

	f = fopen(path, "r");
	if (f == NULL)
		return dpvs_errf(err, errlen, -CTL_EIO, "cannot open %s: %s", path,
				strerror(errno));
	scratch = malloc(sizeof(*scratch));
	if (scratch == NULL) {
		fclose(f);
		return dpvs_errf(err, errlen, -CTL_ENOMEM, "out of memory");
	}
	memcpy(scratch, set, sizeof(*scratch));
	ctl_lb_prepare(&scratch->lb);
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		/* a NUL would silently cut the line short */
		if ((size_t)n != strlen(line)) {
			rc = dpvs_errf(err, errlen, -CTL_EINVAL, "line %u: contains a NUL byte",
				      lineno);
			break;
		}
		rc = rules_line(scratch, root, line, msg, sizeof(msg));
		if (rc != 0) {
			dpvs_errf(err, errlen, rc, "line %u: %s", lineno, msg);
			break;
		}
	}
	if (rc == 0 && ferror(f))
		rc = dpvs_errf(err, errlen, -CTL_EIO, "cannot read %s", path);
	if (rc == 0) {
		ctl_lb_derive(scratch);
		memcpy(set, scratch, sizeof(*set));
	}
	free(line);
	free(scratch);
	fclose(f);
	return rc;
}

int
ctl_rules_load(struct dpvs_shm *shm, const char *path, char *err, size_t errlen)
{
	struct dpvs_config_set *set;
	int rc;

	rc = ctl_publish_begin(shm, &set, err, errlen);
	if (rc != 0)
		return rc;
	rc = ctl_rules_apply(set, shm->root, path, err, errlen);
	if (rc != 0)
		return rc;
	return ctl_publish_commit(shm, err, errlen);
}
