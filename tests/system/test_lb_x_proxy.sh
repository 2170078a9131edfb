#!/usr/bin/env bash
# System test (issue 11, item 2): the client's address for full-NAT real
# servers through the PROXY protocol. Two nginx real servers listen with
# `proxy_protocol` and log $proxy_protocol_addr next to $remote_addr. The node
# (two workers: the servers' replies reach the connection's owner through the
# redirect ring) starts from a rules file whose service has
# `--proxy-protocol v1`; curl through the VIP (two requests on one
# connection, then a 1 MiB download checked byte for byte): every request
# answers 200 and the servers logged the client's own address as the PROXY
# address, our local address as the peer. The file is rewritten with v2 and
# `dpvsctl reload` applies it: the same with v2. `-L -n`, `--json` and `save`
# show the setting; proxy_proto_inserted counts the headers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
command -v curl >/dev/null || fail "curl missing"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
[ -x "$NGINX" ] || fail "nginx missing (deploy/install-deps.sh installs nginx-light)"

X=a
V="$(vip_of $X)"

# write_rules VER: the node's rules with --proxy-protocol VER
write_rules() {
	cat >"$T_DIR/proxy.rules" <<EOF
addr add $(node_addr $X)/24 dev dpdk0
addr add $V/32 dev dpdk0
addr add $(srv_net_addr $X)/24 dev dpdk1
addr add $(laddr_of $X)/32 dev dpdk1
-A -t $V:80 -s rr --proxy-protocol $1
-a -t $V:80 -r $(http_rs $X 1):80 -b fnat -w 1
-a -t $V:80 -r $(http_rs $X 2):80 -b fnat -w 1
laddr add -t $V:80 $(laddr_of $X) dev dpdk1
EOF
}

# nginx_start: one nginx (no master, no daemon) for both real server
# addresses, everything under T_DIR
nginx_start() {
	mkdir -p "$T_DIR/nginx/www" "$T_DIR/nginx/tmp"
	printf hello >"$T_DIR/nginx/www/index.html"
	head -c 1048576 /dev/urandom >"$T_DIR/nginx/www/big.bin"
	cat >"$T_DIR/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $T_DIR/nginx/nginx.pid;
error_log $T_DIR/nginx/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $T_DIR/nginx/tmp;
	proxy_temp_path $T_DIR/nginx/tmp;
	fastcgi_temp_path $T_DIR/nginx/tmp;
	uwsgi_temp_path $T_DIR/nginx/tmp;
	scgi_temp_path $T_DIR/nginx/tmp;
	log_format pp '\$proxy_protocol_addr \$proxy_protocol_port \$remote_addr \$status \$request_uri';
	server {
		listen $(http_rs $X 1):80 proxy_protocol;
		listen $(http_rs $X 2):80 proxy_protocol;
		root $T_DIR/nginx/www;
		access_log $T_DIR/nginx/access.log pp;
	}
}
EOF
	: >"$T_DIR/nginx/access.log"
	bg ip netns exec "$(nss_of $X)" "$NGINX" -p "$T_DIR/nginx" -c "$T_DIR/nginx/nginx.conf"
	listening() {
		local s
		s="$(nss $X ss -Hlnt)"
		grep -q -F "$(http_rs $X 1):80 " <<<"$s" && grep -q -F "$(http_rs $X 2):80 " <<<"$s"
	}
	wait_until 10 listening || fail "nginx not listening: $(cat "$T_DIR/nginx/error.log")"
	log "nginx up on $(http_rs $X 1):80 and $(http_rs $X 2):80 with proxy_protocol"
}

# check_version VER: curl through the VIP; the servers saw the client
check_version() {
	local ver="$1" out sum want lines n0 n
	n0="$(worker_counter_sum proxy_proto_inserted)"
	: >"$T_DIR/nginx/access.log"
	wait_until 10 nsc $X curl -sS --max-time 2 -o /dev/null "http://$V/" ||
		fail "$ver: no answer from http://$V/ (drops: $(drops_nonzero $X); $(tail -n 3 "$T_DIR/nginx/error.log"))"
	# two requests on one connection: the second one's bytes come after the header
	out="$(nsc $X curl -sS --max-time 5 -w ' %{http_code} %{num_connects}\n' \
		"http://$V/index.html" "http://$V/index.html")" || fail "$ver: curl: $out"
	assert_eq "$ver: two requests on one connection" "hello 200 1
hello 200 0" "$out"
	nsc $X curl -sS --max-time 20 -o "$T_DIR/big.out" "http://$V/big.bin" ||
		fail "$ver: download failed"
	sum="$(sha256sum <"$T_DIR/big.out")"
	want="$(sha256sum <"$T_DIR/nginx/www/big.bin")"
	assert_eq "$ver: the 1 MiB download" "$want" "$sum"
	logged() { [ "$(wc -l <"$T_DIR/nginx/access.log")" -ge 4 ]; }
	wait_until 5 logged || fail "$ver: nginx logged $(wc -l <"$T_DIR/nginx/access.log") requests"
	lines="$(cat "$T_DIR/nginx/access.log")"
	log "$ver: nginx logged:"
	sed 's/^/    /' <<<"$lines"
	assert_eq "$ver: PROXY addresses and peers nginx logged" \
		"$(client_addr $X) $(laddr_of $X) 200" \
		"$(awk '{ print $1, $3, $4 }' <<<"$lines" | sort -u)"
	n="$(worker_counter_sum proxy_proto_inserted)"
	assert_ge "$ver: proxy_proto_inserted grew by the connections" 3 $((n - n0))
}

# worker_counter_sum NAME: an event or drop counter summed over the workers
worker_counter_sum() {
	ctl $X --json stats | jq --arg n "$1" '[.workers[] | (.events, .drops) |
		if type == "array" then (map({(.name): .value}) | add) else . end | .[$n] // 0]
		| add // 0'
}

write_rules v1
lb_node_start $X 2 --rules "$T_DIR/proxy.rules"
nginx_start
check_version v1
assert_contains "-L -n shows v1" "proxy-protocol-v1" "$(ctl $X -L -n)"

write_rules v2
out="$(ctl $X reload 2>&1)" || fail "reload: $out"
log "reload: $out"
check_version v2
assert_contains "-L -n shows v2" "proxy-protocol-v2" "$(ctl $X -L -n)"
assert_eq "--json flags" '["proxy-protocol-v2"]' \
	"$(ctl $X --json -L -n | jq -c '.[] | select(.port == 80) | .flags')"
assert_contains "save" "-A -t $V:80 -s rr --proxy-protocol v2" "$(ctl $X save)"

# off again: nginx refuses a connection without the header (no 200)
ctl $X -E -t "$V:80" --proxy-protocol off || fail "-E --proxy-protocol off"
if nsc $X curl -sS --max-time 3 -o /dev/null "http://$V/index.html" 2>/dev/null; then
	fail "off: nginx answered without a PROXY header"
fi
log "ok: off: nginx refuses a connection without the header"
assert_not_contains "-L -n without the flag" "proxy-protocol" "$(ctl $X -L -n)"
log "redirects (replies that reached the other worker): $(redirects $X); drops: $(drops_nonzero $X)"
lb_node_done $X
exit 0
