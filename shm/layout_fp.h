/*
 * The layout fingerprint of this build: one entry per shared struct, made at
 * build time by shm/layout_fp.sh from the DWARF of shm/layout_dwarf.c (pahole
 * --expand_types), so that no member of a shared struct, nested ones
 * included, can change without changing its entry. Generated into
 * build/gen/shm/layout_fp.c; compared at attach by shm/shm.c.
 */
#ifndef DPVS_SHM_LAYOUT_FP_H
#define DPVS_SHM_LAYOUT_FP_H

#include <stdint.h>

struct dpvs_layout_fp {
	const char *name;         /* struct tag, e.g. "dpvs_worker_slot" */
	uint64_t hash;            /* first 64 bits of the sha256 of text */
	const char *text;         /* the normalised member list, one line each */
};

extern const struct dpvs_layout_fp dpvs_layout_fps[];
extern const unsigned int dpvs_layout_nfps;

#endif
