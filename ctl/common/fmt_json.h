/*
 * dpvsctl's JSON documents, built with jansson: small helpers so that each
 * field of an output is one line (`ctl_json_set(o, "port", ctl_json_u64(p))`)
 * in the builders of fmt.c, fmt_lb.c and fmt_stats.c, and the one place
 * where a document is printed. No DPDK.
 *
 * Values: strings are checked as UTF-8 and every byte that is not part of a
 * valid sequence becomes U+FFFD (as Go's encoding/json does; JSON cannot
 * carry raw bytes); jansson escapes quotes, backslashes and control
 * characters. Unsigned 64-bit counters are JSON integers (jansson's are
 * long long): exact up to 2^63 - 1, clamped there above. Out of memory
 * aborts, as in pb.h: these documents are built only by the command-line
 * client, once per run.
 *
 * The shape of each command's document: a JSON Schema in docs/schema/.
 */
#ifndef DPVS_CTL_FMT_JSON_H
#define DPVS_CTL_FMT_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "proto/dpvs.pb-c.h"

/* A new empty object or array (never NULL). */
json_t *ctl_json_obj(void);
json_t *ctl_json_arr(void);

/* Add v (its reference is taken) under key / at the end. v NULL aborts. */
void ctl_json_set(json_t *obj, const char *key, json_t *v);
/* The same under a key that came in a message (a counter's or a timeout's
 * name): made valid UTF-8 as ctl_json_str does, since jansson refuses any
 * other key (and ctl_json_set would abort); NULL is "". */
void ctl_json_set_named(json_t *obj, const char *key, json_t *v);
void ctl_json_push(json_t *arr, json_t *v);

/* Values. ctl_json_str: NULL is "". ctl_json_str_or_null: NULL or "" is null. */
json_t *ctl_json_str(const char *s);
json_t *ctl_json_str_or_null(const char *s);
json_t *ctl_json_u64(uint64_t v);
json_t *ctl_json_i64(int64_t v);
json_t *ctl_json_bool(bool b);
/* "10.0.0.1", "2001:db8::1" ("?" when malformed, as the text form) */
json_t *ctl_json_ip(const Dpvs__Ip *ip);
/* "02:00:00:00:00:01"; null when b is not 6 bytes */
json_t *ctl_json_mac(const ProtobufCBinaryData *b);

/* Print doc on one line, compact, then "\n"; drops the reference to doc. */
void ctl_json_print(FILE *out, json_t *doc);

#endif
