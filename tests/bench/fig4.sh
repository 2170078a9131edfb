# tests/bench/fig4.sh: figure 4 of `make bench` (sourced by run.sh): the
# rebuild of a connection table by a worker that takes over a dead one's
# (wk_conn_rebuild, build/tests/dpvs-bench-rebuild, tests/bench/rebuild.c):
# ns per connection, best and median of 3 rebuilds of the same array, for
# each of BENCH_REBUILD (default "1000000 10000000") connections, and with
# callgrind the instructions per connection of one rebuild of the first
# size. A size whose table does not fit in what is free (hugepages, else
# ordinary memory; 10,000,000 take about 1,700 MiB) is skipped, and said.

REBUILD_N="${BENCH_REBUILD:-1000000 10000000}"
REBUILD_BIN="$ROOT/build/tests/dpvs-bench-rebuild"
declare -A RB_BEST RB_MED RB_MS RB_PAGES RB_SKIP
RB_IR=""
RB_LOAD=""

# MiB free for a table: hugepages, or ordinary memory less 1 GiB of margin
# (BENCH_REBUILD_FREE_MIB instead, to try the skip)
rebuild_free_mib() {
	[ -n "${BENCH_REBUILD_FREE_MIB:-}" ] && { echo "$BENCH_REBUILD_FREE_MIB"; return; }
	awk '/^HugePages_Free:/ { h = $2 * 2 } /^MemAvailable:/ { m = int($2 / 1024) - 1024 }
		END { print (h > m ? h : m) }' /proc/meminfo
}

figure4() {
	local n need free out first=""
	[ -x "$REBUILD_BIN" ] || die "missing $REBUILD_BIN (run make tests)"
	RB_LOAD="$(cut -d' ' -f1 /proc/loadavg)"
	for n in $REBUILD_N; do
		[ -n "$first" ] || first="$n"
		need="$("$ROOT/build/tests/dpvs-bench-connmem" $((n + n / 100)) | awk '{ printf "%d", $6 + 1 }')"
		free="$(rebuild_free_mib)"
		if [ "${need:-0}" -gt "$free" ]; then
			RB_SKIP[$n]="skipped: the table needs $need MiB, $free MiB free"
			say "figure 4: $n connections ${RB_SKIP[$n]}"
			continue
		fi
		say "figure 4: rebuild of $n connections ($need MiB), 3 rounds (load $(cut -d' ' -f1 /proc/loadavg))"
		out="$("$REBUILD_BIN" "$n" 3)" || die "dpvs-bench-rebuild $n failed"
		if [ "$(awk '{ print $3 }' <<<"$out")" = skip ]; then
			RB_SKIP[$n]="skipped: ${out#*skip }"
			say "figure 4: $n connections ${RB_SKIP[$n]}"
			continue
		fi
		read -r _ _ _ _ RB_BEST[$n] RB_MED[$n] RB_MS[$n] RB_PAGES[$n] <<<"$out"
		say "figure 4: $n connections: ${RB_BEST[$n]} ns per connection (${RB_MS[$n]} ms)"
	done
	if [ "$CG" = 1 ] && [ -n "$first" ] && [ -z "${RB_SKIP[$first]:-}" ]; then
		say "figure 4: callgrind, one rebuild of $first connections"
		RB_IR="$(valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$D/cg.rebuild" \
			"$REBUILD_BIN" "$first" 1 2>&1 | awk -v n="$first" '/Collected :/ { printf "%.0f", $NF / n }')"
	fi
}

report4() {
	local n
	has_fig 4 || return 0
	echo
	echo "### Figure 4: a taking-over worker's rebuild of the connection table"
	echo
	echo "dpvs-bench-rebuild N (tests/bench/rebuild.c): wk_conn_rebuild over a dead worker's"
	echo "table of N full-NAT connections (slots 0..N-1 of N * 1.01, 3 in 4 UDP, timers over"
	echo "300 s), the time before the worker forwards; best and median of 3 rebuilds; load"
	echo "average ${RB_LOAD:-?} when it began (memory-bound: other processes' traffic counts)."
	echo
	echo "| Connections | ns per connection (best) | (median) | rebuild, ms | memory |"
	echo "|---:|---:|---:|---:|---|"
	for n in $REBUILD_N; do
		if [ -n "${RB_SKIP[$n]:-}" ]; then
			echo "| $n | ${RB_SKIP[$n]} | | | |"
		else
			echo "| $n | ${RB_BEST[$n]:-?} | ${RB_MED[$n]:-?} | ${RB_MS[$n]:-?} | ${RB_PAGES[$n]:-?} |"
		fi
	done
	[ -n "$RB_IR" ] && { echo; echo "Instructions per connection (callgrind, one rebuild of $(set -- $REBUILD_N; echo "$1")): $RB_IR."; }
	return 0
}
