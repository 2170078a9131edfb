/*
 * Output of the access lists (`blklst show`, `whtlst show`) and of the rate
 * limits in `-L -n` (see fmt.h). Pure: a message in, characters on a FILE
 * out.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "pb.h"

#define IPSTR 64

/* The service of an entry as text: "TCP  10.0.0.100:80", "MATCH proto=...". */
static const char *
acl_svc_text(const Dpvs__SvcKey *k, char *buf, size_t len)
{
	char ip[IPSTR];

	if (k == NULL)
		snprintf(buf, len, "?");
	else if (k->match != NULL && k->match[0] != '\0')
		snprintf(buf, len, "MATCH %s", k->match);
	else if (k->vip != NULL && k->vip->family == DPVS__FAMILY__INET6)
		snprintf(buf, len, "%s  [%s]:%u", strcmp(k->proto, "udp") == 0 ? "UDP" : "TCP",
			 ctl_pb_ip_str(k->vip, ip, sizeof(ip)), k->port);
	else
		snprintf(buf, len, "%s  %s:%u", strcmp(k->proto, "udp") == 0 ? "UDP" : "TCP",
			 ctl_pb_ip_str(k->vip, ip, sizeof(ip)), k->port);
	return buf;
}

void
ctl_fmt_acls(FILE *out, const Dpvs__AclList *l, bool json)
{
	char svc[IPSTR + 256], ip[IPSTR];
	size_t i;

	if (json)
		fputc('[', out);
	for (i = 0; i < l->n_entries; i++) {
		const Dpvs__Acl *a = l->entries[i];
		const Dpvs__SvcKey *k = a->service;

		ctl_pb_ip_str(a->prefix, ip, sizeof(ip));
		if (!json) {
			fprintf(out, "%-30s %s %s/%u\n", acl_svc_text(k, svc, sizeof(svc)), a->list, ip,
				a->prefixlen);
			continue;
		}
		fprintf(out, "%s{\"proto\":", i > 0 ? "," : "");
		ctl_fmt_json_str(out, k != NULL ? k->proto : "");
		fputs(",\"vip\":", out);
		if (k == NULL || (k->match != NULL && k->match[0] != '\0')) {
			fputs("null,\"match\":", out);
			ctl_fmt_json_str(out, k != NULL ? k->match : "");
		} else {
			ctl_fmt_json_str(out, ctl_pb_ip_str(k->vip, svc, sizeof(svc)));
			fputs(",\"match\":null", out);
		}
		fprintf(out, ",\"port\":%u,\"list\":", k != NULL ? k->port : 0);
		ctl_fmt_json_str(out, a->list);
		fputs(",\"prefix\":", out);
		ctl_fmt_json_str(out, ip);
		fprintf(out, ",\"prefixlen\":%u}", a->prefixlen);
	}
	if (json)
		fputs("]\n", out);
}

void
ctl_fmt_rates(FILE *out, Dpvs__Rate *const *r, size_t n, bool json)
{
	size_t i;

	if (json)
		fputs(",\"rates\":{", out);
	for (i = 0; i < n; i++) {
		bool bytes = strstr(r[i]->meter, "bytes") != NULL;

		if (json) {
			fputs(i > 0 ? "," : "", out);
			ctl_fmt_json_str(out, r[i]->meter);
			fprintf(out, ":{\"rate\":%" PRIu64 ",\"burst\":%" PRIu64 "}", r[i]->rate,
				r[i]->burst);
		} else {
			/* " rate-in=1000pps:100", " rate-out-bytes=1000000:100000" */
			fprintf(out, " rate-%s%s=%" PRIu64 "%s:%" PRIu64,
				strncmp(r[i]->meter, "in", 2) == 0 ? "in" : "out",
				bytes ? "-bytes" : "", r[i]->rate, bytes ? "" : "pps", r[i]->burst);
		}
	}
	if (json)
		fputc('}', out);
}
