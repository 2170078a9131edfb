/*
 * Internal helpers of the connection table shared by worker/ipvs/conn.c (hash,
 * slots, rebuild) and worker/ipvs/conn_timer.c (the wheel). Not an API: other
 * files use worker/ipvs/conn.h. Called only by the owning worker.
 *
 * Wheel links: a connection on the wheel sits in a doubly linked list
 * through tnext/tprev. The first of a slot's list has tprev =
 * CONN_TPREV_HEAD | slot, so it can be unlinked without knowing where it was
 * filed; a connection on no list has tprev = DPVS_CONN_NIL. Free slots are
 * chained through tnext from free_head.
 */
#ifndef DPVS_WORKER_CONN_PRIV_H
#define DPVS_WORKER_CONN_PRIV_H

#include <stdint.h>

#include "shm/conn.h"

#define CONN_TPREV_HEAD 0x80000000u

/* Empty the wheel and start it at now_ns (every earlier tick is done). */
void wk_conn_timer_reset(struct dpvs_conn_table *ct, uint64_t now_ns);
/* File connection idx (not on the wheel) by its expires_ns. */
void wk_conn_timer_arm(struct dpvs_conn_table *ct, uint32_t idx);
/* Take connection idx off the wheel if it is on it. */
void wk_conn_timer_disarm(struct dpvs_conn_table *ct, uint32_t idx);

#endif
