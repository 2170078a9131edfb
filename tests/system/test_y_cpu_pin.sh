#!/usr/bin/env bash
# System test: dpvs.conf [cpu] pins each worker to its CPU and the control
# processes (dpvs-primary, dpvs-ctl, dpvs-kni-bridge, standby workers) to
# the control CPUs; a worker that replaces a killed one is pinned too. Reads
# Cpus_allowed_list of each process's main thread (the worker's lcore
# thread) in /proc/PID/status. A [cpu] that does not fit the workers, or
# names a CPU the primary may not run on, is refused at start.
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

ncpu="$(nproc)"
[ "$ncpu" -ge 2 ] || { log "SKIP: needs 2 CPUs (has $ncpu)"; exit 0; }
WCPU=$((ncpu - 1))
CCPU=0

cpus_of() { awk '$1 == "Cpus_allowed_list:" { print $2 }' "/proc/$1/status" 2>/dev/null; }
worker_pid() { worker_field a 0 pid; }
worker_pinned() { local p; p="$(worker_pid)" && [ -n "$p" ] && [ "$(cpus_of "$p")" = "$WCPU" ]; }

# refused: two CPUs for one worker
T_CONF_EXTRA="$(printf '[cpu]\nworkers = 0,1\ncontrol = 0\n')"
write_conf z 1
out="$(timeout 20 "$T_BIN/dpvs-primary" -c "$T_DIR/node-z/dpvs.conf" 2>&1)"
[ $? -ne 0 ] || fail "a [cpu] with 2 CPUs for 1 worker was accepted"
assert_contains "the refusal" "give one CPU per worker" "$out"

# refused: a CPU this process may not run on (none past the last online one)
T_CONF_EXTRA="$(printf '[cpu]\nworkers = %d\ncontrol = 0\n' "$ncpu")"
write_conf z 1
out="$(timeout 20 "$T_BIN/dpvs-primary" -c "$T_DIR/node-z/dpvs.conf" 2>&1)"
[ $? -ne 0 ] || fail "a [cpu] with an offline CPU was accepted"
assert_contains "the refusal" "CPU $ncpu is not one this process may run on" "$out"

T_CONF_EXTRA="$(printf '[cpu]\nworkers = %s\ncontrol = %s\n' "$WCPU" "$CCPU")"
node_start a 1
wait_until 10 worker_pinned || fail "worker 0 (pid $(worker_pid)) runs on CPUs $(cpus_of "$(worker_pid)"), not $WCPU"
w0="$(worker_pid)"
log "worker 0 (pid $w0): CPUs $(cpus_of "$w0")"
n=0
for p in $(pids_of_prefix "$(prefix_of a)"); do
	comm="$(cat "/proc/$p/comm" 2>/dev/null)" || continue
	[ "$p" = "$w0" ] && continue
	case "$comm" in dpvs-*) ;; *) continue ;; esac
	log "$comm (pid $p): CPUs $(cpus_of "$p")"
	assert_eq "$comm (pid $p) CPUs" "$CCPU" "$(cpus_of "$p")"
	n=$((n + 1))
done
# the primary, dpvs-ctl, the bridge and a standby worker
assert_ge "control processes found" 4 "$n"

kill -KILL "$w0"
replaced() { local p; p="$(worker_pid)" && [ -n "$p" ] && [ "$p" != "$w0" ] && all_workers_running a 1; }
wait_until 30 replaced || fail "worker 0 was not replaced"
wait_until 10 worker_pinned || fail "the new worker 0 (pid $(worker_pid)) runs on CPUs $(cpus_of "$(worker_pid)"), not $WCPU"
log "new worker 0 (pid $(worker_pid)): CPUs $(cpus_of "$(worker_pid)")"

# planned restart: the old worker's cleanup runs off the worker's CPU
standby_ready() { [ "$(ctl a --json worker show | jq '.[0].standby_ready')" -ge 1 ]; }
wait_until 30 standby_ready || fail "no standby"
w1="$(worker_pid)"
out="$(ctl a worker restart 0 2>&1)" || fail "worker restart: $out"
assert_contains "the restart" "handed over" "$out"
wait_until 10 worker_pinned || fail "the worker after the restart is not on CPU $WCPU"
left() { grep -q "process $w1 leaves on CPUs" "$T_DIR/node-a/primary.log"; }
wait_until 10 left || fail "the primary did not say where the leaving worker $w1 went"
line="$(grep "process $w1 leaves on CPUs" "$T_DIR/node-a/primary.log")"
log "$line"
assert_contains "where worker $w1 left" "leaves on CPUs $CCPU (off" "$line"
exit 0
