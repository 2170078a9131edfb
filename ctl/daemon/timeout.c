/*
 * Connection timeouts (lb.h): their names ("tcp.<state>", ipvsadm's "tcp",
 * "tcpfin", "udp"), the front door that sets them in a config set, the
 * request and show of the wire, and the save lines. The workers read
 * lb.timeouts per packet (worker/ipvs/proto_tcp.c), so a change takes
 * effect on each connection's next packet or timer. Touches only the set
 * passed in.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ctl/common/pb.h"
#include "ctl/daemon/apply.h"
#include "ctl/daemon/change.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "ctl/daemon/show.h"

#define X_NAME(n, s) s,
static const char *const tcps_names[DPVS_TCPS_MAX] = { DPVS_TCP_STATES(X_NAME) };
#undef X_NAME

const char *
ctl_timeout_name(unsigned int i, char *buf, size_t len)
{
	size_t k;

	if (i >= DPVS_TCPS_MAX) {
		snprintf(buf, len, "udp");
		return buf;
	}
	snprintf(buf, len, "tcp.%s", tcps_names[i]);
	for (k = 0; buf[k] != '\0'; k++)
		buf[k] = (char)tolower((unsigned char)buf[k]);
	return buf;
}

int
ctl_timeout_index(const char *name)
{
	char b[32];
	unsigned int i;

	if (strcmp(name, "tcp") == 0)
		return DPVS_TCPS_ESTABLISHED;
	if (strcmp(name, "tcpfin") == 0)
		return DPVS_TCPS_FIN_WAIT;
	if (strcmp(name, "udp") == 0)
		return DPVS_TCPS_MAX;
	for (i = 0; i < DPVS_TCPS_MAX; i++)
		if (strcmp(name, ctl_timeout_name(i, b, sizeof(b))) == 0)
			return (int)i;
	return -1;
}

int
ctl_timeout_set(struct dpvs_config_set *set, const struct dpvs_timeouts *t, char *err,
		size_t errlen)
{
	char b[32];
	unsigned int i;

	for (i = 0; i <= DPVS_TCPS_MAX; i++) {
		uint32_t v = i < DPVS_TCPS_MAX ? t->tcp[i] : t->udp;

		if (v > CTL_TIMEOUT_MAX_S)
			return dpvs_errf(err, errlen, -CTL_EINVAL, "timeout %s %u s: at most %u s "
					"(30 days)", ctl_timeout_name(i, b, sizeof(b)), v,
					CTL_TIMEOUT_MAX_S);
	}
	ctl_lb_prepare(&set->lb);
	for (i = 0; i < DPVS_TCPS_MAX; i++)
		if (t->tcp[i] != 0)
			set->lb.timeouts.tcp[i] = t->tcp[i];
	if (t->udp != 0)
		set->lb.timeouts.udp = t->udp;
	return 0;
}

void
ctl_timeout_save(const struct dpvs_lb_tables *lb, FILE *out)
{
	struct dpvs_timeouts def;
	char b[32];
	unsigned int i;

	ctl_default_timeouts(&def);
	for (i = 0; i < DPVS_TCPS_MAX; i++)
		if (lb->timeouts.tcp[i] != def.tcp[i] && lb->timeouts.tcp[i] != 0)
			fprintf(out, "timeout set tcp %s %u\n",
				ctl_timeout_name(i, b, sizeof(b)) + 4, lb->timeouts.tcp[i]);
	if (lb->timeouts.udp != def.udp && lb->timeouts.udp != 0)
		fprintf(out, "timeout set udp %u\n", lb->timeouts.udp);
}

int
ctl_op_timeout(const struct dpvs_root *root, const Dpvs__Request *req, struct ctl_op *op,
	       char *err, size_t errlen)
{
	const Dpvs__TimeoutSet *m = req->timeout_set;
	size_t i;
	int k;

	(void)root;
	op->kind = CTL_OP_TIMEOUT_SET;
	if (m == NULL || m->n_timeouts == 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "no timeout given");
	for (i = 0; i < m->n_timeouts; i++) {
		const char *name = m->timeouts[i]->name != NULL ? m->timeouts[i]->name : "";

		k = ctl_timeout_index(name);
		if (k < 0)
			return dpvs_errf(err, errlen, -CTL_EINVAL, "unknown timeout \"%s\" (tcp, "
					"tcpfin, udp, tcp.<state> such as tcp.syn_recv)", name);
		if (m->timeouts[i]->seconds == 0)
			return dpvs_errf(err, errlen, -CTL_EINVAL, "timeout %s: 0 s (1..%u)", name,
					CTL_TIMEOUT_MAX_S);
		if (k < DPVS_TCPS_MAX)
			op->u.timeouts.tcp[k] = m->timeouts[i]->seconds;
		else
			op->u.timeouts.udp = m->timeouts[i]->seconds;
	}
	return 0;
}

int
ctl_show_timeouts(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		  char *err, size_t errlen)
{
	const struct dpvs_timeouts *t = &dpvs_config_active(shm)->lb.timeouts;
	Dpvs__TimeoutList *l = ctl_pb_alloc(sizeof(*l));
	struct dpvs_timeouts def;
	char b[32];
	unsigned int i;

	(void)err;
	(void)errlen;
	/* a set no change prepared yet holds zeros: the workers use the
	 * defaults for them (wk_conn_timeout_ns), and so does the show */
	ctl_default_timeouts(&def);
	dpvs__timeout_list__init(l);
	l->brief = req->timeout_show != NULL && req->timeout_show->brief;
	for (i = 0; i <= DPVS_TCPS_MAX; i++) {
		Dpvs__Timeout **e = ctl_pb_append(&l->timeouts, &l->n_timeouts, sizeof(*e));

		*e = ctl_pb_alloc(sizeof(**e));
		dpvs__timeout__init(*e);
		(*e)->name = ctl_pb_strdup(ctl_timeout_name(i, b, sizeof(b)));
		(*e)->seconds = i < DPVS_TCPS_MAX ? t->tcp[i] : t->udp;
		if ((*e)->seconds == 0)
			(*e)->seconds = i < DPVS_TCPS_MAX ? def.tcp[i] : def.udp;
	}
	resp->timeouts = l;
	resp->payload_case = DPVS__RESPONSE__PAYLOAD_TIMEOUTS;
	return 0;
}
