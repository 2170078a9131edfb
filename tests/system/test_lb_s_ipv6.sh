#!/usr/bin/env bash
# System test (issue 8, e): IPv6 services with two workers.
#
#   client netns            node (dpdk0 | dpdk1)                 server segment (a bridge)
#   fd00:18:k::2  <-wire->  fd00:18:k::1, VIP fd00:18:k::100     servers t, u, each its own
#   198.18.0.2              198.18.0.100 | fd00:19:k::1,         netns: fd00:19:k::11 / ::12
#                           local addresses fd00:19:k::10,       and 198.19.0.11 / .12,
#                           198.19.0.10                          default routes via the node
#   (k = 10 for node a)
#   the router on the bridge, fd00:19:k::fe, reaches the client by a veth
#   (fd00:20:k::1 -> fd00:20:k::2): the servers' direct replies (dr, tunnel)
#
# The real servers are set up as for LVS NAT (modes_lib.sh: default routes,
# IPv4 and IPv6, via the node) and run an HTTP server on port 80 for each
# family that logs the client address it sees.
# 1. ping6 to the node's fd00:18:k::1 is answered by the workers.
# 2. full-NAT, [VIP]:80 -> the IPv6 servers from the IPv6 local address:
#    every curl over IPv6 succeeds, both servers answer, they see the local
#    address only.
# 3. NAT, [VIP]:81 -> the IPv6 servers' port 80: every curl succeeds, both
#    answer, they see the client's own IPv6 address.
# 4. full-NAT across families, [VIP]:82 -> the IPv4 servers from the IPv4
#    local address (DPVS's nat64): every curl over IPv6 succeeds, both IPv4
#    servers answer and see 198.19.0.10.
# 5. DR, [fd00:18:k::101]:80, and IPv6-in-IPv6 tunnel, [fd00:18:k::102]:80:
#    the servers hold both VIPs on lo (Linux answers neighbour solicitations
#    only for the receiving interface's addresses), decapsulate with
#    tests/tools/ipip_decap.py -6 (the kernel here has no ip6tnl device) and
#    send what leaves from a VIP to the router (a policy route), which
#    passes it to the client directly: every curl succeeds, both servers
#    answer and see the client's own address, the node passes nothing back
#    (OutPkts 0). Uploads of 64 KiB through the tunnel arrive whole: the
#    client's 1500-byte packets do not fit dpdk1's MTU with the outer
#    header, the node answers with packet too big (MTU 1460) from the VIP,
#    the client's kernel lowers its path MTU and sends smaller ones.
# 6. SNAT for IPv6: a match service on the client's address leaving by
#    dpdk1, its source the node's fd00:19:k::1; the client reaches the
#    servers' own addresses through the node: every request succeeds, the
#    servers see the node's address, conn show lists snat connections.
# 7. UDP over IPv6: 20 datagrams each (each from its own socket) through
#    full-NAT to the IPv6 servers' echo port and through full-NAT to the
#    IPv4 servers' are echoed from [VIP]:PORT by both servers (the kernels
#    check every UDP checksum the node translated); a datagram to a closed
#    port behind either gets the client ECONNREFUSED: the server's ICMP(v6)
#    port unreachable relayed, or translated from ICMP to ICMPv6.
# 8. The IPv6 connections survive their workers: kill -9 of each worker in
#    turn; its successor rebuilds the table from the array (an IPv6
#    connection's addresses are in the IPv6 side table, kept only for the
#    live connection that owns its slot) and conn show lists the same UDP
#    connections of step 7, every address and port as before, and new
#    datagrams are echoed again.
# Each service counts one connection per request (-L -n --stats); some
# replies reached the worker that does not own their connection and were
# passed to the owner (redirect verdicts > 0); nothing was dropped as
# conn_wrong_port, no_conn, family_mismatch or tcp_out_of_window.
# Without the IPv6 modes dpvs-ctl refused the IPv6 VIP (and the workers
# passed IPv6 services to the kernel).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
. "$(dirname "$0")/modes_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
command -v curl >/dev/null || fail "curl missing"

N=60
K="1$(node_idx a)"   # no group of zeros: the addresses print as written
N0="fd00:18:$K::1" CLI6="fd00:18:$K::2" VIP6="fd00:18:$K::100"
N1="fd00:19:$K::1" LADDR6="fd00:19:$K::10"
VIP6DR="fd00:18:$K::101" VIP6TUN="fd00:18:$K::102" RTR6="fd00:19:$K::fe"
rs6() { printf 'fd00:19:%s::%d' "$K" $((10 + $1)); }            # N
mlog6() { printf '%s/mrs6-%s.log' "$T_DIR" "$1"; }              # N

cat >"$T_DIR/http6.py" <<'EOF'
# NAME PORT LOG: an HTTP server on [::]:PORT (IPv6 only) that names itself
# and logs each request's client address.
import http.server
import socket
import socketserver
import sys

name, port, logpath = sys.argv[1:4]
log = open(logpath, "a", buffering=1)
body = ("server %s\n" % name).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = -1

    def do_GET(self):
        log.write("%s %d\n" % self.client_address[:2])
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        log.write("%s %d\n" % self.client_address[:2])
        n, got = int(self.headers.get("Content-Length", "0")), 0
        while got < n:
            chunk = self.rfile.read(min(65536, n - got))
            if not chunk:
                break
            got += len(chunk)
        data = ("server %s got %d bytes\n" % (name, got)).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    address_family = socket.AF_INET6
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super().server_bind()


Server(("::", int(port)), Handler).serve_forever()
EOF
cat >"$T_DIR/udp46.py" <<'EOF'
# echo NAME PORT: a UDP echo on [::]:PORT (IPv6 only) and 0.0.0.0:PORT that
# appends " from NAME". probe ADDR PORT N: N datagrams, each from its own
# socket; prints "ok NAME" per good echo (from ADDR:PORT), "bad ..." else.
# refused ADDR PORT: prints "refused" when the datagram is refused (ICMPv6
# port unreachable), "no" after 1 s without.
import select
import socket
import sys

if sys.argv[1] == "echo":
    name, port = sys.argv[2], int(sys.argv[3])
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s6.bind(("::", port))
    s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s4.bind(("0.0.0.0", port))
    while True:
        for s in select.select([s4, s6], [], [])[0]:
            d, peer = s.recvfrom(65535)
            s.sendto(d + (" from %s" % name).encode(), peer)
addr, port = sys.argv[2], int(sys.argv[3])
if sys.argv[1] == "refused":
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    s.connect((addr, port))
    s.send(b"anyone?")
    try:
        s.recv(100)
        print("answered")
    except ConnectionRefusedError:
        print("refused")
    except socket.timeout:
        print("no")
    sys.exit(0)
keep = []
for i in range(int(sys.argv[4])):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    keep.append(s)
    s.settimeout(2.0)
    msg = b"dgram %d" % i
    s.sendto(msg, (addr, port))
    try:
        d, peer = s.recvfrom(100)
    except socket.timeout:
        print("bad %d: no answer" % i)
        continue
    if d.startswith(msg + b" from ") and peer[:2] == (addr, port):
        print("ok %s" % d[len(msg) + 6:].decode())
    else:
        print("bad %d: %r from %r" % (i, d, peer))
EOF

# ---- the node, the servers, IPv6 on every side ----------------------------------------
lb_node_start a 2
modes_servers a nat
NSS="$(nss_of a)" W="$(wire_of a)"
ip -n "$NSS" link set br0 type bridge mcast_snooping 0 || fail "bridge: snooping off"
for ns in "$(nsc_of a)" "$NSS" "$(srvns_of a 1)" "$(srvns_of a 2)"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
done
# the router: on the bridge, and toward the client over modes_lib's veth
P="$(prefix_of a)"
ip -n "$NSS" -6 addr add "$RTR6/64" dev br0 nodad || fail "router address"
ip -n "$NSS" -6 addr add "fd00:20:$K::1/64" dev "${P}y" nodad || fail "router veth address"
nsc a ip -6 addr add "fd00:20:$K::2/64" dev "${P}x" nodad || fail "client veth address"
ip netns exec "$NSS" sysctl -qw net.ipv6.conf.all.forwarding=1 || fail "router forwarding"
ip -n "$NSS" -6 route add "fd00:18:$K::/64" via "fd00:20:$K::2" || fail "router: route to the client"
for i in 1 2; do
	msrv a "$i" ip -6 addr add "$(rs6 "$i")/64" dev eth0 nodad || fail "server $i: IPv6 address"
	msrv a "$i" ip -6 route add default via "$N1" || fail "server $i: IPv6 default via the node"
	# dr and tunnel: the VIPs on lo, their answers to the router
	msrv a "$i" ip -6 addr add "$VIP6DR/128" dev lo nodad || fail "server $i: DR VIP on lo"
	msrv a "$i" ip -6 addr add "$VIP6TUN/128" dev lo nodad || fail "server $i: tunnel VIP on lo"
	msrv a "$i" ip -6 rule add from "$VIP6DR" lookup 100 || fail "server $i: rule"
	msrv a "$i" ip -6 rule add from "$VIP6TUN" lookup 100 || fail "server $i: rule"
	msrv a "$i" ip -6 route add default via "$RTR6" dev eth0 table 100 || fail "server $i: table 100"
	bg ip netns exec "$(srvns_of a "$i")" "$T_PY" "$T_ROOT/tests/tools/ipip_decap.py" tun6 -6 \
		>"$T_DIR/decap6-$i.log" 2>&1
	wait_until 10 msrv a "$i" ip link show tun6 || fail "server $i: no tun6 ($(cat "$T_DIR/decap6-$i.log"))"
	msrv a "$i" ip link set tun6 up || fail "server $i: tun6 up"
	: >"$(mlog6 "$i")"
	bg ip netns exec "$(srvns_of a "$i")" "$T_PY" "$T_DIR/http6.py" "rs$i" "$LB_HTTP_PORT" \
		"$(mlog6 "$i")"
	wait_until 10 sh -c "ip netns exec $(srvns_of a "$i") ss -Hltn | grep -q '\[::\]:$LB_HTTP_PORT '" ||
		fail "server $i: not listening on [::]:$LB_HTTP_PORT"
	bg ip netns exec "$(srvns_of a "$i")" "$T_PY" "$T_DIR/udp46.py" echo "rs$i" "$LB_UDP_PORT"
	wait_until 10 sh -c "ip netns exec $(srvns_of a "$i") ss -Hlnu | grep -q '\[::\]:$LB_UDP_PORT '" ||
		fail "server $i: no UDP echo on [::]:$LB_UDP_PORT"
done
nsc a ip -6 addr add "$CLI6/64" dev "$W" nodad || fail "client address"
ctl a addr add "$N0/64" dev dpdk0 || fail "addr add $N0"
ctl a addr add "$VIP6/128" dev dpdk0 || fail "addr add $VIP6"
ctl a addr add "$N1/64" dev dpdk1 || fail "addr add $N1"
ctl a addr add "$LADDR6/128" dev dpdk1 || fail "addr add $LADDR6"
ctl a addr add "$VIP6DR/128" dev dpdk0 || fail "addr add $VIP6DR"
ctl a addr add "$VIP6TUN/128" dev dpdk0 || fail "addr add $VIP6TUN"

S6="[$VIP6]"
ctl a -A -t "$S6:80" -s rr || fail "-A -t $S6:80"
ctl a -A -t "$S6:81" -s rr || fail "-A -t $S6:81"
ctl a -A -t "$S6:82" -s rr || fail "-A -t $S6:82"
for i in 1 2; do
	ctl a -a -t "$S6:80" -r "[$(rs6 "$i")]:80" -b fnat -w 1 || fail "-a fnat IPv6"
	ctl a -a -t "$S6:81" -r "[$(rs6 "$i")]:80" -b nat -w 1 || fail "-a nat IPv6"
	ctl a -a -t "$S6:82" -r "$(mrs_of a "$i"):80" -b fnat -w 1 || fail "-a fnat IPv4 behind IPv6"
done
ctl a -A -u "$S6:53" -s rr || fail "-A -u $S6:53"
ctl a -A -u "$S6:54" -s rr || fail "-A -u $S6:54"
ctl a -A -u "$S6:55" -s rr || fail "-A -u $S6:55"
ctl a -A -u "$S6:56" -s rr || fail "-A -u $S6:56"
for i in 1 2; do
	ctl a -a -u "$S6:53" -r "[$(rs6 "$i")]:$LB_UDP_PORT" -b fnat -w 1 || fail "-a -u fnat IPv6"
	ctl a -a -u "$S6:54" -r "$(mrs_of a "$i"):$LB_UDP_PORT" -b fnat -w 1 || fail "-a -u fnat IPv4"
done
ctl a -a -u "$S6:55" -r "[$(rs6 1)]:9" -b fnat -w 1 || fail "-a -u closed IPv6"
ctl a -a -u "$S6:56" -r "$(mrs_of a 1):9" -b fnat -w 1 || fail "-a -u closed IPv4"
for v in 53 55; do
	ctl a laddr add -u "$S6:$v" "$LADDR6" dev dpdk1 || fail "laddr add -u IPv6"
done
for v in 54 56; do
	ctl a laddr add -u "$S6:$v" "$(laddr_of a)" dev dpdk1 || fail "laddr add -u IPv4"
done
MT6="proto=tcp,src-range=$CLI6,oif=dpdk1"
ctl a -A -H "$MT6" -s rr || fail "-A -H IPv6"
ctl a -a -H "$MT6" -r "[$N1]:0" -b snat || fail "-a -H IPv6 -b snat"
nsc a ip -6 route add "fd00:19:$K::/64" via "$N0" || fail "client: route to the servers"
ctl a -A -t "[$VIP6DR]:80" -s rr || fail "-A dr"
ctl a -A -t "[$VIP6TUN]:80" -s rr || fail "-A tunnel"
for i in 1 2; do
	ctl a -a -t "[$VIP6DR]:80" -r "[$(rs6 "$i")]:80" -b dr -w 1 || fail "-a dr IPv6"
	ctl a -a -t "[$VIP6TUN]:80" -r "[$(rs6 "$i")]:80" -b tunnel -w 1 || fail "-a tunnel IPv6"
done
ctl a laddr add -t "$S6:80" "$LADDR6" dev dpdk1 || fail "laddr add IPv6"
ctl a laddr add -t "$S6:82" "$(laddr_of a)" dev dpdk1 || fail "laddr add IPv4 for the IPv6 VIP"
out="$(ctl a -L -n)"
log "$out"
assert_contains "-L -n (IPv6 service)" "TCP  $S6:81" "$out"

# ---- 1. ping6 to the node ---------------------------------------------------------------
wait_until 10 nsc a ping -6 -c 1 -W 1 "$N0" || fail "no ping6 reply from $N0"
assert_contains "ping6 $N0" " 5 received" "$(nsc a ping -6 -c 5 -i 0.2 -W 1 "$N0")"
assert_not_contains "the node's kernel addresses" "$N0" "$(nsn a ip -6 addr)"

# ---- 2-4. curl over IPv6 through each service ----------------------------------------------
svc6_json() {   # VIP VPORT: the service [VIP]:VPORT of -L -n --stats
	ctl a --json -L -n --stats | jq -c --argjson p "$2" --arg v "$1" \
		'.[] | select(.port == $p and .vip == $v)'
}
conns_of() { svc6_json "$1" "$2" | jq '[.dests[].conns] | add // 0'; }   # VIP VPORT
curl6_many() {   # VIP VPORT OUT
	nsc a bash -c 'for i in $(seq '"$N"'); do
		r="$(curl -g -sS --max-time 5 -w " %{http_code}" "http://['"$1"']:'"$2"'/")" || r="FAILED $i: $r"
		echo "${r//$'"'\\n'"'/}"
	done' >"$3" 2>&1
}
# run VIP VPORT WHAT LOG1 LOG2 SOURCE: N requests, every one answered by
# both servers, each request one connection, the servers saw SOURCE only
run() {
	local vip="$1" vport="$2" what="$3" l1="$4" l2="$5" src="$6" c0 ok s1 s2 out
	wait_until 10 nsc a curl -g -sS --max-time 2 -o /dev/null "http://[$vip]:$vport/" ||
		fail "$what: no answer from http://[$vip]:$vport/ (drops: $(drops_nonzero a))"
	: >"$l1"
	: >"$l2"
	c0="$(conns_of "$vip" "$vport")"
	out="$T_DIR/curl-$vip-$vport.out"
	curl6_many "$vip" "$vport" "$out"
	ok="$(grep -c '^server rs[12] 200$' "$out")"
	s1="$(grep -c '^server rs1 200$' "$out")"
	s2="$(grep -c '^server rs2 200$' "$out")"
	[ "$ok" = "$N" ] || log "unexpected: $(grep -v '^server rs[12] 200$' "$out" | head -n 5)"
	assert_eq "$what: successful requests of $N" "$N" "$ok"
	assert_gt "$what: answers from real server 1" 0 "$s1"
	assert_gt "$what: answers from real server 2" 0 "$s2"
	assert_eq "$what: requests the servers logged" "$N" $(($(wc -l <"$l1") + $(wc -l <"$l2")))
	assert_eq "$what: sources seen by the servers" "$src " \
		"$(cat "$l1" "$l2" | awk '{ print $1 }' | sort -u | tr '\n' ' ')"
	assert_eq "$what: connections counted by -L -n --stats" "$N" $(($(conns_of "$vip" "$vport") - c0))
}
r0="$(redirects a)"
run "$VIP6" 80 "full-NAT IPv6" "$(mlog6 1)" "$(mlog6 2)" "$LADDR6"
run "$VIP6" 81 "NAT IPv6" "$(mlog6 1)" "$(mlog6 2)" "$CLI6"
run "$VIP6" 82 "full-NAT IPv6 VIP, IPv4 servers" "$(mlog a 1)" "$(mlog a 2)" "$(laddr_of a)"
run "$VIP6DR" 80 "DR IPv6" "$(mlog6 1)" "$(mlog6 2)" "$CLI6"
run "$VIP6TUN" 80 "tunnel IPv6" "$(mlog6 1)" "$(mlog6 2)" "$CLI6"
head -c 65536 /dev/urandom >"$T_DIR/up.bin"
tb0="$(ctl a --json stats | jq '.drops.tunnel_too_big')"
for i in 1 2 3 4; do
	out="$(nsc a curl -g -sS --max-time 10 --data-binary @"$T_DIR/up.bin" "http://[$VIP6TUN]/")"
	assert_contains "upload $i through the IPv6 tunnel" "got 65536 bytes" "$out"
done
assert_gt "packets too big for the tunnel (tunnel_too_big)" \
	"$tb0" "$(ctl a --json stats | jq '.drops.tunnel_too_big')"
assert_contains "the client's path MTU to the tunnel VIP" "mtu 1460" \
	"$(nsc a ip -6 route get "$VIP6TUN")"
# 6. SNAT: the client to the servers' own addresses
: >"$(mlog6 1)"
: >"$(mlog6 2)"
for i in $(seq 10); do
	for n in 1 2; do
		out="$(nsc a curl -g -sS --max-time 5 "http://[$(rs6 "$n")]/")"
		assert_eq "SNAT request $i to server $n" "server rs$n" "$out"
	done
done
assert_eq "SNAT: sources seen by the servers" "$N1 " \
	"$(cat "$(mlog6 1)" "$(mlog6 2)" | awk '{ print $1 }' | sort -u | tr '\n' ' ')"
assert_eq "SNAT: requests the servers logged" 20 \
	"$(cat "$(mlog6 1)" "$(mlog6 2)" | wc -l)"
assert_gt "snat connections in conn show" 0 \
	"$(ctl a --json conn show | jq '[.[] | select(.mode == "snat")] | length')"
for v in "$VIP6DR" "$VIP6TUN"; do
	assert_eq "[$v]:80: replies passed back by the node (OutPkts)" 0 \
		"$(svc6_json "$v" 80 | jq '.outpkts')"
done
# 7. UDP
for v in 53 54; do
	out="$(nsc a "$T_PY" "$T_DIR/udp46.py" probe "$VIP6" "$v" 20)"
	assert_eq "UDP [$VIP6]:$v: datagrams echoed of 20" 20 "$(grep -c '^ok rs[12]$' <<<"$out")"
	assert_gt "UDP [$VIP6]:$v: echoes of server 1" 0 "$(grep -c '^ok rs1$' <<<"$out")"
	assert_gt "UDP [$VIP6]:$v: echoes of server 2" 0 "$(grep -c '^ok rs2$' <<<"$out")"
done
refused() { [ "$(nsc a "$T_PY" "$T_DIR/udp46.py" refused "$VIP6" "$1")" = refused ]; }
wait_until 10 refused 55 || fail "no ECONNREFUSED from a closed port of an IPv6 server"
log "ok: a closed port behind [$VIP6]:55 (IPv6 server) refused the datagram"
wait_until 10 refused 56 || fail "no ECONNREFUSED from a closed port of an IPv4 server (ICMP -> ICMPv6)"
log "ok: a closed port behind [$VIP6]:56 (IPv4 server) refused the datagram"
ctl a -L -n --stats
red=$(($(redirects a) - r0))
log "redirect verdicts during the runs: $red"
assert_gt "replies passed to their owner (redirect verdicts)" 0 "$red"
drops="$(drops_nonzero a)"
log "drops: $drops"
for d in conn_wrong_port no_conn family_mismatch tcp_out_of_window udp6_zero_csum; do
	assert_not_contains "drops" "$d=" "$drops"
done
# 8. IPv6 connections across a kill -9 of each worker (UDP: 300 s, they stay)
v6conns() {
	ctl a --json conn show | jq -r --arg c "$CLI6" '[.[] | select(.client == $c and
		.proto == "UDP" and (.vport == 53 or .vport == 54)) | [.client, .cport, .vip,
		.vport, .laddr, .lport, .dest, .dport, .worker] | map(tostring) | join(" ")] |
		sort | .[]'
}
replaced() { [ "$(worker_field a "$1" pid)" != "$2" ] && [ "$(worker_field a "$1" state)" = running ]; }
before="$(v6conns)"
assert_gt "IPv6 UDP connections before the kills" 0 "$(grep -c . <<<"$before")"
for w in 0 1; do
	pid="$(worker_field a $w pid)"
	kill -9 "$pid" || fail "kill -9 of worker $w ($pid)"
	wait_until 15 replaced $w "$pid" || fail "worker $w not replaced: $(ctl a worker show)"
done
after="$(v6conns)"
assert_eq "IPv6 connections after both takeovers (addresses, ports, owners)" "$before" "$after"
log "ok: $(grep -c . <<<"$after") IPv6 UDP connections kept every address across two takeovers"
out="$(nsc a "$T_PY" "$T_DIR/udp46.py" probe "$VIP6" 53 20)"
assert_eq "UDP [$VIP6]:53 after the takeovers: datagrams echoed of 20" 20 \
	"$(grep -c '^ok rs[12]$' <<<"$out")"
exit 0
