/*
 * Not linked anywhere: compiled with -g only so that its DWARF holds every
 * shared struct, from which shm/layout_fp.sh makes the layout fingerprint
 * (build/gen/shm/layout_fp.c). A struct that lives in shared memory is named
 * here (a pointer is enough for its type to be in the DWARF) and in
 * layout_fp.sh's list.
 */
#include <stdint.h>

#include <rte_ring.h>

#include "shm/layout.h"
#include "shm/lb.h"
#include "shm/pool.h"

struct dpvs_root *dpvs_dwarf_root;
struct dpvs_global_conf *dpvs_dwarf_global_conf;
struct dpvs_port_info *dpvs_dwarf_port_info;
struct dpvs_kni_prio *dpvs_dwarf_kni_prio;
struct dpvs_liveness *dpvs_dwarf_liveness;
struct dpvs_sup_cmd *dpvs_dwarf_sup_cmd;
struct dpvs_worker_slot *dpvs_dwarf_worker_slot;
struct dpvs_worker_sup *dpvs_dwarf_worker_sup;
struct dpvs_worker_self *dpvs_dwarf_worker_self;
struct dpvs_worker_stats *dpvs_dwarf_worker_stats;
struct dpvs_bridge_stats *dpvs_dwarf_bridge_stats;
struct dpvs_config *dpvs_dwarf_config;
struct dpvs_config_set *dpvs_dwarf_config_set;
struct dpvs_vlan_cfg *dpvs_dwarf_vlan_cfg;
struct dpvs_lb_tables *dpvs_dwarf_lb_tables;
struct dpvs_addr_entry *dpvs_dwarf_addr_entry;
struct dpvs_service *dpvs_dwarf_service;
struct dpvs_svc_laddr *dpvs_dwarf_svc_laddr;
struct dpvs_dest *dpvs_dwarf_dest;
struct dpvs_route *dpvs_dwarf_route;
struct dpvs_static_neigh *dpvs_dwarf_static_neigh;
struct dpvs_addr_ix *dpvs_dwarf_addr_ix;
struct dpvs_laddr_drain *dpvs_dwarf_laddr_drain;
struct dpvs_check *dpvs_dwarf_check;
struct dpvs_acl_entry *dpvs_dwarf_acl_entry;
struct dpvs_acl_svc *dpvs_dwarf_acl_svc;
struct dpvs_rate *dpvs_dwarf_rate;
struct dpvs_rate_param *dpvs_dwarf_rate_param;
struct dpvs_meter_row *dpvs_dwarf_meter_row;
struct dpvs_worker_region *dpvs_dwarf_worker_region;
struct dpvs_neigh *dpvs_dwarf_neigh;
struct dpvs_txbuf *dpvs_dwarf_txbuf;
struct dpvs_neigh_hold *dpvs_dwarf_neigh_hold;
struct dpvs_sched_state *dpvs_dwarf_sched_state;
struct dpvs_lb_stats *dpvs_dwarf_lb_stats;
struct dpvs_conn_table *dpvs_dwarf_conn_table;
struct dpvs_conn *dpvs_dwarf_conn;
struct dpvs_conn_bkt *dpvs_dwarf_conn_bkt;
struct dpvs_seqx *dpvs_dwarf_seqx;
struct dpvs_conn6 *dpvs_dwarf_conn6;
struct dpvs_pool_depot *dpvs_dwarf_pool_depot;
struct dpvs_mag *dpvs_dwarf_mag;
struct dpvs_layout_desc *dpvs_dwarf_layout_desc;
struct rte_ring *dpvs_dwarf_rte_ring;

/*
 * The tables of a config set whose elements are plain integers (no struct
 * of their own to name in the list) and the flag bits of the per-port
 * switches: one member per table with its element type (the fixed-size ones
 * with their length), and one per flag sized by its value, so that a new
 * element type, table length or bit changes the fingerprint as a member
 * would. Never instantiated.
 */
struct dpvs_layout_ints {
	uint16_t svc_hash;                          /* lb.svc_hash_off: slot + 1 */
	uint16_t sneigh_hash;                       /* lb.sneigh_hash_off */
	uint32_t svc_dests;                         /* lb.svc_dests_off: dest slot */
	uint16_t sched[DPVS_SCHED_TABLE_SIZE];      /* one table of lb.sched_off */
	uint16_t sched_used;                        /* lb.sched_used_off */
	uint16_t dirty;                             /* lb.dirty_off */
	uint32_t route6_hash;                       /* lb.route6_hash_off: slot + 1 */
	uint8_t route6_lens[DPVS_ROUTE6_LENS];      /* lb.route6_lens_off */
	uint32_t route6_len_n[DPVS_ROUTE6_LENS];    /* lb.route6_len_n_off */
	uint32_t acl_hash;                          /* lb.acl_hash_off: slot + 1 */
	uint32_t svc_rate;                          /* lb.svc_rate_off: rate slot + 1 */
	uint32_t dest_rate;                         /* lb.dest_rate_off: rate slot + 1 */
	uint8_t port_cfg_forward[DPVS_PORT_CFG_FORWARD];   /* config_set.port_flags */
	uint8_t port_f_forward2kni[DPVS_PORT_F_FORWARD2KNI]; /* dpvs_port_info.flags */
	uint8_t port_f_forward[DPVS_PORT_F_FORWARD];
	uint8_t port_cfg_forward2kni[DPVS_PORT_CFG_FORWARD2KNI];
	uint8_t kni_classes[DPVS_KNI_CLASSES];
};
struct dpvs_layout_ints *dpvs_dwarf_layout_ints;
