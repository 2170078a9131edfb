#!/usr/bin/env bash
# System test a (issue 2): the client pings the node's address and the
# replies come from the worker: its rx/tx counters and its "tx" verdict move
# by at least the number of pings, and the address is not the kernel's.
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

N=20
node_start a 1
node_add_addr a
assert_contains "addr show" "$(node_addr a)" "$(ctl a addr show)"
assert_not_contains "kernel addresses on dpdk0.kni" "$(node_addr a)/" \
	"$(nsn a ip -4 addr show dev dpdk0.kni)"

# first ping resolves ARP (the worker answers the request)
wait_until 10 nsc a ping -c 1 -W 1 "$(node_addr a)" || fail "no reply to a first ping of $(node_addr a)"

rx0="$(worker_stat a 0 rx_pkts)"
tx0="$(worker_stat a 0 verdict.tx)"
op0="$(port_stat a dpdk0 opackets)"
out="$(nsc a ping -c "$N" -i 0.05 -W 1 "$(node_addr a)")"
recv="$(printf '%s\n' "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')"
assert_eq "echo replies received" "$N" "$recv"
rx1="$(worker_stat a 0 rx_pkts)"
tx1="$(worker_stat a 0 verdict.tx)"
op1="$(port_stat a dpdk0 opackets)"
log "worker 0: rx_pkts $rx0 -> $rx1, verdict tx $tx0 -> $tx1; port opackets $op0 -> $op1"
assert_ge "worker 0 rx_pkts delta" "$N" "$((rx1 - rx0))"
assert_ge "worker 0 verdict tx delta" "$N" "$((tx1 - tx0))"
assert_ge "dpdk0 opackets delta" "$N" "$((op1 - op0))"
exit 0
