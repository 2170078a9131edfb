/*
 * Address and small value types shared by every dpvs-mp process.
 *
 * Types and names only: no functions, no pointers. Every address carries its
 * family and has room for IPv6 (ARCHITECTURE.md section 2, rule 7).
 */
#ifndef DPVS_SHM_TYPES_H
#define DPVS_SHM_TYPES_H

#include <stdint.h>

#define DPVS_AF_NONE  0
#define DPVS_AF_INET  4
#define DPVS_AF_INET6 6

/* An IP address of either family. IPv4 uses bytes[0..3] in network order,
 * bytes[4..15] are zero. */
struct dpvs_ip {
	uint8_t family;      /* DPVS_AF_* */
	uint8_t pad[3];
	uint8_t bytes[16];
};
_Static_assert(sizeof(struct dpvs_ip) == 20, "dpvs_ip layout");

#define DPVS_ETHER_LEN 6
#define DPVS_NAME_LEN  32

#endif
