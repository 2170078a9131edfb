#!/usr/bin/env bash
# tests/leftovers_selftest.sh: tests/run-all.sh's check of what a test leaves
# behind, against a system test that leaks on purpose and exits 0.
#
# The leaking test (written to a directory of its own, run through
# RUN_ALL_SYSTEM_DIR) records an id as tests/system/lib.sh does and leaves a
# /tmp file of no suite name, a network namespace, a hugepage file, a
# /var/run/dpdk directory and a process in a session of its own. run-all.sh
# must fail it, name each of the five, and remove them.
#
# Needs root (network namespaces, /dev/hugepages). About a second.
# Out: "ok: ..." lines; status 0 if every check held, else 1 with what did not.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
[ "$(id -u)" -eq 0 ] || { echo "leftovers_selftest: needs root" >&2; exit 1; }
D="$(mktemp -d /tmp/dpvs-leftovers-selftest.XXXXXX)"
BAD=0

# shellcheck disable=SC2317  # (called by the trap)
cleanup() {
	# whatever the runner did not remove, so that nothing of ours stays
	if [ -n "${id:-}" ]; then
		kill -9 "$pid" 2>/dev/null
		ip netns del "${id}an" 2>/dev/null
		rm -rf "/tmp/leak-$id.txt" "/dev/hugepages/${id}a-leak" "/var/run/dpdk/${id}a"
	fi
	rm -rf "$D"
}
trap cleanup EXIT

cat >"$D/test_leak.sh" <<'EOF'
# leaks on purpose; names from an id, as tests/system/lib.sh makes them
id="sy$$"
echo "$id leak" >>"$DPVS_TEST_IDS_FILE"
echo leaked >"/tmp/leak-$id.txt"
ip netns add "${id}an"
# not <prefix>map_*: a primary starting anywhere on the host removes those
# that no process holds (DPDK's clear_hugedir)
touch "/dev/hugepages/${id}a-leak"
mkdir -p "/var/run/dpdk/${id}a"
# a process that outlives the test, in a session of its own
setsid sleep "3$$" >/dev/null 2>&1 </dev/null &
echo "leaked: $id $!"  # (a file would be a leftover too)
exit 0
EOF

out="$(RUN_ALL_SYSTEM_DIR="$D" bash tests/run-all.sh 'system/test_leak' 2>&1)"
rc=$?
printf '%s\n' "$out" | sed 's/^/  | /'
read -r id pid < <(sed -n 's/^ *leaked: //p' <<<"$out")
[ -n "${id:-}" ] || { echo "FAIL: the leaking test did not run"; exit 1; }

check() { # check WHAT CMD...: CMD must succeed
	local what="$1"
	shift
	if "$@"; then
		echo "ok: $what"
	else
		echo "FAIL: $what"
		BAD=1
	fi
}
# shellcheck disable=SC2317  # (called through check)
has() { grep -qF -- "$1" <<<"$out"; }
# gone, or a zombie until whoever inherited it reaps it
gone_proc() { ! ps -o stat= -p "$pid" | grep -qv '^Z'; }
gone_ns() { ! ip netns list | grep -qw -- "${id}an"; }

check "run-all.sh exits non-zero" [ "$rc" -ne 0 ]
check "the leaking test fails for what it left" has "FAIL system/test_leak (left behind:"
check "names the /tmp file" has "/tmp/leak-$id.txt"
check "names the network namespace" has "netns ${id}an"
check "names the hugepage file" has "/dev/hugepages/${id}a-leak"
check "names the /var/run/dpdk directory" has "/var/run/dpdk/${id}a"
check "names the process" has "(sleep 3${id#sy})"
check "removed the /tmp file" [ ! -e "/tmp/leak-$id.txt" ]
check "removed the network namespace" gone_ns
check "removed the hugepage file" [ ! -e "/dev/hugepages/${id}a-leak" ]
check "removed the /var/run/dpdk directory" [ ! -e "/var/run/dpdk/${id}a" ]
check "killed the process" gone_proc
exit "$BAD"
