/*
 * Tests of dpvs-ctl's request handler and socket server on real shared
 * memory created in this process (EAL --no-huge --no-shconf, no devices):
 * packed requests in, packed responses out (addr add/del/show, errors,
 * malformed input, worker/neigh/stats/version shows); the RCU wait of a
 * publication with an online reader; and the unix-socket server (framing,
 * oversized and malformed frames close only their own connection; a client
 * that never reads its replies is not read from either).
 * Tests share one EAL and one shm, so they run without fork, in order.
 */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>

#include <rte_eal.h>
#include <rte_rcu_qsbr.h>

#include "ctl/common/cli.h"
#include "ctl/common/frame.h"
#include "ctl/common/pb.h"
#include "ctl/common/version.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/handler.h"
#include "ctl/daemon/publish.h"
#include "ctl/daemon/server.h"
#include "shm/eal.h"

static struct dpvs_shm shm;

static void
eal_and_shm(void)
{
	char prefix[64], err[256];
	char *argv[] = { "test_ctl_handler", "--no-huge", "--no-shconf", "-m", "512",
			 "--no-pci", "--no-telemetry", prefix, "--log-level=lib.eal:error", "-l", "0", NULL };
	struct dpvs_global_conf conf;
	struct dpvs_port_info port;

	snprintf(prefix, sizeof(prefix), "--file-prefix=tctlh%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		fprintf(stderr, "EAL init failed\n");
		exit(EXIT_FAILURE);
	}
	memset(&conf, 0, sizeof(conf));
	memset(&port, 0, sizeof(port));
	snprintf(conf.file_prefix, sizeof(conf.file_prefix), "tctlh");
	snprintf(conf.run_dir, sizeof(conf.run_dir), "/tmp");
	conf.mbufs = 1023;
	conf.nworkers = 2;
	conf.nports = 1;
	snprintf(port.name, sizeof(port.name), "dpdk0");
	port.port_id = 0;     /* no ethdev probed: stats_ok is false */
	if (dpvs_shm_create(&shm, &conf, &port, err, sizeof(err)) != 0) {
		fprintf(stderr, "dpvs_shm_create: %s\n", err);
		exit(EXIT_FAILURE);
	}
}

/* Run the words of a dpvsctl command through pack -> ctl_handle -> unpack. */
static Dpvs__Response *
run(int argc, char **argv)
{
	struct ctl_cli_cmd cmd;
	Dpvs__Response *resp;
	uint8_t *in, *out;
	size_t inlen, outlen;
	char err[256];

	ck_assert_int_eq(ctl_cli_parse(argc, argv, &cmd, err, sizeof(err)), CTL_CLI_OK);
	in = ctl_pb_pack_request(cmd.req, &inlen);
	ck_assert_int_eq(ctl_handle(&shm, in, inlen, &out, &outlen), 0);
	resp = dpvs__response__unpack(NULL, outlen, out);
	ck_assert_ptr_nonnull(resp);
	free(in);
	free(out);
	ctl_cli_cmd_free(&cmd);
	return resp;
}
#define RUN(...) run((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)), \
		     (char *[]){ __VA_ARGS__ })

static void
expect_error(Dpvs__Response *r, Dpvs__Status st, const char *msg)
{
	ck_assert_int_eq(r->status, st);
	ck_assert_msg(strstr(r->message, msg) != NULL, "\"%s\" lacks \"%s\"", r->message, msg);
	ck_assert_int_eq(r->payload_case, DPVS__RESPONSE__PAYLOAD__NOT_SET);
	dpvs__response__free_unpacked(r, NULL);
}

START_TEST(test_addr_via_handler)
{
	uint64_t gen0 = shm.root->config.generation;
	Dpvs__Response *r;

	r = RUN("addr", "add", "10.0.0.1/24", "dev", "dpdk0");
	ck_assert_int_eq(r->status, DPVS__STATUS__OK);
	dpvs__response__free_unpacked(r, NULL);
	ck_assert_uint_eq(shm.root->config.generation, gen0 + 1);
	ck_assert_uint_eq(dpvs_config_active(shm.root)->naddrs, 1);
	ck_assert_uint_eq(dpvs_config_active(shm.root)->version, gen0 + 1);

	r = RUN("addr", "add", "2001:db8::1/64", "dev", "dpdk0");
	ck_assert_int_eq(r->status, DPVS__STATUS__OK);
	dpvs__response__free_unpacked(r, NULL);

	expect_error(RUN("addr", "add", "10.0.0.1/24", "dev", "dpdk0"), DPVS__STATUS__ERR_EXISTS,
		     "10.0.0.1 is already on dpdk0");
	expect_error(RUN("addr", "add", "10.0.0.2/24", "dev", "dpdk9"),
		     DPVS__STATUS__ERR_NOT_FOUND, "no port named dpdk9");
	expect_error(RUN("addr", "del", "10.0.0.7", "dev", "dpdk0"), DPVS__STATUS__ERR_NOT_FOUND,
		     "10.0.0.7 is not on dpdk0");
	expect_error(RUN("addr", "show", "dev", "dpdk7"), DPVS__STATUS__ERR_NOT_FOUND,
		     "no port named dpdk7");
	ck_assert_uint_eq(shm.root->config.generation, gen0 + 2);

	r = RUN("addr", "show");
	ck_assert_int_eq(r->status, DPVS__STATUS__OK);
	ck_assert_int_eq(r->payload_case, DPVS__RESPONSE__PAYLOAD_ADDRS);
	ck_assert_uint_eq(r->addrs->n_addrs, 2);
	ck_assert_str_eq(r->addrs->addrs[0]->dev, "dpdk0");
	ck_assert_uint_eq(r->addrs->addrs[0]->prefixlen, 24);
	ck_assert_int_eq(r->addrs->addrs[1]->address->family, DPVS__FAMILY__INET6);
	dpvs__response__free_unpacked(r, NULL);

	r = RUN("addr", "del", "2001:db8::1", "dev", "dpdk0");
	ck_assert_int_eq(r->status, DPVS__STATUS__OK);
	dpvs__response__free_unpacked(r, NULL);
	ck_assert_uint_eq(dpvs_config_active(shm.root)->naddrs, 1);
}
END_TEST

START_TEST(test_malformed_bytes)
{
	const uint8_t junk[] = { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f };
	Dpvs__Response *r;
	uint8_t *out;
	size_t outlen;

	ck_assert_int_eq(ctl_handle(&shm, junk, sizeof(junk), &out, &outlen), -CTL_EMALFORMED);
	r = dpvs__response__unpack(NULL, outlen, out);
	free(out);
	expect_error(r, DPVS__STATUS__ERR_MALFORMED, "malformed request");

	/* an empty request decodes but names no operation */
	ck_assert_int_eq(ctl_handle(&shm, junk, 0, &out, &outlen), 0);
	r = dpvs__response__unpack(NULL, outlen, out);
	free(out);
	expect_error(r, DPVS__STATUS__ERR_UNSUPPORTED, "unknown operation");
}
END_TEST

START_TEST(test_worker_show)
{
	struct dpvs_worker_slot *s = &shm.root->workers[1];
	Dpvs__Response *r;

	/* the primary spawned incarnation 4 as pid 4242; it reports running */
	s->sup.pid = 4242;
	s->sup.state = DPVS_WORKER_STARTING;
	s->sup.restarts = 3;
	s->sup.incarnation = 4;
	s->self.pid = 4242;
	s->self.incarnation = 4;
	s->self.state = DPVS_WORKER_RUNNING;
	s->self.heartbeat_ns = dpvs_now_ns() - 5000000ull;   /* 5 ms ago */
	r = RUN("worker", "show");
	ck_assert_int_eq(r->payload_case, DPVS__RESPONSE__PAYLOAD_WORKERS);
	ck_assert_uint_eq(r->workers->n_workers, 2);
	ck_assert_str_eq(r->workers->workers[0]->state, "stopped");
	ck_assert_int_eq(r->workers->workers[0]->heartbeat_age_ms, -1);
	ck_assert_uint_eq(r->workers->workers[1]->id, 1);
	ck_assert_int_eq(r->workers->workers[1]->pid, 4242);
	ck_assert_str_eq(r->workers->workers[1]->state, "running");
	ck_assert_uint_eq(r->workers->workers[1]->restarts, 3);
	ck_assert_int_ge(r->workers->workers[1]->heartbeat_age_ms, 5);
	ck_assert_int_lt(r->workers->workers[1]->heartbeat_age_ms, 5000);
	dpvs__response__free_unpacked(r, NULL);
	/* what a dead incarnation wrote does not make its successor running */
	s->sup.incarnation = 5;
	s->sup.pid = 4343;
	r = RUN("worker", "show");
	ck_assert_str_eq(r->workers->workers[1]->state, "starting");
	ck_assert_int_eq(r->workers->workers[1]->pid, 4343);
	dpvs__response__free_unpacked(r, NULL);
	s->sup.state = DPVS_WORKER_STOPPED;
	s->self.state = DPVS_WORKER_STOPPED;
}
END_TEST

static void
put_neigh(unsigned int w, unsigned int slot, uint8_t last, uint8_t maclast, uint64_t t)
{
	struct dpvs_neigh *n = &shm.wr[w]->neigh[slot];

	memset(n, 0, sizeof(*n));
	n->ip.family = DPVS_AF_INET;
	n->ip.bytes[0] = 10;
	n->ip.bytes[3] = last;
	n->port = 0;
	n->mac[0] = 2;
	n->mac[5] = maclast;
	n->state = DPVS_NEIGH_REACHABLE;
	n->updated_ns = t;
}

START_TEST(test_neigh_union)
{
	Dpvs__Response *r;
	Dpvs__Neigh *n;

	put_neigh(0, 5, 2, 0xa, 100);
	put_neigh(1, 9, 2, 0xb, 200);    /* same neighbour, newer MAC */
	put_neigh(1, 10, 3, 0xc, 100);
	r = RUN("neigh", "show");
	ck_assert_int_eq(r->payload_case, DPVS__RESPONSE__PAYLOAD_NEIGHS);
	ck_assert_uint_eq(r->neighs->n_neighs, 2);
	n = r->neighs->neighs[0];
	ck_assert_uint_eq(n->address->addr.data[3], 2);
	ck_assert_uint_eq(n->n_workers, 2);
	ck_assert_uint_eq(n->workers[0], 0);
	ck_assert_uint_eq(n->workers[1], 1);
	ck_assert_uint_eq(n->lladdr.len, 6);
	ck_assert_uint_eq(n->lladdr.data[5], 0xb);
	ck_assert_str_eq(n->dev, "dpdk0");
	ck_assert_str_eq(n->state, "reachable");
	n = r->neighs->neighs[1];
	ck_assert_uint_eq(n->address->addr.data[3], 3);
	ck_assert_uint_eq(n->n_workers, 1);
	ck_assert_uint_eq(n->workers[0], 1);
	dpvs__response__free_unpacked(r, NULL);
	memset(shm.wr[0]->neigh, 0, sizeof(shm.wr[0]->neigh));
	memset(shm.wr[1]->neigh, 0, sizeof(shm.wr[1]->neigh));
}
END_TEST

START_TEST(test_stats)
{
	Dpvs__Response *r;
	size_t i;
	uint64_t other = 0;

	shm.root->stats[0].drop[DPVS_DROP_OTHERHOST] = 3;
	shm.root->stats[1].drop[DPVS_DROP_OTHERHOST] = 4;
	shm.root->stats[1].verdict[DPVS_VERDICT_TX] = 9;
	shm.root->bridge_stats[0].to_kernel = 5;
	r = RUN("stats");
	ck_assert_int_eq(r->payload_case, DPVS__RESPONSE__PAYLOAD_STATS);
	ck_assert_uint_eq(r->stats->n_ports, 1);
	ck_assert_str_eq(r->stats->ports[0]->name, "dpdk0");
	ck_assert(!r->stats->ports[0]->stats_ok);
	ck_assert_uint_eq(r->stats->ports[0]->kni_to_kernel, 5);
	ck_assert_uint_eq(r->stats->n_workers, 2);
	ck_assert_uint_eq(r->stats->workers[1]->n_verdicts, DPVS_VERDICT_MAX);
	ck_assert_str_eq(r->stats->workers[1]->verdicts[DPVS_VERDICT_TX]->name, "tx");
	ck_assert_uint_eq(r->stats->workers[1]->verdicts[DPVS_VERDICT_TX]->value, 9);
	ck_assert_uint_eq(r->stats->n_drops, DPVS_DROP_MAX);
	for (i = 0; i < r->stats->n_drops; i++)
		if (strcmp(r->stats->drops[i]->name, "otherhost") == 0)
			other = r->stats->drops[i]->value;
	ck_assert_uint_eq(other, 7);
	dpvs__response__free_unpacked(r, NULL);
}
END_TEST

START_TEST(test_version)
{
	Dpvs__Response *r = RUN("version");

	ck_assert_int_eq(r->payload_case, DPVS__RESPONSE__PAYLOAD_VERSION);
	ck_assert_str_eq(r->version->version, DPVS_MP_VERSION);
	ck_assert_str_eq(r->version->dpdk, shm.root->dpdk_version);
	ck_assert_uint_eq(r->version->layout, DPVS_LAYOUT_VERSION);
	dpvs__response__free_unpacked(r, NULL);
}
END_TEST

static volatile int reporter_stop;

/* A worker's loop reduced to its RCU duty: quiescent every 100 us. */
static void *
reporter(void *arg)
{
	const struct timespec nap = { 0, 100000 };

	(void)arg;
	while (!__atomic_load_n(&reporter_stop, __ATOMIC_ACQUIRE)) {
		rte_rcu_qsbr_quiescent(shm.rcu, 0);
		nanosleep(&nap, NULL);
	}
	return NULL;
}

START_TEST(test_rcu_wait)
{
	Dpvs__Response *r;
	pthread_t t;

	ck_assert_int_eq(rte_rcu_qsbr_thread_register(shm.rcu, 0), 0);
	rte_rcu_qsbr_thread_online(shm.rcu, 0);
	/* an online reader that never reports holds the writer until the deadline */
	ck_assert_int_eq(ctl_rcu_wait(shm.rcu, 30), -CTL_EBUSY);
	reporter_stop = 0;
	ck_assert_int_eq(pthread_create(&t, NULL, reporter, NULL), 0);
	ck_assert_int_eq(ctl_rcu_wait(shm.rcu, 2000), 0);
	r = RUN("addr", "add", "10.0.5.1/24", "dev", "dpdk0");
	ck_assert_int_eq(r->status, DPVS__STATUS__OK);
	dpvs__response__free_unpacked(r, NULL);
	__atomic_store_n(&reporter_stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	rte_rcu_qsbr_thread_offline(shm.rcu, 0);
	rte_rcu_qsbr_thread_unregister(shm.rcu, 0);
	/* offline readers are not waited for */
	ck_assert_int_eq(ctl_rcu_wait(shm.rcu, 30), 0);
}
END_TEST

static volatile int loop_stop;

static void
loop_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	if (__atomic_load_n(&loop_stop, __ATOMIC_ACQUIRE))
		event_base_loopbreak(arg);
}

static void *
loop_thread(void *base)
{
	event_base_dispatch(base);
	return NULL;
}

/* Send a version request on fd and expect an OK version response. */
static void
expect_version(int fd)
{
	Dpvs__Request req = DPVS__REQUEST__INIT;
	Dpvs__VersionShow vs = DPVS__VERSION_SHOW__INIT;
	Dpvs__Response *r;
	uint8_t *buf;
	size_t len;

	req.op_case = DPVS__REQUEST__OP_VERSION_SHOW;
	req.version_show = &vs;
	buf = ctl_pb_pack_request(&req, &len);
	ck_assert_int_eq(ctl_frame_send(fd, buf, len, 2000), 0);
	free(buf);
	ck_assert_int_eq(ctl_frame_recv(fd, &buf, &len, CTL_FRAME_MAX, 5000), 0);
	r = dpvs__response__unpack(NULL, len, buf);
	free(buf);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->status, DPVS__STATUS__OK);
	ck_assert_int_eq(r->payload_case, DPVS__RESPONSE__PAYLOAD_VERSION);
	dpvs__response__free_unpacked(r, NULL);
}

/* Expect an error frame with status st and message part msg, then EOF. */
static void
expect_reject(int fd, Dpvs__Status st, const char *msg)
{
	Dpvs__Response *r;
	uint8_t *buf;
	size_t len;

	ck_assert_int_eq(ctl_frame_recv(fd, &buf, &len, CTL_FRAME_MAX, 5000), 0);
	r = dpvs__response__unpack(NULL, len, buf);
	free(buf);
	ck_assert_ptr_nonnull(r);
	expect_error(r, st, msg);
	ck_assert_int_eq(ctl_frame_recv(fd, &buf, &len, CTL_FRAME_MAX, 5000), -ECONNRESET);
	close(fd);
}

/* In a child running as nobody:nogroup, send a request; exit 0 if the reply
 * is the refusal naming the uid, 1 otherwise. */
static void
expect_denied_as_nobody(const char *path)
{
	Dpvs__Response *r;
	uint8_t *buf;
	size_t len;
	int status, fd, ok;
	pid_t pid;

	ck_assert_int_eq(chmod(path, 0666), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
			_exit(2);
		fd = ctl_frame_connect(path);
		if (fd < 0 || ctl_frame_send(fd, (const uint8_t *)"", 0, 2000) != 0 ||
		    ctl_frame_recv(fd, &buf, &len, CTL_FRAME_MAX, 5000) != 0)
			_exit(3);
		r = dpvs__response__unpack(NULL, len, buf);
		ok = r != NULL && r->status == DPVS__STATUS__ERR_INVALID &&
		     strstr(r->message, "uid 65534") != NULL;
		_exit(ok ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
	ck_assert_int_eq(chmod(path, 0660), 0);
}

/* In a child running as nobody:nogroup with the socket's group (gid 0, the
 * test runs as root) as a supplementary group, as `usermod -aG` gives: the
 * socket's mode 0660 lets it connect, and the server must serve it. */
static void
expect_allowed_by_supplementary_group(const char *path)
{
	const gid_t groups[1] = { 0 };
	Dpvs__Response *r;
	uint8_t *buf;
	size_t len;
	int status, fd, ok;
	pid_t pid;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setgroups(1, groups) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
			_exit(2);
		fd = ctl_frame_connect(path);
		if (fd < 0 || ctl_frame_send(fd, (const uint8_t *)"", 0, 2000) != 0 ||
		    ctl_frame_recv(fd, &buf, &len, CTL_FRAME_MAX, 5000) != 0)
			_exit(3);
		r = dpvs__response__unpack(NULL, len, buf);
		/* an empty Request is an unknown operation, not a refusal */
		ok = r != NULL && strstr(r->message, "not allowed") == NULL;
		_exit(ok ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
}

/* Send a version request on fd; return the response status (or -1). */
static int
version_status(int fd, char *msg, size_t msglen)
{
	Dpvs__Request req = DPVS__REQUEST__INIT;
	Dpvs__VersionShow vs = DPVS__VERSION_SHOW__INIT;
	Dpvs__Response *r;
	uint8_t *buf;
	size_t len;
	int st;

	req.op_case = DPVS__REQUEST__OP_VERSION_SHOW;
	req.version_show = &vs;
	buf = ctl_pb_pack_request(&req, &len);
	st = ctl_frame_send(fd, buf, len, 2000);
	free(buf);
	if (st != 0 || ctl_frame_recv(fd, &buf, &len, CTL_FRAME_MAX, 5000) != 0)
		return -1;
	r = dpvs__response__unpack(NULL, len, buf);
	free(buf);
	if (r == NULL)
		return -1;
	st = (int)r->status;
	snprintf(msg, msglen, "%s", r->message);
	dpvs__response__free_unpacked(r, NULL);
	return st;
}

/* Open connections until the server refuses one: that must happen at its
 * connection limit, with a message; afterwards a new client is served. */
static void
expect_connection_limit(const char *path)
{
	int fds[CTL_MAX_CONNS + 8], n, st = 0, i;
	char msg[256] = "";
	uint64_t deadline;

	for (n = 0; n < CTL_MAX_CONNS + 8; n++) {
		fds[n] = ctl_frame_connect(path);
		ck_assert_int_ge(fds[n], 0);
		st = version_status(fds[n], msg, sizeof(msg));
		if (st != DPVS__STATUS__OK)
			break;
	}
	ck_assert_int_eq(st, DPVS__STATUS__ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(msg, "too many connections"));
	/* the test holds one more connection; closing ones may still count */
	ck_assert_int_ge(n, CTL_MAX_CONNS - 3);
	ck_assert_int_le(n, CTL_MAX_CONNS);
	for (i = 0; i <= n; i++)
		close(fds[i]);
	deadline = dpvs_now_ns() + 2000000000ull;
	do {
		i = ctl_frame_connect(path);
		st = version_status(i, msg, sizeof(msg));
		close(i);
	} while (st != DPVS__STATUS__OK && dpvs_now_ns() < deadline);
	ck_assert_int_eq(st, DPVS__STATUS__OK);
}

/* A client that sends requests as fast as it can and never reads a reply,
 * within the server's timeouts: the server must stop reading while its
 * replies pile up, so the client's sends block after a bounded amount.
 * Without that, every request is read and answered into memory. */
static void
expect_backpressure(const char *path)
{
	Dpvs__Request req = DPVS__REQUEST__INIT;
	Dpvs__VersionShow vs = DPVS__VERSION_SHOW__INIT;
	uint8_t chunk[4096], *one;
	size_t len, flen, clen, off = 0, sent = 0;
	uint64_t deadline;
	int fd, sndbuf = 16384;
	ssize_t w;

	req.op_case = DPVS__REQUEST__OP_VERSION_SHOW;
	req.version_show = &vs;
	one = ctl_pb_pack_request(&req, &len);
	ck_assert_ptr_nonnull(one);
	flen = CTL_FRAME_HDR + len;
	for (clen = 0; clen + flen <= sizeof(chunk); clen += flen) {
		ctl_frame_put_len(chunk + clen, (uint32_t)len);
		memcpy(chunk + clen + CTL_FRAME_HDR, one, len);
	}
	free(one);
	fd = ctl_frame_connect(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)), 0);
	deadline = dpvs_now_ns() + 2000000000ull;
	while (dpvs_now_ns() < deadline && sent < (4u << 20)) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };

		w = send(fd, chunk + off, clen - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0) {
			sent += (size_t)w;
			off = (off + (size_t)w) % clen;
		} else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			break;
		} else {
			poll(&pfd, 1, 10);
		}
	}
	close(fd);
	ck_assert_msg(sent < (160u << 10), "the server read %zu bytes of requests from a "
		      "client that reads none of its replies", sent);
}

/* Send a byte every 50 ms (the server's timeout is 200 ms) for up to 2 s;
 * the server must answer (reject) before we stop. */
static void
expect_trickle_rejected(int fd)
{
	uint64_t deadline = dpvs_now_ns() + 2000000000ull;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int answered = 0;

	while (!answered && dpvs_now_ns() < deadline) {
		answered = poll(&p, 1, 50) > 0;
		if (!answered && send(fd, "x", 1, MSG_NOSIGNAL) != 1)
			break;
	}
	ck_assert_msg(answered, "a frame trickling in was never cut off");
}

/* A burst of connections that send nothing, far beyond the limit: the server
 * keeps a bounded number of them open (the rest are closed at once, not at
 * the timeout), and serves a new client once the burst is gone. */
static void
expect_burst_bounded(const char *path)
{
	enum { N = CTL_MAX_CONNS * 4 };
	int fds[N], i, open_n = 0, st = -1;
	uint64_t deadline;
	char msg[256];
	uint8_t b;

	for (i = 0; i < N; i++) {
		fds[i] = ctl_frame_connect(path);
		ck_assert_int_ge(fds[i], 0);
	}
	/* closed ones show EOF soon; give the server 1 s (its timeout is 5 s) */
	deadline = dpvs_now_ns() + 1000000000ull;
	do {
		struct pollfd p = { .fd = fds[N - 1], .events = POLLIN };

		if (poll(&p, 1, 20) > 0)
			break;
	} while (dpvs_now_ns() < deadline);
	for (i = 0; i < N; i++) {
		struct pollfd p = { .fd = fds[i], .events = POLLIN };

		if (poll(&p, 1, 0) == 0 || recv(fds[i], &b, 1, MSG_DONTWAIT) != 0)
			open_n++;
		close(fds[i]);
	}
	ck_assert_msg(open_n <= CTL_MAX_CONNS + CTL_MAX_REFUSED, "%d of %d idle connections "
		      "are still open", open_n, N);
	deadline = dpvs_now_ns() + 2000000000ull;
	do {
		i = ctl_frame_connect(path);
		st = version_status(i, msg, sizeof(msg));
		close(i);
	} while (st != DPVS__STATUS__OK && dpvs_now_ns() < deadline);
	ck_assert_int_eq(st, DPVS__STATUS__OK);
}

START_TEST(test_server)
{
	const struct timeval tick = { 0, 10000 };
	const uint8_t junk[] = { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f };
	struct event_base *base = event_base_new();
	struct ctl_server *srv, *dup;
	struct event *ev;
	char dir[64], path[96], err[256];
	uint8_t hdr[CTL_FRAME_HDR];
	struct stat st;
	pthread_t t;
	int keep, fd;

	ck_assert_ptr_nonnull(base);
	snprintf(dir, sizeof(dir), "/tmp/test_ctl_%d", (int)getpid());
	snprintf(path, sizeof(path), "%s/run/ctl.sock", dir);
	srv = ctl_server_new(base, &shm, path, err, sizeof(err));
	ck_assert_msg(srv != NULL, "%s", err);
	ctl_server_set_timeout_ms(srv, 200);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0660);
	/* a second daemon on a live socket is refused */
	dup = ctl_server_new(base, &shm, path, err, sizeof(err));
	ck_assert_ptr_null(dup);
	ck_assert_ptr_nonnull(strstr(err, "another dpvs-ctl is listening"));
	ev = event_new(base, -1, EV_PERSIST, loop_tick, base);
	event_add(ev, &tick);
	loop_stop = 0;
	ck_assert_int_eq(pthread_create(&t, NULL, loop_thread, base), 0);

	keep = ctl_frame_connect(path);
	ck_assert_int_ge(keep, 0);
	expect_version(keep);

	/* oversized frame: error reply, that connection closed */
	fd = ctl_frame_connect(path);
	ctl_frame_put_len(hdr, CTL_FRAME_MAX + 1);
	ck_assert_int_eq(write(fd, hdr, sizeof(hdr)), (ssize_t)sizeof(hdr));
	expect_reject(fd, DPVS__STATUS__ERR_MALFORMED, "exceeds the limit");

	/* a frame that is not a Request */
	fd = ctl_frame_connect(path);
	ck_assert_int_eq(ctl_frame_send(fd, junk, sizeof(junk), 2000), 0);
	expect_reject(fd, DPVS__STATUS__ERR_MALFORMED, "malformed request");

	/* half a frame, then silence: the read timeout ends it */
	fd = ctl_frame_connect(path);
	ctl_frame_put_len(hdr, 100);
	ck_assert_int_eq(write(fd, hdr, sizeof(hdr)), (ssize_t)sizeof(hdr));
	expect_reject(fd, DPVS__STATUS__ERR_MALFORMED, "incomplete frame");

	/* a frame that trickles in a byte at a time, each byte before the read
	 * timeout: it still has to be whole within the timeout */
	fd = ctl_frame_connect(path);
	ctl_frame_put_len(hdr, 1000);
	ck_assert_int_eq(write(fd, hdr, sizeof(hdr)), (ssize_t)sizeof(hdr));
	expect_trickle_rejected(fd);
	expect_reject(fd, DPVS__STATUS__ERR_MALFORMED, "incomplete frame");

	/* a peer that is neither root nor in the socket's group is refused */
	if (geteuid() == 0) {
		expect_denied_as_nobody(path);
		expect_allowed_by_supplementary_group(path);
	}

	/* long enough that no timeout ends a client of these early, even on a
	 * loaded machine (with 200 ms one could be cut before its request) */
	ctl_server_set_timeout_ms(srv, 5000);
	expect_connection_limit(path);
	expect_backpressure(path);
	expect_burst_bounded(path);
	ctl_server_set_timeout_ms(srv, 200);

	/* the other connections were not disturbed: a fresh one works */
	fd = ctl_frame_connect(path);
	expect_version(fd);
	expect_version(fd);
	close(fd);
	close(keep);

	__atomic_store_n(&loop_stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	event_free(ev);
	ctl_server_free(srv);
	ck_assert_int_ne(access(path, F_OK), 0);
	event_base_free(base);
	snprintf(path, sizeof(path), "%s/run", dir);
	rmdir(path);
	rmdir(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ctl_handler");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	/* as dpvs-ctl does: a write to a client that left is an error, not death */
	signal(SIGPIPE, SIG_IGN);
	eal_and_shm();
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_addr_via_handler);
	tcase_add_test(tc, test_malformed_bytes);
	tcase_add_test(tc, test_worker_show);
	tcase_add_test(tc, test_neigh_union);
	tcase_add_test(tc, test_stats);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_rcu_wait);
	tcase_add_test(tc, test_server);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	dpvs_eal_cleanup_private();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
