#!/usr/bin/env bash
# System test (issue 6, defect 1): a blind RST sweep from the client's wire
# does not kill idle keep-alive connections, and the client's wire cannot
# speak for the real server. Two workers; 20 HTTP/1.1 keep-alive connections
# from the client namespace through the full-NAT VIP, each answers a first
# request; kill -9 of worker 0 (its successor finds the connections and their
# TCP windows in shared memory), a request on each again. (First, 32 MB up and
# down over one connection: real TCP with window scaling passes the window
# checks, none of its segments is dropped.) Then, from the
# client's wire (an AF_PACKET socket in the client namespace, pre-built
# frames):
#   (a) RSTs with each real server's address and port as source and the
#       local address with every local port (1024-65535) as destination,
#       random sequence numbers: what the real servers would send, forged;
#   (b) RSTs from the client's address to the VIP from every port
#       1024-65535, random sequence numbers.
# Every connection is still ESTABLISHED in `conn show` and answers a request;
# the node counted the forged server segments that matched a connection as
# conn_wrong_port and the client's as tcp_out_of_window. Last, a data segment
# with a connection's server tuple sent from the client's wire is dropped as
# conn_wrong_port and nothing of it reaches the client (a raw socket in the
# client namespace listens for its payload).
# Before issue 6 every connection was CLOSE after the sweep (and gone 10 s
# later) and the forged segment reached the client from the VIP.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

N=20

cat >"$T_DIR/ka_client.py" <<'PYEOF'
# VIP PORT N: N HTTP/1.1 keep-alive connections to VIP:PORT; prints
# "ports P1 ... PN" (their local ports) once each answered a first GET. Then
# for each line "go" on stdin: a GET on every connection, in order, and one
# line "round ok=K bad=M" (before it, "bad I: WHY" per failure); "quit" or
# end of input ends. A reply must be 200 with a body "server NAME".
import socket
import sys

vip, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


def get(s):
    s.sendall(b"GET / HTTP/1.1\r\nHost: %s\r\n\r\n" % vip.encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(4096)
        if not chunk:
            raise ConnectionError("closed by the peer")
        buf += chunk
    head, body = buf.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    clen = 0
    for h in lines[1:]:
        k, _, v = h.partition(b":")
        if k.strip().lower() == b"content-length":
            clen = int(v)
    while len(body) < clen:
        chunk = s.recv(4096)
        if not chunk:
            raise ConnectionError("closed in the body")
        body += chunk
    if b" 200 " not in lines[0] or not body.startswith(b"server http"):
        raise ValueError("%r %r" % (lines[0], body))


def round_():
    ok = 0
    for i, s in enumerate(socks):
        try:
            get(s)
            ok += 1
        except Exception as e:  # report every failure, go on with the rest
            print("bad %d: %r" % (i, e))
    print("round ok=%d bad=%d" % (ok, len(socks) - ok), flush=True)
    return ok


socks = []
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(5.0)
    s.connect((vip, port))
    socks.append(s)
if round_() != n:
    sys.exit(1)
print("ports " + " ".join(str(s.getsockname()[1]) for s in socks), flush=True)
for line in sys.stdin:
    if line.strip() != "go":
        break
    round_()
PYEOF

cat >"$T_DIR/forge.py" <<'PYEOF'
# IFACE SMAC DMAC COMMAND...: frames built in advance, sent on an AF_PACKET
# socket on IFACE (every frame SMAC -> DMAC, IPv4 TCP, valid checksums):
#   rst-dports SRC SPORT DST LO HI   RST SRC:SPORT -> DST:p, p = LO..HI
#   rst-sports SRC LO HI DST DPORT   RST SRC:p -> DST:DPORT, p = LO..HI
#   data SRC SPORT DST DPORT TEXT    one PSH+ACK segment carrying TEXT
# Sequence (and ack) numbers are random. The tap in front of the node queues
# 1000 frames: at most WINDOW frames are sent ahead of what the node read
# (IFACE's tx_packets + tx_dropped), so a busy node is not simply overrun.
# Prints "sent N frames in T s, D dropped by the tap".
# listen IFACE TEXT OUT: write every frame that arrives on IFACE (not sent
# from it) and contains TEXT to OUT, one line each, until killed.
import os
import random
import socket
import struct
import sys
import time


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def ip4(s):
    return socket.inet_aton(s)


def fold(x):
    while x >> 16:
        x = (x & 0xffff) + (x >> 16)
    return x


def words(b):
    return sum(struct.unpack("!%dH" % (len(b) // 2), b))


def frame(smac, dmac, src, dst, sport, dport, flags, payload=b""):
    """A frame and the checksum sum of its TCP part without ports and seq."""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 0, 0, 5 << 4, flags, 65535, 0, 0) + payload
    if len(tcp) % 2:
        tcp += b"\0"
        payload += b"\0"
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0,
                      ip4(src), ip4(dst))
    iph = iph[:10] + struct.pack("!H", 0xffff - fold(words(iph))) + iph[12:]
    pseudo = ip4(src) + ip4(dst) + struct.pack("!HH", 6, len(tcp))
    base = words(pseudo) + words(tcp[4:])   # ports and seq added per frame
    return bytearray(dmac + smac + b"\x08\x00" + iph + tcp), base


WINDOW = 512
DEADLINE_S = 60


def tap_counts(iface):
    d = "/sys/class/net/%s/statistics/" % iface
    with open(d + "tx_packets") as a, open(d + "tx_dropped") as b:
        return int(a.read()), int(b.read())


def pace(iface, start, n, t0):
    """Wait until at most WINDOW of the n frames sent are still queued."""
    while True:
        tx, drop = tap_counts(iface)
        if n - (tx + drop - start) <= WINDOW:
            return
        if time.monotonic() - t0 > DEADLINE_S:
            raise SystemExit("the node reads nothing: %d frames queued" % (n - tx - drop + start))
        time.sleep(0.0002)


def sweep(sock, iface, f, base, vary_sport, lo, hi, fixed):
    off = 14 + 20
    n = 0
    start = sum(tap_counts(iface))
    t0 = time.monotonic()
    for p in range(lo, hi + 1):
        if n % 128 == 0:
            pace(iface, start, n, t0)
        seq = random.getrandbits(32)
        sp, dp = (p, fixed) if vary_sport else (fixed, p)
        c = 0xffff - fold(base + sp + dp + (seq >> 16) + (seq & 0xffff))
        struct.pack_into("!HHI", f, off, sp, dp, seq)
        struct.pack_into("!H", f, off + 16, c)
        sock.send(f)
        n += 1
    return n


def main():
    if sys.argv[1] == "listen":
        iface, text, out = sys.argv[2], sys.argv[3].encode(), sys.argv[4]
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
        s.bind((iface, 0))
        with open(out, "a", buffering=1) as o:
            o.write("")
            open(out + ".up", "w").close()
            while True:
                data, addr = s.recvfrom(65535)
                if addr[2] != socket.PACKET_OUTGOING and text in data:
                    o.write(data.hex() + "\n")
    iface, smac, dmac, cmd = sys.argv[1], mac(sys.argv[2]), mac(sys.argv[3]), sys.argv[4]
    a = sys.argv[5:]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    t0 = time.monotonic()
    drop0 = tap_counts(iface)[1]
    if cmd == "rst-dports":
        f, base = frame(smac, dmac, a[0], a[2], 0, 0, 0x04)
        n = sweep(s, iface, f, base, False, int(a[3]), int(a[4]), int(a[1]))
    elif cmd == "rst-sports":
        f, base = frame(smac, dmac, a[0], a[3], 0, 0, 0x04)
        n = sweep(s, iface, f, base, True, int(a[1]), int(a[2]), int(a[4]))
    else:
        f, base = frame(smac, dmac, a[0], a[2], 0, 0, 0x18, a[4].encode())
        seq, ack = random.getrandbits(32), random.getrandbits(32)
        sp, dp = int(a[1]), int(a[3])
        c = 0xffff - fold(base + sp + dp + (seq >> 16) + (seq & 0xffff) + (ack >> 16) +
                          (ack & 0xffff))
        struct.pack_into("!HHII", f, 34, sp, dp, seq, ack)
        struct.pack_into("!H", f, 34 + 16, c)
        s.send(f)
        n = 1
    print("sent %d frames in %.2f s, %d dropped by the tap" %
          (n, time.monotonic() - t0, tap_counts(iface)[1] - drop0))


main()
PYEOF

cat >"$T_DIR/bulk.py" <<'PYEOF'
# server ADDR PORT | client VIP PORT MB: bulk transfers through the VIP, to
# see that window tracking passes real TCP (window scaling, windows that
# grow). The client sends "PUT n\n" and n bytes, the server answers "ok n\n";
# then "GET n\n", the server sends n bytes. The client prints "ok" or why not.
import socket
import sys
import threading


def read_line(s):
    b = b""
    while not b.endswith(b"\n"):
        c = s.recv(1)
        if not c:
            raise ConnectionError("closed")
        b += c
    return b.decode().split()


def serve(c):
    with c:
        while True:
            try:
                cmd, n = read_line(c)
            except (ConnectionError, ValueError):
                return
            n = int(n)
            if cmd == "PUT":
                got = 0
                while got < n:
                    d = c.recv(min(1 << 16, n - got))
                    if not d:
                        return
                    got += len(d)
                c.sendall(b"ok %d\n" % got)
            else:
                buf = b"x" * (1 << 16)
                while n > 0:
                    c.sendall(buf[:min(n, len(buf))])
                    n -= min(n, len(buf))


if sys.argv[1] == "server":
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((sys.argv[2], int(sys.argv[3])))
    ls.listen(16)
    while True:
        threading.Thread(target=serve, args=(ls.accept()[0],), daemon=True).start()
vip, port, n = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) << 20
s = socket.create_connection((vip, port), timeout=20)
s.sendall(b"PUT %d\n" % n)
buf = b"y" * (1 << 16)
left = n
while left > 0:
    s.sendall(buf[:min(left, len(buf))])
    left -= min(left, len(buf))
if read_line(s) != ["ok", str(n)]:
    sys.exit("PUT: no ok")
s.sendall(b"GET %d\n" % n)
got = 0
while got < n:
    d = s.recv(1 << 16)
    if not d:
        sys.exit("GET: closed after %d bytes" % got)
    got += len(d)
print("ok")
PYEOF

# conn_states X: "cport state" of the client's TCP connections to the VIP
conn_states() {
	ctl "$1" --json conn show | jq -r --arg c "$(client_addr "$1")" \
		'.[] | select(.proto == "TCP" and .client == $c) | "\(.cport) \(.state)"'
}

# drop_sum X NAME: a drop counter summed over the workers
drop_sum() { ctl "$1" --json stats | jq -r --arg n "$2" '.drops[$n] // 0'; }
rx_sum() { ctl "$1" --json stats | jq '[.workers[].rx_pkts] | add'; }

# ka_round: one request on every connection; fails unless all N answer
ka_round() {
	local what="$1" line bad=""
	echo go >&"${KA[1]}" || fail "$what: the client is gone"
	while true; do
		read -t 60 -r line <&"${KA[0]}" || fail "$what: no answer from the client"
		case "$line" in
		"round "*) break ;;
		bad*) bad+="$line; " ;;
		esac
	done
	[ -z "$bad" ] || log "$what: $bad"
	assert_eq "$what: connections that answered" "ok=$N bad=0" "${line#round }"
}

x=a
lb_setup "$x" 2
vip="$(vip_of "$x")"
nsc_name="$(nsc_of "$x")"
wire="$(wire_of "$x")"

# real TCP passes the window checks: 32 MB up and 32 MB down through the VIP
BULK_PORT=81
ctl "$x" -A -t "$vip:$BULK_PORT" -s rr || fail "-A -t bulk"
ctl "$x" -a -t "$vip:$BULK_PORT" -r "$(http_rs "$x" 1):$BULK_PORT" -b fnat -w 1 || fail "-a -t bulk"
ctl "$x" laddr add -t "$vip:$BULK_PORT" "$(laddr_of "$x")" dev dpdk1 || fail "laddr add bulk"
bg ip netns exec "$(nss_of "$x")" "$T_PY" "$T_DIR/bulk.py" server "$(http_rs "$x" 1)" "$BULK_PORT"
bulk_listening() { nss "$x" ss -Hlnt | grep -qF "$(http_rs "$x" 1):$BULK_PORT "; }
wait_until 10 bulk_listening || fail "bulk server not listening"
r="$(nsc "$x" "$T_PY" "$T_DIR/bulk.py" client "$vip" "$BULK_PORT" 32 2>&1)"
assert_eq "32 MB up and 32 MB down through the VIP" ok "$r"
assert_eq "segments of the transfers dropped as tcp_out_of_window" 0 \
	"$(drop_sum "$x" tcp_out_of_window)"

coproc KA { exec ip netns exec "$nsc_name" "$T_PY" "$T_DIR/ka_client.py" "$vip" "$LB_HTTP_PORT" "$N" 2>&1; }
T_BG_PIDS+=("$KA_PID")
ports=""
while read -t 30 -r line <&"${KA[0]}"; do
	case "$line" in
	"ports "*) ports="${line#ports }"; break ;;
	*) log "client: $line" ;;
	esac
done
[ -n "$ports" ] || fail "the keep-alive client did not connect"
log "$N keep-alive connections from client ports: $ports"

all_established() {
	local s
	s="$(conn_states "$x")"
	for p in $ports; do
		grep -qx "$p ESTABLISHED" <<<"$s" || return 1
	done
}
wait_until 10 all_established || fail "not all $N connections ESTABLISHED: $(conn_states "$x" | tr '\n' ' ')"
log "conn show: all $N ESTABLISHED; their workers: $(ctl "$x" --json conn show |
	jq -r '[.[] | select(.proto == "TCP") | .worker] | group_by(.) | map("\(.[0]):\(length)") | join(" ")')"

# a worker's death keeps the connections and their windows
pid0="$(worker_field "$x" 0 pid)"
kill -9 "$pid0" || fail "kill -9 worker 0 ($pid0)"
restarted() { [ "$(worker_field "$x" 0 restarts)" -ge 1 ] && all_workers_running "$x" 2; }
wait_until 20 restarted || fail "worker 0 not back after kill -9"
log "worker 0 ($pid0) killed and restarted"
ka_round "after kill -9 of worker 0"

# the sweep, from the client's wire
node_mac="$(ip -n "$nsc_name" neigh show "$vip" | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }')"
[ -n "$node_mac" ] || fail "no neighbour entry for the VIP in the client namespace"
cmac="$(client_mac "$x")"
forge() { ip netns exec "$nsc_name" "$T_PY" "$T_DIR/forge.py" "$wire" "$cmac" "$node_mac" "$@"; }
wp0="$(drop_sum "$x" conn_wrong_port)"
ow0="$(drop_sum "$x" tcp_out_of_window)"
rx0="$(rx_sum "$x")"
rr0="$(drop_sum "$x" redir_ring_full)"
t0="$(date +%s%N)"
for i in 1 2; do
	r="$(forge rst-dports "$(http_rs "$x" "$i")" "$LB_HTTP_PORT" "$(laddr_of "$x")" 1024 65535)" ||
		fail "sweep (a) from $(http_rs "$x" "$i") failed: $r"
	log "sweep (a), $(http_rs "$x" "$i"):$LB_HTTP_PORT -> $(laddr_of "$x"):1024-65535: $r"
done
r="$(forge rst-sports "$(client_addr "$x")" 1024 65535 "$vip" "$LB_HTTP_PORT")" ||
	fail "sweep (b) failed: $r"
log "sweep (b), $(client_addr "$x"):1024-65535 -> $vip:$LB_HTTP_PORT: $r"
sent=$((2 * 64512 + 64512))
rx_done() { [ $(($(rx_sum "$x") - rx0)) -ge "$sent" ]; }
wait_until 30 rx_done || log "the node received $(($(rx_sum "$x") - rx0)) of $sent frames"
log "sweep of $sent frames sent and received in $(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }') s; drops: $(drops_nonzero "$x")"
wp1="$(drop_sum "$x" conn_wrong_port)"
ow1="$(drop_sum "$x" tcp_out_of_window)"
lost=$((sent - ($(rx_sum "$x") - rx0) + $(drop_sum "$x" redir_ring_full) - rr0))
[ "$lost" -ge 0 ] || lost=0
log "forged RSTs that matched a connection: conn_wrong_port $((wp1 - wp0)), tcp_out_of_window $((ow1 - ow0)); frames lost before the ipvs path: $lost"

s="$(conn_states "$x")"
not_est=""
for p in $ports; do
	grep -qx "$p ESTABLISHED" <<<"$s" || not_est+="$(grep "^$p " <<<"$s" || echo "$p gone"), "
done
n_bad=0
[ -z "$not_est" ] || n_bad="$(grep -o , <<<"$not_est" | wc -l)"
assert_eq "connections not ESTABLISHED after the sweep (of $N) ${not_est%, }" 0 "$n_bad"
# one RST of each sweep hit each connection, unless a busy node lost frames
# (then at least one of each kind must have arrived)
min=1
[ "$lost" -gt 0 ] || min="$N"
assert_ge "forged server RSTs dropped as conn_wrong_port" "$min" $((wp1 - wp0))
assert_ge "forged client RSTs dropped as tcp_out_of_window" "$min" $((ow1 - ow0))
ka_round "after the sweep"

# a forged data segment with the server tuple of the first keep-alive
# connection, from the client's wire
read -r lport dest dport < <(ctl "$x" --json conn show | jq -r --arg c "$(client_addr "$x")" \
	--argjson p "${ports%% *}" '[.[] | select(.proto == "TCP" and .client == $c and
	.cport == $p)][0] | "\(.lport) \(.dest) \(.dport)"')
[ -n "$lport" ] || fail "no connection to forge for"
marker="forged-by-$T_ID"
bg ip netns exec "$nsc_name" "$T_PY" "$T_DIR/forge.py" listen "$wire" "$marker" "$T_DIR/seen"
wait_until 10 test -e "$T_DIR/seen.up" || fail "raw listener did not start"
wp2="$(drop_sum "$x" conn_wrong_port)"
r="$(forge data "$dest" "$dport" "$(laddr_of "$x")" "$lport" "$marker")" || fail "forged data: $r"
# dropped (the counter moves) or forwarded (the listener sees it)
settled() { [ "$(drop_sum "$x" conn_wrong_port)" -gt "$wp2" ] || [ -s "$T_DIR/seen" ]; }
wait_until 10 settled
kill -9 "$(last_bg)" 2>/dev/null
assert_eq "frames with the forged payload that reached the client" 0 "$(wc -l <"$T_DIR/seen")"
assert_eq "forged data $dest:$dport -> $(laddr_of "$x"):$lport dropped as conn_wrong_port" 1 \
	$(($(drop_sum "$x" conn_wrong_port) - wp2))
ka_round "after the forged data"
echo quit >&"${KA[1]}"
log "drops: $(drops_nonzero "$x")"
exit 0
