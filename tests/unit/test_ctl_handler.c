/*
 * Tests of dpvs-ctl's request handler on real shared
 * memory created in this process (EAL --no-huge --no-shconf, no devices):
 * packed requests in, packed responses out (addr add/del/show, errors,
 * malformed input, worker/neigh/stats/version shows); the RCU wait of a
 * publication with an online reader; a NUL in a text field, control
 * characters in an echoed name. The socket server: test_ctl_server.c.
 * Tests share one EAL and one shm, so they run without fork, in order.
 */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>

#include <rte_eal.h>
#include <rte_rcu_qsbr.h>

#include "ctl/common/cli.h"
#include "ctl/common/frame.h"
#include "ctl/common/pb.h"
#include "ctl/common/version.h"
#include "ctl/daemon/err.h"
#include "ctl/daemon/handler.h"
#include "ctl/daemon/publish.h"
#include "ctl/daemon/server.h"
#include "shm/eal.h"
#include "shm/lb_hash.h"
#include "test_ctl_shm.h"

static struct dpvs_shm shm;

static int run_readonly;   /* run() as a peer of the read-only role */

/* Run the words of a dpvsctl command through pack -> ctl_handle -> unpack. */
static Dpvs__Response *
run(int argc, char **argv)
{
	struct ctl_cli_cmd cmd;
	Dpvs__Response *resp;
	uint8_t *in, *out;
	size_t inlen, outlen;
	char err[256];

	ck_assert_int_eq(ctl_cli_parse(argc, argv, &cmd, err, sizeof(err)), CTL_CLI_OK);
	in = ctl_pb_pack_request(cmd.req, &inlen);
	ck_assert_int_eq(run_readonly ? ctl_handle_readonly(&shm, in, inlen, &out, &outlen) :
					ctl_handle(&shm, in, inlen, &out, &outlen), 0);
	resp = dpvs__response__unpack(NULL, outlen, out);
	ck_assert_ptr_nonnull(resp);
	free(in);
	free(out);
	ctl_cli_cmd_free(&cmd);
	return resp;
}
#define RUN(...) run((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)), \
		     (char *[]){ __VA_ARGS__ })


START_TEST(test_addr_via_handler)
{
	uint64_t gen0 = shm.root->config.generation;
	Dpvs__Response *r;

	r = RUN("addr", "add", "10.0.0.1/24", "dev", "dpdk0");
	ck_assert_int_eq(r->status, DPVS__STATUS__OK);
	dpvs__response__free_unpacked(r, NULL);
	ck_assert_uint_eq(shm.root->config.generation, gen0 + 1);
	ck_assert_uint_eq(dpvs_config_active(&shm)->naddrs, 1);
	ck_assert_uint_eq(dpvs_config_active(&shm)->version, gen0 + 1);

	r = RUN("addr", "add", "2001:db8::1/64", "dev", "dpdk0");
	ck_assert_int_eq(r->status, DPVS__STATUS__OK);
	dpvs__response__free_unpacked(r, NULL);

	expect_error(RUN("addr", "add", "10.0.0.1/24", "dev", "dpdk0"), DPVS__STATUS__ERR_EXISTS,
		     "10.0.0.1 is already on dpdk0");
	expect_error(RUN("addr", "add", "10.0.0.2/24", "dev", "dpdk9"),
		     DPVS__STATUS__ERR_NOT_FOUND, "no port named dpdk9");
	expect_error(RUN("addr", "del", "10.0.0.7", "dev", "dpdk0"), DPVS__STATUS__ERR_NOT_FOUND,
		     "10.0.0.7 is not on dpdk0");
	expect_error(RUN("addr", "show", "dev", "dpdk7"), DPVS__STATUS__ERR_NOT_FOUND,
		     "no port named dpdk7");
	ck_assert_uint_eq(shm.root->config.generation, gen0 + 2);

	r = RUN("addr", "show");
	ck_assert_int_eq(r->status, DPVS__STATUS__OK);
	ck_assert_int_eq(r->payload_case, DPVS__RESPONSE__PAYLOAD_ADDRS);
	ck_assert_uint_eq(r->addrs->n_addrs, 2);
	ck_assert_str_eq(r->addrs->addrs[0]->dev, "dpdk0");
	ck_assert_uint_eq(r->addrs->addrs[0]->prefixlen, 24);
	ck_assert_int_eq(r->addrs->addrs[1]->address->family, DPVS__FAMILY__INET6);
	dpvs__response__free_unpacked(r, NULL);

	r = RUN("addr", "del", "2001:db8::1", "dev", "dpdk0");
	ck_assert_int_eq(r->status, DPVS__STATUS__OK);
	dpvs__response__free_unpacked(r, NULL);
	ck_assert_uint_eq(dpvs_config_active(&shm)->naddrs, 1);
}
END_TEST

START_TEST(test_malformed_bytes)
{
	const uint8_t junk[] = { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f };
	Dpvs__Response *r;
	uint8_t *out;
	size_t outlen;

	ck_assert_int_eq(ctl_handle(&shm, junk, sizeof(junk), &out, &outlen), -CTL_EMALFORMED);
	r = dpvs__response__unpack(NULL, outlen, out);
	free(out);
	expect_error(r, DPVS__STATUS__ERR_MALFORMED, "malformed request");

	/* an empty request decodes but names no operation */
	ck_assert_int_eq(ctl_handle(&shm, junk, 0, &out, &outlen), 0);
	r = dpvs__response__unpack(NULL, outlen, out);
	free(out);
	expect_error(r, DPVS__STATUS__ERR_UNSUPPORTED, "unknown operation");
}
END_TEST

/* A request whose port name holds a NUL ("dpdk0\0evil") is refused, not
 * cut to "dpdk0"; a message echoing a name with control characters carries
 * them escaped. */
START_TEST(test_nul_and_control_characters)
{
	char *argv[] = { "addr", "add", "10.0.0.77/24", "dev", "dpdk0Xevil" };
	uint64_t gen0 = shm.root->config.generation;
	struct ctl_cli_cmd cmd;
	Dpvs__Response *r;
	uint8_t *in, *out;
	size_t inlen, outlen, i;
	char err[256];

	ck_assert_int_eq(ctl_cli_parse(5, argv, &cmd, err, sizeof(err)), CTL_CLI_OK);
	in = ctl_pb_pack_request(cmd.req, &inlen);
	ctl_cli_cmd_free(&cmd);
	for (i = 0; i < inlen; i++)
		if (in[i] == 'X')
			in[i] = 0;
	ck_assert_int_eq(ctl_handle(&shm, in, inlen, &out, &outlen), 0);
	free(in);
	r = dpvs__response__unpack(NULL, outlen, out);
	free(out);
	expect_error(r, DPVS__STATUS__ERR_INVALID,
		     "invalid request: text field 'dev' contains a NUL byte");
	ck_assert_uint_eq(shm.root->config.generation, gen0);

	r = RUN("addr", "add", "10.0.0.78/24", "dev", "dpdk0\n-A -t 1.2.3.4:80\x1b[2J");
	ck_assert_int_eq(r->status, DPVS__STATUS__ERR_NOT_FOUND);
	ck_assert_ptr_null(strchr(r->message, '\n'));
	ck_assert_ptr_null(strchr(r->message, '\x1b'));
	expect_error(r, DPVS__STATUS__ERR_NOT_FOUND,
		     "no port named dpdk0\\n-A -t 1.2.3.4:80\\x1b[2J");
}
END_TEST

START_TEST(test_worker_show)
{
	struct dpvs_worker_slot *s = &shm.root->workers[1];
	Dpvs__Response *r;

	/* the primary spawned incarnation 4 as pid 4242; it reports running */
	s->sup.pid = 4242;
	s->sup.state = DPVS_WORKER_STARTING;
	s->sup.restarts = 3;
	s->sup.incarnation = 4;
	s->self.pid = 4242;
	s->self.incarnation = 4;
	s->self.state = DPVS_WORKER_RUNNING;
	s->self.heartbeat_ns = dpvs_now_ns() - 5000000ull;   /* 5 ms ago */
	r = RUN("worker", "show");
	ck_assert_int_eq(r->payload_case, DPVS__RESPONSE__PAYLOAD_WORKERS);
	ck_assert_uint_eq(r->workers->n_workers, 2);
	ck_assert_str_eq(r->workers->workers[0]->state, "stopped");
	ck_assert_int_eq(r->workers->workers[0]->heartbeat_age_ms, -1);
	ck_assert_uint_eq(r->workers->workers[1]->id, 1);
	ck_assert_int_eq(r->workers->workers[1]->pid, 4242);
	ck_assert_str_eq(r->workers->workers[1]->state, "running");
	ck_assert_uint_eq(r->workers->workers[1]->restarts, 3);
	ck_assert_int_ge(r->workers->workers[1]->heartbeat_age_ms, 5);
	ck_assert_int_lt(r->workers->workers[1]->heartbeat_age_ms, 5000);
	dpvs__response__free_unpacked(r, NULL);
	/* what a dead incarnation wrote does not make its successor running */
	s->sup.incarnation = 5;
	s->sup.pid = 4343;
	r = RUN("worker", "show");
	ck_assert_str_eq(r->workers->workers[1]->state, "starting");
	ck_assert_int_eq(r->workers->workers[1]->pid, 4343);
	dpvs__response__free_unpacked(r, NULL);
	s->sup.state = DPVS_WORKER_STOPPED;
	s->self.state = DPVS_WORKER_STOPPED;
}
END_TEST

static void
put_neigh(unsigned int w, unsigned int slot, uint8_t last, uint8_t maclast, uint8_t state,
	  uint64_t confirmed)
{
	struct dpvs_neigh *n = &shm.wr[w]->neigh[slot];

	memset(n, 0, sizeof(*n));
	n->ip.family = DPVS_AF_INET;
	n->ip.bytes[0] = 10;
	n->ip.bytes[3] = last;
	n->port = 0;
	n->mac[0] = 2;
	n->mac[5] = maclast;
	n->confirmed_ns = confirmed;
	n->state = state;
}

/* The entry each worker uses: workers that agree (state and MAC) share a
 * row, the others get their own; the age is the youngest; a static
 * neighbour hides what was learned for it; no MAC while incomplete. */
START_TEST(test_neigh_union)
{
	uint64_t now = dpvs_now_ns(), s = 1000000000ull;
	struct dpvs_config_set *set;
	struct dpvs_static_neigh *sn;
	Dpvs__Response *r;
	Dpvs__Neigh *n;

	put_neigh(0, 5, 2, 0xa, DPVS_NEIGH_REACHABLE, now - 20 * s);
	put_neigh(1, 9, 2, 0xa, DPVS_NEIGH_REACHABLE, now - 5 * s);  /* agrees, younger */
	put_neigh(1, 10, 3, 0xc, DPVS_NEIGH_STALE, now - 40 * s);
	put_neigh(0, 11, 3, 0xd, DPVS_NEIGH_PROBE, now - 40 * s);    /* disagrees */
	put_neigh(0, 12, 4, 0xe, DPVS_NEIGH_INCOMPLETE, now - 1 * s);
	put_neigh(0, 13, 9, 0xf, DPVS_NEIGH_REACHABLE, now);         /* static below */
	set = (struct dpvs_config_set *)(uintptr_t)dpvs_config_active(&shm);
	sn = dpvs_lb_sneigh(&set->lb);
	sn[0].ip = shm.wr[0]->neigh[13].ip;
	sn[0].mac[0] = 2;
	sn[0].mac[5] = 0x99;
	set->lb.nsneigh = 1;
	dpvs_lb_sneigh_hash(&set->lb)[dpvs_sneigh_hash(&set->lb, &sn[0].ip, 0)] = 1;
	r = RUN("neigh", "show");
	ck_assert_int_eq(r->payload_case, DPVS__RESPONSE__PAYLOAD_NEIGHS);
	ck_assert_uint_eq(r->neighs->n_neighs, 5);
	n = r->neighs->neighs[0];                  /* the static one first */
	ck_assert_uint_eq(n->address->addr.data[3], 9);
	ck_assert_str_eq(n->state, "static");
	ck_assert(n->is_static);
	ck_assert_uint_eq(n->lladdr.data[5], 0x99);
	ck_assert_uint_eq(n->n_workers, 0);
	n = r->neighs->neighs[1];
	ck_assert_uint_eq(n->address->addr.data[3], 2);
	ck_assert_uint_eq(n->n_workers, 2);
	ck_assert_uint_eq(n->workers[0], 0);
	ck_assert_uint_eq(n->workers[1], 1);
	ck_assert_uint_eq(n->lladdr.len, 6);
	ck_assert_uint_eq(n->lladdr.data[5], 0xa);
	ck_assert_str_eq(n->dev, "dpdk0");
	ck_assert_str_eq(n->state, "reachable");
	ck_assert(!n->is_static);
	ck_assert_uint_ge(n->age_ms, 5000);
	ck_assert_uint_lt(n->age_ms, 20000);
	n = r->neighs->neighs[2];                  /* 10.0.0.3: worker 0's probe */
	ck_assert_uint_eq(n->address->addr.data[3], 3);
	ck_assert_str_eq(n->state, "probe");
	ck_assert_uint_eq(n->lladdr.data[5], 0xd);
	ck_assert_uint_eq(n->n_workers, 1);
	ck_assert_uint_eq(n->workers[0], 0);
	n = r->neighs->neighs[3];                  /* and worker 1's stale entry */
	ck_assert_uint_eq(n->address->addr.data[3], 3);
	ck_assert_str_eq(n->state, "stale");
	ck_assert_uint_eq(n->lladdr.data[5], 0xc);
	ck_assert_uint_eq(n->workers[0], 1);
	n = r->neighs->neighs[4];
	ck_assert_uint_eq(n->address->addr.data[3], 4);
	ck_assert_str_eq(n->state, "incomplete");
	ck_assert_uint_eq(n->lladdr.len, 0);
	dpvs__response__free_unpacked(r, NULL);
	memset(&sn[0], 0, sizeof(sn[0]));
	memset(dpvs_lb_sneigh_hash(&set->lb), 0,
	       sizeof(uint16_t) * set->lb.sneigh_hash_slots);
	set->lb.nsneigh = 0;
	memset(shm.wr[0]->neigh, 0, sizeof(shm.wr[0]->neigh));
	memset(shm.wr[1]->neigh, 0, sizeof(shm.wr[1]->neigh));
}
END_TEST

START_TEST(test_stats)
{
	Dpvs__Response *r;
	size_t i;
	uint64_t other = 0;

	shm.root->stats[0].drop[DPVS_DROP_OTHERHOST] = 3;
	shm.root->stats[1].drop[DPVS_DROP_OTHERHOST] = 4;
	shm.root->stats[1].verdict[DPVS_VERDICT_TX] = 9;
	shm.root->bridge_stats[0].to_kernel = 5;
	r = RUN("stats");
	ck_assert_int_eq(r->payload_case, DPVS__RESPONSE__PAYLOAD_STATS);
	ck_assert_uint_eq(r->stats->n_ports, 1);
	ck_assert_str_eq(r->stats->ports[0]->name, "dpdk0");
	ck_assert(!r->stats->ports[0]->stats_ok);
	ck_assert_uint_eq(r->stats->ports[0]->kni_to_kernel, 5);
	ck_assert_uint_eq(r->stats->n_workers, 2);
	ck_assert_uint_eq(r->stats->workers[1]->n_verdicts, DPVS_VERDICT_MAX);
	ck_assert_str_eq(r->stats->workers[1]->verdicts[DPVS_VERDICT_TX]->name, "tx");
	ck_assert_uint_eq(r->stats->workers[1]->verdicts[DPVS_VERDICT_TX]->value, 9);
	ck_assert_uint_eq(r->stats->n_drops, DPVS_DROP_MAX);
	for (i = 0; i < r->stats->n_drops; i++)
		if (strcmp(r->stats->drops[i]->name, "otherhost") == 0)
			other = r->stats->drops[i]->value;
	ck_assert_uint_eq(other, 7);
	dpvs__response__free_unpacked(r, NULL);
}
END_TEST

START_TEST(test_version)
{
	Dpvs__Response *r = RUN("version");

	ck_assert_int_eq(r->payload_case, DPVS__RESPONSE__PAYLOAD_VERSION);
	ck_assert_str_eq(r->version->version, DPVS_MP_VERSION);
	ck_assert_str_eq(r->version->dpdk, shm.root->dpdk_version);
	ck_assert_uint_eq(r->version->layout, DPVS_LAYOUT_VERSION);
	dpvs__response__free_unpacked(r, NULL);
}
END_TEST

static volatile int reporter_stop;

/* A worker's loop reduced to its RCU duty: quiescent every 100 us. */
static void *
reporter(void *arg)
{
	const struct timespec nap = { 0, 100000 };

	(void)arg;
	while (!__atomic_load_n(&reporter_stop, __ATOMIC_ACQUIRE)) {
		rte_rcu_qsbr_quiescent(shm.rcu, 0);
		nanosleep(&nap, NULL);
	}
	return NULL;
}

START_TEST(test_rcu_wait)
{
	Dpvs__Response *r;
	pthread_t t;

	ck_assert_int_eq(rte_rcu_qsbr_thread_register(shm.rcu, 0), 0);
	rte_rcu_qsbr_thread_online(shm.rcu, 0);
	/* an online reader that never reports holds the writer until the deadline */
	ck_assert_int_eq(ctl_rcu_wait(shm.rcu, 30), -CTL_EBUSY);
	reporter_stop = 0;
	ck_assert_int_eq(pthread_create(&t, NULL, reporter, NULL), 0);
	ck_assert_int_eq(ctl_rcu_wait(shm.rcu, 2000), 0);
	r = RUN("addr", "add", "10.0.5.1/24", "dev", "dpdk0");
	ck_assert_int_eq(r->status, DPVS__STATUS__OK);
	dpvs__response__free_unpacked(r, NULL);
	__atomic_store_n(&reporter_stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	rte_rcu_qsbr_thread_offline(shm.rcu, 0);
	rte_rcu_qsbr_thread_unregister(shm.rcu, 0);
	/* offline readers are not waited for */
	ck_assert_int_eq(ctl_rcu_wait(shm.rcu, 30), 0);
}
END_TEST

/* [ctl] readonly_group: shows (port show, blklst show too), stats, save and
 * version are served; every change (port set, blklst add too), and reload,
 * is refused and changes nothing. */
START_TEST(test_readonly_role)
{
	uint64_t gen0 = shm.root->config.generation;
	Dpvs__Response *r;

	run_readonly = 1;
	r = RUN("addr", "show");
	ck_assert_int_eq(r->status, DPVS__STATUS__OK);
	dpvs__response__free_unpacked(r, NULL);
	r = RUN("-L", "-n");
	ck_assert_int_eq(r->status, DPVS__STATUS__OK);
	dpvs__response__free_unpacked(r, NULL);
	r = RUN("save");
	ck_assert_int_eq(r->status, DPVS__STATUS__OK);
	dpvs__response__free_unpacked(r, NULL);
	r = RUN("stats");
	ck_assert_int_eq(r->status, DPVS__STATUS__OK);
	dpvs__response__free_unpacked(r, NULL);
	r = RUN("port", "show");
	ck_assert_int_eq(r->status, DPVS__STATUS__OK);
	dpvs__response__free_unpacked(r, NULL);
	r = RUN("blklst", "show");
	ck_assert_int_eq(r->status, DPVS__STATUS__OK);
	dpvs__response__free_unpacked(r, NULL);
	expect_error(RUN("blklst", "add", "-t", "10.9.0.100:80", "198.51.100.0/24"),
		     DPVS__STATUS__ERR_PERMISSION, "permission denied: read-only");
	expect_error(RUN("port", "set", "dpdk0", "forward", "on"), DPVS__STATUS__ERR_PERMISSION,
		     "permission denied: read-only");
	expect_error(RUN("addr", "add", "10.9.0.1/24", "dev", "dpdk0"),
		     DPVS__STATUS__ERR_PERMISSION, "permission denied: read-only");
	expect_error(RUN("-A", "-t", "10.9.0.100:80", "-s", "rr"), DPVS__STATUS__ERR_PERMISSION,
		     "permission denied: read-only");
	expect_error(RUN("reload"), DPVS__STATUS__ERR_PERMISSION, "permission denied: read-only");
	run_readonly = 0;
	ck_assert_uint_eq(shm.root->config.generation, gen0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ctl_handler");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	/* as dpvs-ctl does: a write to a client that left is an error, not death */
	signal(SIGPIPE, SIG_IGN);
	tctl_eal_and_shm(&shm, "test_ctl_handler", "tctlh");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_addr_via_handler);
	tcase_add_test(tc, test_readonly_role);
	tcase_add_test(tc, test_malformed_bytes);
	tcase_add_test(tc, test_nul_and_control_characters);
	tcase_add_test(tc, test_worker_show);
	tcase_add_test(tc, test_neigh_union);
	tcase_add_test(tc, test_stats);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_rcu_wait);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	dpvs_eal_cleanup_private();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
