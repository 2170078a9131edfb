# tests/bench/report.sh: make bench's report, sourced by tests/bench/run.sh
# after the figures were measured. In: run.sh's variables and tables (CPP,
# IR, STAGE, MISS of figure 1; C_TX, C_RX, C_GEN, C_DROP, C_C2C, C_CPP and
# TSC2_HZ of figure 2, CASES; POOLIR of figure 3; the run's settings). Out:
# the markdown tables on stdout. Touches nothing else.

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }

# Figure 1: cycles and instructions per case.
report1() {
	local k name
	echo
	echo "### Figure 1: cycles per packet through the worker loop, one process"
	echo
	echo "Best of 9 rounds of $((PKTS / 9)) packets after a warm-up, TSC ${TSC_HZ:-?} Hz; bursts of 32,"
	echo "60-byte frames (64 on the wire); baseline: rx burst, MAC swap, tx burst of the same"
	echo "frames through the same ring ports. Both columns cover the same scope: one call of"
	echo "bp_timed_pipe (one worker loop iteration, a burst) per 32 packets after the warm-up;"
	echo "cycles with rdtsc, instructions with callgrind (--toggle-collect=bp_timed_*, 9600"
	echo "packets after 3200 of warm-up). The TSC ticks at the nominal clock: on a VM whose"
	echo "cores boost above it, instructions/cycle can exceed what the core retires per clock."
	echo
	echo "| Case | Pipeline cycles/pkt | Baseline cycles/pkt | Ratio | Pipeline instr/pkt | Baseline instr/pkt |"
	echo "|---|---:|---:|---:|---:|---:|"
	for k in $FIG1_CASES; do
		case "$k" in
		syn) name="TCP SYN, creates a connection" ;;
		udp-in) name="UDP established, inbound (client -> VIP)" ;;
		udp-out) name="UDP established, outbound (server -> laddr)" ;;
		tcp-in) name="TCP established, inbound (client -> VIP), in-window ACK segments" ;;
		tcp-out) name="TCP established, outbound (server -> laddr), in-window ACK segments" ;;
		nat-in) name="NAT: UDP established, inbound (client -> VIP)" ;;
		nat-out) name="NAT: UDP established, outbound (server -> client)" ;;
		dr-in) name="DR: UDP established, inbound (client -> VIP)" ;;
		dr-many) name="DR: UDP established, 61,440 flows in a stride" ;;
		syn-full) name="TCP SYN into a full table (65,536, churned): evicts the oldest half-open" ;;
		esac
		echo "| $name | ${CPP[$k/pipe]:-?} | ${CPP[$k/base]:-?} |" \
			"$(ratio "${CPP[$k/pipe]:-0}" "${CPP[$k/base]:-0}") |" \
			"${IR[$k/pipe]:--} | ${IR[$k/base]:--} |"
	done
	if [ "$BIG" -gt 0 ]; then
		echo "| UDP established, inbound, $BIG flows in random order | ${CPP[udp-big/pipe]:-?} |" \
			"${CPP[udp-big/base]:-?} | $(ratio "${CPP[udp-big/pipe]:-0}" "${CPP[udp-big/base]:-0}") |" \
			"${MISS[udp-big/ir]:--} | - |"
	fi
}

# Figure 1's callgrind tables: simulated misses, instructions by stage.
report1_cg() {
	local k
	[ "$CG" = 1 ] || return 0
	if [ -n "${MISS[udp-in/ir]:-}" ]; then
		echo
		echo "Simulated cache misses per packet (callgrind --cache-sim=yes, 9600 packets after"
		echo "3200 of warm-up, the same scope; caches $BIG_CACHES): one flow beside"
		echo "$BIG flows drawn at random, each its own connection (udp-big: the connections made"
		echo "first, untimed; the simulation starts after them). The LL misses of udp-big are the"
		echo "connection's index bucket and entry lines that no cache holds. Whole iteration:"
		echo "bp_timed_pipe, as above; packet path: its rx burst (wk_rx_burst: rx to the tx"
		echo "buffer), without the loop's other work, whose timer wheel pass re-files connections"
		echo "whose timeout lies beyond the wheel's reach (21.8 min) once a turn and so depends on"
		echo "the wall clock."
		echo
		echo "| Case | instr/pkt | D1 misses/pkt | LL misses/pkt | packet path instr/pkt | D1 | LL |"
		echo "|---|---:|---:|---:|---:|---:|---:|"
		for k in udp-in udp-big; do
			[ -n "${MISS[$k/ir]:-}" ] || continue
			echo "| $k | ${MISS[$k/ir]} | ${MISS[$k/d1]} | ${MISS[$k/ll]} |" \
				"${MISS[$k/rir]:--} | ${MISS[$k/rd1]:--} | ${MISS[$k/rll]:--} |"
		done
	fi
	echo
	echo "Instructions per packet by stage (callgrind, inclusive per function; the stages"
	echo "add up to the pipeline's column): rx = rx burst, eth, IPv4 checks, hooks, ipvs"
	echo "parse, verdict dispatch; lookup+ipvs = connection index (inline in the ipvs core,"
	echo "and the burst's prefetch of it), state, timer, counters, rate/ACL checks, for a SYN"
	echo "the scheduling and the new connection;"
	echo "xmit = rewrite, route, neighbour; tx = tx buffer and burst; loop = the loop's other"
	echo "polls (rings, timers, RCU, heartbeat)."
	echo
	echo "| Case | rx+parse | lookup+ipvs | xmit | tx | loop |"
	echo "|---|---:|---:|---:|---:|---:|"
	for k in $FIG1_CASES; do
		echo "| $k | ${STAGE[$k/rx]:--} | ${STAGE[$k/ipvs]:--} |" \
			"${STAGE[$k/xmit]:--} | ${STAGE[$k/tx]:--} | ${STAGE[$k/loop]:--} |"
	done
}

# ceiling_shape MANY: the ring shape of the ceiling, testpmd's highest
# rate over its ring shapes (C_TX of base.K, or of base-many.K with MANY
# "-many"); empty if none. ceiling_of MANY: that rate; 0 if none.
ceiling_shape() {
	local k best=0 shape=""
	for k in $MEMIF_SHAPES; do
		awk -v a="${C_TX[base$1.$k]:-0}" -v b="$best" 'BEGIN { exit !(a > b) }' &&
			best="${C_TX[base$1.$k]}" shape="$k"
	done
	echo "$shape"
}
ceiling_of() {
	local k
	k="$(ceiling_shape "$1")"
	if [ -n "$k" ]; then echo "${C_TX[base$1.$k]}"; else echo 0; fi
}

# ring_of CASE: the memif ring a case of figure 2 was measured with, in
# words ("-" for a ceiling not measured)
ring_of() {
	case "$1" in
	base. | base-many.) echo "-" ;;
	base.* | base-many.*) shape_words "${1#*.}" ;;
	fnat2w) shape_words "$NODE2_RSIZE" ;;
	null | null-many) echo "- (net_null)" ;;
	*) shape_words "$NODE_SHAPE" ;;
	esac
}

# fig1_ir CASE: figure 1's instructions per packet of the case of figure 2
# that runs the same path, with that case's name ("-" when figure 1 did not
# count it, or none runs the same path): the pipeline's, or for the
# ceiling the baseline's (udp-in's frames; it reads no flow). fnat2w: each
# worker forwards one established flow, udp-in's path.
fig1_ir() {
	local k v=""
	case "$1" in
	base.* | base-many.*) v="${IR[udp-in/base]:-}" k=baseline ;;
	fnat | fnat2w) k=udp-in ;;
	reply) k=udp-out ;;
	nat) k=nat-in ;;
	dr) k=dr-in ;;
	tcp) k=tcp-in ;;
	syn) k=syn-full ;;
	fnat-many) v="${MISS[udp-big/ir]:-}" k=udp-big ;;
	*) k="" ;;
	esac
	[ -n "$k" ] && [ -z "$v" ] && v="${IR[$k/pipe]:-}"
	if [ -n "$v" ]; then echo "$v ($k)"; else echo "-"; fi
}

# Figure 2: the node beside the ceiling, and the bytes per connection.
report2() {
	local c name kind stream ceil label bpc k shapes="" ceil1 ceilm
	ceil1="$(ceiling_of "")" ceilm="$(ceiling_of -many)"
	for k in $MEMIF_SHAPES; do shapes="${shapes:+$shapes, }$(shape_words "$k")"; done
	echo
	echo "### Figure 2: the node beside the ceiling of its ports, one run"
	echo
	echo "dpvs-bench-gen (pre-built 64-byte frames in bursts, one sending lcore on CPU 0) on a"
	echo "net_memif port (rings of $(shape_words "$NODE_SHAPE") for the node, $(shape_words "$NODE2_RSIZE") for the two-worker node:"
	echo "slots x buffer bytes, see tests/bench/run.sh) into either the node (dpvs-primary + 1 worker"
	echo "pinned to CPU $(($(nproc) - 1)), egress net_null) or the ceiling: dpdk-testpmd io forwarding"
	echo "net_memif -> net_null on the same CPU (rates from testpmd), with rings of"
	echo "$shapes (a testpmd for each, the node's ring among them: which ring testpmd forwards most with"
	echo "changes from day to day, so the ceiling is measured with each and the highest counts); and"
	echo "into net_null alone (what the generator can send). Node rates: what the generator sent"
	echo "(its clock), times the share the node forwarded (\`dpvsctl --json stats\`). $ROUNDS turn(s) of"
	echo "every case, ${SECS} s each (SYNs: ${SYN_SECS} s) after 0.5 s of warm-up; the best window of each."
	echo "Ratio: to the ceiling, the highest of testpmd's rates over its rings: the 1-flow ceiling"
	echo "($ceil1 Mpps, $(ring_of "base.$(ceiling_shape "")")), and for the $FLOWS-flow cases the $FLOWS-flow"
	echo "one ($ceilm Mpps, $(ring_of "base-many.$(ceiling_shape -many)")). Ring: the memif ring each row was"
	echo "measured with. c2c: the CPU 0 <-> CPU 1 cache-line"
	echo "round trip just before the best window (about 100 ns when the host runs the two vCPUs"
	echo "close together, 350 ns and more when not; it moves within seconds and every memif rate"
	echo "follows it). Load average (1 min) at the start of the run: $LOAD0, at the end:"
	echo "$(cut -d' ' -f1 /proc/loadavg)."
	if [ "$TWO" = 1 ]; then
		echo
		echo "Two workers: this machine has 2 CPUs, so the two-worker node's workers are pinned to"
		echo "CPUs 0 and 1 and the generator's sending lcore shares CPU 0 with worker 0 (and the"
		echo "control processes of both nodes and testpmd's idle main lcore are there too): three"
		echo "busy pollers on two CPUs, the kernel splitting CPU 0 between worker 0 and the generator."
		echo "The aggregate says what two workers do when they share two CPUs with the generator;"
		echo "twice the one-worker figure would need a CPU for each worker and one for the generator."
	fi
	echo
	echo "| Case | Forwarded Mpps | Cycles/packet | Instructions/packet | Ratio to ceiling | Bytes per connection | Generator Mpps | Drops | c2c ns | Ring |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
	for c in "${CASES[@]}"; do
		[ -n "$c" ] || continue
		IFS=: read -r name kind stream <<<"$c"
		ceil="$ceil1"
		case "$name" in *-many | *-many.*) ceil="$ceilm" ;; esac
		case "$name" in
		base.*) label="**Ceiling**: testpmd io, 1 flow, $(ring_of "$name")" ;;
		base-many.*) label="**Ceiling**: testpmd io, $FLOWS flows (random), $(ring_of "$name")" ;;
		null) label="Generator alone into net_null, 1 flow" ;;
		null-many) label="Generator alone into net_null, $FLOWS flows (random)" ;;
		fnat) label="Node: full-NAT UDP established, 1 flow" ;;
		fnat2w) label="Node, **2 workers** (CPUs 0 and 1, with the generator on CPU 0): full-NAT UDP established, 2 flows (1 a worker), aggregate" ;;
		fnat-many) label="Node: full-NAT UDP established, $FLOWS flows (random: replayed in a stride walk, connections made in flow order)" ;;
		reply) label="Node: full-NAT UDP replies (server -> client), $RFLOWS flows" ;;
		nat) label="Node: NAT UDP established, 1 flow" ;;
		tcp) label="Node: full-NAT TCP established, 1 flow (the same 6-byte ACK segment re-sent)" ;;
		tcp-many) label="Node: full-NAT TCP established, $TFLOWS flows (random: replayed in a stride walk, connections made in flow order; each flow's ACK segment re-sent)" ;;
		dr) label="Node: DR UDP established, 1 flow" ;;
		syn) label="Node: TCP SYNs, each a new full-NAT connection (table full: each evicts the oldest half-open; victims in $(syn_order_words))" ;;
		esac
		bpc="-"
		[ "$kind" = node ] && bpc="$CONN_BYTES"
		[ "$kind" = node2 ] && bpc="$CONN2_BYTES"
		echo "| $label | ${C_TX[$name]:-?} | ${C_CPP[$name]:--} | $(fig1_ir "$name") |" \
			"$(ratio "${C_TX[$name]:-0}" "$ceil") | $bpc | ${C_GEN[$name]:-?} | ${C_DROP[$name]:-0} |" \
			"${C_C2C[$name]:--} | $(ring_of "$name") |"
	done
	report2_notes
}

# The order of the syn case's victims (fig2.sh, syn_scatter), in words.
syn_order_words() {
	if [ "$SYN_ORDER" = scatter ] && [ "$SYN_FILL" -gt 0 ]; then
		echo "a scattered slot order, as on a node that served traffic before"
	else
		echo "slot order, a fresh node's"
	fi
}

# The notes under figure 2's table: what each column counts.
report2_notes() {
	local k rx=""
	for k in "${CASES[@]}"; do
		k="${k%%:*}"
		[[ "$k" == base* ]] && rx="${rx:+$rx, }${C_RX[$k]:-?}"
	done
	echo
	echo "Cycles/packet: TSC cycles (${TSC2_HZ:-?} Hz) per forwarded packet in the case's best window,"
	echo "over the CPU time of the whole worker process (all its threads, /proc/PID/task/*/schedstat,"
	echo "the guest's clock): its PMDs' rx and tx (memif, null), the mbuf pool and the pipeline; the"
	echo "two-worker node's two workers summed, over their aggregate. The ceiling's: testpmd's whole"
	echo "process (its forwarding lcore's memif rx and null tx; its main lcore waits on its"
	echo "commands) over the packets it sent. Instructions/packet: figure 1's callgrind count"
	echo "(above) of the case named, the one that runs the same path: the pipeline in one process"
	echo "over ring ports, without the PMDs' work, so less than the cycles cover; syn: syn-full"
	echo "(a table at its capacity, as the SYN windows here leave it, each SYN evicting the oldest"
	echo "half-open connection; 65,536 connections there, its victims in slot order, $CONNS here,"
	echo "in $(syn_order_words): BENCH_SYN_ORDER); udp-big: $BIG flows"
	echo "at random ($FLOWS here); the ceiling: figure 1's baseline (rx, MAC swap, tx over"
	echo "the same ring ports). \"-\": figure 1 did not run or counted no instructions"
	echo "(BENCH_FIGURES without 1, no valgrind), or no case of figure 1 runs the same path (TCP"
	echo "over $TFLOWS flows; the generator alone)."
	echo "Received: the generator's rate (a memif sender sends only what the node takes off"
	echo "the ring); the ceiling's rows (testpmd's own receive rate), in their order: ${rx:--} Mpps."
	echo
	echo "Drops: the node's drop verdicts over all windows of the case (SYNs: a full"
	echo "connection table or no free local port once the windows have made ${CONNS} connections)."
	echo "Bytes per connection: the worker's connection memzone (entries, index, timer"
	echo "wheel, the side tables of sequence translations and IPv6 addresses at their default"
	echo "sizes) over its ${CONNS} connections: $CONN_ENTRY-byte entries and $CONN_INDEX bytes of"
	echo "index each (an IPv4 connection: $((CONN_ENTRY + ${CONN_INDEX%.*})) bytes), the rest reserved by"
	echo "the side tables; $CONN_MB MiB per worker."
}

report() {
	if has_fig 1; then
		report1
		report1_cg
	fi
	if has_fig 2; then
		report2
	fi
	report3
	report4
	report5
}

report3() {
	if [ "$CG" = 1 ] && has_fig 3; then
		echo
		echo "### Figure 3: the mbuf pool and the rings, instructions per mbuf (callgrind)"
		echo
		echo "dpvs-bench-pool: DPDK's pool (256-mbuf per-lcore cache, ring_mp_mc) beside the node's"
		echo "crash-safe one: with its default per-lcore cache of 64 in front of the dpvs_mag ops"
		echo "(dropped after a death, docs/crash-safety.md), and without a cache (mbuf_cache = 0);"
		echo "a worker's magazine. DPDK's rings beside shm/ring.h. An alloc and a free per mbuf,"
		echo "or an enqueue and a dequeue per object."
		echo
		echo "| Operation | DPDK | dpvs-mp, cache 64 | dpvs-mp, no cache |"
		echo "|---|---:|---:|---:|"
		echo "| rte_pktmbuf_alloc + rte_pktmbuf_free, one mbuf | ${POOLIR[single_dpdk]:-?} | ${POOLIR[single_node]:-?} | ${POOLIR[single_dpvs]:-?} |"
		echo "| alloc_bulk + free_bulk of 32, per mbuf | ${POOLIR[bulk_dpdk]:-?} | ${POOLIR[bulk_node]:-?} | ${POOLIR[bulk_dpvs]:-?} |"
		echo "| ring, bursts of 32, per object (DPDK: SP/SC; MP/MC) | ${POOLIR[ring32_sp]:-?}; ${POOLIR[ring32_mp]:-?} | ${POOLIR[ring32_dpvs]:-?} | ${POOLIR[ring32_dpvs]:-?} |"
		echo "| ring, one object (DPDK: SP/SC; MP/MC) | ${POOLIR[ring1_sp]:-?}; ${POOLIR[ring1_mp]:-?} | ${POOLIR[ring1_dpvs]:-?} | ${POOLIR[ring1_dpvs]:-?} |"
	fi
}

report_end() {
	echo
	echo "Reproduce: \`make bench\` (or \`tests/bench/run.sh\` after \`make all tests\`);"
	echo "BENCH_PACKETS, BENCH_SECONDS, BENCH_SYN_SECONDS, BENCH_SYN_ORDER, BENCH_ROUNDS, BENCH_FLOWS, BENCH_TCP_FLOWS, BENCH_CONNS,"
	echo "BENCH_MEMIF_RSIZE (a list), BENCH_MEMIF_BSIZE, BENCH_NODE_MEMIF_RSIZE, BENCH_NODE_MEMIF_BSIZE, BENCH_MEMIF_SMALL=0 (2,048-byte buffers),"
	echo "BENCH_NODE2_MEMIF_RSIZE, BENCH_TWO_WORKERS=0, BENCH_BIG_FLOWS (0: no udp-big),"
	echo "BENCH_CALLGRIND=0, BENCH_MEMFLOOR_FLOWS, BENCH_MEMFLOOR_MS change the run; BENCH_FIGURES=1 runs"
	echo "figure 1 alone."
}
