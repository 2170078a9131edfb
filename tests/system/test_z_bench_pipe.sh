#!/usr/bin/env bash
# System test: a smoke run of figure 1's tool (build/tests/dpvs-bench-pipe),
# correctness only (never a rate): every case (a SYN that makes a
# connection, established full-NAT, NAT and DR, DR with 61,440 connections
# through the burst's prefetch stage; a SYN into a table at its capacity
# that evicts the oldest half-open connection; udp-big, full-NAT over
# 60,000 connections on two local addresses, random flows; established TCP
# full-NAT both ways, the connection made by a handshake through the pipe,
# its segments in the window the node tracks) and its baseline run through
# the real worker loop, and the tool fails if a single frame leaves on
# another port than the case's or not at all, or the worker counts a drop
# (a TCP segment out of window). tcp-in and tcp-out are run again over
# 24,000 segments (144 KB, past the 64 KiB window: the peer's ACKs must
# open it, and the client's sequence numbers wrap past 2^32). One process,
# no hugepages.
. "$(dirname "$0")/lib.sh"
PIPE="$T_ROOT/build/tests/dpvs-bench-pipe"
[ -x "$PIPE" ] || fail "missing $PIPE (run make tests)"

log "every case of dpvs-bench-pipe, 2880 packets each"
out="$("$PIPE" --packets 2880 --warmup 320 2>&1)" || fail "dpvs-bench-pipe: $out"
for k in syn udp-in udp-out nat-in nat-out dr-in dr-many syn-full tcp-in tcp-out; do
	for kind in pipe base; do
		assert_contains "$k/$kind result" "RESULT $k $kind " "$out"
	done
done
for k in tcp-in tcp-out; do
	log "$k over 24000 segments: every one in window, no drop"
	out="$("$PIPE" --case "$k" --only pipe --packets 24000 --warmup 320 2>&1)" ||
		fail "dpvs-bench-pipe $k: $out"
	assert_contains "$k/pipe result" "RESULT $k pipe " "$out"
done
log "udp-big with 60000 flows (connections made first, then random flows)"
out="$("$PIPE" --case udp-big --big-flows 60000 --packets 2880 --warmup 320 2>&1)" ||
	fail "dpvs-bench-pipe udp-big: $out"
for kind in pipe base; do
	assert_contains "udp-big/$kind result" "RESULT udp-big $kind " "$out"
done
exit 0
