#!/usr/bin/env bash
# System test of dpvsctl's JSON (issue 2, issue 11 item 6): on a node with a
# representative state, every command's --json output conforms to its schema
# in docs/schema/ (tests/tools/json_schema_check.py, python3-jsonschema: a
# renamed, missing or extra key, a wrong type or an unknown value fails).
# The state: the full-NAT TCP and UDP services of lb_lib.sh with their real
# servers, local addresses and connections (an HTTP request and a UDP
# datagram through the VIP), a service of each other mode (nat, dr, tunnel)
# and a match service (snat), one with a flag; health checks with dests up
# and down; static and learned neighbours, IPv4 and IPv6 addresses, routes
# and neighbours; forwarding on one port; a worker replaced once (last_exit,
# last_gap_ms not null); access lists and rate limits (blklst/whtlst show,
# the rates in -L -n, every PRE_ROUTING hook of shm/stats.h in stats); a
# reload of the rules file with a change (a route and an acl entry).
# Also, as before: --json right after dpvsctl or after the command gives the
# same document; worker show has last_exit null before any replacement;
# stats has every drop reason and every event of shm/stats.h; -s PATH picks
# the socket; the text forms print something for every command.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
"$T_PY" -c 'import jsonschema' 2>/dev/null || fail "python3-jsonschema missing (deploy/install-deps.sh)"

x=a
K="$(lb_idx "$x")"
V="$(vip_of "$x")"
RULES="$T_DIR/node.rules"
: >"$RULES"
CHECK="$T_ROOT/tests/tools/json_schema_check.py"

# conforms SCHEMA DPVSCTL-ARGS...: the command's --json output (--json after
# the command) conforms to docs/schema/SCHEMA.json; prints the output
conforms() {
	local schema="$1" out
	shift
	out="$(ctl "$x" "$@" --json)" || fail "dpvsctl $* --json"
	"$T_PY" "$CHECK" "$schema" <<<"$out" || fail "dpvsctl $* --json: not as docs/schema/$schema.json: $out"
	log "ok: dpvsctl $* --json conforms to $schema.json" >&2
	printf '%s' "$out"
}

# ---- the checker says no to what it must refuse -------------------------------------
"$T_PY" "$CHECK" version <<<'{"version":"0.1","dpdk":"DPDK","layout":1}' ||
	fail "the schema check refuses a good version document"
for bad in '{"versoin":"0.1","dpdk":"DPDK","layout":1}' '{"version":"0.1","dpdk":"DPDK"}' \
	'{"version":"0.1","dpdk":"DPDK","layout":"1"}' '{"version":"0.1","dpdk":"DPDK","layout":1,"x":0}'; do
	"$T_PY" "$CHECK" version <<<"$bad" 2>/dev/null && fail "the schema check accepted $bad"
done
log "ok: the schema check refuses a renamed, a missing, a mistyped and an extra key"

# ---- a node with one worker, first as the issue-2 checks want it ----------------------
lb_node_start "$x" 1 --rules "$RULES"
lb_addrs "$x"
wait_until 10 nsc "$x" ping -c 1 -W 1 "$(node_addr "$x")" || fail "no reply from $(node_addr "$x")"

for cmd in "addr show" "neigh show" "worker show" "version"; do
	# shellcheck disable=SC2086
	front="$(ctl "$x" --json $cmd)" || fail "dpvsctl --json $cmd"
	# shellcheck disable=SC2086
	back="$(ctl "$x" $cmd --json)" || fail "dpvsctl $cmd --json"
	jq -e . >/dev/null <<<"$front" || fail "dpvsctl --json $cmd: not JSON: $front"
	[ "$(jq -S -c 'del(.. | .heartbeat_age_ms?, .standby_ready?, .age_s?)' <<<"$front")" = \
		"$(jq -S -c 'del(.. | .heartbeat_age_ms?, .standby_ready?, .age_s?)' <<<"$back")" ] ||
		fail "--json before and after '$cmd' differ: $front vs $back"
	log "ok: --json before and after '$cmd' agree"
	# shellcheck disable=SC2086
	text="$(ctl "$x" $cmd)" || fail "dpvsctl $cmd"
	[ -n "$text" ] || [ "$cmd" = "neigh show" ] || fail "dpvsctl $cmd printed nothing"
done

w="$(conforms worker-show worker show)"
jq -e 'type == "array" and length == 1 and
	all(.[]; has("id") and has("pid") and has("state") and has("restarts") and
	    has("last_exit") and has("last_gap_ms") and .last_exit == null)' <<<"$w" >/dev/null ||
	fail "worker show --json lacks id/pid/state/restarts/last_exit/last_gap_ms: $w"
log "ok: worker show --json: $w"

# ---- the representative state ----------------------------------------------------------
lb_services "$x"
lb_servers_start "$x"
ctl "$x" -A -t "$V:8080" -s wrr || fail "-A nat"
ctl "$x" -a -t "$V:8080" -r "$(http_rs "$x" 1):80" -b nat -w 2 || fail "-a nat"
ctl "$x" -A -t "$V:8081" -s wlc || fail "-A dr"
ctl "$x" -a -t "$V:8081" -r "$(http_rs "$x" 2):8081" -b dr -w 1 -x 100 -y 10 || fail "-a dr"
ctl "$x" -A -u "$V:8082" -s mh -b hash-port || fail "-A tunnel"
ctl "$x" -a -u "$V:8082" -r "$(udp_rs "$x" 1):8082" -b tunnel -w 1 || fail "-a tunnel"
MATCH="proto=tcp,src-range=198.19.$K.50-198.19.$K.60,oif=dpdk0"
ctl "$x" -A -H "$MATCH" -s rr || fail "-A -H"
ctl "$x" -a -H "$MATCH" -r "$(node_addr "$x"):0" -b snat || fail "-a -H snat"
N6="fd00:18:$K::1"
ctl "$x" addr add "$N6/64" dev dpdk0 || fail "addr add $N6"
ctl "$x" route add "fd00:28:$K::/48" via "fd00:18:$K::fe" dev dpdk0 || fail "route add IPv6"
ctl "$x" route add "198.30.$K.0/24" via "$(http_rs "$x" 1)" dev dpdk1 || fail "route add IPv4"
ctl "$x" neigh add "fd00:18:$K::fe" lladdr 02:00:00:00:00:fe dev dpdk0 || fail "neigh add IPv6"
ctl "$x" neigh add "198.19.$K.99" lladdr 02:00:00:00:00:99 dev dpdk1 || fail "neigh add IPv4"
ctl "$x" port set dpdk1 forward on || fail "port set forward on"
# access lists and rate limits (issue 9)
ctl "$x" blklst add -t "$V:8080" 198.51.100.0/24 || fail "blklst add"
ctl "$x" whtlst add -t "$V:8081" 2001:db8::/32 || fail "whtlst add"
ctl "$x" -E -t "$V:8080" --rate-in 100000pps --rate-out-bytes 100M:1M || fail "-E --rate-in"
ctl "$x" -e -t "$V:8080" -r "$(http_rs "$x" 1):80" --rate-in-bytes 50M || fail "-e --rate-in-bytes"
ctl "$x" vlan add dpdk0.100 dev dpdk0 id 100 || fail "vlan add"
ctl "$x" addr add "198.32.$K.1/24" dev dpdk0.100 || fail "addr add on the VLAN"
# health: the nat dest up, the dr dest down (cmd checks, no network needed)
ctl "$x" check set -t "$V:8080" cmd "true" --interval 0.2 --timeout 1 --rise 1 --fall 1 ||
	fail "check set up"
ctl "$x" check set -t "$V:8081" cmd "false" --interval 0.2 --timeout 1 --rise 1 --fall 1 ||
	fail "check set down"
checked() {
	ctl "$x" --json -L -n | jq -e '[.[].dests[].health] | index("up") and index("down")'
}
wait_until 10 checked || fail "health checks did not settle: $(ctl "$x" -L -n)"
# connections: an HTTP request and a UDP datagram through the VIP
wait_until 10 nsc "$x" curl -sS --max-time 2 -o /dev/null "http://$V/" ||
	fail "no answer from http://$V/"
nsc "$x" bash -c "exec 3<>/dev/udp/$V/$LB_UDP_PORT; echo json >&3; timeout 2 head -c 1 <&3" >/dev/null ||
	fail "no UDP answer from $V:$LB_UDP_PORT"
two_conns() { [ "$(ctl "$x" --json conn show | jq 'map(.proto) | unique | length')" = 2 ]; }
wait_until 5 two_conns || fail "no TCP and UDP connections: $(ctl "$x" conn show)"
learned() { ctl "$x" --json neigh show | jq -e 'any(.[]; .static == false and .lladdr != null)'; }
wait_until 5 learned || fail "no learned neighbour: $(ctl "$x" neigh show)"
# a worker replaced once: last_exit and last_gap_ms are values now
ctl "$x" worker restart 0 || fail "worker restart 0"
replaced() { ctl "$x" --json worker show | jq -e '.[0].state == "running" and .[0].last_exit == "planned"'; }
wait_until 30 replaced || fail "worker 0 not replaced: $(ctl "$x" worker show)"
ctl "$x" -L -n

# ---- every command's JSON against its schema ----------------------------------------------
conforms addr-show addr show | jq -e 'map(.family) | index("inet") and index("inet6")' >/dev/null ||
	fail "addr show: no IPv4 and IPv6 address"
conforms addr-show addr show dev dpdk1 >/dev/null
conforms neigh-show neigh show | jq -e 'map(.static) | index(true) and index(false)' >/dev/null ||
	fail "neigh show: no static and learned neighbour"
conforms neigh-show neigh show dev dpdk0 >/dev/null
conforms route-show route show | jq -e 'map(.proto) | index("kernel") and index("static")' >/dev/null ||
	fail "route show: no connected and static route"
l="$(conforms list -L -n)"
jq -e '[.[].dests[].mode] | unique == ["dr", "fnat", "nat", "snat", "tunnel"]' <<<"$l" >/dev/null ||
	fail "-L -n: not every mode: $l"
jq -e 'any(.[]; .match != null and .vip == null) and any(.[]; .flags == ["hash-port"])' <<<"$l" >/dev/null ||
	fail "-L -n: no match service or flag: $l"
conforms list -L -n -t "$V:$LB_HTTP_PORT" >/dev/null
conforms list-stats -L -n --stats | jq -e '[.[].conns] | add > 0' >/dev/null ||
	fail "-L -n --stats: no connection counted"
conforms conn-show conn show >/dev/null
conforms conn-show -L -n -c >/dev/null
conforms laddr-show laddr show | jq -e 'length == 2' >/dev/null || fail "laddr show: not 2"
conforms laddr-show laddr show -u "$V:$LB_UDP_PORT" >/dev/null
conforms port-show port show | jq -e 'map(.forward) == [false, true]' >/dev/null ||
	fail "port show: forward not off on dpdk0, on on dpdk1"
conforms port-show port show dpdk0 >/dev/null
conforms vlan-show vlan show | jq -e '. == [{"name": "dpdk0.100", "dev": "dpdk0", "id": 100}]' \
	>/dev/null || fail "vlan show: not dpdk0.100 on dpdk0 id 100"
conforms vlan-show vlan show dpdk0.100 >/dev/null
conforms version version >/dev/null
conforms timeout-show timeout show | jq -e '."tcp.established" > 0 and .udp > 0' >/dev/null ||
	fail "timeout show: no tcp.established or udp"
conforms acl-show blklst show | jq -e '. == [{"proto": "tcp", "vip": "'"$V"'", "match": null,
	"port": 8080, "list": "blklst", "prefix": "198.51.100.0", "prefixlen": 24}]' >/dev/null ||
	fail "blklst show: not the one entry"
conforms acl-show whtlst show -t "$V:8081" | jq -e 'map(.prefix) == ["2001:db8::"]' >/dev/null ||
	fail "whtlst show: not the one entry"
jq -e 'any(.[]; .rates.in_pps.rate == 100000 and .rates.out_bytes.burst == 1000000 and
	.blklst == 1 and any(.dests[]; .rates.in_bytes.rate == 50000000))' <<<"$l" >/dev/null ||
	fail "-L -n: rates or list sizes missing: $l"
conforms save save | jq -e 'any(.[]; startswith("check set"))' >/dev/null || fail "save: no check"
conforms worker-show worker show | jq -e '.[0].last_gap_ms | type == "number"' >/dev/null ||
	fail "worker show: no last_gap_ms after a replacement"

s="$(conforms stats stats)"
jq -e '(.ports | length == 2) and (.workers | length == 1)' <<<"$s" >/dev/null ||
	fail "stats --json: not 2 ports and 1 worker: $s"
assert_eq "ports[0].name" dpdk0 "$(jq -r '.ports[0].name' <<<"$s")"
# every drop reason and every event of shm/stats.h is a key (the schema
# cannot know them: they are declared once, there)
reasons="$(sed -n '/DPVS_DROP_REASONS(X)/,/^$/p' "$T_ROOT/shm/stats.h" |
	sed -n 's/.*X([A-Z0-9_]*, *"\([a-z0-9_]*\)").*/\1/p')"
assert_ge "drop reasons found in shm/stats.h" 5 "$(wc -w <<<"$reasons")"
missing="$(jq -r --arg r "$reasons" '($r | split("\n")) - (.drops | keys) | join(" ")' <<<"$s")"
assert_eq "drop reasons missing from stats --json" "" "$missing"
events="$(sed -n '/DPVS_EVENTS(X)/,/^$/p' "$T_ROOT/shm/stats.h" |
	sed -n 's/.*X([A-Z0-9_]*, *"\([a-z0-9_]*\)").*/\1/p')"
assert_ge "events found in shm/stats.h" 5 "$(wc -w <<<"$events")"
missing="$(jq -r --arg r "$events" '($r | split("\n")) - (.events | keys) | join(" ")' <<<"$s")"
assert_eq "events missing from stats --json" "" "$missing"
hooks="$(sed -n '/DPVS_HOOKS(X)/,/^$/p' "$T_ROOT/shm/stats.h" |
	sed -n 's/.*X([A-Z0-9_]*, *"\([a-z0-9_]*\)".*/\1/p')"
assert_ge "PRE_ROUTING hooks found in shm/stats.h" 1 "$(wc -w <<<"$hooks")"
missing="$(jq -r --arg r "$hooks" '($r | split("\n")) - (.hook_drops | keys) | join(" ")' <<<"$s")"
assert_eq "hooks missing from stats --json" "" "$missing"

# reload: the running state saved as the rules file, plus one route
ctl "$x" save >"$RULES" || fail "save"
echo "route add 198.31.$K.0/24 via $(http_rs "$x" 2) dev dpdk1" >>"$RULES"
echo "blklst add -t $V:8080 203.0.113.0/24" >>"$RULES"
r="$(conforms reload reload)"
jq -e '.routes.added == 1 and .acls.added == 1 and .services.added == 0 and
	.services.edited == 0 and .dests.edited == 0 and .unchanged > 10' <<<"$r" >/dev/null ||
	fail "reload: not one route and one acl entry added: $r"

# -s PATH picks the socket; the default is /run/dpvs/ctl.sock
"$T_BIN/dpvsctl" -s "$(sock_of "$x")" version >/dev/null || fail "dpvsctl -s PATH version"
if [ ! -e /run/dpvs/ctl.sock ]; then
	out="$("$T_BIN/dpvsctl" version 2>&1)" && fail "dpvsctl without -s reached a node: $out"
	assert_contains "default socket in the message" "/run/dpvs/ctl.sock" "$out"
fi
exit 0
