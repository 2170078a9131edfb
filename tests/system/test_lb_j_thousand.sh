#!/usr/bin/env bash
# System test (issue 6.5, issue 7): a rules file of 1,000 services x 10
# real servers (plus the service the client uses) loads at start with the
# default [tables] sizes: `-L -n` lists every service and dest, the VIP
# answers, `dpvsctl -a` / `-d` still work, and `dpvsctl reload` of the same
# file changes nothing while a reload that removes, adds and edits 100
# services each applies exactly that. Before the [tables] sizes the file was
# refused ("real server table is full").
# Times are logged for the README (one `-a` on an empty and on the loaded
# node, the reloads), never asserted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

N_BULK=1000
N_DEST=10
V="$(vip_of a)"

# gen_rules OUT FIRST LAST WEIGHT: the node's addresses, the client's
# service VIP:80 (both HTTP servers), bulk services VIP:(10000+i) for i in
# FIRST..LAST with N_DEST dests each (never reached) and the local address
gen_rules() {
	local out="$1" first="$2" last="$3" w="$4"
	{
		echo "addr add $(node_addr a)/24 dev dpdk0"
		echo "addr add $V/32 dev dpdk0"
		echo "addr add $(srv_net_addr a)/24 dev dpdk1"
		echo "addr add $(laddr_of a)/32 dev dpdk1"
		echo "-A -t $V:$LB_HTTP_PORT -s rr"
		echo "-a -t $V:$LB_HTTP_PORT -r $(http_rs a 1):$LB_HTTP_PORT -b fnat -w 1"
		echo "-a -t $V:$LB_HTTP_PORT -r $(http_rs a 2):$LB_HTTP_PORT -b fnat -w 1"
		echo "laddr add -t $V:$LB_HTTP_PORT $(laddr_of a) dev dpdk1"
		awk -v v="$V" -v f="$first" -v l="$last" -v n="$N_DEST" -v w="$w" -v la="$(laddr_of a)" 'BEGIN {
			for (i = f; i <= l; i++) {
				printf "-A -t %s:%d -s wlc\n", v, 10000 + i
				for (j = 0; j < n; j++)
					printf "-a -t %s:%d -r 198.19.%d.%d:8080 -b fnat -w %d\n", v, 10000 + i, 100 + int(j / 200), 1 + j % 200, w
				printf "laddr add -t %s:%d %s dev dpdk1\n", v, 10000 + i, la
			}
		}'
	} >"$out"
}

# ms CMD...: run CMD, print its wall time in milliseconds
ms() {
	local t0 t1
	t0="$(date +%s%N)"
	"$@" >/dev/null || fail "$*"
	t1="$(date +%s%N)"
	echo $(((t1 - t0) / 1000000))
}

# add_del_ms X: the mean time of 10 `-a` (and 10 `-d`) of a dest of VIP:80
add_del_ms() {
	local x="$1" i sum=0
	for i in $(seq 10); do
		sum=$((sum + $(ms ctl "$x" -a -t "$V:$LB_HTTP_PORT" -r "198.19.0.$((200 + i)):$LB_HTTP_PORT" -b fnat -w 0)))
	done
	for i in $(seq 10); do
		ctl "$x" -d -t "$V:$LB_HTTP_PORT" -r "198.19.0.$((200 + i)):$LB_HTTP_PORT" || fail "-d"
	done
	echo $((sum / 10))
}

count_json() { ctl a --json -L -n | jq "$1"; }

# 1. the same node with only the client's service: the time of one -a
gen_rules "$T_DIR/small.rules" 1 0 1
lb_node_start a 2 --rules "$T_DIR/small.rules"
t_empty="$(add_del_ms a)"
log "one dpvsctl -a, nearly empty node: ${t_empty} ms"
node_stop a || fail "node a did not stop"
lb_node_forget a

# 2. 1,000 x 10 at start
gen_rules "$T_DIR/big.rules" 1 "$N_BULK" 1
log "rules file: $(wc -l <"$T_DIR/big.rules") lines"
t0="$(date +%s%N)"
lb_node_start a 2 --rules "$T_DIR/big.rules"
log "node with $N_BULK x $N_DEST up in $((($(date +%s%N) - t0) / 1000000)) ms (start included)"
assert_eq "services listed" $((N_BULK + 1)) "$(count_json 'length')"
assert_eq "dests listed" $((N_BULK * N_DEST + 2)) "$(count_json '[.[].dests[]] | length')"
n_text="$(ctl a -L -n | grep -c -- '->' )"
assert_ge "-L -n lines of dests" $((N_BULK * N_DEST)) "$n_text"
lb_servers_start a
wait_until 10 nsc a curl -sS --max-time 2 -o /dev/null "http://$V/" || fail "no answer from $V"
out="$(nsc a bash -c 'for i in 1 2 3 4; do curl -sS --max-time 5 -H "Connection: close" "http://'"$V"'/"; done')"
assert_eq "answers through the VIP" 4 "$(grep -c '^server http[12]$' <<<"$out")"

# 3. -a / -d still work; their time with 10,000 dests loaded
t_full="$(add_del_ms a)"
log "one dpvsctl -a, $N_BULK x $N_DEST loaded: ${t_full} ms (nearly empty: ${t_empty} ms)"
assert_eq "dests after -a/-d" $((N_BULK * N_DEST + 2)) "$(count_json '[.[].dests[]] | length')"

# 4. reload of the same file: nothing changes, nothing published
gen0="$(ctl a --json reload | jq -c ".services")"
assert_eq "reload of the running file: services" '{"added":0,"removed":0,"edited":0}' "$gen0"
log "reload of the running $N_BULK x $N_DEST file: $(ms ctl a reload) ms"

# 5. 100 services gone, 100 new ones, 100 with other weights (an edit each dest)
gen_rules "$T_DIR/big2.rules" 101 $((N_BULK + 100)) 1
sed -i "s/^\(-a -t $V:109[0-9][0-9] .*\) -w 1\$/\1 -w 2/" "$T_DIR/big2.rules"
cp "$T_DIR/big2.rules" "$T_DIR/big.rules"
t0="$(date +%s%N)"
res="$(ctl a --json reload)" || fail "reload: $res"
log "reload changing 300 of $N_BULK services: $((($(date +%s%N) - t0) / 1000000)) ms: $res"
assert_eq "services added" 100 "$(jq '.services.added' <<<"$res")"
assert_eq "services removed" 100 "$(jq '.services.removed' <<<"$res")"
assert_eq "dests added" $((100 * N_DEST)) "$(jq '.dests.added' <<<"$res")"
assert_eq "dests removed" $((100 * N_DEST)) "$(jq '.dests.removed' <<<"$res")"
assert_eq "dests edited" $((100 * N_DEST)) "$(jq '.dests.edited' <<<"$res")"
assert_eq "services after reload" $((N_BULK + 1)) "$(count_json 'length')"
assert_eq "dests after reload" $((N_BULK * N_DEST + 2)) "$(count_json '[.[].dests[]] | length')"
out="$(nsc a curl -sS --max-time 5 -H "Connection: close" "http://$V/")"
assert_contains "answer after the reload" "server http" "$out"
exit 0
