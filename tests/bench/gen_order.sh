#!/usr/bin/env bash
# tests/bench/gen_order.sh: does a many-flow case of figure 2 replay its
# flows out of the order their connections were made? Runs dpvs-bench-gen
# alone, its port 0 a net_pcap file: a `pass` of stream MADE (what makes
# the connections in fig2.sh), then the first K packets of a `start` of
# stream REPLAY (the case's window), both recorded; for each of the K
# replayed packets, the creation rank of its flow (the position of its
# tuple's first packet in the pass). Prints the first 16 ranks, then how
# many consecutive replayed packets have ranks at most 1, at most 64 and
# at most N/100 apart (0 of each: the node reads each packet's connection
# far from the last one's), and exits 1 if more than 1% are within 64.
#   gen_order.sh "MADE-OPTIONS" "REPLAY-OPTIONS" [K]
# OPTIONS: a --stream's keys without name and port, e.g. for fnat-many
#   gen_order.sh "kind=udp,src=10.10.0.1,sport=1024,dst=10.0.0.100,dport=53,flows=1000000,order=random" \
#                "kind=udp,src=10.10.0.1,sport=1024,dst=10.0.0.100,dport=53,flows=1000000,order=random"
# Needs hugepages (256 MiB) and about 100 bytes of /tmp a flow.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
GEN="${GEN:-$ROOT/build/tests/dpvs-bench-gen}" # GEN=...: another build's
MADE="$1" REPLAY="$2" K="${3:-100000}"
D="$(mktemp -d /tmp/gen_order.XXXXXX)"
P="gen_order$$"
trap 'rm -rf "$D" "/var/run/dpdk/$P"' EXIT
{
	echo "pass made 600"
	echo "start replay $K"
	echo "wait 600"
	echo "quit"
} | "$GEN" -l 0,1 --main-lcore 1 --in-memory -m 256 --no-pci --file-prefix="$P" \
	--log-level=lib.eal:error --vdev="net_pcap0,tx_pcap=$D/out.pcap" -- \
	--stream "name=made,port=0,$MADE" --stream "name=replay,port=0,$REPLAY" >"$D/gen.out" 2>&1 ||
	{ cat "$D/gen.out" >&2; exit 2; }
grep -q '^OK pass' "$D/gen.out" || { cat "$D/gen.out" >&2; exit 2; }
python3 - "$D/out.pcap" "$K" <<'EOF'
import struct, sys
path, k = sys.argv[1], int(sys.argv[2])
data = open(path, 'rb').read()
off, keys = 24, []
while off + 16 <= len(data):
    incl = struct.unpack_from('<I', data, off + 8)[0]
    f = data[off + 16:off + 16 + incl]
    keys.append(f[26:38])  # IPv4 source, destination, the two ports
    off += 16 + incl
rank = {}
for i, key in enumerate(keys[:len(keys) - k]):
    rank.setdefault(key, i)
n = len(rank)
rep = [rank.get(key, -1) for key in keys[len(keys) - k:]]
if len(rep) != k or -1 in rep:
    sys.exit('replayed %d of %d packets, %d of flows never made' % (len(rep), k, rep.count(-1)))
gaps = [abs(b - a) for a, b in zip(rep, rep[1:])]
near = lambda d: sum(g <= d for g in gaps)
print('flows made %d, replayed packets %d; creation ranks of the first 16: %s'
      % (n, k, ' '.join(map(str, rep[:16]))))
print('consecutive replayed packets whose ranks are <= 1 apart: %d, <= 64: %d, <= %d (n/100): %d'
      % (near(1), near(64), n // 100, near(n // 100)))
sys.exit(1 if near(64) * 100 > len(gaps) else 0)
EOF
