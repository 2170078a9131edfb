/*
 * The control socket (see server.h). Owns the listening socket, its path and
 * the open connections; everything else goes through ctl_handle().
 *
 * Fairness: at most CTL_MAX_CONNS connections are served. A new authorised
 * client always gets a slot if one of them is idle (between requests): the
 * longest-idle one is closed with "closed: idle while the server is full".
 * Only when all are in the middle of a request is the new client told
 * "busy: too many connections" (ERR_BUSY). Refused clients (busy, or not
 * allowed) get their message when they send their request (a reply written
 * before that could be lost to their write on a closed socket), or when
 * too many wait or their timeout ends. A client idle for the whole read
 * timeout is told "closed: idle for N ms". None is closed without a word
 * unless it does not read (write timeout) or CTL_MAX_OPEN sockets are open.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "ctl/common/frame.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/handler.h"
#include "ctl/daemon/log.h"
#include "ctl/daemon/server.h"

struct ctl_conn {
	struct ctl_conn *next, *prev;
	struct ctl_server *srv;
	struct bufferevent *bev;
	int closing;              /* close once the output is flushed */
	int paused;               /* not reading until the output is flushed */
	uint64_t frame_start_ns;  /* when the unfinished frame in the input was
				   * first seen, 0 = none */
	uint64_t frame_limit_ns;  /* the time a frame may take to arrive whole */
	uint64_t last_active_ns;  /* accepted, served a frame or sent its replies */
	char *denied;             /* why the peer may not talk to us (not allowed,
				   * or busy), or NULL: sent when it sends */
	Dpvs__Status denied_st;
	int readonly;             /* the peer may only show ([ctl] readonly_group) */
};

struct ctl_server {
	struct event_base *base;
	struct dpvs_shm *shm;
	struct evconnlistener *lev;
	struct ctl_conn *conns;
	unsigned int nconns;
	struct timeval timeout;   /* read and write, per connection */
	int has_ro;               /* [ctl] readonly_group is set: ro_gid */
	gid_t ro_gid;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static void
conn_free(struct ctl_conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		c->srv->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->srv->nconns--;
	bufferevent_free(c->bev);
	free(c->denied);
	free(c);
}

static void
conn_send(struct ctl_conn *c, const uint8_t *buf, size_t len)
{
	uint8_t hdr[CTL_FRAME_HDR];
	struct evbuffer *out = bufferevent_get_output(c->bev);

	ctl_frame_put_len(hdr, (uint32_t)len);
	evbuffer_add(out, hdr, sizeof(hdr));
	evbuffer_add(out, buf, len);
}

/* Reply with an error and close the connection once it is sent. */
static void
conn_reject(struct ctl_conn *c, Dpvs__Status st, const char *msg)
{
	if (c->closing)
		return;
	size_t len;
	uint8_t *buf = ctl_error_packed(st, msg, &len);

	CTL_LOG(NOTICE, "closing a client connection: %s", msg);
	if (buf != NULL)
		conn_send(c, buf, len);
	free(buf);
	c->closing = 1;
	bufferevent_disable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		conn_free(c);
}

/* A frame must arrive whole within the timeout, however slowly its bytes
 * trickle in (each byte restarts the read timeout); returns -1 if c was
 * rejected (and maybe freed). */
static int
conn_frame_deadline(struct ctl_conn *c)
{
	uint64_t now;

	if (c->closing || c->paused ||
	    evbuffer_get_length(bufferevent_get_input(c->bev)) == 0) {
		c->frame_start_ns = 0;
		return 0;
	}
	now = dpvs_now_ns();
	if (c->frame_start_ns == 0) {
		c->frame_start_ns = now;
		return 0;
	}
	if (now - c->frame_start_ns <= c->frame_limit_ns)
		return 0;
	conn_reject(c, DPVS__STATUS__ERR_MALFORMED,
		    "incomplete frame: not whole within the timeout");
	return -1;
}

/*
 * After a handler, which may block for seconds (worker restart and upgrade
 * wait for the primary; a slow machine stretches any of them): the read and
 * write timeouts start again from now. libevent arms a timeout from the time
 * it cached when this loop pass began, so the write timeout of the reply
 * (armed by conn_send) and the read timeout (re-armed when the request was
 * read) would both have run out already when the handler outlasted them:
 * the connection closed at once, its reply unsent (the client saw EOF).
 */
static void
conn_rearm_timeouts(struct ctl_conn *c)
{
	struct timeval tv = { (time_t)(c->frame_limit_ns / 1000000000ull),
			      (suseconds_t)(c->frame_limit_ns % 1000000000ull / 1000ull) };

	event_base_update_cache_time(c->srv->base);
	bufferevent_set_timeouts(c->bev, &tv, &tv);
}

/* Serve every complete frame in the input; returns -1 if c was rejected. */
static int
conn_serve(struct ctl_conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	uint8_t hdr[CTL_FRAME_HDR], *body, *out;
	char msg[128];
	size_t outlen;
	uint32_t len;
	int rc;

	while (!c->closing && evbuffer_get_length(in) >= CTL_FRAME_HDR) {
		/* a client that does not read its replies: read no more of its
		 * requests until they are sent (conn_write_cb resumes) */
		if (evbuffer_get_length(bufferevent_get_output(c->bev)) > CTL_OUT_HIGH) {
			c->paused = 1;
			bufferevent_disable(c->bev, EV_READ);
			return 0;
		}
		evbuffer_copyout(in, hdr, sizeof(hdr));
		len = ctl_frame_get_len(hdr);
		if (len > CTL_FRAME_MAX) {
			snprintf(msg, sizeof(msg), "frame of %u bytes exceeds the limit of %u", len,
				 CTL_FRAME_MAX);
			conn_reject(c, DPVS__STATUS__ERR_MALFORMED, msg);
			return -1;
		}
		if (evbuffer_get_length(in) < CTL_FRAME_HDR + (size_t)len)
			break;
		c->frame_start_ns = 0;
		evbuffer_drain(in, CTL_FRAME_HDR);
		body = evbuffer_pullup(in, len);
		rc = c->readonly ? ctl_handle_readonly(c->srv->shm, body, len, &out, &outlen) :
				   ctl_handle(c->srv->shm, body, len, &out, &outlen);
		conn_rearm_timeouts(c);
		evbuffer_drain(in, len);
		if (out == NULL) {
			conn_reject(c, DPVS__STATUS__ERR_INTERNAL, "out of memory");
			return -1;
		}
		conn_send(c, out, outlen);
		free(out);
		c->last_active_ns = dpvs_now_ns();
		if (rc == -CTL_EMALFORMED) {
			CTL_LOG(NOTICE, "closing a client connection: malformed request");
			c->closing = 1;
			bufferevent_disable(c->bev, EV_READ);
			return -1;
		}
	}
	return conn_frame_deadline(c);
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_conn *c = arg;

	(void)bev;
	/* a denied peer gets its reason once it has sent something, so that
	 * the reply is not lost to a write on an already closed socket */
	if (c->denied != NULL) {
		conn_reject(c, c->denied_st, c->denied);
		return;
	}
	conn_serve(c);
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_conn *c = arg;

	if (evbuffer_get_length(bufferevent_get_output(bev)) != 0)
		return;
	c->last_active_ns = dpvs_now_ns();
	if (c->closing) {
		conn_free(c);
	} else if (c->paused) {
		c->paused = 0;
		bufferevent_enable(bev, EV_READ);
		conn_serve(c);
	}
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_conn *c = arg;

	(void)bev;
	if ((what & BEV_EVENT_TIMEOUT) != 0 && (what & BEV_EVENT_READING) != 0 &&
	    !c->closing && evbuffer_get_length(bufferevent_get_input(c->bev)) > 0) {
		conn_reject(c, DPVS__STATUS__ERR_MALFORMED, "incomplete frame: read timeout");
		return;
	}
	/* a refused peer that never sent anything still gets its reason */
	if ((what & BEV_EVENT_TIMEOUT) != 0 && c->denied != NULL && !c->closing) {
		conn_reject(c, c->denied_st, c->denied);
		return;
	}
	/* so does a client idle for the whole read timeout */
	if ((what & BEV_EVENT_TIMEOUT) != 0 && (what & BEV_EVENT_READING) != 0 &&
	    !c->closing) {
		char msg[96];

		snprintf(msg, sizeof(msg), "closed: idle for %llu ms; reconnect",
			 (unsigned long long)(c->frame_limit_ns / 1000000ull));
		conn_reject(c, DPVS__STATUS__ERR_BUSY, msg);
		return;
	}
	if ((what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) != 0)
		conn_free(c);
}

/* Is gid among the peer's supplementary groups (SO_PEERGROUPS)? */
static int
peer_in_group(int fd, gid_t gid)
{
	gid_t groups[256];
	socklen_t len = sizeof(groups);
	size_t i;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) != 0)
		return 0;
	for (i = 0; i < len / sizeof(groups[0]); i++)
		if (groups[i] == gid)
			return 1;
	return 0;
}

/* What the peer may do: PEER_FULL for root, our own uid, or a member
 * (primary or supplementary gid) of the socket's group ([ctl] socket_group);
 * PEER_RO for a member of [ctl] readonly_group; else PEER_NONE with why. */
enum { PEER_NONE, PEER_RO, PEER_FULL };

static int
peer_role(const struct ctl_server *srv, int fd, char *why, size_t len)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct stat st;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0) {
		snprintf(why, len, "SO_PEERCRED: %s", strerror(errno));
		return PEER_NONE;
	}
	if (cred.uid == 0 || cred.uid == geteuid())
		return PEER_FULL;
	if (stat(srv->path, &st) == 0 && (cred.gid == st.st_gid || peer_in_group(fd, st.st_gid)))
		return PEER_FULL;
	if (srv->has_ro && (cred.gid == srv->ro_gid || peer_in_group(fd, srv->ro_gid)))
		return PEER_RO;
	snprintf(why, len, "uid %u gid %u is not allowed to use %s", (unsigned int)cred.uid,
		 (unsigned int)cred.gid, srv->path);
	return PEER_NONE;
}

/* Is c between requests: nothing unread (here or in the kernel), nothing
 * unsent, not closing? */
static int
conn_idle(struct ctl_conn *c)
{
	int unread = 0;

	if (c->closing || c->paused || c->denied != NULL ||
	    evbuffer_get_length(bufferevent_get_input(c->bev)) != 0 ||
	    evbuffer_get_length(bufferevent_get_output(c->bev)) != 0)
		return 0;
	if (ioctl(bufferevent_getfd(c->bev), FIONREAD, &unread) != 0)
		return 0;
	return unread == 0;
}

/* Served connections (allowed, not closing), waiting refusals, and the
 * longest-idle served connection and oldest waiting refusal. */
struct conn_census {
	unsigned int served, waiting;
	struct ctl_conn *idlest, *oldest_waiting;
};

static void
conn_census(struct ctl_server *srv, struct conn_census *k)
{
	struct ctl_conn *c;

	memset(k, 0, sizeof(*k));
	for (c = srv->conns; c != NULL; c = c->next) {
		if (c->closing)
			continue;
		if (c->denied != NULL) {
			k->waiting++;
			k->oldest_waiting = c; /* newest first in the list */
			continue;
		}
		k->served++;
		if (conn_idle(c) && (k->idlest == NULL ||
				     c->last_active_ns < k->idlest->last_active_ns))
			k->idlest = c;
	}
}

/*
 * Room for a new authorised client when CTL_MAX_CONNS are served: the
 * longest-idle one (between requests) is closed with a message saying why.
 * Returns 0, or -1 if every served connection is in the middle of a request
 * (the new client is then told the server is busy).
 */
static int
make_room(const struct conn_census *k)
{
	char msg[128];

	if (k->served < CTL_MAX_CONNS)
		return 0;
	if (k->idlest == NULL)
		return -1;
	snprintf(msg, sizeof(msg), "closed: idle while the server is full (%u connections); "
		 "reconnect", CTL_MAX_CONNS);
	conn_reject(k->idlest, DPVS__STATUS__ERR_BUSY, msg);
	return 0;
}

static void
accept_cb(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa, int salen,
	  void *arg)
{
	struct ctl_server *srv = arg;
	struct conn_census k;
	struct ctl_conn *c;
	Dpvs__Status st = DPVS__STATUS__ERR_INVALID;
	char why[160];
	int allowed, role;

	(void)lev;
	(void)sa;
	(void)salen;
	/* the hard bound on fds: only reached when hundreds of connections
	 * arrive at once, or clients do not read their last replies */
	if (srv->nconns >= CTL_MAX_OPEN) {
		close(fd);
		return;
	}
	conn_census(srv, &k);
	role = peer_role(srv, fd, why, sizeof(why));
	allowed = role != PEER_NONE;
	if (allowed && make_room(&k) != 0) {
		snprintf(why, sizeof(why), "busy: too many connections (%u, none idle); try again",
			 CTL_MAX_CONNS);
		st = DPVS__STATUS__ERR_BUSY;
		allowed = 0;
	}
	/* refused ones wait for their reason until they send or time out:
	 * the oldest gets it at once when too many wait */
	if (!allowed && k.waiting >= CTL_MAX_REFUSED && k.oldest_waiting != NULL)
		conn_reject(k.oldest_waiting, k.oldest_waiting->denied_st,
			    k.oldest_waiting->denied);
	c = calloc(1, sizeof(*c));
	if (c != NULL)
		c->bev = bufferevent_socket_new(srv->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c == NULL || c->bev == NULL) {
		free(c);
		close(fd);
		return;
	}
	c->srv = srv;
	c->readonly = role == PEER_RO;
	c->next = srv->conns;
	if (srv->conns != NULL)
		srv->conns->prev = c;
	srv->conns = c;
	srv->nconns++;
	c->last_active_ns = dpvs_now_ns();
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
	bufferevent_set_timeouts(c->bev, &srv->timeout, &srv->timeout);
	c->frame_limit_ns = (uint64_t)srv->timeout.tv_sec * 1000000000ull +
			    (uint64_t)srv->timeout.tv_usec * 1000ull;
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	if (!allowed) {
		c->denied_st = st;
		c->denied = strdup(why);
		if (c->denied == NULL)
			conn_free(c);
	}
}

/* mkdir -p of the directory part of path. */
static int
mkdir_parents(const char *path)
{
	char buf[PATH_MAX], *p;

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	p = strrchr(buf, '/');
	if (p == NULL || p == buf)
		return 0;
	*p = '\0';
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Unlink a socket left by a dead dpvs-ctl; refuse if one still answers. */
static int
clear_stale(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (lstat(path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode))
		return dpvs_errf(err, errlen, -CTL_EINVAL, "%s exists and is not a socket", path);
	fd = ctl_frame_connect(path);
	if (fd >= 0) {
		close(fd);
		return dpvs_errf(err, errlen, -CTL_EINVAL,
				"another dpvs-ctl is listening on %s", path);
	}
	unlink(path);
	return 0;
}

/*
 * The socket's group and mode from [ctl]: socket_group's members connect
 * (mode 0660, the file's group); with a readonly_group, whose members are
 * another group, anyone may connect (0666) and peer_role() decides.
 */
static int
socket_access(const char *path, const struct dpvs_global_conf *g, char *err, size_t errlen)
{
	const struct group *gr;

	if (g != NULL && g->socket_group[0] != '\0') {
		gr = getgrnam(g->socket_group);
		if (gr == NULL || chown(path, (uid_t)-1, gr->gr_gid) != 0)
			return dpvs_errf(err, errlen, -CTL_EIO, "[ctl] socket_group %s: %s",
					g->socket_group, gr == NULL ? "no such group" : strerror(errno));
	}
	if (chmod(path, g != NULL && g->readonly_group[0] != '\0' ? 0666 : 0660) != 0)
		return dpvs_errf(err, errlen, -CTL_EIO, "chmod %s: %s", path, strerror(errno));
	return 0;
}

static int
listen_socket(const char *path, const struct dpvs_global_conf *g, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	int fd, rc;

	rc = mkdir_parents(path);
	if (rc != 0)
		return dpvs_errf(err, errlen, -CTL_EIO, "cannot create the directory of %s: %s",
				path, strerror(-rc));
	rc = clear_stale(path, err, errlen);
	if (rc != 0)
		return rc;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return dpvs_errf(err, errlen, -CTL_EIO, "socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		dpvs_errf(err, errlen, -CTL_EIO, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return -CTL_EIO;
	}
	rc = socket_access(path, g, err, errlen);
	if (rc == 0 && listen(fd, 16) != 0)
		rc = dpvs_errf(err, errlen, -CTL_EIO, "cannot listen on %s: %s", path,
			      strerror(errno));
	if (rc != 0) {
		close(fd);
		unlink(path);
		return rc;
	}
	return fd;
}

struct ctl_server *
ctl_server_new(struct event_base *base, struct dpvs_shm *shm, const char *path, char *err,
	       size_t errlen)
{
	const struct dpvs_global_conf *g = shm != NULL && shm->root != NULL ? &shm->root->conf : NULL;
	const struct group *ro = NULL;
	struct ctl_server *srv;
	gid_t ro_gid = 0;
	int fd;

	if (strlen(path) >= sizeof(srv->path)) {
		dpvs_errf(err, errlen, -CTL_EINVAL, "socket path %s is too long", path);
		return NULL;
	}

	if (g != NULL && g->readonly_group[0] != '\0') {
		ro = getgrnam(g->readonly_group);
		if (ro == NULL) {
			dpvs_errf(err, errlen, -CTL_EINVAL, "[ctl] readonly_group %s: no such group",
				 g->readonly_group);
			return NULL;
		}
		ro_gid = ro->gr_gid;   /* getgrnam's storage is reused */
	}
	fd = listen_socket(path, g, err, errlen);
	if (fd < 0)
		return NULL;
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL) {
		close(fd);
		unlink(path);
		dpvs_errf(err, errlen, -CTL_ENOMEM, "out of memory");
		return NULL;
	}
	srv->base = base;
	srv->shm = shm;
	srv->has_ro = ro != NULL;
	srv->ro_gid = ro_gid;
	srv->timeout.tv_sec = CTL_READ_TIMEOUT_S;
	strcpy(srv->path, path);
	srv->lev = evconnlistener_new(base, accept_cb, srv, LEV_OPT_CLOSE_ON_FREE, -1, fd);
	if (srv->lev == NULL) {
		close(fd);
		unlink(path);
		free(srv);
		dpvs_errf(err, errlen, -CTL_EIO, "cannot watch %s", path);
		return NULL;
	}
	return srv;
}

void
ctl_server_set_timeout_ms(struct ctl_server *srv, unsigned int ms)
{
	srv->timeout.tv_sec = ms / 1000;
	srv->timeout.tv_usec = (ms % 1000) * 1000;
}

void
ctl_server_free(struct ctl_server *srv)
{
	if (srv == NULL)
		return;
	while (srv->conns != NULL)
		conn_free(srv->conns);
	evconnlistener_free(srv->lev);
	unlink(srv->path);
	free(srv);
}
