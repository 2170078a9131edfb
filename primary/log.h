/*
 * The primary's log type (dpvs.primary) and its line macro. Every line starts
 * with "dpvs-primary: " and ends with a newline.
 */
#ifndef DPVS_PRIMARY_LOG_H
#define DPVS_PRIMARY_LOG_H

#include <rte_log.h>

extern int dpvs_primary_logtype;

#define PLOG(level, fmt, ...)                                                    \
	rte_log(RTE_LOG_##level, dpvs_primary_logtype, "dpvs-primary: " fmt "\n", \
		##__VA_ARGS__)

#endif
