# ctl/: the control plane.
#   ctl/common  no DPDK: the command parser, framing, output formatting; linked
#               into dpvsctl and into CTL_LIB
#   ctl/daemon  dpvs-ctl's logic (front doors, publication, rules, handler,
#               socket server); main.c is the daemon's entry point
#   ctl/client  dpvsctl's entry point (links protobuf-c and ctl/common only)
CTL_COMMON_SRCS := $(wildcard ctl/common/*.c)
CTL_COMMON_OBJS := $(CTL_COMMON_SRCS:%.c=$(OBJ)/%.o)
CTL_DAEMON_SRCS := $(filter-out ctl/daemon/main.c,$(wildcard ctl/daemon/*.c))
CTL_DAEMON_OBJS := $(CTL_DAEMON_SRCS:%.c=$(OBJ)/%.o)
CTL_CLIENT_SRCS := $(wildcard ctl/client/*.c)
CTL_CLIENT_OBJS := $(CTL_CLIENT_SRCS:%.c=$(OBJ)/%.o)

CTL_COMMON_LIB := $(BUILD)/libctlcommon.a
CTL_LIB := $(BUILD)/libctl.a

$(OBJ)/ctl/common/%.o: ctl/common/%.c | $(PROTO_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(PBC_CFLAGS) -c $< -o $@

$(OBJ)/ctl/client/%.o: ctl/client/%.c | $(PROTO_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(PBC_CFLAGS) -c $< -o $@

$(OBJ)/ctl/daemon/%.o: ctl/daemon/%.c | $(PROTO_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_DPDK) $(PBC_CFLAGS) $(EVENT_CFLAGS) -c $< -o $@

$(CTL_COMMON_LIB): $(CTL_COMMON_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(CTL_LIB): $(CTL_DAEMON_OBJS) $(CTL_COMMON_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(BIN)/dpvs-ctl: $(OBJ)/ctl/daemon/main.o $(CTL_LIB) $(SHM_LIB) $(PROTO_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDLIBS_DPDK) $(PBC_LIBS) $(EVENT_LIBS)

# dpvsctl: no DPDK
$(BIN)/dpvsctl: $(CTL_CLIENT_OBJS) $(CTL_COMMON_LIB) $(PROTO_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(PBC_LIBS)

BINS += $(BIN)/dpvs-ctl $(BIN)/dpvsctl
