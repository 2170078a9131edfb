#!/usr/bin/env bash
# System test: kill -9 of dpvs-ctl and of dpvs-kni-bridge. The primary
# restarts each (new pid in <run_dir>/<name>.pid); the config survives a
# restart of dpvs-ctl (it lives in shared memory), dpvsctl works again, and
# the exception path works again after a restart of the bridge. The worker
# is not disturbed by either.
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

NA="$(node_addr a)"
KA="$(kni_addr a)"
node_start a 1
node_add_addr a
nsn a ip link set dpdk0.kni up || fail "dpdk0.kni up"
nsn a ip addr add "$KA/24" dev dpdk0.kni || fail "addr on dpdk0.kni"
wait_until 10 nsc a ping -c 1 -W 1 "$NA" || fail "no reply from $NA"
wait_until 10 nsc a ping -c 1 -W 1 "$KA" || fail "no reply from the kernel's $KA"
wpid="$(worker_field a 0 pid)"
addrs="$(ctl a --json addr show)"
RUN="$(rundir_of a)"

pidfile() { cat "$RUN/$1.pid" 2>/dev/null; }
# restarted NAME OLDPID: a new, live pid in NAME.pid
restarted() {
	local p
	p="$(pidfile "$1")"
	[ -n "$p" ] && [ "$p" != "$2" ] && kill -0 "$p"
}

# dpvs-ctl
old="$(pidfile ctl)"
[ -n "$old" ] || fail "no $RUN/ctl.pid"
kill -9 "$old" || fail "kill -9 dpvs-ctl $old"
wait_until 10 restarted ctl "$old" || fail "dpvs-ctl not restarted"
wait_until 10 ctl a version || fail "dpvsctl cannot reach the restarted dpvs-ctl"
log "ok: dpvs-ctl restarted: pid $old -> $(pidfile ctl)"
assert_eq "addresses after the restart of dpvs-ctl" "$addrs" "$(ctl a --json addr show)"
ctl a addr add 198.18.0.9/24 dev dpdk0 || fail "addr add after the restart of dpvs-ctl"
wait_until 10 nsc a ping -c 1 -W 1 198.18.0.9 || fail "no reply from an address added after the restart"
log "ok: an address added after the restart answers"

# dpvs-kni-bridge
old="$(pidfile bridge)"
[ -n "$old" ] || fail "no $RUN/bridge.pid"
kill -9 "$old" || fail "kill -9 dpvs-kni-bridge $old"
wait_until 10 restarted bridge "$old" || fail "dpvs-kni-bridge not restarted"
log "ok: dpvs-kni-bridge restarted: pid $old -> $(pidfile bridge)"
wait_until 10 nsc a ping -c 1 -W 1 "$KA" || fail "the kernel's $KA does not answer after the restart of the bridge"
out="$(nsc a ping -c 5 -i 0.1 -W 1 "$KA")"
recv="$(printf '%s\n' "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')"
assert_eq "replies from the kernel's address after the restart of the bridge" 5 "$recv"

assert_eq "worker pid (undisturbed)" "$wpid" "$(worker_field a 0 pid)"
assert_eq "worker restarts" 0 "$(worker_field a 0 restarts)"
exit 0
