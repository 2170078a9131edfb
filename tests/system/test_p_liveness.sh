#!/usr/bin/env bash
# System test (issue 7): liveness. Two workers with a standby process.
# - kill -STOP of a worker: the primary sees its heartbeat stop, takes it
#   offline for RCU at once (an addr add made meanwhile succeeds), kills it
#   and hands the worker to the standby: last_exit "hang".
# - kill -9 of a worker: taken over, last_exit "crash", last_gap_ms set.
# - dpvsctl worker restart: planned handover, last_exit "planned", not one
#   ping of a 100/s stream lost, no mbuf leaked (idle in-use count equal).
# - kill -STOP of dpvs-ctl and of dpvs-kni-bridge: each killed and replaced,
#   `save` identical, the exception path works again, workers undisturbed.
# - a worker that keeps dying young ends FAILED with one clear log line
#   (not a silent loop), and `dpvsctl worker restart` brings it back.
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

NA="$(node_addr a)"
KA="$(kni_addr a)"
RUN="$(rundir_of a)"
PLOGF="$T_DIR/node-a/primary.log"
node_start a 2
node_add_addr a
nsn a ip link set dpdk0.kni up || fail "dpdk0.kni up"
nsn a ip addr add "$KA/24" dev dpdk0.kni || fail "addr on dpdk0.kni"
wait_until 10 nsc a ping -c 1 -W 1 "$NA" || fail "no reply from $NA"
wait_until 10 nsc a ping -c 1 -W 1 "$KA" || fail "no reply from the kernel's $KA"

standby_ready() { [ "$(ctl a --json worker show | jq '.[0].standby_ready')" -ge 1 ]; }
wait_until 30 standby_ready || fail "no standby process became ready"
pidfile() { cat "$RUN/$1.pid" 2>/dev/null; }
gone() { ! kill -0 "$1" 2>/dev/null || [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]; }

# ---- a stopped worker -------------------------------------------------------
pid="$(worker_field a 0 pid)"
kill -STOP "$pid" || fail "kill -STOP $pid"
t0="$(date +%s%N)"
ctl a addr add 198.18.0.9/24 dev dpdk0 || fail "addr add while worker 0 is stopped"
log "ok: addr add while worker 0 is stopped took $((($(date +%s%N) - t0) / 1000000)) ms"
replaced_by() { [ "$(worker_field a "$1" last_exit)" = "$2" ] && [ "$(worker_field a "$1" pid)" != "$3" ] &&
	[ "$(worker_field a "$1" state)" = running ]; }
wait_until 10 replaced_by 0 hang "$pid" || fail "stopped worker not replaced: $(ctl a worker show)"
log "ok: worker 0 replaced $((($(date +%s%N) - t0) / 1000000)) ms after kill -STOP"
wait_until 5 gone "$pid" || fail "the stopped worker $pid is still there"
grep -q "worker0.*has not beaten" "$PLOGF" || fail "no log line about the hang"
wait_until 10 nsc a ping -c 1 -W 1 198.18.0.9 || fail "no reply from the address added meanwhile"
assert_eq "worker 0 restarts" 1 "$(worker_field a 0 restarts)"

# ---- a crashed worker ---------------------------------------------------------
wait_until 30 standby_ready || fail "no standby after the hang"
pid="$(worker_field a 1 pid)"
kill -9 "$pid"
wait_until 10 replaced_by 1 crash "$pid" || fail "killed worker not replaced: $(ctl a worker show)"
gap="$(worker_field a 1 last_gap_ms)"
log "ok: worker 1 replaced after kill -9, last_gap_ms $gap"
[ "$gap" != null ] || fail "no last_gap_ms after a crash"
wait_until 10 nsc a ping -c 1 -W 1 "$NA" || fail "no reply after the crash"

# ---- a planned restart under a ping stream -------------------------------------
wait_until 30 standby_ready || fail "no standby after the crash"
stable_inuse() {
	local a b
	a="$(mbufs_in_use a)"
	b="$(mbufs_in_use a)"
	[ -n "$a" ] && [ "$a" = "$b" ] && echo "$a" >"$T_DIR/inuse"
}
wait_until 10 stable_inuse || fail "no stable mbufs.in_use before the planned restarts"
inuse0="$(cat "$T_DIR/inuse")"
PING="$T_DIR/ping.log"
bg ip netns exec "$(nsc_of a)" ping -n -i 0.01 -c 300 -W 1 "$NA" >"$PING" 2>&1
pinger="$(last_bg)"
sent() { grep -c 'bytes from' "$PING"; }
has_sent() { [ "$(sent)" -ge "$1" ]; }
wait_until 10 has_sent 50 || fail "no ping replies"
for w in 0 1; do
	pid="$(worker_field a $w pid)"
	out="$(ctl a worker restart $w)" || fail "worker restart $w: $out"
	log "worker restart $w: $out"
	assert_eq "worker $w last_exit" planned "$(worker_field a $w last_exit)"
	[ "$(worker_field a $w pid)" != "$pid" ] || fail "worker $w pid unchanged"
	wait_until 5 gone "$pid" || fail "the old process of worker $w is still there"
	wait_until 30 standby_ready || fail "no standby after the planned restart of worker $w"
done
pinger_done() { ! kill -0 "$pinger" 2>/dev/null; }
wait_until 20 pinger_done || fail "ping did not finish"
summary="$(grep 'packets transmitted' "$PING")"
log "ping across two planned restarts: $summary"
assert_contains "ping summary" "300 received" "$summary"
# the old worker stopped at a burst boundary and handed its magazine, rings
# and tx buffers over as they were: nothing stranded
wait_until 10 stable_inuse || fail "no stable mbufs.in_use after the planned restarts"
log "mbufs in use when idle: $inuse0 before, $(cat "$T_DIR/inuse") after two planned restarts"
assert_eq "mbufs leaked by two planned restarts" 0 $(($(cat "$T_DIR/inuse") - inuse0))

# ---- dpvs-ctl and the bridge stopped ----------------------------------------------
ctl a -A -t "$NA:80" -s rr || fail "-A"
ctl a -a -t "$NA:80" -r 198.18.0.50:80 -b fnat -w 2 || fail "-a"
save0="$(ctl a save)"
w0="$(worker_field a 0 pid) $(worker_field a 1 pid)"
old="$(pidfile ctl)"
kill -STOP "$old" || fail "kill -STOP dpvs-ctl"
restarted() { local p; p="$(pidfile "$1")"; [ -n "$p" ] && [ "$p" != "$2" ] && kill -0 "$p"; }
wait_until 10 restarted ctl "$old" || fail "stopped dpvs-ctl not replaced"
wait_until 10 ctl a version || fail "dpvsctl cannot reach the new dpvs-ctl"
wait_until 5 gone "$old" || fail "the stopped dpvs-ctl is still there"
grep -q "ctl (pid $old) has not beaten" "$PLOGF" || fail "no log line about dpvs-ctl's hang"
assert_eq "save after dpvs-ctl was replaced" "$save0" "$(ctl a save)"
ctl a addr add 198.18.0.10/24 dev dpdk0 || fail "addr add after dpvs-ctl was replaced"
old="$(pidfile bridge)"
kill -STOP "$old" || fail "kill -STOP dpvs-kni-bridge"
wait_until 10 restarted bridge "$old" || fail "stopped bridge not replaced"
wait_until 5 gone "$old" || fail "the stopped bridge is still there"
wait_until 10 nsc a ping -c 1 -W 1 "$KA" || fail "the kernel's $KA does not answer after the bridge was replaced"
assert_eq "worker pids (undisturbed by ctl and bridge)" "$w0" "$(worker_field a 0 pid) $(worker_field a 1 pid)"

# ---- a worker that keeps dying young ------------------------------------------------
# kill every new process of worker 1 as soon as it is listed, until it fails
failed() { [ "$(worker_field a 1 state)" = failed ]; }
deadline=$(($(date +%s) + 40))
kills=0
while ! failed; do
	[ "$(date +%s)" -lt "$deadline" ] || fail "worker 1 never ended failed after $kills kills: $(ctl a worker show)"
	p="$(worker_field a 1 pid)"
	if [ -n "$p" ] && [ "$p" -gt 0 ] && kill -9 "$p" 2>/dev/null; then
		kills=$((kills + 1))
	fi
	sleep 0.05
done
log "ok: worker 1 failed after $kills kills"
line="$(grep 'worker1 failed' "$PLOGF")"
assert_contains "the failure's log line" "died 6 times in a row" "$line"
assert_contains "the failure's log line" "Likely" "$line"
assert_eq "worker 1 last_exit" crash "$(worker_field a 1 last_exit)"
# (a failed worker's queue is not polled: the flows the port hashes to it are
# lost until it runs again, so only worker 0's own liveness is checked here)
assert_eq "worker 0 still running" running "$(worker_field a 0 state)"
beating() { [ "$(worker_field a 0 heartbeat_age_ms)" -lt 500 ]; }
wait_until 5 beating || fail "worker 0 stopped beating"
ctl a worker restart 1 || fail "worker restart of the failed worker"
wait_until 30 all_workers_running a 2 || fail "worker 1 not running again: $(ctl a worker show)"
wait_until 10 nsc a ping -c 1 -W 1 "$NA" || fail "no reply after worker 1 came back"
log "ok: worker 1 running again after worker restart"
exit 0
