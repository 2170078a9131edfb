#!/usr/bin/env bash
# System test (issue 6.11): `laddr del` with live connections on two workers.
# Eight slow HTTP answers (100 bytes, 10 every 0.4 s) are under way when the
# service's only local address is deleted: every answer completes, no new
# connection uses the deleted address, and added back it serves again.
# A reply that reaches the worker that does not own its connection is still
# redirected while the address drains; on tap wires the kernel mostly sends a
# reply to the queue its flow came from (tun's flow steering), so this test
# cannot force that case: the packet fixtures "... after laddr del -> still
# redirected" prove it (they failed before the drain).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

V="$(vip_of a)"
N=8
lb_setup a 2 rr

# live connections whose replies are still to come
for i in $(seq "$N"); do
	bg nsc a curl -sS --max-time 20 -o "$T_DIR/slow$i.out" "http://$V/slow"
done
started() { [ "$(cat "$(srv_log a http 1)" "$(srv_log a http 2)" | wc -l)" -ge "$N" ]; }
wait_until 10 started || fail "the slow requests did not reach the servers"
r0="$(redirects a)"
ctl a laddr del -t "$V:$LB_HTTP_PORT" "$(laddr_of a)" dev dpdk1 || fail "laddr del"
log "laddr $(laddr_of a) deleted with $N answers under way (redirects so far: $r0)"
assert_eq "local addresses of the service after laddr del" "" \
	"$(ctl a laddr show -t "$V:$LB_HTTP_PORT" | grep -F "$(laddr_of a)")"

done_all() {
	local i
	for i in $(seq "$N"); do
		[ "$(wc -c <"$T_DIR/slow$i.out" 2>/dev/null)" = 100 ] || return 1
	done
}
wait_until 20 done_all || {
	for i in $(seq "$N"); do
		log "answer $i: $(wc -c <"$T_DIR/slow$i.out" 2>/dev/null) bytes"
	done
	fail "not every answer completed after laddr del (drops: $(drops_nonzero a))"
}
for i in $(seq "$N"); do
	assert_contains "answer $i" "server http" "$(cat "$T_DIR/slow$i.out")" >/dev/null
done
log "ok: all $N answers completed; redirects $r0 -> $(redirects a)"

# no new connection from the deleted address; back, it serves again
out="$(nsc a curl -sS --max-time 2 "http://$V/" 2>&1)" && fail "a new connection got an answer without a local address: $out"
ctl a laddr add -t "$V:$LB_HTTP_PORT" "$(laddr_of a)" dev dpdk1 || fail "laddr add"
out="$(nsc a curl -sS --max-time 5 "http://$V/")"
assert_contains "answer with the local address back" "server http" "$out"
exit 0
