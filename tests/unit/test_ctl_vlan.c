/*
 * Unit tests of the VLAN interfaces (ctl/daemon/vlan.c) on a node in plain
 * memory (two config sets, no EAL): `vlan add` and the addresses, routes,
 * local addresses and neighbours that name it as dev in the same file (the
 * name is resolved when the operation is applied to the set); save prints
 * them and loads back to the same tables; every refusal has its message
 * (unknown port, id out of 1..4094, duplicate name or id, a VLAN still used,
 * an unknown dev); reload keeps each VLAN's slot (its interface index), so
 * objects on an unchanged VLAN stay as they are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ctl/daemon/change.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/reload.h"
#include "ctl/daemon/show.h"
#include "ctl/rules.h"
#include "test_ctl_util.h"

static struct dpvs_root *root;
static struct dpvs_shm shm;
static char err[512];

static void
setup(void)
{
	root = tctl_root();
	memset(&shm, 0, sizeof(shm));
	shm.root = root;       /* no RCU: no worker online */
	shm.set[0] = tctl_set();
	shm.set[1] = tctl_set();
	err[0] = '\0';
}

static void
teardown(void)
{
	free(shm.set[0]);
	free(shm.set[1]);
	free(root);
	tctl_tmp_cleanup();
}

static char *
save_of(const struct dpvs_config_set *set)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ctl_save_text(set, root, f), 0);
	fclose(f);
	return buf;
}

static const char vfile[] =
	"vlan add dpdk0.100 dev dpdk0 id 100\n"
	"vlan add v200 dev dpdk1 id 200\n"
	"addr add 10.0.0.1/24 dev dpdk0\n"
	"addr add 10.100.0.1/24 dev dpdk0.100\n"
	"addr add 10.200.0.10/24 dev v200\n"
	"neigh add 10.100.0.2 lladdr 02:00:00:00:00:21 dev dpdk0.100\n"
	"route add 172.16.0.0/16 via 10.100.0.254 dev dpdk0.100\n"
	"-A -t 10.100.0.100:80 -s rr\n"
	"-a -t 10.100.0.100:80 -r 10.200.0.2:80 -b fnat -w 1\n"
	"laddr add -t 10.100.0.100:80 10.200.0.10 dev v200\n";

START_TEST(test_vlan_file_save_round_trip)
{
	struct dpvs_config_set *set = shm.set[0], *again = shm.set[1];
	const struct dpvs_addr_entry *addrs;
	char *s1, *s2;

	ck_assert_msg(ctl_rules_apply(set, root, tctl_tmpfile(vfile), err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_str_eq(set->vlans[0].name, "dpdk0.100");
	ck_assert_uint_eq(set->vlans[0].port, 0);
	ck_assert_uint_eq(set->vlans[0].vid, 100);
	ck_assert_str_eq(set->vlans[1].name, "v200");
	ck_assert_uint_eq(set->vlans[1].port, 1);
	addrs = dpvs_cfg_addrs(set);
	ck_assert_uint_eq(set->naddrs, 3);
	ck_assert_uint_eq(addrs[0].port, 0);
	ck_assert_uint_eq(addrs[1].port, DPVS_IFACE_VLAN0);
	ck_assert_uint_eq(addrs[2].port, DPVS_IFACE_VLAN0 + 1);
	s1 = save_of(set);
	ck_assert_ptr_nonnull(strstr(s1, "vlan add dpdk0.100 dev dpdk0 id 100\n"
					 "vlan add v200 dev dpdk1 id 200\n"));
	ck_assert_ptr_nonnull(strstr(s1, "addr add 10.100.0.1/24 dev dpdk0.100\n"));
	ck_assert_ptr_nonnull(strstr(s1, "route add 172.16.0.0/16 via 10.100.0.254 dev dpdk0.100\n"));
	ck_assert_ptr_nonnull(strstr(s1, "laddr add -t 10.100.0.100:80 10.200.0.10 dev v200\n"));
	ck_assert_msg(ctl_rules_apply(again, root, tctl_tmpfile(s1), err, sizeof(err)) == 0,
		      "%s", err);
	s2 = save_of(again);
	ck_assert_str_eq(s1, s2);
	ck_assert(memcmp(set->vlans, again->vlans, sizeof(set->vlans)) == 0);
	ck_assert(TCTL_SAME_TABLES(set, again));
	free(s1);
	free(s2);
}
END_TEST

/* Each bad file is refused with its message, and changes nothing. */
static const struct {
	const char *text;
	const char *msg;
} bad[] = {
	{ "vlan add v1 dev dpdk9 id 5\n", "no port named dpdk9" },
	{ "vlan add v1 dev dpdk0 id 0\n", "out of 1..4094" },
	{ "vlan add v1 dev dpdk0 id 4095\n", "out of 1..4094" },
	{ "vlan add v1 dev dpdk0 id 5\nvlan add v1 dev dpdk1 id 6\n", "vlan v1 exists already" },
	{ "vlan add v1 dev dpdk0 id 5\nvlan add v2 dev dpdk0 id 5\n", "dpdk0 id 5 is v1 already" },
	{ "vlan add dpdk1 dev dpdk0 id 5\n", "dpdk1 is a port" },
	{ "vlan add abcdefghijkl dev dpdk0 id 5\n", "1..11 characters" },
	{ "vlan add v1 dev dpdk0 id 5\naddr add 10.5.0.1/24 dev v1\nvlan del v1\n",
	  "vlan v1 is in use (address 10.5.0.1 is on it)" },
	{ "vlan add v1 dev dpdk0 id 5\nroute add 10.6.0.0/16 dev v1\nvlan del v1\n",
	  "vlan v1 is in use (route 10.6.0.0/16" },
	{ "vlan add v1 dev dpdk0 id 5\nneigh add 10.5.0.2 lladdr 02:00:00:00:00:01 dev v1\n"
	  "vlan del v1\n", "vlan v1 is in use (neighbour 10.5.0.2" },
	{ "vlan del v1\n", "no VLAN named v1" },
	{ "addr add 10.5.0.1/24 dev v1\n", "no port named v1, and no VLAN" },
	{ "addr add 10.5.0.1/24 dev v1\nvlan add v1 dev dpdk0 id 5\n", "no port named v1, and no VLAN" },
};

START_TEST(test_vlan_refusals)
{
	struct dpvs_config_set *set = shm.set[0];
	static const struct dpvs_vlan_cfg none[DPVS_CFG_VLANS];

	err[0] = '\0';
	ck_assert_int_ne(ctl_rules_apply(set, root, tctl_tmpfile(bad[_i].text), err, sizeof(err)),
			 0);
	ck_assert_msg(strstr(err, bad[_i].msg) != NULL, "case %d: \"%s\" lacks \"%s\"", _i, err,
		      bad[_i].msg);
	ck_assert(memcmp(set->vlans, none, sizeof(none)) == 0);
	ck_assert_uint_eq(set->naddrs, 0);
}
END_TEST

/* Reload: a VLAN of the running set keeps its slot whatever its line's
 * position; one the file drops goes (with what is on it), one it adds comes
 * in a free slot; an address on an unchanged VLAN is not touched. */
START_TEST(test_vlan_reload_keeps_slots)
{
	static const char r1[] = "vlan add a dev dpdk0 id 100\n"
				 "vlan add b dev dpdk0 id 200\n"
				 "addr add 10.100.0.1/24 dev a\n"
				 "addr add 10.200.0.1/24 dev b\n";
	static const char r2[] = "vlan add c dev dpdk1 id 300\n"
				 "vlan add b dev dpdk0 id 200\n"
				 "addr add 10.200.0.1/24 dev b\n"
				 "addr add 10.30.0.1/24 dev c\n";
	struct ctl_reload_result r;
	const struct dpvs_config_set *s;
	unsigned int i;
	char *want, *got;

	ck_assert_msg(ctl_rules_load(&shm, tctl_tmpfile(r1), err, sizeof(err)) == 0, "%s", err);
	s = dpvs_config_active(&shm);
	ck_assert_str_eq(s->vlans[1].name, "b");
	ck_assert_msg(ctl_reload(&shm, tctl_tmpfile(r2), &r, err, sizeof(err)) == 0, "%s", err);
	for (i = 0; i < 2; i++) {
		s = shm.set[i];
		ck_assert_str_eq(s->vlans[1].name, "b");
		ck_assert_str_eq(s->vlans[0].name, ""); /* a went */
		ck_assert_str_eq(s->vlans[2].name, "c"); /* a slot the running set had free */
		ck_assert_uint_eq(s->vlans[2].vid, 300);
		ck_assert_uint_eq(s->naddrs, 2);
		ck_assert_uint_eq(dpvs_cfg_addrs(s)[0].port, DPVS_IFACE_VLAN0 + 1);
		ck_assert_uint_eq(dpvs_cfg_addrs(s)[1].port, DPVS_IFACE_VLAN0 + 2);
	}
	ck_assert_uint_eq(r.addr[CTL_RL_DEL], 1);
	ck_assert_uint_eq(r.addr[CTL_RL_ADD], 1);
	ck_assert(memcmp(shm.set[0]->vlans, shm.set[1]->vlans, sizeof(shm.set[0]->vlans)) == 0);
	ck_assert(TCTL_SAME_TABLES(shm.set[0], shm.set[1]));
	/* reloading what runs changes nothing */
	want = save_of(dpvs_config_active(&shm));
	ck_assert_msg(ctl_reload(&shm, tctl_tmpfile(want), &r, err, sizeof(err)) == 0, "%s", err);
	got = save_of(dpvs_config_active(&shm));
	ck_assert_str_eq(want, got);
	free(want);
	free(got);
}
END_TEST

static Suite *
vlan_suite(void)
{
	Suite *s = suite_create("ctl_vlan");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_vlan_file_save_round_trip);
	tcase_add_loop_test(tc, test_vlan_refusals, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_vlan_reload_keeps_slots);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(vlan_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
