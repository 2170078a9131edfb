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
#      files, /var/run/dpdk/<prefix>) by the system tests, and
#      tests/leftovers_selftest.sh (the per-test check below catches a test
#      that leaks on purpose)
#
# After every test (unit, fixture, system) the runner looks for what that test
# left behind and fails it if anything is there, naming each thing, then
# removes it so that the next test is not blamed (run, check_left and
# sweep_left below). A test runs with a group id of its own (setpriv --regid;
# the uid stays 0, so it keeps root's capabilities): 1000000000 + (this
# runner's pid % 1000000) x 1000 + the test's number. Every file and process
# the test makes carries it, so these are its leftovers, whatever their names:
#   processes whose real gid is the test's;
#   files and directories of its group in /tmp, /dev/shm, /var/run/dpdk
#   and every hugetlbfs mount (/dev/hugepages), up to 3 levels deep, the
#   topmost of each tree named.
# Namespaces and links carry no group: a network namespace or a link of the
# root namespace (veth, tap, tun, any kind) that was not there before the
# test is its leftover when its name begins with one of the test's ids
# ("sy<pid>" followed by a letter, recorded by tests/system/lib.sh); another
# new one is only noted (a tool's on this host), unless it is named as other
# runs of the suite and benchmarks name theirs (sy<pid>, b<pid>).
# The rule is by owner, not by a diff of names, because other runs of this
# suite, benchmarks, compilers (cc*.s) and other users write /tmp at the same
# time on a busy host: a name diff would blame the test for them, and a
# per-test TMPDIR would miss the paths a test writes directly (/tmp/foo). Not
# seen: files a test makes as another user (runuser) or outside these
# directories, processes that change their gid (nginx's workers die with
# their master, which keeps it). A test whose things are still going away
# gets up to 3 s before it is blamed. A test must not assume gid 0 (a
# socket's or a file's group is the test's gid).
#
# In:  an optional PATTERN (shell glob on the test name) to run a subset;
#      TEST_TIMEOUT (seconds per system test, default 180);
#      RUN_ALL_SYSTEM_DIR (default tests/system: where the system tests are,
#      for tests/leftovers_selftest.sh). Run `make all tests`
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
IDS="$LOGDIR/system-ids"       # "id name" of each system test (lib.sh)
: >"$IDS"
PASSED=0
FAILED=0
RESULTS=()
CHILD=""
CUR_LOG=""
CUR_NAME=""
CUR_GID=""

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

# netns_purge NS: kill what runs in network namespace NS, then delete it
netns_purge() {
	local pid
	for pid in $(ip netns pids "$1" 2>/dev/null); do
		kill -9 "$pid" 2>/dev/null
	done
	ip netns del "$1" 2>/dev/null
}

# sweep: remove what a test killed by timeout -k could not clean itself
sweep() {
	local id name ns pid f
	while read -r id name; do
		for pid in $(pgrep -f -- "--file-prefix[= ]${id}[a-z]( |\$)"); do
			kill -9 "$pid" 2>/dev/null
		done
		for ns in $(ip netns list 2>/dev/null | awk -v id="$id" '$1 ~ "^" id "[a-z][a-z]$" { print $1 }'); do
			netns_purge "$ns"
		done
		for f in /dev/hugepages/"$id"[a-z]map_* /var/run/dpdk/"$id"[a-z] /tmp/dpvs-"$id"-"$name".*; do
			[ -e "$f" ] && rm -rf "$f"
		done
	done <"$IDS"
}

# ---- what one test left behind (see the header)
GID_BASE=$((1000000000 + ($$ % 1000000) * 1000))
NTEST=0
KEEP="$(realpath -m "${T_KEEP_FAILED:-/nonexistent}")"  # kept on purpose (lib.sh)
# test_ca_restart_hogs's flock file, shared with benchmarks: it may create it
HOG_LOCK="$(realpath -m "${DPVS_TEST_HOG_LOCK:-/nonexistent}")"
LEFT=""   # set by check_left: what the test left, "what; what; "
NOTE=""   # and the new names it is not blamed for
GOING=""  # its processes still exiting (counted after 15 s)
LEFT_NS=() LEFT_LINKS=()

# names_now: network namespaces and the root namespace's links, sorted,
# one "netns NAME" or "link NAME" a line
names_now() {
	{
		ip netns list 2>/dev/null | awk '{ print "netns " $1 }'
		ip -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print "link " $2 }'
	} | sort
}

# files_of GID: the topmost files and directories of group GID where tests
# write (T_KEEP_FAILED's copies are kept on purpose)
files_of() {
	local d dirs=(/tmp /dev/shm /var/run/dpdk /var/tmp /run/dpvs /dev/mqueue)
	while read -r d; do
		dirs+=("$d")
	done < <(awk '$3 == "hugetlbfs" { print $2 }' /proc/mounts)
	find "${dirs[@]}" -xdev -mindepth 1 -maxdepth 3 \( -path "$KEEP" -prune \) -o \
		\( -path "$HOG_LOCK" -prune \) -o \
		\( -group "$1" -prune -print \) 2>/dev/null
}

# exiting PID: the process is past exit() (PF_EXITING in /proc/PID/stat's
# flags, the 7th field after the command): a killed process still unmapping
# its hugepages or closing its taps, not a leftover yet
exiting() {
	local s f
	read -r s 2>/dev/null <"/proc/$1/stat" || return 1
	s="${s##*) }"
	read -r _ _ _ _ _ _ f _ <<<"$s"
	[ -n "$f" ] && (( f & 4 ))
}

# check_left GID BEFORE IDS: LEFT, NOTE, LEFT_NS and LEFT_LINKS for the test
# run with GID; BEFORE is names_now from before it, IDS its ids (sy<pid> ...)
check_left() {
	local gid="$1" before="$2" ids="$3" pid stat args f kind name id
	LEFT="" NOTE="" GOING="" LEFT_NS=() LEFT_LINKS=()
	# zombies are not counted: whoever inherited them reaps them; exiting
	# ones are waited for longer (GOING, see run)
	while read -r pid stat args; do
		[ "${stat#Z}" = "$stat" ] || continue
		if exiting "$pid"; then
			GOING+="process $pid (exiting: ${args:0:80}); "
		else
			LEFT+="process $pid (${args:0:80}); "
		fi
	done < <(ps -G "$gid" -o pid=,stat=,args= 2>/dev/null)
	while IFS= read -r f; do
		LEFT+="$f; "
	done < <(files_of "$gid")
	while read -r kind name; do
		for id in $ids; do
			case "$name" in
			"$id"[a-z]*)
				LEFT+="$kind $name; "
				if [ "$kind" = netns ]; then
					LEFT_NS+=("$name")
				else
					LEFT_LINKS+=("$name")
				fi
				continue 2
				;;
			esac
		done
		# another run's (lib.sh's sy<pid>, tests/bench's b<pid>): not noted
		[[ "$name" =~ ^(sy|b)[0-9]+[a-z] ]] || NOTE+="$kind $name; "
	done < <(comm -13 <(printf '%s\n' "$before") <(names_now))
}

# sweep_left GID: remove what check_left found (processes first: they may
# hold the rest)
sweep_left() {
	local gid="$1" pid ns l
	for pid in $(ps -G "$gid" -o pid= 2>/dev/null); do
		kill -9 "$pid" 2>/dev/null
	done
	for ns in "${LEFT_NS[@]}"; do
		netns_purge "$ns"
	done
	for l in "${LEFT_LINKS[@]}"; do
		ip link del "$l" 2>/dev/null
	done
	# --one-file-system: a mount left under a leftover is not emptied
	files_of "$gid" | while IFS= read -r f; do rm -rf --one-file-system "$f"; done
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
	[ -n "$CUR_GID" ] && sweep_left "$CUR_GID"
	RESULTS+=("FAIL ${CUR_NAME:-run-all} (interrupted)")
	FAILED=$((FAILED + 1))
	summary
	exit 130
}
trap on_signal INT TERM

# run NAME LIMIT_S CMD...: run one test bounded in time with a group id of
# its own, record its result; what it left behind fails it (check_left)
run() {
	local name="$1" limit="$2" rc t0 t1 log gid before nids ids
	shift 2
	# shellcheck disable=SC2254
	case "$name" in
	$PATTERN) ;;
	*) return 0 ;;
	esac
	log="$LOGDIR/$(echo "$name" | tr '/ ' '__').log"
	echo "---- $name"
	NTEST=$((NTEST + 1))
	gid=$((GID_BASE + NTEST % 1000))
	before="$(names_now)"
	nids="$(wc -l <"$IDS")"
	t0="$(date +%s%N)"
	CUR_LOG="$log"
	CUR_NAME="$name"
	CUR_GID="$gid"
	timeout -k 10 "$limit" setpriv --regid="$gid" --keep-groups -- "$@" >"$log" 2>&1 </dev/null &
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
	# killed by timeout: its trap may not have run (bash runs a trap only
	# once the foreground command returns); what it left, such as a hung
	# primary spinning on a core, must not slow the tests after it
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		[ -s "$IDS" ] && LEFT_BY_TIMEOUT+="$(leftovers)" && sweep
	fi
	local status="exit $rc"
	[ "$rc" -eq 124 ] && status+=", timed out after ${limit}s"
	# what it left: a few seconds for what is still going away
	ids="$(tail -n "+$((nids + 1))" "$IDS" | awk '{ print $1 }')"
	# (3 s; 15 s while only processes already exiting remain: a loaded
	# host's kernel may take seconds to tear a killed DPDK process down)
	local i
	for i in $(seq 150); do
		check_left "$gid" "$before" "$ids"
		[ -z "$LEFT" ] && [ -z "$GOING" ] && break
		[ -n "$LEFT" ] && [ "$i" -ge 30 ] && break
		sleep 0.1
	done
	LEFT+="$GOING"
	[ -n "$NOTE" ] && echo "    run-all: appeared during $name, not its names: $NOTE"
	if [ -n "$LEFT" ]; then
		echo "    run-all: $name left behind (removed now): $LEFT"
		sweep_left "$gid"
	fi
	CUR_GID=""
	if [ "$rc" -eq 0 ] && [ -z "$LEFT" ]; then
		PASSED=$((PASSED + 1))
		RESULTS+=("PASS $name ($took)")
		echo "PASS $name ($took)"
		return 0
	fi
	FAILED=$((FAILED + 1))
	if [ "$rc" -eq 0 ]; then
		status="left behind: ${LEFT%; }"
	elif [ -n "$LEFT" ]; then
		status+="; left behind: ${LEFT%; }"
	fi
	RESULTS+=("FAIL $name ($status, $took)")
	echo "FAIL $name ($status, $took)"
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
export DPVS_TEST_BOUNDED=1 DPVS_TEST_IDS_FILE="$IDS"
for t in "${RUN_ALL_SYSTEM_DIR:-tests/system}"/test_*.sh; do
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
# the per-test check (run, check_left) against a test that leaks on purpose
case "system/leftovers_selftest" in
$PATTERN)
	run "system/leftovers_selftest" 60 bash tests/leftovers_selftest.sh
	;;
esac

if [ $((PASSED + FAILED)) -eq 0 ]; then
	record_fail "run-all" "no test matched '$PATTERN'"
fi
summary
[ "$FAILED" -eq 0 ]
