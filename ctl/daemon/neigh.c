/*
 * `neigh show`: the entry each worker actually uses for each neighbour. First
 * the static neighbours of the active config set (they win over anything
 * learned, so a learned entry for a static neighbour is not listed), then the
 * workers' learned entries (each worker keeps its own table in its shm
 * region): one row per neighbour and distinct state and MAC, listing the
 * workers whose entry it is, with the age since the last reply that
 * confirmed the MAC (the youngest of those workers'). Reads the worker
 * regions (racy reads of a live table are fine for display; a worker may
 * show twice for a moment while its table shifts entries); writes only the
 * Response.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/common/pb.h"
#include "ctl/daemon/addr.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/show.h"
#include "ctl/daemon/vlan.h"
#include "shm/lb_hash.h"

struct neigh_item {
	struct dpvs_neigh n;
	uint32_t worker;
};

static int
neigh_cmp(const void *a, const void *b)
{
	const struct neigh_item *x = a, *y = b;
	int c;

	if (x->n.port != y->n.port)
		return x->n.port < y->n.port ? -1 : 1;
	if (x->n.ip.family != y->n.ip.family)
		return x->n.ip.family < y->n.ip.family ? -1 : 1;
	c = memcmp(x->n.ip.bytes, y->n.ip.bytes, sizeof(x->n.ip.bytes));
	if (c != 0)
		return c;
	return x->worker < y->worker ? -1 : x->worker > y->worker;
}

static bool
neigh_same(const struct neigh_item *x, const struct neigh_item *y)
{
	return x->n.port == y->n.port && x->n.ip.family == y->n.ip.family &&
	       memcmp(x->n.ip.bytes, y->n.ip.bytes, sizeof(x->n.ip.bytes)) == 0;
}

/* Is (port, ip) a static neighbour of the active set? */
static bool
neigh_is_static(const struct dpvs_lb_tables *lb, const struct dpvs_neigh *e)
{
	return dpvs_sneigh_lookup(lb, &e->ip, e->port) != DPVS_SLOT_NONE;
}

/* The static neighbours of the active set (filtered by port if port >= 0),
 * listed first, with state "static" and no worker list. */
static void
neigh_static_rows(const struct dpvs_config_set *set, const struct dpvs_root *root, int port,
		  Dpvs__NeighList *l)
{
	const struct dpvs_lb_tables *lb = &set->lb;
	uint32_t i;

	for (i = 0; i < lb->nsneigh && i < lb->caps.sneigh; i++) {
		const struct dpvs_static_neigh *e = &dpvs_lb_sneigh(lb)[i];
		Dpvs__Neigh **slot, *m;

		if ((port >= 0 && e->port != port) || e->port >= DPVS_MAX_IFACES)
			continue;
		m = ctl_pb_alloc(sizeof(*m));
		dpvs__neigh__init(m);
		m->address = ctl_pb_ip(e->ip.family, e->ip.bytes);
		m->lladdr.data = ctl_pb_alloc(DPVS_ETHER_LEN);
		memcpy(m->lladdr.data, e->mac, DPVS_ETHER_LEN);
		m->lladdr.len = DPVS_ETHER_LEN;
		m->dev = ctl_pb_strdup(ctl_iface_name(set, root, e->port));
		m->state = ctl_pb_strdup("static");
		m->is_static = true;
		slot = ctl_pb_append(&l->neighs, &l->n_neighs, sizeof(*slot));
		*slot = m;
	}
}

/* Copy the live entries of every worker (filtered by port if port >= 0). */
static size_t
neigh_collect(struct dpvs_shm *shm, int port, struct neigh_item *items, size_t max)
{
	size_t n = 0;
	uint32_t w, i;

	for (w = 0; w < shm->root->conf.nworkers && w < DPVS_MAX_WORKERS; w++) {
		const struct dpvs_worker_region *wr = shm->wr[w];

		if (wr == NULL)
			continue;
		for (i = 0; i < DPVS_NEIGH_SLOTS && n < max; i++) {
			struct dpvs_neigh e;

			if (__atomic_load_n(&wr->neigh[i].state, __ATOMIC_ACQUIRE) ==
			    DPVS_NEIGH_FREE)
				continue;
			memcpy(&e, &wr->neigh[i], sizeof(e));
			if (e.state == DPVS_NEIGH_FREE || e.state >= DPVS_NEIGH_STATE_MAX ||
			    e.port >= DPVS_MAX_IFACES)
				continue;
			if (e.ip.family != DPVS_AF_INET && e.ip.family != DPVS_AF_INET6)
				continue;
			if (port >= 0 && e.port != port)
				continue;
			items[n].n = e;
			items[n].worker = w;
			n++;
		}
	}
	return n;
}

static const char *const neigh_state_names[] = {
#define X_NAME(n, s) s,
	DPVS_NEIGH_STATES(X_NAME)
#undef X_NAME
};

/* Does an entry in this state carry a MAC that is in use? */
static bool
neigh_has_mac(uint8_t state)
{
	return state == DPVS_NEIGH_REACHABLE || state == DPVS_NEIGH_STALE ||
	       state == DPVS_NEIGH_PROBE;
}

/* Do two workers' entries for one neighbour say the same (state and MAC)? */
static bool
neigh_agree(const struct dpvs_neigh *a, const struct dpvs_neigh *b)
{
	return a->state == b->state &&
	       (!neigh_has_mac(a->state) || memcmp(a->mac, b->mac, DPVS_ETHER_LEN) == 0);
}

/* One output row: items[first] and every later item of [first, last) that
 * agrees with it and is not taken yet (taken[] marks them); the age shown
 * is the youngest. */
static Dpvs__Neigh *
neigh_row(const struct dpvs_config_set *set, const struct dpvs_root *root,
	  const struct neigh_item *items, bool *taken,
	  size_t first, size_t last, uint64_t now)
{
	const struct dpvs_neigh *e = &items[first].n;
	uint64_t confirmed = e->confirmed_ns;
	Dpvs__Neigh *m;
	size_t k;

	m = ctl_pb_alloc(sizeof(*m));
	dpvs__neigh__init(m);
	for (k = first; k < last; k++) {
		uint32_t *slot;

		if (taken[k] || !neigh_agree(e, &items[k].n))
			continue;
		taken[k] = true;
		slot = ctl_pb_append(&m->workers, &m->n_workers, sizeof(*slot));
		*slot = items[k].worker;
		if (items[k].n.confirmed_ns > confirmed)
			confirmed = items[k].n.confirmed_ns;
	}
	m->address = ctl_pb_ip(e->ip.family, e->ip.bytes);
	if (neigh_has_mac(e->state)) {
		m->lladdr.data = ctl_pb_alloc(DPVS_ETHER_LEN);
		memcpy(m->lladdr.data, e->mac, DPVS_ETHER_LEN);
		m->lladdr.len = DPVS_ETHER_LEN;
	}
	m->dev = ctl_pb_strdup(ctl_iface_name(set, root, e->port));
	m->state = ctl_pb_strdup(neigh_state_names[e->state]);
	m->age_ms = now > confirmed ? (now - confirmed) / 1000000 : 0;
	return m;
}

/* The rows of one neighbour, items[first..last) (sorted by worker): one per
 * distinct state and MAC among the workers. */
static void
neigh_rows(const struct dpvs_config_set *set, const struct dpvs_root *root,
	   const struct neigh_item *items, size_t first,
	   size_t last, uint64_t now, Dpvs__NeighList *l)
{
	bool taken[DPVS_MAX_WORKERS * 2] = { false };
	size_t k, n = last - first;

	if (n > RTE_DIM(taken))
		n = RTE_DIM(taken);
	/* a worker's table mid-move may show an entry twice: once is enough */
	for (k = 1; k < n; k++)
		taken[k] = items[first + k].worker == items[first + k - 1].worker;
	for (k = 0; k < n; k++) {
		Dpvs__Neigh **slot;

		if (taken[k])
			continue;
		slot = ctl_pb_append(&l->neighs, &l->n_neighs, sizeof(*slot));
		*slot = neigh_row(set, root, items + first, taken, k, n, now);
	}
}

int
ctl_show_neighs(struct dpvs_shm *shm, const Dpvs__Request *req, Dpvs__Response *resp,
		char *err, size_t errlen)
{
	const struct dpvs_config_set *set = dpvs_config_active(shm);
	const struct dpvs_lb_tables *lb = &set->lb;
	const char *dev = req->neigh_show != NULL ? req->neigh_show->dev : NULL;
	size_t max = (size_t)DPVS_NEIGH_SLOTS * DPVS_MAX_WORKERS, n, i, j;
	uint64_t now = dpvs_now_ns();
	struct neigh_item *items;
	Dpvs__NeighList *l;
	int port = -1;

	if (dev != NULL && dev[0] != '\0') {
		port = ctl_iface_find(set, shm->root, dev, err, errlen);
		if (port < 0)
			return port;
	}
	items = malloc(max * sizeof(*items));
	if (items == NULL)
		return dpvs_errf(err, errlen, -CTL_ENOMEM, "out of memory");
	n = neigh_collect(shm, port, items, max);
	qsort(items, n, sizeof(*items), neigh_cmp);
	l = ctl_pb_alloc(sizeof(*l));
	dpvs__neigh_list__init(l);
	resp->neighs = l;
	resp->payload_case = DPVS__RESPONSE__PAYLOAD_NEIGHS;
	neigh_static_rows(set, shm->root, port, l);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && neigh_same(&items[i], &items[j]); j++)
			;
		if (!neigh_is_static(lb, &items[i].n)) /* the static one is used */
			neigh_rows(set, shm->root, items, i, j, now, l);
	}
	free(items);
	return 0;
}
