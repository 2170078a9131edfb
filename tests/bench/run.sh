#!/bin/bash
# tests/bench/run.sh: `make bench`. Numbers, not pass/fail (it fails only if a
# measurement could not be made). Prints a markdown table with two figures,
# each beside a baseline measured in the same run:
#
# 1. cycles per packet through the worker loop in one process
#    (build/tests/dpvs-bench-pipe, see tests/bench/pipe.c): a TCP SYN that
#    creates a connection, established UDP inbound and outbound for full-NAT
#    and NAT, established UDP inbound for DR; baseline: a bare rx -> MAC
#    swap -> tx of the same frames through the same ring ports. Optional:
#    instructions per packet from callgrind.
# 2. the real node (dpvs-primary + one worker) forwarding 64-byte established
#    UDP by full-NAT, NAT and DR: dpdk-testpmd txonly on a net_memif port
#    (the node is the memif server) into the node, out of a net_null port
#    (static neighbours); rates from `dpvsctl --json stats`. Each mode has a
#    VIP, a memif port and a generator of its own (a memif client cannot
#    reconnect to a node whose memif is polled by a secondary process: the
#    worker keeps the old regions), only one generator sending at a time.
#    Baseline: dpdk-testpmd io forwarding net_memif -> net_null fed by an
#    identical generator. Node and baseline run side by side and take turns
#    (ROUNDS windows of SECS seconds each of full-NAT, the baseline, NAT and
#    DR, the idle sides' generators stopped); the best window of each counts.
# 3. (with callgrind) instructions per mbuf of the pool and ring operations,
#    the node's crash-safe ones beside DPDK's (build/tests/dpvs-bench-pool).
#
# Environment: BENCH_PACKETS (default 1000000, figure 1), BENCH_SECONDS
# (default 3, a window of figure 2), BENCH_ROUNDS (default 3, windows of each
# side in figure 2), BENCH_CALLGRIND (1 = count
# instructions with valgrind, default 1 if valgrind is installed),
# BENCH_TIMEOUT (default 300 s for the whole run), BENCH_KEEP=1 keeps the
# logs (testpmd, node) in the run's directory.
# Everything it starts runs under its own names (prefixes b<pid>n, b<pid>g,
# b<pid>h, b<pid>f, namespace b<pid>ns, directory /tmp/dpvs-bench.*) and is removed at
# exit, also on failure or Ctrl-C.

if [ -z "${DPVS_BENCH_BOUNDED:-}" ]; then
	export DPVS_BENCH_BOUNDED=1
	exec timeout -k 10 "${BENCH_TIMEOUT:-300}" bash "$0" "$@"
fi

set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="$ROOT/build/bin"
PIPE="$ROOT/build/tests/dpvs-bench-pipe"
POOLB="$ROOT/build/tests/dpvs-bench-pool"
TESTPMD="${TESTPMD:-/usr/bin/dpdk-testpmd}"
PKTS="${BENCH_PACKETS:-1000000}"
SECS="${BENCH_SECONDS:-3}"
ROUNDS="${BENCH_ROUNDS:-3}"
if command -v valgrind >/dev/null 2>&1; then CG="${BENCH_CALLGRIND:-1}"; else CG=0; fi

ID="b$$"
NODE_P="${ID}n"  # node's EAL prefix
GEN_P="${ID}g"   # generator of the node
GEN2_P="${ID}h"  # generator of the baseline
GEN3_P="${ID}i"  # NAT generator of the node
GEN4_P="${ID}j"  # DR generator of the node
FWD_P="${ID}f"   # baseline forwarder's
NS="${ID}ns"
D="$(mktemp -d /tmp/dpvs-bench.XXXXXX)"
PIDS=()          # processes started here (generators, forwarder, primary)
declare -A PMD_OF_FD # testpmd pid by the fd of its command fifo
NODE_PID=""

# Addresses of figure 2 (as in tests/bench/bench.h).
NODE_MAC=02:00:00:00:00:01
GEN_MAC=02:00:00:00:00:aa
CLIENT=10.0.0.2 VIP=10.0.0.100 CPORT=5000 VPORT=53
VIP_NAT=10.0.0.101 VIP_DR=10.0.0.102
FIG1_CASES="syn udp-in udp-out nat-in nat-out dr-in"

say() { printf '[bench] %s\n' "$*" >&2; }
die() {
	printf '[bench] FAILED: %s\n' "$*" >&2
	exit 1
}

# ---- cleanup: every process, namespace, hugepage file and directory of ours
kill_wait() { # PID SIGNAL SECONDS
	local pid="$1" n=0
	kill "-$2" "$pid" 2>/dev/null || return 0
	while kill -0 "$pid" 2>/dev/null && [ "$n" -lt $(($3 * 20)) ]; do
		sleep 0.05
		n=$((n + 1))
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# Processes whose command line names one of our prefixes or our directory.
our_pids() {
	local f pid
	for f in /proc/[0-9]*/cmdline; do
		pid="${f#/proc/}"
		pid="${pid%/cmdline}"
		[ "$pid" = "$$" ] && continue
		if { tr '\0' ' ' <"$f"; } 2>/dev/null | grep -qE -- "(prefix[= ]($NODE_P|$GEN_P|$GEN2_P|$GEN3_P|$GEN4_P|$FWD_P)( |$))|$D/"; then
			echo "$pid"
		fi
	done
}

cleanup() {
	local p pid
	trap - EXIT INT TERM
	for pid in "${PIDS[@]}"; do
		kill_wait "$pid" INT 5
	done
	[ -n "$NODE_PID" ] && kill_wait "$NODE_PID" TERM 15
	for pid in $(our_pids); do
		kill -KILL "$pid" 2>/dev/null
	done
	ip netns del "$NS" 2>/dev/null
	for p in "$NODE_P" "$GEN_P" "$GEN2_P" "$GEN3_P" "$GEN4_P" "$FWD_P"; do
		rm -f /dev/hugepages/"$p"*
		rm -rf /var/run/dpdk/"$p"
	done
	if [ "${BENCH_KEEP:-0}" = 1 ]; then say "logs kept in $D"; else rm -rf "$D"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap '' PIPE # a testpmd that died makes pmd_cmd fail, not kill us

# wait_until SECONDS CMD...: poll CMD every 50 ms; 1 on timeout
wait_until() {
	local deadline=$(($(date +%s%N) + $1 * 1000000000))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -ge "$deadline" ] && return 1
		sleep 0.05
	done
	return 0
}

# ---- figure 1 ---------------------------------------------------------------

declare -A CPP IR
figure1() {
	local line k kind v n out
	[ -x "$PIPE" ] || die "missing $PIPE (run make tests)"
	say "figure 1: $PKTS packets per case and kind through dpvs-bench-pipe"
	out="$("$PIPE" --packets "$PKTS" --lcore 1 2>"$D/pipe.err")" || {
		cat "$D/pipe.err" >&2
		die "dpvs-bench-pipe failed"
	}
	while read -r line; do
		set -- $line
		[ "$1" = RESULT ] && CPP["$2/$3"]="$4"
		[ "$1" = TSC ] && TSC_HZ="$2"
	done <<<"$out"
	[ "$CG" = 1 ] || return 0
	n=9600
	for k in $FIG1_CASES; do
		say "figure 1: callgrind, $n packets of $k"
		valgrind --tool=callgrind --callgrind-out-file="$D/cg.$k" "$PIPE" --packets "$n" \
			--warmup 0 --case "$k" >/dev/null 2>&1 || {
			say "callgrind run of $k failed; no instruction counts"
			return 0
		}
		for kind in pipe base; do
			v="$(callgrind_annotate --inclusive=yes "$D/cg.$k" 2>/dev/null |
				awk -v f="bp_timed_$kind" '$0 ~ ("pipe.c:" f "[ .]") { gsub(",", "", $1); print $1; exit }')"
			[ -n "$v" ] && IR["$k/$kind"]="$(awk -v a="$v" -v b="$n" 'BEGIN { printf "%.0f", a / b }')"
		done
	done
}

# ---- figure 3 ---------------------------------------------------------------

# Instructions per mbuf of the pool and ring operations (dpvs-bench-pool under
# callgrind): the node's crash-safe pool and rings beside DPDK's own.
declare -A POOLIR
figure3() {
	local f v n=64000
	[ "$CG" = 1 ] || return 0
	[ -x "$POOLB" ] || die "missing $POOLB (run make tests)"
	say "figure 3: callgrind, $n mbufs through each pool and ring operation"
	valgrind --tool=callgrind --callgrind-out-file="$D/cg.pool" "$POOLB" --mbufs "$n" \
		>/dev/null 2>&1 || {
		say "callgrind run of the pool bench failed; no figure 3"
		return 0
	}
	for f in single_dpdk single_dpvs bulk_dpdk bulk_dpvs ring32_sp ring32_mp ring32_dpvs \
		ring1_sp ring1_mp ring1_dpvs; do
		v="$(callgrind_annotate --inclusive=yes "$D/cg.pool" 2>/dev/null |
			awk -v f="bp_$f" '$0 ~ ("poolbench.c:" f "[ .]") { gsub(",", "", $1); print $1; exit }')"
		[ -n "$v" ] && POOLIR[$f]="$(awk -v a="$v" -v b="$n" 'BEGIN { printf "%.0f", a / b }')"
	done
}

# ---- figure 2 ---------------------------------------------------------------

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

# start_gen NAME FD SOCKET PREFIX [SRC DST PEER]: testpmd txonly (not started),
# memif client on SOCKET, fwd lcore on CPU 0, UDP SRC:CPORT -> DST:VPORT
# (default CLIENT -> VIP), 64-byte frames, to PEER (default NODE_MAC).
start_gen() {
	start_pmd "$1" "$2" -l 0,1 --main-lcore 1 --no-huge -m 256 --no-shconf --no-pci \
		--file-prefix="$4" \
		--vdev="net_memif0,role=client,socket=$3,socket-abstract=no,mac=$GEN_MAC" -- \
		-i --forward-mode=txonly --total-num-mbufs=8192 \
		--eth-peer=0,"${7:-$NODE_MAC}" --tx-ip="${5:-$CLIENT}","${6:-$VIP}" \
		--tx-udp=$CPORT,$VPORT --txpkts=64
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

# pmd_rate NAME PORT FIELD: the last "FIELD" (Rx-pps/Tx-pps) of PORT in
# testpmd NAME's log, in Mpps.
pmd_rate() {
	tr -d '\033' <"$D/$1.log" | awk -v port="$2" -v field="$3:" '
		/NIC statistics for port/ { cur = $(NF - 1) }
		$1 == field && cur == port { v = $2 }
		END { printf "%.3f", v / 1e6 }'
}

node_conf() {
	mkdir -p "$D/run"
	cat >"$D/dpvs.conf" <<EOF
[global]
file_prefix = $NODE_P
run_dir = $D/run
[memory]
mbufs = 16384
[worker]
count = 1
idle_sleep_us = 50
[port.dpdk0]
vdev = net_memif0,role=server,socket=$D/node-memif.sock,socket-abstract=no,mac=$NODE_MAC
[port.dpdk1]
vdev = net_null0,no-rx=1
[port.dpdk2]
vdev = net_memif2,role=server,socket=$D/node-memif2.sock,socket-abstract=no,mac=02:00:00:00:00:03
[port.dpdk3]
vdev = net_memif3,role=server,socket=$D/node-memif3.sock,socket-abstract=no,mac=02:00:00:00:00:04
EOF
	cat >"$D/rules" <<EOF
addr add 10.0.0.1/24 dev dpdk0
addr add 10.0.1.1/24 dev dpdk1
addr add 10.0.1.10/32 dev dpdk1
-A -u $VIP:$VPORT -s rr
-a -u $VIP:$VPORT -r 10.0.1.3:5353 -b fnat -w 1
laddr add -u $VIP:$VPORT 10.0.1.10 dev dpdk1
neigh add 10.0.1.3 lladdr 02:00:00:00:00:22 dev dpdk1
addr add 10.0.2.1/24 dev dpdk2
addr add 10.0.3.1/24 dev dpdk3
-A -u $VIP_NAT:$VPORT -s rr
-a -u $VIP_NAT:$VPORT -r 10.0.1.4:5353 -b nat -w 1
neigh add 10.0.1.4 lladdr 02:00:00:00:00:23 dev dpdk1
-A -u $VIP_DR:$VPORT -s rr
-a -u $VIP_DR:$VPORT -r 10.0.1.5 -b dr -w 1
neigh add 10.0.1.5 lladdr 02:00:00:00:00:24 dev dpdk1
EOF
}

positive() { awk -v v="$1" 'BEGIN { exit !(v + 0 > 0) }'; }
ctl() { "$BIN/dpvsctl" -s "$D/run/ctl.sock" "$@"; }
worker_running() { [ "$(ctl --json worker show | jq '[.[] | select(.state == "running")] | length')" = 1 ]; }
udp_conn_up() { ctl conn show | grep -q " ${1:-$CLIENT}:$CPORT *${2:-$VIP}:$VPORT "; }
# node_counters: "<ns> <worker rx> <dpdk1 opackets> <worker drops>"
node_counters() {
	local t j
	t="$(date +%s%N)"
	j="$(ctl --json stats)" || return 1
	echo "$t $(jq -r '[.workers[0].rx_pkts, .ports[1].opackets, .workers[0].verdicts.drop] | @tsv' <<<"$j")"
}

# Start the node and the baseline forwarder, each with its own generator,
# nothing forwarding yet but the first packets that make the connection.
figure2_setup() {
	node_conf
	ip netns add "$NS" || die "ip netns add $NS"
	ip -n "$NS" link set lo up
	say "figure 2: node (prefix $NODE_P, 1 worker, memif in, null out), generator $GEN_P"
	ip netns exec "$NS" "$BIN/dpvs-primary" -c "$D/dpvs.conf" --rules "$D/rules" \
		>"$D/primary.log" 2>&1 </dev/null &
	NODE_PID=$!
	wait_until 20 worker_running || { cat "$D/primary.log" >&2; die "node did not start"; }
	start_gen gen-node 7 "$D/node-memif.sock" "$GEN_P"
	pmd_cmd 7 start
	wait_until 30 udp_conn_up || { tail -20 "$D/gen-node.log" >&2; die "no UDP connection in the node"; }
	pmd_cmd 7 stop
	start_gen gen-nat 5 "$D/node-memif2.sock" "$GEN3_P" 10.0.2.2 "$VIP_NAT" 02:00:00:00:00:03
	pmd_cmd 5 start
	wait_until 30 udp_conn_up 10.0.2.2 "$VIP_NAT" ||
		{ tail -20 "$D/gen-nat.log" >&2; die "no NAT connection in the node"; }
	pmd_cmd 5 stop
	start_gen gen-dr 6 "$D/node-memif3.sock" "$GEN4_P" 10.0.3.2 "$VIP_DR" 02:00:00:00:00:04
	pmd_cmd 6 start
	wait_until 30 udp_conn_up 10.0.3.2 "$VIP_DR" ||
		{ tail -20 "$D/gen-dr.log" >&2; die "no DR connection in the node"; }
	pmd_cmd 6 stop
	say "figure 2: baseline testpmd io forwarding (prefix $FWD_P), generator $GEN2_P"
	start_pmd fwd 8 -l 0,1 --main-lcore 0 --no-huge -m 256 --no-shconf --no-pci \
		--file-prefix="$FWD_P" \
		--vdev="net_memif1,role=server,socket=$D/fwd-memif.sock,socket-abstract=no,mac=$NODE_MAC" \
		--vdev=net_null1,no-rx=1 -- -i --forward-mode=io --total-num-mbufs=16384
	wait_until 10 test -S "$D/fwd-memif.sock" || { cat "$D/fwd.log" >&2; die "forwarder did not start"; }
	start_gen gen-fwd 9 "$D/fwd-memif.sock" "$GEN2_P"
	pmd_show fwd 8 2 && pmd_show gen-fwd 9 1 || die "testpmd does not answer"
}

# One window of the node with generator NAME on fd FD (default: full-NAT's):
# generator on, warm-up, SECS measured, off.
# Prints "<rx Mpps> <tx Mpps> <drops> <generator Mpps>".
node_window() {
	local a b name="${1:-gen-node}" fd="${2:-7}"
	pmd_cmd "$fd" start
	sleep 0.5
	pmd_show "$name" "$fd" 1 || return 1
	a="$(node_counters)" || return 1
	sleep "$SECS"
	pmd_show "$name" "$fd" 1 || return 1
	b="$(node_counters)" || return 1
	pmd_cmd "$fd" stop
	awk -v a="$a" -v b="$b" -v g="$(pmd_rate "$name" 0 Tx-pps)" 'BEGIN {
		split(a, x, " "); split(b, y, " "); s = (y[1] - x[1]) / 1e9
		printf "%.3f %.3f %d %s\n", (y[2] - x[2]) / s / 1e6, (y[3] - x[3]) / s / 1e6,
			y[4] - x[4], g }'
}

# One window of the baseline; prints "<rx Mpps> <tx Mpps> <generator Mpps>".
base_window() {
	pmd_cmd 8 start
	pmd_cmd 9 start
	sleep 0.5
	pmd_show fwd 8 2 && pmd_show gen-fwd 9 1 || return 1
	sleep "$SECS"
	pmd_show fwd 8 2 && pmd_show gen-fwd 9 1 || return 1
	pmd_cmd 9 stop
	pmd_cmd 8 stop
	echo "$(pmd_rate fwd 0 Rx-pps) $(pmd_rate fwd 1 Tx-pps) $(pmd_rate gen-fwd 0 Tx-pps)"
}

# mode_window MODE NAME FD: a window of NAT or DR; keeps the best in
# MODE_TX/RX/GEN[MODE].
declare -A MODE_TX MODE_RX MODE_GEN
mode_window() {
	local m="$1" w rx tx drop gen
	w="$(node_window "$2" "$3")" || die "node window ($m) failed"
	read -r rx tx drop gen <<<"$w"
	say "  node, $m: forwarded $tx Mpps (generator $gen Mpps)"
	NODE_DROP=$((${NODE_DROP:-0} + drop))
	if awk -v a="$tx" -v b="${MODE_TX[$m]:-0}" 'BEGIN { exit !(a > b) }'; then
		MODE_RX[$m]=$rx MODE_TX[$m]=$tx MODE_GEN[$m]=$gen
	fi
}

# ROUNDS alternating windows; the best window of each side counts.
figure2() {
	local r w rx tx drop gen
	figure2_setup
	NODE_TX=0 BASE_TX=0
	for r in $(seq 1 "$ROUNDS"); do
		say "figure 2: round $r of $ROUNDS: node, baseline, node NAT, node DR, $SECS s each"
		w="$(node_window)" || die "node window failed"
		read -r rx tx drop gen <<<"$w"
		say "  node: forwarded $tx Mpps (generator $gen Mpps)"
		NODE_DROP=$((${NODE_DROP:-0} + drop))
		if awk -v a="$tx" -v b="$NODE_TX" 'BEGIN { exit !(a > b) }'; then
			NODE_RX=$rx NODE_TX=$tx NODE_GEN=$gen
		fi
		w="$(base_window)" || die "baseline window failed"
		read -r rx tx gen <<<"$w"
		say "  baseline: forwarded $tx Mpps (generator $gen Mpps)"
		if awk -v a="$tx" -v b="$BASE_TX" 'BEGIN { exit !(a > b) }'; then
			BASE_RX=$rx BASE_TX=$tx BASE_GEN=$gen
		fi
		mode_window nat gen-nat 5
		mode_window dr gen-dr 6
	done
	positive "$NODE_TX" || { tail -30 "$D/primary.log" >&2; die "the node forwarded nothing"; }
	positive "$BASE_TX" || { tail -30 "$D/fwd.log" >&2; die "the baseline forwarded nothing"; }
	positive "${MODE_TX[nat]:-0}" || die "the node forwarded no NAT"
	positive "${MODE_TX[dr]:-0}" || die "the node forwarded no DR"
	for r in 7 5 6 9 8; do
		stop_pmd "${PMD_OF_FD[$r]}" "$r"
	done
	kill_wait "$NODE_PID" TERM 15
	NODE_PID=""
}

# ---- report ------------------------------------------------------------------

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }

report() {
	local k name
	echo
	echo "### Figure 1: cycles per packet through the worker loop, one process"
	echo
	echo "Best of 9 rounds of $((PKTS / 9)) packets after a warm-up, TSC ${TSC_HZ:-?} Hz; bursts of 32,"
	echo "60-byte frames (64 on the wire); baseline: rx burst, MAC swap, tx burst of the same"
	echo "frames through the same ring ports. Instructions per packet from callgrind."
	echo
	echo "| Case | Pipeline cycles/pkt | Baseline cycles/pkt | Ratio | Pipeline instr/pkt | Baseline instr/pkt |"
	echo "|---|---:|---:|---:|---:|---:|"
	for k in $FIG1_CASES; do
		case "$k" in
		syn) name="TCP SYN, creates a connection" ;;
		udp-in) name="UDP established, inbound (client -> VIP)" ;;
		udp-out) name="UDP established, outbound (server -> laddr)" ;;
		nat-in) name="NAT: UDP established, inbound (client -> VIP)" ;;
		nat-out) name="NAT: UDP established, outbound (server -> client)" ;;
		dr-in) name="DR: UDP established, inbound (client -> VIP)" ;;
		esac
		echo "| $name | ${CPP[$k/pipe]:-?} | ${CPP[$k/base]:-?} |" \
			"$(ratio "${CPP[$k/pipe]:-0}" "${CPP[$k/base]:-0}") |" \
			"${IR[$k/pipe]:--} | ${IR[$k/base]:--} |"
	done
	echo
	echo "### Figure 2: the node forwarding 64-byte established UDP: full-NAT, NAT, DR"
	echo
	echo "dpdk-testpmd txonly (one flow, 64-byte frames) on net_memif into the node, out of"
	echo "net_null. Node: dpvs-primary + 1 worker (idle_sleep_us = 50, it never idles under load),"
	echo "rates from \`dpvsctl --json stats\`. Baseline: dpdk-testpmd io forwarding"
	echo "net_memif -> net_null, fed by its own identical generator. $ROUNDS rounds of a ${SECS} s"
	echo "window of each, alternating, after 0.5 s of warm-up each; the best window of each side"
	echo "is shown. $(nproc) CPUs: each generator's forwarding lcore runs on CPU 0, the worker (or"
	echo "the baseline's forwarding lcore) on CPU 1; the generator and the forwarder share the"
	echo "machine with the control processes, so the ratio is what matters."
	echo
	echo "| | Node (dpvs-mp) | Baseline (testpmd io) | Ratio |"
	echo "|---|---:|---:|---:|"
	echo "| full-NAT forwarded, Mpps (out of net_null) | $NODE_TX | $BASE_TX | $(ratio "$NODE_TX" "$BASE_TX") |"
	echo "| full-NAT received, Mpps (from net_memif) | $NODE_RX | $BASE_RX | $(ratio "$NODE_RX" "$BASE_RX") |"
	echo "| full-NAT generator sent, Mpps | $NODE_GEN | $BASE_GEN | |"
	echo "| NAT forwarded, Mpps (generator ${MODE_GEN[nat]:-?}) | ${MODE_TX[nat]:-?} | $BASE_TX | $(ratio "${MODE_TX[nat]:-0}" "$BASE_TX") |"
	echo "| DR forwarded, Mpps (generator ${MODE_GEN[dr]:-?}) | ${MODE_TX[dr]:-?} | $BASE_TX | $(ratio "${MODE_TX[dr]:-0}" "$BASE_TX") |"
	echo
	echo "Node drops in its windows: $NODE_DROP. Load average (1 min) at the start of the"
	echo "run: $LOAD0, at the end: $(cut -d' ' -f1 /proc/loadavg) (other processes on the machine"
	echo "take CPU from both the node and the baseline)."
	if [ "$CG" = 1 ]; then
		echo
		echo "### Figure 3: the mbuf pool and the rings, instructions per mbuf (callgrind)"
		echo
		echo "dpvs-bench-pool: DPDK's pool (256-mbuf per-lcore cache, ring_mp_mc) beside the node's"
		echo "crash-safe one (no cache, dpvs_mag ops, a worker's magazine); DPDK's rings beside"
		echo "shm/ring.h. An alloc and a free per mbuf, or an enqueue and a dequeue per object."
		echo
		echo "| Operation | DPDK | dpvs-mp |"
		echo "|---|---:|---:|"
		echo "| rte_pktmbuf_alloc + rte_pktmbuf_free, one mbuf | ${POOLIR[single_dpdk]:-?} | ${POOLIR[single_dpvs]:-?} |"
		echo "| alloc_bulk + free_bulk of 32, per mbuf | ${POOLIR[bulk_dpdk]:-?} | ${POOLIR[bulk_dpvs]:-?} |"
		echo "| ring, bursts of 32, per object (DPDK: SP/SC; MP/MC) | ${POOLIR[ring32_sp]:-?}; ${POOLIR[ring32_mp]:-?} | ${POOLIR[ring32_dpvs]:-?} |"
		echo "| ring, one object (DPDK: SP/SC; MP/MC) | ${POOLIR[ring1_sp]:-?}; ${POOLIR[ring1_mp]:-?} | ${POOLIR[ring1_dpvs]:-?} |"
	fi
	echo
	echo "Reproduce: \`make bench\` (or \`tests/bench/run.sh\` after \`make all tests\`);"
	echo "BENCH_PACKETS, BENCH_SECONDS, BENCH_ROUNDS, BENCH_CALLGRIND=0 change the run."
}

[ "$(id -u)" = 0 ] || die "needs root (hugepages, network namespace)"
[ -x "$TESTPMD" ] || die "missing $TESTPMD (Debian package dpdk)"
for b in dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl; do
	[ -x "$BIN/$b" ] || die "missing $BIN/$b (run make)"
done
command -v jq >/dev/null || die "jq is needed"
START="$(date +%s)"
LOAD0="$(cut -d' ' -f1 /proc/loadavg)"
figure1
figure3
figure2
report
say "done in $(($(date +%s) - START)) s"
