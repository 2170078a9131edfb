#!/usr/bin/env bash
# System test (issue 3, a): full-NAT TCP through the VIP. 200 curl requests,
# each its own connection, with one worker (node a) and with two workers
# (node b, two queue pairs per port): every request succeeds, both real
# servers answer (rr: 100 each), the servers saw only our local address as
# the client, and `dpvsctl -L -n --stats` counts 200 connections. During a
# slow transfer `dpvsctl conn show` lists the connection.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
command -v curl >/dev/null || fail "curl missing"

N=200

curl_run() {
	local x="$1" vip
	vip="$(vip_of "$x")"
	wait_until 10 nsc "$x" curl -sS --max-time 2 -o /dev/null "http://$vip/" ||
		fail "node $x: no answer from http://$vip/ (drops: $(drops_nonzero "$x"))"
	# the probe above made connections: start the counts from here
	: >"$(srv_log "$x" http 1)"
	: >"$(srv_log "$x" http 2)"
	local c0
	c0="$(dest_conns_sum "$x" t)"
	nsc "$x" bash -c 'for i in $(seq '"$N"'); do
		r="$(curl -sS --max-time 5 -w " %{http_code}" "http://'"$vip"'/")" || r="FAILED $i: $r"
		echo "${r//$'"'\\n'"'/}"
	done' >"$T_DIR/curl-$x.out" 2>&1
	local ok s1 s2 failed
	ok="$(grep -c '^server http[12] 200$' "$T_DIR/curl-$x.out")"
	s1="$(grep -c '^server http1 200$' "$T_DIR/curl-$x.out")"
	s2="$(grep -c '^server http2 200$' "$T_DIR/curl-$x.out")"
	failed="$(grep -v '^server http[12] 200$' "$T_DIR/curl-$x.out" | head -n 5)"
	[ -z "$failed" ] || log "unexpected output: $failed"
	assert_eq "node $x: successful requests of $N" "$N" "$ok"
	log "node $x: answers: http1 $s1, http2 $s2"
	assert_gt "node $x: answers from http1" 0 "$s1"
	assert_gt "node $x: answers from http2" 0 "$s2"
	assert_eq "node $x: requests the servers logged" "$N" "$(($(srv_count "$x" http 1) + $(srv_count "$x" http 2)))"
	assert_eq "node $x: sources seen by http1" "$(laddr_of "$x") " "$(srv_sources "$x" http 1)"
	assert_eq "node $x: sources seen by http2" "$(laddr_of "$x") " "$(srv_sources "$x" http 2)"
	assert_eq "node $x: connections counted by -L -n --stats" "$N" $(($(dest_conns_sum "$x" t) - c0))
	ctl "$x" -L -n --stats
}

# conn_show_during_transfer X: a slow download (100 bytes over 4 s) from a
# fixed client port; while it runs, conn show lists its connection as
# ESTABLISHED, client -> VIP -> local address -> a real server; it completes.
conn_show_during_transfer() {
	local x="$1" vip cport=40999 line
	vip="$(vip_of "$x")"
	bg ip netns exec "$(nsc_of "$x")" curl -sS --max-time 20 --local-port "$cport" \
		-o "$T_DIR/slow-$x.out" "http://$vip/slow"
	listed() {
		ctl "$1" conn show | grep -F " $(client_addr "$1"):$cport " | grep -F " $vip:80 " |
			grep -F " $(laddr_of "$1"):" | grep -q ESTABLISHED
	}
	wait_until 10 listed "$x" || fail "node $x: conn show does not list the transfer: $(ctl "$x" conn show)"
	line="$(ctl "$x" conn show | grep -F " $(client_addr "$x"):$cport ")"
	log "ok: node $x: conn show during the transfer: $line"
	done_slow() { grep -q 'server http[12]$' "$T_DIR/slow-$1.out"; }
	wait_until 15 done_slow "$x" || fail "node $x: slow transfer did not complete"
	assert_eq "node $x: bytes of the slow transfer" 100 "$(wc -c <"$T_DIR/slow-$x.out")"
}

run_node() {
	local x="$1" nw="$2"
	lb_node_start "$x" "$nw"
	lb_addrs "$x"
	lb_services "$x" rr
	lb_servers_start "$x"
	curl_run "$x"
	conn_show_during_transfer "$x"
	log "node $x ($nw worker(s)): redirects $(redirects "$x"), drops: $(drops_nonzero "$x")"
	lb_node_done "$x"
}

run_node a 1
run_node b 2
exit 0
