#!/usr/bin/python3
"""ipip_decap.py TUN [-6]: a userspace stand-in for the real server's tunnel
device in the tunnel tests (tests/system/test_lb_q_tunnel.sh).

The kernel of the test machines has no ipip, ip6tnl or sit device, so a
real server in a network namespace cannot decapsulate what the node sends
it. This program does it in userspace: it creates the TUN device TUN (no
packet information header), receives the encapsulated packets addressed to
this namespace on a raw socket of protocol IPIP (4; with -6: IPv6 in IPv6,
protocol 41 on an IPv6 raw socket) and writes each inner packet to the TUN
device, whose kernel side then receives it as if it had arrived there: with
the VIP on the loopback (or on TUN) the server's listening socket gets the
client's packet, with the client's own address. A raw IPv4 socket gets the
outer header too (stripped here, ihl words); an IPv6 raw socket gets the
payload only. While the raw socket is open the kernel answers no outer
packet with "protocol unreachable".

Prints "ready" once both are open; runs until killed. The test brings TUN up.
On a real machine: `ip link add tunl0 type ipip` (or `modprobe ipip`) and
`ip link set tunl0 up`, see the README.
"""
import fcntl
import os
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def main():
    if len(sys.argv) < 2:
        print(__doc__.split("\n")[0], file=sys.stderr)
        return 2
    name, v6 = sys.argv[1], "-6" in sys.argv[2:]
    tun = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tun, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    if v6:
        raw = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 41)
    else:
        raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IPIP)
    print("ready", flush=True)
    while True:
        pkt = raw.recv(65535)
        inner = pkt if v6 else pkt[(pkt[0] & 0x0F) * 4:]
        if inner:
            os.write(tun, inner)


if __name__ == "__main__":
    sys.exit(main())
