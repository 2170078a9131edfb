/*
 * Unit tests for the dpvs.conf parser (primary/conf.c): a good file fills
 * dpvs_global_conf and dpvs_port_info; each bad input is refused with a
 * message naming the section and key. Temp files, no EAL.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "primary/conf.h"
#include "primary/cpu.h"

static char *
write_conf(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_primary_conf.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
	return path;
}

static int
parse_text(const char *text, struct primary_conf *c, char *err, size_t errlen)
{
	char *path = write_conf(text);
	int rc;

	err[0] = '\0';
	rc = conf_parse(path, c, err, errlen);
	unlink(path);
	return rc;
}

START_TEST(test_good_file)
{
	static const char text[] =
		"; a node\n"
		"[global]\n"
		"file_prefix = node7            ; EAL prefix\n"
		"run_dir = /run/dpvs7\n"
		"[memory]\n"
		"mbufs = 32768\n"
		"mbuf_cache = 64\n"
		"[worker]\n"
		"count = 2\n"
		"idle_sleep_us = 0 ; pure polling\n"
		"conns = 1000\n"
		"seqx_conns = 200\n"
		"ipv6_conns = 300\n"
		"[port.dpdk0]\n"
		"vdev = net_tap0,iface=lbwire0\n"
		"forward = on\n"
		"mtu = 1280\n"
		"forward2kni = on\n"
		"kni_rate = 1000\n"
		"kni_ctrl_rate = 0\n"
		"kni_priority = tcp:22,udp:161,icmp,tcp\n"
		"[port.wan1]\n"
		"pci = 0000:03:00.1\n"
		"forward = off\n";
	struct primary_conf c;
	char err[256];

	ck_assert_int_eq(parse_text(text, &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.g.file_prefix, "node7");
	ck_assert_str_eq(c.g.run_dir, "/run/dpvs7");
	ck_assert_uint_eq(c.g.mbufs, 32768);
	ck_assert_uint_eq(c.g.mbuf_cache, 64);
	ck_assert_uint_eq(c.g.nworkers, 2);
	ck_assert_uint_eq(c.g.idle_sleep_us, 0);
	ck_assert_uint_eq(c.g.conn_capacity, 1000);
	ck_assert_uint_eq(c.g.seqx_capacity, 200);
	ck_assert_uint_eq(c.g.v6_capacity, 300);
	ck_assert_uint_eq(c.g.nports, 2);
	ck_assert_str_eq(c.ports[0].name, "dpdk0");
	ck_assert_str_eq(c.ports[0].kni_name, "dpdk0.kni");
	ck_assert_str_eq(c.ports[0].devargs, "net_tap0,iface=lbwire0");
	ck_assert_uint_eq(c.kind[0], CONF_PORT_VDEV);
	ck_assert_uint_eq(c.ports[0].nb_queues, 2);
	ck_assert_str_eq(c.ports[1].name, "wan1");
	ck_assert_str_eq(c.ports[1].devargs, "0000:03:00.1");
	ck_assert_uint_eq(c.kind[1], CONF_PORT_PCI);
	/* the port switches: forwarding, the MTU (0: the driver's) */
	ck_assert_uint_eq(c.ports[0].flags & DPVS_PORT_F_FORWARD, DPVS_PORT_F_FORWARD);
	ck_assert_uint_eq(c.mtu[0], 1280);
	ck_assert_uint_eq(c.ports[1].flags & DPVS_PORT_F_FORWARD, 0);
	ck_assert_uint_eq(c.mtu[1], 0);
	/* the exception path: the mirror, the budgets, the management class */
	ck_assert_uint_eq(c.ports[0].flags & DPVS_PORT_F_FORWARD2KNI, DPVS_PORT_F_FORWARD2KNI);
	ck_assert_uint_eq(c.ports[1].flags & DPVS_PORT_F_FORWARD2KNI, 0);
	ck_assert_uint_eq(c.ports[0].kni_rate[DPVS_KNI_BULK], 1000);
	ck_assert_uint_eq(c.ports[0].kni_rate[DPVS_KNI_CTRL], 0);
	ck_assert_uint_eq(c.ports[0].kni_rate[DPVS_KNI_MGMT], 5000);
	ck_assert_uint_eq(c.ports[0].kni_prio[0].proto, IPPROTO_TCP);
	ck_assert_uint_eq(c.ports[0].kni_prio[0].port, 22);
	ck_assert_uint_eq(c.ports[0].kni_prio[1].proto, IPPROTO_UDP);
	ck_assert_uint_eq(c.ports[0].kni_prio[1].port, 161);
	ck_assert_uint_eq(c.ports[0].kni_prio[2].proto, IPPROTO_ICMP);
	ck_assert_uint_eq(c.ports[0].kni_prio[3].proto, IPPROTO_TCP);
	ck_assert_uint_eq(c.ports[0].kni_prio[3].port, 0);
	ck_assert_uint_eq(c.ports[0].kni_prio[4].proto, 0);
	/* wan1: the defaults, tcp:22 and icmp */
	ck_assert_uint_eq(c.ports[1].kni_rate[DPVS_KNI_CTRL], 20000);
	ck_assert_uint_eq(c.ports[1].kni_rate[DPVS_KNI_BULK], 20000);
	ck_assert_uint_eq(c.ports[1].kni_prio[0].port, 22);
	ck_assert_uint_eq(c.ports[1].kni_prio[1].proto, IPPROTO_ICMP);
	ck_assert_uint_eq(c.ports[1].kni_prio[2].proto, 0);
}
END_TEST

START_TEST(test_cpu)
{
	static const char text[] = "[worker]\ncount = 3\n[cpu]\nworkers = 5, 2-3\n"
				   "control = 0-1,7\n[port.p]\nvdev = net_tap0\n";
	struct primary_conf c;
	char err[256];

	ck_assert_int_eq(parse_text(text, &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.cpu.nworker_cpus, 3);
	ck_assert_uint_eq(c.cpu.worker_cpu[0], 5);
	ck_assert_uint_eq(c.cpu.worker_cpu[1], 2);
	ck_assert_uint_eq(c.cpu.worker_cpu[2], 3);
	ck_assert_int_eq(c.cpu.has_control, 1);
	ck_assert_int_eq(CPU_COUNT(&c.cpu.control), 3);
	ck_assert(CPU_ISSET(0, &c.cpu.control) && CPU_ISSET(1, &c.cpu.control) &&
		  CPU_ISSET(7, &c.cpu.control));
	/* without [cpu] nothing is pinned */
	ck_assert_int_eq(parse_text("[port.p]\nvdev = net_tap0\n", &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.cpu.nworker_cpus, 0);
	ck_assert_int_eq(c.cpu.has_control, 0);
}
END_TEST

/* where a leaving process goes (primary/sup_prio.c): the CPUs this process
 * may run on but the workers'; none when they all are, or none pinned */
START_TEST(test_cpu_off_workers)
{
	struct conf_cpu c;
	cpu_set_t own, off;
	int k, first = -1, n = 0;

	ck_assert_int_eq(sched_getaffinity(0, sizeof(own), &own), 0);
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(cpu_off_workers(&c, &off), 0);
	for (k = 0; k < CONF_CPU_MAX && n < DPVS_MAX_WORKERS; k++)
		if (CPU_ISSET(k, &own)) {
			first = first < 0 ? k : first;
			c.worker_cpu[n++] = (uint16_t)k;
		}
	c.nworker_cpus = 1;
	ck_assert_int_eq(cpu_off_workers(&c, &off), CPU_COUNT(&own) - 1);
	ck_assert(!CPU_ISSET(first, &off));
	if (CPU_COUNT(&own) <= DPVS_MAX_WORKERS) {
		c.nworker_cpus = (uint32_t)n;
		ck_assert_int_eq(cpu_off_workers(&c, &off), 0);
	}
}
END_TEST

START_TEST(test_defaults)
{
	struct primary_conf c;
	char err[256];

	ck_assert_int_eq(parse_text("[port.p0]\nvdev = net_tap0\n", &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.g.file_prefix, "dpvs");
	ck_assert_str_eq(c.g.run_dir, "/run/dpvs");
	ck_assert_uint_eq(c.g.mbufs, 16384);
	ck_assert_uint_eq(c.g.mbuf_cache, 64);
	ck_assert_uint_eq(c.g.nworkers, 1);
	ck_assert_uint_eq(c.g.idle_sleep_us, 50);
	ck_assert_uint_eq(c.g.conn_capacity, DPVS_CONN_DEFAULT_CAP);
	ck_assert_uint_eq(c.g.seqx_capacity, 0);   /* shm: a quarter of conns */
	ck_assert_uint_eq(c.g.v6_capacity, 0);     /* shm: DPVS_CONN_V6_DEFAULT */
	ck_assert_uint_eq(c.g.nports, 1);
	ck_assert_uint_eq(c.ports[0].flags & DPVS_PORT_F_FORWARD, 0); /* a router only if told */
	ck_assert_uint_eq(c.mtu[0], 0);
	/* [tables]: at least 4096 services and 65536 dests by default */
	ck_assert_uint_eq(c.g.caps.services, 4096);
	ck_assert_uint_eq(c.g.caps.dests, 65536);
	ck_assert_uint_eq(c.g.caps.svc_dests, 256);
	ck_assert_uint_eq(c.g.caps.svc_laddrs, 16);
	ck_assert_uint_eq(c.g.caps.routes, 1024);
	ck_assert_uint_eq(c.g.caps.sneigh, 256);
	ck_assert_uint_eq(c.g.caps.addrs, 256);
	ck_assert_uint_eq(c.g.caps.sched_tables, 1024);
	/* no metrics, the socket in dpvs-ctl's own group, no read-only role */
	ck_assert_str_eq(c.g.metrics_addr, "");
	ck_assert_uint_eq(c.g.metrics_port, 0);
	ck_assert_str_eq(c.g.socket_group, "");
	ck_assert_str_eq(c.g.readonly_group, "");
}
END_TEST

START_TEST(test_metrics_and_ctl)
{
	struct primary_conf c;
	char err[256];

	ck_assert_int_eq(parse_text("[metrics]\nlisten = 127.0.0.1:9100\n[ctl]\nsocket_group = root\n"
				    "readonly_group = root\n[port.p0]\nvdev = net_tap0\n", &c, err,
				    sizeof(err)), 0);
	ck_assert_str_eq(c.g.metrics_addr, "127.0.0.1");
	ck_assert_uint_eq(c.g.metrics_port, 9100);
	ck_assert_str_eq(c.g.socket_group, "root");
	ck_assert_str_eq(c.g.readonly_group, "root");
	ck_assert_int_eq(parse_text("[metrics]\nlisten = [::1]:80\n[port.p0]\nvdev = net_tap0\n", &c,
				    err, sizeof(err)), 0);
	ck_assert_str_eq(c.g.metrics_addr, "::1");
	ck_assert_uint_eq(c.g.metrics_port, 80);
}
END_TEST

static const struct {
	const char *text;
	const char *addr;
	int port;                  /* -1: refused */
} hostports[] = {
	{ "0.0.0.0:9100", "0.0.0.0", 9100 },
	{ "[2001:db8::1]:65535", "2001:db8::1", 65535 },
	{ "10.0.0.1", NULL, -1 },
	{ "10.0.0.1:", NULL, -1 },
	{ "10.0.0.1:0", NULL, -1 },
	{ "10.0.0.1:65536", NULL, -1 },
	{ "10.0.0.1:80x", NULL, -1 },
	{ "localhost:80", NULL, -1 },
	{ "::1:80", NULL, -1 },
	{ "[::1]80", NULL, -1 },
	{ "[10.0.0.1]:80", NULL, -1 },
	{ ":80", NULL, -1 },
};

START_TEST(test_hostport)
{
	char addr[48] = "";
	uint16_t port = 0;
	int rc = conf_hostport(hostports[_i].text, addr, sizeof(addr), &port);

	if (hostports[_i].port < 0) {
		ck_assert_msg(rc != 0, "%s accepted", hostports[_i].text);
		return;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(addr, hostports[_i].addr);
	ck_assert_int_eq(port, hostports[_i].port);
}
END_TEST

START_TEST(test_tables)
{
	static const char text[] =
		"[tables]\n"
		"services = 100000\n";
	static const char good[] =
		"[tables]\n"
		"services = 20000     ; big node\n"
		"dests = 200000\n"
		"dests_per_service = 32\n"
		"laddrs_per_service = 64\n"
		"routes = 5000\n"
		"static_neighbours = 1000\n"
		"addresses = 2000\n"
		"hash_tables = 0\n"
		"[port.p]\nvdev = net_tap0\n";
	struct primary_conf c;
	char err[256];

	ck_assert_int_eq(parse_text(good, &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.g.caps.services, 20000);
	ck_assert_uint_eq(c.g.caps.dests, 200000);
	ck_assert_uint_eq(c.g.caps.svc_dests, 32);
	ck_assert_uint_eq(c.g.caps.svc_laddrs, 64);
	ck_assert_uint_eq(c.g.caps.routes, 5000);
	ck_assert_uint_eq(c.g.caps.sneigh, 1000);
	ck_assert_uint_eq(c.g.caps.addrs, 2000);
	ck_assert_uint_eq(c.g.caps.sched_tables, 0);
	ck_assert_int_ne(parse_text(text, &c, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "[tables] services = 100000: must be between 1 and 65534"));
}
END_TEST

START_TEST(test_ports_in_file_order)
{
	struct primary_conf c;
	char err[256];

	ck_assert_int_eq(parse_text("[port.zz]\nvdev = net_tap1\n[worker]\ncount = 1\n"
				    "[port.aa]\nvdev = net_tap0\n", &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.ports[0].name, "zz");
	ck_assert_str_eq(c.ports[1].name, "aa");
}
END_TEST

/* rte_cfgfile would cut a line at a NUL: "iface=wire0\0x" must not become
 * "iface=wire0". */
START_TEST(test_nul_in_line)
{
	static const char text[] = "[port.p]\nvdev = net_tap0,iface=wire0\0x\n";
	char path[] = "/tmp/test_primary_conf.XXXXXX", err[256] = "";
	struct primary_conf c;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	ck_assert_int_ne(conf_parse(path, &c, err, sizeof(err)), 0);
	unlink(path);
	ck_assert_msg(strstr(err, "line 2: contains a NUL byte") != NULL, "%s", err);
}
END_TEST

START_TEST(test_pollable_vdevs)
{
	struct primary_conf c;
	char err[256];

	/* every driver a secondary can poll; memif ports share a socket with
	 * different ids and one role; taps with different interfaces */
	ck_assert_int_eq(parse_text("[port.a]\nvdev = net_tap0,iface=wa\n"
				    "[port.b]\nvdev = net_tap1,iface=wb\n"
				    "[port.c]\nvdev = net_memif0,socket=/tmp/m.sock,id=1\n"
				    "[port.d]\nvdev = net_memif1,socket=/tmp/m.sock,id=2\n"
				    "[port.e]\nvdev = net_ring0\n"
				    "[port.f]\nvdev = net_null0,no-rx=1\n"
				    "[port.g]\nvdev = eth_tap2\n"
				    "[port.h]\nvdev = net_memif2,socket=/tmp/n.sock\n",
				    &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.g.nports, 8);
	/* the primary checks the driver DPDK chose by its bare name too */
	ck_assert_ptr_null(conf_vdev_refusal("net_tap", err, sizeof(err)));
	ck_assert_ptr_null(conf_vdev_refusal("net_memif", err, sizeof(err)));
	ck_assert_ptr_nonnull(conf_vdev_refusal("net_af_packet", err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "net_af_packet cannot be a data port"));
}
END_TEST

START_TEST(test_devarg)
{
	char v[32];

	ck_assert_int_eq(conf_devarg("net_tap0,iface=a,mac=x", "iface", v, sizeof(v)), 1);
	ck_assert_str_eq(v, "a");
	ck_assert_int_eq(conf_devarg("net_tap0,iface=a,mac=x", "mac", v, sizeof(v)), 1);
	ck_assert_str_eq(v, "x");
	ck_assert_int_eq(conf_devarg("net_tap0,xiface=a", "iface", v, sizeof(v)), 0);
	ck_assert_int_eq(conf_devarg("net_tap0,ifac=a", "iface", v, sizeof(v)), 0);
	ck_assert_int_eq(conf_devarg("iface=a", "iface", v, sizeof(v)), 0); /* the name */
	ck_assert_int_eq(conf_devarg("net_tap0,iface=", "iface", v, sizeof(v)), 1);
	ck_assert_str_eq(v, "");
}
END_TEST

START_TEST(test_missing_file)
{
	struct primary_conf c;
	char err[256] = "";

	ck_assert_int_ne(conf_parse("/nonexistent/dpvs.conf", &c, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/dpvs.conf"));
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
}
END_TEST

/* Each bad input and a piece of the message it must get. */
static const struct {
	const char *text;
	const char *msg;
} bad[] = {
	{ "[bogus]\nx = 1\n[port.p]\nvdev = net_tap0\n", "unknown section [bogus]" },
	{ "[global]\ncolour = red\n[port.p]\nvdev = net_tap0\n", "[global] unknown key 'colour'" },
	{ "[memory]\nmbuf = 5\n[port.p]\nvdev = net_tap0\n", "[memory] unknown key 'mbuf'" },
	{ "[worker]\ncounts = 1\n[port.p]\nvdev = net_tap0\n", "[worker] unknown key 'counts'" },
	{ "[worker]\ncount = 0\n[port.p]\nvdev = net_tap0\n", "[worker] count = 0" },
	{ "[worker]\ncount = 17\n[port.p]\nvdev = net_tap0\n", "[worker] count = 17: must be between 1 and 16" },
	{ "[worker]\ncount = two\n[port.p]\nvdev = net_tap0\n", "[worker] count = 'two': not a number" },
	{ "[worker]\ncount = -1\n[port.p]\nvdev = net_tap0\n", "[worker] count = '-1'" },
	{ "[worker]\ncount = 2x\n[port.p]\nvdev = net_tap0\n", "[worker] count = '2x'" },
	{ "[worker]\nidle_sleep_us = 2000000\n[port.p]\nvdev = net_tap0\n", "[worker] idle_sleep_us = 2000000" },
	{ "[worker]\nconns = 15\n[port.p]\nvdev = net_tap0\n", "[worker] conns = 15: must be between 16 and 16777216" },
	{ "[worker]\nconns = 16777217\n[port.p]\nvdev = net_tap0\n", "[worker] conns = 16777217: must be between 16 and 16777216" },
	{ "[worker]\nconns = many\n[port.p]\nvdev = net_tap0\n", "[worker] conns = 'many': not a number" },
	{ "[worker]\nseqx_conns = 15\n[port.p]\nvdev = net_tap0\n", "[worker] seqx_conns = 15: must be between 16 and 16777216" },
	{ "[worker]\nseqx_conns = 16777217\n[port.p]\nvdev = net_tap0\n", "[worker] seqx_conns = 16777217: must be between 16 and 16777216" },
	{ "[worker]\nipv6_conns = 15\n[port.p]\nvdev = net_tap0\n",
			"[worker] ipv6_conns = 15: must be between 16 and 16777216" },
	{ "[memory]\nmbufs = 10\n[port.p]\nvdev = net_tap0\n", "[memory] mbufs = 10" },
	{ "[memory]\nmbuf_cache = 513\n[port.p]\nvdev = net_tap0\n",
			"[memory] mbuf_cache = 513: must be between 0 and 512" },
	{ "[worker]\ncount = 1\ncount = 2\n[port.p]\nvdev = net_tap0\n", "[worker] count is given twice" },
	{ "[worker]\n[worker]\n[port.p]\nvdev = net_tap0\n", "[worker] is given twice" },
	{ "[port.p]\n", "[port.p] needs vdev" },
	{ "[port.p]\nvdev = net_tap0\npci = 0000:03:00.0\n", "[port.p] has both vdev and pci" },
	{ "[port.p]\npci = 3:0.0.0\n", "[port.p] pci = '3:0.0.0': not a PCI address" },
	{ "[port.p]\nvdev = net_tap0\nspeed = 10G\n", "[port.p] unknown key 'speed'" },
	{ "[port.p]\nvdev = net_tap0\nforward = yes\n", "[port.p] forward = 'yes': on or off" },
	{ "[port.p]\nvdev = net_tap0\nforward2kni = 1\n", "[port.p] forward2kni = '1': on or off" },
	{ "[port.p]\nvdev = net_tap0\nkni_rate = -5\n", "[port.p] kni_rate = '-5': packets per second" },
	{ "[port.p]\nvdev = net_tap0\nkni_ctrl_rate = 20000000\n", "kni_ctrl_rate = '20000000'" },
	{ "[port.p]\nvdev = net_tap0\nkni_priority = sctp:22\n", "'sctp': tcp[:PORT], udp[:PORT] or icmp" },
	{ "[port.p]\nvdev = net_tap0\nkni_priority = tcp:0\n", "a port is 1..65535" },
	{ "[port.p]\nvdev = net_tap0\nkni_priority = tcp:22,\n", "a trailing ','" },
	{ "[port.p]\nvdev = net_tap0\nkni_priority = icmp:3\n", "'icmp:3'" },
	{ "[port.p]\nvdev = net_tap0\nmtu = 100\n", "[port.p] mtu = 100: must be between 576" },
	{ "[port.p]\nvdev = net_tap0\nmtu = 1500b\n", "[port.p] mtu = '1500b': not a number" },
	{ "[port.averyverylongname]\nvdev = net_tap0\n", "longer than 11 characters" },
	{ "[port.a/b]\nvdev = net_tap0\n", "[port.a/b]: a port name" },
	{ "[port.]\nvdev = net_tap0\n", "[port.]: a port name" },
	{ "[port.p]\nvdev = net_tap0\n[port.p]\nvdev = net_tap1\n", "[port.p] is given twice" },
	{ "[port.p]\nvdev = net_tap0\n[port.q]\nvdev = net_tap0,iface=x\n", "use the same device net_tap0" },
	{ "[port.p]\nvdev = net_tap_kni0\n", "reserved for the exception ports" },
	{ "[port.p]\nvdev = net_memif0,role=client,zero-copy=yes\n", "memif zero-copy is not safe" },
	{ "[port.p0]\nvdev=net_tap0\n[port.p1]\nvdev=net_tap1\n[port.p2]\nvdev=net_tap2\n"
	  "[port.p3]\nvdev=net_tap3\n[port.p4]\nvdev=net_tap4\n[port.p5]\nvdev=net_tap5\n"
	  "[port.p6]\nvdev=net_tap6\n[port.p7]\nvdev=net_tap7\n[port.p8]\nvdev=net_tap8\n",
	  "[port.p8]: too many ports, at most 8" },
	{ "[global]\nfile_prefix = a/b\n[port.p]\nvdev = net_tap0\n", "[global] file_prefix = 'a/b'" },
	{ "[global]\nrun_dir = run\n[port.p]\nvdev = net_tap0\n", "[global] run_dir = 'run': must be an absolute path" },
	{ "[global]\nrun_dir = /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n[port.p]\nvdev = net_tap0\n", "unix socket path" },
	/* drivers a worker (a DPDK secondary) cannot poll */
	{ "[port.p]\nvdev = net_af_packet0,iface=eth0\n",
	  "[port.p] vdev = 'net_af_packet0,iface=eth0': net_af_packet cannot be a data port: its "
	  "rx/tx functions do not exist in a secondary process" },
	{ "[port.p]\nvdev = eth_af_packet0,iface=eth0\n", "eth_af_packet cannot be a data port" },
	{ "[port.p]\nvdev = net_af_xdp0,iface=eth0\n",
	  "net_af_xdp cannot be a data port: its sockets are not shared" },
	{ "[port.p]\nvdev = net_pcap0,iface=eth0\n",
	  "[port.p] vdev = 'net_pcap0,iface=eth0': net_pcap0 is not a driver the workers" },
	{ "[port.p]\nvdev = net_bonding0\n", "net_bonding0 is not a driver the workers" },
	/* two ports on one tap interface, or on a port's exception interface */
	{ "[port.p]\nvdev = net_tap0,iface=wire0\n[port.q]\nvdev = net_tap1,iface=wire0\n",
	  "[port.p] and [port.q] name the same tap interface iface=wire0" },
	{ "[port.p]\nvdev = net_tap0,iface=w\n[port.q]\nvdev = eth_tap1,speed=10,iface=w\n",
	  "[port.p] and [port.q] name the same tap interface iface=w" },
	{ "[port.p]\nvdev = net_tap0,iface=q.kni\n[port.q]\nvdev = net_tap1,iface=x\n",
	  "[port.p] vdev: iface q.kni is the exception interface of [port.q]" },
	{ "[port.p]\nvdev = net_tap0,iface=p.kni\n", "iface p.kni is the exception interface of [port.p]" },
	{ "[port.p]\nvdev = net_tap0,iface=abcdefghijklmnop\n", "iface 'abcdefghijklmnop' must be 1 to 15" },
	{ "[port.p]\nvdev = net_tap0,iface=\n", "iface '' must be 1 to 15" },
	/* two memif ports on one socket with one id, or with both roles */
	{ "[port.p]\nvdev = net_memif0,socket=/tmp/m.sock\n[port.q]\nvdev = net_memif1,socket=/tmp/m.sock\n",
	  "[port.p] and [port.q] use the same memif socket /tmp/m.sock (id 0 and 0" },
	{ "[port.p]\nvdev = net_memif0\n[port.q]\nvdev = net_memif1,id=0\n",
	  "use the same memif socket /run/memif.sock" },
	{ "[port.p]\nvdev = net_memif0,id=1\n[port.q]\nvdev = net_memif1,id=2,role=client\n",
	  "role server and client" },
	{ "[worker]\ncount = 1\n", "no port" },
	{ "", "no port" },
	{ "count = 1\n[port.p]\nvdev = net_tap0\n", "line 1" },
	{ "[worker\ncount = 1\n", "line 1: a section header is [name]" },
	{ "[worker]\ncount 1\n", "line 2" },
	{ "[tables]\nservice = 5\n[port.p]\nvdev = net_tap0\n", "[tables] unknown key 'service'" },
	{ "[tables]\nservices = 0\n[port.p]\nvdev = net_tap0\n",
	  "[tables] services = 0: must be between 1 and 65534" },
	{ "[tables]\ndests = 2000000\n[port.p]\nvdev = net_tap0\n",
	  "[tables] dests = 2000000: must be between 1 and 1048576" },
	{ "[tables]\ndests = lots\n[port.p]\nvdev = net_tap0\n", "[tables] dests = 'lots': not a number" },
	{ "[tables]\nladdrs_per_service = 300\n[port.p]\nvdev = net_tap0\n",
	  "[tables] laddrs_per_service = 300" },
	{ "[tables]\nroutes = 0\n[port.p]\nvdev = net_tap0\n", "[tables] routes = 0" },
	{ "[tables]\ndests = 100\n[port.p]\nvdev = net_tap0\n",
	  "[tables] dests_per_service = 256 is more than dests = 100" },
	{ "[tables]\nservices = 10\n[port.p]\nvdev = net_tap0\n",
	  "[tables] hash_tables = 1024 is more than services = 10" },
	{ "[tables]\nservices = 60000\ndests_per_service = 60000\ndests = 60000\n"
	  "[port.p]\nvdev = net_tap0\n", "services x dests_per_service" },
	{ "[tables]\nroutes = 10\n[tables]\nroutes = 20\n[port.p]\nvdev = net_tap0\n",
	  "[tables] is given twice" },
	{ "[metrics]\nlisten = 9100\n[port.p]\nvdev = net_tap0\n",
	  "[metrics] listen = '9100': not ADDRESS:PORT" },
	{ "[metrics]\nlisten = host:9100\n[port.p]\nvdev = net_tap0\n",
	  "[metrics] listen = 'host:9100': not ADDRESS:PORT" },
	{ "[metrics]\nport = 9100\n[port.p]\nvdev = net_tap0\n", "[metrics] unknown key 'port'" },
	{ "[ctl]\nsocket_group = no-such-group-here\n[port.p]\nvdev = net_tap0\n",
	  "[ctl] socket_group = 'no-such-group-here': no such group" },
	{ "[ctl]\nreadonly_group = no-such-group-here\n[port.p]\nvdev = net_tap0\n",
	  "[ctl] readonly_group = 'no-such-group-here': no such group" },
	{ "[ctl]\nmode = 0600\n[port.p]\nvdev = net_tap0\n", "[ctl] unknown key 'mode'" },
	/* [cpu]: one CPU of its own per worker, lists only */
	{ "[worker]\ncount = 2\n[cpu]\nworkers = 1\n[port.p]\nvdev = net_tap0\n",
	  "[cpu] workers lists 1 CPU(s) for 2 worker(s): give one CPU per worker" },
	{ "[worker]\ncount = 2\n[cpu]\nworkers = 3,3\n[port.p]\nvdev = net_tap0\n",
	  "[cpu] workers: CPU 3 is given to workers 0 and 1" },
	{ "[cpu]\nworkers = one\n[port.p]\nvdev = net_tap0\n", "[cpu] workers = 'one': not a CPU list" },
	{ "[cpu]\ncontrol = 3-1\n[port.p]\nvdev = net_tap0\n", "[cpu] control = '3-1': not a CPU list" },
	{ "[cpu]\ncontrol = 1024\n[port.p]\nvdev = net_tap0\n", "[cpu] control = '1024'" },
	{ "[cpu]\nworker = 1\n[port.p]\nvdev = net_tap0\n", "[cpu] unknown key 'worker'" },
};

START_TEST(test_bad_input)
{
	struct primary_conf c;
	char err[512];

	ck_assert_int_ne(parse_text(bad[_i].text, &c, err, sizeof(err)), 0);
	if (strstr(err, bad[_i].msg) == NULL)
		ck_abort_msg("case %d: message '%s' does not contain '%s'", _i, err, bad[_i].msg);
	ck_assert_ptr_nonnull(strstr(err, "/tmp/test_primary_conf."));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("primary_conf");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_good_file);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_cpu);
	tcase_add_test(tc, test_metrics_and_ctl);
	tcase_add_loop_test(tc, test_hostport, 0, (int)(sizeof(hostports) / sizeof(hostports[0])));
	tcase_add_test(tc, test_tables);
	tcase_add_test(tc, test_ports_in_file_order);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_pollable_vdevs);
	tcase_add_test(tc, test_devarg);
	tcase_add_test(tc, test_nul_in_line);
	tcase_add_test(tc, test_cpu_off_workers);
	tcase_add_loop_test(tc, test_bad_input, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
