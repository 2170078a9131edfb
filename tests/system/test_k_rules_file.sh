#!/usr/bin/env bash
# System test: dpvs-primary --rules FILE. The rules file (dpvsctl commands,
# one a line, # comments) is applied at start: the node answers on its
# addresses without any dpvsctl call. A file with a bad line stops the start
# with a message naming the line, and leaves nothing behind (four times: no
# process of the node dies inside DPDK's shared locks on the way).
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

NA="$(node_addr a)"
cat >"$T_DIR/good.rules" <<EOR
# addresses of the node
addr add $NA/24 dev dpdk0

addr add 2001:db8:18::1/64 dev dpdk0
EOR
node_start a 1 --rules "$T_DIR/good.rules"
shown="$(ctl a addr show)"
assert_contains "addr show after --rules" "$NA/24" "$shown"
assert_contains "addr show after --rules" "2001:db8:18::1/64" "$shown"
wait_until 10 nsc a ping -c 1 -W 1 "$NA" || fail "no reply from $NA (from the rules file)"
log "ok: $NA answers without a dpvsctl call"
node_stop a || fail "node a did not stop"

# a bad line: the node does not start, the message names the line
P="$(prefix_of b)"
write_conf b 1
cat >"$T_DIR/bad.rules" <<EOR
addr add 198.18.1.1/24 dev dpdk0
addr add 198.18.1.300/24 dev dpdk0
EOR
ip netns add "$(nsn_of b)" || fail "netns"
T_NODES+=(b)
# four times: the primary stops the node while dpvs-kni-bridge (started with
# dpvs-ctl) may still be inside rte_eal_init; SIGTERM's default action
# killed it there once, holding DPDK's hotplug lock, and the primary hung
# for ever at its stop (docs/crash-safety.md, DPDK's shared locks)
for i in 1 2 3 4; do
	out="$(timeout -k 5 30 ip netns exec "$(nsn_of b)" "$T_BIN/dpvs-primary" \
		-c "$T_DIR/node-b/dpvs.conf" --rules "$T_DIR/bad.rules" 2>&1 </dev/null)"
	rc=$?
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] ||
		fail "bad rules file ($i): dpvs-primary exited $rc: $out"
	assert_contains "message for the bad rules file ($i)" "line 2" "$out"
	assert_not_contains "primary's stop ($i)" "still held by" "$out"
done
log "ok: bad rules file refused: exit $rc: $(printf '%s\n' "$out" | grep -m1 'line 2')"
no_procs() { [ -z "$(pids_of_prefix "$P")" ]; }
wait_until 5 no_procs || fail "processes left: $(pids_of_prefix "$P")"
[ ! -e "/var/run/dpdk/$P" ] || fail "/var/run/dpdk/$P left behind"
[ -z "$(ls /dev/hugepages | grep "^$P")" ] || fail "hugepage files of $P left behind"
log "ok: nothing of $P left"
exit 0
