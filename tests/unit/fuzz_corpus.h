/*
 * The corpus of tests/unit/fuzz_ctl.c: command lines that parse (the
 * configuration ones in an order that builds a state the later ones find,
 * then shows), a dpvs.conf with every section, and rules files of many
 * distinct objects of one kind, past the caps of tctl_caps(). Test code.
 */
#ifndef DPVS_TEST_FUZZ_CORPUS_H
#define DPVS_TEST_FUZZ_CORPUS_H

#include <stdio.h>
#include <string.h>

#include "fuzz_mut.h"

/* Commands that parse: configuration first (in this order they build a
 * state that the later ones find), then shows. */
static const char *const seeds[] = {
	"addr add 10.0.0.100/32 dev dpdk0",
	"addr add 10.1.0.1/24 dev dpdk1",
	"addr add 10.1.0.10/32 dev dpdk1",
	"addr add 2001:db8::1/64 dev dpdk0",
	"-A -t 10.0.0.100:80 -s wrr --synproxy on --proxy-protocol v2 --toa on",
	"-A -u 10.0.0.100:53 -s mh -b hash-port",
	"-A -t [2001:db8::100]:443 -s conhash "
	"--rate-in 1000pps:50 --rate-out-bytes 10M:1000",
	"-a -t 10.0.0.100:80 -r 10.1.0.2:80 -b fnat -w 3",
	"-a -t 10.0.0.100:80 -r 10.1.0.3:80 -b fnat -w 1 -x 100 -y 10",
	"-a -u 10.0.0.100:53 -r 10.1.0.2:53 -b fnat",
	"laddr add -t 10.0.0.100:80 10.1.0.10 dev dpdk1",
	"route add 10.2.0.0/16 via 10.1.0.254 dev dpdk1",
	"route add 2001:db8:1::/48 dev dpdk0",
	"neigh add 10.1.0.254 lladdr 02:00:00:00:00:01 dev dpdk1",
	"vlan add v100 dev dpdk0 id 100",
	"blklst add -t 10.0.0.100:80 192.168.0.0/16",
	"whtlst add -u 10.0.0.100:53 10.9.9.9",
	"check set -t 10.0.0.100:80 http --path / --expect 200 --interval 2 --timeout 1 "
	"--rise 2 --fall 2",
	"check set -u 10.0.0.100:53 -r 10.1.0.2:53 udp --send 0102 --expect-data 03",
	"check set -t 10.0.0.100:80 -r 10.1.0.3:80 cmd \"/bin/true --x\"",
	"-E -t 10.0.0.100:80 -s lc --synproxy off",
	"-e -t 10.0.0.100:80 -r 10.1.0.3:80 -w 5 --rate-in 10",
	"port set dpdk0 forward on",
	"port set dpdk1 forward2kni off",
	"--set 900 120 300",
	"timeout set tcp syn_recv 30",
	"timeout set udp 60",
	"check del -t 10.0.0.100:80",
	"blklst del -t 10.0.0.100:80 192.168.0.0/16",
	"laddr del -t 10.0.0.100:80 10.1.0.10",
	"-d -t 10.0.0.100:80 -r 10.1.0.2:80",
	"neigh del 10.1.0.254 dev dpdk1",
	"route del 10.2.0.0/16",
	"vlan del v100",
	"-D -u 10.0.0.100:53",
	"addr del 10.1.0.10/32 dev dpdk1",
	/* shows */
	"addr show", "addr show dev dpdk0", "-L -n", "-L -n --stats", "-L -n -c",
	"-L -n -t 10.0.0.100:80", "-L --timeout", "laddr show", "laddr show -t 10.0.0.100:80",
	"route show", "neigh show", "stats", "worker show", "version", "port show",
	"port show dpdk0", "vlan show", "conn show", "timeout show", "save", "blklst show",
	"whtlst show -t 10.0.0.100:80",
};
#define NSEEDS (sizeof(seeds) / sizeof(seeds[0]))
#define NADD 20     /* the seeds that add something: the initial state */
#define NCONF 36    /* the configuration seeds (the rules files' lines) */

static const char conf_seed[] =
	"; a dpvs.conf with every section\n"
	"[global]\nfile_prefix = dpvs\nrun_dir = /run/dpvs\n"
	"[memory]\nmbufs = 16384\nmbuf_cache = 64\n"
	"[worker]\ncount = 2\nidle_sleep_us = 50\n"
	"[supervise]\nhang_timeout_ms = 2000\n"
	"[tables]\nservices = 256\ndests = 1024\n"
	"[cpu]\nworkers = 1,2\ncontrol = 0\n"
	"[metrics]\nlisten = 127.0.0.1:9180\n"
	"[ctl]\nsocket_group = dpvs\nreadonly_group = dpvs-ro\n"
	"[port.dpdk0]\nvdev = net_tap0,iface=lbwire0\nforward = on\nmtu = 1500\n"
	"kni_ctrl_rate = 20000\nkni_priority = tcp:22,icmp\n"
	"[port.dpdk1]\nvdev = net_memif0,socket=/run/m.sock,id=1,role=client\n"
	"forward2kni = on\nkni_rate = 100\n"
	"[port.dpdk2]\npci = 0000:03:00.0\n";

/* Up to 400 distinct objects of one kind, past the caps of tctl_caps()
 * (256 services and addresses, 128 dests a service, 16 local addresses a
 * service, 256 static neighbours): the paths of a full table. */
static inline void
fz_bulk_rules(struct fz_rng *r, struct fz_buf *b)
{
	static const char *const sched[] = { "rr", "wrr", "lc", "wlc", "mh", "conhash" };
	uint32_t i, n = 1 + fz_below(r, 400), kind = fz_below(r, 9);
	char l[256];

	for (i = 0; i < n; i++) {
		unsigned int hi = (i >> 8) & 255, lo = i & 255;

		switch (kind) {
		case 0:
			snprintf(l, sizeof(l), "addr add 10.%u.%u.1/24 dev dpdk%u\n", 16 + hi, lo,
				 i & 1);
			break;
		case 1:
			snprintf(l, sizeof(l), "-A -%c 10.5.%u.%u:%u -s %s\n", i & 1 ? 'u' : 't', hi,
				 lo, 1 + fz_below(r, 65535), sched[fz_below(r, 6)]);
			break;
		case 2:
			snprintf(l, sizeof(l), "-a -t 10.0.0.100:80 -r 10.3.%u.%u:80 -b fnat -w %u\n",
				 hi, lo, fz_below(r, 100));
			break;
		case 3:
			snprintf(l, sizeof(l), "route add 10.%u.%u.0/24 via 10.1.0.254 dev dpdk1\n",
				 64 + hi, lo);
			break;
		case 4:
			snprintf(l, sizeof(l), "neigh add 10.1.%u.%u lladdr 02:00:00:00:%02x:%02x "
				 "dev dpdk1\n", hi, lo, hi, lo);
			break;
		case 5:
			snprintf(l, sizeof(l), "addr add 10.6.%u.%u/32 dev dpdk1\nladdr add -t "
				 "10.0.0.100:80 10.6.%u.%u dev dpdk1\n", hi, lo, hi, lo);
			break;
		case 6:
			snprintf(l, sizeof(l), "%s -t 10.0.0.100:80 172.%u.%u.0/24\n",
				 i & 1 ? "blklst add" : "whtlst add", 16 + hi, lo);
			break;
		case 7:
			snprintf(l, sizeof(l), "-a -t 10.0.0.100:80 -r 10.4.%u.%u:80\ncheck set -t "
				 "10.0.0.100:80 -r 10.4.%u.%u:80 tcp\n", hi, lo, hi, lo);
			break;
		default:
			snprintf(l, sizeof(l), "vlan add v%u dev dpdk%u id %u\n", i, i & 1,
				 1 + i % 4094);
			break;
		}
		fz_buf_append(b, l, strlen(l));
	}
}

#endif
