/*
 * Rebuild of a worker's active/inactive counts from its connection array
 * (see lb_counts.h). Runs once at attach, on the owning worker's region and
 * table only, after wk_conn_rebuild(): O(buckets + connections + rows).
 */
#include "shm/shm.h"
#include "worker/ipvs/lb_counts.h"

static void
count_row(struct dpvs_lb_stats *row, uint32_t id, int active)
{
	if (row->id != id || id == 0)
		return;
	if (active)
		row->active++;
	else
		row->inactive++;
}

uint32_t
wk_lb_counts_rebuild(struct dpvs_worker_region *wr, struct dpvs_conn_table *ct)
{
	const struct dpvs_conn *conns = dpvs_conn_array(ct);
	const struct dpvs_conn_bkt *bk = dpvs_conn_buckets(ct);
	struct dpvs_lb_stats *svc = dpvs_wr_svc_stats(wr), *dst = dpvs_wr_dest_stats(wr);
	uint32_t i, b, s, n = 0;
	int active;

	for (i = 0; i < wr->caps.services; i++)
		svc[i].active = svc[i].inactive = 0;
	for (i = 0; i < wr->caps.dests; i++)
		dst[i].active = dst[i].inactive = 0;
	/* the live connections through the index wk_conn_rebuild() just made
	 * (each one has one inbound entry), not the whole array: a takeover
	 * after a crash waits for this, and the index is 21 bytes a
	 * connection where the array is over 200 */
	for (b = 0; b < ct->nbuckets; b++) {
		for (s = 0; s < DPVS_CONN_BKT_SLOTS; s++) {
			uint32_t e = bk[b].ent[s];
			const struct dpvs_conn *c;

			if (e == DPVS_CONN_NIL || (e & 1u) != DPVS_DIR_IN ||
			    (e >> 1) >= ct->capacity)
				continue;
			c = &conns[e >> 1];
			if ((c->flags & DPVS_CONN_F_USED) == 0)
				continue;
			active = wk_conn_is_active(c);
			if (c->svc_slot < wr->caps.services)
				count_row(&svc[c->svc_slot], c->svc_id, active);
			if (c->dest_slot < wr->caps.dests)
				count_row(&dst[c->dest_slot], c->dest_id, active);
			n++;
		}
	}
	return n;
}
