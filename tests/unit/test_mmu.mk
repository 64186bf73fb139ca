UNIT_TESTS += test_mmu
test_mmu_SRCS := $(wildcard host/cpu/*.c) host/mem/bus.c host/mem/pagetable.c $(wildcard host/util/*.c)
test_mmu_LIBS := -lZydis -lm
