UNIT_TESTS += test_block
test_block_SRCS := $(wildcard host/cpu/*.c) $(filter-out host/mem/memsys%.c,$(wildcard host/mem/*.c)) $(wildcard host/util/*.c)
test_block_LIBS := -lZydis -lmpfr -lgmp -lm
