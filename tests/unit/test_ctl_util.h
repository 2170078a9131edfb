/*
 * Helpers shared by the ctl unit tests: a node root in plain memory (no EAL)
 * with two ports, dpdk0 and dpdk1, and address entries from text.
 */
#ifndef DPVS_TEST_CTL_UTIL_H
#define DPVS_TEST_CTL_UTIL_H

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "ctl/daemon/lb.h"
#include "shm/shm.h"

/* Small capacities (the limits before [tables] existed): fast to allocate,
 * and the full-table tests stay short. */
static inline struct dpvs_caps
tctl_caps(void)
{
	struct dpvs_caps c;

	dpvs_caps_default(&c);
	c.services = 256;
	c.dests = 1024;
	c.svc_dests = 128;
	c.sched_tables = 64;
	return c;
}

/* An empty config set of tctl_caps() in plain memory; free() it. */
static inline struct dpvs_config_set *
tctl_set(void)
{
	struct dpvs_caps c = tctl_caps();
	struct dpvs_config_set *s = dpvs_cfgset_alloc(&c);

	ck_assert_ptr_nonnull(s);
	return s;
}

/* Whole sets, tables included. */
#define TCTL_SAME(a, b) (memcmp((a), (b), (a)->size) == 0)
#define TCTL_COPY(dst, src) memcpy((dst), (src), (src)->size)
/* The same tables, whatever copy index and version the sets carry. */
#define TCTL_SAME_TABLES(a, b)                                                    \
	((a)->naddrs == (b)->naddrs &&                                            \
	 memcmp(&(a)->lb, &(b)->lb,                                               \
		(a)->size - offsetof(struct dpvs_config_set, lb)) == 0)

static inline struct dpvs_root *
tctl_root(void)
{
	/* 64-byte aligned as in its memzone: calloc's 16 is UB for the type */
	struct dpvs_root *r = aligned_alloc(64, sizeof(*r));

	ck_assert_ptr_nonnull(r);
	memset(r, 0, sizeof(*r));
	dpvs_shm_fill_header(r);
	r->conf.caps = tctl_caps();
	r->conf.nports = 2;
	r->conf.nworkers = 1;
	snprintf(r->ports[0].name, sizeof(r->ports[0].name), "dpdk0");
	snprintf(r->ports[1].name, sizeof(r->ports[1].name), "dpdk1");
	r->ports[0].port_id = 0xfff0;   /* no such ethdev: stats_ok stays false */
	r->ports[1].port_id = 0xfff1;
	return r;
}

/* "10.0.0.1" or "2001:db8::1" on port p with prefix len. */
static inline struct dpvs_addr_entry
tctl_entry(const char *ip, unsigned int len, uint16_t p)
{
	struct dpvs_addr_entry e;

	memset(&e, 0, sizeof(e));
	if (inet_pton(AF_INET, ip, e.addr.bytes) == 1)
		e.addr.family = DPVS_AF_INET;
	else if (inet_pton(AF_INET6, ip, e.addr.bytes) == 1)
		e.addr.family = DPVS_AF_INET6;
	e.prefixlen = (uint8_t)len;
	e.port = p;
	return e;
}

/* The address "10.0.0.1" or "2001:db8::1". */
static inline struct dpvs_ip
tctl_ip(const char *ip)
{
	return tctl_entry(ip, 32, 0).addr;
}

/* The key of service proto VIP:port. */
static inline struct ctl_svc_key
tctl_svc_key(uint8_t proto, const char *vip, uint16_t port)
{
	struct ctl_svc_key k;

	memset(&k, 0, sizeof(k));
	k.proto = proto;
	k.vip = tctl_ip(vip);
	k.port = port;
	return k;
}

#define TCTL_MAX_TMP 16
static char tctl_tmp[TCTL_MAX_TMP][64];
static int tctl_ntmp;

/* Write text to a fresh temporary file; returns its path, valid until
 * tctl_tmp_cleanup() (call it from the fixture's teardown). */
static inline const char *
tctl_tmpfile(const char *text)
{
	char *path;
	FILE *f;
	int fd;

	ck_assert_int_lt(tctl_ntmp, TCTL_MAX_TMP);
	path = tctl_tmp[tctl_ntmp++];
	snprintf(path, sizeof(tctl_tmp[0]), "/tmp/test_ctl_XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static inline void
tctl_tmp_cleanup(void)
{
	while (tctl_ntmp > 0)
		unlink(tctl_tmp[--tctl_ntmp]);
}

#endif
