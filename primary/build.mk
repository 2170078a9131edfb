# primary/: dpvs-primary. Everything but main.c goes into PRIMARY_LIB so that
# the unit tests can call the config parser, the stale cleanup and the
# supervisor's arithmetic.
PRIMARY_SRCS := $(filter-out primary/main.c,$(wildcard primary/*.c))
PRIMARY_OBJS := $(PRIMARY_SRCS:%.c=$(OBJ)/%.o)
PRIMARY_LIB  := $(BUILD)/libprimary.a

$(OBJ)/primary/%.o: primary/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_DPDK) -c $< -o $@

$(PRIMARY_LIB): $(PRIMARY_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BIN)/dpvs-primary: $(OBJ)/primary/main.o $(PRIMARY_LIB) $(SHM_LIB)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDLIBS_DPDK)

BINS += $(BIN)/dpvs-primary
