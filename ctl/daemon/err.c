/*
 * Control-path error codes (see err.h). Pure; no state.
 */
#include <stdarg.h>
#include <stdio.h>

#include "err.h"

#define CTL_X_TEXT(n, st, s) [CTL_E##n] = s,
static const char *const ctl_err_text[CTL_E_MAX] = {
	[CTL_OK] = "success",
	CTL_ERRORS(CTL_X_TEXT)
};
#undef CTL_X_TEXT

#define CTL_X_STATUS(n, st, s) [CTL_E##n] = st,
static const Dpvs__Status ctl_err_st[CTL_E_MAX] = {
	[CTL_OK] = DPVS__STATUS__OK,
	CTL_ERRORS(CTL_X_STATUS)
};
#undef CTL_X_STATUS

const char *
ctl_strerror(int rc)
{
	int e = rc < 0 ? -rc : rc;

	if (e >= CTL_E_MAX)
		return "unknown error";
	return ctl_err_text[e];
}

Dpvs__Status
ctl_err_status(int rc)
{
	int e = rc < 0 ? -rc : rc;

	if (e >= CTL_E_MAX)
		return DPVS__STATUS__ERR_INTERNAL;
	return ctl_err_st[e];
}
