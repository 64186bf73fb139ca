UNIT_TESTS += test_atomic
test_atomic_SRCS := $(wildcard host/cpu/*.c) $(filter-out host/mem/memsys%.c,$(wildcard host/mem/*.c)) $(wildcard host/util/*.c)
test_atomic_LIBS := -lZydis -lmpfr -lgmp -lm
