UNIT_TESTS += test_decode
test_decode_SRCS := $(wildcard host/cpu/*.c) host/mem/bus.c host/mem/pagetable.c $(wildcard host/util/*.c)
test_decode_LIBS := -lZydis -lm
