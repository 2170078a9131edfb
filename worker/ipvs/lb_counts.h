/*
 * The per-service and per-dest active/inactive connection counts of a
 * worker (its region's svc_stats[] and dest_stats[] rows, read by the lc and
 * wlc schedulers and the -x/-y thresholds): the rule that classifies a
 * connection, shared by the per-packet bookkeeping (ipvs.c) and the rebuild
 * at attach (lb_counts.c), so the two can never disagree.
 */
#ifndef DPVS_WORKER_LB_COUNTS_H
#define DPVS_WORKER_LB_COUNTS_H

#include <netinet/in.h>
#include <stdint.h>

#include "shm/conn.h"
#include "shm/layout.h"
#include "shm/lb.h"

/* A connection counts as active (LVS's ActiveConn) when it is an
 * ESTABLISHED TCP connection; every other one (UDP too) is inactive. */
static inline int
wk_conn_is_active(const struct dpvs_conn *c)
{
	return c->proto == IPPROTO_TCP && c->state == DPVS_TCPS_ESTABLISHED;
}

/* Recount the active and inactive columns of every row from the connection
 * array (the truth): a connection counts in the row of its svc_slot and
 * dest_slot when the row's id is the connection's svc_id / dest_id, as the
 * per-packet bookkeeping counts it. Other columns (conns, packets, bytes,
 * overload_id) are kept. Called by the owning worker at attach, after
 * wk_conn_rebuild(), so that a predecessor that died between a connection
 * change and its count leaves no drift. Returns the connections counted. */
uint32_t wk_lb_counts_rebuild(struct dpvs_worker_region *wr, struct dpvs_conn_table *ct);

#endif
