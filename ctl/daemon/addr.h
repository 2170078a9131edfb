/*
 * Front doors of the address table: the only functions that change
 * dpvs_config_set.addrs. They act on a config set in plain memory (the
 * inactive copy during a publication, or any buffer in a test), validate
 * everything first and change nothing on error.
 *
 * Callers: the request handler, the rules loader, the tests.
 */
#ifndef DPVS_CTL_ADDR_H
#define DPVS_CTL_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "shm/layout.h"

/* Port index of the port called name, or -CTL_ENOPORT ("no port named X"). */
int ctl_port_find(const struct dpvs_root *root, const char *name, char *err, size_t errlen);

/* Add a->addr/a->prefixlen on port a->port. Errors: -CTL_EINVAL (bad family,
 * prefix, or an address that cannot be a host's), -CTL_ENOPORT, -CTL_EEXIST
 * (the address is already on a port), -CTL_EFULL. */
int ctl_addr_add(struct dpvs_config_set *set, const struct dpvs_root *root,
		 const struct dpvs_addr_entry *a, char *err, size_t errlen);

/* Remove a->addr from port a->port (the prefix length is not compared).
 * Errors: -CTL_EINVAL, -CTL_ENOPORT, -CTL_ENOENT. */
int ctl_addr_del(struct dpvs_config_set *set, const struct dpvs_root *root,
		 const struct dpvs_addr_entry *a, char *err, size_t errlen);

/* Index of the entry with this address on any port, or -1. */
int ctl_addr_find(const struct dpvs_config_set *set, const struct dpvs_ip *ip);

/* 32 for IPv4, 128 for IPv6. */
unsigned int ctl_ip_maxlen(const struct dpvs_ip *ip);
/* The network of ip/len (host bits cleared), same family, into out. */
void ctl_ip_net(const struct dpvs_ip *ip, unsigned int len, struct dpvs_ip *out);
/* Is ip (same family) on the network net/len? */
bool ctl_ip_in_net(const struct dpvs_ip *net, unsigned int len, const struct dpvs_ip *ip);

/* "10.0.0.1" / "2001:db8::1" into buf. */
const char *ctl_ip_str(const struct dpvs_ip *ip, char *buf, size_t len);

#endif
