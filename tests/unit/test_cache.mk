UNIT_TESTS += test_cache
test_cache_SRCS := host/mem/cache.c host/mem/dram.c host/mem/memsys.c host/util/log.c
