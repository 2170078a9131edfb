#!/usr/bin/env bash
# System test: an idle node leaves the machine usable (ARCHITECTURE.md: only
# workers poll, and they back off when idle; the primary, dpvs-ctl and the
# bridge sleep). Measures each process's CPU time over a 2 s window.
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

WORKER_MAX=${IDLE_WORKER_MAX_PCT:-50}   # % of one core, idle_sleep_us = 50
OTHER_MAX=${IDLE_OTHER_MAX_PCT:-10}
node_start a 1
node_add_addr a
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz="$(getconf CLK_TCK)"
declare -A t0 name
for p in $(pids_of_prefix "$(prefix_of a)"); do
	comm="$(cat "/proc/$p/comm" 2>/dev/null)" || continue
	case "$comm" in dpvs-*) ;; *) continue ;; esac
	name[$p]="$comm"
	t0[$p]="$(cpu_ticks "$p")"
done
[ "${#name[@]}" -ge 4 ] || fail "expected 4 processes of the node, found: ${name[*]}"
w0="$(date +%s%N)"
sleep 2   # a measurement window, not a wait for a condition
w1="$(date +%s%N)"
for p in "${!name[@]}"; do
	pct=$(( ($(cpu_ticks "$p") - t0[$p]) * 100 * 1000000000 / hz / (w1 - w0) ))
	case "${name[$p]}" in
	dpvs-worker) max=$WORKER_MAX ;;
	*) max=$OTHER_MAX ;;
	esac
	log "${name[$p]} (pid $p): ${pct}% of a core when idle (limit $max%)"
	[ "$pct" -le "$max" ] || fail "${name[$p]} uses ${pct}% of a core when idle (limit $max%)"
done
exit 0
