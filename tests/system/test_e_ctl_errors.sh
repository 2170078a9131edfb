#!/usr/bin/env bash
# System test of dpvsctl's error paths against a running node: a bad address,
# an unknown port, a duplicate add, an unknown command and a missing socket
# each exit non-zero with a message, and change nothing (addr show unchanged).
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

node_start a 1
node_add_addr a
before="$(ctl a --json addr show)" || fail "addr show --json failed"
log "addr show before: $before"

# expect_error WHAT ARGS...: non-zero exit, a message on stderr or stdout
expect_error() {
	local what="$1" out rc
	shift
	out="$(ctl a "$@" 2>&1)"
	rc=$?
	[ "$rc" -ne 0 ] || fail "$what: dpvsctl $* exited 0 (output: $out)"
	[ -n "$out" ] || fail "$what: dpvsctl $* exited $rc without a message"
	log "ok: $what: exit $rc: $(printf '%s' "$out" | head -n 1)"
	now="$(ctl a --json addr show)"
	[ "$now" = "$before" ] || fail "$what changed the addresses: before $before, after $now"
}

expect_error "bad address" addr add 10.0.0.300/24 dev dpdk0
expect_error "not an address" addr add hello dev dpdk0
expect_error "bad prefix length" addr add 198.18.9.1/33 dev dpdk0
expect_error "unknown port" addr add 198.18.9.1/24 dev nosuch0
expect_error "duplicate add" addr add "$(node_addr a)/24" dev dpdk0
expect_error "delete of an absent address" addr del 198.18.9.9/24 dev dpdk0
expect_error "unknown command" frobnicate
expect_error "unknown subcommand" addr frob
expect_error "missing argument" addr add

out="$("$T_BIN/dpvsctl" -s "$T_DIR/no-such.sock" worker show 2>&1)"
rc=$?
[ "$rc" -ne 0 ] || fail "a missing socket: exit 0"
log "ok: missing socket: exit $rc: $out"

# IPv6 is accepted and shown, and can be deleted again
ctl a addr add 2001:db8::1/64 dev dpdk0 || fail "addr add IPv6"
assert_contains "addr show with IPv6" "2001:db8::1" "$(ctl a addr show)"
ctl a addr del 2001:db8::1/64 dev dpdk0 || fail "addr del IPv6"
assert_eq "addr show after add+del" "$before" "$(ctl a --json addr show)"
exit 0
