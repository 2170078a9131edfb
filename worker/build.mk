# worker/: the packet path. WORKER_LIB holds every stage (every worker/*.c and worker/*/*.c but
# main.c) so that the fixture runner and the unit tests link the same code the
# dpvs-worker binary runs. No protobuf or libevent here.
WORKER_SRCS := $(filter-out worker/main.c,$(wildcard worker/*.c worker/*/*.c))
WORKER_OBJS := $(WORKER_SRCS:%.c=$(OBJ)/%.o)
WORKER_LIB  := $(BUILD)/libworker.a

$(OBJ)/worker/%.o: worker/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_DPDK) -c $< -o $@

$(WORKER_LIB): $(WORKER_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BIN)/dpvs-worker: $(OBJ)/worker/main.o $(WORKER_LIB) $(SHM_LIB)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDLIBS_DPDK)

BINS += $(BIN)/dpvs-worker
