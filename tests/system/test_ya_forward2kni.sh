#!/usr/bin/env bash
# System test ya (issue 9, item 1, test a): the forward2kni mirror. With
# `dpvsctl port set dpdk0 forward2kni on`, tcpdump on dpdk0.kni (in the
# node's namespace) sees the client's pings to the node's worker-answered
# address while a worker still answers them; with it off, it does not.
#
# Each round: tcpdump on dpdk0.kni, 10 pings to the node's address (all
# answered by the worker), then pings to the kernel's own address on
# dpdk0.kni until tcpdump shows one: by then everything the mirror had to
# copy before it has been through the same rings, so the count of requests
# to the node's address is final. Off: 0; on: all 10 (the kni_mirror event
# counts them); off again: 0. `port show` reports the switch.
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
command -v tcpdump >/dev/null || fail "tcpdump missing (deploy/install-deps.sh)"

NA="$(node_addr a)"
KA="$(kni_addr a)"
node_start a 1
node_add_addr a
nsn a ip link set dpdk0.kni up || fail "dpdk0.kni up"
nsn a ip addr add "$KA/24" dev dpdk0.kni || fail "addr on dpdk0.kni"
wait_until 10 nsc a ping -c 1 -W 1 "$NA" || fail "no reply from the worker's $NA"
wait_until 10 nsc a ping -c 1 -W 1 "$KA" || fail "no reply from the kernel's $KA"

mirrored() { # the worker's kni_mirror event counter
	ctl a --json stats | jq -r '[.workers[0].events | if type == "array" then
		(map({(.name): .value}) | add) else . end | .kni_mirror // 0] | .[0]'
}

# round NAME: the echo requests to $NA that tcpdump on dpdk0.kni saw while
# the client sent 10 pings to $NA (printed)
round() {
	local out="$T_DIR/tcpdump-$1.out" err="$T_DIR/tcpdump-$1.err" pid n
	bg ip netns exec "$(nsn_of a)" tcpdump -n -l -i dpdk0.kni icmp >"$out" 2>"$err"
	pid="$(last_bg)"
	wait_until 10 grep -q "listening on" "$err" || fail "tcpdump did not start: $(cat "$err")"
	nsc a ping -c 10 -i 0.05 -W 1 "$NA" >"$T_DIR/ping-$1.out" 2>&1 ||
		fail "pings to $NA not all answered with forward2kni $1: $(tail -2 "$T_DIR/ping-$1.out")"
	marker() { nsc a ping -c 1 -W 1 "$KA" >/dev/null && grep -q "> $KA: ICMP echo request" "$out"; }
	wait_until 10 marker || fail "tcpdump on dpdk0.kni never saw the pings to $KA"
	kill "$pid" 2>/dev/null
	n="$(grep -c "> $NA: ICMP echo request" "$out")"
	log "forward2kni $1: tcpdump on dpdk0.kni saw $n echo request(s) to $NA" >&2
	echo "$n"
}

assert_contains "port show (dpvs.conf's default)" "forward2kni off" "$(ctl a port show dpdk0)"
assert_eq "requests to $NA seen by the kernel, forward2kni off" 0 "$(round off)"

m0="$(mirrored)"
ctl a port set dpdk0 forward2kni on || fail "port set dpdk0 forward2kni on"
assert_contains "port show" "forward2kni on" "$(ctl a port show dpdk0)"
assert_ge "requests to $NA seen by the kernel, forward2kni on" 10 "$(round on)"
assert_ge "copies counted (kni_mirror)" 10 "$(($(mirrored) - m0))"

ctl a port set dpdk0 forward2kni off || fail "port set dpdk0 forward2kni off"
assert_eq "requests to $NA seen by the kernel, forward2kni off again" 0 "$(round off-again)"
assert_eq "mirror drops" 0 "$(worker_stat a 0 drop.kni_mirror_drop)"
exit 0
