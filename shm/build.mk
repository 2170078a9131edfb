# shm/: the only code linked into every secondary.
SHM_SRCS := $(wildcard shm/*.c)
SHM_OBJS := $(SHM_SRCS:%.c=$(OBJ)/%.o)
SHM_LIB  := $(BUILD)/libshm.a

$(OBJ)/shm/%.o: shm/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_DPDK) -c $< -o $@

$(SHM_LIB): $(SHM_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^
