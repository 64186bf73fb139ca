UNIT_TESTS += test_exception
test_exception_SRCS := $(wildcard host/cpu/*.c) $(filter-out host/mem/memsys%.c,$(wildcard host/mem/*.c)) $(wildcard host/util/*.c)
test_exception_LIBS := -lZydis -lmpfr -lgmp -lm
