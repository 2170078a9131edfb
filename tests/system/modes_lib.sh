# shellcheck shell=bash disable=SC2034
# tests/system/modes_lib.sh: the real servers of the forwarding-mode tests
# (test_lb_o_nat, test_lb_p_dr, test_lb_q_tunnel), set up as an operator sets
# them up for LVS; sourced after lib.sh and lb_lib.sh, not run.
#
#   client netns <p>c                 node <p>n              lb_lib's server netns <p>s,
#                                                            here a switch and a router
#   <p>w 198.18.k.2  ---- wire ---->  dpdk0 VIP 198.18.k.100
#                                     dpdk1 198.19.k.1 ----> <p>v (the tap) in bridge br0
#                                                            br0 198.19.k.254 (router)
#   <p>x 198.20.k.2  <--- veth ----------------------------- <p>y 198.20.k.1
#                                                            <p>b1, <p>b2 in br0
#   server netns <p>t: eth0 198.19.k.11/24        server netns <p>u: eth0 198.19.k.12/24
#
# Each real server has a namespace of its own (its own MAC, as on a real
# segment), an HTTP server on every address, port 80, that names it and logs
# each request's client address (lb_lib.sh's lb_server.py), and per mode:
#   nat     its default route via the node (198.19.k.1): replies pass the node
#   dr      the VIP on its loopback, ARP for it suppressed (arp_ignore=1,
#           arp_announce=2), its default route via the router 198.19.k.254,
#           which reaches the client through the veth: replies go to the
#           client directly, never through the node
#   tunnel  as dr, and an IPIP decapsulator: the kernel here has no ipip
#           device, so tests/tools/ipip_decap.py stands in (a raw IPPROTO_IPIP
#           socket handing each inner packet to a TUN device, tun0)
#   outside (snat) no route beyond its own network: it can answer the node's
#           address on that network, nothing else
#
# In:  lib.sh, lb_lib.sh (lb_node_start made the node and the server netns).
# Out: modes_servers X MODE, modes_cleanup (runs before lb_lib's cleanup).

srvns_of() { printf '%s%s' "$(prefix_of "$1")" "$([ "$2" = 1 ] && echo t || echo u)"; }  # X N
mrs_of() { printf '198.19.%d.%d' "$(lb_idx "$1")" $((10 + $2)); }                  # X N
router_of() { printf '198.19.%d.254' "$(lb_idx "$1")"; }
direct_net() { printf '198.20.%d' "$(lb_idx "$1")"; }
mlog() { printf '%s/mrs-%s-%s.log' "$T_DIR" "$1" "$2"; }                             # X N
msrv() { local x="$1" n="$2"; shift 2; ip netns exec "$(srvns_of "$x" "$n")" "$@"; }

MODES_NS=()

modes_cleanup() {
	local rc=$? ns pid
	for ns in "${MODES_NS[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -9 "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	return "$rc"
}
trap 'modes_cleanup; lb_cleanup; t_cleanup' EXIT

# modes_switch X: lb_lib's server netns becomes a bridge (the tap of dpdk1
# in it) with the router's address, and a veth to the client netns for the
# servers' direct replies (dr, tunnel)
modes_switch() {
	local x="$1" nss swire p
	nss="$(nss_of "$x")"
	swire="$(swire_of "$x")"
	p="$(prefix_of "$x")"
	ip -n "$nss" addr flush dev "$swire" || fail "flush $swire"
	ip -n "$nss" link add br0 type bridge || fail "bridge"
	ip -n "$nss" link set "$swire" master br0 || fail "tap into the bridge"
	ip -n "$nss" addr add "$(router_of "$x")/24" dev br0 || fail "router address"
	ip -n "$nss" link set br0 up || fail "bridge up"
	ip netns exec "$nss" sysctl -qw net.ipv4.ip_forward=1 || fail "forwarding"
	ip -n "$nss" link add "${p}y" type veth peer name "${p}x" || fail "veth to the client"
	ip -n "$nss" link set "${p}x" netns "$(nsc_of "$x")" || fail "veth into the client netns"
	ip -n "$nss" addr add "$(direct_net "$x").1/24" dev "${p}y"
	ip -n "$nss" link set "${p}y" up
	ip -n "$(nsc_of "$x")" addr add "$(direct_net "$x").2/24" dev "${p}x"
	ip -n "$(nsc_of "$x")" link set "${p}x" up
	ip -n "$nss" route add "198.18.$(lb_idx "$x").0/24" via "$(direct_net "$x").2" ||
		fail "router: route to the client"
}

# modes_server X N MODE: real server N in its own netns, on the bridge
modes_server() {
	local x="$1" n="$2" mode="$3" ns nss p a
	ns="$(srvns_of "$x" "$n")"
	nss="$(nss_of "$x")"
	p="$(prefix_of "$x")"
	a="$(mrs_of "$x" "$n")"
	ip netns add "$ns" || fail "ip netns add $ns"
	MODES_NS+=("$ns")
	ip -n "$ns" link set lo up
	ip -n "$nss" link add "${p}b$n" type veth peer name "${p}e$n" || fail "veth of server $n"
	ip -n "$nss" link set "${p}e$n" netns "$ns"
	ip -n "$ns" link set "${p}e$n" name eth0
	ip -n "$nss" link set "${p}b$n" master br0
	ip -n "$nss" link set "${p}b$n" up
	ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	if [ "$mode" = dr ] || [ "$mode" = tunnel ]; then
		# the VIP is the server's own, but only the node may answer ARP for it
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
			net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.eth0.arp_ignore=1 \
			net.ipv4.conf.eth0.arp_announce=2 || fail "arp_ignore/arp_announce"
		ip -n "$ns" addr add "$(vip_of "$x")/32" dev lo || fail "VIP on lo"
	fi
	ip -n "$ns" addr add "$a/24" dev eth0 || fail "server address"
	ip -n "$ns" link set eth0 up
	if [ "$mode" = nat ]; then
		ip -n "$ns" route add default via "$(srv_net_addr "$x")" || fail "default via the node"
	elif [ "$mode" != outside ]; then
		ip -n "$ns" route add default via "$(router_of "$x")" || fail "default via the router"
	fi
	if [ "$mode" = tunnel ]; then
		bg ip netns exec "$ns" "$T_PY" "$T_ROOT/tests/tools/ipip_decap.py" tun0 \
			>"$T_DIR/decap-$x-$n.log" 2>&1
		wait_until 10 ip -n "$ns" link show tun0 || fail "server $n: no tun0 ($(cat "$T_DIR/decap-$x-$n.log"))"
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.tun0.rp_filter=0
		ip -n "$ns" link set tun0 up || fail "tun0 up"
	fi
	: >"$(mlog "$x" "$n")"
	bg ip netns exec "$ns" "$T_PY" "$T_DIR/lb_server.py" http "rs$n" 0.0.0.0 "$LB_HTTP_PORT" \
		"$(mlog "$x" "$n")"
	wait_until 10 sh -c "ip netns exec $ns ss -Hltn | grep -q ':$LB_HTTP_PORT '" ||
		fail "server $n not listening"
}

# modes_servers X MODE: the switch, both real servers, the node's addresses
modes_servers() {
	local x="$1" mode="$2"
	modes_switch "$x"
	modes_server "$x" 1 "$mode"
	modes_server "$x" 2 "$mode"
	lb_addrs "$x"
	log "node $x: two $mode real servers ($(mrs_of "$x" 1), $(mrs_of "$x" 2)), each in its own netns"
}

# modes_service X MODE: the TCP service VIP:80, rr, both servers in MODE
modes_service() {
	local x="$1" mode="$2" i v
	v="$(vip_of "$x")"
	ctl "$x" -A -t "$v:$LB_HTTP_PORT" -s rr || fail "-A -t"
	for i in 1 2; do
		ctl "$x" -a -t "$v:$LB_HTTP_PORT" -r "$(mrs_of "$x" "$i"):$LB_HTTP_PORT" -b "$mode" -w 1 ||
			fail "-a -b $mode"
	done
	ctl "$x" -L -n
}

# mrs_sources X N: the distinct client addresses server N saw
mrs_sources() { awk '{ print $1 }' "$(mlog "$1" "$2")" | sort -u | tr '\n' ' '; }
mrs_count() { wc -l <"$(mlog "$1" "$2")"; }

# curl_many X N OUT: N requests through the VIP, each its own connection
curl_many() {
	local x="$1" n="$2" out="$3" vip
	vip="$(vip_of "$x")"
	nsc "$x" bash -c 'for i in $(seq '"$n"'); do
		r="$(curl -sS --max-time 5 -w " %{http_code}" "http://'"$vip"'/")" || r="FAILED $i: $r"
		echo "${r//$'"'\\n'"'/}"
	done' >"$out" 2>&1
}

# check_curl X N OUT: every request answered 200, by both servers, and the
# servers logged them all
check_curl() {
	local x="$1" n="$2" out="$3" ok s1 s2
	ok="$(grep -c '^server rs[12] 200$' "$out")"
	s1="$(grep -c '^server rs1 200$' "$out")"
	s2="$(grep -c '^server rs2 200$' "$out")"
	[ "$ok" = "$n" ] || log "unexpected output: $(grep -v '^server rs[12] 200$' "$out" | head -n 5)"
	assert_eq "node $x: successful requests of $n" "$n" "$ok"
	assert_gt "node $x: answers from real server 1" 0 "$s1"
	assert_gt "node $x: answers from real server 2" 0 "$s2"
	assert_eq "node $x: requests the servers logged" "$n" \
		"$(($(mrs_count "$x" 1) + $(mrs_count "$x" 2)))"
}
