#!/usr/bin/env bash
# System test (issue 8, b): direct routing (-b dr, ipvsadm's -g) with two
# workers. The two real servers, each in its own netns on the node's dpdk1
# segment, hold the VIP on their loopback with ARP for it suppressed
# (arp_ignore=1, arp_announce=2), and their default route points at a router
# that reaches the client another way: the node rewrites only the Ethernet
# header, and the replies go to the client directly. 200 curl requests, each
# its own connection: every one succeeds, both servers answer, they see the
# client's own address; -L -n --stats counts 200 connections and no packet
# back (OutPkts 0), the replies arrived on the client's direct path (its
# veth), and conn show lists the connections as dr. Nothing is dropped as
# conn_wrong_port or tcp_out_of_window (the server's side is never seen: one-
# way window tracking).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
. "$(dirname "$0")/modes_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
command -v curl >/dev/null || fail "curl missing"

N=200
X=a

lb_node_start "$X" 2
modes_servers "$X" dr
modes_service "$X" dr
VIP="$(vip_of "$X")"
DIRECT="$(prefix_of "$X")x"
wait_until 10 nsc "$X" curl -sS --max-time 2 -o /dev/null "http://$VIP/" ||
	fail "no answer from http://$VIP/ (drops: $(drops_nonzero "$X"))"
: >"$(mlog "$X" 1)"
: >"$(mlog "$X" 2)"
c0="$(dest_conns_sum "$X" t)"
o0="$(svc_json "$X" t | jq '.outpkts')"
v0="$(ip -n "$(nsc_of "$X")" -j -s link show "$DIRECT" | jq '.[0].stats64.rx.packets')"

curl_many "$X" "$N" "$T_DIR/curl.out"
check_curl "$X" "$N" "$T_DIR/curl.out"
assert_eq "sources seen by real server 1" "$(client_addr "$X") " "$(mrs_sources "$X" 1)"
assert_eq "sources seen by real server 2" "$(client_addr "$X") " "$(mrs_sources "$X" 2)"
assert_eq "connections counted by -L -n --stats" "$N" $(($(dest_conns_sum "$X" t) - c0))
assert_eq "packets the node passed back (OutPkts)" "$o0" "$(svc_json "$X" t | jq '.outpkts')"
v1="$(ip -n "$(nsc_of "$X")" -j -s link show "$DIRECT" | jq '.[0].stats64.rx.packets')"
assert_ge "replies on the client's direct path ($DIRECT)" "$((2 * N))" $((v1 - v0))
ctl "$X" -L -n --stats
assert_gt "dr connections in conn show" 0 \
	"$(ctl "$X" --json conn show | jq '[.[] | select(.mode == "dr")] | length')"
drops="$(drops_nonzero "$X")"
log "drops: $drops; redirects: $(redirects "$X")"
assert_not_contains "drops" "conn_wrong_port" "$drops"
assert_not_contains "drops" "tcp_out_of_window" "$drops"
exit 0
