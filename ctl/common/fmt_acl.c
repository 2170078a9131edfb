/*
 * Output of the access lists (`blklst show`, `whtlst show`) and of the rate
 * limits in `-L -n` (see fmt.h). The JSON built with jansson (fmt_json.h):
 * blklst/whtlst show's shape in docs/schema/acl-show.json, the rates object
 * in docs/schema/list.json ($defs/rates). Pure: a message in, characters on
 * a FILE (or a jansson value) out.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "fmt_json.h"
#include "pb.h"

#define IPSTR 64

/* The service of an entry as text: "TCP  10.0.0.100:80", "MATCH proto=...". */
static const char *
acl_svc_text(const Dpvs__SvcKey *k, char *buf, size_t len)
{
	char ip[IPSTR];
	const char *proto;

	if (k == NULL) {
		snprintf(buf, len, "?");
		return buf;
	}
	proto = k->proto != NULL && strcmp(k->proto, "udp") == 0 ? "UDP" : "TCP";
	if (k->match != NULL && k->match[0] != '\0')
		snprintf(buf, len, "MATCH %s", k->match);
	else if (k->vip != NULL && k->vip->family == DPVS__FAMILY__INET6)
		snprintf(buf, len, "%s  [%s]:%u", proto, ctl_pb_ip_str(k->vip, ip, sizeof(ip)),
			 k->port);
	else
		snprintf(buf, len, "%s  %s:%u", proto, ctl_pb_ip_str(k->vip, ip, sizeof(ip)),
			 k->port);
	return buf;
}

/* One entry: docs/schema/acl-show.json. A match service (-H) has a null
 * vip and its -H text in match; any other a null match. */
static json_t *
acl_json(const Dpvs__Acl *a)
{
	const Dpvs__SvcKey *k = a->service;
	bool is_match = k != NULL && k->match != NULL && k->match[0] != '\0';
	json_t *o = ctl_json_obj();
	char ip[IPSTR];

	ctl_json_set(o, "proto", ctl_json_str(k != NULL ? k->proto : NULL));
	ctl_json_set(o, "vip", is_match || k == NULL ? json_null() : ctl_json_ip(k->vip));
	ctl_json_set(o, "match", ctl_json_str_or_null(is_match ? k->match : NULL));
	ctl_json_set(o, "port", ctl_json_u64(k != NULL ? k->port : 0));
	ctl_json_set(o, "list", ctl_json_str(a->list));
	ctl_json_set(o, "prefix", ctl_json_str(ctl_pb_ip_str(a->prefix, ip, sizeof(ip))));
	ctl_json_set(o, "prefixlen", ctl_json_u64(a->prefixlen));
	return o;
}

void
ctl_fmt_acls(FILE *out, const Dpvs__AclList *l, bool json)
{
	char svc[IPSTR + 256], ip[IPSTR];
	json_t *arr;
	size_t i;

	if (json) {
		arr = ctl_json_arr();
		for (i = 0; i < l->n_entries; i++)
			ctl_json_push(arr, acl_json(l->entries[i]));
		ctl_json_print(out, arr);
		return;
	}
	for (i = 0; i < l->n_entries; i++) {
		const Dpvs__Acl *a = l->entries[i];

		fprintf(out, "%-30s %s %s/%u\n", acl_svc_text(a->service, svc, sizeof(svc)),
			a->list, ctl_pb_ip_str(a->prefix, ip, sizeof(ip)), a->prefixlen);
	}
}

json_t *
ctl_fmt_rates_json(Dpvs__Rate *const *r, size_t n)
{
	json_t *o = ctl_json_obj();
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *m = ctl_json_obj();

		ctl_json_set(m, "rate", ctl_json_u64(r[i]->rate));
		ctl_json_set(m, "burst", ctl_json_u64(r[i]->burst));
		ctl_json_set_named(o, r[i]->meter, m);
	}
	return o;
}

void
ctl_fmt_rates_text(FILE *out, Dpvs__Rate *const *r, size_t n)
{
	size_t i;

	/* " rate-in=1000pps:100", " rate-out-bytes=1000000:100000" */
	for (i = 0; i < n; i++) {
		const char *m = r[i]->meter != NULL ? r[i]->meter : "";
		bool bytes = strstr(m, "bytes") != NULL;

		fprintf(out, " rate-%s%s=%" PRIu64 "%s:%" PRIu64, strncmp(m, "in", 2) == 0 ? "in" : "out",
			bytes ? "-bytes" : "", r[i]->rate, bytes ? "" : "pps", r[i]->burst);
	}
}
