/*
 * JSON helpers of dpvsctl's output (see fmt_json.h): jansson values from
 * protobuf fields, UTF-8 repair of strings, the one printer. Pure apart from
 * malloc; out of memory aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_json.h"
#include "pb.h"

#define IPSTR 64

static json_t *
need(json_t *v)
{
	if (v == NULL)
		abort();
	return v;
}

static char *
need_text(char *s)
{
	if (s == NULL)
		abort();
	return s;
}

json_t *
ctl_json_obj(void)
{
	return need(json_object());
}

json_t *
ctl_json_arr(void)
{
	return need(json_array());
}

void
ctl_json_set(json_t *obj, const char *key, json_t *v)
{
	if (json_object_set_new(obj, key, need(v)) != 0)
		abort();
}

void
ctl_json_set_named(json_t *obj, const char *key, json_t *v)
{
	json_t *k = ctl_json_str(key);

	ctl_json_set(obj, json_string_value(k), v);
	json_decref(k);
}

void
ctl_json_push(json_t *arr, json_t *v)
{
	if (json_array_append_new(arr, need(v)) != 0)
		abort();
}

/* Length of the valid UTF-8 sequence (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF) that starts at p, or 0. p is
 * NUL-terminated, so a sequence cut short fails on the NUL. */
static size_t
utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

json_t *
ctl_json_str(const char *s)
{
	static const char repl[] = "\xef\xbf\xbd";     /* U+FFFD */
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	size_t i, n, len = strlen((const char *)p), o = 0;
	json_t *v;
	char *fixed;

	for (i = 0; i < len; i += n)
		if ((n = utf8_len(p + i)) == 0)
			break;
	if (i >= len)
		return need(json_stringn((const char *)p, len));
	/* at worst every byte becomes 3 */
	fixed = malloc(len * 3 + 1);
	if (fixed == NULL)
		abort();
	for (i = 0; i < len; i += n) {
		n = utf8_len(p + i);
		if (n == 0) {
			memcpy(fixed + o, repl, 3);
			o += 3;
			n = 1;
		} else {
			memcpy(fixed + o, p + i, n);
			o += n;
		}
	}
	v = need(json_stringn(fixed, o));
	free(fixed);
	return v;
}

json_t *
ctl_json_str_or_null(const char *s)
{
	return s != NULL && s[0] != '\0' ? ctl_json_str(s) : json_null();
}

json_t *
ctl_json_u64(uint64_t v)
{
	return need(json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v));
}

json_t *
ctl_json_i64(int64_t v)
{
	return need(json_integer((json_int_t)v));
}

json_t *
ctl_json_bool(bool b)
{
	return json_boolean(b);
}

json_t *
ctl_json_ip(const Dpvs__Ip *ip)
{
	char buf[IPSTR];

	return ctl_json_str(ctl_pb_ip_str(ip, buf, sizeof(buf)));
}

json_t *
ctl_json_mac(const ProtobufCBinaryData *b)
{
	char buf[18];

	if (b->len != 6)
		return json_null();
	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", b->data[0], b->data[1],
		 b->data[2], b->data[3], b->data[4], b->data[5]);
	return ctl_json_str(buf);
}

void
ctl_json_print(FILE *out, json_t *doc)
{
	/* one line, no spaces; reals (last_gap_ms) with 15 significant digits,
	 * so 1.234 prints as 1.234 and not as 1.2339999999999999 */
	char *text = need_text(json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15)));

	fputs(text, out);
	fputc('\n', out);
	free(text);
	json_decref(doc);
}
