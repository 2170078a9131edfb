/*
 * Repair after a death (see repair.h). Runs in dpvs-primary's supervisor
 * (or a test acting as the primary) while the dead process is reaped and its
 * successor not started. Writes only the dead side's fields of its rings,
 * its pool magazine and the depot lock it held.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ring.h>

#include "repair.h"

unsigned int
dpvs_ring_repair_producer(struct rte_ring *r)
{
	uint32_t head, tail;

	if (r == NULL)
		return 0;
	head = __atomic_load_n(&r->prod.head, __ATOMIC_ACQUIRE);
	tail = __atomic_load_n(&r->prod.tail, __ATOMIC_ACQUIRE);
	if (head == tail)
		return 0;
	/* the consumer reads only prod.tail: it never saw these slots */
	__atomic_store_n(&r->prod.head, tail, __ATOMIC_RELEASE);
	return head - tail;
}

unsigned int
dpvs_ring_repair_consumer(struct rte_ring *r, int forward)
{
	uint32_t head, tail;

	if (r == NULL)
		return 0;
	head = __atomic_load_n(&r->cons.head, __ATOMIC_ACQUIRE);
	tail = __atomic_load_n(&r->cons.tail, __ATOMIC_ACQUIRE);
	if (head == tail)
		return 0;
	if (forward)
		/* the producer reads cons.tail: the slots become free */
		__atomic_store_n(&r->cons.tail, head, __ATOMIC_RELEASE);
	else
		__atomic_store_n(&r->cons.head, tail, __ATOMIC_RELEASE);
	return head - tail;
}

static void
prod(struct dpvs_repair_report *rep, struct rte_ring *r)
{
	unsigned int n = dpvs_ring_repair_producer(r);

	if (n > 0) {
		rep->prod_rings++;
		rep->prod_slots += n;
	}
}

static void
cons(struct dpvs_repair_report *rep, struct rte_ring *r, int forward)
{
	unsigned int n = dpvs_ring_repair_consumer(r, forward);

	if (n == 0)
		return;
	rep->cons_rings++;
	if (forward)
		rep->cons_forward += n;
	else
		rep->cons_back += n;
}

/* A worker produces to_kni[*][w], to_kni_hi[*][w], arp[w][*], redir[w][*]
 * and consumes from_kni[*][w], arp[*][w], redir[*][w], always into its
 * in-flight array: roll forward. */
static void
repair_worker_rings(struct dpvs_shm *shm, unsigned int w, struct dpvs_repair_report *rep)
{
	const struct dpvs_global_conf *conf = &shm->root->conf;
	unsigned int p, v;

	for (p = 0; p < conf->nports && p < DPVS_MAX_PORTS; p++) {
		prod(rep, shm->to_kni[p][w]);
		prod(rep, shm->to_kni_hi[p][w]);
		cons(rep, shm->from_kni[p][w], 1);
	}
	for (v = 0; v < conf->nworkers && v < DPVS_MAX_WORKERS; v++) {
		if (v == w)
			continue;
		prod(rep, shm->arp[w][v]);
		prod(rep, shm->redir[w][v]);
		cons(rep, shm->arp[v][w], 1);
		cons(rep, shm->redir[v][w], 1);
	}
}

/* The bridge produces from_kni[*][*] and consumes to_kni[*][*] and
 * to_kni_hi[*][*] into a local array: roll back, its successor takes the
 * frames again. */
static void
repair_bridge_rings(struct dpvs_shm *shm, struct dpvs_repair_report *rep)
{
	const struct dpvs_global_conf *conf = &shm->root->conf;
	unsigned int p, w;

	for (p = 0; p < conf->nports && p < DPVS_MAX_PORTS; p++) {
		for (w = 0; w < conf->nworkers && w < DPVS_MAX_WORKERS; w++) {
			prod(rep, shm->from_kni[p][w]);
			cons(rep, shm->to_kni[p][w], 0);
			cons(rep, shm->to_kni_hi[p][w], 0);
		}
	}
}

int
dpvs_repair_after_death(struct dpvs_shm *shm, int role, struct dpvs_repair_report *out)
{
	memset(out, 0, sizeof(*out));
	if (shm == NULL || shm->root == NULL || role < 0 || role >= DPVS_POOL_ROLES)
		return -EINVAL;
	if (role >= DPVS_ROLE_WORKER0) {
		unsigned int w = (unsigned int)(role - DPVS_ROLE_WORKER0);

		if (w >= shm->root->conf.nworkers)
			return -EINVAL;
		repair_worker_rings(shm, w, out);
	} else if (role == DPVS_ROLE_BRIDGE) {
		repair_bridge_rings(shm, out);
	}
	if (shm->pool != NULL)
		dpvs_pool_repair(shm->pool, role, &out->pool);
	return 0;
}

void
dpvs_repair_describe(const struct dpvs_repair_report *r, char *buf, size_t len)
{
	static const char *const ops[] = { "nothing", "a spill", "a refill", "a direct access" };
	int n = 0;

	buf[0] = '\0';
	if (r->prod_slots > 0)
		n += snprintf(buf + n, len - (size_t)n,
			      "rolled back %u unpublished slot(s) on %u ring(s); ", r->prod_slots,
			      r->prod_rings);
	if (r->cons_forward + r->cons_back > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n,
			      "released %u and gave back %u slot(s) of dequeues in flight; ",
			      r->cons_forward, r->cons_back);
	if (r->pool.lock_held && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n,
			      "released the pool's depot lock (held for %s, %u object(s) "
			      "moved to finish it); ",
			      r->pool.op < RTE_DIM(ops) ? ops[r->pool.op] : "?",
			      r->pool.completed);
	if (n == 0)
		snprintf(buf, len, "nothing to repair");
	else if ((size_t)n <= len && n >= 2)
		buf[n - 2] = '\0';
}
