#!/usr/bin/env bash
# System test x (issue 11.7): the control socket's group and the read-only
# role from dpvs.conf ([ctl] socket_group, readonly_group). The test makes
# three users (removed at the end): one in the socket's group (an operator),
# one in the read-only group, one in neither. The operator adds a service;
# the read-only user lists it (-L -n, --json, save, stats, vlan show) but `-A`,
# `-d`, `vlan add|del` and reload are refused with "permission denied: read-only" (exit 1) and change
# nothing; the third user is refused; the socket has the configured group.
# Without a readonly_group the socket is 0660 and only its group gets in.
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
command -v useradd >/dev/null || fail "useradd missing"

G_OP="${T_ID}op"
G_RO="${T_ID}ro"
U_OP="${T_ID}o"
U_RO="${T_ID}r"
U_NO="${T_ID}n"
ro_cleanup() {
	local u g
	for u in "$U_OP" "$U_RO" "$U_NO"; do
		id "$u" >/dev/null 2>&1 && userdel "$u" 2>/dev/null
	done
	for g in "$G_OP" "$G_RO"; do
		getent group "$g" >/dev/null && groupdel "$g" 2>/dev/null
	done
}
trap 'ro_cleanup; t_cleanup' EXIT
groupadd "$G_OP" || fail "groupadd $G_OP"
groupadd "$G_RO" || fail "groupadd $G_RO"
useradd -M -N -g "$G_OP" -s /bin/sh "$U_OP" || fail "useradd $U_OP"
useradd -M -N -g users -G "$G_RO" -s /bin/sh "$U_RO" || fail "useradd $U_RO"
useradd -M -N -g users -s /bin/sh "$U_NO" || fail "useradd $U_NO"

# the [ctl] section of node a's dpvs.conf
CTL_SECTION="[ctl]
socket_group = $G_OP
readonly_group = $G_RO"
eval "lib_$(declare -f write_conf)"
write_conf() {
	lib_write_conf "$@"
	printf '%s\n' "$CTL_SECTION" >>"$T_DIR/node-$1/dpvs.conf"
}
chmod 755 "$T_DIR"    # the users reach the socket under it

# as USER X ARGS...: dpvsctl of node X as USER; output in $T_DIR/as.out
as() {
	local u="$1" x="$2"
	shift 2
	runuser -u "$u" -- "$T_BIN/dpvsctl" -s "$(sock_of "$x")" "$@" >"$T_DIR/as.out" 2>&1
}
as_out() { cat "$T_DIR/as.out"; }

node_start a 1
chmod 755 "$T_DIR/node-a"
S="$(sock_of a)"
assert_eq "socket's group" "$G_OP" "$(stat -c %G "$S")"
assert_eq "socket's mode (a read-only group is set: the daemon decides)" 666 "$(stat -c %a "$S")"

as "$U_OP" a -A -t "198.18.0.100:80" -s rr || fail "operator -A: $(as_out)"
as "$U_OP" a -a -t "198.18.0.100:80" -r 198.18.0.50:80 -w 3 || fail "operator -a: $(as_out)"
as "$U_RO" a -L -n || fail "read-only -L -n: $(as_out)"
assert_contains "read-only -L -n" "198.18.0.50:80" "$(as_out)"
as "$U_RO" a --json -L -n || fail "read-only --json -L -n: $(as_out)"
assert_eq "read-only --json: the dest's weight" 3 "$(jq '.[0].dests[0].weight' "$T_DIR/as.out")"
as "$U_RO" a save || fail "read-only save: $(as_out)"
assert_contains "read-only save" "-a -t 198.18.0.100:80 -r 198.18.0.50:80" "$(as_out)"
as "$U_RO" a stats || fail "read-only stats: $(as_out)"
as "$U_RO" a worker show || fail "read-only worker show: $(as_out)"
as "$U_OP" a vlan add dpdk0.100 dev dpdk0 id 100 || fail "operator vlan add: $(as_out)"
as "$U_RO" a vlan show || fail "read-only vlan show: $(as_out)"
assert_eq "read-only vlan show" "dpdk0.100 dev dpdk0 id 100" "$(as_out)"
gen0="$(ctl a save | md5sum)"
for cmd in "-A -t 198.18.0.101:80" "-d -t 198.18.0.100:80 -r 198.18.0.50:80" \
	"-D -t 198.18.0.100:80" "addr add 198.18.0.9/24 dev dpdk0" "vlan add v2 dev dpdk0 id 2" \
	"vlan del dpdk0.100" "reload"; do
	# shellcheck disable=SC2086
	as "$U_RO" a $cmd
	rc=$?
	assert_eq "read-only '$cmd': exit status" 1 "$rc"
	assert_contains "read-only '$cmd'" "permission denied: read-only" "$(as_out)"
done
assert_eq "the refused commands changed nothing" "$gen0" "$(ctl a save | md5sum)"
as "$U_NO" a -L -n
assert_eq "a user in neither group: exit status" 1 "$?"
assert_contains "a user in neither group" "is not allowed to use" "$(as_out)"
node_stop a || fail "node a did not stop"

# without a read-only group: 0660, the socket's group only
CTL_SECTION="[ctl]
socket_group = $G_OP"
node_start b 1
chmod 755 "$T_DIR/node-b"
assert_eq "socket's mode without a read-only group" 660 "$(stat -c %a "$(sock_of b)")"
assert_eq "socket's group" "$G_OP" "$(stat -c %G "$(sock_of b)")"
as "$U_OP" b -L -n || fail "operator -L -n: $(as_out)"
as "$U_RO" b -L -n
assert_eq "read-only user without a read-only group: cannot connect (exit 3)" 3 "$?"
