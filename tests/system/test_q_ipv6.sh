#!/usr/bin/env bash
# System test (issue 8): IPv6 through the node, two workers.
#
#   client netns            node (dpdk0 | dpdk1)            server segment (a bridge)
#   fd00:18:k::2  <-wire->  fd00:18:k::1 | fd00:19:k::1 <-> br0: fd00:19:k::11 (server),
#                                                            fd00:29:k::11 on its lo
#   (k = 10 for node a)
#                                                         + an attacker netns on the bridge
#
# 1. ping6 to the node's fd00:18:k::1 is answered by the workers (the node's
#    kernel has no such address; the client's NS was answered with an NA).
# 2. Forwarding: the client reaches fd00:29:k::11 through a route that
#    dpvsctl added (route add fd00:29:k::/48 via fd00:19:k::11 dev dpdk1) and
#    that the workers look up in the config set's IPv6 route index; UDP from
#    16 source ports, so that both workers forward and resolve the server;
#    with the switch off the same traffic goes to the node's kernel and dies.
# 3. kill -9 of dpvs-ctl: the route still carries traffic, and a route the
#    new dpvs-ctl adds (fd00:39:k::/48) works too.
# 4. (f) An attacker on the server's segment sends, for 4 s, forged neighbour
#    advertisements saying the server's address is at its MAC (solicited and
#    not, to the node and to all-nodes, with override), solicitations from
#    the server's address with its MAC, and advertisements for the node's
#    own address and for an address nobody asked for. Every UDP round still
#    reaches the server, `neigh show` never shows the attacker's MAC and ends
#    with the server's in both workers, and the refusals are counted.
# Without issue 8 the node sent all IPv6 to its kernel: none of this worked.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
"$T_PY" -c 'import scapy' 2>/dev/null || fail "scapy missing for $T_PY (deploy/install-deps.sh)"

K="1$(node_idx a)"   # no group of zeros: the addresses print as written
N0="fd00:18:$K::1" CLI6="fd00:18:$K::2" N1="fd00:19:$K::1" SRV6="fd00:19:$K::11"
FAR="fd00:29:$K::11" FAR2="fd00:39:$K::11"
FORGED=02:66:66:66:66:66
UDP_PORT=7007
nsa_of() { printf '%st' "$(prefix_of "$1")"; }

q_cleanup() {
	local rc=$? pid ns
	ns="$(nsa_of a)"
	for pid in $(ip netns pids "$ns" 2>/dev/null); do
		kill -9 "$pid" 2>/dev/null
	done
	ip netns del "$ns" 2>/dev/null
	return "$rc"
}
trap 'q_cleanup; lb_cleanup; t_cleanup' EXIT

# ---- the node and the two segments ------------------------------------------------
lb_node_start a 2
NSS="$(nss_of a)" SW="$(swire_of a)" W="$(wire_of a)" NSA="$(nsa_of a)"
# the server segment becomes a bridge: the tap, the server on br0, the attacker
ip -n "$NSS" link add br0 type bridge mcast_snooping 0 || fail "bridge"
ip -n "$NSS" link set "$SW" master br0 || fail "tap into the bridge"
ip -n "$NSS" link set br0 address "$(server_mac a)" up || fail "br0 up"
ip netns add "$NSA" || fail "ip netns add $NSA"
ip -n "$NSS" link add va type veth peer name vt netns "$NSA" || fail "veth"
ip -n "$NSS" link set va master br0 up || fail "va up"
ip -n "$NSA" link set vt address "$FORGED" up || fail "vt up"
ip -n "$NSA" link set lo up
for ns in "$(nsc_of a)" "$NSS" "$NSA"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
done
nsc a ip -6 addr add "$CLI6/64" dev "$W" nodad || fail "client address"
nsc a ip -6 route add default via "$N0" || fail "client route"
ip -n "$NSS" -6 addr add "$SRV6/64" dev br0 nodad || fail "server address"
ip -n "$NSS" -6 addr add "$FAR/128" dev lo || fail "server far address"
ip -n "$NSS" -6 addr add "$FAR2/128" dev lo || fail "server far address 2"
ip -n "$NSS" -6 route add default via "$N1" || fail "server route"
SMAC="$(server_mac a)"

ctl a addr add "$N0/64" dev dpdk0 || fail "addr add $N0"
ctl a addr add "$N1/64" dev dpdk1 || fail "addr add $N1"
ctl a route add "fd00:29:$K::/48" via "$SRV6" dev dpdk1 || fail "route add"
assert_contains "route show" "fd00:29:$K::/48 via $SRV6 dev dpdk1 proto static" "$(ctl a route show)"
assert_contains "route show (connected)" "fd00:19:$K::/64 dev dpdk1 proto kernel" "$(ctl a route show)"

# ---- 1. ping6 to the node ------------------------------------------------------------
wait_until 10 nsc a ping -6 -c 1 -W 1 "$N0" || fail "no ping6 reply from $N0"
out="$(nsc a ping -6 -c 5 -i 0.2 -W 1 "$N0")"
assert_contains "ping6 $N0" " 5 received" "$out"
assert_not_contains "the node's kernel addresses" "$N0" "$(nsn a ip -6 addr)"
assert_contains "the client resolved the node by ND" "$N0 dev $W lladdr" "$(nsc a ip -6 neigh)"
assert_gt "NAs the workers sent" 0 "$(ctl a --json stats | jq '.events.nd_na_sent')"

# ---- 2. forwarding through a route of dpvsctl ------------------------------------------
cat >"$T_DIR/udp6.py" <<'EOF'
# echo ADDR PORT: a UDP echo server; probe DST PORT N [WAIT]: N datagrams,
# each from its own socket; prints how many were echoed within WAIT s each.
import socket
import sys

if sys.argv[1] == "echo":
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind((sys.argv[2], int(sys.argv[3])))
    while True:
        d, peer = s.recvfrom(65535)
        s.sendto(d, peer)
dst, port, n = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
wait = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0
ok = 0
socks = []
for i in range(n):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    socks.append(s)
    s.settimeout(wait)
    msg = b"probe %d" % i
    s.sendto(msg, (dst, port))
    try:
        if s.recv(100) == msg:
            ok += 1
    except socket.timeout:
        pass
print(ok)
EOF
bg ip netns exec "$NSS" "$T_PY" "$T_DIR/udp6.py" echo :: "$UDP_PORT"
wait_until 10 bash -c "ip netns exec $NSS ss -Hlnu | grep -q ':$UDP_PORT '" || fail "echo server"
probe() { nsc a "$T_PY" "$T_DIR/udp6.py" probe "$1" "$UDP_PORT" 16 "${2:-1}"; }

assert_eq "forwarding is off by default" "false" \
	"$(ctl a --json port show dpdk0 | jq -r '.[0].forward')"
assert_eq "datagrams through the node with forwarding off" 0 "$(probe "$FAR" 0.2)"
ctl a port set dpdk0 forward on || fail "port set dpdk0 forward on"
ctl a port set dpdk1 forward on || fail "port set dpdk1 forward on"
assert_eq "forwarding switched on" "true" "$(ctl a --json port show dpdk0 | jq -r '.[0].forward')"
all16() { [ "$(probe "$1")" = 16 ]; }
wait_until 15 all16 "$FAR" || fail "UDP through the node to $FAR: $(probe "$FAR") of 16 answered"
log "ok: 16 of 16 datagrams to $FAR through route fd00:29:$K::/48"
out="$(nsc a ping -6 -c 3 -i 0.2 -W 1 "$FAR")"
assert_contains "ping6 through the node" " 3 received" "$out"
assert_gt "IPv6 packets forwarded" 32 "$(ctl a --json stats | jq '.events.ip6_forward')"
server_rows() {
	ctl a --json neigh show | jq -r --arg ip "$SRV6" \
		'.[] | select(.address == $ip) | .lladdr as $m | .state as $s | .workers[]
		 | "\(.) \($m) \($s)"'
}
both_know_server() { [ "$(server_rows | grep -c -F " $SMAC ")" = 2 ]; }
wait_until 15 both_know_server || {
	all16 "$FAR"
	both_know_server || fail "both workers should know $SRV6 at $SMAC: $(ctl a neigh show)"
}
log "neighbours: $(ctl a neigh show | tr '\n' ';')"
assert_contains "neigh show (state and age)" "$SRV6 lladdr $SMAC dev dpdk1 reachable age" \
	"$(ctl a neigh show)"

# ---- 3. kill -9 of dpvs-ctl -----------------------------------------------------------
RUN="$(rundir_of a)"
old="$(cat "$RUN/ctl.pid")"
kill -9 "$old" || fail "kill -9 dpvs-ctl"
ctl_back() { p="$(cat "$RUN/ctl.pid" 2>/dev/null)"; [ -n "$p" ] && [ "$p" != "$old" ] && ctl a version; }
wait_until 15 ctl_back || fail "dpvs-ctl not restarted"
log "ok: dpvs-ctl restarted: $old -> $(cat "$RUN/ctl.pid")"
wait_until 10 all16 "$FAR" || fail "the route after the restart of dpvs-ctl: $(probe "$FAR") of 16"
ctl a route add "fd00:39:$K::/48" via "$SRV6" dev dpdk1 || fail "route add after the restart"
wait_until 10 all16 "$FAR2" || fail "a route added after the restart: $(probe "$FAR2") of 16"
log "ok: routes old and new carry traffic after kill -9 of dpvs-ctl"

# ---- 4. (f) forged neighbour advertisements on the server's segment -----------------
NMAC="$(ctl a --json port show dpdk1 | jq -r '.[0].lladdr')"
cat >"$T_DIR/forge6.py" <<'EOF'
# IFACE NODE_MAC NODE_IP SERVER_IP FORGED_MAC SECONDS: forged ND every 0.2 s.
import sys
import time

from scapy.all import Ether, IPv6, conf
from scapy.layers.inet6 import (ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr,
                                ICMPv6NDOptSrcLLAddr)

iface, nmac, nip, sip, fmac, secs = sys.argv[1:7]
other = sip.rsplit(":", 1)[0] + ":99"


def na(tgt, dst, dmac, s):
    return (Ether(dst=dmac, src=fmac) / IPv6(src=tgt, dst=dst, hlim=255) /
            ICMPv6ND_NA(tgt=tgt, R=0, S=s, O=1) / ICMPv6NDOptDstLLAddr(lladdr=fmac))


frames = [
    na(sip, nip, nmac, 1),                               # "solicited": the server at fmac
    na(sip, nip, nmac, 0),                               # unsolicited, override
    na(sip, "ff02::1", "33:33:00:00:00:01", 0),          # to all-nodes
    Ether(dst=nmac, src=fmac) / IPv6(src=sip, dst=nip, hlim=255) /
    ICMPv6ND_NS(tgt=nip) / ICMPv6NDOptSrcLLAddr(lladdr=fmac),   # "I am the server"
    na(nip, nip, nmac, 0),                               # the node's own address
    na(other, nip, nmac, 1),                             # nobody asked
]
s = conf.L2socket(iface=iface)
end = time.monotonic() + float(secs)
n = 0
while time.monotonic() < end:
    for f in frames:
        s.send(f)
        n += 1
    time.sleep(0.2)
s.close()
print(n)
EOF
d0="$(ctl a --json stats | jq -c '.drops')"
ip netns exec "$NSA" "$T_PY" "$T_DIR/forge6.py" vt "$NMAC" "$N1" "$SRV6" "$FORGED" 4 \
	>"$T_DIR/forge.out" 2>&1 &
FPID=$!
T_BG_PIDS+=("$FPID")
rounds=0 bad=0 seen_forged=0
while kill -0 "$FPID" 2>/dev/null; do
	got="$(probe "$FAR")"
	rounds=$((rounds + 1))
	[ "$got" = 16 ] || bad=$((bad + 1))
	ctl a neigh show | grep -q -i "$FORGED" && seen_forged=1
done
wait "$FPID" 2>/dev/null
log "attack: $(cat "$T_DIR/forge.out") forged frames; $rounds UDP rounds during it"
assert_gt "UDP rounds during the attack" 0 "$rounds"
assert_eq "UDP rounds that lost a datagram during the attack" 0 "$bad"
assert_eq "the attacker's MAC in neigh show" 0 "$seen_forged"
for i in 1 2 3; do
	assert_eq "UDP round $i after the attack" 16 "$(probe "$FAR")"
done
wait_until 10 both_know_server || fail "both workers should still know $SRV6 at $SMAC: $(ctl a neigh show)"
assert_not_contains "neigh show after the attack" "$FORGED" "$(ctl a neigh show)"
d1="$(ctl a --json stats | jq -c '.drops')"
delta() { jq -n --argjson a "$d0" --argjson b "$d1" --arg k "$1" '$b[$k] - $a[$k]'; }
claims=$(($(delta nd_mac_claim) + $(delta nd_mac_locked)))
assert_gt "forged advertisements refused (nd_mac_claim + nd_mac_locked)" 0 "$claims"
assert_gt "advertisements for our own address (nd_our_sender)" 0 "$(delta nd_our_sender)"
assert_gt "advertisements nobody asked for (nd_unsolicited)" 0 "$(delta nd_unsolicited)"
log "refusals: claim $(delta nd_mac_claim), locked $(delta nd_mac_locked), ours $(delta nd_our_sender), unsolicited $(delta nd_unsolicited)"
exit 0
