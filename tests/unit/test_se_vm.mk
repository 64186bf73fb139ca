UNIT_TESTS += test_se_vm
test_se_vm_SRCS := $(wildcard host/se/*.c) $(filter-out host/cpu/timing.c,$(wildcard host/cpu/*.c)) host/mem/bus.c host/mem/pagetable.c host/stats/sim_stats.c $(wildcard host/stats/registry*.c) $(wildcard host/util/*.c)
test_se_vm_LIBS := -lZydis -lmpfr -lgmp -lm
