#!/usr/bin/env bash
# deploy/install-deps.sh: install every Debian package that building dpvs-mp,
# its tests and its demo need, then make sure hugepages are set up.
#
# In:  nothing (run as root on Debian 12; no stdin needed).
# Out: missing packages installed with apt-get; deploy/hugepages.sh run.
# Safe to run any number of times: when every package is there it only asks
# dpkg-query (no network), and `apt-get update` runs only if something is missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

PACKAGES=(
	# build (gcc brings gcc-12, libgcc-12-dev and with it libubsan1, libasan8
	# and liblsan0: make ubsan's, make asan's and make fxasan's
	# -fsanitize=undefined,address need nothing more)
	build-essential pkg-config make gcc
	dpdk dpdk-dev libdpdk-dev
	libevent-dev libprotobuf-c-dev protobuf-c-compiler libssl-dev
	# dpvsctl's JSON output
	libjansson-dev
	check libpcap-dev
	# the layout fingerprint of the shared structs (pahole, shm/layout_fp.sh)
	dwarves
	# tests and demo: Debian's python with scapy (fixtures, http server)
	python3 python3-scapy
	# network namespaces, veths, taps, traffic
	iproute2 iputils-ping iputils-arping curl wrk iperf3 tcpdump ethtool
	# a spoofed SYN flood (test_lb_u_synflood); the exception path under a
	# flood (test_ye_kni_flood): BGP between two BIRDs, a SYN flood toward
	# the kernel
	bird2 hping3
	# a real server that reads the PROXY protocol (test_lb_x_proxy)
	nginx-light
	# scripting helpers used by tests/ and deploy/
	jq socat procps psmisc kmod coreutils util-linux findutils grep sed
	# make bench: instruction counts (callgrind)
	valgrind
	# the operator's tools: capture read back (test_v_capture), /metrics parsed
	# (test_u_metrics), the systemd units verified and the man pages formatted
	# (test_w_install)
	tshark python3-prometheus-client systemd groff-base man-db
	# dpvsctl --json checked against docs/schema/*.json (test_m_cli_json, test_ctl_lbnode)
	python3-jsonschema
)

missing=()
for p in "${PACKAGES[@]}"; do
	st="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
	if [ "$st" != "install ok installed" ]; then
		missing+=("$p")
	fi
done

if [ "${#missing[@]}" -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: missing packages: ${missing[*]}" >&2
		echo "install-deps: run this script as root to install them" >&2
		exit 1
	fi
	echo "install-deps: installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
		"${missing[@]}" </dev/null
else
	echo "install-deps: all ${#PACKAGES[@]} packages present"
fi

# net_tap needs the tun device.
if [ ! -c /dev/net/tun ]; then
	modprobe tun 2>/dev/null || true
	if [ ! -c /dev/net/tun ]; then
		mkdir -p /dev/net
		mknod /dev/net/tun c 10 200 && chmod 0666 /dev/net/tun || {
			echo "install-deps: /dev/net/tun is missing and cannot be created" >&2
			exit 1
		}
	fi
fi

"$here/hugepages.sh"
