UNIT_TESTS += test_stats_registry
test_stats_registry_SRCS := $(wildcard host/stats/registry*.c)
test_stats_registry_LIBS := -lm
