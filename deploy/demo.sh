#!/usr/bin/env bash
# deploy/demo.sh: start a dpvs-mp node on a private topology of network
# namespaces and show it working (`make demo`).
#
#   client netns (dpvsdemo-c)            node netns (dpvsdemo-n)                 servers (dpvsdemo-s)
#   dpvsdemow  198.18.0.2  <-- wire -->  dpdk0 (net_tap, polled by the worker)
#   own MAC                              198.18.0.1 (dpvsctl addr: the worker answers)
#                                        198.18.0.100 VIP, TCP port 80, rr
#                                        dpdk0.kni 198.18.0.3 (kernel, via the bridge)
#                                        198.18.0.101 VIP, NAT (-b nat)
#                                        198.18.0.102 VIP, DR (-b dr)
#                                        dpdk1 (net_tap)  <-- wire -->  dpvsdemov
#                                        198.19.0.1, local address      198.19.0.11 real server 1
#                                        198.19.0.10 (full-NAT source)  198.19.0.12 real server 2
#                                                                       lo: 198.18.0.102 (DR VIP,
#                                                                       ARP for it suppressed)
#   dpvsdemo-d 198.20.0.2  <------------- veth: the DR replies' own way ------------ 198.20.0.1
#
#   IPv6 (step_ipv6): the client fd00:18::2, the node fd00:18::1 and the VIP
#   fd00:18::100 on dpdk0; fd00:19::1 and the local address fd00:19::10 on
#   dpdk1; the servers fd00:19::11, fd00:19::12. [fd00:18::100]:80 is full-NAT
#   to the IPv6 servers, [fd00:18::100]:81 full-NAT to the IPv4 ones (from
#   198.19.0.10: an IPv6 VIP with IPv4 real servers).
#
# The servers route the client's network through the node (NAT's replies
# pass it); what they send from the DR VIP goes straight to the client over
# the veth (a policy route), never through the node.
# A wire is the kernel end of a data port's net_tap: dpvs-primary creates it
# in the node netns, and once the port has started the demo moves it into the
# client (dpdk0) or server (dpdk1) netns and gives it a MAC of its own.
#
# In:  build/bin/* (make all), root, hugepages (deploy/hugepages.sh).
#      DEMO_WORKERS (default 1), DEMO_KEEP=1 to keep the node running until
#      Ctrl-C instead of stopping at the end.
# Out: a narrated run on stdout; everything it made (processes, namespaces,
#      hugepage files, /var/run/dpdk/dpvsdemo, the temp dir) removed at the
#      end, on error and on Ctrl-C.
#
# Extending: add a step_* function and call it from main; more namespaces go
# in topology_up / topology_down.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/build/bin"
PREFIX=dpvsdemo
NS_NODE=dpvsdemo-n
NS_CLIENT=dpvsdemo-c
NS_SERVER=dpvsdemo-s
WIRE=dpvsdemow
SWIRE=dpvsdemov
DIRECT=dpvsdemo-d
CLIENT_MAC=02:de:40:00:00:02
SERVER_MAC=02:de:40:00:01:02
NODE_ADDR=198.18.0.1
CLIENT_ADDR=198.18.0.2
KNI_ADDR=198.18.0.3
VIP=198.18.0.100
VIP_NAT=198.18.0.101
VIP_DR=198.18.0.102
SRV_NET_ADDR=198.19.0.1
LADDR=198.19.0.10
RS1=198.19.0.11
RS2=198.19.0.12
HTTP_PORT=8080
NODE6=fd00:18::1
CLIENT6=fd00:18::2
VIP6=fd00:18::100
SRV_NET6=fd00:19::1
LADDR6=fd00:19::10
RS6_1=fd00:19::11
RS6_2=fd00:19::12
WORKERS="${DEMO_WORKERS:-1}"
TMP=""
PRIMARY_PID=""
HTTP_PID=""
RS_PIDS=()

if [ -t 1 ]; then B=$'\033[1m' N=$'\033[0m'; else B="" N=""; fi
say() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
run() { printf '$ %s\n' "$*"; "$@"; }
die() { echo "demo: $*" >&2; exit 1; }
ctl() { "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" "$@"; }
in_node() { ip netns exec "$NS_NODE" "$@"; }
in_client() { ip netns exec "$NS_CLIENT" "$@"; }
in_server() { ip netns exec "$NS_SERVER" "$@"; }

# wait_until TIMEOUT_S CMD...: poll every 50 ms until CMD succeeds
wait_until() {
	local deadline=$(($(date +%s) + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

cleanup() {
	local rc=$? pid
	trap - EXIT INT TERM
	set +e
	say "cleaning up"
	[ -n "$HTTP_PID" ] && kill "$HTTP_PID" 2>/dev/null
	for pid in "${RS_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	if [ -n "$PRIMARY_PID" ] && kill -0 "$PRIMARY_PID" 2>/dev/null; then
		kill -TERM "$PRIMARY_PID"
		wait_until 10 sh -c "! kill -0 $PRIMARY_PID" || kill -9 "$PRIMARY_PID"
	fi
	for pid in $(pgrep -f -- "--file-prefix[= ]$PREFIX( |\$)"); do
		kill -9 "$pid" 2>/dev/null
	done
	topology_down
	rm -f /dev/hugepages/${PREFIX}map_* 2>/dev/null
	rm -rf "/var/run/dpdk/$PREFIX"
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 130 ] && [ -n "$TMP" ] && [ -f "$TMP/primary.log" ]; then
		echo "---- last lines of dpvs-primary's log ----" >&2
		tail -n 20 "$TMP/primary.log" >&2
	fi
	[ -n "$TMP" ] && rm -rf "$TMP"
	case "$rc" in
	0) echo "demo: done, nothing left behind" ;;
	130) echo "demo: interrupted, nothing left behind" ;;
	*) echo "demo: failed (exit $rc)" >&2 ;;
	esac
	exit "$rc"
}

topology_up() {
	ip netns add "$NS_NODE"
	ip netns add "$NS_CLIENT"
	ip netns add "$NS_SERVER"
	ip -n "$NS_NODE" link set lo up
	ip -n "$NS_CLIENT" link set lo up
	ip -n "$NS_SERVER" link set lo up
	# the DR replies' way from the servers to the client, not through the node
	ip -n "$NS_SERVER" link add "$DIRECT-s" type veth peer name "$DIRECT"
	ip -n "$NS_SERVER" link set "$DIRECT" netns "$NS_CLIENT"
	ip -n "$NS_SERVER" addr add 198.20.0.1/24 dev "$DIRECT-s"
	ip -n "$NS_CLIENT" addr add 198.20.0.2/24 dev "$DIRECT"
	ip -n "$NS_SERVER" link set "$DIRECT-s" up
	ip -n "$NS_CLIENT" link set "$DIRECT" up
	in_client sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
}

topology_down() {
	local ns pid
	for ns in "$NS_NODE" "$NS_CLIENT" "$NS_SERVER"; do
		ip netns list | grep -q "^$ns\b" || continue
		for pid in $(ip netns pids "$ns"); do
			kill -9 "$pid" 2>/dev/null
		done
		ip netns del "$ns"
	done
}

preflight() {
	[ "$(id -u)" -eq 0 ] || die "run as root (network namespaces, hugepages)"
	local b
	for b in dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl; do
		[ -x "$BIN/$b" ] || die "$BIN/$b missing: run make"
	done
	# a demo killed with -9 earlier may have left its namespaces
	if ip netns list | grep -q -E "^($NS_NODE|$NS_CLIENT|$NS_SERVER)\b"; then
		pgrep -f -- "--file-prefix[= ]$PREFIX( |\$)" >/dev/null &&
			die "another demo seems to be running (prefix $PREFIX)"
		topology_down
	fi
}

write_conf() {
	cat >"$TMP/dpvs.conf" <<EOF
[global]
file_prefix = $PREFIX
run_dir = $TMP/run
[memory]
mbufs = 8192
[worker]
count = $WORKERS
idle_sleep_us = 50
[port.dpdk0]
vdev = net_tap0,iface=$WIRE
[port.dpdk1]
vdev = net_tap1,iface=$SWIRE
EOF
}

all_running() {
	[ "$(ctl --json worker show | jq '[.[] | select(.state == "running")] | length')" = "$WORKERS" ]
}

step_start() {
	say "starting dpvs-primary ($WORKERS worker(s)) in netns $NS_NODE"
	cat "$TMP/dpvs.conf"
	in_node "$BIN/dpvs-primary" -c "$TMP/dpvs.conf" >"$TMP/primary.log" 2>&1 </dev/null &
	PRIMARY_PID=$!
	wait_until 20 ctl version || die "dpvs-ctl did not answer"
	# the port has started: its tap (the wire) goes to the client
	ip -n "$NS_NODE" link set "$WIRE" netns "$NS_CLIENT"
	ip -n "$NS_CLIENT" link set "$WIRE" address "$CLIENT_MAC"
	ip -n "$NS_CLIENT" addr add "$CLIENT_ADDR/24" dev "$WIRE"
	ip -n "$NS_CLIENT" link set "$WIRE" up
	# dpdk1's tap goes to the real servers: one interface, one address each
	ip -n "$NS_NODE" link set "$SWIRE" netns "$NS_SERVER"
	ip -n "$NS_SERVER" link set "$SWIRE" address "$SERVER_MAC"
	ip -n "$NS_SERVER" addr add "$RS1/24" dev "$SWIRE"
	ip -n "$NS_SERVER" addr add "$RS2/24" dev "$SWIRE"
	ip -n "$NS_SERVER" link set "$SWIRE" up
	wait_until 20 all_running || die "workers did not reach running"
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" version
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" worker show
}

step_addr() {
	say "the node's address on dpdk0: the worker answers ARP and ping for it"
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" addr add "$NODE_ADDR/24" dev dpdk0
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" addr show
}

worker_counters() {
	ctl --json stats | jq -c '[.workers[] | {id, rx_pkts, tx_pkts}]'
}

step_ping() {
	say "ping from the client, answered by the worker"
	echo "worker counters before: $(worker_counters)"
	wait_until 10 in_client ping -c 1 -W 1 "$NODE_ADDR" || die "no reply from $NODE_ADDR"
	run ip netns exec "$NS_CLIENT" ping -c 5 -i 0.2 "$NODE_ADDR"
	echo "worker counters after:  $(worker_counters)"
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" stats
}

step_kni() {
	say "an address the kernel owns on dpdk0.kni, reached through the bridge"
	run ip netns exec "$NS_NODE" ip link set dpdk0.kni up
	run ip netns exec "$NS_NODE" ip addr add "$KNI_ADDR/24" dev dpdk0.kni
	mkdir -p "$TMP/www"
	echo "hello from the kernel of the node, through dpdk0.kni" >"$TMP/www/index.html"
	in_node /usr/bin/python3 -m http.server --bind "$KNI_ADDR" --directory "$TMP/www" "$HTTP_PORT" \
		>"$TMP/http.log" 2>&1 &
	HTTP_PID=$!
	wait_until 10 sh -c "ip netns exec $NS_NODE ss -Hltn | grep -q '$KNI_ADDR:$HTTP_PORT'" ||
		die "http server did not start"
	wait_until 10 in_client ping -c 1 -W 1 "$KNI_ADDR" || die "no reply from $KNI_ADDR"
	run ip netns exec "$NS_CLIENT" ping -c 3 -i 0.2 "$KNI_ADDR"
	run ip netns exec "$NS_CLIENT" curl -sS --max-time 5 "http://$KNI_ADDR:$HTTP_PORT/"
	say "the worker learns the answers to the node's ARP requests"
	# the node's kernel asks for the client's MAC through the worker; the
	# client's reply passes the worker, which learns it (it asked) and hands it
	# on to the kernel
	run ip netns exec "$NS_NODE" arping -c 1 -w 2 -I dpdk0.kni "$CLIENT_ADDR"
	wait_until 5 sh -c "'$BIN/dpvsctl' -s '$TMP/run/ctl.sock' neigh show | grep -q -w '$CLIENT_ADDR'" || true
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" neigh show
}

step_kill_worker() {
	say "kill -9 of worker 0: the primary restarts it, the port keeps running"
	local pid npid t0
	pid="$(ctl --json worker show | jq -r '.[] | select(.id == 0) | .pid')"
	echo "dpdk0 ipackets before: $(ctl --json stats | jq '.ports[0].ipackets')"
	t0="$(date +%s%N)"
	run kill -9 "$pid"
	restarted() {
		npid="$(ctl --json worker show | jq -r '.[] | select(.id == 0) | select(.state == "running") | .pid')"
		[ -n "$npid" ] && [ "$npid" != "$pid" ] && in_client ping -c 1 -W 1 "$NODE_ADDR"
	}
	wait_until 10 restarted || die "worker 0 did not come back"
	echo "worker 0 answering again $(( ($(date +%s%N) - t0) / 1000000 )) ms after the kill (pid $pid -> $npid)"
	echo "dpdk0 ipackets after:  $(ctl --json stats | jq '.ports[0].ipackets') (not reset)"
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" worker show
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" neigh show
	run ip netns exec "$NS_CLIENT" ping -c 3 -i 0.2 "$NODE_ADDR"
}

# rs_start N ADDR: real server N, python's http.server bound to ADDR:80
# serving a page that names it; it logs each request's client address
rs_start() {
	mkdir -p "$TMP/rs$1"
	echo "hello from real server $1 ($2)" >"$TMP/rs$1/index.html"
	in_server /usr/bin/python3 -m http.server --bind "$2" --directory "$TMP/rs$1" 80 \
		>"$TMP/rs$1.log" 2>&1 &
	RS_PIDS+=("$!")
	wait_until 10 sh -c "ip netns exec $NS_SERVER ss -Hltn | grep -q '$2:80 '" ||
		die "real server $1 did not start"
}

step_fnat() {
	say "a full-NAT service: VIP $VIP:80 on dpdk0, two real servers behind dpdk1"
	rs_start 1 "$RS1"
	rs_start 2 "$RS2"
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" addr add "$VIP/32" dev dpdk0
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" addr add "$SRV_NET_ADDR/24" dev dpdk1
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" addr add "$LADDR/32" dev dpdk1
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" -A -t "$VIP:80" -s rr
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" -a -t "$VIP:80" -r "$RS1:80" -b fnat -w 1
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" -a -t "$VIP:80" -r "$RS2:80" -b fnat -w 1
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" laddr add -t "$VIP:80" "$LADDR" dev dpdk1
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" -L -n
	say "curl from the client to the VIP: round robin over the two real servers"
	local _
	# the worker answers ping for the VIP too: ready when it does
	wait_until 10 in_client ping -c 1 -W 1 "$VIP" || die "no reply from $VIP"
	for _ in 1 2 3 4 5 6; do
		run ip netns exec "$NS_CLIENT" curl -sS --max-time 5 "http://$VIP/"
	done
	say "the real servers saw the node's local address $LADDR, not the client"
	echo "real server 1's last requests:"
	tail -n 3 "$TMP/rs1.log"
	echo "real server 2's last requests:"
	tail -n 3 "$TMP/rs2.log"
	say "the node's counters: 6 connections, 3 per real server (packets and bytes too)"
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" -L -n --stats
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" conn show
}

step_nat() {
	say "a NAT service (-b nat, ipvsadm's -m): VIP $VIP_NAT:80, the same two real servers"
	echo "the servers route the client's network through the node, as for LVS NAT:"
	run ip netns exec "$NS_SERVER" ip route add 198.18.0.0/24 via "$SRV_NET_ADDR"
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" addr add "$VIP_NAT/32" dev dpdk0
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" -A -t "$VIP_NAT:80" -s rr
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" -a -t "$VIP_NAT:80" -r "$RS1:80" -m -w 1
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" -a -t "$VIP_NAT:80" -r "$RS2:80" -b nat -w 1
	wait_until 10 in_client ping -c 1 -W 1 "$VIP_NAT" || die "no reply from $VIP_NAT"
	local _
	for _ in 1 2 3 4; do
		run ip netns exec "$NS_CLIENT" curl -sS --max-time 5 "http://$VIP_NAT/"
	done
	say "with NAT the real servers saw the client's own address $CLIENT_ADDR"
	tail -n 2 "$TMP/rs1.log"
	tail -n 2 "$TMP/rs2.log"
}

step_dr() {
	say "a DR service (-b dr, ipvsadm's -g): VIP $VIP_DR:80; only the MAC is rewritten"
	echo "the servers hold the VIP on lo and do not answer ARP for it; their"
	echo "replies from it take the direct way to the client ($DIRECT):"
	run ip netns exec "$NS_SERVER" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
		net.ipv4.conf.all.arp_announce=2
	run ip netns exec "$NS_SERVER" ip addr add "$VIP_DR/32" dev lo
	run ip netns exec "$NS_SERVER" ip rule add from "$VIP_DR" lookup 100
	run ip netns exec "$NS_SERVER" ip route add 198.18.0.0/24 via 198.20.0.2 table 100
	mkdir -p "$TMP/dr"
	echo "hello from the DR service, answered straight to the client" >"$TMP/dr/index.html"
	in_server /usr/bin/python3 -m http.server --bind "$VIP_DR" --directory "$TMP/dr" 80 \
		>"$TMP/dr.log" 2>&1 &
	RS_PIDS+=("$!")
	wait_until 10 sh -c "ip netns exec $NS_SERVER ss -Hltn | grep -q '$VIP_DR:80 '" ||
		die "DR listener did not start"
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" addr add "$VIP_DR/32" dev dpdk0
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" -A -t "$VIP_DR:80" -s rr
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" -a -t "$VIP_DR:80" -r "$RS1" -g -w 1
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" -a -t "$VIP_DR:80" -r "$RS2" -b dr -w 1
	local before _
	before="$(ip -n "$NS_CLIENT" -j -s link show "$DIRECT" | jq '.[0].stats64.rx.packets')"
	wait_until 10 in_client ping -c 1 -W 1 "$VIP_DR" || die "no reply from $VIP_DR"
	for _ in 1 2 3 4; do
		run ip netns exec "$NS_CLIENT" curl -sS --max-time 5 "http://$VIP_DR/"
	done
	echo "packets the client received on $DIRECT since: $(( $(ip -n "$NS_CLIENT" -j -s link show "$DIRECT" | jq '.[0].stats64.rx.packets') - before ))"
	say "the three services side by side: NAT counts replies (OutPkts), DR none"
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" -L -n --stats
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" -L -n
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" stats
}

step_ipv6() {
	say "IPv6: the node's address fd00:18::1 (ND and ping6 answered by the worker)"
	local _ i a
	in_client sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
	in_server sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
	ip -n "$NS_CLIENT" -6 addr add "$CLIENT6/64" dev "$WIRE" nodad
	ip -n "$NS_SERVER" -6 addr add "$RS6_1/64" dev "$SWIRE" nodad
	ip -n "$NS_SERVER" -6 addr add "$RS6_2/64" dev "$SWIRE" nodad
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" addr add "$NODE6/64" dev dpdk0
	wait_until 10 in_client ping -6 -c 1 -W 1 "$NODE6" || die "no reply from $NODE6"
	run ip netns exec "$NS_CLIENT" ping -6 -c 3 -i 0.2 "$NODE6"
	say "an IPv6 VIP [$VIP6]:80, full-NAT from the IPv6 local address $LADDR6"
	for i in 1 2; do
		a="$RS6_1"
		[ "$i" = 2 ] && a="$RS6_2"
		mkdir -p "$TMP/rs6$i"
		echo "hello over IPv6 from real server $i ($a)" >"$TMP/rs6$i/index.html"
		in_server /usr/bin/python3 -m http.server --bind "$a" --directory "$TMP/rs6$i" 80 \
			>"$TMP/rs6$i.log" 2>&1 &
		RS_PIDS+=("$!")
		wait_until 10 sh -c "ip netns exec $NS_SERVER ss -Hltn | grep -q '\[$a\]:80 '" ||
			die "IPv6 real server $i did not start"
	done
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" addr add "$VIP6/128" dev dpdk0
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" addr add "$SRV_NET6/64" dev dpdk1
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" addr add "$LADDR6/128" dev dpdk1
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" -A -t "[$VIP6]:80" -s rr
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" -a -t "[$VIP6]:80" -r "[$RS6_1]:80" -b fnat -w 1
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" -a -t "[$VIP6]:80" -r "[$RS6_2]:80" -b fnat -w 1
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" laddr add -t "[$VIP6]:80" "$LADDR6" dev dpdk1
	for _ in 1 2 3 4; do
		run ip netns exec "$NS_CLIENT" curl -g -sS --max-time 5 "http://[$VIP6]/"
	done
	echo "the IPv6 real servers saw the local address:"
	tail -n 2 "$TMP/rs61.log" "$TMP/rs62.log"
	say "the same IPv6 VIP, port 81: IPv4 real servers (full-NAT across families)"
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" -A -t "[$VIP6]:81" -s rr
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" -a -t "[$VIP6]:81" -r "$RS1:80" -b fnat -w 1
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" -a -t "[$VIP6]:81" -r "$RS2:80" -b fnat -w 1
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" laddr add -t "[$VIP6]:81" "$LADDR" dev dpdk1
	for _ in 1 2 3 4; do
		run ip netns exec "$NS_CLIENT" curl -g -sS --max-time 5 "http://[$VIP6]:81/"
	done
	echo "the IPv4 real servers saw the IPv4 local address $LADDR:"
	tail -n 2 "$TMP/rs1.log" "$TMP/rs2.log"
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" -L -n --stats
}

main() {
	preflight
	trap cleanup EXIT
	trap 'echo; echo "demo: interrupted"; exit 130' INT TERM
	TMP="$(mktemp -d /tmp/dpvs-demo.XXXXXX)"
	mkdir -p "$TMP/run"
	write_conf
	topology_up
	step_start
	step_addr
	step_ping
	step_kni
	step_fnat
	step_nat
	step_dr
	step_ipv6
	step_kill_worker
	say "after the restart the VIP still serves, and the counters (in shm) went on"
	run ip netns exec "$NS_CLIENT" curl -sS --max-time 5 "http://$VIP/"
	run ip netns exec "$NS_CLIENT" curl -sS --max-time 5 "http://$VIP/"
	run "$BIN/dpvsctl" -s "$TMP/run/ctl.sock" -L -n --stats
	if [ "${DEMO_KEEP:-0}" = 1 ]; then
		say "node running; try: $BIN/dpvsctl -s $TMP/run/ctl.sock stats  (Ctrl-C to stop)"
		wait "$PRIMARY_PID"
	fi
}

main "$@"
