/*
 * Fault injection into the node's rings and mbuf pool (shm/ring.h,
 * shm/pool.c): for every fault point of shm/fault.h, a forked child (a
 * worker, the bridge, or a process without a pool role) works on a ring or
 * the pool and is killed with SIGKILL at that point; the parent, as the
 * primary, runs the repair (shm/repair.h), then a successor child takes the
 * dead one's role, frees what the dead one recorded in shared memory (its
 * in-flight array) and uses every ring and the pool again. Checked each time:
 *   - no hang: the successor's ring and pool operations finish in time;
 *   - nothing handed out twice: the whole pool is allocated, every pointer
 *     is an object of the pool and distinct;
 *   - the leak is what docs/crash-safety.md says: size - allocated equals
 *     the objects of the operation in flight (for a put, a dequeue's
 *     reservation) and is 0 for every point inside a spill or refill.
 * A planned handover (the old worker stops between two operations, gives up
 * its pool role, releases) leaves nothing to repair, and its successor
 * takes the role and the rings while the old process still runs.
 * And the checks can fail: without the repair, or with the wrong repair,
 * they see the stale slot or the duplicate (the last cases; the design
 * before this one is in test_crash_today.c).
 *
 * EAL --no-huge (memfd, MAP_SHARED: a forked child shares the rings and the
 * pool like a secondary); each case builds its own pool and rings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "shm/eal.h"
#include "shm/fault.h"
#include "shm/pool_ops.h"
#include "shm/repair.h"
#include "shm/ring.h"
#include "crash_util.h"

#define POOL_N    1023
#define HELD      768
#define BURST     8
#define DEADLINE  20000       /* ms for a child: the machine may be loaded */
#define EXIT_MISS 3           /* the child never reached its fault point */
#define EXIT_BAD  4           /* the successor dequeued a stale or foreign pointer */

enum { OP_NONE, OP_GET, OP_PUT, OP_ENQ, OP_DEQ };

/* What a child records in shared memory (a worker's in-flight array). */
struct journal {
	void *held[HELD];         /* every non-NULL entry is the child's */
	uint32_t held_n;
	volatile uint32_t op;     /* OP_* in flight */
	volatile uint32_t op_n;   /* its objects */
	uint32_t released;        /* handover test: 1 the old worker let go, 2 it may exit */
};

static struct dpvs_root *root;
static struct dpvs_shm shm;
static struct journal *J;

/* A fresh pool and the rings of a two-worker, one-port node. */
static void
node_up(void)
{
	static unsigned int seq;
	char name[RTE_RING_NAMESIZE];

	memset(&shm, 0, sizeof(shm));
	shm.root = root;
	root->conf.nworkers = 2;
	root->conf.nports = 1;
	snprintf(name, sizeof(name), "cp%u", seq);
	ck_assert_int_ge(dpvs_pool_register_ops(), 0);
	shm.pool = rte_pktmbuf_pool_create_by_ops(name, POOL_N, 0, 0, 256, SOCKET_ID_ANY,
						  DPVS_POOL_OPS);
	ck_assert_ptr_nonnull(shm.pool);
#define RING(field, tag)                                                                   \
	snprintf(name, sizeof(name), "cp%u_%s", seq, tag);                                 \
	field = rte_ring_create(name, 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ); \
	ck_assert_ptr_nonnull(field)
	RING(shm.redir[0][1], "r01");
	RING(shm.redir[1][0], "r10");
	RING(shm.to_kni[0][0], "tk0");
	RING(shm.from_kni[0][0], "fk0");
#undef RING
	seq++;
	J = rte_zmalloc(NULL, sizeof(*J), 0);
	ck_assert_ptr_nonnull(J);
	ck_assert_int_eq(dpvs_pool_set_role(shm.pool, DPVS_ROLE_PRIMARY), 0);
}

static void
node_down(void)
{
	dpvs_pool_set_role(shm.pool, DPVS_ROLE_NONE);
	rte_ring_free(shm.redir[0][1]);
	rte_ring_free(shm.redir[1][0]);
	rte_ring_free(shm.to_kni[0][0]);
	rte_ring_free(shm.from_kni[0][0]);
	rte_mempool_free(shm.pool);
	rte_free(J);
}

/* ---- the dead processes' work ---- */

struct scen {
	const char *name;
	enum dpvs_fault_point point;
	int role;                 /* pool role of the child that dies */
	int (*work)(void *);      /* its work, until killed */
	struct rte_ring **ring;   /* the ring it uses, if any */
	int repair;               /* 0: no repair (a check must then fail) */
};

static const struct scen *S;
static unsigned int S_hits;

static void
child_begin(void)
{
	char spec[96];

	dpvs_pool_set_role(shm.pool, S->role);
	snprintf(spec, sizeof(spec), "%s:%u", dpvs_fault_name(S->point), S_hits);
	if (dpvs_fault_arm(spec) != 0)
		_exit(2);
}

static void
op_begin(uint32_t op, uint32_t n)
{
	J->op_n = n;
	rte_compiler_barrier();
	J->op = op;
	rte_compiler_barrier();
}

static void
op_end(void)
{
	rte_compiler_barrier();
	J->op = OP_NONE;
}

/* Random gets into the journal and puts out of it; one burst in eight is
 * larger than a magazine (the depot's direct path). */
static int
work_pool(void *arg)
{
	void *local[256];
	uint32_t i, k;

	(void)arg;
	child_begin();
	srand(7 + S_hits);
	for (i = 0; i < 200000; i++) {
		int big = rand() % 8 == 0;

		k = big ? 129 + (uint32_t)rand() % 60 : 1 + (uint32_t)rand() % 40;
		if (J->held_n < 64 || (J->held_n + k <= HELD && rand() % 2 == 0)) {
			k = RTE_MIN(k, HELD - J->held_n);
			op_begin(OP_GET, k);
			if (rte_mempool_get_bulk(shm.pool, &J->held[J->held_n], k) == 0)
				J->held_n += k;
			op_end();
		} else {
			k = RTE_MIN(k, J->held_n);
			memcpy(local, &J->held[J->held_n - k], k * sizeof(void *));
			memset(&J->held[J->held_n - k], 0, k * sizeof(void *));
			J->held_n -= k;
			op_begin(OP_PUT, k);
			rte_mempool_put_bulk(shm.pool, local, k);
			op_end();
		}
	}
	return EXIT_MISS;
}

/* Bursts from the pool onto the ring (which nobody drains meanwhile: the
 * fault points come long before it is full). */
static int
work_produce(void *arg)
{
	struct rte_ring *r = *S->ring;
	void *local[64];
	uint32_t i, n;

	(void)arg;
	child_begin();
	for (i = 0; i < 100; i++) {
		if (rte_mempool_get_bulk(shm.pool, J->held, BURST) != 0)
			return EXIT_MISS;
		memcpy(local, J->held, BURST * sizeof(void *));
		memset(J->held, 0, BURST * sizeof(void *));
		op_begin(OP_ENQ, BURST);
		n = dpvs_ring_enqueue_burst(r, local, BURST);
		op_end();
		if (n < BURST)
			rte_mempool_put_bulk(shm.pool, &local[n], BURST - n);
	}
	return EXIT_MISS;
}

/* A worker's drain: bursts into its in-flight array (the journal), each
 * entry cleared before its mbuf is freed. */
static int
work_consume_inflight(void *arg)
{
	struct rte_ring *r = *S->ring;
	uint32_t i, n;
	void *m;

	(void)arg;
	child_begin();
	while ((n = dpvs_ring_dequeue_burst(r, J->held, BURST)) > 0) {
		for (i = 0; i < n; i++) {
			m = J->held[i];
			J->held[i] = NULL;
			rte_compiler_barrier();
			rte_mempool_put(shm.pool, m);
		}
	}
	return EXIT_MISS;
}

/* The bridge's drain: bursts into a local array, then "sent" (freed). */
static int
work_consume_local(void *arg)
{
	struct rte_ring *r = *S->ring;
	void *local[64];
	uint32_t n;

	(void)arg;
	child_begin();
	while ((n = dpvs_ring_dequeue_burst(r, local, BURST)) > 0)
		rte_mempool_put_bulk(shm.pool, local, n);
	return EXIT_MISS;
}

/* ---- the successor ---- */

/* 1 if p is free in the pool now (in the depot or a magazine). */
static int
is_free_now(const void *p)
{
	static void *free_objs[POOL_N + 1];
	unsigned int n = dpvs_pool_audit(shm.pool, free_objs, RTE_DIM(free_objs)), i;

	for (i = 0; i < n && i < RTE_DIM(free_objs); i++)
		if (free_objs[i] == p)
			return 1;
	return 0;
}

/* Takes the dead one's role (after the repair), frees what its in-flight
 * array holds, drains every ring, checking each pointer (an object of the
 * pool, seen once, not free in the pool at the same time), then sends
 * bursts through each ring and checks that what comes out is what went in,
 * in order. Exits 0, or EXIT_BAD on a bad pointer. */
static int
successor(void *arg)
{
	struct rte_ring *rings[] = { shm.redir[0][1], shm.redir[1][0], shm.to_kni[0][0],
				     shm.from_kni[0][0] };
	void *objs[64], *back[64], *seen[1024];
	unsigned int r, i, j, n, nseen;

	(void)arg;
	dpvs_pool_set_role(shm.pool, S->role == DPVS_ROLE_NONE ? DPVS_ROLE_WORKER(1) : S->role);
	for (i = 0; i < HELD; i++) {
		void *m = J->held[i];

		if (m == NULL)
			continue;
		if (!cu_is_obj(shm.pool, m) || is_free_now(m))
			return EXIT_BAD;
		J->held[i] = NULL;
		rte_mempool_put(shm.pool, m);
	}
	for (r = 0; r < RTE_DIM(rings); r++) {
		nseen = 0;
		while ((n = dpvs_ring_dequeue_burst(rings[r], objs, BURST)) > 0) {
			for (i = 0; i < n; i++) {
				if (!cu_is_obj(shm.pool, objs[i]) || is_free_now(objs[i]))
					return EXIT_BAD;
				for (j = 0; j < nseen; j++)
					if (seen[j] == objs[i])
						return EXIT_BAD;
				if (nseen < RTE_DIM(seen))
					seen[nseen++] = objs[i];
			}
			rte_mempool_put_bulk(shm.pool, objs, n);
		}
		/* the ring works both ways again, and delivers what it was given */
		for (i = 0; i < 100; i++) {
			if (rte_mempool_get_bulk(shm.pool, objs, BURST) != 0)
				return EXIT_BAD;
			if (dpvs_ring_enqueue_burst(rings[r], objs, BURST) != BURST ||
			    dpvs_ring_dequeue_burst(rings[r], back, BURST) != BURST ||
			    memcmp(objs, back, BURST * sizeof(void *)) != 0)
				return EXIT_BAD;
			rte_mempool_put_bulk(shm.pool, objs, BURST);
		}
	}
	return 0;
}

/* ---- the cases ---- */

#define POOL_CASE(pt) { #pt, DPVS_FAULT_##pt, DPVS_ROLE_WORKER(0), work_pool, NULL, 1 }

static const struct scen scens[] = {
	POOL_CASE(MAG_PUT_COPIED),
	POOL_CASE(MAG_GET_TAKEN),
	POOL_CASE(DEPOT_LOCKED),
	POOL_CASE(SPILL_INTENT),
	POOL_CASE(SPILL_COPIED),
	POOL_CASE(SPILL_TAKEN),
	POOL_CASE(SPILL_PUBLISHED),
	POOL_CASE(REFILL_INTENT),
	POOL_CASE(REFILL_COPIED),
	POOL_CASE(REFILL_TAKEN),
	POOL_CASE(REFILL_PUBLISHED),
	POOL_CASE(DEPOT_PUT_COPIED),
	POOL_CASE(DEPOT_GET_TAKEN),
	/* a process without a role dies holding the depot lock: nobody repairs,
	 * the next locker takes the lock over */
	{ "anonymous DEPOT_LOCKED", DPVS_FAULT_DEPOT_LOCKED, DPVS_ROLE_NONE, work_pool, NULL, 0 },
	/* worker 0 producing to worker 1, consuming from worker 1 */
	{ "worker RING_ENQ_RESERVED", DPVS_FAULT_RING_ENQ_RESERVED, DPVS_ROLE_WORKER(0),
	  work_produce, &shm.redir[0][1], 1 },
	{ "worker RING_ENQ_COPIED", DPVS_FAULT_RING_ENQ_COPIED, DPVS_ROLE_WORKER(0),
	  work_produce, &shm.redir[0][1], 1 },
	{ "worker RING_DEQ_RESERVED", DPVS_FAULT_RING_DEQ_RESERVED, DPVS_ROLE_WORKER(0),
	  work_consume_inflight, &shm.redir[1][0], 1 },
	{ "worker RING_DEQ_COPIED", DPVS_FAULT_RING_DEQ_COPIED, DPVS_ROLE_WORKER(0),
	  work_consume_inflight, &shm.redir[1][0], 1 },
	/* the bridge producing to worker 0, consuming from worker 0 */
	{ "bridge RING_ENQ_RESERVED", DPVS_FAULT_RING_ENQ_RESERVED, DPVS_ROLE_BRIDGE,
	  work_produce, &shm.from_kni[0][0], 1 },
	{ "bridge RING_ENQ_COPIED", DPVS_FAULT_RING_ENQ_COPIED, DPVS_ROLE_BRIDGE, work_produce,
	  &shm.from_kni[0][0], 1 },
	{ "bridge RING_DEQ_RESERVED", DPVS_FAULT_RING_DEQ_RESERVED, DPVS_ROLE_BRIDGE,
	  work_consume_local, &shm.to_kni[0][0], 1 },
	{ "bridge RING_DEQ_COPIED", DPVS_FAULT_RING_DEQ_COPIED, DPVS_ROLE_BRIDGE,
	  work_consume_local, &shm.to_kni[0][0], 1 },
};
static const unsigned int hits[] = { 1, 5 };

/* Put 8 bursts on the ring the child will consume. */
static void
prefill(struct rte_ring *r)
{
	void *objs[8 * BURST];

	ck_assert_int_eq(rte_mempool_get_bulk(shm.pool, objs, RTE_DIM(objs)), 0);
	ck_assert_uint_eq(dpvs_ring_enqueue_burst(r, objs, RTE_DIM(objs)), RTE_DIM(objs));
}

/* The objects a death at S->point may lose: those of the operation in
 * flight if it was a put or an enqueue, or a get past the point where it
 * took them; the slots of a worker's dequeue reserved but not copied. */
static uint32_t
expected_leak(const struct dpvs_repair_report *rep)
{
	switch (S->point) {
	case DPVS_FAULT_RING_DEQ_RESERVED:
		return rep->cons_forward; /* rolled forward: never copied */
	case DPVS_FAULT_RING_DEQ_COPIED:
		return 0;
	case DPVS_FAULT_MAG_GET_TAKEN:
	case DPVS_FAULT_DEPOT_GET_TAKEN:
		return J->op_n;
	default:
		return J->op == OP_PUT || J->op == OP_ENQ ? J->op_n : 0;
	}
}

static const int all_roles[] = { DPVS_ROLE_PRIMARY, DPVS_ROLE_WORKER(0), DPVS_ROLE_WORKER(1),
				 DPVS_ROLE_BRIDGE };

START_TEST(test_kill_at_point)
{
	struct dpvs_repair_report rep;
	struct cu_count c;
	char what[256];
	int st;

	S = &scens[_i / RTE_DIM(hits)];
	S_hits = hits[_i % RTE_DIM(hits)];
	node_up();
	if (S->work == work_consume_inflight || S->work == work_consume_local)
		prefill(*S->ring);
	st = cu_run_child(S->work, NULL, DEADLINE);
	ck_assert_msg(st != CU_HANG, "%s:%u: the child hung", S->name, S_hits);
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
		      "%s:%u: the child was not killed at its point (status %#x)", S->name,
		      S_hits, st);
	memset(&rep, 0, sizeof(rep));
	if (S->repair)
		ck_assert_int_eq(dpvs_repair_after_death(&shm, S->role, &rep), 0);
	dpvs_repair_describe(&rep, what, sizeof(what));
	st = cu_run_child(successor, NULL, DEADLINE);
	ck_assert_msg(st != CU_HANG, "%s:%u: the successor hung (repair: %s)", S->name, S_hits,
		      what);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "%s:%u: the successor found a bad pointer (status %#x; repair: %s)", S->name,
		      S_hits, st, what);
	c = cu_take_all(shm.pool, dpvs_pool_set_role, all_roles, RTE_DIM(all_roles));
	ck_assert_msg(c.dup == 0 && c.foreign == 0, "%s:%u: %u duplicate, %u foreign pointers",
		      S->name, S_hits, c.dup, c.foreign);
	ck_assert_msg(POOL_N - c.got == expected_leak(&rep),
		      "%s:%u: %u mbufs lost, expected %u (op %u of %u object(s); repair: %s)",
		      S->name, S_hits, POOL_N - c.got, expected_leak(&rep), J->op, J->op_n, what);
	printf("%-28s hit %u: lost %u (op %u, %u object(s)); %s\n", S->name, S_hits,
	       POOL_N - c.got, J->op, J->op_n, what);
	node_down();
}
END_TEST

/* ---- a planned handover needs no repair ---- */

/* Worker 0 at work (bursts to worker 1, drains worker 1's bursts through its
 * in-flight array, a few mbufs held across iterations like tx buffers),
 * then a planned handover as dpvs-worker does it: stop between two
 * operations, give up the pool role, release; then keep running on the
 * depot directly (a process that exits after its handover). */
static int
work_then_release(void *arg)
{
	void *local[BURST];
	uint32_t i, j, n;
	void *m;

	(void)arg;
	dpvs_pool_set_role(shm.pool, DPVS_ROLE_WORKER(0));
	for (i = 0; i < 60; i++) { /* 480 on the ring, which nobody drains */
		if (rte_mempool_get_bulk(shm.pool, local, BURST) != 0)
			return EXIT_BAD;
		n = dpvs_ring_enqueue_burst(shm.redir[0][1], local, BURST);
		if (n < BURST)
			rte_mempool_put_bulk(shm.pool, &local[n], BURST - n);
		n = dpvs_ring_dequeue_burst(shm.redir[1][0], J->held, BURST);
		for (j = 0; j < n; j++) {
			m = J->held[j];
			J->held[j] = NULL;
			rte_mempool_put(shm.pool, m);
		}
	}
	/* what it holds across the boundary: the successor sends or frees it */
	if (rte_mempool_get_bulk(shm.pool, J->held, 5) != 0)
		return EXIT_BAD;
	J->held_n = 5;
	dpvs_pool_set_role(shm.pool, DPVS_ROLE_NONE);
	__atomic_store_n(&J->released, 1, __ATOMIC_RELEASE);
	/* until the successor is done (the parent says so), or a deadline */
	for (i = 0; __atomic_load_n(&J->released, __ATOMIC_ACQUIRE) == 1 && i < 50000000; i++) {
		if (rte_mempool_get(shm.pool, &m) != 0)
			return EXIT_BAD;
		rte_mempool_put(shm.pool, m);
	}
	return 0;
}

START_TEST(test_planned_handover_needs_no_repair)
{
	static const struct scen s = { "handover", DPVS_FAULT_RING_ENQ_RESERVED, /* unarmed */
				       DPVS_ROLE_WORKER(0), work_then_release, NULL, 0 };
	struct dpvs_repair_report rep;
	uint64_t end = cu_now_ms() + DEADLINE;
	struct timespec ts = { 0, 1000000 };
	pid_t old, next;
	struct cu_count c;
	char what[256];
	int st_old, st_next;

	S = &s;
	node_up();
	prefill(shm.redir[1][0]);
	old = fork();
	if (old == 0)
		_exit(work_then_release(NULL));
	ck_assert_int_gt(old, 0);
	while (!__atomic_load_n(&J->released, __ATOMIC_ACQUIRE) && cu_now_ms() < end)
		nanosleep(&ts, NULL);
	if (!J->released) {
		st_old = cu_wait(old, 1);
		ck_abort_msg("the old worker did not release (status %#x)", st_old);
	}
	/* what a repair would find now, with the old process still running:
	 * nothing (it writes nothing when it finds nothing) */
	ck_assert_int_eq(dpvs_repair_after_death(&shm, DPVS_ROLE_WORKER(0), &rep), 0);
	dpvs_repair_describe(&rep, what, sizeof(what));
	ck_assert_msg(rep.prod_slots == 0 && rep.cons_forward == 0 && rep.cons_back == 0 &&
			      rep.pool.lock_held == 0 && rep.pool.op == 0,
		      "a released worker left something to repair: %s", what);
	/* the successor takes worker 0's role and rings as they are, while
	 * the old process still runs */
	next = fork();
	if (next == 0)
		_exit(successor(NULL));
	ck_assert_int_gt(next, 0);
	st_next = cu_wait(next, DEADLINE);
	__atomic_store_n(&J->released, 2, __ATOMIC_RELEASE); /* the old one may exit */
	st_old = cu_wait(old, DEADLINE);
	ck_assert_msg(WIFEXITED(st_old) && WEXITSTATUS(st_old) == 0, "old: status %#x", st_old);
	ck_assert_msg(WIFEXITED(st_next) && WEXITSTATUS(st_next) == 0, "successor: status %#x",
		      st_next);
	c = cu_take_all(shm.pool, dpvs_pool_set_role, all_roles, RTE_DIM(all_roles));
	printf("planned handover: %u lost, %u duplicate(s); repair found: %s\n", POOL_N - c.got,
	       c.dup, what);
	ck_assert_uint_eq(c.dup, 0);
	ck_assert_uint_eq(c.foreign, 0);
	ck_assert_uint_eq(POOL_N - c.got, 0);
	node_down();
}
END_TEST

/* ---- the checks can fail ---- */

/* Without the repair, the successor of a producer killed between reserving
 * and publishing publishes the slots nobody wrote: here stale pointers of
 * objects that had passed through the ring before, now free in the pool. */
START_TEST(test_sp_successor_publishes_stale_slots_without_repair)
{
	static const struct scen s = { "no repair", DPVS_FAULT_RING_ENQ_RESERVED,
				       DPVS_ROLE_WORKER(0), work_produce, &shm.redir[0][1], 0 };
	void *objs[BURST];
	struct cu_count c;
	unsigned int i;
	int st;

	S = &s;
	S_hits = 3;
	node_up();
	/* the ring's slots hold pointers from an earlier lap */
	for (i = 0; i < 1024 / BURST; i++) {
		ck_assert_int_eq(rte_mempool_get_bulk(shm.pool, objs, BURST), 0);
		dpvs_ring_enqueue_burst(shm.redir[0][1], objs, BURST);
		dpvs_ring_dequeue_burst(shm.redir[0][1], objs, BURST);
		rte_mempool_put_bulk(shm.pool, objs, BURST);
	}
	st = cu_run_child(work_produce, NULL, DEADLINE);
	ck_assert(WIFSIGNALED(st));
	st = cu_run_child(successor, NULL, DEADLINE);
	c = cu_take_all(shm.pool, dpvs_pool_set_role, all_roles, RTE_DIM(all_roles));
	printf("no repair: successor status %#x (%s), %u duplicate(s) in the pool\n", st,
	       WIFEXITED(st) && WEXITSTATUS(st) == EXIT_BAD ? "a stale pointer came out" : "?",
	       c.dup);
	ck_assert_msg(st == CU_HANG || !WIFEXITED(st) || WEXITSTATUS(st) != 0 || c.dup > 0,
		      "the stale slots went unnoticed");
	/* the pool is corrupt now: leave it (node_down frees the memory) */
	node_down();
}
END_TEST

/* Rolling a worker's dequeue back (instead of forward) hands out twice the
 * mbufs it had already copied into its in-flight array. */
START_TEST(test_rolling_back_a_worker_dequeue_duplicates)
{
	static const struct scen s = { "roll back", DPVS_FAULT_RING_DEQ_COPIED,
				       DPVS_ROLE_WORKER(0), work_consume_inflight,
				       &shm.redir[1][0], 0 };
	struct cu_count c;
	int st;

	S = &s;
	S_hits = 2;
	node_up();
	prefill(shm.redir[1][0]);
	st = cu_run_child(work_consume_inflight, NULL, DEADLINE);
	ck_assert(WIFSIGNALED(st));
	ck_assert_uint_eq(dpvs_ring_repair_consumer(shm.redir[1][0], 0), BURST);
	st = cu_run_child(successor, NULL, DEADLINE);
	c = cu_take_all(shm.pool, dpvs_pool_set_role, all_roles, RTE_DIM(all_roles));
	printf("roll back: successor status %#x (%s), %u duplicate(s) in the pool\n", st,
	       WIFEXITED(st) && WEXITSTATUS(st) == EXIT_BAD ? "an mbuf came out twice" : "?",
	       c.dup);
	ck_assert_msg((WIFEXITED(st) && WEXITSTATUS(st) == EXIT_BAD) || c.dup > 0,
		      "the double free went unnoticed");
	node_down();
}
END_TEST

/* Without the repair, a worker killed inside a spill keeps the depot locked
 * and every other process's spill or refill waits for ever. */
START_TEST(test_spill_death_blocks_without_repair)
{
	static const struct scen s = { "no repair", DPVS_FAULT_SPILL_TAKEN, DPVS_ROLE_WORKER(0),
				       work_pool, NULL, 0 };
	int st;

	S = &s;
	S_hits = 1;
	node_up();
	st = cu_run_child(work_pool, NULL, DEADLINE);
	ck_assert(WIFSIGNALED(st));
	st = cu_run_child(successor, NULL, 3000);
	ck_assert_msg(st == CU_HANG, "the successor did not block (status %#x)", st);
	/* the lock is still held: repair so that the pool can be freed */
	{
		struct dpvs_repair_report rep;

		dpvs_repair_after_death(&shm, DPVS_ROLE_WORKER(0), &rep);
	}
	node_down();
}
END_TEST

/* A fault spec is parsed or refused. */
START_TEST(test_fault_spec)
{
	ck_assert_int_eq(dpvs_fault_arm("ring_enq_copied:3"), 0);
	ck_assert_uint_ne(dpvs_fault_armed, 0);
	ck_assert_int_eq(dpvs_fault_arm("mag_get_taken:1@worker2"), 0);
	ck_assert_int_eq(dpvs_fault_arm("nonsense:1"), -1);
	ck_assert_uint_eq(dpvs_fault_armed, 0);
	ck_assert_int_eq(dpvs_fault_arm("ring_enq_copied:0"), -1);
	ck_assert_int_eq(dpvs_fault_arm("ring_enq_copied"), -1);
	ck_assert_int_eq(dpvs_fault_arm(""), 0);
	ck_assert_uint_eq(dpvs_fault_armed, 0);
	/* armed for another role: this process passes the point unharmed */
	dpvs_fault_set_role("worker0");
	ck_assert_int_eq(dpvs_fault_arm("ring_enq_copied:1@worker1"), 0);
	dpvs_fault(DPVS_FAULT_RING_ENQ_COPIED);
	dpvs_fault_arm(NULL);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("crash_points");
	TCase *tc = tcase_create("points"), *neg = tcase_create("checks_can_fail");
	SRunner *sr;
	int failed;

	(void)argc;
	if (cu_eal_init(argv[0], "tucp") != 0)
		return EXIT_FAILURE;
	root = aligned_alloc(64, sizeof(*root)); /* as in its memzone */
	if (root == NULL)
		return EXIT_FAILURE;
	memset(root, 0, sizeof(*root));
	tcase_add_test(tc, test_fault_spec);
	tcase_add_test(tc, test_planned_handover_needs_no_repair);
	tcase_add_loop_test(tc, test_kill_at_point, 0, (int)(RTE_DIM(scens) * RTE_DIM(hits)));
	suite_add_tcase(s, tc);
	tcase_add_test(neg, test_sp_successor_publishes_stale_slots_without_repair);
	tcase_add_test(neg, test_rolling_back_a_worker_dequeue_duplicates);
	tcase_add_test(neg, test_spill_death_blocks_without_repair);
	suite_add_tcase(s, neg);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK); /* one EAL; the tests fork their own */
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	free(root);
	dpvs_eal_cleanup_private();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
