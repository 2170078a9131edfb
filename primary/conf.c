/*
 * dpvs.conf parser (see conf.h). Reads one file with rte_cfgfile and fills a
 * caller-owned struct primary_conf; no global state, no EAL.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>

#include "shm/pool.h"
#include "conf.h"
#include "conf_kni.h"

#define MAX_PREFIX_LEN 32

struct parse_ctx {
	const char *path;
	struct primary_conf *c;
	char *err;
	size_t errlen;
	int seen_global, seen_memory, seen_worker, seen_supervise, seen_tables, seen_metrics,
	    seen_ctl, seen_cpu;
};

static int
conf_fail(struct parse_ctx *x, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(x->err, x->errlen, "%s: ", x->path);
	if (n < 0 || (size_t)n >= x->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(x->err + n, x->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

void
conf_defaults(struct primary_conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->g.file_prefix, sizeof(c->g.file_prefix), "%s", CONF_DEFAULT_PREFIX);
	snprintf(c->g.run_dir, sizeof(c->g.run_dir), "%s", CONF_DEFAULT_RUN_DIR);
	c->g.mbufs = CONF_DEFAULT_MBUFS;
	c->g.mbuf_cache = CONF_DEFAULT_MBUF_CACHE;
	c->g.nworkers = CONF_DEFAULT_WORKERS;
	c->g.idle_sleep_us = CONF_DEFAULT_IDLE_US;
	c->g.conn_capacity = DPVS_CONN_DEFAULT_CAP;
	c->sup.hang_timeout_ms = CONF_DEFAULT_HANG_MS;
	c->sup.standby = CONF_DEFAULT_STANDBY;
	dpvs_caps_default(&c->g.caps);
}

/* A decimal number in [min, max]; no sign, no trailing text. */
static int
parse_u32(struct parse_ctx *x, const char *sec, const struct rte_cfgfile_entry *e,
	  uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)e->value[0]))
		return conf_fail(x, "[%s] %s = '%s': not a number", sec, e->name, e->value);
	errno = 0;
	v = strtoull(e->value, &end, 10);
	if (errno != 0 || *end != '\0')
		return conf_fail(x, "[%s] %s = '%s': not a number", sec, e->name, e->value);
	if (v < min || v > max)
		return conf_fail(x, "[%s] %s = %llu: must be between %u and %u", sec, e->name,
				 v, min, max);
	*out = (uint32_t)v;
	return 0;
}

/* Letters, digits, '_' and '-' only. */
static int
is_plain_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return 0;
	return 1;
}

/* The same key twice in one section is an error, not a silent override. */
static int
check_dup_keys(struct parse_ctx *x, const char *sec, const struct rte_cfgfile_entry *e, int n)
{
	int i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(e[i].name, e[j].name) == 0)
				return conf_fail(x, "[%s] %s is given twice", sec, e[i].name);
	return 0;
}

static int
section_global(struct parse_ctx *x, const char *sec, const struct rte_cfgfile_entry *e, int n)
{
	struct dpvs_global_conf *g = &x->c->g;
	int i;

	for (i = 0; i < n; i++) {
		const char *v = e[i].value;

		if (strcmp(e[i].name, "file_prefix") == 0) {
			if (!is_plain_name(v) || strlen(v) > MAX_PREFIX_LEN)
				return conf_fail(x, "[%s] file_prefix = '%s': use 1 to %d letters, "
						 "digits, '_' or '-'", sec, v, MAX_PREFIX_LEN);
			snprintf(g->file_prefix, sizeof(g->file_prefix), "%s", v);
		} else if (strcmp(e[i].name, "run_dir") == 0) {
			if (v[0] != '/')
				return conf_fail(x, "[%s] run_dir = '%s': must be an absolute path",
						 sec, v);
			if (strlen(v) > CONF_MAX_RUN_DIR)
				return conf_fail(x, "[%s] run_dir = '%s': longer than %d characters "
						 "(<run_dir>/ctl.sock must fit a unix socket path)",
						 sec, v, CONF_MAX_RUN_DIR);
			snprintf(g->run_dir, sizeof(g->run_dir), "%s", v);
		} else {
			return conf_fail(x, "[%s] unknown key '%s' (known: file_prefix, run_dir)",
					 sec, e[i].name);
		}
	}
	return 0;
}

static int
section_memory(struct parse_ctx *x, const char *sec, const struct rte_cfgfile_entry *e, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (strcmp(e[i].name, "mbufs") == 0) {
			if (parse_u32(x, sec, &e[i], CONF_MIN_MBUFS, CONF_MAX_MBUFS,
				      &x->c->g.mbufs) != 0)
				return -1;
		} else if (strcmp(e[i].name, "mbuf_cache") == 0) {
			if (parse_u32(x, sec, &e[i], 0, DPVS_POOL_CACHE_MAX,
				      &x->c->g.mbuf_cache) != 0)
				return -1;
		} else {
			return conf_fail(x, "[%s] unknown key '%s' (known: mbufs, mbuf_cache)", sec,
					 e[i].name);
		}
	}
	return 0;
}

static int
section_worker(struct parse_ctx *x, const char *sec, const struct rte_cfgfile_entry *e, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (strcmp(e[i].name, "count") == 0) {
			if (parse_u32(x, sec, &e[i], 1, DPVS_MAX_WORKERS, &x->c->g.nworkers) != 0)
				return -1;
		} else if (strcmp(e[i].name, "idle_sleep_us") == 0) {
			if (parse_u32(x, sec, &e[i], 0, CONF_MAX_IDLE_US,
				      &x->c->g.idle_sleep_us) != 0)
				return -1;
		} else if (strcmp(e[i].name, "conns") == 0) {
			/* connections per worker: each worker's table is this big */
			if (parse_u32(x, sec, &e[i], DPVS_CONN_MIN_CAP, DPVS_CONN_MAX_CAP,
				      &x->c->g.conn_capacity) != 0)
				return -1;
		} else if (strcmp(e[i].name, "seqx_conns") == 0) {
			/* of which at most this many with a sequence translation
			 * (SYN proxy, PROXY protocol, TOA): the side table */
			if (parse_u32(x, sec, &e[i], DPVS_CONN_MIN_CAP, DPVS_CONN_MAX_CAP,
				      &x->c->g.seqx_capacity) != 0)
				return -1;
		} else if (strcmp(e[i].name, "ipv6_conns") == 0) {
			/* and at most this many with an IPv6 address: the
			 * IPv6 side table */
			if (parse_u32(x, sec, &e[i], DPVS_CONN_MIN_CAP, DPVS_CONN_MAX_CAP,
				      &x->c->g.v6_capacity) != 0)
				return -1;
		} else {
			return conf_fail(x, "[%s] unknown key '%s' (known: count, idle_sleep_us, "
					 "conns, seqx_conns, ipv6_conns)", sec, e[i].name);
		}
	}
	return 0;
}

static int
section_supervise(struct parse_ctx *x, const char *sec, const struct rte_cfgfile_entry *e,
		  int n)
{
	struct conf_supervise *sup = &x->c->sup;
	int i;

	for (i = 0; i < n; i++) {
		if (strcmp(e[i].name, "hang_timeout_ms") == 0) {
			if (parse_u32(x, sec, &e[i], 0, CONF_MAX_HANG_MS, &sup->hang_timeout_ms) != 0)
				return -1;
			if (sup->hang_timeout_ms != 0 && sup->hang_timeout_ms < CONF_MIN_HANG_MS)
				return conf_fail(x, "[%s] hang_timeout_ms = %u: 0 (off) or at least "
						 "%u", sec, sup->hang_timeout_ms, CONF_MIN_HANG_MS);
		} else if (strcmp(e[i].name, "standby") == 0) {
			if (parse_u32(x, sec, &e[i], 0, CONF_MAX_STANDBY, &sup->standby) != 0)
				return -1;
		} else {
			return conf_fail(x, "[%s] unknown key '%s' (known: hang_timeout_ms, "
					 "standby)", sec, e[i].name);
		}
	}
	return 0;
}

/* [tables]: the capacities of the config and per-worker tables
 * (DPVS_CAPS in shm/cfgset.h: key, default, limits). */
static int
section_tables(struct parse_ctx *x, const char *sec, const struct rte_cfgfile_entry *e, int n)
{
	struct dpvs_caps *caps = &x->c->g.caps;
	int i;

	for (i = 0; i < n; i++) {
#define X(f, key, def, lo, hi)                                                      \
		if (strcmp(e[i].name, key) == 0) {                                  \
			if (parse_u32(x, sec, &e[i], lo, hi, &caps->f) != 0)        \
				return -1;                                          \
			continue;                                                   \
		}
		DPVS_CAPS(X)
#undef X
		return conf_fail(x, "[%s] unknown key '%s' (known: services, dests, "
				 "dests_per_service, laddrs_per_service, routes, "
				 "static_neighbours, addresses, hash_tables, checks)", sec, e[i].name);
	}
	return 0;
}

/* "ADDR:PORT" or "[ADDR6]:PORT" into addr (numeric, no brackets) and port. */
int
conf_hostport(const char *text, char *addr, size_t addrlen, uint16_t *port)
{
	char buf[INET6_ADDRSTRLEN + 8], *host = buf, *colon, *end;
	unsigned char bin[16];
	unsigned long v;

	if (strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text);
	if (buf[0] == '[') {
		host = buf + 1;
		end = strchr(host, ']');
		if (end == NULL || end[1] != ':')
			return -1;
		*end = '\0';
		colon = end + 1;
		if (inet_pton(AF_INET6, host, bin) != 1)
			return -1;
	} else {
		colon = strrchr(buf, ':');
		if (colon == NULL)
			return -1;
		*colon = '\0';
		if (inet_pton(AF_INET, host, bin) != 1)
			return -1;
	}
	errno = 0;
	v = strtoul(colon + 1, &end, 10);
	if (!isdigit((unsigned char)colon[1]) || *end != '\0' || errno != 0 || v == 0 || v > 65535 ||
	    strlen(host) >= addrlen)
		return -1;
	snprintf(addr, addrlen, "%s", host);
	*port = (uint16_t)v;
	return 0;
}

/* [metrics] listen = ADDR:PORT: dpvs-ctl serves http://ADDR:PORT/metrics. */
static int
section_metrics(struct parse_ctx *x, const char *sec, const struct rte_cfgfile_entry *e, int n)
{
	struct dpvs_global_conf *g = &x->c->g;
	int i;

	for (i = 0; i < n; i++) {
		if (strcmp(e[i].name, "listen") != 0)
			return conf_fail(x, "[%s] unknown key '%s' (known: listen)", sec, e[i].name);
		if (conf_hostport(e[i].value, g->metrics_addr, sizeof(g->metrics_addr),
				  &g->metrics_port) != 0)
			return conf_fail(x, "[%s] listen = '%s': not ADDRESS:PORT (an IPv4 address, "
					 "or [IPv6], and a port 1..65535)", sec, e[i].value);
	}
	return 0;
}

/* [ctl] socket_group / readonly_group = NAME: an existing group. */
static int
section_ctl(struct parse_ctx *x, const char *sec, const struct rte_cfgfile_entry *e, int n)
{
	struct dpvs_global_conf *g = &x->c->g;
	char *dst;
	size_t len;
	int i;

	for (i = 0; i < n; i++) {
		if (strcmp(e[i].name, "socket_group") == 0) {
			dst = g->socket_group;
			len = sizeof(g->socket_group);
		} else if (strcmp(e[i].name, "readonly_group") == 0) {
			dst = g->readonly_group;
			len = sizeof(g->readonly_group);
		} else {
			return conf_fail(x, "[%s] unknown key '%s' (known: socket_group, "
					 "readonly_group)", sec, e[i].name);
		}
		if (strlen(e[i].value) >= len || getgrnam(e[i].value) == NULL)
			return conf_fail(x, "[%s] %s = '%s': no such group", sec, e[i].name,
					 e[i].value);
		snprintf(dst, len, "%s", e[i].value);
	}
	return 0;
}

/* dddd:bb:dd.f or bb:dd.f, hexadecimal. */
static int
is_pci_addr(const char *s)
{
	unsigned int dom, bus, dev, fn;
	char tail;

	if (sscanf(s, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &tail) == 4)
		return strlen(s) == 12 && dev < 32 && fn < 8;
	if (sscanf(s, "%2x:%2x.%1x%c", &bus, &dev, &fn, &tail) == 3)
		return strlen(s) == 7 && dev < 32 && fn < 8;
	return 0;
}

/* vdev drivers a DPDK secondary process can poll (ARCHITECTURE.md section 1),
 * with their aliases; the vdev bus picks a driver by name prefix. */
static const char *const pollable_vdevs[] = {
	"net_tap", "eth_tap", "net_memif", "eth_memif", "net_ring", "eth_ring",
	"net_null", "eth_null",
};

/* Drivers known not to work from a secondary, and what goes wrong. */
static const struct {
	const char *prefix;
	const char *why;
} unpollable_vdevs[] = {
	{ "net_af_packet", "its rx/tx functions do not exist in a secondary process (the "
			   "worker would crash in rte_eth_rx_burst)" },
	{ "eth_af_packet", "its rx/tx functions do not exist in a secondary process (the "
			   "worker would crash in rte_eth_rx_burst)" },
	{ "net_af_xdp", "its sockets are not shared with a secondary process (the worker "
			"would receive nothing)" },
	{ "eth_af_xdp", "its sockets are not shared with a secondary process (the worker "
			"would receive nothing)" },
};

const char *
conf_vdev_refusal(const char *dev, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < RTE_DIM(unpollable_vdevs); i++)
		if (strncmp(dev, unpollable_vdevs[i].prefix,
			    strlen(unpollable_vdevs[i].prefix)) == 0) {
			snprintf(buf, len, "%s cannot be a data port: %s; use net_tap, net_memif, "
				 "net_ring or a NIC (pci =)", unpollable_vdevs[i].prefix,
				 unpollable_vdevs[i].why);
			return buf;
		}
	for (i = 0; i < RTE_DIM(pollable_vdevs); i++)
		if (strncmp(dev, pollable_vdevs[i], strlen(pollable_vdevs[i])) == 0)
			return NULL;
	snprintf(buf, len, "%.*s is not a driver the workers (DPDK secondary processes) are "
		 "known to be able to poll: use net_tap, net_memif, net_ring, net_null or a NIC "
		 "(pci =)", (int)strcspn(dev, ","), dev);
	return buf;
}

int
conf_devarg(const char *devargs, const char *key, char *out, size_t len)
{
	const char *s = strchr(devargs, ','), *v, *end;
	size_t klen = strlen(key);

	while (s != NULL) {
		s++;
		end = s + strcspn(s, ",");
		v = s + klen;
		if (strncmp(s, key, klen) == 0 && *v == '=') {
			v++;
			snprintf(out, len, "%.*s", (int)(end - v), v);
			return 1;
		}
		s = *end == ',' ? end : NULL;
	}
	return 0;
}

/* forward = on|off, mtu = N: the port's switches (not its device). */
static int
port_option(struct parse_ctx *x, const char *sec, const struct rte_cfgfile_entry *e,
	    struct dpvs_port_info *p, uint16_t *mtu)
{
	uint32_t v;

	if (strcmp(e->name, "forward") == 0) {
		if (strcmp(e->value, "on") == 0)
			p->flags |= DPVS_PORT_F_FORWARD;
		else if (strcmp(e->value, "off") == 0)
			p->flags &= ~DPVS_PORT_F_FORWARD;
		else
			return conf_fail(x, "[%s] forward = '%s': on or off", sec, e->value);
		return 0;
	}
	if (parse_u32(x, sec, e, CONF_MIN_MTU, CONF_MAX_MTU, &v) != 0)
		return -1;
	*mtu = (uint16_t)v;
	return 0;
}

static int
port_device(struct parse_ctx *x, const char *sec, const struct rte_cfgfile_entry *e, int n,
	    struct dpvs_port_info *p, uint8_t *kind, uint16_t *mtu)
{
	const char *vdev = NULL, *pci = NULL;
	char why[256];
	int i, rc;

	for (i = 0; i < n; i++) {
		if (strcmp(e[i].name, "vdev") == 0)
			vdev = e[i].value;
		else if (strcmp(e[i].name, "pci") == 0)
			pci = e[i].value;
		else if (strcmp(e[i].name, "forward") == 0 || strcmp(e[i].name, "mtu") == 0) {
			if (port_option(x, sec, &e[i], p, mtu) != 0)
				return -1;
		} else if ((rc = conf_kni_key(e[i].name, e[i].value, p, why, sizeof(why))) != 0) {
			if (rc < 0)
				return conf_fail(x, "[%s] %s", sec, why);
		} else
			return conf_fail(x, "[%s] unknown key '%s' (known: vdev, pci, forward, "
					 "mtu, forward2kni, kni_rate, kni_ctrl_rate, kni_mgmt_rate, "
					 "kni_priority)", sec, e[i].name);
	}
	if (vdev == NULL && pci == NULL)
		return conf_fail(x, "[%s] needs vdev = <device args> or pci = <address>", sec);
	if (vdev != NULL && pci != NULL)
		return conf_fail(x, "[%s] has both vdev and pci: give exactly one", sec);
	if (pci != NULL) {
		if (!is_pci_addr(pci))
			return conf_fail(x, "[%s] pci = '%s': not a PCI address like "
					 "0000:03:00.0", sec, pci);
		*kind = CONF_PORT_PCI;
		snprintf(p->devargs, sizeof(p->devargs), "%s", pci);
		return 0;
	}
	if (strlen(vdev) >= sizeof(p->devargs))
		return conf_fail(x, "[%s] vdev is longer than %zu characters", sec,
				 sizeof(p->devargs) - 1);
	if (vdev[0] == ',' || strncmp(vdev, "net_tap_kni", 11) == 0)
		return conf_fail(x, "[%s] vdev = '%s': needs a device name (net_tap_kni* is "
				 "reserved for the exception ports)", sec, vdev);
	if (conf_vdev_refusal(vdev, why, sizeof(why)) != NULL)
		return conf_fail(x, "[%s] vdev = '%s': %s", sec, vdev, why);
	/* memif zero-copy hands the driver's own ring buffers out as mbufs and
	 * moves its cursor only after the burst: a worker killed in between
	 * leaves mbufs that its successor frees and the driver hands out again
	 * (docs/crash-safety.md) */
	if (strncmp(vdev, "net_memif", 9) == 0 && strstr(vdev, "zero-copy=yes") != NULL)
		return conf_fail(x, "[%s] vdev = '%s': memif zero-copy is not safe when a worker "
				 "dies (its buffers could be handed out twice); leave out "
				 "zero-copy=yes", sec, vdev);
	*kind = CONF_PORT_VDEV;
	snprintf(p->devargs, sizeof(p->devargs), "%s", vdev);
	return 0;
}

static int
section_port(struct parse_ctx *x, const char *sec, const struct rte_cfgfile_entry *e, int n)
{
	struct primary_conf *c = x->c;
	const char *name = sec + strlen("port.");
	struct dpvs_port_info *p;
	uint32_t i;

	if (!is_plain_name(name))
		return conf_fail(x, "[%s]: a port name is letters, digits, '_' or '-'", sec);
	if (strlen(name) > CONF_MAX_PORT_NAME)
		return conf_fail(x, "[%s]: port name '%s' is longer than %d characters "
				 "(its kernel interface %s%s must fit IFNAMSIZ)", sec, name,
				 CONF_MAX_PORT_NAME, name, CONF_KNI_SUFFIX);
	for (i = 0; i < c->g.nports; i++)
		if (strcmp(c->ports[i].name, name) == 0)
			return conf_fail(x, "[%s] is given twice", sec);
	if (c->g.nports >= DPVS_MAX_PORTS)
		return conf_fail(x, "[%s]: too many ports, at most %d", sec, DPVS_MAX_PORTS);
	p = &c->ports[c->g.nports];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->kni_name, sizeof(p->kni_name), "%s%s", name, CONF_KNI_SUFFIX);
	p->mtu = 1500;
	conf_kni_defaults(p);
	c->mtu[c->g.nports] = 0;
	if (port_device(x, sec, e, n, p, &c->kind[c->g.nports], &c->mtu[c->g.nports]) != 0)
		return -1;
	c->g.nports++;
	return 0;
}

static int
section_cpu(struct parse_ctx *x, const char *sec, const struct rte_cfgfile_entry *e, int n)
{
	char why[256];
	int i;

	for (i = 0; i < n; i++)
		if (conf_cpu_key(&x->c->cpu, e[i].name, e[i].value, why, sizeof(why)) != 0)
			return conf_fail(x, "[%s] %s", sec, why);
	return 0;
}

static int
section_once(struct parse_ctx *x, const char *sec, int *seen)
{
	if (*seen)
		return conf_fail(x, "[%s] is given twice", sec);
	*seen = 1;
	return 0;
}

static int
do_section(struct parse_ctx *x, const char *sec, const struct rte_cfgfile_entry *e, int n)
{
	if (check_dup_keys(x, sec, e, n) != 0)
		return -1;
	if (strcmp(sec, "global") == 0)
		return section_once(x, sec, &x->seen_global) != 0 ? -1 :
			section_global(x, sec, e, n);
	if (strcmp(sec, "memory") == 0)
		return section_once(x, sec, &x->seen_memory) != 0 ? -1 :
			section_memory(x, sec, e, n);
	if (strcmp(sec, "worker") == 0)
		return section_once(x, sec, &x->seen_worker) != 0 ? -1 :
			section_worker(x, sec, e, n);
	if (strcmp(sec, "supervise") == 0)
		return section_once(x, sec, &x->seen_supervise) != 0 ? -1 :
			section_supervise(x, sec, e, n);
	if (strcmp(sec, "tables") == 0)
		return section_once(x, sec, &x->seen_tables) != 0 ? -1 :
			section_tables(x, sec, e, n);
	if (strcmp(sec, "metrics") == 0)
		return section_once(x, sec, &x->seen_metrics) != 0 ? -1 :
			section_metrics(x, sec, e, n);
	if (strcmp(sec, "ctl") == 0)
		return section_once(x, sec, &x->seen_ctl) != 0 ? -1 :
			section_ctl(x, sec, e, n);
	if (strcmp(sec, "cpu") == 0)
		return section_once(x, sec, &x->seen_cpu) != 0 ? -1 : section_cpu(x, sec, e, n);
	if (strncmp(sec, "port.", 5) == 0)
		return section_port(x, sec, e, n);
	return conf_fail(x, "unknown section [%s] (known: global, memory, worker, supervise, "
			 "tables, metrics, ctl, cpu, port.NAME)", sec);
}

/* Every line is a comment, a [section] or key = value inside a section.
 * (rte_cfgfile skips a line without '=' silently: a typo must not vanish.) */
static int
syntax_check(struct parse_ctx *x)
{
	char *line = NULL, *s, *end;
	FILE *f = fopen(x->path, "r");
	int lineno = 0, in_section = 0, rc = 0;
	size_t cap = 0;
	ssize_t n;

	if (f == NULL)
		return conf_fail(x, "cannot open: %s", strerror(errno));
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		/* rte_cfgfile would cut the line at a NUL without a word */
		if ((size_t)n != strlen(line)) {
			rc = conf_fail(x, "line %d: contains a NUL byte", lineno);
			break;
		}
		s = strchr(line, ';');
		if (s != NULL)
			*s = '\0';
		for (s = line; isspace((unsigned char)*s); s++)
			;
		for (end = s + strlen(s); end > s && isspace((unsigned char)end[-1]); end--)
			*(end - 1) = '\0';
		if (*s == '\0')
			continue;
		if (*s == '[') {
			in_section = 1;
			if (end[-1] == ']' && end - s > 2)
				continue;
			rc = conf_fail(x, "line %d: a section header is [name]", lineno);
			break;
		}
		if (!in_section || strchr(s, '=') == NULL || *s == '=' ||
		    strchr(s, '=')[1] == '\0') {
			rc = conf_fail(x, "line %d: '%s' is not 'key = value' inside a [section]",
				       lineno, s);
			break;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

static int
is_vdev_of(const struct primary_conf *c, uint32_t i, const char *drv, const char *alias)
{
	const char *d = c->ports[i].devargs;

	return c->kind[i] == CONF_PORT_VDEV &&
	       (strncmp(d, drv, strlen(drv)) == 0 || strncmp(d, alias, strlen(alias)) == 0);
}

/* A net_tap port's kernel interface: not too long, not another port's
 * interface, not a port's exception interface <name>.kni. */
static int
check_tap_iface(struct parse_ctx *x, uint32_t i)
{
	const struct primary_conf *c = x->c;
	char ifi[CONF_DEVARG_LEN], ifj[CONF_DEVARG_LEN];
	uint32_t j;

	if (!conf_devarg(c->ports[i].devargs, "iface", ifi, sizeof(ifi)))
		return 0;
	if (ifi[0] == '\0' || strlen(ifi) >= CONF_IFNAMSIZ)
		return conf_fail(x, "[port.%s] vdev: iface '%s' must be 1 to %d characters (a "
				 "kernel interface name)", c->ports[i].name, ifi,
				 CONF_IFNAMSIZ - 1);
	for (j = 0; j < c->g.nports; j++) {
		if (strcmp(ifi, c->ports[j].kni_name) == 0)
			return conf_fail(x, "[port.%s] vdev: iface %s is the exception interface of "
					 "[port.%s]", c->ports[i].name, ifi, c->ports[j].name);
		if (j < i && is_vdev_of(c, j, "net_tap", "eth_tap") &&
		    conf_devarg(c->ports[j].devargs, "iface", ifj, sizeof(ifj)) &&
		    strcmp(ifi, ifj) == 0)
			return conf_fail(x, "[port.%s] and [port.%s] name the same tap interface "
					 "iface=%s: each port needs its own", c->ports[j].name,
					 c->ports[i].name, ifi);
	}
	return 0;
}

/* Two net_memif ports may share a socket only with the same role and
 * different ids (as DPDK's memif driver requires). */
static int
check_memif_socket(struct parse_ctx *x, uint32_t i)
{
	const struct primary_conf *c = x->c;
	char si[CONF_DEVARG_LEN], sj[CONF_DEVARG_LEN], ii[32], ij[32], ri[32], rj[32];
	uint32_t j;

	if (!conf_devarg(c->ports[i].devargs, "socket", si, sizeof(si)))
		snprintf(si, sizeof(si), "%s", CONF_MEMIF_DEFAULT_SOCKET);
	if (!conf_devarg(c->ports[i].devargs, "id", ii, sizeof(ii)))
		snprintf(ii, sizeof(ii), "0");
	if (!conf_devarg(c->ports[i].devargs, "role", ri, sizeof(ri)))
		snprintf(ri, sizeof(ri), "server");
	for (j = 0; j < i; j++) {
		if (!is_vdev_of(c, j, "net_memif", "eth_memif"))
			continue;
		if (!conf_devarg(c->ports[j].devargs, "socket", sj, sizeof(sj)))
			snprintf(sj, sizeof(sj), "%s", CONF_MEMIF_DEFAULT_SOCKET);
		if (strcmp(si, sj) != 0)
			continue;
		if (!conf_devarg(c->ports[j].devargs, "id", ij, sizeof(ij)))
			snprintf(ij, sizeof(ij), "0");
		if (!conf_devarg(c->ports[j].devargs, "role", rj, sizeof(rj)))
			snprintf(rj, sizeof(rj), "server");
		if (strcmp(ii, ij) == 0 || strcmp(ri, rj) != 0)
			return conf_fail(x, "[port.%s] and [port.%s] use the same memif socket %s "
					 "(id %s and %s, role %s and %s): ports on one socket need "
					 "the same role and different ids", c->ports[j].name,
					 c->ports[i].name, si, ij, ii, rj, ri);
	}
	return 0;
}

static int
check_whole(struct parse_ctx *x)
{
	struct primary_conf *c = x->c;
	char msg[256];
	uint32_t i, j;

	if (c->g.nports == 0)
		return conf_fail(x, "no port: add a [port.NAME] section with vdev = or pci =");
	/* an idle worker beats once per sleep: leave it ten sleeps */
	if (c->sup.hang_timeout_ms != 0 &&
	    (uint64_t)c->sup.hang_timeout_ms * 1000u < 10ull * c->g.idle_sleep_us)
		return conf_fail(x, "[supervise] hang_timeout_ms = %u is shorter than ten "
				 "[worker] idle_sleep_us (%u us): an idle worker would be "
				 "killed as hung", c->sup.hang_timeout_ms, c->g.idle_sleep_us);
	if (dpvs_caps_check(&c->g.caps, msg, sizeof(msg)) != 0)
		return conf_fail(x, "%s", msg);
	/* DPDK's bound: a cache flushes above 1.5 x its size (the limits of both
	 * keys keep to it today: 1.5 x 512 < 1024) */
	if ((uint64_t)c->g.mbuf_cache * 3 / 2 > c->g.mbufs)
		return conf_fail(x, "[memory] mbuf_cache = %u needs mbufs >= %u (1.5 x the cache)",
				 c->g.mbuf_cache, c->g.mbuf_cache * 3 / 2);
	if (conf_cpu_check(&c->cpu, c->g.nworkers, msg, sizeof(msg)) != 0)
		return conf_fail(x, "%s", msg);
	for (i = 0; i < c->g.nports; i++) {
		size_t li = strcspn(c->ports[i].devargs, ",");

		c->ports[i].nb_queues = (uint16_t)c->g.nworkers;
		for (j = 0; j < i; j++) {
			size_t lj = strcspn(c->ports[j].devargs, ",");

			if (li == lj && strncmp(c->ports[i].devargs, c->ports[j].devargs, li) == 0)
				return conf_fail(x, "[port.%s] and [port.%s] use the same device %.*s",
						 c->ports[j].name, c->ports[i].name, (int)li,
						 c->ports[i].devargs);
		}
		if (is_vdev_of(c, i, "net_tap", "eth_tap") && check_tap_iface(x, i) != 0)
			return -1;
		if (is_vdev_of(c, i, "net_memif", "eth_memif") && check_memif_socket(x, i) != 0)
			return -1;
	}
	return 0;
}

int
conf_parse(const char *path, struct primary_conf *c, char *err, size_t errlen)
{
	struct parse_ctx x = { .path = path, .c = c, .err = err, .errlen = errlen };
	struct rte_cfgfile_entry *ents;
	char sec[CFG_NAME_LEN];
	struct rte_cfgfile *cfg;
	int i, n, nsec, rc = 0;

	conf_defaults(c);
	if (syntax_check(&x) != 0)
		return -1;
	cfg = rte_cfgfile_load(path, 0);
	if (cfg == NULL)
		return conf_fail(&x, "not a valid INI file");
	nsec = rte_cfgfile_num_sections(cfg, NULL, 0);
	for (i = 0; rc == 0 && i < nsec; i++) {
		n = rte_cfgfile_section_num_entries_by_index(cfg, sec, i);
		if (n < 0) {
			rc = conf_fail(&x, "cannot read section %d", i + 1);
			break;
		}
		ents = calloc((size_t)n + 1, sizeof(*ents));
		if (ents == NULL) {
			rc = conf_fail(&x, "out of memory");
			break;
		}
		if (rte_cfgfile_section_entries_by_index(cfg, i, sec, ents, n) != n)
			rc = conf_fail(&x, "cannot read section [%s]", sec);
		else
			rc = do_section(&x, sec, ents, n);
		free(ents);
	}
	rte_cfgfile_close(cfg);
	if (rc == 0)
		rc = check_whole(&x);
	return rc;
}
