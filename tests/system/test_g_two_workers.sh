#!/usr/bin/env bash
# System test: a node with two workers (two queue pairs on the data port).
# Both workers run; pings are answered; an ARP reply learned by one worker is
# copied through the arp rings to the other (neigh show lists both workers);
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

# the client's ARP reply reaches one worker; both must know the neighbour
wait_until 10 nsn a arping -c 1 -w 1 -I dpdk0.kni "$CA" || fail "the node's kernel got no ARP reply from the client"
both_know() {
	ctl a --json neigh show | jq -e --arg ip "$CA" \
		'[.[] | select(.address == $ip) | .workers[]] | (index(0) != null) and (index(1) != null)'
}
wait_until 5 both_know || fail "neighbour $CA not in both workers: $(ctl a neigh show)"
log "ok: $(ctl a neigh show | grep -w -F "$CA")"

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
