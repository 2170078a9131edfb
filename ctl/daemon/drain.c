/*
 * Draining local addresses (issue 6.11; shm/lb.h struct dpvs_laddr_drain).
 * A local address taken out of a service (laddr del, svc del, reload) may
 * still be the source of live full-NAT connections; a reply to it can reach
 * any worker, which must recognise the address (address index, LADDR bit)
 * to redirect the reply to the owner. So the removal leaves a drain entry
 * holding the address's LADDR bit until dpvs-ctl sees that no worker's
 * connection table has a live connection from it (ctl_drain_tick), then an
 * operation CTL_OP_DRAIN_DROP publishes its end.
 *
 * Why scan the connection tables rather than wait for the longest timeout:
 * a busy connection's timer is refreshed by every packet, so no timeout
 * bounds its life. The scan reads the tables read-only, as `conn show`
 * does, at most every CTL_DRAIN_PERIOD_MS and only while something drains.
 *
 * The table is dense in removal order; when it is full the oldest entry is
 * dropped at once (its connections may then lose replies that reach another
 * worker) and a warning is logged. Touches the set passed in; the tick reads
 * the workers' connection tables.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/daemon/change.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "ctl/daemon/log.h"
#include "ctl/daemon/publish.h"
#include "shm/conn_addr.h"
#include "shm/lb_hash.h"

static int
drain_index(const struct dpvs_lb_tables *lb, const struct dpvs_ip *ip, uint8_t proto)
{
	const struct dpvs_laddr_drain *d = dpvs_lb_drain(lb);
	uint32_t i;

	for (i = 0; i < lb->ndrain && i < lb->drain_cap; i++)
		if (d[i].proto == proto && dpvs_ip_equal(&d[i].ip, ip))
			return (int)i;
	return -1;
}

int
ctl_drain_find(const struct dpvs_lb_tables *lb, const struct dpvs_ip *ip, uint8_t proto)
{
	return drain_index(lb, ip, proto) >= 0 ? 1 : 0;
}

static void
drain_remove(struct dpvs_lb_tables *lb, uint32_t i)
{
	struct dpvs_laddr_drain *d = dpvs_lb_drain(lb);
	struct dpvs_laddr_drain gone = d[i];

	memmove(&d[i], &d[i + 1], (lb->ndrain - i - 1) * sizeof(d[0]));
	lb->ndrain--;
	memset(&d[lb->ndrain], 0, sizeof(d[0]));
	ctl_aix_ref(lb, &gone.ip, ctl_aix_bit(gone.proto, 0), -1);
}

void
ctl_drain_add(struct dpvs_lb_tables *lb, const struct dpvs_ip *ip, uint8_t proto)
{
	struct dpvs_laddr_drain *d = dpvs_lb_drain(lb);

	if (ip->family == DPVS_AF_NONE || drain_index(lb, ip, proto) >= 0)
		return;
	if (lb->drain_cap == 0)
		return;
	if (lb->ndrain >= lb->drain_cap)
		drain_remove(lb, 0);   /* full: the oldest goes now */
	memset(&d[lb->ndrain], 0, sizeof(d[0]));
	d[lb->ndrain].ip = *ip;
	d[lb->ndrain].proto = proto;
	lb->ndrain++;
	ctl_aix_ref(lb, ip, ctl_aix_bit(proto, 0), 1);
}

int
ctl_drain_drop(struct dpvs_config_set *set, const struct dpvs_ip *ip, uint8_t proto,
	       char *err, size_t errlen)
{
	int i = drain_index(&set->lb, ip, proto);

	if (i < 0)
		return dpvs_errf(err, errlen, -CTL_ENOENT, "no draining local address");
	drain_remove(&set->lb, (uint32_t)i);
	return 0;
}

/* Does a live connection of any worker use (ip, proto) as its local
 * address? Marks used[i] for every drain entry i that one uses. */
static void
drain_scan(const struct dpvs_shm *shm, const struct dpvs_lb_tables *lb, uint8_t *used)
{
	const struct dpvs_laddr_drain *d = dpvs_lb_drain(lb);
	uint64_t now = dpvs_now_ns();
	uint32_t w, i, k;

	for (w = 0; w < shm->root->conf.nworkers && w < DPVS_MAX_WORKERS; w++) {
		const struct dpvs_conn_table *ct = shm->ct[w];
		const struct dpvs_conn *arr;

		if (ct == NULL || ct->magic != DPVS_SHM_MAGIC)
			continue;
		arr = dpvs_conn_array((struct dpvs_conn_table *)(uintptr_t)ct);
		for (i = 0; i < ct->capacity; i++) {
			struct dpvs_conn c;

			if ((__atomic_load_n(&arr[i].flags, __ATOMIC_ACQUIRE) &
			     DPVS_CONN_F_USED) == 0)
				continue;
			memcpy(&c, &arr[i], sizeof(c));
			if (c.expires_ns <= now || !dpvs_conn_has_out(&c))
				continue;
			for (k = 0; k < lb->ndrain; k++)
				if (!used[k] && d[k].proto == c.proto &&
				    dpvs_conn_ip_eq(ct, &c, DPVS_CONN_A_L, &d[k].ip))
					used[k] = 1;
		}
	}
}

int
ctl_drain_tick(struct dpvs_shm *shm)
{
	const struct dpvs_lb_tables *lb = &dpvs_config_active(shm)->lb;
	struct ctl_oplist ops = { 0 };
	uint8_t *used;
	char err[256];
	uint32_t k, n = lb->ndrain, dropped;
	int rc = 0;

	if (n == 0)
		return 0;
	/* a worker still reading a set from before the removal could be making
	 * a connection from the address right now: wait until none is */
	if (ctl_rcu_wait(shm->rcu, CTL_RCU_TIMEOUT_MS) != 0)
		return 0;
	used = calloc(n, 1);
	if (used == NULL)
		return -CTL_ENOMEM;
	drain_scan(shm, lb, used);
	for (k = 0; k < n && rc == 0; k++) {
		struct ctl_op *op;

		if (used[k])
			continue;
		op = ctl_oplist_push(&ops);
		if (op == NULL) {
			rc = -CTL_ENOMEM;
			break;
		}
		op->kind = CTL_OP_DRAIN_DROP;
		op->u.drain.ip = dpvs_lb_drain(lb)[k].ip;
		op->u.drain.proto = dpvs_lb_drain(lb)[k].proto;
	}
	if (rc == 0 && ops.n > 0) {
		rc = ctl_change_run(shm, ops.v, ops.n, err, sizeof(err));
		if (rc != 0)
			CTL_LOG(WARNING, "draining local addresses: %s", err);
	}
	dropped = (uint32_t)ops.n;
	free(used);
	ctl_oplist_free(&ops);
	return rc == 0 ? (int)(n - dropped) : rc;
}
