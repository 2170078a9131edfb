#!/usr/bin/env bash
# System test u (issue 11.4): the node's counters under DPDK telemetry, read
# with Debian's dpdk-telemetry.py -f <file_prefix> from the primary's socket.
# Two workers and a ping flood: /dpvs/info, /dpvs/workers, /dpvs/worker,N
# (pid as `worker show` says, every verdict, drop reason and event),
# /dpvs/drops and /dpvs/events (the same names as `dpvsctl stats`),
# /dpvs/ports and /dpvs/pool; the workers' rx and the port's ipackets move
# with the flood, and nd_na_sent with IPv6 neighbour solicitations.
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
command -v dpdk-telemetry.py >/dev/null || fail "dpdk-telemetry.py missing (Debian package dpdk)"

NA="$(node_addr a)"
P="$(prefix_of a)"
node_start a 2
node_add_addr a
wait_until 10 nsc a ping -c 1 -W 1 "$NA" || fail "no reply from $NA"

# tel CMD: the value of one telemetry command, as JSON
tel() {
	printf '%s\n' "$1" | dpdk-telemetry.py -f "$P" 2>/dev/null | jq -c --arg c "${1%%,*}" '.[$c]'
}

info="$(tel /dpvs/info)"
log "/dpvs/info: $info"
assert_eq "/dpvs/info workers" 2 "$(jq .workers <<<"$info")"
assert_eq "/dpvs/info layout" "$(ctl a --json version | jq .layout)" "$(jq .layout <<<"$info")"
assert_eq "/dpvs/workers" "[0,1]" "$(tel /dpvs/workers)"
for w in 0 1; do
	j="$(tel "/dpvs/worker,$w")"
	assert_eq "worker $w pid" "$(worker_field a "$w" pid)" "$(jq .pid <<<"$j")"
	assert_eq "worker $w state" running "$(jq -r .state <<<"$j")"
done
reasons_tel="$(tel /dpvs/drops | jq -r 'keys | sort | join(" ")')"
reasons_ctl="$(ctl a --json stats | jq -r '.drops | if type == "array"
	then map(.name) else keys end | sort | join(" ")')"
assert_eq "drop reasons of /dpvs/drops" "$reasons_ctl" "$reasons_tel"
n="$(tel /dpvs/worker,0 | jq '[keys[] | select(startswith("drop_"))] | length')"
assert_eq "drop reasons of /dpvs/worker,0" "$(wc -w <<<"$reasons_ctl")" "$n"
events_tel="$(tel /dpvs/events | jq -r 'keys | sort | join(" ")')"
events_ctl="$(ctl a --json stats | jq -r '.events | keys | sort | join(" ")')"
assert_eq "events of /dpvs/events" "$events_ctl" "$events_tel"
n="$(tel /dpvs/worker,1 | jq '[keys[] | select(startswith("event_"))] | length')"
assert_eq "events of /dpvs/worker,1" "$(wc -w <<<"$events_ctl")" "$n"
pool="$(tel /dpvs/pool)"
assert_eq "/dpvs/pool size" "${DPVS_TEST_MBUFS:-8192}" "$(jq .size <<<"$pool")"
assert_gt "/dpvs/pool in_use" 0 "$(jq .in_use <<<"$pool")"

# counters move with a flood
rx0="$(( $(tel /dpvs/worker,0 | jq .rx_pkts) + $(tel /dpvs/worker,1 | jq .rx_pkts) ))"
ip0="$(tel /dpvs/ports | jq .dpdk0.ipackets)"
bg ip netns exec "$(nsc_of a)" ping -n -q -i 0.002 "$NA" >/dev/null 2>&1
moved() {
	local rx ip
	rx="$(( $(tel /dpvs/worker,0 | jq .rx_pkts) + $(tel /dpvs/worker,1 | jq .rx_pkts) ))"
	ip="$(tel /dpvs/ports | jq .dpdk0.ipackets)"
	[ "$rx" -ge $((rx0 + 200)) ] && [ "$ip" -ge $((ip0 + 200)) ]
}
wait_until 10 moved || fail "telemetry counters did not move with the flood"
log "workers' rx: $rx0 -> $(( $(tel /dpvs/worker,0 | jq .rx_pkts) + $(tel /dpvs/worker,1 | jq .rx_pkts) )), dpdk0 ipackets: $ip0 -> $(tel /dpvs/ports | jq .dpdk0.ipackets)"

# an event moves: the client's neighbour solicitations for the node's IPv6
# address are answered by the workers (nd_na_sent), as dpvsctl stats counts
N6="fd00:18:$(node_idx a)::1"
ctl a addr add "$N6/64" dev dpdk0 || fail "addr add $N6"
nsc a ip -6 addr add "fd00:18:$(node_idx a)::2/64" dev "$(wire_of a)" nodad || fail "client address"
wait_until 10 nsc a ping -6 -c 1 -W 1 "$N6" || fail "no ping6 reply from $N6"
na_agree() {
	local t c
	t="$(tel /dpvs/events | jq .nd_na_sent)"
	c="$(ctl a --json stats | jq .events.nd_na_sent)"
	[ "$t" -ge 1 ] && [ "$t" = "$c" ]
}
wait_until 10 na_agree || fail "nd_na_sent: /dpvs/events $(tel /dpvs/events | jq .nd_na_sent), stats $(ctl a --json stats | jq .events.nd_na_sent)"
log "nd_na_sent: $(tel /dpvs/events | jq .nd_na_sent) in /dpvs/events and dpvsctl stats"
