# dpvs-mp top-level build. Each component keeps its rules in <dir>/build.mk.
#
#   make            build every binary into build/bin
#   make check      install what is missing, build, run unit, fixture and system tests
#   make demo       install what is missing, build, start a demo node and show it working
#   make bench      benchmarks (numbers, not pass/fail)
#   make fuzz       the long fuzz run of the worker pipeline (make check runs a bounded part)
#
# `check`, `demo` and `bench` first run deploy/install-deps.sh (quick when everything is
# there) and then re-enter make, so that pkg-config sees the freshly installed packages.

BUILD   := build
BIN     := $(BUILD)/bin
OBJ     := $(BUILD)/obj
GEN     := $(BUILD)/gen
TBIN    := $(BUILD)/tests

CC      ?= gcc
PKGCONF ?= pkg-config

DPDK_CFLAGS := $(shell $(PKGCONF) --cflags libdpdk 2>/dev/null)
DPDK_LIBS   := $(shell $(PKGCONF) --libs libdpdk 2>/dev/null)
EVENT_CFLAGS := $(shell $(PKGCONF) --cflags libevent 2>/dev/null)
# libevent, and OpenSSL for dpvs-ctl's HTTPS health checks (everything linking the
# ctl library links both)
EVENT_LIBS  := $(shell $(PKGCONF) --libs libevent openssl 2>/dev/null)
PBC_CFLAGS  := $(shell $(PKGCONF) --cflags libprotobuf-c 2>/dev/null)
PBC_LIBS    := $(shell $(PKGCONF) --libs libprotobuf-c 2>/dev/null)
CHECK_CFLAGS := $(shell $(PKGCONF) --cflags check 2>/dev/null)
CHECK_LIBS  := $(shell $(PKGCONF) --libs check 2>/dev/null)

OPT     ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes
BASE_CFLAGS := -std=gnu11 $(OPT) $(WARN) -D_GNU_SOURCE -I. -I$(GEN) -MMD -MP
# code that uses DPDK
CFLAGS_DPDK := $(BASE_CFLAGS) $(DPDK_CFLAGS) -DALLOW_EXPERIMENTAL_API
LDLIBS_DPDK := $(DPDK_LIBS) -lpthread

BINS :=
TESTS :=

.PHONY: all clean check check-build test-unit test-fixture test-system demo bench fuzz install deps
all:

include proto/build.mk
include shm/build.mk
include worker/build.mk
include primary/build.mk
include ctl/build.mk
include kni_bridge/build.mk
include tests/build.mk

all: $(BINS)

deps:
	deploy/install-deps.sh

check:
	deploy/install-deps.sh
	$(MAKE) all tests
	tests/run-all.sh

demo:
	deploy/install-deps.sh
	$(MAKE) all
	deploy/demo.sh

bench:
	deploy/install-deps.sh
	$(MAKE) all tests
	tests/bench/run.sh

# seeds 1-2 run in make check (tests/run-all.sh); these are the others
FUZZ_SEEDS ?= 3-32
FUZZ_FRAMES ?= 3000
fuzz:
	deploy/install-deps.sh
	$(MAKE) all tests
	/usr/bin/python3 tests/fixture/fuzz_pipeline.py --seeds $(FUZZ_SEEDS) --frames $(FUZZ_FRAMES) --mode both

clean:
	rm -rf $(BUILD)

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)
