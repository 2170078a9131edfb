#!/usr/bin/env bash
# System test: DPDK's own shared locks (the memzone, tailq, mempool and
# memory hotplug rwlocks of its shared config, shm/eal_locks.h) left held by
# a process of the node that died holding them. dpvs-lockdie attaches as a
# plain DPDK secondary, takes all four for reading and SIGKILLs itself: a
# secondary killed inside its EAL init or a lookup, at the worst point. The
# node keeps forwarding (no packet path takes them); the primary releases
# them once they stayed held without a break for 5 s (primary/eal_stale.h),
# after which a planned worker restart works; held again just before the
# stop (the hotplug lock for writing), they are released at stop with every
# process gone, and the node stops, leaving nothing behind.
# Before the release the primary spun for ever in rte_memzone_free (a CI
# run hung this way in test_k_rules_file when dpvs-kni-bridge died of a
# SIGTERM inside rte_eal_init).
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
LOCKDIE="$T_ROOT/build/tests/dpvs-lockdie"
[ -x "$LOCKDIE" ] || fail "$LOCKDIE missing: run make tests"

node_start a 1
node_add_addr a
NA="$(node_addr a)"
P="$(prefix_of a)"
shown="$("$LOCKDIE" show "$P")" || fail "dpvs-lockdie show $P failed"
assert_eq "DPDK's locks of a running node" "memzone=0 tailq=0 mempool=0 hotplug=0" "$shown"

nsn a timeout -k 5 60 "$LOCKDIE" die "$P" memzone tailq mempool hotplug
rc=$?
assert_eq "dpvs-lockdie's end (SIGKILL)" 137 "$rc"
shown="$("$LOCKDIE" show "$P")" || fail "dpvs-lockdie show $P failed"
assert_eq "DPDK's locks after a holder died" "memzone=1 tailq=1 mempool=1 hotplug=1" "$shown"

# the node forwards on and its control works
wait_until 10 nsc a ping -c 1 -W 1 "$NA" || fail "no reply from $NA with the locks held"
ctl a addr show >/dev/null || fail "dpvsctl addr show failed with the locks held"
log "ok: the node answers with DPDK's locks held by a dead process"

# the primary sees them held without a break for 5 s and releases them
locks_free() { [ "$("$LOCKDIE" show "$P")" = "memzone=0 tailq=0 mempool=0 hotplug=0" ]; }
wait_until 30 locks_free || fail "DPDK's locks still held: $("$LOCKDIE" show "$P")"
plog="$(cat "$T_DIR/node-a/primary.log")"
for l in memzone tailq mempool "memory hotplug"; do
	assert_contains "primary's log" "DPDK's $l lock: 1 reader count(s) held without a break" "$plog"
done
# a planned restart: the old worker's rte_eal_cleanup takes the hotplug lock
# for writing; with the dead reader's count still there it hung until killed
out="$(ctl a worker restart 0)" || fail "worker restart 0: $out"
assert_eq "worker 0 restarts" 1 "$(worker_field a 0 restarts)"
wait_until 10 nsc a ping -c 1 -W 1 "$NA" || fail "no reply from $NA after the restart"
log "ok: released while the node runs; a planned worker restart after it"

# the hotplug lock held for writing by a secondary killed in rte_eal_cleanup's
# memory detach: every new secondary's EAL init waits; released after 5 s
nsn a timeout -k 5 60 "$LOCKDIE" die "$P" hotplug-write
shown="$("$LOCKDIE" show "$P")"
assert_contains "DPDK's locks after a detach died" "hotplug=0w" "$shown"
wait_until 30 locks_free || fail "DPDK's locks still held: $("$LOCKDIE" show "$P")"
assert_contains "primary's log" "DPDK's memory hotplug lock: held for writing without a break" \
	"$(cat "$T_DIR/node-a/primary.log")"
out="$(ctl a worker restart 0)" || fail "worker restart 0: $out"
assert_eq "worker 0 restarts" 2 "$(worker_field a 0 restarts)"
log "ok: the write bit of a dead detach released; a planned restart after it"

# held again just before the stop (the hotplug lock for writing, as by a
# secondary killed in its rte_eal_cleanup): released at once at stop
# (one process: a second one's EAL init would wait, as every new secondary
# does, for the memzone lock's write the dead reader blocks)
nsn a timeout -k 5 60 "$LOCKDIE" die "$P" memzone tailq mempool hotplug-write
assert_eq "DPDK's locks just before the stop" "memzone=1 tailq=1 mempool=1 hotplug=0w" \
	"$("$LOCKDIE" show "$P")"
pid="$(primary_pid_of a)"
node_stop a || fail "dpvs-primary did not stop with DPDK's locks held by a dead process"
plog="$(cat "$T_DIR/node-a/primary.log")"
for l in memzone tailq mempool; do
	assert_contains "primary's stop" "DPDK's $l lock is still held by 1 reader(s)" "$plog"
done
assert_contains "primary's stop" "DPDK's memory hotplug lock is still held for writing" "$plog"
log "ok: primary $pid released the four locks at stop and stopped"
[ ! -e "/var/run/dpdk/$P" ] || fail "/var/run/dpdk/$P left behind"
[ -z "$(ls /dev/hugepages | grep "^$P")" ] || fail "hugepage files of $P left behind"
exit 0
