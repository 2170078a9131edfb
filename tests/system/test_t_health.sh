#!/usr/bin/env bash
# System test t (issue 11.1): health checks. Two workers, the TCP and UDP
# services of lb_lib.sh with two real servers each; the kernel of the node
# gets an address on dpdk1.kni (198.19.k.5), from which dpvs-ctl's probes
# leave through the exception path. Checks: http (GET /, 200) on the TCP
# service, udp (send "hc", expect a reply starting with "hc") on the UDP
# service, interval 1 s, timeout 1 s, rise 2, fall 2. A client sends HTTP
# requests and UDP datagrams through the VIP the whole time (one connection
# each, every 50 ms).
#  - http1 stopped: within fall x interval its weight is 0 ("down"); no
#    request started after that fails (those in between may: it takes fall
#    probes to notice); started again: "up" with its weight after rise x
#    interval, and it serves again. The same for udp1.
#  - dpvs-ctl killed while udp1 is down: its successor keeps udp1 down
#    (the health is in the config set), and brings it back when it answers.
#  - a cmd check (per dest, overriding the service's) follows a file.
#  - save carries the checks; the control socket answers throughout.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

INTERVAL=1
FALL=2
RISE=2
TIMEOUT=1
SLACK=1.0       # probe and publication time beyond the bounds below
# The bounds, from the moment the server's socket is gone (is back): probes
# start every interval whatever the last one did, so the last failing probe
# of fall may end a timeout after the fall-th interval (a UDP probe gets no
# port unreachable when the kernel rate-limits ICMP); rise probes that
# succeed end within rise intervals.
DOWN_BOUND="$(awk -v f="$FALL" -v i="$INTERVAL" -v t="$TIMEOUT" -v s="$SLACK" 'BEGIN { print f * i + t + s }')"
UP_BOUND="$(awk -v r="$RISE" -v i="$INTERVAL" -v s="$SLACK" 'BEGIN { print r * i + s }')"

x=a
lb_setup "$x" 2
V="$(vip_of "$x")"
KNI_SRC="198.19.$(lb_idx "$x").5"
nsn "$x" ip link set dpdk1.kni up || fail "dpdk1.kni up"
nsn "$x" ip addr add "$KNI_SRC/24" dev dpdk1.kni || fail "address on dpdk1.kni"

ctl "$x" check set -t "$V:$LB_HTTP_PORT" http --path / --expect 200 --interval "$INTERVAL" \
	--timeout "$TIMEOUT" --rise "$RISE" --fall "$FALL" || fail "check set http"
ctl "$x" check set -u "$V:$LB_UDP_PORT" udp --send 6863 --expect-data 6863 --interval "$INTERVAL" \
	--timeout "$TIMEOUT" --rise "$RISE" --fall "$FALL" || fail "check set udp"

# dest_field PROTO ADDR FIELD: from dpvsctl --json -L -n
dest_field() {
	ctl "$x" --json -L -n | jq -r --arg p "$1" --arg a "$2" --arg f "$3" \
		'.[] | select(.proto == $p) | .dests[] | select(.address == $a) | .[$f]'
}
all_up() {
	[ "$(ctl "$x" --json -L -n | jq '[.[].dests[] | select(.health == "up" and
		.last_result != "")] | length')" = 4 ]
}
wait_until 10 all_up || fail "not every dest up: $(ctl "$x" -L -n)"
ctl "$x" -L -n
assert_eq "health of a dest with no check" unchecked \
	"$(ctl "$x" check del -t "$V:$LB_HTTP_PORT" >/dev/null && dest_field tcp "$(http_rs "$x" 1)" health)"
ctl "$x" check set -t "$V:$LB_HTTP_PORT" http --path / --expect 200 --interval "$INTERVAL" \
	--timeout "$TIMEOUT" --rise "$RISE" --fall "$FALL" || fail "check set http again"
wait_until 10 all_up || fail "not every dest up again: $(ctl "$x" -L -n)"

# ---- the client: HTTP requests and UDP datagrams through the VIP ----------------
cat >"$T_DIR/hc_client.py" <<'PYEOF'
# http|udp|udp-sticky VIP PORT LOG: a request every 50 ms until killed; http
# and udp each on a new connection (a new socket), udp-sticky on 8 sockets
# bound once and taken in turn (8 flows that keep their source port); one
# line per request: "START_TIME ok NAME" or "START_TIME fail WHY".
import http.client, socket, sys, time
mode, vip, port, logpath = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
log = open(logpath, "a", buffering=1)
sticky = []
if mode == "udp-sticky":
    for i in range(8):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", 0))
        s.settimeout(2)
        sticky.append(s)
n = 0
while True:
    t = time.time()
    try:
        if mode == "udp-sticky":
            s = sticky[n % len(sticky)]
            n += 1
            s.sendto(b"req %f" % t, (vip, port))
            rep = s.recv(2048)
            ok = b" from " in rep
            what = rep.split(b" from ")[-1].decode() if ok else repr(rep)
        elif mode == "http":
            c = http.client.HTTPConnection(vip, port, timeout=2)
            c.request("GET", "/")
            r = c.getresponse()
            body = r.read().decode().strip()
            c.close()
            ok = r.status == 200
            what = body.split()[-1] if ok else "status %d" % r.status
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(2)
            s.sendto(b"req %f" % t, (vip, port))
            rep = s.recv(2048)
            s.close()
            ok = b" from " in rep
            what = rep.split(b" from ")[-1].decode() if ok else repr(rep)
    except Exception as e:
        ok, what = False, type(e).__name__
        try:
            what += ":%d" % s.getsockname()[1]
        except Exception:
            pass
    log.write("%.3f %s %s\n" % (t, "ok" if ok else "fail", what))
    time.sleep(0.05)
PYEOF
HLOG="$T_DIR/client-http.log"
ULOG="$T_DIR/client-udp.log"
bg ip netns exec "$(nsc_of "$x")" "$T_PY" "$T_DIR/hc_client.py" http "$V" "$LB_HTTP_PORT" "$HLOG"
SLOG="$T_DIR/client-udp-sticky.log"
bg ip netns exec "$(nsc_of "$x")" "$T_PY" "$T_DIR/hc_client.py" udp "$V" "$LB_UDP_PORT" "$ULOG"
bg ip netns exec "$(nsc_of "$x")" "$T_PY" "$T_DIR/hc_client.py" udp-sticky "$V" "$LB_UDP_PORT" "$SLOG"
served_by() { grep -c " ok $2\$" "$1" 2>/dev/null; }
both_served() { [ "$(served_by "$1" "$2")" -gt 0 ] && [ "$(served_by "$1" "$3")" -gt 0 ]; }
wait_until 10 both_served "$HLOG" http1 http2 || fail "HTTP client: $(tail -3 "$HLOG")"
wait_until 10 both_served "$ULOG" udp1 udp2 || fail "UDP client: $(tail -3 "$ULOG")"
# each worker schedules its new flows in turn (rr), so of 8 flows some are udp1's
wait_until 10 both_served "$SLOG" udp1 udp2 || fail "sticky UDP client: $(tail -3 "$SLOG")"

# server_pid KIND N: the pid of a real server of lb_servers_start
server_pid() {
	local p
	for p in $(ip netns pids "$(nss_of "$x")"); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null |
			grep -q "lb_server.py $1 $1$2 " && echo "$p"
	done
}
server_start() {
	local a
	if [ "$1" = http ]; then a="$(http_rs "$x" "$2")"; port="$LB_HTTP_PORT"; else a="$(udp_rs "$x" "$2")"; port="$LB_UDP_PORT"; fi
	bg ip netns exec "$(nss_of "$x")" "$T_PY" "$T_DIR/lb_server.py" "$1" "$1$2" "$a" "$port" \
		"$(srv_log "$x" "$1" "$2")"
}
now() { date +%s.%N; }
# socket_open KIND N: server N's socket is bound (ss in the servers' namespace)
socket_open() {
	local a port
	if [ "$1" = http ]; then a="$(http_rs "$x" "$2")"; port="$LB_HTTP_PORT"; else a="$(udp_rs "$x" "$2")"; port="$LB_UDP_PORT"; fi
	nss "$x" ss -Hlntu | grep -q -F "$a:$port "
}
socket_gone() { ! socket_open "$@"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
is_down() { [ "$(dest_field "$1" "$2" weight)" = 0 ] && [ "$(dest_field "$1" "$2" health)" = down ]; }
is_up() { [ "$(dest_field "$1" "$2" weight)" = "$3" ] && [ "$(dest_field "$1" "$2" health)" = up ]; }
# failures LOG FROM [TO]: requests started in [FROM, TO) that failed
failed_lines() { awk -v a="$2" -v b="${3:-1e12}" '$1 >= a && $1 < b && $2 == "fail"' "$1"; }
failures() { failed_lines "$@" | wc -l; }
# no_failures WHAT LOG FROM: no request started from FROM on failed (else
# fail, showing them and the time FROM)
no_failures() {
	local f
	f="$(failed_lines "$2" "$3")"
	[ -z "$f" ] || { ctl "$x" conn show >&2; fail "$1: requests started after $3 failed: $(echo "$f" | head -5 | tr '\n' ';')"; }
	log "ok: $1: no request failed"
}
requests() { awk -v a="$2" -v b="${3:-1e12}" '$1 >= a && $1 < b' "$1" | wc -l; }

# stop_and_back KIND PROTO N LOG: stop server N, see it go down and the
# clients never fail afterwards, start it, see it come back and serve
stop_and_back() {
	local kind="$1" proto="$2" n="$3" clog="$4" a pid t_kill t_down t_start t_up
	a="$( [ "$kind" = http ] && http_rs "$x" "$n" || udp_rs "$x" "$n")"
	pid="$(server_pid "$kind" "$n")"
	[ -n "$pid" ] || fail "no pid of $kind$n"
	kill "$pid"
	wait_until 10 socket_gone "$kind" "$n" || fail "$kind$n still listening after SIGTERM"
	t_kill="$(now)"
	wait_until 10 is_down "$proto" "$a" || fail "$kind$n not down: $(ctl "$x" -L -n)"
	t_down="$(now)"
	log "$kind$n stopped: down (weight 0) after $(elapsed "$t_kill" "$t_down") s; last result: $(dest_field "$proto" "$a" last_result)"
	assert_lt_float "$kind$n: seconds from stop to weight 0 (fall x interval + timeout = $((FALL * INTERVAL + TIMEOUT)), +$SLACK)" \
		"$DOWN_BOUND" "$(elapsed "$t_kill" "$t_down")"
	# the clients, 2 s after the weight went to 0
	more_requests() { [ "$(requests "$clog" "$t_down")" -ge 20 ]; }
	wait_until 10 more_requests || fail "$kind client stalled"
	log "$kind client: $(failures "$clog" "$t_kill" "$t_down") of $(requests "$clog" "$t_kill" "$t_down") requests failed while the checks noticed"
	no_failures "$kind requests started after $kind$n went down" "$clog" "$t_down"
	if [ "$kind" = udp ]; then
		# the flows that were udp1's keep their source ports: each
		# datagram after the weight went to 0 is scheduled again
		# every flow has a turn, twice, after t_down: 16 requests logged
		# (a dead flow's request takes its 2 s timeout before it is)
		sticky_more() { [ "$(requests "$SLOG" "$t_down")" -ge 16 ]; }
		wait_until 30 sticky_more || fail "sticky udp client stalled: $(tail -3 "$SLOG")"
		log "sticky udp client: $(failures "$SLOG" "$t_kill" "$t_down") of $(requests "$SLOG" "$t_kill" "$t_down") requests failed while the checks noticed"
		no_failures "sticky udp requests started after $kind$n went down" "$SLOG" "$t_down"
	fi
	server_start "$kind" "$n"
	wait_until 10 socket_open "$kind" "$n" || fail "$kind$n not listening after its start"
	t_start="$(now)"
	wait_until 10 is_up "$proto" "$a" 1 || fail "$kind$n not up: $(ctl "$x" -L -n)"
	t_up="$(now)"
	log "$kind$n started: up (weight 1) after $(elapsed "$t_start" "$t_up") s"
	assert_lt_float "$kind$n: seconds from start to weight back (rise x interval = $((RISE * INTERVAL)), +$SLACK)" \
		"$UP_BOUND" "$(elapsed "$t_start" "$t_up")"
	served_again() { awk -v a="$t_up" '$1 >= a && $2 == "ok"' "$clog" | grep -q " ok $kind$n\$"; }
	wait_until 10 served_again || fail "$kind$n serves no request after it came back"
	no_failures "$kind requests started after $kind$n came back" "$clog" "$t_up"
}

stop_and_back http tcp 1 "$HLOG"
stop_and_back udp udp 1 "$ULOG"

# ---- dpvs-ctl restarted while a dest is down ----------------------------------------
a="$(udp_rs "$x" 2)"
kill "$(server_pid udp 2)"
wait_until 10 is_down udp "$a" || fail "udp2 not down"
old="$(cat "$(rundir_of "$x")/ctl.pid")"
kill -9 "$old"
ctl_back() { [ "$(cat "$(rundir_of "$x")/ctl.pid" 2>/dev/null)" != "$old" ] && ctl "$x" version; }
wait_until 10 ctl_back || fail "dpvs-ctl not restarted"
assert_eq "udp2's health after dpvs-ctl's restart" down "$(dest_field udp "$a" health)"
assert_eq "udp2's weight after dpvs-ctl's restart" 0 "$(dest_field udp "$a" weight)"
server_start udp 2
wait_until 10 is_up udp "$a" 1 || fail "udp2 not back after dpvs-ctl's restart: $(ctl "$x" -L -n)"
log "dpvs-ctl restarted with udp2 down: kept down, then up again when it answered"

# ---- a cmd check of one dest, overriding the service's --------------------------------
a="$(http_rs "$x" 2)"
ctl "$x" check set -t "$V:$LB_HTTP_PORT" -r "$a:$LB_HTTP_PORT" cmd "test ! -e $T_DIR/http2.down" \
	--interval 0.2 --timeout 1 --rise 1 --fall 1 || fail "check set cmd"
touch "$T_DIR/http2.down"
wait_until 10 is_down tcp "$a" || fail "http2 not down by its cmd check: $(ctl "$x" -L -n)"
assert_contains "http2's last result" "exit 1" "$(dest_field tcp "$a" last_result)"
assert_eq "http1 (the service's http check) stays" up "$(dest_field tcp "$(http_rs "$x" 1)" health)"
rm -f "$T_DIR/http2.down"
wait_until 10 is_up tcp "$a" 1 || fail "http2 not up by its cmd check"

# ---- save, the control socket, the clients overall ------------------------------------
s="$(ctl "$x" save)"
assert_contains "save" "check set -t $V:$LB_HTTP_PORT http --path / --expect 200 --interval 1 --timeout 1 --rise 2 --fall 2" "$s"
assert_contains "save" "check set -u $V:$LB_UDP_PORT udp --send 6863 --expect-data 6863" "$s"
assert_contains "save" "check set -t $V:$LB_HTTP_PORT -r $a:$LB_HTTP_PORT cmd \"test ! -e $T_DIR/http2.down\" --interval 0.2" "$s"
t0="$(date +%s%N)"
ctl "$x" version >/dev/null || fail "dpvsctl version"
log "dpvsctl version answered in $((($(date +%s%N) - t0) / 1000000)) ms with the checks running"
log "clients: HTTP $(requests "$HLOG" 0) requests, $(failures "$HLOG" 0) failed; UDP $(requests "$ULOG" 0), $(failures "$ULOG" 0) failed; sticky UDP $(requests "$SLOG" 0), $(failures "$SLOG" 0) failed"
