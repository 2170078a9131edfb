# tests/bench/fig13.sh: figures 1 and 3 of make bench, sourced by
# tests/bench/run.sh (its header says what they measure). In: run.sh's
# settings and helpers (PIPE, POOLB, PKTS, BIG, BIG_CACHES, FIG1_CASES,
# CG, D, say, die). Out: the tables CPP, IR, STAGE, the miss counts
# and POOLIR, which report.sh prints. Runs one process at a time in $D;
# starts nothing that outlives its call.

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
	if [ "$BIG" -gt 0 ]; then
		say "figure 1: udp-big, $BIG flows"
		out+=$'\n'"$("$PIPE" --packets "$PKTS" --lcore 1 --case udp-big \
			--big-flows "$BIG" 2>"$D/pipe.err")" || {
			cat "$D/pipe.err" >&2
			die "dpvs-bench-pipe failed (udp-big)"
		}
	fi
	while read -r line; do
		set -- $line
		[ "$1" = RESULT ] && CPP["$2/$3"]="$4"
		[ "$1" = TSC ] && TSC_HZ="$2"
	done <<<"$out"
	[ "$CG" = 1 ] || return 0
	figure1_misses
	n=9600
	for k in $FIG1_CASES; do
		say "figure 1: callgrind, $n packets of $k after 3200 of warm-up"
		# counted: the calls of bp_timed_* only, the same scope as the
		# cycles (the warm-up runs through bp_warm_*, pipe.c)
		valgrind --tool=callgrind --toggle-collect='bp_timed_*' \
			--callgrind-out-file="$D/cg.$k" "$PIPE" --packets "$n" \
			--warmup 3200 --case "$k" >/dev/null 2>&1 || {
			say "callgrind run of $k failed; no instruction counts"
			return 0
		}
		callgrind_annotate --inclusive=yes --threshold=100 "$D/cg.$k" >"$D/cg.$k.txt" 2>/dev/null
		callgrind_annotate --threshold=100 "$D/cg.$k" >"$D/cg.$k.self.txt" 2>/dev/null
		cg_stages "$D/cg.$k.txt" "$n" "$k" "$D/cg.$k.self.txt"
	done
}

# Simulated cache misses per packet (MISS[case/ir|d1|ll]) of udp-in and
# udp-big: callgrind --cache-sim=yes over the same scope as the instruction
# counts; udp-big's instrumentation starts once its connections are made
# (--instr-atstart=no, pipe.c), then 3200 packets of warm-up, not counted.
declare -A MISS
figure1_misses() {
	local k n=9600 args
	for k in udp-in udp-big; do
		args=(--case "$k" --only pipe --packets "$n" --warmup 3200 --lcore 1)
		if [ "$k" = udp-big ]; then
			[ "$BIG" -gt 0 ] || continue
			args+=(--big-flows "$BIG")
		fi
		say "figure 1: callgrind --cache-sim=yes, $n packets of $k"
		# shellcheck disable=SC2086
		valgrind --tool=callgrind --cache-sim=yes --instr-atstart="$([ "$k" = udp-big ] && echo no || echo yes)" \
			$BIG_CACHES --toggle-collect='bp_timed_*' --callgrind-out-file="$D/cgm.$k" \
			"$PIPE" "${args[@]}" >/dev/null 2>&1 || {
			say "callgrind cache run of $k failed; no miss counts"
			continue
		}
		callgrind_annotate --inclusive=yes "$D/cgm.$k" >"$D/cgm.$k.txt" 2>/dev/null
		read -r MISS["$k/ir"] MISS["$k/d1"] MISS["$k/ll"] \
			<<<"$(cg_misses "$D/cgm.$k.txt" "$n" 'pipe\.c:bp_timed_pipe')"
		read -r MISS["$k/rir"] MISS["$k/rd1"] MISS["$k/rll"] \
			<<<"$(cg_misses "$D/cgm.$k.txt" "$n" 'rx\.c:wk_rx_burst \[')"
	done
}

# cg_misses ANNOTATION PACKETS FUNCTION-REGEX: "instr D1-misses LL-misses"
# per packet, inclusive, of the first function line matching the regex.
cg_misses() {
	awk -v n="$2" -v fn="$3" '
		/^Events recorded:/ { for (i = 3; i <= NF; i++) e[i - 2] = $i }
		$0 ~ fn && !done {
			j = 0
			for (i = 1; i <= NF && j < length(e); i++) {
				if ($i ~ /^\(/) continue
				v = $i; gsub(",", "", v); if (v == ".") v = 0
				c[e[++j]] = v
			}
			done = 1
		}
		END { printf "%.0f %.2f %.2f\n", c["Ir"] / n, (c["D1mr"] + c["D1mw"]) / n,
			(c["DLmr"] + c["DLmw"]) / n }' "$1"
}

# cg_stages ANNOTATION PACKETS CASE: instructions per packet of the whole
# iteration (IR[case/pipe], IR[case/base]) and of its stages (STAGE[case/x]),
# from callgrind's inclusive counts per function (the largest of a
# function's lines: callgrind_annotate also lists the part of a function
# that code inlined from another file, a header, costs, under that file's
# name; the whole function's line is the largest):
#   rx     rx burst, eth, ipv4 checks, hooks, ipvs parse, the burst's
#          prefetch pass, verdict dispatch (wk_rx_port less what follows)
#   ipvs   the ipvs core with its connection lookup (one column: the
#          lookup's home bucket is inline in wk_ipvs_pkt, conn_lookup.h, so
#          it no longer has a function of its own) and the burst's prefetch
#          of the index: state, timer, counters, rate and ACL checks, and
#          for a SYN the scheduling and the new connection
#   xmit   rewrite, route, neighbour, Ethernet header (wk_xmit)
#   tx     into the tx buffer, and the burst to the driver
#   loop   the loop's other polls (rings, timers, RCU, heartbeat)
# The fast path's sequence for an established IPv4 connection is inline in
# the burst loop with the IPv4 entry (ipv4_fast.h, worker/ipvs/fast4.h:
# wk_rx_burst, wk_rx_run_pf, and wk_ipv4_fast_rc or wk_ipv4_fast_hint
# where the loop calls the entry): its parts are told apart by the
# header each instruction comes from, from the exclusive counts (SELF, the
# 4th argument): the lookup, timer and counters (fast4.h, conn_*.h, the
# crc and SSE intrinsics, ipvs_priv.h) to ipvs, and so the burst's
# prefetch of the index (conn_table.h and the intrinsics in
# rx_prefetch_stage and the loop), the rewrite, route and
# neighbour (xmit4.h, xmit.h, lbpath.h, l3.h, worker.h: the set's stamp) to
# xmit, the tx buffer's store inline in the rx loop (txbuf.h) to tx, and
# the lookup's calls from fast4.h (past a full home bucket) to ipvs. TCP's
# copy of the sequence is a function of its own (wk_ipvs_fast4_tcp, a
# .constprop clone; wk_fast4_tcp its general way), told apart the same way,
# its lean window tracking (tcp_window.h) to ipvs. The
# general path after the lookup is wk_ipvs_pkt_at (wk_ipvs_pkt when the
# packet took that way in); a TCP packet without a connection for the
# service that the burst found last goes from fast4.h to wk_ipvs_new, to
# ipvs but for the IPv4 rewrite and frame of its first packet, inline there
# (xmit4.h, lbpath.h, l3.h, rte_ether.h: xmit).
declare -A STAGE
cg_stages() {
	local out
	out="$(awk -v n="$2" '
		FNR == 1 { self = (FILENAME == SELF); on = 0; src = "" }
		/^-- Auto-annotated source: / { src = $NF; sub(/^.*\//, "", src) }
		# the walk of the lookup past the home bucket, called from fast4.h
		!self && src == "fast4.h" && /=> .*:wk_conn_lookup_(on|hash) / {
			v = $1; gsub(",", "", v); fl += v
		}
		# the new connections made from wk_ipvs_pkt_at (a burst of
		# SYNs: its first), counted once: the line of wk_ipvs_new
		# itself has them all (fast4.h calls it too, for a SYN of the
		# service that the burst found last)
		!self && src == "ipvs.c" && /=> .*:wk_ipvs_new / {
			v = $1; gsub(",", "", v); pn += v
		}
		/file:function$/ { on = 1; next }
		on && /^-- Auto-annotated/ { on = 0 }
		on && /^ *[0-9,]+ / {
			v = $1; gsub(",", "", v)
			for (i = 2; i <= NF; i++) if ($i ~ /:/ && $i !~ /^\[/) f = $i
			if (self) {
				h = f; sub(/:[^:]*$/, "", h); sub(/^.*\//, "", h)
				g = f; sub(/^.*:/, "", g)
				tcpf = g ~ /^(wk_fast4_tcp|wk_ipvs_fast4_tcp)(\.|$)/
				# the entry and its sequence, inline in the burst
				# loop too (ipv4_fast.h, wk_rx_burst in rx.c and
				# its out-of-line parts rx_run_call,
				# rx_prefetch_stage and wk_rx_run_pf, rx_pf.c);
				# there the prefetch of the
				# index (conn_table.h and the intrinsics)
				# counts here, to ipvs
				rxf = g ~ /^(wk_ipv4_fast_hint|wk_ipv4_fast_rc|wk_rx_burst|wk_rx_run_pf|rx_run_call|rx_prefetch_stage)(\.|$)/
				if (rxf || tcpf) {
					if (h ~ /^(fast4\.h|conn_lookup\.h|conn_table\.h|conn_addr\.h|ipvs_priv\.h|rte_crc_x86\.h|smmintrin\.h|emmintrin\.h|tcp_window\.h)$/)
						fi += v
					if (h ~ /^(xmit4\.h|xmit\.h|lbpath\.h|l3\.h|worker\.h)$/)
						fx += v
				}
				# in the TCP part (a function of its own) the
				# Ethernet header is written: xmit, not parse
				if (tcpf && h == "rte_ether.h")
					fx += v
				if (rxf && h == "txbuf.h")
					ft += v
				# the first packet of a new IPv4 TCP
				# connection, rewritten and framed inline in
				# wk_ipvs_new (ipvs_new.c conn_xmit_new)
				if (g ~ /^wk_ipvs_new(\.|$)/ &&
				    h ~ /^(xmit4\.h|lbpath\.h|l3\.h|rte_ether\.h)$/)
					fn += v
				next
			}
			sub(/^.*:/, "", f); sub(/\..*$/, "", f)
			if (!(f in c) || v + 0 > c[f] + 0) c[f] = v
		}
		END {
			t = c["bp_timed_pipe"]; b = c["bp_timed_base"]
			tx = c["wk_tx_enqueue_verdict"] + c["wk_tx_flush_all"] + ft
			pf = fp
			x = c["wk_xmit"] + fx + fn
			ic = c["wk_ipvs_pkt"] > 0 ? c["wk_ipvs_pkt"] : c["wk_ipvs_pkt_at"]
			ic += c["wk_ipvs_new"] - pn
			# the window and state of an established TCP segment
			# (called from wk_fast4_tcp, the TCP part of the sequence)
			te = c["wk_ipvs_tcp_est"]
			ip = ic - c["wk_xmit"] - fn + pf + fi + fl + te
			rx = c["wk_rx_port"] - ic - c["wk_tx_enqueue_verdict"] - ft
			rx -= pf + fi + fx + fl + te
			lp = t - c["wk_rx_port"] - c["wk_tx_flush_all"]
			printf "%.0f %.0f %.0f %.0f %.0f %.0f %.0f\n", t / n, b / n, rx / n, ip / n,
				x / n, tx / n, lp / n
		}' SELF="${4:-}" "$1" ${4:+"$4"})"
	[ -n "$out" ] || return 0
	read -r IR["$3/pipe"] IR["$3/base"] STAGE["$3/rx"] STAGE["$3/ipvs"] STAGE["$3/xmit"] \
		STAGE["$3/tx"] STAGE["$3/loop"] <<<"$out"
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
	for f in single_dpdk single_node single_dpvs bulk_dpdk bulk_node bulk_dpvs ring32_sp ring32_mp ring32_dpvs \
		ring1_sp ring1_mp ring1_dpvs; do
		v="$(callgrind_annotate --inclusive=yes "$D/cg.pool" 2>/dev/null |
			awk -v f="bp_$f" '$0 ~ ("poolbench.c:" f "[ .]") { gsub(",", "", $1); print $1; exit }')"
		[ -n "$v" ] && POOLIR[$f]="$(awk -v a="$v" -v b="$n" 'BEGIN { printf "%.0f", a / b }')"
	done
}
