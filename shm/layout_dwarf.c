/*
 * Not linked anywhere: compiled with -g only so that its DWARF holds every
 * shared struct, from which shm/layout_fp.sh makes the layout fingerprint
 * (build/gen/shm/layout_fp.c). A struct that lives in shared memory is named
 * here and in layout_fp.sh's list.
 */
#include "shm/layout.h"
#include "shm/lb.h"

struct dpvs_root *dpvs_dwarf_root;
struct dpvs_worker_region *dpvs_dwarf_region;
struct dpvs_conn_table *dpvs_dwarf_conn_table;
struct dpvs_conn *dpvs_dwarf_conn;
struct dpvs_layout_desc *dpvs_dwarf_layout_desc;
