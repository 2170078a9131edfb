/*
 * Registration of the primary's log type (see log.h). No other state.
 */
#include <rte_log.h>

#include "log.h"

RTE_LOG_REGISTER(dpvs_primary_logtype, dpvs.primary, INFO);
