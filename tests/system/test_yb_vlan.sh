#!/usr/bin/env bash
# System test yb (issue 9, item 2, test b): a client on VLAN 100 of dpdk0
# reaches a full-NAT service whose VIP is on the VLAN interface dpdk0.100.
#
# The kernel here has no 802.1q module, so the client's VLAN interface is
# tests/tools/vlan_tap.py: a tap "vl100" in the client namespace whose frames
# leave on the wire tagged 100, and the wire's frames of id 100 come back on
# it untagged. The client's kernel then speaks plain TCP over vl100: it ARPs
# for the VIP (answered by the worker on dpdk0.100, tagged), and 50 curl
# requests each get an answer from a real server on dpdk1. The worker's
# addresses on the port itself still answer untagged frames (a ping on the
# wire). The kernel's side of the VLAN is its own tap dpdk0.100.kni (made by
# the bridge with the port's MAC): an address the kernel has there answers
# the client's pings over VLAN 100, also after kill -9 of the bridge (the tap
# and its address stay). `vlan show` (text and --json) lists the
# VLAN; deleting it while
# addresses are on it is refused; once the addresses and the VLAN are gone,
# the tagged ARP for the VIP is no longer answered by the worker (counted
# vlan_unknown, sent to the kernel) and dpdk0.100.kni is gone.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
command -v curl >/dev/null || fail "curl missing"
command -v jq >/dev/null || fail "jq missing"

N=50
VNET=198.18.100
VADDR="$VNET.1"
VIP="$VNET.100"
VCLI="$VNET.2"

lb_node_start a 1
node_add_addr a
ctl a addr add "$(srv_net_addr a)/24" dev dpdk1 || fail "addr add dpdk1"
ctl a addr add "$(laddr_of a)/32" dev dpdk1 || fail "addr add laddr"
ctl a vlan add dpdk0.100 dev dpdk0 id 100 || fail "vlan add"
ctl a addr add "$VADDR/24" dev dpdk0.100 || fail "addr add on dpdk0.100"
ctl a addr add "$VIP/32" dev dpdk0.100 || fail "VIP on dpdk0.100"
ctl a -A -t "$VIP:80" -s rr || fail "-A"
for i in 1 2; do
	ctl a -a -t "$VIP:80" -r "$(http_rs a "$i"):80" -b fnat -w 1 || fail "-a"
done
ctl a laddr add -t "$VIP:80" "$(laddr_of a)" dev dpdk1 || fail "laddr add"
lb_servers_start a

assert_eq "vlan show" "dpdk0.100 dev dpdk0 id 100" "$(ctl a vlan show)"
assert_eq "vlan show --json" '[{"name":"dpdk0.100","dev":"dpdk0","id":100}]' \
	"$(ctl a --json vlan show | jq -c .)"
assert_contains "addr show" "$VIP/32 dev dpdk0.100" "$(ctl a addr show)"
assert_contains "save" "vlan add dpdk0.100 dev dpdk0 id 100" "$(ctl a save)"

# the client's VLAN interface
bg ip netns exec "$(nsc_of a)" "$T_PY" "$T_ROOT/tests/tools/vlan_tap.py" "$(wire_of a)" vl100 100 \
	>"$T_DIR/vlan_tap.out" 2>"$T_DIR/vlan_tap.err"
wait_until 10 grep -q ready "$T_DIR/vlan_tap.out" || fail "vlan_tap.py did not start: $(cat "$T_DIR/vlan_tap.err")"
nsc a ip link set vl100 address 02:5e:00:00:01:00 || fail "vl100 MAC"
nsc a ip addr add "$VCLI/24" dev vl100 || fail "vl100 addr"
nsc a ip link set vl100 up || fail "vl100 up"

wait_until 10 nsc a ping -c 1 -W 1 "$VADDR" || fail "no answer from $VADDR over VLAN 100 (drops: $(drops_nonzero a))"
wait_until 10 nsc a ping -c 1 -W 1 "$(node_addr a)" || fail "no untagged answer from $(node_addr a)"
wait_until 10 nsc a curl -sS --max-time 2 -o /dev/null "http://$VIP/" ||
	fail "no answer from http://$VIP/ over VLAN 100 (drops: $(drops_nonzero a))"
: >"$(srv_log a http 1)"
: >"$(srv_log a http 2)"
nsc a bash -c 'for i in $(seq '"$N"'); do
	curl -sS --max-time 5 -w " %{http_code}\n" "http://'"$VIP"'/" | tr -d "\n"; echo
done' >"$T_DIR/curl.out" 2>&1
ok="$(grep -c '^server http[12] 200$' "$T_DIR/curl.out")"
[ "$ok" = "$N" ] || log "unexpected output: $(grep -v '^server http[12] 200$' "$T_DIR/curl.out" | head -n 5)"
assert_eq "requests over VLAN 100 answered" "$N" "$ok"
assert_eq "sources the servers saw" "$(laddr_of a) " \
	"$(cat "$(srv_log a http 1)" "$(srv_log a http 2)" | awk '{ print $1 }' | sort -u | tr '\n' ' ')"
# the client's neighbour entry for the VIP is on vl100: the answers came tagged
assert_contains "client's neighbour of the VIP" "dev vl100" "$(nsc a ip neigh show "$VIP")"

# the exception path: the VLAN's own tap dpdk0.100.kni in the node's namespace,
# with the port's MAC; the kernel's address on it answers the client over VLAN 100
KVA="$VNET.3"
wait_until 10 nsn a ip link show dpdk0.100.kni >/dev/null 2>&1 || fail "no dpdk0.100.kni in the node"
assert_eq "dpdk0.100.kni's MAC is dpdk0.kni's" \
	"$(nsn a cat /sys/class/net/dpdk0.kni/address)" "$(nsn a cat /sys/class/net/dpdk0.100.kni/address)"
nsn a ip link set dpdk0.100.kni up || fail "dpdk0.100.kni up"
nsn a ip addr add "$KVA/24" dev dpdk0.100.kni || fail "addr on dpdk0.100.kni"
wait_until 10 nsc a ping -c 1 -W 1 "$KVA" || fail "the kernel's $KVA on dpdk0.100.kni does not answer over VLAN 100"
nsc a ping -c 5 -i 0.1 -W 1 "$KVA" >"$T_DIR/ping-kva.out" 2>&1 ||
	fail "pings to $KVA lost: $(tail -2 "$T_DIR/ping-kva.out")"
log "ok: the kernel answers on dpdk0.100.kni: $(grep -o '[0-9]* received' "$T_DIR/ping-kva.out")"
assert_contains "the kernel's neighbour of the client" "$VCLI" "$(nsn a ip neigh show dev dpdk0.100.kni)"

# kill -9 of the bridge: the tap stays (persistent, the kernel's address on
# it), the restarted bridge opens it again and the kernel answers again
pidfile() { cat "$(rundir_of a)/$1.pid" 2>/dev/null; }
old="$(pidfile bridge)"
[ -n "$old" ] || fail "no bridge.pid"
kill -9 "$old" || fail "kill -9 dpvs-kni-bridge"
restarted() { local p; p="$(pidfile bridge)"; [ -n "$p" ] && [ "$p" != "$old" ] && kill -0 "$p" 2>/dev/null; }
wait_until 10 restarted || fail "dpvs-kni-bridge not restarted"
assert_contains "dpdk0.100.kni's address after the bridge's restart" "$KVA/24" \
	"$(nsn a ip -4 addr show dev dpdk0.100.kni)"
wait_until 10 nsc a ping -c 1 -W 1 "$KVA" || fail "$KVA does not answer after the restart of the bridge"
log "ok: the kernel answers on dpdk0.100.kni after a restart of the bridge"

out="$(ctl a vlan del dpdk0.100 2>&1)" && fail "vlan del with addresses on it succeeded"
assert_contains "vlan del refused" "in use" "$out"

# without the VLAN, id 100 is unknown: the worker no longer answers its ARP
ctl a -D -t "$VIP:80" || fail "-D"
ctl a addr del "$VIP/32" dev dpdk0.100 || fail "addr del VIP"
ctl a addr del "$VADDR/24" dev dpdk0.100 || fail "addr del"
ctl a vlan del dpdk0.100 || fail "vlan del"
assert_eq "vlan show after del" "" "$(ctl a vlan show)"
tap_gone() { ! nsn a ip link show dpdk0.100.kni >/dev/null 2>&1; }
wait_until 10 tap_gone || fail "dpdk0.100.kni still there after vlan del"
vlan_unknown() { # the worker's vlan_unknown event counter
	ctl a --json stats | jq -r '[.workers[0].events | if type == "array" then
		(map({(.name): .value}) | add) else . end | .vlan_unknown // 0] | .[0]'
}
u0="$(vlan_unknown)"
nsc a ip neigh flush dev vl100
nsc a ping -c 2 -W 1 "$VADDR" >/dev/null 2>&1 && fail "$VADDR still answers after vlan del"
assert_ge "vlan_unknown counted" 1 "$(($(vlan_unknown) - u0))"
exit 0
