# shm/: the only code linked into every secondary. layout_dwarf.c is not
# linked: its DWARF is the input of the layout fingerprint (shm/layout_fp.sh
# -> $(GEN)/shm/layout_fp.c), which is.
SHM_SRCS := $(filter-out shm/layout_dwarf.c,$(wildcard shm/*.c))
SHM_OBJS := $(SHM_SRCS:%.c=$(OBJ)/%.o) $(OBJ)/gen/shm/layout_fp.o
SHM_LIB  := $(BUILD)/libshm.a

$(OBJ)/shm/%.o: shm/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_DPDK) -c $< -o $@

# always with debug info, whatever OPT says
$(OBJ)/shm/layout_dwarf.o: shm/layout_dwarf.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_DPDK) -g -c $< -o $@

$(GEN)/shm/layout_fp.c: $(OBJ)/shm/layout_dwarf.o shm/layout_fp.sh
	@mkdir -p $(dir $@)
	sh shm/layout_fp.sh $< $@

$(OBJ)/gen/shm/layout_fp.o: $(GEN)/shm/layout_fp.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -c $< -o $@

$(SHM_LIB): $(SHM_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^
