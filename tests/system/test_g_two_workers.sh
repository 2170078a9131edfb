#!/usr/bin/env bash
# System test: a node with two workers (two queue pairs on the data port).
# Both workers run; pings are answered; the node's kernel's ARP requests go
# out through both workers, and the replies reach the worker that asked
# through the arp rings if another received them (neigh show lists both);
# kill -9 of one worker restarts only that one, and the node keeps answering.
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

NA="$(node_addr a)"
CA="$(client_addr a)"
node_start a 2
node_add_addr a
nsn a ip link set dpdk0.kni up || fail "dpdk0.kni up"
nsn a ip addr add "$(kni_addr a)/24" dev dpdk0.kni || fail "addr on dpdk0.kni"

wait_until 10 nsc a ping -c 1 -W 1 "$NA" || fail "no reply from $NA"
out="$(nsc a ping -c 10 -i 0.05 -W 1 "$NA")"
recv="$(printf '%s\n' "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')"
assert_eq "echo replies with two workers" 10 "$recv"
rx0="$(worker_stat a 0 rx_pkts)"
rx1="$(worker_stat a 1 rx_pkts)"
log "rx_pkts: worker 0 $rx0, worker 1 $rx1"
assert_ge "packets received by the two workers" 11 "$((rx0 + rx1))"

# The node's kernel asks for the client; the bridge hands its frames to the
# workers in turn, and a worker learns the reply to the request it sent,
# whichever worker the reply reached (the other passes it on through the
# arp rings). Ask until both have asked once: both then know the client.
both_know() {
	ctl a --json neigh show | jq -e --arg ip "$CA" \
		'[.[] | select(.address == $ip and .state == "reachable") | .workers[]]
		 | (index(0) != null) and (index(1) != null)'
}
ask_until_both_know() {
	nsn a arping -c 1 -w 1 -I dpdk0.kni "$CA" || return 1
	both_know
}
wait_until 15 ask_until_both_know || fail "neighbour $CA not in both workers: $(ctl a neigh show)"
log "ok: $(ctl a neigh show | grep -w -F "$CA")"
ring_in=$(($(worker_stat a 0 arp_ring_in) + $(worker_stat a 1 arp_ring_in)))
log "ARP frames passed on through the arp rings: $ring_in"
assert_gt "replies that reached the worker that did not ask, passed on" 0 "$ring_in"

# kill worker 1: it alone restarts, worker 0 keeps its pid and restarts = 0
w0="$(worker_field a 0 pid)"
w1="$(worker_field a 1 pid)"
kill -9 "$w1" || fail "kill -9 $w1"
restarted1() {
	[ "$(worker_field a 1 restarts)" = 1 ] && [ "$(worker_field a 1 state)" = running ]
}
wait_until 10 restarted1 || fail "worker 1 did not come back: $(ctl a worker show)"
assert_eq "worker 0 pid unchanged" "$w0" "$(worker_field a 0 pid)"
assert_eq "worker 0 restarts" 0 "$(worker_field a 0 restarts)"
[ "$(worker_field a 1 pid)" != "$w1" ] || fail "worker 1 pid unchanged"
out="$(nsc a ping -c 10 -i 0.05 -W 1 "$NA")"
recv="$(printf '%s\n' "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')"
assert_eq "echo replies after the restart of worker 1" 10 "$recv"
assert_contains "neighbours after the restart" "$CA" "$(ctl a neigh show)"
exit 0
