UNIT_TESTS += test_isa_walk
test_isa_walk_SRCS := $(wildcard host/cpu/*.c) $(wildcard host/mem/*.c) $(wildcard host/util/*.c)
test_isa_walk_LIBS := -lZydis -lm
