#!/usr/bin/env bash
# System test: a smoke run of figure 1's tool (build/tests/dpvs-bench-pipe),
# correctness only (never a rate): every case (a SYN that makes a
# connection, established full-NAT, NAT and DR, DR with 61,440 connections
# through the burst's prefetch stage; a SYN into a table at its capacity
# that evicts the oldest half-open connection; udp-big, full-NAT over
# 60,000 connections on two local addresses, random flows) and its baseline
# run through the real worker loop, and the tool fails if a single frame
# leaves on another port than the case's or not at all. One process, no
# hugepages.
. "$(dirname "$0")/lib.sh"
PIPE="$T_ROOT/build/tests/dpvs-bench-pipe"
[ -x "$PIPE" ] || fail "missing $PIPE (run make tests)"

log "every case of dpvs-bench-pipe, 2880 packets each"
out="$("$PIPE" --packets 2880 --warmup 320 2>&1)" || fail "dpvs-bench-pipe: $out"
for k in syn udp-in udp-out nat-in nat-out dr-in dr-many syn-full; do
	for kind in pipe base; do
		assert_contains "$k/$kind result" "RESULT $k $kind " "$out"
	done
done
log "udp-big with 60000 flows (connections made first, then random flows)"
out="$("$PIPE" --case udp-big --big-flows 60000 --packets 2880 --warmup 320 2>&1)" ||
	fail "dpvs-bench-pipe udp-big: $out"
for kind in pipe base; do
	assert_contains "udp-big/$kind result" "RESULT udp-big $kind " "$out"
done
exit 0
