#!/usr/bin/env bash
# System test (issue 3, b): wrk through a full-NAT VIP for 10 s with
# keep-alive and 10 s with `Connection: close` (a connection per request),
# with one worker (node a) and two workers (node b): no socket error, no
# non-2xx response, both real servers served; with two workers, replies that
# the tap's queue hash hands to the other worker are redirected to the owner
# (the workers' redirect verdicts are above zero).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
command -v wrk >/dev/null || fail "wrk missing"

SECS="${LB_WRK_SECS:-10}"

wrk_case() {
	local x="$1" what="$2" i n
	shift 2
	wrk_run "$x" "$T_DIR/wrk-$x-$what.out" "$SECS" 20 "$@"
	log "node $x, $what: $WRK_REQS requests, $WRK_RPS req/s, socket errors $WRK_SOCKERR, non-2xx $WRK_NON2XX"
	assert_eq "node $x, $what: socket errors" 0 "$WRK_SOCKERR"
	assert_eq "node $x, $what: non-2xx responses" 0 "$WRK_NON2XX"
	assert_gt "node $x, $what: requests" 100 "$WRK_REQS"
	for i in 1 2; do
		n="$(srv_count "$x" http "$i")"
		assert_gt "node $x, $what: requests served by http$i" 0 "$n"
		: >"$(srv_log "$x" http "$i")"
	done
}

run_node() {
	local x="$1" nw="$2" r
	lb_setup "$x" "$nw"
	wrk_case "$x" keepalive
	wrk_case "$x" close -H "Connection: close"
	r="$(redirects "$x")"
	log "node $x ($nw worker(s)): redirects $r; drops: $(drops_nonzero "$x")"
	ctl "$x" -L -n --stats
	[ "$nw" -lt 2 ] || assert_gt "node $x: redirect verdicts with $nw workers" 0 "$r"
	lb_node_done "$x"
}

run_node a 1
run_node b 2
exit 0
