/*
 * dpvs-ctl's request handler: bytes in, bytes out, so that the socket layer
 * is thin and tests can drive the daemon without a socket. Configuration
 * requests run as one publication (all-or-nothing); show requests read shm.
 * Called from dpvs-ctl's single thread only.
 */
#ifndef DPVS_CTL_HANDLER_H
#define DPVS_CTL_HANDLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/dpvs.pb-c.h"
#include "shm/shm.h"

/* Execute one decoded request. Returns a Response built with malloc (free
 * with dpvs__response__free_unpacked(resp, NULL)); never NULL. */
Dpvs__Response *ctl_execute(struct dpvs_shm *shm, const Dpvs__Request *req);

/* Unpack a Request from in, execute it, pack the Response into a malloc'd
 * *out. Returns 0, or -CTL_EMALFORMED when in does not decode (then *out
 * holds a packed error response all the same), or -CTL_ENOMEM (*out NULL). */
int ctl_handle(struct dpvs_shm *shm, const uint8_t *in, size_t inlen, uint8_t **out,
	       size_t *outlen);

/* The same for a peer of the read-only role ([ctl] readonly_group): only
 * the requests that show something are served, the others are refused with
 * ERR_PERMISSION "permission denied: read-only ...". */
int ctl_handle_readonly(struct dpvs_shm *shm, const uint8_t *in, size_t inlen, uint8_t **out,
			size_t *outlen);

/* May a read-only peer make this request? (show, stats, save, version) */
bool ctl_request_readonly_ok(const Dpvs__Request *req);

/* A packed Response with an error status and message (malloc'd, or NULL). */
uint8_t *ctl_error_packed(Dpvs__Status st, const char *msg, size_t *len);

#endif
