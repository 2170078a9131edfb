/*
 * fuzz_ctl: a bounded, deterministic fuzz of the control plane's input
 * parsers, meant to run under AddressSanitizer and UBSan (`make asan`,
 * tests/unit/run_asan.sh). Valid inputs are mutated (bit flips, truncation,
 * ranges deleted and duplicated, protobuf fields duplicated, their lengths and
 * varints made huge or out of range, embedded NULs, long words, huge numbers)
 * or replaced by random bytes, from a fixed seed and iteration count:
 *   req   packed Requests: decoded, checked for NULs, applied to a heap copy
 *         of the config set (ctl_apply_request); a refused one must leave
 *         the set byte for byte unchanged
 *   shm   the same bytes through the daemon's dispatch ctl_handle() on a
 *         node's shm made in this process (EAL --no-huge, no device): every
 *         show too; a refused change must leave the generation and the active
 *         set unchanged. Restart, upgrade and reload (requests to the primary)
 *         are left out.
 *   rules rules files (ctl_rules_apply on the heap copy; all or nothing)
 *   argv  dpvsctl's argument parser (ctl_cli_parse) on mutated word lists
 *   conf  dpvs.conf (conf_parse of primary/conf.c)
 *   reload a reload of the shm (ctl_reload) from a mutated rules file:
 *         refused, the running set is unchanged; accepted, it saves as
 *         the file applied to an empty set does
 *   resp  dpvsctl's output (ctl_fmt_response, text and JSON) of the shows'
 *         answers, mutated (needs shm)
 * Every input must be accepted or refused with an error; a crash or a
 * sanitizer report ends the process with a failure.
 *
 * usage: fuzz_ctl [-s SEED] [-n ITERATIONS] [-m req,shm,rules,argv,conf,resp,reload] [-v]
 * Exit status 0 if every check held.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_log.h>

#include "ctl/common/cli.h"
#include "ctl/common/fmt.h"
#include "ctl/common/pb.h"
#include "ctl/daemon/apply.h"
#include "ctl/daemon/handler.h"
#include "ctl/daemon/lb.h"
#include "ctl/daemon/reload.h"
#include "ctl/rules.h"
#include "primary/conf.h"
#include "shm/eal.h"
#include "test_ctl_util.h"
#include "fuzz_mut.h"
#include "fuzz_corpus.h"

struct fz {
	struct fz_rng rng;
	struct dpvs_root *root;
	struct dpvs_config_set *set, *base, *copy, *tgt;
	struct dpvs_shm shm;
	int have_shm;
	struct fz_buf packed[NSEEDS];   /* the seeds as packed Requests */
	struct fz_buf answers[NSEEDS];  /* the shows' packed Responses (shm) */
	FILE *devnull;
	int verbose;
	unsigned long accepted, refused, malformed;
};

static void
die(const char *mode, unsigned long it, const char *what)
{
	fprintf(stderr, "fuzz_ctl: FAIL %s iteration %lu: %s\n", mode, it, what);
	exit(EXIT_FAILURE);
}

/* A file whose path names the bytes buf[0..len) (a memfd: no disk). */
static const char *
fz_file(const void *buf, size_t len)
{
	static char path[64];
	static int fd = -1;

	if (fd < 0) {
		fd = memfd_create("fuzz_ctl", 0);
		if (fd < 0) {
			perror("memfd_create");
			exit(EXIT_FAILURE);
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, len, 0) != (ssize_t)len) {
		perror("memfd write");
		exit(EXIT_FAILURE);
	}
	return path;
}

/* The packed Request of a command line (for the seeds; exits if it does not
 * parse: the corpus must stay valid). */
static void
pack_seed(const char *line, struct fz_buf *out)
{
	char *argv[CTL_CLI_MAX_ARGS], *dup = strdup(line), err[256];
	struct ctl_cli_cmd cmd;
	uint8_t *p;
	size_t n;
	int argc = ctl_cli_split(dup, argv, CTL_CLI_MAX_ARGS);

	if (argc <= 0 || ctl_cli_parse(argc, argv, &cmd, err, sizeof(err)) != CTL_CLI_OK) {
		fprintf(stderr, "fuzz_ctl: seed \"%s\" does not parse: %s\n", line, err);
		exit(EXIT_FAILURE);
	}
	p = ctl_pb_pack_request(cmd.req, &n);
	fz_buf_set(out, p, n);
	free(p);
	ctl_cli_cmd_free(&cmd);
	free(dup);
}

static int
to_primary(const Dpvs__Request *r)
{
	return r->op_case == DPVS__REQUEST__OP_WORKER_RESTART ||
	       r->op_case == DPVS__REQUEST__OP_WORKER_UPGRADE ||
	       r->op_case == DPVS__REQUEST__OP_RELOAD;
}

/* The derived tables of the set rebuilt from scratch, on a copy (derive.c
 * over the states the fuzz reaches; the result is not compared). */
static void
derive_copy(struct fz *f)
{
	TCTL_COPY(f->copy, f->set);
	ctl_lb_derive(f->copy);
}

/* One mutated request against the heap copy. */
static void
one_req(struct fz *f, const struct fz_buf *in, unsigned long it)
{
	Dpvs__Request *req = dpvs__request__unpack(NULL, in->len, in->p);
	char err[512] = "";
	int rc;

	if (req == NULL) {
		f->malformed++;
		return;
	}
	if (ctl_pb_find_nul(&dpvs__request__descriptor, in->p, in->len, 0) != NULL ||
	    !ctl_request_is_mutation(req)) {
		dpvs__request__free_unpacked(req, NULL);
		f->refused++;
		return;
	}
	TCTL_COPY(f->copy, f->set);
	rc = ctl_apply_request(f->set, f->root, req, err, sizeof(err));
	if (rc != 0) {
		f->refused++;
		if (err[0] == '\0')
			die("req", it, "refused without a message");
		if (!TCTL_SAME(f->set, f->copy))
			die("req", it, "a refused request changed the set (half-applied)");
	} else {
		f->accepted++;
		if ((f->accepted & 15) == 0)
			derive_copy(f);
	}
	if (f->verbose > 1)
		fprintf(stderr, "req %lu: op %d rc %d %s\n", it, (int)req->op_case, rc, err);
	dpvs__request__free_unpacked(req, NULL);
}

/* The same bytes through ctl_handle() on the node's shm. */
static void
one_shm(struct fz *f, const struct fz_buf *in, unsigned long it)
{
	const struct dpvs_config_set *act;
	Dpvs__Request *req = dpvs__request__unpack(NULL, in->len, in->p);
	Dpvs__Response *resp;
	uint64_t gen = f->shm.root->config.generation;
	int mut = 0, decoded = req != NULL, rc;
	uint8_t *out = NULL;
	size_t outlen = 0;

	if (req != NULL) {
		if (to_primary(req)) {
			dpvs__request__free_unpacked(req, NULL);
			return;
		}
		mut = ctl_request_is_mutation(req);
		dpvs__request__free_unpacked(req, NULL);
	}
	act = dpvs_config_active(&f->shm);
	TCTL_COPY(f->copy, act);
	rc = (f->rng.s & 1) ? ctl_handle(&f->shm, in->p, in->len, &out, &outlen)
			    : ctl_handle_readonly(&f->shm, in->p, in->len, &out, &outlen);
	fz_next(&f->rng);
	if (out == NULL)
		die("shm", it, "no response");
	if ((rc != 0) != !decoded)
		die("shm", it, "ctl_handle's status does not match the decoding");
	resp = dpvs__response__unpack(NULL, outlen, out);
	if (resp == NULL)
		die("shm", it, "the response does not decode");
	if (resp->status != DPVS__STATUS__OK) {
		if (resp->message == NULL || resp->message[0] == '\0')
			die("shm", it, "an error without a message");
		if (f->shm.root->config.generation != gen)
			die("shm", it, "a refused request published a generation");
		if (!TCTL_SAME_TABLES(dpvs_config_active(&f->shm), f->copy))
			die("shm", it, "a refused request changed the active set");
	} else if (!mut && f->shm.root->config.generation != gen) {
		die("shm", it, "a show published a generation");
	}
	/* the change was replayed on the other copy: both hold the same tables */
	if (!TCTL_SAME_TABLES(f->shm.set[0], f->shm.set[1]))
		die("shm", it, "the two config set copies differ");
	dpvs__response__free_unpacked(resp, NULL);
	free(out);
}

/* dpvsctl's output (text and JSON) of a show's answer, mutated: what a
 * client prints of whatever the socket sent. */
static void
one_resp(struct fz *f, unsigned long it)
{
	uint32_t k = NCONF + fz_below(&f->rng, NSEEDS - NCONF);
	struct fz_buf b = { 0 }, ex;
	Dpvs__Response *resp;

	fz_buf_copy(&b, &f->answers[k]);
	if (fz_below(&f->rng, 4) == 0)
		fz_mutate_bytes(&f->rng, &b, 1 + fz_below(&f->rng, 3), NULL);
	else
		fz_mutate_pb(&f->rng, &b, 1 + fz_below(&f->rng, 3));
	ex = (struct fz_buf){ fz_exact(&b), b.len, b.len };
	resp = dpvs__response__unpack(NULL, ex.len, ex.p);
	if (resp != NULL) {
		ctl_fmt_response(f->devnull, resp, fz_below(&f->rng, 2));
		dpvs__response__free_unpacked(resp, NULL);
		f->accepted++;
	} else {
		f->malformed++;
	}
	if (ferror(f->devnull))
		die("resp", it, "output error");
	free(ex.p);
	fz_buf_free(&b);
}

/* A request: a seed mutated at the protobuf or byte level, or random bytes. */
static void
make_request(struct fz *f, struct fz_buf *b)
{
	uint32_t pick = fz_below(&f->rng, 16);

	if (pick == 0) {
		fz_buf_random(&f->rng, b, fz_below(&f->rng, 256));
		return;
	}
	fz_buf_copy(b, &f->packed[fz_below(&f->rng, NSEEDS)]);
	if (pick == 1)   /* unmutated: the state moves on */
		return;
	if (pick < 10)
		fz_mutate_pb(&f->rng, b, 1 + fz_below(&f->rng, 3));
	else
		fz_mutate_bytes(&f->rng, b, 1 + fz_below(&f->rng, 4), &f->packed[0]);
}

/* A rules file of a few seed lines (configuration ones), mutated as text. */
static void
make_rules(struct fz *f, struct fz_buf *b)
{
	uint32_t i, n = 1 + fz_below(&f->rng, 8);

	b->len = 0;
	if (fz_below(&f->rng, 16) == 0) {
		fz_buf_random(&f->rng, b, fz_below(&f->rng, 512));
		return;
	}
	if (fz_below(&f->rng, 8) == 0) {
		fz_bulk_rules(&f->rng, b);
		fz_mutate_text(&f->rng, b, fz_below(&f->rng, 3));
		return;
	}
	for (i = 0; i < n; i++) {
		const char *l = seeds[fz_below(&f->rng, NCONF)];

		fz_buf_append(b, l, strlen(l));
		fz_buf_append(b, "\n", 1);
	}
	fz_mutate_text(&f->rng, b, 1 + fz_below(&f->rng, 4));
}

static void
one_rules(struct fz *f, const struct fz_buf *b, unsigned long it)
{
	char err[512] = "";
	int rc;

	TCTL_COPY(f->copy, f->set);
	rc = ctl_rules_apply(f->set, f->root, fz_file(b->p, b->len), err, sizeof(err));
	if (rc != 0) {
		f->refused++;
		if (err[0] == '\0')
			die("rules", it, "refused without a message");
		if (!TCTL_SAME(f->set, f->copy))
			die("rules", it, "a refused file changed the set (half-applied)");
	} else {
		f->accepted++;
		derive_copy(f);
	}
	if (f->verbose > 1)
		fprintf(stderr, "rules %lu: rc %d %s\n", it, rc, err);
}

static int
line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of text sorted in place (the order of a service's dests, say,
 * is not kept through a reload: compared as a set of lines). */
static void
sort_lines(char *text)
{
	char **v = NULL, *p, *out, *copy = strdup(text);
	size_t n = 0, i;

	for (p = strtok(copy, "\n"); p != NULL; p = strtok(NULL, "\n")) {
		v = realloc(v, sizeof(*v) * (n + 1));
		v[n++] = p;
	}
	qsort(v, n, sizeof(*v), line_cmp);
	for (out = text, i = 0; i < n; i++)
		out += sprintf(out, "%s\n", v[i]);
	*out = '\0';
	free(v);
	free(copy);
}

/* The save text of set, its lines sorted (malloc'd). */
static char *
save_text(const struct dpvs_config_set *set, const struct dpvs_root *root)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL || ctl_save_text(set, root, f) != 0) {
		fprintf(stderr, "fuzz_ctl: save failed\n");
		exit(EXIT_FAILURE);
	}
	fclose(f);
	sort_lines(text);
	return text;
}

/* A reload of the node's shm (ctl_reload: the file on an empty scratch set,
 * the diff with the running set, one change) from most of the seeds that
 * add, maybe many objects of one kind, maybe a mutated rules file. Refused: nothing changed. Accepted: the running set
 * saves as the file applied to an empty set does (the same lines, in any
 * order). */
static void
one_reload(struct fz *f, unsigned long it)
{
	struct ctl_reload_result res;
	struct fz_buf text = { 0 }, b = { 0 };
	uint64_t gen = f->shm.root->config.generation;
	char err[512] = "", *want, *got;
	const char *path;
	size_t i;
	int rc;

	for (i = 0; i < NADD; i++) {          /* most of the state, or all */
		if (fz_below(&f->rng, 12) == 0)
			continue;
		fz_buf_append(&text, seeds[i], strlen(seeds[i]));
		fz_buf_append(&text, "\n", 1);
	}
	if (fz_below(&f->rng, 4) == 0)
		fz_bulk_rules(&f->rng, &text);
	if (fz_below(&f->rng, 3) == 0) {
		make_rules(f, &b);
		fz_buf_append(&text, b.p, b.len);
	}
	path = fz_file(text.p, text.len);
	TCTL_COPY(f->copy, dpvs_config_active(&f->shm));
	rc = ctl_reload(&f->shm, path, &res, err, sizeof(err));
	if (rc != 0) {
		f->refused++;
		if (err[0] == '\0')
			die("reload", it, "refused without a message");
		if (f->shm.root->config.generation != gen ||
		    !TCTL_SAME_TABLES(dpvs_config_active(&f->shm), f->copy))
			die("reload", it, "a refused reload changed the running set");
	} else {
		f->accepted++;
		memset(f->tgt, 0, f->tgt->size);
		dpvs_cfgset_format(f->tgt, &f->shm.root->conf.caps, DPVS_CFG_PLAIN);
		dpvs_cfgset_port_defaults(f->tgt, f->shm.root->ports, f->shm.root->conf.nports);
		if (ctl_rules_apply(f->tgt, f->shm.root, path, err, sizeof(err)) != 0)
			die("reload", it, "a reloaded file does not apply to an empty set");
		want = save_text(f->tgt, f->shm.root);
		got = save_text(dpvs_config_active(&f->shm), f->shm.root);
		if (strcmp(want, got) != 0) {
			fprintf(stderr, "--- the file saves as\n%s--- the reloaded node as\n%s", want,
				got);
			die("reload", it, "the reloaded set is not the file's");
		}
		free(want);
		free(got);
	}
	if (f->verbose > 1)
		fprintf(stderr, "reload %lu: rc %d %s\n", it, rc, err);
	fz_buf_free(&text);
	fz_buf_free(&b);
}

/* dpvsctl's parser on a word list: a seed split, its words mutated. */
static void
one_argv(struct fz *f, unsigned long it)
{
	struct fz_buf w[CTL_CLI_MAX_ARGS];
	char *line = strdup(seeds[fz_below(&f->rng, NSEEDS)]), *words[CTL_CLI_MAX_ARGS];
	char *argv[CTL_CLI_MAX_ARGS], err[256] = "";
	struct ctl_cli_cmd cmd;
	int argc = ctl_cli_split(line, words, CTL_CLI_MAX_ARGS), i, rc;
	uint32_t k, nmut = 1 + fz_below(&f->rng, 3);

	memset(w, 0, sizeof(w));
	for (i = 0; i < argc; i++)
		fz_buf_set(&w[i], words[i], strlen(words[i]));
	for (k = 0; k < nmut && argc > 0; k++) {
		uint32_t op = fz_below(&f->rng, 4);

		i = (int)fz_below(&f->rng, (uint32_t)argc);
		if (op == 0 && argc > 1) {               /* drop a word */
			fz_buf_free(&w[i]);
			memmove(&w[i], &w[i + 1], sizeof(w[0]) * (size_t)(argc - i - 1));
			memset(&w[--argc], 0, sizeof(w[0]));
		} else if (op == 1 && argc < CTL_CLI_MAX_ARGS - 1) {  /* duplicate one */
			memmove(&w[i + 1], &w[i], sizeof(w[0]) * (size_t)(argc - i));
			memset(&w[i], 0, sizeof(w[0]));
			fz_buf_copy(&w[i], &w[i + 1]);
			argc++;
		} else {
			fz_mutate_text(&f->rng, &w[i], 1);
		}
	}
	for (i = 0; i < argc; i++) {
		fz_buf_append(&w[i], "", 1);    /* the word's NUL (an inner one cuts it) */
		argv[i] = strdup((char *)w[i].p);   /* exact: ASan sees an over-read */
	}
	argv[argc] = NULL;
	rc = argc > 0 ? ctl_cli_parse(argc, argv, &cmd, err, sizeof(err)) : CTL_CLI_USAGE;
	if (rc == CTL_CLI_OK) {
		uint8_t *p;
		size_t n;

		f->accepted++;
		if (cmd.req == NULL)
			die("argv", it, "parsed without a request");
		p = ctl_pb_pack_request(cmd.req, &n);
		if (p == NULL)
			die("argv", it, "the request does not pack");
		free(p);
		ctl_cli_cmd_free(&cmd);
	} else {
		f->refused++;
		if (rc != CTL_CLI_BADARG && rc != CTL_CLI_USAGE)
			die("argv", it, "an unknown return value");
	}
	for (i = 0; i < CTL_CLI_MAX_ARGS; i++)
		fz_buf_free(&w[i]);
	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(line);
}

static void
one_conf(struct fz *f, unsigned long it)
{
	struct fz_buf b = { 0 };
	struct primary_conf *c = malloc(sizeof(*c));
	char err[512] = "";

	if (fz_below(&f->rng, 16) == 0)
		fz_buf_random(&f->rng, &b, fz_below(&f->rng, 512));
	else {
		fz_buf_set(&b, conf_seed, strlen(conf_seed));
		fz_mutate_text(&f->rng, &b, 1 + fz_below(&f->rng, 4));
	}
	if (conf_parse(fz_file(b.p, b.len), c, err, sizeof(err)) != 0) {
		f->refused++;
		if (err[0] == '\0')
			die("conf", it, "refused without a message");
	} else {
		f->accepted++;
	}
	free(c);
	fz_buf_free(&b);
}

static void
node_shm(struct fz *f)
{
	char prefix[64], err[256];
	char *argv[] = { "fuzz_ctl", "--no-huge", "--no-shconf", "-m", "256", "--no-pci",
			 "--no-telemetry", prefix, "--log-level=lib.eal:error", "-l", "0", NULL };
	struct dpvs_global_conf conf;
	struct dpvs_port_info ports[2];
	size_t i;

	snprintf(prefix, sizeof(prefix), "--file-prefix=fzctl%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		fprintf(stderr, "fuzz_ctl: EAL init failed\n");
		exit(EXIT_FAILURE);
	}
	memset(&conf, 0, sizeof(conf));
	memset(ports, 0, sizeof(ports));
	snprintf(conf.file_prefix, sizeof(conf.file_prefix), "fzctl");
	snprintf(conf.run_dir, sizeof(conf.run_dir), "/tmp");
	conf.mbufs = 1023;
	conf.nworkers = 2;
	conf.nports = 2;
	conf.caps = tctl_caps();
	snprintf(ports[0].name, sizeof(ports[0].name), "dpdk0");
	snprintf(ports[1].name, sizeof(ports[1].name), "dpdk1");
	ports[0].port_id = 0xfff0;  /* no ethdev: stats_ok is false */
	ports[1].port_id = 0xfff1;
	if (dpvs_shm_create(&f->shm, &conf, ports, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_ctl: dpvs_shm_create: %s\n", err);
		exit(EXIT_FAILURE);
	}
	f->have_shm = 1;
	if (dpvs_config_active(&f->shm)->size != f->copy->size) {
		fprintf(stderr, "fuzz_ctl: the shm's config set is not the heap set's size\n");
		exit(EXIT_FAILURE);
	}
	for (i = 0; i < NADD; i++) {
		uint8_t *out;
		size_t outlen;
		Dpvs__Response *r;

		if (ctl_handle(&f->shm, f->packed[i].p, f->packed[i].len, &out, &outlen) != 0)
			exit(EXIT_FAILURE);
		r = dpvs__response__unpack(NULL, outlen, out);
		if (r == NULL || r->status != DPVS__STATUS__OK) {
			fprintf(stderr, "fuzz_ctl: seed \"%s\" refused on the shm: %s\n", seeds[i],
				r != NULL ? r->message : "?");
			exit(EXIT_FAILURE);
		}
		dpvs__response__free_unpacked(r, NULL);
		free(out);
	}
	for (i = NCONF; i < NSEEDS; i++) {
		uint8_t *out;
		size_t outlen;

		if (ctl_handle(&f->shm, f->packed[i].p, f->packed[i].len, &out, &outlen) != 0)
			exit(EXIT_FAILURE);
		fz_buf_set(&f->answers[i], out, outlen);
		free(out);
	}
}

/* tctl_set() and tctl_root() without Check's asserts (this is no Check
 * test: an assert outside a test ends the process). */
static struct dpvs_config_set *
fz_set(void)
{
	struct dpvs_caps c = tctl_caps();
	struct dpvs_config_set *s = dpvs_cfgset_alloc(&c);

	if (s == NULL) {
		fprintf(stderr, "fuzz_ctl: out of memory\n");
		exit(EXIT_FAILURE);
	}
	return s;
}

static struct dpvs_root *
fz_root(void)
{
	struct dpvs_root *r = aligned_alloc(64, sizeof(*r));   /* as in its memzone */

	if (r == NULL) {
		fprintf(stderr, "fuzz_ctl: out of memory\n");
		exit(EXIT_FAILURE);
	}
	memset(r, 0, sizeof(*r));
	dpvs_shm_fill_header(r);
	r->conf.caps = tctl_caps();
	r->conf.nports = 2;
	r->conf.nworkers = 1;
	snprintf(r->ports[0].name, sizeof(r->ports[0].name), "dpdk0");
	snprintf(r->ports[1].name, sizeof(r->ports[1].name), "dpdk1");
	r->ports[0].port_id = 0xfff0;
	r->ports[1].port_id = 0xfff1;
	return r;
}

/* The heap state: the configuration seeds applied to an empty set. */
static void
heap_state(struct fz *f)
{
	char err[512];
	size_t i;

	f->root = fz_root();
	f->set = fz_set();
	f->base = fz_set();
	f->copy = fz_set();
	f->tgt = fz_set();
	ctl_lb_prepare(&f->set->lb);
	for (i = 0; i < NSEEDS; i++) {
		Dpvs__Request *r = dpvs__request__unpack(NULL, f->packed[i].len, f->packed[i].p);

		if (r != NULL && ctl_request_is_mutation(r) && i < NADD &&
		    ctl_apply_request(f->set, f->root, r, err, sizeof(err)) != 0) {
			fprintf(stderr, "fuzz_ctl: seed \"%s\" refused: %s\n", seeds[i], err);
			exit(EXIT_FAILURE);
		}
		if (r != NULL)
			dpvs__request__free_unpacked(r, NULL);
	}
	TCTL_COPY(f->base, f->set);
}

static int
has_mode(const char *modes, const char *m)
{
	return strstr(modes, m) != NULL;
}

/* Iteration it of every mode asked for (b: a scratch buffer). */
static void
one_iteration(struct fz *f, struct fz_buf *b, const char *modes, unsigned long it)
{
	if (it % 256 == 0)   /* back to the seeded state now and then */
		TCTL_COPY(f->set, f->base);
	if (has_mode(modes, "req")) {
		struct fz_buf ex;

		make_request(f, b);
		ex = (struct fz_buf){ fz_exact(b), b->len, b->len };
		one_req(f, &ex, it);
		if (f->have_shm)
			one_shm(f, &ex, it);
		free(ex.p);
	}
	if (has_mode(modes, "rules") && it % 2 == 0) {
		make_rules(f, b);
		one_rules(f, b, it);
	}
	if (has_mode(modes, "argv"))
		one_argv(f, it);
	if (has_mode(modes, "conf") && it % 4 == 0)
		one_conf(f, it);
	if (has_mode(modes, "resp") && f->have_shm && it % 2 == 0)
		one_resp(f, it);
	if (has_mode(modes, "reload") && f->have_shm && it % 4 == 0)
		one_reload(f, it);
}

int
main(int argc, char **argv)
{
	static struct fz f;
	struct fz_buf b = { 0 };
	uint64_t seed = 1;
	unsigned long n = 2000, it;
	const char *modes = "req,shm,rules,argv,conf,resp,reload";
	size_t i;
	int o;

	while ((o = getopt(argc, argv, "s:n:m:v")) != -1) {
		if (o == 's')
			seed = strtoull(optarg, NULL, 0);
		else if (o == 'n')
			n = strtoul(optarg, NULL, 0);
		else if (o == 'm')
			modes = optarg;
		else if (o == 'v')
			f.verbose++;
		else
			return 2;
	}
	fz_seed(&f.rng, seed);
	f.devnull = fopen("/dev/null", "w");
	if (f.devnull == NULL)
		return 2;
	for (i = 0; i < NSEEDS; i++)
		pack_seed(seeds[i], &f.packed[i]);
	heap_state(&f);
	if (has_mode(modes, "shm"))
		node_shm(&f);
	if (f.verbose == 0)   /* "change refused: ..." for every refused request */
		rte_log_set_global_level(RTE_LOG_CRIT);
	if (strcmp(seeds[NADD], "-E -t 10.0.0.100:80 -s lc --synproxy off") != 0 ||
	    strcmp(seeds[NCONF], "addr show") != 0)
		return 2;
	for (it = 0; it < n; it++)
		one_iteration(&f, &b, modes, it);
	printf("fuzz_ctl: seed %llu, %lu iterations (%s): %lu accepted, %lu refused, "
	       "%lu not decoded\n", (unsigned long long)seed, n, modes, f.accepted, f.refused,
	       f.malformed);
	fflush(stdout);   /* LeakSanitizer's exit would lose it */
	fz_buf_free(&b);
	for (i = 0; i < NSEEDS; i++) {
		fz_buf_free(&f.packed[i]);
		fz_buf_free(&f.answers[i]);
	}
	fclose(f.devnull);
	free(f.root);
	free(f.set);
	free(f.base);
	free(f.copy);
	free(f.tgt);
	if (f.have_shm)
		dpvs_eal_cleanup_private();
	return EXIT_SUCCESS;
}
