/*
 * protobuf-c building helpers (see pb.h). Pure apart from malloc.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pb.h"

void *
ctl_pb_alloc(size_t size)
{
	void *p = calloc(1, size);

	if (p == NULL)
		abort();
	return p;
}

char *
ctl_pb_strdup(const char *s)
{
	char *d = strdup(s != NULL ? s : "");

	if (d == NULL)
		abort();
	return d;
}

void *
ctl_pb_append(void *arr_ptr, size_t *n, size_t elem_size)
{
	void **arr = arr_ptr;
	char *grown = realloc(*arr, (*n + 1) * elem_size);

	if (grown == NULL)
		abort();
	memset(grown + *n * elem_size, 0, elem_size);
	*arr = grown;
	return grown + (*n)++ * elem_size;
}

Dpvs__Ip *
ctl_pb_ip(int family, const uint8_t *bytes)
{
	Dpvs__Ip *ip = ctl_pb_alloc(sizeof(*ip));
	size_t n = family == 4 ? 4 : 16;

	dpvs__ip__init(ip);
	ip->family = family == 4 ? DPVS__FAMILY__INET : DPVS__FAMILY__INET6;
	ip->addr.data = ctl_pb_alloc(n);
	memcpy(ip->addr.data, bytes, n);
	ip->addr.len = n;
	return ip;
}

const char *
ctl_pb_ip_str(const Dpvs__Ip *ip, char *buf, size_t len)
{
	const char *r = NULL;

	if (ip != NULL && ip->family == DPVS__FAMILY__INET && ip->addr.len == 4)
		r = inet_ntop(AF_INET, ip->addr.data, buf, (socklen_t)len);
	else if (ip != NULL && ip->family == DPVS__FAMILY__INET6 && ip->addr.len == 16)
		r = inet_ntop(AF_INET6, ip->addr.data, buf, (socklen_t)len);
	if (r == NULL)
		snprintf(buf, len, "?");
	return buf;
}

Dpvs__Response *
ctl_pb_response(Dpvs__Status status, const char *message)
{
	Dpvs__Response *r = ctl_pb_alloc(sizeof(*r));

	dpvs__response__init(r);
	r->status = status;
	if (message != NULL && message[0] != '\0')
		r->message = ctl_pb_strdup(message);
	return r;
}

uint8_t *
ctl_pb_pack_response(const Dpvs__Response *resp, size_t *len)
{
	uint8_t *buf;

	*len = dpvs__response__get_packed_size(resp);
	buf = malloc(*len > 0 ? *len : 1);
	if (buf != NULL)
		dpvs__response__pack(resp, buf);
	return buf;
}

uint8_t *
ctl_pb_pack_request(const Dpvs__Request *req, size_t *len)
{
	uint8_t *buf;

	*len = dpvs__request__get_packed_size(req);
	buf = malloc(*len > 0 ? *len : 1);
	if (buf != NULL)
		dpvs__request__pack(req, buf);
	return buf;
}

const char *
ctl_pb_status_name(Dpvs__Status st)
{
	const ProtobufCEnumValue *v =
		protobuf_c_enum_descriptor_get_value(&dpvs__status__descriptor, (int)st);

	return v != NULL ? v->name : "UNKNOWN";
}
