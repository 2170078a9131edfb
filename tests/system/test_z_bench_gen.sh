#!/usr/bin/env bash
# System test: a smoke run of the benchmark's generator (build/tests/
# dpvs-bench-gen) with a real node, correctness only (never a rate): its
# selftest (patched frames equal frames written whole), its passes in flow
# order with the replayed stream's walk given back after them
# (tests/bench/gen_order.sh, 1000 flows), then a node whose
# two ports are net_memif servers, the generator the client of both.
#   established: 1000 UDP flows through a full-NAT service, each sent once
#     ("pass"), become 1000 connections; their full-NAT frames reach the
#     generator's server-side port, where a reply stream learns them;
#   replies: the learned 1000 tuples sent back come out of the client side;
#   replay: the established flows sent again in random order are forwarded
#     (the worker's counters move, no new connection);
#   new connections: 500 TCP SYNs with distinct sources make 500 more
#     connections and reach the real server's side, where a synack stream
#     learns them;
#   established TCP (make bench's tcp case): the learned SYNs answered with
#     SYN+ACKs (seq 5000, ack 1001) reach the client side; an ack stream
#     (seq 1001, ack 5001, 6 data bytes) sent once completes the 500
#     handshakes (500 ESTABLISHED connections), then replayed 20,000 times
#     (the same segments again: retransmissions to the node's window
#     tracking) reaches the server side with no drop;
#   two workers (make bench's two-worker case): a second node with 2 workers
#     whose memif port has 2 queues; the generator's port with 2 queues
#     (flow f on queue f % 2) sends 1000 flows once: 1000 connections, 500
#     packets on each worker.
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
GEN="$T_ROOT/build/tests/dpvs-bench-gen"
[ -x "$GEN" ] || fail "missing $GEN (run make tests)"

NODE_MAC0=02:00:00:00:01:00 NODE_MAC1=02:00:00:00:01:01
GEN_MAC0=02:00:00:00:02:00 GEN_MAC1=02:00:00:00:02:01
VIP=10.0.0.100 RS=10.0.1.3 NEST=1000 NSYN=500
ncpu="$(nproc)"
CPUS="0-$((ncpu - 1))"

log "generator selftest"
out="$("$GEN" --lcores "0@($CPUS)" --no-huge -m 64 --no-shconf --no-pci \
	--file-prefix="$(prefix_of s)" --log-level=lib.eal:error -- --selftest 2>&1)" ||
	fail "selftest: $out"
rm -rf "/var/run/dpdk/$(prefix_of s)"
assert_contains "selftest" "OK selftest" "$out"

# the passes in flow order, the replayed walk given back after them
# (tests/bench/gen_order.sh, the generator alone, 1000 flows, a window of
# 500 after a start of 300): UDP one stream, TCP a SYN and an ack stream
log "generator pass order (gen_order.sh)"
u="kind=udp,src=10.10.0.1,sport=1024,dst=$VIP,dport=53,flows=$NEST,order=random"
t="src=10.20.0.1,sport=1024,dst=$VIP,dport=80,flows=$NEST"
ord="$(GEN="$GEN" "$T_ROOT/tests/bench/gen_order.sh" "$u" "$u" 500 300 2>&1)" ||
	fail "gen_order.sh (UDP): $ord"
ord="$(GEN="$GEN" "$T_ROOT/tests/bench/gen_order.sh" "kind=syn,$t" \
	"kind=ack,$t,order=random,seq=1001,ack=5001" 500 300 2>&1)" ||
	fail "gen_order.sh (TCP): $ord"
log "ok: passes in flow order, the random walk given back (UDP and TCP)"

# ---- the node: memif servers on both sides, full-NAT UDP and TCP ----------
x=a
T_NODES+=(a b g)
d="$T_DIR/node-a"
mkdir -p "$d" "$(rundir_of a)"
cat >"$d/dpvs.conf" <<EOF
[global]
file_prefix = $(prefix_of a)
run_dir = $(rundir_of a)
[memory]
mbufs = 8192
[worker]
count = 1
idle_sleep_us = 50
[port.dpdk0]
vdev = net_memif0,role=server,socket=$d/m0.sock,socket-abstract=no,mac=$NODE_MAC0
[port.dpdk1]
vdev = net_memif1,role=server,socket=$d/m1.sock,socket-abstract=no,mac=$NODE_MAC1
EOF
cat >"$d/rules" <<EOF
addr add 10.0.0.1/24 dev dpdk0
addr add 10.0.1.1/24 dev dpdk1
addr add 10.0.1.10/32 dev dpdk1
addr add 10.0.1.11/32 dev dpdk1
neigh add 10.0.0.2 lladdr $GEN_MAC0 dev dpdk0
neigh add 10.0.0.3 lladdr $GEN_MAC0 dev dpdk0
neigh add $RS lladdr $GEN_MAC1 dev dpdk1
-A -u $VIP:53 -s rr
-a -u $VIP:53 -r $RS:5353 -b fnat -w 1
laddr add -u $VIP:53 10.0.1.10 dev dpdk1
-A -t $VIP:80 -s rr
-a -t $VIP:80 -r $RS:8080 -b fnat -w 1
laddr add -t $VIP:80 10.0.1.11 dev dpdk1
EOF
ip netns add "$(nsn_of a)" || fail "ip netns add"
ip -n "$(nsn_of a)" link set lo up
ip netns exec "$(nsn_of a)" "$T_BIN/dpvs-primary" -c "$d/dpvs.conf" --rules "$d/rules" \
	>"$d/primary.log" 2>&1 </dev/null &
echo $! >"$d/primary.pid"
running_or_dead() { all_workers_running a 1 || ! kill -0 "$(primary_pid_of a)"; }
wait_until 60 running_or_dead && kill -0 "$(primary_pid_of a)" || fail "node: worker not running"
log "node up: dpdk0 and dpdk1 are memif servers"

# ---- the two-worker node: dpdk0 a memif server with 2 queues -----------------
d2="$T_DIR/node-b"
mkdir -p "$d2" "$(rundir_of b)"
cat >"$d2/dpvs.conf" <<EOF
[global]
file_prefix = $(prefix_of b)
run_dir = $(rundir_of b)
[memory]
mbufs = 8192
[worker]
count = 2
idle_sleep_us = 50
[port.dpdk0]
vdev = net_memif0,role=server,socket=$d2/m0.sock,socket-abstract=no,mac=$NODE_MAC0
[port.dpdk1]
vdev = net_null0,no-rx=1
EOF
cat >"$d2/rules" <<EOF
addr add 10.0.0.1/24 dev dpdk0
addr add 10.0.1.1/24 dev dpdk1
addr add 10.0.1.10/32 dev dpdk1
neigh add $RS lladdr $GEN_MAC1 dev dpdk1
-A -u $VIP:53 -s rr
-a -u $VIP:53 -r $RS:5353 -b fnat -w 1
laddr add -u $VIP:53 10.0.1.10 dev dpdk1
EOF
ip netns add "$(nsn_of b)" || fail "ip netns add"
ip -n "$(nsn_of b)" link set lo up
ip netns exec "$(nsn_of b)" "$T_BIN/dpvs-primary" -c "$d2/dpvs.conf" --rules "$d2/rules" \
	>"$d2/primary.log" 2>&1 </dev/null &
echo $! >"$d2/primary.pid"
running_or_dead_b() { all_workers_running b 2 || ! kill -0 "$(primary_pid_of b)"; }
wait_until 60 running_or_dead_b && kill -0 "$(primary_pid_of b)" || fail "node b: workers not running"
log "node b up: 2 workers, dpdk0 a memif server with 2 queues"

# ---- the generator: memif client of both ports, commands on a coprocess ----
coproc GENP { exec "$GEN" --lcores "0@($CPUS),1@($CPUS)" --main-lcore 1 --no-huge -m 512 \
	--no-shconf --no-pci --file-prefix="$(prefix_of g)" --log-level=lib.eal:error \
	--vdev="net_memif0,role=client,socket=$d/m0.sock,socket-abstract=no,mac=$GEN_MAC0" \
	--vdev="net_memif1,role=client,socket=$d/m1.sock,socket-abstract=no,mac=$GEN_MAC1" \
	--vdev="net_memif2,role=client,socket=$d2/m0.sock,socket-abstract=no,mac=$GEN_MAC0" -- \
	--port 0,rx --port 1,rx --port 2,queues=2 \
	--stream "name=est,port=0,kind=udp,src=10.0.0.2,sport=10000,dst=$VIP,dport=53,flows=$NEST,order=random,dmac=$NODE_MAC0" \
	--stream "name=syn,port=0,kind=syn,src=10.0.0.3,sport=20000,dst=$VIP,dport=80,flows=$NSYN,dmac=$NODE_MAC0" \
	--stream "name=rep,port=1,kind=reply,learn=1,dmac=$NODE_MAC1" \
	--stream "name=sa,port=1,kind=synack,learn=1,seq=5000,ack=1001,dmac=$NODE_MAC1" \
	--stream "name=ack,port=0,kind=ack,src=10.0.0.3,sport=20000,dst=$VIP,dport=80,flows=$NSYN,order=random,seq=1001,ack=5001,dmac=$NODE_MAC0" \
	--stream "name=two,port=2,kind=udp,src=10.0.0.2,sport=10000,dst=$VIP,dport=53,flows=$NEST,dmac=$NODE_MAC0" \
	2>"$d/gen.err"; }
GEN_PID="$GENP_PID"
T_BG_PIDS+=("$GEN_PID")
GEN_IN="${GENP[1]}" GEN_OUT="${GENP[0]}"
# gen CMD...: one command, its one-line answer in REPLY; fails on ERR or silence
gen() {
	echo "$*" >&"$GEN_IN" || fail "generator gone (command $*): $(tail -5 "$d/gen.err")"
	read -r -t 60 REPLY <&"$GEN_OUT" || fail "generator: no answer to '$*': $(tail -5 "$d/gen.err")"
	case "$REPLY" in ERR*) fail "generator: $* -> $REPLY" ;; esac
}
read -r -t 60 REPLY <&"$GEN_OUT" || fail "generator did not start: $(tail -5 "$d/gen.err")"
assert_contains "generator start" "READY ports=3 streams=6" "$REPLY"
gen link 30
# rx port P's frames counted by the generator
gen_rx() { gen stats; sed 's/.* rx=//' <<<"$REPLY" | cut -d, -f$(($1 + 1)); }
conns_of() { conns_of_node a "$1"; }
conns_of_node() { # NODE t|u: connections of the service (its dest's counter)
	local p=udp port=53
	[ "$2" = t ] && p=tcp port=80
	ctl "$1" --json -L -n --stats | jq --arg p "$p" --argjson port "$port" \
		'[.[] | select(.proto == $p and .port == $port) | .dests[].conns] | add // 0'
}
rx_at_least() { [ "$(gen_rx "$1")" -ge "$2" ]; }

# ---- established: each flow once; learned on the server side --------------
gen rx 1 on
gen learn rep on
gen pass est 30
assert_contains "pass est" "sent=$NEST" "$REPLY"
wait_until 20 rx_at_least 1 "$NEST" || fail "server side received $(gen_rx 1) of $NEST"
assert_eq "UDP connections" "$NEST" "$(conns_of u)"
gen learn rep off
gen build rep
assert_contains "reply stream" "flows=$NEST" "$REPLY"

# ---- replies: learned tuples back through the node to the clients ----------
gen rx 0 on
c0="$(gen_rx 0)"
gen pass rep 30
wait_until 20 rx_at_least 0 $((c0 + NEST)) || fail "client side received $(($(gen_rx 0) - c0)) of $NEST replies"
log "ok: $NEST replies forwarded to the client side"

# ---- replay: established flows again, no new connection --------------------
r0="$(worker_stat a 0 rx_pkts)" s0="$(gen_rx 1)"
gen start est 20000
gen wait 30
wait_until 20 rx_at_least 1 $((s0 + 20000)) || fail "replay: server side received $(($(gen_rx 1) - s0)) of 20000"
assert_ge "worker rx during the replay" $((r0 + 20000)) "$(worker_stat a 0 rx_pkts)"
assert_eq "UDP connections after the replay" "$NEST" "$(conns_of u)"

# ---- new connections: a SYN from each of NSYN sources ----------------------
s0="$(gen_rx 1)"
gen learn sa on
gen pass syn 30
assert_contains "pass syn" "sent=$NSYN" "$REPLY"
wait_until 20 rx_at_least 1 $((s0 + NSYN)) || fail "SYNs: server side received $(($(gen_rx 1) - s0)) of $NSYN"
assert_eq "TCP connections" "$NSYN" "$(conns_of t)"
gen learn sa off
gen build sa
assert_contains "synack stream" "flows=$NSYN" "$REPLY"

# ---- established TCP: SYN+ACKs back, the handshakes' ACKs, then a replay -------
tcp_established() {
	ctl a --json conn show | jq '[.[] | select(.proto == "TCP" and .state == "ESTABLISHED")] | length'
}
est_at_least() { [ "$(tcp_established)" -ge "$1" ]; }
c0="$(gen_rx 0)"
gen pass sa 30
wait_until 20 rx_at_least 0 $((c0 + NSYN)) || fail "SYN+ACKs: client side received $(($(gen_rx 0) - c0)) of $NSYN"
s0="$(gen_rx 1)"
gen pass ack 30
wait_until 20 est_at_least "$NSYN" ||
	fail "$(tcp_established) of $NSYN TCP connections ESTABLISHED: $(ctl a conn show | head -4; ctl a --json stats | jq -c ".workers[0].drops")"
w0="$(worker_stat a 0 drop.tcp_out_of_window)"
d0="$(worker_stat a 0 verdict.drop)"
gen start ack 20000
gen wait 30
wait_until 20 rx_at_least 1 $((s0 + NSYN + 20000)) ||
	fail "TCP replay: server side received $(($(gen_rx 1) - s0)) of $((NSYN + 20000))"
assert_eq "segments out of window" "$w0" "$(worker_stat a 0 drop.tcp_out_of_window)"
d1="$(worker_stat a 0 verdict.drop)"
[ "$d1" = "$d0" ] || fail "drops during the TCP replay: $((d1 - d0)): $(ctl a --json stats |
	jq -c '.workers[0].drops | with_entries(select(.value > 0))')"
assert_eq "TCP connections ESTABLISHED after the replay" "$NSYN" "$(tcp_established)"
log "ok: $NSYN TCP connections established, 20000 segments replayed in window"

# ---- two workers: flow f on queue f % 2, so each worker gets half ----------
gen pass two 30
assert_contains "pass two" "sent=$NEST" "$REPLY"
worker_rx_at_least() { [ "$(worker_stat b "$1" rx_pkts)" -ge "$2" ]; }
wait_until 20 worker_rx_at_least 0 $((NEST / 2)) || fail "node b worker 0 received $(worker_stat b 0 rx_pkts)"
wait_until 20 worker_rx_at_least 1 $((NEST / 2)) || fail "node b worker 1 received $(worker_stat b 1 rx_pkts)"
assert_eq "node b UDP connections" "$NEST" "$(conns_of_node b u)"
log "ok: two workers, $NEST flows over 2 queues, $((NEST / 2)) packets each"
gen rx 0 off
gen rx 1 off
gen quit
wait_until 10 pid_gone "$GEN_PID" || fail "the generator did not exit after quit"
wait "$GEN_PID" 2>/dev/null
assert_eq "generator exit status" 0 "$?"
exit 0
