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

# A dpvs-worker whose shared layout differs in meaning but not in size (a
# member of struct dpvs_worker_slot renamed and retyped, shm/layout.h under
# DPVS_TEST_LAYOUT_CHANGE): the upgrade test checks that the node refuses it.
# Built in its own tree, without optimisation (it only has to attach).
LAYOUT_VARIANT := $(TBIN)/dpvs-worker-layout-changed
$(LAYOUT_VARIANT): $(WORKER_SRCS) worker/main.c $(SHM_SRCS) $(wildcard shm/*.h worker/*.h worker/*/*.h) shm/layout_fp.sh
	$(MAKE) --no-print-directory BUILD=$(BUILD)/layout-variant OPT="-O0 -g" \
		EXTRA_CFLAGS=-DDPVS_TEST_LAYOUT_CHANGE $(BUILD)/layout-variant/bin/dpvs-worker
	@mkdir -p $(dir $@)
	cp $(BUILD)/layout-variant/bin/dpvs-worker $@

TESTS += $(LAYOUT_VARIANT)
-include tests/fixture/build.mk
-include tests/unit/build.mk
-include tests/bench/build.mk


# tests/tools/udpgap: a paced UDP stream and its receiver (no DPDK), for the
# gap and loss of a worker's replacement (tests/system/test_lb_l_restart_under_load.sh)
$(TBIN)/udpgap: tests/tools/udpgap.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 $(WARN) -Wno-missing-prototypes -o $@ $<

TESTS += $(TBIN)/udpgap

# a plain DPDK process (no dpvs-mp code) for test_pool_ops_order
$(OBJ)/tests/tools/%.o: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_DPDK) -c $< -o $@

$(TBIN)/dpvs-ops-list: $(OBJ)/tests/tools/opslist.o
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDLIBS_DPDK)

TESTS += $(TBIN)/dpvs-ops-list

# DPDK's shared locks of a node: shown, or held by a process that dies
$(TBIN)/dpvs-lockdie: $(OBJ)/tests/tools/lockdie.o $(OBJ)/shm/eal_locks.o
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDLIBS_DPDK)

TESTS += $(TBIN)/dpvs-lockdie

.PHONY: tests
tests: $(TESTS)
