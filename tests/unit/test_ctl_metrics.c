/*
 * Unit tests of the Prometheus exposition (ctl/daemon/metrics_fmt.c) on a
 * node's shm created in this process (EAL without hugepages): a service with
 * two dests, one taken down by its health check, counters in the workers'
 * rows; the exact samples of the service, the dests (weights, health state
 * set), the workers (drops by reason, events) and the pool; every family
 * written whole after its HELP and TYPE lines, counters ending in _total;
 * label values and HELP text escaped.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ctl/common/cli.h"
#include "ctl/daemon/apply.h"
#include "ctl/daemon/change.h"
#include "ctl/daemon/lb.h"
#include "ctl/daemon/metrics.h"
#include "shm/eal.h"
#include "test_ctl_shm.h"

static struct dpvs_shm shm;

static void
apply(const char *line)
{
	char buf[256], *argv[CTL_CLI_MAX_ARGS], err[256];
	struct ctl_cli_cmd cmd;
	struct ctl_op op;
	int argc;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = ctl_cli_split(buf, argv, CTL_CLI_MAX_ARGS);
	ck_assert_int_eq(ctl_cli_parse(argc, argv, &cmd, err, sizeof(err)), CTL_CLI_OK);
	ck_assert_int_eq(ctl_op_from_request(shm.root, cmd.req, &op, err, sizeof(err)), 0);
	ck_assert_msg(ctl_change_run(&shm, &op, 1, err, sizeof(err)) == 0, "%s: %s", line, err);
	ctl_cli_cmd_free(&cmd);
}

static char *
render(void)
{
	struct ctl_metrics_busy busy = { .ratio = { 0.25, -1 } };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ctl_metrics_render(&shm, &busy, f);
	fclose(f);
	return buf;
}

static void
has(const char *text, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	ck_assert_msg(strstr(text, want) != NULL, "no line \"%s\"", line);
}

START_TEST(test_samples)
{
	const struct dpvs_lb_tables *lb;
	struct ctl_health_args h;
	char err[256], *text;
	struct ctl_op op;
	uint32_t d;

	apply("-A -t 10.0.0.100:80 -s rr");
	apply("-a -t 10.0.0.100:80 -r 10.1.0.2:80 -w 3");
	apply("-a -t 10.0.0.100:80 -r 10.1.0.3:80 -w 1");
	apply("check set -t 10.0.0.100:80 -r 10.1.0.3:80 tcp");
	memset(&op, 0, sizeof(op));
	op.kind = CTL_OP_DEST_HEALTH;
	memset(&h, 0, sizeof(h));
	h.svc.proto = 6;
	h.svc.vip.family = DPVS_AF_INET;
	inet_pton(AF_INET, "10.0.0.100", h.svc.vip.bytes);
	h.svc.port = 80;
	h.addr.family = DPVS_AF_INET;
	inet_pton(AF_INET, "10.1.0.3", h.addr.bytes);
	h.port = 80;
	h.down = true;
	op.u.health = h;
	ck_assert_int_eq(ctl_change_run(&shm, &op, 1, err, sizeof(err)), 0);
	lb = &dpvs_config_active(&shm)->lb;
	/* counters: worker 0 and 1 rows of the service and the first dest */
	dpvs_wr_svc_stats(shm.wr[0])[0] = (struct dpvs_lb_stats){ .id = dpvs_lb_svc(lb, 0)->id,
		.active = 2, .inactive = 1, .conns = 10, .inpkts = 100, .outpkts = 90,
		.inbytes = 5000, .outbytes = 9000 };
	dpvs_wr_svc_stats(shm.wr[1])[0] = (struct dpvs_lb_stats){ .id = dpvs_lb_svc(lb, 0)->id,
		.conns = 5, .inpkts = 1 };
	for (d = 0; d < lb->caps.dests && dpvs_lb_dests(lb)[d].port != htons(80); d++)
		;
	dpvs_wr_dest_stats(shm.wr[1])[d] = (struct dpvs_lb_stats){ .id = dpvs_lb_dests(lb)[d].id,
		.conns = 7, .inpkts = 70, .outbytes = 700 };
	shm.root->stats[1].drop[DPVS_DROP_NO_ROUTE] = 42;
	shm.root->stats[0].event[DPVS_EVENT_FRAG_CREATED] = 17;
	shm.root->stats[0].rx_pkts = 1234;
	text = render();
	has(text, "dpvs_service_active_connections{service=\"TCP 10.0.0.100:80\"} 2");
	has(text, "dpvs_service_connections_total{service=\"TCP 10.0.0.100:80\"} 15");
	has(text, "dpvs_service_packets_total{service=\"TCP 10.0.0.100:80\",direction=\"in\"} 101");
	has(text, "dpvs_service_bytes_total{service=\"TCP 10.0.0.100:80\",direction=\"out\"} 9000");
	has(text, "dpvs_dest_connections_total{service=\"TCP 10.0.0.100:80\",dest=\"10.1.0.2:80\"} 7");
	has(text, "dpvs_dest_bytes_total{service=\"TCP 10.0.0.100:80\",dest=\"10.1.0.2:80\","
		  "direction=\"out\"} 700");
	has(text, "dpvs_dest_weight{service=\"TCP 10.0.0.100:80\",dest=\"10.1.0.3:80\"} 0");
	has(text, "dpvs_dest_configured_weight{service=\"TCP 10.0.0.100:80\",dest=\"10.1.0.3:80\"} 1");
	has(text, "dpvs_dest_health{service=\"TCP 10.0.0.100:80\",dest=\"10.1.0.3:80\",state=\"down\"} 1");
	has(text, "dpvs_dest_health{service=\"TCP 10.0.0.100:80\",dest=\"10.1.0.3:80\",state=\"up\"} 0");
	has(text, "dpvs_dest_health{service=\"TCP 10.0.0.100:80\",dest=\"10.1.0.2:80\","
		  "state=\"unchecked\"} 1");
	has(text, "dpvs_worker_drops_total{worker=\"1\",reason=\"no_route\"} 42");
	has(text, "dpvs_worker_events_total{worker=\"0\",event=\"frag_created\"} 17");
	has(text, "dpvs_worker_events_total{worker=\"1\",event=\"frag_created\"} 0");
	has(text, "dpvs_worker_rx_packets_total{worker=\"0\"} 1234");
	has(text, "dpvs_worker_busy_ratio{worker=\"0\"} 0.2500");
	has(text, "dpvs_worker_busy_ratio{worker=\"1\"} 0.0000");
	has(text, "dpvs_mbuf_pool_size 1023");
	has(text, "dpvs_mbuf_pool_cache_dropped_total 0");
	has(text, "# TYPE dpvs_worker_drops_total counter");
	has(text, "# TYPE dpvs_worker_events_total counter");
	has(text, "# TYPE dpvs_dest_health gauge");
	free(text);
}
END_TEST

/* Families whole, each after its HELP and TYPE; counters end in _total. */
START_TEST(test_families)
{
	char *text = render(), *line, *save = NULL, fam[128] = "", seen[8192] = " ";
	char name[128];
	size_t n;

	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# HELP ", 7) == 0) {
			n = strcspn(line + 7, " ");
			snprintf(fam, sizeof(fam), "%.*s", (int)n, line + 7);
			snprintf(name, sizeof(name), " %s ", fam);
			ck_assert_msg(strstr(seen, name) == NULL, "family %s twice", fam);
			strncat(seen, name + 1, sizeof(seen) - strlen(seen) - 1);
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			ck_assert_msg(strncmp(line + 7, fam, strlen(fam)) == 0, "%s", line);
			if (strstr(line, " counter") != NULL)
				ck_assert_msg(strstr(fam, "_total") == fam + strlen(fam) - 6,
					      "counter %s", fam);
			continue;
		}
		n = strcspn(line, "{ ");
		ck_assert_msg(strlen(fam) == n && strncmp(line, fam, n) == 0,
			      "sample %s outside its family %s", line, fam);
	}
	free(text);
}
END_TEST

START_TEST(test_escape)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ctl_metrics_escape(f, "a\"b\\c\nd", 0);
	fputc('|', f);
	ctl_metrics_escape(f, "a\"b\\c\nd", 1);
	fclose(f);
	ck_assert_str_eq(buf, "a\\\"b\\\\c\\nd|a\"b\\\\c\\nd");
	free(buf);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ctl_metrics");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tctl_eal_and_shm(&shm, "test_ctl_metrics", "tmet");
	tcase_add_test(tc, test_samples);
	tcase_add_test(tc, test_families);
	tcase_add_test(tc, test_escape);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	dpvs_eal_cleanup_private();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
