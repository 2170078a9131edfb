#!/usr/bin/env bash
# tests/unit/run_asan.sh: the unit tests and the control plane's fuzz under
# AddressSanitizer (and UBSan), every report fatal.
#
# Runs every unit test of build/asan/tests (`make asan`: the tests and the
# libraries they link built with -fsanitize=address,undefined; test_*,
# CK_FORK=yes, LeakSanitizer on: a leak fails the test whose process leaked),
# then the fuzz harness fuzz_ctl (tests/unit/fuzz_ctl.c: mutated requests
# through the handler and onto a heap copy of the config set, rules files,
# dpvsctl's arguments, dpvs.conf, reloads, dpvsctl's output) for fixed seeds
# and iteration counts (about 30 s a seed on this 2-core host).
# ASan and UBSan write their reports to files of their own (log_path), so that
# one is seen even where a test expects its child to fail; any fails the test.
# Builds nothing. DPDK's memory (hugepages, or --no-huge's anonymous maps) is
# not instrumented: an overflow inside a memzone goes unseen.
#
# In:  BUILD_ASAN (default build/asan/tests), ASAN_FUZZ_SEEDS (default "1 2"),
#      ASAN_FUZZ_ITER (iterations a seed, default 10000).
# Out: one line a unit test (its output if it failed), the fuzz's summary,
#      then any report; exit status 0 only if all passed and no report was
#      written.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. tests/sanitize_lib.sh
RUN="${BUILD_ASAN:-build/asan/tests}"

if [ ! -x "$RUN/fuzz_ctl" ]; then
	echo "run_asan: $RUN/fuzz_ctl not built (make asan)"
	exit 1
fi
san_start asan
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:log_path=$LOGS/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$LOGS/ubsan"

rc=0
echo "== unit tests"
san_units "$RUN" asan || rc=1
for s in ${ASAN_FUZZ_SEEDS:-1 2}; do
	echo "== fuzz_ctl -s $s -n ${ASAN_FUZZ_ITER:-10000}"
	timeout -k 10 300 "$RUN/fuzz_ctl" -s "$s" -n "${ASAN_FUZZ_ITER:-10000}" </dev/null || rc=1
done

san_reports 40 "$LOGS"/asan.* "$LOGS"/ubsan.* || rc=1
exit "$rc"
