/*
 * Helpers to build protobuf-c messages piece by piece with malloc, so that
 * the generated *__free_unpacked(msg, NULL) frees a built message exactly as
 * it frees an unpacked one. Out of memory aborts: these messages are small
 * and built only on the control path. No DPDK.
 */
#ifndef DPVS_CTL_PB_H
#define DPVS_CTL_PB_H

#include <stddef.h>
#include <stdint.h>

#include "proto/dpvs.pb-c.h"

void *ctl_pb_alloc(size_t size);
char *ctl_pb_strdup(const char *s);

/* Append one element to a repeated field: *arr grows by one, *n++. */
void *ctl_pb_append(void *arr_ptr, size_t *n, size_t elem_size);

/* An Ip message for family 4 (4 bytes used) or 6 (16 bytes). */
Dpvs__Ip *ctl_pb_ip(int family, const uint8_t *bytes);

/* Text of an Ip message ("10.0.0.1", "2001:db8::1", "?" if malformed). */
const char *ctl_pb_ip_str(const Dpvs__Ip *ip, char *buf, size_t len);

/*
 * The name of the first string field of the packed message (descriptor
 * desc, nested messages included) whose bytes hold a NUL, or NULL. protobuf-c
 * hands strings over as C strings, so "dpdk0\0evil" would silently become
 * "dpdk0": such a request must be refused instead. depth: 0.
 */
const char *ctl_pb_find_nul(const ProtobufCMessageDescriptor *desc, const uint8_t *buf,
			    size_t len, unsigned int depth);

/* A Response with status and message (control characters escaped, see
 * escape.h); no payload. */
Dpvs__Response *ctl_pb_response(Dpvs__Status status, const char *message);

/* Pack into a malloc'd buffer; returns NULL on OOM. */
uint8_t *ctl_pb_pack_response(const Dpvs__Response *resp, size_t *len);
uint8_t *ctl_pb_pack_request(const Dpvs__Request *req, size_t *len);

/* Name of a status, e.g. "ERR_EXISTS". */
const char *ctl_pb_status_name(Dpvs__Status st);

#endif
