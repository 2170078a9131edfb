#!/usr/bin/env bash
# System test of the tests' own cleanup: a test interrupted while its node
# runs leaves nothing behind. helper_held_node.sh (a node, a ping and an HTTP
# server in its namespaces) is interrupted twice: by Ctrl-C (SIGINT to its
# whole process group, which timeout(1) forwards once more) and by SIGTERM to
# its timeout(1) only (what tests/run-all.sh does on Ctrl-C or at its
# deadline). Each time it must exit non-zero within 30 s, and no process,
# namespace, tap, hugepage file, /var/run/dpdk/<prefix> or temporary
# directory of its node may be left.
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

HELPER="$(dirname "$0")/helper_held_node.sh"

# left_of P SID: what is left of node prefix P and of session SID, the
# helper's (its ping and server too, which name no prefix); empty if nothing
left_of() {
	local p="$1" id="${1%?}" f
	pgrep -a -s "$2" | sed 's/^/process /; s/$/; /' | tr -d '\n'
	ip netns list | awk -v p="$p" 'index($1, p) == 1 { printf "netns %s; ", $1 }'
	for f in /dev/hugepages/"$p"* "/var/run/dpdk/$p" /tmp/dpvs-"$id"-helper_held_node.*; do
		[ -e "$f" ] && printf '%s; ' "$f"
	done
	pids_of_prefix "$p" | sed 's/^/pid /; s/$/; /' | tr -d '\n'
}
nothing_left() { [ -z "$(left_of "$1" "$2")" ]; }

# interrupt HOW: run the helper in a session of its own, wait until its node
# is up, interrupt it (HOW: int-group or term-timeout), check what is left
interrupt() {
	local how="$1" out="$T_DIR/held-$1.out" sid p rc
	# unbounded here, so that the helper runs under a timeout(1) of its own,
	# as a test started by hand does
	DPVS_TEST_BOUNDED='' setsid bash "$HELPER" >"$out" 2>&1 </dev/null &
	sid=$!
	T_BG_PIDS+=("$sid")
	held() { grep -q '^held: ' "$out"; }
	wait_until 90 held || fail "$how: the helper's node did not come up: $(tail -n 20 "$out")"
	p="$(sed -n 's/^held: //p' "$out")"
	log "$how: node $p up; interrupting"
	case "$how" in
	int-group)
		# and Ctrl-C again once its cleanup runs (t_cleanup printed the
		# primary's log): the cleanup must not stop halfway
		kill -INT -- "-$sid"
		cleaning() { grep -q 'last lines of primary.log' "$out"; }
		wait_until 20 cleaning && kill -INT -- "-$sid" 2>/dev/null
		;;
	term-timeout) kill -TERM "$sid" ;;
	esac
	wait_until 30 pid_gone "$sid" || fail "$how: the helper did not end within 30 s of the signal"
	wait "$sid"
	rc=$?
	[ "$rc" -ne 0 ] || fail "$how: the interrupted helper exited 0"
	log "$how: helper ended with status $rc"
	# the helper's cleanup is synchronous; a short deadline only covers
	# the kernel finishing the namespace and tap removal
	wait_until 5 nothing_left "$p" "$sid" || fail "$how: left behind by $p: $(left_of "$p" "$sid")"
	log "ok: $how: nothing of $p left"
}

interrupt int-group
interrupt term-timeout
exit 0
