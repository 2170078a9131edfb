#!/usr/bin/env bash
# System test (issue 9, c): access lists. Two clients in the client
# namespace (198.18.k.2 and a second address, 198.18.k.5) reach the VIP
# through a node of two workers. With the second client in the service's
# black list it gets no answer while the first still does, and the node
# counts acl_blacklisted and the "ipvs" hook's drops; `blklst show` (text
# and --json) and `save` list the entry; deleted, the second client is
# answered again. A white list of the first client alone refuses the second
# (acl_not_whitelisted). The UDP service has no lists: both clients get
# their echo throughout.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
command -v curl >/dev/null || fail "curl missing"
command -v jq >/dev/null || fail "jq missing"

X=a
lb_setup "$X" 2
VIP="$(vip_of "$X")"
GOOD="$(client_addr "$X")"
BAD="198.18.$(lb_idx "$X").5"
ip -n "$(nsc_of "$X")" addr add "$BAD/24" dev "$(wire_of "$X")" || fail "second client address"

# get FROM: one HTTP request from client address FROM (a new connection)
get() { nsc "$X" curl -sS --max-time 2 --interface "$1" -o /dev/null "http://$VIP/"; }
# echo_udp FROM: one UDP datagram from FROM, its echo back
echo_udp() {
	nsc "$X" /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0)); s.settimeout(2)
s.sendto(b"ping", (sys.argv[2], int(sys.argv[3])))
sys.exit(0 if b"ping" in s.recv(512) else 1)' "$1" "$VIP" "$LB_UDP_PORT"
}
# the node's stats (retried: on a loaded machine one dpvsctl call may fail)
stats_try() {
	ctl "$X" --json stats >"$T_DIR/stats.json" 2>"$T_DIR/stats.err" &&
		jq -e '.drops' "$T_DIR/stats.json" >/dev/null
}
stats_now() { wait_until 20 stats_try >&2 || cat "$T_DIR/stats.err" >&2; cat "$T_DIR/stats.json"; }
drop_count() { stats_now | jq -r --arg n "$1" '.drops[$n] // 0'; }
hook_drops() { stats_now | jq -r '.hook_drops.ipvs // 0'; }
# refused FROM REASON: three requests from FROM each get no answer, and the
# drop counter REASON grew by at least three (the SYN and its retries)
refused() {
	local from="$1" reason="$2" d0 h0 i
	d0="$(drop_count "$reason")"
	h0="$(hook_drops)"
	for i in 1 2 3; do
		get "$from" 2>/dev/null && fail "$from got an answer through the $reason list"
	done
	assert_ge "drops $reason after 3 refused requests" $((d0 + 3)) "$(drop_count "$reason")"
	assert_ge "ipvs hook drops after 3 refused requests" $((h0 + 3)) "$(hook_drops)"
}

wait_until 10 get "$BAD" || fail "second client: no answer before any list"
wait_until 10 get "$GOOD" || fail "first client: no answer before any list"
log "ok: both clients answered before any list"

ctl "$X" blklst add -t "$VIP:$LB_HTTP_PORT" "$BAD/32" || fail "blklst add"
refused "$BAD" acl_blacklisted
for i in 1 2 3; do
	wait_until 10 get "$GOOD" || fail "first client: no answer while the second is blacklisted"
done
wait_until 10 echo_udp "$BAD" || fail "second client: no UDP echo (the UDP service has no list)"
log "ok: the blacklisted client gets no answer, the other does; stats: $(drops_nonzero "$X")"
ctl "$X" stats | grep -A3 'PRE_ROUTING' | sed 's/^/    /'

out="$(ctl "$X" blklst show)"
assert_contains "blklst show" "blklst $BAD/32" "$out"
assert_eq "blklst show --json" "$BAD 32 blklst" \
	"$(ctl "$X" --json blklst show | jq -r '.[] | "\(.prefix) \(.prefixlen) \(.list)"')"
assert_eq "whtlst show --json (empty)" "0" "$(ctl "$X" --json whtlst show | jq length)"
assert_contains "save" "blklst add -t $VIP:$LB_HTTP_PORT $BAD/32" "$(ctl "$X" save)"
assert_eq "-L -n --json: blklst entries" "1" \
	"$(svc_json "$X" t | jq -r '.blklst')"

ctl "$X" blklst del -t "$VIP:$LB_HTTP_PORT" "$BAD/32" || fail "blklst del"
wait_until 10 get "$BAD" || fail "second client: no answer after blklst del"
log "ok: answered again after blklst del"

ctl "$X" whtlst add -t "$VIP:$LB_HTTP_PORT" "$GOOD/32" || fail "whtlst add"
refused "$BAD" acl_not_whitelisted
wait_until 10 get "$GOOD" || fail "first client: no answer through its white list"
log "ok: whitelist-only service refuses the other client, serves the listed one"

lb_node_done "$X"
exit 0
