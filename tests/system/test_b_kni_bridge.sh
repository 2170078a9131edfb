#!/usr/bin/env bash
# System test b (issue 2): an address that the kernel owns on dpdk0.kni (in
# the node namespace) answers ping and HTTP from the client, through the
# worker and the exception bridge in both directions.
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

KA="$(kni_addr a)"
PORT=8080
node_start a 1
node_add_addr a
nsn a ip link set dpdk0.kni up || fail "dpdk0.kni up"
nsn a ip addr add "$KA/24" dev dpdk0.kni || fail "addr on dpdk0.kni"

k0="$(worker_stat a 0 verdict.kernel)"
f0="$(worker_stat a 0 from_kernel)"
bt0="$(port_kni_stat a dpdk0 to_kernel)"
bf0="$(port_kni_stat a dpdk0 from_kernel)"
wait_until 10 nsc a ping -c 1 -W 1 "$KA" || fail "no reply from the kernel's $KA"
out="$(nsc a ping -c 5 -i 0.1 -W 1 "$KA")"
recv="$(printf '%s\n' "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')"
assert_eq "echo replies from the kernel's address" 5 "$recv"

mkdir -p "$T_DIR/www"
token="dpvs-mp-bridge-$$-$RANDOM"
echo "$token" >"$T_DIR/www/token.txt"
bg ip netns exec "$(nsn_of a)" "$T_PY" -m http.server --bind "$KA" --directory "$T_DIR/www" "$PORT" \
	>"$T_DIR/http.log" 2>&1
wait_until 10 sh -c "ip netns exec $(nsn_of a) ss -Hltn | grep -q '$KA:$PORT'" ||
	fail "http server did not listen on $KA:$PORT"
body="$(nsc a curl -sS --max-time 5 "http://$KA:$PORT/token.txt")" || fail "curl http://$KA:$PORT failed"
assert_eq "HTTP body through the bridge" "$token" "$body"

k1="$(worker_stat a 0 verdict.kernel)"
f1="$(worker_stat a 0 from_kernel)"
log "worker 0: verdict kernel $k0 -> $k1, from_kernel $f0 -> $f1"
assert_ge "worker 0 packets to the kernel" 10 "$((k1 - k0))"
assert_ge "worker 0 packets from the kernel" 10 "$((f1 - f0))"
bt1="$(port_kni_stat a dpdk0 to_kernel)"
bf1="$(port_kni_stat a dpdk0 from_kernel)"
log "bridge dpdk0: to_kernel $bt0 -> $bt1, from_kernel $bf0 -> $bf1"
assert_ge "bridge packets into dpdk0.kni" 10 "$((bt1 - bt0))"
assert_ge "bridge packets out of dpdk0.kni" 10 "$((bf1 - bf0))"
exit 0
