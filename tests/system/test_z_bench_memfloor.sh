#!/usr/bin/env bash
# System test: a smoke run of figure 5's tool (build/tests/dpvs-bench-memfloor,
# tests/bench/memfloor.c), "starts and reports" only, never a rate: every
# case (the floor's five, lat, a look-ahead, chain2x, both kinds of work,
# memif's copy) over 1,000 and 100,000 flows, with and without the
# neighbour on the other CPU, 5 ms
# samples; each row must be printed and no lookup may miss (the tool exits 1
# if one did: the index it built is wrong). A flow count that does not fit
# in the free hugepages must be skipped with its line, not fail. About 2 s.
. "$(dirname "$0")/lib.sh"
MF="$T_ROOT/build/tests/dpvs-bench-memfloor"
[ -x "$MF" ] || fail "missing $MF (run make tests)"
ncpu="$(nproc)"
nb=()
[ "$ncpu" -ge 2 ] && nb=(-B 0)

rows="zero,chain2,chain3,indep2,one,lat,chain2/a16,chain2x/a8,zero/w45,chain2/w45/c,one/p160/c"
log "dpvs-bench-memfloor: $rows over 1000 and 100000 flows"
out="$("$MF" -c "$((ncpu - 1))" -t 5 -s 1 -n 1000,100000 -k "$rows" "${nb[@]}" 2>&1)" ||
	fail "dpvs-bench-memfloor: $out"
assert_contains "TSC rate" "MEMFLOOR_TSC " "$out"
for n in 1000 100000; do
	if grep -q "^MEMFLOOR_SKIP $n " <<<"$out"; then
		log "$n flows skipped (hugepages): $(grep "^MEMFLOOR_SKIP $n " <<<"$out")"
		continue
	fi
	for r in chain2 chain3 indep2 one lat chain2/a16 chain2x/a8 chain2/w45/c one/p160/c; do
		assert_contains "$r over $n flows" "MEMFLOOR $r $n " "$out"
		[ "${#nb[@]}" -gt 0 ] && assert_contains "$r+nb over $n flows" "MEMFLOOR $r+nb $n " "$out"
	done
done
assert_contains "zero" "MEMFLOOR zero 64 " "$out"
assert_contains "zero/w45" "MEMFLOOR zero/w45 64 " "$out"

log "a flow count beyond the free hugepages (-F 4: 4 MiB taken for free) is skipped"
out="$("$MF" -c "$((ncpu - 1))" -t 5 -s 1 -n 100000 -k one -F 4 2>&1)" ||
	fail "dpvs-bench-memfloor -F 4: $out"
assert_contains "skip" "MEMFLOOR_SKIP 100000 needs 16 MiB of hugepages, 4 MiB free" "$out"
assert_not_contains "skip" "MEMFLOOR one 100000" "$out"

log "usage errors exit 2"
"$MF" -k nosuch >/dev/null 2>&1
rc=$?
[ "$rc" = 2 ] || fail "an unknown case exited $rc, not 2"
exit 0
