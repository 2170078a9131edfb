#!/usr/bin/env bash
# System test (issue 8, d): SNAT with two workers. The client netns is the
# inside network (its default route via the node, 198.18.k.1); an outside
# host in its own netns behind a switch on dpdk1 (modes_lib.sh) has no route
# beyond its network: it can answer only the node's address 198.19.k.1, the
# SNAT source. A match service takes the
# inside's TCP to dpdk1 (-A -H proto=tcp,src-range=...,oif=dpdk1, its real
# server -r 198.19.k.1:0 -b snat) and another its UDP (DPVS's -J). The inside
# host downloads a 1 MiB file 30 times (each download whole, its SHA-256
# right), and 50 UDP datagrams come back echoed; the outside servers saw only
# the node's address; replies that reach the worker that does not own their
# port are passed to the owner (redirect verdicts > 0: the tap steers most
# of a flow's packets to the queue that last sent it, so this is seen on
# about a third of the TCP connections, measured 3 and 4 of 10). -L -n shows
# the match services, save carries them, conn show lists snat connections.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
. "$(dirname "$0")/modes_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
command -v curl >/dev/null || fail "curl missing"

X=a
D=30
lb_node_start "$X" 2
modes_switch "$X"
modes_server "$X" 1 outside              # an outside host, in its own netns behind a switch
lb_addrs "$X"
K="$(lb_idx "$X")"
SRC="$(srv_net_addr "$X")"               # the SNAT source: the node's address on dpdk1
WEB="$(mrs_of "$X" 1)"                   # the outside host's address
MT="proto=tcp,src-range=198.18.$K.2-198.18.$K.254,oif=dpdk1"
MU="proto=udp,src-range=198.18.$K.2-198.18.$K.254,oif=dpdk1"
ctl "$X" -A -H "$MT" -s rr || fail "-A -H tcp"
ctl "$X" -a -H "$MT" -r "$SRC:0" -b snat || fail "-a -H tcp"
ctl "$X" -A -H "$MU" -s rr || fail "-A -H udp"
ctl "$X" -a -H "$MU" -r "$SRC:0" -J || fail "-a -H udp -J"
ctl "$X" -L -n
assert_contains "-L -n" "MATCH $MT rr" "$(ctl "$X" -L -n)"
assert_contains "save" "-a -H $MT -r $SRC:0 -b snat -w 1" "$(ctl "$X" save)"
nsc "$X" ip route add default via "$(node_addr "$X")" || fail "inside: default route"
[ -z "$(msrv "$X" 1 ip route show default)" ] || fail "the outside host must not reach the inside"

mkdir -p "$T_DIR/www"
head -c 1048576 /dev/urandom >"$T_DIR/www/file"
want="$(sha256sum <"$T_DIR/www/file" | cut -d' ' -f1)"
bg msrv "$X" 1 "$T_PY" -m http.server --bind "$WEB" --directory "$T_DIR/www" 8000 \
	>"$T_DIR/web.log" 2>&1
: >"$(srv_log "$X" udp 1)"
bg msrv "$X" 1 "$T_PY" "$T_DIR/lb_server.py" udp udp1 "$WEB" "$LB_UDP_PORT" "$(srv_log "$X" udp 1)"
wait_until 10 sh -c "ip netns exec $(srvns_of "$X" 1) ss -Hltnu | grep -q '$WEB:8000 '" ||
	fail "web server not listening"
wait_until 10 nsc "$X" curl -sS --max-time 2 -o /dev/null "http://$WEB:8000/" ||
	fail "no answer from http://$WEB:8000/ (drops: $(drops_nonzero "$X"))"
: >"$T_DIR/web.log"
r0="$(redirects "$X")"

ok=0
for i in $(seq "$D"); do
	rm -f "$T_DIR/got"
	nsc "$X" curl -sS --max-time 20 -o "$T_DIR/got" "http://$WEB:8000/file" ||
		log "download $i failed"
	[ -f "$T_DIR/got" ] && [ "$(sha256sum <"$T_DIR/got" | cut -d' ' -f1)" = "$want" ] && ok=$((ok + 1))
done
assert_eq "downloads of 1 MiB with the right SHA-256" "$D" "$ok"
log "redirect verdicts after the downloads: $(($(redirects "$X") - r0))"
# (http.server's log was emptied while open: skip the hole of NUL bytes)
assert_eq "sources the web server saw" "$SRC " \
	"$(tr -d '\0' <"$T_DIR/web.log" | grep ' "GET ' | awk '{ print $1 }' | sort -u | tr '\n' ' ')"
nsc "$X" "$T_PY" "$T_DIR/lb_udp_client.py" "$WEB" "$LB_UDP_PORT" 50 >"$T_DIR/udp.out" 2>&1
assert_eq "datagrams echoed through SNAT" 50 "$(grep -c '^ok udp1$' "$T_DIR/udp.out")"
assert_eq "sources the echo server saw" "$SRC " "$(srv_sources "$X" udp 1)"
red=$(($(redirects "$X") - r0))
log "redirect verdicts during the run: $red"
assert_gt "replies passed to the owner of their port (redirect verdicts)" 0 "$red"
assert_gt "snat connections in conn show" 0 \
	"$(ctl "$X" --json conn show | jq '[.[] | select(.mode == "snat")] | length')"
ctl "$X" -L -n --stats
drops="$(drops_nonzero "$X")"
log "drops: $drops"
assert_not_contains "drops" "conn_wrong_port" "$drops"
assert_not_contains "drops" "tcp_out_of_window" "$drops"
assert_not_contains "drops" "no_conn" "$drops"
exit 0
