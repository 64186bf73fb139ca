UNIT_TESTS += test_sim_stats
test_sim_stats_SRCS := host/stats/sim_stats.c $(wildcard host/stats/registry*.c)
test_sim_stats_LIBS := -lm
