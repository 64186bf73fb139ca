UNIT_TESTS += test_m5dev
test_m5dev_SRCS := host/dev/m5dev.c host/dev/m5_writefile.c host/sim/eventq.c $(wildcard host/cpu/*.c) $(filter-out host/mem/memsys%.c,$(wildcard host/mem/*.c)) $(wildcard host/util/*.c)
test_m5dev_LIBS := -lZydis -lmpfr -lgmp -lm
