# tests/system/lib.sh: shared helpers of the system tests (sourced, not run).
#
# A test sources this file, calls node_start for each node it needs, drives
# traffic between the client and node namespaces, and asserts with the
# helpers below. Whatever happens (success, failure, Ctrl-C, timeout) the EXIT
# trap kills the processes of every node this test started, deletes its
# network namespaces, its hugepage files, /var/run/dpdk/<prefix> and its
# temporary directory.
#
# Names are unique per test run: the prefix is "sy<pid><letter>" (at most 10
# characters), the namespaces are <prefix>n (node: dpvs-primary and the
# <port>.kni interface live there) and <prefix>c (client: gets the data port's
# tap after the port started), the wire interface is <prefix>w (at most 11
# characters, under IFNAMSIZ). Port sections stay "dpdk0", so the exception
# interface is "dpdk0.kni" inside each node's own namespace.
#
# Addresses: node k (0, 1, ...) uses 198.18.k.0/24 (RFC 2544 benchmarking
# range, only ever inside our own namespaces): .1 the node's (worker's)
# address, .2 the client, .3 an address the kernel owns on dpdk0.kni.
#
# Every wait is a poll with a deadline (wait_until); no fixed sleeps.

# ---- bounded run time: re-exec self under timeout(1) unless already bounded
if [ -z "${DPVS_TEST_BOUNDED:-}" ]; then
	export DPVS_TEST_BOUNDED=1
	exec timeout -k 10 "${TEST_TIMEOUT:-120}" bash "$0" "$@"
fi

set -uo pipefail

T_NAME="$(basename "$0" .sh)"
T_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
T_BIN="${DPVS_BIN:-$T_ROOT/build/bin}"
T_PY=/usr/bin/python3
T_ID="sy$$"
# tests/run-all.sh checks only the names of its own runs for leftovers
[ -n "${DPVS_TEST_IDS_FILE:-}" ] && echo "$T_ID $(basename "$0" .sh)" >>"$DPVS_TEST_IDS_FILE"
T_DIR="$(mktemp -d "/tmp/dpvs-$T_ID-$T_NAME.XXXXXX")"
T_BG_PIDS=()          # helper processes (ping, servers) this test started
T_NODES=()            # letters of the nodes started (a, b, ...)
T_START_NS="$(date +%s%N)"
T_CLEANED=0

# ---- logging and assertions ------------------------------------------------

log() { printf '[%s %6.2fs] %s\n' "$T_NAME" "$(t_elapsed)" "$*"; }
t_elapsed() { awk -v a="$T_START_NS" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }

fail() {
	printf '[%s] FAIL: %s\n' "$T_NAME" "$*" >&2
	exit 1
}

# assert_eq WHAT EXPECTED SEEN
assert_eq() {
	if [ "$2" != "$3" ]; then
		fail "$1: expected '$2', saw '$3'"
	fi
	log "ok: $1 = $3"
}

# assert_ge WHAT MIN SEEN (integers)
assert_ge() {
	if ! [ "$3" -ge "$2" ] 2>/dev/null; then
		fail "$1: expected >= $2, saw '$3'"
	fi
	log "ok: $1 = $3 (>= $2)"
}

# assert_le WHAT MAX SEEN (integers)
assert_le() {
	if ! [ "$3" -le "$2" ] 2>/dev/null; then
		fail "$1: expected <= $2, saw '$3'"
	fi
	log "ok: $1 = $3 (<= $2)"
}

# assert_gt WHAT THAN SEEN (integers)
assert_gt() {
	if ! [ "$3" -gt "$2" ] 2>/dev/null; then
		fail "$1: expected > $2, saw '$3'"
	fi
	log "ok: $1 = $3 (> $2)"
}

# assert_lt_float WHAT LIMIT SEEN
assert_lt_float() {
	if ! awk -v s="$3" -v l="$2" 'BEGIN { exit !(s + 0 < l + 0) }'; then
		fail "$1: expected < $2, saw '$3'"
	fi
	log "ok: $1 = $3 (< $2)"
}

# assert_contains WHAT NEEDLE HAYSTACK
assert_contains() {
	case "$3" in
	*"$2"*) log "ok: $1 contains '$2'" ;;
	*) fail "$1: expected to contain '$2', saw: $3" ;;
	esac
}

assert_not_contains() {
	case "$3" in
	*"$2"*) fail "$1: expected not to contain '$2', saw: $3" ;;
	*) log "ok: $1 does not contain '$2'" ;;
	esac
}

# wait_until TIMEOUT_S CMD...: run CMD every 50 ms until it succeeds; 1 on timeout
wait_until() {
	local limit="$1"
	shift
	local deadline=$(($(date +%s%N) + ${limit%.*} * 1000000000))
	while true; do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		if [ "$(date +%s%N)" -ge "$deadline" ]; then
			log "timed out after ${limit}s waiting for: $*"
			return 1
		fi
		sleep 0.05
	done
}

need_bins() {
	local b
	for b in "$@"; do
		[ -x "$T_BIN/$b" ] || fail "missing binary $T_BIN/$b (run make)"
	done
}

# ---- names of node X (a letter) ---------------------------------------------

node_idx() { printf '%d' "$(($(printf '%d' "'$1") - 97))"; }
prefix_of() { printf '%s%s' "$T_ID" "$1"; }
nsn_of() { printf '%sn' "$(prefix_of "$1")"; }
nsc_of() { printf '%sc' "$(prefix_of "$1")"; }
wire_of() { printf '%sw' "$(prefix_of "$1")"; }
rundir_of() { printf '%s/node-%s/run' "$T_DIR" "$1"; }
sock_of() { printf '%s/ctl.sock' "$(rundir_of "$1")"; }
node_addr() { printf '198.18.%d.1' "$(node_idx "$1")"; }
client_addr() { printf '198.18.%d.2' "$(node_idx "$1")"; }
kni_addr() { printf '198.18.%d.3' "$(node_idx "$1")"; }
client_mac() { printf '02:5e:%02x:%02x:%02x:%02x' $((($$ >> 16) & 255)) $((($$ >> 8) & 255)) $(($$ & 255)) "$(node_idx "$1")"; }

# ctl X ARGS...: dpvsctl against node X
ctl() {
	local x="$1"
	shift
	"$T_BIN/dpvsctl" -s "$(sock_of "$x")" "$@"
}
nsn() { local x="$1"; shift; ip netns exec "$(nsn_of "$x")" "$@"; }
nsc() { local x="$1"; shift; ip netns exec "$(nsc_of "$x")" "$@"; }

# ---- node start / stop ------------------------------------------------------

# write_conf X NWORKERS: the node's dpvs.conf, in the issue's format
write_conf() {
	local x="$1" nw="$2" d
	d="$T_DIR/node-$x"
	mkdir -p "$d"
	cat >"$d/dpvs.conf" <<EOF
[global]
file_prefix = $(prefix_of "$x")
run_dir = $(rundir_of "$x")
[memory]
mbufs = ${DPVS_TEST_MBUFS:-8192}
${DPVS_TEST_MBUF_CACHE:+mbuf_cache = $DPVS_TEST_MBUF_CACHE}
[worker]
count = $nw
idle_sleep_us = ${DPVS_TEST_IDLE_US:-50}
[port.dpdk0]
vdev = net_tap0,iface=$(wire_of "$x")
EOF
	# more sections (e.g. [cpu]) from the test
	[ -n "${T_CONF_EXTRA:-}" ] && printf '%s\n' "$T_CONF_EXTRA" >>"$d/dpvs.conf"
	return 0
}

primary_pid_of() { cat "$T_DIR/node-$1/primary.pid" 2>/dev/null; }

# all_workers_running X N: worker show lists N workers, all running
all_workers_running() {
	local n
	n="$(ctl "$1" --json worker show 2>/dev/null |
		jq '[.[] | select(.state == "running")] | length' 2>/dev/null)" || return 1
	[ "$n" = "$2" ]
}

# node_start X [NWORKERS [PRIMARY ARGS...]]: netns pair, primary in the node netns, the tap moved
# to the client netns with a MAC and address of its own, node address added,
# every worker running. Fails the test if any step does not happen in time.
node_start() {
	local x="$1" nw="${2:-1}" nsn nsc wire pid
	shift
	[ "$#" -gt 0 ] && shift
	nsn="$(nsn_of "$x")"
	nsc="$(nsc_of "$x")"
	wire="$(wire_of "$x")"
	T_NODES+=("$x")
	write_conf "$x" "$nw"
	ip netns add "$nsn" || fail "ip netns add $nsn"
	ip netns add "$nsc" || fail "ip netns add $nsc"
	ip -n "$nsn" link set lo up
	ip -n "$nsc" link set lo up
	log "node $x: starting dpvs-primary (prefix $(prefix_of "$x"), $nw worker(s))"
	ip netns exec "$nsn" "$T_BIN/dpvs-primary" -c "$T_DIR/node-$x/dpvs.conf" "$@" \
		>"$T_DIR/node-$x/primary.log" 2>&1 </dev/null &
	pid=$!
	echo "$pid" >"$T_DIR/node-$x/primary.pid"
	# dpvs-ctl is spawned after the ports started: once it answers, the tap
	# can leave the node namespace.
	ctl_up_or_dead() { ctl "$1" version || ! kill -0 "$2"; }
	wait_until 60 ctl_up_or_dead "$x" "$pid" || fail "node $x: dpvs-ctl did not answer on $(sock_of "$x")"
	kill -0 "$pid" 2>/dev/null || fail "node $x: dpvs-primary exited during start"
	wait_until 5 ip -n "$nsn" link show "$wire" || fail "node $x: tap $wire not in $nsn"
	ip -n "$nsn" link set "$wire" netns "$nsc" || fail "node $x: cannot move $wire to $nsc"
	ip -n "$nsc" link set "$wire" address "$(client_mac "$x")" || fail "node $x: set MAC"
	ip -n "$nsc" addr add "$(client_addr "$x")/24" dev "$wire" || fail "node $x: client addr"
	ip -n "$nsc" link set "$wire" up || fail "node $x: wire up"
	running_or_dead() { all_workers_running "$1" "$2" || ! kill -0 "$3"; }
	wait_until 60 running_or_dead "$x" "$nw" "$pid" && kill -0 "$pid" 2>/dev/null || {
		ctl "$x" worker show >&2
		fail "node $x: not every worker running"
	}
	log "node $x: $nw worker(s) running"
}

# node_add_addr X: the node's own (worker-answered) address on dpdk0
node_add_addr() {
	ctl "$1" addr add "$(node_addr "$1")/24" dev dpdk0 || fail "node $1: addr add"
}

# node_stop X: SIGTERM to the primary and wait (up to 15 s) for it to exit.
# Leaves the namespaces, so a test can check what the primary left behind.
node_stop() {
	local x="$1" pid
	pid="$(primary_pid_of "$x")"
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	if ! wait_until 15 pid_gone "$pid"; then
		log "node $x: primary $pid ignored SIGTERM for 15 s"
		return 1
	fi
	wait "$pid" 2>/dev/null
	log "node $x: primary stopped (status $?)"
	rm -f "$T_DIR/node-$x/primary.pid"
	return 0
}

pid_gone() { ! kill -0 "$1" 2>/dev/null; }

# pids_of_prefix P: processes (other than us) whose command line names P or,
# for a node of this test, its config file (the primary's command line)
pids_of_prefix() {
	local p="$1" conf="" f pid line args
	case "$p" in
	"$T_ID"?) conf="$T_DIR/node-${p#"$T_ID"}/" ;;
	esac
	for f in /proc/[0-9]*/cmdline; do
		pid="${f#/proc/}"
		pid="${pid%/cmdline}"
		[ "$pid" = "$$" ] && continue
		[ "$pid" = "$BASHPID" ] && continue
		# no fork per process: this runs on busy machines too
		mapfile -d '' -t args 2>/dev/null <"$f" || continue
		line="${args[*]}"
		if [[ "$line" == *"$p"* ]] || { [ -n "$conf" ] && [[ "$line" == *"$conf"* ]]; }; then
			echo "$pid"
		fi
	done
}

# bg CMD...: start a helper in the background and remember it for cleanup
bg() {
	"$@" &
	T_BG_PIDS+=("$!")
	echo "$!" >"$T_DIR/last_bg.pid"
	disown "$!"    # killed by pid at cleanup; no "Killed" noise from bash
}
last_bg() { cat "$T_DIR/last_bg.pid"; }

# ---- stats helpers (dpvsctl --json) ----------------------------------------

# worker_stat X ID FIELD: a worker's counter; FIELD is a plain field
# (rx_pkts, tx_pkts, ...) or verdict.NAME / drop.NAME
worker_stat() {
	local kind name
	case "$3" in
	verdict.*) kind=verdicts name="${3#verdict.}" ;;
	drop.*) kind=drops name="${3#drop.}" ;;
	*) kind="" name="$3" ;;
	esac
	ctl "$1" --json stats | jq -r --argjson id "$2" --arg k "$kind" --arg n "$name" '
		(.workers[] | select(.id == $id)) as $w
		| if $k == "" then ($w[$n] // 0)
		  else ($w[$k] | if type == "array" then (map({(.name): .value}) | add)
		                 else . end | .[$n] // 0) end'
}

# port_stat X PORT FIELD
port_stat() {
	ctl "$1" --json stats | jq -r --arg p "$2" --arg f "$3" \
		'.ports[] | select(.name == $p) | .[$f] // 0'
}

# port_kni_stat X PORT FIELD: the exception bridge's counters of a port
port_kni_stat() {
	ctl "$1" --json stats | jq -r --arg p "$2" --arg f "$3" \
		'.ports[] | select(.name == $p) | (.kni // {})[$f] // (."kni_" + $f) // 0'
}

# worker_field X ID FIELD (from worker show)
worker_field() {
	ctl "$1" --json worker show | jq -r --argjson id "$2" --arg f "$3" \
		'.[] | select(.id == $id) | .[$f]'
}

# worker_replaced X W OLDPID: worker W of node X runs again, under a pid
# other than OLDPID (a restart after a kill)
worker_replaced() {
	local p
	p="$(worker_field "$1" "$2" pid)"
	[ "$(worker_field "$1" "$2" state)" = running ] && [ "$p" != "$3" ] && [ -n "$p" ]
}

# worker_tx_moves X W SECS: worker W of node X's tx verdict count grows
# within SECS (it forwards)
worker_tx_moves() {
	local a
	a="$(worker_stat "$1" "$2" verdict.tx)"
	wait_until "$3" sh -c "[ \"\$('$T_BIN/dpvsctl' -s '$(sock_of "$1")' --json stats | jq '.workers[$2].verdicts.tx')\" -gt $a ]"
}

# mbufs_in_use X: mbufs of the node's pool held by someone (rx rings, workers,
# caches, leaks), from `dpvsctl --json stats`; empty if unavailable
mbufs_in_use() {
	ctl "$1" --json stats 2>/dev/null | jq -r '.mbufs.in_use // empty'
}

# the entries of dead processes' lcore caches the primary dropped: the mbufs
# deaths lost through the pool's per-lcore cache (docs/crash-safety.md)
mbufs_cache_dropped() {
	ctl "$1" --json stats 2>/dev/null | jq -r '.mbufs.cache_dropped // empty'
}

# ---- cleanup ----------------------------------------------------------------

t_cleanup() {
	local rc=$? x p pid ns
	[ "$T_CLEANED" = 1 ] && return
	T_CLEANED=1
	# Ignore, not default: Ctrl-C reaches us more than once (the terminal
	# signals the whole group, timeout(1) forwards it to us and the group
	# again); a late copy must not kill the cleanup halfway.
	trap - EXIT
	trap '' INT TERM
	if [ "$rc" -ne 0 ]; then
		for x in "${T_NODES[@]}"; do
			[ -f "$T_DIR/node-$x/primary.log" ] || continue
			echo "---- node $x: last lines of primary.log ----" >&2
			tail -n 30 "$T_DIR/node-$x/primary.log" >&2
		done
	fi
	for pid in "${T_BG_PIDS[@]}"; do
		kill -9 "$pid" 2>/dev/null
	done
	for x in "${T_NODES[@]}"; do
		pid="$(primary_pid_of "$x")"
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null
			wait_until 5 pid_gone "$pid" || kill -9 "$pid" 2>/dev/null
		fi
	done
	for x in "${T_NODES[@]}"; do
		p="$(prefix_of "$x")"
		for pid in $(pids_of_prefix "$p"); do
			kill -9 "$pid" 2>/dev/null
		done
		for ns in "$(nsn_of "$x")" "$(nsc_of "$x")"; do
			for pid in $(ip netns pids "$ns" 2>/dev/null); do
				kill -9 "$pid" 2>/dev/null
			done
			ip netns del "$ns" 2>/dev/null
		done
		rm -f /dev/hugepages/"$p"map_* /dev/hugepages/"$p"-* 2>/dev/null
		rm -rf "/var/run/dpdk/$p"
	done
	wait 2>/dev/null
	# T_KEEP_FAILED=DIR: a failed test's directory (logs, configs) is kept
	# there, for a look after the run
	if [ "$rc" -ne 0 ] && [ -n "${T_KEEP_FAILED:-}" ]; then
		mkdir -p "$T_KEEP_FAILED" && cp -r "$T_DIR" "$T_KEEP_FAILED/" 2>/dev/null
	fi
	rm -rf "$T_DIR"
	if [ "$rc" -eq 0 ]; then
		echo "[$T_NAME] PASS"
	else
		echo "[$T_NAME] FAIL (exit $rc)"
	fi
	exit "$rc"
}
trap t_cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

command -v jq >/dev/null || fail "jq missing (deploy/install-deps.sh)"
[ "$(id -u)" -eq 0 ] || fail "system tests need root (network namespaces, hugepages)"
