#!/usr/bin/env bash
# System test w (issue 11.7): service management. `make install DESTDIR=...`
# installs exactly the expected files; every path the systemd units name
# (ExecStart's binary, its -c and --rules files, the hugepages script) is
# there and the daemons sit together (dpvs-primary starts the others from its
# own directory); `systemd-analyze verify` passes on the units (their paths
# pointed into DESTDIR, man pages found there) and fails when a binary is
# missing; the man pages format without a warning; a second install keeps
# an edited dpvs.conf. The installed binaries run a node; the unit's
# ExecReload (SIGHUP to the primary) reloads the rules file; the bash
# completion completes commands, a service's VIP:PORT and a port name.
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl
command -v systemd-analyze >/dev/null || fail "systemd-analyze missing (deploy/install-deps.sh)"
command -v groff >/dev/null || fail "groff missing (deploy/install-deps.sh)"

D="$T_DIR/root"
make -s -o all -C "$T_ROOT" install DESTDIR="$D" PREFIX=/usr/local >"$T_DIR/install.log" 2>&1 ||
	fail "make install: $(tail -5 "$T_DIR/install.log")"
expected="etc/dpvs/dpvs.conf
etc/dpvs/dpvs.rules
usr/local/bin/dpvsctl
usr/local/lib/systemd/system/dpvs-hugepages.service
usr/local/lib/systemd/system/dpvs.service
usr/local/libexec/dpvs/hugepages.sh
usr/local/sbin/dpvs-ctl
usr/local/sbin/dpvs-kni-bridge
usr/local/sbin/dpvs-primary
usr/local/sbin/dpvs-worker
usr/local/share/bash-completion/completions/dpvsctl
usr/local/share/doc/dpvs-mp/README.md
usr/local/share/doc/dpvs-mp/dpvs.conf
usr/local/share/doc/dpvs-mp/dpvs.rules
usr/local/share/doc/dpvs-mp/schema/acl-show.json
usr/local/share/doc/dpvs-mp/schema/addr-show.json
usr/local/share/doc/dpvs-mp/schema/conn-show.json
usr/local/share/doc/dpvs-mp/schema/laddr-show.json
usr/local/share/doc/dpvs-mp/schema/list-stats.json
usr/local/share/doc/dpvs-mp/schema/list.json
usr/local/share/doc/dpvs-mp/schema/neigh-show.json
usr/local/share/doc/dpvs-mp/schema/port-show.json
usr/local/share/doc/dpvs-mp/schema/reload.json
usr/local/share/doc/dpvs-mp/schema/route-show.json
usr/local/share/doc/dpvs-mp/schema/save.json
usr/local/share/doc/dpvs-mp/schema/stats.json
usr/local/share/doc/dpvs-mp/schema/timeout-show.json
usr/local/share/doc/dpvs-mp/schema/version.json
usr/local/share/doc/dpvs-mp/schema/vlan-show.json
usr/local/share/doc/dpvs-mp/schema/worker-show.json
usr/local/share/man/man5/dpvs.conf.5
usr/local/share/man/man8/dpvsctl.8"
assert_eq "installed files" "$expected" "$(cd "$D" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)"

# every path a unit names, in its Exec lines, exists under DESTDIR
UNITS="$D/usr/local/lib/systemd/system"
n=0
for u in "$UNITS"/*.service; do
	while read -r w; do
		case "$w" in
		/usr/local/* | /etc/dpvs/*)
			[ -e "$D$w" ] || fail "$(basename "$u") names $w, not installed"
			n=$((n + 1)) ;;
		esac
	done < <(sed -n 's/^Exec[A-Za-z]*=[-@+!]*//p' "$u" | tr ' ' '\n')
done
assert_eq "paths the units' Exec lines name, all installed" 4 "$n"
for b in dpvs-primary dpvs-ctl dpvs-worker dpvs-kni-bridge; do
	[ -x "$D/usr/local/sbin/$b" ] || fail "$b not executable next to dpvs-primary"
done
assert_contains "dpvs.service" "ExecStart=/usr/local/sbin/dpvs-primary -c /etc/dpvs/dpvs.conf --rules /etc/dpvs/dpvs.rules" "$(cat "$UNITS/dpvs.service")"
assert_contains "dpvs.service" 'ExecReload=/bin/kill -HUP $MAINPID' "$(cat "$UNITS/dpvs.service")"

# systemd-analyze verify, the units' paths pointed into DESTDIR
V="$T_DIR/verify"
mkdir -p "$V"
for u in "$UNITS"/*.service; do
	sed -e "s|/usr/local/|$D/usr/local/|g" -e "s|/etc/dpvs/|$D/etc/dpvs/|g" "$u" >"$V/$(basename "$u")"
done
out="$(MANPATH="$D/usr/local/share/man" systemd-analyze verify "$V"/*.service 2>&1)"
rc=$?
assert_eq "systemd-analyze verify: status (output: $out)" 0 "$rc"
assert_eq "systemd-analyze verify: output" "" "$out"
mv "$D/usr/local/sbin/dpvs-primary" "$T_DIR/dpvs-primary.away"
out="$(MANPATH="$D/usr/local/share/man" systemd-analyze verify "$V/dpvs.service" 2>&1)"
rc=$?
mv "$T_DIR/dpvs-primary.away" "$D/usr/local/sbin/dpvs-primary"
assert_eq "systemd-analyze verify without dpvs-primary: fails" 1 "$rc"
assert_contains "its message" "dpvs-primary" "$out"

for m in man8/dpvsctl.8 man5/dpvs.conf.5; do
	w="$(groff -man -Tutf8 -ww -z "$D/usr/local/share/man/$m" 2>&1)"
	assert_eq "groff warnings of $m" "" "$w"
done
assert_contains "man dpvsctl" "check set" "$(MANPATH="$D/usr/local/share/man" man -P cat dpvsctl 2>/dev/null)"

# a second install keeps the operator's dpvs.conf
echo "; edited" >>"$D/etc/dpvs/dpvs.conf"
make -s -o all -C "$T_ROOT" install DESTDIR="$D" PREFIX=/usr/local >>"$T_DIR/install.log" 2>&1 || fail "make install again"
assert_contains "dpvs.conf after a second install" "; edited" "$(tail -1 "$D/etc/dpvs/dpvs.conf")"

# ---- the installed binaries run a node; ExecReload reloads -----------------------
mkdir -p "$T_DIR/bin"
ln -s "$D/usr/local/sbin/dpvs-primary" "$T_DIR/bin/dpvs-primary"
ln -s "$D/usr/local/bin/dpvsctl" "$T_DIR/bin/dpvsctl"
T_BIN="$T_DIR/bin"
RULES="$T_DIR/node.rules"
printf 'addr add %s/24 dev dpdk0\n-A -t 198.18.0.100:80 -s rr\n' "$(node_addr a)" >"$RULES"
node_start a 1 --rules "$RULES"
assert_contains "the installed node's services" "198.18.0.100:80" "$(ctl a -L -n)"
printf -- '-A -u 198.18.0.100:53 -s rr\n' >>"$RULES"
MAINPID="$(primary_pid_of a)"
reload_cmd="$(sed -n 's/^ExecReload=//p' "$UNITS/dpvs.service")"
eval "${reload_cmd//\$MAINPID/$MAINPID}" || fail "ExecReload: $reload_cmd"
reloaded() { ctl a -L -n | grep -q "UDP  198.18.0.100:53"; }
wait_until 10 reloaded || fail "ExecReload did not reload the rules: $(ctl a -L -n)"
log "ExecReload ($reload_cmd) reloaded the rules file"

# ---- bash completion ---------------------------------------------------------------
# complete WORDS...: what the completion offers for the last word
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _dpvsctl;
		printf "%s\n" "${COMPREPLY[@]}"' _ "$D/usr/local/share/bash-completion/completions/dpvsctl" "$@"
}
export PATH="$D/usr/local/bin:$PATH"
assert_eq "completion of 'dpvsctl ch'" check "$(complete_words dpvsctl ch)"
assert_eq "completion of 'dpvsctl check '" "set del" "$(complete_words dpvsctl check "" | tr '\n' ' ' | sed 's/ $//')"
assert_contains "completion of 'dpvsctl -A -t x -s '" "conhash" "$(complete_words dpvsctl -A -t x -s "")"
assert_eq "completion of a service after -t" "198.18.0.100:80" \
	"$(complete_words dpvsctl -s "$(sock_of a)" -a -t "")"
assert_eq "completion of a port after dev" dpdk0 \
	"$(complete_words dpvsctl -s "$(sock_of a)" addr add 1.2.3.4/24 dev "")"
assert_eq "completion of 'dpvsctl port '" "set show" "$(complete_words dpvsctl port "" | tr '\n' ' ' | sed 's/ $//')"
assert_eq "completion of a port after port set" dpdk0 \
	"$(complete_words dpvsctl -s "$(sock_of a)" port set "")"
assert_eq "completion of 'port set dpdk0 '" "forward forward2kni" \
	"$(complete_words dpvsctl port set dpdk0 "" | tr '\n' ' ' | sed 's/ $//')"
assert_eq "completion of 'dpvsctl blk'" blklst "$(complete_words dpvsctl blk)"
assert_eq "completion of 'dpvsctl whtlst '" "add del show" \
	"$(complete_words dpvsctl whtlst "" | tr '\n' ' ' | sed 's/ $//')"
assert_contains "completion of 'dpvsctl -E -t x --rate'" "--rate-out-bytes" \
	"$(complete_words dpvsctl -E -t x --rate)"
assert_eq "completion of 'port set dpdk0 forward '" "on off" \
	"$(complete_words dpvsctl port set dpdk0 forward "" | tr '\n' ' ' | sed 's/ $//')"
assert_eq "completion of 'port set dpdk0 forward2kni '" "on off" \
	"$(complete_words dpvsctl port set dpdk0 forward2kni "" | tr '\n' ' ' | sed 's/ $//')"
assert_eq "completion of 'dpvsctl vlan '" "add del show" \
	"$(complete_words dpvsctl vlan "" | tr '\n' ' ' | sed 's/ $//')"
assert_eq "completion of 'vlan add v '" dev "$(complete_words dpvsctl vlan add v "")"
assert_eq "completion of 'vlan add v dev dpdk0 '" id "$(complete_words dpvsctl vlan add v dev dpdk0 "")"
"$T_BIN/dpvsctl" -s "$(sock_of a)" vlan add dpdk0.7 dev dpdk0 id 7 || fail "vlan add"
assert_eq "completion of a port or VLAN after dev" "dpdk0 dpdk0.7" \
	"$(complete_words dpvsctl -s "$(sock_of a)" addr add 1.2.3.4/24 dev "" | tr '\n' ' ' | sed 's/ $//')"
assert_eq "completion of a VLAN after vlan del" dpdk0.7 \
	"$(complete_words dpvsctl -s "$(sock_of a)" vlan del "")"
