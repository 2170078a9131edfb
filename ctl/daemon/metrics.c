/*
 * The /metrics endpoint of dpvs-ctl (see metrics.h): libevent's evhttp on
 * [metrics] listen, in dpvs-ctl's loop; a GET renders the exposition into
 * memory and hands it to evhttp, which writes it as the client reads (a slow
 * client holds no one up). A timer samples the workers' loop counters every
 * CTL_METRICS_SAMPLE_MS for the busy ratio. Reads shared memory only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "ctl/daemon/log.h"
#include "ctl/daemon/metrics.h"

#define METRICS_TIMEOUT_S 10      /* a client that sends or reads nothing this long goes */

struct ctl_metrics {
	struct dpvs_shm *shm;
	struct evhttp *http;
	struct event *sampler;
	uint64_t loops[DPVS_MAX_WORKERS], busy[DPVS_MAX_WORKERS];
	int sampled;
	struct ctl_metrics_busy ratio;
};

static void
on_sample(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_metrics *m = arg;
	const struct dpvs_root *root = m->shm->root;
	uint32_t w;

	(void)fd;
	(void)what;
	for (w = 0; w < root->conf.nworkers && w < DPVS_MAX_WORKERS; w++) {
		uint64_t l = root->stats[w].loops, b = root->stats[w].busy_loops;

		if (m->sampled && l > m->loops[w])
			m->ratio.ratio[w] = (double)(b - m->busy[w]) / (double)(l - m->loops[w]);
		else if (m->sampled)
			m->ratio.ratio[w] = 0;   /* no iteration: stopped or stuck */
		m->loops[w] = l;
		m->busy[w] = b;
	}
	m->sampled = 1;
}

static void
on_metrics(struct evhttp_request *req, void *arg)
{
	struct ctl_metrics *m = arg;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	struct evbuffer *body;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_send_error(req, 405, "only GET");
		return;
	}
	f = open_memstream(&text, &len);
	if (f == NULL) {
		evhttp_send_error(req, 500, "out of memory");
		return;
	}
	ctl_metrics_render(m->shm, &m->ratio, f);
	fclose(f);
	body = evbuffer_new();
	if (body == NULL || evbuffer_add_reference(body, text, len, NULL, NULL) != 0) {
		evhttp_send_error(req, 500, "out of memory");
		if (body != NULL)
			evbuffer_free(body);
		free(text);
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, 200, "OK", body);   /* copies the body out */
	evbuffer_free(body);
	free(text);
}

static void
on_other(struct evhttp_request *req, void *arg)
{
	(void)arg;
	evhttp_send_error(req, 404, "only /metrics here");
}

/* A listening socket on the numeric address (evhttp's own bind resolves with
 * AI_ADDRCONFIG, which refuses IPv4 in a namespace whose kernel has only a
 * loopback address: the node's addresses are the workers'). */
static int
metrics_listen(const char *addr, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (strchr(addr, ':') != NULL) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		if (inet_pton(AF_INET6, addr, &a->sin6_addr) != 1)
			return -EINVAL;
		sl = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		if (inet_pton(AF_INET, addr, &a->sin_addr) != 1)
			return -EINVAL;
		sl = sizeof(*a);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 64) != 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

struct ctl_metrics *
ctl_metrics_new(struct event_base *base, struct dpvs_shm *shm, char *err, size_t errlen)
{
	const struct dpvs_global_conf *g = &shm->root->conf;
	const struct timeval tv = { CTL_METRICS_SAMPLE_MS / 1000,
				    (CTL_METRICS_SAMPLE_MS % 1000) * 1000 };
	struct ctl_metrics *m;
	uint32_t w;
	int fd;

	err[0] = '\0';
	if (g->metrics_addr[0] == '\0')
		return NULL;
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		snprintf(err, errlen, "[metrics]: out of memory");
		return NULL;
	}
	m->shm = shm;
	for (w = 0; w < DPVS_MAX_WORKERS; w++)
		m->ratio.ratio[w] = -1;
	m->http = evhttp_new(base);
	m->sampler = event_new(base, -1, EV_PERSIST, on_sample, m);
	if (m->http == NULL || m->sampler == NULL || event_add(m->sampler, &tv) != 0) {
		snprintf(err, errlen, "[metrics]: cannot start the HTTP server");
		ctl_metrics_free(m);
		return NULL;
	}
	evhttp_set_timeout(m->http, METRICS_TIMEOUT_S);
	evhttp_set_max_headers_size(m->http, 8192);
	evhttp_set_max_body_size(m->http, 0);
	evhttp_set_cb(m->http, "/metrics", on_metrics, m);
	evhttp_set_gencb(m->http, on_other, m);
	fd = metrics_listen(g->metrics_addr, g->metrics_port);
	if (fd < 0 || evhttp_accept_socket(m->http, fd) != 0) {
		snprintf(err, errlen, "[metrics] listen = %s%s%s:%u: cannot listen there: %s",
			 strchr(g->metrics_addr, ':') != NULL ? "[" : "", g->metrics_addr,
			 strchr(g->metrics_addr, ':') != NULL ? "]" : "", g->metrics_port,
			 strerror(fd < 0 ? -fd : EINVAL));
		if (fd >= 0)
			close(fd);
		ctl_metrics_free(m);
		return NULL;
	}
	on_sample(-1, 0, m);
	CTL_LOG(INFO, "serving metrics on %s:%u/metrics", g->metrics_addr, g->metrics_port);
	return m;
}

void
ctl_metrics_free(struct ctl_metrics *m)
{
	if (m == NULL)
		return;
	if (m->http != NULL)
		evhttp_free(m->http);
	if (m->sampler != NULL)
		event_free(m->sampler);
	free(m);
}
