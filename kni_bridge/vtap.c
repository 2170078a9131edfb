/*
 * The kernel's side of the VLAN interfaces (see bridge.h): for each VLAN
 * interface of the active config set (shm/config.h vlans[]) a Linux tap
 * "<name>.kni" (dpdk0.100.kni) with its port's MAC, so that a kernel without
 * 802.1Q support still has an interface per VLAN. The workers hand a VLAN's
 * frames for the kernel to its port's rings with the tag on (worker/l2/kni.c);
 * bridge_vtap_take() takes those whose id has a tap off the burst, strips the
 * tag and writes them into the tap. What the kernel writes into a tap is read
 * here, tagged, and handed to the worker of its flow like the port tap's
 * frames (the worker sends it on the port as it is).
 *
 * The taps are persistent (TUNSETPERSIST): a bridge that dies leaves them, with
 * the kernel's addresses on them, and its successor opens them again by name;
 * a VLAN deleted, or the bridge stopping cleanly (the node stops), removes
 * them. Process-local: the open descriptors. Writes root->bridge_stats[port].
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "shm/ring.h"
#include "bridge.h"

#define VTAP_FRAME_MAX 9216

static void
vtap_close(struct bridge_vtap *t, int remove)
{
	if (!t->open)
		return;
	if (remove)
		ioctl(t->fd, TUNSETPERSIST, 0);
	close(t->fd);
	memset(t, 0, sizeof(*t));
}

/* Open (or create) the tap of VLAN v with the MAC of its port. */
static int
vtap_open(struct bridge_vtap *t, const struct dpvs_root *root, const struct dpvs_vlan_cfg *v)
{
	struct ifreq ifr;
	int fd, s;

	memset(&ifr, 0, sizeof(ifr));
	if (snprintf(ifr.ifr_name, IFNAMSIZ, "%.*s.kni", DPVS_VLAN_NAME_LEN, v->name) >= IFNAMSIZ)
		return -1;
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr) != 0 || ioctl(fd, TUNSETPERSIST, 1) != 0) {
		close(fd);
		return -1;
	}
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s >= 0) {
		ifr.ifr_hwaddr.sa_family = 1; /* ARPHRD_ETHER */
		memcpy(ifr.ifr_hwaddr.sa_data, root->ports[v->port].mac, RTE_ETHER_ADDR_LEN);
		ioctl(s, SIOCSIFHWADDR, &ifr);
		close(s);
	}
	memset(t, 0, sizeof(*t));
	t->fd = fd;
	t->open = 1;
	t->port = v->port;
	t->vid = v->vid;
	memcpy(t->name, v->name, sizeof(t->name));
	return 0;
}

void
bridge_vtap_refresh(struct bridge_ctx *b)
{
	const struct dpvs_config_set *set;
	uint32_t s;

	if (b->shm->set[0] == NULL)
		return;
	set = dpvs_config_active(b->shm);
	if (set->version == b->vtap_version && b->vtap_version != 0)
		return;
	b->vtap_version = set->version;
	for (s = 0; s < DPVS_MAX_VLANS; s++) {
		const struct dpvs_vlan_cfg *v = &set->vlans[s];
		struct bridge_vtap *t = &b->vtap[s];
		int want = v->name[0] != '\0' && v->port < b->shm->root->conf.nports;

		if (t->open && (!want || t->port != v->port || t->vid != v->vid ||
				strncmp(t->name, v->name, sizeof(t->name)) != 0))
			vtap_close(t, 1);
		if (want && !t->open && vtap_open(t, b->shm->root, v) != 0)
			t->failed++;
	}
}

void
bridge_vtap_close_all(struct bridge_ctx *b)
{
	uint32_t s;

	for (s = 0; s < DPVS_MAX_VLANS; s++)
		vtap_close(&b->vtap[s], 1);
}

/* The open tap of (port p, id vid), or NULL. */
static struct bridge_vtap *
vtap_of(struct bridge_ctx *b, uint32_t p, uint16_t vid)
{
	uint32_t s;

	for (s = 0; s < DPVS_MAX_VLANS; s++)
		if (b->vtap[s].open && b->vtap[s].port == p && b->vtap[s].vid == vid)
			return &b->vtap[s];
	return NULL;
}

unsigned int
bridge_vtap_take(struct bridge_ctx *b, uint32_t p, struct rte_mbuf **pkts, unsigned int n)
{
	struct dpvs_bridge_stats *st = &b->shm->root->bridge_stats[p];
	uint8_t buf[VTAP_FRAME_MAX];
	unsigned int i, k = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_vlan_hdr *vh;
		const uint8_t *d;
		struct bridge_vtap *t = NULL;
		uint32_t len = m->pkt_len;

		if (len >= RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN && len <= VTAP_FRAME_MAX &&
		    rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type ==
			    RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
			vh = rte_pktmbuf_mtod_offset(m, const struct rte_vlan_hdr *,
						     RTE_ETHER_HDR_LEN);
			t = vtap_of(b, p, rte_be_to_cpu_16(vh->vlan_tci) & 0x0fff);
		}
		if (t == NULL) {
			pkts[k++] = m;   /* the port's tap */
			continue;
		}
		d = rte_pktmbuf_read(m, 0, len, buf);
		/* the frame without its tag: the addresses, then the rest */
		memmove(buf + RTE_VLAN_HLEN, d, 2 * RTE_ETHER_ADDR_LEN);
		if (d != buf)
			memcpy(buf + 2 * RTE_ETHER_ADDR_LEN + RTE_VLAN_HLEN,
			       d + 2 * RTE_ETHER_ADDR_LEN + RTE_VLAN_HLEN,
			       len - 2 * RTE_ETHER_ADDR_LEN - RTE_VLAN_HLEN);
		if (write(t->fd, buf + RTE_VLAN_HLEN, len - RTE_VLAN_HLEN) ==
		    (ssize_t)(len - RTE_VLAN_HLEN))
			st->to_kernel++;
		else
			st->to_kernel_drop++;
		rte_pktmbuf_free(m);
	}
	return k;
}

unsigned int
bridge_vtap_read(struct bridge_ctx *b, uint32_t p, struct rte_mbuf **pkts, unsigned int max)
{
	uint8_t buf[VTAP_FRAME_MAX];
	unsigned int n = 0;
	uint32_t s;
	ssize_t len;

	for (s = 0; s < DPVS_MAX_VLANS && n < max; s++) {
		struct bridge_vtap *t = &b->vtap[s];

		if (!t->open || t->port != p)
			continue;
		while (n < max) {
			struct rte_vlan_hdr *vh;
			struct rte_mbuf *m;
			uint8_t *d;

			len = read(t->fd, buf, sizeof(buf));
			if (len < RTE_ETHER_HDR_LEN)
				break;
			m = rte_pktmbuf_alloc(b->shm->pool);
			if (m == NULL) {
				b->shm->root->bridge_stats[p].from_kernel_drop++;
				continue;
			}
			d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(len + RTE_VLAN_HLEN));
			if (d == NULL) {
				rte_pktmbuf_free(m);
				b->shm->root->bridge_stats[p].from_kernel_drop++;
				continue;
			}
			memcpy(d, buf, 2 * RTE_ETHER_ADDR_LEN);
			vh = (struct rte_vlan_hdr *)(d + 2 * RTE_ETHER_ADDR_LEN + 2);
			((struct rte_ether_hdr *)d)->ether_type = RTE_BE16(RTE_ETHER_TYPE_VLAN);
			vh->vlan_tci = rte_cpu_to_be_16(t->vid);
			memcpy(d + 2 * RTE_ETHER_ADDR_LEN + RTE_VLAN_HLEN, buf + 2 * RTE_ETHER_ADDR_LEN,
			       (size_t)len - 2 * RTE_ETHER_ADDR_LEN);
			pkts[n++] = m;
		}
	}
	return n;
}
