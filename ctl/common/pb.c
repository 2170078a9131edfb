/*
 * protobuf-c building helpers (see pb.h). Pure apart from malloc.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
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
	if (message != NULL && message[0] != '\0') {
		/* messages echo what clients sent: no control characters */
		r->message = ctl_pb_alloc(ctl_escape_len(message));
		ctl_escape(message, r->message, ctl_escape_len(message));
	}
	return r;
}

/* A varint at *p (below end); 0, or -1 if it runs past end or 10 bytes. */
static int
pb_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	unsigned int shift;

	*v = 0;
	for (shift = 0; shift < 70 && *p < end; shift += 7) {
		uint8_t b = *(*p)++;

		*v |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			return 0;
	}
	return -1;
}

const char *
ctl_pb_find_nul(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len,
		unsigned int depth)
{
	const uint8_t *p = buf, *end = buf + len;
	const ProtobufCFieldDescriptor *f;
	const char *bad;
	uint64_t key, n;

	if (depth > 32)
		return NULL;
	while (p < end) {
		if (pb_varint(&p, end, &key) != 0)
			return NULL;
		switch (key & 7) {
		case 0:
			if (pb_varint(&p, end, &n) != 0)
				return NULL;
			break;
		case 1:
			p += 8;
			break;
		case 5:
			p += 4;
			break;
		case 2:
			if (pb_varint(&p, end, &n) != 0 || n > (uint64_t)(end - p))
				return NULL;
			f = protobuf_c_message_descriptor_get_field(desc, (unsigned int)(key >> 3));
			if (f != NULL && f->type == PROTOBUF_C_TYPE_STRING &&
			    memchr(p, '\0', (size_t)n) != NULL)
				return f->name;
			if (f != NULL && f->type == PROTOBUF_C_TYPE_MESSAGE) {
				bad = ctl_pb_find_nul(f->descriptor, p, (size_t)n, depth + 1);
				if (bad != NULL)
					return bad;
			}
			p += n;
			break;
		default:
			return NULL; /* groups: not ours, and unpack refuses them */
		}
	}
	return NULL;
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
