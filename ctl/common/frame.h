/*
 * Framing on the control socket: a 32-bit big-endian length, then that many
 * bytes of one packed protobuf message. Helpers for blocking sockets (the
 * client, the tests); dpvs-ctl frames with libevent buffers using the same
 * header functions. No DPDK.
 */
#ifndef DPVS_CTL_FRAME_H
#define DPVS_CTL_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define CTL_FRAME_HDR 4
#define CTL_FRAME_MAX (1u << 20)      /* largest message body, either way */
#define CTL_DEFAULT_SOCKET "/run/dpvs/ctl.sock"

void ctl_frame_put_len(uint8_t hdr[CTL_FRAME_HDR], uint32_t len);
uint32_t ctl_frame_get_len(const uint8_t hdr[CTL_FRAME_HDR]);

/* Write header and body; 0 or a negative errno (-ETIMEDOUT after timeout_ms). */
int ctl_frame_send(int fd, const uint8_t *buf, size_t len, int timeout_ms);

/* Read one frame into a malloc'd *buf. 0, -EMSGSIZE if the length exceeds
 * max, -ECONNRESET on EOF, -ETIMEDOUT, or another negative errno. */
int ctl_frame_recv(int fd, uint8_t **buf, size_t *len, size_t max, int timeout_ms);

/* Connect a unix stream socket to path; returns the fd or a negative errno. */
int ctl_frame_connect(const char *path);

#endif
