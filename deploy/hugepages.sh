#!/usr/bin/env bash
# deploy/hugepages.sh: make sure the machine has enough 2 MB hugepages and a
# hugetlbfs mount on /dev/hugepages, as DPDK's multi-process mode needs.
#
# In:  DPVS_HUGEPAGES (wanted count, default 1024), DPVS_HUGEPAGES_MIN (the
#      least that still works, default 512). Root.
# Out: nr_hugepages raised (never lowered); /dev/hugepages mounted.
# Idempotent: does nothing when both are already in place.
set -euo pipefail

want="${DPVS_HUGEPAGES:-1024}"
min="${DPVS_HUGEPAGES_MIN:-512}"
sysfs=/sys/kernel/mm/hugepages/hugepages-2048kB
mnt=/dev/hugepages

die() { echo "hugepages: $*" >&2; exit 1; }

[ -d "$sysfs" ] || die "this kernel has no 2 MB hugepages ($sysfs missing)"

case "$want$min" in
*[!0-9]*) die "DPVS_HUGEPAGES and DPVS_HUGEPAGES_MIN must be numbers" ;;
esac
[ "$min" -le "$want" ] || min="$want"
# never reserve more than half of the machine's memory
mem_kb="$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
if [ $((want * 2048)) -gt $((mem_kb / 2)) ]; then
	die "$want x 2 MB is more than half of this machine's memory ($((mem_kb / 1024)) MB)"
fi

have="$(cat "$sysfs/nr_hugepages")"
if [ "$have" -lt "$want" ]; then
	[ "$(id -u)" -eq 0 ] || die "have $have 2 MB hugepages, want $want: run as root"
	before="$have"
	echo "hugepages: raising 2 MB hugepages from $have to $want"
	# compacting memory first gives the kernel a better chance of finding them
	echo 1 >/proc/sys/vm/compact_memory 2>/dev/null || true
	echo "$want" >"$sysfs/nr_hugepages" || die "cannot write $sysfs/nr_hugepages"
	have="$(cat "$sysfs/nr_hugepages")"
	if [ "$have" -lt "$want" ]; then
		if [ "$have" -lt "$min" ]; then
			# give back what a partial allocation took
			echo "$before" >"$sysfs/nr_hugepages" 2>/dev/null || true
			die "asked for $want 2 MB hugepages, the kernel gave only $have (need at least $min); free some memory and retry"
		fi
		echo "hugepages: warning: asked for $want, got $have (enough to run)" >&2
	fi
else
	echo "hugepages: $have x 2 MB present (want $want)"
fi

if awk -v m="$mnt" '$2 == m && $3 == "hugetlbfs" { found = 1 } END { exit !found }' /proc/mounts; then
	echo "hugepages: hugetlbfs mounted on $mnt"
else
	[ "$(id -u)" -eq 0 ] || die "$mnt is not a hugetlbfs mount: run as root"
	mkdir -p "$mnt"
	mount -t hugetlbfs -o pagesize=2M nodev "$mnt" || die "cannot mount hugetlbfs on $mnt"
	echo "hugepages: mounted hugetlbfs on $mnt"
fi
