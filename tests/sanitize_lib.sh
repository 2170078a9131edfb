# tests/sanitize_lib.sh: what the sanitizer runs share (sourced by
# tests/unit/run_asan.sh, tests/fixture/run_ubsan.sh and run_fxasan.sh).
#
# san_start TAG      LOGS, a new directory /tmp/dpvs-TAG.XXXXXX for the
#                    sanitizers' log_path files, removed at exit; also at
#                    exit, the EAL runtime directories (/var/run/dpdk/<tag><pid>:
#                    fx<pid>, tucp<pid>...) that appeared meanwhile and whose
#                    process is gone (a process halted by a report exits
#                    without its EAL cleanup) are removed
# san_units DIR WHO  every unit test DIR/test_* (CK_FORK=yes, 300 s each): one
#                    line each, a failed one's output after it; status 1 if
#                    any failed or none is built (WHO: the make target)
# san_reports N F... the sanitizer reports among files F (globs that matched
#                    nothing are skipped): the first 10, N lines of each
#                    without ASan's shadow-byte lines; status 1 if any
san_start() {
	LOGS="$(mktemp -d "/tmp/dpvs-$1.XXXXXX")"
	SAN_BEFORE="$(ls -d /var/run/dpdk/* 2>/dev/null)"
	trap san_cleanup EXIT
}

san_cleanup() {
	local d p
	for d in /var/run/dpdk/*; do
		[ -d "$d" ] || continue
		p="$(sed -n 's/^[a-z_]*\([0-9][0-9]*\)$/\1/p' <<<"${d##*/}")"
		[ -n "$p" ] || continue
		grep -qxF "$d" <<<"$SAN_BEFORE" && continue
		kill -0 "$p" 2>/dev/null || rm -rf "$d"
	done
	rm -rf "$LOGS"
}

san_units() {
	local t rc=0 units=("$1"/test_*)

	if [ ! -x "${units[0]}" ]; then
		echo "no $1/test_* (make $2)"
		return 1
	fi
	for t in "${units[@]}"; do
		[ -x "$t" ] || continue
		if CK_FORK=yes timeout -k 10 300 "$t" >"$LOGS/unit.out" 2>&1 </dev/null; then
			echo "PASS ${t##*/}"
		else
			echo "FAIL ${t##*/}"
			sed 's/^/    /' "$LOGS/unit.out"
			rc=1
		fi
	done
	return "$rc"
}

san_reports() {
	local n="$1" f shown=0

	shift
	for f in "$@"; do
		[ -e "$f" ] || continue
		shown=$((shown + 1))
		[ "$shown" -le 10 ] || continue
		echo "-- $(basename "$f")"
		grep -v '^  0x' "$f" | head -n "$n"
	done
	[ "$shown" -eq 0 ] && return 0
	echo "== $shown sanitizer report(s), at most 10 shown"
	return 1
}
