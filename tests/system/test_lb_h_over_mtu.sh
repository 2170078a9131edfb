#!/usr/bin/env bash
# System test (issue 6, defects 3 and 8): frames over the port's MTU must not
# hold up anything else. The client's wire gets an MTU of 1700 so that it can
# send 1600-byte IP packets (ping -s 1572, one every 5 ms: ~200 a second) to
# the VIP, whose port MTU is 1500; meanwhile 50 curl requests go through the
# full-NAT VIP, each its own connection. Every request must succeed within
# 2 s (a healthy one takes milliseconds; before the fix the over-MTU echo
# replies, refused by net_tap, held the worker's tx buffer for 64 flushes at a
# time: 50 requests took 25 s and some failed). The node drops the over-MTU
# frames on input and counts them (rx_over_mtu); none of them is answered.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
command -v curl >/dev/null || fail "curl missing"

N=50
lb_setup a 1
vip="$(vip_of a)"
nsc a ip link set "$(wire_of a)" mtu 1700 || fail "client wire mtu 1700"
over0="$(worker_stat a 0 drop.rx_over_mtu)"
ip0="$(port_stat a dpdk0 ipackets)"

# ~200 over-MTU echo requests a second to the VIP, all through the test
bg ip netns exec "$(nsc_of a)" ping -q -n -s 1572 -i 0.005 -W 1 "$vip" >"$T_DIR/ping.log" 2>&1
flood="$(last_bg)"
flood_arrives() { [ "$(port_stat a dpdk0 ipackets)" -gt "$((ip0 + 50))" ]; }
wait_until 10 flood_arrives || fail "the over-MTU frames do not reach the node"

t0="$(date +%s%N)"
nsc a bash -c 'for i in $(seq '"$N"'); do
	r="$(curl -sS --max-time 2 -w " %{http_code} %{time_total}" "http://'"$vip"'/")" || r="FAILED $i: $r"
	echo "${r//$'"'\\n'"'/}"
done' >"$T_DIR/curl.out" 2>&1
t1="$(date +%s%N)"
kill -0 "$flood" 2>/dev/null || fail "the over-MTU ping stopped early: $(cat "$T_DIR/ping.log")"
over1="$(worker_stat a 0 drop.rx_over_mtu)"
kill -INT "$flood" 2>/dev/null
flood_done() { ! kill -0 "$flood"; }
wait_until 5 flood_done

ok="$(grep -c '^server http[12] 200 ' "$T_DIR/curl.out")"
slowest="$(awk '/^server http[12] 200 / { if ($4 > m) m = $4 } END { printf "%.3f", m }' "$T_DIR/curl.out")"
failed="$(grep -v '^server http[12] 200 ' "$T_DIR/curl.out" | head -n 5)"
[ -z "$failed" ] || log "failed requests: $failed"
log "$N requests in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }') s, slowest ${slowest}s; over-MTU frames dropped meanwhile: $((over1 - over0))"
log "ping: $(grep -E 'packets transmitted' "$T_DIR/ping.log")"
assert_eq "successful requests of $N during the over-MTU flood" "$N" "$ok"
assert_gt "over-MTU frames counted as rx_over_mtu" "$((over0 + 50))" "$over1"
received="$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$T_DIR/ping.log")"
assert_eq "over-MTU echo requests answered" 0 "${received:-0}"
assert_eq "tx_refused" 0 "$(worker_stat a 0 drop.tx_refused)"
log "drops: $(drops_nonzero a)"
exit 0
