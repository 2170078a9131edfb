/*
 * dpvs.conf keys of a port's exception path (primary only), [port.X]:
 *
 *   forward2kni = on|off     a copy of every frame the port receives to its
 *                            kernel interface (default off; `dpvsctl port
 *                            set X forward2kni on|off` at run time)
 *   kni_ctrl_rate = N        packets per second toward the kernel, for the
 *   kni_mgmt_rate = N        whole port, of the control class (ARP, ND, OSPF,
 *   kni_rate = N             BGP), the management class (kni_priority) and
 *                            the rest; 0 = no limit (README: the budgets)
 *   kni_priority = LIST      the management class: tcp[:PORT], udp[:PORT],
 *                            icmp, comma-separated, at most 8; "none"
 *
 * In: a key and its value; out: the fields of a struct dpvs_port_info.
 */
#ifndef DPVS_PRIMARY_CONF_KNI_H
#define DPVS_PRIMARY_CONF_KNI_H

#include <stddef.h>

#include "shm/layout.h"

#define CONF_KNI_CTRL_RATE 20000u
#define CONF_KNI_MGMT_RATE 5000u
#define CONF_KNI_BULK_RATE 20000u
#define CONF_KNI_MAX_RATE  10000000u

/* The defaults of a port: the rates above, kni_priority = tcp:22,icmp. */
void conf_kni_defaults(struct dpvs_port_info *p);

/* key = value if it is one of the keys above: 1 (p changed), 0 (not one of
 * ours), -1 with a message in why (p may be partly changed). */
int conf_kni_key(const char *key, const char *value, struct dpvs_port_info *p, char *why,
		 size_t wlen);

/* A kni_priority list into p->kni_prio; 0, or -1 with a message in why. */
int conf_kni_priority(const char *v, struct dpvs_port_info *p, char *why, size_t wlen);

#endif
