#!/usr/bin/env bash
# System test (issue 9, 4): rate limits, shown by the node's counters (no
# timing assertion). A node of two workers, its UDP service VIP:7 with two
# real echo servers; the client sends bursts of N datagrams from one socket
# (one connection), each burst as fast as the kernel sends.
#   1. `-E -u VIP:7 --rate-in 20pps:10`: part of the burst is dropped as
#      rate_svc_in (the "ipvs" hook's drops grow as much); what passed is
#      exactly what the real servers received, and passed + dropped = N.
#   2. the service's limit back to 0, `--rate-out 20pps:10` on both dests:
#      every datagram reaches a server, part of the echoes is dropped as
#      rate_dest_out; echoes sent back + dropped = datagrams the servers got.
#   3. `-L -n --json` shows the limits; `save` carries them.
# A burst of N = 300 small datagrams leaves a meter of 10 pps per worker
# (a burst of 5) far behind whatever the machine's speed: a burst that all
# passed would take 30 s.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
command -v jq >/dev/null || fail "jq missing"

X=a
N=300
lb_setup "$X" 2
VIP="$(vip_of "$X")"
SVC="$VIP:$LB_UDP_PORT"

drop_count() { ctl "$X" --json stats | jq -r --arg n "$1" '.drops[$n] // 0'; }
hook_drops() { ctl "$X" --json stats | jq -r '.hook_drops.ipvs // 0'; }
svc_field() { svc_json "$X" u | jq -r ".$1"; }
srv_got() { echo $(($(srv_count "$X" udp 1) + $(srv_count "$X" udp 2))); }
# burst: N datagrams from one client socket; prints the echoes it got (it
# stops reading after 1 s without one: what it counts is only logged)
burst() {
	nsc "$X" /usr/bin/python3 -c '
import socket, sys
n, vip, port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 0))
for i in range(n):
    s.sendto(b"r%d" % i, (vip, port))
s.settimeout(1)
got = 0
try:
    while True:
        s.recv(512)
        got += 1
except socket.timeout:
    pass
print(got)' "$N" "$VIP" "$LB_UDP_PORT"
}

# the real servers' neighbours resolved first (rr: two connections reach
# both), so that no datagram of a burst waits for ARP
echo_one() {
	nsc "$X" /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
s.sendto(b"warm", (sys.argv[1], int(sys.argv[2])))
s.recv(512)' "$VIP" "$LB_UDP_PORT"
}
for i in 1 2 3 4; do
	wait_until 10 echo_one || fail "no UDP echo through the VIP"
done
[ "$(srv_count "$X" udp 1)" -gt 0 ] && [ "$(srv_count "$X" udp 2)" -gt 0 ] ||
	fail "warm-up reached only one UDP server"

# --- 1. the service's inbound rate ---
ctl "$X" -E -u "$SVC" --rate-in 20pps:10 || fail "-E --rate-in"
d0="$(drop_count rate_svc_in)"
h0="$(hook_drops)"
in0="$(svc_field inpkts)"
g0="$(srv_got)"
echoes="$(burst)"
# every datagram is accounted for once the node's counters settle
settled_in() { [ $(($(svc_field inpkts) - in0 + $(drop_count rate_svc_in) - d0)) -eq "$N" ]; }
wait_until 10 settled_in || fail "inbound: passed + dropped != $N (passed $(($(svc_field inpkts) - in0)), dropped $(($(drop_count rate_svc_in) - d0)))"
passed=$(($(svc_field inpkts) - in0))
dropped=$(($(drop_count rate_svc_in) - d0))
log "inbound burst of $N: passed $passed, dropped rate_svc_in $dropped, echoes $echoes"
assert_gt "rate_svc_in drops of the burst" 0 "$dropped"
assert_gt "datagrams passed" 0 "$passed"
assert_eq "ipvs hook drops of the burst" "$dropped" $(($(hook_drops) - h0))
servers_have() { [ $(($(srv_got) - g0)) -eq "$1" ]; }
wait_until 10 servers_have "$passed" || fail "servers got $(($(srv_got) - g0)), the node passed $passed"
log "ok: the real servers got exactly what passed ($passed)"
assert_eq "-L -n --json: the service's in_pps limit" "20 10" \
	"$(svc_json "$X" u | jq -r '.rates.in_pps | "\(.rate) \(.burst)"')"
assert_contains "save" "-A -u $SVC -s rr --rate-in 20pps:10" "$(ctl "$X" save)"

# --- 2. the dests' outbound rate ---
ctl "$X" -E -u "$SVC" --rate-in 0 || fail "-E --rate-in 0"
for i in 1 2; do
	ctl "$X" -e -u "$SVC" -r "$(udp_rs "$X" "$i"):$LB_UDP_PORT" --rate-out 20pps:10 ||
		fail "-e --rate-out"
done
d0="$(drop_count rate_dest_out)"
di0="$(drop_count rate_svc_in)"
out0="$(svc_field outpkts)"
g0="$(srv_got)"
echoes="$(burst)"
wait_until 10 servers_have "$N" || fail "outbound: servers got $(($(srv_got) - g0)) of $N"
assert_eq "rate_svc_in drops with the limit back to 0" "$di0" "$(drop_count rate_svc_in)"
settled_out() { [ $(($(svc_field outpkts) - out0 + $(drop_count rate_dest_out) - d0)) -eq "$N" ]; }
wait_until 10 settled_out || fail "outbound: sent + dropped != $N (sent $(($(svc_field outpkts) - out0)), dropped $(($(drop_count rate_dest_out) - d0)))"
sent=$(($(svc_field outpkts) - out0))
dropped=$(($(drop_count rate_dest_out) - d0))
log "outbound: $N echoes from the servers: sent $sent, dropped rate_dest_out $dropped, the client got $echoes"
assert_gt "rate_dest_out drops" 0 "$dropped"
assert_gt "echoes sent" 0 "$sent"
[ "$echoes" -le "$sent" ] || fail "the client got $echoes echoes, more than the $sent sent"
assert_eq "-L -n --json: a dest's out_pps limit" "20 10" \
	"$(svc_json "$X" u | jq -r '.dests[0].rates.out_pps | "\(.rate) \(.burst)"')"
assert_contains "save" "--rate-out 20pps:10" "$(ctl "$X" save)"
ctl "$X" -L -n | sed 's/^/    /'

lb_node_done "$X"
exit 0
