/*
 * `conn show` (like ipvsadm -lnc): every worker's connection table, read
 * without locks from its shm array (shm/conn.h: the array is the truth, a
 * slot is live while DPVS_CONN_F_USED is set). Each entry is copied before it
 * is looked at; a row torn by a concurrent update is possible and harmless
 * for display. At most CTL_CONN_SHOW_MAX rows; the rest are counted.
 * Read-only on shm; writes only the Response.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "ctl/common/pb.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "ctl/daemon/show.h"
#include "shm/conn_addr.h"

#define X_NAME(n, s) s,
static const char *const tcp_state_names[DPVS_TCPS_MAX] = { DPVS_TCP_STATES(X_NAME) };
#undef X_NAME

static Dpvs__Ip *
conn_ip(const struct dpvs_ip *ip)
{
	static const uint8_t zero[16];

	if (ip->family != DPVS_AF_INET && ip->family != DPVS_AF_INET6)
		return ctl_pb_ip(DPVS_AF_INET, zero);
	return ctl_pb_ip(ip->family, ip->bytes);
}

static Dpvs__Conn *
conn_row(const struct dpvs_conn_table *ct, const struct dpvs_conn *c, uint32_t worker,
	 uint64_t now)
{
	Dpvs__Conn *m = ctl_pb_alloc(sizeof(*m));
	struct dpvs_ip a[4];
	const char *state;
	int w;

	dpvs__conn__init(m);
	m->proto = ctl_pb_strdup(c->proto == IPPROTO_TCP ? "TCP" :
				 c->proto == IPPROTO_UDP ? "UDP" : "?");
	if (c->proto == IPPROTO_TCP)
		state = c->state < DPVS_TCPS_MAX ? tcp_state_names[c->state] : "?";
	else
		state = "UDP";
	m->state = ctl_pb_strdup(state);
	m->expire = c->expires_ns > now ? (uint32_t)((c->expires_ns - now) / 1000000000ull) : 0;
	for (w = DPVS_CONN_A_C; w <= DPVS_CONN_A_D; w++)
		a[w] = dpvs_conn_ip(ct, c, w);
	m->client = conn_ip(&a[DPVS_CONN_A_C]);
	m->cport = ntohs(c->cport);
	m->vip = conn_ip(&a[DPVS_CONN_A_V]);
	m->vport = ntohs(c->vport);
	m->laddr = conn_ip(&a[DPVS_CONN_A_L]);
	m->lport = ntohs(c->lport);
	m->dest = conn_ip(&a[DPVS_CONN_A_D]);
	m->dport = ntohs(c->dport);
	m->worker = worker;
	m->mode = ctl_pb_strdup(ctl_fwd_name(c->fwd_mode));
	return m;
}

int
ctl_show_conns(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
	       char *err, size_t errlen)
{
	uint64_t now = dpvs_now_ns();
	Dpvs__ConnList *l;
	uint32_t w, i;

	(void)req;
	(void)err;
	(void)errlen;
	l = ctl_pb_alloc(sizeof(*l));
	dpvs__conn_list__init(l);
	resp->conns = l;
	resp->payload_case = DPVS__RESPONSE__PAYLOAD_CONNS;
	for (w = 0; w < shm->root->conf.nworkers && w < DPVS_MAX_WORKERS; w++) {
		struct dpvs_conn_table *ct = shm->ct[w];
		const struct dpvs_conn *arr;

		if (ct == NULL || ct->magic != DPVS_SHM_MAGIC)
			continue;
		arr = dpvs_conn_array(ct);
		for (i = 0; i < ct->capacity; i++) {
			struct dpvs_conn c;
			Dpvs__Conn **slot;

			if ((__atomic_load_n(&arr[i].flags, __ATOMIC_ACQUIRE) & DPVS_CONN_F_USED) == 0)
				continue;
			if (l->n_conns >= CTL_CONN_SHOW_MAX) {
				l->omitted++;
				continue;
			}
			memcpy(&c, &arr[i], sizeof(c));
			slot = ctl_pb_append(&l->conns, &l->n_conns, sizeof(*slot));
			*slot = conn_row(ct, &c, w, now);
		}
	}
	return 0;
}
