UNIT_TESTS += test_coherence
test_coherence_SRCS := host/mem/cache.c host/mem/dram.c host/mem/memsys.c host/mem/memsys_stats.c host/util/log.c $(wildcard host/stats/registry*.c)
test_coherence_LIBS := -lm
