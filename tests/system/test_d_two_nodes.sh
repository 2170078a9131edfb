#!/usr/bin/env bash
# System test d (issue 2): two nodes with different file prefixes run side by
# side (each in its own namespaces), both answer ping, both list their
# workers running, and both stop cleanly on SIGTERM leaving nothing behind.
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

node_start a 1
node_start b 1
node_add_addr a
node_add_addr b
for x in a b; do
	wait_until 10 nsc "$x" ping -c 1 -W 1 "$(node_addr "$x")" || fail "node $x: no reply from $(node_addr "$x")"
	out="$(nsc "$x" ping -c 5 -i 0.1 -W 1 "$(node_addr "$x")")"
	recv="$(printf '%s\n' "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')"
	assert_eq "node $x: echo replies" 5 "$recv"
	assert_eq "node $x: workers running" 1 \
		"$(ctl "$x" --json worker show | jq '[.[] | select(.state == "running")] | length')"
done
# each node sees only its own address
assert_not_contains "node a addr show" "$(node_addr b)" "$(ctl a addr show)"
assert_not_contains "node b addr show" "$(node_addr a)" "$(ctl b addr show)"

# stop a; b keeps answering; then stop b
node_stop a || fail "node a did not stop on SIGTERM"
out="$(nsc b ping -c 3 -i 0.1 -W 1 "$(node_addr b)")"
recv="$(printf '%s\n' "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')"
assert_eq "node b: echo replies after node a stopped" 3 "$recv"
node_stop b || fail "node b did not stop on SIGTERM"
for x in a b; do
	p="$(prefix_of "$x")"
	left="$(pids_of_prefix "$p" | tr '\n' ' ')"
	assert_eq "node $x: processes left" "" "$left"
	assert_eq "node $x: hugepage files left" "" "$(ls /dev/hugepages | grep "^$p" | tr '\n' ' ')"
	[ ! -e "/var/run/dpdk/$p" ] || fail "node $x: /var/run/dpdk/$p left behind"
done
exit 0
