# proto/: the control protocol. protoc-c generates C into $(GEN)/proto (a build
# output, never committed). Anything that includes a generated header lists
# $(PROTO_HDRS) as a prerequisite; binaries and tests link $(PROTO_OBJS).
PROTO_SRCS := $(wildcard proto/*.proto)
PROTO_HDRS := $(PROTO_SRCS:%.proto=$(GEN)/%.pb-c.h)
PROTO_OBJS := $(PROTO_SRCS:%.proto=$(OBJ)/gen/%.pb-c.o)
PROTOC_C ?= protoc-c

# a pattern rule with two targets: one protoc-c run makes both files
$(GEN)/proto/%.pb-c.c $(GEN)/proto/%.pb-c.h: proto/%.proto
	@mkdir -p $(GEN)
	$(PROTOC_C) --proto_path=. --c_out=$(GEN) $<

.PRECIOUS: $(GEN)/proto/%.pb-c.c $(GEN)/proto/%.pb-c.h

$(OBJ)/gen/proto/%.pb-c.o: $(GEN)/proto/%.pb-c.c $(GEN)/proto/%.pb-c.h
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(PBC_CFLAGS) -c $< -o $@
