#!/usr/bin/env bash
# System test (issue 8, e): IPv6 services with two workers.
#
#   client netns            node (dpdk0 | dpdk1)                 server segment (a bridge)
#   fd00:18:k::2  <-wire->  fd00:18:k::1, VIP fd00:18:k::100     servers t, u, each its own
#   198.18.0.2              198.18.0.100 | fd00:19:k::1,         netns: fd00:19:k::11 / ::12
#                           local addresses fd00:19:k::10,       and 198.19.0.11 / .12,
#                           198.19.0.10                          default routes via the node
#   (k = 10 for node a)
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

# ---- the node, the servers, IPv6 on every side ----------------------------------------
lb_node_start a 2
modes_servers a nat
NSS="$(nss_of a)" W="$(wire_of a)"
ip -n "$NSS" link set br0 type bridge mcast_snooping 0 || fail "bridge: snooping off"
for ns in "$(nsc_of a)" "$NSS" "$(srvns_of a 1)" "$(srvns_of a 2)"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
done
for i in 1 2; do
	msrv a "$i" ip -6 addr add "$(rs6 "$i")/64" dev eth0 nodad || fail "server $i: IPv6 address"
	msrv a "$i" ip -6 route add default via "$N1" || fail "server $i: IPv6 default via the node"
	: >"$(mlog6 "$i")"
	bg ip netns exec "$(srvns_of a "$i")" "$T_PY" "$T_DIR/http6.py" "rs$i" "$LB_HTTP_PORT" \
		"$(mlog6 "$i")"
	wait_until 10 sh -c "ip netns exec $(srvns_of a "$i") ss -Hltn | grep -q '\[::\]:$LB_HTTP_PORT '" ||
		fail "server $i: not listening on [::]:$LB_HTTP_PORT"
done
nsc a ip -6 addr add "$CLI6/64" dev "$W" nodad || fail "client address"
ctl a addr add "$N0/64" dev dpdk0 || fail "addr add $N0"
ctl a addr add "$VIP6/128" dev dpdk0 || fail "addr add $VIP6"
ctl a addr add "$N1/64" dev dpdk1 || fail "addr add $N1"
ctl a addr add "$LADDR6/128" dev dpdk1 || fail "addr add $LADDR6"

S6="[$VIP6]"
ctl a -A -t "$S6:80" -s rr || fail "-A -t $S6:80"
ctl a -A -t "$S6:81" -s rr || fail "-A -t $S6:81"
ctl a -A -t "$S6:82" -s rr || fail "-A -t $S6:82"
for i in 1 2; do
	ctl a -a -t "$S6:80" -r "[$(rs6 "$i")]:80" -b fnat -w 1 || fail "-a fnat IPv6"
	ctl a -a -t "$S6:81" -r "[$(rs6 "$i")]:80" -b nat -w 1 || fail "-a nat IPv6"
	ctl a -a -t "$S6:82" -r "$(mrs_of a "$i"):80" -b fnat -w 1 || fail "-a fnat IPv4 behind IPv6"
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
conns_of() {   # VPORT: connections of the service [VIP6]:VPORT
	ctl a --json -L -n --stats | jq --argjson p "$1" \
		'[.[] | select(.port == $p and (.vip | contains(":")))
		  | .dests[].conns] | add // 0'
}
curl6_many() {   # VPORT OUT
	nsc a bash -c 'for i in $(seq '"$N"'); do
		r="$(curl -g -sS --max-time 5 -w " %{http_code}" "http://['"$VIP6"']:'"$1"'/")" || r="FAILED $i: $r"
		echo "${r//$'"'\\n'"'/}"
	done' >"$2" 2>&1
}
# run VPORT WHAT LOG1 LOG2 SOURCE: N requests, every one answered by both
# servers, each request one connection, the servers saw SOURCE only
run() {
	local vport="$1" what="$2" l1="$3" l2="$4" src="$5" c0 ok s1 s2
	wait_until 10 nsc a curl -g -sS --max-time 2 -o /dev/null "http://[$VIP6]:$vport/" ||
		fail "$what: no answer from http://[$VIP6]:$vport/ (drops: $(drops_nonzero a))"
	: >"$l1"
	: >"$l2"
	c0="$(conns_of "$vport")"
	curl6_many "$vport" "$T_DIR/curl-$vport.out"
	ok="$(grep -c '^server rs[12] 200$' "$T_DIR/curl-$vport.out")"
	s1="$(grep -c '^server rs1 200$' "$T_DIR/curl-$vport.out")"
	s2="$(grep -c '^server rs2 200$' "$T_DIR/curl-$vport.out")"
	[ "$ok" = "$N" ] || log "unexpected: $(grep -v '^server rs[12] 200$' "$T_DIR/curl-$vport.out" | head -n 5)"
	assert_eq "$what: successful requests of $N" "$N" "$ok"
	assert_gt "$what: answers from real server 1" 0 "$s1"
	assert_gt "$what: answers from real server 2" 0 "$s2"
	assert_eq "$what: requests the servers logged" "$N" $(($(wc -l <"$l1") + $(wc -l <"$l2")))
	assert_eq "$what: sources seen by the servers" "$src " \
		"$(cat "$l1" "$l2" | awk '{ print $1 }' | sort -u | tr '\n' ' ')"
	assert_eq "$what: connections counted by -L -n --stats" "$N" $(($(conns_of "$vport") - c0))
}
r0="$(redirects a)"
run 80 "full-NAT IPv6" "$(mlog6 1)" "$(mlog6 2)" "$LADDR6"
run 81 "NAT IPv6" "$(mlog6 1)" "$(mlog6 2)" "$CLI6"
run 82 "full-NAT IPv6 VIP, IPv4 servers" "$(mlog a 1)" "$(mlog a 2)" "$(laddr_of a)"
ctl a -L -n --stats
red=$(($(redirects a) - r0))
log "redirect verdicts during the runs: $red"
assert_gt "replies passed to their owner (redirect verdicts)" 0 "$red"
drops="$(drops_nonzero a)"
log "drops: $drops"
for d in conn_wrong_port no_conn family_mismatch tcp_out_of_window udp6_zero_csum; do
	assert_not_contains "drops" "$d=" "$drops"
done
exit 0
