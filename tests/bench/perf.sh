# tests/bench/perf.sh: BENCH_PERF=1's profiles of figure 2's windows, sourced
# by tests/bench/run.sh (uses its D, NODE_P and say).

# BENCH_PERF=1: `perf record -e cpu-clock -g` on the node's worker during
# the window of stream S ($D/perf.S.T, T the window's start), and the share
# of each symbol ($D/perf.S.T.txt, also on stderr). perf_start S [PID]
# (PID: another process to record, testpmd in the ceiling's windows) prints
# the pid of the recording (not our child: perf_report waits for it by pid).
perf_start() {
	local w="${2:-}"
	[ -n "$w" ] || w="$(pgrep -f -- "dpvs-worker.*$NODE_P" | head -1)"
	[ -n "$w" ] || return 0
	perf record -q -e cpu-clock -g -p "$w" -o "$D/perf.$1.$(date +%s%N)" >/dev/null 2>&1 &
	echo $!
}
perf_report() {
	local f n=0
	while kill -0 "$2" 2>/dev/null && [ "$n" -lt 200 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	f="$(ls -t "$D"/perf."$1".* 2>/dev/null | grep -v '\.txt$' | head -1)"
	[ -n "$f" ] || return 0
	{
		# by object first: the node's own code against DPDK's PMDs and libraries
		perf report -i "$f" --no-children --sort dso --stdio -g none 2>/dev/null |
			grep -E '^ +[0-9.]+%' | head -8
		perf report -i "$f" --no-children --sort symbol --stdio -g none 2>/dev/null |
			grep -E '^ +[0-9.]+%' | head -25
	} >"$f.txt"
	say "perf of $1 ($f):"
	sed 's/^/    /' "$f.txt" >&2
}
