/*
 * dpvs-ctl's socket layer: a unix stream socket served by a libevent loop.
 * Frames in (ctl/common/frame.h), ctl_handle() (handler.h), frames out. A
 * peer that is not root and not in the socket's group, a malformed or
 * oversized frame, or a frame not completed within the read timeout gets an
 * error reply (when one can be sent) and only its connection is closed.
 * When CTL_MAX_CONNS are open, a new client takes the slot of the
 * longest-idle one (which is told why it is closed), or is told "busy".
 */
#ifndef DPVS_CTL_SERVER_H
#define DPVS_CTL_SERVER_H

#include <stddef.h>

#include "shm/shm.h"

struct event_base;
struct ctl_server;

#define CTL_READ_TIMEOUT_S 5
#define CTL_MAX_CONNS 64      /* served at once; beyond this a new client
			       * takes the slot of the longest-idle one, or is
			       * told "busy" if none is idle */
#define CTL_MAX_REFUSED 64    /* refused ones waiting for their reason;
			       * beyond this the oldest gets it at once */
#define CTL_MAX_OPEN 512      /* sockets at all (served, refused, closing);
			       * beyond this a connection is closed at once */
#define CTL_OUT_HIGH (64u << 10) /* unsent replies above which a client's
				  * requests are not read */

/* Create the socket at path (mkdir -p of its directory, a stale socket
 * unlinked, mode 0660) and start accepting on base. NULL with err on error. */
struct ctl_server *ctl_server_new(struct event_base *base, struct dpvs_shm *shm,
				  const char *path, char *err, size_t errlen);

/* Change the read/write timeout of connections accepted from now on. */
void ctl_server_set_timeout_ms(struct ctl_server *srv, unsigned int ms);

/* Close every connection and the listener, unlink the socket. */
void ctl_server_free(struct ctl_server *srv);

#endif
