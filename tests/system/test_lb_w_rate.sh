#!/usr/bin/env bash
# System test (issue 9, 4): rate limits, shown by the node's counters (no
# timing assertion). A node of two workers, its UDP service VIP:7 with two
# real echo servers; the client sends bursts of N datagrams from one socket
# (one connection), each burst as fast as the kernel sends.
#   1. `-E -u VIP:7 --rate-in 20pps:10`: part of the burst is dropped as
#      rate_svc_in (the "ipvs" hook's drops grow as much); what passed is
#      exactly what the real servers received, and passed + dropped = N.
#   2. the service's limit back to 0, `--rate-out 20pps:10` on both dests,
#      a burst of N2 = 120: every datagram reaches a server, part of the
#      echoes is dropped as rate_dest_out; echoes sent back + dropped = N2.
#   3. `-L -n --json` shows the limits; `save` carries them.
#   4. LVS's upper threshold counted over both workers: a UDP service VIP:9
#      whose two dests have `-x 2`; eight clients (eight source ports, spread
#      over the workers by the ports' RSS), one after the other, each send a
#      datagram: four make connections (two per dest on the node), four are
#      dropped as no_dest. Counted per worker, as before, a dest took two
#      from each worker: more than four connections.
# A burst of N = 300 small datagrams leaves a meter of 10 pps per worker
# (a burst of 5) far behind whatever the machine's speed: a burst that all
# passed would take 30 s.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
command -v jq >/dev/null || fail "jq missing"

X=a
N=300    # inbound: what passes is a few, the servers' sockets never overflow
N2=120   # outbound: every datagram reaches a server: 120 fit in its socket's
         # default buffer (212992 bytes, about 1 KiB a datagram) however late it reads
lb_setup "$X" 2
VIP="$(vip_of "$X")"
SVC="$VIP:$LB_UDP_PORT"
# the echo servers as static neighbours: a burst's connection may land on a
# worker that has not resolved its dest yet, whose hold queue (4 packets)
# would drop part of the burst as neigh_hold_full, not by a rate
for i in 1 2; do
	ctl "$X" neigh add "$(udp_rs "$X" "$i")" lladdr "$(server_mac "$X")" dev dpdk1 ||
		fail "neigh add $(udp_rs "$X" "$i")"
done

# snap: the node's stats and -L -n --stats into STATS and LIST (retried: on
# a loaded machine one dpvsctl call may fail while the others work)
snap_try() {
	ctl "$X" --json stats >"$T_DIR/stats.json" 2>"$T_DIR/snap.err" &&
		jq -e '.drops' "$T_DIR/stats.json" >/dev/null &&
		ctl "$X" --json -L -n --stats >"$T_DIR/list.json" 2>>"$T_DIR/snap.err" &&
		jq -e 'type == "array"' "$T_DIR/list.json" >/dev/null || return 1
	STATS="$(cat "$T_DIR/stats.json")"
	LIST="$(cat "$T_DIR/list.json")"
}
snap() { wait_until 20 snap_try || fail "dpvsctl --json stats / -L -n: $(cat "$T_DIR/snap.err")"; }
drop_count() { jq -r --arg n "$1" '.drops[$n] // 0' <<<"$STATS"; }
hook_drops() { jq -r '.hook_drops.ipvs // 0' <<<"$STATS"; }
# svc_field FIELD [PORT]: a field of the UDP service VIP:PORT (default 7) in LIST
svc_field() {
	jq -r --argjson p "${2:-$LB_UDP_PORT}" --arg f "$1" \
		'.[] | select(.proto == "udp" and .port == $p) | .[$f]' <<<"$LIST"
}
srv_got() { echo $(($(srv_count "$X" udp 1) + $(srv_count "$X" udp 2))); }
# burst COUNT: COUNT datagrams from one client socket; prints the echoes it
# got (it stops reading after 1 s without one: what it counts is only logged)
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
print(got)' "$1" "$VIP" "$LB_UDP_PORT"
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
snap
d0="$(drop_count rate_svc_in)"
h0="$(hook_drops)"
in0="$(svc_field inpkts)"
g0="$(srv_got)"
echoes="$(burst "$N")"
# every datagram is accounted for once the node's counters settle
settled_in() {
	snap_try && [ $(($(svc_field inpkts) - in0 + $(drop_count rate_svc_in) - d0)) -eq "$N" ]
}
wait_until 20 settled_in || fail "inbound: passed + dropped != $N (passed $(($(svc_field inpkts) - in0)), dropped $(($(drop_count rate_svc_in) - d0)); drops: $(drops_nonzero "$X"))"
passed=$(($(svc_field inpkts) - in0))
dropped=$(($(drop_count rate_svc_in) - d0))
log "inbound burst of $N: passed $passed, dropped rate_svc_in $dropped, echoes $echoes"
assert_gt "rate_svc_in drops of the burst" 0 "$dropped"
assert_gt "datagrams passed" 0 "$passed"
assert_eq "ipvs hook drops of the burst" "$dropped" $(($(hook_drops) - h0))
# what passed went on to the servers (all of it, unless the path dropped some:
# then the drops say why)
servers_have() { [ $(($(srv_got) - g0)) -ge "$1" ]; }
wait_until 10 servers_have "$passed" ||
	log "note: servers got $(($(srv_got) - g0)) of the $passed passed; drops: $(drops_nonzero "$X")"
[ $(($(srv_got) - g0)) -le "$passed" ] || fail "servers got $(($(srv_got) - g0)), more than the $passed passed"
assert_gt "datagrams the servers got" 0 $(($(srv_got) - g0))
assert_eq "-L -n --json: the service's in_pps limit" "20 10" \
	"$(jq -r '.[] | select(.proto == "udp" and .port == '"$LB_UDP_PORT"') | .rates.in_pps | "\(.rate) \(.burst)"' <<<"$LIST")"
assert_contains "save" "-A -u $SVC -s rr --rate-in 20pps:10" "$(ctl "$X" save)"

# --- 2. the dests' outbound rate ---
ctl "$X" -E -u "$SVC" --rate-in 0 || fail "-E --rate-in 0"
for i in 1 2; do
	ctl "$X" -e -u "$SVC" -r "$(udp_rs "$X" "$i"):$LB_UDP_PORT" --rate-out 20pps:10 ||
		fail "-e --rate-out"
done
snap
d0="$(drop_count rate_dest_out)"
di0="$(drop_count rate_svc_in)"
out0="$(svc_field outpkts)"
g0="$(srv_got)"
echoes="$(burst "$N2")"
wait_until 10 servers_have "$N2" || fail "outbound: servers got $(($(srv_got) - g0)) of $N2; drops: $(drops_nonzero "$X")"
got=$(($(srv_got) - g0))
# each datagram a server got it answers: the node sends or drops each answer
settled_out() {
	snap_try && [ $(($(svc_field outpkts) - out0 + $(drop_count rate_dest_out) - d0)) -eq "$got" ]
}
wait_until 20 settled_out || fail "outbound: sent + dropped != $got (sent $(($(svc_field outpkts) - out0)), dropped $(($(drop_count rate_dest_out) - d0)); drops: $(drops_nonzero "$X"))"
assert_eq "rate_svc_in drops with the limit back to 0" "$di0" "$(drop_count rate_svc_in)"
sent=$(($(svc_field outpkts) - out0))
dropped=$(($(drop_count rate_dest_out) - d0))
log "outbound: $got echoes from the servers: sent $sent, dropped rate_dest_out $dropped, the client got $echoes"
assert_gt "rate_dest_out drops" 0 "$dropped"
assert_gt "echoes sent" 0 "$sent"
[ "$echoes" -le "$sent" ] || fail "the client got $echoes echoes, more than the $sent sent"
assert_eq "-L -n --json: a dest's out_pps limit" "20 10" \
	"$(jq -r '.[] | select(.proto == "udp" and .port == '"$LB_UDP_PORT"') | .dests[0].rates.out_pps | "\(.rate) \(.burst)"' <<<"$LIST")"
assert_contains "save" "--rate-out 20pps:10" "$(ctl "$X" save)"
ctl "$X" -L -n | sed 's/^/    /'

# --- 4. the thresholds count every worker's connections ---
T="$VIP:9"
ctl "$X" -A -u "$T" -s rr || fail "-A -u $T"
for i in 1 2; do
	ctl "$X" -a -u "$T" -r "$(udp_rs "$X" "$i"):$LB_UDP_PORT" -b fnat -w 1 -x 2 || fail "-a -x 2"
done
ctl "$X" laddr add -u "$T" "$(laddr_of "$X")" dev dpdk1 || fail "laddr add -u $T"
snap
nd0="$(drop_count no_dest)"
answered=0
for i in $(seq 1 8); do
	if nsc "$X" /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 41000 + int(sys.argv[3])))
s.settimeout(2)
s.sendto(b"x", (sys.argv[1], int(sys.argv[2])))
s.recv(512)' "$VIP" 9 "$i" 2>/dev/null; then
		answered=$((answered + 1))
	fi
done
# each client's one datagram made a connection or was dropped as no_dest
settled_x() {
	snap_try && [ $(($(svc_field conns 9) + $(drop_count no_dest) - nd0)) -eq 8 ]
}
wait_until 20 settled_x || fail "threshold: conns $(svc_field conns 9) + no_dest $(($(drop_count no_dest) - nd0)) != 8; drops: $(drops_nonzero "$X")"
log "threshold: $answered of 8 clients answered; no_dest per worker:" \
	"$(jq -c '[.workers[] | {id, no_dest: .drops.no_dest}]' <<<"$STATS")"
ctl "$X" -L -n -u "$T" | sed 's/^/    /'
assert_eq "connections of the service under -x 2 on two dests" 4 "$(svc_field conns 9)"
assert_eq "no_dest drops of the clients over the threshold" 4 $(($(drop_count no_dest) - nd0))
[ "$answered" -le 4 ] || fail "$answered clients answered, more than the 4 connections"

lb_node_done "$X"
exit 0
