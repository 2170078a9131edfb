/*
 * Tests of dpvs-ctl's unix-socket server (ctl/daemon/server.c) on real shared
 * memory created in this process (EAL --no-huge --no-shconf, no devices), its
 * libevent loop on a thread: framing; oversized, malformed, incomplete and
 * trickling frames close only their own connection; peers outside the
 * socket's group are refused; an idle client is told when its timeout ends
 * it; a client that never reads its replies is not
 * read from either; when the connection limit is reached a new client takes
 * the longest-idle one's slot, or is told "busy" if none is idle, and idle
 * connections are never closed without a word; a request whose handler
 * blocks longer than the timeout (worker restart) still gets its reply.
 * Tests share one EAL and one shm, so they run without fork, in order.
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
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

#include "ctl/common/frame.h"
#include "ctl/common/pb.h"
#include "ctl/daemon/server.h"
#include "shm/eal.h"
#include "test_ctl_shm.h"

static struct dpvs_shm shm;

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

/* base's loop on a thread of its own, as dpvs-ctl's main loop: *t runs it,
 * *ev its tick, which breaks it once loop_end sets loop_stop. */
static void
loop_begin(struct event_base *base, struct event **ev, pthread_t *t)
{
	const struct timeval tick = { 0, 10000 };

	*ev = event_new(base, -1, EV_PERSIST, loop_tick, base);
	ck_assert_ptr_nonnull(*ev);
	event_add(*ev, &tick);
	loop_stop = 0;
	ck_assert_int_eq(pthread_create(t, NULL, loop_thread, base), 0);
}

static void
loop_end(struct event *ev, pthread_t t)
{
	__atomic_store_n(&loop_stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	event_free(ev);
}

/* A server of its own on dir/ctl.sock (dir: /tmp/test_ctl_<tag><pid>),
 * its connections' timeouts timeout_ms. */
static struct ctl_server *
server_in(struct event_base *base, char tag, char *dir, size_t dsz, char *path, size_t psz,
	  unsigned int timeout_ms)
{
	struct ctl_server *srv;
	char err[256];

	ck_assert_ptr_nonnull(base);
	snprintf(dir, dsz, "/tmp/test_ctl_%c%d", tag, (int)getpid());
	snprintf(path, psz, "%s/ctl.sock", dir);
	srv = ctl_server_new(base, &shm, path, err, sizeof(err));
	ck_assert_msg(srv != NULL, "%s", err);
	ctl_server_set_timeout_ms(srv, timeout_ms);
	return srv;
}

/* Send req on fd and return its response (the caller frees it). */
static Dpvs__Response *
roundtrip(int fd, const Dpvs__Request *req)
{
	Dpvs__Response *r;
	uint8_t *buf;
	size_t len;

	buf = ctl_pb_pack_request(req, &len);
	ck_assert_int_eq(ctl_frame_send(fd, buf, len, 2000), 0);
	free(buf);
	ck_assert_int_eq(ctl_frame_recv(fd, &buf, &len, CTL_FRAME_MAX, 5000), 0);
	r = dpvs__response__unpack(NULL, len, buf);
	free(buf);
	ck_assert_ptr_nonnull(r);
	return r;
}

/* Send a version request on fd and expect an OK version response. */
static void
expect_version(int fd)
{
	Dpvs__Request req = DPVS__REQUEST__INIT;
	Dpvs__VersionShow vs = DPVS__VERSION_SHOW__INIT;
	Dpvs__Response *r;

	req.op_case = DPVS__REQUEST__OP_VERSION_SHOW;
	req.version_show = &vs;
	r = roundtrip(fd, &req);
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

/* In a child running as nobody:nogroup with the socket's group (the test's
 * gid: 0 as root, another under tests/run-all.sh) as a supplementary group, as
 * `usermod -aG` gives: the socket's mode 0660 lets it connect, and the server
 * must serve it. */
static void
expect_allowed_by_supplementary_group(const char *path)
{
	Dpvs__Response *r;
	struct stat st;
	gid_t groups[1];
	uint8_t *buf;
	size_t len;
	int status, fd, ok;
	pid_t pid;

	ck_assert_int_eq(stat(path, &st), 0);
	groups[0] = st.st_gid;
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

/* Read one frame (within ms): its status and message, or -1 (EOF, reset). */
static int
recv_status(int fd, char *msg, size_t msglen, int ms)
{
	Dpvs__Response *r;
	uint8_t *buf;
	size_t len;
	int st;

	if (ctl_frame_recv(fd, &buf, &len, CTL_FRAME_MAX, ms) != 0)
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

/* Is a frame (or EOF) waiting on fd? */
static int
readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

/* Connections that made a request and sit idle (clients that keep their
 * connection between requests): a new client takes the slot of the
 * longest-idle one, which is told why, and the others keep theirs. */
static void
expect_idle_slot_taken(const char *path, int fds[CTL_MAX_CONNS], int *newest)
{
	char msg[256] = "";
	int i, fd;

	for (i = 0; i < CTL_MAX_CONNS; i++) {
		fds[i] = ctl_frame_connect(path);
		ck_assert_int_ge(fds[i], 0);
		expect_version(fds[i]);
	}
	fd = ctl_frame_connect(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(version_status(fd, msg, sizeof(msg)), DPVS__STATUS__OK);
	*newest = fd;
	/* the longest-idle one, fds[0], got its reason, then EOF */
	ck_assert_int_eq(recv_status(fds[0], msg, sizeof(msg), 5000), DPVS__STATUS__ERR_BUSY);
	ck_assert_msg(strstr(msg, "closed: idle while the server is full") != NULL, "%s", msg);
	ck_assert_int_eq(recv_status(fds[0], msg, sizeof(msg), 5000), -1);
	close(fds[0]);
	fds[0] = -1;
	/* the others still have their slot */
	for (i = 1; i < CTL_MAX_CONNS; i++)
		ck_assert_msg(!readable(fds[i]), "connection %d was closed too", i);
	expect_version(fds[1]);
}

/* Send the header and 10 bytes of a 100-byte frame: in the middle of a
 * request, not idle. */
static void
send_partial(int fd)
{
	uint8_t b[CTL_FRAME_HDR + 10];

	memset(b, 0, sizeof(b));
	ctl_frame_put_len(b, 100);
	ck_assert_int_eq(send(fd, b, sizeof(b), MSG_NOSIGNAL), (ssize_t)sizeof(b));
}

/* Every served connection in the middle of a request: a new client is told
 * plainly that the server is busy; too many waiting refusals: the oldest is
 * told at once. Once the requests end, a new client is served. */
static void
expect_busy(const char *path, int fds[CTL_MAX_CONNS], int newest)
{
	int waiting[CTL_MAX_REFUSED + 1], i, fd, st;
	char msg[256] = "";
	uint64_t deadline;

	fds[0] = newest;
	for (i = 0; i < CTL_MAX_CONNS; i++)
		send_partial(fds[i]);
	fd = ctl_frame_connect(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(version_status(fd, msg, sizeof(msg)), DPVS__STATUS__ERR_BUSY);
	ck_assert_msg(strstr(msg, "busy: too many connections") != NULL, "%s", msg);
	close(fd);
	/* refusals wait for their request; one too many: the oldest is told */
	for (i = 0; i <= CTL_MAX_REFUSED; i++) {
		waiting[i] = ctl_frame_connect(path);
		ck_assert_int_ge(waiting[i], 0);
	}
	ck_assert_int_eq(recv_status(waiting[0], msg, sizeof(msg), 5000), DPVS__STATUS__ERR_BUSY);
	ck_assert_msg(strstr(msg, "busy: too many connections") != NULL, "%s", msg);
	for (i = 0; i <= CTL_MAX_REFUSED; i++)
		close(waiting[i]);
	for (i = 0; i < CTL_MAX_CONNS; i++)
		close(fds[i]);
	deadline = dpvs_now_ns() + 2000000000ull;
	do {
		fd = ctl_frame_connect(path);
		st = version_status(fd, msg, sizeof(msg));
		close(fd);
	} while (st != DPVS__STATUS__OK && dpvs_now_ns() < deadline);
	ck_assert_int_eq(st, DPVS__STATUS__OK);
}

/* Four times the limit of connections that never send (the issue: 200
 * idle connections made dpvsctl fail with "Connection reset"): each one
 * either keeps its slot or is told why it was closed, never closed without
 * a word; at most CTL_MAX_CONNS stay; a new client is served. */
static void
expect_idle_burst(const char *path)
{
	enum { N = CTL_MAX_CONNS * 4 };
	int fds[N], i, fd, told = 0, st;
	char msg[256];
	uint64_t deadline;

	for (i = 0; i < N; i++) {
		fds[i] = ctl_frame_connect(path);
		ck_assert_int_ge(fds[i], 0);
	}
	/* a new client is served: it takes an idle one's slot */
	fd = ctl_frame_connect(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(version_status(fd, msg, sizeof(msg)), DPVS__STATUS__OK);
	close(fd);
	deadline = dpvs_now_ns() + 3000000000ull;
	for (i = 0; i < N; i++) {
		struct pollfd p = { .fd = fds[i], .events = POLLIN };
		int64_t left = (int64_t)(deadline - dpvs_now_ns()) / 1000000;

		if (poll(&p, 1, left > 0 ? (int)left : 0) <= 0)
			continue; /* still served */
		st = recv_status(fds[i], msg, sizeof(msg), 1000);
		ck_assert_msg(st == DPVS__STATUS__ERR_BUSY &&
			      strstr(msg, "closed: idle while the server is full") != NULL,
			      "idle connection %d of %d: closed with status %d '%s'", i, N, st,
			      st >= 0 ? msg : "(no frame: closed without a word)");
		told++;
	}
	ck_assert_msg(told >= N + 1 - CTL_MAX_CONNS, "only %d of %d idle connections were "
		      "told (at most %d may stay)", told, N, CTL_MAX_CONNS);
	for (i = 0; i < N; i++)
		close(fds[i]);
}

/* Frames the server at path refuses, each on a connection of its own: it
 * replies with the error and closes that connection. */
static void
expect_bad_frames_refused(const char *path)
{
	const uint8_t junk[] = { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f };
	uint8_t hdr[CTL_FRAME_HDR];
	int fd;

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
}

START_TEST(test_server)
{
	struct event_base *base = event_base_new();
	struct ctl_server *srv, *dup;
	struct event *ev;
	char dir[64], path[96], err[256];
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
	loop_begin(base, &ev, &t);

	keep = ctl_frame_connect(path);
	ck_assert_int_ge(keep, 0);
	expect_version(keep);

	expect_bad_frames_refused(path);

	/* a connection idle for the whole timeout is told so, then closed */
	fd = ctl_frame_connect(path);
	expect_reject(fd, DPVS__STATUS__ERR_BUSY, "closed: idle for 200 ms");
	/* and one idle between two requests */
	fd = ctl_frame_connect(path);
	expect_version(fd);
	expect_reject(fd, DPVS__STATUS__ERR_BUSY, "closed: idle for 200 ms");

	/* a peer that is neither root nor in the socket's group is refused */
	if (geteuid() == 0) {
		expect_denied_as_nobody(path);
		expect_allowed_by_supplementary_group(path);
	}

	/* long enough that no timeout ends a client of these early, even on a
	 * loaded machine (with 200 ms one could be cut before its request) */
	ctl_server_set_timeout_ms(srv, 5000);
	expect_backpressure(path);
	ctl_server_set_timeout_ms(srv, 200);

	/* the other connections were not disturbed: a fresh one works */
	fd = ctl_frame_connect(path);
	expect_version(fd);
	expect_version(fd);
	close(fd);
	close(keep);

	loop_end(ev, t);
	ctl_server_free(srv);
	ck_assert_int_ne(access(path, F_OK), 0);
	event_base_free(base);
	snprintf(path, sizeof(path), "%s/run", dir);
	rmdir(path);
	rmdir(dir);
}
END_TEST

/* The connection limit, on a server of its own (fresh counts). */
START_TEST(test_server_fairness)
{
	struct event_base *base = event_base_new();
	int fds[CTL_MAX_CONNS], newest;
	char dir[64], path[96];
	struct ctl_server *srv;
	struct event *ev;
	pthread_t t;

	/* timeouts long enough that no timeout ends a client of these early,
	 * even on a machine with a load of 20 (5 s was not: idle ones were
	 * closed by their timeout before their slot was taken) */
	srv = server_in(base, 'f', dir, sizeof(dir), path, sizeof(path), 20000);
	loop_begin(base, &ev, &t);

	expect_idle_slot_taken(path, fds, &newest);
	expect_busy(path, fds, newest);
	expect_idle_burst(path);

	loop_end(ev, t);
	ctl_server_free(srv);
	event_base_free(base);
	rmdir(dir);
}
END_TEST

/* Stands in for dpvs-primary: answers dpvs-ctl's request in root->cmd
 * (sup_cmd.c's part) after arg milliseconds. */
static void *
slow_primary(void *arg)
{
	struct dpvs_sup_cmd *cmd = &shm.root->cmd;
	const struct timespec nap = { 0, 1000000 };
	const struct timespec slow = { (long)(uintptr_t)arg / 1000,
				       ((long)(uintptr_t)arg % 1000) * 1000000 };
	uint32_t req;

	while ((req = __atomic_load_n(&cmd->req_seq, __ATOMIC_ACQUIRE)) ==
	       __atomic_load_n(&cmd->done_seq, __ATOMIC_RELAXED))
		nanosleep(&nap, NULL);
	nanosleep(&slow, NULL);
	snprintf(cmd->msg, sizeof(cmd->msg), "worker %u handed over", cmd->worker);
	cmd->status = 0;
	__atomic_store_n(&cmd->done_seq, req, __ATOMIC_RELEASE);
	return NULL;
}

/* A handler that blocks longer than the connection's timeouts (worker
 * restart waits for the primary: seconds on a loaded machine) still gets
 * its reply written: the timeouts count from the loop pass that read the
 * request, which the handler outlasted. */
START_TEST(test_server_slow_handler)
{
	struct event_base *base = event_base_new();
	Dpvs__Request req = DPVS__REQUEST__INIT;
	Dpvs__WorkerRestart wr = DPVS__WORKER_RESTART__INIT;
	char dir[64], path[96];
	struct ctl_server *srv;
	Dpvs__Response *r;
	pthread_t t, prim;
	struct event *ev;
	int fd;

	srv = server_in(base, 's', dir, sizeof(dir), path, sizeof(path), 200);
	loop_begin(base, &ev, &t);
	/* the "primary" is this process: its SIGUSR1 is ignored */
	signal(SIGUSR1, SIG_IGN);
	shm.root->primary_pid = getpid();
	ck_assert_int_eq(pthread_create(&prim, NULL, slow_primary, (void *)(uintptr_t)600), 0);

	wr.id = 1;
	req.op_case = DPVS__REQUEST__OP_WORKER_RESTART;
	req.worker_restart = &wr;
	fd = ctl_frame_connect(path);
	ck_assert_int_ge(fd, 0);
	r = roundtrip(fd, &req);
	ck_assert_int_eq(r->status, DPVS__STATUS__OK);
	ck_assert_ptr_nonnull(strstr(r->message, "worker 1 handed over"));
	dpvs__response__free_unpacked(r, NULL);
	/* and the connection still serves */
	expect_version(fd);
	close(fd);
	pthread_join(prim, NULL);

	loop_end(ev, t);
	ctl_server_free(srv);
	event_base_free(base);
	rmdir(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ctl_server");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	/* as dpvs-ctl does: a write to a client that left is an error, not death */
	signal(SIGPIPE, SIG_IGN);
	tctl_eal_and_shm(&shm, "test_ctl_server", "tctls");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_server);
	tcase_add_test(tc, test_server_fairness);
	tcase_add_test(tc, test_server_slow_handler);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	dpvs_eal_cleanup_private();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
