#!/usr/bin/env bash
# System test of the dpvsctl interface the acceptance tests rely on (issue 2):
# --json right after dpvsctl or after the command gives the same document;
# worker show is a list of objects with id, pid, state, restarts, last_exit
# (null before any replacement) and last_gap_ms; stats is an
# object with ports (name, ipackets, opackets, ibytes, obytes, imissed,
# ierrors), workers, drops (reason -> count, every reason of shm/stats.h) and
# events (every event of shm/stats.h);
# -s PATH picks the socket; the text forms print something for every command.
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

node_start a 1
node_add_addr a
wait_until 10 nsc a ping -c 1 -W 1 "$(node_addr a)" || fail "no reply from $(node_addr a)"

for cmd in "addr show" "neigh show" "worker show" "version"; do
	# shellcheck disable=SC2086
	front="$(ctl a --json $cmd)" || fail "dpvsctl --json $cmd"
	# shellcheck disable=SC2086
	back="$(ctl a $cmd --json)" || fail "dpvsctl $cmd --json"
	jq -e . >/dev/null <<<"$front" || fail "dpvsctl --json $cmd: not JSON: $front"
	[ "$(jq -S -c 'del(.. | .heartbeat_age_ms?, .standby_ready?)' <<<"$front")" = \
		"$(jq -S -c 'del(.. | .heartbeat_age_ms?, .standby_ready?)' <<<"$back")" ] ||
		fail "--json before and after '$cmd' differ: $front vs $back"
	log "ok: --json before and after '$cmd' agree"
	# shellcheck disable=SC2086
	text="$(ctl a $cmd)" || fail "dpvsctl $cmd"
	[ -n "$text" ] || [ "$cmd" = "neigh show" ] || fail "dpvsctl $cmd printed nothing"
done

w="$(ctl a --json worker show)"
jq -e 'type == "array" and length == 1 and
	all(.[]; has("id") and has("pid") and has("state") and has("restarts") and
	    has("last_exit") and has("last_gap_ms") and .last_exit == null)' <<<"$w" >/dev/null ||
	fail "worker show --json lacks id/pid/state/restarts/last_exit/last_gap_ms: $w"
log "ok: worker show --json: $w"

s="$(ctl a stats --json)"
jq -e 'type == "object" and (.ports | type == "array" and length == 1) and
	all(.ports[]; has("name") and has("ipackets") and has("opackets") and has("ibytes")
		and has("obytes") and has("imissed") and has("ierrors")) and
	(.workers | type == "array" and length == 1) and (.drops | type == "object")' <<<"$s" >/dev/null ||
	fail "stats --json lacks a required key: $s"
assert_eq "ports[0].name" dpdk0 "$(jq -r '.ports[0].name' <<<"$s")"
# every drop reason of shm/stats.h is a key of .drops
reasons="$(sed -n '/DPVS_DROP_REASONS(X)/,/^$/p' "$T_ROOT/shm/stats.h" |
	sed -n 's/.*X([A-Z0-9_]*, *"\([a-z0-9_]*\)").*/\1/p')"
assert_ge "drop reasons found in shm/stats.h" 5 "$(wc -w <<<"$reasons")"
missing="$(jq -r --arg r "$reasons" '($r | split("\n")) - (.drops | keys) | join(" ")' <<<"$s")"
assert_eq "drop reasons missing from stats --json" "" "$missing"
log "ok: stats --json has ports, workers and every drop reason of shm/stats.h"
# and every event of shm/stats.h is a key of .events
events="$(sed -n '/DPVS_EVENTS(X)/,/^$/p' "$T_ROOT/shm/stats.h" |
	sed -n 's/.*X([A-Z0-9_]*, *"\([a-z0-9_]*\)").*/\1/p')"
assert_ge "events found in shm/stats.h" 5 "$(wc -w <<<"$events")"
missing="$(jq -r --arg r "$events" '($r | split("\n")) - (.events | keys) | join(" ")' <<<"$s")"
assert_eq "events missing from stats --json" "" "$missing"

# -s PATH picks the socket; the default is /run/dpvs/ctl.sock
"$T_BIN/dpvsctl" -s "$(sock_of a)" version >/dev/null || fail "dpvsctl -s PATH version"
if [ ! -e /run/dpvs/ctl.sock ]; then
	out="$("$T_BIN/dpvsctl" version 2>&1)" && fail "dpvsctl without -s reached a node: $out"
	assert_contains "default socket in the message" "/run/dpvs/ctl.sock" "$out"
fi
exit 0
