/*
 * Data ports and exception taps of the primary (see port.h). Start-up and
 * shut-down only; the primary never touches a packet.
 */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "shm/eal.h"
#include "shm/errf.h"
#include "shm/shm.h"
#include "log.h"
#include "port.h"

#define NB_RXD 1024
#define NB_TXD 1024
#define KNI_DEV_FMT "net_tap_kni%u"
#define TAP_MAX_QUEUE_PAIRS (RTE_MP_MAX_FD_NUM / 2)

bool
port_conf_has_pci(const struct primary_conf *c)
{
	unsigned int i;

	for (i = 0; i < c->g.nports; i++)
		if (c->kind[i] == CONF_PORT_PCI)
			return true;
	return false;
}

void
port_eal_args(const struct primary_conf *c, const char *progname, struct port_eal_args *a)
{
	unsigned int i;

	memset(a, 0, sizeof(*a));
	snprintf(a->prefix, sizeof(a->prefix), "--file-prefix=%s", c->g.file_prefix);
	dpvs_lcores_arg(a->lcores, sizeof(a->lcores), DPVS_LCORE_PRIMARY);
	a->argv[a->argc++] = (char *)progname;
	a->argv[a->argc++] = a->prefix;
	a->argv[a->argc++] = (char *)"--proc-type=primary";
	a->argv[a->argc++] = (char *)"--lcores";
	a->argv[a->argc++] = a->lcores;
	a->argv[a->argc++] = (char *)"--log-level=lib.eal:warning";
	for (i = 0; i < c->g.nports; i++) {
		a->argv[a->argc++] = (char *)(c->kind[i] == CONF_PORT_PCI ? "-a" : "--vdev");
		a->argv[a->argc++] = (char *)c->ports[i].devargs;
	}
	if (!port_conf_has_pci(c))
		a->argv[a->argc++] = (char *)"--no-pci";
	a->argv[a->argc] = NULL;
}

void
port_dev_name(const struct primary_conf *c, unsigned int i, char *buf, size_t len)
{
	const char *d = c->ports[i].devargs;

	if (c->kind[i] == CONF_PORT_PCI && strlen(d) == 7)
		snprintf(buf, len, "0000:%s", d);
	else
		snprintf(buf, len, "%.*s", (int)strcspn(d, ","), d);
}

/* Configure nq queue pairs (rx on pool) and start. */
static int
start_queues(uint16_t pid, uint16_t nq, struct rte_mempool *pool, const char *what,
	     char *err, size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nrx = NB_RXD, ntx = NB_TXD, q;
	int rc, sock = rte_eth_dev_socket_id(pid);

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(pid, &info);
	if (rc != 0)
		return dpvs_errf(err, errlen, -1, "%s: cannot read device info: %s", what,
				 strerror(-rc));
	if (nq > info.max_rx_queues || nq > info.max_tx_queues)
		return dpvs_errf(err, errlen, -1, "%s: %u queue pairs needed (one per worker), the "
				 "device has at most %u rx / %u tx", what, nq,
				 info.max_rx_queues, info.max_tx_queues);
	/* net_tap passes its queue fds to secondaries in one message of at most
	 * RTE_MP_MAX_FD_NUM fds (rx and tx per queue pair); DPDK 22.11 overruns
	 * its stack beyond that, so refuse here */
	if (strcmp(info.driver_name, "net_tap") == 0 && nq > TAP_MAX_QUEUE_PAIRS)
		return dpvs_errf(err, errlen, -1, "%s: a net_tap port shared with secondaries takes at "
				 "most %u queue pairs (one per worker); [worker] count is %u",
				 what, TAP_MAX_QUEUE_PAIRS, nq);
	if (nq > 1 && info.flow_type_rss_offloads != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
	}
	rc = rte_eth_dev_configure(pid, nq, nq, &conf);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &nrx, &ntx);
	if (rc != 0)
		return dpvs_errf(err, errlen, -1, "%s: cannot configure %u queue pairs: %s", what, nq,
				 strerror(-rc));
	for (q = 0; q < nq; q++) {
		rc = rte_eth_rx_queue_setup(pid, q, nrx, sock < 0 ? SOCKET_ID_ANY : sock, NULL,
					    pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(pid, q, ntx, sock < 0 ? SOCKET_ID_ANY : sock,
						    NULL);
		if (rc != 0)
			return dpvs_errf(err, errlen, -1, "%s: cannot set up queue %u: %s", what, q,
					 strerror(-rc));
	}
	rc = rte_eth_dev_start(pid);
	if (rc != 0)
		return dpvs_errf(err, errlen, -1, "%s: cannot start: %s", what, strerror(-rc));
	return 0;
}

/* Bring a kernel interface up (the tap PMD leaves it as the kernel made it). */
static int
kernel_if_up(const char *ifname, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return dpvs_errf(err, errlen, -1, "%s: socket: %s", ifname, strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0 ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &ifr)) != 0) {
		int e = errno;

		close(fd);
		return dpvs_errf(err, errlen, -1, "%s: cannot set the interface up: %s", ifname,
				 strerror(e));
	}
	close(fd);
	return 0;
}

static int
setup_kni(struct dpvs_port_info *p, unsigned int i, struct rte_mempool *pool, char *err,
	  size_t errlen)
{
	char dev[32], args[160];
	const uint8_t *m = p->mac;
	uint16_t kid;
	int rc;

	snprintf(dev, sizeof(dev), KNI_DEV_FMT, i);
	snprintf(args, sizeof(args), "%s,iface=%s,mac=%02x:%02x:%02x:%02x:%02x:%02x", dev,
		 p->kni_name, m[0], m[1], m[2], m[3], m[4], m[5]);
	rc = rte_dev_probe(args);
	if (rc != 0)
		return dpvs_errf(err, errlen, -1, "port %s: cannot create its exception tap (%s): %s",
				 p->name, args, strerror(-rc));
	if (rte_eth_dev_get_port_by_name(dev, &kid) != 0)
		return dpvs_errf(err, errlen, -1, "port %s: exception tap %s has no ethdev", p->name,
				 dev);
	p->kni_port_id = kid;
	if (start_queues(kid, 1, pool, p->kni_name, err, errlen) != 0)
		return -1;
	return kernel_if_up(p->kni_name, err, errlen);
}

/*
 * The driver that took a vdev (the vdev bus matches names by prefix and by
 * alias) must be one a worker can poll: conf.c refused the names it knows,
 * this checks what DPDK actually chose. (Each worker also checks, when it
 * attaches, that its process got rx/tx functions for every port.)
 */
static int
port_check_driver(const struct primary_conf *c, unsigned int i, uint16_t pid, char *err,
		  size_t errlen)
{
	struct rte_eth_dev_info info;
	char why[256];
	int rc;

	if (c->kind[i] != CONF_PORT_VDEV)
		return 0;
	rc = rte_eth_dev_info_get(pid, &info);
	if (rc != 0)
		return dpvs_errf(err, errlen, -1, "port %s: cannot read device info: %s",
				 c->ports[i].name, strerror(-rc));
	if (info.driver_name != NULL &&
	    conf_vdev_refusal(info.driver_name, why, sizeof(why)) != NULL)
		return dpvs_errf(err, errlen, -1, "port %s (vdev %s): %s", c->ports[i].name,
				 c->ports[i].devargs, why);
	return 0;
}

static int
setup_port(const struct primary_conf *c, unsigned int i, struct dpvs_shm *shm, char *err,
	   size_t errlen)
{
	struct dpvs_port_info *p = &shm->root->ports[i];
	struct rte_ether_addr mac;
	char dev[RTE_ETH_NAME_MAX_LEN];
	uint16_t pid, mtu;
	int rc;

	port_dev_name(c, i, dev, sizeof(dev));
	if (rte_eth_dev_get_port_by_name(dev, &pid) != 0)
		return dpvs_errf(err, errlen, -1, "port %s: device %s was not found (devargs '%s')",
				 p->name, dev, p->devargs);
	p->port_id = pid;
	p->nb_queues = (uint16_t)c->g.nworkers;
	if (port_check_driver(c, i, pid, err, errlen) != 0)
		return -1;
	if (start_queues(pid, p->nb_queues, shm->pool, p->name, err, errlen) != 0)
		return -1;
	rc = rte_eth_macaddr_get(pid, &mac);
	if (rc != 0)
		return dpvs_errf(err, errlen, -1, "port %s: cannot read its MAC: %s", p->name,
				 strerror(-rc));
	memcpy(p->mac, mac.addr_bytes, sizeof(p->mac));
	if (rte_eth_dev_get_mtu(pid, &mtu) == 0)
		p->mtu = mtu;
	if (setup_kni(p, i, shm->pool, err, errlen) != 0)
		return -1;
	PLOG(INFO, "port %s: ethdev %u (%s), %u queue pairs, MAC " RTE_ETHER_ADDR_PRT_FMT
	     ", exception tap %s = ethdev %u", p->name, pid, dev, p->nb_queues,
	     RTE_ETHER_ADDR_BYTES(&mac), p->kni_name, p->kni_port_id);
	return 0;
}

int
port_setup_all(const struct primary_conf *c, struct dpvs_shm *shm, char *err, size_t errlen)
{
	unsigned int i;

	for (i = 0; i < c->g.nports; i++) {
		shm->root->ports[i].port_id = UINT16_MAX;
		shm->root->ports[i].kni_port_id = UINT16_MAX;
	}
	for (i = 0; i < c->g.nports; i++)
		if (setup_port(c, i, shm, err, errlen) != 0)
			return -1;
	return 0;
}

static void
close_one(uint16_t pid)
{
	if (!rte_eth_dev_is_valid_port(pid))
		return;
	rte_eth_dev_stop(pid);
	rte_eth_dev_close(pid);
}

void
port_close_all(struct dpvs_shm *shm)
{
	unsigned int i;

	if (shm->root == NULL)
		return;
	for (i = 0; i < shm->root->conf.nports; i++) {
		close_one(shm->root->ports[i].kni_port_id);
		close_one(shm->root->ports[i].port_id);
	}
}
