#!/usr/bin/env bash
# System test (issue 7): dpvsctl worker upgrade PATH.
# - a worker binary built with a changed shared struct (make tests builds
#   build/tests/dpvs-worker-layout-changed: a member of struct
#   dpvs_worker_sup (in the slot) renamed and retyped, same size, so only the layout
#   fingerprint can tell) is refused with a message that names the struct
#   and the member; the workers keep running (same pids), the VIP answers.
# - a binary of the same layout (a copy, elsewhere) is rolled in under wrk
#   load, one worker at a time: every worker then runs it (/proc/PID/exe),
#   last_exit planned, wrk has no socket error and no non-2xx; a worker killed
#   afterwards comes back running the new binary too.
TEST_TIMEOUT=240
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
VARIANT="$T_ROOT/build/tests/dpvs-worker-layout-changed"
[ -x "$VARIANT" ] || fail "missing $VARIANT (make tests)"

lb_setup a 2
V="$(vip_of a)"
exe_of() { readlink "/proc/$1/exe"; }
pids() { echo "$(worker_field a 0 pid) $(worker_field a 1 pid)"; }
standby_ready() { [ "$(ctl a --json worker show | jq '.[0].standby_ready')" -ge 1 ]; }
wait_until 30 standby_ready || fail "no standby"

# ---- an incompatible binary ----------------------------------------------------
before="$(pids)"
out="$(ctl a worker upgrade "$VARIANT" 2>&1)" && fail "the changed layout was accepted: $out"
log "refused: $out"
assert_contains "refusal" "struct dpvs_worker_sup" "$out"
assert_contains "refusal" "layout_test" "$out"
assert_eq "worker pids after the refusal" "$before" "$(pids)"
assert_eq "workers after the refusal" "$T_BIN/dpvs-worker $T_BIN/dpvs-worker" \
	"$(exe_of "${before% *}") $(exe_of "${before#* }")"
wait_until 10 nsc a curl -sS --max-time 2 -o /dev/null "http://$V/" || fail "the VIP does not answer after the refusal"
log "ok: the node keeps forwarding with its old workers"

# ---- a compatible binary, under load -------------------------------------------------
NEW="$T_DIR/newbin/dpvs-worker"
mkdir -p "$T_DIR/newbin"
cp "$T_BIN/dpvs-worker" "$NEW"
bg ip netns exec "$(nsc_of a)" wrk -t 2 -c 8 -d 120s --timeout 5s "http://$V/" >"$T_DIR/wrk.out" 2>&1
wrk_pid="$(last_bg)"
wrk_going() { [ "$(ctl a --json -L -n --stats | jq '[.[] | select(.port == 80) | .conns] | add')" -ge 8 ]; }
wait_until 10 wrk_going || fail "wrk does not reach the VIP"
out="$(ctl a worker upgrade "$NEW" 2>&1)" || fail "upgrade to a copy refused: $out"
log "upgrade: $out"
after="$(pids)"
assert_eq "workers' binary after the upgrade" "$NEW $NEW" "$(exe_of "${after% *}") $(exe_of "${after#* }")"
assert_eq "last_exit" "planned planned" "$(worker_field a 0 last_exit) $(worker_field a 1 last_exit)"
# a little more load after the roll, then wrk's verdict
wrk_busy() { [ "$(worker_stat a 0 rx_pkts)" -gt "$1" ]; }
wait_until 10 wrk_busy "$(worker_stat a 0 rx_pkts)" || fail "no traffic after the upgrade"
kill -INT "$wrk_pid"
wrk_done() { ! kill -0 "$wrk_pid" 2>/dev/null; }
wait_until 20 wrk_done || fail "wrk did not stop"
wrk_parse "$T_DIR/wrk.out"
log "wrk across the upgrade: $WRK_REQS requests, socket errors $WRK_SOCKERR, non-2xx $WRK_NON2XX"
assert_eq "wrk socket errors" 0 "$WRK_SOCKERR"
assert_eq "wrk non-2xx responses" 0 "$WRK_NON2XX"
assert_gt "wrk requests" 100 "$WRK_REQS"

# ---- a crash afterwards is replaced from the new binary --------------------------------
wait_until 30 standby_ready || fail "no standby of the new binary"
pid="$(worker_field a 1 pid)"
kill -9 "$pid"
back() { [ "$(worker_field a 1 pid)" != "$pid" ] && [ "$(worker_field a 1 state)" = running ]; }
wait_until 10 back || fail "worker 1 not replaced"
assert_eq "binary of worker 1 after a crash" "$NEW" "$(exe_of "$(worker_field a 1 pid)")"
exit 0
