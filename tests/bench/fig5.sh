# tests/bench/fig5.sh: figure 5 of `make bench` (sourced by run.sh): the
# memory floor, build/tests/dpvs-bench-memfloor (tests/bench/memfloor.c):
# TSC cycles a packet when each packet pays k random cache lines of the
# node's connection layout (shm/conn.h) in the node's burst order, and
# nothing else: no frame, no parse, no rewrite, no port. For each of
# BENCH_MEMFLOOR_FLOWS (default "1000 1000000 10000000"; one whose table
# does not fit in the free hugepages is skipped, said in the report), the
# median of 3 samples of BENCH_MEMFLOOR_MS (default 50) ms a row, pinned to
# the last CPU (the node worker's); with other work a packet of about the
# node's 1-flow cost in cycles: 45 multiply-adds in one chain (/w45) and
# 160 in four (/p160: four times the instructions, a fuller core); and
# three rows with that work and memif's copy of frames that a neighbour on
# CPU 0 keeps writing, at the second flow count. About 13 s in all.

MF_BIN="$ROOT/build/tests/dpvs-bench-memfloor"
MF_FLOWS="${BENCH_MEMFLOOR_FLOWS:-1000 1000000 10000000}"
MF_MS="${BENCH_MEMFLOOR_MS:-50}"
# the rows (memfloor.c's -k): the floor, then with work
MF_ROWS="zero chain2 chain3 indep2 one lat chain2/a24 zero/w45 chain2/w45 one/w45 zero/p160
chain2/p160 chain2/a24/p160 indep2/p160 one/p160"
MF_NB_ROWS="zero/p160/c chain2/p160/c one/p160/c"
declare -A MF_CPP MF_MPPS MF_SKIP MF_MEM
MF_TSC="" MF_LOAD="" MF_NB_FLOWS=""

# mf_list WORD...: the words joined with commas
mf_list() {
	local IFS=,
	echo "$*"
}

# mf_parse OUTPUT: the MEMFLOOR lines into MF_CPP, MF_MPPS, MF_SKIP
mf_parse() {
	local tag row n cpp mpps rest
	while read -r tag row n cpp mpps rest; do
		case "$tag" in
		MEMFLOOR) MF_CPP[$row/$n]="$cpp" MF_MPPS[$row/$n]="$mpps" ;;
		MEMFLOOR_TSC) MF_TSC="$row" ;;
		MEMFLOOR_MEM) MF_MEM[$row]="$n MiB, $mpps $rest" ;;
		MEMFLOOR_SKIP) MF_SKIP[$row]="$n $cpp $mpps $rest" ;;
		esac
	done <<<"$1"
}

figure5() {
	local out cpu=$(($(nproc) - 1)) n
	[ -x "$MF_BIN" ] || die "missing $MF_BIN (run make tests)"
	MF_LOAD="$(cut -d' ' -f1 /proc/loadavg)"
	say "figure 5: the memory floor, flows $MF_FLOWS, ${MF_MS} ms x 3 a row on CPU $cpu (load $MF_LOAD)"
	out="$("$MF_BIN" -c "$cpu" -t "$MF_MS" -s 3 -n "$(mf_list $MF_FLOWS)" \
		-k "$(mf_list $MF_ROWS)")" || die "dpvs-bench-memfloor failed: $out"
	mf_parse "$out"
	for n in "${!MF_SKIP[@]}"; do say "figure 5: $n flows skipped: ${MF_SKIP[$n]}"; done
	# shellcheck disable=SC2086
	set -- $MF_FLOWS
	MF_NB_FLOWS="${2:-$1}"
	if [ "$cpu" -gt 0 ]; then
		out="$("$MF_BIN" -c "$cpu" -t "$MF_MS" -s 3 -n "$MF_NB_FLOWS" -B 0 \
			-k "$(mf_list $MF_NB_ROWS)")" || die "dpvs-bench-memfloor -B failed: $out"
		mf_parse "$out"
	fi
}

# mf_cell ROW FLOWS CEILING: "cycles (Mpps; ratio)" or the skip
mf_cell() {
	local c="${MF_CPP[$1/$2]:-}" m="${MF_MPPS[$1/$2]:-}"
	if [ -n "${MF_SKIP[$2]:-}" ]; then
		echo "skipped"
	elif [ -z "$c" ]; then
		echo "-"
	elif [ "${3:-0}" = 0 ]; then
		echo "$c ($m Mpps)"
	else
		echo "$c ($m Mpps; $(ratio "$m" "$3"))"
	fi
}

# mf_label ROW: what the row is
mf_label() {
	case "$1" in
	zero) echo "zero: the loop alone, every line in L1 (64 flows)" ;;
	chain2) echo "**chain2**: bucket then entry (2 random lines, chained; entries 4 packets ahead, the node's until 2026-12-03)" ;;
	chain3) echo "chain3: bucket then the entry's 2 lines (a TCP segment's 3, chained)" ;;
	indep2) echo "indep2: 2 random lines, both from the hash (both prefetched at the burst's start)" ;;
	one) echo "**one**: 1 random line (an index slot that holds what the packet needs)" ;;
	lat) echo "lat: 1 random line, each packet's address from the line before (one line's latency, no overlap)" ;;
	chain2/a24) echo "**chain2, entries 24 packets ahead**: the node's schedule now (worker/l2/rx_run.h)" ;;
	zero/w45) echo "zero + 45 multiply-adds of other work a packet in one chain (the work alone)" ;;
	chain2/w45 | indep2/w45 | one/w45) echo "${1%/w45} + the same work" ;;
	zero/p160) echo "zero + 160 multiply-adds in four chains (the same cycles, four times the instructions: a fuller core)" ;;
	chain2/a24/p160) echo "chain2, entries 24 packets ahead, + the four-chain work" ;;
	chain2/p160 | indep2/p160 | one/p160) echo "${1%/p160} + the four-chain work" ;;
	zero/p160/c+nb) echo "zero + the four-chain work + memif's copy: 32 frames a burst copied out of a ring that CPU 0 keeps writing" ;;
	chain2/p160/c+nb | one/p160/c+nb) echo "${1%/p160/c+nb} + the four-chain work + the copy, the ring written by CPU 0" ;;
	*) echo "$1" ;;
	esac
}

report5() {
	local ceil="" row n head="" sep="" cells pages=""
	has_fig 5 || return 0
	has_fig 2 && ceil="$(ceiling_of "")"
	for n in $MF_FLOWS; do
		[ -n "${MF_MEM[$n]:-}" ] && pages="${pages:+$pages; }$n flows ${MF_MEM[$n]}"
	done
	echo
	echo "### Figure 5: the memory floor, what k random cache lines a packet allow one core"
	echo
	echo "dpvs-bench-memfloor (tests/bench/memfloor.c), pinned to CPU $(($(nproc) - 1)): the node's connection"
	echo "index and entries (shm/conn.h: 64-byte buckets, DPVS_CONN_NBUCKETS(N) of them, and"
	echo "N 128-byte entries, in 2 MiB pages: ${pages:-?}) walked in bursts of 32 as the worker walks them"
	echo "(every bucket prefetched at the burst's start, each entry 4 or 24 packets ahead, found through"
	echo "its bucket's slot), flows in a stride walk ~0.618 N apart, each packet's entry written"
	echo "(in_pkts, expires_ns); no frame, no parse, no rewrite, no port: what those lines cost on the"
	echo "node's schedule, a model, not a bound (a deeper schedule of the same lines does better: by"
	echo "hand, \`-k chain2x/a8\`). TSC cycles a packet (rdtsc, ${MF_TSC:-?} Hz),"
	echo "the median of 3 samples of ${MF_MS} ms; Mpps: the TSC rate over them, what one core could"
	if [ -n "$ceil" ]; then
		echo "forward if the packet cost nothing else; ratio: to this run's 1-flow ceiling ($ceil Mpps)."
	else
		echo "forward if the packet cost nothing else (with figure 2 in the run, also the ratio to its ceiling)."
	fi
	echo "Load average (1 min) before: ${MF_LOAD:-?}."
	echo
	for n in $MF_FLOWS; do
		head="$head $n flows |"
		sep="$sep---:|"
	done
	echo "| Row |$head"
	echo "|---|$sep"
	for row in $MF_ROWS; do
		cells=""
		for n in $MF_FLOWS; do
			[ "${row%%/*}" = zero ] && n=64
			cells="$cells $(mf_cell "$row" "$n" "$ceil") |"
		done
		echo "| $(mf_label "$row") |$cells"
	done
	if [ -n "$MF_NB_FLOWS" ] && [ -n "${MF_CPP[chain2/p160/c+nb/$MF_NB_FLOWS]:-}" ]; then
		echo
		echo "With memif's copy, $MF_NB_FLOWS flows (a neighbour on CPU 0 writes 64-byte frames into a ring of"
		echo "1,024 slots 2 KiB apart without pause; each burst first copies its 32 frames out of it, as the"
		echo "worker's memif rx does):"
		echo
		echo "| Row | cycles (Mpps) |"
		echo "|---|---:|"
		for row in $MF_NB_ROWS; do
			n="$MF_NB_FLOWS"
			[ "${row%%/*}" = zero ] && n=64
			echo "| $(mf_label "$row+nb") | $(mf_cell "$row+nb" "$n" "") |"
		done
	fi
	echo
	echo "zero's rows run over a table of 64 flows of their own (the same code, every line in L1)."
	echo "The work (/w45, /p160) reads no memory and runs on from packet to packet; what the lines add"
	echo "to it is the row less its own 1,000-flow column (the same code, its lines in the core's caches;"
	echo "zero's row is up to 10 cycles off: one's and indep2's code is shorter than chain2's)."
	echo "The floor is the memory's part alone: the node also parses, rewrites and sends, copies"
	echo "every frame out of memif (lines another CPU wrote, which take line-fill buffers too), and"
	echo "the VM's host page size, the host's other tenants and the hardware prefetchers are as they"
	echo "are at that moment: a model on this machine at this time, not a prediction of the node."
}
