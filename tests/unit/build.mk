# tests/unit/: the unit tests and the control plane's fuzz harness again under
# AddressSanitizer and UndefinedBehaviorSanitizer, every report fatal, with the
# libraries they link, in their own tree $(BUILD)/asan: for tests/unit/run_asan.sh
# (test unit/asan in make check), which fails on any report. Not part of `make
# tests`: `make asan` builds it, and make check. Flags as `make ubsan`'s tree
# (tests/fixture/build.mk): -O1, -Wno-error=format-truncation.
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_UNIT := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/asan/tests/%) $(BUILD)/asan/tests/dpvs-ops-list \
	$(BUILD)/asan/tests/fuzz_ctl

.PHONY: asan
asan:
	$(MAKE) --no-print-directory BUILD=$(BUILD)/asan OPT="-O1 -g" CC="$(CC) $(ASAN_FLAGS)" \
		EXTRA_CFLAGS=-Wno-error=format-truncation $(ASAN_UNIT)

# the fuzz harness is built in the plain tree too (it runs there, without the
# sanitizers' checks): the generic rule of tests/build.mk, from fuzz_ctl.c
TESTS += $(TBIN)/fuzz_ctl

# Keep the tests' objects (make deletes a pattern chain's intermediate files):
# after a library changes only the links are redone, not 60 compilations
# (about a minute in build/asan, as much again in build/ubsan).
.SECONDARY: $(UNIT_SRCS:tests/unit/%.c=$(OBJ)/tests/unit/%.o) $(OBJ)/tests/unit/fuzz_ctl.o
