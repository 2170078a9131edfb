/*
 * dpvsctl output: a Response's payload as text for people or as JSON for
 * scripts. Pure: a message in, characters on a FILE out. No DPDK.
 *
 * JSON: built with jansson (fmt_json.h), one document per command, on one
 * line. Each command's shape is a JSON Schema in docs/schema/ (worker-show,
 * stats, addr-show, neigh-show, route-show, list, list-stats, conn-show,
 * laddr-show, port-show, version, save, reload, acl-show), which test_m_cli_json and
 * test_ctl_lbnode check real outputs against. Keys are never renamed; new
 * keys may be added (add one line to the builder and one to the schema).
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
void ctl_fmt_timeouts(FILE *out, const Dpvs__TimeoutList *l, bool json);

/* Access lists and rate limits (fmt_acl.c): blklst show / whtlst show;
 * the limits of a service or dest in -L -n's text (" rate-in=1000pps:100"
 * per limit) and as the JSON object {meter: {"rate","burst"}}. */
void ctl_fmt_acls(FILE *out, const Dpvs__AclList *l, bool json);
void ctl_fmt_rates_text(FILE *out, Dpvs__Rate *const *r, size_t n);
struct json_t;
struct json_t *ctl_fmt_rates_json(Dpvs__Rate *const *r, size_t n);

#endif
