# kni_bridge/: dpvs-kni-bridge. Everything but main.c goes into BRIDGE_LIB so
# that the unit tests can call the bridge's decisions.
BRIDGE_SRCS := $(filter-out kni_bridge/main.c,$(wildcard kni_bridge/*.c))
BRIDGE_OBJS := $(BRIDGE_SRCS:%.c=$(OBJ)/%.o)
BRIDGE_LIB  := $(BUILD)/libbridge.a

$(OBJ)/kni_bridge/%.o: kni_bridge/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_DPDK) -c $< -o $@

$(BRIDGE_LIB): $(BRIDGE_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BIN)/dpvs-kni-bridge: $(OBJ)/kni_bridge/main.o $(BRIDGE_LIB) $(SHM_LIB)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDLIBS_DPDK)

BINS += $(BIN)/dpvs-kni-bridge
