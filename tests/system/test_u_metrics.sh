#!/usr/bin/env bash
# System test u (issue 11.3): Prometheus metrics. A load-balancer node with
# two workers and [metrics] listen = 127.0.0.1:9180 in its dpvs.conf; an
# http health check on the TCP service. /metrics is scraped while HTTP and
# UDP traffic flows through the VIP and parsed with the Python
# prometheus_client parser: every family has HELP and TYPE, counters end in
# _total, the labels are there (service, dest, worker, port, reason,
# event); the service, dest, worker and port counters move with the
# traffic; once it stops, the connection counters equal `dpvsctl --json -L
# -n --stats`; the checked dests are "up"; with forwarding on, pings with
# TTL 1 through the node move the events (icmp_sent_time_exceeded) and every
# event's sum over the workers equals `dpvsctl --json stats`; other paths
# get 404, POST 405. A bad listen address stops dpvs-primary with a message
# naming the key.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
$T_PY -c 'import prometheus_client' 2>/dev/null || fail "python3-prometheus-client missing (deploy/install-deps.sh)"

MPORT=9180
METRICS_LISTEN="127.0.0.1:$MPORT"
eval "lb_$(declare -f write_conf)"
write_conf() {
	lb_write_conf "$@"
	printf '[metrics]\nlisten = %s\n' "$METRICS_LISTEN" >>"$T_DIR/node-$1/dpvs.conf"
}

# a bad address: refused at start, naming the key
METRICS_LISTEN="localhost:9180"
write_conf z 1
out="$("$T_BIN/dpvs-primary" -c "$T_DIR/node-z/dpvs.conf" 2>&1)"
rc=$?
assert_eq "dpvs-primary with [metrics] listen = localhost:9180: exit status" 1 "$rc"
assert_contains "its message" "[metrics] listen = 'localhost:9180': not ADDRESS:PORT" "$out"
METRICS_LISTEN="127.0.0.1:$MPORT"

x=a
lb_setup "$x" 2
V="$(vip_of "$x")"
nsn "$x" ip link set dpdk1.kni up || fail "dpdk1.kni up"
nsn "$x" ip addr add "198.19.$(lb_idx "$x").5/24" dev dpdk1.kni || fail "address on dpdk1.kni"
ctl "$x" check set -t "$V:$LB_HTTP_PORT" http --interval 0.5 --timeout 1 --rise 1 --fall 2 ||
	fail "check set"

scrape() { nsn "$x" curl -sS --max-time 5 "http://127.0.0.1:$MPORT$1" "${@:2}"; }
wait_until 10 scrape /metrics -o /dev/null || fail "no /metrics on 127.0.0.1:$MPORT"

cat >"$T_DIR/parse.py" <<'PYEOF'
# FILE: parse a scrape with prometheus_client's parser; print one line per
# sample "NAME{sorted labels}<tab>VALUE", and check the conventions: every family
# typed and documented, counters' samples end in _total, names are
# [a-z_][a-z0-9_]*. Exits 1 with a message on a violation.
import re, sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
helped = set(re.findall(r"^# HELP (\S+) ", text, re.M))
typed = dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M))
for fam in text_string_to_metric_families(text):
    if fam.type not in ("counter", "gauge"):
        sys.exit("family %s has type %s" % (fam.name, fam.type))
    for s in fam.samples:
        base = s.name
        if fam.type == "counter" and not s.name.endswith("_total"):
            sys.exit("counter sample %s does not end in _total" % s.name)
        if not re.match(r"^[a-z_][a-z0-9_]*$", s.name):
            sys.exit("bad name %s" % s.name)
        if s.name not in helped or s.name not in typed:
            sys.exit("%s has no HELP or TYPE line" % s.name)
        labels = ",".join("%s=%s" % kv for kv in sorted(s.labels.items()))
        print("%s{%s}\t%r" % (s.name, labels, s.value))
PYEOF
# parse FILE: the samples, one per line (fails the test on a violation)
parse() { "$T_PY" "$T_DIR/parse.py" "$1" || fail "scrape $1 refused: see above"; }
# value SAMPLES NAME LABELS: one sample's value ("" if absent)
value() { awk -F '\t' -v k="$2{$3}" '$1 == k { print $2 }' "$1"; }

cat >"$T_DIR/traffic.sh" <<EOF
# the client's traffic: an HTTP request and two UDP datagrams, again and again
while true; do
	curl -s --max-time 2 -o /dev/null "http://$V/"
	"$T_PY" "$T_DIR/lb_udp_client.py" "$V" "$LB_UDP_PORT" 2 >/dev/null
done
EOF
bg ip netns exec "$(nsc_of "$x")" bash "$T_DIR/traffic.sh"
TPID="$(last_bg)"
wait_until 10 sh -c "[ \$(wc -l < '$(srv_log "$x" http 1)') -gt 3 ]" || fail "no traffic"

scrape /metrics -o "$T_DIR/m1.txt" || fail "scrape 1"
parse "$T_DIR/m1.txt" >"$T_DIR/s1.txt"
log "scrape 1: $(wc -l <"$T_DIR/m1.txt") lines, $(wc -l <"$T_DIR/s1.txt") samples, $(grep -c '^# TYPE' "$T_DIR/m1.txt") families"
svc_t="service=TCP $V:$LB_HTTP_PORT"
svc_u="service=UDP $V:$LB_UDP_PORT"
d1="dest=$(http_rs "$x" 1):$LB_HTTP_PORT"
# KEYS: "NAME LABELS" of the counters that must move with the traffic
KEYS=("dpvs_service_connections_total|$svc_t" "dpvs_service_connections_total|$svc_u"
	"dpvs_dest_packets_total|$d1,direction=in,$svc_t" "dpvs_port_rx_packets_total|port=dpdk0"
	"dpvs_port_rx_packets_total|port=dpdk1" "dpvs_worker_loops_total|worker=0"
	"dpvs_worker_loops_total|worker=1")
moved() {
	local k a b
	scrape /metrics -o "$T_DIR/m2.txt" || return 1
	parse "$T_DIR/m2.txt" >"$T_DIR/s2.txt"
	for k in "${KEYS[@]}"; do
		a="$(value "$T_DIR/s1.txt" "${k%%|*}" "${k#*|}")"
		b="$(value "$T_DIR/s2.txt" "${k%%|*}" "${k#*|}")"
		[ -n "$a" ] && [ -n "$b" ] || { log "missing: $k"; return 1; }
		awk -v a="$a" -v b="$b" 'BEGIN { exit !(b > a) }' || return 1
	done
}
wait_until 15 moved || { grep "connections_total\|packets_total" "$T_DIR/s2.txt" | head -30; fail "counters did not move with the traffic"; }
for k in "${KEYS[@]}"; do
	log "moved: ${k%%|*}{${k#*|}}: $(value "$T_DIR/s1.txt" "${k%%|*}" "${k#*|}") -> $(value "$T_DIR/s2.txt" "${k%%|*}" "${k#*|}")"
done
rx="$(awk -F '\t' '/^dpvs_worker_rx_packets_total/ { s += $2 } END { print s + 0 }' "$T_DIR/s2.txt")"
assert_gt "workers' rx packets" 0 "$rx"

# every drop reason of every worker, the health of the checked dests, the pool
assert_eq "drop samples (every reason x 2 workers)" $((2 * $(ctl "$x" --json stats | jq '.drops | length'))) \
	"$(grep -c '^dpvs_worker_drops_total{' "$T_DIR/s2.txt")"
assert_eq "event samples (every event x 2 workers)" $((2 * $(ctl "$x" --json stats | jq '.events | length'))) \
	"$(grep -c '^dpvs_worker_events_total{' "$T_DIR/s2.txt")"
for i in 1 2; do
	assert_eq "http$i health up" 1.0 \
		"$(value "$T_DIR/s2.txt" dpvs_dest_health "dest=$(http_rs "$x" "$i"):$LB_HTTP_PORT,$svc_t,state=up")"
done
assert_eq "udp1 unchecked" 1.0 \
	"$(value "$T_DIR/s2.txt" dpvs_dest_health "dest=$(udp_rs "$x" 1):$LB_UDP_PORT,$svc_u,state=unchecked")"
assert_eq "pool size" "${DPVS_TEST_MBUFS:-8192}.0" "$(value "$T_DIR/s2.txt" dpvs_mbuf_pool_size "")"
assert_gt "xstats samples" 0 "$(grep -c '^dpvs_port_xstats_total{' "$T_DIR/s2.txt")"
ratio="$(value "$T_DIR/s2.txt" dpvs_worker_busy_ratio worker=0)"
awk -v r="$ratio" 'BEGIN { exit !(r >= 0 && r <= 1) }' || fail "busy ratio $ratio"
log "worker 0 busy ratio: $ratio"

# traffic stopped: the counters equal dpvsctl's
kill "$TPID"
wait_until 5 pid_gone "$TPID"
conns_of() { ctl "$x" --json -L -n --stats | jq --arg p "$1" '.[] | select(.proto == $p) | .conns'; }
agree() {
	scrape /metrics -o "$T_DIR/m3.txt" && parse "$T_DIR/m3.txt" >"$T_DIR/s3.txt" &&
		[ "$(value "$T_DIR/s3.txt" dpvs_service_connections_total "$svc_t")" = "$(conns_of tcp).0" ] &&
		[ "$(value "$T_DIR/s3.txt" dpvs_service_connections_total "$svc_u")" = "$(conns_of udp).0" ]
}
wait_until 10 agree || fail "metrics and -L -n --stats disagree"
log "connections: TCP $(conns_of tcp), UDP $(conns_of udp) in both"

# events: forwarding on, pings with TTL 1 through the node get time exceeded
ctl "$x" port set dpdk0 forward on || fail "port set dpdk0 forward on"
nsc "$x" ip route replace "$(srv_net_addr "$x" | sed 's/\.1$/.0/')/24" via "$(node_addr "$x")" ||
	fail "client route to the servers' network"
out="$(nsc "$x" ping -n -c 3 -i 0.2 -t 1 -W 1 "$(http_rs "$x" 1)" 2>&1)"
assert_contains "ping -t 1 through the node" "Time to live exceeded" "$out"
# ev_of SAMPLES NAME: an event summed over the workers
ev_of() { awk -F '\t' -v k="dpvs_worker_events_total{event=$2," 'index($1, k) == 1 { s += $2 }
	END { print s + 0 }' "$1"; }
events_agree() {
	local e st
	scrape /metrics -o "$T_DIR/m4.txt" && parse "$T_DIR/m4.txt" >"$T_DIR/s4.txt" || return 1
	st="$(ctl "$x" --json stats)"
	[ "$(ev_of "$T_DIR/s4.txt" icmp_sent_time_exceeded)" -ge 1 ] || return 1
	for e in $(jq -r '.events | keys[]' <<<"$st"); do
		[ "$(ev_of "$T_DIR/s4.txt" "$e")" = "$(jq --arg e "$e" '.events[$e]' <<<"$st")" ] || return 1
	done
}
wait_until 10 events_agree || fail "events of /metrics and dpvsctl stats disagree"
log "events: icmp_sent_time_exceeded $(ev_of "$T_DIR/s4.txt" icmp_sent_time_exceeded) in both"

code() { scrape "$1" -o /dev/null -w '%{http_code}' "${@:2}"; }
assert_eq "GET /" 404 "$(code /)"
assert_eq "POST /metrics" 405 "$(code /metrics -X POST)"
ctl "$x" version >/dev/null || fail "control socket"
