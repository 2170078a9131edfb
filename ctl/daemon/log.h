/*
 * The control plane's log type ("dpvs.ctl"), so its level can be set alone.
 */
#ifndef DPVS_CTL_LOG_H
#define DPVS_CTL_LOG_H

#include <rte_log.h>

extern int ctl_logtype;

#define CTL_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, ctl_logtype, "dpvs-ctl: " fmt "\n", ##__VA_ARGS__)

#endif
