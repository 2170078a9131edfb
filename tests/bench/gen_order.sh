#!/usr/bin/env bash
# tests/bench/gen_order.sh: does a many-flow case of figure 2 replay its
# flows out of the order their connections were made, and does a pass
# leave the replayed stream's walk where it was? Runs dpvs-bench-gen
# alone, its port 0 a net_pcap file, the commands of fig2.sh: first W
# packets of a `start` of stream REPLAY (so that the walk a pass saves is
# not at 0), then the passes that make the connections, then the first K
# packets of a `start` of REPLAY (the case's window), all recorded. UDP
# (MADE and REPLAY the same options): one stream, `pass replay`; TCP: two,
# `pass made` (the SYNs) then `pass replay`. The creation rank of a flow
# is the position of its tuple's first packet in the pass of MADE. Prints
# the first 16 ranks of the window, then how many consecutive replayed
# packets have ranks at most 1, at most 64 and at most N/100 apart (0 of
# each: the node reads each packet's connection far from the last one's),
# and exits 1 if more than 1% are within 64, or if the window does not
# continue the walk of the first W packets (the same rank step, mod N,
# between every two consecutive packets of both: the pass gave the walk's
# position and stride back).
#   gen_order.sh "MADE-OPTIONS" "REPLAY-OPTIONS" [K [W]]   (W not a multiple of the flows)
# OPTIONS: a --stream's keys without name and port, e.g. for fnat-many
#   gen_order.sh "kind=udp,src=10.10.0.1,sport=1024,dst=10.0.0.100,dport=53,flows=1000000,order=random" \
#                "kind=udp,src=10.10.0.1,sport=1024,dst=10.0.0.100,dport=53,flows=1000000,order=random"
# Needs hugepages (256 MiB) and about 100 bytes of /tmp a flow.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
GEN="${GEN:-$ROOT/build/tests/dpvs-bench-gen}" # GEN=...: another build's
MADE="$1" REPLAY="$2" K="${3:-100000}" W="${4:-1000}"
ONE=0 STREAMS=(--stream "name=made,port=0,$MADE" --stream "name=replay,port=0,$REPLAY")
if [ "$MADE" = "$REPLAY" ]; then
	ONE=1 STREAMS=(--stream "name=replay,port=0,$REPLAY")
fi
D="$(mktemp -d /tmp/gen_order.XXXXXX)"
P="gen_order$$"
trap 'rm -rf "$D" "/var/run/dpdk/$P"' EXIT
{
	echo "start replay $W"
	echo "wait 600"
	echo "stop"
	[ "$ONE" = 1 ] || echo "pass made 600"
	echo "pass replay 600"
	echo "start replay $K"
	echo "wait 600"
	echo "quit"
} | "$GEN" -l 0,1 --main-lcore 1 --in-memory -m 256 --no-pci --file-prefix="$P" \
	--log-level=lib.eal:error --vdev="net_pcap0,tx_pcap=$D/out.pcap" -- \
	"${STREAMS[@]}" >"$D/gen.out" 2>&1 ||
	{ cat "$D/gen.out" >&2; exit 2; }
grep -q '^OK pass replay' "$D/gen.out" || { cat "$D/gen.out" >&2; exit 2; }
sent() { sed -n "s/^OK pass $1 sent=\([0-9]*\).*/\1/p" "$D/gen.out"; }
NMADE="$(sent replay)" NREP=0
[ "$ONE" = 1 ] || NMADE="$(sent made)" NREP="$(sent replay)"
python3 - "$D/out.pcap" "$K" "$W" "$NMADE" "$NREP" <<'EOF'
import struct, sys
path, k, w, nmade, nrep = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
data = open(path, 'rb').read()
off, keys = 24, []
while off + 16 <= len(data):
    incl = struct.unpack_from('<I', data, off + 8)[0]
    f = data[off + 16:off + 16 + incl]
    keys.append(f[26:38])  # IPv4 source, destination, the two ports
    off += 16 + incl
if len(keys) != w + nmade + nrep + k:
    sys.exit('%d packets recorded, not %d + %d + %d + %d' % (len(keys), w, nmade, nrep, k))
rank = {}
for i, key in enumerate(keys[w:w + nmade]):
    rank.setdefault(key, i)
n = len(rank)
warm = [rank.get(key, -1) for key in keys[:w]]
rep = [rank.get(key, -1) for key in keys[len(keys) - k:]]
if len(rep) != k or -1 in rep or -1 in warm:
    sys.exit('replayed %d of %d packets, %d of flows never made' % (len(rep), k, rep.count(-1)))
if w % n == 0:
    sys.exit('W (%d) a multiple of the flows (%d): the walk back at 0, choose another' % (w, n))
walk = warm + rep
steps = set((b - a) % n for a, b in zip(walk, walk[1:]))
print('rank steps (mod %d) over the first %d packets and the window: %s'
      % (n, w, ' '.join(map(str, sorted(steps)[:8]))))
if len(steps) != 1:
    sys.exit('the window does not continue the walk of the first %d packets' % w)
gaps = [abs(b - a) for a, b in zip(rep, rep[1:])]
near = lambda d: sum(g <= d for g in gaps)
print('flows made %d, replayed packets %d; creation ranks of the first 16: %s'
      % (n, k, ' '.join(map(str, rep[:16]))))
print('consecutive replayed packets whose ranks are <= 1 apart: %d, <= 64: %d, <= %d (n/100): %d'
      % (near(1), near(64), n // 100, near(n // 100)))
sys.exit(1 if near(64) * 100 > len(gaps) else 0)
EOF
