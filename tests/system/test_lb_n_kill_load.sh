#!/usr/bin/env bash
# System test (issue 7): kill -9 of busy workers under a TCP load through the
# full-NAT VIP, and the mbufs that costs. Two workers (so the redirect rings
# between them carry the replies the tap hashes to the other worker), iperf3
# with 4 streams from the client through VIP:5201 to a real server; K kills,
# alternating between the workers, each once the target has lived over a
# second (no back-off) and traffic flows. Then, with the load stopped and the
# pool's in-use count stable, the mbufs leaked per kill are printed and must
# stay under the bound docs/crash-safety.md derives: a kill interrupts one
# instruction, and every window of the packet path loses at most one mbuf
# (the rx driver's, a packet between two stages, the tap tx packet, a pool
# put or get of one mbuf) except a worker's ring dequeue reserved but not yet
# copied, a few instructions that can lose a burst of 32. So: at most 2 per
# kill on average, plus one such burst in the whole run.
# (Before the crash-safety work: 2.6 to 7 per kill with iperf3 at 1.7 Gbit/s.)
TEST_TIMEOUT="${TEST_TIMEOUT:-170}"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
command -v iperf3 >/dev/null || fail "iperf3 missing (deploy/install-deps.sh installs it)"

K="${KILLS:-10}"
SECS=$((K * 3 + 20))
PERF_PORT=5201
x=a

lb_setup "$x" 2
v="$(vip_of "$x")"
rs="$(http_rs "$x" 1)"
ctl "$x" -A -t "$v:$PERF_PORT" -s rr || fail "-A -t $v:$PERF_PORT"
ctl "$x" -a -t "$v:$PERF_PORT" -r "$rs:$PERF_PORT" -b fnat -w 1 || fail "-a -t"
ctl "$x" laddr add -t "$v:$PERF_PORT" "$(laddr_of "$x")" dev dpdk1 || fail "laddr add"
bg ip netns exec "$(nss_of "$x")" iperf3 -s -B "$rs" -p "$PERF_PORT" >"$T_DIR/iperf-server.out" 2>&1
perf_listening() { nss "$x" ss -Hltn | grep -q -F "$rs:$PERF_PORT "; }
wait_until 10 perf_listening || fail "iperf3 server not listening"

stable_inuse() {
	local a b
	a="$(mbufs_in_use "$x")"
	b="$(mbufs_in_use "$x")"
	[ -n "$a" ] && [ "$a" = "$b" ] && echo "$a" >"$T_DIR/inuse"
}
wait_until 10 stable_inuse || fail "no stable mbufs.in_use before the load"
inuse0="$(cat "$T_DIR/inuse")"
dropped0="$(mbufs_cache_dropped "$x")"

bg ip netns exec "$(nsc_of "$x")" iperf3 -c "$v" -p "$PERF_PORT" -P 4 -t "$SECS" -i 0 \
	--connect-timeout 3000 >"$T_DIR/iperf.out" 2>&1
perf="$(last_bg)"

tx_total() { ctl "$x" --json stats | jq '[.workers[].verdicts.tx] | add'; }
flowing() {
	local a
	a="$(tx_total)"
	wait_until 2 sh -c "[ \"\$('$T_BIN/dpvsctl' -s '$(sock_of "$x")' --json stats | jq '[.workers[].verdicts.tx] | add')\" -gt \$((${a:-0} + 100)) ]"
}
wait_until 15 flowing || fail "no traffic through the VIP: $(cat "$T_DIR/iperf.out")"
up_since() { date +%s%N; }
declare -A born
born[0]="$(up_since)"
born[1]="${born[0]}"
lived_long() { [ $(($(date +%s%N) - ${born[$1]})) -ge 1100000000 ]; }

for i in $(seq 1 "$K"); do
	w=$((i % 2))
	wait_until 5 lived_long "$w" || fail "kill $i: worker $w not up a second"
	flowing || fail "kill $i: no traffic before the kill: $(tail -3 "$T_DIR/iperf.out")"
	pid="$(worker_field "$x" "$w" pid)"
	t0="$(date +%s%N)"
	kill -9 "$pid" || fail "kill $i: kill -9 $pid"
	wait_until 10 worker_replaced "$x" "$w" "$pid" || fail "kill $i: worker $w did not come back: $(ctl "$x" worker show)"
	born[$w]="$(date +%s%N)"
	log "kill $i: worker $w (pid $pid) running again after $(((born[$w] - t0) / 1000000)) ms"
done
assert_eq "restarts of worker 0 and 1" "$((K / 2)) $(((K + 1) / 2))" \
	"$(worker_field "$x" 0 restarts) $(worker_field "$x" 1 restarts)"
flowing || fail "no traffic after the kills"
kill -INT "$perf" 2>/dev/null
perf_done() { ! kill -0 "$perf" 2>/dev/null; }
wait_until 10 perf_done || kill -9 "$perf" 2>/dev/null
log "iperf3: $(grep -E 'SUM.*(sender|receiver)' "$T_DIR/iperf.out" | tail -2 | tr -s ' ' | tr '\n' ';')"

wait_until 20 stable_inuse || fail "mbufs.in_use not stable after the load"
inuse1="$(cat "$T_DIR/inuse")"
# the lcore caches of the dead workers are dropped whole and counted apart
# (mbufs.cache_dropped: exact but at two instructions, docs/crash-safety.md)
dropped=$(($(mbufs_cache_dropped "$x") - dropped0))
leak=$((inuse1 - inuse0 - dropped))
bound=$((2 * K + 32))
log "mbufs in use when idle: $inuse0 before, $inuse1 after $K kills under iperf3: $dropped dropped with the dead workers' lcore caches, $leak leaked beside them ($(awk -v l="$leak" -v k="$K" 'BEGIN { printf "%.1f", l / k }') per kill, bound $bound)"
log "drops: $(drops_nonzero "$x")"
[ "$leak" -le "$bound" ] || fail "leaked $leak mbufs in $K kills (bound $bound)"
lb_node_done "$x"
exit 0
