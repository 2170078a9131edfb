/*
 * The length of a TCP header, the one spelling of it in the worker. In: a
 * TCP header whose fixed part is readable; out: its data offset in bytes.
 * No state; a pure inline function, used on the fast path and elsewhere.
 */
#ifndef DPVS_WORKER_TCP_HDR_H
#define DPVS_WORKER_TCP_HDR_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_tcp.h>

/* The length in bytes of TCP header th, from its data offset (the high 4
 * bits of the byte, in 32-bit words): (data_off >> 2) & 0x3c, equal to
 * (data_off >> 4) * 4 for every byte value (tests/unit/test_tcp_window.c
 * checks all 256), one shift and one mask. Spelt mask-then-shift on the
 * widened byte: GCC 12 then shifts and masks the 32-bit register; spelt
 * (data_off >> 2) & 0x3c it shifts the byte and, where the length is
 * compared, masks a copy too (one instruction more a SYN, figure 1).
 * 0 to 60; below 20 the header is malformed, which the caller checks. */
static __rte_always_inline uint32_t
wk_tcp_hdr_len(const struct rte_tcp_hdr *th)
{
	return ((uint32_t)th->data_off & 0xf0u) >> 2;
}

#endif
