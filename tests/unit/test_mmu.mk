UNIT_TESTS += test_mmu
test_mmu_SRCS := $(wildcard host/cpu/*.c) $(filter-out host/mem/memsys%.c,$(wildcard host/mem/*.c)) $(wildcard host/util/*.c)
test_mmu_LIBS := -lZydis -lmpfr -lgmp -lm
