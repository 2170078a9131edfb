#!/usr/bin/env bash
# System test (issue 3): `dpvsctl save` of a running load balancer (addresses,
# TCP and UDP services with two full-NAT dests each, a weight, thresholds,
# local addresses, a route, a static neighbour) loaded into a fresh node with
# `dpvs-primary --rules FILE` gives the same `save` output, and the fresh node
# serves the VIP (both real servers answer, UDP echoes).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

lb_setup a 2 wrr
V="$(vip_of a)"
ctl a -e -t "$V:$LB_HTTP_PORT" -r "$(http_rs a 2):$LB_HTTP_PORT" -w 3 -x 1000 -y 10 || fail "-e"
ctl a -A -t "$V:8080" -s mh || fail "-A mh"
ctl a -a -t "$V:8080" -r "$(http_rs a 1):$LB_HTTP_PORT" -b fnat -w 2 || fail "-a mh"
ctl a laddr add -t "$V:8080" "$(laddr_of a)" dev dpdk1 || fail "laddr mh"
ctl a route add 198.19.200.0/24 via "$(http_rs a 1)" dev dpdk1 || fail "route add"
ctl a neigh add 198.19.0.99 lladdr 02:00:00:00:00:99 dev dpdk1 || fail "neigh add"
ctl a save >"$T_DIR/saved.rules" || fail "save"
log "saved rules of node a:"
sed 's/^/    /' "$T_DIR/saved.rules"
for w in "-A -t $V:$LB_HTTP_PORT" "-A -u $V:$LB_UDP_PORT" "-A -t $V:8080" "laddr add" "route add" "neigh add" "addr add"; do
	assert_contains "save" "$w" "$(cat "$T_DIR/saved.rules")"
done
node_stop a || fail "node a did not stop"

# a fresh node with the same names and addresses, from the saved file only
lb_node_forget a
lb_node_start a 2 --rules "$T_DIR/saved.rules"
ctl a save >"$T_DIR/resaved.rules" || fail "save on the fresh node"
if ! diff -u "$T_DIR/saved.rules" "$T_DIR/resaved.rules" >"$T_DIR/save.diff"; then
	cat "$T_DIR/save.diff" >&2
	fail "save after --rules differs from the saved file"
fi
log "ok: save on the fresh node is identical ($(wc -l <"$T_DIR/saved.rules") lines)"

# and it serves: both HTTP servers (wrr 1:3, each worker its own rotation), UDP echoes
lb_servers_start a
wait_until 10 nsc a curl -sS --max-time 2 -o /dev/null "http://$V/" || fail "fresh node: no answer from $V"
out="$(nsc a bash -c 'for i in $(seq 40); do curl -sS --max-time 5 -H "Connection: close" "http://'"$V"'/"; done')"
n1="$(grep -c '^server http1$' <<<"$out")"
n2="$(grep -c '^server http2$' <<<"$out")"
assert_eq "fresh node: answers of 40" 40 $((n1 + n2))
assert_gt "fresh node: answers from http1 (weight 1)" 0 "$n1"
assert_gt "fresh node: answers from http2 (weight 3) above http1's" "$n1" "$n2"
nsc a "$T_PY" "$T_DIR/lb_udp_client.py" "$V" "$LB_UDP_PORT" 20 >"$T_DIR/udp.out" 2>&1
assert_eq "fresh node: datagrams echoed" 20 "$(grep -c '^ok udp[12]$' "$T_DIR/udp.out")"
exit 0
