#!/usr/bin/env bash
# System test: a node stopped while a fresh standby worker process is still
# attaching (right after a planned restart used the ready one) stops within
# the primary's SIGTERM grace: the standby, whose SIGTERM is blocked until it
# has attached, must not then wait for a command for ever (the primary's log
# said "1 process(es) ignored SIGTERM for 3000 ms: SIGKILL").
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

node_start a 1
standby_ready() { [ "$(ctl a --json worker show | jq '.[0].standby_ready')" -ge 1 ]; }
wait_until 30 standby_ready || fail "no standby ready"
out="$(ctl a worker restart 0)" || fail "worker restart 0: $out"
# the primary starts the next standby now; stop while it attaches
t0="$(date +%s%N)"
node_stop a || fail "primary did not stop on SIGTERM"
ms=$((($(date +%s%N) - t0) / 1000000))
log "stopped in $ms ms"
if grep -q "ignored SIGTERM" "$T_DIR/node-a/primary.log"; then
	tail -n 20 "$T_DIR/node-a/primary.log" | sed 's/^/    /' >&2
	fail "a process of the node ignored SIGTERM: $(grep 'ignored SIGTERM' "$T_DIR/node-a/primary.log")"
fi
log "ok: every process ended on SIGTERM"
exit 0
