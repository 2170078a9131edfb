#!/usr/bin/env bash
# System test: the pool caches' safety valve (docs/crash-safety.md, "A crash
# loop turns the caches off"). A small pool (3072 mbufs: the bound is 384
# dropped entries) and a busy worker killed again and again under ping -f:
# each death drops the worker's lcore cache; once the drops pass 1/8 of the
# pool the primary turns the caches off for good (an error in its log,
# mbufs.cache_off in dpvsctl stats). Replies keep flowing, later deaths drop
# nothing more, and the mbufs lost beside the drops stay under a burst a kill.
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

export DPVS_TEST_MBUFS=3072
MAXK=20
BURST=32
NA="$(node_addr a)"
node_start a 1
node_add_addr a
wait_until 10 nsc a ping -c 1 -W 1 "$NA" || fail "no reply from $NA"
cache_off() { ctl a --json stats 2>/dev/null | jq -r '.mbufs.cache_off'; }
assert_eq "mbufs.cache_off at the start" false "$(cache_off)"
inuse0="$(mbufs_in_use a)"

bg ip netns exec "$(nsc_of a)" ping -f -q "$NA" >"$T_DIR/flood.log" 2>&1
flood="$(last_bg)"
replies_flow() { worker_tx_moves a 0 3; }
kill_once() {
	local pid
	replies_flow || fail "kill $1: no replies before the kill"
	pid="$(worker_field a 0 pid)"
	kill -9 "$pid" || fail "kill -9 $pid"
	wait_until 15 worker_replaced a 0 "$pid" || fail "kill $1: worker did not come back: $(ctl a worker show)"
	replies_flow || fail "kill $1: replies did not resume"
}
k=0
while [ "$(cache_off)" != true ]; do
	k=$((k + 1))
	[ "$k" -le "$MAXK" ] || fail "caches still on after $MAXK kills: $(mbufs_cache_dropped a) dropped"
	sleep 1.2 # a worker that lived more than a second is restarted at once
	kill_once "$k"
	log "kill $k: $(mbufs_cache_dropped a) dropped so far, cache_off $(cache_off)"
done
dropped="$(mbufs_cache_dropped a)"
assert_gt "entries dropped when the caches went off" 384 "$dropped"
grep -q "per-lcore pool caches OFF" "$T_DIR/node-a/primary.log" ||
	fail "no error in the primary's log when the caches went off"
# later deaths: nothing more to drop (the new worker never used a cache)
for i in 1 2 3; do
	sleep 1.2
	kill_once "off-$i"
done
assert_eq "entries dropped after the caches went off" "$dropped" "$(mbufs_cache_dropped a)"
kill -INT "$flood" 2>/dev/null
flood_done() { ! kill -0 "$flood"; }
wait_until 5 flood_done
stable_inuse() {
	local x y
	x="$(mbufs_in_use a)"
	y="$(mbufs_in_use a)"
	[ -n "$x" ] && [ "$x" = "$y" ] && echo "$x" >"$T_DIR/inuse"
}
wait_until 10 stable_inuse || fail "no settled mbuf count after the kills"
inuse1="$(cat "$T_DIR/inuse")"
kills=$((k + 3))
leak=$((inuse1 - inuse0 - dropped))
log "mbufs in use when idle: $inuse0 before, $inuse1 after $kills kills: $dropped dropped, $leak leaked beside them"
[ "$leak" -le $((kills * BURST)) ] || fail "leaked $leak mbufs in $kills kills"
wait_until 10 nsc a ping -c 1 -W 1 "$NA" || fail "no reply from $NA with the caches off"
log "ok: caches off after $k kills; the node serves on"
