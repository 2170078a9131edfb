/*
 * Blocking framed I/O on a unix stream socket (see frame.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"

void
ctl_frame_put_len(uint8_t hdr[CTL_FRAME_HDR], uint32_t len)
{
	hdr[0] = (uint8_t)(len >> 24);
	hdr[1] = (uint8_t)(len >> 16);
	hdr[2] = (uint8_t)(len >> 8);
	hdr[3] = (uint8_t)len;
}

uint32_t
ctl_frame_get_len(const uint8_t hdr[CTL_FRAME_HDR])
{
	return (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 |
	       (uint32_t)hdr[3];
}

static int64_t
frame_ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on fd until the deadline; 0, or -ETIMEDOUT / -errno. */
static int
frame_wait(int fd, short events, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int64_t left;
	int rc;

	for (;;) {
		left = deadline - frame_ms_now();
		if (left <= 0)
			return -ETIMEDOUT;
		rc = poll(&p, 1, (int)left);
		if (rc > 0)
			return 0;
		if (rc == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/* Move exactly len bytes (write if out, else read) before the deadline. */
static int
frame_io(int fd, uint8_t *buf, size_t len, int out, int64_t deadline)
{
	size_t done = 0;
	ssize_t n;
	int rc;

	while (done < len) {
		rc = frame_wait(fd, out ? POLLOUT : POLLIN, deadline);
		if (rc != 0)
			return rc;
		if (out)
			n = send(fd, buf + done, len - done, MSG_NOSIGNAL);
		else
			n = recv(fd, buf + done, len - done, 0);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		done += (size_t)n;
	}
	return 0;
}

/* One sendmsg of the header and the body; bytes sent, or -errno. */
static ssize_t
frame_send2(int fd, uint8_t hdr[CTL_FRAME_HDR], const uint8_t *buf, size_t len)
{
	struct iovec iov[2] = { { hdr, CTL_FRAME_HDR }, { (void *)(uintptr_t)buf, len } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len > 0 ? 2 : 1 };
	ssize_t n;

	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return 0;
	return n < 0 ? -errno : n;
}

int
ctl_frame_send(int fd, const uint8_t *buf, size_t len, int timeout_ms)
{
	int64_t deadline = frame_ms_now() + timeout_ms;
	uint8_t hdr[CTL_FRAME_HDR];
	ssize_t sent;
	int rc;

	if (len > UINT32_MAX)
		return -EMSGSIZE;
	ctl_frame_put_len(hdr, (uint32_t)len);
	/* header and body in one call: a server that answers the header at
	 * once (a refused client is told why, then closed) must not find the
	 * body still to come, or the client's second send fails with EPIPE
	 * and it never reads the reason */
	rc = frame_wait(fd, POLLOUT, deadline);
	if (rc != 0)
		return rc;
	sent = frame_send2(fd, hdr, buf, len);
	if (sent < 0)
		return sent;
	if ((size_t)sent < sizeof(hdr)) {
		rc = frame_io(fd, hdr + sent, sizeof(hdr) - (size_t)sent, 1, deadline);
		sent = sizeof(hdr);
	}
	if (rc == 0 && (size_t)sent - sizeof(hdr) < len)
		rc = frame_io(fd, (uint8_t *)buf + ((size_t)sent - sizeof(hdr)),
			      len - ((size_t)sent - sizeof(hdr)), 1, deadline);
	return rc;
}

int
ctl_frame_recv(int fd, uint8_t **buf, size_t *len, size_t max, int timeout_ms)
{
	int64_t deadline = frame_ms_now() + timeout_ms;
	uint8_t hdr[CTL_FRAME_HDR];
	uint32_t n;
	int rc;

	*buf = NULL;
	*len = 0;
	rc = frame_io(fd, hdr, sizeof(hdr), 0, deadline);
	if (rc != 0)
		return rc;
	n = ctl_frame_get_len(hdr);
	if (n > max)
		return -EMSGSIZE;
	*buf = malloc(n > 0 ? n : 1);
	if (*buf == NULL)
		return -ENOMEM;
	rc = frame_io(fd, *buf, n, 0, deadline);
	if (rc != 0) {
		free(*buf);
		*buf = NULL;
		return rc;
	}
	*len = n;
	return 0;
}

int
ctl_frame_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd, e;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}
