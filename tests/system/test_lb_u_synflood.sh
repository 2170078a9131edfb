#!/usr/bin/env bash
# System test (issue 9, d): a spoofed SYN flood at the VIP, with and without
# the SYN proxy, one worker (LB_FLOOD_WORKERS) with a connection table of
# LB_FLOOD_CONNS (1024) entries.
#
# SYN proxy on (-E --synproxy on): hping3 floods spoofed SYNs (random
# sources, LB_FLOOD_SECS seconds, one every LB_FLOOD_US us) while wrk runs
# (8 keep-alive connections through the proxy): no socket error, no non-2xx;
# curl makes a new connection every 0.3 s; `conn
# show` never holds more than wrk's and curl's own connections (the flood
# makes none); the node answered the flood with cookies (synproxy_syn_ack);
# curl gets an answer during the flood and right after it.
#
# SYN proxy off (-E --synproxy off, timeout set tcp syn_recv 2): the same
# flood fills the table to its limit (conn show lists LB_FLOOD_CONNS, and
# conn_evicted counts the half-open connections that gave their slots); a
# connection established before the flood keeps answering on it; a new
# connection succeeds within 2 s of the flood's end.
#
# The flood stays inside the test's namespaces: hping3 runs in the client
# namespace and its packets go only down the client's wire to the node.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
command -v wrk >/dev/null || fail "wrk missing (deploy/install-deps.sh)"
command -v hping3 >/dev/null || fail "hping3 missing (deploy/install-deps.sh)"

X=a
SECS="${LB_FLOOD_SECS:-6}"
US="${LB_FLOOD_US:-100}"
CONNS="${LB_FLOOD_CONNS:-1024}"     # per worker
NW="${LB_FLOOD_WORKERS:-1}"

# the node's table: [worker] conns = CONNS (lb_lib's write_conf, then the key)
eval "lb_$(declare -f write_conf)"
write_conf() {
	lb_write_conf "$@"
	sed -i "s/^\[worker\]\$/[worker]\nconns = $CONNS/" "$T_DIR/node-$1/dpvs.conf"
}

VIP="$(vip_of "$X")"
stat_of() {   # stat_of drops|events NAME
	ctl "$X" --json stats | jq --arg k "$1" --arg n "$2" '.[$k] | if type == "array"
		then (map({(.name): .value}) | add) else . end | .[$n] // 0'
}
events_nonzero() {
	ctl "$X" --json stats | jq -r '.events | if type == "array"
		then (map({(.name): .value}) | add) else . end | to_entries[]
		| select(.value > 0) | "\(.key)=\(.value)"' | tr '\n' ' '
}
nconns() { ctl "$X" --json conn show 2>/dev/null | jq length; }

# flood OUT: hping3's spoofed SYN flood for SECS seconds in the background
# (SIGINT at the end: hping3 prints what it sent); FLOOD_PID
flood() {
	bg timeout -s INT "$SECS" ip netns exec "$(nsc_of "$X")" hping3 -q -S -p 80 --rand-source \
		-i "u$US" "$VIP" >"$1" 2>&1
	FLOOD_PID="$(last_bg)"
}
flood_running() { kill -0 "$FLOOD_PID" 2>/dev/null; }
flood_sent() { sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$1"; }

# watch_conns OUT: the connection count every 0.2 s while the flood runs,
# one number a line
watch_conns() {
	: >"$1"
	while flood_running; do
		nconns >>"$1"
		sleep 0.2
	done
	nconns >>"$1"
}
max_of() { sort -n "$1" | tail -n 1; }
# assert_lt WHAT THAN SEEN (integers)
assert_lt() {
	[ "$3" -lt "$2" ] 2>/dev/null || fail "$1: expected < $2, saw '$3'"
	log "ok: $1 = $3 (< $2)"
}
opened_over() { [ "$(stat_of events synproxy_opened)" -gt "$1" ]; }
has_conns() { [ "$(nconns)" -ge "$1" ]; }
pid_gone_() { ! kill -0 "$1" 2>/dev/null; }

# curl_ok: one GET through the VIP answered by a real server
curl_ok() { nsc "$X" curl -sS --max-time 1 "http://$VIP/" 2>/dev/null | grep -q '^server http'; }

# the keep-alive client: one connection, a GET every 0.2 s until the file
# STOP exists; prints "ok N" or "bad ..."
cat >"$T_DIR/keepalive.py" <<'PYEOF'
import os
import socket
import sys
import time

vip, stop = sys.argv[1], sys.argv[2]
s = socket.create_connection((vip, 80), timeout=3)
f = s.makefile("rb")
n = 0
while True:
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    status = f.readline()
    length = 0
    while True:
        line = f.readline()
        if not line:
            print("bad: closed after %d" % n)
            sys.exit(1)
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
        if line in (b"\r\n", b"\n"):
            break
    body = f.read(length)
    if b" 200 " not in status or not body.startswith(b"server http"):
        print("bad: %r %r" % (status, body))
        sys.exit(1)
    n += 1
    if os.path.exists(stop):
        break
    time.sleep(0.2)
print("ok %d" % n)
PYEOF

lb_setup "$X" "$NW"

# ---- SYN proxy on ---------------------------------------------------------------
ctl "$X" -E -t "$VIP:80" --synproxy on || fail "-E --synproxy on"
ctl "$X" -L -n | grep -q synproxy || fail "-L -n does not show the SYN proxy: $(ctl "$X" -L -n)"
wait_until 5 curl_ok || fail "no answer through the SYN proxy (drops: $(drops_nonzero "$X"))"
opened0="$(stat_of events synproxy_opened)"
assert_gt "connections opened by the SYN proxy (curl)" 0 "$opened0"

bg nsc "$X" wrk -t 1 -c 8 -d "$((SECS + 2))s" --timeout 5s "http://$VIP/" \
	>"$T_DIR/wrk-on.out" 2>&1
WRK_PID="$(last_bg)"
wait_until 5 opened_over $((opened0 + 7)) ||
	fail "wrk's connections do not come through"
flood "$T_DIR/hping-on.out"
during=0
watch_conns "$T_DIR/conns-on" &
WATCH=$!
t_end=$((SECONDS + SECS + 5))
while flood_running && [ "$SECONDS" -lt "$t_end" ]; do
	curl_ok && during=$((during + 1))
	sleep 0.3
done
wait "$WATCH"
wait_until 3 curl_ok || fail "SYN proxy on: no answer right after the flood (curl during: $during;" \
	"drops: $(drops_nonzero "$X"); events: $(events_nonzero); conns $(nconns))"
wait_until $((SECS + 10)) pid_gone_ "$WRK_PID" || fail "wrk did not end"
wrk_parse "$T_DIR/wrk-on.out"
sent="$(flood_sent "$T_DIR/hping-on.out")"
cookies="$(stat_of events synproxy_syn_ack)"
max_on="$(max_of "$T_DIR/conns-on")"
log "SYN proxy on: flood of $sent SYNs in ${SECS} s ($((sent / SECS))/s), cookies sent $cookies;" \
	"wrk $WRK_REQS requests ($WRK_RPS/s), socket errors $WRK_SOCKERR, non-2xx $WRK_NON2XX;" \
	"curl answered $during time(s) during the flood; conn show at most $max_on"
assert_gt "SYN proxy on: SYNs the flood sent" 1000 "${sent:-0}"
assert_gt "SYN proxy on: cookies sent (synproxy_syn_ack)" "$((sent / 2))" "$cookies"
assert_eq "SYN proxy on: wrk socket errors" 0 "$WRK_SOCKERR"
assert_eq "SYN proxy on: wrk non-2xx" 0 "$WRK_NON2XX"
assert_gt "SYN proxy on: wrk requests" 10 "$WRK_REQS"
assert_gt "SYN proxy on: curl answers during the flood" 0 "$during"
# wrk's 8 connections and curl's, each lingering in TIME_WAIT/CLOSE until
# its timer: far below what the flood would make
assert_lt "SYN proxy on: conn show stays far below the flood" "$((sent / 10))" "$max_on"
assert_lt "SYN proxy on: conn show stays below the table" "$CONNS" "$max_on"
assert_eq "SYN proxy on: conn_full drops" 0 "$(stat_of drops conn_full)"
assert_eq "SYN proxy on: half-open evictions" 0 "$(stat_of events conn_evicted)"

# ---- SYN proxy off ----------------------------------------------------------------
ctl "$X" -E -t "$VIP:80" --synproxy off || fail "-E --synproxy off"
ctl "$X" timeout set tcp syn_recv 2 || fail "timeout set tcp syn_recv 2"
ctl "$X" --set 900 120 300 || fail "--set"
assert_eq "timeout show: syn_recv" 2 \
	"$(ctl "$X" --json timeout show | jq '.["tcp.syn_recv"]')"
ctl "$X" -L --timeout
wait_until 5 curl_ok || fail "no answer without the SYN proxy"
rm -f "$T_DIR/stop"
bg nsc "$X" "$T_PY" "$T_DIR/keepalive.py" "$VIP" "$T_DIR/stop" >"$T_DIR/keepalive.out" 2>&1
KA_PID="$(last_bg)"
wait_until 5 has_conns 1 || fail "the keep-alive client's connection is missing"
flood "$T_DIR/hping-off.out"
watch_conns "$T_DIR/conns-off"
t0="$(date +%s.%N)"
wait_until 2 curl_ok || fail "SYN proxy off: no new connection within 2 s of the flood's end" \
	"(conns $(nconns), drops: $(drops_nonzero "$X"))"
t1="$(date +%s.%N)"
touch "$T_DIR/stop"
wait_until 5 pid_gone_ "$KA_PID" || fail "keep-alive client did not end"
sent="$(flood_sent "$T_DIR/hping-off.out")"
max_off="$(max_of "$T_DIR/conns-off")"
evicted="$(stat_of events conn_evicted)"
log "SYN proxy off: flood of $sent SYNs in ${SECS} s ($((sent / SECS))/s); conn show at most" \
	"$max_off of $((CONNS * NW)); evicted $evicted; conn_full $(stat_of drops conn_full);" \
	"keep-alive client: $(cat "$T_DIR/keepalive.out");" \
	"new connection $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s after the flood"
assert_eq "SYN proxy off: the tables filled to their limit" "$((CONNS * NW))" "$max_off"
assert_gt "SYN proxy off: half-open connections evicted (conn_evicted)" 0 "$evicted"
grep -q '^ok [1-9]' "$T_DIR/keepalive.out" ||
	fail "the connection established before the flood broke: $(cat "$T_DIR/keepalive.out")"
lb_node_done "$X"
exit 0
