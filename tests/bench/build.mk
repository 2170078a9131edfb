# tests/bench/: dpvs-bench-pipe, cycles per packet through the worker pipeline
# in one process (pipe.c, pipe_tcp.c, frames.c), dpvs-bench-pool, the cost of the
# pool and ring operations (poolbench.c), dpvs-bench-connmem, the bytes a
# connection costs in this build's table (connmem.c), dpvs-bench-rebuild,
# the time a taking-over worker rebuilds a table of N connections in
# (rebuild.c), dpvs-bench-c2c, the
# round trip of a cache line between two CPUs (c2c.c), dpvs-bench-memfloor,
# the cycles a packet that k random cache lines cost at best (memfloor.c,
# memfloor_table.c; no DPDK, shm/conn.h's sizes only), and dpvs-bench-gen, the traffic
# generator of the node figures (gen.c, gen_flows.c, gen_tx.c: a DPDK
# primary of its own, linked with DPDK only); run by tests/bench/run.sh
# (`make bench`). Included by tests/build.mk; built with the tests.
BENCH_GEN_SRCS := $(wildcard tests/bench/gen*.c)
BENCH_SRCS := $(filter-out tests/bench/poolbench.c tests/bench/connmem.c tests/bench/c2c.c \
	tests/bench/rebuild.c tests/bench/memfloor.c tests/bench/memfloor_table.c \
	$(BENCH_GEN_SRCS),$(wildcard tests/bench/*.c))
BENCH_OBJS := $(BENCH_SRCS:%.c=$(OBJ)/%.o)
BENCH_GEN_OBJS := $(BENCH_GEN_SRCS:%.c=$(OBJ)/%.o)
BENCH_LIBS := $(WORKER_LIB) $(CTL_LIB) $(SHM_LIB)

$(OBJ)/tests/bench/%.o: tests/bench/%.c | $(PROTO_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_DPDK) $(PBC_CFLAGS) -c $< -o $@

$(TBIN)/dpvs-bench-pipe: $(BENCH_OBJS) $(BENCH_LIBS) $(PROTO_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $(BENCH_OBJS) $(BENCH_LIBS) $(PROTO_OBJS) $(LDLIBS_DPDK) $(PBC_LIBS) \
		$(EVENT_LIBS) -lrte_net_ring

$(TBIN)/dpvs-bench-pool: $(OBJ)/tests/bench/poolbench.o $(SHM_LIB)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDLIBS_DPDK)

$(TBIN)/dpvs-bench-connmem: $(OBJ)/tests/bench/connmem.o
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^

$(TBIN)/dpvs-bench-rebuild: $(OBJ)/tests/bench/rebuild.o $(WORKER_LIB) $(SHM_LIB)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDLIBS_DPDK)

$(TBIN)/dpvs-bench-c2c: $(OBJ)/tests/bench/c2c.o
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ -lpthread

$(TBIN)/dpvs-bench-memfloor: $(OBJ)/tests/bench/memfloor.o $(OBJ)/tests/bench/memfloor_table.o
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ -lpthread

$(TBIN)/dpvs-bench-gen: $(BENCH_GEN_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDLIBS_DPDK)

TESTS += $(TBIN)/dpvs-bench-pipe $(TBIN)/dpvs-bench-pool $(TBIN)/dpvs-bench-gen \
	$(TBIN)/dpvs-bench-connmem $(TBIN)/dpvs-bench-c2c $(TBIN)/dpvs-bench-rebuild \
	$(TBIN)/dpvs-bench-memfloor
