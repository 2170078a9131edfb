/*
 * dpvsctl output: a Response's payload as text for people or as JSON for
 * scripts. Pure: a message in, characters on a FILE out. No DPDK.
 *
 * JSON shapes (keys never renamed; new keys may be added):
 *   addr show   [{"address","prefixlen","dev","family"}]
 *   neigh show  [{"address","lladdr" (null while incomplete or failed),"dev",
 *                "state","static","age_s" (null if static),"workers":[ids]}]
 *   worker show [{"id","pid","state","restarts","heartbeat_age_ms","lcore"}]
 *   stats       {"ports":[{"name","ipackets","opackets","ibytes","obytes",
 *                "imissed","ierrors",...}], "workers":[{...}],
 *                "drops":{reason: count},"events":{event: count}}
 *   version     {"version","dpdk","layout"}
 *   -L -n       [{"proto":"tcp"|"udp","vip","port","scheduler","flags":[],
 *                "laddrs":[],"active","inactive",("conns","inpkts","outpkts",
 *                "inbytes","outbytes" with --stats),"dests":[{"address",
 *                "port","mode","weight","upper","lower","active","inactive",
 *                (counters with --stats)}]}]
 *   laddr show  [{"proto","vip","port","address","dev"}]
 *   route show  [{"prefix","prefixlen","gateway"|null,"dev","proto":
 *                "kernel"|"static"}]
 *   conn show   [{"proto","expire" (seconds),"state","client","cport","vip",
 *                "vport","laddr","lport","dest","dport","worker"}]
 *   save        ["rules-file line", ...]
 *   port show   [{"name","mtu","lladdr","kni","forward":bool}]
 *   blklst show, whtlst show
 *               [{"proto","vip" (null for a match service),"match" (null
 *                for a VIP service),"port","list":"blklst"|"whtlst",
 *                "prefix","prefixlen"}]
 *   -L -n also: each service "rates", "blklst" and "whtlst" (entries of
 *                its lists), each dest "rates": {meter: {"rate","burst"}}
 *                with meter in_pps, in_bytes, out_pps, out_bytes (only the
 *                limits set)
 *   stats also: "hook_drops": {hook: count} (the PRE_ROUTING hooks:
 *                "synproxy", "ipvs"), summed and per worker
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

/* The load-balancer parts (fmt_lb.c). */
void ctl_fmt_services(FILE *out, const Dpvs__ServiceList *l, bool json);
void ctl_fmt_laddrs(FILE *out, const Dpvs__LaddrList *l, bool json);
void ctl_fmt_routes(FILE *out, const Dpvs__RouteList *l, bool json);
void ctl_fmt_conns(FILE *out, const Dpvs__ConnList *l, bool json);
void ctl_fmt_rules(FILE *out, const Dpvs__RulesText *t, bool json);
void ctl_fmt_reload(FILE *out, const Dpvs__ReloadResult *r, bool json);

/* Access lists and rate limits (fmt_acl.c). */
void ctl_fmt_acls(FILE *out, const Dpvs__AclList *l, bool json);
/* JSON: ',"rates":{meter:{"rate","burst"},...}'; text: " rate-in=1000pps:100"
 * per limit. */
void ctl_fmt_rates(FILE *out, Dpvs__Rate *const *r, size_t n, bool json);

/* Write s as a JSON string literal (quoted, escaped). */
void ctl_fmt_json_str(FILE *out, const char *s);

#endif
