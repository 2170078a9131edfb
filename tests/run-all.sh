#!/usr/bin/env bash
# tests/run-all.sh: run every test of dpvs-mp in order and summarise.
#
#   1. unit tests: every executable build/tests/test_* (Check, CK_FORK=yes),
#      then all of them again under AddressSanitizer with a bounded fuzz of
#      the control plane's parsers (tests/unit/run_asan.sh, `make asan`)
#   2. packet fixtures: /usr/bin/python3 tests/fixture/run_fixtures.py, then a
#      bounded fuzz run of the pipeline (tests/fixture/fuzz_pipeline.py, seeds
#      1-2, 1200 frames each, checksums kept valid and broken), and the fast
#      path against the general path over that corpus
#      (tests/fixture/diff_fast.py: dpvs-fixture and dpvs-fixture-general),
#      and these again under UndefinedBehaviorSanitizer (tests/fixture/
#      run_ubsan.sh, the runners of `make ubsan`), and the unit tests under it,
#      and the packet data's bounds under AddressSanitizer (tests/fixture/
#      run_fxasan.sh, the runners of `make fxasan`)
#   3. system tests: every tests/system/test_*.sh (root, network namespaces)
#   4. a check that nothing was left behind (processes, namespaces, hugepage
#      files, /var/run/dpdk/<prefix>) by the system tests
#
# In:  an optional PATTERN (shell glob on the test name) to run a subset;
#      TEST_TIMEOUT (seconds per system test, default 180). Run `make all tests`
#      first, `make ubsan` for fixture/ubsan, `make asan` for unit/asan and
#      `make fxasan` for fixture/fxasan (make check does all four).
# Out: each test's output, indented; one line per test "PASS|FAIL name (time)";
#      last line "N passed, M failed" (N, M count test programs and scripts).
#      Exit status 0 only if every test passed and at least one ran.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
PATTERN="${1:-*}"
PY=/usr/bin/python3
LOGDIR="$(mktemp -d /tmp/dpvs-run-all.XXXXXX)"
trap 'rm -rf "$LOGDIR"' EXIT   # also when this script dies early
PASSED=0
FAILED=0
RESULTS=()
CHILD=""
CUR_LOG=""
CUR_NAME=""

summary() {
	echo
	echo "==== results ===="
	local r
	for r in "${RESULTS[@]}"; do
		echo "$r"
	done
	rm -rf "$LOGDIR"
	echo "$PASSED passed, $FAILED failed"
}

# leftovers, sweep: what the system tests of this run (names in $IDS, see
# section 3) left behind. Only names of this run are looked at: other runs
# may be going on at the same time.
leftovers() {
	local id name what=""
	while read -r id name; do
		what+="$(ip netns list 2>/dev/null | awk -v id="$id" '$1 ~ "^" id "[a-z][a-z]$" { printf "netns %s; ", $1 }')"
		what+="$(ls /dev/hugepages 2>/dev/null | grep -E "^${id}[a-z]map_" | head -n 3 |
			sed 's|^|hugepage /dev/hugepages/|; s|$|; |' | tr -d '\n')"
		what+="$(ls /var/run/dpdk 2>/dev/null | grep -E "^${id}[a-z]\$" | sed 's|^|/var/run/dpdk/|; s|$|; |' | tr -d '\n')"
		what+="$(pgrep -a -f -- "--file-prefix[= ]${id}[a-z]( |\$)" | sed 's/$/; /' | tr -d '\n')"
		what+="$(ls -d "/tmp/dpvs-$id-$name".* 2>/dev/null | sed 's/$/; /' | tr -d '\n')"
	done <"$IDS"
	printf '%s' "$what"
}

# sweep: remove what a test killed by timeout -k could not clean itself
sweep() {
	local id name ns pid f
	while read -r id name; do
		for pid in $(pgrep -f -- "--file-prefix[= ]${id}[a-z]( |\$)"); do
			kill -9 "$pid" 2>/dev/null
		done
		for ns in $(ip netns list 2>/dev/null | awk -v id="$id" '$1 ~ "^" id "[a-z][a-z]$" { print $1 }'); do
			for pid in $(ip netns pids "$ns" 2>/dev/null); do
				kill -9 "$pid" 2>/dev/null
			done
			ip netns del "$ns"
		done
		for f in /dev/hugepages/"$id"[a-z]map_* /var/run/dpdk/"$id"[a-z] /tmp/dpvs-"$id"-"$name".*; do
			[ -e "$f" ] && rm -rf "$f"
		done
	done <"$IDS"
}

on_signal() {
	echo "run-all: interrupted" >&2
	if [ -n "$CHILD" ]; then
		# timeout(1) forwards TERM to the test, whose trap cleans up
		kill -TERM "$CHILD" 2>/dev/null
		wait "$CHILD" 2>/dev/null
		[ -n "$CUR_LOG" ] && sed 's/^/    /' "$CUR_LOG"
	fi
	# what a test killed halfway could not remove itself
	[ -n "${IDS:-}" ] && [ -s "$IDS" ] && sweep
	RESULTS+=("FAIL ${CUR_NAME:-run-all} (interrupted)")
	FAILED=$((FAILED + 1))
	summary
	exit 130
}
trap on_signal INT TERM

# run NAME LIMIT_S CMD...: run one test bounded in time, record its result
run() {
	local name="$1" limit="$2" rc t0 t1 log
	shift 2
	# shellcheck disable=SC2254
	case "$name" in
	$PATTERN) ;;
	*) return 0 ;;
	esac
	log="$LOGDIR/$(echo "$name" | tr '/ ' '__').log"
	echo "---- $name"
	t0="$(date +%s%N)"
	CUR_LOG="$log"
	CUR_NAME="$name"
	timeout -k 10 "$limit" "$@" >"$log" 2>&1 </dev/null &
	CHILD=$!
	wait "$CHILD"
	rc=$?
	CHILD=""
	CUR_LOG=""
	CUR_NAME=""
	t1="$(date +%s%N)"
	sed 's/^/    /' "$log"
	local took
	took="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1fs", (b - a) / 1e9 }')"
	if [ "$rc" -eq 0 ]; then
		PASSED=$((PASSED + 1))
		RESULTS+=("PASS $name ($took)")
		echo "PASS $name ($took)"
	else
		FAILED=$((FAILED + 1))
		# killed by timeout: its trap may not have run (bash runs a trap
		# only once the foreground command returns); what it left, such as
		# a hung primary spinning on a core, must not slow the tests after it
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			[ -n "${IDS:-}" ] && [ -s "$IDS" ] && LEFT_BY_TIMEOUT+="$(leftovers)" && sweep
		fi
		[ "$rc" -eq 124 ] && rc="$rc, timed out after ${limit}s"
		RESULTS+=("FAIL $name (exit $rc, $took)")
		echo "FAIL $name (exit $rc, $took)"
	fi
}

# record_fail NAME WHY: a test that could not even start
record_fail() {
	FAILED=$((FAILED + 1))
	RESULTS+=("FAIL $1 ($2)")
	echo "FAIL $1 ($2)"
}

LEFT_BY_TIMEOUT=""  # what tests killed by timeout left (swept at once)
# ---- 1. unit tests
export CK_FORK=yes
units=(build/tests/test_*)
if [ ! -e "${units[0]}" ]; then
	record_fail "unit" "no build/tests/test_* binaries: run make tests"
else
	for t in "${units[@]}"; do
		[ -x "$t" ] && [ -f "$t" ] || continue
		run "unit/$(basename "$t")" 300 "$t"
	done
fi

# the unit tests again under AddressSanitizer and UBSan (`make asan`,
# build/asan; make check builds them), then a bounded fuzz of the control
# plane's parsers (fuzz_ctl, fixed seeds); any report fails it
# (tests/unit/run_asan.sh)
case "unit/asan" in
$PATTERN)
	run "unit/asan" 600 bash tests/unit/run_asan.sh
	;;
esac

# ---- 2. packet fixtures
case "fixture/run_fixtures" in
$PATTERN)
	if [ -f tests/fixture/run_fixtures.py ]; then
		run "fixture/run_fixtures" 600 "$PY" tests/fixture/run_fixtures.py
	else
		record_fail "fixture/run_fixtures" "tests/fixture/run_fixtures.py missing"
	fi
	;;
esac
# the established sequence's cases again with the burst's prefetch stage at
# any table size (FX_PREFETCH_ALL, runner.c): the hash it carries to the
# lookup and the sequence's memo of the connection it found last (fast4.h)
# meet them, which the fixtures' small tables otherwise never show
case "fixture/run_fixtures_prefetch" in
$PATTERN)
	run "fixture/run_fixtures_prefetch" 300 env FX_PREFETCH_ALL=1 "$PY" \
		tests/fixture/run_fixtures.py -k fastseq
	;;
esac
# a bounded fuzz run (fixed seeds and frame count; `make fuzz` runs the rest)
case "fixture/fuzz_pipeline" in
$PATTERN)
	run "fixture/fuzz_pipeline" 300 "$PY" tests/fixture/fuzz_pipeline.py --seeds 1-2 \
		--frames 1200 --mode both
	;;
esac
# wk_ipv4_fast against wk_eth_input: the same results for every fuzz frame,
# in one mbuf or two, and the connections it made received again (seeds 1-2,
# about 25 s on an idle machine, two minutes under load; the bound is 300 s)
case "fixture/diff_fast" in
$PATTERN)
	run "fixture/diff_fast" 300 "$PY" tests/fixture/diff_fast.py --seeds 1-2 --frames 1500
	;;
esac
# the fixtures again with runners built under UndefinedBehaviorSanitizer
# (`make ubsan`, build/ubsan; make check builds them): every case, the
# established sequence's with FX_PREFETCH_ALL=1, diff_fast over one seed, then
# the unit tests built the same way; any report fails it (tests/fixture/run_ubsan.sh)
case "fixture/ubsan" in
$PATTERN)
	run "fixture/ubsan" 600 bash tests/fixture/run_ubsan.sh
	;;
esac
# the packet path's reads and writes of packet data against each frame's
# bounds: runners built under AddressSanitizer with every frame's head- and
# tailroom poisoned (`make fxasan`, build/fxasan; make check builds them),
# every case with broken copies of its frames, diff_fast over one seed; any
# report fails it (tests/fixture/run_fxasan.sh)
case "fixture/fxasan" in
$PATTERN)
	run "fixture/fxasan" 600 bash tests/fixture/run_fxasan.sh
	;;
esac

# ---- 3. system tests (each records its name prefix "sy<pid>" in IDS)
IDS="$LOGDIR/system-ids"
: >"$IDS"
export DPVS_TEST_BOUNDED=1 DPVS_TEST_IDS_FILE="$IDS"
for t in tests/system/test_*.sh; do
	[ -f "$t" ] || continue
	run "system/$(basename "$t" .sh)" "${TEST_TIMEOUT:-180}" bash "$t"
done
unset DPVS_TEST_BOUNDED DPVS_TEST_IDS_FILE

# ---- 4. nothing left behind by the system tests of this run
case "system/leftovers" in
$PATTERN)
	left="$(leftovers)${LEFT_BY_TIMEOUT}"
	if [ -z "$left" ]; then
		PASSED=$((PASSED + 1))
		RESULTS+=("PASS system/leftovers")
		echo "PASS system/leftovers"
	else
		record_fail "system/leftovers" "left behind: $left"
		sweep
	fi
	;;
esac

if [ $((PASSED + FAILED)) -eq 0 ]; then
	record_fail "run-all" "no test matched '$PATTERN'"
fi
summary
[ "$FAILED" -eq 0 ]
