# tests/bench/fig2.sh: figure 2 of `make bench`, sourced by tests/bench/run.sh
# (its header says what the figure measures): the generator's commands,
# testpmd's (the ceiling), the nodes' configurations and setup, the TCP
# handshake, the windows of each kind of case, the case list (CASES, cut
# down by BENCH_CASES) and the loop over rounds and cases (figure2), and
# figure2_stop. In: run.sh's settings (BIN, TESTPMD, GEN, C2C, SECS,
# SYN_SECS, ROUNDS, FLOWS, CONNS, UDP_LADDRS, TFLOWS, TCP_LADDRS, RFLOWS,
# MEMIF_SHAPES, MN, MN2, IDLE_US, TWO, SYN_ORDER, the addresses), its names (D,
# NODE_P, NODE2_P, GEN_P, FWD_P, NS, NS2) and helpers (say, die, kill_wait,
# wait_until, shape_args, shape_words; perf_start and perf_report of perf.sh with BENCH_PERF=1).
# Sets run.sh's PIDS, NODE_PID and NODE2_PID (what cleanup stops), PMD_FD
# and PMD_OF_FD (testpmd's fifos), GEN_PID, and TSC2_HZ, CASES and the
# tables C_RX, C_TX, C_GEN, C_DROP, C_C2C, C_CPP, which report.sh prints.
#
# The syn case's victims: a SYN into the full table evicts the half-open
# list's head, the list is in the order its connections took their slots,
# and each new SYN takes its victim's slot, so the victims come round in
# the order the free list had when the SYNs first filled the table. A
# fresh node's free list is in slot order (victims the hardware prefetcher
# streams); a node that served other traffic first has it scattered.
# BENCH_SYN_ORDER=scatter (the default) scatters it with real packets
# before the windows (syn_scatter): SYNs from FILLSRC fill every free slot
# (in slot order), then, under a SYN_RECV timeout of 1 s, the same SYNs
# again in a stride walk make them expire, and their slots go back to the
# free list, in the walk's order. BENCH_SYN_ORDER=slot keeps the fresh
# node's order (figure 2 before 2026-12-04). Either way the syn stream's
# first SYNs then fill the table (syn_prefill), so that every SYN of the
# windows evicts. Both just before the syn case's first window
# (syn_prepare): the other cases' first windows see the table as before.

# dpvs-bench-gen (tests/bench/gen.c) feeds everything: one process, one
# sending lcore on CPU 0, ports (memif clients unless said):
#   0 -> the node's dpdk0 (client side: every inbound stream)
#   1 -> the node's dpdk2 (server side of the reply VIP: learns, sends replies)
#   2    net_null (the generator alone: what it can send at all)
#   3 -> the two-worker node's dpdk0 (with BENCH_TWO_WORKERS=1)
#   then -> testpmd io's memif, one port for each ring shape of MEMIF_SHAPES
#        (the ceiling: testpmd forwards to net_null)
# It stays connected for the whole run (a memif client cannot reconnect to a
# port a secondary process polls); the cases take turns by switching the
# stream it sends. The node's egress is its net_null port dpdk1 (every mode's
# real servers, and the route back to the reply VIP's clients).

gen_cmd() { # CMD...: one command, its one-line answer in GEN_REPLY; dies on ERR
	echo "$*" >&"$GEN_IN" 2>/dev/null || die "generator gone (command $*): $(tail -5 "$D/gen.err")"
	read -r -t 120 GEN_REPLY <&"$GEN_OUT" || die "generator: no answer to '$*': $(tail -5 "$D/gen.err")"
	case "$GEN_REPLY" in ERR*) die "generator: $* -> $GEN_REPLY" ;; esac
}
gen_sent() { # "<ns> <frames sent>" from the generator's stats
	gen_cmd stats
	[ "${BENCH_GEN_STATS:-0}" = 1 ] && echo "$GEN_REPLY" >>"$D/gen.stats"
	awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		print v["ns"], v["sent"] }' <<<"$GEN_REPLY"
}
# BENCH_GEN_STATS=1: the generator's side of window S (its last two
# stats; one queue, so one tx try an iteration): the share of its tries
# that found the ring short of room for the burst (the receiver set the
# pace), the share that sent anything, and its TSC cycles a frame over the
# iterations that sent (its backoff after a short try included). Few short
# tries and a busy generator: the window measured the generator.
gen_note() {
	[ "${BENCH_GEN_STATS:-0}" = 1 ] || return 0
	say "  $1 generator: $(tail -2 "$D/gen.stats" | awk '
		{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[NR, kv[1]] = kv[2] } }
		END { s = v[2, "sent"] - v[1, "sent"]; w = v[2, "work_iters"] - v[1, "work_iters"]
			it = v[2, "iters"] - v[1, "iters"]; sh = v[2, "short"] - v[1, "short"]
			t = v[2, "work_tsc"] - v[1, "work_tsc"]
			printf "ring short in %.1f%% of %d tries, sent in %.1f%%, %.1f cycles a frame",
				it ? 100 * sh / it : 0, it, it ? 100 * w / it : 0, s ? t / s : 0 }')"
}
rate() { # "<ns> <count>" "<ns> <count>": Mpps between them
	awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ")
		printf "%.3f", (y[2] - x[2]) / ((y[1] - x[1]) / 1e9) / 1e6 }'
}

# testpmd runs interactive (-i --auto-start) with its commands from a fifo:
# two "show port stats all", SECS apart, give testpmd's own measure of the
# rate between them ("Throughput (since last show)"), even when the machine
# is loaded. start_pmd NAME FD ARGS...: fifo $D/NAME.in on fd FD, log
# $D/NAME.log; sets PMD_PID.
start_pmd() {
	local name="$1" fd="$2"
	shift 2
	mkfifo "$D/$name.in" || die "mkfifo"
	stdbuf -oL "$TESTPMD" "$@" <"$D/$name.in" >"$D/$name.log" 2>&1 &
	PMD_PID=$!
	PIDS+=("$PMD_PID")
	PMD_OF_FD[$fd]=$PMD_PID
	eval "exec $fd>\"\$D/\$name.in\""
}

pmd_cmd() { # FD COMMAND
	echo "$2" >&"$1" 2>/dev/null || true
}


# stop_pmd PID FD: "quit", then wait (SIGINT after 5 s)
stop_pmd() {
	local pid="$1" keep=() p
	pmd_cmd "$2" quit
	eval "exec $2>&-"
	local n=0
	while kill -0 "$pid" 2>/dev/null && [ "$n" -lt 100 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	kill_wait "$pid" INT 5
	for p in "${PIDS[@]}"; do [ "$p" != "$pid" ] && keep+=("$p"); done
	PIDS=("${keep[@]}")
}

# pmd_show NAME FD PORTS: "show port stats all" and wait (10 s at most) until
# testpmd NAME printed the blocks of its PORTS ports (each ends with Tx-pps).
pmd_nblocks() { tr -d '\033' <"$D/$1.log" | grep -c 'Tx-pps:'; }
pmd_show() {
	local n0
	n0="$(pmd_nblocks "$1")"
	pmd_cmd "$2" "show port stats all"
	wait_until 10 pmd_printed "$1" $((n0 + $3))
}
pmd_printed() { [ "$(pmd_nblocks "$1")" -ge "$2" ]; }

# pmd_tx NAME PORT: the last TX-packets count of PORT in testpmd NAME's log.
pmd_tx() {
	tr -d '\033' <"$D/$1.log" | awk -v port="$2" '
		/NIC statistics for port/ { cur = $(NF - 1) }
		$1 == "TX-packets:" && cur == port { v = $2 }
		END { print v + 0 }'
}

# pmd_rate NAME PORT FIELD: the last "FIELD" (Rx-pps/Tx-pps) of PORT in
# testpmd NAME's log, in Mpps.
pmd_rate() {
	tr -d '\033' <"$D/$1.log" | awk -v port="$2" -v field="$3:" '
		/NIC statistics for port/ { cur = $(NF - 1) }
		$1 == field && cur == port { v = $2 }
		END { printf "%.3f", v / 1e6 }'
}


node_conf() {
	local i cpu=""
	mkdir -p "$D/run"
	# the worker on the last CPU, everything else of the node on CPU 0
	[ "$(nproc)" -ge 2 ] && cpu="$(printf '[cpu]\nworkers = %d\ncontrol = 0' $(($(nproc) - 1)))"
	cat >"$D/dpvs.conf" <<EOF
[global]
file_prefix = $NODE_P
run_dir = $D/run
[memory]
mbufs = 16384
${BENCH_MBUF_CACHE:+mbuf_cache = $BENCH_MBUF_CACHE}
[worker]
count = 1
idle_sleep_us = $IDLE_US
conns = $CONNS
[tables]
laddrs_per_service = $((UDP_LADDRS + 1 > 64 ? UDP_LADDRS + 1 : 64))
addresses = 512
$cpu
[port.dpdk0]
vdev = net_memif0,role=server,socket=$D/node0.sock,socket-abstract=no,mac=$NODE_MAC
[port.dpdk1]
vdev = net_null0,no-rx=1
[port.dpdk2]
vdev = net_memif2,role=server,socket=$D/node2.sock,socket-abstract=no,mac=$NODE_MAC2
EOF
	cat >"$D/rules" <<EOF
addr add 10.0.0.1/24 dev dpdk0
addr add 10.0.1.1/24 dev dpdk1
addr add 10.0.2.1/24 dev dpdk2
addr add 10.0.1.10/32 dev dpdk1
addr add 10.0.2.10/32 dev dpdk2
neigh add 10.0.1.3 lladdr 02:00:00:00:00:22 dev dpdk1
neigh add 10.0.1.4 lladdr 02:00:00:00:00:23 dev dpdk1
neigh add 10.0.1.5 lladdr 02:00:00:00:00:24 dev dpdk1
neigh add 10.0.1.254 lladdr 02:00:00:00:00:25 dev dpdk1
neigh add 10.0.2.3 lladdr $GEN_MAC2 dev dpdk2
neigh add $CLIENT lladdr $GEN_MAC dev dpdk0
route add 10.9.0.0/16 via 10.0.1.254 dev dpdk1
-A -u $VIP:$VPORT -s rr
-a -u $VIP:$VPORT -r 10.0.1.3:5353 -b fnat -w 1
laddr add -u $VIP:$VPORT 10.0.1.10 dev dpdk1
-A -u $VIP_NAT:$VPORT -s rr
-a -u $VIP_NAT:$VPORT -r 10.0.1.4:5353 -b nat -w 1
-A -u $VIP_DR:$VPORT -s rr
-a -u $VIP_DR:$VPORT -r 10.0.1.5 -b dr -w 1
-A -u $VIP_R:$VPORT -s rr
-a -u $VIP_R:$VPORT -r 10.0.2.3:5353 -b fnat -w 1
laddr add -u $VIP_R:$VPORT 10.0.2.10 dev dpdk2
-A -t $VIP:80 -s rr
-a -t $VIP:80 -r 10.0.1.3:8080 -b fnat -w 1
-A -t $VIP_R:80 -s rr
-a -t $VIP_R:80 -r 10.0.2.3:8080 -b fnat -w 1
laddr add -t $VIP_R:80 10.0.2.10 dev dpdk2
route add 10.10.0.0/16 via $CLIENT dev dpdk0
EOF
	# full-NAT takes a local port per connection: 64 local addresses of
	# 64k ports each for the new TCP connections, UDP_LADDRS more for the
	# many established UDP flows (one per 50000 flows, at least 32)
	for i in $(seq 64 127); do
		echo "addr add 10.0.1.$i/32 dev dpdk1"
		echo "laddr add -t $VIP:80 10.0.1.$i dev dpdk1"
	done >>"$D/rules"
	for i in $(seq 0 $((UDP_LADDRS - 1))); do
		echo "addr add 10.0.$((4 + i / 250)).$((1 + i % 250))/32 dev dpdk1"
		echo "laddr add -u $VIP:$VPORT 10.0.$((4 + i / 250)).$((1 + i % 250)) dev dpdk1"
	done >>"$D/rules"
	# the established TCP flows' local ports (one address per 50000)
	for i in $(seq 0 $((TCP_LADDRS - 1))); do
		echo "addr add 10.0.2.$((100 + i))/32 dev dpdk2"
		echo "laddr add -t $VIP_R:80 10.0.2.$((100 + i)) dev dpdk2"
	done >>"$D/rules"
}

# The two-worker node: 2 workers (one rx/tx queue pair each on every port),
# [cpu] workers on CPUs 0 and 1 (the only two there are), control on CPU 0;
# dpdk0 a memif server whose 2 queues the generator's port 3 feeds (flow f
# on queue f % 2), dpdk1 net_null; one full-NAT UDP service.
node2_conf() {
	local cpu=""
	mkdir -p "$D/run2"
	[ "$(nproc)" -ge 2 ] && cpu="$(printf '[cpu]\nworkers = 0,1\ncontrol = 0')"
	cat >"$D/dpvs2.conf" <<EOF
[global]
file_prefix = $NODE2_P
run_dir = $D/run2
[memory]
mbufs = 16384
${BENCH_MBUF_CACHE:+mbuf_cache = $BENCH_MBUF_CACHE}
[worker]
count = 2
idle_sleep_us = $IDLE_US
conns = 65536
$cpu
[port.dpdk0]
vdev = net_memif0,role=server,socket=$D/node4.sock,socket-abstract=no,mac=$NODE_MAC
[port.dpdk1]
vdev = net_null0,no-rx=1
EOF
	cat >"$D/rules2" <<EOF
addr add 10.0.0.1/24 dev dpdk0
addr add 10.0.1.1/24 dev dpdk1
addr add 10.0.1.10/32 dev dpdk1
neigh add 10.0.1.3 lladdr 02:00:00:00:00:22 dev dpdk1
-A -u $VIP:$VPORT -s rr
-a -u $VIP:$VPORT -r 10.0.1.3:5353 -b fnat -w 1
laddr add -u $VIP:$VPORT 10.0.1.10 dev dpdk1
EOF
}

positive() { awk -v v="$1" 'BEGIN { exit !(v + 0 > 0) }'; }
ctl() { "$BIN/dpvsctl" -s "$D/run/ctl.sock" "$@"; }
ctl2() { "$BIN/dpvsctl" -s "$D/run2/ctl.sock" "$@"; }
worker_running() { [ "$(ctl --json worker show | jq '[.[] | select(.state == "running")] | length')" = 1 ]; }
workers2_running() { [ "$(ctl2 --json worker show | jq '[.[] | select(.state == "running")] | length')" = 2 ]; }
# udp_conns VIP: connections of the UDP service (its dests' counters)
udp_conns() {
	ctl --json -L -n --stats | jq --arg v "$1" \
		'[.[] | select(.proto == "udp" and .vip == $v) | .dests[].conns] | add // 0'
}
conns_at_least() { [ "$(udp_conns "$1")" -ge "$2" ]; }
# node_counters: "<ns> <worker rx> <dpdk1 opackets> <worker drops>"
node_counters() {
	local t j
	t="$(date +%s%N)"
	j="$(ctl --json stats)" || return 1
	echo "$t $(jq -r '[.workers[0].rx_pkts, .ports[1].opackets, .workers[0].verdicts.drop] | @tsv' <<<"$j")"
}
# node2_counters: the same for the two-worker node, summed over its workers
node2_counters() {
	local t j
	t="$(date +%s%N)"
	j="$(ctl2 --json stats)" || return 1
	echo "$t $(jq -r '[([.workers[].rx_pkts] | add), .ports[1].opackets,
		([.workers[].verdicts.drop] | add)] | @tsv' <<<"$j")"
}

start_gen() {
	local s="src=$CLIENT,sport=$CPORT,dport=$VPORT,dmac=$NODE_MAC" big="flows=$FLOWS,order=random"
	local t="src=$TCPSRC,sport=1024,dst=$VIP_R,dport=80,dmac=$NODE_MAC"
	local ta="seq=1001,ack=$((TSEQ_S + 1))"
	local two=() two_port=() pmd=() pmd_s=() p=3 k fill=()
	# syn_scatter's SYNs: one for each slot the table has free before the
	# windows (SYN_FILL), replayed in a stride walk
	syn_scatters && fill=(--stream "name=synfill,port=0,kind=syn,src=$FILLSRC,sport=1024,dst=$VIP,dport=80,flows=$SYN_FILL,order=random,dmac=$NODE_MAC")
	# port 3 -> the two-worker node's dpdk0, 2 queues (2 flows: one a queue)
	[ "$TWO" = 1 ] && p=4 two=(
		--vdev="net_memif4,role=client,socket=$D/node4.sock,socket-abstract=no,mac=$GEN_MAC$MN2"
		--stream "name=fnat2w,port=3,kind=udp,dst=$VIP,$s,flows=2") two_port=(--port 3,queues=2)
	for k in $MEMIF_SHAPES; do # port p -> testpmd fwdK's memif, ring shape K
		pmd+=(--vdev="net_memif_f$k,role=client,socket=$D/fwd$k.sock,socket-abstract=no,mac=$GEN_MAC$(shape_args "$k")")
		pmd_s+=(--stream "name=base.$k,port=$p,kind=udp,dst=$VIP,$s"
			--stream "name=base-many.$k,port=$p,kind=udp,dst=$VIP,$s,$big")
		p=$((p + 1))
	done
	say "figure 2: generator (prefix $GEN_P), sending lcore on CPU 0"
	coproc GENP { exec stdbuf -oL "$GEN" -l 0,1 --main-lcore 1 --in-memory -m 1024 \
		--no-pci --file-prefix="$GEN_P" --log-level=lib.eal:error \
		--vdev="net_memif0,role=client,socket=$D/node0.sock,socket-abstract=no,mac=$GEN_MAC$MN" \
		--vdev="net_memif1,role=client,socket=$D/node2.sock,socket-abstract=no,mac=$GEN_MAC2$MN" \
		--vdev=net_null2 "${two[@]:0:1}" "${pmd[@]}" -- --port 0,rx --port 1,rx "${two_port[@]}" \
		--stream "name=fnat,port=0,kind=udp,dst=$VIP,$s" \
		--stream "name=fnat-many,port=0,kind=udp,dst=$VIP,$s,$big" \
		--stream "name=nat,port=0,kind=udp,dst=$VIP_NAT,$s" \
		--stream "name=dr,port=0,kind=udp,dst=$VIP_DR,$s" \
		--stream "name=syn,port=0,kind=syn,src=$SYNSRC,sport=1024,dst=$VIP,dport=80,flows=10000000,dmac=$NODE_MAC" \
		"${fill[@]}" \
		--stream "name=req,port=0,kind=udp,src=$RCLIENTS,sport=$CPORT,dst=$VIP_R,dport=$VPORT,flows=$RFLOWS,dmac=$NODE_MAC" \
		--stream "name=reply,port=1,kind=reply,learn=1,order=random,dmac=$NODE_MAC2" \
		--stream "name=tsyn,port=0,kind=syn,$t,flows=$TFLOWS" \
		--stream "name=tsa,port=1,kind=synack,learn=1,seq=$TSEQ_S,ack=1001,dmac=$NODE_MAC2" \
		--stream "name=tcp,port=0,kind=ack,$t,$ta" \
		--stream "name=tcp-many,port=0,kind=ack,$t,$ta,flows=$TFLOWS,order=random" \
		--stream "name=null,port=2,kind=udp,dst=$VIP,$s" "${pmd_s[@]}" \
		--stream "name=null-many,port=2,kind=udp,dst=$VIP,$s,$big" "${two[@]:1}" 2>"$D/gen.err"; }
	GEN_PID=$GENP_PID
	PIDS+=("$GEN_PID")
	GEN_IN="${GENP[1]}" GEN_OUT="${GENP[0]}"
	read -r -t 60 GEN_REPLY <&"$GEN_OUT" || die "generator did not start: $(tail -5 "$D/gen.err")"
	gen_cmd link 30
	gen_cmd stats # its TSC's rate: the cycles per packet of figure 2
	TSC2_HZ="$(sed -n 's/.* tsc_hz=\([0-9]*\).*/\1/p' <<<"$GEN_REPLY")"
}

# The node, the baseline forwarder and the generator; then the flows the
# established cases replay: each sent once (FLOWS of them for fnat-many),
# and the reply VIP's requests, learned on the server side. A pass sends
# the flows in flow-number order, whatever the stream's order (gen.c), so
# the windows of a random stream (fnat-many, tcp-many) visit the node's
# connections out of the order they were made (tests/bench/gen_order.sh).
figure2_setup() {
	node_conf
	ip netns add "$NS" || die "ip netns add $NS"
	ip -n "$NS" link set lo up
	say "figure 2: node (prefix $NODE_P, 1 worker, memif in, null out, $CONNS connections)"
	ip netns exec "$NS" "$BIN/dpvs-primary" -c "$D/dpvs.conf" --rules "$D/rules" \
		>"$D/primary.log" 2>&1 </dev/null &
	NODE_PID=$!
	wait_until 60 worker_running || { cat "$D/primary.log" >&2; die "node did not start"; }
	if [ "$TWO" = 1 ]; then
		node2_conf
		ip netns add "$NS2" || die "ip netns add $NS2"
		ip -n "$NS2" link set lo up
		say "figure 2: two-worker node (prefix $NODE2_P, workers on CPUs 0 and 1)"
		ip netns exec "$NS2" "$BIN/dpvs-primary" -c "$D/dpvs2.conf" --rules "$D/rules2" \
			>"$D/primary2.log" 2>&1 </dev/null &
		NODE2_PID=$!
		wait_until 60 workers2_running || {
			cat "$D/primary2.log" >&2
			die "two-worker node did not start"
		}
	fi
	local k fd=8
	for k in $MEMIF_SHAPES; do # fwdK: the ceiling with memif ring shape K, on fd 8, 9, ...
		say "figure 2: baseline testpmd io forwarding (prefix $FWD_P$k), net_memif ($(shape_words "$k")) -> net_null"
		PMD_FD[$k]=$fd
		start_pmd "fwd$k" $fd -l 0,1 --main-lcore 0 --in-memory -m 256 --no-pci --file-prefix="$FWD_P$k" \
			--vdev="net_memif1,role=server,socket=$D/fwd$k.sock,socket-abstract=no,mac=$NODE_MAC" \
			--vdev=net_null1,no-rx=1 ${BENCH_PMD_EAL_EXTRA:-} -- -i --forward-mode=io --total-num-mbufs=16384 ${BENCH_PMD_APP_EXTRA:-}
		wait_until 10 test -S "$D/fwd$k.sock" || { cat "$D/fwd$k.log" >&2; die "forwarder did not start"; }
		pmd_show "fwd$k" $fd 2 || die "testpmd does not answer"
		fd=$((fd + 1))
	done
	start_gen
	say "figure 2: established flows: fnat 1, fnat-many $FLOWS, nat 1, dr 1, reply $RFLOWS"
	for s in fnat nat dr fnat-many; do gen_cmd pass "$s" 300; done
	# (fnat's one flow is fnat-many's first); a first packet lost on the
	# way (a loaded machine: a ring full, a worker replaced) is sent again
	# with the second pass, whose other packets find their connections
	if ! wait_until $((30 + FLOWS / 100000)) conns_at_least "$VIP" "$FLOWS"; then
		say "figure 2: $(udp_conns "$VIP") of $FLOWS connections made, the flows once more"
		gen_cmd pass fnat-many 300
		wait_until $((30 + FLOWS / 100000)) conns_at_least "$VIP" "$FLOWS" ||
			die "full-NAT: $(udp_conns "$VIP") connections, expected $FLOWS"
	fi
	if [ "$TWO" = 1 ]; then
		gen_cmd pass fnat2w 30
		two_conns() { [ "$(ctl2 --json -L -n --stats | jq '[.[] | .dests[].conns] | add // 0')" -ge 2 ]; }
		wait_until 30 two_conns || { gen_cmd pass fnat2w 30; wait_until 30 two_conns; } ||
			die "two-worker node: its 2 flows made no 2 connections"
		[ "$(ctl2 --json stats | jq '[.workers[].rx_pkts] | min')" -ge 1 ] ||
			die "two-worker node: a worker received nothing: $(ctl2 --json stats | jq -c '[.workers[].rx_pkts]')"
	fi
	gen_cmd rx 1 on
	gen_cmd learn reply on
	gen_cmd pass req 300
	learned() { gen_cmd stats; [ "$(sed 's/.* rx=//' <<<"$GEN_REPLY" | cut -d, -f2)" -ge "$RFLOWS" ]; }
	wait_until 30 learned || die "the reply stream learned too little: $GEN_REPLY"
	gen_cmd learn reply off
	gen_cmd rx 1 off
	gen_cmd build reply
	say "figure 2: reply stream: $GEN_REPLY"
	tcp_handshake
}

# Before the syn case's first window (the other cases' first windows ran
# against the table as the setup left it, as before): its victims'
# order, then the table filled.
syn_prepare() {
	if syn_scatters; then syn_scatter; else say "figure 2: syn: victims in slot order"; fi
	syn_prefill
}

# The free slots of the table once the setup has made its connections:
# fnat-many's FLOWS (fnat's is the first), nat's and dr's one each, the
# reply VIP's RFLOWS and the TCP cases' TFLOWS.
SYN_FILL=$((CONNS - FLOWS - 2 - RFLOWS - TFLOWS))
# Does the syn case run with its victims scattered (syn_scatter)?
syn_scatters() {
	[ "$SYN_ORDER" = scatter ] && [ "$SYN_FILL" -gt 0 ] && [[ " ${CASES[*]} " == *" syn:node:syn "* ]]
}
[[ "$SYN_ORDER" == scatter || "$SYN_ORDER" == slot ]] || die "BENCH_SYN_ORDER: scatter or slot, not $SYN_ORDER"
# live connections (every service's active and inactive), half-open ones
# of the syn case's service, evictions so far
conns_live() { ctl --json -L -n | jq '[.[] | .active + .inactive] | add // 0'; }
syn_inactive() {
	ctl --json -L -n | jq --arg v "$VIP" '[.[] | select(.proto == "tcp" and .vip == $v) | .inactive] | add // 0'
}
syn_evicted() { ctl --json stats | jq '.events.conn_evicted // 0'; }
syn_refused() { ctl --json stats | jq '.drops.conn_full // 0'; }
worker_drops() { node_counters | awk '{ print $4 }'; }   # the worker's drop verdicts
syn_filled() { [ "$(syn_inactive)" -ge "$SYN_FILL" ]; }
syn_emptied() { [ "$(syn_inactive)" = 0 ]; }

# The syn case's victims in a scattered order, with real packets: the
# free list pushes a freed slot on its head, so slots freed in a scattered
# order are taken in a scattered order. The SYNs of synfill (SYN_FILL
# sources from FILLSRC) fill every free slot, in slot order, under the
# default SYN_RECV timeout (60 s); with SYN_RECV at 1 s, the same SYNs
# again in synfill's stride walk (flows ~0.618 SYN_FILL apart, each once:
# a retransmitted SYN, in window, state SYN_RECV) give each connection an
# expiry earlier than its timer's, which files it again there: they
# expire, tick after tick, in the walk's order (each 10 ms tick's share
# the other way round). Then SYN_RECV back as it was. Checked: no
# connection was evicted (the fill did not overflow), every fill SYN made
# one, every one of them expired within seconds (the walk's SYNs re-filed
# them; untouched ones would have lived a minute), no packet was dropped.
syn_scatter() {
	local live e0 d0 old t0 t1 ms try
	live="$(conns_live)"
	[ $((live + SYN_FILL)) -le "$CONNS" ] ||
		die "syn: $live connections and $SYN_FILL fill SYNs overflow the $CONNS slots"
	e0="$(syn_evicted)"
	d0="$(worker_drops)"
	old="$(ctl --json timeout show | jq '."tcp.syn_recv"')"
	for try in 1 2; do   # a second pass if the first lost some
		gen_cmd pass synfill 300
		wait_until $((30 + SYN_FILL / 100000)) syn_filled && break
		[ "$try" = 2 ] && die "syn: $(syn_inactive) fill connections, expected $SYN_FILL"
		say "figure 2: syn: $(syn_inactive) of $SYN_FILL fill connections made, the SYNs once more"
	done
	live="$(conns_live)"
	ctl timeout set tcp syn_recv 1 >/dev/null || die "syn: cannot set the SYN_RECV timeout"
	t0="$(date +%s%N)"
	gen_cmd start synfill "$SYN_FILL"
	gen_cmd wait 300
	gen_cmd stop
	t1="$(date +%s%N)"
	wait_until $((30 + SYN_FILL / 100000)) syn_emptied ||
		die "syn: $(syn_inactive) of $SYN_FILL fill connections left after their 1 s"
	ms=$((($(date +%s%N) - t0) / 1000000))
	ctl timeout set tcp syn_recv "$old" >/dev/null || die "syn: cannot set the SYN_RECV timeout back"
	[ "$(syn_evicted)" = "$e0" ] || die "syn: the fill evicted $(($(syn_evicted) - e0)) connections"
	[ "$(worker_drops)" = "$d0" ] ||
		die "syn: the fill dropped packets: $(ctl --json stats |
			jq -c '.workers[0].drops | with_entries(select(.value > 0))')"
	say "figure 2: syn: victims scattered: $SYN_FILL SYNs filled the table ($live of $CONNS" \
		"connections), sent again in a stride walk in $(((t1 - t0) / 1000000)) ms, expired" \
		"within $ms ms; $(conns_live) connections left, SYN_RECV timeout $old s again"
}

# The syn stream's first SYNs fill the table before the syn windows, so that
# each SYN of every window evicts (at the first window's 0.5 s of warm-up
# the table could still be filling: 1M free slots take 1 s at 1 Mpps).
# One SYN for each free slot and TFLOWS more: the TCP cases' connections,
# ESTABLISHED since their SYNs, head the half-open list, and a new
# connection passes at most 64 of them (conn_full while it does); each SYN
# after the table is full takes its victim's slot, so the extra ones leave
# the order of the victims as the fill made it.
syn_prefill() {
	local n=$((CONNS - $(conns_live) + TFLOWS)) e0 f0
	e0="$(syn_evicted)" f0="$(syn_refused)"
	gen_cmd start syn "$n"
	gen_cmd wait 300
	gen_cmd stop
	say "figure 2: syn: the table filled by $n SYNs: $(conns_live) of $CONNS connections;" \
		"$(($(syn_evicted) - e0)) evicted, $(($(syn_refused) - f0)) refused (conn_full)"
}

# tcp_active VIP: ESTABLISHED connections of the TCP service VIP:80
tcp_active() {
	ctl --json -L -n | jq --arg v "$1" \
		'[.[] | select(.proto == "tcp" and .vip == $v) | .dests[].active] | add // 0'
}
tcp_est() { [ "$(tcp_active "$VIP_R")" -ge "$TFLOWS" ]; }
gen_rx() { gen_cmd stats; sed 's/.* rx=//' <<<"$GEN_REPLY" | cut -d, -f$(($1 + 1)); }
rx_at_least() { [ "$(gen_rx "$1")" -ge "$2" ]; }
# The tcp cases' TFLOWS connections (the tcp case's one is the first),
# ESTABLISHED before any window: the clients' SYNs (tsyn) through the node
# to the server side, where tsa learns them; the server's SYN+ACKs (tsa)
# back to the client side (the generator takes them off its port 0); the
# clients' first segments of the tcp-many stream (ACKs of the SYN+ACKs,
# with 6 bytes of data; a pass, in flow-number order as the SYNs) complete
# them. Then a host route sends what goes
# to that real server out of dpdk1 (net_null, the egress of every other
# case; the node routes each packet, and a connection's arrival ports were
# fixed when it was made), so that the generator need not take the
# segments off its port 1.
tcp_handshake() {
	local r0 n
	gen_cmd rx 1 on
	r0="$(gen_rx 1)"
	gen_cmd learn tsa on
	gen_cmd pass tsyn 300
	wait_until $((30 + TFLOWS / 100000)) rx_at_least 1 $((r0 + TFLOWS)) ||
		die "TCP: $(($(gen_rx 1) - r0)) of $TFLOWS SYNs reached the server side"
	gen_cmd learn tsa off
	gen_cmd rx 1 off
	gen_cmd build tsa
	gen_cmd flows tsa
	read -r _ _ n _ <<<"$GEN_REPLY"
	[ "$n" = "$TFLOWS" ] || die "TCP: $n SYNs learned, expected $TFLOWS"
	gen_cmd rx 0 on
	r0="$(gen_rx 0)"
	gen_cmd pass tsa 300
	wait_until $((30 + TFLOWS / 100000)) rx_at_least 0 $((r0 + TFLOWS)) ||
		die "TCP: $(($(gen_rx 0) - r0)) of $TFLOWS SYN+ACKs reached the client side"
	gen_cmd rx 0 off
	gen_cmd pass tcp-many 300
	wait_until $((30 + TFLOWS / 100000)) tcp_est ||
		die "TCP: $(tcp_active "$VIP_R") of $TFLOWS connections of $VIP_R:80 ESTABLISHED"
	ctl route add 10.0.2.3/32 via 10.0.1.254 dev dpdk1 >/dev/null ||
		die "TCP: cannot route the real server out of dpdk1"
	say "figure 2: $TFLOWS TCP connections from $TCPSRC to $VIP_R:80 ESTABLISHED"
}

# The CPU time (ns) of processes P... so far, all their threads summed
# (/proc/P/task/*/schedstat).
worker_cpu_ns() {
	local p
	for p in "$@"; do cat /proc/"$p"/task/*/schedstat 2>/dev/null; done |
		awk '{ s += $1 } END { printf "%.0f", s }'
}

# A window of stream S into the node: warm-up, SECS measured.
# Prints "<rx Mpps> <forwarded Mpps> <drops> <generator Mpps> <rx Mpps by
# the shell's clock> [<forwarded Mpps per second of the workers' CPU
# time>]" (the last when the workers were found; the two-worker node's
# two summed). The rates are the
# generator's: a memif sender never drops, it sends what the receiver
# takes off the ring, so what the generator sent (counted with its own
# clock) is what the node received; forwarded = that times the share of
# it the node's counters say it forwarded. The node's counters alone would need the shell's clock around
# a dpvsctl call, which on a loaded machine can take a good part of a
# second (a 4.6 Mpps window once read as 14 Mpps); that rate is printed
# as the fifth field, for the log only.
node_window() {
	local a b g0 g1 g perf_pid=""
	gen_cmd start "$1"
	sleep 0.5
	a="$(${COUNTERS:-node_counters})" || return 1
	g0="$(gen_sent)"
	# the workers' CPU time over the window (WORKER_P: the node's prefix;
	# the packets per CPU second they had: a figure that others' load on
	# the machine sways less than the rate, for comparing builds, and the
	# report's cycles per packet)
	local cpu0=0 cpu1=0 wp
	mapfile -t wp < <(pgrep -f -- "dpvs-worker.*${WORKER_P:-$NODE_P}( |$)")
	[ "${#wp[@]}" -gt 0 ] && cpu0="$(worker_cpu_ns "${wp[@]}")"
	[ "${BENCH_PERF:-0}" = 1 ] && perf_pid="$(perf_start "$1")"
	sleep "${2:-$SECS}"
	[ -n "$perf_pid" ] && kill -INT "$perf_pid" 2>/dev/null
	b="$(${COUNTERS:-node_counters})" || return 1
	[ "${#wp[@]}" -gt 0 ] && cpu1="$(worker_cpu_ns "${wp[@]}")"
	g1="$(gen_sent)"
	gen_note "$1"
	[ -n "$perf_pid" ] && perf_report "$1" "$perf_pid"
	gen_cmd stop
	read -r t0 r0 o0 d0 <<<"$a"
	read -r t1 r1 o1 d1 <<<"$b"
	g="$(rate "$g0" "$g1")"
	echo "$g $(awk -v g="$g" -v r=$((r1 - r0)) -v o=$((o1 - o0)) \
		'BEGIN { printf "%.3f", (r > 0 ? g * (o < r ? o : r) / r : 0) }') $((d1 - d0)) $g" \
		"$(rate "$t0 $r0" "$t1 $r1")" \
		"$(awk -v o=$((o1 - o0)) -v c=$((cpu1 - cpu0)) 'BEGIN { if (c > 0) printf "%.3f", o * 1000 / c; }')"
}

# The same into the two-worker node (its workers' counters summed).
node2_window() { COUNTERS=node2_counters WORKER_P="$NODE2_P" node_window "$@"; }

# The baseline with stream S (base.K or base-many.K: testpmd fwdK); prints
# "<rx Mpps> <forwarded Mpps> <drops> <generator Mpps> - <forwarded Mpps
# per second of testpmd's CPU time>" (its forwarding lcore spins; its main
# lcore waits on the command fifo; a stopped testpmd's spins not). With
# BENCH_PERF=1, perf on testpmd as on the node's worker (its memif rx beside
# the node's). BENCH_PMD_EAL_EXTRA and BENCH_PMD_APP_EXTRA: more EAL and
# testpmd arguments for experiments (e.g. --mbuf-pool-ops-name=ring_sp_sc
# and --mbcache=0: a pool without a per-lcore cache, as the node's).
base_window() {
	local g0 g1 fwd="fwd${1##*.}" fd="${PMD_FD[${1##*.}]}"
	pmd_cmd "$fd" start
	gen_cmd start "$1"
	sleep 0.5
	pmd_show "$fwd" "$fd" 2 || return 1
	g0="$(gen_sent)"
	local tp="${PMD_OF_FD[$fd]}" perf_pid="" c0 c1 p0 p1
	c0="$(worker_cpu_ns "$tp")"
	p0="$(pmd_tx "$fwd" 1)"
	[ "${BENCH_PERF:-0}" = 1 ] && perf_pid="$(perf_start "$1" "$tp")"
	sleep "$SECS"
	[ -n "$perf_pid" ] && kill -INT "$perf_pid" 2>/dev/null
	pmd_show "$fwd" "$fd" 2 || return 1
	c1="$(worker_cpu_ns "$tp")"
	p1="$(pmd_tx "$fwd" 1)"
	g1="$(gen_sent)"
	gen_note "$1"
	[ -n "$perf_pid" ] && perf_report "$1" "$perf_pid"
	gen_cmd stop
	pmd_cmd "$fd" stop
	echo "$(pmd_rate "$fwd" 0 Rx-pps) $(pmd_rate "$fwd" 1 Tx-pps) 0 $(rate "$g0" "$g1") -" \
		"$(awk -v o=$((p1 - p0)) -v c=$((c1 - c0)) 'BEGIN { if (c > 0) printf "%.3f", o * 1000 / c; }')"
}

# The generator alone into net_null; prints "<gen Mpps> <gen Mpps> 0 <gen Mpps>".
null_window() {
	local g0 g1 r
	gen_cmd start "$1"
	sleep 0.5
	g0="$(gen_sent)"
	sleep "$SECS"
	g1="$(gen_sent)"
	gen_cmd stop
	r="$(rate "$g0" "$g1")"
	echo "$r $r 0 $r"
}

# Cases in turn order: name, kind (node|base|null), stream.
# The ceiling's: base.K and base-many.K for each shape K of MEMIF_SHAPES.
CASES=($(for k in $MEMIF_SHAPES; do echo "base.$k:base:base.$k"; done)
	$(for k in $MEMIF_SHAPES; do echo "base-many.$k:base:base-many.$k"; done) null:null:null null-many:null:null-many
	fnat:node:fnat fnat2w:node2:fnat2w fnat-many:node:fnat-many reply:node:reply nat:node:nat
	tcp:node:tcp tcp-many:node:tcp-many dr:node:dr syn:node:syn)
[ "$TWO" = 1 ] || CASES=("${CASES[@]/fnat2w:node2:fnat2w/}")
# BENCH_CASES="syn fnat ...": only these cases (their setup is the same;
# base: base.K for every shape K, base.10 that shape and the node's)
if [ -n "${BENCH_CASES:-}" ]; then
	for i in "${!CASES[@]}"; do
		c="${CASES[$i]%%:*}"
		[[ " $BENCH_CASES " == *" $c "* || " $BENCH_CASES " == *" ${c%.*} "* ]] && continue
		# a ceiling chosen by ring (base.10) keeps the node's ring's beside
		# it: the ratio's denominator is never below the node's own ring's
		[[ "$c" == "base.$NODE_SHAPE" && " $BENCH_CASES " == *" base."* ]] && continue
		[[ "$c" == "base-many.$NODE_SHAPE" && " $BENCH_CASES " == *" base-many."* ]] && continue
		CASES[$i]=""
	done
fi
declare -A C_RX C_TX C_GEN C_DROP C_C2C C_CPP
# cycles_per_pkt MPPS: TSC cycles per packet at MPPS packets per second of
# CPU time (a window's sixth field; TSC2_HZ: the generator's TSC, on the
# same host); "-" without either
cycles_per_pkt() {
	awk -v r="${1:-0}" -v hz="${TSC2_HZ:-0}" \
		'BEGIN { if (r > 0 && hz > 0) printf "%.0f", hz / (r * 1e6); else print "-" }'
}
# c2c: the CPU 0 <-> CPU 1 cache-line round trip just before a window, in ns
# (where the host has put the two vCPUs; see tests/bench/c2c.c)
c2c() { "$C2C" 0 1 20000 3 2>/dev/null | awk '{ print $2 }'; }
figure2() {
	local r c name kind stream w rx tx drop gen secs lat own who cpun cpp
	figure2_setup
	for r in $(seq 1 "$ROUNDS"); do
		say "figure 2: round $r of $ROUNDS, ${SECS} s per case (syn: ${SYN_SECS} s)"
		for c in "${CASES[@]}"; do
			[ -n "$c" ] || continue
			IFS=: read -r name kind stream <<<"$c"
			secs="$SECS"
			[ "$name" = syn ] && secs="$SYN_SECS"
			[ "$name" = syn ] && [ "$r" = 1 ] && syn_prepare
			lat="$(c2c)"
			w="$("${kind}_window" "$stream" "$secs")" || die "window $name failed"
			read -r rx tx drop gen own cpun <<<"$w"
			[ "$own" = - ] && own=""
			who="the workers'"
			[ "$kind" = base ] && who="testpmd's"
			cpp="$(cycles_per_pkt "$cpun")"
			[ -n "$cpun" ] && cpun="; forwarded per second of $who CPU time $cpun Mpps, $cpp cycles a packet"
			say "  $name: forwarded $tx Mpps, received $rx, drops $drop (generator $gen Mpps;" \
				"${own:+node's counters by the shell's clock $own Mpps; }c2c ${lat:-?} ns$cpun)"
			C_DROP[$name]=$((${C_DROP[$name]:-0} + drop))
			if awk -v a="$tx" -v b="${C_TX[$name]:-0}" 'BEGIN { exit !(a > b) }'; then
				C_RX[$name]=$rx C_TX[$name]=$tx C_GEN[$name]=$gen C_C2C[$name]=$lat
				C_CPP[$name]=$cpp
			fi
		done
	done
	for c in "${CASES[@]}"; do
		[ -n "$c" ] || continue
		IFS=: read -r name kind stream <<<"$c"
		positive "${C_TX[$name]:-0}" || { tail -30 "$D/primary.log" >&2; die "$name forwarded nothing"; }
	done
	# every re-sent TCP segment must stay in the connection's window
	[ "${C_DROP[tcp]:-0}" = 0 ] && [ "${C_DROP[tcp-many]:-0}" = 0 ] ||
		die "tcp: ${C_DROP[tcp]:-0} drops, tcp-many: ${C_DROP[tcp-many]:-0}: $(ctl --json stats |
			jq -c '.workers[0].drops | with_entries(select(.value > 0))')"
}

# After the report (a stop that hangs must not take the figures with it).
figure2_stop() {
	# testpmd first: its memif does not take its client leaving well
	local k
	say "figure 2: stopping testpmd, the generator and the nodes"
	for k in $MEMIF_SHAPES; do stop_pmd "${PMD_OF_FD[${PMD_FD[$k]}]}" "${PMD_FD[$k]}"; done
	gen_cmd quit
	gone() { ! kill -0 "$1" 2>/dev/null; }
	wait_until 10 gone "$GEN_PID"
	say "figure 2: testpmd and the generator stopped"
	# both nodes asked to stop at once: on this VM's kernel a primary's wait
	# for its exited worker was seen to spin (d_walk, from release_task's
	# /proc invalidation) until the other node's processes were gone
	[ -n "$NODE2_PID" ] && kill -TERM "$NODE2_PID" 2>/dev/null
	kill_wait "$NODE_PID" TERM 15
	NODE_PID=""
	if [ -n "$NODE2_PID" ]; then
		kill_wait "$NODE2_PID" TERM 15
		NODE2_PID=""
	fi
	say "figure 2: nodes stopped"
}
