#!/usr/bin/env bash
# System test (issue 6, defect 2): forged ARP does not cut a client off.
# A full-NAT VIP with two workers serves curl; once both workers know the
# client, an attacker on the client's segment (the client namespace, sending
# with a forged sender MAC through a raw socket, scapy) sends for 4 s, every
# 0.2 s: a forged ARP reply, a gratuitous ARP request and a gratuitous reply
# saying the client's address is at another MAC, a request for the VIP from
# the client's address with that MAC, and replies for the node's own VIP and
# from an off-subnet address. Meanwhile and afterwards every curl request
# through the VIP succeeds (the SYN-ACKs keep going to the client's real
# MAC), `dpvsctl neigh show` shows the client's real MAC in each worker and
# never the forged one, and the refusals are counted (arp_mac_claim or
# arp_mac_locked, arp_our_sender, arp_off_subnet).
# On the code before issue 6 any reply was learned: the first forged reply
# sent every SYN-ACK to the forged MAC, for good.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
command -v curl >/dev/null || fail "curl missing"
"$T_PY" -c 'import scapy' 2>/dev/null || fail "scapy missing for $T_PY (deploy/install-deps.sh)"

FORGED=02:66:66:66:66:66
ATTACK_S=4

lb_setup a 2
VIP="$(vip_of a)"
CA="$(client_addr a)"
CMAC="$(client_mac a)"

get_ok() { nsc a curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "http://$VIP/" | grep -q '^200$'; }

# the client's entry in each worker's table: "worker mac state" lines
client_rows() {
	ctl a --json neigh show | jq -r --arg ip "$CA" \
		'.[] | select(.address == $ip) | .lladdr as $m | .state as $s | .workers[]
		 | "\(.) \($m) \($s)"'
}
# both workers resolved the client (each owns some of the connections and
# sends their SYN-ACKs): requests until they have, so that no worker is
# still asking when the attack starts
both_resolved() {
	get_ok || return 1
	[ "$(client_rows | grep -c -F " $CMAC ")" = 2 ]
}
wait_until 20 both_resolved || fail "both workers should know $CA: $(ctl a neigh show)"
log "before: $(ctl a neigh show | grep -w -F "$CA" | tr '\n' ';')"
NODE_MAC="$(nsc a ip -j neigh show "$VIP" | jq -r '.[0].lladdr // empty')"
[ -n "$NODE_MAC" ] || fail "the client has no MAC for $VIP: $(nsc a ip neigh)"

cat >"$T_DIR/forge.py" <<'EOF'
# IFACE NODE_MAC CLIENT_IP FORGED_MAC VIP SECONDS: forged ARP on IFACE
# every 0.2 s for SECONDS; prints the number of frames sent.
import sys
import time

from scapy.all import ARP, Ether, conf, sendp

iface, node_mac, cip, fmac, vip, secs = sys.argv[1:7]
bc = "ff:ff:ff:ff:ff:ff"
frames = [
    # "CLIENT_IP is at FORGED_MAC": a reply to the node, gratuitous ARP
    Ether(dst=node_mac, src=fmac) / ARP(op=2, hwsrc=fmac, psrc=cip, hwdst=node_mac, pdst=vip),
    Ether(dst=bc, src=fmac) / ARP(op=1, hwsrc=fmac, psrc=cip, hwdst="00:00:00:00:00:00", pdst=cip),
    Ether(dst=bc, src=fmac) / ARP(op=2, hwsrc=fmac, psrc=cip, hwdst=bc, pdst=cip),
    # a request for the VIP from the client's address at the forged MAC
    Ether(dst=bc, src=fmac) / ARP(op=1, hwsrc=fmac, psrc=cip, hwdst="00:00:00:00:00:00", pdst=vip),
    # the node's own VIP at the forged MAC, and an off-subnet sender
    Ether(dst=node_mac, src=fmac) / ARP(op=2, hwsrc=fmac, psrc=vip, hwdst=node_mac, pdst=vip),
    Ether(dst=node_mac, src=fmac) / ARP(op=2, hwsrc=fmac, psrc="10.99.0.1", hwdst=node_mac,
                                        pdst=vip),
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

# the attack, and curl through the VIP while it lasts and a little after
bg ip netns exec "$(nsc_of a)" "$T_PY" "$T_DIR/forge.py" "$(wire_of a)" "$NODE_MAC" "$CA" \
	"$FORGED" "$VIP" "$ATTACK_S" >"$T_DIR/forge.out" 2>&1
forger="$(last_bg)"
ok=0 bad=0 after=0
while [ "$after" -lt 20 ] && [ "$bad" -lt 5 ]; do   # a few failures are enough to know
	if get_ok; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
	kill -0 "$forger" 2>/dev/null || after=$((after + 1))
done
sent="$(cat "$T_DIR/forge.out")"
log "forged ARP frames sent: $sent; requests: $ok answered, $bad failed"
[ "$sent" -gt 0 ] 2>/dev/null || fail "the attacker sent nothing: $sent"
assert_eq "failed requests during and after the forged ARP" 0 "$bad"
assert_ge "requests during and after the forged ARP" 20 "$ok"

shown="$(ctl a neigh show)"
log "after: $(printf '%s\n' "$shown" | grep -w -F "$CA" | tr '\n' ';')"
assert_not_contains "neigh show" "$FORGED" "$shown"
rows="$(client_rows)"
assert_eq "workers whose entry for $CA has the real MAC $CMAC" 2 "$(grep -c -F " $CMAC " <<<"$rows")"

# sum_drop NAME: a drop counter of the node (summed over the workers)
sum_drop() {
	ctl a --json stats | jq --arg n "$1" '.drops | if type == "array"
		then (map({(.name): .value}) | add) else . end | .[$n] // 0'
}
claims=$(($(sum_drop arp_mac_claim) + $(sum_drop arp_mac_locked)))
log "refused: claims of another MAC $claims (probed: $(sum_drop arp_mac_claim)), our own" \
	"address $(sum_drop arp_our_sender), off-subnet $(sum_drop arp_off_subnet)," \
	"unsolicited $(sum_drop arp_unsolicited)"
assert_gt "another MAC claimed for the client, refused" 0 "$claims"
assert_gt "forged replies for our VIP, refused" 0 "$(sum_drop arp_our_sender)"
assert_gt "forged replies from off the subnet, refused" 0 "$(sum_drop arp_off_subnet)"
exit 0
