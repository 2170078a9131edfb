#!/usr/bin/env bash
# System test (issue 3, d): configuration changes under load, with one worker
# (node a) and two workers (node b).
#  1. wrr weights changed under load (1/1 -> 3/1 -> 1/0 -> 1/1) while clients
#     send requests with `Connection: close` (a connection each): every
#     request succeeds; at 3:1 http1 serves about 3/4; at weight 0 http2 gets
#     no new connection; the dests' conns counters of
#     `dpvsctl --json -L -n --stats`, summed, grow by exactly the number of
#     requests, as does the service's.
#  0. a client port used again after its connection ended is a new
#     connection, scheduled afresh and counted.
#  2. a dest removed with live connections (slow transfers and keep-alive wrk
#     connections on it) while connection-per-request clients keep going:
#     every slow transfer completes, wrk sees no error, every request
#     succeeds, the service's conns grow by what the clients opened, and the
#     removed dest gets nothing new.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
command -v wrk >/dev/null || fail "wrk missing"

PER=600        # requests per client loop
LOOPS=3        # client loops in parallel

# curl_loops_start X TAG: LOOPS curl processes, each PER requests with
# Connection: close (curl's URL range: one process, a connection per request);
# each line of $T_DIR/TAG-N.out is one request's status (000 on failure)
curl_loops_start() {
	local x="$1" tag="$2" j
	CURL_PIDS=()
	for j in $(seq "$LOOPS"); do
		bg ip netns exec "$(nsc_of "$x")" curl -sS --max-time 5 -H "Connection: close" \
			-o /dev/null -w "%{http_code}\n" "http://$(vip_of "$x")/?$tag$j=[1-$PER]" \
			>"$T_DIR/$tag-$j.out" 2>"$T_DIR/$tag-$j.err"
		CURL_PIDS+=("$(last_bg)")
	done
}
curl_loops_done() { local p; for p in "${CURL_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && return 1; done; return 0; }
# curl_loops_check X TAG: all LOOPS*PER requests answered 200
curl_loops_check() {
	local x="$1" tag="$2" ok
	wait_until 60 curl_loops_done || fail "node $x: curl loops did not finish"
	ok="$(cat "$T_DIR/$tag"-*.out | grep -c '^200$')"
	[ "$ok" = $((LOOPS * PER)) ] || log "node $x: curl errors: $(cat "$T_DIR/$tag"-*.err | sort | uniq -c | head)"
	assert_eq "node $x, $tag: requests answered 200" $((LOOPS * PER)) "$ok"
}
svc_conns() { svc_json "$1" t | jq '.conns'; }
http_rs_arg() { printf '%s:%s' "$(http_rs "$1" "$2")" "$LB_HTTP_PORT"; }
edit_w() { ctl "$1" -e -t "$(vip_of "$1"):$LB_HTTP_PORT" -r "$(http_rs_arg "$1" "$2")" -w "$3" || fail "-e -w $3"; log "node $1: http$2 weight $3"; }
served() { echo $(($(srv_count "$1" http 1) + $(srv_count "$1" http 2))); }
progress_past() { [ "$(served "$1")" -ge "$2" ]; }

# ports_to X N FILE: the local ports of the connections to http N in the
# table now (every connection the dest can still see)
ports_to() {
	ctl "$1" conn show | grep -F " $(http_rs "$1" "$2"):$LB_HTTP_PORT" |
		awk '{ n = split($6, a, ":"); print a[n] }' | sort -u >"$3"
}
# new_ports X N FROM_LINE ALLOWED: local ports of the requests http N logged
# after line FROM_LINE that are not in the file ALLOWED (at most 5)
new_ports() {
	tail -n +"$(($3 + 1))" "$(srv_log "$1" http "$2")" | awk '{ print $2 }' | sort -u |
		comm -23 - "$4" | head -n 5 | tr '\n' ' '
}

weights_under_load() {
	local x="$1" d0 s0 d1 s1 n2 b c1 c2 t1 t2
	d0="$(dest_conns_sum "$x" t)"
	s0="$(svc_conns "$x")"
	b="$(served "$x")"
	curl_loops_start "$x" w
	wait_until 20 progress_past "$x" $((b + 150)) || fail "node $x: no progress"
	edit_w "$x" 1 3
	c1="$(srv_count "$x" http 1)"
	c2="$(srv_count "$x" http 2)"
	wait_until 20 progress_past "$x" $((b + 450)) || fail "node $x: no progress"
	t1=$(($(srv_count "$x" http 1) - c1))
	t2=$(($(srv_count "$x" http 2) - c2))
	log "node $x: at weights 3:1 http1 served $t1, http2 $t2"
	assert_lt_float "node $x: |share of http1 - 0.75| at weights 3:1" 0.15 \
		"$(awk -v a="$t1" -v b="$t2" 'BEGIN { d = a / (a + b) - 0.75; print d < 0 ? -d : d }')"
	edit_w "$x" 2 0
	edit_w "$x" 1 1
	ports_to "$x" 2 "$T_DIR/w0-allowed-$x"
	n2="$(srv_count "$x" http 2)"
	wait_until 20 progress_past "$x" $((b + 750)) || fail "node $x: no progress"
	assert_eq "node $x: new connections to http2 at weight 0 (local ports)" "" \
		"$(new_ports "$x" 2 "$n2" "$T_DIR/w0-allowed-$x")"
	edit_w "$x" 2 1
	curl_loops_check "$x" w
	d1="$(dest_conns_sum "$x" t)"
	s1="$(svc_conns "$x")"
	assert_eq "node $x: dests' conns grew by the requests" $((LOOPS * PER)) $((d1 - d0))
	assert_eq "node $x: service conns grew by the requests" $((LOOPS * PER)) $((s1 - s0))
	log "node $x: served in all: http1 $(srv_count "$x" http 1), http2 $(srv_count "$x" http 2)"
}

# on_dest X N: connections in conn show to http N that are ESTABLISHED
on_dest() { ctl "$1" conn show | grep ESTABLISHED | grep -c -F " $(http_rs "$1" "$2"):$LB_HTTP_PORT"; }

remove_dest_live() {
	local x="$1" s0 s1 j n2 wout wpid nslow=4
	wout="$T_DIR/wrk-$x-rm.out"
	s0="$(svc_conns "$x")"
	for j in $(seq "$nslow"); do
		bg ip netns exec "$(nsc_of "$x")" curl -sS --max-time 20 -o "$T_DIR/slow-$x-$j.out" \
			"http://$(vip_of "$x")/slow"
	done
	bg bash -c "ip netns exec '$(nsc_of "$x")' wrk -t 1 -c 8 -d 6s --timeout 5s 'http://$(vip_of "$x")/' >'$wout' 2>&1"
	wpid="$(last_bg)"
	curl_loops_start "$x" r
	two_live() { [ "$(on_dest "$1" 2)" -ge 2 ] && [ "$(on_dest "$1" 1)" -ge 2 ]; }
	wait_until 10 two_live "$x" || fail "node $x: no live connections on both dests: $(ctl "$x" conn show | grep -v TIME_WAIT | head -n 30)"
	log "node $x: live on http2 before -d: $(on_dest "$x" 2) ESTABLISHED"
	ctl "$x" -d -t "$(vip_of "$x"):$LB_HTTP_PORT" -r "$(http_rs_arg "$x" 2)" || fail "-d http2"
	# every connection to http2 from now on was made before the removal
	ports_to "$x" 2 "$T_DIR/rm-allowed-$x"
	n2="$(srv_count "$x" http 2)"
	log "node $x: http2 removed ($(wc -l <"$T_DIR/rm-allowed-$x") connection(s) to it in the table)"
	ctl "$x" -L -n
	curl_loops_check "$x" r
	wait_until 15 pid_gone "$wpid" || fail "node $x: wrk did not end"
	wrk_parse "$wout"
	log "node $x: wrk keep-alive during the removal: $WRK_REQS requests, socket errors $WRK_SOCKERR, non-2xx $WRK_NON2XX"
	assert_eq "node $x: wrk socket errors" 0 "$WRK_SOCKERR"
	assert_eq "node $x: wrk non-2xx" 0 "$WRK_NON2XX"
	for j in $(seq "$nslow"); do
		done_slow() { [ "$(wc -c <"$T_DIR/slow-$1-$2.out" 2>/dev/null)" = 100 ]; }
		wait_until 15 done_slow "$x" "$j" || fail "node $x: slow transfer $j did not complete"
	done
	log "ok: node $x: $nslow slow transfers completed (100 bytes each)"
	assert_eq "node $x: new connections to http2 after its removal (local ports)" "" \
		"$(new_ports "$x" 2 "$n2" "$T_DIR/rm-allowed-$x")"
	log "node $x: http2 served $(($(srv_count "$x" http 2) - n2)) request(s) after its removal, on old connections"
	s1="$(svc_conns "$x")"
	# connections opened: the curl requests, the slow transfers, wrk's 8 and
	# the one wrk opens and closes first to check the address (wrk.lua)
	assert_eq "node $x: service conns grew by the connections opened" $((LOOPS * PER + nslow + 8 + 1)) $((s1 - s0))
	ctl "$x" -L -n --stats
}

# port_reuse X: a client port used again once its connection ended (the
# load balancer's entry is in TIME_WAIT or CLOSE) is a new connection: it is
# scheduled afresh (here: not to the first dest, now at weight 0) and counted.
port_reuse() {
	local x="$1" cp=40123 r1 r2 n s0 other
	s0="$(svc_conns "$x")"
	r1="$(nsc "$x" "$T_PY" "$T_DIR/lb_http_get.py" "$(vip_of "$x")" "$LB_HTTP_PORT" "$cp")" ||
		fail "node $x: first request from port $cp"
	n="${r1#server http}"
	log "node $x: from port $cp: $r1"
	other=$((3 - n))
	finished() { ctl "$1" conn show | grep -F " $(client_addr "$1"):$cp " | grep -q -E 'TIME_WAIT|CLOSE '; }
	wait_until 5 finished "$x" || fail "node $x: connection from port $cp not finished: $(ctl "$x" conn show | grep -F ":$cp ")"
	edit_w "$x" "$n" 0
	r2="$(nsc "$x" "$T_PY" "$T_DIR/lb_http_get.py" "$(vip_of "$x")" "$LB_HTTP_PORT" "$cp")" ||
		fail "node $x: second request from port $cp"
	edit_w "$x" "$n" 1
	assert_eq "node $x: port $cp again, first dest at weight 0: answered by" "server http$other" "$r2"
	assert_eq "node $x: connections counted for the two requests" 2 $(($(svc_conns "$x") - s0))
}

run_node() {
	local x="$1" nw="$2"
	lb_setup "$x" "$nw" wrr
	port_reuse "$x"
	weights_under_load "$x"
	remove_dest_live "$x"
	log "node $x ($nw worker(s)): redirects $(redirects "$x"); drops: $(drops_nonzero "$x")"
	lb_node_done "$x"
}

run_node a 1
run_node b 2
exit 0
