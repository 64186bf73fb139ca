UNIT_TESTS += test_dram
test_dram_SRCS := host/mem/dram.c
