#!/usr/bin/env bash
# System test (issue 7): a full-NAT node with two workers under load while
# its workers are killed, stopped and restarted on purpose:
#   - a long TCP download (32 MB, paced by the server until the end of the
#     test) through the VIP, whose sha256 is compared,
#   - wrk with keep-alive against the VIP the whole time,
#   - a steady UDP stream (udpgap, 8 flows) through a UDP VIP to a receiver
#     that timestamps every gap and counts what is lost,
# and meanwhile: kill -9 of each worker 10 times (each time a standby takes
# over), kill -STOP of worker 0 for 5 s with an `-a` of another dest made
# meanwhile (it succeeds), `dpvsctl worker restart` of each worker 10 times.
# Checks: the download completes with the right bytes, its connection is in
# `conn show` before and after, wrk reports no socket error and no non-2xx,
# every replacement is booked (restarts, last_exit). Prints the crash gap
# (median, max over the kills: kill -> next datagram of the stream) and the
# datagrams lost per crash and per planned restart (not asserted).
# DPVS_TEST_UDP_ONLY=1 leaves out the download and wrk (the figures of the
# README: DPVS_TEST_UDP_ONLY=1 DPVS_TEST_UDP_PPS=100000).
TEST_TIMEOUT=420
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
UDPGAP="$T_ROOT/build/tests/udpgap"
[ -x "$UDPGAP" ] || fail "missing $UDPGAP (make tests)"
KILLS="${DPVS_TEST_KILLS:-10}"
RESTARTS="${DPVS_TEST_RESTARTS:-10}"
RATE="${DPVS_TEST_UDP_PPS:-5000}"
GAPMS=4       # a flow's datagrams come every 1.6 ms at 5000/s over 8 flows
TCP=1
[ "${DPVS_TEST_UDP_ONLY:-0}" = 1 ] && TCP=0

lb_setup a 2
V="$(vip_of a)"
RS1="$(http_rs a 1)"
U1="$(udp_rs a 1)"
ctl a -A -t "$V:8080" -s rr || fail "-A 8080"   # the download; its -a in the stop phase
ctl a -a -t "$V:8080" -r "$RS1:8080" -b fnat -w 1 || fail "-a 8080"
ctl a laddr add -t "$V:8080" "$(laddr_of a)" dev dpdk1 || fail "laddr 8080"
ctl a -A -u "$V:9000" -s rr || fail "-A 9000"
ctl a -a -u "$V:9000" -r "$U1:9000" -b fnat -w 1 || fail "-a 9000"
ctl a laddr add -u "$V:9000" "$(laddr_of a)" dev dpdk1 || fail "laddr 9000"

if [ "$TCP" = 1 ]; then
# ---- the slow download: 32 MB, trickling while $SLOW exists ----------------------
BIG="$T_DIR/big.bin"
SLOW="$T_DIR/slow"
head -c $((32 << 20)) /dev/urandom >"$BIG"
want="$(sha256sum <"$BIG" | cut -d' ' -f1)"
touch "$SLOW"
cat >"$T_DIR/big_server.py" <<'PYEOF'
# ADDR PORT FILE SLOWFLAG: HTTP/1.0 GET of FILE; 8 KB every 50 ms while
# SLOWFLAG exists (32 MB would take 200 s), then as fast as it goes.
import http.server, os, sys, time
addr, port, path, slow = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        size = os.path.getsize(path)
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        with open(path, "rb") as f:
            while True:
                b = f.read(8192 if os.path.exists(slow) else 65536)
                if not b:
                    break
                self.wfile.write(b)
                if os.path.exists(slow):
                    time.sleep(0.05)
    def log_message(self, *a):
        pass
http.server.HTTPServer((addr, port), H).serve_forever()
PYEOF
bg ip netns exec "$(nss_of a)" "$T_PY" "$T_DIR/big_server.py" "$RS1" 8080 "$BIG" "$SLOW"
big_listening() { nss a ss -Hlnt | grep -q -F "$RS1:8080 "; }
wait_until 10 big_listening || fail "download server not listening"
bg ip netns exec "$(nsc_of a)" curl -sS --max-time 400 -o "$T_DIR/got.bin" \
	-w '%{http_code} %{size_download} %{local_port}\n' "http://$V:8080/big" >"$T_DIR/curl.out" 2>&1
curl_pid="$(last_bg)"
got_some() { [ -s "$T_DIR/got.bin" ]; }
wait_until 10 got_some || fail "the download did not start"
dl_port() { ctl a --json conn show | jq -r --arg v "$V" '.[] | select(.vip == $v and .vport == 8080 and .state == "ESTABLISHED") | .cport' | head -1; }
cport="$(dl_port)"
[ -n "$cport" ] || fail "the download's connection is not in conn show: $(ctl a conn show)"
log "download running from client port $cport"

fi

# ---- the UDP stream -------------------------------------------------------------
bg ip netns exec "$(nss_of a)" "$UDPGAP" recv "$U1" 9000 "$GAPMS" 3000 >"$T_DIR/gap.log" 2>&1
recv_up() { grep -q listening "$T_DIR/gap.log"; }
wait_until 10 recv_up || fail "udpgap recv did not start"
bg ip netns exec "$(nsc_of a)" "$UDPGAP" send "$V" 9000 "$RATE" 400 8 >"$T_DIR/send.log" 2>&1
sender="$(last_bg)"
flowing() { [ "$(grep -c . "$T_DIR/gap.log")" -ge 1 ] && [ "$(ctl a --json -L -n --stats | jq '[.[] | select(.port == 9000) | .inpkts] | add')" -gt 1000 ]; }
wait_until 10 flowing || fail "the UDP stream does not reach the receiver"

if [ "$TCP" = 1 ]; then
# ---- wrk for the whole test -----------------------------------------------------------
bg ip netns exec "$(nsc_of a)" wrk -t 2 -c 8 -d 400s --timeout 5s "http://$V/" >"$T_DIR/wrk.out" 2>&1
wrk_pid="$(last_bg)"

fi
standby_ready() { [ "$(ctl a --json worker show | jq '.[0].standby_ready')" -ge 1 ]; }
replaced() { [ "$(worker_field a "$1" pid)" != "$2" ] && [ "$(worker_field a "$1" state)" = running ] &&
	[ "$(worker_field a "$1" last_exit)" = "$3" ]; }
restarts0="$(worker_field a 0 restarts) $(worker_field a 1 restarts)"

# ---- kill -9, each worker KILLS times -------------------------------------------
# (each worker has run a second since its last replacement: a crash, not a
# crash loop, which the supervisor answers with back-off)
: >"$T_DIR/kills"
up_since=("$(date +%s%N)" "$(date +%s%N)")
lived_1s() { [ $(($(date +%s%N) - up_since[$1])) -ge 1100000000 ]; }
for i in $(seq 1 "$KILLS"); do
	for w in 0 1; do
		wait_until 30 standby_ready || fail "kill $i of worker $w: no standby ready"
		wait_until 3 lived_1s $w
		pid="$(worker_field a $w pid)"
		echo "$(date +%s.%N)" >>"$T_DIR/kills"
		kill -9 "$pid" || fail "kill -9 $pid"
		wait_until 10 replaced $w "$pid" crash || fail "kill $i of worker $w: not replaced: $(ctl a worker show)"
		up_since[$w]="$(date +%s%N)"
	done
done
log "ok: $KILLS kills of each worker, each replaced (last gap of worker 0: $(worker_field a 0 last_gap_ms) ms)"

# ---- kill -STOP of worker 0 for 5 s, a config change meanwhile ------------------------
wait_until 30 standby_ready || fail "no standby before the stop"
pid="$(worker_field a 0 pid)"
kill -STOP "$pid"
t0="$(date +%s%N)"
ctl a -a -t "$V:8080" -r "$(http_rs a 2):8080" -b fnat -w 0 || fail "-a while worker 0 is stopped"
log "ok: -a of another dest while worker 0 is stopped took $((($(date +%s%N) - t0) / 1000000)) ms"
wait_until 10 replaced 0 "$pid" hang || fail "the stopped worker was not replaced: $(ctl a worker show)"
five_s() { [ $(($(date +%s%N) - t0)) -ge 5000000000 ]; }
wait_until 10 five_s
kill -CONT "$pid" 2>/dev/null
log "ok: worker 0 replaced after kill -STOP"

# ---- planned restarts, each worker RESTARTS times ---------------------------------------
tp0="$(date +%s.%N)"
out=""
for i in $(seq 1 "$RESTARTS"); do
	for w in 0 1; do
		pid="$(worker_field a $w pid)"
		out="$(ctl a worker restart $w)" || fail "worker restart $w ($i): $out"
		replaced $w "$pid" planned || fail "restart $i of worker $w not booked: $(ctl a worker show)"
	done
done
tp1="$(date +%s.%N)"
log "ok: $RESTARTS planned restarts of each worker (last: $out)"

# ---- the connections survived; let everything finish ------------------------------------
kill -INT "$sender" 2>/dev/null
if [ "$TCP" = 1 ]; then
assert_eq "the download's connection in conn show after everything" "$cport" "$(dl_port)"
kill -0 "$curl_pid" 2>/dev/null || fail "the download ended before the end of the test: $(cat "$T_DIR/curl.out")"
rm -f "$SLOW"
kill -INT "$wrk_pid" 2>/dev/null
done_all() { ! kill -0 "$curl_pid" 2>/dev/null && ! kill -0 "$wrk_pid" 2>/dev/null && grep -q '^recv' "$T_DIR/gap.log"; }
wait_until 120 done_all || fail "download, wrk or the UDP receiver did not finish"
read -r code size port <"$T_DIR/curl.out" || true
assert_eq "download status" 200 "$code"
assert_eq "download size" $((32 << 20)) "$size"
assert_eq "download sha256" "$want" "$(sha256sum <"$T_DIR/got.bin" | cut -d' ' -f1)"
wrk_parse "$T_DIR/wrk.out"
log "wrk: $WRK_REQS requests, $WRK_RPS/s, socket errors $WRK_SOCKERR, non-2xx $WRK_NON2XX"
assert_eq "wrk socket errors" 0 "$WRK_SOCKERR"
assert_eq "wrk non-2xx responses" 0 "$WRK_NON2XX"
assert_gt "wrk requests" 1000 "$WRK_REQS"
else
recv_done() { grep -q '^recv' "$T_DIR/gap.log"; }
wait_until 30 recv_done || fail "the UDP receiver did not finish"
fi
# every replacement is booked (more if the loaded machine stalled a worker
# past the hang timeout: the log says so)
assert_ge "worker 0 restarts" $((${restarts0% *} + KILLS + 1 + RESTARTS)) "$(worker_field a 0 restarts)"
assert_ge "worker 1 restarts" $((${restarts0#* } + KILLS + RESTARTS)) "$(worker_field a 1 restarts)"
grep 'has not beaten' "$T_DIR/node-a/primary.log" | sed 's/^/    /' 

# ---- figures (not asserted) ------------------------------------------------------------------
log "UDP stream: $(grep '^sent' "$T_DIR/send.log") at $RATE/s, $(grep '^recv' "$T_DIR/gap.log")"
# per kill: the longest wait, over the flows that a gap event shows stopped
# at the kill, from the kill to their next datagram, and what they lost
awk -v gapms="$GAPMS" 'FNR == NR { kill[++nk] = $1; next }
	$1 == "gap" { ev++; f[ev] = $5; t[ev] = $7; l[ev] = $11 }
	END {
		for (k = 1; k <= nk; k++) {
			g = 0; lost = 0
			for (e = 1; e <= ev; e++)
				if (f[e] <= kill[k] + 0.002 && t[e] > kill[k] && t[e] < kill[k] + 5) {
					if (t[e] - kill[k] > g) g = t[e] - kill[k]
					lost += l[e]
				}
			# no gap event: the flows it stopped waited under GAPMS
			printf "%.3f %d\n", (g > 0 ? g * 1000 : gapms), lost
		}
	}' "$T_DIR/kills" "$T_DIR/gap.log" | sort -n >"$T_DIR/crash_gaps"
planned_lost="$(awk -v a="$tp0" -v b="$tp1" '$1 == "gap" && $5 >= a && $7 <= b + 1 { s += $11 } END { print s + 0 }' "$T_DIR/gap.log")"
n="$(wc -l <"$T_DIR/crash_gaps")"
# DPVS_TEST_GAPLOG=FILE keeps the receiver's events, the kill times and the
# planned phase's bounds for a closer look
[ -n "${DPVS_TEST_GAPLOG:-}" ] && { cat "$T_DIR/gap.log"; sed 's/^/kill /' "$T_DIR/kills"; echo "planned $tp0 $tp1"
	grep -E 'polls again|takeover \(us\)|died after' "$T_DIR/node-a/primary.log"; } >"$DPVS_TEST_GAPLOG"
log "FIGURES at $RATE datagrams/s: crash gap (kill -> next datagram of a flow it stopped) median $(sed -n "$(((n + 1) / 2))p" "$T_DIR/crash_gaps" | cut -d' ' -f1) ms, max $(tail -1 "$T_DIR/crash_gaps" | cut -d' ' -f1) ms over $n kills; lost per crash $(awk '{ s += $2 } END { printf "%.1f", s / (NR ? NR : 1) }' "$T_DIR/crash_gaps"); lost in $((2 * RESTARTS)) planned restarts: $planned_lost"
exit 0
