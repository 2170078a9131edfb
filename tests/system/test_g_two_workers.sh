#!/usr/bin/env bash
# System test: a node with two workers (two queue pairs on the data port).
# Both workers run; pings are answered; the node's kernel's ARP requests go
# out through both workers (from several of its addresses), and the replies
# reach the worker that asked through the arp rings if another received them
# (neigh show lists both);
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

# The node's kernel asks for the client; the bridge hands an ARP request to
# the worker its sender and target addresses hash to (kni_bridge/flow.c),
# and a worker learns the reply to the request it sent, whichever worker the
# reply reached (the other passes it on through the arp rings). The kernel
# asks from eight addresses of its own, so that both workers send requests:
# both then know the client.
KSRC=()
for i in 3 4 5 6 7 8 9 10; do
	KSRC+=("${NA%.1}.$((i + 100))")
	nsn a ip addr add "${KSRC[-1]}/24" dev dpdk0.kni || fail "addr ${KSRC[-1]} on dpdk0.kni"
done
both_know() {
	ctl a --json neigh show | jq -e --arg ip "$CA" \
		'[.[] | select(.address == $ip and .state == "reachable") | .workers[]]
		 | (index(0) != null) and (index(1) != null)'
}
ask_until_both_know() {
	local src
	for src in "${KSRC[@]}"; do
		nsn a arping -c 1 -w 1 -s "$src" -I dpdk0.kni "$CA" >/dev/null
	done
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
