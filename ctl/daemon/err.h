/*
 * Error codes of the control path. Every front-door function returns 0 or a
 * negative CTL_E* code; ctl_strerror() names it and ctl_err_status() maps it
 * to the protobuf Status a client sees. The detailed human message travels
 * separately (an err buffer filled by the function that knows the details).
 */
#ifndef DPVS_CTL_ERR_H
#define DPVS_CTL_ERR_H

#include <stddef.h>

#include "proto/dpvs.pb-c.h"
#include "shm/errf.h"

/* X(NAME, status, "text") */
#define CTL_ERRORS(X)                                                            \
	X(INVAL, DPVS__STATUS__ERR_INVALID, "invalid argument")                  \
	X(NOPORT, DPVS__STATUS__ERR_NOT_FOUND, "no such port")                   \
	X(EXIST, DPVS__STATUS__ERR_EXISTS, "already exists")                     \
	X(NOENT, DPVS__STATUS__ERR_NOT_FOUND, "not found")                       \
	X(FULL, DPVS__STATUS__ERR_FULL, "table full")                            \
	X(UNSUPP, DPVS__STATUS__ERR_UNSUPPORTED, "operation not supported")      \
	X(MALFORMED, DPVS__STATUS__ERR_MALFORMED, "malformed request")           \
	X(BUSY, DPVS__STATUS__ERR_BUSY, "workers did not confirm in time")       \
	X(NOMEM, DPVS__STATUS__ERR_INTERNAL, "out of memory")                    \
	X(IO, DPVS__STATUS__ERR_INTERNAL, "input/output error")                  \
	X(PERM, DPVS__STATUS__ERR_PERMISSION, "permission denied")

#define CTL_X_ENUM(n, st, s) CTL_E##n,
enum ctl_err {
	CTL_OK = 0,
	CTL_ERRORS(CTL_X_ENUM)
	CTL_E_MAX
};
#undef CTL_X_ENUM

/* Text for a return value (0 or -CTL_E*). */
const char *ctl_strerror(int rc);

/* The Status for a return value (0 -> OK). */
Dpvs__Status ctl_err_status(int rc);


#endif
