UNIT_TESTS += test_atomic
test_atomic_SRCS := $(wildcard host/cpu/*.c) host/mem/bus.c host/mem/pagetable.c $(wildcard host/util/*.c)
test_atomic_LIBS := -lZydis -lm
