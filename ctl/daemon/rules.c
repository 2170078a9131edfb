/*
 * The rules-file loader (see ctl/rules.h). Each line goes through the same
 * argv parser as dpvsctl (ctl/common/cli.c) and becomes the same operation
 * as a socket request (apply.c, change.h); the file is applied as one
 * change: on a scratch copy (plain sets), or on the inactive copy and then
 * published (a running node). The first bad line stops it with "line N: ...".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/common/cli.h"
#include "ctl/daemon/apply.h"
#include "ctl/daemon/beat.h"
#include "ctl/daemon/change.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "ctl/rules.h"

/* One line into an operation (*op_made 0 for a blank or comment line). */
static int
rules_line(const struct dpvs_root *root, char *line, struct ctl_op *op, int *op_made,
	   char *msg, size_t msglen)
{
	char *argv[CTL_CLI_MAX_ARGS];
	struct ctl_cli_cmd cmd;
	int argc, rc;

	*op_made = 0;
	argc = ctl_cli_split(line, argv, CTL_CLI_MAX_ARGS);
	if (argc == 0)
		return 0;
	if (argc == CTL_CLI_SPLIT_QUOTE)
		return dpvs_errf(msg, msglen, -CTL_EINVAL, "a quoted word is not closed");
	if (argc < 0)
		return dpvs_errf(msg, msglen, -CTL_EINVAL, "too many words");
	rc = ctl_cli_parse(argc, argv, &cmd, msg, msglen);
	if (rc != CTL_CLI_OK)
		return -CTL_EINVAL;
	if (!cmd.mutation || !ctl_request_is_mutation(cmd.req))
		rc = dpvs_errf(msg, msglen, -CTL_EINVAL,
			      "\"%s\" does not belong in a rules file", argv[0]);
	else
		rc = ctl_op_from_request(root, cmd.req, op, msg, msglen);
	ctl_cli_cmd_free(&cmd);
	*op_made = rc == 0;
	return rc;
}

int
ctl_rules_parse(const struct dpvs_root *root, const char *path, struct ctl_oplist *ops,
		char *err, size_t errlen)
{
	char msg[256] = "", *line = NULL;
	unsigned int lineno = 0;
	struct ctl_op op;
	size_t cap = 0;
	ssize_t n;
	int rc = 0, made;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL)
		return dpvs_errf(err, errlen, -CTL_EIO, "cannot open %s: %s", path,
				strerror(errno));
	while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
		struct ctl_op *slot;

		lineno++;
		if ((lineno & 1023) == 0)
			ctl_beat(); /* a long file is slow to read, not hung (beat.h) */
		/* a NUL would silently cut the line short */
		if ((size_t)n != strlen(line)) {
			rc = dpvs_errf(err, errlen, -CTL_EINVAL, "line %u: contains a NUL byte",
				      lineno);
			break;
		}
		rc = rules_line(root, line, &op, &made, msg, sizeof(msg));
		if (rc != 0) {
			dpvs_errf(err, errlen, rc, "line %u: %s", lineno, msg);
			break;
		}
		if (!made)
			continue;
		slot = ctl_oplist_push(ops);
		if (slot == NULL) {
			rc = dpvs_errf(err, errlen, -CTL_ENOMEM, "out of memory");
			break;
		}
		*slot = op;
		slot->line = lineno;
	}
	if (rc == 0 && ferror(f))
		rc = dpvs_errf(err, errlen, -CTL_EIO, "cannot read %s", path);
	free(line);
	fclose(f);
	return rc;
}

int
ctl_rules_apply(struct dpvs_config_set *set, const struct dpvs_root *root, const char *path,
		char *err, size_t errlen)
{
	struct ctl_oplist ops = { 0 };
	struct dpvs_config_set *scratch;
	size_t failed = 0;
	int rc;

	rc = ctl_rules_parse(root, path, &ops, err, errlen);
	if (rc != 0)
		goto out;
	scratch = ctl_set_dup(set);
	if (scratch == NULL) {
		rc = dpvs_errf(err, errlen, -CTL_ENOMEM, "out of memory");
		goto out;
	}
	ctl_lb_prepare(&scratch->lb);
	rc = ctl_ops_apply(scratch, root, ops.v, ops.n, &failed, err, errlen);
	if (rc != 0) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", err);
		dpvs_errf(err, errlen, rc, "line %u: %s", ops.v[failed].line, msg);
	} else {
		uint32_t copy = set->copy;

		memcpy(set, scratch, scratch->size);
		set->copy = copy;
	}
	free(scratch);
out:
	ctl_oplist_free(&ops);
	return rc;
}

int
ctl_rules_load(struct dpvs_shm *shm, const char *path, char *err, size_t errlen)
{
	struct ctl_oplist ops = { 0 };
	int rc;

	rc = ctl_rules_parse(shm->root, path, &ops, err, errlen);
	if (rc == 0)
		rc = ctl_change_run(shm, ops.v, ops.n, err, errlen);
	ctl_oplist_free(&ops);
	return rc;
}
