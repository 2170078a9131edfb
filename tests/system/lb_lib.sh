# shellcheck shell=bash disable=SC2034
# tests/system/lb_lib.sh: helpers of the load-balancer system tests (sourced
# after lib.sh, not run).
#
# Topology of node X (k = its index, 0 for "a"):
#
#   client netns <p>c              node netns <p>n                 server netns <p>s
#   <p>w 198.18.k.2   <-- wire -->  dpdk0: 198.18.k.1/24, VIP .100
#                                   dpdk1: 198.19.k.1/24, laddr .10 <-- wire -->  <p>v
#                                                                   198.19.k.11, .12 (HTTP)
#                                                                   198.19.k.21, .22 (UDP echo)
#
# Both data ports are net_tap: dpdk0's tap goes to the client (lib.sh's
# node_start), dpdk1's tap to one server namespace that holds the four real
# server addresses on that one interface; each server binds its own address
# and answers with its own name, so a reply tells which server it came from.
# One namespace for the servers keeps the wire a plain tap (no bridge); the
# servers are told apart by address, which is all full-NAT sees.
#
# In:  lib.sh's helpers; LB_WORKERS-independent (node_start takes the count).
# Out: lb_node_start, lb_services, lb_servers_start and the probes below. The
#      EXIT trap first stops the node and removes the server namespace, then
#      runs lib.sh's cleanup (processes, namespaces, hugepages, temp dir).

LB_HTTP_PORT=80
LB_UDP_PORT=7

lb_idx() { node_idx "$1"; }
vip_of() { printf '198.18.%d.100' "$(lb_idx "$1")"; }
laddr_of() { printf '198.19.%d.10' "$(lb_idx "$1")"; }
srv_net_addr() { printf '198.19.%d.1' "$(lb_idx "$1")"; }
http_rs() { printf '198.19.%d.%d' "$(lb_idx "$1")" $((10 + $2)); }   # X N (1, 2)
udp_rs() { printf '198.19.%d.%d' "$(lb_idx "$1")" $((20 + $2)); }    # X N (1, 2)
nss_of() { printf '%ss' "$(prefix_of "$1")"; }
swire_of() { printf '%sv' "$(prefix_of "$1")"; }
server_mac() { printf '02:5f:%02x:%02x:%02x:%02x' $((($$ >> 16) & 255)) $((($$ >> 8) & 255)) $(($$ & 255)) "$(node_idx "$1")"; }
nss() { local x="$1"; shift; ip netns exec "$(nss_of "$x")" "$@"; }

LB_NODES=()

# dpvs.conf of an LB node: lib.sh's (dpdk0) plus dpdk1, whose tap goes to
# the server namespace. node_start calls write_conf by name.
eval "lib_$(declare -f write_conf)"
write_conf() {
	lib_write_conf "$@"
	cat >>"$T_DIR/node-$1/dpvs.conf" <<EOF
[port.dpdk1]
vdev = net_tap1,iface=$(swire_of "$1")
EOF
}

# lb_node_start X NWORKERS [PRIMARY ARGS...]: node_start (client side), then
# dpdk1's tap into the server namespace with its four addresses.
lb_node_start() {
	local x="$1" nss swire i
	nss="$(nss_of "$x")"
	swire="$(swire_of "$x")"
	LB_NODES+=("$x")
	ip netns add "$nss" || fail "ip netns add $nss"
	ip -n "$nss" link set lo up
	node_start "$@"
	wait_until 5 ip -n "$(nsn_of "$x")" link show "$swire" || fail "node $x: tap $swire not in $(nsn_of "$x")"
	ip -n "$(nsn_of "$x")" link set "$swire" netns "$nss" || fail "node $x: cannot move $swire"
	ip -n "$nss" link set "$swire" address "$(server_mac "$x")" || fail "node $x: server MAC"
	for i in 1 2; do
		ip -n "$nss" addr add "$(http_rs "$x" "$i")/24" dev "$swire" || fail "server addr"
		ip -n "$nss" addr add "$(udp_rs "$x" "$i")/24" dev "$swire" || fail "server addr"
	done
	ip -n "$nss" link set "$swire" up || fail "node $x: server wire up"
}

# lb_addrs X: the node's addresses: 198.18.k.1/24 and the VIP on dpdk0, the
# server-side subnet and the local address on dpdk1
lb_addrs() {
	local x="$1"
	node_add_addr "$x"
	ctl "$x" addr add "$(vip_of "$x")/32" dev dpdk0 || fail "addr add VIP"
	ctl "$x" addr add "$(srv_net_addr "$x")/24" dev dpdk1 || fail "addr add dpdk1"
	ctl "$x" addr add "$(laddr_of "$x")/32" dev dpdk1 || fail "addr add laddr"
}

# lb_services X [SCHED]: the TCP service VIP:80 and the UDP service VIP:7,
# each with its two real servers (fnat, weight 1) and the local address
lb_services() {
	local x="$1" s="${2:-rr}" v i
	v="$(vip_of "$x")"
	ctl "$x" -A -t "$v:$LB_HTTP_PORT" -s "$s" || fail "-A -t"
	ctl "$x" -A -u "$v:$LB_UDP_PORT" -s "$s" || fail "-A -u"
	for i in 1 2; do
		ctl "$x" -a -t "$v:$LB_HTTP_PORT" -r "$(http_rs "$x" "$i"):$LB_HTTP_PORT" -b fnat -w 1 ||
			fail "-a -t"
		ctl "$x" -a -u "$v:$LB_UDP_PORT" -r "$(udp_rs "$x" "$i"):$LB_UDP_PORT" -b fnat -w 1 ||
			fail "-a -u"
	done
	ctl "$x" laddr add -t "$v:$LB_HTTP_PORT" "$(laddr_of "$x")" dev dpdk1 || fail "laddr add -t"
	ctl "$x" laddr add -u "$v:$LB_UDP_PORT" "$(laddr_of "$x")" dev dpdk1 || fail "laddr add -u"
}

# ---- the real servers -------------------------------------------------------

cat >"$T_DIR/lb_server.py" <<'EOF'
# http NAME ADDR PORT LOG | udp NAME ADDR PORT LOG: a real server bound to
# ADDR:PORT. HTTP/1.1 with keep-alive answers "server NAME" to any GET
# (GET /slow: the same line padded to 100 bytes, sent 10 bytes every 0.4 s)
# and "server NAME got N bytes" to a POST of N bytes;
# UDP echoes each datagram with " from NAME" appended. Each request's client
# address goes to LOG (one line "ADDR PORT"). Runs until killed.
import http.server
import socket
import socketserver
import sys
import time

mode, name, addr, port, logpath = sys.argv[1:6]
log = open(logpath, "a", buffering=1)

if mode == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    while True:
        data, peer = s.recvfrom(65535)
        log.write("%s %d\n" % peer)
        s.sendto(data + (" from %s" % name).encode(), peer)

body = ("server %s\n" % name).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = -1      # one write per response (no Nagle stall between header and body)

    def do_GET(self):
        log.write("%s %d\n" % self.client_address[:2])
        data = body if self.path != "/slow" else body.rjust(100, b".")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        if self.headers.get("Connection", "").lower() == "close":
            self.send_header("Connection", "close")
        self.end_headers()
        step = len(data) if self.path != "/slow" else 10
        for i in range(0, len(data), step):
            if i > 0:
                self.wfile.flush()
                time.sleep(0.4)
            self.wfile.write(data[i:i + step])

    def do_POST(self):
        # reads the body, answers "server NAME got N bytes"
        log.write("%s %d\n" % self.client_address[:2])
        n = int(self.headers.get("Content-Length", "0"))
        got = 0
        while got < n:
            chunk = self.rfile.read(min(65536, n - got))
            if not chunk:
                break
            got += len(chunk)
        data = ("server %s got %d bytes\n" % (name, got)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


Server((addr, int(port)), Handler).serve_forever()
EOF

srv_log() { printf '%s/srv-%s-%s%s.log' "$T_DIR" "$1" "$2" "$3"; }    # X http|udp N

# lb_servers_start X: two HTTP servers and two UDP echo servers in the server
# namespace, each on its own address; waits until all four listen
lb_servers_start() {
	local x="$1" i a
	for i in 1 2; do
		a="$(http_rs "$x" "$i")"
		: >"$(srv_log "$x" http "$i")"
		bg ip netns exec "$(nss_of "$x")" "$T_PY" "$T_DIR/lb_server.py" http "http$i" "$a" "$LB_HTTP_PORT" \
			"$(srv_log "$x" http "$i")"
		a="$(udp_rs "$x" "$i")"
		: >"$(srv_log "$x" udp "$i")"
		bg ip netns exec "$(nss_of "$x")" "$T_PY" "$T_DIR/lb_server.py" udp "udp$i" "$a" "$LB_UDP_PORT" \
			"$(srv_log "$x" udp "$i")"
	done
	listening() {
		local s
		s="$(nss "$1" ss -Hlntu)"
		for i in 1 2; do
			grep -q -F "$(http_rs "$1" "$i"):$LB_HTTP_PORT " <<<"$s" || return 1
			grep -q -F "$(udp_rs "$1" "$i"):$LB_UDP_PORT " <<<"$s" || return 1
		done
	}
	wait_until 10 listening "$x" || fail "real servers not listening: $(nss "$x" ss -Hlntu)"
	log "node $x: real servers up (HTTP $(http_rs "$x" 1), $(http_rs "$x" 2); UDP $(udp_rs "$x" 1), $(udp_rs "$x" 2))"
}

# srv_sources X http|udp N: the distinct client addresses a server saw
srv_sources() { awk '{ print $1 }' "$(srv_log "$1" "$2" "$3")" | sort -u | tr '\n' ' '; }
srv_count() { wc -l <"$(srv_log "$1" "$2" "$3")"; }

# ---- what the node reports ----------------------------------------------------

# svc_json X t|u: the service's object from `dpvsctl --json -L -n --stats`
svc_json() {
	local p=tcp port="$LB_HTTP_PORT"
	[ "$2" = u ] && p=udp port="$LB_UDP_PORT"
	ctl "$1" --json -L -n --stats | jq -c --arg p "$p" --argjson port "$port" \
		'.[] | select(.proto == $p and .port == $port)'
}

# dest_conns_sum X t|u: sum of the dests' conns counters
dest_conns_sum() { svc_json "$1" "$2" | jq '[.dests[].conns] | add // 0'; }

# redirects X: the redirect verdicts summed over the workers
redirects() {
	ctl "$1" --json stats | jq '[.workers[].verdicts | if type == "array"
		then (map({(.name): .value}) | add) else . end | .redirect // 0] | add // 0'
}

# drops_nonzero X: the node's drop counters that are not zero, "name=value ..."
drops_nonzero() {
	ctl "$1" --json stats | jq -r '.drops | if type == "array"
		then (map({(.name): .value}) | add) else . end | to_entries[]
		| select(.value > 0) | "\(.key)=\(.value)"' | tr '\n' ' '
}

# ---- cleanup: node and server namespace first, then lib.sh's t_cleanup -------

lb_cleanup() {
	local rc=$? x pid ns
	trap '' INT TERM    # a second Ctrl-C must not cut the cleanup short
	for x in "${LB_NODES[@]}"; do
		pid="$(primary_pid_of "$x")"
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null
			wait_until 5 pid_gone "$pid" || kill -9 "$pid" 2>/dev/null
		fi
		ns="$(nss_of "$x")"
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -9 "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	return "$rc"
}
trap 'lb_cleanup; t_cleanup' EXIT

# ---- one call: a node with its services and servers, answering -----------------

# lb_setup X NWORKERS [SCHED]: lb_node_start, addresses, both services, the
# four real servers; returns once a request through the VIP got an answer
# (the servers' logs are then emptied again)
lb_setup() {
	local x="$1" nw="$2" s="${3:-rr}" i
	lb_node_start "$x" "$nw"
	lb_addrs "$x"
	lb_services "$x" "$s"
	lb_servers_start "$x"
	wait_until 10 nsc "$x" curl -sS --max-time 2 -o /dev/null "http://$(vip_of "$x")/" ||
		fail "node $x: no answer from http://$(vip_of "$x")/ (drops: $(drops_nonzero "$x"))"
	for i in 1 2; do
		: >"$(srv_log "$x" http "$i")"
	done
	log "node $x: the VIP answers"
}

# ---- wrk ------------------------------------------------------------------------

# wrk_run X OUT SECONDS CONNS [ARGS...]: wrk in the client namespace against
# the VIP; its output in OUT; then wrk_parse OUT
wrk_run() {
	local x="$1" out="$2" secs="$3" conns="$4"
	shift 4
	nsc "$x" wrk -t 2 -c "$conns" -d "${secs}s" --timeout 5s "$@" "http://$(vip_of "$x")/" \
		>"$out" 2>&1 || fail "node $x: wrk failed: $(cat "$out")"
	wrk_parse "$out"
}

# wrk_parse OUT: sets WRK_REQS, WRK_RPS, WRK_SOCKERR (sum of connect, read,
# write and timeout errors) and WRK_NON2XX from wrk's output
wrk_parse() {
	local out="$1"
	WRK_REQS="$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$out")"
	WRK_RPS="$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$out")"
	WRK_SOCKERR="$(sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1 \2 \3 \4/p' "$out" |
		awk '{ print $1 + $2 + $3 + $4 } END { if (NR == 0) print 0 }')"
	WRK_NON2XX="$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$out")"
	WRK_NON2XX="${WRK_NON2XX:-0}"
	[ -n "$WRK_REQS" ] || fail "no request count in wrk's output: $(cat "$out")"
}

# ---- UDP client -----------------------------------------------------------------

cat >"$T_DIR/lb_udp_client.py" <<'PYEOF'
# VIP PORT N: N datagrams, each from a new socket (a new connection for the
# load balancer; all stay open so that no client port repeats), each with its
# own payload; the reply must be the payload followed by " from NAME".
# Prints "ok NAME" or "bad ..." per datagram.
import os
import socket
import sys

vip, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
keep = []
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    keep.append(s)
    s.settimeout(2.0)
    req = b"req %d %s" % (i, os.urandom(8).hex().encode())
    s.sendto(req, (vip, port))
    try:
        rep, peer = s.recvfrom(65535)
    except socket.timeout:
        print("bad %d: no reply" % i)
        continue
    if not rep.startswith(req + b" from ") or peer != (vip, port):
        print("bad %d: %r from %r" % (i, rep, peer))
    else:
        print("ok %s" % rep[len(req) + 6:].decode())
PYEOF

# lb_node_forget X: after node_stop X, remove everything of node X (its
# namespaces with their processes, hugepage files, runtime directory, its
# directory under T_DIR) so that lb_node_start X can start a fresh node with
# the same names and addresses
lb_node_forget() {
	local x="$1" ns pid p
	p="$(prefix_of "$x")"
	for ns in "$(nsn_of "$x")" "$(nsc_of "$x")" "$(nss_of "$x")"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -9 "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	rm -f /dev/hugepages/"$p"map_* /dev/hugepages/"$p"-* 2>/dev/null
	rm -rf "/var/run/dpdk/$p" "$T_DIR/node-$x"
}

# ---- an HTTP GET from a chosen client port ---------------------------------------

cat >"$T_DIR/lb_http_get.py" <<'PYEOF'
# VIP PORT CLIENT_PORT: GET / with Connection: close from CLIENT_PORT, read
# to the end (the server closes first, so the client keeps no TIME_WAIT and
# the port can be used again at once); prints the body.
import socket
import sys

vip, port, cport = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.settimeout(5.0)
s.bind(("", cport))
s.connect((vip, port))
s.sendall(b"GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % vip.encode())
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
s.close()
print(data.split(b"\r\n\r\n", 1)[1].decode().strip())
PYEOF

# lb_node_done X: stop node X and remove everything of it (before the next
# node of the test starts, so that only one node uses the CPUs at a time)
lb_node_done() {
	node_stop "$1" || log "node $1: did not stop in time, killed by lb_node_forget"
	lb_node_forget "$1"
}
