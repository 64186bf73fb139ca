UNIT_TESTS += test_exception
test_exception_SRCS := $(wildcard host/cpu/*.c) host/mem/bus.c host/mem/pagetable.c $(wildcard host/util/*.c)
test_exception_LIBS := -lZydis -lm
