UNIT_TESTS += test_block
test_block_SRCS := $(wildcard host/cpu/*.c) host/mem/bus.c host/mem/pagetable.c $(wildcard host/util/*.c)
test_block_LIBS := -lZydis -lm
