/*
 * dpvsctl output: a Response's payload as text for people or as JSON for
 * scripts. Pure: a message in, characters on a FILE out. No DPDK.
 *
 * JSON shapes (keys never renamed; new keys may be added):
 *   addr show   [{"address","prefixlen","dev","family"}]
 *   neigh show  [{"address","lladdr","dev","state","workers":[ids]}]
 *   worker show [{"id","pid","state","restarts","heartbeat_age_ms","lcore"}]
 *   stats       {"ports":[{"name","ipackets","opackets","ibytes","obytes",
 *                "imissed","ierrors",...}], "workers":[{...}],
 *                "drops":{reason: count}}
 *   version     {"version","dpdk","layout"}
 */
#ifndef DPVS_CTL_FMT_H
#define DPVS_CTL_FMT_H

#include <stdbool.h>
#include <stdio.h>

#include "proto/dpvs.pb-c.h"

/* Print the payload of a successful response. A response without payload
 * prints nothing (text) or nothing at all in JSON either. */
void ctl_fmt_response(FILE *out, const Dpvs__Response *resp, bool json);

/* The stats part of ctl_fmt_response() (fmt_stats.c). */
void ctl_fmt_stats(FILE *out, const Dpvs__Stats *s, bool json);

/* Write s as a JSON string literal (quoted, escaped). */
void ctl_fmt_json_str(FILE *out, const char *s);

#endif
