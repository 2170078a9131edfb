#!/usr/bin/env bash
# System test (issue 7, reload): under load on one service (a loop of new
# HTTP connections with curl, and wrk on keep-alive connections), 50 reloads
# of the rules file (`dpvsctl reload`, and SIGHUP to dpvs-primary every
# tenth) add and remove other services, their dests and a route, never the
# busy one: zero failed requests, and the busy service's counters keep
# growing (never reset: it keeps its slot and id). Then an invalid file
# changes nothing and the message names its line, by `dpvsctl reload` and by
# SIGHUP (in the log).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

V="$(vip_of a)"
RULES="$T_DIR/node.rules"
N_RELOADS=50

# gen_rules K: the node's addresses and the busy service VIP:80 (both HTTP
# servers), then the variable part of variant K: some of ten services
# VIP:9000-9009 with 1..4 dests each, and a route every other variant
gen_rules() {
	local k="$1" i j
	{
		echo "addr add $(node_addr a)/24 dev dpdk0"
		echo "addr add $V/32 dev dpdk0"
		echo "addr add $(srv_net_addr a)/24 dev dpdk1"
		echo "addr add $(laddr_of a)/32 dev dpdk1"
		echo "-A -t $V:$LB_HTTP_PORT -s rr"
		echo "-a -t $V:$LB_HTTP_PORT -r $(http_rs a 1):$LB_HTTP_PORT -b fnat -w 1"
		echo "-a -t $V:$LB_HTTP_PORT -r $(http_rs a 2):$LB_HTTP_PORT -b fnat -w 1"
		echo "laddr add -t $V:$LB_HTTP_PORT $(laddr_of a) dev dpdk1"
		for i in $(seq 0 9); do
			[ $(((i + k) % 3)) -eq 0 ] && continue
			echo "-A -t $V:$((9000 + i)) -s wrr"
			for j in $(seq 0 $(((i + k) % 4))); do
				echo "-a -t $V:$((9000 + i)) -r 198.19.0.$((50 + j)):80 -b fnat -w $((1 + k % 3))"
			done
			echo "laddr add -t $V:$((9000 + i)) $(laddr_of a) dev dpdk1"
		done
		[ $((k % 2)) -eq 1 ] && echo "route add 198.19.200.0/24 via $(http_rs a 1) dev dpdk1"
	} >"$RULES.new"
	mv "$RULES.new" "$RULES"
}

# the ports of the services the node should list for variant K, and those
# it lists: [80,9001,...]
want_ports() {
	local k="$1" i p="80"
	for i in $(seq 0 9); do
		[ $(((i + k) % 3)) -eq 0 ] || p="$p,$((9000 + i))"
	done
	echo "[$p]"
}
have_ports() { ctl a --json -L -n | jq -c '[.[].port] | sort'; }
ports_are() { [ "$(have_ports)" = "$1" ]; }

busy_conns() { svc_json a t | jq '.conns'; }

gen_rules 0
lb_node_start a 2 --rules "$RULES"
lb_servers_start a
wait_until 10 nsc a curl -sS --max-time 2 -o /dev/null "http://$V/" || fail "no answer from $V"

# the load: new connections in a loop, and wrk's keep-alive connections
: >"$T_DIR/load.log"
bg nsc a bash -c 'while [ ! -e "'"$T_DIR"'/stop" ]; do
	curl -sS --max-time 5 -H "Connection: close" -o /dev/null -w "%{http_code}\n" \
		"http://'"$V"'/" || echo FAIL
done >>"'"$T_DIR"'/load.log" 2>&1'
bg bash -c 'ip netns exec "$1" wrk -t 1 -c 4 -d 25s --timeout 5s "$2" >"$3" 2>&1' wrk \
	"$(nsc_of a)" "http://$V/" "$T_DIR/wrk.out"
WRK_PID="$(last_bg)"
wait_until 10 test -s "$T_DIR/load.log" || fail "the load does not run"
c_prev="$(busy_conns)"
c_first="$c_prev"

for k in $(seq 1 "$N_RELOADS"); do
	gen_rules "$k"
	if [ $((k % 10)) -eq 0 ]; then
		# the previous variant has other ports: the change shows when done
		kill -HUP "$(primary_pid_of a)"
		wait_until 10 ports_are "$(want_ports "$k")" ||
			fail "reload $k (SIGHUP): services on $(have_ports), want $(want_ports "$k")"
	else
		out="$(ctl a reload 2>&1)" || fail "reload $k: $out"
		assert_eq "reload $k: services" "$(want_ports "$k")" "$(have_ports)" >/dev/null
	fi
	c="$(busy_conns)"
	[ "$c" -ge "$c_prev" ] || fail "reload $k: the busy service's conns went from $c_prev to $c"
	c_prev="$c"
done
log "ok: $N_RELOADS reloads; the busy service's conns went from $c_first to $c_prev, never down"
assert_gt "busy service connections during the reloads" "$c_first" "$c_prev"
assert_eq "busy service's dests" 2 "$(svc_json a t | jq '.dests | length')"
touch "$T_DIR/stop"
wait_until 40 pid_gone "$WRK_PID" || fail "wrk did not end"
wrk_parse "$T_DIR/wrk.out"
log "keep-alive load (wrk, 25 s): $WRK_REQS requests, $WRK_SOCKERR socket errors, $WRK_NON2XX non-2xx"
assert_gt "wrk requests" 0 "$WRK_REQS"
assert_eq "wrk socket errors" 0 "$WRK_SOCKERR"
assert_eq "wrk non-2xx answers" 0 "$WRK_NON2XX"

n_ok="$(grep -c '^200$' "$T_DIR/load.log")"
n_bad="$(grep -vc '^200$' "$T_DIR/load.log")"
log "new-connection load: $n_ok answers, $n_bad failures"
assert_gt "answers during the reloads" 20 "$n_ok"
if [ "$n_bad" -ne 0 ]; then
	grep -v '^200$' "$T_DIR/load.log" | head -5 >&2
	fail "$n_bad requests failed during the reloads"
fi

# an invalid file: nothing changes, the line is named
before="$(ctl a save | md5sum)"
gen_rules 3
sed -i '7s/.*/-a -t '"$V"':'"$LB_HTTP_PORT"' -r 198.19.0.99:80 -b fnat -w 99999/' "$RULES"
out="$(ctl a reload 2>&1)" && fail "an invalid file was accepted: $out"
assert_contains "reload of an invalid file" "line 7" "$out"
assert_contains "reload of an invalid file" "weight 99999 out of range" "$out"
assert_eq "state after the refused reload (md5 of save)" "$before" "$(ctl a save | md5sum)"
kill -HUP "$(primary_pid_of a)"
wait_until 10 grep -q "SIGHUP: reload refused.*line 7" "$T_DIR/node-a/primary.log" ||
	fail "no refusal naming line 7 in the log after SIGHUP"
assert_eq "state after the refused SIGHUP (md5 of save)" "$before" "$(ctl a save | md5sum)"
out="$(nsc a curl -sS --max-time 5 "http://$V/")"
assert_contains "answer after the refused reloads" "server http" "$out"
exit 0
