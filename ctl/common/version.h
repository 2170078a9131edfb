/*
 * The dpvs-mp release, reported by `dpvsctl version` (with the DPDK version
 * and the shared-layout version of the running node).
 */
#ifndef DPVS_CTL_VERSION_H
#define DPVS_CTL_VERSION_H

#define DPVS_MP_VERSION "0.1.0"

#endif
