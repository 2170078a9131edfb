/*
 * Creation and attachment of the node's shared memory (see shm.h).
 * Touches only memzones, the mbuf pool (pool.c) and rings; runs at start-up
 * only.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <rte_errno.h>
#include <rte_random.h>
#include <rte_lpm.h>
#include <rte_memzone.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_version.h>

#include "errf.h"
#include "layout_fp.h"
#include "pool_ops.h"
#include "shm.h"

uint64_t
dpvs_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void
dpvs_shm_fill_header(struct dpvs_root *root)
{
	root->magic = DPVS_SHM_MAGIC;
	root->layout_version = DPVS_LAYOUT_VERSION;
	snprintf(root->dpdk_version, sizeof(root->dpdk_version), "%s", rte_version());
	root->sz_root = sizeof(struct dpvs_root);
	root->sz_port_info = sizeof(struct dpvs_port_info);
	root->sz_worker_slot = sizeof(struct dpvs_worker_slot);
	root->sz_worker_stats = sizeof(struct dpvs_worker_stats);
	root->sz_config_set = sizeof(struct dpvs_config_set);
	root->sz_worker_region = sizeof(struct dpvs_worker_region);
	root->sz_neigh = sizeof(struct dpvs_neigh);
	root->sz_conn = sizeof(struct dpvs_conn);
	root->sz_lb_tables = sizeof(struct dpvs_lb_tables);
	root->sz_service = sizeof(struct dpvs_service);
	root->sz_dest = sizeof(struct dpvs_dest);
	root->sz_route = sizeof(struct dpvs_route);
	root->sz_addr_ix = sizeof(struct dpvs_addr_ix);
	root->sz_caps = sizeof(struct dpvs_caps);
}

/* magic, layout version, DPDK version */
static int
check_ident(const struct dpvs_root *root, const struct dpvs_root *mine, char *err,
	    size_t errlen)
{
	if (root->magic != mine->magic)
		return dpvs_errf(err, errlen, -EPROTO, "root memzone magic is %#x, expected %#x",
			    root->magic, mine->magic);
	if (root->layout_version != mine->layout_version)
		return dpvs_errf(err, errlen, -EPROTO,
			    "shared layout version %u, this binary was built for %u",
			    root->layout_version, mine->layout_version);
	if (strncmp(root->dpdk_version, mine->dpdk_version, sizeof(mine->dpdk_version)) != 0)
		return dpvs_errf(err, errlen, -EPROTO, "primary runs %s, this binary was built with %s",
			    root->dpdk_version, mine->dpdk_version);
	return 0;
}

static int
check_sizes(const struct dpvs_root *root, const struct dpvs_root *mine, char *err,
	    size_t errlen)
{
#define CHECK_SIZE(f)                                                                \
	if (root->f != mine->f)                                                      \
		return dpvs_errf(err, errlen, -EPROTO, "%s is %u in shared memory, %u here", \
			    #f, root->f, mine->f)
	CHECK_SIZE(sz_root);
	CHECK_SIZE(sz_port_info);
	CHECK_SIZE(sz_worker_slot);
	CHECK_SIZE(sz_worker_stats);
	CHECK_SIZE(sz_config_set);
	CHECK_SIZE(sz_worker_region);
	CHECK_SIZE(sz_neigh);
	CHECK_SIZE(sz_conn);
	CHECK_SIZE(sz_lb_tables);
	CHECK_SIZE(sz_service);
	CHECK_SIZE(sz_dest);
	CHECK_SIZE(sz_route);
	CHECK_SIZE(sz_addr_ix);
	CHECK_SIZE(sz_caps);
#undef CHECK_SIZE
	/* the capacities size every table: they must be ones this build accepts */
	return dpvs_caps_check(&root->conf.caps, err, errlen) == 0 ? 0 : -EPROTO;
}

int
dpvs_shm_check_header(const struct dpvs_root *root, char *err, size_t errlen)
{
	struct dpvs_root mine;
	int rc;

	memset(&mine, 0, sizeof(mine));
	dpvs_shm_fill_header(&mine);
	rc = check_ident(root, &mine, err, errlen);
	return rc != 0 ? rc : check_sizes(root, &mine, err, errlen);
}

void
dpvs_layout_desc_fill(struct dpvs_layout_desc *d)
{
	uint32_t off = 0, len;
	unsigned int i;

	memset(d, 0, offsetof(struct dpvs_layout_desc, text));
	d->magic = DPVS_LAYOUT_DESC_MAGIC;
	for (i = 0; i < dpvs_layout_nfps && i < DPVS_LAYOUT_MAX_STRUCTS; i++) {
		const struct dpvs_layout_fp *f = &dpvs_layout_fps[i];

		len = (uint32_t)strlen(f->text);
		if (off + len > DPVS_LAYOUT_TEXT_MAX)
			len = DPVS_LAYOUT_TEXT_MAX - off;
		snprintf(d->e[i].name, sizeof(d->e[i].name), "%s", f->name);
		d->e[i].hash = f->hash;
		d->e[i].text_off = off;
		d->e[i].text_len = len;
		memcpy(d->text + off, f->text, len);
		off += len;
	}
	d->n = i;
}

/* The first line where the node's description of a struct and ours differ. */
static void
first_diff(const struct dpvs_layout_desc *d, const struct dpvs_layout_entry *e,
	   const char *ours, char *buf, size_t len)
{
	const char *a = ours, *b = d->text + e->text_off, *bend = b + e->text_len;
	size_t la, lb;

	if (e->text_off > DPVS_LAYOUT_TEXT_MAX || e->text_len > DPVS_LAYOUT_TEXT_MAX - e->text_off) {
		snprintf(buf, len, "(no description in the node)");
		return;
	}
	for (;;) {
		la = strcspn(a, "\n");
		lb = 0;
		while (b + lb < bend && b[lb] != '\n')
			lb++;
		if (la != lb || memcmp(a, b, la) != 0 || (*a == '\0' && b >= bend))
			break;
		a += la + (a[la] == '\n');
		b += lb + (b + lb < bend);
	}
	if (*a == '\0' && b >= bend)
		snprintf(buf, len, "(same members, other hash)");
	else
		snprintf(buf, len, "'%.*s' here, '%.*s' in the node", (int)RTE_MIN(la, (size_t)120),
			 *a != '\0' ? a : "(end)", (int)RTE_MIN(lb, (size_t)120),
			 b < bend ? b : "(end)");
}

int
dpvs_shm_check_layout(const struct dpvs_layout_desc *d, char *err, size_t errlen)
{
	const struct dpvs_layout_fp *worst = NULL;
	const struct dpvs_layout_entry *we = NULL;
	char names[256] = "", detail[320];
	size_t used = 0;
	unsigned int i, j, ndiff = 0;

	if (d->magic != DPVS_LAYOUT_DESC_MAGIC || d->n > DPVS_LAYOUT_MAX_STRUCTS)
		return dpvs_errf(err, errlen, -EPROTO, "memzone %s is not a layout description",
				 DPVS_MZ_LAYOUT);
	for (i = 0; i < dpvs_layout_nfps; i++) {
		const struct dpvs_layout_fp *f = &dpvs_layout_fps[i];
		const struct dpvs_layout_entry *e = NULL;

		for (j = 0; j < d->n; j++)
			if (strncmp(d->e[j].name, f->name, sizeof(d->e[j].name)) == 0)
				e = &d->e[j];
		if (e != NULL && e->hash == f->hash)
			continue;
		ndiff++;
		if (used < sizeof(names))
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
						 used > 0 ? ", " : "", f->name);
		/* the smallest differing struct names the member best */
		if (e != NULL && (worst == NULL || strlen(f->text) < strlen(worst->text))) {
			worst = f;
			we = e;
		}
	}
	for (j = 0; j < d->n; j++) {
		for (i = 0; i < dpvs_layout_nfps; i++)
			if (strncmp(d->e[j].name, dpvs_layout_fps[i].name, sizeof(d->e[j].name)) == 0)
				break;
		if (i == dpvs_layout_nfps)
			return dpvs_errf(err, errlen, -EPROTO,
					 "the node's shared layout has struct %.48s, this binary "
					 "does not", d->e[j].name);
	}
	if (ndiff == 0)
		return 0;
	if (worst == NULL)
		return dpvs_errf(err, errlen, -EPROTO,
				 "the shared layout differs from this build: struct %s is not in "
				 "the node's layout", names);
	first_diff(d, we, worst->text, detail, sizeof(detail));
	return dpvs_errf(err, errlen, -EPROTO,
			 "the shared layout differs from this build: struct %s: %s (differing: %s)",
			 worst->name, detail, names);
}

/* The SYN proxy's cookie key: from the kernel's random source, or DPDK's
 * generator (seeded from the TSC) when that fails. */
static void
synproxy_key_fill(uint8_t key[16])
{
	uint64_t r[2];

	if (getrandom(key, 16, 0) == 16)
		return;
	r[0] = rte_rand();
	r[1] = rte_rand();
	memcpy(key, r, 16);
}

void
dpvs_conn_table_format_x(struct dpvs_conn_table *ct, uint32_t capacity, uint32_t sx_cap,
			 uint32_t v6_cap)
{
	ct->magic = DPVS_SHM_MAGIC;
	ct->capacity = capacity;
	ct->nbuckets = DPVS_CONN_NBUCKETS(capacity);
	ct->wheel_slots = DPVS_CONN_WHEEL_SLOTS;
	ct->conns_off = DPVS_CONN_ALIGN(sizeof(*ct));
	ct->buckets_off = ct->conns_off + DPVS_CONN_ALIGN((uint64_t)capacity *
							  sizeof(struct dpvs_conn));
	ct->wheel_off = ct->buckets_off + DPVS_CONN_ALIGN((uint64_t)ct->nbuckets *
							  sizeof(struct dpvs_conn_bkt));
	ct->sx_off = ct->wheel_off + DPVS_CONN_ALIGN((uint64_t)DPVS_CONN_WHEEL_SLOTS * 4u);
	ct->sx_capacity = sx_cap;
	ct->sx_free = DPVS_CONN_NIL;
	ct->v6_off = ct->sx_off + DPVS_CONN_ALIGN((uint64_t)sx_cap * sizeof(struct dpvs_seqx));
	ct->v6_capacity = v6_cap;
	ct->v6_free = DPVS_CONN_NIL;
	ct->free_head = DPVS_CONN_NIL;
	ct->half_head = ct->half_tail = DPVS_CONN_NIL;
}

void
dpvs_conn_table_format(struct dpvs_conn_table *ct, uint32_t capacity)
{
	dpvs_conn_table_format_x(ct, capacity, DPVS_CONN_SX_DEFAULT(capacity),
				 DPVS_CONN_V6_DEFAULT(capacity));
}

/* The two config set copies, each in its own memzone sized from the caps. */
static int
create_config(struct dpvs_shm *shm, const struct dpvs_caps *caps, char *err, size_t errlen)
{
	const struct rte_memzone *mz;
	char name[RTE_MEMZONE_NAMESIZE];
	struct dpvs_lb_tables lb;
	uint64_t sz = dpvs_cfgset_layout(caps, &lb);
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), DPVS_MZ_CFG_FMT, i);
		mz = rte_memzone_reserve_aligned(name, sz, SOCKET_ID_ANY, 0, RTE_CACHE_LINE_SIZE);
		if (mz == NULL)
			return dpvs_errf(err, errlen, -rte_errno,
				    "cannot reserve %s (%llu bytes for the [tables] sizes): %s",
				    name, (unsigned long long)sz, rte_strerror(rte_errno));
		memset(mz->addr, 0, sz);
		shm->set[i] = mz->addr;
		dpvs_cfgset_format(shm->set[i], caps, i);
		dpvs_cfgset_port_defaults(shm->set[i], shm->root->ports, shm->root->conf.nports);
	}
	return 0;
}

/* Connection tables (one per worker) and the two route tables. */
static int
create_lb(struct dpvs_shm *shm, const struct dpvs_global_conf *conf, char *err,
	  size_t errlen)
{
	struct rte_lpm_config lc = {
		.max_rules = DPVS_LPM_MAX_RULES(conf->caps.routes),
		.number_tbl8s = DPVS_LPM_TBL8S(conf->caps.routes),
	};
	const struct rte_memzone *mz;
	char name[RTE_MEMZONE_NAMESIZE];
	uint64_t sz = DPVS_CONN_MZ_SIZE_X(conf->conn_capacity, conf->seqx_capacity,
					  conf->v6_capacity);
	unsigned int w, i;

	for (w = 0; w < conf->nworkers; w++) {
		snprintf(name, sizeof(name), DPVS_MZ_CONN_FMT, w);
		mz = rte_memzone_reserve_aligned(name, sz, SOCKET_ID_ANY, 0, RTE_CACHE_LINE_SIZE);
		if (mz == NULL)
			return dpvs_errf(err, errlen, -rte_errno,
				    "cannot reserve %s (%u connections, %u sequence translations, "
				    "%u IPv6, %llu bytes): %s", name, conf->conn_capacity,
				    conf->seqx_capacity, conf->v6_capacity, (unsigned long long)sz,
				    rte_strerror(rte_errno));
		memset(mz->addr, 0, sz);
		shm->ct[w] = mz->addr;
		dpvs_conn_table_format_x(shm->ct[w], conf->conn_capacity, conf->seqx_capacity,
					 conf->v6_capacity);
	}
	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), DPVS_LPM_FMT, i);
		shm->lpm[i] = rte_lpm_create(name, SOCKET_ID_ANY, &lc);
		if (shm->lpm[i] == NULL)
			return dpvs_errf(err, errlen, -rte_errno, "cannot create route table %s: %s",
				    name, rte_strerror(rte_errno));
	}
	return 0;
}

/* One ring, one producer process, one consumer process (shm/ring.h). */
static struct rte_ring *
ring_create(char *name, size_t len, const char *fmt, uint8_t a, uint8_t b)
{
	snprintf(name, len, fmt, a, b);
	return rte_ring_create(name, DPVS_RING_SIZE, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
}

static int
create_rings(struct dpvs_shm *shm, const struct dpvs_global_conf *conf, char *err,
	     size_t errlen)
{
	char name[RTE_RING_NAMESIZE];
	unsigned int p, w, v;

	for (p = 0; p < conf->nports; p++) {
		for (w = 0; w < conf->nworkers; w++) {
			shm->to_kni[p][w] = ring_create(name, sizeof(name), DPVS_RING_TO_KNI_FMT,
							p, w);
			if (shm->to_kni[p][w] == NULL)
				goto ring_fail;
			shm->to_kni_hi[p][w] = ring_create(name, sizeof(name),
							   DPVS_RING_TO_KNI_HI_FMT, p, w);
			if (shm->to_kni_hi[p][w] == NULL)
				goto ring_fail;
			shm->from_kni[p][w] = ring_create(name, sizeof(name),
							  DPVS_RING_FROM_KNI_FMT, p, w);
			if (shm->from_kni[p][w] == NULL)
				goto ring_fail;
		}
	}
	for (w = 0; w < conf->nworkers; w++) {
		for (v = 0; v < conf->nworkers; v++) {
			if (v == w)
				continue;
			shm->arp[w][v] = ring_create(name, sizeof(name), DPVS_RING_ARP_FMT, w, v);
			if (shm->arp[w][v] == NULL)
				goto ring_fail;
			shm->redir[w][v] = ring_create(name, sizeof(name), DPVS_RING_REDIR_FMT, w,
						       v);
			if (shm->redir[w][v] == NULL)
				goto ring_fail;
		}
	}
	return 0;
ring_fail:
	return dpvs_errf(err, errlen, -rte_errno, "cannot create ring %s: %s", name,
		    rte_strerror(rte_errno));
}

/* A worker slot's `alive` mutex: robust, shared between processes. */
static int
alive_init(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;
	int rc;

	pthread_mutexattr_init(&a);
	rc = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	if (rc == 0)
		rc = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	if (rc == 0)
		rc = pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return rc;
}

/* A table's capacity from [memory]: 0 (the default) or within
 * DPVS_CONN_MIN_CAP..DPVS_CONN_MAX_CAP; what names it in the message. */
static int
check_cap(uint32_t cap, const char *what, char *err, size_t errlen)
{
	if (cap != 0 && (cap < DPVS_CONN_MIN_CAP || cap > DPVS_CONN_MAX_CAP))
		return dpvs_errf(err, errlen, -EINVAL, "%s %u is outside %u..%u", what, cap,
				 DPVS_CONN_MIN_CAP, DPVS_CONN_MAX_CAP);
	return 0;
}

/* The sizes of conf, checked before anything is reserved; caps gets the
 * table sizes to create (the defaults when the caller left them out). */
static int
check_conf(const struct dpvs_global_conf *conf, struct dpvs_caps *caps, char *err,
	   size_t errlen)
{
	int rc;

	if (conf->nworkers == 0 || conf->nworkers > DPVS_MAX_WORKERS)
		return dpvs_errf(err, errlen, -EINVAL, "worker count %u is outside 1..%u",
			    conf->nworkers, DPVS_MAX_WORKERS);
	if (conf->nports > DPVS_MAX_PORTS)
		return dpvs_errf(err, errlen, -EINVAL, "%u ports, at most %u", conf->nports,
			    DPVS_MAX_PORTS);
	rc = check_cap(conf->conn_capacity, "connection capacity", err, errlen);
	if (rc == 0)
		rc = check_cap(conf->seqx_capacity, "sequence translation capacity", err,
			       errlen);
	if (rc == 0)
		rc = check_cap(conf->v6_capacity, "IPv6 connection capacity", err, errlen);
	if (rc != 0)
		return rc;
	*caps = conf->caps;
	if (caps->services == 0)   /* a caller that left them out: the defaults */
		dpvs_caps_default(caps);
	return dpvs_caps_check(caps, err, errlen);
}

/* The root memzone (its header first) and the layout description, then
 * the node's settings in the root: conf with its defaults filled in, caps,
 * the ports, the start time and the SYN proxy's key. */
static int
create_root(struct dpvs_shm *shm, const struct dpvs_global_conf *conf,
	    const struct dpvs_caps *caps, const struct dpvs_port_info *ports, char *err,
	    size_t errlen)
{
	const struct rte_memzone *mz;
	struct dpvs_global_conf *g;

	mz = rte_memzone_reserve_aligned(DPVS_MZ_ROOT, sizeof(struct dpvs_root), SOCKET_ID_ANY,
					 0, RTE_CACHE_LINE_SIZE);
	if (mz == NULL)
		return dpvs_errf(err, errlen, -rte_errno, "cannot reserve %s: %s", DPVS_MZ_ROOT,
			    rte_strerror(rte_errno));
	shm->root = mz->addr;
	memset(shm->root, 0, sizeof(*shm->root));
	dpvs_shm_fill_header(shm->root);
	mz = rte_memzone_reserve_aligned(DPVS_MZ_LAYOUT, sizeof(struct dpvs_layout_desc),
					 SOCKET_ID_ANY, 0, RTE_CACHE_LINE_SIZE);
	if (mz == NULL)
		return dpvs_errf(err, errlen, -rte_errno, "cannot reserve %s: %s", DPVS_MZ_LAYOUT,
			    rte_strerror(rte_errno));
	dpvs_layout_desc_fill(mz->addr);
	g = &shm->root->conf;
	*g = *conf;
	if (g->conn_capacity == 0)
		g->conn_capacity = DPVS_CONN_DEFAULT_CAP;
	if (g->seqx_capacity == 0)
		g->seqx_capacity = DPVS_CONN_SX_DEFAULT(g->conn_capacity);
	if (g->v6_capacity == 0)
		g->v6_capacity = DPVS_CONN_V6_DEFAULT(g->conn_capacity);
	g->caps = *caps;
	memcpy(shm->root->ports, ports, conf->nports * sizeof(*ports));
	shm->root->started_ns = dpvs_now_ns();
	synproxy_key_fill(shm->root->synproxy_key);
	return 0;
}

/* The RCU state, then each worker's region and slot (its lcore id and its
 * robust `alive` mutex). */
static int
create_workers(struct dpvs_shm *shm, const struct dpvs_global_conf *conf,
	       const struct dpvs_caps *caps, char *err, size_t errlen)
{
	const struct rte_memzone *mz;
	char name[RTE_MEMZONE_NAMESIZE];
	size_t rcu_sz = rte_rcu_qsbr_get_memsize(DPVS_MAX_WORKERS);
	uint64_t wr_sz;
	unsigned int w;

	mz = rte_memzone_reserve_aligned(DPVS_MZ_RCU, rcu_sz, SOCKET_ID_ANY, 0,
					 RTE_CACHE_LINE_SIZE);
	if (mz == NULL)
		return dpvs_errf(err, errlen, -rte_errno, "cannot reserve %s: %s", DPVS_MZ_RCU,
			    rte_strerror(rte_errno));
	shm->rcu = mz->addr;
	if (rte_rcu_qsbr_init(shm->rcu, DPVS_MAX_WORKERS) != 0)
		return dpvs_errf(err, errlen, -EINVAL, "cannot initialise the RCU state");

	wr_sz = dpvs_wr_size(caps);
	for (w = 0; w < conf->nworkers; w++) {
		snprintf(name, sizeof(name), DPVS_MZ_WORKER_FMT, w);
		mz = rte_memzone_reserve_aligned(name, wr_sz, SOCKET_ID_ANY, 0,
						 RTE_CACHE_LINE_SIZE);
		if (mz == NULL)
			return dpvs_errf(err, errlen, -rte_errno, "cannot reserve %s: %s", name,
				    rte_strerror(rte_errno));
		shm->wr[w] = mz->addr;
		memset(shm->wr[w], 0, wr_sz);
		dpvs_wr_format(shm->wr[w], caps, w);
		shm->root->workers[w].sup.lcore_id = DPVS_LCORE_WORKER(w);
		if (alive_init(&shm->root->workers[w].alive.m) != 0)
			return dpvs_errf(err, errlen, -EINVAL, "cannot initialise the mutex of "
				    "worker slot %u", w);
	}
	return 0;
}

/* The mbuf pool; the cache it gets goes to the root first, where attaching
 * processes check it. The caller (the creator) takes the primary's role. */
static int
create_pool(struct dpvs_shm *shm, const struct dpvs_global_conf *conf, char *err,
	    size_t errlen)
{
	/* the cache the pool gets is the node's: what attaching processes check */
	shm->root->conf.mbuf_cache = dpvs_pool_cache_size(conf->mbuf_cache);
	if (conf->mbuf_cache != 0 && shm->root->conf.mbuf_cache == 0)
		fprintf(stderr, "warning: [memory] mbuf_cache %u ignored: this DPDK version (%s) "
			"gets no per-lcore pool cache (only 22.11's was checked, shm/pool.h)\n",
			conf->mbuf_cache, rte_version());
	shm->pool = dpvs_pool_create(DPVS_POOL_MBUF, conf->mbufs, conf->mbuf_cache,
				     SOCKET_ID_ANY);
	if (shm->pool == NULL)
		return dpvs_errf(err, errlen, -rte_errno,
				 "cannot create mbuf pool of %u with a cache of %u: %s",
				 conf->mbufs, shm->root->conf.mbuf_cache, rte_strerror(rte_errno));
	return dpvs_pool_check(shm->pool, shm->root->conf.mbuf_cache, err, errlen);
}

/* In this order: the checks, the root and layout, the RCU state and the
 * workers' regions, the config sets, the mbuf pool, the connection and
 * route tables, the rings. */
int
dpvs_shm_create(struct dpvs_shm *shm, const struct dpvs_global_conf *conf,
		const struct dpvs_port_info *ports, char *err, size_t errlen)
{
	struct dpvs_caps caps;
	int rc;

	memset(shm, 0, sizeof(*shm));
	rc = check_conf(conf, &caps, err, errlen);
	if (rc == 0)
		rc = create_root(shm, conf, &caps, ports, err, errlen);
	if (rc == 0)
		rc = create_workers(shm, conf, &caps, err, errlen);
	if (rc == 0)
		rc = create_config(shm, &caps, err, errlen);
	if (rc == 0)
		rc = create_pool(shm, conf, err, errlen);
	if (rc != 0)
		return rc;
	/* the creator is the primary (or a single-process test acting as it) */
	dpvs_pool_set_role(shm->pool, DPVS_ROLE_PRIMARY);
	rc = create_lb(shm, &shm->root->conf, err, errlen);
	if (rc != 0)
		return rc;
	return create_rings(shm, conf, err, errlen);
}

static int
lookup_ring(struct rte_ring **r, char *err, size_t errlen, const char *fmt, ...)
{
	char name[RTE_RING_NAMESIZE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	*r = rte_ring_lookup(name);
	if (*r == NULL)
		return dpvs_errf(err, errlen, -ENOENT, "ring %s not found", name);
	return 0;
}

static int
attach_rings(struct dpvs_shm *shm, char *err, size_t errlen)
{
	const struct dpvs_global_conf *conf = &shm->root->conf;
	unsigned int p, w, v;
	int rc;

	for (p = 0; p < conf->nports; p++) {
		for (w = 0; w < conf->nworkers; w++) {
			rc = lookup_ring(&shm->to_kni[p][w], err, errlen, DPVS_RING_TO_KNI_FMT, p,
					 w);
			if (rc == 0)
				rc = lookup_ring(&shm->to_kni_hi[p][w], err, errlen,
						 DPVS_RING_TO_KNI_HI_FMT, p, w);
			if (rc == 0)
				rc = lookup_ring(&shm->from_kni[p][w], err, errlen,
						 DPVS_RING_FROM_KNI_FMT, p, w);
			if (rc != 0)
				return rc;
		}
	}
	for (w = 0; w < conf->nworkers; w++) {
		for (v = 0; v < conf->nworkers; v++) {
			if (v == w)
				continue;
			rc = lookup_ring(&shm->arp[w][v], err, errlen, DPVS_RING_ARP_FMT, w, v);
			if (rc == 0)
				rc = lookup_ring(&shm->redir[w][v], err, errlen,
						 DPVS_RING_REDIR_FMT, w, v);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

int
dpvs_shm_attach(struct dpvs_shm *shm, char *err, size_t errlen)
{
	static struct dpvs_root mine; /* big: not on the stack */
	const struct rte_memzone *mz, *root_mz;
	char name[RTE_MEMZONE_NAMESIZE];
	unsigned int w;
	int rc;

	memset(shm, 0, sizeof(*shm));
	mz = rte_memzone_lookup(DPVS_MZ_ROOT);
	if (mz == NULL)
		return dpvs_errf(err, errlen, -ENOENT, "memzone %s not found: is dpvs-primary running?",
			    DPVS_MZ_ROOT);
	if (mz->len < sizeof(uint32_t) * 2 + 64)
		return dpvs_errf(err, errlen, -EPROTO, "memzone %s is too small", DPVS_MZ_ROOT);
	memset(&mine, 0, sizeof(mine));
	dpvs_shm_fill_header(&mine);
	rc = check_ident(mz->addr, &mine, err, errlen);
	if (rc != 0)
		return rc;
	root_mz = mz;
	/* the meaning of every shared struct before their sizes */
	mz = rte_memzone_lookup(DPVS_MZ_LAYOUT);
	if (mz == NULL || mz->len < sizeof(struct dpvs_layout_desc))
		return dpvs_errf(err, errlen, -EPROTO, "memzone %s is missing or too small",
				 DPVS_MZ_LAYOUT);
	rc = dpvs_shm_check_layout(mz->addr, err, errlen);
	if (rc == 0)
		rc = check_sizes(root_mz->addr, &mine, err, errlen);
	if (rc != 0)
		return rc;
	shm->root = root_mz->addr;

	mz = rte_memzone_lookup(DPVS_MZ_RCU);
	if (mz == NULL)
		return dpvs_errf(err, errlen, -ENOENT, "memzone %s not found", DPVS_MZ_RCU);
	shm->rcu = mz->addr;
	for (w = 0; w < shm->root->conf.nworkers; w++) {
		snprintf(name, sizeof(name), DPVS_MZ_WORKER_FMT, w);
		mz = rte_memzone_lookup(name);
		if (mz == NULL)
			return dpvs_errf(err, errlen, -ENOENT, "memzone %s not found", name);
		shm->wr[w] = mz->addr;
		rc = dpvs_wr_check(shm->wr[w], &shm->root->conf.caps, mz->len, err, errlen);
		if (rc != 0)
			return rc;
	}
	for (w = 0; w < 2; w++) {
		snprintf(name, sizeof(name), DPVS_MZ_CFG_FMT, w);
		mz = rte_memzone_lookup(name);
		if (mz == NULL)
			return dpvs_errf(err, errlen, -ENOENT, "memzone %s not found", name);
		shm->set[w] = mz->addr;
		rc = dpvs_cfgset_check(shm->set[w], &shm->root->conf.caps, mz->len, err, errlen);
		if (rc != 0)
			return rc;
	}
	for (w = 0; w < shm->root->conf.nworkers; w++) {
		snprintf(name, sizeof(name), DPVS_MZ_CONN_FMT, w);
		mz = rte_memzone_lookup(name);
		if (mz == NULL)
			return dpvs_errf(err, errlen, -ENOENT, "memzone %s not found", name);
		shm->ct[w] = mz->addr;
	}
	for (w = 0; w < 2; w++) {
		snprintf(name, sizeof(name), DPVS_LPM_FMT, w);
		shm->lpm[w] = rte_lpm_find_existing(name);
		if (shm->lpm[w] == NULL)
			return dpvs_errf(err, errlen, -ENOENT, "route table %s not found", name);
	}
	shm->pool = rte_mempool_lookup(DPVS_POOL_MBUF);
	if (shm->pool == NULL)
		return dpvs_errf(err, errlen, -ENOENT, "mempool %s not found", DPVS_POOL_MBUF);
	rc = dpvs_pool_check(shm->pool, shm->root->conf.mbuf_cache, err, errlen);
	if (rc != 0)
		return rc;
	return attach_rings(shm, err, errlen);
}
