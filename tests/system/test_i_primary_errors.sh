#!/usr/bin/env bash
# System test of dpvs-primary's error paths: a bad or missing config file
# (also a net_af_packet port, which no worker could poll, and two ports on
# one tap interface) exits non-zero at once with a message naming the file,
# and leaves no runtime directory, run directory or hugepage file; a second primary with the prefix of a
# running node refuses to start and does not disturb that node.
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

P="$(prefix_of z)"
conf_body() {   # conf_body COUNT EXTRA_SECTION: a config with prefix $P
	printf '[global]\nfile_prefix = %s\nrun_dir = %s/z-run\n[memory]\nmbufs = 8192\n' "$P" "$T_DIR"
	printf '[worker]\ncount = %s\nidle_sleep_us = 50\n%s' "$1" "$2"
	printf '[port.dpdk0]\nvdev = net_tap0,iface=%sw\n' "$P"
}
# expect_refused WHAT FILE: dpvs-primary -c FILE fails fast, says why, leaves nothing
expect_refused() {
	local out rc
	out="$(timeout 15 "$T_BIN/dpvs-primary" -c "$2" 2>&1 </dev/null)"
	rc=$?
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "$1: dpvs-primary exited $rc (output: $out)"
	[ -n "$out" ] || fail "$1: no message"
	[ ! -e "/var/run/dpdk/$P" ] || fail "$1: /var/run/dpdk/$P left behind"
	[ -z "$(ls /dev/hugepages | grep "^$P")" ] || fail "$1: hugepage files left behind"
	[ ! -e "$T_DIR/z-run" ] || fail "$1: run directory $T_DIR/z-run left behind"
	LAST_OUT="$out"
	log "ok: $1: exit $rc: $(printf '%s' "$out" | tail -n 1)"
}

conf_body 0 "" >"$T_DIR/zero.conf"
expect_refused "worker count 0" "$T_DIR/zero.conf"
conf_body 1 $'[bogus]\nx = 1\n' >"$T_DIR/bogus.conf"
expect_refused "unknown section" "$T_DIR/bogus.conf"
conf_body 1 "" | sed '/^\[port/,$d' >"$T_DIR/noport.conf"
expect_refused "no port" "$T_DIR/noport.conf"
conf_body 1 "" | sed 's/^mbufs = .*/mbufs = lots/' >"$T_DIR/mbufs.conf"
expect_refused "mbufs not a number" "$T_DIR/mbufs.conf"
expect_refused "missing file" "$T_DIR/no-such.conf"
# a port the workers (secondary processes) cannot poll: refused at once, by
# name, with the reason (an interface that does not exist: a regression must
# not attach to a real one); the same for two ports on one tap interface
conf_body 1 "" | sed "s/^vdev = .*/vdev = net_af_packet0,iface=${P}none/" >"$T_DIR/afpacket.conf"
expect_refused "net_af_packet port" "$T_DIR/afpacket.conf"
assert_contains "af_packet refusal" "afpacket.conf: [port.dpdk0] vdev = 'net_af_packet0,iface=${P}none': net_af_packet cannot be a data port" "$LAST_OUT"
assert_contains "af_packet refusal says why" "secondary process" "$LAST_OUT"
{ conf_body 1 ""; printf '[port.dpdk1]\nvdev = net_tap1,iface=%sw\n' "$P"; } >"$T_DIR/twotaps.conf"
expect_refused "two ports on one tap" "$T_DIR/twotaps.conf"
assert_contains "same tap refusal" "[port.dpdk0] and [port.dpdk1] name the same tap interface iface=${P}w" "$LAST_OUT"

# a second primary with the prefix of a running node
node_start a 1
node_add_addr a
wait_until 10 nsc a ping -c 1 -W 1 "$(node_addr a)" || fail "no reply from $(node_addr a)"
wpid="$(worker_field a 0 pid)"
sed -e "s/^file_prefix = .*/file_prefix = $(prefix_of a)/" "$T_DIR/zero.conf" |
	sed 's/^count = .*/count = 1/' >"$T_DIR/same-prefix.conf"
ip netns add "${P}n" || fail "netns ${P}n"
T_NODES+=(z)   # so that the teardown removes ${P}n
out="$(timeout 20 ip netns exec "${P}n" "$T_BIN/dpvs-primary" -c "$T_DIR/same-prefix.conf" 2>&1 </dev/null)"
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "a second primary with prefix $(prefix_of a): exit $rc: $out"
log "ok: second primary refused: exit $rc: $(printf '%s' "$out" | tail -n 1)"
out="$(nsc a ping -c 5 -i 0.1 -W 1 "$(node_addr a)")"
recv="$(printf '%s\n' "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')"
assert_eq "node a still answers" 5 "$recv"
assert_eq "node a's worker pid" "$wpid" "$(worker_field a 0 pid)"
assert_eq "node a's worker restarts" 0 "$(worker_field a 0 restarts)"
[ -e "/var/run/dpdk/$(prefix_of a)" ] || fail "the second primary removed node a's runtime directory"
node_stop a || fail "node a did not stop"
exit 0
