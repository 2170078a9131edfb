/*
 * The one helper every component uses to report an error from a function
 * that returns a code and fills a caller's message buffer:
 *     return dpvs_errf(err, errlen, -EINVAL, "no port named %s", name);
 * Plain C (no DPDK), so that dpvsctl can use it too.
 */
#ifndef DPVS_SHM_ERRF_H
#define DPVS_SHM_ERRF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Format into err (when it is non-NULL and has room) and return rc. */
static inline int __attribute__((format(printf, 4, 5)))
dpvs_errf(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

#endif
