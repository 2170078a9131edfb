#!/usr/bin/python3
"""tests/system/mempool_inuse.py: how many mbufs of a node's pool are in use.

In:  argv: FILE_PREFIX POOL_NAME [--raw]. Reads DPDK telemetry of the primary
     (/var/run/dpdk/<prefix>/dpdk_telemetry.v2, a SOCK_SEQPACKET socket); it
     never attaches to the node's shared memory.
Out: prints one integer, size - in the pool's ring - in the per-lcore caches,
     i.e. mbufs held by some process (rx rings, tx rings, workers, leaks);
     with --raw, the telemetry dict. Exit 1 if telemetry is unavailable.
"""
import json
import socket
import sys


def query(prefix, cmd):
    path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(2.0)
    s.connect(path)
    hello = json.loads(s.recv(16384).decode())
    s.send(cmd.encode())
    reply = json.loads(s.recv(int(hello.get("max_output_len", 16384))).decode())
    s.close()
    return reply


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    prefix, pool = sys.argv[1], sys.argv[2]
    try:
        info = query(prefix, "/mempool/info,%s" % pool)["/mempool/info"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        print("telemetry unavailable: %s" % e, file=sys.stderr)
        return 1
    if "--raw" in sys.argv:
        print(json.dumps(info, indent=1))
        return 0
    try:
        free = int(info["common_pool_count"]) + int(info.get("total_cache_count", 0))
        print(int(info["size"]) - free)
    except (KeyError, TypeError, ValueError) as e:
        print("unexpected telemetry reply (%s): %s" % (e, info), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
