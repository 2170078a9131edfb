#!/bin/bash
# tests/bench/run.sh: `make bench`. Numbers, not pass/fail (it fails only if a
# measurement could not be made). Prints markdown tables, five figures, each
# beside a baseline measured in the same run:
#
# 1. cycles per packet through the worker loop in one process
#    (build/tests/dpvs-bench-pipe, see tests/bench/pipe.c): a TCP SYN that
#    creates a connection, established UDP inbound and outbound for full-NAT
#    and NAT, established TCP full-NAT inbound and outbound (tcp-in/tcp-out:
#    in-window segments of a connection made by a handshake), established
#    UDP inbound for DR, with one flow and with 61,440
#    (dr-many: connections beyond the caches), and a SYN into a table at
#    its capacity (syn-full: each evicts the oldest half-open connection,
#    the index churned); baseline: a bare rx -> MAC
#    swap -> tx of the same frames through the same ring ports. Optional
#    (valgrind installed): instructions per packet from callgrind over the
#    same scope as the cycles (the timed function only, after the same kind
#    of warm-up), and per stage of the pipeline (cg_stages). And udp-big:
#    established UDP full-NAT inbound over BENCH_BIG_FLOWS flows in random
#    order (a connection each, made first, untimed: a table far beyond the
#    caches), in a process of its own so that the other cases keep their
#    configuration; with valgrind, its simulated cache misses per packet
#    (callgrind --cache-sim=yes, D1 and LL of a fixed geometry, BIG_CACHES)
#    beside udp-in's (one flow), and its instructions.
# 2. one table: the real node (dpvs-primary + one worker pinned to the last
#    CPU) and, in the same run, the ceiling: dpdk-testpmd io forwarding
#    net_memif -> net_null. Both are fed by dpvs-bench-gen (tests/bench/
#    gen.c: pre-built 64-byte frames, bursts, no per-packet construction)
#    on a net_memif port; the node's egress is net_null (static neighbours).
#    Cases: the ceiling with 1 flow and with FLOWS random flows; the
#    generator alone into net_null (it must out-run the ceiling, or the
#    ceiling is the generator's); the node: established UDP full-NAT with 1
#    flow and FLOWS random flows (connections made first, each flow sent
#    once in flow-number order; the windows replay them in a stride walk,
#    ~0.618 FLOWS apart: consecutive packets hit connections made far
#    apart, never in the order they were made, as real traffic would;
#    tests/bench/gen_order.sh checks it), full-NAT replies (server -> client, tuples learned from what the
#    node sent to the server side), NAT and DR with 1 flow, full-NAT TCP
#    established with 1 flow (the connection made by a handshake with the
#    generator's server-side port before the windows, then the same
#    6-byte data ACK segment re-sent: a retransmission to the node's window
#    tracking, in window every time; any drop fails the run) and with
#    TFLOWS flows (the SYNs and the handshakes' last ACKs in flow-number
#    order, the windows' ACKs in the same stride walk), and TCP SYNs
#    from distinct sources (each a new full-NAT connection into a table
#    filled before its first window: each evicts the oldest half-open
#    one, the victims in a scattered slot order; fig2.sh, syn_prepare);
#    and a second
#    node with two workers (CPUs 0 and 1, one queue pair each; the
#    generator sends 2 flows on 2 queues), established full-NAT UDP, the
#    aggregate. The ceiling is measured with testpmd's memif rings of
#    each shape of MEMIF_SHAPES (1,024 and 4,096 slots of 2,048-byte
#    buffers, and the node's 4,096 of 128 bytes: a testpmd for each, cases
#    base.10, base.12, base.12b128 and their base-many; BENCH_CASES=base
#    selects every shape), the node's with NODE_SHAPE (the client sets
#    them: the generator). A consumer
#    slower than the generator reads a full ring: each frame was written
#    a ring's length of frames before, and the older the frame, the
#    dearer memif's copy of it (see NODE_SHAPE below). Node rates: what
#    the generator sent (its own clock; a memif sender sends only what the
#    receiver takes), times the share the node forwarded by `dpvsctl --json
#    stats`; the ceiling's from testpmd. Before each window, the CPU 0 <->
#    CPU 1 cache-line round trip (dpvs-bench-c2c: where the host has put
#    the two vCPUs). ROUNDS turns of every case (SECS seconds each after
#    0.5 s of warm-up, SYN_SECS for the SYNs); the best window of each
#    counts; node figures as ratios to the 1-flow ceiling (and the
#    many-flow ones to the many-flow ceiling), each the highest of
#    testpmd's rates over its ring shapes. The table's columns: case,
#    forwarded Mpps; cycles/packet: TSC cycles (the generator's
#    rte_get_tsc_hz) per forwarded packet over the CPU time of the whole
#    worker process (all its threads: PMDs, pool and pipeline; the two
#    workers' summed) in the case's best window, the ceiling's over
#    testpmd's process; instructions/packet: figure 1's callgrind count
#    of the case that runs the same path, named in the cell (the pipeline
#    in one process over ring ports, no PMD; fnat and fnat2w udp-in, reply
#    udp-out, nat nat-in, dr dr-in, tcp tcp-in, syn syn-full, fnat-many
#    udp-big, the ceiling figure 1's baseline; "-" for tcp-many and the
#    generator alone, or without figure 1 or valgrind); ratio to the
#    ceiling; bytes per connection; generator Mpps; drops; c2c; the memif
#    ring (slots x buffer bytes) the row was measured with. The
#    received rates (the generator's for the node) are in the notes.
# 3. (with callgrind) instructions per mbuf of the pool and ring operations,
#    the node's crash-safe ones beside DPDK's (build/tests/dpvs-bench-pool).
# 4. the rebuild of a dead worker's connection table by the worker that
#    takes over, ns per connection for 1M and 10M connections, and (with
#    callgrind) instructions per connection (tests/bench/fig4.sh).
# 5. the memory floor: TSC cycles a packet that k random cache lines of
#    the node's connection layout cost one core at best, in the node's
#    burst order and nothing else (no frame, parse, rewrite or port), for
#    1k, 1M and 10M flows (build/tests/dpvs-bench-memfloor,
#    tests/bench/fig5.sh; about 13 s).
#
# Environment: BENCH_PACKETS (default 1000000, figure 1), BENCH_SECONDS
# (default 1.5, a window of figure 2), BENCH_SYN_SECONDS (default 1), BENCH_ROUNDS
# (default 4, turns of every case in figure 2), BENCH_MEMIF_RSIZE (default
# "10 12": log2 of the slots of testpmd's memif rings, a list: the ceiling
# measured at each size and with the node's ring, the highest counts),
# BENCH_MEMIF_BSIZE (default 2048: the bytes of their buffers, a list),
# BENCH_NODE_MEMIF_RSIZE and BENCH_NODE_MEMIF_BSIZE (default 12 and 128:
# the one-worker node's ring), BENCH_MEMIF_SMALL (default 1; 0: the node's
# ring 1,024 slots of 2,048 bytes, figure 2 as before 2026-12-04),
# BENCH_NODE2_MEMIF_RSIZE (default 12: the two-worker node's, 2,048-byte
# buffers), BENCH_TWO_WORKERS (default 1: the
# two-worker case), BENCH_IDLE_US (default 1000, the nodes' idle_sleep_us:
# 50, the product's default, makes the three idle workers of the two nodes
# wake 60,000 times a second in the other cases, which cost them a quarter),
# BENCH_SYN_ORDER (default scatter: the order of the syn case's victims,
# scatter or slot; tests/bench/fig2.sh, syn_scatter), BENCH_FLOWS (default 1000000,
# the many-flow cases), BENCH_TCP_FLOWS (default 100000, the many-flow TCP
# case's), BENCH_CONNS (default 2097152, the worker's
# connection table), BENCH_CALLGRIND (1 = count
# instructions with valgrind, default 1 if valgrind is installed),
# BENCH_FIGURES (default "1 2 3 4 5": which figures to measure; "1" alone needs
# neither testpmd nor a namespace and takes a minute),
# BENCH_BIG_FLOWS (default 2000000: figure 1's udp-big flows, 0 leaves
# the case out; about 20 s and 150 bytes a flow of memory for 2M),
# BENCH_REBUILD (default "1000000 10000000": figure 4's sizes; one that does
# not fit in the free memory is skipped, said in the report;
# BENCH_REBUILD_FREE_MIB=N pretends N MiB are free, to try that),
# BENCH_MEMFLOOR_FLOWS (default "1000 1000000 10000000": figure 5's flow
# counts; one whose table does not fit in the free hugepages is skipped),
# BENCH_MEMFLOOR_MS (default 50: ms a sample of figure 5, 3 samples a row),
# BENCH_TIMEOUT (default 900 s for the whole run; 10M flows need more), BENCH_KEEP=1 keeps the
# logs (testpmd, node) in the run's directory, BENCH_GEN_STATS=1 prints the
# generator's side of every figure-2 window (fig2.sh, gen_note: how often
# the ring was short of room, whether the generator set the pace).
# Everything it starts runs under its own names (prefixes b<pid>n, b<pid>m,
# b<pid>g, b<pid>f, namespaces b<pid>ns and b<pid>ns2, directory
# /tmp/dpvs-bench.*) and is removed at
# exit, also on failure or Ctrl-C.

if [ -z "${DPVS_BENCH_BOUNDED:-}" ]; then
	export DPVS_BENCH_BOUNDED=1
	exec timeout -k 10 "${BENCH_TIMEOUT:-900}" bash "$0" "$@"
fi

set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="$ROOT/build/bin"
PIPE="$ROOT/build/tests/dpvs-bench-pipe"
POOLB="$ROOT/build/tests/dpvs-bench-pool"
TESTPMD="${TESTPMD:-/usr/bin/dpdk-testpmd}"
PKTS="${BENCH_PACKETS:-1000000}"
SECS="${BENCH_SECONDS:-1.5}"
ROUNDS="${BENCH_ROUNDS:-4}"
SYN_SECS="${BENCH_SYN_SECONDS:-1}"
FLOWS="${BENCH_FLOWS:-1000000}"
CONNS="${BENCH_CONNS:-2097152}"
UDP_LADDRS=$((FLOWS / 50000 + 1))
[ "$UDP_LADDRS" -lt 32 ] && UDP_LADDRS=32
GEN="$ROOT/build/tests/dpvs-bench-gen"
C2C="$ROOT/build/tests/dpvs-bench-c2c"
if command -v valgrind >/dev/null 2>&1; then CG="${BENCH_CALLGRIND:-1}"; else CG=0; fi

ID="b$$"
NODE_P="${ID}n"  # node's EAL prefix
NODE2_P="${ID}m" # the two-worker node's
GEN_P="${ID}g"   # the generator's
FWD_P="${ID}f"   # baseline forwarder's
NS="${ID}ns"
NS2="${ID}ns2"   # the two-worker node's
D="$(mktemp -d /tmp/dpvs-bench.XXXXXX)"
PIDS=()          # processes started here (generator, forwarder)
declare -A PMD_OF_FD # testpmd pid by the fd of its command fifo
declare -A PMD_FD    # the fd of testpmd fwdK's command fifo by K
NODE_PID=""
NODE2_PID=""

# Addresses of figure 2 (as in tests/bench/bench.h).
NODE_MAC=02:00:00:00:00:01 NODE_MAC2=02:00:00:00:00:03
GEN_MAC=02:00:00:00:00:aa GEN_MAC2=02:00:00:00:00:ab
CLIENT=10.0.0.2 VIP=10.0.0.100 CPORT=5000 VPORT=53
VIP_NAT=10.0.0.101 VIP_DR=10.0.0.102
VIP_R=10.0.0.103 RCLIENTS=10.9.0.1 RFLOWS=${BENCH_REPLY_FLOWS:-1000} # replies: requests from RCLIENTS
SYNSRC=10.8.0.1  # new connections: sources from here (32768 ports per address)
# The order the syn case's victims come in (fig2.sh, syn_scatter):
# scatter (default) fills the table's free slots with SYNs from FILLSRC
# before the windows and lets them expire in a stride walk, so that the
# flood takes its slots, and so evicts, in a scattered order, as on a node
# that served traffic before; slot: a fresh node's free list, slot order.
SYN_ORDER="${BENCH_SYN_ORDER:-scatter}"
FILLSRC=10.7.0.1
# established TCP: a full-NAT service VIP_R:80 whose real server is the
# generator's port 1 (it answers the SYNs), TCP_LADDRS local addresses on
# dpdk2; TFLOWS clients from TCPSRC port 1024 on (routed via CLIENT), the
# 1-flow case the first of them; the handshake's numbers: the client's
# SYN at 1000 (the generator's SYNs), the server's SYN+ACK at TSEQ_S, then
# the client's ACKs at 1001. TFLOWS is 100,000 by default, so that the
# table the other cases run against stays about as full as before the TCP
# cases (1,101,001 of 2,097,152 connections against 1,001,001): 1,000,000
# want BENCH_CONNS=4194304 for that.
TCPSRC=10.10.0.1 TSEQ_S=5000
TFLOWS="${BENCH_TCP_FLOWS:-100000}"
TCP_LADDRS=$((TFLOWS / 50000 + 1))
# A memif ring's shape: "K" (2^K slots of memif's default 2,048-byte
# buffers) or "KbB" (2^K slots of B bytes); the client sets both (the
# generator). shape_name K B, and a shape's slots, bytes and memif
# arguments.
shape_name() { if [ "$2" = 2048 ]; then echo "$1"; else echo "${1}b$2"; fi; }
shape_slots() { echo $((1 << ${1%%b*})); }
shape_bytes() { case "$1" in *b*) echo "${1#*b}" ;; *) echo 2048 ;; esac; }
shape_args() { echo ",rsize=${1%%b*},bsize=$(shape_bytes "$1")"; }
shape_words() { echo "$(shape_slots "$1") x $(shape_bytes "$1") B"; }
# The nodes' rings. The node is slower than the generator, so its ring is
# always full and memif's rx copies a frame the generator wrote a ring's
# length of frames before (430 us at 4,096 slots and 9.5 Mpps). With
# memif's 2,048-byte buffers, from a ring of 4,096 that first read of the
# frame stalls the worker about 45 cycles a frame longer than from a ring
# of 1,024 (perf on the worker, full-NAT UDP, 1 flow: memif's copy 40-43%
# of its cycles at 4,096 slots, 28-29% at 1,024; 256-269 against 212-226
# cycles a frame on the CPU; 2,048 slots cost what 4,096 do; with 512 the
# node received nothing for seconds in two runs of four). Likely the L2's
# geometry (2 MiB, 16 ways, 2,048 sets): buffers 2 KiB apart put the first
# line of every frame in the same 64 sets, room for 1,024 frames.
# With 128-byte buffers the frames of a ring lie in consecutive lines
# (4,096 of them 512 KiB, all sets): in figure 2's fnat case on
# 2026-12-04 (16:44 to 17:36 UTC, a loaded host, 11 interleaved turns)
# 4,096 slots of 128 bytes cost the node 142 cycles a packet (median of
# the turns' medians) against 162 for 1,024 of 2,048 (7 turns to 3, one
# even), memif's first load of a frame 3.5 to 4.8% of the worker's
# samples against 20.7 to 22.1% (perf, 3 windows each). Again at 19:51 to
# 20:17 (a host loaded by other builds; fnat, 1 flow, the ceiling in the
# same run): the node at 4,096 x 128 took 150 cycles a packet (median, 7
# turns) and 137 (8 turns) against 175 and 174.5 at 1,024 x 2,048, lower
# in 11 turns of 15; beside the highest ceiling over 1,024 and 4,096 slots
# of 2,048 and 128 bytes (every ring in every run, 16 runs), its ratio's
# median 0.42 against 0.40 (8 turns, 4 to 4; 5 to 2 in the first 7, with
# the ceiling of the node's buffers). testpmd lost nothing with small
# buffers: 4,096 x 128 its best ring in 8 runs of 16, above 4,096 x 2,048
# in 10; the generator set its pace (the ring short of room in a median
# 18% of its tries, against 92% into the node). From 20:21 to 20:45 (10
# turns, 1M flows too, a lighter load at times): 1 flow 139 and 144
# against 143 and 151 cycles (lower in 5 of 10), 1M flows 213 and 217
# against 201.5 and 220 (lower in 4 of 9), the ratio to the highest
# ceiling higher in 9 turns of 15. The gain is mostly the loaded host's;
# with the highest ceiling as the denominator it flatters nothing.
# So the one-worker node's ring is 2^NODE_RSIZE slots of NODE_BSIZE bytes
# (BENCH_NODE_MEMIF_RSIZE, BENCH_NODE_MEMIF_BSIZE); BENCH_MEMIF_SMALL=0
# gives figure 2 as it was before 2026-12-04: 1,024 slots of 2,048 bytes
# (and the ceiling at 2^10 and 2^12 slots of 2,048 bytes alone).
SMALL="${BENCH_MEMIF_SMALL:-1}"
if [ "$SMALL" = 1 ]; then NODE_RSIZE=12 NODE_BSIZE=128; else NODE_RSIZE=10 NODE_BSIZE=2048; fi
NODE_RSIZE="${BENCH_NODE_MEMIF_RSIZE:-$NODE_RSIZE}"
NODE_BSIZE="${BENCH_NODE_MEMIF_BSIZE:-$NODE_BSIZE}"
NODE_SHAPE="$(shape_name "$NODE_RSIZE" "$NODE_BSIZE")"
MN="$(shape_args "$NODE_SHAPE")"
# testpmd's memif rings (the ceiling): a testpmd and a generator port for
# each shape of MEMIF_SHAPES, cases base.S and base-many.S: 2^k slots of
# b bytes for each k of BENCH_MEMIF_RSIZE (default "10 12") and each b of
# BENCH_MEMIF_BSIZE (default 2048), and the node's shape whatever these
# say. The ceiling is the highest of their rates (per flow count), so a
# node figure is never set beside a ceiling lower than the one of its own
# ring. Which size testpmd forwards most with changes from one day to the
# next: 4,096 slots (29.6 against 19.2 Mpps at 1,024) once, 1,024 (29 to
# 31 Mpps per CPU second in 8 windows of 9; 4,096 in 1 of 21) another
# (docs/performance-log.md, "Where the real node's cycles go").
MEMIF_SHAPES=""
for shape_k in ${BENCH_MEMIF_RSIZE:-10 12}; do
	for shape_b in ${BENCH_MEMIF_BSIZE:-2048}; do
		MEMIF_SHAPES="${MEMIF_SHAPES:+$MEMIF_SHAPES }$(shape_name "$shape_k" "$shape_b")"
	done
done
[[ " $MEMIF_SHAPES " == *" $NODE_SHAPE "* ]] || MEMIF_SHAPES="$MEMIF_SHAPES $NODE_SHAPE"
# The two-worker node's: worker 0 shares CPU 0 with the generator, and a
# ring that holds more of what the generator sent while the worker was off
# the CPU serves it best (aggregate 11.7 Mpps with 4,096 slots against 5.5
# with 1,024, one run each, 15:04 UTC on 2026-12-02).
NODE2_RSIZE="${BENCH_NODE2_MEMIF_RSIZE:-12}"
MN2=",rsize=$NODE2_RSIZE"
IDLE_US="${BENCH_IDLE_US:-1000}" # an idle worker's sleep (the nodes' idle_sleep_us)
TWO="${BENCH_TWO_WORKERS:-1}"  # the two-worker case
[ "$(nproc)" -ge 2 ] || TWO=0
FIG1_CASES="syn udp-in udp-out tcp-in tcp-out nat-in nat-out dr-in dr-many syn-full"
BIG="${BENCH_BIG_FLOWS:-2000000}"
# udp-big's simulated caches: D1 48 KiB 12-way (this VM's L1d), LL 32 MiB
# 16-way (a server's last level; this VM reports 480 MiB of L3, which
# would hold a 2M table); 64-byte lines
BIG_CACHES="--D1=49152,12,64 --LL=33554432,16,64"

say() { printf '[bench %(%T)T] %s\n' -1 "$*" >&2; }
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
		if { tr '\0' ' ' <"$f"; } 2>/dev/null | grep -qE -- "(prefix[= ]($NODE_P|$NODE2_P|$GEN_P|$FWD_P[0-9b]*)( |$))|$D/"; then
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
	[ -n "$NODE2_PID" ] && kill_wait "$NODE2_PID" TERM 15
	for pid in $(our_pids); do
		kill -KILL "$pid" 2>/dev/null
	done
	ip netns del "$NS" 2>/dev/null
	ip netns del "$NS2" 2>/dev/null
	for p in "$NODE_P" "$NODE2_P" "$GEN_P" "$FWD_P"; do
		rm -f /dev/hugepages/"$p"*
		rm -rf /var/run/dpdk/"$p"
	done
	for p in $MEMIF_SHAPES; do rm -rf /var/run/dpdk/"$FWD_P$p"; done
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

# ---- figures 1 and 3 (tests/bench/fig13.sh) ----------------------------------
. "$(dirname "${BASH_SOURCE[0]}")/fig13.sh"

# ---- figure 2 (tests/bench/fig2.sh) -----------------------------------------
. "$(dirname "${BASH_SOURCE[0]}")/fig2.sh"
# BENCH_PERF=1: perf_start, perf_report (tests/bench/perf.sh)
. "$(dirname "${BASH_SOURCE[0]}")/perf.sh"

# ---- report ------------------------------------------------------------------

. "$(dirname "${BASH_SOURCE[0]}")/report.sh"
. "$(dirname "${BASH_SOURCE[0]}")/fig4.sh"
. "$(dirname "${BASH_SOURCE[0]}")/fig5.sh"

FIGURES=" ${BENCH_FIGURES:-1 2 3 4 5} "
has_fig() { [[ "$FIGURES" == *" $1 "* ]]; }
[ "$(id -u)" = 0 ] || die "needs root (hugepages, network namespace)"
has_fig 2 && { [ -x "$TESTPMD" ] || die "missing $TESTPMD (Debian package dpdk)"; }
[ -x "$GEN" ] || die "missing $GEN (run make tests)"
[ -x "$C2C" ] || die "missing $C2C (run make tests)"
for b in dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl; do
	[ -x "$BIN/$b" ] || die "missing $BIN/$b (run make)"
done
has_fig 2 && { command -v jq >/dev/null || die "jq is needed"; }
[ -x "$ROOT/build/tests/dpvs-bench-connmem" ] || die "missing dpvs-bench-connmem (run make tests)"
read -r _ _ CONN_ENTRY CONN_INDEX CONN_BYTES CONN_MB <<<"$("$ROOT/build/tests/dpvs-bench-connmem" "$CONNS")"
read -r _ _ _ _ CONN2_BYTES _ <<<"$("$ROOT/build/tests/dpvs-bench-connmem" 65536)"
START="$(date +%s)"
LOAD0="$(cut -d' ' -f1 /proc/loadavg)"
has_fig 1 && figure1
has_fig 3 && figure3
has_fig 4 && figure4
has_fig 5 && figure5
has_fig 2 && figure2
report
has_fig 2 && figure2_stop
report_end
say "done in $(($(date +%s) - START)) s"
