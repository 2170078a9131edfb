#!/usr/bin/env bash
# System test ye (issue 9, item 8, test e): a flood toward a kernel address
# does not starve the node's routing protocol nor its management traffic.
#
# BIRD on dpdk0.kni (the node's kernel address .3) and BIRD in the client's
# namespace (the router, .2) hold an eBGP session (hold time 6 s, keepalives
# every 2 s). dpvs.conf gives dpdk0 a bulk budget toward the kernel of
# kni_rate = 2000 packets per second. The router then sends hping3 SYNs to a
# closed port of the kernel address, one every 10 us (nominal; what the
# loaded machine manages is logged) for 8 s (longer than the hold time), and
# pings the kernel address 5 times a second meanwhile. The session stays established, never restarted (its
# "since" time is the same before and after), every ping but at most 3 of 30
# is answered, the flood's excess is dropped as kni_bulk_drop and nothing of
# the control (BGP) or management (ICMP) classes is dropped. The figures
# (rate received, passed, dropped) are logged for the README.
# Failed before this change: no budget and no kni_bulk_drop counter.
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
for b in bird birdc hping3; do
	command -v "$b" >/dev/null || fail "$b missing (deploy/install-deps.sh)"
done

eval "lib_$(declare -f write_conf)"
write_conf() {
	lib_write_conf "$@"
	echo "kni_rate = 2000" >>"$T_DIR/node-$1/dpvs.conf"   # in [port.dpdk0]
}

KA="$(kni_addr a)"
CA="$(client_addr a)"
node_start a 2
node_add_addr a
assert_contains "port show" "kni_rate 2000" "$(ctl a port show dpdk0)"
nsn a ip link set dpdk0.kni up || fail "dpdk0.kni up"
nsn a ip addr add "$KA/24" dev dpdk0.kni || fail "addr on dpdk0.kni"
wait_until 10 nsc a ping -c 1 -W 1 "$KA" || fail "no reply from the kernel's $KA"

# bird_conf NAME LOCAL LOCAL_AS PEER PEER_AS
bird_conf() {
	cat >"$T_DIR/bird-$1.conf" <<EOC
router id $2;
log "$T_DIR/bird-$1.log" all;
timeformat protocol iso long;
protocol device { }
protocol bgp peer {
	local $2 as $3;
	neighbor $4 as $5;
	hold time 6;
	keepalive time 2;
	connect delay time 1;
	connect retry time 2;
	error wait time 1, 4;
	ipv4 { import all; export none; };
}
EOC
}
bird_conf node "$KA" 65000 "$CA" 65001
bird_conf router "$CA" 65001 "$KA" 65000
bg ip netns exec "$(nsn_of a)" bird -f -c "$T_DIR/bird-node.conf" -s "$T_DIR/bird-node.ctl"
bg ip netns exec "$(nsc_of a)" bird -f -c "$T_DIR/bird-router.conf" -s "$T_DIR/bird-router.ctl"
# peer_state NAME: "Established 2026-01-01 10:00:00" (the state and since when)
peer_state() {
	birdc -s "$T_DIR/bird-$1.ctl" show protocols peer 2>/dev/null |
		awk '$1 == "peer" { print $NF, $5, $6 }'
}
established() { peer_state node | grep -q '^Established' && peer_state router | grep -q '^Established'; }
wait_until 60 established || fail "no BGP session: node '$(peer_state node)', router '$(peer_state router)'"
before="$(peer_state node)"
log "BGP session up: $before"

rx0="$(ctl a --json stats | jq '[.workers[].rx_pkts] | add')"
bulk0="$(ctl a --json stats | jq '.drops.kni_bulk_drop')"
t0="$(date +%s%N)"
bg ip netns exec "$(nsc_of a)" timeout 8 hping3 -q -S -p 8080 -i u10 "$KA" >"$T_DIR/hping.out" 2>&1
HPING="$(last_bg)"
bg ip netns exec "$(nsc_of a)" ping -n -c 30 -i 0.2 -W 1 "$KA" >"$T_DIR/ping.out" 2>&1
PING="$(last_bg)"
wait_until 20 pid_gone "$HPING" || fail "hping3 did not end"
t1="$(date +%s%N)"
wait_until 20 pid_gone "$PING" || fail "ping did not end"
# the session must still be up after the flood, more than a hold time later
wait_until 10 established || fail "BGP session lost: node '$(peer_state node)'"

rx="$(($(ctl a --json stats | jq '[.workers[].rx_pkts] | add') - rx0))"
bulk="$(($(ctl a --json stats | jq '.drops.kni_bulk_drop') - bulk0))"
ms="$(((t1 - t0) / 1000000))"
answered="$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$T_DIR/ping.out")"
log "flood: $rx frames received by the workers in $ms ms ($((rx * 1000 / (ms > 0 ? ms : 1))) per second), $bulk dropped over the bulk budget (kni_bulk_drop), $((rx - bulk)) passed"
log "pings to $KA during the flood: ${answered:-0} of 30 answered"
assert_eq "BGP session since (not restarted)" "$before" "$(peer_state node)"
assert_gt "flood frames dropped over the bulk budget" 0 "$bulk"
assert_eq "control class drops (BGP)" 0 "$(ctl a --json stats | jq '.drops.kni_ctrl_drop')"
assert_eq "management class drops (ICMP)" 0 "$(ctl a --json stats | jq '.drops.kni_mgmt_drop')"
assert_ge "pings answered during the flood" 27 "${answered:-0}"
exit 0
