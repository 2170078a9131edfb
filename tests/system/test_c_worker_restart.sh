#!/usr/bin/env bash
# System test c (issue 2): kill -9 of the worker during a ping flood.
# Checks: replies resume within a second of the kill (prints the gap), the
# port's counters did not reset (no port reset), restarts is 1, neighbours
# learned before the kill are still there; the mbufs leaked by the kill
# (mbufs.in_use of dpvsctl stats, idle before and after) are at most one
# burst, and a missing count fails the test.
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

NA="$(node_addr a)"
CA="$(client_addr a)"
LEAK_MAX=32   # one burst
node_start a 1
node_add_addr a
nsn a ip link set dpdk0.kni up || fail "dpdk0.kni up"
nsn a ip addr add "$(kni_addr a)/24" dev dpdk0.kni || fail "addr on dpdk0.kni"

# Learn a neighbour: the node's kernel asks for the client's MAC through
# dpdk0.kni, so the client's ARP reply passes the worker, which learns it.
wait_until 10 nsn a arping -c 1 -w 1 -I dpdk0.kni "$CA" || fail "the node's kernel got no ARP reply from the client"
neigh_has_client() { ctl a neigh show | grep -q -w -F "$CA"; }
wait_until 5 neigh_has_client || fail "worker did not learn $CA: $(ctl a neigh show)"
log "neighbour learned: $(ctl a neigh show | grep -w -F "$CA")"

wait_until 10 nsc a ping -c 1 -W 1 "$NA" || fail "no reply from $NA"
assert_eq "restarts before the kill" 0 "$(worker_field a 0 restarts)"

leak0="$(mbufs_in_use a)"
dropped0="$(mbufs_cache_dropped a)"

# ping flood, one echo every 2 ms, each reply with its wall-clock time
PLOG="$T_DIR/ping.log"
bg ip netns exec "$(nsc_of a)" stdbuf -oL ping -D -n -i 0.002 -W 1 "$NA" >"$PLOG" 2>&1
replies() { grep -c 'bytes from' "$PLOG" 2>/dev/null; }
enough_replies() { [ "$(replies)" -ge "$1" ]; }
wait_until 10 enough_replies 100 || fail "flood got no replies: $(tail -3 "$PLOG")"

# capture the client's ARP from now on: if it sends no ARP reply after the
# kill, a neighbour shown afterwards was kept, not learned again
ALOG="$T_DIR/arp.pcap"
bg ip netns exec "$(nsc_of a)" tcpdump -i "$(wire_of a)" -n -U -w "$ALOG" arp 2>"$T_DIR/tcpdump.err"
tcpdump_up() { grep -q "listening on" "$T_DIR/tcpdump.err"; }
wait_until 10 tcpdump_up || fail "tcpdump did not start: $(cat "$T_DIR/tcpdump.err")"

ip0="$(port_stat a dpdk0 ipackets)"
wpid="$(worker_field a 0 pid)"
[ -n "$wpid" ] && [ "$wpid" -gt 1 ] || fail "no worker pid: $wpid"
tkill="$(date +%s.%N)"
kill -9 "$wpid" || fail "kill -9 $wpid"
log "killed worker 0 (pid $wpid) at $tkill with dpdk0 ipackets=$ip0"

# replies after the kill: time of the first reply after the largest silence
# that ends after the kill and starts before kill + 5 s (one that ended
# before the kill is not the kill's: a hiccup of the 2-CPU host just before
# it, longer than a fast takeover's silence, once hid the resumed replies
# from this test for its whole 10 s)
reply_after_gap() {
	awk -v k="$tkill" '
		/bytes from/ { t = substr($1, 2, length($1) - 2) + 0
			if (t > k && prev > 0 && t - prev > gap && prev < k + 5) {
				gap = t - prev; first = t }
			prev = t }
		END { if (first > k) printf "%.3f %.3f\n", first - k, gap; else exit 1 }' "$PLOG"
}
resumed() { [ "$(worker_field a 0 state)" = running ] && reply_after_gap; }
wait_until 10 resumed || fail "replies did not resume within 10 s of the kill"
# let a few more replies arrive after the restart, so the gap is settled
n_now="$(replies)"
wait_until 5 enough_replies $((n_now + 50)) || fail "replies stopped again after the restart"
read -r gap_kill silence < <(reply_after_gap)
log "restart gap: kill -> first reply ${gap_kill}s (longest silence ${silence}s)"
assert_lt_float "kill -> first reply (s)" 1.0 "$gap_kill"

npid="$(worker_field a 0 pid)"
log "worker 0 restarted: pid $wpid -> $npid"
[ "$npid" != "$wpid" ] || fail "worker pid unchanged ($npid)"
assert_eq "restarts after one kill" 1 "$(worker_field a 0 restarts)"
assert_eq "worker 0 state" running "$(worker_field a 0 state)"
ip1="$(port_stat a dpdk0 ipackets)"
assert_gt "dpdk0 ipackets after the restart (no port reset)" "$ip0" "$ip1"
assert_contains "neighbours after the restart" "$CA" "$(ctl a neigh show)"
replies_sent="$(tcpdump -r "$ALOG" -n "arp[6:2] = 2 and ether src $(client_mac a)" 2>/dev/null | wc -l)"
assert_eq "ARP replies the client sent since before the kill (neighbour kept, not relearned)" 0 "$replies_sent"

kill -INT "$(last_bg)" 2>/dev/null
tail -n 4 "$PLOG" | sed 's/^/    /'

# idle again (flood stopped): what is still in use beyond the idle count
# before the kill is what the kill leaked
stable_inuse() {
	local x y
	x="$(mbufs_in_use a)"
	y="$(mbufs_in_use a)"
	[ -n "$x" ] && [ "$x" = "$y" ] && echo "$x" >"$T_DIR/inuse"
}
[ -n "$leak0" ] || fail "dpvsctl --json stats gave no mbuf count (mbufs.in_use) before the kill"
wait_until 10 stable_inuse || fail "no settled mbuf count (mbufs.in_use) after the kill: '$(mbufs_in_use a)'"
leak1="$(cat "$T_DIR/inuse")"
dropped=$(($(mbufs_cache_dropped a) - dropped0))
leak=$((leak1 - leak0 - dropped))
log "mbufs in use when idle: $leak0 before, $leak1 after the kill: $dropped dropped with the dead worker's lcore cache, $leak leaked beside it"
# The successor frees what its predecessor held in shm (the in-flight burst,
# the tx buffers), and the predecessor's lcore cache is dropped and counted
# apart (mbufs.cache_dropped), so beside it a kill leaks at most what was between the driver and those records: a few mbufs
# under a ping flood (0 measured), never a burst.
[ "$leak" -le "$LEAK_MAX" ] || fail "the kill leaked $leak mbufs (more than one burst, $LEAK_MAX)"
log "ok: mbufs leaked by the kill = $leak (<= $LEAK_MAX)"
exit 0
