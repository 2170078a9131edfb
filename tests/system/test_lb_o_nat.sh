#!/usr/bin/env bash
# System test (issue 8, a): NAT (-b nat, LVS's masquerading) through the VIP
# with two workers. The two real servers, each in its own netns, have their
# default route via the node, as an operator sets them up for LVS NAT. 200
# curl requests, each its own connection: every one succeeds, both servers
# answer, the servers see the client's own address (not the node's), -L -n
# --stats counts 200 connections with replies passed back (OutPkts), and
# since a reply reaches whichever worker the tap's hash picks, some reached
# the worker that does not own their connection and were passed to the
# owner (redirect verdicts > 0; the owner is found in the peers' connection
# tables). A slow transfer is listed by conn show as ESTABLISHED, mode nat.
# Nothing is dropped as conn_wrong_port, tcp_out_of_window or no_conn.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
. "$(dirname "$0")/modes_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
command -v curl >/dev/null || fail "curl missing"

N=200
X=a

lb_node_start "$X" 2
modes_servers "$X" nat
modes_service "$X" nat
VIP="$(vip_of "$X")"
wait_until 10 nsc "$X" curl -sS --max-time 2 -o /dev/null "http://$VIP/" ||
	fail "no answer from http://$VIP/ (drops: $(drops_nonzero "$X"))"
: >"$(mlog "$X" 1)"
: >"$(mlog "$X" 2)"
c0="$(dest_conns_sum "$X" t)"
r0="$(redirects "$X")"

curl_many "$X" "$N" "$T_DIR/curl.out"
check_curl "$X" "$N" "$T_DIR/curl.out"
assert_eq "sources seen by real server 1" "$(client_addr "$X") " "$(mrs_sources "$X" 1)"
assert_eq "sources seen by real server 2" "$(client_addr "$X") " "$(mrs_sources "$X" 2)"
assert_eq "connections counted by -L -n --stats" "$N" $(($(dest_conns_sum "$X" t) - c0))
out="$(svc_json "$X" t | jq '.outpkts')"
assert_ge "replies translated back (OutPkts)" "$((2 * N))" "$out"
ctl "$X" -L -n --stats
red=$(($(redirects "$X") - r0))
log "redirect verdicts during the run: $red"
assert_gt "replies passed to their owner (redirect verdicts)" 0 "$red"
drops="$(drops_nonzero "$X")"
log "drops: $drops"
assert_not_contains "drops" "conn_wrong_port" "$drops"
assert_not_contains "drops" "tcp_out_of_window" "$drops"
assert_not_contains "drops" "no_conn" "$drops"

# a slow transfer from a fixed client port: listed as an ESTABLISHED nat
# connection, client -> VIP -> the real server
bg ip netns exec "$(nsc_of "$X")" curl -sS --max-time 20 --local-port 40999 \
	-o "$T_DIR/slow.out" "http://$VIP/slow"
listed() {
	ctl "$X" --json conn show | jq -e --arg c "$(client_addr "$X")" \
		'.[] | select(.client == $c and .cport == 40999 and .mode == "nat" and
			.state == "ESTABLISHED")' >/dev/null
}
wait_until 10 listed || fail "conn show does not list the transfer: $(ctl "$X" conn show)"
log "ok: conn show: $(ctl "$X" conn show | grep -F ":40999 ")"
done_slow() { grep -q 'server rs[12]$' "$T_DIR/slow.out"; }
wait_until 15 done_slow || fail "slow transfer did not complete"
assert_eq "bytes of the slow transfer" 100 "$(wc -c <"$T_DIR/slow.out")"
exit 0
