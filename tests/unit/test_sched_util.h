/*
 * Helpers shared by the scheduler unit tests (tests/unit/test_sched_*.c): a
 * config set and a worker region on plain memory (no EAL, no shm), a worker
 * context pointing at them, services and dests added the way dpvs-ctl lays
 * them out (slots, never-reused ids, the service's dest list), per-worker
 * connection counts, and packets from given sources.
 */
#ifndef DPVS_TEST_SCHED_UTIL_H
#define DPVS_TEST_SCHED_UTIL_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ctl/daemon/lb.h"
#include "ctl/daemon/sched_build.h"
#include "worker/ipvs/lb.h"

/* Small capacities (the limits before [tables] existed): fast to allocate. */
static inline struct dpvs_caps
fix_caps(void)
{
	struct dpvs_caps c;

	dpvs_caps_default(&c);
	c.services = 256;
	c.dests = 1024;
	c.svc_dests = 128;
	c.sched_tables = 64;
	return c;
}

#define FIX_DESTS(f) dpvs_lb_dests(&(f)->cfg->lb)
#define FIX_SVCS(f)  dpvs_lb_svcs(&(f)->cfg->lb)

struct sched_fix {
	struct wk_ctx ctx;
	struct dpvs_config_set *cfg;
	struct dpvs_worker_region *wr;
	uint16_t ndests_total;          /* next free dest slot */
};

static inline void *
zalloc_aligned(size_t sz)
{
	size_t rounded = (sz + 63) & ~(size_t)63;
	void *p = aligned_alloc(64, rounded);

	ck_assert_ptr_nonnull(p);
	memset(p, 0, rounded);
	return p;
}

static inline struct sched_fix *
fix_new(void)
{
	struct sched_fix *f = zalloc_aligned(sizeof(*f));
	struct dpvs_caps caps = fix_caps();

	f->cfg = dpvs_cfgset_alloc(&caps);
	ck_assert_ptr_nonnull(f->cfg);
	f->wr = zalloc_aligned(dpvs_wr_size(&caps));
	dpvs_wr_format(f->wr, &caps, 0);
	f->cfg->lb.next_id = 1;
	f->ctx.cfg = f->cfg;
	f->ctx.wr = f->wr;
	f->ctx.nworkers = 1;
	return f;
}

static inline void
fix_free(struct sched_fix *f)
{
	free(f->cfg);
	free(f->wr);
	free(f);
}

/* A TCP service 10.0.0.100:80 in the first free slot; returns the slot. */
static inline uint16_t
fix_add_svc(struct sched_fix *f, uint8_t sched_id, uint32_t flags)
{
	struct dpvs_lb_tables *lb = &f->cfg->lb;
	struct dpvs_service *svc;
	uint16_t s;
	uint32_t vip = htonl(0x0a000064);

	for (s = 0; s < lb->caps.services && dpvs_lb_svc(lb, s)->id != 0; s++)
		;
	ck_assert_uint_lt(s, lb->caps.services);
	svc = dpvs_lb_svc(lb, s);
	svc->id = lb->next_id++;
	svc->proto = IPPROTO_TCP;
	svc->sched_id = sched_id;
	svc->vport = htons(80);
	svc->vip.family = DPVS_AF_INET;
	memcpy(svc->vip.bytes, &vip, 4);
	svc->flags = flags;
	svc->sched_tbl = DPVS_SLOT_NONE;
	if (ctl_sched_wants_table(sched_id))
		ck_assert_int_eq(ctl_sched_table_get(lb, s), 0);
	return s;
}

/* Dest 10.1.<host >> 8>.<host & 0xff>:80 with weight w appended to service
 * slot svc's list; returns the dest slot. Tables are not rebuilt here. */
static inline uint16_t
fix_add_dest(struct sched_fix *f, uint16_t svc, uint16_t host, int32_t w)
{
	struct dpvs_lb_tables *lb = &f->cfg->lb;
	struct dpvs_service *s = dpvs_lb_svc(lb, svc);
	struct dpvs_dest *dests = dpvs_lb_dests(lb);
	uint16_t d = f->ndests_total++;
	uint32_t a = htonl(0x0a010000u | host);

	ck_assert_uint_lt(d, lb->caps.dests);
	dests[d].id = lb->next_id++;
	dests[d].svc = svc;
	dests[d].port = htons(80);
	dests[d].addr.family = DPVS_AF_INET;
	memcpy(dests[d].addr.bytes, &a, 4);
	dests[d].fwd_mode = DPVS_FWD_FNAT;
	dests[d].weight = w;
	dpvs_lb_svc_dests(lb, svc)[s->ndests++] = d;
	return d;
}

/* Remove dest slot d from its service's list and free the slot. */
static inline void
fix_del_dest(struct sched_fix *f, uint16_t d)
{
	struct dpvs_lb_tables *lb = &f->cfg->lb;
	uint16_t si = dpvs_lb_dests(lb)[d].svc;
	struct dpvs_service *s = dpvs_lb_svc(lb, si);
	uint32_t *dl = dpvs_lb_svc_dests(lb, si);
	unsigned int i, j = 0;

	for (i = 0; i < s->ndests; i++)
		if (dl[i] != d)
			dl[j++] = dl[i];
	s->ndests = j;
	memset(&dpvs_lb_dests(lb)[d], 0, sizeof(struct dpvs_dest));
}

/* This worker's connection counts for dest slot d (as the conn table keeps them). */
static inline void
fix_set_conns(struct sched_fix *f, uint16_t d, uint64_t active, uint64_t inactive)
{
	struct dpvs_lb_stats *row = &dpvs_wr_dest_stats(f->wr)[d];

	row->id = FIX_DESTS(f)[d].id;
	row->active = active;
	row->inactive = inactive;
}

static inline struct wk_pkt
fix_pkt(uint32_t src_host, uint16_t sport_host)
{
	struct wk_pkt pk;
	uint32_t src = htonl(src_host), dst = htonl(0x0a000064);

	memset(&pk, 0, sizeof(pk));
	pk.family = DPVS_AF_INET;
	pk.proto = IPPROTO_TCP;
	pk.src.family = DPVS_AF_INET;
	memcpy(pk.src.bytes, &src, 4);
	pk.dst.family = DPVS_AF_INET;
	memcpy(pk.dst.bytes, &dst, 4);
	pk.sport = htons(sport_host);
	pk.dport = htons(80);
	return pk;
}

/* Index of dest slot d in service svc's list (the tests' dest number). */
static inline unsigned int
fix_dest_index(const struct sched_fix *f, uint16_t svc, uint16_t d)
{
	const struct dpvs_service *s = dpvs_lb_svc(&f->cfg->lb, svc);
	const uint32_t *dl = dpvs_lb_svc_dests(&f->cfg->lb, svc);
	unsigned int i;

	for (i = 0; i < s->ndests; i++)
		if (dl[i] == d)
			return i;
	ck_abort_msg("dest slot %u not in service %u", d, svc);
	return 0;
}

/* Deterministic pseudo-random sources (xorshift32), the same in every run. */
static inline uint32_t
fix_rand(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

#endif
