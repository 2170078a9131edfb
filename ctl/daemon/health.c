/*
 * The health-check engine of dpvs-ctl (see health.h): a target per checked
 * dest, found again from the active config set whenever its generation
 * changes (a timer looks every CTL_HEALTH_SYNC_MS), each with a timer that
 * starts its next probe; the probes' results count up and down and, at rise
 * or fall in a row, publish the dest's health as one change. Touches the
 * config sets only through ctl_change_run(); everything else is this
 * process's memory.
 */
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "ctl/daemon/change.h"
#include "ctl/daemon/health.h"
#include "ctl/daemon/lb.h"
#include "ctl/daemon/log.h"
#include "shm/lb_hash.h"

#define HC_FIRST_SPREAD_MS 1000   /* first probes of new targets spread over this */

struct ctl_health;

struct hc_target {
	struct ctl_health *h;
	uint32_t dest_slot, dest_id;
	uint32_t check_id;
	struct dpvs_check chk;           /* a copy of its check */
	struct ctl_svc_key svc;          /* its service (for the change) */
	struct dpvs_ip addr;
	uint16_t dport;                  /* host order */
	uint8_t down;                    /* the published health */
	uint32_t ok_run, fail_run;
	uint64_t probe_ns;               /* start of the last probe */
	struct event *timer;
	struct hc_probe *probe;          /* in flight, or NULL */
	char last[160];                  /* the last result, "" before the first */
};

struct ctl_health {
	struct event_base *base;
	struct dpvs_shm *shm;
	struct hc_target **by_slot;      /* [caps.dests] */
	uint32_t ndests;
	uint64_t gen;                    /* config generation last looked at */
	int synced;
	struct event *sync, *sigchld;
};

static struct ctl_health *the_engine;  /* for ctl_health_last() */

static void target_probe(evutil_socket_t fd, short what, void *arg);

static void
target_schedule(struct hc_target *t, uint64_t delay_ms)
{
	struct timeval tv = { (time_t)(delay_ms / 1000), (suseconds_t)((delay_ms % 1000) * 1000) };

	evtimer_add(t->timer, &tv);
}

static void
target_free(struct hc_target *t)
{
	hc_probe_cancel(t->probe);
	if (t->timer != NULL)
		event_free(t->timer);
	free(t);
}

/* The dest's health as one change of the config set. */
static void
target_publish(struct hc_target *t, int down)
{
	struct ctl_op op;
	char err[256], ks[96], ds[INET6_ADDRSTRLEN + 8];

	memset(&op, 0, sizeof(op));
	op.kind = CTL_OP_DEST_HEALTH;
	op.u.health.svc = t->svc;
	op.u.health.addr = t->addr;
	op.u.health.port = t->dport;
	op.u.health.down = down != 0;
	ctl_svc_key_str(&t->svc, ks, sizeof(ks));
	ctl_ipport_str(&t->addr, t->dport, ds, sizeof(ds));
	if (ctl_change_run(t->h->shm, &op, 1, err, sizeof(err)) != 0) {
		CTL_LOG(WARNING, "health: %s -> %s: cannot mark it %s (will retry): %s", ks, ds,
			down ? "down" : "up", err);
		return;
	}
	t->down = (uint8_t)(down != 0);
	CTL_LOG(NOTICE, "health: %s -> %s is %s (%u %s in a row: %s)", ks, ds,
		down ? "down: weight 0" : "up: configured weight back",
		down ? t->fail_run : t->ok_run, down ? "failures" : "successes", t->last);
}

static void
target_done(void *arg, int ok, const char *text)
{
	struct hc_target *t = arg;
	uint64_t next_ns = t->probe_ns + (uint64_t)t->chk.interval_ms * 1000000ull, now;

	t->probe = NULL;
	snprintf(t->last, sizeof(t->last), "%s", text);
	if (ok) {
		t->ok_run++;
		t->fail_run = 0;
	} else {
		t->fail_run++;
		t->ok_run = 0;
	}
	if (t->down && t->ok_run >= t->chk.rise)
		target_publish(t, 0);
	else if (!t->down && t->fail_run >= t->chk.fall)
		target_publish(t, 1);
	now = dpvs_now_ns();
	target_schedule(t, next_ns > now ? (next_ns - now) / 1000000 : 0);
}

static void
target_probe(evutil_socket_t fd, short what, void *arg)
{
	struct hc_target *t = arg;
	const struct dpvs_check *c = &t->chk;
	struct hc_spec s;
	char why[128];

	(void)fd;
	(void)what;
	if (t->probe != NULL)
		return;
	memset(&s, 0, sizeof(s));
	s.type = c->type;
	s.proto = t->svc.proto;
	s.addr = t->addr;
	s.port = c->port != 0 ? c->port : t->dport;
	s.vip = t->svc.vip;
	s.vport = t->svc.port;
	s.timeout_ms = c->timeout_ms;
	s.expect_status = c->expect_status;
	s.text = c->data;
	s.send = (const uint8_t *)c->data;
	s.send_len = c->send_len;
	s.expect = (const uint8_t *)c->data + c->send_len;
	s.expect_len = c->expect_len;
	t->probe_ns = dpvs_now_ns();
	t->probe = hc_probe_start(t->h->base, &s, target_done, t, why, sizeof(why));
	if (t->probe == NULL)
		target_done(t, 0, why);
}

/* (Re)start t on check c: counts start over, the first probe soon. */
static void
target_arm(struct hc_target *t, const struct dpvs_check *c)
{
	hc_probe_cancel(t->probe);
	t->probe = NULL;
	t->check_id = c->id;
	t->chk = *c;
	t->ok_run = t->fail_run = 0;
	evtimer_del(t->timer);
	target_schedule(t, (t->dest_id * 2654435761u) %
			   (c->interval_ms < HC_FIRST_SPREAD_MS ? c->interval_ms : HC_FIRST_SPREAD_MS));
}

static struct hc_target *
target_new(struct ctl_health *h, const struct dpvs_lb_tables *lb, uint32_t d)
{
	const struct dpvs_dest *dest = &dpvs_lb_dests(lb)[d];
	const struct dpvs_service *s = dpvs_lb_svc(lb, dest->svc);
	struct hc_target *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->h = h;
	t->dest_slot = d;
	t->dest_id = dest->id;
	t->svc.proto = s->proto;
	t->svc.vip = s->vip;
	t->svc.port = ntohs(s->vport);
	t->addr = dest->addr;
	t->dport = ntohs(dest->port);
	t->timer = evtimer_new(h->base, target_probe, t);
	if (t->timer == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

/* Make the targets match the active set: one per checked dest. */
static void
health_reconcile(struct ctl_health *h)
{
	const struct dpvs_lb_tables *lb = &dpvs_config_active(h->shm)->lb;
	const struct dpvs_dest *dests = dpvs_lb_dests(lb);
	uint32_t *cover = ctl_check_cover(lb), d;

	if (cover == NULL)
		return;
	for (d = 0; d < h->ndests; d++) {
		struct hc_target *t = h->by_slot[d];
		const struct dpvs_check *c;

		if (dests[d].id == 0 || cover[d] == 0) {
			if (t != NULL)
				target_free(t);
			h->by_slot[d] = NULL;
			continue;
		}
		c = &dpvs_lb_checks(lb)[cover[d] - 1];
		if (t != NULL && t->dest_id != dests[d].id) {
			target_free(t);
			t = h->by_slot[d] = NULL;
		}
		if (t == NULL) {
			t = h->by_slot[d] = target_new(h, lb, d);
			if (t == NULL)
				continue;
			t->check_id = 0;
		}
		t->down = (dests[d].flags & DPVS_DEST_F_DOWN) != 0;
		if (t->check_id != c->id)
			target_arm(t, c);
	}
	free(cover);
}

static void
on_sync(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_health *h = arg;
	uint64_t gen = __atomic_load_n(&h->shm->root->config.generation, __ATOMIC_ACQUIRE);

	(void)fd;
	(void)what;
	if (h->synced && gen == h->gen)
		return;
	h->gen = gen;
	h->synced = 1;
	health_reconcile(h);
}

static void
on_sigchld(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	hc_probe_reap();
}

struct ctl_health *
ctl_health_new(struct event_base *base, struct dpvs_shm *shm)
{
	const struct timeval tv = { CTL_HEALTH_SYNC_MS / 1000, (CTL_HEALTH_SYNC_MS % 1000) * 1000 };
	struct ctl_health *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	h->base = base;
	h->shm = shm;
	h->ndests = shm->root->conf.caps.dests;
	h->by_slot = calloc(h->ndests, sizeof(*h->by_slot));
	h->sync = event_new(base, -1, EV_PERSIST, on_sync, h);
	h->sigchld = evsignal_new(base, SIGCHLD, on_sigchld, h);
	if (h->by_slot == NULL || h->sync == NULL || h->sigchld == NULL ||
	    event_add(h->sync, &tv) != 0 || evsignal_add(h->sigchld, NULL) != 0) {
		ctl_health_free(h);
		return NULL;
	}
	the_engine = h;
	on_sync(-1, 0, h);
	return h;
}

void
ctl_health_free(struct ctl_health *h)
{
	uint32_t d;

	if (h == NULL)
		return;
	if (the_engine == h)
		the_engine = NULL;
	for (d = 0; h->by_slot != NULL && d < h->ndests; d++)
		if (h->by_slot[d] != NULL)
			target_free(h->by_slot[d]);
	free(h->by_slot);
	if (h->sync != NULL)
		event_free(h->sync);
	if (h->sigchld != NULL)
		event_free(h->sigchld);
	free(h);
}

const char *
ctl_health_last(uint32_t dest_slot, uint32_t dest_id)
{
	const struct hc_target *t;

	if (the_engine == NULL || dest_slot >= the_engine->ndests)
		return NULL;
	t = the_engine->by_slot[dest_slot];
	if (t == NULL || t->dest_id != dest_id || t->last[0] == '\0')
		return NULL;
	return t->last;
}
