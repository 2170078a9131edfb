#!/usr/bin/env bash
# System test (issue 8, c): IP tunnelling (-b tunnel, ipvsadm's -i) with two
# workers. The two real servers, each in its own netns, hold the VIP on
# their loopback with ARP for it suppressed, and decapsulate IPIP: the kernel
# of these machines has no ipip device, so tests/tools/ipip_decap.py stands
# in (a raw IPPROTO_IPIP socket handing each inner packet to a TUN device,
# tun0); their replies go to the client directly. 200 curl requests, each
# its own connection: every one succeeds, both servers answer, they see the
# client's own address; the node passed nothing back (OutPkts 0). Then
# POSTs of 64 KiB whose full-size segments do not fit the tunnel (1500 + 20
# bytes): 10 with the client's path MTU discovery off (no DF): the node
# fragments the outer packet (frag_ok, frag_created), the servers' kernel
# reassembles it before the decapsulator, every upload arrives whole and
# no ICMP error is sent; then 20 with DF: the node answers the first with
# ICMP fragmentation needed (MTU 1480, tunnel_too_big counted), the client's
# kernel lowers its path MTU to the VIP, and every upload arrives whole.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
. "$(dirname "$0")/modes_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
command -v curl >/dev/null || fail "curl missing"

N=200
P=20
X=a

lb_node_start "$X" 2
modes_servers "$X" tunnel
modes_service "$X" tunnel
VIP="$(vip_of "$X")"
ip netns exec "$(nsc_of "$X")" sysctl -qw net.ipv4.conf.all.rp_filter=0
wait_until 10 nsc "$X" curl -sS --max-time 2 -o /dev/null "http://$VIP/" ||
	fail "no answer from http://$VIP/ (drops: $(drops_nonzero "$X"))"
: >"$(mlog "$X" 1)"
: >"$(mlog "$X" 2)"
c0="$(dest_conns_sum "$X" t)"
o0="$(svc_json "$X" t | jq '.outpkts')"

curl_many "$X" "$N" "$T_DIR/curl.out"
check_curl "$X" "$N" "$T_DIR/curl.out"
assert_eq "sources seen by real server 1" "$(client_addr "$X") " "$(mrs_sources "$X" 1)"
assert_eq "sources seen by real server 2" "$(client_addr "$X") " "$(mrs_sources "$X" 2)"
assert_eq "connections counted by -L -n --stats" "$N" $(($(dest_conns_sum "$X" t) - c0))
assert_eq "packets the node passed back (OutPkts)" "$o0" "$(svc_json "$X" t | jq '.outpkts')"

# uploads bigger than what fits the tunnel without the path MTU lowered
head -c 65536 /dev/urandom >"$T_DIR/body"
posts() {   # posts N OUT: N uploads of the body
	nsc "$X" bash -c 'for i in $(seq '"$1"'); do
		curl -sS --max-time 10 --data-binary @'"$T_DIR/body"' "http://'"$VIP"'/" || echo "FAILED $i"
	done' >"$2" 2>&1
}
stat_of() {   # stat_of drops|events NAME
	ctl "$X" --json stats | jq --arg k "$1" --arg n "$2" '.[$k] | if type == "array"
		then (map({(.name): .value}) | add) else . end | .[$n]'
}
# without DF: fragmented by the node's output path
nsc "$X" sysctl -qw net.ipv4.ip_no_pmtu_disc=1 || fail "client: ip_no_pmtu_disc"
posts 10 "$T_DIR/post0.out"
assert_eq "uploads without DF that arrived whole" 10 "$(grep -c '^server rs[12] got 65536 bytes$' "$T_DIR/post0.out")"
assert_gt "outer packets fragmented (frag_ok)" 0 "$(stat_of events frag_ok)"
assert_gt "fragments made (frag_created)" 0 "$(stat_of events frag_created)"
assert_eq "ICMP fragmentation needed without DF" 0 "$(stat_of drops tunnel_too_big)"
log "without DF: frag_ok $(stat_of events frag_ok), frag_created $(stat_of events frag_created)"
nsc "$X" sysctl -qw net.ipv4.ip_no_pmtu_disc=0 || fail "client: ip_no_pmtu_disc"
# with DF: ICMP fragmentation needed, the client's path MTU lowered
posts "$P" "$T_DIR/post.out"
assert_eq "uploads that arrived whole" "$P" "$(grep -c '^server rs[12] got 65536 bytes$' "$T_DIR/post.out")"
too_big="$(stat_of drops tunnel_too_big)"
assert_gt "full-size segments answered with ICMP fragmentation needed" 0 "$too_big"
pmtu="$(ip -n "$(nsc_of "$X")" route get "$VIP" | grep -o 'mtu [0-9]*' || true)"
assert_eq "the client's path MTU to the VIP" "mtu 1480" "$pmtu"
ctl "$X" -L -n --stats
drops="$(drops_nonzero "$X")"
log "drops: $drops"
assert_not_contains "drops" "conn_wrong_port" "$drops"
assert_not_contains "drops" "tcp_out_of_window" "$drops"
assert_not_contains "drops" "tunnel_no_source" "$drops"
exit 0
