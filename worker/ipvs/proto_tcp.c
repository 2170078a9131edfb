/*
 * TCP's connection states as LVS keeps them (worker/ipvs/conn.h): the next state
 * after a segment in each direction, the state names, and the idle timeout of
 * a connection per protocol and state.
 *
 * In: a state, a direction, TCP flags; a config set's timeouts. Out: a state,
 * a name, a timeout in ns. Pure functions over const tables; no state.
 *
 * The transitions are the facts of kernel IPVS's tcp_states table (normal,
 * not the secure_tcp variant): input is client -> server, output is
 * server -> client, input-only is client -> server on a connection whose
 * server side the node never sees (dr, tunnel); a segment counts as RST if RST is set, else SYN, else
 * FIN, else ACK. One deliberate difference: a segment with none of these
 * flags leaves the state alone (the kernel moves to CLOSE), so that a bogus
 * flagless segment cannot shorten a connection's life. (The ipvs path
 * drops such a segment, and every other invalid flag combination, before
 * it gets here: tcp_window.c; and a segment outside the connection's
 * window too, so only segments in window move the state.)
 */
#include <netinet/in.h>
#include <stdint.h>

#include <rte_tcp.h>

#include "worker/ipvs/conn_table.h"

#define S(n) DPVS_TCPS_##n

enum { EV_SYN, EV_FIN, EV_ACK, EV_RST, EV_MAX };

/* next[state][table][event]; tables: 0 input, 1 output, 2 input-only (a
 * one-way connection, dr or tunnel: LVS's table for connections whose
 * replies do not pass the director, IP_VS_CONN_F_NOOUTPUT) */
static const uint8_t tcp_next[DPVS_TCPS_MAX][3][EV_MAX] = {
	/*                    syn, fin, ack, rst for each table */
	[S(NONE)] =        { { S(SYN_RECV), S(CLOSE), S(CLOSE), S(CLOSE) },
			     { S(SYN_SENT), S(TIME_WAIT), S(ESTABLISHED), S(CLOSE) },
			     { S(SYN_RECV), S(CLOSE), S(CLOSE), S(CLOSE) } },
	[S(ESTABLISHED)] = { { S(ESTABLISHED), S(CLOSE_WAIT), S(ESTABLISHED), S(CLOSE) },
			     { S(ESTABLISHED), S(FIN_WAIT), S(ESTABLISHED), S(CLOSE) },
			     { S(ESTABLISHED), S(FIN_WAIT), S(ESTABLISHED), S(CLOSE) } },
	[S(SYN_SENT)] =    { { S(ESTABLISHED), S(SYN_SENT), S(SYN_SENT), S(CLOSE) },
			     { S(SYN_SENT), S(SYN_SENT), S(SYN_SENT), S(SYN_SENT) },
			     { S(ESTABLISHED), S(SYN_SENT), S(SYN_SENT), S(CLOSE) } },
	[S(SYN_RECV)] =    { { S(SYN_RECV), S(TIME_WAIT), S(ESTABLISHED), S(SYN_RECV) },
			     { S(SYN_RECV), S(TIME_WAIT), S(ESTABLISHED), S(CLOSE) },
			     { S(SYN_RECV), S(TIME_WAIT), S(ESTABLISHED), S(SYN_RECV) } },
	[S(FIN_WAIT)] =    { { S(SYN_RECV), S(TIME_WAIT), S(FIN_WAIT), S(CLOSE) },
			     { S(SYN_SENT), S(FIN_WAIT), S(FIN_WAIT), S(CLOSE) },
			     { S(SYN_RECV), S(FIN_WAIT), S(FIN_WAIT), S(CLOSE) } },
	[S(TIME_WAIT)] =   { { S(SYN_RECV), S(TIME_WAIT), S(TIME_WAIT), S(CLOSE) },
			     { S(SYN_SENT), S(TIME_WAIT), S(TIME_WAIT), S(TIME_WAIT) },
			     { S(SYN_RECV), S(TIME_WAIT), S(TIME_WAIT), S(CLOSE) } },
	[S(CLOSE)] =       { { S(SYN_RECV), S(CLOSE), S(CLOSE), S(CLOSE) },
			     { S(SYN_SENT), S(CLOSE), S(CLOSE), S(CLOSE) },
			     { S(SYN_RECV), S(CLOSE), S(CLOSE), S(CLOSE) } },
	[S(CLOSE_WAIT)] =  { { S(SYN_RECV), S(CLOSE_WAIT), S(CLOSE_WAIT), S(CLOSE) },
			     { S(SYN_SENT), S(TIME_WAIT), S(CLOSE_WAIT), S(CLOSE) },
			     { S(SYN_RECV), S(CLOSE_WAIT), S(CLOSE_WAIT), S(CLOSE) } },
	[S(LAST_ACK)] =    { { S(SYN_RECV), S(LAST_ACK), S(CLOSE), S(LAST_ACK) },
			     { S(SYN_SENT), S(LAST_ACK), S(LAST_ACK), S(CLOSE) },
			     { S(SYN_RECV), S(LAST_ACK), S(CLOSE), S(LAST_ACK) } },
	[S(LISTEN)] =      { { S(SYN_RECV), S(LISTEN), S(LISTEN), S(LISTEN) },
			     { S(LISTEN), S(LISTEN), S(ESTABLISHED), S(CLOSE) },
			     { S(SYN_RECV), S(LISTEN), S(LISTEN), S(LISTEN) } },
	[S(SYNACK)] =      { { S(SYN_RECV), S(TIME_WAIT), S(ESTABLISHED), S(SYN_RECV) },
			     { S(SYN_RECV), S(TIME_WAIT), S(ESTABLISHED), S(CLOSE) },
			     { S(SYN_RECV), S(TIME_WAIT), S(ESTABLISHED), S(CLOSE) } },
};

#define DPVS_X_NAME_TCPS(n, s) [DPVS_TCPS_##n] = s,
static const char *const tcp_names[DPVS_TCPS_MAX] = { DPVS_TCP_STATES(DPVS_X_NAME_TCPS) };
#undef DPVS_X_NAME_TCPS

/* Used when the config set leaves a timeout at 0 (seconds): LVS's values,
 * so a half-filled config makes no immortal or instantly dead connection. */
static const uint32_t tcp_fallback_s[DPVS_TCPS_MAX] = {
	[S(NONE)] = 2,        [S(ESTABLISHED)] = 900, [S(SYN_SENT)] = 120,
	[S(SYN_RECV)] = 60,   [S(FIN_WAIT)] = 120,    [S(TIME_WAIT)] = 120,
	[S(CLOSE)] = 10,      [S(CLOSE_WAIT)] = 60,   [S(LAST_ACK)] = 30,
	[S(LISTEN)] = 120,    [S(SYNACK)] = 120,
};
#define UDP_FALLBACK_S   300u
#define OTHER_FALLBACK_S 60u

uint8_t
wk_tcp_next_state(uint8_t state, int dir, uint8_t tcp_flags)
{
	int ev;

	/* established TCP's segment (ACK, or no flag): ESTABLISHED in every
	 * table, the lookup below without its tests */
	if (state == S(ESTABLISHED) &&
	    (tcp_flags & (RTE_TCP_RST_FLAG | RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG)) == 0)
		return state;
	if (state >= DPVS_TCPS_MAX)
		state = S(NONE);
	if ((tcp_flags & RTE_TCP_RST_FLAG) != 0)
		ev = EV_RST;
	else if ((tcp_flags & RTE_TCP_SYN_FLAG) != 0)
		ev = EV_SYN;
	else if ((tcp_flags & RTE_TCP_FIN_FLAG) != 0)
		ev = EV_FIN;
	else if ((tcp_flags & RTE_TCP_ACK_FLAG) != 0)
		ev = EV_ACK;
	else
		return state;
	return tcp_next[state][dir == DPVS_DIR_OUT ? 1 : dir == WK_TCP_IN_ONLY ? 2 : 0][ev];
}

const char *
wk_tcp_state_name(uint8_t state)
{
	return state < DPVS_TCPS_MAX ? tcp_names[state] : "?";
}

uint64_t
wk_conn_timeout_ns(const struct dpvs_timeouts *t, uint8_t proto, uint8_t state)
{
	uint32_t s;

	if (proto == IPPROTO_TCP) {
		if (state >= DPVS_TCPS_MAX)
			state = S(CLOSE);
		s = t != NULL ? t->tcp[state] : 0;
		if (s == 0)
			s = tcp_fallback_s[state];
	} else if (proto == IPPROTO_UDP) {
		s = t != NULL ? t->udp : 0;
		if (s == 0)
			s = UDP_FALLBACK_S;
	} else {
		s = OTHER_FALLBACK_S;
	}
	return (uint64_t)s * 1000000000ull;
}
