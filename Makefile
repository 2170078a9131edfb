# dpvs-mp top-level build. Each component keeps its rules in <dir>/build.mk.
#
#   make            build every binary into build/bin
#   make check      install what is missing, build, run unit, fixture and system tests
#   make demo       install what is missing, build, start a demo node and show it working
#   make bench      benchmarks (numbers, not pass/fail)
#   make fuzz       the long fuzz run of the worker pipeline (make check runs a bounded part)
#   make ubsan      the fixture runners under UndefinedBehaviorSanitizer, in build/ubsan
#                   (tests/fixture/build.mk; make check builds and runs them)
#   make asan       the unit tests and the control plane's fuzz harness under
#                   AddressSanitizer and UBSan, in build/asan (tests/unit/build.mk;
#                   make check builds and runs them)
#   make fxasan     the fixture runners under AddressSanitizer with every frame's head-
#                   and tailroom poisoned, in build/fxasan (tests/fixture/mbuf_poison.h)
#   make install    binaries, systemd units, config samples, man pages, bash completion,
#                   the JSON schemas of dpvsctl's output, under PREFIX (default
#                   /usr/local) and SYSCONFDIR (default /etc), into DESTDIR if given
#                   (see "Installing" in README.md)
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
# protobuf-c, and jansson for dpvsctl's JSON output (ctl/common/fmt_json.c): everything
# that uses the wire types links ctl/common, so it takes both
PBC_CFLAGS  := $(shell $(PKGCONF) --cflags libprotobuf-c jansson 2>/dev/null)
PBC_LIBS    := $(shell $(PKGCONF) --libs libprotobuf-c jansson 2>/dev/null)
CHECK_CFLAGS := $(shell $(PKGCONF) --cflags check 2>/dev/null)
CHECK_LIBS  := $(shell $(PKGCONF) --libs check 2>/dev/null)

OPT     ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes
# EXTRA_CFLAGS: e.g. -DDPVS_TEST_LAYOUT_CHANGE for the layout test's worker (tests/build.mk)
EXTRA_CFLAGS ?=
BASE_CFLAGS := -std=gnu11 $(OPT) $(WARN) $(EXTRA_CFLAGS) -D_GNU_SOURCE -I. -I$(GEN) -MMD -MP
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
	$(MAKE) all tests ubsan asan fxasan
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

# ---- install -------------------------------------------------------------------
PREFIX     ?= /usr/local
SYSCONFDIR ?= /etc
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/libexec/dpvs
UNITDIR    ?= $(PREFIX)/lib/systemd/system
MANDIR     ?= $(PREFIX)/share/man
COMPLDIR   ?= $(PREFIX)/share/bash-completion/completions
DOCDIR     ?= $(PREFIX)/share/doc/dpvs-mp
DAEMONS    := dpvs-primary dpvs-ctl dpvs-worker dpvs-kni-bridge
UNIT_SUBST := -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@BINDIR@|$(BINDIR)|g' \
	      -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g'

# The daemons share one directory: dpvs-primary starts the others from its own.
# dpvs.conf and dpvs.rules are installed only where there are none yet.
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBEXECDIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(COMPLDIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSCONFDIR)/dpvs
	install -m 755 $(BIN)/dpvsctl $(DESTDIR)$(BINDIR)/dpvsctl
	install -m 755 $(addprefix $(BIN)/,$(DAEMONS)) $(DESTDIR)$(SBINDIR)/
	install -m 755 deploy/hugepages.sh $(DESTDIR)$(LIBEXECDIR)/hugepages.sh
	for u in dpvs dpvs-hugepages; do \
		sed $(UNIT_SUBST) deploy/systemd/$$u.service.in >$(DESTDIR)$(UNITDIR)/$$u.service && \
		chmod 644 $(DESTDIR)$(UNITDIR)/$$u.service || exit 1; \
	done
	install -m 644 deploy/man/dpvsctl.8 $(DESTDIR)$(MANDIR)/man8/dpvsctl.8
	install -m 644 deploy/man/dpvs.conf.5 $(DESTDIR)$(MANDIR)/man5/dpvs.conf.5
	install -m 644 deploy/bash-completion/dpvsctl $(DESTDIR)$(COMPLDIR)/dpvsctl
	install -m 644 README.md deploy/dpvs.conf deploy/dpvs.rules $(DESTDIR)$(DOCDIR)/
	install -d $(DESTDIR)$(DOCDIR)/schema
	install -m 644 docs/schema/*.json $(DESTDIR)$(DOCDIR)/schema/
	[ -e $(DESTDIR)$(SYSCONFDIR)/dpvs/dpvs.conf ] || \
		install -m 644 deploy/dpvs.conf $(DESTDIR)$(SYSCONFDIR)/dpvs/dpvs.conf
	[ -e $(DESTDIR)$(SYSCONFDIR)/dpvs/dpvs.rules ] || \
		install -m 644 deploy/dpvs.rules $(DESTDIR)$(SYSCONFDIR)/dpvs/dpvs.rules

clean:
	rm -rf $(BUILD)

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)
