/*
 * The probes of the health checks (see health.h): each one a non-blocking
 * socket (or a child process and a pipe) driven by one libevent event whose
 * timeout is what is left of the probe's timeout. Sockets are closed with a
 * reset (SO_LINGER 0), so probes leave no TIME_WAIT behind. Touches only its
 * sockets, pipes and children.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "ctl/daemon/health.h"
#include "ctl/daemon/log.h"
#include "shm/lb.h"

enum { ST_CONNECT, ST_TLS, ST_SEND, ST_READ, ST_CMD };

struct hc_probe {
	struct hc_probe *next, *prev;    /* running or killed cmd probes */
	struct event_base *base;
	struct hc_spec s;
	char text[DPVS_CHECK_DATA_LEN];  /* copies of the spec's data */
	uint8_t bytes[DPVS_CHECK_DATA_LEN];
	int fd;
	struct event *ev;
	int stage;
	uint64_t start_ns;
	SSL *ssl;
	pid_t pid;                       /* cmd */
	int killed;                      /* cmd: killed, waiting to be reaped */
	char buf[512];
	size_t len, off;
	hc_done_fn done;
	void *arg;
};

static struct hc_probe *cmd_list;        /* cmd probes with a child */
static SSL_CTX *tls_ctx;

static uint64_t
elapsed_ms(const struct hc_probe *p)
{
	return (dpvs_now_ns() - p->start_ns) / 1000000;
}

static void
cmd_unlink(struct hc_probe *p)
{
	if (p->prev != NULL)
		p->prev->next = p->next;
	else if (cmd_list == p)
		cmd_list = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	p->next = p->prev = NULL;
}

static void
probe_free(struct hc_probe *p)
{
	if (p->ev != NULL)
		event_free(p->ev);
	if (p->ssl != NULL)
		SSL_free(p->ssl);
	if (p->fd >= 0) {
		if (p->s.type != DPVS_CHECK_CMD && p->s.type != DPVS_CHECK_UDP) {
			struct linger l = { 1, 0 };

			setsockopt(p->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		}
		close(p->fd);
	}
	cmd_unlink(p);
	free(p);
}

static void
probe_finish(struct hc_probe *p, int ok, const char *fmt, ...)
{
	hc_done_fn done = p->done;
	void *arg = p->arg;
	char text[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (p->pid > 0) {
		/* a cmd that overstayed: killed, reaped later (hc_probe_reap) */
		kill(-p->pid, SIGKILL);
		p->killed = 1;
		if (p->ev != NULL)
			event_free(p->ev);
		p->ev = NULL;
		if (p->fd >= 0)
			close(p->fd);
		p->fd = -1;
		done(arg, ok, text);
		return;
	}
	probe_free(p);
	done(arg, ok, text);
}

/* Wait for what (EV_READ / EV_WRITE; 0 with no fd: the timeout alone) for
 * the rest of the timeout. */
static void
probe_wait(struct hc_probe *p, short what)
{
	uint64_t used = elapsed_ms(p), left = used < p->s.timeout_ms ? p->s.timeout_ms - used : 0;
	struct timeval tv = { (time_t)(left / 1000), (suseconds_t)((left % 1000) * 1000) };

	event_del(p->ev);
	event_assign(p->ev, p->base, p->fd, what, event_get_callback(p->ev), p);
	event_add(p->ev, &tv);
}

/* ---- HTTP over a socket or TLS ---- */

static void
http_request(struct hc_probe *p)
{
	char host[INET6_ADDRSTRLEN + 2];
	int family = p->s.addr.family == DPVS_AF_INET6 ? AF_INET6 : AF_INET;

	inet_ntop(family, p->s.addr.bytes, host + 1, sizeof(host) - 1);
	if (family == AF_INET6) {
		host[0] = '[';
		strcat(host, "]");
	}
	p->len = (size_t)snprintf(p->buf, sizeof(p->buf), "GET %s HTTP/1.0\r\nHost: %s\r\n"
				  "User-Agent: dpvs-ctl health check\r\nConnection: close\r\n\r\n",
				  p->text, family == AF_INET6 ? host : host + 1);
	p->off = 0;
}

/* The status line in buf[0, len): finish when complete (or the peer closed). */
static int
http_status(struct hc_probe *p, int eof)
{
	unsigned int major, minor, code;
	char *nl;

	p->buf[p->len] = '\0';
	nl = strstr(p->buf, "\r\n");
	if (nl == NULL && !eof && p->len < sizeof(p->buf) - 1)
		return 0;
	if (sscanf(p->buf, "HTTP/%u.%u %u", &major, &minor, &code) != 3) {
		probe_finish(p, 0, "not an HTTP reply");
		return 1;
	}
	if (code != p->s.expect_status)
		probe_finish(p, 0, "HTTP %u (expected %u)", code, p->s.expect_status);
	else
		probe_finish(p, 1, "HTTP %u in %llu ms", code, (unsigned long long)elapsed_ms(p));
	return 1;
}

/* An SSL call's "would block": wait for it; else finish with its error. */
static void
tls_retry(struct hc_probe *p, int rc, const char *what)
{
	int e = SSL_get_error(p->ssl, rc);

	if (e == SSL_ERROR_WANT_READ)
		probe_wait(p, EV_READ);
	else if (e == SSL_ERROR_WANT_WRITE)
		probe_wait(p, EV_WRITE);
	else if (e == SSL_ERROR_ZERO_RETURN && p->stage == ST_READ)
		http_status(p, 1);
	else
		probe_finish(p, 0, "TLS %s failed", what);
}

static void
tls_step(struct hc_probe *p)
{
	int rc;

	if (p->stage == ST_TLS) {
		rc = SSL_connect(p->ssl);
		if (rc != 1)
			return tls_retry(p, rc, "handshake");
		p->stage = ST_SEND;
		http_request(p);
	}
	if (p->stage == ST_SEND) {
		rc = SSL_write(p->ssl, p->buf, (int)p->len);
		if (rc <= 0)
			return tls_retry(p, rc, "write");
		p->stage = ST_READ;
		p->len = 0;
	}
	rc = SSL_read(p->ssl, p->buf + p->len, (int)(sizeof(p->buf) - 1 - p->len));
	if (rc <= 0)
		return tls_retry(p, rc, "read");
	p->len += (size_t)rc;
	if (!http_status(p, 0))
		probe_wait(p, EV_READ);
}

static void
http_step(struct hc_probe *p)
{
	ssize_t n;

	if (p->stage == ST_SEND) {
		n = send(p->fd, p->buf + p->off, p->len - p->off, MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN) {
			probe_finish(p, 0, "send: %s", strerror(errno));
			return;
		}
		p->off += n > 0 ? (size_t)n : 0;
		if (p->off < p->len) {
			probe_wait(p, EV_WRITE);
			return;
		}
		p->stage = ST_READ;
		p->len = 0;
	}
	n = recv(p->fd, p->buf + p->len, sizeof(p->buf) - 1 - p->len, 0);
	if (n < 0 && errno == EAGAIN) {
		probe_wait(p, EV_READ);
		return;
	}
	if (n < 0) {
		probe_finish(p, 0, "recv: %s", strerror(errno));
		return;
	}
	p->len += (size_t)n;
	if (!http_status(p, n == 0))
		probe_wait(p, EV_READ);
}

/* ---- the socket probes ---- */

static void
connected(struct hc_probe *p)
{
	if (p->s.type == DPVS_CHECK_TCP) {
		probe_finish(p, 1, "connected in %llu ms", (unsigned long long)elapsed_ms(p));
		return;
	}
	if (p->s.type == DPVS_CHECK_HTTPS) {
		p->ssl = SSL_new(tls_ctx);
		if (p->ssl == NULL || SSL_set_fd(p->ssl, p->fd) != 1) {
			probe_finish(p, 0, "TLS: cannot start");
			return;
		}
		p->stage = ST_TLS;
		tls_step(p);
		return;
	}
	p->stage = ST_SEND;
	http_request(p);
	http_step(p);
}

static void
udp_reply(struct hc_probe *p)
{
	ssize_t n = recv(p->fd, p->buf, sizeof(p->buf), 0);

	if (n < 0 && errno == EAGAIN) {
		probe_wait(p, EV_READ);
		return;
	}
	if (n < 0) {
		probe_finish(p, 0, "no reply (%s)", errno == ECONNREFUSED ? "port unreachable" :
		     strerror(errno));
		return;
	}
	if ((size_t)n < p->s.expect_len ||
	    memcmp(p->buf, p->bytes + p->s.send_len, p->s.expect_len) != 0) {
		probe_finish(p, 0, "reply of %zd bytes differs", n);
		return;
	}
	probe_finish(p, 1, "reply in %llu ms", (unsigned long long)elapsed_ms(p));
}

static void
on_socket(evutil_socket_t fd, short what, void *arg)
{
	struct hc_probe *p = arg;
	socklen_t len = sizeof(int);
	int e = 0;

	(void)fd;
	if ((what & EV_TIMEOUT) != 0) {
		probe_finish(p, 0, "timeout after %u ms", p->s.timeout_ms);
		return;
	}
	if (p->stage == ST_CONNECT) {
		getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &e, &len);
		if (e != 0) {
			probe_finish(p, 0, "connect: %s", strerror(e));
			return;
		}
		connected(p);
	} else if (p->s.type == DPVS_CHECK_UDP) {
		udp_reply(p);
	} else if (p->s.type == DPVS_CHECK_HTTPS) {
		tls_step(p);
	} else {
		http_step(p);
	}
}

static int
sock_start(struct hc_probe *p, char *why, size_t whylen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int udp = p->s.type == DPVS_CHECK_UDP;

	memset(&ss, 0, sizeof(ss));
	if (p->s.addr.family == DPVS_AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(p->s.port);
		memcpy(&a->sin6_addr, p->s.addr.bytes, 16);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(p->s.port);
		memcpy(&a->sin_addr, p->s.addr.bytes, 4);
		sl = sizeof(*a);
	}
	p->fd = socket(ss.ss_family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0);
	if (p->fd < 0) {
		snprintf(why, whylen, "socket: %s", strerror(errno));
		return -1;
	}
	p->ev = event_new(p->base, p->fd, EV_WRITE, on_socket, p);
	if (p->ev == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	p->stage = udp ? ST_READ : ST_CONNECT;
	if (connect(p->fd, (struct sockaddr *)&ss, sl) != 0 && errno != EINPROGRESS) {
		snprintf(why, whylen, "connect: %s", strerror(errno));
		return -1;
	}
	if (udp) {
		if (send(p->fd, p->bytes, p->s.send_len, 0) < 0) {
			snprintf(why, whylen, "send: %s", strerror(errno));
			return -1;
		}
		probe_wait(p, EV_READ);
		return 0;
	}
	probe_wait(p, EV_WRITE);
	return 0;
}

/* ---- cmd ---- */

static void
on_cmd(evutil_socket_t fd, short what, void *arg)
{
	struct hc_probe *p = arg;
	ssize_t n;

	(void)fd;
	if ((what & EV_TIMEOUT) != 0 || p->fd < 0) {
		probe_finish(p, 0, "killed after the timeout of %u ms", p->s.timeout_ms);
		return;
	}
	/* keep the start of the output for the result; drain the rest */
	n = read(p->fd, p->len < sizeof(p->buf) - 1 ? p->buf + p->len : p->buf,
		 p->len < sizeof(p->buf) - 1 ? sizeof(p->buf) - 1 - p->len : sizeof(p->buf) - 1);
	if (n > 0 && p->len < sizeof(p->buf) - 1)
		p->len += (size_t)n;
	if (n == 0) {
		/* output closed: the exit status comes with SIGCHLD; the timeout
		 * still runs */
		close(p->fd);
		p->fd = -1;
		probe_wait(p, 0);
		return;
	}
	probe_wait(p, EV_READ);
}

static void
cmd_env(const struct hc_probe *p, char env[6][96], char *envp[7])
{
	char a[INET6_ADDRSTRLEN], v[INET6_ADDRSTRLEN];

	inet_ntop(p->s.addr.family == DPVS_AF_INET6 ? AF_INET6 : AF_INET, p->s.addr.bytes, a,
		  sizeof(a));
	inet_ntop(p->s.vip.family == DPVS_AF_INET6 ? AF_INET6 : AF_INET, p->s.vip.bytes, v,
		  sizeof(v));
	snprintf(env[0], 96, "DPVS_CHECK_ADDR=%s", a);
	snprintf(env[1], 96, "DPVS_CHECK_PORT=%u", p->s.port);
	snprintf(env[2], 96, "DPVS_CHECK_PROTO=%s", p->s.proto == IPPROTO_UDP ? "udp" : "tcp");
	snprintf(env[3], 96, "DPVS_CHECK_VIP=%s", v);
	snprintf(env[4], 96, "DPVS_CHECK_VPORT=%u", p->s.vport);
	snprintf(env[5], 96, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	for (int i = 0; i < 6; i++)
		envp[i] = env[i];
	envp[6] = NULL;
}

static int
cmd_start(struct hc_probe *p, char *why, size_t whylen)
{
	char *argv[] = { (char *)"sh", (char *)"-c", p->text, NULL }, env[6][96], *envp[7];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int pipefd[2], rc;

	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		return -1;
	}
	cmd_env(p, env, envp);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&at);
	/* its own process group, so that a timeout kills what it started too;
	 * signals as a fresh process has them */
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	{
		sigset_t none, all;

		sigemptyset(&none);
		sigfillset(&all);
		posix_spawnattr_setsigmask(&at, &none);
		posix_spawnattr_setsigdefault(&at, &all);
	}
	rc = posix_spawn(&p->pid, "/bin/sh", &fa, &at, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(pipefd[1]);
	p->fd = pipefd[0];
	if (rc != 0) {
		p->pid = 0;
		snprintf(why, whylen, "cannot run /bin/sh: %s", strerror(rc));
		return -1;
	}
	fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK);
	p->next = cmd_list;
	if (cmd_list != NULL)
		cmd_list->prev = p;
	cmd_list = p;
	p->stage = ST_CMD;
	p->ev = event_new(p->base, p->fd, EV_READ, on_cmd, p);
	if (p->ev == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	probe_wait(p, EV_READ);
	return 0;
}

/* The exit of a cmd probe's child: its result (or nothing, if it had been
 * killed at the timeout and its result given already). */
static void
cmd_exited(struct hc_probe *p, int status)
{
	char *nl;

	p->pid = 0;
	if (p->killed) {
		probe_free(p);
		return;
	}
	p->buf[p->len] = '\0';
	nl = strchr(p->buf, '\n');
	if (nl != NULL)
		*nl = '\0';
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		probe_finish(p, 1, "exit 0 in %llu ms%s%.80s", (unsigned long long)elapsed_ms(p),
			     p->buf[0] != '\0' ? ": " : "", p->buf);
	else if (WIFEXITED(status))
		probe_finish(p, 0, "exit %d%s%.80s", WEXITSTATUS(status),
			     p->buf[0] != '\0' ? ": " : "", p->buf);
	else
		probe_finish(p, 0, "killed by signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

void
hc_probe_reap(void)
{
	struct hc_probe *p, *next;
	int status;

	for (p = cmd_list; p != NULL; p = next) {
		next = p->next;
		if (p->pid > 0 && waitpid(p->pid, &status, WNOHANG) == p->pid)
			cmd_exited(p, status);
	}
}

/* ---- start and cancel ---- */

struct hc_probe *
hc_probe_start(struct event_base *base, const struct hc_spec *s, hc_done_fn done, void *arg,
	       char *why, size_t whylen)
{
	struct hc_probe *p = calloc(1, sizeof(*p));
	int rc;

	if (p == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	p->base = base;
	p->s = *s;
	p->fd = -1;
	p->done = done;
	p->arg = arg;
	p->start_ns = dpvs_now_ns();
	if (s->text != NULL)
		snprintf(p->text, sizeof(p->text), "%s", s->text);
	if (s->send_len + s->expect_len <= sizeof(p->bytes)) {
		/* a check without send or expect has NULL and 0: memcpy's
		 * arguments must not be NULL even for 0 bytes */
		if (s->send_len > 0)
			memcpy(p->bytes, s->send, s->send_len);
		if (s->expect_len > 0)
			memcpy(p->bytes + s->send_len, s->expect, s->expect_len);
	}
	if (s->type == DPVS_CHECK_HTTPS && tls_ctx == NULL) {
		tls_ctx = SSL_CTX_new(TLS_client_method());
		if (tls_ctx != NULL)
			SSL_CTX_set_verify(tls_ctx, SSL_VERIFY_NONE, NULL);
	}
	if (s->type == DPVS_CHECK_HTTPS && tls_ctx == NULL) {
		snprintf(why, whylen, "TLS: cannot start");
		rc = -1;
	} else {
		rc = s->type == DPVS_CHECK_CMD ? cmd_start(p, why, whylen) :
						 sock_start(p, why, whylen);
	}
	if (rc != 0) {
		if (p->pid > 0) {
			kill(-p->pid, SIGKILL);
			p->killed = 1;     /* reaped by hc_probe_reap */
			if (p->ev != NULL)
				event_free(p->ev);
			p->ev = NULL;
			return NULL;
		}
		probe_free(p);
		return NULL;
	}
	return p;
}

void
hc_probe_cancel(struct hc_probe *p)
{
	if (p == NULL)
		return;
	if (p->pid > 0) {
		kill(-p->pid, SIGKILL);
		p->killed = 1;
		if (p->ev != NULL)
			event_free(p->ev);
		p->ev = NULL;
		if (p->fd >= 0)
			close(p->fd);
		p->fd = -1;
		return;
	}
	probe_free(p);
}
