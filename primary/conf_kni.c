/*
 * The [port.X] keys of the exception path (see conf_kni.h): forward2kni,
 * the budgets of the three classes toward the kernel and the management
 * services. Pure parsing into a struct dpvs_port_info; no EAL.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_kni.h"

void
conf_kni_defaults(struct dpvs_port_info *p)
{
	p->kni_rate[DPVS_KNI_CTRL] = CONF_KNI_CTRL_RATE;
	p->kni_rate[DPVS_KNI_MGMT] = CONF_KNI_MGMT_RATE;
	p->kni_rate[DPVS_KNI_BULK] = CONF_KNI_BULK_RATE;
	memset(p->kni_prio, 0, sizeof(p->kni_prio));
	p->kni_prio[0].proto = IPPROTO_TCP;
	p->kni_prio[0].port = 22;
	p->kni_prio[1].proto = IPPROTO_ICMP;
}

static int
parse_rate(const char *v, uint32_t *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || v[0] == '-' || n > CONF_KNI_MAX_RATE)
		return -1;
	*out = (uint32_t)n;
	return 0;
}

/* One "proto[:port]" of a kni_priority list into e. */
static int
parse_prio(const char *w, size_t len, struct dpvs_kni_prio *e, char *why, size_t wlen)
{
	char word[32], *colon, *end;
	unsigned long port = 0;

	if (len == 0 || len >= sizeof(word))
		return snprintf(why, wlen, "an empty or overlong entry"), -1;
	memcpy(word, w, len);
	word[len] = '\0';
	colon = strchr(word, ':');
	if (colon != NULL) {
		*colon = '\0';
		port = strtoul(colon + 1, &end, 10);
		if (colon[1] == '\0' || *end != '\0' || port == 0 || port > 65535)
			return snprintf(why, wlen, "'%s:%s': a port is 1..65535", word, colon + 1),
			       -1;
	}
	if (strcmp(word, "tcp") == 0)
		e->proto = IPPROTO_TCP;
	else if (strcmp(word, "udp") == 0)
		e->proto = IPPROTO_UDP;
	else if (strcmp(word, "icmp") == 0 && colon == NULL)
		e->proto = IPPROTO_ICMP;
	else
		return snprintf(why, wlen, "'%s': tcp[:PORT], udp[:PORT] or icmp", word), -1;
	e->port = (uint16_t)port;
	return 0;
}

int
conf_kni_priority(const char *v, struct dpvs_port_info *p, char *why, size_t wlen)
{
	struct dpvs_kni_prio list[DPVS_KNI_PRIO_MAX];
	unsigned int n = 0;
	size_t len;

	memset(list, 0, sizeof(list));
	if (strcmp(v, "none") != 0) {
		while (*v != '\0') {
			len = strcspn(v, ",");
			if (n == DPVS_KNI_PRIO_MAX)
				return snprintf(why, wlen, "at most %d entries", DPVS_KNI_PRIO_MAX), -1;
			if (parse_prio(v, len, &list[n], why, wlen) != 0)
				return -1;
			n++;
			v += len;
			if (*v == ',' && *++v == '\0')
				return snprintf(why, wlen, "a trailing ','"), -1;
		}
	}
	memcpy(p->kni_prio, list, sizeof(list));
	return 0;
}

int
conf_kni_key(const char *key, const char *value, struct dpvs_port_info *p, char *why,
	     size_t wlen)
{
	static const struct {
		const char *key;
		unsigned int class;
	} rates[] = {
		{ "kni_ctrl_rate", DPVS_KNI_CTRL },
		{ "kni_mgmt_rate", DPVS_KNI_MGMT },
		{ "kni_rate", DPVS_KNI_BULK },
	};
	size_t i;

	if (strcmp(key, "forward2kni") == 0) {
		if (strcmp(value, "on") == 0)
			p->flags |= DPVS_PORT_F_FORWARD2KNI;
		else if (strcmp(value, "off") == 0)
			p->flags &= ~DPVS_PORT_F_FORWARD2KNI;
		else
			return snprintf(why, wlen, "forward2kni = '%s': on or off", value), -1;
		return 1;
	}
	if (strcmp(key, "kni_priority") == 0) {
		if (conf_kni_priority(value, p, why, wlen) != 0) {
			char inner[160];

			snprintf(inner, sizeof(inner), "%s", why);
			return snprintf(why, wlen, "kni_priority = '%s': %s", value, inner), -1;
		}
		return 1;
	}
	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		if (strcmp(key, rates[i].key) != 0)
			continue;
		if (parse_rate(value, &p->kni_rate[rates[i].class]) != 0)
			return snprintf(why, wlen, "%s = '%s': packets per second, 0 (no limit) "
					"to %u", key, value, CONF_KNI_MAX_RATE), -1;
		return 1;
	}
	return 0;
}
