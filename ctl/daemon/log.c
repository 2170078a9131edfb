/*
 * Registration of the control plane's log type (see log.h).
 */
#include <rte_log.h>

#include "ctl/daemon/log.h"

RTE_LOG_REGISTER(ctl_logtype, dpvs.ctl, INFO);
