#!/usr/bin/env bash
# System test: after SIGTERM to dpvs-primary, no process of the node, no
# hugepage file, no /var/run/dpdk/<prefix> and no run directory (the node
# made it) is left; after the test's
# teardown tests/run-all.sh checks that no namespace is left. Then a node whose primary was
# killed (-9) leaves its files, and a new primary with the same prefix starts
# anyway (it clears what its dead predecessor left).
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

p="$(prefix_of a)"
node_start a 1
node_add_addr a
wait_until 10 nsc a ping -c 1 -W 1 "$(node_addr a)" || fail "no reply from $(node_addr a)"
pids="$(pids_of_prefix "$p" | tr '\n' ' ')"
log "processes of $p: $pids"
node_stop a || fail "primary did not stop on SIGTERM"
no_procs() { [ -z "$(pids_of_prefix "$p")" ]; }
wait_until 5 no_procs || fail "processes left after stop: $(pids_of_prefix "$p" | xargs -r ps -o pid,args -p)"
log "ok: no process of $p left"
assert_eq "hugepage files of $p" "" "$(ls /dev/hugepages | grep "^$p" | tr '\n' ' ')"
[ ! -e "/var/run/dpdk/$p" ] || fail "/var/run/dpdk/$p left behind: $(ls "/var/run/dpdk/$p")"
log "ok: no /var/run/dpdk/$p"
[ ! -e "$(sock_of a)" ] || fail "control socket $(sock_of a) left behind"
log "ok: no control socket"
# the run directory was made by the node (lib.sh leaves it to dpvs-primary)
[ ! -e "$(rundir_of a)" ] || fail "run directory $(rundir_of a) left behind: $(ls -A "$(rundir_of a)")"
[ -d "$T_DIR/node-a" ] || fail "the node removed $T_DIR/node-a, which it did not make"
log "ok: no run directory $(rundir_of a); its parent (not the node's) kept"
# the taps go away with the last process that held them
tap_gone() { ! ip -n "$(nsc_of a)" link show "$(wire_of a)" && ! ip -n "$(nsn_of a)" link show dpdk0.kni; }
wait_until 5 tap_gone || fail "taps left: $(ip -n "$(nsc_of a)" -br link; ip -n "$(nsn_of a)" -br link)"
log "ok: no tap interface left ($(wire_of a), dpdk0.kni)"

# crash of the primary: secondaries die with it; a new primary starts anyway
ip netns del "$(nsn_of a)"
ip netns del "$(nsc_of a)"
ns_gone() { ! ip netns list | grep -q "^$p[nc]\b"; }
wait_until 5 ns_gone || fail "namespaces left: $(ip netns list | grep "^$p")"
log "ok: no namespace of $p left"
T_NODES=()
node_start a 1
kill -9 "$(primary_pid_of a)"
wait "$(primary_pid_of a)" 2>/dev/null
wait_until 10 no_procs || fail "secondaries outlived the killed primary: $(pids_of_prefix "$p")"
log "ok: secondaries died with the primary"
log "left by the crash: $(ls /dev/hugepages | grep -c "^$p") hugepage file(s), /var/run/dpdk/$p $( [ -e /var/run/dpdk/$p ] && echo present || echo absent), run directory: $(ls -A "$(rundir_of a)" 2>/dev/null | tr '\n' ' ')"
ip netns del "$(nsn_of a)"
ip netns del "$(nsc_of a)"
T_NODES=()
node_start a 1
node_add_addr a
wait_until 10 nsc a ping -c 1 -W 1 "$(node_addr a)" || fail "restarted node does not answer"
log "ok: a new primary with prefix $p started after a crash"
node_stop a || fail "primary did not stop on SIGTERM"
wait_until 5 no_procs || fail "processes left after stop: $(pids_of_prefix "$p")"
assert_eq "hugepage files of $p after crash, restart and stop" "" "$(ls /dev/hugepages | grep "^$p" | tr '\n' ' ')"
[ ! -e "/var/run/dpdk/$p" ] || fail "/var/run/dpdk/$p left behind after crash, restart and stop"
[ ! -e "$(rundir_of a)" ] || fail "run directory left behind after crash, restart and stop: $(ls -A "$(rundir_of a)")"
log "ok: nothing of $p left after crash, restart and stop"

# a run directory that was there before the node (the operator's) stays
ip netns del "$(nsn_of a)"
ip netns del "$(nsc_of a)"
T_NODES=()
mkdir -p "$(rundir_of a)"
node_start a 1
node_stop a || fail "primary did not stop on SIGTERM"
[ -d "$(rundir_of a)" ] || fail "the node removed the run directory it found at start"
assert_eq "files left in the operator's run directory" "" "$(ls -A "$(rundir_of a)")"
exit 0
