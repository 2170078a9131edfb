#!/usr/bin/env bash
# System test: repeated kill -9 of a busy worker (ping -f from the client).
# Each kill of a worker that lived a while is followed by an immediate
# restart and traffic resumes; over K kills the mbufs leaked are measured
# (dpvsctl stats: mbufs.in_use), less what the primary dropped from the dead
# processes' lcore caches (mbufs.cache_dropped, counted apart: the cache is
# dropped whole at every death), and must stay under one burst per kill (a
# missing count fails the test). Then a worker that
# keeps dying young is restarted with backoff (state "backoff" is seen) and
# still comes back.
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

K=5
BURST=32
NA="$(node_addr a)"
node_start a 1
node_add_addr a
wait_until 10 nsc a ping -c 1 -W 1 "$NA" || fail "no reply from $NA"
inuse0="$(mbufs_in_use a)"
dropped0="$(mbufs_cache_dropped a)"

bg ip netns exec "$(nsc_of a)" ping -f -q "$NA" >"$T_DIR/flood.log" 2>&1
flood="$(last_bg)"

# replies_flow: the worker's tx verdict moves
replies_flow() { worker_tx_moves a 0 2; }
lived_long() { [ $(($(date +%s%N) - $1)) -ge 1100000000 ]; }

t_up="$(date +%s%N)"
for i in $(seq 1 "$K"); do
	# a worker that lived more than a second is restarted at once
	wait_until 3 lived_long "$t_up"
	replies_flow || fail "kill $i: no replies before the kill"
	pid="$(worker_field a 0 pid)"
	t0="$(date +%s%N)"
	kill -9 "$pid" || fail "kill -9 $pid"
	wait_until 10 worker_replaced a 0 "$pid" || fail "kill $i: worker did not come back: $(ctl a worker show)"
	t_up="$(date +%s%N)"
	replies_flow || fail "kill $i: replies did not resume"
	log "kill $i: worker $pid -> $(worker_field a 0 pid), running again $(((t_up - t0) / 1000000)) ms after the kill, replies flowing"
done
assert_eq "restarts after $K kills" "$K" "$(worker_field a 0 restarts)"
kill -INT "$flood" 2>/dev/null
flood_done() { ! kill -0 "$flood"; }
wait_until 5 flood_done
log "flood: $(grep -E 'packets transmitted' "$T_DIR/flood.log")"

stable_inuse() {
	local x y
	x="$(mbufs_in_use a)"
	y="$(mbufs_in_use a)"
	[ -n "$x" ] && [ "$x" = "$y" ] && echo "$x" >"$T_DIR/inuse"
}
[ -n "$inuse0" ] || fail "dpvsctl --json stats gave no mbuf count (mbufs.in_use) before the kills"
wait_until 10 stable_inuse || fail "no settled mbuf count (mbufs.in_use) after the kills: '$(mbufs_in_use a)'"
inuse1="$(cat "$T_DIR/inuse")"
dropped=$(($(mbufs_cache_dropped a) - dropped0))
leak=$((inuse1 - inuse0 - dropped))
log "mbufs in use when idle: $inuse0 before, $inuse1 after $K kills under ping -f: $dropped dropped with the dead workers' lcore caches, $leak leaked beside them ($(awk -v l="$leak" -v k="$K" 'BEGIN { printf "%.1f", l / k }') per kill)"
[ "$leak" -le $((K * BURST)) ] || fail "leaked $leak mbufs in $K kills (more than one burst of $BURST per kill)"

# a worker that keeps dying young: restarts back off
saw_backoff=0
for i in 1 2 3 4; do
	pid="$(worker_field a 0 pid)"
	kill -9 "$pid" || fail "quick kill $i: kill -9 $pid"
	in_backoff() { [ "$(worker_field a 0 state)" = backoff ]; }
	if [ "$i" -ge 3 ] && wait_until 2 in_backoff; then
		saw_backoff=1
	fi
	wait_until 10 worker_replaced a 0 "$pid" || fail "quick kill $i: worker did not come back: $(ctl a worker show)"
done
assert_eq "state backoff seen while the worker kept dying" 1 "$saw_backoff"
assert_eq "restarts" $((K + 4)) "$(worker_field a 0 restarts)"
wait_until 10 nsc a ping -c 1 -W 1 "$NA" || fail "no reply after the quick kills"
log "ok: worker answering after $((K + 4)) kills"
exit 0
