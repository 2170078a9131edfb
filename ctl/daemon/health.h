/*
 * Health checks: the engine in dpvs-ctl (keepalived's job for LVS).
 *
 * The checks live in the config set (check set / check del, check.c); the
 * engine keeps a target per checked dest and probes it every interval, from
 * dpvs-ctl's namespace through the kernel (the node's .kni interfaces and
 * the exception path; the kernel needs an address on the server side), with
 * non-blocking sockets and child processes watched by dpvs-ctl's libevent
 * loop, so that nothing a probe does blocks the control socket. After fall
 * failures in a row a dest goes down (weight 0: its connections drain),
 * after rise successes it comes back with its configured weight: each is a
 * change of the config set (CTL_OP_DEST_HEALTH) like any other.
 *
 * What survives a restart of dpvs-ctl: the checks and each dest's published
 * health (in the config set); the success/failure counts and the last
 * result start over (the last result reads "" until the first probe).
 *
 * Probes (health_probe.c):
 *   tcp    connect
 *   http   GET path (HTTP/1.0, Host: the dest), the status line's code
 *   https  the same over TLS (certificate not verified)
 *   udp    send the bytes, a reply (starting with the expected bytes)
 *   cmd    /bin/sh -c COMMAND with DPVS_CHECK_ADDR, _PORT, _PROTO, _VIP,
 *          _VPORT in its environment; exit status 0 = up; killed (its
 *          process group) at the timeout
 */
#ifndef DPVS_CTL_HEALTH_H
#define DPVS_CTL_HEALTH_H

#include <stdint.h>

#include "shm/shm.h"

struct event_base;
struct ctl_health;

#define CTL_HEALTH_SYNC_MS 100   /* how often the engine looks for a changed config */

struct ctl_health *ctl_health_new(struct event_base *base, struct dpvs_shm *shm);
void ctl_health_free(struct ctl_health *h);

/* The last result of dest slot's probe ("HTTP 200 in 3 ms", ...), or NULL
 * when there is none (no engine, not checked, or no probe yet). */
const char *ctl_health_last(uint32_t dest_slot, uint32_t dest_id);

/* ---- probes (health_probe.c) ---- */
struct hc_probe;

/* ok 1 = up; text says what was seen. Called once, from the event loop. */
typedef void (*hc_done_fn)(void *arg, int ok, const char *text);

struct hc_spec {
	uint8_t type;                  /* enum dpvs_check_type */
	uint8_t proto;                 /* the service's: the cmd's DPVS_CHECK_PROTO */
	struct dpvs_ip addr;
	uint16_t port;                 /* host order */
	struct dpvs_ip vip;            /* for the cmd's environment */
	uint16_t vport;
	uint32_t timeout_ms;
	uint16_t expect_status;
	const char *text;              /* http path, cmd command */
	const uint8_t *send, *expect;  /* udp */
	uint16_t send_len, expect_len;
};

/* Start a probe; done is called with its result. NULL (and no call) when it
 * cannot start: then *why says why. */
struct hc_probe *hc_probe_start(struct event_base *base, const struct hc_spec *s,
				hc_done_fn done, void *arg, char *why, size_t whylen);
/* Stop a probe without its callback (a cmd's process group is killed). */
void hc_probe_cancel(struct hc_probe *p);
/* SIGCHLD: finish the cmd probes whose process exited. */
void hc_probe_reap(void);

#endif
