/*
 * Escaping of untrusted text (see escape.h). Pure.
 */
#include <stdio.h>
#include <string.h>

#include "escape.h"

/* The escape of byte c in buf (at least 5 bytes); its length. */
static size_t
escape_byte(unsigned char c, char *buf)
{
	switch (c) {
	case '\n':
		return (size_t)snprintf(buf, 5, "\\n");
	case '\r':
		return (size_t)snprintf(buf, 5, "\\r");
	case '\t':
		return (size_t)snprintf(buf, 5, "\\t");
	default:
		if (c >= 0x20 && c < 0x7f) {
			buf[0] = (char)c;
			buf[1] = '\0';
			return 1;
		}
		return (size_t)snprintf(buf, 5, "\\x%02x", c);
	}
}

size_t
ctl_escape_len(const char *in)
{
	const unsigned char *p = (const unsigned char *)(in != NULL ? in : "");
	char buf[5];
	size_t n = 1;

	for (; *p != '\0'; p++)
		n += escape_byte(*p, buf);
	return n;
}

char *
ctl_escape(const char *in, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)(in != NULL ? in : "");
	size_t n = 0, k;
	char buf[5];

	if (outlen == 0)
		return out;
	for (; *p != '\0'; p++) {
		k = escape_byte(*p, buf);
		if (n + k >= outlen)
			break;
		memcpy(out + n, buf, k);
		n += k;
	}
	out[n] = '\0';
	return out;
}
