/*
 * Creating and attaching the node's shared memory.
 *
 * dpvs_shm_create() is called once by the creator (dpvs-primary, or a
 * single-process test) after rte_eal_init(); it reserves every memzone, the
 * mbuf pool and every ring, and fills the root header. dpvs_shm_attach() is
 * called by each secondary after rte_eal_init(); it checks the root header
 * against this binary's build and looks everything up. Both fill a
 * process-local struct dpvs_shm of handles; nothing here is per packet.
 */
#ifndef DPVS_SHM_SHM_H
#define DPVS_SHM_SHM_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"

struct rte_mempool;
struct rte_ring;
struct rte_rcu_qsbr;
struct rte_lpm;

/* Process-local handles to the shared objects (never stored in shm). */
struct dpvs_shm {
	struct dpvs_root *root;
	struct rte_rcu_qsbr *rcu;
	struct rte_mempool *pool;
	struct dpvs_worker_region *wr[DPVS_MAX_WORKERS];
	struct dpvs_conn_table *ct[DPVS_MAX_WORKERS];   /* connection tables */
	struct dpvs_config_set *set[2];                 /* config set copies (config.h) */
	struct rte_lpm *lpm[2];                         /* routes of config set[i] */
	/* rings (shm/layout.h): [port][worker] and [from][to] */
	struct rte_ring *to_kni[DPVS_MAX_PORTS][DPVS_MAX_WORKERS];    /* bulk class */
	struct rte_ring *to_kni_hi[DPVS_MAX_PORTS][DPVS_MAX_WORKERS]; /* priority classes */
	struct rte_ring *from_kni[DPVS_MAX_PORTS][DPVS_MAX_WORKERS];
	struct rte_ring *arp[DPVS_MAX_WORKERS][DPVS_MAX_WORKERS];
	struct rte_ring *redir[DPVS_MAX_WORKERS][DPVS_MAX_WORKERS];
};

/*
 * Create everything. conf->nworkers and conf->nports must be within the
 * DPVS_MAX_* limits; ports[] holds conf->nports entries (port ids and MACs
 * may be filled in later by the creator, before any secondary starts).
 * Returns 0, or a negative errno with a message in err.
 */
int dpvs_shm_create(struct dpvs_shm *shm, const struct dpvs_global_conf *conf,
		    const struct dpvs_port_info *ports, char *err, size_t errlen);

/* Attach from a secondary. Returns 0, or a negative errno with a message in
 * err that says what differs from this build (-EPROTO): the layout version,
 * the DPDK version, then the layout fingerprint (shm/layout_fp.h), then the
 * sizes; or the mbuf pool's ops are not dpvs_mag in this process. The
 * calling thread has no pool role afterwards: set it with
 * dpvs_pool_set_role() (pool_ops.h). dpvs_shm_create() gives its caller the
 * primary's role. */
int dpvs_shm_attach(struct dpvs_shm *shm, char *err, size_t errlen);

/* Compare a root header with this build; 0 if it matches, else -EPROTO and
 * a message in err. Pure: usable on plain memory. */
int dpvs_shm_check_header(const struct dpvs_root *root, char *err, size_t errlen);

/* Compare the node's layout description (memzone dpvs_layout) with this
 * build's fingerprint; 0 if every shared struct matches, else -EPROTO and a
 * message naming the struct and the first member that differs. Pure. */
int dpvs_shm_check_layout(const struct dpvs_layout_desc *d, char *err, size_t errlen);

/* Fill a layout description with this build's fingerprint. */
void dpvs_layout_desc_fill(struct dpvs_layout_desc *d);

/* Fill the header fields of a root (magic, version, sizes) for this build. */
void dpvs_shm_fill_header(struct dpvs_root *root);

/* The connection array of a table (see shm/conn.h for the layout). */
static inline struct dpvs_conn *
dpvs_conn_array(struct dpvs_conn_table *ct)
{
	return (struct dpvs_conn *)((char *)ct + ct->conns_off);
}

static inline struct dpvs_conn_bkt *
dpvs_conn_buckets(struct dpvs_conn_table *ct)
{
	return (struct dpvs_conn_bkt *)(void *)((char *)ct + ct->buckets_off);
}

static inline uint32_t *
dpvs_conn_wheel(struct dpvs_conn_table *ct)
{
	return (uint32_t *)(void *)((char *)ct + ct->wheel_off);
}

/* The side table of sequence translations (shm/conn.h). */
static inline struct dpvs_seqx *
dpvs_conn_sx(struct dpvs_conn_table *ct)
{
	return (struct dpvs_seqx *)(void *)((char *)ct + ct->sx_off);
}

/* The IPv6 side table: the four addresses of the connections with an IPv6
 * endpoint (shm/conn.h, shm/conn_addr.h). */
static inline struct dpvs_conn6 *
dpvs_conn_v6_slots(struct dpvs_conn_table *ct)
{
	return (struct dpvs_conn6 *)(void *)((char *)ct + ct->v6_off);
}

/* Initialise a connection table's header for capacity entries, sx_cap
 * sequence translation slots and v6_cap IPv6 slots in a zeroed area of
 * DPVS_CONN_MZ_SIZE_X(capacity, sx_cap, v6_cap) bytes; the derived parts
 * are built by the owning worker when it attaches. dpvs_conn_table_format:
 * the default side capacities (DPVS_CONN_MZ_SIZE). */
void dpvs_conn_table_format_x(struct dpvs_conn_table *ct, uint32_t capacity, uint32_t sx_cap,
			      uint32_t v6_cap);
void dpvs_conn_table_format(struct dpvs_conn_table *ct, uint32_t capacity);

/* A worker's state as the node sees it, from the two parts of its slot
 * (layout.h): RUNNING when the primary's part says the worker was spawned
 * (STARTING) and the worker's own part reports that incarnation and pid
 * running; otherwise the primary's state. */
static inline uint32_t
dpvs_worker_state(const struct dpvs_worker_slot *s)
{
	uint32_t st = __atomic_load_n(&s->sup.state, __ATOMIC_ACQUIRE);

	if (st != DPVS_WORKER_STARTING)
		return st;
	if (__atomic_load_n(&s->self.state, __ATOMIC_ACQUIRE) == DPVS_WORKER_RUNNING &&
	    __atomic_load_n(&s->self.incarnation, __ATOMIC_RELAXED) ==
		    __atomic_load_n(&s->sup.incarnation, __ATOMIC_RELAXED) &&
	    __atomic_load_n(&s->self.pid, __ATOMIC_RELAXED) ==
		    __atomic_load_n(&s->sup.pid, __ATOMIC_RELAXED))
		return DPVS_WORKER_RUNNING;
	return DPVS_WORKER_STARTING;
}

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t dpvs_now_ns(void);

/* The config set the workers read now (acquire load of config.active). */
static inline const struct dpvs_config_set *
dpvs_config_active(const struct dpvs_shm *shm)
{
	uint32_t a = __atomic_load_n(&shm->root->config.active, __ATOMIC_ACQUIRE);

	return shm->set[a & 1];
}

#endif
