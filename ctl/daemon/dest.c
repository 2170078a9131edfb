/*
 * Real servers of a service (see lb.h): add, edit, delete on a config set in
 * plain memory. A dest keeps its slot in the dest table for its whole life
 * (the lowest free one when added) and gets a never-reused id from
 * lb.next_id; its service lists it in its dest list in add order. A change
 * of the list or of a weight marks an mh/conhash service's table stale.
 *
 * Forwarding modes, as LVS lets one service mix them per dest: fnat, nat,
 * dr and tunnel dests may share a service (fnat needs the service's local
 * addresses, checked per packet: no_laddr). Families, as DPVS: a real
 * server is of the VIP's family, but for full-NAT behind an IPv6 VIP, whose
 * real servers may be IPv4 (nat64; with IPv4 local addresses, laddr.c);
 * an SNAT source is of its match's family. dr and tunnel keep the packet's
 * port, so their port must be the service's; a dr real server must be on a
 * connected network of a port (the node rewrites only the Ethernet
 * header). A match service (SNAT) takes only snat dests, and an snat dest
 * only a match service: its address is one of the node's (the source the
 * inside hosts' connections leave from) and its port 0 (the node picks one
 * per connection). Derived bookkeeping per dest: NAT dests are counted
 * (lb.nnat), an snat dest's address is a local address of its protocol in
 * the address index (and drains when the dest goes).
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
	if (a->addr.family == DPVS_AF_INET6) {
		/* as LVS: not link-local either (the node would need a scope) */
		if (!ctl_ip6_is_host(a->addr.bytes))
			return dpvs_errf(err, errlen, -CTL_EINVAL,
					"real server %s: must be a unicast address of another host "
					"(not ::, ::1, multicast or link-local)", s);
	} else if (a->addr.family != DPVS_AF_INET || memcmp(a->addr.bytes + 4, zero, 12) != 0) {
		return dpvs_errf(err, errlen, -CTL_EINVAL, "bad real server address");
	} else if (a->addr.bytes[0] == 0 || a->addr.bytes[0] == 127 || a->addr.bytes[0] >= 224) {
		/* 0/8 (this network), 127/8 (loopback), 224/4 (multicast), 240/4
		 * and the broadcast address: none is another host's */
		return dpvs_errf(err, errlen, -CTL_EINVAL,
				"real server %s: must be a unicast address of another host (not "
				"0.0.0.0/8, 127.0.0.0/8, multicast, 240.0.0.0/4 or broadcast)", s);
	}
	if (a->mode >= DPVS_FWD_MAX)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "unknown forwarding mode %d", a->mode);
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
 * IPv6: not ::, ::1 or multicast.
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

/* Is the address ip on the network of one of the node's addresses (a
 * connected route)? */
static int
dest_on_connected(const struct dpvs_config_set *set, const struct dpvs_ip *ip)
{
	const struct dpvs_addr_entry *e = dpvs_cfg_addrs(set);
	unsigned int max = ip->family == DPVS_AF_INET6 ? 128 : 32;
	uint8_t pa[16], px[16];
	uint32_t i, a, x, mask;

	memcpy(&a, ip->bytes, 4);
	for (i = 0; i < set->naddrs && i < set->lb.caps.addrs; i++) {
		if (e[i].addr.family != ip->family || e[i].prefixlen == 0 ||
		    e[i].prefixlen >= max)
			continue;
		if (ip->family == DPVS_AF_INET6) {
			dpvs_ip6_mask(pa, ip->bytes, e[i].prefixlen);
			dpvs_ip6_mask(px, e[i].addr.bytes, e[i].prefixlen);
			if (memcmp(pa, px, 16) == 0)
				return 1;
			continue;
		}
		memcpy(&x, e[i].addr.bytes, 4);
		mask = htonl(~0u << (32 - e[i].prefixlen));
		if (((a ^ x) & mask) == 0)
			return 1;
	}
	return 0;
}

/* The families a service's real servers may have by mode (DPVS's rules):
 * every mode the VIP's family; full-NAT also IPv4 behind an IPv6 VIP
 * (nat64, with IPv4 local addresses); a match service's SNAT sources the
 * match's family. 0 when addr may serve, else the refusal. */
static int
dest_check_family(const struct dpvs_lb_tables *lb, const struct ctl_dest_args *a,
		  const struct dpvs_service *svc, int mode, const char *s, char *err,
		  size_t errlen)
{
	int mi;
	uint8_t fam;

	if ((svc->flags & DPVS_SVC_F_MATCH) != 0) {
		mi = ctl_match_of_svc(lb, (uint16_t)(svc - dpvs_lb_svcs(lb)));
		fam = mi >= 0 ? ctl_match_family(&lb->match[mi]) : DPVS_AF_INET;
		if (a->addr.family != fam)
			return dpvs_errf(err, errlen, -CTL_EINVAL, "real server %s: an SNAT source is "
					"of its match's family (IPv%u)", s, fam);
		return 0;
	}
	if (a->addr.family == svc->vip.family)
		return 0;
	if (svc->vip.family == DPVS_AF_INET)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "real server %s: an IPv4 service takes "
				"IPv4 real servers only (IPv6 ones need an IPv6 VIP)", s);
	if (mode != DPVS_FWD_FNAT)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "real server %s: an IPv6 service takes "
				"IPv4 real servers with full-NAT only (-b fnat, as DPVS's nat64); "
				"a %s real server is of the VIP's family", s,
				ctl_fwd_name((unsigned int)mode));
	return 0;
}

/* The mode of a dest of service svc and what it asks of its address and
 * port (see the top of this file). */
static int
dest_check_mode(const struct dpvs_config_set *set, const struct ctl_dest_args *a,
		const struct dpvs_service *svc, int mode, char *err, size_t errlen)
{
	char s[INET6_ADDRSTRLEN + 8];
	int rc;

	ctl_ipport_str(&a->addr, a->port, s, sizeof(s));
	rc = dest_check_family(&set->lb, a, svc, mode, s, err, errlen);
	if (rc != 0 && !((svc->flags & DPVS_SVC_F_MATCH) != 0 && mode != DPVS_FWD_SNAT))
		return rc;
	if ((svc->flags & DPVS_SVC_F_MATCH) != 0) {
		if (mode != DPVS_FWD_SNAT)
			return dpvs_errf(err, errlen, -CTL_EINVAL, "real server %s: a match service "
					"(-H) takes only SNAT real servers (-b snat)", s);
		if (a->port != 0)
			return dpvs_errf(err, errlen, -CTL_EINVAL, "real server %s: an SNAT source's "
					"port must be 0 (each connection gets its own)", s);
		if (ctl_addr_find(set, &a->addr) < 0)
			return dpvs_errf(err, errlen, -CTL_EINVAL, "real server %s: an SNAT source must "
					"be an address of the node (addr add it first)", s);
		return 0;
	}
	if (mode == DPVS_FWD_SNAT)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "real server %s: -b snat needs a match "
				"service (-A -H proto=tcp,src-range=...)", s);
	if ((svc->flags & DPVS_SVC_F_SYNPROXY) != 0 && !ctl_fwd_synproxy_ok((uint8_t)mode))
		return dpvs_errf(err, errlen, -CTL_EINVAL, "real server %s: the service has the SYN "
				"proxy (--synproxy on), which needs the server's replies: %s sends "
				"them past the node (use fnat or nat, or --synproxy off first)", s,
				ctl_fwd_name((unsigned int)mode));
	if (a->port == 0)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "real server %s: port must not be 0", s);
	if ((mode == DPVS_FWD_DR || mode == DPVS_FWD_TUNNEL) && htons(a->port) != svc->vport)
		return dpvs_errf(err, errlen, -CTL_EINVAL, "real server %s: %s passes the packet "
				"with its own port; give the service's port %u", s,
				ctl_fwd_name((unsigned int)mode), ntohs(svc->vport));
	if (mode == DPVS_FWD_DR && !dest_on_connected(set, &a->addr))
		return dpvs_errf(err, errlen, -CTL_EINVAL, "real server %s: dr needs the real server "
				"on the network of one of the node's ports (a connected route), "
				"since only its MAC is rewritten", s);
	return 0;
}

int
ctl_snat_user(const struct dpvs_lb_tables *lb, const struct dpvs_ip *ip)
{
	const struct dpvs_dest *d = dpvs_lb_dests(lb);
	uint32_t i;

	for (i = 0; i < lb->caps.dests; i++)
		if (d[i].id != 0 && d[i].fwd_mode == DPVS_FWD_SNAT && dpvs_ip_equal(&d[i].addr, ip))
			return d[i].svc;
	return -1;
}

void
ctl_dest_ref(struct dpvs_lb_tables *lb, const struct dpvs_service *svc,
	     const struct dpvs_dest *d, int delta)
{
	if (d->flags & DPVS_DEST_F_DOWN)
		ctl_dest_down_count(lb, delta);
	if (d->fwd_mode == DPVS_FWD_NAT) {
		if (delta > 0)
			lb->nnat++;
		else if (lb->nnat > 0)
			lb->nnat--;
	}
	if (d->fwd_mode != DPVS_FWD_SNAT)
		return;
	if (delta < 0)  /* its connections may live on: it drains (drain.c) */
		ctl_drain_add(lb, &d->addr, svc->proto);
	ctl_aix_ref(lb, &d->addr, ctl_aix_bit(svc->proto, 0), delta);
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
	struct dpvs_rate_param rate[DPVS_RATE_N];
	struct dpvs_service *svc;
	struct dpvs_dest *d;
	char s[INET6_ADDRSTRLEN + 8], ks[CTL_KEY_STR];
	uint32_t i;
	int si, rc, mode;

	si = dest_service(set, a, err, errlen);
	if (si < 0)
		return si;
	svc = dpvs_lb_svc(lb, (uint32_t)si);
	mode = a->mode >= 0 ? a->mode :
	       (svc->flags & DPVS_SVC_F_MATCH) != 0 ? DPVS_FWD_SNAT : DPVS_FWD_FNAT;
	rc = dest_check_mode(set, a, svc, mode, err, errlen);
	if (rc == 0 && mode != DPVS_FWD_SNAT)
		rc = dest_check_target(set, a, err, errlen);
	if (rc != 0)
		return rc;
	ctl_ipport_str(&a->addr, a->port, s, sizeof(s));
	ctl_svc_key_str(&a->svc, ks, sizeof(ks));
	if (dest_find(lb, (uint32_t)si, &a->addr, a->port) >= 0)
		return dpvs_errf(err, errlen, -CTL_EEXIST, "real server %s already exists in %s",
				s, ks);
	rc = dest_check_thresholds(upper, lower, err, errlen);
	if (rc == 0)
		rc = ctl_rate_merge(lb, 0, &a->rate, rate, err, errlen);
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
	d->fwd_mode = (uint8_t)mode;
	d->weight = a->has_weight ? (int32_t)a->weight : 1;
	d->conf_weight = d->weight;
	d->u_threshold = upper;
	d->l_threshold = lower;
	dpvs_lb_svc_dests(lb, (uint32_t)si)[svc->ndests++] = i;
	ctl_rate_store(lb, &dpvs_lb_dest_rate(lb)[i], DPVS_RATE_OWNER_DEST, i, d->id, rate);
	ctl_dest_ref(lb, svc, d, 1);
	ctl_sched_mark(lb, (uint16_t)si);
	return 0;
}

int
ctl_dest_edit(struct dpvs_config_set *set, const struct ctl_dest_args *a, char *err,
	      size_t errlen)
{
	struct dpvs_lb_tables *lb = &set->lb;
	const struct dpvs_service *svc;
	struct dpvs_rate_param rate[DPVS_RATE_N];
	struct dpvs_dest *d;
	char s[INET6_ADDRSTRLEN + 8], ks[CTL_KEY_STR];
	uint32_t upper, lower, slot;
	int si, j, rc;

	si = dest_service(set, a, err, errlen);
	if (si < 0)
		return si;
	j = dest_find(lb, (uint32_t)si, &a->addr, a->port);
	if (j < 0)
		return dpvs_errf(err, errlen, -CTL_ENOENT, "no real server %s in %s",
				ctl_ipport_str(&a->addr, a->port, s, sizeof(s)),
				ctl_svc_key_str(&a->svc, ks, sizeof(ks)));
	slot = dpvs_lb_svc_dests(lb, (uint32_t)si)[j];
	d = &dpvs_lb_dests(lb)[slot];
	svc = dpvs_lb_svc(lb, (uint32_t)si);
	upper = a->has_upper ? a->upper : d->u_threshold;
	lower = a->has_lower ? a->lower : d->l_threshold;
	rc = dest_check_thresholds(upper, lower, err, errlen);
	if (rc == 0)
		rc = ctl_rate_merge(lb, dpvs_lb_dest_rate(lb)[slot], &a->rate, rate, err, errlen);
	if (rc == 0 && a->mode >= 0 && a->mode != d->fwd_mode) {
		struct ctl_dest_args now = *a;

		now.port = ntohs(d->port);
		rc = dest_check_mode(set, &now, svc, a->mode, err, errlen);
	}
	if (rc != 0)
		return rc;
	if (a->mode >= 0 && a->mode != d->fwd_mode) {
		ctl_dest_ref(lb, svc, d, -1);
		d->fwd_mode = (uint8_t)a->mode;
		ctl_dest_ref(lb, svc, d, 1);
	}
	if (a->has_weight) {
		/* a dest a health check holds down keeps weight 0 until it is up */
		d->conf_weight = (int32_t)a->weight;
		if ((d->flags & DPVS_DEST_F_DOWN) == 0)
			d->weight = d->conf_weight;
	}
	d->u_threshold = upper;
	d->l_threshold = lower;
	ctl_rate_store(lb, &dpvs_lb_dest_rate(lb)[slot], DPVS_RATE_OWNER_DEST, slot, d->id, rate);
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
	char s[INET6_ADDRSTRLEN + 8], ks[CTL_KEY_STR];
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
	ctl_rate_free(lb, &dpvs_lb_dest_rate(lb)[slot]);
	ctl_dest_ref(lb, svc, &dpvs_lb_dests(lb)[slot], -1);
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
