#!/usr/bin/env bash
# System test (issue 8): the node as a router, two workers. A client on
# dpdk0 (MTU 1500), a server on dpdk1, whose MTU dpvs.conf sets to 1280
# ([port.dpdk1] mtu = 1280: the port, its tap and the server's wire).
#   1. forwarding off (the default): ping to the server gets no answer (the
#      node's kernel does not forward); `port set dpdk0|dpdk1 forward on`: it
#      does; off again: it does not.
#   2. IPv4 ping -s 1400 -M dont (1428 bytes, DF clear) through the node: the
#      node fragments it for dpdk1 (frag_ok, frag_created), the server's reply
#      comes back; -M do (DF set): the client gets "Frag needed and DF set
#      (mtu = 1280)" from the node (frag_needed, icmp_sent_frag_needed).
#   3. ping -t 1: "Time to live exceeded" from the node's address; ping -6
#      -t 1: "Time exceeded: Hop limit" from its IPv6 address.
#   4. ping -6 -s 1400: "Packet too big: mtu=1280" from the node, after which
#      the client fragments itself and the pings go through.
# Without issue 8: no forwarding at all (everything went to the kernel).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

eval "lbq_$(declare -f write_conf)"
write_conf() {
	lbq_write_conf "$@"
	echo "mtu = 1280" >>"$T_DIR/node-$1/dpvs.conf"   # in [port.dpdk1]
}

K="1$(node_idx a)"
NA="$(node_addr a)" CA="$(client_addr a)" SA="$(http_rs a 1)" N1="$(srv_net_addr a)"
N06="fd00:18:$K::1" C6="fd00:18:$K::2" N16="fd00:19:$K::1" S6="fd00:19:$K::11"

lb_node_start a 2
W="$(wire_of a)" SW="$(swire_of a)"
node_add_addr a
ctl a addr add "$N1/24" dev dpdk1 || fail "addr add $N1"
ctl a addr add "$N06/64" dev dpdk0 || fail "addr add $N06"
ctl a addr add "$N16/64" dev dpdk1 || fail "addr add $N16"
assert_eq "dpdk1's MTU" 1280 "$(ctl a --json port show dpdk1 | jq '.[0].mtu')"
assert_contains "the server's wire MTU" "mtu 1280" "$(nss a ip link show "$SW")"
for ns in "$(nsc_of a)" "$(nss_of a)"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
done
nsc a ip route add "198.19.$(node_idx a).0/24" via "$NA" || fail "client route"
nss a ip route add default via "$N1" || fail "server route"
nsc a ip -6 addr add "$C6/64" dev "$W" nodad || fail "client address"
nsc a ip -6 route add default via "$N06" || fail "client route6"
nss a ip -6 addr add "$S6/64" dev "$SW" nodad || fail "server address"
nss a ip -6 route add default via "$N16" || fail "server route6"
wait_until 10 nsc a ping -c 1 -W 1 "$NA" || fail "no reply from $NA"
event() { ctl a --json stats | jq ".events.$1"; }
drop() { ctl a --json stats | jq ".drops.$1"; }
received() { sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$1"; }

# ---- 1. the switch -----------------------------------------------------------------
out="$(nsc a ping -c 2 -i 0.2 -W 1 "$SA")"
assert_eq "ping through the node, forwarding off" 0 "$(received "$out")"
ctl a port set dpdk0 forward on || fail "port set dpdk0 forward on"
ctl a port set dpdk1 forward on || fail "port set dpdk1 forward on"
wait_until 10 nsc a ping -c 1 -W 1 "$SA" || fail "no reply from $SA with forwarding on"
out="$(nsc a ping -c 3 -i 0.2 -W 1 "$SA")"
assert_eq "ping through the node, forwarding on" 3 "$(received "$out")"
assert_gt "IPv4 packets forwarded" 5 "$(event ip_forward)"

# ---- 2. fragmentation ---------------------------------------------------------------
f0="$(event frag_ok)" c0="$(event frag_created)"
out="$(nsc a ping -c 3 -i 0.2 -W 2 -s 1400 -M dont "$SA")"
assert_eq "1428-byte pings through a 1280-byte hop, DF clear" 3 "$(received "$out")"
assert_eq "packets fragmented" $((f0 + 3)) "$(event frag_ok)"
assert_eq "fragments made" $((c0 + 6)) "$(event frag_created)"
out="$(nsc a ping -c 1 -W 2 -s 1400 -M do "$SA" 2>&1)"
log "ping -M do: $(tr '\n' ' ' <<<"$out")"
assert_contains "ping -M do -s 1400" "Frag needed and DF set (mtu = 1280)" "$out"
assert_contains "ping -M do -s 1400 (from the node)" "From $NA" "$out"
assert_gt "frag_needed drops" 0 "$(drop frag_needed)"
assert_gt "fragmentation-needed errors sent" 0 "$(event icmp_sent_frag_needed)"

# ---- 3. TTL and hop limit --------------------------------------------------------------
out="$(nsc a ping -c 1 -W 2 -t 1 "$SA" 2>&1)"
assert_contains "ping -t 1" "From $NA icmp_seq=1 Time to live exceeded" "$out"
wait_until 10 nsc a ping -6 -c 1 -W 1 "$S6" || fail "no reply from $S6"
out="$(nsc a ping -6 -c 1 -W 2 -t 1 "$S6" 2>&1)"
assert_contains "ping -6 -t 1" "From $N06 icmp_seq=1 Time exceeded: Hop limit" "$out"
assert_gt "time-exceeded errors sent (v4)" 0 "$(event icmp_sent_time_exceeded)"
assert_gt "time-exceeded errors sent (v6)" 0 "$(event icmp6_sent_time_exceeded)"

# ---- 4. IPv6 packet too big ---------------------------------------------------------------
out="$(nsc a ping -6 -c 4 -i 0.3 -W 2 -s 1400 "$S6" 2>&1)"
log "ping -6 -s 1400: $(tr '\n' ' ' <<<"$out")"
assert_contains "ping -6 -s 1400" "From $N06 icmp_seq=1 Packet too big: mtu=1280" "$out"
assert_ge "pings after the client learned the MTU" 3 "$(received "$out")"
assert_gt "ip6_too_big drops" 0 "$(drop ip6_too_big)"

# ---- 1 again: off means off ------------------------------------------------------------------
ctl a port set dpdk0 forward off || fail "port set dpdk0 forward off"
out="$(nsc a ping -c 2 -i 0.2 -W 1 "$SA")"
assert_eq "ping through the node, forwarding off again" 0 "$(received "$out")"
exit 0
