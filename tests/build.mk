# tests/: unit tests (Check), one binary per tests/unit/test_*.c, and the
# fixture runner (tests/fixture/build.mk). Unit tests link every library so a
# test file needs no rule of its own.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(TBIN)/%)
TEST_LIBS := $(CTL_LIB) $(WORKER_LIB) $(PRIMARY_LIB) $(BRIDGE_LIB) $(SHM_LIB)

$(OBJ)/tests/unit/%.o: tests/unit/%.c $(PROTO_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_DPDK) $(CHECK_CFLAGS) $(PBC_CFLAGS) $(EVENT_CFLAGS) -Wno-missing-prototypes -c $< -o $@

$(TBIN)/%: $(OBJ)/tests/unit/%.o $(TEST_LIBS) $(PROTO_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $< $(TEST_LIBS) $(PROTO_OBJS) $(LDLIBS_DPDK) $(PBC_LIBS) $(EVENT_LIBS) $(CHECK_LIBS)

TESTS += $(UNIT_BINS)
-include tests/fixture/build.mk
-include tests/bench/build.mk

.PHONY: tests
tests: $(TESTS)

# a plain DPDK process (no dpvs-mp code) for test_pool_ops_order
$(OBJ)/tests/tools/%.o: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_DPDK) -c $< -o $@

$(TBIN)/dpvs-ops-list: $(OBJ)/tests/tools/opslist.o
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDLIBS_DPDK)

TESTS += $(TBIN)/dpvs-ops-list
