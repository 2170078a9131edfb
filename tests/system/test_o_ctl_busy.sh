#!/usr/bin/env bash
# System test (issue 6, defect 7): the control socket stays usable when
# other clients hold it. dpvs-ctl serves 64 connections at once.
#  1. 200 connections that never send anything: `dpvsctl version` is served
#     (before the fix it failed with "Connection reset" for ~5 s), and every
#     idle connection either keeps its slot or is told why it was closed
#     ("closed: idle while the server is full", or "closed: idle for 5000 ms"
#     if the test was slow), none is closed without a word.
#  2. 64 clients each sending a request every 4 s (each reconnects when it is
#     told it was closed): `dpvsctl version`, five times, is served (before:
#     "too many connections" for as long as they ran).
#  3. The server is busy only when every slot is in the middle of a request:
#     64 clients that sent half a frame, then `dpvsctl version` prints
#     "busy: too many connections" and exits 1 (never a reset).
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

cat >"$T_DIR/holders.py" <<'EOF'
# SOCKET MODE N: N clients of dpvs-ctl until SIGTERM/SIGINT, then a report.
#  idle:  connect, never send; report how each ended: "told" (a "closed:
#         idle ..." frame: its slot was taken, or its read timeout ended),
#         "open", "bare" (EOF or reset without a frame)
#  chatty: each sends a version request every 4 s (staggered) and reads the
#         reply; told it was closed, it reconnects; prints "progress K" after
#         every 16 answers; reports requests answered, closes told, and
#         failures (a reset or EOF without a frame)
#  half:  connect, send half a frame, hold
# Prints "ready" once all N are connected (idle, half) or have made their
# first request (chatty).
import select, signal, socket, struct, sys, time

path, mode, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
REQ = struct.pack(">I", 2) + b"\x3a\x00"     # Request { version_show {} }
stop = False


def on_signal(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGINT, on_signal)


def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def read_frame(s, timeout):
    """One frame's body, or None on EOF/reset/timeout."""
    s.settimeout(timeout)
    try:
        buf = b""
        while len(buf) < 4:
            c = s.recv(4 - len(buf))
            if not c:
                return None
            buf += c
        want = struct.unpack(">I", buf)[0]
        body = b""
        while len(body) < want:
            c = s.recv(want - len(body))
            if not c:
                return None
            body += c
        return body
    except OSError:
        return None


socks = [connect() for _ in range(n)]
if mode == "half":
    for s in socks:
        s.sendall(struct.pack(">I", 100) + b"x" * 10)
if mode in ("idle", "half"):
    print("ready", flush=True)
    while not stop:
        time.sleep(0.05)
    if mode == "idle":
        told = opened = bare = 0
        for s in socks:
            r, _, _ = select.select([s], [], [], 0)
            if not r:
                opened += 1
                continue
            body = read_frame(s, 1.0)
            if body is not None and b"closed: idle" in body:
                told += 1
            else:
                bare += 1
        print("told %d open %d bare %d" % (told, opened, bare), flush=True)
    sys.exit(0)

# chatty
answered = told = failed = 0
nxt = [time.time() + 4.0 * i / n for i in range(n)]
first = [True] * n
ready = False
while not stop:
    now = time.time()
    for i in range(n):
        if now < nxt[i]:
            continue
        nxt[i] += 4.0
        try:
            socks[i].sendall(REQ)
        except OSError:
            pass        # closed by the server: its reason is waiting to be read
        body = read_frame(socks[i], 5.0)
        if body is None:
            failed += 1
            socks[i].close()
            socks[i] = connect()
        elif b"closed: idle" in body:
            told += 1
            socks[i].close()
            socks[i] = connect()
        else:
            answered += 1
            if answered % 16 == 0:
                print("progress %d" % answered, flush=True)
        first[i] = False
    if not ready and not any(first):
        ready = True
        print("ready", flush=True)
    time.sleep(0.01)
print("answered %d told %d failed %d" % (answered, told, failed), flush=True)
EOF

node_start a 1
SOCK="$(sock_of a)"

# start_holders MODE N NAME: run holders.py in the background, wait for "ready"
start_holders() {
	bg "$T_PY" "$T_DIR/holders.py" "$SOCK" "$1" "$2" >"$T_DIR/$3.out" 2>&1
	echo "$(last_bg)" >"$T_DIR/$3.pid"
	holders_ready() { grep -q '^ready' "$T_DIR/$1.out"; }
	wait_until 30 holders_ready "$3" || fail "$3: not ready: $(cat "$T_DIR/$3.out")"
}
# stop_holders NAME: SIGTERM, wait for its report
stop_holders() {
	local pid
	pid="$(cat "$T_DIR/$1.pid")"
	kill -TERM "$pid"
	wait_until 15 pid_gone "$pid" || fail "$1: did not stop"
	tail -n 1 "$T_DIR/$1.out"
}
# ctl_version: dpvsctl version must be served; its stderr on failure
ctl_version() {
	local out rc
	out="$(ctl a version 2>&1)"
	rc=$?
	assert_not_contains "dpvsctl version" "reset" "$out"
	[ "$rc" -eq 0 ] || fail "dpvsctl version: exit $rc: $out"
	assert_contains "dpvsctl version" "dpvs-mp" "$out"
}

# 1. 200 idle connections
start_holders idle 200 idle
ctl_version
report="$(stop_holders idle)"
log "idle connections: $report"
read -r _ told _ open _ bare <<<"$report"
assert_eq "idle connections closed without a word" 0 "$bare"
assert_ge "idle connections told why they were closed" $((200 + 1 - 64)) "$told"

# 2. 64 clients, each a request every 4 s
start_holders chatty 64 chatty
# five times, spread over the clients' period: each after 16 more of their
# requests were answered
progress() { grep -c '^progress' "$T_DIR/chatty.out"; }
for i in 1 2 3 4 5; do
	ctl_version
	p0="$(progress)"
	more_progress() { [ "$(progress)" -gt "$1" ]; }
	wait_until 10 more_progress "$p0" || fail "the chatty clients stopped: $(tail -n 3 "$T_DIR/chatty.out")"
done
report="$(stop_holders chatty)"
log "chatty clients: $report"
read -r _ answered _ told _ failed <<<"$report"
assert_eq "chatty clients' requests that failed" 0 "$failed"
assert_ge "chatty clients' requests answered" 64 "$answered"

# 3. every slot in the middle of a request: busy, said plainly
start_holders half 64 half
out="$(ctl a version 2>&1)"
rc=$?
assert_eq "dpvsctl version's exit status when the server is busy" 1 "$rc"
assert_contains "dpvsctl version when the server is busy" "busy: too many connections" "$out"
stop_holders half >/dev/null
wait_until 10 ctl a version || fail "dpvsctl version not served after the half frames"
log "ok: served again once the slots were free"
exit 0
