UNIT_TESTS += test_decode
test_decode_SRCS := $(wildcard host/cpu/*.c) $(filter-out host/mem/memsys%.c,$(wildcard host/mem/*.c)) $(wildcard host/util/*.c)
test_decode_LIBS := -lZydis -lmpfr -lgmp -lm
