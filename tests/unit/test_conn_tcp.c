/*
 * Unit tests for LVS's TCP states (worker/ipvs/proto_tcp.c): the state machine
 * over a normal open and close from either side, a one-way connection's
 * input-only table (dr, tunnel), a reset, a simultaneous close, flag precedence, state names, and the idle timeout per state and
 * protocol with its fallbacks for zero config values. Pure functions, no EAL.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <rte_tcp.h>

#include "shm/lb.h"
#include "worker/ipvs/conn_table.h"

#define SYN RTE_TCP_SYN_FLAG
#define ACK RTE_TCP_ACK_FLAG
#define FIN RTE_TCP_FIN_FLAG
#define RST RTE_TCP_RST_FLAG
#define IN  DPVS_DIR_IN
#define OUT DPVS_DIR_OUT
#define SEC 1000000000ull

struct step {
	int dir;
	uint8_t flags;
	uint8_t want;
};

static void
walk(const struct step *s, size_t n)
{
	uint8_t st = DPVS_TCPS_NONE;
	size_t i;

	for (i = 0; i < n; i++) {
		st = wk_tcp_next_state(st, s[i].dir, s[i].flags);
		ck_assert_msg(st == s[i].want, "step %zu: got %s, want %s", i,
			      wk_tcp_state_name(st), wk_tcp_state_name(s[i].want));
	}
}

START_TEST(test_open_and_client_close)
{
	static const struct step s[] = {
		{ IN, SYN, DPVS_TCPS_SYN_RECV },
		{ OUT, SYN | ACK, DPVS_TCPS_SYN_RECV },
		{ IN, ACK, DPVS_TCPS_ESTABLISHED },
		{ IN, ACK, DPVS_TCPS_ESTABLISHED },          /* data */
		{ OUT, ACK, DPVS_TCPS_ESTABLISHED },
		{ IN, FIN | ACK, DPVS_TCPS_CLOSE_WAIT },     /* client closes */
		{ OUT, ACK, DPVS_TCPS_CLOSE_WAIT },
		{ OUT, FIN | ACK, DPVS_TCPS_TIME_WAIT },     /* server closes */
		{ IN, ACK, DPVS_TCPS_TIME_WAIT },
	};

	walk(s, RTE_DIM(s));
}
END_TEST

/* The state the new-connection path gives a TCP connection without asking
 * the table (WK_TCP_SYN_STATE) is the table's for a SYN (with URG too: a
 * valid opening segment) in the inbound and the input-only tables. */
START_TEST(test_syn_state_is_the_tables)
{
	ck_assert_uint_eq(wk_tcp_next_state(DPVS_TCPS_NONE, DPVS_DIR_IN, RTE_TCP_SYN_FLAG),
			  WK_TCP_SYN_STATE);
	ck_assert_uint_eq(wk_tcp_next_state(DPVS_TCPS_NONE, DPVS_DIR_IN,
					    RTE_TCP_SYN_FLAG | RTE_TCP_URG_FLAG),
			  WK_TCP_SYN_STATE);
	ck_assert_uint_eq(wk_tcp_next_state(DPVS_TCPS_NONE, WK_TCP_IN_ONLY, RTE_TCP_SYN_FLAG),
			  WK_TCP_SYN_STATE);
}
END_TEST

/* A one-way connection (dr, tunnel): LVS's input-only table, the server's
 * side never seen. */
START_TEST(test_input_only)
{
	static const struct step s[] = {
		{ WK_TCP_IN_ONLY, SYN, DPVS_TCPS_SYN_RECV },
		{ WK_TCP_IN_ONLY, ACK, DPVS_TCPS_ESTABLISHED },
		{ WK_TCP_IN_ONLY, ACK, DPVS_TCPS_ESTABLISHED },
		{ WK_TCP_IN_ONLY, FIN | ACK, DPVS_TCPS_FIN_WAIT },   /* input: CLOSE_WAIT */
		{ WK_TCP_IN_ONLY, ACK, DPVS_TCPS_FIN_WAIT },
		{ WK_TCP_IN_ONLY, FIN | ACK, DPVS_TCPS_FIN_WAIT },   /* retransmitted */
		{ WK_TCP_IN_ONLY, SYN, DPVS_TCPS_SYN_RECV },         /* the tuple reused */
		{ WK_TCP_IN_ONLY, RST, DPVS_TCPS_SYN_RECV },
		{ WK_TCP_IN_ONLY, ACK, DPVS_TCPS_ESTABLISHED },
		{ WK_TCP_IN_ONLY, RST | ACK, DPVS_TCPS_CLOSE },
	};
	unsigned int st;

	walk(s, RTE_DIM(s));
	/* where the tables differ: input-only never waits for the server */
	ck_assert_uint_eq(wk_tcp_next_state(DPVS_TCPS_ESTABLISHED, IN, FIN),
			  DPVS_TCPS_CLOSE_WAIT);
	ck_assert_uint_eq(wk_tcp_next_state(DPVS_TCPS_SYNACK, WK_TCP_IN_ONLY, RST),
			  DPVS_TCPS_CLOSE);
	ck_assert_uint_eq(wk_tcp_next_state(DPVS_TCPS_SYNACK, IN, RST), DPVS_TCPS_SYN_RECV);
	for (st = 0; st < DPVS_TCPS_MAX; st++)
		ck_assert_uint_eq(wk_tcp_next_state((uint8_t)st, WK_TCP_IN_ONLY, SYN),
				  st == DPVS_TCPS_ESTABLISHED || st == DPVS_TCPS_SYN_SENT ?
					  DPVS_TCPS_ESTABLISHED : DPVS_TCPS_SYN_RECV);
}
END_TEST

START_TEST(test_server_closes_first)
{
	static const struct step s[] = {
		{ IN, SYN, DPVS_TCPS_SYN_RECV },
		{ OUT, SYN | ACK, DPVS_TCPS_SYN_RECV },
		{ IN, ACK, DPVS_TCPS_ESTABLISHED },
		{ OUT, FIN | ACK, DPVS_TCPS_FIN_WAIT },
		{ IN, ACK, DPVS_TCPS_FIN_WAIT },
		{ IN, FIN | ACK, DPVS_TCPS_TIME_WAIT },
		{ OUT, ACK, DPVS_TCPS_TIME_WAIT },
	};

	walk(s, RTE_DIM(s));
}
END_TEST

START_TEST(test_simultaneous_close)
{
	/* both FINs cross: whichever we see first, both end in TIME_WAIT */
	static const struct step a[] = {
		{ IN, SYN, DPVS_TCPS_SYN_RECV },
		{ OUT, SYN | ACK, DPVS_TCPS_SYN_RECV },
		{ IN, ACK, DPVS_TCPS_ESTABLISHED },
		{ IN, FIN | ACK, DPVS_TCPS_CLOSE_WAIT },
		{ OUT, FIN | ACK, DPVS_TCPS_TIME_WAIT },
		{ IN, ACK, DPVS_TCPS_TIME_WAIT },
		{ OUT, ACK, DPVS_TCPS_TIME_WAIT },
	};
	static const struct step b[] = {
		{ IN, SYN, DPVS_TCPS_SYN_RECV },
		{ OUT, SYN | ACK, DPVS_TCPS_SYN_RECV },
		{ IN, ACK, DPVS_TCPS_ESTABLISHED },
		{ OUT, FIN | ACK, DPVS_TCPS_FIN_WAIT },
		{ IN, FIN | ACK, DPVS_TCPS_TIME_WAIT },
		{ OUT, ACK, DPVS_TCPS_TIME_WAIT },
		{ IN, ACK, DPVS_TCPS_TIME_WAIT },
	};

	walk(a, RTE_DIM(a));
	walk(b, RTE_DIM(b));
}
END_TEST

START_TEST(test_resets)
{
	static const struct step client_rst[] = {
		{ IN, SYN, DPVS_TCPS_SYN_RECV },
		{ OUT, SYN | ACK, DPVS_TCPS_SYN_RECV },
		{ IN, ACK, DPVS_TCPS_ESTABLISHED },
		{ IN, RST | ACK, DPVS_TCPS_CLOSE },
	};
	static const struct step server_rst[] = {
		{ IN, SYN, DPVS_TCPS_SYN_RECV },
		{ OUT, RST | ACK, DPVS_TCPS_CLOSE },          /* port closed on the dest */
	};
	static const struct step est_server_rst[] = {
		{ IN, SYN, DPVS_TCPS_SYN_RECV },
		{ OUT, SYN | ACK, DPVS_TCPS_SYN_RECV },
		{ IN, ACK, DPVS_TCPS_ESTABLISHED },
		{ OUT, RST, DPVS_TCPS_CLOSE },
		{ IN, SYN, DPVS_TCPS_SYN_RECV },               /* the port is reused */
	};

	walk(client_rst, RTE_DIM(client_rst));
	walk(server_rst, RTE_DIM(server_rst));
	walk(est_server_rst, RTE_DIM(est_server_rst));
	/* a client RST while the handshake is half done keeps SYN_RECV (LVS) */
	ck_assert_uint_eq(wk_tcp_next_state(DPVS_TCPS_SYN_RECV, IN, RST), DPVS_TCPS_SYN_RECV);
}
END_TEST

START_TEST(test_flag_precedence_and_odd_input)
{
	/* RST beats SYN beats FIN beats ACK */
	ck_assert_uint_eq(wk_tcp_next_state(DPVS_TCPS_ESTABLISHED, IN, RST | SYN | FIN | ACK),
			  DPVS_TCPS_CLOSE);
	ck_assert_uint_eq(wk_tcp_next_state(DPVS_TCPS_ESTABLISHED, OUT, SYN | FIN),
			  DPVS_TCPS_ESTABLISHED);
	ck_assert_uint_eq(wk_tcp_next_state(DPVS_TCPS_ESTABLISHED, IN, FIN | ACK),
			  DPVS_TCPS_CLOSE_WAIT);
	/* no flag we care about: no change */
	ck_assert_uint_eq(wk_tcp_next_state(DPVS_TCPS_ESTABLISHED, IN, 0),
			  DPVS_TCPS_ESTABLISHED);
	ck_assert_uint_eq(wk_tcp_next_state(DPVS_TCPS_FIN_WAIT, OUT, RTE_TCP_PSH_FLAG),
			  DPVS_TCPS_FIN_WAIT);
	/* a state out of range is treated as NONE, never read past the table */
	ck_assert_uint_eq(wk_tcp_next_state(200, IN, SYN), DPVS_TCPS_SYN_RECV);
	/* every result is a valid state */
	for (unsigned int st = 0; st < DPVS_TCPS_MAX; st++)
		for (unsigned int f = 0; f < 64; f++) {
			ck_assert_uint_lt(wk_tcp_next_state((uint8_t)st, IN, (uint8_t)f),
					  DPVS_TCPS_MAX);
			ck_assert_uint_lt(wk_tcp_next_state((uint8_t)st, OUT, (uint8_t)f),
					  DPVS_TCPS_MAX);
		}
}
END_TEST

START_TEST(test_state_names)
{
	ck_assert_str_eq(wk_tcp_state_name(DPVS_TCPS_NONE), "NONE");
	ck_assert_str_eq(wk_tcp_state_name(DPVS_TCPS_ESTABLISHED), "ESTABLISHED");
	ck_assert_str_eq(wk_tcp_state_name(DPVS_TCPS_TIME_WAIT), "TIME_WAIT");
	ck_assert_str_eq(wk_tcp_state_name(DPVS_TCPS_SYNACK), "SYNACK");
	ck_assert_str_eq(wk_tcp_state_name(DPVS_TCPS_MAX), "?");
}
END_TEST

START_TEST(test_timeouts_per_state)
{
	struct dpvs_timeouts t;
	unsigned int st;

	memset(&t, 0, sizeof(t));
	for (st = 0; st < DPVS_TCPS_MAX; st++)
		t.tcp[st] = 100 + st;
	t.udp = 42;
	for (st = 0; st < DPVS_TCPS_MAX; st++)
		ck_assert_uint_eq(wk_conn_timeout_ns(&t, IPPROTO_TCP, (uint8_t)st),
				  (100 + st) * SEC);
	ck_assert_uint_eq(wk_conn_timeout_ns(&t, IPPROTO_UDP, 0), 42 * SEC);
	/* UDP ignores the state */
	ck_assert_uint_eq(wk_conn_timeout_ns(&t, IPPROTO_UDP, DPVS_TCPS_CLOSE), 42 * SEC);
}
END_TEST

START_TEST(test_zero_timeouts_fall_back)
{
	struct dpvs_timeouts t;
	unsigned int st;

	/* a half-filled config: nothing immortal, nothing dead on arrival */
	memset(&t, 0, sizeof(t));
	t.tcp[DPVS_TCPS_ESTABLISHED] = 90;
	ck_assert_uint_eq(wk_conn_timeout_ns(&t, IPPROTO_TCP, DPVS_TCPS_ESTABLISHED),
			  90 * SEC);
	for (st = 0; st < DPVS_TCPS_MAX; st++) {
		uint64_t ns = wk_conn_timeout_ns(&t, IPPROTO_TCP, (uint8_t)st);

		ck_assert_uint_ge(ns, SEC);
		ck_assert_uint_le(ns, 3600 * SEC);
	}
	/* LVS's values */
	ck_assert_uint_eq(wk_conn_timeout_ns(&t, IPPROTO_TCP, DPVS_TCPS_SYN_RECV), 60 * SEC);
	ck_assert_uint_eq(wk_conn_timeout_ns(&t, IPPROTO_TCP, DPVS_TCPS_TIME_WAIT), 120 * SEC);
	ck_assert_uint_eq(wk_conn_timeout_ns(&t, IPPROTO_TCP, DPVS_TCPS_CLOSE), 10 * SEC);
	ck_assert_uint_eq(wk_conn_timeout_ns(&t, IPPROTO_UDP, 0), 300 * SEC);
	ck_assert_uint_eq(wk_conn_timeout_ns(NULL, IPPROTO_TCP, DPVS_TCPS_ESTABLISHED),
			  900 * SEC);
	ck_assert_uint_eq(wk_conn_timeout_ns(NULL, IPPROTO_UDP, 0), 300 * SEC);
	/* a bad state gets a short, finite timeout */
	ck_assert_uint_eq(wk_conn_timeout_ns(&t, IPPROTO_TCP, 250), 10 * SEC);
}
END_TEST

/* The packet path's inline read of the timeout (wk_conn_idle_ns) is
 * wk_conn_timeout_ns for every protocol and state, set or zero. */
START_TEST(test_idle_ns_is_timeout_ns)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };
	struct dpvs_timeouts t;
	unsigned int fill, i, st;

	for (fill = 0; fill < 3; fill++) {
		memset(&t, 0, sizeof(t));
		for (st = 0; st < DPVS_TCPS_MAX; st++)
			t.tcp[st] = fill == 0 ? 0 : fill == 1 ? 100 + st : (st & 1) * 7;
		t.udp = fill == 1 ? 42 : 0;
		for (i = 0; i < sizeof(protos); i++)
			for (st = 0; st < 256; st++)
				ck_assert_uint_eq(wk_conn_idle_ns(&t, protos[i], (uint8_t)st),
						  wk_conn_timeout_ns(&t, protos[i], (uint8_t)st));
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("conn_tcp");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_open_and_client_close);
	tcase_add_test(tc, test_syn_state_is_the_tables);
	tcase_add_test(tc, test_input_only);
	tcase_add_test(tc, test_server_closes_first);
	tcase_add_test(tc, test_simultaneous_close);
	tcase_add_test(tc, test_resets);
	tcase_add_test(tc, test_flag_precedence_and_odd_input);
	tcase_add_test(tc, test_state_names);
	tcase_add_test(tc, test_timeouts_per_state);
	tcase_add_test(tc, test_zero_timeouts_fall_back);
	tcase_add_test(tc, test_idle_ns_is_timeout_ns);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
