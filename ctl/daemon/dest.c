/*
 * Real servers of a service (see lb.h): add, edit, delete on a config set in
 * plain memory. A dest keeps its slot in the dest table for its whole life
 * (the lowest free one when added) and gets a never-reused id from
 * lb.next_id; its service lists it in its dest list in add order. A change
 * of the list or of a weight marks an mh/conhash service's table stale. Only full-NAT is implemented in the data
 * path, so the other forwarding modes are refused rather than half working.
 * Touches only the set passed in.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ctl/daemon/addr.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/lb.h"
#include "shm/lb_hash.h"

/* Index in the dest list of service slot si of addr:port (host order), or -1. */
static int
dest_find(const struct dpvs_lb_tables *lb, uint32_t si, const struct dpvs_ip *addr,
	  uint16_t port)
{
	const struct dpvs_service *svc = dpvs_lb_svc(lb, si);
	const uint32_t *dl = dpvs_lb_svc_dests(lb, si);
	uint32_t j;

	for (j = 0; j < svc->ndests && j < lb->caps.svc_dests; j++) {
		const struct dpvs_dest *d;

		if (dl[j] >= lb->caps.dests)
			continue;
		d = &dpvs_lb_dests(lb)[dl[j]];
		if (d->id != 0 && d->port == htons(port) && d->addr.family == addr->family &&
		    memcmp(d->addr.bytes, addr->bytes, sizeof(addr->bytes)) == 0)
			return (int)j;
	}
	return -1;
}

/* Address, port, mode, weight and thresholds as given (unset ones pass). */
static int
dest_check(const struct ctl_dest_args *a, char *err, size_t errlen)
{
	static const uint8_t zero[16];
	char s[INET6_ADDRSTRLEN + 8];

	ctl_ipport_str(&a->addr, a->port, s, sizeof(s));
	if (a->addr.family == DPVS_AF_INET6)
		return dpvs_errf(err, errlen, -CTL_EUNSUPP, "IPv6 real servers are not supported yet");
	if (a->addr.family != DPVS_AF_INET || memcmp(a->addr.bytes + 4, zero, 12) != 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "bad real server address");
	/* 0/8 (this network), 127/8 (loopback), 224/4 (multicast), 240/4 and
	 * the broadcast address: none is another host's */
	if (a->addr.bytes[0] == 0 || a->addr.bytes[0] == 127 || a->addr.bytes[0] >= 224)
		return dpvs_errf(err, errlen, -CTL_EINVAL,
				"real server %s: must be a unicast address of another host (not "
				"0.0.0.0/8, 127.0.0.0/8, multicast, 240.0.0.0/4 or broadcast)", s);
	if (a->port == 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "real server %s: port must not be 0", s);
	if (a->mode >= DPVS_FWD_MAX)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "unknown forwarding mode %d", a->mode);
	if (a->mode > 0)
		return dpvs_errf(err, errlen, -CTL_EUNSUPP,
				"forwarding mode %s is not supported yet (use -b fnat)",
				ctl_fwd_name((unsigned int)a->mode));
	if (a->has_weight && (a->weight < 0 || a->weight > CTL_MAX_WEIGHT))
		return dpvs_errf(err, errlen, -CTL_EINVAL,
				"weight %lld out of range (0..%d)", (long long)a->weight,
				CTL_MAX_WEIGHT);
	return 0;
}

/*
 * A new real server must be another host: not the service's VIP and not any
 * address of this node (full-NAT would send the packet back to the node
 * itself; dpvs-mp has no local real servers, unlike LVS's "local node").
 * IPv6: not ::, ::1 or multicast (for when IPv6 real servers exist).
 */
static int
dest_check_target(const struct dpvs_config_set *set, const struct ctl_dest_args *a,
		  char *err, size_t errlen)
{
	static const uint8_t zero[16];
	char s[INET6_ADDRSTRLEN + 8];
	const uint8_t *b = a->addr.bytes;
	int i;

	ctl_ipport_str(&a->addr, a->port, s, sizeof(s));
	if (a->addr.family == DPVS_AF_INET6 &&
	    (memcmp(b, zero, 16) == 0 || b[0] == 0xff ||
	     (memcmp(b, zero, 15) == 0 && b[15] == 1)))
		return dpvs_errf(err, errlen, -CTL_EINVAL, "real server %s: must be a unicast "
				"address of another host (not ::, ::1 or multicast)", s);
	if (dpvs_ip_equal(&a->addr, &a->svc.vip))
		return dpvs_errf(err, errlen, -CTL_EINVAL, "real server %s: is the service's own "
				"VIP; a real server must be another host", s);
	i = ctl_addr_find(set, &a->addr);
	if (i >= 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "real server %s: is an address of this "
				"node; a real server must be another host", s);
	return 0;
}

/* Upper and lower thresholds of the dest after the change. */
static int
dest_check_thresholds(uint32_t upper, uint32_t lower, char *err, size_t errlen)
{
	if (upper != 0 && lower > upper)
		return dpvs_errf(err, errlen, -CTL_EINVAL,
				"lower threshold %u (-y) is above upper threshold %u (-x)", lower,
				upper);
	return 0;
}

/* Service slot of a dest command, or a negative error. */
static int
dest_service(const struct dpvs_config_set *set, const struct ctl_dest_args *a, char *err,
	     size_t errlen)
{
	int rc = dest_check(a, err, errlen);

	if (rc != 0)
		return rc;
	return ctl_svc_get(&set->lb, &a->svc, err, errlen);
}

int
ctl_dest_add(struct dpvs_config_set *set, const struct ctl_dest_args *a, char *err,
	     size_t errlen)
{
	struct dpvs_lb_tables *lb = &set->lb;
	uint32_t upper = a->has_upper ? a->upper : 0, lower = a->has_lower ? a->lower : 0;
	struct dpvs_service *svc;
	struct dpvs_dest *d;
	char s[INET6_ADDRSTRLEN + 8], ks[96];
	uint32_t i;
	int si, rc;

	si = dest_service(set, a, err, errlen);
	if (si < 0)
		return si;
	rc = dest_check_target(set, a, err, errlen);
	if (rc != 0)
		return rc;
	svc = dpvs_lb_svc(lb, (uint32_t)si);
	ctl_ipport_str(&a->addr, a->port, s, sizeof(s));
	ctl_svc_key_str(&a->svc, ks, sizeof(ks));
	if (dest_find(lb, (uint32_t)si, &a->addr, a->port) >= 0)
		return dpvs_errf(err, errlen, -CTL_EEXIST, "real server %s already exists in %s",
				s, ks);
	rc = dest_check_thresholds(upper, lower, err, errlen);
	if (rc != 0)
		return rc;
	if (svc->ndests >= lb->caps.svc_dests)
		return dpvs_errf(err, errlen, -CTL_EFULL,
				"%s already has %u real servers ([tables] dests_per_service in "
				"dpvs.conf)", ks, lb->caps.svc_dests);
	/* every slot below dest_free is taken: the lowest free slot */
	for (i = lb->dest_free; i < lb->caps.dests && dpvs_lb_dests(lb)[i].id != 0; i++)
		;
	if (i >= lb->caps.dests)
		return dpvs_errf(err, errlen, -CTL_EFULL,
				"real server table is full (%u: [tables] dests in dpvs.conf)",
				lb->caps.dests);
	ctl_lb_prepare(lb);
	lb->dest_free = i + 1;
	d = &dpvs_lb_dests(lb)[i];
	memset(d, 0, sizeof(*d));
	d->id = lb->next_id++;
	d->svc = (uint16_t)si;
	d->port = htons(a->port);
	d->addr = a->addr;
	d->fwd_mode = DPVS_FWD_FNAT;
	d->weight = a->has_weight ? (int32_t)a->weight : 1;
	d->conf_weight = d->weight;
	d->u_threshold = upper;
	d->l_threshold = lower;
	dpvs_lb_svc_dests(lb, (uint32_t)si)[svc->ndests++] = i;
	ctl_sched_mark(lb, (uint16_t)si);
	return 0;
}

int
ctl_dest_edit(struct dpvs_config_set *set, const struct ctl_dest_args *a, char *err,
	      size_t errlen)
{
	struct dpvs_lb_tables *lb = &set->lb;
	struct dpvs_dest *d;
	char s[INET6_ADDRSTRLEN + 8], ks[96];
	uint32_t upper, lower;
	int si, j, rc;

	si = dest_service(set, a, err, errlen);
	if (si < 0)
		return si;
	j = dest_find(lb, (uint32_t)si, &a->addr, a->port);
	if (j < 0)
		return dpvs_errf(err, errlen, -CTL_ENOENT, "no real server %s in %s",
				ctl_ipport_str(&a->addr, a->port, s, sizeof(s)),
				ctl_svc_key_str(&a->svc, ks, sizeof(ks)));
	d = &dpvs_lb_dests(lb)[dpvs_lb_svc_dests(lb, (uint32_t)si)[j]];
	upper = a->has_upper ? a->upper : d->u_threshold;
	lower = a->has_lower ? a->lower : d->l_threshold;
	rc = dest_check_thresholds(upper, lower, err, errlen);
	if (rc != 0)
		return rc;
	if (a->mode >= 0)
		d->fwd_mode = (uint8_t)a->mode;
	if (a->has_weight) {
		/* a dest a health check holds down keeps weight 0 until it is up */
		d->conf_weight = (int32_t)a->weight;
		if ((d->flags & DPVS_DEST_F_DOWN) == 0)
			d->weight = d->conf_weight;
	}
	d->u_threshold = upper;
	d->l_threshold = lower;
	ctl_sched_mark(lb, (uint16_t)si);
	return 0;
}

int
ctl_dest_del(struct dpvs_config_set *set, const struct ctl_dest_args *a, char *err,
	     size_t errlen)
{
	struct dpvs_lb_tables *lb = &set->lb;
	struct ctl_dest_args key = *a;
	struct dpvs_service *svc;
	char s[INET6_ADDRSTRLEN + 8], ks[96];
	uint32_t *dl, slot;
	int si, j;

	/* only the address identifies the dest here */
	key.mode = -1;
	key.has_weight = false;
	si = dest_service(set, &key, err, errlen);
	if (si < 0)
		return si;
	svc = dpvs_lb_svc(lb, (uint32_t)si);
	dl = dpvs_lb_svc_dests(lb, (uint32_t)si);
	j = dest_find(lb, (uint32_t)si, &a->addr, a->port);
	if (j < 0)
		return dpvs_errf(err, errlen, -CTL_ENOENT, "no real server %s in %s",
				ctl_ipport_str(&a->addr, a->port, s, sizeof(s)),
				ctl_svc_key_str(&a->svc, ks, sizeof(ks)));
	/* its connections go on with the addresses they carry: it drains */
	slot = dl[j];
	ctl_check_dest_gone(lb, slot);
	memset(&dpvs_lb_dests(lb)[slot], 0, sizeof(struct dpvs_dest));
	if (slot < lb->dest_free)
		lb->dest_free = slot;
	memmove(&dl[j], &dl[j + 1], (size_t)(svc->ndests - (uint32_t)j - 1) * sizeof(dl[0]));
	svc->ndests--;
	dl[svc->ndests] = 0;
	ctl_sched_mark(lb, (uint16_t)si);
	return 0;
}
