#!/usr/bin/env bash
# System test of dpvsctl's error paths against a running node: a bad address,
# an unknown port, a duplicate add, an unknown command and a missing socket
# each exit non-zero with a message, and change nothing (addr show unchanged);
# a message that echoes a name with a newline or an escape sequence prints
# them escaped, on one line.
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

# a message that echoes a name keeps its control characters escaped: one
# line, no escape sequence, no forged second line (from the daemon and from
# dpvsctl's own parser)
for args in "addr add 198.18.9.1/24 dev" "addr add"; do
	if [ "$args" = "addr add" ]; then
		out="$(ctl a addr add $'198.18.9.1\n-A -t 1.2.3.4:80\e[2J/24' dev dpdk0 2>&1)"
	else
		out="$(ctl a $args $'dpdk0\n-A -t 1.2.3.4:80\e[2J' 2>&1)"
	fi
	rc=$?
	[ "$rc" -ne 0 ] || fail "a name with a newline: exit 0 ($out)"
	assert_eq "lines of the message echoing a newline ($args)" 1 "$(printf '%s\n' "$out" | wc -l)"
	assert_contains "the message ($args)" '\n-A -t 1.2.3.4:80\x1b[2J' "$out"
	case "$out" in
	*$'\e'*) fail "the message ($args) holds a raw escape character" ;;
	esac
	log "ok: no raw escape character in the message ($args)"
done

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
