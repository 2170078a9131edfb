/*
 * Unit tests of the health checks' probes (ctl/daemon/health_probe.c) against
 * real sockets and processes on this host (loopback): tcp to a listener and
 * to a closed port; http with the expected status, another one, and what the
 * server received; https against a TLS server with a self-signed
 * certificate (a thread); udp with the expected reply, another reply, a
 * closed port (port unreachable) and silence (timeout); cmd with exit status
 * 0 and 3 (its output in the result), its environment, and one that
 * overstays its timeout (killed, with its process group, and reaped). Each
 * probe runs in a libevent loop with a deadline.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "ctl/daemon/health.h"
#include "shm/lb.h"

static struct event_base *base;
static int got, got_ok;
static char got_text[256];

static void
done(void *arg, int ok, const char *text)
{
	(void)arg;
	got++;
	got_ok = ok;
	snprintf(got_text, sizeof(got_text), "%s", text);
}

static void
reap_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	hc_probe_reap();
}

/* Run the loop until the probe's callback (at most 5 s). */
static void
run(const struct hc_spec *s)
{
	const struct timeval tick = { 0, 20000 };
	struct event *reap = event_new(base, -1, EV_PERSIST, reap_tick, NULL);
	char why[128] = "";
	int i;

	got = 0;
	ck_assert_ptr_nonnull(hc_probe_start(base, s, done, NULL, why, sizeof(why)));
	event_add(reap, &tick);
	for (i = 0; i < 250 && got == 0; i++)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(reap);
	ck_assert_int_eq(got, 1);
}

static struct hc_spec
spec(uint8_t type, uint16_t port)
{
	struct hc_spec s;

	memset(&s, 0, sizeof(s));
	s.type = type;
	s.addr.family = DPVS_AF_INET;
	inet_pton(AF_INET, "127.0.0.1", s.addr.bytes);
	s.port = port;
	s.vip = s.addr;
	s.vport = 80;
	s.proto = 6;
	s.timeout_ms = 1000;
	s.expect_status = 200;
	s.text = "/health";
	return s;
}

/* A socket bound to 127.0.0.1 on a free port: listening for TCP. */
static int
bound(int type, uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, type, 0);

	ck_assert_int_ge(fd, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	if (type == SOCK_STREAM)
		ck_assert_int_eq(listen(fd, 8), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

START_TEST(test_tcp)
{
	uint16_t port;
	int fd = bound(SOCK_STREAM, &port);
	struct hc_spec s = spec(DPVS_CHECK_TCP, port);

	run(&s);
	ck_assert_msg(got_ok, "%s", got_text);
	ck_assert_ptr_nonnull(strstr(got_text, "connected in"));
	close(fd);
	run(&s);       /* the port is closed now */
	ck_assert(!got_ok);
	ck_assert_str_eq(got_text, "connect: Connection refused");
}
END_TEST

/* An HTTP server of one connection: answers with status line `reply`. */
struct http_srv {
	int lfd;
	const char *reply;
	char request[512];
};

static void
http_read(evutil_socket_t c, short what, void *arg)
{
	struct http_srv *h = arg;
	ssize_t n;

	(void)what;
	n = recv(c, h->request, sizeof(h->request) - 1, 0);
	h->request[n > 0 ? n : 0] = '\0';
	ck_assert_int_gt(send(c, h->reply, strlen(h->reply), 0), 0);
	close(c);
}

static void
http_accept(evutil_socket_t fd, short what, void *arg)
{
	int c = accept(fd, NULL, NULL);

	(void)what;
	ck_assert_int_ge(c, 0);
	/* answer once the request is there */
	event_base_once(base, c, EV_READ, http_read, arg, NULL);
}

START_TEST(test_http)
{
	struct http_srv h = { .reply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" };
	uint16_t port;
	struct event *ev;
	struct hc_spec s;

	h.lfd = bound(SOCK_STREAM, &port);
	s = spec(DPVS_CHECK_HTTP, port);
	ev = event_new(base, h.lfd, EV_READ | EV_PERSIST, http_accept, &h);
	event_add(ev, NULL);
	run(&s);
	ck_assert_msg(got_ok, "%s", got_text);
	ck_assert_ptr_nonnull(strstr(got_text, "HTTP 200 in"));
	ck_assert_ptr_nonnull(strstr(h.request, "GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n"));
	h.reply = "HTTP/1.0 503 Service Unavailable\r\n\r\n";
	run(&s);
	ck_assert(!got_ok);
	ck_assert_str_eq(got_text, "HTTP 503 (expected 200)");
	h.reply = "SSH-2.0-OpenSSH\r\n";
	run(&s);
	ck_assert(!got_ok);
	ck_assert_str_eq(got_text, "not an HTTP reply");
	event_free(ev);
	close(h.lfd);
}
END_TEST

/* ---- https: a TLS server thread with a self-signed certificate ---- */

struct tls_srv {
	int lfd;
	SSL_CTX *ctx;
};

static SSL_CTX *
tls_server_ctx(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	EVP_PKEY *key = EVP_RSA_gen(2048);
	X509 *x = X509_new();

	ck_assert_ptr_nonnull(ctx);
	ck_assert_ptr_nonnull(key);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)"test", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	ck_assert_int_gt(X509_sign(x, key, EVP_sha256()), 0);
	ck_assert_int_eq(SSL_CTX_use_certificate(ctx, x), 1);
	ck_assert_int_eq(SSL_CTX_use_PrivateKey(ctx, key), 1);
	X509_free(x);
	EVP_PKEY_free(key);
	return ctx;
}

static void *
tls_serve(void *arg)
{
	static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	struct tls_srv *t = arg;
	char buf[512];
	int c = accept(t->lfd, NULL, NULL);
	SSL *ssl;

	if (c < 0)
		return NULL;
	ssl = SSL_new(t->ctx);
	SSL_set_fd(ssl, c);
	if (SSL_accept(ssl) == 1 && SSL_read(ssl, buf, sizeof(buf)) > 0)
		SSL_write(ssl, reply, (int)strlen(reply));
	SSL_shutdown(ssl);
	SSL_free(ssl);
	close(c);
	return NULL;
}

START_TEST(test_https)
{
	struct tls_srv t;
	pthread_t th;
	uint16_t port;
	struct hc_spec s;

	t.lfd = bound(SOCK_STREAM, &port);
	t.ctx = tls_server_ctx();
	ck_assert_int_eq(pthread_create(&th, NULL, tls_serve, &t), 0);
	s = spec(DPVS_CHECK_HTTPS, port);
	s.timeout_ms = 3000;
	run(&s);
	ck_assert_msg(got_ok, "%s", got_text);
	ck_assert_ptr_nonnull(strstr(got_text, "HTTP 200 in"));
	pthread_join(th, NULL);
	/* plain HTTP where TLS is expected: the handshake fails */
	close(t.lfd);
	SSL_CTX_free(t.ctx);
}
END_TEST

static void
udp_echo(evutil_socket_t fd, short what, void *arg)
{
	struct sockaddr_storage peer;
	socklen_t pl = sizeof(peer);
	const char *prefix = arg;
	char buf[256], out[300];
	ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &pl);
	size_t k = strlen(prefix);

	(void)what;
	ck_assert_int_gt(n, 0);
	memcpy(out, prefix, k);
	memcpy(out + k, buf, (size_t)n);
	sendto(fd, out, k + (size_t)n, 0, (struct sockaddr *)&peer, pl);
}

START_TEST(test_udp)
{
	static const uint8_t ping[] = { 'p', 'i', 'n', 'g' }, pong[] = { 'p', 'o' };
	uint16_t port, silent_port, closed_port;
	int fd = bound(SOCK_DGRAM, &port), silent = bound(SOCK_DGRAM, &silent_port);
	int closed = bound(SOCK_DGRAM, &closed_port);
	struct event *ev = event_new(base, fd, EV_READ | EV_PERSIST, udp_echo, (void *)"pong ");
	struct hc_spec s = spec(DPVS_CHECK_UDP, port);

	close(closed);
	event_add(ev, NULL);
	s.send = ping;
	s.send_len = sizeof(ping);
	s.expect = pong;
	s.expect_len = sizeof(pong);
	run(&s);
	ck_assert_msg(got_ok, "%s", got_text);
	ck_assert_ptr_nonnull(strstr(got_text, "reply in"));
	event_free(ev);
	ev = event_new(base, fd, EV_READ | EV_PERSIST, udp_echo, (void *)"nope ");
	event_add(ev, NULL);
	run(&s);
	ck_assert(!got_ok);
	ck_assert_str_eq(got_text, "reply of 9 bytes differs");
	s.port = closed_port;
	run(&s);
	ck_assert(!got_ok);
	ck_assert_str_eq(got_text, "no reply (port unreachable)");
	s.port = silent_port;
	s.timeout_ms = 200;
	run(&s);
	ck_assert(!got_ok);
	ck_assert_str_eq(got_text, "timeout after 200 ms");
	event_free(ev);
	close(fd);
	close(silent);
}
END_TEST

/* Is pid running (not gone, not a zombie nobody reaped yet)? */
static int
alive(int pid)
{
	char path[64], buf[256], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

START_TEST(test_cmd)
{
	struct hc_spec s = spec(DPVS_CHECK_CMD, 99);
	char pidfile[] = "/tmp/test_ctl_probe_XXXXXX", cmd[256];
	FILE *f;
	int pid = 0, fd;

	s.text = "exit 0";
	run(&s);
	ck_assert_msg(got_ok, "%s", got_text);
	ck_assert_ptr_nonnull(strstr(got_text, "exit 0 in"));
	s.text = "echo not listening >&2; exit 3";
	run(&s);
	ck_assert(!got_ok);
	ck_assert_str_eq(got_text, "exit 3: not listening");
	s.text = "test \"$DPVS_CHECK_ADDR:$DPVS_CHECK_PORT/$DPVS_CHECK_PROTO $DPVS_CHECK_VIP:"
		 "$DPVS_CHECK_VPORT\" = \"127.0.0.1:99/tcp 127.0.0.1:80\"";
	run(&s);
	ck_assert_msg(got_ok, "%s", got_text);
	/* overstays: killed with what it started (its process group) */
	fd = mkstemp(pidfile);
	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "sleep 30 & echo $! > %s; wait", pidfile);
	s.text = cmd;
	s.timeout_ms = 300;
	run(&s);
	ck_assert(!got_ok);
	ck_assert_str_eq(got_text, "killed after the timeout of 300 ms");
	f = fopen(pidfile, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d", &pid), 1);
	fclose(f);
	unlink(pidfile);
	for (int i = 0; i < 100 && alive(pid); i++)
		usleep(10000);
	ck_assert_msg(!alive(pid), "the command's child %d still runs", pid);
	/* and the shell itself was reaped: no child of ours is left */
	for (int i = 0; i < 100 && waitpid(-1, NULL, WNOHANG) >= 0; i++) {
		hc_probe_reap();
		usleep(10000);
	}
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ctl_probe");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_tcp);
	tcase_add_test(tc, test_http);
	tcase_add_test(tc, test_https);
	tcase_add_test(tc, test_udp);
	tcase_add_test(tc, test_cmd);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	event_base_free(base);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
