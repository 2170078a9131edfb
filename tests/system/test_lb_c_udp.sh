#!/usr/bin/env bash
# System test (issue 3, c): full-NAT UDP through the VIP. 200 datagrams, each
# from its own client port (a connection each), with one worker (node a) and
# two workers (node b): every reply comes back from the VIP and carries its
# request; both echo servers answered; they saw only our local address; the
# UDP service counted 200 connections.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

N=200

run_node() {
	local x="$1" nw="$2" out i c0
	lb_setup "$x" "$nw"
	c0="$(dest_conns_sum "$x" u)"
	out="$T_DIR/udp-$x.out"
	nsc "$x" "$T_PY" "$T_DIR/lb_udp_client.py" "$(vip_of "$x")" "$LB_UDP_PORT" "$N" >"$out" 2>&1
	grep -v '^ok ' "$out" | head -n 5 | while read -r l; do log "node $x: $l"; done
	assert_eq "node $x: datagrams echoed of $N" "$N" "$(grep -c '^ok udp[12]$' "$out")"
	for i in 1 2; do
		log "node $x: echoed by udp$i: $(grep -c "^ok udp$i\$" "$out")"
		assert_gt "node $x: datagrams seen by udp$i" 0 "$(srv_count "$x" udp "$i")"
		assert_eq "node $x: sources seen by udp$i" "$(laddr_of "$x") " "$(srv_sources "$x" udp "$i")"
	done
	assert_eq "node $x: UDP connections counted by -L -n --stats" "$N" $(($(dest_conns_sum "$x" u) - c0))
	ctl "$x" -L -n --stats -u "$(vip_of "$x"):$LB_UDP_PORT"
	log "node $x ($nw worker(s)): redirects $(redirects "$x"); drops: $(drops_nonzero "$x")"
	lb_node_done "$x"
}

run_node a 1
run_node b 2
exit 0
