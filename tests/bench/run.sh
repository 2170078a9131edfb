#!/bin/bash
# tests/bench/run.sh: `make bench`. Numbers, not pass/fail (it fails only if a
# measurement could not be made). Prints a markdown table with two figures,
# each beside a baseline measured in the same run:
#
# 1. cycles per packet through the worker loop in one process
#    (build/tests/dpvs-bench-pipe, see tests/bench/pipe.c): a TCP SYN that
#    creates a connection, established UDP inbound, established UDP outbound;
#    baseline: a bare rx -> MAC swap -> tx of the same frames through the
#    same ring ports. Optional: instructions per packet from callgrind.
# 2. the real node (dpvs-primary + one worker) forwarding 64-byte established
#    UDP full-NAT: dpdk-testpmd txonly on a net_memif port (the node is the
#    memif server) into the node, out of a net_null port (static neighbour);
#    rates from `dpvsctl --json stats` over a fixed interval. Baseline:
#    dpdk-testpmd io forwarding net_memif -> net_null fed by the same
#    generator.
#
# Environment: BENCH_PACKETS (default 1000000, figure 1), BENCH_SECONDS
# (default 5, the measuring interval of figure 2), BENCH_CALLGRIND (1 = count
# instructions with valgrind, default 1 if valgrind is installed),
# BENCH_TIMEOUT (default 300 s for the whole run), BENCH_KEEP=1 keeps the
# logs (testpmd, node) in the run's directory.
# Everything it starts runs under its own names (prefixes b<pid>n, b<pid>g,
# b<pid>f, namespace b<pid>ns, directory /tmp/dpvs-bench.*) and is removed at
# exit, also on failure or Ctrl-C.

if [ -z "${DPVS_BENCH_BOUNDED:-}" ]; then
	export DPVS_BENCH_BOUNDED=1
	exec timeout -k 10 "${BENCH_TIMEOUT:-300}" bash "$0" "$@"
fi

set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="$ROOT/build/bin"
PIPE="$ROOT/build/tests/dpvs-bench-pipe"
TESTPMD="${TESTPMD:-/usr/bin/dpdk-testpmd}"
PKTS="${BENCH_PACKETS:-1000000}"
SECS="${BENCH_SECONDS:-5}"
if command -v valgrind >/dev/null 2>&1; then CG="${BENCH_CALLGRIND:-1}"; else CG=0; fi

ID="b$$"
NODE_P="${ID}n"  # node's EAL prefix
GEN_P="${ID}g"   # generator's
FWD_P="${ID}f"   # baseline forwarder's
NS="${ID}ns"
D="$(mktemp -d /tmp/dpvs-bench.XXXXXX)"
PIDS=()          # processes started here (generators, forwarder, primary)
NODE_PID=""

# Addresses of figure 2 (as in tests/bench/bench.h).
NODE_MAC=02:00:00:00:00:01
GEN_MAC=02:00:00:00:00:aa
CLIENT=10.0.0.2 VIP=10.0.0.100 CPORT=5000 VPORT=53

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
		if { tr '\0' ' ' <"$f"; } 2>/dev/null | grep -qE -- "(prefix[= ]($NODE_P|$GEN_P|$FWD_P)( |$))|$D/"; then
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
	for p in "$NODE_P" "$GEN_P" "$FWD_P"; do
		rm -f /dev/hugepages/"$p"*
		rm -rf /var/run/dpdk/"$p"
	done
	if [ "${BENCH_KEEP:-0}" = 1 ]; then say "logs kept in $D"; else rm -rf "$D"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

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
	for k in syn udp-in udp-out; do
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
	"$TESTPMD" "$@" <"$D/$name.in" >"$D/$name.log" 2>&1 &
	PMD_PID=$!
	PIDS+=("$PMD_PID")
	eval "exec $fd>\"\$D/\$name.in\""
}

pmd_cmd() { # FD COMMAND
	echo "$2" >&"$1" 2>/dev/null || true
}

# start_gen NAME FD SOCKET: testpmd txonly, memif client on SOCKET, fwd lcore
# on CPU 0, UDP CLIENT:CPORT -> VIP:VPORT, 64-byte frames, to NODE_MAC.
start_gen() {
	start_pmd "$1" "$2" -l 0,1 --main-lcore 1 --no-huge -m 256 --no-shconf --no-pci \
		--file-prefix="$GEN_P" \
		--vdev="net_memif0,role=client,socket=$3,socket-abstract=no,mac=$GEN_MAC" -- \
		-i --auto-start --forward-mode=txonly --total-num-mbufs=8192 \
		--eth-peer=0,$NODE_MAC --tx-ip=$CLIENT,$VIP --tx-udp=$CPORT,$VPORT --txpkts=64
	GEN_PID=$PMD_PID
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

# pmd_rate LOG PORT FIELD: the last "FIELD" (Rx-pps/Tx-pps) of PORT in a
# testpmd log, in Mpps.
pmd_rate() {
	tr -d '\033' <"$1" | awk -v port="$2" -v field="$3:" '
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
idle_sleep_us = 0
[port.dpdk0]
vdev = net_memif0,role=server,socket=$D/node-memif.sock,socket-abstract=no,mac=$NODE_MAC
[port.dpdk1]
vdev = net_null0,no-rx=1
EOF
	cat >"$D/rules" <<EOF
addr add 10.0.0.1/24 dev dpdk0
addr add 10.0.1.1/24 dev dpdk1
addr add 10.0.1.10/32 dev dpdk1
-A -u $VIP:$VPORT -s rr
-a -u $VIP:$VPORT -r 10.0.1.3:5353 -b fnat -w 1
laddr add -u $VIP:$VPORT 10.0.1.10 dev dpdk1
neigh add 10.0.1.3 lladdr 02:00:00:00:00:22 dev dpdk1
EOF
}

ctl() { "$BIN/dpvsctl" -s "$D/run/ctl.sock" "$@"; }
worker_running() { [ "$(ctl --json worker show | jq '[.[] | select(.state == "running")] | length')" = 1 ]; }
udp_conn_up() { ctl conn show | grep -q "$CLIENT:$CPORT"; }
# node_counters: "<ns> <worker rx> <dpdk1 opackets> <worker drops>"
node_counters() {
	local t j
	t="$(date +%s%N)"
	j="$(ctl --json stats)" || return 1
	echo "$t $(jq -r '[.workers[0].rx_pkts, .ports[1].opackets, .workers[0].verdicts.drop] | @tsv' <<<"$j")"
}

figure2_node() {
	local a b
	node_conf
	ip netns add "$NS" || die "ip netns add $NS"
	ip -n "$NS" link set lo up
	say "figure 2: node (prefix $NODE_P, 1 worker, memif in, null out)"
	ip netns exec "$NS" "$BIN/dpvs-primary" -c "$D/dpvs.conf" --rules "$D/rules" \
		>"$D/primary.log" 2>&1 </dev/null &
	NODE_PID=$!
	wait_until 20 worker_running || { cat "$D/primary.log" >&2; die "node did not start"; }
	start_gen gen-node 7 "$D/node-memif.sock"
	wait_until 30 udp_conn_up || { tail -20 "$D/gen-node.log" >&2; ctl --json stats >&2; die "no UDP connection in the node"; }
	sleep 1 # warm-up: the connection exists, the pipe is full
	pmd_cmd 7 "show port stats all"
	a="$(node_counters)" || die "dpvsctl stats"
	sleep "$SECS"
	pmd_cmd 7 "show port stats all"
	b="$(node_counters)" || die "dpvsctl stats"
	read -r NODE_RX NODE_TX NODE_DROP <<<"$(awk -v a="$a" -v b="$b" 'BEGIN {
		split(a, x, " "); split(b, y, " "); s = (y[1] - x[1]) / 1e9
		printf "%.3f %.3f %d", (y[2] - x[2]) / s / 1e6, (y[3] - x[3]) / s / 1e6, y[4] - x[4] }')"
	stop_pmd "$GEN_PID" 7
	NODE_GEN="$(pmd_rate "$D/gen-node.log" 0 Tx-pps)"
	kill_wait "$NODE_PID" TERM 15
	NODE_PID=""
	ip netns del "$NS" 2>/dev/null
}

figure2_base() {
	say "figure 2: baseline testpmd io forwarding (prefix $FWD_P, memif in, null out)"
	start_pmd fwd 8 -l 0,1 --main-lcore 0 --no-huge -m 256 --no-shconf --no-pci \
		--file-prefix="$FWD_P" \
		--vdev="net_memif1,role=server,socket=$D/fwd-memif.sock,socket-abstract=no,mac=$NODE_MAC" \
		--vdev=net_null1,no-rx=1 -- -i --auto-start --forward-mode=io --total-num-mbufs=16384
	FWD_PID=$PMD_PID
	wait_until 10 test -S "$D/fwd-memif.sock" || { cat "$D/fwd.log" >&2; die "forwarder did not start"; }
	start_gen gen-fwd 7 "$D/fwd-memif.sock"
	sleep 1 # warm-up, as for the node
	pmd_cmd 7 "show port stats all"
	pmd_cmd 8 "show port stats all"
	sleep "$SECS"
	pmd_cmd 7 "show port stats all"
	pmd_cmd 8 "show port stats all"
	sleep 0.2 # let both print before they quit
	stop_pmd "$GEN_PID" 7
	stop_pmd "$FWD_PID" 8
	BASE_RX="$(pmd_rate "$D/fwd.log" 0 Rx-pps)"
	BASE_TX="$(pmd_rate "$D/fwd.log" 1 Tx-pps)"
	BASE_GEN="$(pmd_rate "$D/gen-fwd.log" 0 Tx-pps)"
}

# ---- report ------------------------------------------------------------------

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }

report() {
	local k name
	echo
	echo "### Figure 1: cycles per packet through the worker loop, one process"
	echo
	echo "Median of 9 rounds of $((PKTS / 9)) packets after a warm-up, TSC ${TSC_HZ:-?} Hz; bursts of 32,"
	echo "60-byte frames (64 on the wire); baseline: rx burst, MAC swap, tx burst of the same"
	echo "frames through the same ring ports. Instructions per packet from callgrind."
	echo
	echo "| Case | Pipeline cycles/pkt | Baseline cycles/pkt | Ratio | Pipeline instr/pkt | Baseline instr/pkt |"
	echo "|---|---:|---:|---:|---:|---:|"
	for k in syn udp-in udp-out; do
		case "$k" in
		syn) name="TCP SYN, creates a connection" ;;
		udp-in) name="UDP established, inbound (client -> VIP)" ;;
		udp-out) name="UDP established, outbound (server -> laddr)" ;;
		esac
		echo "| $name | ${CPP[$k/pipe]:-?} | ${CPP[$k/base]:-?} |" \
			"$(ratio "${CPP[$k/pipe]:-0}" "${CPP[$k/base]:-0}") |" \
			"${IR[$k/pipe]:--} | ${IR[$k/base]:--} |"
	done
	echo
	echo "### Figure 2: the node forwarding 64-byte established UDP full-NAT"
	echo
	echo "dpdk-testpmd txonly (one flow) on net_memif into the node, out of net_null; ${SECS} s"
	echo "after 1 s of warm-up. Node: dpvs-primary + 1 worker (idle_sleep_us = 0), rates from"
	echo "\`dpvsctl --json stats\`. Baseline: dpdk-testpmd io forwarding net_memif -> net_null,"
	echo "fed by the same generator. $(nproc) CPUs: the generator's forwarding lcore runs on"
	echo "CPU 0, the worker (or the baseline's forwarding lcore) on CPU 1; the control processes"
	echo "share the CPUs, so the ratio is what matters."
	echo
	echo "| | Node (dpvs-mp) | Baseline (testpmd io) | Ratio |"
	echo "|---|---:|---:|---:|"
	echo "| forwarded, Mpps (out of net_null) | $NODE_TX | $BASE_TX | $(ratio "$NODE_TX" "$BASE_TX") |"
	echo "| received, Mpps (from net_memif) | $NODE_RX | $BASE_RX | $(ratio "$NODE_RX" "$BASE_RX") |"
	echo "| generator sent, Mpps | $NODE_GEN | $BASE_GEN | |"
	echo
	echo "Node drops during the interval: $NODE_DROP."
	echo
	echo "Reproduce: \`make bench\` (or \`tests/bench/run.sh\` after \`make all tests\`);"
	echo "BENCH_PACKETS, BENCH_SECONDS, BENCH_CALLGRIND=0 change the run."
}

[ "$(id -u)" = 0 ] || die "needs root (hugepages, network namespace)"
[ -x "$TESTPMD" ] || die "missing $TESTPMD (Debian package dpdk)"
for b in dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl; do
	[ -x "$BIN/$b" ] || die "missing $BIN/$b (run make)"
done
command -v jq >/dev/null || die "jq is needed"
START="$(date +%s)"
figure1
figure2_node
figure2_base
report
say "done in $(($(date +%s) - START)) s"
