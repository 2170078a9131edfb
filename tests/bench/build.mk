# tests/bench/: dpvs-bench-pipe, cycles per packet through the worker pipeline
# in one process (pipe.c, frames.c), and dpvs-bench-pool, the cost of the
# pool and ring operations (poolbench.c); run by tests/bench/run.sh (`make
# bench`). Included by tests/build.mk; built with the tests.
BENCH_SRCS := $(filter-out tests/bench/poolbench.c,$(wildcard tests/bench/*.c))
BENCH_OBJS := $(BENCH_SRCS:%.c=$(OBJ)/%.o)
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

TESTS += $(TBIN)/dpvs-bench-pipe $(TBIN)/dpvs-bench-pool
