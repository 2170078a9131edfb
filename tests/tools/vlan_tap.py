#!/usr/bin/python3
"""vlan_tap.py WIRE TAP VID: a userspace stand-in for an 802.1Q interface
(`ip link add link WIRE name TAP type vlan id VID`) in the VLAN system test
(tests/system/test_yb_vlan.sh).

The kernel of the test machines has no 802.1q module, so a client in a
network namespace cannot make a VLAN interface. This program creates the TAP
device TAP (no packet information header) and an AF_PACKET socket on WIRE:
every frame the kernel sends out of TAP leaves on WIRE with the tag VID put in
after its MAC addresses; every frame WIRE receives with tag VID is written to
TAP without it, so the kernel's TAP side sees plain Ethernet. The kernel takes
the tag of a received frame off before a packet socket sees it (it is in the
PACKET_AUXDATA control message), so the id is read from there, or from the
frame itself if a tag is still in it. Frames of other ids or untagged ones
are left to WIRE.

Prints "ready" once both are open; runs until killed; counts go to stderr
every second ("tagged N untagged M"). The test brings TAP up.
"""
import fcntl
import os
import select
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10
AUX = struct.Struct("IIIHHHH")   # struct tpacket_auxdata


def main():
    wire, tap, vid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", tap.encode(), IFF_TAP | IFF_NO_PI))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((wire, 0))
    tag = struct.pack("!HH", 0x8100, vid)
    n_out = n_in = 0
    last = time.monotonic()
    print("ready", flush=True)
    while True:
        r, _, _ = select.select([fd, s], [], [], 1.0)
        if fd in r:
            f = os.read(fd, 65536)
            if len(f) >= 14:
                s.send(f[:12] + tag + f[12:])
                n_out += 1
        if s in r:
            f, anc, _, addr = s.recvmsg(65536, socket.CMSG_SPACE(AUX.size))
            if addr[2] == socket.PACKET_OUTGOING or len(f) < 14:
                continue
            got = None
            for level, kind, data in anc:
                if level == SOL_PACKET and kind == PACKET_AUXDATA and len(data) >= AUX.size:
                    st, _, _, _, _, tci, _ = AUX.unpack(data[:AUX.size])
                    if st & TP_STATUS_VLAN_VALID:
                        got = tci & 0x0fff
            if got is None and f[12:14] == b"\x81\x00":
                got = struct.unpack("!H", f[14:16])[0] & 0x0fff
                f = f[:12] + f[16:]
            if got == vid:
                os.write(fd, f)
                n_in += 1
        if time.monotonic() - last >= 1.0:
            last = time.monotonic()
            print("tagged %d untagged %d" % (n_out, n_in), file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
